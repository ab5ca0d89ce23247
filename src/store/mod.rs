//! The message store: a bounded, compact log of received messages, kept in
//! pure Rust (no browser types, no clock) so it is tested natively.
//!
//! Layout: messages live in *segments*. A segment holds up to
//! [`SEGMENT_MESSAGES`] fixed-size records (24 bytes each: payload offset and
//! lengths, interned topic id, receive-time delta, flags) and one contiguous
//! payload arena of up to [`SEGMENT_BYTES`]. Topics are interned once
//! ([`topics::Topics`]), so a message costs its payload bytes plus 24 bytes.
//! The oldest messages are dropped first, one by one, when the message cap or
//! the byte budget is exceeded; a segment's memory is freed once all its
//! messages are gone. Nothing is ever cut silently: [`MessageStore::dropped`]
//! counts dropped messages, and a payload longer than
//! [`StoreConfig::max_payload`] keeps its first bytes and its full size
//! ([`Message::truncated`]).
//!
//! A message whose topic the full topic table does not track
//! ([`topics`]) keeps its topic name in the arena, just before its payload
//! (flag `FLAG_INLINE_TOPIC`; the record's `topic` field then holds the
//! name's length); those bytes count against the byte budget and go with
//! the message.
//!
//! Every message gets a sequence number (`seq`), increasing by one per
//! message and never reused (not even after [`MessageStore::clear`]); the
//! live messages are exactly `first_seq()..next_seq()`.

pub mod binary;
pub mod chart;
pub mod export;
pub mod filter;
pub mod format;
pub mod json;
pub mod recent;
pub mod time;
pub mod topics;
pub mod view;

use crate::codec::QoS;
use std::collections::VecDeque;
use topics::Topics;

/// Messages per segment.
pub const SEGMENT_MESSAGES: usize = 16 * 1024;
/// Payload bytes per segment (a larger single payload gets a segment of its own).
pub const SEGMENT_BYTES: usize = 1024 * 1024;
/// What one message costs beyond its payload bytes (its record).
pub const RECORD_BYTES: usize = std::mem::size_of::<Record>();

/// Limits of a [`MessageStore`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreConfig {
    /// Most messages kept; the oldest are dropped beyond it.
    pub max_messages: usize,
    /// Most bytes kept (payload bytes plus [`RECORD_BYTES`] per message,
    /// plus the topic name of a message whose topic is not tracked);
    /// the oldest messages are dropped beyond it. The newest message is
    /// always kept.
    pub max_bytes: usize,
    /// Payload bytes kept per message; longer payloads keep this many bytes
    /// and are marked truncated, with their full size.
    pub max_payload: usize,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            max_messages: 1_000_000,
            max_bytes: 256 * 1024 * 1024,
            max_payload: 1024 * 1024,
        }
    }
}

/// A received message as handed to [`MessageStore::push`].
#[derive(Debug, Clone, Copy)]
pub struct Incoming<'a> {
    pub topic: &'a str,
    pub payload: &'a [u8],
    pub qos: QoS,
    pub retain: bool,
    pub duplicate: bool,
    /// Receive time, milliseconds since the Unix epoch (caller-supplied).
    pub time_ms: f64,
}

/// A stored message, borrowed from the store.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Message<'a> {
    pub seq: u64,
    /// The interned topic, or [`topics::UNTRACKED`].
    pub topic_id: u32,
    pub topic: &'a str,
    /// The kept payload bytes (all of them unless [`Message::truncated`]).
    pub payload: &'a [u8],
    /// The payload's full size as received.
    pub size: usize,
    pub qos: QoS,
    pub retain: bool,
    pub duplicate: bool,
    /// Receive time, milliseconds since the Unix epoch.
    pub time_ms: f64,
    /// Over the connection's size limit and not received: `size` is the
    /// payload's size, `payload` the sentence saying so
    /// ([`MessageStore::push_skipped`]).
    pub skipped: bool,
}

impl Message<'_> {
    /// True if only the first `payload.len()` of `size` bytes were kept.
    pub fn truncated(&self) -> bool {
        !self.skipped && self.payload.len() < self.size
    }
}

const FLAG_QOS: u8 = 0b0011;
const FLAG_RETAIN: u8 = 0b0100;
const FLAG_DUP: u8 = 0b1000;
/// The topic name sits in the arena before the payload (not tracked).
const FLAG_INLINE_TOPIC: u8 = 0b1_0000;
/// A row for a message over the size limit that was counted off, not stored.
const FLAG_SKIPPED: u8 = 0b10_0000;

