//! CONNACK (spec §3.2).

use super::wire::Reader;
use super::{ConnAck, ConnectReturnCode, DecodeError, PacketType};
use bytes::Bytes;

impl ConnectReturnCode {
    /// The code for a wire value; `None` for the reserved 6–255.
    pub fn from_u8(value: u8) -> Option<ConnectReturnCode> {
        use ConnectReturnCode::*;
        Some(match value {
            0 => Accepted,
            1 => UnacceptableProtocolVersion,
            2 => IdentifierRejected,
            3 => ServerUnavailable,
            4 => BadUserNameOrPassword,
            5 => NotAuthorized,
            _ => return None,
        })
    }
}

pub(crate) fn decode(body: &Bytes) -> Result<ConnAck, DecodeError> {
    let mut r = Reader::new(PacketType::ConnAck, body);
    let flags = r.u8("acknowledge flags")?;
    if flags & !1 != 0 {
        return Err(DecodeError::InvalidConnAckFlags { flags });
    }
    let code = r.u8("return code")?;
    let code =
        ConnectReturnCode::from_u8(code).ok_or(DecodeError::UnknownConnectReturnCode { code })?;
    let session_present = flags & 1 != 0;
    if session_present && code != ConnectReturnCode::Accepted {
        return Err(DecodeError::SessionPresentOnRefusal);
    }
    r.finish()?;
    Ok(ConnAck {
        session_present,
        code,
    })
}

pub(crate) fn write(c: &ConnAck, out: &mut Vec<u8>) {
    out.push(c.session_present as u8);
    out.push(c.code as u8);
}
