//! SigV4-presigned AWS IoT WebSocket URLs, parameter for parameter what
//! AWS's own signer (aws-crt, used by the AWS IoT Device SDKs) produces:
//!
//! - `GET wss://<endpoint>/mqtt`, service `iotdevicegateway`;
//! - query parameters in aws-crt's order: `X-Amz-Algorithm`,
//!   `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-SignedHeaders`,
//!   `X-Amz-Expires` (only when the profile asks for an expiry),
//!   `X-Amz-Security-Token`, `X-Amz-Signature`; RFC 3986 encoding;
//! - signed headers: `host` only (with a non-default port when there is
//!   one); payload hash SHA-256 of the empty string;
//! - the session token is **not** signed (AWS IoT refuses URLs whose
//!   signature covers it), but it stands before the signature as aws-crt
//!   puts it; [`TokenPlacement::Signed`] signs it, for SigV4 proxies.
//!
//! `aws-sigv4`'s request signer insists on an expiry for presigning, so the
//! canonical request is built here and signed with its lower-level
//! functions (`generate_signing_key`, `calculate_signature`): no
//! hand-written HMAC. The caller supplies the time: `SystemTime::now()`
//! panics on `wasm32-unknown-unknown`.

use super::credentials::Credentials;
use super::endpoint::{Endpoint, MQTT_PATH};
use aws_sigv4::sign::v4::{calculate_signature, generate_signing_key};
use sha2::{Digest, Sha256};
use std::fmt::Write;
use std::time::{Duration, SystemTime};

/// The SigV4 service name of the AWS IoT data plane (MQTT).
pub const SERVICE: &str = "iotdevicegateway";

/// The longest `X-Amz-Expires` SigV4 allows: 7 days.
pub const MAX_EXPIRES_SECS: u64 = 7 * 24 * 3600;

/// SHA-256 of the empty payload.
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Where the session token of temporary credentials goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TokenPlacement {
    /// In the URL but not signed (what AWS IoT Core requires).
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
    /// The signing time (the browser clock: `Date.now()`, corrected by a
    /// measured or typed offset).
    pub time: SystemTime,
    pub token: TokenPlacement,
    /// `X-Amz-Expires` in seconds; `None` leaves it out, as aws-crt does.
    pub expires_secs: Option<u64>,
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

/// Checks an expiry a person typed: whole seconds from 1 to 7 days.
pub fn check_expires(secs: u64) -> Result<u64, String> {
    if (1..=MAX_EXPIRES_SECS).contains(&secs) {
        Ok(secs)
    } else {
        Err(format!(
            "X-Amz-Expires must be from 1 to {MAX_EXPIRES_SECS} seconds (7 days), not {secs}"
        ))
    }
}

/// Signs the WebSocket URL for one connection attempt.
pub fn presign(request: &PresignRequest<'_>) -> Result<PresignedUrl, String> {
    let credentials = request.credentials;
    if credentials.access_key_id.is_empty() || credentials.secret_access_key.is_empty() {
        return Err("cannot sign: the access key id and secret are both needed".into());
    }
    if let Some(secs) = request.expires_secs {
        check_expires(secs)?;
    }
    let unix = request
        .time
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_err(|_| "cannot sign: the clock is before 1970".to_string())?
        .as_secs();
    let amz_date = amz_date(unix);
    let scope = format!(
        "{}/{}/{SERVICE}/aws4_request",
        &amz_date[..8],
        request.region
    );
    let token = credentials
        .session_token
        .as_deref()
        .filter(|t| !t.is_empty());

    // aws-crt's order; the canonical query is the same set, sorted.
    let mut params: Vec<(&str, String)> = vec![
        ("X-Amz-Algorithm", "AWS4-HMAC-SHA256".into()),
        (
            "X-Amz-Credential",
            format!("{}/{scope}", credentials.access_key_id),
        ),
        ("X-Amz-Date", amz_date.clone()),
        ("X-Amz-SignedHeaders", "host".into()),
    ];
    if let Some(secs) = request.expires_secs {
        params.push(("X-Amz-Expires", secs.to_string()));
    }
    let mut signed: Vec<(&str, String)> = params.clone();
    if let Some(token) = token {
        params.push(("X-Amz-Security-Token", token.to_string()));
        if request.token == TokenPlacement::Signed {
            signed.push(("X-Amz-Security-Token", token.to_string()));
        }
    }
    signed.sort();
    let canonical_query = query(&signed);
    let canonical_request = format!(
        "GET\n{MQTT_PATH}\n{canonical_query}\nhost:{}\n\nhost\n{EMPTY_SHA256}",
        request.endpoint.host
    );
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex(&Sha256::digest(canonical_request.as_bytes()))
    );
    let key = generate_signing_key(
        &credentials.secret_access_key,
        request.time,
        request.region,
        SERVICE,
    );
    let signature = calculate_signature(key, string_to_sign.as_bytes());
    params.push(("X-Amz-Signature", signature));

    Ok(PresignedUrl {
        url: format!("{}?{}", request.endpoint.base_url(), query(&params)),
        amz_date,
        scope,
    })
}

/// `name=value&…`, both RFC 3986-encoded as SigV4 requires.
fn query(params: &[(&str, String)]) -> String {
    let mut out = String::new();
    for (i, (name, value)) in params.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&encode(name));
        out.push('=');
        out.push_str(&encode(value));
    }
    out
}

/// SigV4 URI encoding: unreserved characters as they are, every other byte
/// as `%XX` (upper case).
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut out, byte| {
        let _ = write!(out, "{byte:02x}");
        out
    })
}

/// `YYYYMMDDTHHMMSSZ` for Unix seconds (UTC; Howard Hinnant's civil date).
fn amz_date(unix: u64) -> String {
    let days = (unix / 86_400) as i64;
    let secs = unix % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
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
            expires_secs: None,
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
                 &X-Amz-Date=20261126T060000Z&X-Amz-SignedHeaders=host&X-Amz-Signature="
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
    fn token_stands_before_the_signature_unsigned_and_encoded() {
        let plain = sign_with(None, TokenPlacement::AfterSignature);
        let token = "IQoJb3/JpZ2luX2+VjE=";
        let with_token = sign_with(Some(token), TokenPlacement::AfterSignature);
        let (head, signature) = plain.url.split_once("&X-Amz-Signature=").unwrap();
        assert_eq!(
            with_token.url,
            format!("{head}&X-Amz-Security-Token=IQoJb3%2FJpZ2luX2%2BVjE%3D&X-Amz-Signature={signature}"),
            "the token must not change the signature"
        );
        let signed_in = sign_with(Some(token), TokenPlacement::Signed);
        assert_ne!(
            signed_in.url, with_token.url,
            "signing the token changes the signature"
        );
    }

    #[test]
    fn amz_dates_across_leap_years_and_centuries() {
        for (unix, expected) in [
            (0, "19700101T000000Z"),
            (951_782_400, "20000229T000000Z"),
            (1_709_251_199, "20240229T235959Z"),
            (4_107_542_400, "21000301T000000Z"),
        ] {
            assert_eq!(amz_date(unix), expected);
        }
    }

    #[test]
    fn expiry_is_optional_and_bounded() {
        assert!(check_expires(0).is_err());
        assert!(check_expires(MAX_EXPIRES_SECS + 1).is_err());
        assert_eq!(check_expires(900), Ok(900));
    }
}
