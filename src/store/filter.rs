//! Filtering the log: by topic filters (MQTT wildcard syntax, e.g. a
//! subscription's filter or a topic-tree node) and by payload (text or any
//! caller-supplied predicate, e.g. a regular expression).
//!
//! A [`FilteredView`] is the list of matching `seq`s. It is built by one
//! pass over the store and then kept up to date incrementally: each
//! [`FilteredView::refresh`] scans only the messages that arrived since the
//! last one and forgets matches that were dropped from the store.

use super::{MessageStore, Segment};
use crate::topic;

/// A caller-supplied payload test.
pub type PayloadPredicate = Box<dyn Fn(&[u8]) -> bool>;

/// What a payload must contain.
pub enum PayloadQuery {
    /// Every payload matches.
    Any,
    /// A substring of the payload bytes (ASCII letters folded if the
    /// searcher ignores case).
    Text(Searcher),
    /// A caller-supplied test (e.g. a regular expression).
    Predicate(PayloadPredicate),
}

impl PayloadQuery {
    /// A text query; empty text matches everything.
    pub fn text(text: &str, ignore_case: bool) -> PayloadQuery {
        if text.is_empty() {
            return PayloadQuery::Any;
        }
        PayloadQuery::Text(Searcher::new(text.as_bytes(), ignore_case))
    }

    pub fn matches(&self, payload: &[u8]) -> bool {
        match self {
            PayloadQuery::Any => true,
            PayloadQuery::Text(searcher) => searcher.find(payload).is_some(),
            PayloadQuery::Predicate(test) => test(payload),
        }
    }
}

/// A complete filter: every topic filter must match the topic, and the
/// payload must match `payload`.
pub struct Query {
    pub topic_filters: Vec<String>,
    pub payload: PayloadQuery,
}

impl Query {
    /// Matches every message.
    pub fn all() -> Query {
        Query {
            topic_filters: Vec::new(),
            payload: PayloadQuery::Any,
        }
    }

    /// True if this query lets every message through.
    pub fn is_all(&self) -> bool {
        self.topic_filters.is_empty() && matches!(self.payload, PayloadQuery::Any)
    }
}

const UNKNOWN: u8 = 0;
const YES: u8 = 1;
const NO: u8 = 2;

/// The `seq`s of the messages matching a [`Query`], oldest first.
pub struct FilteredView {
    query: Query,
    /// Matching seqs; those before `start` were dropped from the store.
    seqs: Vec<u64>,
    start: usize,
    /// Messages with `seq < scanned_to` have been examined.
    scanned_to: u64,
    /// Per topic id: does the topic pass the topic filters?
    topic_pass: Vec<u8>,
    generation: u64,
}

impl FilteredView {
    /// An empty view; call [`FilteredView::refresh`] to fill it.
    pub fn new(query: Query) -> FilteredView {
        FilteredView {
            query,
            seqs: Vec::new(),
            start: 0,
            scanned_to: 0,
            topic_pass: Vec::new(),
            generation: u64::MAX,
        }
    }

    /// Brings the view up to date with `store`: drops matches that left the
    /// store, examines messages that arrived since the last call.
    pub fn refresh(&mut self, store: &MessageStore) {
        self.refresh_some(store, usize::MAX);
    }

