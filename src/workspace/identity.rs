//! What a remembered secret is bound to: a profile's identity (a random id
//! that survives renames, never its name) and its endpoint (where the
//! secret would be sent). A secret is offered only when both match, so a
//! profile that was renamed, replaced or repointed — by a share link, an
//! import or another tab — can never carry a secret to a new place.

use super::profile::{AuthKind, Profile, Workspace};

/// Settings that decide, beside the URL, where an AWS profile's secrets go
/// (the Cognito endpoint receives the login token; the pool and authorizer
/// decide what the token unlocks).
const ENDPOINT_SETTINGS: [&str; 5] = [
    "awsEndpoint",
    "awsRegion",
    "awsCognitoEndpoint",
    "awsIdentityPoolId",
    "awsAuthorizerName",
];

/// The endpoint key of a profile: auth kind, host (lower case, with port)
/// and path of its broker URL, plus the AWS settings that name a service.
/// Two profiles with the same key send their secrets to the same place.
pub fn endpoint_key(profile: &Profile) -> String {
    let (host, path) = host_and_path(&profile.broker_url);
    let mut key = format!("{:?}|{host}|{path}", profile.auth);
    if profile.auth != AuthKind::Broker {
        for name in ENDPOINT_SETTINGS {
            let value = profile.settings.get(name).map(String::as_str).unwrap_or("");
            key.push('|');
            key.push_str(&value.trim().to_ascii_lowercase());
        }
    }
    key
}

/// A short description of where a profile connects, for the person choosing
/// whether to trust it ("wss://host/path (AWS keys)").
pub fn endpoint_summary(profile: &Profile) -> String {
    let auth = match profile.auth {
        AuthKind::Broker => "broker",
        AuthKind::AwsKeys => "AWS IoT, access keys",
        AuthKind::AwsCognito => "AWS IoT, Cognito",
        AuthKind::AwsCustomAuthorizer => "AWS IoT, custom authorizer",
    };
    let target = match profile.auth {
        AuthKind::Broker => profile.broker_url.trim().to_string(),
        _ => profile
            .settings
            .get("awsEndpoint")
            .map(|endpoint| endpoint.trim().to_string())
            .unwrap_or_default(),
    };
    let target = if target.is_empty() {
        "(no endpoint)".to_string()
    } else {
        target
    };
    format!("{target} ({auth})")
}

/// Host (with port, lower case) and path of a URL-like text, without
/// query or fragment. Tolerant: a text that is not a URL keys as itself.
fn host_and_path(url: &str) -> (String, String) {
    let url = url.trim();
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    let (authority, path) = match rest.find('/') {
        Some(at) => (&rest[..at], &rest[at..]),
        None => (rest, "/"),
    };
    // user:pass@host: the credentials part is not where the secret goes.
    let host = authority.rsplit('@').next().unwrap_or("");
    (host.to_ascii_lowercase(), path.to_string())
}

/// Whether a profile's username must be handled like a secret: every
/// username of an AWS custom authorizer profile (it may carry the token or
/// its signature), and any username that looks like a token (a JWT, a
/// query string, or a long unbroken credential).
pub fn username_is_secret(profile: &Profile) -> bool {
    let username = profile.username.trim();
    if username.is_empty() {
        return false;
    }
    profile.auth == AuthKind::AwsCustomAuthorizer || looks_like_token(username)
}

impl Workspace {
    /// A copy fit to leave the page's memory (storage, export files):
    /// usernames that are really tokens ([`username_is_secret`])
    /// are left out, like every other secret.
    pub fn without_secret_usernames(&self) -> Workspace {
        let mut copy = self.clone();
        for profile in &mut copy.profiles {
            if username_is_secret(profile) {
                profile.username.clear();
            }
        }
        copy
    }
}

