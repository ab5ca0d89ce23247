//! Connection profiles and the rest of the saved workspace.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Format version of workspace files and share links; bumped on breaking change.
pub const WORKSPACE_VERSION: u32 = 1;

/// How a profile authenticates; decides which form fields apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AuthKind {
    /// Any broker over ws:// or wss://, optional username/password.
    #[default]
    Broker,
    /// AWS IoT Core, SigV4-presigned URL from access keys.
    AwsKeys,
    /// AWS IoT Core, credentials from a Cognito identity pool.
    AwsCognito,
    /// AWS IoT Core, custom authorizer token.
    AwsCustomAuthorizer,
}

impl AuthKind {
    /// The broker limits checked before sending for this kind of profile.
    pub fn limits(self) -> crate::limits::Limits {
        match self {
            AuthKind::Broker => crate::limits::Limits::MQTT,
            _ => crate::limits::Limits::AWS_IOT,
        }
    }

    /// Whether the broker is AWS IoT Core (reserved topics and the
    /// retained-message rule apply).
    pub fn is_aws(self) -> bool {
        self != AuthKind::Broker
    }
}

/// A last-will message configured on a profile.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WillSetting {
    pub topic: String,
    pub payload: String,
    pub qos: u8,
    pub retain: bool,
}

/// Everything needed to connect, except secrets (see [`Secrets`]).
///
/// Safe to persist and to share: it has no field that may hold a password,
/// secret key, session token or authorizer token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Profile {
    /// A random id given when the profile is first saved; it survives
    /// renames and is what remembered secrets are bound to (with the
    /// endpoint). Never in share links; empty means "not saved here".
    pub id: String,
    pub name: String,
    pub auth: AuthKind,
    pub broker_url: String,
    /// Empty means "generate one when connecting" (unique per page load).
    pub client_id: String,
    pub keep_alive_secs: u16,
    pub clean_session: bool,
    pub username: String,
    pub will: Option<WillSetting>,
    /// Non-secret, auth-specific settings (AWS endpoint, region, pool id…).
    pub settings: BTreeMap<String, String>,
}

impl Default for Profile {
    fn default() -> Self {
        Profile {
            id: String::new(),
            name: "Local broker".into(),
            auth: AuthKind::Broker,
            broker_url: crate::broker_url::LOCAL_BROKER_URL.into(),
            client_id: String::new(),
            keep_alive_secs: 60,
            clean_session: true,
            username: String::new(),
            will: None,
            settings: BTreeMap::new(),
        }
    }
}

/// Secret values of one profile (password, secret key, session token,
/// authorizer token), by field name. Kept in memory only, unless the user
/// opts in to "remember on this device". `Debug` never prints the values.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secrets(pub BTreeMap<String, String>);

impl Secrets {
    /// The value of `field`, or "" when unset.
    pub fn get(&self, field: &str) -> &str {
        self.0.get(field).map(String::as_str).unwrap_or("")
    }

    /// Sets `field`; an empty value removes it.
    pub fn set(&mut self, field: &str, value: &str) {
        if value.is_empty() {
            self.0.remove(field);
        } else {
            self.0.insert(field.to_string(), value.to_string());
        }
    }

    /// Whether no secret is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(self.0.keys().map(|key| format!("{key}: <redacted>")))
            .finish()
    }
}

/// A subscription the user keeps across reloads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SubscriptionSetting {
    pub filter: String,
    pub qos: u8,
    /// CSS colour used to tag its messages.
    pub color: String,
    /// Optional short name shown instead of the filter.
    pub alias: String,
    /// Disabled subscriptions are kept but unsubscribed.
    pub enabled: bool,
}

impl Default for SubscriptionSetting {
    fn default() -> Self {
        SubscriptionSetting {
            filter: String::new(),
            qos: 0,
            color: String::new(),
            alias: String::new(),
            enabled: true,
        }
    }
}

/// A saved publish: templates are named by the user, history entries are not.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PublishTemplate {
    pub name: String,
    pub topic: String,
    pub payload: String,
    pub qos: u8,
    pub retain: bool,
}

/// View preferences that travel with a shared dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DisplaySettings {
    /// Default payload view (e.g. "auto", "text", "hex", "base64").
    pub payload_view: String,
}

