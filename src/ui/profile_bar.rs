//! Profile bar: pick, save, rename, duplicate, delete profiles; export and
//! import the workspace as a JSON file; make a share link without secrets.

use super::files;
use super::state::{AppState, NoticeLevel};
use super::workspace_state::{row_from_setting, WorkspaceState};
use crate::workspace::{encode_share_fragment, SharedDashboard, Workspace};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Value of the picker's entry for a share link's unsaved profile.
const LINK_OPTION: &str = "\u{1}share-link";

/// The row of profile controls above the connection fields.
#[component]
pub fn ProfileBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    let ws = expect_context::<WorkspaceState>();
    let name = RwSignal::new(ws.form.get_untracked().name);
    // The Name field follows the form's profile when that changes (picked,
    // saved from a link), not while the user types a new name.
    let form_name = Memo::new(move |_| ws.form.with(|p| p.name.clone()));
    Effect::new(move |_| name.set(form_name.get()));
    let message = RwSignal::new(None::<(bool, String)>);
    let share_link = RwSignal::new(None::<String>);
    let report = move |result: Result<String, String>| {
        message.set(Some(match result {
            Ok(text) => (false, text),
            Err(text) => (true, text),
        }))
    };
    // While a share link is on offer the form shows its unsaved profile:
    // the picker says so instead of naming a saved profile.
    let selected = move || {
        if ws.link_offer.with(Option::is_some) {
            return LINK_OPTION.to_string();
        }
        ws.workspace
            .with(|w| w.selected.clone().unwrap_or_default())
    };
    let link_name = move || {
        ws.link_offer
            .with(|o| o.as_ref().map(|o| o.dashboard.profile.name.clone()))
    };
    let names = move || {
        ws.workspace.with(|w| {
            w.profiles
                .iter()
                .map(|p| p.name.clone())
                .collect::<Vec<_>>()
        })
    };

    let select = move |ev: leptos::ev::Event| {
        let chosen = event_target_value(&ev);
        if chosen == LINK_OPTION {
            return;
        }
        if ws.link_offer.with_untracked(Option::is_some) {
            ws.discard_link(state);
        }
        ws.select(&chosen);
        name.set(chosen);
        message.set(None);
        share_link.set(None);
    };
    let save = move |_| {
        let result = ws.save_form_as(&name.get_untracked());
        report(result.map(|saved| format!("Saved \"{saved}\".")));
    };
    let rename = move |_| {
        let from = selected();
        let to = name.get_untracked().trim().to_string();
        match ws.workspace.try_update(|w| w.rename_profile(&from, &to)) {
            Some(Ok(())) => {
                ws.form.update(|p| p.name = to.clone());
                report(Ok(format!("Renamed to \"{to}\".")));
            }
            Some(Err(error)) => report(Err(error.to_string())),
            None => {}
        }
    };
    let duplicate = move |_| {
        let original = selected();
        match ws.workspace.try_update(|w| w.duplicate_profile(&original)) {
            Some(Ok(copy)) => {
                ws.select(&copy);
                name.set(copy.clone());
                report(Ok(format!("Created \"{copy}\".")));
            }
            Some(Err(error)) => report(Err(error.to_string())),
            None => {}
        }
    };
    let delete = move |_| {
        let doomed = selected();
        match ws.delete_profile(&doomed) {
            Ok(()) => {
                let now_selected = selected();
                ws.select(&now_selected);
                name.set(now_selected);
                report(Ok(format!(
                    "Deleted \"{doomed}\". Secrets remembered for it were forgotten too."
                )));
            }
            Err(error) => report(Err(error)),
        }
    };
    let export = move |_| {
        let json = ws
            .workspace
            .with_untracked(|w| w.without_secret_usernames().to_json());
        report(
            files::download("mqtt-console-workspace.json", "application/json", &json)
                .map(|()| "Exported profiles, subscriptions and templates (no secrets).".into()),
        );
    };
    let import = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        leptos::task::spawn_local(async move {
            let result = files::read_picked_file(&input)
                .await
                .and_then(|text| Workspace::from_json(&text).map_err(|error| error.to_string()));
            input.set_value("");
            match result {
                Ok(imported) => {
                    let summary = merge_import(state, ws, imported);
                    report(Ok(summary));
                }
                Err(error) => report(Err(format!("Import failed: {error}"))),
            }
        });
    };
    let share = move |_| {
        let dashboard = SharedDashboard {
            profile: ws.form.get_untracked(),
            subscriptions: ws.workspace.with_untracked(|w| w.subscriptions.clone()),
            display: ws.workspace.with_untracked(|w| w.display.clone()),
            ..SharedDashboard::default()
        };
        let location = web_sys::window().map(|w| w.location());
        // Never the page's own query string (clientId, connect, …): a link
        // carries the dashboard only.
        let base = location
            .map(|l| {
                format!(
                    "{}{}",
                    l.origin().unwrap_or_default(),
                    l.pathname().unwrap_or_default()
                )
            })
            .unwrap_or_default();
        let link = format!("{base}#{}", encode_share_fragment(&dashboard));
        files::copy_to_clipboard(&link);
        share_link.set(Some(link));
        report(Ok(
            "Share link ready (copied if the browser allowed it). It holds no secrets.".into(),
        ));
    };

    view! {
        <div class="profile-bar">
            <div class="row">
                <label class="grow">
                    "Profile"
                    <select data-testid="profile-select" on:change=select prop:value=selected>
                        {move || link_name().map(|n| view! {
                            <option value=LINK_OPTION selected=true>{format!("{n} (from a share link, not saved)")}</option>
                        })}
                        {move || names().into_iter().map(|n| {
                            let value = n.clone();
                            view! { <option value=value selected=move || selected() == n>{n.clone()}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label class="grow">
                    "Name"
                    <input data-testid="profile-name" bind:value=name/>
                </label>
            </div>
            <div class="actions wrap">
                <button data-testid="profile-save" on:click=save title="Save the form under this name">"Save"</button>
                <button data-testid="profile-rename" on:click=rename>"Rename"</button>
                <button data-testid="profile-duplicate" on:click=duplicate>"Duplicate"</button>
                <button data-testid="profile-delete" on:click=delete>"Delete"</button>
                <button data-testid="workspace-export" on:click=export>"Export"</button>
                <label class="button-like">
                    "Import"
                    <input type="file" accept="application/json,.json" data-testid="workspace-import" on:change=import class="visually-hidden"/>
                </label>
                <button data-testid="share-link" on:click=share>"Share link"</button>
            </div>
            <Show when=move || share_link.get().is_some()>
                <input readonly class="share-output" data-testid="share-link-output" aria-label="Share link"
                    prop:value=move || share_link.get().unwrap_or_default()
                    on:focus=move |ev| {
                        if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                            input.select();
                        }
                    }/>
            </Show>
            {move || message.get().map(|(is_error, text)| view! {
                <p class=if is_error { "error" } else { "hint" } data-testid="profile-message" role="status">{text}</p>
            })}
        </div>
    }
}

/// Imports a workspace file without overwriting anything saved (see
/// [`crate::workspace::import`]). Returns a summary for the user.
fn merge_import(state: AppState, ws: WorkspaceState, imported: Workspace) -> String {
    let mut report = None;
    ws.workspace.update(|w| {
        let mut file = imported.clone();
        // Subscriptions are live rows in AppState: merged there below.
        file.subscriptions.clear();
        report = Some(crate::workspace::import(w, file));
        w.assign_missing_ids(super::workspace_state::new_profile_id);
    });
    let mut report = report.unwrap_or_default();
    state.subscriptions.update(|rows| {
        for setting in &imported.subscriptions {
            if !rows.iter().any(|row| row.filter == setting.filter) {
                rows.push(row_from_setting(setting));
                report.new_subscriptions += 1;
            }
        }
    });
    state.notify(NoticeLevel::Info, "Imported a workspace file");
    report.summary()
}