fn looks_like_token(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let jwt = text.split('.').count() == 3
        && text.len() >= 20
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '='));
    let query = text.contains('?')
        || text.contains('&')
        || ["token", "signature", "x-amz-", "bearer", "secret"]
            .iter()
            .any(|word| lower.contains(word));
    let long_credential = text.len() >= 40 && !text.contains(char::is_whitespace);
    jwt || query || long_credential
}

/// A fresh profile id from 16 random bytes (hex): the caller supplies the
/// randomness (the browser's `crypto.getRandomValues`), keeping this pure.
pub fn profile_id_from(random: [u8; 16]) -> String {
    random.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn broker(url: &str) -> Profile {
        Profile {
            broker_url: url.into(),
            ..Profile::default()
        }
    }

    #[test]
    fn endpoint_key_follows_host_path_and_auth_kind() {
        let a = broker("wss://Broker.example.com:8884/mqtt");
        assert_eq!(
            endpoint_key(&a),
            endpoint_key(&broker("wss://broker.example.com:8884/mqtt?x=1"))
        );
        assert_ne!(
            endpoint_key(&a),
            endpoint_key(&broker("wss://evil.example.com:8884/mqtt"))
        );
        assert_ne!(
            endpoint_key(&a),
            endpoint_key(&broker("wss://broker.example.com:8884/other"))
        );
        assert_ne!(
            endpoint_key(&a),
            endpoint_key(&broker("wss://broker.example.com/mqtt")),
            "the port is part of the host"
        );
        let mut aws = a.clone();
        aws.auth = AuthKind::AwsKeys;
        assert_ne!(endpoint_key(&a), endpoint_key(&aws));
    }

    #[test]
    fn aws_keys_include_where_the_secret_is_sent() {
        let mut cognito = Profile {
            auth: AuthKind::AwsCognito,
            ..Profile::default()
        };
        cognito.settings.insert(
            "awsEndpoint".into(),
            "abc-ats.iot.eu-west-1.amazonaws.com".into(),
        );
        cognito
            .settings
            .insert("awsIdentityPoolId".into(), "eu-west-1:pool".into());
        let mut repointed = cognito.clone();
        repointed
            .settings
            .insert("awsCognitoEndpoint".into(), "https://evil.example".into());
        assert_ne!(endpoint_key(&cognito), endpoint_key(&repointed));
        let mut other_host = cognito.clone();
        other_host.settings.insert(
            "awsEndpoint".into(),
            "xyz-ats.iot.eu-west-1.amazonaws.com".into(),
        );
        assert_ne!(endpoint_key(&cognito), endpoint_key(&other_host));
    }

    #[test]
    fn userinfo_is_not_part_of_the_host() {
        assert_eq!(
            endpoint_key(&broker("ws://user:pw@host:1/mqtt")),
            endpoint_key(&broker("ws://host:1/mqtt"))
        );
    }

    #[test]
    fn token_like_usernames_are_secret() {
        let with = |auth, username: &str| Profile {
            auth,
            username: username.into(),
            ..Profile::default()
        };
        assert!(!username_is_secret(&with(AuthKind::Broker, "")));
        assert!(!username_is_secret(&with(AuthKind::Broker, "operator")));
        assert!(!username_is_secret(&with(
            AuthKind::Broker,
            "plant-a/device-7"
        )));
        assert!(username_is_secret(&with(
            AuthKind::AwsCustomAuthorizer,
            "device-7"
        )));
        assert!(username_is_secret(&with(
            AuthKind::Broker,
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
        )));
        assert!(username_is_secret(&with(
            AuthKind::Broker,
            "dev?x-amz-customauthorizer-name=a&token=abc"
        )));
        assert!(username_is_secret(&with(
            AuthKind::Broker,
            "AKIAQWERTYUIOPASDFGHJKLZXCVBNM1234567890abcd"
        )));
    }

    #[test]
    fn ids_are_hex_of_the_given_bytes() {
        assert_eq!(profile_id_from([0xab; 16]), "ab".repeat(16));
    }
}
