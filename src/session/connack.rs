//! Human explanations of CONNACK refusals and whether retrying can help.

use crate::codec::ConnectReturnCode;

/// What the code means and what to check, for the UI.
pub(crate) fn explanation(code: ConnectReturnCode) -> String {
    match code {
        ConnectReturnCode::Accepted => "connection accepted",
        ConnectReturnCode::UnacceptableProtocolVersion => {
            "unacceptable protocol version (code 1): the broker does not speak MQTT 3.1.1. \
             Check that the URL points at an MQTT 3.1.1 broker endpoint (some brokers need a \
             different port or path for 3.1.1)."
        }
        ConnectReturnCode::IdentifierRejected => {
            "identifier rejected (code 2): the broker does not accept this client id. \
             Check its length and characters, whether the broker requires a specific or a \
             non-empty id, and that no other setting forbids it."
        }
        ConnectReturnCode::ServerUnavailable => {
            "server unavailable (code 3): the broker is up but cannot take connections right \
             now (overloaded or restarting). The session keeps retrying with backoff."
        }
        ConnectReturnCode::BadUserNameOrPassword => {
            "bad user name or password (code 4): the broker refused these credentials. \
             Check the user name and password (or token) and that they have not expired."
        }
        ConnectReturnCode::NotAuthorized => {
            "not authorized (code 5): the broker refused these credentials or its policy does \
             not allow this client id to connect. Check the user name/password, or the IoT \
             policy (e.g. AWS IoT `iot:Connect` on this client id)."
        }
    }
    .into()
}

/// Whether reconnecting later can succeed without the user changing
/// anything: only for "server unavailable". Codes 1, 2, 4 and 5 describe the
/// request itself, so retrying would hammer the broker with the same
/// refused CONNECT; the session stops and waits for the user.
pub(crate) fn retry_helps(code: ConnectReturnCode) -> bool {
    matches!(code, ConnectReturnCode::ServerUnavailable)
}