impl Default for DisplaySettings {
    fn default() -> Self {
        DisplaySettings {
            payload_view: "auto".into(),
        }
    }
}

/// Why a workspace operation or file was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkspaceError {
    /// Another profile already has this name.
    DuplicateName(String),
    /// No profile has this name.
    NoSuchProfile(String),
    /// Profile names must not be empty.
    EmptyName,
    /// The file is not JSON of the expected shape.
    InvalidFile(String),
    /// Written by a newer version of mqtt-console.
    UnsupportedVersion(u32),
}

impl fmt::Display for WorkspaceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorkspaceError::DuplicateName(name) => {
                write!(
                    f,
                    "A profile named \"{name}\" already exists; choose another name."
                )
            }
            WorkspaceError::NoSuchProfile(name) => {
                write!(f, "There is no profile named \"{name}\".")
            }
            WorkspaceError::EmptyName => write!(f, "Give the profile a name."),
            WorkspaceError::InvalidFile(detail) => {
                write!(f, "This is not an mqtt-console workspace file: {detail}")
            }
            WorkspaceError::UnsupportedVersion(version) => write!(
                f,
                "This file has format version {version}, newer than this page understands \
                 ({WORKSPACE_VERSION}); open it with a newer mqtt-console."
            ),
        }
    }
}

impl std::error::Error for WorkspaceError {}

/// Everything saved on this device (and exported to workspace files),
/// without secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Workspace {
    pub version: u32,
    pub profiles: Vec<Profile>,
    /// Name of the profile shown in the connection form.
    pub selected: Option<String>,
    pub subscriptions: Vec<SubscriptionSetting>,
    pub templates: Vec<PublishTemplate>,
    /// Most recent first.
    pub history: Vec<PublishTemplate>,
    pub display: DisplaySettings,
}

/// How many sent messages the publish history keeps.
pub const HISTORY_LIMIT: usize = 50;

impl Default for Workspace {
    fn default() -> Self {
        Workspace {
            version: WORKSPACE_VERSION,
            profiles: vec![Profile::default()],
            selected: Some(Profile::default().name),
            subscriptions: Vec::new(),
            templates: Vec::new(),
            history: Vec::new(),
            display: DisplaySettings::default(),
        }
    }
}

