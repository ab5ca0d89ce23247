//! The AWS IoT data endpoint a user types or pastes, turned into the host to
//! sign and the region to sign for.
//!
//! Accepted forms: `abc123-ats.iot.eu-west-1.amazonaws.com`, the same with
//! `wss://` / `https://` in front and `/mqtt` behind (as copied from the
//! console or a URL), China (`abc123.ats.iot.cn-north-1.amazonaws.com.cn`),
//! GovCloud (`abc123-ats.iot.us-gov-west-1.amazonaws.com`), FIPS
//! (`data.iot-fips.us-east-1.amazonaws.com`) and custom domains (then the
//! region must be given). `ws://` is accepted for loopback hosts only, for
//! local SigV4 test gateways.

use std::fmt;

/// The WebSocket path AWS IoT serves MQTT on.
pub const MQTT_PATH: &str = "/mqtt";

/// Where to connect and what to sign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `wss` for AWS; `ws` only for loopback test gateways.
    pub secure: bool,
    /// Host as signed: without the default port (443 for wss, 80 for ws),
    /// with any other port (`127.0.0.1:9443`).
    pub host: String,
    /// The region named in the host, if it is an AWS IoT endpoint name.
    pub region: Option<String>,
}

impl Endpoint {
    /// Parses what the user typed (see the module documentation).
    pub fn parse(input: &str) -> Result<Endpoint, EndpointError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(EndpointError::Empty);
        }
        let (secure, rest) = match input.split_once("://") {
            None => (true, input),
            Some((scheme, rest)) => match scheme.to_ascii_lowercase().as_str() {
                "wss" | "https" => (true, rest),
                "ws" | "http" => (false, rest),
                _ => return Err(EndpointError::Scheme(scheme.to_string())),
            },
        };
        let (authority, path) = match rest.find(['/', '?', '#']) {
            Some(at) => (&rest[..at], &rest[at..]),
            None => (rest, ""),
        };
        if !(path.is_empty() || path == "/" || path == MQTT_PATH) {
            return Err(EndpointError::Path(path.to_string()));
        }
        if authority.contains('@') {
            return Err(EndpointError::Host(authority.to_string()));
        }
        let (hostname, port) = split_port(authority)?;
        let hostname = hostname.to_ascii_lowercase();
        if !valid_hostname(&hostname) {
            return Err(EndpointError::Host(authority.to_string()));
        }
        if !secure && !is_loopback(&hostname) {
            return Err(EndpointError::InsecureRemote(hostname));
        }
        let default_port = if secure { 443 } else { 80 };
        let host = match port {
            Some(port) if port != default_port => format!("{hostname}:{port}"),
            _ => hostname.clone(),
        };
        if is_control_plane(&hostname) {
            return Err(EndpointError::ControlPlane(hostname));
        }
        Ok(Endpoint {
            secure,
            region: region_from_host(&hostname),
            host,
        })
    }

    /// `wss://<host>/mqtt` (or `ws://` for a loopback gateway), unsigned.
    pub fn base_url(&self) -> String {
        let scheme = if self.secure { "wss" } else { "ws" };
        format!("{scheme}://{}{MQTT_PATH}", self.host)
    }

    /// The host without any port (for display and region parsing).
    pub fn hostname(&self) -> &str {
        match self.host.rsplit_once(':') {
            Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
            _ => &self.host,
        }
    }
}

/// The region an AWS IoT endpoint name names: the label after `iot` (or
/// `iot-fips`), followed by `amazonaws.com` or `amazonaws.com.cn`.
pub fn region_from_host(host: &str) -> Option<String> {
    let labels: Vec<&str> = host.split('.').collect();
    let at = labels
        .iter()
        .position(|l| *l == "iot" || *l == "iot-fips")?;
    if at == 0 {
        return None; // `iot.<region>…` is the control plane, not a data endpoint
    }
    let region = *labels.get(at + 1)?;
    let suffix = labels.get(at + 2..)?.join(".");
    (matches!(suffix.as_str(), "amazonaws.com" | "amazonaws.com.cn") && valid_region(region))
        .then(|| region.to_string())
}

