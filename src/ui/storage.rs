//! `localStorage` access. Only the workspace (no secrets) is stored by
//! default; remembered secrets go under their own key, and only after the
//! user opts in. Storage can be unavailable (private modes, quota): callers
//! get an error message to show, and the page keeps working from memory.

/// Key of the workspace JSON (profiles, subscriptions, templates, history).
pub const WORKSPACE_KEY: &str = "mqtt-console.workspace.v1";
/// Key of remembered secrets, present only while "remember" is on.
pub const SECRETS_KEY: &str = "mqtt-console.secrets.v1";

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
