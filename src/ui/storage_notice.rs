//! The notice shown when the stored workspace could not be read: it was
//! kept under a backup key (never silently replaced by defaults) and can be
//! downloaded to repair or to send with a bug report.

use super::files;
use super::workspace_state::WorkspaceState;
use leptos::prelude::*;

/// The unreadable-workspace banner.
#[component]
pub fn UnreadableWorkspaceBanner() -> impl IntoView {
    let ws = expect_context::<WorkspaceState>();
    let download = move |_| {
        if let Some(found) = ws.unreadable.get_untracked() {
            if files::download(
                "mqtt-console-workspace-unreadable.json",
                "application/json",
                &found.text,
            )
            .is_ok()
            {
                ws.release_unreadable();
            }
        }
    };
    view! {
        {move || ws.unreadable.get().map(|found| {
            let kept = match &found.backup_key {
                Some(key) => format!("It was kept unchanged in this browser's storage under \"{key}\"; the page started with default settings."),
                None => "Storage refused a backup copy, so nothing is saved over it until you download it.".to_string(),
            };
            view! {
                <div class="banner banner-error" role="alert" data-testid="workspace-unreadable">
                    <p>
                        <strong>"Your saved workspace could not be read"</strong>
                        {format!(" ({}). {kept}", found.error)}
                    </p>
                    <div class="actions">
                        <button data-testid="workspace-backup-download" on:click=download>"Download it"</button>
                        <button data-testid="workspace-backup-dismiss" on:click=move |_| {
                            ws.release_unreadable();
                            ws.unreadable.set(None);
                        }>{if found.backup_key.is_some() { "Dismiss" } else { "Discard it and save my settings" }}</button>
                    </div>
                </div>
            }
        })}
    }
}
