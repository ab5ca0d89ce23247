//! The "remember secrets" controls of the connection form: where secrets
//! are kept (said in words), the passphrase for the device's encrypted
//! store, and "Forget all secrets".

use super::state::{AppState, NoticeLevel};
use super::workspace_state::WorkspaceState;
use crate::workspace::{RememberMode, Secrets};
use leptos::prelude::*;

fn mode_value(mode: RememberMode) -> &'static str {
    match mode {
        RememberMode::Off => "off",
        RememberMode::Tab => "tab",
        RememberMode::Device => "device",
    }
}

/// What the chosen mode means, in one sentence.
fn mode_explained(mode: RememberMode, locked: bool, unlocked: bool) -> &'static str {
    match (mode, locked, unlocked) {
        (RememberMode::Off, _, _) => {
            "Secrets stay in this page's memory only and are gone when it reloads."
        }
        (RememberMode::Tab, _, _) => {
            "Secrets are kept for this tab only (session storage, not encrypted) and are gone when the tab closes."
        }
        (RememberMode::Device, true, _) => {
            "Secrets are stored on this device, encrypted. Type the passphrase to use them."
        }
        (RememberMode::Device, false, true) => {
            "Secrets are stored on this device, encrypted with your passphrase (AES-GCM)."
        }
        (RememberMode::Device, false, false) => {
            "Choose a passphrase: secrets are stored on this device only encrypted with it."
        }
    }
}

/// The remember controls.
#[component]
pub fn SecretControls() -> impl IntoView {
    let state = expect_context::<AppState>();
    let ws = expect_context::<WorkspaceState>();
    let store = ws.store;
    let passphrase = RwSignal::new(String::new());
    let message = RwSignal::new(None::<(bool, String)>);
    let busy = RwSignal::new(false);

    let choose = move |ev: leptos::ev::Event| {
        let mode = match event_target_value(&ev).as_str() {
            "tab" => RememberMode::Tab,
            "device" => RememberMode::Device,
            _ => RememberMode::Off,
        };
        store.set_mode(mode);
        message.set(None);
    };
    let submit = move || {
        let text = passphrase.get_untracked();
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = store.use_passphrase(&text).await;
            busy.set(false);
            passphrase.set(String::new());
            if result.is_ok() {
                // Secrets remembered for the profile in the form apply now.
                let form = ws.form.get_untracked();
                if ws.secrets.with_untracked(Secrets::is_empty) {
                    ws.select(&form.name);
                }
            }
            message.set(Some(match result {
                Ok(text) => (false, text),
                Err(text) => (true, text),
            }));
        });
    };
    let forget = move |_| {
        store.forget_all();
        ws.secrets.set(Secrets::default());
        state.notify(NoticeLevel::Info, "Forgot every remembered secret.");
        message.set(Some((
            false,
            "Every remembered secret was forgotten.".into(),
        )));
    };
    let needs_passphrase =
        move || store.mode.get() == RememberMode::Device && !store.unlocked.get();

    view! {
        <div class="remember" data-testid="remember-controls">
            <label>
                "Remember secrets"
                <select data-testid="remember-mode" on:change=choose
                    prop:value=move || mode_value(store.mode.get())>
                    <option value="off" selected=move || store.mode.get() == RememberMode::Off>"No (this page only)"</option>
                    <option value="tab" selected=move || store.mode.get() == RememberMode::Tab>"For this tab"</option>
                    <option value="device" selected=move || store.mode.get() == RememberMode::Device>"On this device, encrypted"</option>
                </select>
            </label>
            <button data-testid="forget-secrets" on:click=forget
                title="Remove every remembered password, key and token from memory and storage">
                "Forget all secrets"
            </button>
            <p class="hint" data-testid="remember-explained">
                {move || mode_explained(store.mode.get(), store.locked.get(), store.unlocked.get())}
            </p>
            <Show when=needs_passphrase>
                <form class="row" on:submit=move |ev| { ev.prevent_default(); submit(); }>
                    <label class="grow">
                        {move || if store.locked.get() { "Passphrase to unlock" } else { "New passphrase" }}
                        <input type="password" data-testid="vault-passphrase" bind:value=passphrase autocomplete="off"/>
                    </label>
                    <button type="submit" data-testid="vault-submit" disabled=move || busy.get()>
                        {move || if store.locked.get() { "Unlock" } else { "Set passphrase" }}
                    </button>
                </form>
            </Show>
            {move || message.get().map(|(is_error, text)| view! {
                <p class=if is_error { "error" } else { "hint" } data-testid="remember-message" role="status">{text}</p>
            })}
        </div>
    }
}
