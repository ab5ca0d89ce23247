//! A share link is an offer, and a link that asks to connect with
//! remembered secrets waits for a click.
//!
//! Opening `#share=…` shows the link's dashboard without saving any of it;
//! this banner lets the user save it as a new profile, replace the saved
//! profile of the same name (with the endpoints side by side), or discard
//! it. `?connect=1` never uses a remembered secret on its own: the user
//! confirms the endpoint with a click ([`WorkspaceState::confirm_connect`]).

use super::state::{AppState, NoticeLevel};
use super::workspace_state::{new_profile_id, row_from_setting, LinkOffer, WorkspaceState};
use crate::workspace::{endpoint_key, endpoint_summary, SubscriptionSetting};
use leptos::prelude::*;
use wasm_bindgen::JsValue;

impl WorkspaceState {
    /// Saves the offered link's profile (as shown in the form) as a new
    /// profile with a free name, and adds its subscriptions to the saved ones.
    pub fn accept_link_as_new(&self, app: AppState) -> Result<String, String> {
        let offer = self
            .link_offer
            .get_untracked()
            .ok_or("no share link is open")?;
        let mut profile = self.form.get_untracked();
        let wanted = profile.name.trim().to_string();
        let name = self.workspace.with_untracked(|w| {
            if w.profile(&wanted).is_some() {
                w.free_name(&format!("{wanted} (shared)"))
            } else {
                wanted.clone()
            }
        });
        profile.name = name.clone();
        profile.id = new_profile_id();
        self.workspace.update(|w| {
            w.profiles.push(profile.clone());
            w.selected = Some(name.clone());
        });
        self.adopt_link_settings(app, &offer);
        self.form.set(profile);
        Ok(name)
    }

    /// Replaces the saved profile that has the link's name with the link's
    /// profile (explicit choice; the saved one's id is kept, so its
    /// remembered secrets apply again only if the endpoint is unchanged).
    pub fn replace_with_link(&self, app: AppState) -> Result<String, String> {
        let offer = self
            .link_offer
            .get_untracked()
            .ok_or("no share link is open")?;
        let clash = offer
            .clash
            .clone()
            .ok_or("no saved profile has this name")?;
        let profile = self.form.get_untracked();
        self.workspace
            .try_update(|w| {
                w.replace_profile(&clash.name, profile)?;
                w.selected = Some(clash.name.clone());
                Ok::<_, crate::workspace::WorkspaceError>(())
            })
            .unwrap_or(Ok(()))
            .map_err(|error| error.to_string())?;
        self.adopt_link_settings(app, &offer);
        if let Some(saved) = self
            .workspace
            .with_untracked(|w| w.profile(&clash.name).cloned())
        {
            self.form.set(saved);
        }
        Ok(clash.name)
    }

    /// Drops the offer and shows the saved workspace again.
    pub fn discard_link(&self, app: AppState) {
        self.show_saved(app);
    }

    /// The link's subscriptions join the saved ones (none removed) and its
    /// display settings apply; the offer ends.
    fn adopt_link_settings(&self, app: AppState, offer: &LinkOffer) {
        let saved: Vec<SubscriptionSetting> =
            self.workspace.with_untracked(|w| w.subscriptions.clone());
        self.workspace
            .update(|w| w.display = offer.dashboard.display.clone());
        self.link_offer.set(None);
        app.subscriptions.update(|rows| {
            for setting in &saved {
                if !rows.iter().any(|row| row.filter == setting.filter) {
                    rows.push(row_from_setting(setting));
                }
            }
        });
        super::workspace_state::clear_share_fragment();
    }

    /// Waits for the user to confirm (or decline) connecting to `target`
    /// with remembered secrets; `true` when they clicked Connect.
    pub async fn confirm_connect(&self, target: String) -> bool {
        let answer = self.connect_answer;
        let promise = js_sys::Promise::new(&mut |resolve, _reject| {
            answer.set_value(Some(resolve));
        });
        self.pending_connect.set(Some(target));
        let result = wasm_bindgen_futures::JsFuture::from(promise).await;
        self.pending_connect.set(None);
        matches!(result, Ok(value) if value.as_bool() == Some(true))
    }

