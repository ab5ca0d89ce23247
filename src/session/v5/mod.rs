//! MQTT 5 specifics of the session, one rule family per file: what the
//! CONNACK allows ([`server_limits`]), topic aliases both ways
//! ([`aliases`]), receive maximum both ways ([`flow`]), and reason codes in
//! words ([`reason`]). The state machine in `super` calls them; on a 3.1.1
//! connection they sit at their "everything allowed, nothing aliased"
//! defaults.

pub(crate) mod aliases;
mod disconnect;
pub(crate) mod flow;
pub(crate) mod reason;
pub(crate) mod server_limits;
