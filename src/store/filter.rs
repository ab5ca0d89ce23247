//! Filtering the log: by topic filters (MQTT wildcard syntax, e.g. a
//! subscription's filter or a topic-tree node) and by payload (text or any
//! caller-supplied predicate, e.g. a regular expression).
//!
//! A [`FilteredView`] is the list of matching `seq`s. It is built by one
//! pass over the store and then kept up to date incrementally: each
//! [`FilteredView::refresh`] scans only the messages that arrived since the
//! last one and forgets matches that were dropped from the store.

use super::{Message, MessageStore};
use crate::topic;

/// A caller-supplied payload test.
pub type PayloadPredicate = Box<dyn Fn(&[u8]) -> bool>;

/// What a payload must contain.
pub enum PayloadQuery {
    /// Every payload matches.
    Any,
    /// A substring of the payload bytes; `ignore_case` folds ASCII letters.
    Text { needle: Vec<u8>, ignore_case: bool },
    /// A caller-supplied test (e.g. a regular expression).
    Predicate(PayloadPredicate),
}

impl PayloadQuery {
    /// A text query; empty text matches everything.
    pub fn text(text: &str, ignore_case: bool) -> PayloadQuery {
        if text.is_empty() {
            return PayloadQuery::Any;
        }
        let needle = if ignore_case {
            text.to_ascii_lowercase().into_bytes()
        } else {
            text.as_bytes().to_vec()
        };
        PayloadQuery::Text {
            needle,
            ignore_case,
        }
    }

    /// A regular expression (regex-lite syntax) searched in the payload as
    /// text (invalid UTF-8 bytes become U+FFFD); empty matches everything.
    pub fn regex(pattern: &str, ignore_case: bool) -> Result<PayloadQuery, String> {
        if pattern.is_empty() {
            return Ok(PayloadQuery::Any);
        }
        let regex = regex_lite::RegexBuilder::new(pattern)
            .case_insensitive(ignore_case)
            .build()
            .map_err(|error| error.to_string())?;
        Ok(PayloadQuery::Predicate(Box::new(
            move |payload| match std::str::from_utf8(payload) {
                Ok(text) => regex.is_match(text),
                Err(_) => regex.is_match(&String::from_utf8_lossy(payload)),
            },
        )))
    }

    pub fn matches(&self, payload: &[u8]) -> bool {
        match self {
            PayloadQuery::Any => true,
            PayloadQuery::Text {
                needle,
                ignore_case: false,
            } => find(payload, needle),
            PayloadQuery::Text {
                needle,
                ignore_case: true,
            } => find_ignore_ascii_case(payload, needle),
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

    /// Does `message` pass (without the per-topic cache)?
    pub fn matches(&self, message: &Message<'_>) -> bool {
        self.topic_filters
            .iter()
            .all(|filter| topic::matches(filter, message.topic))
            && self.payload.matches(message.payload)
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

    pub fn query(&self) -> &Query {
        &self.query
    }

    /// Brings the view up to date with `store`: drops matches that left the
    /// store, examines messages that arrived since the last call.
    pub fn refresh(&mut self, store: &MessageStore) {
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
        let from = self.scanned_to.max(first);
        let topics = store.topics();
        let has_topic_filters = !self.query.topic_filters.is_empty();
        if self.topic_pass.len() < topics.len() {
            self.topic_pass.resize(topics.len(), UNKNOWN);
        }
        for message in store.range(from, store.next_seq()) {
            if has_topic_filters {
                let pass = &mut self.topic_pass[message.topic_id as usize];
                if *pass == UNKNOWN {
                    let ok = self
                        .query
                        .topic_filters
                        .iter()
                        .all(|filter| topic::matches(filter, message.topic));
                    *pass = if ok { YES } else { NO };
                }
                if *pass == NO {
                    continue;
                }
            }
            if self.query.payload.matches(message.payload) {
                self.seqs.push(message.seq);
            }
        }
        self.scanned_to = store.next_seq();
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

/// Is `needle` a substring of `haystack`?
pub fn find(haystack: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    if haystack.len() < needle.len() {
        return false;
    }
    let last_start = haystack.len() - needle.len();
    let mut i = 0;
    while i <= last_start {
        match haystack[i..=last_start].iter().position(|&b| b == first) {
            None => return false,
            Some(p) => {
                i += p;
                if &haystack[i + 1..i + needle.len()] == rest {
                    return true;
                }
                i += 1;
            }
        }
    }
    false
}

/// Like [`find`], with ASCII letters compared case-insensitively;
/// `needle_lower` must already be lower-case.
pub fn find_ignore_ascii_case(haystack: &[u8], needle_lower: &[u8]) -> bool {
    let Some((&first, rest)) = needle_lower.split_first() else {
        return true;
    };
    if haystack.len() < needle_lower.len() {
        return false;
    }
    let first_upper = first.to_ascii_uppercase();
    let last_start = haystack.len() - needle_lower.len();
    (0..=last_start).any(|i| {
        let b = haystack[i];
        (b == first || b == first_upper)
            && haystack[i + 1..i + needle_lower.len()].eq_ignore_ascii_case(rest)
    })
}
