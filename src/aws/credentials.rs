//! AWS credentials as this page holds them: typed keys or temporary keys
//! from Cognito. `Debug` never prints the secret or the token.

use std::fmt;

/// An access key pair, optionally temporary (session token + expiry).
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Present for temporary credentials (STS, Cognito).
    pub session_token: Option<String>,
    /// When temporary credentials stop working, in Unix milliseconds.
    pub expires_at_ms: Option<u64>,
}

impl Credentials {
    /// Checks the typed values; the messages say which field to fix.
    pub fn from_input(
        access_key_id: &str,
        secret_access_key: &str,
        session_token: &str,
    ) -> Result<Credentials, String> {
        let access_key_id = access_key_id.trim();
        let secret_access_key = secret_access_key.trim();
        let session_token = session_token.trim();
        if access_key_id.is_empty() {
            return Err(
                "Enter the access key ID (it starts with AKIA or, for temporary \
                        credentials, ASIA)."
                    .into(),
            );
        }
        if !access_key_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(
                "The access key ID has only letters and digits (e.g. AKIA…); check \
                        that nothing else was pasted with it."
                    .into(),
            );
        }
        if secret_access_key.is_empty() {
            return Err("Enter the secret access key.".into());
        }
        if secret_access_key.chars().any(char::is_whitespace) {
            return Err("The secret access key must not contain spaces or line breaks.".into());
        }
        if access_key_id.starts_with("ASIA") && session_token.is_empty() {
            return Err(
                "Keys starting with ASIA are temporary: they need the session token \
                        that came with them."
                    .into(),
            );
        }
        Ok(Credentials {
            access_key_id: access_key_id.to_string(),
            secret_access_key: secret_access_key.to_string(),
            session_token: (!session_token.is_empty()).then(|| session_token.to_string()),
            expires_at_ms: None,
        })
    }

    /// Whether they have expired (or will within `margin_ms`) at `now_ms`.
    pub fn expired(&self, now_ms: u64, margin_ms: u64) -> bool {
        self.expires_at_ms
            .is_some_and(|expires| now_ms.saturating_add(margin_ms) >= expires)
    }

    /// The access key id shortened for display: `AKIA…WXYZ`.
    pub fn key_hint(&self) -> String {
        redact_key_id(&self.access_key_id)
    }
}

/// `AKIAIOSFODNN7EXAMPLE` → `AKIA…MPLE`; short ids are hidden entirely.
pub fn redact_key_id(id: &str) -> String {
    if id.len() < 12 || !id.is_ascii() {
        return "…".into();
    }
    format!("{}…{}", &id[..4], &id[id.len() - 4..])
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.key_hint())
            .field("secret_access_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expires_at_ms", &self.expires_at_ms)
            .finish()
    }
}

/// When to fetch new temporary credentials: before they expire, leaving
/// five minutes or, for short-lived ones, half their lifetime.
pub fn refresh_at_ms(fetched_at_ms: u64, expires_at_ms: u64) -> u64 {
    const MARGIN_MS: u64 = 5 * 60 * 1000;
    let lifetime = expires_at_ms.saturating_sub(fetched_at_ms);
    expires_at_ms.saturating_sub(MARGIN_MS.min(lifetime / 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_secrets() {
        let credentials = Credentials {
            access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
            session_token: Some("FQoGZXIvYXdzEJr//token+=".into()),
            expires_at_ms: None,
        };
        let text = format!("{credentials:?}");
        assert!(!text.contains("wJalr"), "{text}");
        assert!(!text.contains("FQoG"), "{text}");
        assert!(!text.contains("AKIAIOSFODNN7EXAMPLE"), "{text}");
        assert!(text.contains("AKIA…MPLE"), "{text}");
    }

    #[test]
    fn typed_keys_are_checked() {
        assert!(Credentials::from_input("", "s", "").is_err());
        assert!(Credentials::from_input("AKIA EXAMPLE", "s", "").is_err());
        assert!(Credentials::from_input("AKIAEXAMPLE", "", "").is_err());
        assert!(Credentials::from_input("AKIAEXAMPLE", "a b", "").is_err());
        assert!(Credentials::from_input("ASIAEXAMPLE", "secret", "")
            .unwrap_err()
            .contains("session token"));
        let ok = Credentials::from_input(" AKIAEXAMPLE ", " secret\n", "").unwrap();
        assert_eq!(ok.access_key_id, "AKIAEXAMPLE");
        assert_eq!(ok.secret_access_key, "secret");
        assert_eq!(ok.session_token, None);
        let temporary = Credentials::from_input("ASIAEXAMPLE", "secret", "tok/en+=").unwrap();
        assert_eq!(temporary.session_token.as_deref(), Some("tok/en+="));
    }

    #[test]
    fn expiry_and_refresh_times() {
        let mut credentials = Credentials::from_input("AKIAEXAMPLE", "s", "").unwrap();
        assert!(
            !credentials.expired(u64::MAX - 1, 0),
            "keys without expiry never expire"
        );
        credentials.expires_at_ms = Some(100_000);
        assert!(!credentials.expired(39_999, 60_000));
        assert!(credentials.expired(40_000, 60_000));
        assert!(credentials.expired(100_000, 0));

        // One hour (Cognito's usual): refresh five minutes before.
        assert_eq!(refresh_at_ms(0, 3_600_000), 3_300_000);
        // 90 s (moto's): refresh at half-time, not immediately.
        assert_eq!(refresh_at_ms(1_000, 91_000), 46_000);
        // Already expired: now-ish.
        assert_eq!(refresh_at_ms(10_000, 5_000), 5_000);
    }

    #[test]
    fn key_hints() {
        assert_eq!(redact_key_id("ASIAXYZ0123456789ABC"), "ASIA…9ABC");
        assert_eq!(redact_key_id("short"), "…");
    }
}