/// One message's fixed-size entry in its segment (24 bytes).
#[derive(Debug, Clone, Copy)]
struct Record {
    /// Start of the kept payload in the segment's arena.
    offset: u32,
    /// Kept payload bytes.
    len: u32,
    /// Full payload size as received.
    size: u32,
    /// Topic id, or the inline topic's length (`FLAG_INLINE_TOPIC`).
    topic: u32,
    /// Milliseconds after the segment's base time.
    time_delta: u32,
    flags: u8,
}

impl Record {
    /// Bytes of the topic name kept in the arena (0 for a tracked topic).
    fn inline_topic_len(&self) -> usize {
        if self.flags & FLAG_INLINE_TOPIC != 0 {
            self.topic as usize
        } else {
            0
        }
    }
}

struct Segment {
    base_seq: u64,
    base_time: f64,
    /// Index of the first live record (records before it were dropped).
    first: usize,
    records: Vec<Record>,
    bytes: Vec<u8>,
}

impl Segment {
    /// A segment for messages from `base_seq`, reusing `spare`'s memory
    /// when its arena is big enough for the first payload.
    fn new(base_seq: u64, base_time: f64, payload_hint: usize, spare: Option<Segment>) -> Segment {
        match spare {
            Some(mut segment) if segment.bytes.capacity() >= payload_hint => {
                segment.base_seq = base_seq;
                segment.base_time = base_time;
                segment.first = 0;
                segment.records.clear();
                segment.bytes.clear();
                segment
            }
            _ => Segment {
                base_seq,
                base_time,
                first: 0,
                records: Vec::with_capacity(SEGMENT_MESSAGES),
                bytes: Vec::with_capacity(payload_hint.max(SEGMENT_BYTES)),
            },
        }
    }

    /// True if this segment has the standard capacities, so keeping it for
    /// reuse costs no more than the next segment would.
    fn is_standard(&self) -> bool {
        self.records.capacity() == SEGMENT_MESSAGES
            && (SEGMENT_BYTES..=SEGMENT_BYTES + SEGMENT_BYTES / 8).contains(&self.bytes.capacity())
    }

    fn fits(&self, len: usize, time_ms: f64) -> bool {
        let delta = time_ms - self.base_time;
        self.records.len() < SEGMENT_MESSAGES
            && self.bytes.len() + len <= self.bytes.capacity()
            && (0.0..u32::MAX as f64).contains(&delta)
    }

    /// Gives back unused capacity once no more messages will be added, when
    /// more than half of it is unused (tiny or huge payloads). A segment
    /// that stays standard is reused once dropped instead of being freed:
    /// a log that keeps dropping then allocates nothing big at all, so
    /// small allocations cannot fragment the holes big arenas leave behind
    /// (wasm memory never shrinks; a soak showed it creeping up otherwise).
    fn seal(&mut self) {
        if self.records.capacity() - self.records.len() > SEGMENT_MESSAGES / 2 {
            self.records.shrink_to_fit();
        }
        if self.bytes.capacity() - self.bytes.len() > SEGMENT_BYTES / 2 {
            self.bytes.shrink_to_fit();
        }
    }

    fn end_seq(&self) -> u64 {
        self.base_seq + self.records.len() as u64
    }

    /// The topic of `record`: (id, name).
    fn topic<'a>(&'a self, record: &Record, topics: &'a Topics) -> (u32, &'a str) {
        if record.flags & FLAG_INLINE_TOPIC == 0 {
            return (record.topic, topics.name(record.topic));
        }
        let end = record.offset as usize;
        let name = &self.bytes[end - record.topic as usize..end];
        (
            topics::UNTRACKED,
            std::str::from_utf8(name).unwrap_or_default(),
        )
    }

    fn message<'a>(&'a self, index: usize, topics: &'a Topics) -> Message<'a> {
        let record = self.records[index];
        let start = record.offset as usize;
        let (topic_id, topic) = self.topic(&record, topics);
        Message {
            seq: self.base_seq + index as u64,
            topic_id,
            topic,
            payload: &self.bytes[start..start + record.len as usize],
            size: record.size as usize,
            qos: QoS::from_u8(record.flags & FLAG_QOS).unwrap_or(QoS::AtMostOnce),
            retain: record.flags & FLAG_RETAIN != 0,
            duplicate: record.flags & FLAG_DUP != 0,
            time_ms: self.base_time + record.time_delta as f64,
            skipped: record.flags & FLAG_SKIPPED != 0,
        }
    }
}