/// A region name's shape: `us-east-1`, `cn-north-1`, `us-gov-west-1`, …
pub fn valid_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && parts[0].len() == 2
        && parts[0].bytes().all(|b| b.is_ascii_lowercase())
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
}

fn split_port(authority: &str) -> Result<(&str, Option<u16>), EndpointError> {
    if let Some(rest) = authority.strip_prefix('[') {
        // [::1]:port
        let (inner, after) = rest
            .split_once(']')
            .ok_or_else(|| EndpointError::Host(authority.to_string()))?;
        let port = match after.strip_prefix(':') {
            Some(port) => Some(parse_port(authority, port)?),
            None if after.is_empty() => None,
            None => return Err(EndpointError::Host(authority.to_string())),
        };
        // Keep the brackets: `[::1]` is what the Host header carries.
        return Ok((&authority[..inner.len() + 2], port));
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => Ok((host, Some(parse_port(authority, port)?))),
        None => Ok((authority, None)),
    }
}

fn parse_port(authority: &str, port: &str) -> Result<u16, EndpointError> {
    port.parse::<u16>()
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| EndpointError::Port(authority.to_string()))
}

fn valid_hostname(host: &str) -> bool {
    if host == "[::1]" {
        return true;
    }
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host == "[::1]" || host.starts_with("127.")
}

fn is_control_plane(host: &str) -> bool {
    let labels: Vec<&str> = host.split('.').collect();
    labels.first() == Some(&"iot")
        && labels.len() >= 4
        && labels[2] == "amazonaws"
        && valid_region(labels[1])
}

/// Why an endpoint was refused; the text says what to type instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointError {
    Empty,
    Scheme(String),
    Path(String),
    Host(String),
    Port(String),
    InsecureRemote(String),
    ControlPlane(String),
}

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const FIND: &str = "find yours with `aws iot describe-endpoint --endpoint-type \
                            iot:Data-ATS` or in the console under Settings";
        match self {
            EndpointError::Empty => write!(
                f,
                "Enter your AWS IoT endpoint, e.g. abc123example-ats.iot.eu-west-1.amazonaws.com \
                 ({FIND})."
            ),
            EndpointError::Scheme(scheme) => write!(
                f,
                "'{scheme}://' is not a WebSocket scheme: AWS IoT is reached over wss://; enter \
                 just the endpoint host."
            ),
            EndpointError::Path(path) => write!(
                f,
                "AWS IoT serves MQTT over WebSocket on the path /mqtt, not '{path}': enter just \
                 the endpoint host."
            ),
            EndpointError::Host(host) => write!(
                f,
                "'{host}' is not a host name; enter the endpoint host, e.g. \
                 abc123example-ats.iot.eu-west-1.amazonaws.com."
            ),
            EndpointError::Port(authority) => {
                write!(
                    f,
                    "The port in '{authority}' must be a number from 1 to 65535."
                )
            }
            EndpointError::InsecureRemote(host) => write!(
                f,
                "ws:// (unencrypted) is accepted only for local test gateways; AWS IoT at \
                 '{host}' needs wss://."
            ),
            EndpointError::ControlPlane(host) => write!(
                f,
                "'{host}' is the AWS IoT control-plane API, not your account's data endpoint; \
                 {FIND}."
            ),
        }
    }
}

