//! The workspace as live UI state: the saved profiles, the profile being
//! edited in the connection form and its secrets, loaded from storage at
//! start and saved back on every change.
//!
//! What it guarantees (issue "safe to share"):
//! - a share link is only an *offer*: it never changes a saved profile, the
//!   saved subscriptions or the display settings until the user chooses
//!   (see [`super::link_offer`]);
//! - remembered secrets are bound to a profile's id and endpoint
//!   ([`RememberedSecrets`]), deleted with their profile, and stored only
//!   where the user chose ([`super::secret_store`]);
//! - an unreadable stored workspace is kept under a backup key, never
//!   silently replaced;
//! - another tab's saves are merged per profile, never overwritten.

use super::secret_store::SecretStore;
use super::state::{AppState, NoticeLevel, SubscriptionRow, SubscriptionStatus};
use super::storage;
use crate::codec::QoS;
use crate::workspace::{
    decode_share_fragment, endpoint_key, endpoint_summary, profile_id_from, three_way, Profile,
    PublishTemplate, RememberedSecrets, Secrets, SharedDashboard, SubscriptionSetting, Workspace,
};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// A share link waiting for the user's decision.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkOffer {
    pub dashboard: SharedDashboard,
    /// The saved profile that has the link's name, if any (shown side by
    /// side when the user considers replacing it).
    pub clash: Option<Profile>,
}

/// A stored workspace that could not be read, kept under `backup_key`.
#[derive(Debug, Clone, PartialEq)]
pub struct UnreadableWorkspace {
    pub error: String,
    /// Where the unreadable text was kept; `None` if storage refused it
    /// (then nothing is saved over the original until the user decides).
    pub backup_key: Option<String>,
    pub text: String,
}

/// What this tab last read from or wrote to the workspace key: the base of
/// the three-way merge with another tab's save.
#[derive(Default)]
struct SyncBase {
    base: Workspace,
    text: Option<String>,
    /// Saving is held back (an unreadable workspace that could not be
    /// backed up must not be overwritten).
    suspended: bool,
}

/// Saved workspace plus the connection form's current values.
#[derive(Clone, Copy)]
pub struct WorkspaceState {
    pub workspace: RwSignal<Workspace>,
    /// The profile as currently edited (saved only on "Save").
    pub form: RwSignal<Profile>,
    /// Secrets of the edited profile, as typed or as remembered for it.
    pub secrets: RwSignal<Secrets>,
    /// Remembered secrets and where they are kept.
    pub store: SecretStore,
    /// The endpoint the form's secrets were remembered for, with those
    /// secrets: cleared when the user types, used to withdraw them when the
    /// form is pointed elsewhere.
    loaded_for: RwSignal<Option<(String, Secrets)>>,
    /// Set when the page was opened from a share link (which secrets to ask for).
    pub shared_from_link: RwSignal<bool>,
    /// A share link waiting for "save as new / replace / discard".
    pub link_offer: RwSignal<Option<LinkOffer>>,
    /// An unreadable stored workspace found at start.
    pub unreadable: RwSignal<Option<UnreadableWorkspace>>,
    /// The endpoint a link asks to connect to with remembered secrets,
    /// while the page waits for the user's click.
    pub pending_connect: RwSignal<Option<String>>,
    /// Resolves the wait of [`Self::confirm_connect`].
    pub(crate) connect_answer: StoredValue<Option<js_sys::Function>, LocalStorage>,
    sync: StoredValue<SyncBase, LocalStorage>,
}

/// A fresh random profile id.
pub fn new_profile_id() -> String {
    let mut random = [0u8; 16];
    match super::secret_vault::random_bytes(16) {
        Ok(bytes) => random.copy_from_slice(&bytes),
        Err(_) => {
            for byte in &mut random {
                *byte = (js_sys::Math::random() * 256.0) as u8;
            }
        }
    }
    profile_id_from(random)
}