    /// Like [`FilteredView::refresh`] but examines at most about `budget`
    /// messages (whole segments); returns true when the view is complete.
    /// A slow predicate over a big log is spread over several frames so.
    pub fn refresh_some(&mut self, store: &MessageStore, budget: usize) -> bool {
        if self.generation != store.generation {
            self.generation = store.generation;
            self.seqs.clear();
            self.start = 0;
            self.topic_pass.clear();
            self.scanned_to = store.first_seq();
        }
        let first = store.first_seq();
        self.start += self.seqs[self.start..].partition_point(|&seq| seq < first);
        if self.start > 4096 && self.start * 2 > self.seqs.len() {
            self.seqs.drain(..self.start);
            self.start = 0;
        }
        let topics = store.topics();
        if self.topic_pass.len() < topics.len() {
            self.topic_pass.resize(topics.len(), UNKNOWN);
        }
        let mut examined = 0;
        let from = self.scanned_to.max(first);
        let first_segment = store
            .segments
            .partition_point(|segment| segment.end_seq() <= from);
        for segment in store.segments.range(first_segment..) {
            if examined >= budget {
                return false;
            }
            let lo = (from.max(segment.base_seq) - segment.base_seq) as usize;
            let lo = lo.max(segment.first);
            let hi = segment.records.len();
            if lo < hi {
                examined += hi - lo;
                self.scan_segment(segment, lo, hi, topics);
            }
            self.scanned_to = segment.end_seq();
        }
        self.scanned_to = store.next_seq();
        true
    }

    /// Until the view is complete: the share of the store examined (0..=1).
    pub fn progress(&self, store: &MessageStore) -> f64 {
        let total = store.len().max(1) as f64;
        let done = self.scanned_to.saturating_sub(store.first_seq()) as f64;
        (done / total).min(1.0)
    }

    fn topic_passes(
        &mut self,
        record: &super::Record,
        segment: &Segment,
        topics: &super::topics::Topics,
    ) -> bool {
        if self.query.topic_filters.is_empty() {
            return true;
        }
        let (id, name) = segment.topic(record, topics);
        if id == super::topics::UNTRACKED {
            // Not in the table: no cache slot, matched each time.
            return self
                .query
                .topic_filters
                .iter()
                .all(|filter| topic::matches(filter, name));
        }
        let pass = &mut self.topic_pass[id as usize];
        if *pass == UNKNOWN {
            let ok = self
                .query
                .topic_filters
                .iter()
                .all(|filter| topic::matches(filter, name));
            *pass = if ok { YES } else { NO };
        }
        *pass == YES
    }

    /// Examines records `lo..hi` of `segment`.
    fn scan_segment(
        &mut self,
        segment: &Segment,
        lo: usize,
        hi: usize,
        topics: &super::topics::Topics,
    ) {
        let records = &segment.records[..hi];
        if let PayloadQuery::Text(searcher) = &self.query.payload {
            // One search over the segment's contiguous payload bytes; a hit
            // counts for the record that contains all of it.
            let end = records[hi - 1].offset as usize + records[hi - 1].len as usize;
            let mut pos = records[lo].offset as usize;
            let mut r = lo;
            let bytes = &segment.bytes;
            let mut hits = Vec::new();
            while let Some(found) = searcher.find(&bytes[pos..end]) {
                let hit = pos + found;
                while r < hi && (records[r].offset + records[r].len) as usize <= hit {
                    r += 1;
                }
                if r == hi {
                    break;
                }
                let record_end = (records[r].offset + records[r].len) as usize;
                // A hit before the record's payload lies in an untracked
                // topic's name kept in the arena: not a payload match.
                if hit >= records[r].offset as usize && hit + searcher.len() <= record_end {
                    hits.push(r);
                    pos = record_end;
                    r += 1;
                } else {
                    pos = hit + 1;
                }
                if pos >= end {
                    break;
                }
            }
            for r in hits {
                if self.topic_passes(&records[r], segment, topics) {
                    self.seqs.push(segment.base_seq + r as u64);
                }
            }
            return;
        }
        for (r, record) in records.iter().enumerate().skip(lo) {
            if !self.topic_passes(record, segment, topics) {
                continue;
            }
            let start = record.offset as usize;
            let payload = &segment.bytes[start..start + record.len as usize];
            if self.query.payload.matches(payload) {
                self.seqs.push(segment.base_seq + r as u64);
            }
        }
    }

