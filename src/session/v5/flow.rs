//! Flow control (§4.9): Receive Maximum in both directions.
//!
//! Outbound, the broker's CONNACK Receive Maximum caps our unacknowledged
//! QoS 1/2 PUBLISHes together with `SessionConfig::max_inflight`; the rest
//! wait in the queue, in order (the session's existing in-flight cap).
//! Inbound, we announce ours in CONNECT, and a broker that sends more QoS
//! 1/2 PUBLISHes than that before we acknowledged them breaks
//! `[MQTT-3.3.4-9]`: DISCONNECT 0x93. We acknowledge QoS 1 at once, so the
//! only inbound messages still unacknowledged when the next one arrives are
//! QoS 2 ones awaiting PUBREL.

/// Receive Maximum when the property is absent (§3.1.2.11.3, §3.2.2.3.3).
pub(crate) const DEFAULT_RECEIVE_MAXIMUM: u16 = u16::MAX;

/// Most QoS 1/2 PUBLISHes we may have unacknowledged at once.
pub(crate) fn outbound_cap(config_max_inflight: usize, server_receive_maximum: u16) -> usize {
    config_max_inflight
        .clamp(1, 65_000)
        .min(server_receive_maximum.max(1) as usize)
}

/// Checks a new (not redelivered) inbound QoS 1/2 PUBLISH against our
/// Receive Maximum, given how many of the broker's QoS 2 messages still
/// await PUBREL; `Err` carries the sentence for the DISCONNECT 0x93.
pub(crate) fn check_inbound(receive_maximum: u16, unreleased: usize) -> Result<(), String> {
    if unreleased < receive_maximum as usize {
        return Ok(());
    }
    Err(format!(
        "the broker sent a QoS 1/2 PUBLISH while {unreleased} of its QoS 2 messages were still \
         unacknowledged, over our Receive Maximum of {receive_maximum} [MQTT-3.3.4-9]"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cap_is_the_smaller_limit() {
        assert_eq!(outbound_cap(100, 20), 20);
        assert_eq!(outbound_cap(5, 20), 5);
        assert_eq!(outbound_cap(100, DEFAULT_RECEIVE_MAXIMUM), 100);
    }

    #[test]
    fn inbound_limit_counts_unreleased() {
        assert!(check_inbound(2, 1).is_ok());
        assert!(check_inbound(2, 2)
            .unwrap_err()
            .contains("Receive Maximum of 2"));
    }
}
