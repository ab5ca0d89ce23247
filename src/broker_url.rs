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
    /// A `#fragment`: `new WebSocket()` throws a SyntaxError for one, and no
    /// retry can fix that.
    Fragment,
    /// A port that is not a number from 1 to 65535: the browser cannot
    /// parse the URL.
    InvalidPort(String),
}

/// The Fetch standard's bad ports (§2.9 "port blocking"), which Chromium,
/// Firefox and Safari refuse for WebSockets too.
const BAD_PORTS: &[u16] = &[
    1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102,
    103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465,
    512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993,
    995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668,
    6669, 6679, 6697, 10080,
];

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
            BrokerUrlError::InvalidPort(port) => write!(
                f,
                "The port '{port}' is not a number from 1 to 65535: use ws://host:port/path."
            ),
            BrokerUrlError::Fragment => write!(
                f,
                "The URL has a #fragment, which WebSocket URLs cannot have (the browser refuses \
                 to open it): remove the '#' and what follows."
            ),
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
    if let Some(port) = port_of(host) {
        match port.parse::<u16>() {
            Ok(0) | Err(_) => return Err(BrokerUrlError::InvalidPort(port.to_string())),
            Ok(_) => {}
        }
    }
    if url.contains('#') {
        return Err(BrokerUrlError::Fragment);
    }
    Ok(url)
}

/// The port of `url` if it is one browsers never connect to (the Fetch
/// standard's bad ports). Chromium does not throw for those: the socket
/// fails as a dead network would (1006), so without this check the client
/// would retry forever. The transport refuses them as final.
pub fn blocked_port(url: &str) -> Option<u16> {
    let (_, rest) = url.trim().split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    let port = port_of(host)?.parse::<u16>().ok()?;
    BAD_PORTS.contains(&port).then_some(port)
}

/// What the user is told for a [`blocked_port`].
pub fn blocked_port_message(port: u16) -> String {
    format!(
        "the browser refuses to open a WebSocket to port {port}: browsers block it for web \
         pages (it belongs to another protocol). Use the broker's WebSocket port, e.g. 80, \
         443, 8080, 8083, 8883 or 9001"
    )
}

/// The port written after `host` (`host:port`, `[v6]:port`), if any.
fn port_of(host: &str) -> Option<&str> {
    let after_address = match host.strip_prefix('[') {
        Some(v6) => v6.split_once(']').map_or("", |(_, rest)| rest),
        None => host,
    };
    after_address
        .rsplit_once(':')
        .map(|(_, port)| port)
        .filter(|port| !port.is_empty())
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

    #[test]
    fn refuses_a_fragment_the_browser_would_throw_on() {
        assert_eq!(
            validate("ws://127.0.0.1:9001/mqtt#x"),
            Err(BrokerUrlError::Fragment)
        );
        assert_eq!(validate("wss://host/#"), Err(BrokerUrlError::Fragment));
        assert!(validate("ws://host/mqtt?x=%23").is_ok());
    }

    #[test]
    fn knows_the_ports_browsers_block() {
        assert_eq!(blocked_port("ws://127.0.0.1:1/mqtt"), Some(1));
        assert_eq!(blocked_port("ws://[::1]:6667/"), Some(6667));
        assert_eq!(blocked_port("wss://u:p@host:25/x#y"), Some(25));
        assert_eq!(blocked_port("ws://host:9001/mqtt"), None);
        assert_eq!(blocked_port("ws://host/mqtt"), None);
        assert_eq!(blocked_port("ws://[::1]/mqtt"), None);
    }

    #[test]
    fn refuses_ports_that_are_not_numbers_in_range() {
        assert_eq!(
            validate("ws://host:99999/mqtt"),
            Err(BrokerUrlError::InvalidPort("99999".into()))
        );
        assert_eq!(
            validate("ws://host:0/"),
            Err(BrokerUrlError::InvalidPort("0".into()))
        );
        assert!(validate("ws://host:abc/").is_err());
        for ok in [
            "ws://host:9001/mqtt",
            "wss://host:443",
            "ws://[::1]:8083/mqtt",
            "ws://[::1]/mqtt",
            "ws://user:pw@host/mqtt",
        ] {
            assert!(validate(ok).is_ok(), "{ok}");
        }
    }
}