impl WorkspaceState {
    /// Loads from storage and the URL fragment; installs the save effects.
    pub fn load(app: AppState) -> WorkspaceState {
        let stored = storage::read(storage::WORKSPACE_KEY);
        let mut unreadable = None;
        let mut sync = SyncBase {
            text: stored.clone(),
            ..SyncBase::default()
        };
        let mut workspace = match stored.as_deref().map(Workspace::from_json) {
            None => Workspace::default(),
            Some(Ok(workspace)) => workspace,
            Some(Err(error)) => {
                let text = stored.clone().unwrap_or_default();
                let found = back_up_unreadable(&text, error.to_string());
                sync.suspended = found.backup_key.is_none();
                unreadable = Some(found);
                Workspace::default()
            }
        };
        sync.base = workspace.without_secret_usernames();
        workspace.assign_missing_ids(new_profile_id);

        let store = SecretStore::load(app, &workspace);

        let mut offer = None;
        let fragment = web_sys::window()
            .and_then(|w| w.location().hash().ok())
            .unwrap_or_default();
        match decode_share_fragment(&fragment) {
            Ok(Some(mut dashboard)) => {
                if dashboard.profile.name.trim().is_empty() {
                    dashboard.profile.name = "Shared dashboard".into();
                }
                let clash = workspace.profile(&dashboard.profile.name).cloned();
                offer = Some(LinkOffer { dashboard, clash });
            }
            Ok(None) => {}
            Err(error) => app.notify(
                NoticeLevel::Error,
                format!("Share link not loaded: {error}"),
            ),
        }

        let (form, secrets, rows) = match &offer {
            // The link's dashboard is shown, nothing of it saved: its
            // profile has no id, so no remembered secret can apply to it.
            Some(offer) => (
                offer.dashboard.profile.clone(),
                Secrets::default(),
                offer.dashboard.subscriptions.clone(),
            ),
            None => {
                let selected = workspace
                    .selected
                    .as_deref()
                    .and_then(|name| workspace.profile(name))
                    .or(workspace.profiles.first())
                    .cloned()
                    .unwrap_or_default();
                let secrets = store.for_profile_untracked(&selected);
                (selected, secrets, workspace.subscriptions.clone())
            }
        };
        app.subscriptions
            .set(rows.iter().map(row_from_setting).collect());
        let loaded_for = (!secrets.is_empty()).then(|| (endpoint_key(&form), secrets.clone()));

        let state = WorkspaceState {
            workspace: RwSignal::new(workspace),
            form: RwSignal::new(form),
            secrets: RwSignal::new(secrets),
            store,
            loaded_for: RwSignal::new(loaded_for),
            shared_from_link: RwSignal::new(offer.is_some()),
            link_offer: RwSignal::new(offer),
            unreadable: RwSignal::new(unreadable),
            pending_connect: RwSignal::new(None),
            connect_answer: StoredValue::new_local(None),
            sync: StoredValue::new_local(sync),
        };
        state.install_persistence(app);
        state.install_secret_guards(app);
        state.listen_to_other_tabs();
        state
    }

    fn install_persistence(self, app: AppState) {
        // Subscriptions live in AppState (with their live status); mirror
        // their settings into the workspace, except while a share link's
        // subscriptions are only on offer.
        Effect::new(move |_| {
            let settings: Vec<SubscriptionSetting> = app
                .subscriptions
                .with(|rows| rows.iter().map(setting_from_row).collect());
            if self.link_offer.with(Option::is_some) {
                return;
            }
            self.workspace.update(|w| {
                if w.subscriptions != settings {
                    w.subscriptions = settings;
                }
            });
        });
        Effect::new(move |_| {
            let ours = self.workspace.get();
            self.save(app, ours);
        });
    }

    /// Writes `ours` to storage, first merging whatever another tab wrote
    /// since this tab last read or wrote the key.
    fn save(self, app: AppState, ours: Workspace) {
        if self.sync.with_value(|s| s.suspended) {
            return;
        }
        let stripped = ours.without_secret_usernames();
        let stored = storage::read(storage::WORKSPACE_KEY);
        let last = self.sync.with_value(|s| s.text.clone());
        if stored.is_some() && stored != last {
            let text = stored.clone().unwrap_or_default();
            match Workspace::from_json(&text) {
                Ok(theirs) => {
                    let base = self.sync.with_value(|s| s.base.clone());
                    let merged = three_way(&base, &stripped, &theirs);
                    self.sync.update_value(|s| {
                        s.base = theirs;
                        s.text = stored.clone();
                    });
                    for conflict in &merged.conflicts {
                        app.notify(NoticeLevel::Warning, format!("Profiles: {conflict}."));
                    }
                    let merged = restore_secret_usernames(merged.workspace, &ours);
                    self.follow_merged_ids(&merged);
                    if merged != ours {
                        app.notify(
                            NoticeLevel::Info,
                            "Profiles were changed in another tab: merged with this tab's.",
                        );
                        // The effect runs again with the merged workspace.
                        self.workspace.set(merged);
                        return;
                    }
                }
                Err(error) => {
                    // Never write over what we cannot read: keep it first.
                    let found = back_up_unreadable(&text, error.to_string());
                    if found.backup_key.is_none() {
                        self.sync.update_value(|s| s.suspended = true);
                        self.unreadable.set(Some(found));
                        return;
                    }
                    self.unreadable.set(Some(found));
                }
            }
        }
        let json = stripped.to_json();
        if stored.as_deref() != Some(json.as_str()) {
            if let Err(message) = storage::write(storage::WORKSPACE_KEY, &json) {
                app.notify(NoticeLevel::Warning, message);
                return;
            }
        }
        self.sync.update_value(|s| {
            s.base = stripped;
            s.text = Some(json);
        });
    }

