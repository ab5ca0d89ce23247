//! Cognito identity pools without an AWS SDK: two unsigned JSON calls.
//!
//! 1. `GetId` (`{"IdentityPoolId": …, "Logins"?: {provider: token}}`) →
//!    `{"IdentityId": …}`
//! 2. `GetCredentialsForIdentity` (`{"IdentityId": …, "Logins"?: …}`) →
//!    `{"Credentials": {"AccessKeyId", "SecretKey", "SessionToken",
//!    "Expiration" (epoch seconds)}}`
//!
//! Both are `POST https://cognito-identity.<region>.amazonaws.com/` with
//! `Content-Type: application/x-amz-json-1.1` and
//! `X-Amz-Target: AWSCognitoIdentityService.<Operation>`. This module builds
//! the requests and reads the answers; the browser part sends them.

use super::credentials::Credentials;
use super::endpoint::valid_region;
use serde_json::{json, Map, Value};

/// `Content-Type` of both calls.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// The two operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    GetId,
    GetCredentialsForIdentity,
}

impl Operation {
    /// The `X-Amz-Target` header value.
    pub fn target(self) -> &'static str {
        match self {
            Operation::GetId => "AWSCognitoIdentityService.GetId",
            Operation::GetCredentialsForIdentity => {
                "AWSCognitoIdentityService.GetCredentialsForIdentity"
            }
        }
    }
}

/// What the user configured.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct PoolConfig {
    /// `<region>:<uuid>`.
    pub pool_id: String,
    /// Optional identity provider for authenticated identities, e.g.
    /// `accounts.google.com` or `cognito-idp.<region>.amazonaws.com/<user pool id>`.
    pub login_provider: String,
    /// Secret: the provider's token (ID token, access token…).
    pub login_token: String,
    /// Override of the Cognito endpoint URL (tests, VPC endpoints).
    pub endpoint_override: String,
}

impl std::fmt::Debug for PoolConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoolConfig")
            .field("pool_id", &self.pool_id)
            .field("login_provider", &self.login_provider)
            .field("login_token", &"<redacted>")
            .field("endpoint_override", &self.endpoint_override)
            .finish()
    }
}

impl PoolConfig {
    /// Checks the pool id (and login pair); returns the pool's region.
    pub fn validate(&self) -> Result<String, String> {
        let pool = self.pool_id.trim();
        let Some((region, id)) = pool.split_once(':') else {
            return Err(
                "An identity pool ID looks like eu-west-1:0123abcd-…; copy it from the \
                        Cognito console (Identity pools → your pool)."
                    .into(),
            );
        };
        if !valid_region(region) || id.is_empty() {
            return Err(format!(
                "'{pool}' is not an identity pool ID (expected <region>:<id>, e.g. \
                 eu-west-1:0123abcd-…)."
            ));
        }
        if self.login_provider.trim().is_empty() != self.login_token.trim().is_empty() {
            return Err(
                "For an authenticated identity enter both the login provider and its \
                        token; leave both empty for an unauthenticated identity."
                    .into(),
            );
        }
        let url = self.endpoint_override.trim();
        if !(url.is_empty() || url.starts_with("https://") || url.starts_with("http://")) {
            return Err("The Cognito endpoint override must be an http(s):// URL.".into());
        }
        Ok(region.to_string())
    }

    /// Where to POST: the override, or the regional endpoint.
    pub fn endpoint(&self, region: &str) -> String {
        let url = self.endpoint_override.trim();
        if !url.is_empty() {
            return url.to_string();
        }
        let suffix = if region.starts_with("cn-") {
            "amazonaws.com.cn"
        } else {
            "amazonaws.com"
        };
        format!("https://cognito-identity.{region}.{suffix}/")
    }

    fn logins(&self) -> Option<Value> {
        let provider = self.login_provider.trim();
        (!provider.is_empty()).then(|| {
            let mut map = Map::new();
            map.insert(
                provider.to_string(),
                Value::String(self.login_token.trim().to_string()),
            );
            Value::Object(map)
        })
    }

    /// Whether this is an authenticated identity (logins given).
    pub fn authenticated(&self) -> bool {
        !self.login_provider.trim().is_empty()
    }