impl Workspace {
    /// Parses a workspace file (or stored JSON), checking its version.
    pub fn from_json(text: &str) -> Result<Workspace, WorkspaceError> {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|error| WorkspaceError::InvalidFile(error.to_string()))?;
        let version = value
            .get("version")
            .and_then(|v| v.as_u64())
            .ok_or_else(|| WorkspaceError::InvalidFile("it has no \"version\" field".into()))?;
        if version > u64::from(WORKSPACE_VERSION) {
            return Err(WorkspaceError::UnsupportedVersion(version as u32));
        }
        let mut workspace: Workspace = serde_json::from_value(value)
            .map_err(|error| WorkspaceError::InvalidFile(error.to_string()))?;
        workspace
            .profiles
            .retain(|profile| !profile.name.trim().is_empty());
        let mut seen = std::collections::BTreeSet::new();
        workspace
            .profiles
            .retain(|profile| seen.insert(profile.name.clone()));
        // A repeated id (a hand-edited file) must not share secrets: the
        // later profile gets a fresh id.
        let mut ids = std::collections::BTreeSet::new();
        for profile in &mut workspace.profiles {
            if !profile.id.is_empty() && !ids.insert(profile.id.clone()) {
                profile.id.clear();
            }
        }
        if workspace.profiles.is_empty() {
            workspace.profiles.push(Profile::default());
        }
        Ok(workspace)
    }

    /// Pretty JSON for files and storage.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("workspace serializes")
    }

    /// Gives every profile without an id a fresh one from `new_id`;
    /// returns whether any was given.
    pub fn assign_missing_ids(&mut self, mut new_id: impl FnMut() -> String) -> bool {
        let mut changed = false;
        for profile in self.profiles.iter_mut().filter(|p| p.id.is_empty()) {
            profile.id = new_id();
            changed = true;
        }
        changed
    }

    /// The profile with this id.
    pub fn profile_by_id(&self, id: &str) -> Option<&Profile> {
        self.profiles
            .iter()
            .find(|profile| !id.is_empty() && profile.id == id)
    }

    /// A name no profile has yet: `name`, else "name (2)", "name (3)", …
    pub fn free_name(&self, name: &str) -> String {
        (1..)
            .map(|n| match n {
                1 => name.to_string(),
                n => format!("{name} ({n})"),
            })
            .find(|candidate| self.profile(candidate).is_none())
            .expect("a free name exists")
    }

    /// The profile called `name`.
    pub fn profile(&self, name: &str) -> Option<&Profile> {
        self.profiles.iter().find(|profile| profile.name == name)
    }

    /// Saves `profile`: updates the profile with its id when the name is
    /// unchanged, else adds it as a new profile (its id cleared: the caller
    /// gives new ids with [`Self::assign_missing_ids`]). Never overwrites a
    /// different profile that has the same name: that is
    /// [`WorkspaceError::DuplicateName`], and replacing one is the explicit
    /// [`Self::replace_profile`].
    pub fn save_profile(&mut self, mut profile: Profile) -> Result<(), WorkspaceError> {
        profile.name = profile.name.trim().to_string();
        if profile.name.is_empty() {
            return Err(WorkspaceError::EmptyName);
        }
        let same = self
            .profiles
            .iter_mut()
            .find(|p| !profile.id.is_empty() && p.id == profile.id && p.name == profile.name);
        if let Some(existing) = same {
            *existing = profile;
            return Ok(());
        }
        if self.profile(&profile.name).is_some() {
            return Err(WorkspaceError::DuplicateName(profile.name));
        }
        if self.profile_by_id(&profile.id).is_some() {
            profile.id.clear(); // "save as": a new identity
        }
        self.profiles.push(profile);
        Ok(())
    }

    /// Replaces the saved profile called `name` with `profile`, keeping the
    /// saved one's id (and so its remembered secrets, which apply only while
    /// the endpoint is the same). Only for an explicit user choice.
    pub fn replace_profile(
        &mut self,
        name: &str,
        mut profile: Profile,
    ) -> Result<(), WorkspaceError> {
        let existing = self
            .profiles
            .iter_mut()
            .find(|p| p.name == name)
            .ok_or_else(|| WorkspaceError::NoSuchProfile(name.into()))?;
        profile.id = existing.id.clone();
        profile.name = existing.name.clone();
        *existing = profile;
        Ok(())
    }

    /// Renames a profile; refuses a name already taken.
    pub fn rename_profile(&mut self, from: &str, to: &str) -> Result<(), WorkspaceError> {
        let to = to.trim();
        if to.is_empty() {
            return Err(WorkspaceError::EmptyName);
        }
        if from != to && self.profile(to).is_some() {
            return Err(WorkspaceError::DuplicateName(to.into()));
        }
        let profile = self
            .profiles
            .iter_mut()
            .find(|p| p.name == from)
            .ok_or_else(|| WorkspaceError::NoSuchProfile(from.into()))?;
        profile.name = to.into();
        if self.selected.as_deref() == Some(from) {
            self.selected = Some(to.into());
        }
        Ok(())
    }

    /// Copies a profile under a free name ("name (copy)", "name (copy 2)", …)
    /// and returns that name.
    pub fn duplicate_profile(&mut self, name: &str) -> Result<String, WorkspaceError> {
        let mut copy = self
            .profile(name)
            .cloned()
            .ok_or_else(|| WorkspaceError::NoSuchProfile(name.into()))?;
        copy.name = (1..)
            .map(|n| match n {
                1 => format!("{name} (copy)"),
                n => format!("{name} (copy {n})"),
            })
            .find(|candidate| self.profile(candidate).is_none())
            .expect("a free name exists");
        let new_name = copy.name.clone();
        copy.id.clear(); // a copy is a new identity: no secrets follow it
        self.profiles.push(copy);
        Ok(new_name)
    }

    /// Deletes a profile; the last one is replaced by the default.
    pub fn delete_profile(&mut self, name: &str) -> Result<(), WorkspaceError> {
        let before = self.profiles.len();
        self.profiles.retain(|p| p.name != name);
        if self.profiles.len() == before {
            return Err(WorkspaceError::NoSuchProfile(name.into()));
        }
        if self.profiles.is_empty() {
            self.profiles.push(Profile::default());
        }
        if self.selected.as_deref() == Some(name) {
            self.selected = Some(self.profiles[0].name.clone());
        }
        Ok(())
    }

    /// Records a sent message at the front of the history (no duplicates,
    /// bounded by [`HISTORY_LIMIT`]).
    pub fn record_history(&mut self, sent: PublishTemplate) {
        self.history.retain(|entry| {
            (&entry.topic, &entry.payload, entry.qos, entry.retain)
                != (&sent.topic, &sent.payload, sent.qos, sent.retain)
        });
        self.history.insert(0, sent);
        self.history.truncate(HISTORY_LIMIT);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str) -> Profile {
        Profile {
            name: name.into(),
            ..Profile::default()
        }
    }

    #[test]
    fn default_workspace_has_the_local_broker_selected() {
        let workspace = Workspace::default();
        assert_eq!(workspace.selected.as_deref(), Some("Local broker"));
        assert_eq!(
            workspace.profile("Local broker").unwrap().broker_url,
            "ws://127.0.0.1:9001/mqtt"
        );
    }

    #[test]
    fn save_rename_duplicate_delete() {
        let mut workspace = Workspace::default();
        workspace.save_profile(named("Plant A")).unwrap();
        assert_eq!(workspace.profiles.len(), 2);
        workspace.assign_missing_ids(|| "id-a".into());
        let mut changed = workspace.profile("Plant A").unwrap().clone();
        changed.keep_alive_secs = 30;
        workspace.save_profile(changed).unwrap();
        assert_eq!(workspace.profiles.len(), 2, "same id and name updates");
        assert_eq!(workspace.profile("Plant A").unwrap().keep_alive_secs, 30);
        assert_eq!(
            workspace.save_profile(named("Plant A")),
            Err(WorkspaceError::DuplicateName("Plant A".into())),
            "another profile with the same name is never overwritten"
        );
        assert_eq!(workspace.profile("Plant A").unwrap().keep_alive_secs, 30);

        assert_eq!(
            workspace.rename_profile("Plant A", "Local broker"),
            Err(WorkspaceError::DuplicateName("Local broker".into()))
        );
        workspace.selected = Some("Plant A".into());
        workspace.rename_profile("Plant A", "Plant B").unwrap();
        assert_eq!(workspace.selected.as_deref(), Some("Plant B"));

        assert_eq!(
            workspace.duplicate_profile("Plant B").unwrap(),
            "Plant B (copy)"
        );
        assert_eq!(
            workspace.duplicate_profile("Plant B").unwrap(),
            "Plant B (copy 2)"
        );
        assert_eq!(
            workspace.profile("Plant B (copy)").unwrap().keep_alive_secs,
            30
        );

        workspace.delete_profile("Plant B").unwrap();
        assert_eq!(workspace.selected.as_deref(), Some("Local broker"));
        assert_eq!(
            workspace.delete_profile("Plant B"),
            Err(WorkspaceError::NoSuchProfile("Plant B".into()))
        );
        assert_eq!(
            workspace.save_profile(named("  ")),
            Err(WorkspaceError::EmptyName)
        );
    }

    #[test]
    fn save_as_gives_a_new_identity_and_replace_keeps_the_old_one() {
        let mut workspace = Workspace::default();
        workspace.assign_missing_ids(|| "id-local".into());
        let mut copy = workspace.profiles[0].clone();
        copy.name = "Copy".into();
        workspace.save_profile(copy).unwrap();
        assert_eq!(
            workspace.profile("Copy").unwrap().id,
            "",
            "new id to be given"
        );
        assert_eq!(workspace.profile("Local broker").unwrap().id, "id-local");

        let incoming = Profile {
            id: "from-elsewhere".into(),
            name: "ignored".into(),
            broker_url: "ws://other/mqtt".into(),
            ..Profile::default()
        };
        workspace.replace_profile("Local broker", incoming).unwrap();
        let replaced = workspace.profile("Local broker").unwrap();
        assert_eq!(
            (replaced.id.as_str(), replaced.broker_url.as_str()),
            ("id-local", "ws://other/mqtt")
        );
        assert!(workspace.duplicate_profile("Local broker").is_ok());
        assert_eq!(workspace.profile("Local broker (copy)").unwrap().id, "");
    }

    #[test]
    fn repeated_ids_in_a_file_are_cleared() {
        let text = r#"{"version":1,"profiles":[{"id":"x","name":"a"},{"id":"x","name":"b"}]}"#;
        let workspace = Workspace::from_json(text).unwrap();
        assert_eq!(workspace.profile("a").unwrap().id, "x");
        assert_eq!(workspace.profile("b").unwrap().id, "");
    }

    #[test]
    fn token_usernames_do_not_leave_memory() {
        let mut workspace = Workspace::default();
        workspace.profiles[0].username = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl".into();
        workspace.profiles.push(Profile {
            name: "auth".into(),
            auth: AuthKind::AwsCustomAuthorizer,
            username: "device?token=abc".into(),
            ..Profile::default()
        });
        workspace.profiles.push(Profile {
            name: "plain".into(),
            username: "operator".into(),
            ..Profile::default()
        });
        let stored = workspace.without_secret_usernames();
        assert_eq!(stored.profiles[0].username, "");
        assert_eq!(stored.profiles[1].username, "");
        assert_eq!(stored.profiles[2].username, "operator");
        assert!(!stored.to_json().contains("eyJhbGci"));
    }

    #[test]
    fn deleting_the_last_profile_leaves_the_default() {
        let mut workspace = Workspace::default();
        workspace.delete_profile("Local broker").unwrap();
        assert_eq!(workspace.profiles, vec![Profile::default()]);
    }

    #[test]
    fn json_round_trip_and_version_check() {
        let mut workspace = Workspace::default();
        workspace.subscriptions.push(SubscriptionSetting {
            filter: "device/+/details".into(),
            qos: 1,
            color: "#e11d48".into(),
            alias: "devices".into(),
            enabled: false,
        });
        workspace.templates.push(PublishTemplate {
            name: "on".into(),
            topic: "device/lamp/cmd".into(),
            payload: "{\"on\":true}".into(),
            qos: 1,
            retain: false,
        });
        let text = workspace.to_json();
        assert_eq!(Workspace::from_json(&text).unwrap(), workspace);

        assert_eq!(
            Workspace::from_json(r#"{"version": 99}"#),
            Err(WorkspaceError::UnsupportedVersion(99))
        );
        assert!(matches!(
            Workspace::from_json("not json"),
            Err(WorkspaceError::InvalidFile(_))
        ));
        assert!(matches!(
            Workspace::from_json(r#"{"profiles": []}"#),
            Err(WorkspaceError::InvalidFile(_))
        ));
    }

    #[test]
    fn imported_files_are_repaired_not_trusted() {
        let text = r#"{"version":1,"profiles":[{"name":"a"},{"name":"a"},{"name":""}]}"#;
        let workspace = Workspace::from_json(text).unwrap();
        assert_eq!(
            workspace.profiles.len(),
            1,
            "duplicates and empty names dropped"
        );
        let empty = Workspace::from_json(r#"{"version":1,"profiles":[]}"#).unwrap();
        assert_eq!(empty.profiles, vec![Profile::default()]);
    }

    #[test]
    fn history_is_most_recent_first_without_duplicates_and_bounded() {
        let mut workspace = Workspace::default();
        let sent = |payload: &str| PublishTemplate {
            topic: "t".into(),
            payload: payload.into(),
            ..PublishTemplate::default()
        };
        workspace.record_history(sent("1"));
        workspace.record_history(sent("2"));
        workspace.record_history(sent("1"));
        let payloads: Vec<_> = workspace
            .history
            .iter()
            .map(|h| h.payload.as_str())
            .collect();
        assert_eq!(payloads, ["1", "2"]);
        for n in 0..100 {
            workspace.record_history(sent(&n.to_string()));
        }
        assert_eq!(workspace.history.len(), HISTORY_LIMIT);
        assert_eq!(workspace.history[0].payload, "99");
    }

    #[test]
    fn secrets_debug_output_is_redacted() {
        let mut secrets = Secrets::default();
        secrets.set("password", "hunter2");
        let printed = format!("{secrets:?}");
        assert!(printed.contains("password"));
        assert!(!printed.contains("hunter2"));
        secrets.set("password", "");
        assert!(secrets.is_empty());
    }
}
