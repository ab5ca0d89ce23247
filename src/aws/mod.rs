//! AWS IoT Core over WebSocket: SigV4-presigned URLs, Cognito identity
//! pools, custom authorizers, AWS limits, and failure explanations.
//!
//! Everything here is pure (no browser types, no clock): the caller passes
//! the time, and [`browser`] (wasm32 only) is the thin part that reads
//! `Date.now()` and talks to Cognito with `fetch`. See `docs/aws.md`.

pub mod authorizer;
pub mod clock;
pub mod clock_offset;
pub mod cognito;
pub mod credentials;
pub mod diagnose;
pub mod endpoint;
pub mod jobs;
pub mod presign;
pub mod rules;
pub mod shadow;

#[cfg(target_arch = "wasm32")]
pub mod browser;

pub use authorizer::{AuthorizerForm, AuthorizerInput};
pub use credentials::Credentials;
pub use endpoint::{Endpoint, EndpointError};
pub use presign::{presign, PresignRequest, PresignedUrl, TokenPlacement};

use crate::limits::Limits;

/// RFC 3986 percent-encoding: everything but `A-Z a-z 0-9 - _ . ~`.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The endpoint and the region to sign for: the override if given (custom
/// domains need one), else the region in the endpoint name.
pub fn endpoint_and_region(
    endpoint: &str,
    region_override: &str,
) -> Result<(Endpoint, String), String> {
    let endpoint = Endpoint::parse(endpoint).map_err(|error| error.to_string())?;
    let region_override = region_override.trim();
    let region = if region_override.is_empty() {
        endpoint.region.clone().ok_or_else(|| {
            format!(
                "{} is not an AWS IoT endpoint name, so the region cannot be read from it: enter \
                 the region (e.g. eu-west-1) of the domain configuration.",
                endpoint.host
            )
        })?
    } else if endpoint::valid_region(region_override) {
        region_override.to_string()
    } else {
        return Err(format!(
            "'{region_override}' is not a region name (e.g. us-east-1, cn-north-1, us-gov-west-1)."
        ));
    };
    Ok((endpoint, region))
}

/// The CONNECT-level checks of the AWS IoT profile, before anything is
/// sent: client id length and keepalive range.
pub fn check_connect(client_id: &str, keep_alive_secs: u16) -> Result<(), String> {
    let limits = Limits::AWS_IOT;
    limits
        .check_client_id(client_id)
        .map_err(|error| error.to_string())?;
    if client_id.is_empty() {
        return Err("AWS IoT needs a client id (policies are written against it).".into());
    }
    limits
        .check_keep_alive(keep_alive_secs)
        .map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding_is_rfc3986() {
        assert_eq!(percent_encode("a/b+c=d~e_f.g-h"), "a%2Fb%2Bc%3Dd~e_f.g-h");
        assert_eq!(percent_encode("é "), "%C3%A9%20");
    }

    #[test]
    fn region_comes_from_the_endpoint_or_the_override() {
        let (endpoint, region) =
            endpoint_and_region("abc-ats.iot.eu-west-1.amazonaws.com", "").unwrap();
        assert_eq!(
            (endpoint.host.as_str(), region.as_str()),
            ("abc-ats.iot.eu-west-1.amazonaws.com", "eu-west-1")
        );
        let (_, region) =
            endpoint_and_region("abc-ats.iot.eu-west-1.amazonaws.com", " us-east-1 ").unwrap();
        assert_eq!(region, "us-east-1");
        assert!(endpoint_and_region("mqtt.example.com", "")
            .unwrap_err()
            .contains("enter the region"));
        assert_eq!(
            endpoint_and_region("mqtt.example.com", "eu-west-1")
                .unwrap()
                .1,
            "eu-west-1"
        );
        assert!(endpoint_and_region("mqtt.example.com", "Ireland").is_err());
    }

    #[test]
    fn connect_limits() {
        assert!(check_connect("device-1", 60).is_ok());
        assert!(check_connect("", 60).is_err());
        assert!(check_connect(&"x".repeat(129), 60)
            .unwrap_err()
            .contains("128"));
        assert!(check_connect("device-1", 10).unwrap_err().contains("30"));
        assert!(check_connect("device-1", 1201).is_err());
    }
}
