//! Reason codes and reason strings as the UI shows them, and what the
//! session does after a refused CONNACK or a server DISCONNECT.

use std::fmt;

use crate::codec::v5::{AckProperties, PacketType, ReasonCode, UserProperty};

/// An MQTT 5 outcome: the reason code of an acknowledgement, a CONNACK or a
/// DISCONNECT, with the broker's reason string and user properties. Shown
/// as `0x87 Not authorized (reason string)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// The packet it came in; 0x00 is named after it ("Granted QoS 0" in a
    /// SUBACK, "Normal disconnection" in a DISCONNECT).
    pub packet: PacketType,
    /// The code.
    pub code: ReasonCode,
    /// The broker's human-readable explanation, if it sent one.
    pub reason_string: Option<String>,
    /// The broker's user properties on that packet.
    pub user_properties: Vec<UserProperty>,
}

impl Reason {
    /// A reason from an acknowledgement's code and properties.
    pub(crate) fn from_ack(packet: PacketType, code: ReasonCode, props: AckProperties) -> Reason {
        Reason {
            packet,
            code,
            reason_string: props.reason_string,
            user_properties: props.user_properties,
        }
    }

    /// Whether the code is a failure (0x80 and up).
    pub fn is_error(&self) -> bool {
        self.code.is_error()
    }
}

/// `0x87 Not authorized (no such topic)`.
impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code.describe(self.packet))?;
        if let Some(text) = &self.reason_string {
            write!(f, " ({text})")?;
        }
        Ok(())
    }
}

/// What an MQTT 5 CONNACK refusal means and what to check.
pub(crate) fn connack_explanation(reason: &Reason) -> String {
    use ReasonCode::*;
    let hint = match reason.code {
        UnsupportedProtocolVersion => {
            "the broker does not speak MQTT 5 here; choose MQTT 3.1.1 for this profile"
        }
        ClientIdentifierNotValid => {
            "the broker does not accept this client id (length, characters, or an empty id)"
        }
        BadUserNameOrPassword => "check the user name and password (or token)",
        NotAuthorized => {
            "the broker's policy does not allow this client to connect (AWS IoT: `iot:Connect` \
             on this client id)"
        }
        ServerUnavailable | ServerBusy | QuotaExceeded | ConnectionRateExceeded => {
            "the broker cannot take the connection now; the session keeps retrying with backoff"
        }
        Banned => "the broker has banned this client",
        BadAuthenticationMethod => "enhanced authentication is not supported by this client",
        TopicNameInvalid | PayloadFormatInvalid | RetainNotSupported | QosNotSupported => {
            "the broker refused the last will (its topic, payload format, retain flag or QoS)"
        }
        PacketTooLarge => "the CONNECT (will, user properties) is larger than the broker allows",
        UseAnotherServer | ServerMoved => {
            "the broker sends clients elsewhere (server reference); change the profile's URL"
        }
        _ => "the broker refused the connection",
    };
    format!("the broker refused the connection: {reason}: {hint}.")
}

/// Whether reconnecting later can succeed without the user changing
/// anything (the broker is busy or rate-limiting); every other refusal
/// describes the request and would be refused again.
pub(crate) fn connack_retry_helps(code: ReasonCode) -> bool {
    use ReasonCode::*;
    matches!(
        code,
        ServerUnavailable | ServerBusy | QuotaExceeded | ConnectionRateExceeded
    )
}

/// Whether to reconnect after the broker's DISCONNECT. Not after a
/// takeover (0x8E: reconnecting would take the session back from the other
/// client, which would take it back again, forever), a ban, or a redirect
/// (0x9C, 0x9D: the same URL cannot work); after anything else, with the
/// usual backoff.
pub(crate) fn reconnect_after_disconnect(code: ReasonCode) -> bool {
    use ReasonCode::*;
    !matches!(
        code,
        SessionTakenOver | Banned | UseAnotherServer | ServerMoved
    )
}