impl std::error::Error for EndpointError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(input: &str) -> Endpoint {
        Endpoint::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"))
    }

    #[test]
    fn regions_of_every_partition() {
        let cases = [
            (
                "a1b2c3d4e5f6g7-ats.iot.us-east-1.amazonaws.com",
                "us-east-1",
            ),
            ("a1b2c3d4e5f6g7.iot.eu-west-1.amazonaws.com", "eu-west-1"),
            (
                "a1b2c3d4e5f6g7.ats.iot.cn-north-1.amazonaws.com.cn",
                "cn-north-1",
            ),
            (
                "a1b2c3d4e5f6g7-ats.iot.cn-northwest-1.amazonaws.com.cn",
                "cn-northwest-1",
            ),
            (
                "a1b2c3d4e5f6g7-ats.iot.us-gov-west-1.amazonaws.com",
                "us-gov-west-1",
            ),
            ("data.iot-fips.us-east-2.amazonaws.com", "us-east-2"),
            (
                "a1b2c3d4e5f6g7-ats.iot.ap-southeast-2.amazonaws.com",
                "ap-southeast-2",
            ),
        ];
        for (host, region) in cases {
            let endpoint = parsed(host);
            assert_eq!(endpoint.region.as_deref(), Some(region), "{host}");
            assert_eq!(endpoint.host, host);
            assert!(endpoint.secure);
        }
    }

    #[test]
    fn pasted_urls_are_reduced_to_the_host() {
        for input in [
            "wss://abc-ats.iot.eu-west-1.amazonaws.com/mqtt",
            "https://abc-ats.iot.eu-west-1.amazonaws.com",
            "  abc-ats.iot.eu-west-1.amazonaws.com:443/ ",
            "WSS://ABC-ATS.IOT.EU-WEST-1.AMAZONAWS.COM/mqtt",
        ] {
            let endpoint = parsed(input);
            assert_eq!(
                endpoint.host, "abc-ats.iot.eu-west-1.amazonaws.com",
                "{input}"
            );
            assert_eq!(
                endpoint.base_url(),
                "wss://abc-ats.iot.eu-west-1.amazonaws.com/mqtt"
            );
        }
    }

    #[test]
    fn custom_domains_have_no_region() {
        let endpoint = parsed("mqtt.example.com");
        assert_eq!(endpoint.region, None);
        let endpoint = parsed("wss://mqtt.example.com:8443/mqtt");
        assert_eq!(endpoint.host, "mqtt.example.com:8443");
        assert_eq!(endpoint.hostname(), "mqtt.example.com");
    }

    #[test]
    fn loopback_gateways_may_use_ws_and_keep_their_port() {
        let endpoint = parsed("ws://127.0.0.1:19443/mqtt");
        assert!(!endpoint.secure);
        assert_eq!(endpoint.host, "127.0.0.1:19443");
        assert_eq!(endpoint.base_url(), "ws://127.0.0.1:19443/mqtt");
        assert_eq!(parsed("ws://localhost:80").host, "localhost");
        assert_eq!(parsed("ws://[::1]:9000").host, "[::1]:9000");
    }

    #[test]
    fn refusals_say_what_to_do() {
        let refused = |input: &str| Endpoint::parse(input).unwrap_err();
        assert_eq!(refused(""), EndpointError::Empty);
        assert!(matches!(
            refused("mqtt://abc.iot.us-east-1.amazonaws.com"),
            EndpointError::Scheme(_)
        ));
        assert!(matches!(
            refused("wss://abc.iot.us-east-1.amazonaws.com/ws"),
            EndpointError::Path(_)
        ));
        assert!(matches!(
            refused("ws://abc-ats.iot.us-east-1.amazonaws.com"),
            EndpointError::InsecureRemote(_)
        ));
        assert!(matches!(
            refused("iot.us-east-1.amazonaws.com"),
            EndpointError::ControlPlane(_)
        ));
        assert!(matches!(refused("abc..com"), EndpointError::Host(_)));
        assert!(matches!(refused("user@abc.com"), EndpointError::Host(_)));
        assert!(matches!(refused("abc.com:99999"), EndpointError::Port(_)));
        assert!(refused("iot.us-east-1.amazonaws.com")
            .to_string()
            .contains("describe-endpoint"));
    }

    #[test]
    fn region_shapes() {
        for ok in [
            "us-east-1",
            "cn-north-1",
            "us-gov-west-1",
            "eu-central-2",
            "us-isob-east-1",
        ] {
            assert!(valid_region(ok), "{ok}");
        }
        for bad in [
            "",
            "us-east",
            "US-EAST-1",
            "useast1",
            "us-east-x",
            "u-east-1",
            "us--1",
        ] {
            assert!(!valid_region(bad), "{bad}");
        }
        assert_eq!(region_from_host("abc.iot.us-east-1.example.com"), None);
    }
}