    /// Matching messages still in the store (as of the last refresh).
    pub fn len(&self) -> usize {
        self.seqs.len() - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The matching seqs, oldest first.
    pub fn seqs(&self) -> &[u64] {
        &self.seqs[self.start..]
    }
}

/// How common a byte is in typical payloads (JSON, text): the searcher
/// scans for the needle's least common byte.
fn commonness(byte: u8) -> u8 {
    match byte.to_ascii_lowercase() {
        b' ' | b'"' | b'e' | b'0'..=b'9' => 9,
        b't' | b'a' | b'o' | b'i' | b'n' | b's' | b'r' | b':' | b',' => 8,
        b'h' | b'l' | b'd' | b'c' | b'u' | b'm' | b'{' | b'}' | b'.' | b'_' | b'-' => 6,
        b'a'..=b'z' => 4,
        0x80.. => 3,
        _ => 2,
    }
}

/// A substring search: scans 8 bytes at a time (SWAR on `u64`, fast in
/// wasm too) for the needle's least common byte, in both cases when
/// ignoring ASCII case, and verifies candidates.
#[derive(Debug, Clone)]
pub struct Searcher {
    /// Lower-cased when ignoring case.
    needle: Vec<u8>,
    ignore_case: bool,
    /// Index of the scanned byte in the needle, and its two forms.
    key: usize,
    key_bytes: (u8, u8),
}

impl Searcher {
    /// A searcher for a non-empty `needle`.
    pub fn new(needle: &[u8], ignore_case: bool) -> Searcher {
        let needle = if ignore_case {
            needle.to_ascii_lowercase()
        } else {
            needle.to_vec()
        };
        let key = (0..needle.len())
            .min_by_key(|&i| commonness(needle[i]))
            .unwrap_or(0);
        let byte = needle.get(key).copied().unwrap_or(0);
        let key_bytes = if ignore_case {
            (byte, byte.to_ascii_uppercase())
        } else {
            (byte, byte)
        };
        Searcher {
            needle,
            ignore_case,
            key,
            key_bytes,
        }
    }

    /// Length of the needle in bytes.
    pub fn len(&self) -> usize {
        self.needle.len()
    }

    pub fn is_empty(&self) -> bool {
        self.needle.is_empty()
    }

    /// Start of the first occurrence in `haystack`.
    pub fn find(&self, haystack: &[u8]) -> Option<usize> {
        let n = self.needle.len();
        if n == 0 {
            return Some(0);
        }
        if haystack.len() < n {
            return None;
        }
        // Candidate starts 0..=last; the key byte sits at start + key.
        let last = haystack.len() - n;
        let mut at = self.key;
        let limit = last + self.key + 1;
        while at < limit {
            let p = find_byte2(&haystack[at..limit], self.key_bytes.0, self.key_bytes.1)?;
            let start = at + p - self.key;
            let candidate = &haystack[start..start + n];
            let equal = if self.ignore_case {
                candidate.eq_ignore_ascii_case(&self.needle)
            } else {
                candidate == &self.needle[..]
            };
            if equal {
                return Some(start);
            }
            at += p + 1;
        }
        None
    }
}

/// Position of the first byte equal to `a` or `b`, 8 bytes at a time.
fn find_byte2(haystack: &[u8], a: u8, b: u8) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let (va, vb) = (LO * a as u64, LO * b as u64);
    let mut chunks = haystack.chunks_exact(8);
    let mut offset = 0;
    for chunk in chunks.by_ref() {
        let word = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        let (xa, xb) = (word ^ va, word ^ vb);
        // The lowest flagged byte is exact (borrows only run upwards).
        let found = (xa.wrapping_sub(LO) & !xa | xb.wrapping_sub(LO) & !xb) & HI;
        if found != 0 {
            return Some(offset + (found.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&c| c == a || c == b)
        .map(|p| offset + p)
}

/// Is `needle` a substring of `haystack`?
pub fn find(haystack: &[u8], needle: &[u8]) -> bool {
    Searcher::new(needle, false).find(haystack).is_some()
}

/// Like [`find`], with ASCII letters compared case-insensitively.
pub fn find_ignore_ascii_case(haystack: &[u8], needle: &[u8]) -> bool {
    Searcher::new(needle, true).find(haystack).is_some()
}