/// The bounded message log. See the module documentation.
pub struct MessageStore {
    config: StoreConfig,
    segments: VecDeque<Segment>,
    first_seq: u64,
    next_seq: u64,
    /// Bytes counted against `max_bytes` for the live messages.
    live_bytes: usize,
    dropped: u64,
    truncated: u64,
    topics: Topics,
    /// Increases on every clear (topic ids are reassigned then).
    generation: u64,
    /// A dropped standard segment kept for the next one (see `Segment::seal`).
    spare: Option<Segment>,
}

impl Default for MessageStore {
    fn default() -> Self {
        Self::new(StoreConfig::default())
    }
}

impl MessageStore {
    /// An empty store with these limits.
    pub fn new(config: StoreConfig) -> MessageStore {
        MessageStore {
            config,
            segments: VecDeque::new(),
            first_seq: 0,
            next_seq: 0,
            live_bytes: 0,
            dropped: 0,
            truncated: 0,
            topics: Topics::default(),
            generation: 0,
            spare: None,
        }
    }

    pub fn config(&self) -> StoreConfig {
        self.config
    }

    /// Changes the limits; drops the oldest messages at once if needed.
    pub fn set_config(&mut self, config: StoreConfig) {
        self.config = config;
        self.enforce_limits();
    }

    /// Appends a message and returns its `seq`. Drops the oldest messages
    /// if a limit is exceeded (the new message itself is always kept).
    pub fn push(&mut self, message: Incoming<'_>) -> u64 {
        self.push_flagged(message, message.payload.len(), 0)
    }

    /// Appends the row for a message that was over the connection's size
    /// limit and was counted off, not received: `message.payload` is the
    /// sentence shown in its place, `size` the payload's real size.
    pub fn push_skipped(&mut self, message: Incoming<'_>, size: usize) -> u64 {
        self.push_flagged(message, size, FLAG_SKIPPED)
    }

    fn push_flagged(&mut self, message: Incoming<'_>, size: usize, extra_flags: u8) -> u64 {
        let kept = message.payload.len().min(self.config.max_payload);
        let payload = &message.payload[..kept];
        if kept < message.payload.len() {
            self.truncated += 1;
        }
        let seq = self.next_seq;
        let topic = self
            .topics
            .record(message.topic, seq, message.time_ms, size);
        let inline = if topic.is_some() {
            0
        } else {
            message.topic.len()
        };
        let needs_segment = self
            .segments
            .back()
            .is_none_or(|segment| !segment.fits(inline + kept, message.time_ms));
        if needs_segment {
            if let Some(last) = self.segments.back_mut() {
                last.seal();
            }
            let spare = self.spare.take();
            self.segments
                .push_back(Segment::new(seq, message.time_ms, inline + kept, spare));
        }
        let segment = self
            .segments
            .back_mut()
            .expect("a segment was just ensured");
        let flags = (message.qos as u8)
            | if message.retain { FLAG_RETAIN } else { 0 }
            | if message.duplicate { FLAG_DUP } else { 0 }
            | if topic.is_none() {
                FLAG_INLINE_TOPIC
            } else {
                0
            }
            | extra_flags;
        segment
            .bytes
            .extend_from_slice(&message.topic.as_bytes()[..inline]);
        segment.records.push(Record {
            offset: segment.bytes.len() as u32,
            len: kept as u32,
            size: size.min(u32::MAX as usize) as u32,
            topic: topic.unwrap_or(inline as u32),
            time_delta: (message.time_ms - segment.base_time) as u32,
            flags,
        });
        segment.bytes.extend_from_slice(payload);
        self.next_seq += 1;
        self.live_bytes += inline + kept + RECORD_BYTES;
        self.enforce_limits();
        seq
    }

    fn enforce_limits(&mut self) {
        while self.len() > 1
            && (self.len() > self.config.max_messages || self.live_bytes > self.config.max_bytes)
        {
            self.drop_oldest();
        }
    }

    fn drop_oldest(&mut self) {
        let Some(front) = self.segments.front_mut() else {
            return;
        };
        let record = front.records[front.first];
        front.first += 1;
        self.live_bytes -= record.len as usize + RECORD_BYTES + record.inline_topic_len();
        self.first_seq += 1;
        self.dropped += 1;
        if front.first == front.records.len() && self.segments.len() > 1 {
            let emptied = self.segments.pop_front();
            self.keep_spare(emptied);
        }
    }

