//! Checks a broker URL before the browser sees it, so a typo gets a message
//! that says what to fix instead of an opaque WebSocket exception.

use std::fmt;

/// The local broker the Run command starts (see `dev-broker/`).
pub const LOCAL_BROKER_URL: &str = "ws://127.0.0.1:9001/mqtt";

/// Why a broker URL was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrokerUrlError {
    Empty,
    /// The scheme is not `ws` or `wss` (e.g. `mqtt://`, `http://`).
    WrongScheme(String),
    MissingHost,
    /// Spaces or control characters that the browser would reject.
    InvalidCharacters,
}

impl fmt::Display for BrokerUrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BrokerUrlError::Empty => write!(f, "Enter a broker URL, e.g. {LOCAL_BROKER_URL}."),
            BrokerUrlError::WrongScheme(scheme) => write!(
                f,
                "'{scheme}://' is not a WebSocket URL: browsers can only reach MQTT brokers over \
                 WebSocket. Use ws://host:port/path or wss://host:port/path (the broker needs a \
                 WebSocket listener)."
            ),
            BrokerUrlError::MissingHost => {
                write!(f, "The URL has no host: use ws://host:port/path.")
            }
            BrokerUrlError::InvalidCharacters => {
                write!(
                    f,
                    "The URL contains spaces or control characters; remove them."
                )
            }
        }
    }
}

impl std::error::Error for BrokerUrlError {}

/// Accepts `ws://` and `wss://` URLs with a host; returns the trimmed URL.
pub fn validate(url: &str) -> Result<&str, BrokerUrlError> {
    let url = url.trim();
    if url.is_empty() {
        return Err(BrokerUrlError::Empty);
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(BrokerUrlError::InvalidCharacters);
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(BrokerUrlError::WrongScheme(url.to_string()));
    };
    if !scheme.eq_ignore_ascii_case("ws") && !scheme.eq_ignore_ascii_case("wss") {
        return Err(BrokerUrlError::WrongScheme(scheme.to_string()));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    if host.is_empty() || host.starts_with(':') {
        return Err(BrokerUrlError::MissingHost);
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ws_and_wss() {
        assert_eq!(
            validate(" ws://127.0.0.1:9001/mqtt "),
            Ok("ws://127.0.0.1:9001/mqtt")
        );
        assert!(validate("wss://abc-ats.iot.eu-west-1.amazonaws.com/mqtt").is_ok());
        assert!(validate("WSS://host").is_ok());
    }

    #[test]
    fn refuses_other_schemes_with_the_scheme_named() {
        assert_eq!(
            validate("mqtt://broker:1883"),
            Err(BrokerUrlError::WrongScheme("mqtt".into()))
        );
        assert!(validate("http://host/mqtt")
            .unwrap_err()
            .to_string()
            .contains("'http://' is not a WebSocket URL"));
        assert!(matches!(
            validate("broker:1883"),
            Err(BrokerUrlError::WrongScheme(_))
        ));
    }

    #[test]
    fn refuses_empty_hostless_and_spaced_urls() {
        assert_eq!(validate("  "), Err(BrokerUrlError::Empty));
        assert_eq!(validate("ws:///mqtt"), Err(BrokerUrlError::MissingHost));
        assert_eq!(
            validate("ws://:9001/mqtt"),
            Err(BrokerUrlError::MissingHost)
        );
        assert_eq!(
            validate("ws://a b/mqtt"),
            Err(BrokerUrlError::InvalidCharacters)
        );
    }
}
