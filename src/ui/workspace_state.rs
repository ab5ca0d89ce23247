//! The workspace as live UI state: the saved profiles, the profile being
//! edited in the connection form and its secrets, loaded from storage (or a
//! share link) at start and saved back on every change.

use super::state::{AppState, NoticeLevel, SubscriptionRow, SubscriptionStatus};
use super::storage;
use crate::codec::QoS;
use crate::workspace::{
    decode_share_fragment, Profile, PublishTemplate, Secrets, SubscriptionSetting, Workspace,
};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// Saved workspace plus the connection form's current values.
#[derive(Clone, Copy)]
pub struct WorkspaceState {
    pub workspace: RwSignal<Workspace>,
    /// The profile as currently edited (saved only on "Save").
    pub form: RwSignal<Profile>,
    /// Secrets of the edited profile: in memory only unless `remember`.
    pub secrets: RwSignal<Secrets>,
    /// "Remember secrets on this device" (explicit opt-in, off by default).
    pub remember: RwSignal<bool>,
    /// Secrets of other profiles typed during this page's life.
    remembered: RwSignal<BTreeMap<String, Secrets>>,
    /// Set when the page was opened from a share link: which secrets to ask for.
    pub shared_from_link: RwSignal<bool>,
}

impl WorkspaceState {
    /// Loads from storage and the URL fragment; installs the save effects.
    pub fn load(app: AppState) -> WorkspaceState {
        let mut workspace = storage::read(storage::WORKSPACE_KEY)
            .and_then(|text| Workspace::from_json(&text).ok())
            .unwrap_or_default();
        let remembered: BTreeMap<String, Secrets> = storage::read(storage::SECRETS_KEY)
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default();
        let remember = !remembered.is_empty();

        let mut shared = false;
        let fragment = web_sys::window()
            .and_then(|w| w.location().hash().ok())
            .unwrap_or_default();
        match decode_share_fragment(&fragment) {
            Ok(Some(dashboard)) => {
                shared = true;
                let mut profile = dashboard.profile;
                if profile.name.trim().is_empty() {
                    profile.name = "Shared dashboard".into();
                }
                let name = profile.name.clone();
                let _ = workspace.save_profile(profile);
                workspace.selected = Some(name);
                workspace.subscriptions = dashboard.subscriptions;
                workspace.display = dashboard.display;
            }
            Ok(None) => {}
            Err(error) => app.notify(
                NoticeLevel::Error,
                format!("Share link not loaded: {error}"),
            ),
        }

        let selected = workspace
            .selected
            .as_deref()
            .and_then(|name| workspace.profile(name))
            .or(workspace.profiles.first())
            .cloned()
            .unwrap_or_default();
        let secrets = remembered.get(&selected.name).cloned().unwrap_or_default();
        app.subscriptions.set(
            workspace
                .subscriptions
                .iter()
                .map(row_from_setting)
                .collect(),
        );

        let state = WorkspaceState {
            workspace: RwSignal::new(workspace),
            form: RwSignal::new(selected),
            secrets: RwSignal::new(secrets),
            remember: RwSignal::new(remember),
            remembered: RwSignal::new(remembered),
            shared_from_link: RwSignal::new(shared),
        };
        state.install_persistence(app);
        state
    }

    fn install_persistence(self, app: AppState) {
        // Subscriptions live in AppState (with their live status); mirror
        // their settings into the workspace.
        Effect::new(move |_| {
            let settings: Vec<SubscriptionSetting> = app
                .subscriptions
                .with(|rows| rows.iter().map(setting_from_row).collect());
            self.workspace.update(|w| {
                if w.subscriptions != settings {
                    w.subscriptions = settings;
                }
            });
        });
        Effect::new(move |_| {
            let json = self.workspace.with(Workspace::to_json);
            if let Err(message) = storage::write(storage::WORKSPACE_KEY, &json) {
                app.notify(NoticeLevel::Warning, message);
            }
        });
        Effect::new(move |_| {
            let remember = self.remember.get();
            let name = self.form.with(|p| p.name.clone());
            let secrets = self.secrets.get();
            self.remembered.update(|all| {
                all.insert(name, secrets);
                all.retain(|_, s| !s.is_empty());
            });
            if remember {
                let json = self
                    .remembered
                    .with_untracked(|all| serde_json::to_string(all).unwrap_or_default());
                let _ = storage::write(storage::SECRETS_KEY, &json);
            } else {
                storage::remove(storage::SECRETS_KEY);
            }
        });
    }

    /// Shows profile `name` in the form, with any secrets typed for it.
    pub fn select(&self, name: &str) {
        let Some(profile) = self.workspace.with_untracked(|w| w.profile(name).cloned()) else {
            return;
        };
        let secrets = self
            .remembered
            .with_untracked(|all| all.get(name).cloned().unwrap_or_default());
        self.workspace
            .update(|w| w.selected = Some(name.to_string()));
        self.form.set(profile);
        self.secrets.set(secrets);
    }

    /// Records a sent message in the publish history.
    pub fn record_history(&self, sent: PublishTemplate) {
        self.workspace.update(|w| w.record_history(sent));
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