    /// Forgets every message, the topic tree and the counters (`seq`
    /// numbers keep increasing).
    pub fn clear(&mut self) {
        let last = self.segments.pop_back();
        self.segments.clear();
        self.keep_spare(last);
        self.first_seq = self.next_seq;
        self.live_bytes = 0;
        self.dropped = 0;
        self.truncated = 0;
        self.topics.clear();
        self.generation += 1;
    }

    fn keep_spare(&mut self, segment: Option<Segment>) {
        if self.spare.is_none() {
            self.spare = segment.filter(Segment::is_standard);
        }
    }

    /// Increases on every [`MessageStore::clear`].
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Live messages.
    pub fn len(&self) -> usize {
        (self.next_seq - self.first_seq) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `seq` of the oldest live message (equals `next_seq` when empty).
    pub fn first_seq(&self) -> u64 {
        self.first_seq
    }

    /// `seq` the next message will get.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// Messages dropped to respect the limits since the last clear.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Messages whose payload was truncated since the last clear.
    pub fn truncated_count(&self) -> u64 {
        self.truncated
    }

    /// Bytes counted against the byte budget.
    pub fn live_bytes(&self) -> usize {
        self.live_bytes
    }

    /// Bytes actually allocated for messages (records and payload arenas,
    /// including spare capacity of the open segment).
    pub fn allocated_bytes(&self) -> usize {
        self.segments
            .iter()
            .chain(&self.spare)
            .map(|s| s.records.capacity() * RECORD_BYTES + s.bytes.capacity())
            .sum()
    }

    /// The interned topics, their tree and per-topic statistics.
    pub fn topics(&self) -> &Topics {
        &self.topics
    }

    pub fn topics_mut(&mut self) -> &mut Topics {
        &mut self.topics
    }

    fn locate(&self, seq: u64) -> Option<(usize, usize)> {
        if seq < self.first_seq || seq >= self.next_seq {
            return None;
        }
        let index = self
            .segments
            .partition_point(|segment| segment.end_seq() <= seq);
        let segment = self.segments.get(index)?;
        Some((index, (seq - segment.base_seq) as usize))
    }

    /// The live message with this `seq`, if any.
    pub fn get(&self, seq: u64) -> Option<Message<'_>> {
        let (segment, index) = self.locate(seq)?;
        Some(self.segments[segment].message(index, &self.topics))
    }

    /// Live messages with `from <= seq < to`, oldest first.
    pub fn range(&self, from: u64, to: u64) -> impl Iterator<Item = Message<'_>> + '_ {
        let from = from.max(self.first_seq);
        let to = to.min(self.next_seq);
        let start = if from < to { self.locate(from) } else { None };
        let topics = &self.topics;
        let segments = match start {
            Some((segment, _)) => self.segments.range(segment..),
            None => self.segments.range(0..0),
        };
        segments.flat_map(move |segment| {
            let lo = from.max(segment.base_seq + segment.first as u64);
            let hi = to.min(segment.end_seq());
            (lo..hi.max(lo))
                .map(move |seq| segment.message((seq - segment.base_seq) as usize, topics))
        })
    }

    /// Every live message, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = Message<'_>> + '_ {
        self.range(self.first_seq, self.next_seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incoming<'a>(topic: &'a str, payload: &'a [u8]) -> Incoming<'a> {
        Incoming {
            topic,
            payload,
            qos: QoS::AtLeastOnce,
            retain: true,
            duplicate: false,
            time_ms: 1_000.0,
        }
    }

    #[test]
    fn record_is_24_bytes() {
        assert_eq!(RECORD_BYTES, 24);
    }

    #[test]
    fn push_get_roundtrip() {
        let mut store = MessageStore::default();
        let seq = store.push(incoming("a/b", b"hello"));
        let message = store.get(seq).unwrap();
        assert_eq!(message.topic, "a/b");
        assert_eq!(message.payload, b"hello");
        assert_eq!(message.qos, QoS::AtLeastOnce);
        assert!(message.retain && !message.duplicate && !message.truncated());
        assert_eq!(message.time_ms, 1_000.0);
    }

    #[test]
    fn segment_rolls_over_when_time_delta_overflows() {
        let mut store = MessageStore::default();
        store.push(incoming("t", b"1"));
        let mut late = incoming("t", b"2");
        late.time_ms = 1_000.0 + 5e9;
        let seq = store.push(late);
        assert_eq!(store.get(seq).unwrap().time_ms, 1_000.0 + 5e9);
        assert_eq!(store.segments.len(), 2);
    }
}
