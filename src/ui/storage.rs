//! `localStorage` access. Only the workspace (no secrets) is stored by
//! default; remembered secrets go under their own key, and only after the
//! user opts in. Storage can be unavailable (private modes, quota): callers
//! get an error message to show, and the page keeps working from memory.

/// Key of the workspace JSON (profiles, subscriptions, templates, history).
pub const WORKSPACE_KEY: &str = "mqtt-console.workspace.v1";
/// Key of secrets remembered in plain text by earlier versions: read once
/// to move them out of plain `localStorage`, then removed.
pub const LEGACY_SECRETS_KEY: &str = "mqtt-console.secrets.v1";
/// Key of secrets remembered on this device (`localStorage`), encrypted.
pub const SEALED_SECRETS_KEY: &str = "mqtt-console.secrets.sealed.v2";
/// Key of secrets remembered for this tab (`sessionStorage`).
pub const TAB_SECRETS_KEY: &str = "mqtt-console.secrets.tab.v2";
/// Prefix of the keys under which an unreadable stored workspace is kept
/// (followed by the time it was found, in ms since 1970).
pub const WORKSPACE_BACKUP_PREFIX: &str = "mqtt-console.workspace.unreadable.";

fn local_storage() -> Result<web_sys::Storage, String> {
    web_sys::window()
        .and_then(|window| window.local_storage().ok().flatten())
        .ok_or_else(|| "This browser does not allow local storage here; settings last only until the page is closed.".to_string())
}

/// The stored text under `key`, if any.
pub fn read(key: &str) -> Option<String> {
    local_storage().ok()?.get_item(key).ok().flatten()
}

/// Stores `value` under `key`.
pub fn write(key: &str, value: &str) -> Result<(), String> {
    local_storage()?
        .set_item(key, value)
        .map_err(|_| "Could not save settings: local storage is full or disabled.".to_string())
}

/// Removes `key`.
pub fn remove(key: &str) {
    if let Ok(storage) = local_storage() {
        let _ = storage.remove_item(key);
    }
}

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|window| window.session_storage().ok().flatten())
}

/// The text under `key` in this tab's `sessionStorage`.
pub fn read_tab(key: &str) -> Option<String> {
    session_storage()?.get_item(key).ok().flatten()
}

/// Stores `value` under `key` in this tab's `sessionStorage`.
pub fn write_tab(key: &str, value: &str) -> Result<(), String> {
    session_storage()
        .ok_or("This browser does not allow session storage here.")?
        .set_item(key, value)
        .map_err(|_| {
            "Could not keep the secrets for this tab: session storage is full or disabled."
                .to_string()
        })
}

/// Removes `key` from this tab's `sessionStorage`.
pub fn remove_tab(key: &str) {
    if let Some(storage) = session_storage() {
        let _ = storage.remove_item(key);
    }
}
