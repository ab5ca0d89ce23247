//! Remembered secrets: each bound to one profile's id **and** its endpoint
//! (see [`super::identity`]), so they are offered only to the profile they
//! were typed for, and only while it still points where it pointed then.
//!
//! Where they are kept is the user's choice ([`RememberMode`]); at rest on
//! the device they are encrypted ([`SealedSecrets`]: the browser layer does
//! the WebCrypto work, this module only defines the stored shape).

use super::identity::endpoint_key;
use super::profile::{Profile, Secrets};
use serde::{Deserialize, Serialize};

/// Where remembered secrets live. Off unless the user chooses otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RememberMode {
    /// In this page's memory only: gone on reload.
    #[default]
    Off,
    /// For this tab's session (`sessionStorage`): survives a reload, gone
    /// when the tab closes.
    Tab,
    /// On this device (`localStorage`), encrypted with a key derived from a
    /// passphrase typed once per page load.
    Device,
}

/// One profile's remembered secrets and what they are bound to (`Debug`
/// redacts the values: see [`Secrets`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RememberedEntry {
    pub profile_id: String,
    pub endpoint: String,
    pub secrets: Secrets,
}

/// All remembered secrets, at most one entry per profile id.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RememberedSecrets {
    pub entries: Vec<RememberedEntry>,
}

impl RememberedSecrets {
    /// The secrets remembered for `profile`, if its id and its endpoint both
    /// match what they were remembered for. A profile without an id (not
    /// saved yet, e.g. opened from a share link) has none.
    pub fn for_profile(&self, profile: &Profile) -> Option<&Secrets> {
        if profile.id.is_empty() {
            return None;
        }
        let endpoint = endpoint_key(profile);
        self.entries
            .iter()
            .find(|entry| entry.profile_id == profile.id && entry.endpoint == endpoint)
            .map(|entry| &entry.secrets)
    }

    /// Remembers `secrets` for `profile` at its current endpoint, replacing
    /// what was remembered for it; empty secrets forget it. Returns whether
    /// anything changed. A profile without an id is not remembered.
    pub fn remember(&mut self, profile: &Profile, secrets: &Secrets) -> bool {
        if profile.id.is_empty() {
            return false;
        }
        let entry = RememberedEntry {
            profile_id: profile.id.clone(),
            endpoint: endpoint_key(profile),
            secrets: secrets.clone(),
        };
        let at = self.entries.iter().position(|e| e.profile_id == profile.id);
        match (at, secrets.is_empty()) {
            (Some(at), true) => {
                self.entries.remove(at);
                true
            }
            (Some(at), false) if self.entries[at] == entry => false,
            (Some(at), false) => {
                self.entries[at] = entry;
                true
            }
            (None, true) => false,
            (None, false) => {
                self.entries.push(entry);
                true
            }
        }
    }

    /// Follows the connection form: remembers the form's `secrets` for the
    /// `saved` profile only while the form still points where the saved
    /// profile points (a form being edited towards another endpoint gets
    /// nothing remembered until it is saved, and clearing a secret field
    /// forgets it). Returns whether anything changed.
    pub fn follow_form(&mut self, saved: &Profile, form: &Profile, secrets: &Secrets) -> bool {
        if saved.id.is_empty() || saved.id != form.id || endpoint_key(saved) != endpoint_key(form) {
            return false;
        }
        self.remember(saved, secrets)
    }

    /// Forgets the secrets of the profile with this id (it was deleted).
    pub fn forget_profile(&mut self, profile_id: &str) -> bool {
        let before = self.entries.len();
        self.entries.retain(|entry| entry.profile_id != profile_id);
        self.entries.len() != before
    }

    /// Forgets every entry whose profile is not among `profiles` (deleted
    /// here or in another tab), so no secret outlives its profile.
    pub fn retain_profiles(&mut self, profiles: &[Profile]) -> bool {
        let before = self.entries.len();
        self.entries
            .retain(|entry| profiles.iter().any(|p| p.id == entry.profile_id));
        self.entries.len() != before
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds the entries of `other` for profiles this set has none for
    /// (another tab remembered them); ours win where both have one.
    pub fn absorb(&mut self, other: RememberedSecrets) -> bool {
        let mut changed = false;
        for entry in other.entries {
            if !self
                .entries
                .iter()
                .any(|e| e.profile_id == entry.profile_id)
            {
                self.entries.push(entry);
                changed = true;
            }
        }
        changed
    }

    /// JSON for storage (inside [`SealedSecrets`] on the device).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("secrets serialize")
    }

    /// Parses [`Self::to_json`]'s output.
    pub fn from_json(text: &str) -> Result<RememberedSecrets, String> {
        serde_json::from_str(text).map_err(|error| error.to_string())
    }
}

/// PBKDF2-SHA-256 iterations for the device key (OWASP's 2023 figure).
pub const PBKDF2_ITERATIONS: u32 = 600_000;

/// The stored form of secrets remembered on the device: AES-GCM ciphertext
/// of [`RememberedSecrets::to_json`], with the PBKDF2 salt and the IV, all
/// base64url. Nothing in it is readable without the passphrase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SealedSecrets {
    pub version: u32,
    /// Always "PBKDF2-SHA256/AES-256-GCM" for version 1.
    pub scheme: String,
    pub iterations: u32,
    pub salt: String,
    pub iv: String,
    pub ciphertext: String,
}

/// [`SealedSecrets::scheme`] of version 1.
pub const SEALED_SCHEME: &str = "PBKDF2-SHA256/AES-256-GCM";