    /// Body of `GetId`.
    pub fn get_id_body(&self) -> String {
        let mut body = json!({ "IdentityPoolId": self.pool_id.trim() });
        if let Some(logins) = self.logins() {
            body["Logins"] = logins;
        }
        body.to_string()
    }

    /// Body of `GetCredentialsForIdentity`.
    pub fn get_credentials_body(&self, identity_id: &str) -> String {
        let mut body = json!({ "IdentityId": identity_id });
        if let Some(logins) = self.logins() {
            body["Logins"] = logins;
        }
        body.to_string()
    }
}

/// Reads `GetId`'s answer (HTTP status and body).
pub fn parse_get_id(status: u16, body: &str) -> Result<String, String> {
    let value = parse_ok(Operation::GetId, status, body)?;
    value
        .get("IdentityId")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| "Cognito GetId answered without an IdentityId.".to_string())
}

/// Reads `GetCredentialsForIdentity`'s answer.
pub fn parse_credentials(status: u16, body: &str) -> Result<Credentials, String> {
    let value = parse_ok(Operation::GetCredentialsForIdentity, status, body)?;
    let credentials = value.get("Credentials").ok_or_else(|| {
        "Cognito GetCredentialsForIdentity answered without Credentials.".to_string()
    })?;
    let field = |name: &str| {
        credentials
            .get(name)
            .and_then(Value::as_str)
            .filter(|text| !text.is_empty())
            .map(str::to_string)
            .ok_or_else(|| format!("Cognito's credentials have no {name}."))
    };
    let expires_at_ms = credentials
        .get("Expiration")
        .and_then(Value::as_f64)
        .filter(|seconds| seconds.is_finite() && *seconds > 0.0)
        .map(|seconds| (seconds * 1000.0) as u64);
    Ok(Credentials {
        access_key_id: field("AccessKeyId")?,
        secret_access_key: field("SecretKey")?,
        session_token: Some(field("SessionToken")?),
        expires_at_ms,
    })
}

fn parse_ok(operation: Operation, status: u16, body: &str) -> Result<Value, String> {
    let value: Option<Value> = serde_json::from_str(body).ok();
    if (200..300).contains(&status) {
        return value.ok_or_else(|| {
            format!(
                "Cognito {} answered with something that is not JSON.",
                name(operation)
            )
        });
    }
    Err(explain_error(operation, status, value.as_ref()))
}

fn name(operation: Operation) -> &'static str {
    match operation {
        Operation::GetId => "GetId",
        Operation::GetCredentialsForIdentity => "GetCredentialsForIdentity",
    }
}

