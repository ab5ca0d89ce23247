//! A PUBLISH larger than the decoder's limit, counted off instead of
//! buffered, and what the decoder yields.
//!
//! Two limits apply to what a broker sends: the protocol's own (a Remaining
//! Length of at most 268,435,455, §2.2.3), which no 4-byte length field can
//! exceed, and the client's display/store limit (the decoder's
//! `max_packet_size`). A PUBLISH between the two is valid MQTT: refusing it
//! would close the connection, and a retained or queued message would then
//! come back on every reconnect, forever. So the decoder reads only its
//! variable header (topic, packet id: at most 65,539 bytes), checks it like
//! any PUBLISH, then drops the payload bytes as they arrive and yields a
//! [`SkippedPublish`] the session acknowledges like a normal message.

use super::{Packet, QosPid};

/// A PUBLISH over the decoder's limit whose payload was counted off, never
/// buffered: everything about it except the payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedPublish {
    /// The DUP flag.
    pub dup: bool,
    /// QoS and packet identifier: the session acknowledges it as usual.
    pub qos: QosPid,
    /// The RETAIN flag.
    pub retain: bool,
    /// The topic name, checked like any PUBLISH's.
    pub topic: String,
    /// Payload bytes counted off.
    pub payload_len: usize,
    /// The decoder's limit on a packet (fixed header included) it was over.
    pub limit: usize,
}

impl SkippedPublish {
    /// The sentence shown in place of the message, e.g.
    /// `skipped: 2.1 MB on big/x (over the 1 MiB limit)`.
    pub fn describe(&self) -> String {
        format!(
            "skipped: {} on {} (over the {} limit)",
            human_size(self.payload_len),
            self.topic,
            human_limit(self.limit)
        )
    }
}

/// One item of the byte stream, from
/// [`StreamDecoder::next_item`](super::StreamDecoder::next_item).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded {
    /// A whole packet.
    Packet(Packet),
    /// A PUBLISH too large to keep, consumed without buffering its payload.
    Skipped(SkippedPublish),
}

/// Where the skip of one oversized PUBLISH stands.
#[derive(Debug, Clone)]
pub(crate) enum Skip {
    /// The fixed header was read (and dropped from the buffer); the
    /// variable header is being buffered.
    VariableHeader { flags: u8, remaining_len: usize },
    /// The variable header was checked; `remaining` payload bytes are still
    /// to be counted off.
    Payload {
        publish: SkippedPublish,
        remaining: usize,
    },
}

/// The log's size style: `512 B`, `1.5 KB`, `2.1 MB` (binary multiples).
fn human_size(bytes: usize) -> String {
    match bytes {
        0..1024 => format!("{bytes} B"),
        1024..1_048_576 => format!("{:.1} KB", bytes as f64 / 1024.0),
        _ => format!("{:.1} MB", bytes as f64 / 1_048_576.0),
    }
}

/// A limit as configured: `1 MiB`, `64 KiB`, else in bytes.
fn human_limit(bytes: usize) -> String {
    if bytes >= 1 << 20 && bytes % (1 << 20) == 0 {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 && bytes % (1 << 10) == 0 {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes}-byte")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_size_topic_and_limit() {
        let skipped = SkippedPublish {
            dup: false,
            qos: QosPid::AtMostOnce,
            retain: true,
            topic: "big/x".into(),
            payload_len: 2_200_000,
            limit: 1 << 20,
        };
        assert_eq!(
            skipped.describe(),
            "skipped: 2.1 MB on big/x (over the 1 MiB limit)"
        );
        assert_eq!(human_limit(1000), "1000-byte");
        assert_eq!(human_limit(64 * 1024), "64 KiB");
    }
}