    fn answer_connect(&self, connect: bool) {
        if let Some(resolve) = self.connect_answer.get_value() {
            let _ = resolve.call1(&JsValue::NULL, &JsValue::from_bool(connect));
        }
        self.connect_answer.set_value(None);
    }
}

/// The banner shown while a share link is on offer.
#[component]
pub fn LinkOfferBanner() -> impl IntoView {
    let state = expect_context::<AppState>();
    let ws = expect_context::<WorkspaceState>();
    let comparing = RwSignal::new(false);
    let offer = move || ws.link_offer.get();
    let report = move |result: Result<String, String>, verb: &str| match result {
        Ok(name) => state.notify(NoticeLevel::Info, format!("Share link {verb} \"{name}\".")),
        Err(error) => state.notify(NoticeLevel::Error, format!("Share link: {error}")),
    };
    view! {
        <Show when=move || offer().is_some()>
            <div class="banner banner-offer" role="region" aria-label="Share link" data-testid="link-offer">
                <p>
                    <strong>"Opened from a share link: "</strong>
                    {move || offer().map(|o| format!("\"{}\" → {}", o.dashboard.profile.name, endpoint_summary(&o.dashboard.profile)))}
                    ". Nothing from it is saved until you choose; your saved profiles, subscriptions and secrets are untouched."
                </p>
                <div class="actions wrap">
                    <button data-testid="link-save-new" on:click=move |_| report(ws.accept_link_as_new(state), "saved as")>
                        "Save as new profile"
                    </button>
                    <Show when=move || offer().is_some_and(|o| o.clash.is_some())>
                        <button data-testid="link-replace-ask" on:click=move |_| comparing.set(true)>
                            {move || offer().and_then(|o| o.clash).map(|c| format!("Replace saved \"{}\"…", c.name))}
                        </button>
                    </Show>
                    <button data-testid="link-discard" on:click=move |_| ws.discard_link(state)>"Discard"</button>
                </div>
                <Show when=move || comparing.get()>
                    {move || offer().and_then(|o| o.clash.clone().map(|clash| (o, clash))).map(|(o, clash)| {
                        let moved = endpoint_key(&clash) != endpoint_key(&o.dashboard.profile);
                        view! {
                            <div class="compare" data-testid="link-compare">
                                <div><span class="label">"Saved"</span><code data-testid="compare-saved">{endpoint_summary(&clash)}</code></div>
                                <div><span class="label">"Link"</span><code data-testid="compare-link">{endpoint_summary(&o.dashboard.profile)}</code></div>
                                {moved.then(|| view! {
                                    <p class="warning" data-testid="compare-moved">
                                        "The link points somewhere else. Secrets remembered for the saved profile will not be used for the new endpoint."
                                    </p>
                                })}
                                <div class="actions">
                                    <button class="danger" data-testid="link-replace-confirm" on:click=move |_| {
                                        comparing.set(false);
                                        report(ws.replace_with_link(state), "replaced");
                                    }>"Replace"</button>
                                    <button data-testid="link-replace-cancel" on:click=move |_| comparing.set(false)>"Cancel"</button>
                                </div>
                            </div>
                        }
                    })}
                </Show>
            </div>
        </Show>
    }
}

/// The question shown when a link asks to connect with remembered secrets.
#[component]
pub fn PendingConnectBanner() -> impl IntoView {
    let ws = expect_context::<WorkspaceState>();
    view! {
        <Show when=move || ws.pending_connect.with(Option::is_some)>
            <div class="banner banner-confirm" role="alertdialog" aria-label="Connect with remembered secrets" data-testid="pending-connect">
                <p>
                    "This link asks to connect to "
                    <code>{move || ws.pending_connect.get().unwrap_or_default()}</code>
                    " using secrets remembered on this device. Connect?"
                </p>
                <div class="actions">
                    <button data-testid="pending-connect-yes" on:click=move |_| ws.answer_connect(true)>"Connect"</button>
                    <button data-testid="pending-connect-no" on:click=move |_| ws.answer_connect(false)>"Not now"</button>
                </div>
            </div>
        </Show>
    }
}