/// A Cognito error (`{"__type": "…#NotAuthorizedException", "message": …}`)
/// as a sentence with what to check.
fn explain_error(operation: Operation, status: u16, value: Option<&Value>) -> String {
    let kind = value
        .and_then(|v| v.get("__type"))
        .and_then(Value::as_str)
        .map(|t| t.rsplit('#').next().unwrap_or(t))
        .unwrap_or("");
    let message = value
        .and_then(|v| v.get("message").or_else(|| v.get("Message")))
        .and_then(Value::as_str)
        .unwrap_or("");
    let hint = match kind {
        "NotAuthorizedException" => {
            "the pool refused this identity: for unauthenticated access, enable guest access \
             on the identity pool; for a login, check that the provider name matches the pool's \
             configuration and that the token is current"
        }
        "ResourceNotFoundException" => {
            "the identity pool does not exist in this region: check the pool ID (its prefix \
             is the region)"
        }
        "InvalidParameterException" => "check the pool ID and login provider name",
        "TooManyRequestsException" | "LimitExceededException" => {
            "Cognito is throttling requests; wait a moment and connect again"
        }
        "InvalidIdentityPoolConfigurationException" => {
            "the pool's IAM roles are misconfigured (the role's trust policy must allow \
             cognito-identity.amazonaws.com)"
        }
        "ExternalServiceException" => "the login provider did not accept the token",
        _ => "check the pool ID and the network",
    };
    let kind = if kind.is_empty() {
        format!("HTTP {status}")
    } else {
        kind.to_string()
    };
    let message = if message.is_empty() {
        String::new()
    } else {
        format!(" ({message})")
    };
    format!(
        "Cognito {} failed: {kind}{message}: {hint}.",
        name(operation)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool() -> PoolConfig {
        PoolConfig {
            pool_id: "eu-west-1:0123abcd-0000-1111-2222-333344445555".into(),
            ..PoolConfig::default()
        }
    }

    #[test]
    fn requests() {
        let config = pool();
        assert_eq!(config.validate().unwrap(), "eu-west-1");
        assert_eq!(
            config.endpoint("eu-west-1"),
            "https://cognito-identity.eu-west-1.amazonaws.com/"
        );
        assert_eq!(
            config.endpoint("cn-north-1"),
            "https://cognito-identity.cn-north-1.amazonaws.com.cn/"
        );
        assert_eq!(
            config.get_id_body(),
            r#"{"IdentityPoolId":"eu-west-1:0123abcd-0000-1111-2222-333344445555"}"#
        );
        assert_eq!(
            config.get_credentials_body("eu-west-1:id\"x"),
            r#"{"IdentityId":"eu-west-1:id\"x"}"#
        );
        let authenticated = PoolConfig {
            login_provider: "accounts.google.com".into(),
            login_token: "eyJ.token".into(),
            endpoint_override: "http://127.0.0.1:5000/".into(),
            ..pool()
        };
        assert!(authenticated.authenticated());
        assert_eq!(
            authenticated.endpoint("eu-west-1"),
            "http://127.0.0.1:5000/"
        );
        let body: Value = serde_json::from_str(&authenticated.get_credentials_body("id")).unwrap();
        assert_eq!(body["Logins"]["accounts.google.com"], "eyJ.token");
        assert!(!format!("{authenticated:?}").contains("eyJ"));
        assert_eq!(Operation::GetId.target(), "AWSCognitoIdentityService.GetId");
    }

    #[test]
    fn pool_id_checks() {
        for bad in ["", "nope", "eu-west-1:", "EU:abc", "eu-west-1"] {
            let config = PoolConfig {
                pool_id: bad.into(),
                ..PoolConfig::default()
            };
            assert!(config.validate().is_err(), "{bad}");
        }
        let half_login = PoolConfig {
            login_provider: "accounts.google.com".into(),
            ..pool()
        };
        assert!(half_login.validate().unwrap_err().contains("both"));
        let bad_override = PoolConfig {
            endpoint_override: "ftp://x".into(),
            ..pool()
        };
        assert!(bad_override.validate().is_err());
    }

    #[test]
    fn answers() {
        assert_eq!(
            parse_get_id(200, r#"{"IdentityId": "eu-west-1:abc"}"#).unwrap(),
            "eu-west-1:abc"
        );
        // moto's answer, fractional expiry included.
        let credentials = parse_credentials(
            200,
            r#"{"Credentials": {"AccessKeyId": "TESTACCESSKEY12345", "Expiration": 1795673275.229478,
               "SecretKey": "ABCSECRETKEY", "SessionToken": "ABC12345"}, "IdentityId": "us-east-1:x"}"#,
        )
        .unwrap();
        assert_eq!(credentials.access_key_id, "TESTACCESSKEY12345");
        assert_eq!(credentials.secret_access_key, "ABCSECRETKEY");
        assert_eq!(credentials.session_token.as_deref(), Some("ABC12345"));
        assert_eq!(credentials.expires_at_ms, Some(1_795_673_275_229));
        assert!(parse_credentials(200, r#"{"Credentials": {"AccessKeyId": "A"}}"#).is_err());
        assert!(parse_get_id(200, "<html>").is_err());
    }

    #[test]
    fn errors_are_explained() {
        let error = parse_get_id(
            400,
            r#"{"__type": "com.amazonaws#NotAuthorizedException", "message": "Unauthenticated access is not supported for this identity pool."}"#,
        )
        .unwrap_err();
        assert!(error.contains("NotAuthorizedException"), "{error}");
        assert!(error.contains("guest access"), "{error}");
        let error = parse_get_id(400, r#"{"__type": "ResourceNotFoundException"}"#).unwrap_err();
        assert!(error.contains("region"), "{error}");
        let error = parse_credentials(500, "<html>Internal Server Error</html>").unwrap_err();
        assert!(error.contains("HTTP 500"), "{error}");
    }
}
