//! Share links: a profile (never its secrets), subscriptions and display
//! settings in the URL fragment. Fragments are not sent to the web server,
//! so the hosting side never sees what is shared.

use super::base64url;
use super::identity::username_is_secret;
use super::profile::{DisplaySettings, Profile, SubscriptionSetting, WORKSPACE_VERSION};
use super::WorkspaceError;
use serde::{Deserialize, Serialize};

/// Fragment prefix: `#share=<base64url JSON>`.
pub const SHARE_PREFIX: &str = "share=";

/// What a share link carries. [`Profile`] has no secret fields, so a link
/// cannot carry a password, key or token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SharedDashboard {
    pub version: u32,
    pub profile: Profile,
    pub subscriptions: Vec<SubscriptionSetting>,
    pub display: DisplaySettings,
}

impl Default for SharedDashboard {
    fn default() -> Self {
        SharedDashboard {
            version: WORKSPACE_VERSION,
            profile: Profile::default(),
            subscriptions: Vec::new(),
            display: DisplaySettings::default(),
        }
    }
}

/// The fragment (without `#`) for a dashboard. Left out: the client id (two
/// people connecting with one client id would keep kicking each other off
/// the broker, so each opener gets a fresh one), the profile's id (an
/// identity of this device, which remembered secrets are bound to) and a
/// username that is really a token ([`username_is_secret`]).
pub fn encode_share_fragment(dashboard: &SharedDashboard) -> String {
    let mut dashboard = dashboard.clone();
    dashboard.version = WORKSPACE_VERSION;
    strip_identity(&mut dashboard.profile);
    let json = serde_json::to_vec(&dashboard).expect("dashboard serializes");
    format!("{SHARE_PREFIX}{}", base64url::encode(&json))
}

/// Reads a fragment (with or without `#`); `Ok(None)` if it is not a share link.
pub fn decode_share_fragment(fragment: &str) -> Result<Option<SharedDashboard>, WorkspaceError> {
    let fragment = fragment.trim_start_matches('#');
    let Some(encoded) = fragment.strip_prefix(SHARE_PREFIX) else {
        return Ok(None);
    };
    let bytes = base64url::decode(encoded).ok_or_else(|| {
        WorkspaceError::InvalidFile(
            "the share link is damaged (not base64url); copy it again".into(),
        )
    })?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|error| {
        WorkspaceError::InvalidFile(format!("the share link is damaged: {error}"))
    })?;
    let version = value.get("version").and_then(|v| v.as_u64()).unwrap_or(0);
    if version > u64::from(WORKSPACE_VERSION) {
        return Err(WorkspaceError::UnsupportedVersion(version as u32));
    }
    let mut dashboard: SharedDashboard = serde_json::from_value(value).map_err(|error| {
        WorkspaceError::InvalidFile(format!("the share link is damaged: {error}"))
    })?;
    // A link from a stranger may claim anything: it never brings an identity.
    strip_identity(&mut dashboard.profile);
    Ok(Some(dashboard))
}

/// What never travels in a link: ids, client id, secret-like usernames.
fn strip_identity(profile: &mut Profile) {
    profile.id.clear();
    profile.client_id.clear();
    if username_is_secret(profile) {
        profile.username.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::AuthKind;

    fn dashboard() -> SharedDashboard {
        let mut profile = Profile {
            name: "Plant A".into(),
            auth: AuthKind::AwsKeys,
            broker_url: "wss://abc-ats.iot.eu-west-1.amazonaws.com/mqtt".into(),
            client_id: "my-laptop".into(),
            username: "operator".into(),
            ..Profile::default()
        };
        profile.settings.insert("region".into(), "eu-west-1".into());
        SharedDashboard {
            profile,
            subscriptions: vec![SubscriptionSetting {
                filter: "plant/+/temp".into(),
                qos: 1,
                ..SubscriptionSetting::default()
            }],
            ..SharedDashboard::default()
        }
    }

    #[test]
    fn round_trips_without_the_client_id() {
        let fragment = encode_share_fragment(&dashboard());
        assert!(fragment.starts_with("share="));
        let decoded = decode_share_fragment(&format!("#{fragment}"))
            .unwrap()
            .unwrap();
        let mut expected = dashboard();
        expected.profile.client_id.clear();
        assert_eq!(decoded, expected);
    }

    #[test]
    fn links_carry_no_identity_and_no_token_username() {
        let mut shared = dashboard();
        shared.profile.id = "device-local-id".into();
        shared.profile.auth = AuthKind::AwsCustomAuthorizer;
        shared.profile.username = "dev?token=s3cr3t".into();
        let fragment = encode_share_fragment(&shared);
        let json =
            String::from_utf8(base64url::decode(&fragment[SHARE_PREFIX.len()..]).unwrap()).unwrap();
        assert!(!json.contains("device-local-id"));
        assert!(!json.contains("s3cr3t"));
        assert!(!json.contains("my-laptop"));

        // A crafted link claiming an id gets none.
        let crafted = format!(
            "share={}",
            base64url::encode(br#"{"version":1,"profile":{"id":"victim","name":"x"}}"#)
        );
        let opened = decode_share_fragment(&crafted).unwrap().unwrap();
        assert_eq!(opened.profile.id, "");
    }

    #[test]
    fn other_fragments_are_not_share_links() {
        assert_eq!(decode_share_fragment(""), Ok(None));
        assert_eq!(decode_share_fragment("#top"), Ok(None));
    }

    #[test]
    fn damaged_or_newer_links_are_refused_with_a_reason() {
        assert!(matches!(
            decode_share_fragment("#share=***"),
            Err(WorkspaceError::InvalidFile(_))
        ));
        let newer = format!(
            "share={}",
            base64url::encode(br#"{"version":7,"profile":{}}"#)
        );
        assert_eq!(
            decode_share_fragment(&newer),
            Err(WorkspaceError::UnsupportedVersion(7))
        );
    }
}