impl SealedSecrets {
    /// Parses the stored envelope; refuses other schemes or versions.
    pub fn from_json(text: &str) -> Result<SealedSecrets, String> {
        let sealed: SealedSecrets =
            serde_json::from_str(text).map_err(|error| format!("unreadable: {error}"))?;
        if sealed.version != 1 || sealed.scheme != SEALED_SCHEME {
            return Err(format!(
                "stored with an unknown scheme ({} v{})",
                sealed.scheme, sealed.version
            ));
        }
        Ok(sealed)
    }

    /// JSON for storage.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("envelope serializes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::AuthKind;

    fn profile(id: &str, url: &str) -> Profile {
        Profile {
            id: id.into(),
            broker_url: url.into(),
            ..Profile::default()
        }
    }

    fn password(value: &str) -> Secrets {
        let mut secrets = Secrets::default();
        secrets.set("password", value);
        secrets
    }

    #[test]
    fn a_secret_is_offered_only_to_its_profile_at_its_endpoint() {
        let mut store = RememberedSecrets::default();
        let saved = profile("p1", "wss://good.example/mqtt");
        assert!(store.remember(&saved, &password("hunter2")));
        assert_eq!(store.for_profile(&saved), Some(&password("hunter2")));

        // Same id, repointed (a link or an edit): nothing.
        assert_eq!(
            store.for_profile(&profile("p1", "wss://evil.example/mqtt")),
            None
        );
        // Same endpoint, same name, other identity: nothing.
        let mut twin = profile("p2", "wss://good.example/mqtt");
        twin.name = saved.name.clone();
        assert_eq!(store.for_profile(&twin), None);
        // No id (not saved): nothing.
        assert_eq!(
            store.for_profile(&profile("", "wss://good.example/mqtt")),
            None
        );
        // Other auth kind at the same URL: nothing.
        let mut aws = saved.clone();
        aws.auth = AuthKind::AwsKeys;
        assert_eq!(store.for_profile(&aws), None);
    }

    #[test]
    fn renames_keep_and_deletes_drop_the_secret() {
        let mut store = RememberedSecrets::default();
        let mut saved = profile("p1", "ws://h/mqtt");
        store.remember(&saved, &password("pw"));
        saved.name = "Renamed".into();
        assert!(store.for_profile(&saved).is_some(), "bound to the id");
        assert!(store.forget_profile("p1"));
        assert!(store.is_empty());

        store.remember(&saved, &password("pw"));
        assert!(store.retain_profiles(&[profile("other", "ws://h/mqtt")]));
        assert!(store.is_empty(), "orphans are dropped");
    }

    #[test]
    fn remembering_again_replaces_and_empty_forgets() {
        let mut store = RememberedSecrets::default();
        let saved = profile("p1", "ws://h/mqtt");
        store.remember(&saved, &password("a"));
        assert!(!store.remember(&saved, &password("a")), "no change");
        store.remember(&profile("p1", "ws://h2/mqtt"), &password("b"));
        assert_eq!(store.entries.len(), 1, "one entry per profile");
        assert_eq!(store.for_profile(&saved), None);
        assert!(store.remember(&profile("p1", "ws://h2/mqtt"), &Secrets::default()));
        assert!(store.is_empty());
    }

    #[test]
    fn the_form_is_followed_only_at_the_saved_endpoint() {
        let mut store = RememberedSecrets::default();
        let saved = profile("p1", "ws://h/mqtt");
        assert!(store.follow_form(&saved, &saved, &password("pw")));
        let edited = profile("p1", "ws://elsewhere/mqtt");
        assert!(!store.follow_form(&saved, &edited, &Secrets::default()));
        assert!(!store.follow_form(&saved, &edited, &password("other")));
        assert_eq!(store.for_profile(&saved), Some(&password("pw")), "kept");
        let unsaved = profile("", "ws://h/mqtt");
        assert!(!store.follow_form(&unsaved, &unsaved, &password("x")));
        assert!(store.follow_form(&saved, &saved, &Secrets::default()));
        assert!(store.is_empty(), "an emptied field forgets");
    }

    #[test]
    fn absorb_adds_only_missing_profiles() {
        let mut ours = RememberedSecrets::default();
        ours.remember(&profile("p1", "ws://h/mqtt"), &password("ours"));
        let mut theirs = RememberedSecrets::default();
        theirs.remember(&profile("p1", "ws://h/mqtt"), &password("theirs"));
        theirs.remember(&profile("p2", "ws://h/mqtt"), &password("new"));
        assert!(ours.absorb(theirs));
        assert_eq!(ours.entries.len(), 2);
        assert_eq!(
            ours.for_profile(&profile("p1", "ws://h/mqtt")),
            Some(&password("ours"))
        );
    }

    #[test]
    fn json_round_trip_and_envelope_checks() {
        let mut store = RememberedSecrets::default();
        store.remember(&profile("p1", "ws://h/mqtt"), &password("pw"));
        assert_eq!(RememberedSecrets::from_json(&store.to_json()), Ok(store));
        let sealed = SealedSecrets {
            version: 1,
            scheme: SEALED_SCHEME.into(),
            iterations: PBKDF2_ITERATIONS,
            salt: "c2FsdA".into(),
            iv: "aXY".into(),
            ciphertext: "Y3Q".into(),
        };
        assert_eq!(
            SealedSecrets::from_json(&sealed.to_json()),
            Ok(sealed.clone())
        );
        let other = SealedSecrets {
            scheme: "ROT13".into(),
            ..sealed
        };
        assert!(SealedSecrets::from_json(&other.to_json()).is_err());
        assert!(SealedSecrets::from_json("{").is_err());
        assert!(!format!("{:?}", password("hunter2")).contains("hunter2"));
    }
}