    /// After a merge gave the form's profile another tab's id (the same
    /// profile, named the same), the form follows, so saving it updates it.
    fn follow_merged_ids(self, merged: &Workspace) {
        let (id, name) = self.form.with_untracked(|f| (f.id.clone(), f.name.clone()));
        if merged.profile_by_id(&id).is_some() {
            return;
        }
        if let Some(same) = merged.profile(&name) {
            let new_id = same.id.clone();
            self.form.update(|f| f.id = new_id);
        }
    }

    /// Merges another tab's save as soon as the browser says it happened.
    fn listen_to_other_tabs(self) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let on_storage = Closure::<dyn Fn(web_sys::Event)>::new(move |event: web_sys::Event| {
            let key = js_sys::Reflect::get(&event, &"key".into())
                .ok()
                .and_then(|key| key.as_string());
            match key.as_deref() {
                // The save effect sees the new text and merges it.
                Some(storage::WORKSPACE_KEY) => self.workspace.update(|_| {}),
                Some(storage::SEALED_SECRETS_KEY) => self.store.absorb_other_tab(),
                _ => {}
            }
        });
        let _ =
            window.add_event_listener_with_callback("storage", on_storage.as_ref().unchecked_ref());
        on_storage.forget(); // for the page's life
    }

    /// Keeps remembered secrets following the form, withdraws remembered
    /// secrets when the form is pointed elsewhere, and drops secrets of
    /// profiles that no longer exist.
    fn install_secret_guards(self, app: AppState) {
        Effect::new(move |_| {
            let form = self.form.get();
            let secrets = self.secrets.get();
            let Some((endpoint, loaded)) = self.loaded_for.get_untracked() else {
                return;
            };
            if secrets != loaded {
                self.loaded_for.set(None); // typed by the user from here on
            } else if endpoint_key(&form) != endpoint {
                self.loaded_for.set(None);
                self.secrets.set(Secrets::default());
                app.notify(
                    NoticeLevel::Warning,
                    format!(
                        "Remembered secrets withdrawn: they were saved for another endpoint, \
                         not {}. Type them again to use them here.",
                        endpoint_summary(&form)
                    ),
                );
            }
        });
        Effect::new(move |_| {
            let form = self.form.get();
            let secrets = self.secrets.get();
            let (saved, profiles) = self
                .workspace
                .with(|w| (w.profile_by_id(&form.id).cloned(), w.profiles.clone()));
            self.store.update(|all: &mut RememberedSecrets| {
                let mut changed = all.retain_profiles(&profiles);
                if let Some(saved) = &saved {
                    changed |= all.follow_form(saved, &form, &secrets);
                }
                changed
            });
        });
    }

    /// Shows profile `name` in the form, with the secrets remembered for it.
    pub fn select(&self, name: &str) {
        let Some(profile) = self.workspace.with_untracked(|w| w.profile(name).cloned()) else {
            return;
        };
        let secrets = self.store.for_profile_untracked(&profile);
        self.workspace
            .update(|w| w.selected = Some(name.to_string()));
        self.loaded_for
            .set((!secrets.is_empty()).then(|| (endpoint_key(&profile), secrets.clone())));
        self.form.set(profile);
        self.secrets.set(secrets);
    }

    /// Deletes profile `name` and every secret remembered for it.
    pub fn delete_profile(&self, name: &str) -> Result<(), String> {
        let id = self
            .workspace
            .with_untracked(|w| w.profile(name).map(|p| p.id.clone()))
            .ok_or_else(|| format!("There is no profile named \"{name}\"."))?;
        self.workspace
            .try_update(|w| w.delete_profile(name))
            .unwrap_or(Ok(()))
            .map_err(|error| error.to_string())?;
        self.store.update(|all| all.forget_profile(&id));
        Ok(())
    }

    /// Saves the form's profile under `name` (a new id when it is new) and
    /// selects it; never overwrites another profile of that name.
    pub fn save_form_as(&self, name: &str) -> Result<String, String> {
        let mut profile = self.form.get_untracked();
        profile.name = name.trim().to_string();
        let saved = self
            .workspace
            .try_update(|w| {
                w.save_profile(profile.clone())?;
                w.assign_missing_ids(new_profile_id);
                w.selected = Some(profile.name.clone());
                Ok::<_, crate::workspace::WorkspaceError>(w.profile(&profile.name).cloned())
            })
            .unwrap_or(Ok(None))
            .map_err(|error| error.to_string())?
            .ok_or("the profile was not saved")?;
        let name = saved.name.clone();
        self.form.set(saved);
        Ok(name)
    }

    /// Records a sent message in the publish history.
    pub fn record_history(&self, sent: PublishTemplate) {
        self.workspace.update(|w| w.record_history(sent));
    }

    /// Restores the saved state after a share link's offer is declined or
    /// taken: the selected profile in the form, the saved subscriptions.
    pub(crate) fn show_saved(&self, app: AppState) {
        let (selected, rows) = self.workspace.with_untracked(|w| {
            (
                w.selected.clone().unwrap_or_default(),
                w.subscriptions
                    .iter()
                    .map(row_from_setting)
                    .collect::<Vec<_>>(),
            )
        });
        self.link_offer.set(None);
        self.shared_from_link.set(false);
        app.subscriptions.set(rows);
        self.select(&selected);
        clear_share_fragment();
    }

    /// Lets saving resume over an unreadable workspace that could not be
    /// backed up (the user downloaded or discarded it).
    pub fn release_unreadable(&self) {
        self.sync.update_value(|s| s.suspended = false);
        self.workspace.update(|_| {});
    }

    /// The endpoint the form's secrets belong to, when they were remembered.
    pub fn secrets_loaded_for(&self) -> Option<String> {
        self.loaded_for.with(|l| l.as_ref().map(|(e, _)| e.clone()))
    }
}

