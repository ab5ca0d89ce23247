//! The broker's DISCONNECT (reported with its reason, then a reconnect
//! unless retrying cannot help) and AUTH (enhanced authentication is not
//! supported: a clear protocol error instead of a hang).

use crate::codec::v5::{Auth, Disconnect, PacketType, ReasonCode};
use crate::time::Instant;

use super::super::{Event, Phase, Session};
use super::reason::{self, Reason};

impl Session {
    pub(crate) fn on_server_disconnect(&mut self, d: Disconnect, now: Instant) {
        let reason = Reason {
            packet: PacketType::Disconnect,
            code: d.reason_code,
            reason_string: d.properties.reason_string,
            user_properties: d.properties.user_properties,
        };
        let hint = match reason.code {
            ReasonCode::SessionTakenOver => {
                " — another client connected with the same client id; not reconnecting, so the \
                 two do not take the session from each other forever"
            }
            ReasonCode::Banned => " — not reconnecting",
            ReasonCode::UseAnotherServer | ReasonCode::ServerMoved => {
                " — the broker sends this client elsewhere; not reconnecting (change the URL)"
            }
            _ => "",
        };
        let mut sentence = format!("the broker disconnected: {reason}{hint}");
        if let Some(server) = &d.properties.server_reference {
            sentence.push_str(&format!(" (server reference: {server})"));
        }
        let retry = reason::reconnect_after_disconnect(reason.code);
        self.event(Event::DisconnectedByServer {
            reason,
            server_reference: d.properties.server_reference,
        });
        if retry {
            let last_operation = self.last_operation.blame(now);
            self.connection_failed(sentence, last_operation, true, now);
        } else {
            self.drop_socket(false);
            self.phase = Phase::Idle;
            self.event(Event::ConnectionLost {
                reason: sentence,
                last_operation: None,
            });
            self.event(Event::Disconnected);
        }
    }

    pub(crate) fn on_auth(&mut self, auth: Auth, now: Instant) {
        let method = auth
            .properties
            .authentication_method
            .map(|m| format!(", method `{m}`"))
            .unwrap_or_default();
        let message = format!(
            "the broker sent AUTH ({}{method}): enhanced authentication is not supported by \
             this client",
            auth.reason_code.describe(PacketType::Auth)
        );
        self.protocol_error_with(message, Some(ReasonCode::ProtocolError), now);
    }
}
