//! SigV4-presigned AWS IoT WebSocket URLs, signed by the `aws-sigv4` crate
//! exactly the way AWS's own browser code does it:
//!
//! - `GET wss://<endpoint>/mqtt`, service `iotdevicegateway`;
//! - signature in the query string; signed headers: `host` only (without
//!   the default port); payload hash SHA-256 of the empty string;
//! - the session token is **not** signed: `X-Amz-Security-Token` is
//!   appended after `X-Amz-Signature`, RFC 3986-encoded (`/` → `%2F`,
//!   `+` → `%2B`, `=` → `%3D`). AWS IoT refuses URLs whose signature covers
//!   the token.
//!
//! `aws-sigv4` requires an expiry for presigning; [`EXPIRES_SECS`] keeps it
//! at 15 minutes, the same as SigV4's allowed clock skew. The caller
//! supplies the time: `SystemTime::now()` panics on `wasm32-unknown-unknown`.

use super::credentials::Credentials;
use super::endpoint::Endpoint;
use aws_sigv4::http_request::{
    sign, SessionTokenMode, SignableBody, SignableRequest, SignatureLocation, SigningSettings,
};
use aws_sigv4::sign::v4;
use std::time::{Duration, SystemTime};

/// The SigV4 service name of the AWS IoT data plane (MQTT).
pub const SERVICE: &str = "iotdevicegateway";

/// `X-Amz-Expires` of every URL: 15 minutes.
pub const EXPIRES_SECS: u64 = 900;

/// Where the session token of temporary credentials goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TokenPlacement {
    /// Appended after signing (what AWS IoT Core requires).
    #[default]
    AfterSignature,
    /// Covered by the signature (what most other AWS services expect; AWS
    /// IoT Core refuses it). Offered for SigV4 proxies that need it.
    Signed,
}

/// What to sign.
#[derive(Debug, Clone)]
pub struct PresignRequest<'a> {
    pub endpoint: &'a Endpoint,
    pub region: &'a str,
    pub credentials: &'a Credentials,
    /// The signing time (the browser clock: `Date.now()`).
    pub time: SystemTime,
    pub token: TokenPlacement,
}

/// A presigned URL and the parts a person may need to see when it fails.
#[derive(Clone, PartialEq, Eq)]
pub struct PresignedUrl {
    /// The full `wss://…/mqtt?X-Amz-…` URL. Contains the signature and the
    /// session token: never log or display it.
    pub url: String,
    /// `X-Amz-Date`, e.g. `20261126T060621Z`.
    pub amz_date: String,
    /// `<date>/<region>/iotdevicegateway/aws4_request`.
    pub scope: String,
}

impl std::fmt::Debug for PresignedUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PresignedUrl")
            .field("url", &"<redacted>")
            .field("amz_date", &self.amz_date)
            .field("scope", &self.scope)
            .finish()
    }
}

/// Signs the WebSocket URL for one connection attempt.
pub fn presign(request: &PresignRequest<'_>) -> Result<PresignedUrl, String> {
    let credentials = request.credentials;
    let identity = aws_credential_types::Credentials::new(
        credentials.access_key_id.clone(),
        credentials.secret_access_key.clone(),
        credentials.session_token.clone(),
        None,
        "mqtt-console",
    )
    .into();
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(Duration::from_secs(EXPIRES_SECS));
    settings.session_token_mode = match request.token {
        TokenPlacement::AfterSignature => SessionTokenMode::Exclude,
        TokenPlacement::Signed => SessionTokenMode::Include,
    };
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(request.region)
        .name(SERVICE)
        .time(request.time)
        .settings(settings)
        .build()
        .map_err(|error| format!("cannot sign: {error}"))?
        .into();
    let url = request.endpoint.http_url();
    let signable = SignableRequest::new(
        "GET",
        url.as_str(),
        std::iter::empty(),
        SignableBody::Bytes(&[]),
    )
    .map_err(|error| format!("cannot sign {url}: {error}"))?;
    let (instructions, _signature) = sign(signable, &params)
        .map_err(|error| format!("cannot sign: {error}"))?
        .into_parts();
    let param = |name: &str| {
        instructions
            .params()
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.to_string())
            .unwrap_or_default()
    };
    let amz_date = param("X-Amz-Date");
    let scope = param("X-Amz-Credential")
        .split_once('/')
        .map(|(_, scope)| scope.to_string())
        .unwrap_or_default();
    let mut http_request = http::Request::builder()
        .method("GET")
        .uri(url.as_str())
        .body(())
        .map_err(|error| format!("cannot sign {url}: {error}"))?;
    instructions.apply_to_request_http1x(&mut http_request);
    let signed = http_request.uri().to_string();
    let url = match signed.split_once("://") {
        Some(("https", rest)) => format!("wss://{rest}"),
        Some(("http", rest)) => format!("ws://{rest}"),
        _ => {
            return Err(format!(
                "unexpected signed URL scheme in {}",
                request.endpoint.host
            ))
        }
    };
    Ok(PresignedUrl {
        url,
        amz_date,
        scope,
    })
}

/// `SystemTime` from Unix milliseconds (e.g. `Date.now()`).
pub fn system_time_from_millis(millis: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_millis(millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(token: Option<&str>) -> Credentials {
        Credentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
            session_token: token.map(str::to_string),
            expires_at_ms: None,
        }
    }

    fn sign_with(token: Option<&str>, placement: TokenPlacement) -> PresignedUrl {
        let endpoint = Endpoint::parse("abc123-ats.iot.us-east-1.amazonaws.com").unwrap();
        presign(&PresignRequest {
            endpoint: &endpoint,
            region: "us-east-1",
            credentials: &keys(token),
            time: system_time_from_millis(1_795_672_800_000),
            token: placement,
        })
        .unwrap()
    }

    #[test]
    fn url_shape() {
        let signed = sign_with(None, TokenPlacement::AfterSignature);
        assert!(
            signed.url.starts_with(
                "wss://abc123-ats.iot.us-east-1.amazonaws.com/mqtt?X-Amz-Algorithm=AWS4-HMAC-SHA256\
                 &X-Amz-Credential=AKIDEXAMPLE%2F20261126%2Fus-east-1%2Fiotdevicegateway%2Faws4_request\
                 &X-Amz-Date=20261126T060000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature="
            ),
            "{}",
            signed.url
        );
        assert_eq!(signed.amz_date, "20261126T060000Z");
        assert_eq!(
            signed.scope,
            "20261126/us-east-1/iotdevicegateway/aws4_request"
        );
        assert!(!signed.url.contains("Security-Token"));
        assert!(!format!("{signed:?}").contains("Signature"));
    }

    #[test]
    fn token_is_appended_after_the_signature_and_encoded() {
        let plain = sign_with(None, TokenPlacement::AfterSignature);
        let token = "IQoJb3/JpZ2luX2+VjE=";
        let with_token = sign_with(Some(token), TokenPlacement::AfterSignature);
        assert_eq!(
            with_token.url,
            format!(
                "{}&X-Amz-Security-Token=IQoJb3%2FJpZ2luX2%2BVjE%3D",
                plain.url
            ),
            "the token must not change the signature"
        );
        let signed_in = sign_with(Some(token), TokenPlacement::Signed);
        assert_ne!(
            signed_in.url, with_token.url,
            "signing the token changes the signature"
        );
        assert!(signed_in
            .url
            .ends_with("&X-Amz-Security-Token=IQoJb3%2FJpZ2luX2%2BVjE%3D"));
    }
}