/// Puts back usernames that are secrets (never stored) into a merged
/// workspace, from this tab's memory.
fn restore_secret_usernames(mut merged: Workspace, ours: &Workspace) -> Workspace {
    for profile in &mut merged.profiles {
        if profile.username.is_empty() {
            if let Some(mine) = ours.profile_by_id(&profile.id) {
                if crate::workspace::username_is_secret(mine) {
                    profile.username = mine.username.clone();
                }
            }
        }
    }
    merged
}

/// Keeps an unreadable stored workspace under a backup key.
fn back_up_unreadable(text: &str, error: String) -> UnreadableWorkspace {
    let key = format!(
        "{}{}",
        storage::WORKSPACE_BACKUP_PREFIX,
        js_sys::Date::now() as u64
    );
    let backup_key = storage::write(&key, text).ok().map(|()| key);
    UnreadableWorkspace {
        error,
        backup_key,
        text: text.to_string(),
    }
}

/// Removes `#share=…` from the address bar (so a reload does not offer the
/// link again), keeping the path and query.
pub(crate) fn clear_share_fragment() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    if !location.hash().unwrap_or_default().contains("share=") {
        return;
    }
    let url = format!(
        "{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    );
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}

fn qos_from_u8(qos: u8) -> QoS {
    QoS::from_u8(qos.min(2)).unwrap_or(QoS::AtMostOnce)
}

/// A subscription row for a saved setting (pending until connected).
pub fn row_from_setting(setting: &SubscriptionSetting) -> SubscriptionRow {
    SubscriptionRow {
        filter: setting.filter.clone(),
        qos: qos_from_u8(setting.qos),
        status: if setting.enabled {
            SubscriptionStatus::Pending
        } else {
            SubscriptionStatus::Disabled
        },
        color: setting.color.clone(),
        alias: setting.alias.clone(),
        enabled: setting.enabled,
        retained_seen: false,
    }
}

/// The saved form of a subscription row.
pub fn setting_from_row(row: &SubscriptionRow) -> SubscriptionSetting {
    SubscriptionSetting {
        filter: row.filter.clone(),
        qos: row.qos as u8,
        color: row.color.clone(),
        alias: row.alias.clone(),
        enabled: row.enabled,
    }
}
