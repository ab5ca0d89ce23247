//! Chart series: a numeric JSON field (e.g. `currentTemp`) of the messages
//! on a topic filter, collected live as messages arrive (and backfilled from
//! the log when a series is added), bounded per series.

use super::{json, Message, MessageStore};
use crate::topic;
use std::collections::VecDeque;

/// Points kept per series (the oldest go first).
pub const MAX_POINTS: usize = 20_000;

/// One plotted line.
pub struct Series {
    pub id: u32,
    /// Topic filter (MQTT wildcards allowed).
    pub filter: String,
    /// Dotted path of the field, empty for a payload that is a bare number.
    pub field: String,
    path: Vec<String>,
    /// (receive time in ms since the epoch, value), oldest first.
    pub points: VecDeque<(f64, f64)>,
    /// Per topic id: 0 unknown, 1 matches the filter, 2 does not.
    topic_pass: Vec<u8>,
    generation: u64,
}

impl Series {
    fn offer(&mut self, message: &Message<'_>, generation: u64) {
        if self.generation != generation {
            self.generation = generation;
            self.topic_pass.clear();
        }
        if message.topic_id == super::topics::UNTRACKED {
            // Not in the topic table: no cache slot, matched each time.
            if !topic::matches(&self.filter, message.topic) {
                return;
            }
        } else if !self.passes_cached(message) {
            return;
        }
        self.take_value(message);
    }

    /// The filter test for a tracked topic, cached per topic id.
    fn passes_cached(&mut self, message: &Message<'_>) -> bool {
        let id = message.topic_id as usize;
        if self.topic_pass.len() <= id {
            self.topic_pass.resize(id + 1, 0);
        }
        if self.topic_pass[id] == 0 {
            self.topic_pass[id] = if topic::matches(&self.filter, message.topic) {
                1
            } else {
                2
            };
        }
        self.topic_pass[id] == 1
    }

    fn take_value(&mut self, message: &Message<'_>) {
        let path: Vec<&str> = self.path.iter().map(String::as_str).collect();
        if let Some(value) = json::number_at(message.payload, &path) {
            if self.points.len() == MAX_POINTS {
                self.points.pop_front();
            }
            self.points.push_back((message.time_ms, value));
        }
    }
}

/// All series of the chart.
#[derive(Default)]
pub struct Charts {
    series: Vec<Series>,
    next_id: u32,
}

impl Charts {
    /// Adds a series and fills it from the messages already in `store`.
    pub fn add(&mut self, filter: &str, field: &str, store: &MessageStore) -> u32 {
        let id = self.next_id;
        self.next_id += 1;
        let mut series = Series {
            id,
            filter: filter.to_string(),
            field: field.to_string(),
            path: json::split_path(field)
                .into_iter()
                .map(String::from)
                .collect(),
            points: VecDeque::new(),
            topic_pass: Vec::new(),
            generation: store.generation(),
        };
        for message in store.iter() {
            series.offer(&message, store.generation());
        }
        self.series.push(series);
        id
    }

    pub fn remove(&mut self, id: u32) {
        self.series.retain(|series| series.id != id);
    }

    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }

    /// Feeds a new message to every series.
    pub fn offer(&mut self, message: &Message<'_>, generation: u64) {
        for series in &mut self.series {
            series.offer(message, generation);
        }
    }

    /// Forgets the points (after the log is cleared); series stay.
    pub fn clear_points(&mut self) {
        for series in &mut self.series {
            series.points.clear();
        }
    }

    pub fn series(&self) -> &[Series] {
        &self.series
    }
}

/// At most two points (min and max) per time bucket of `(t1 - t0) /
/// buckets`, in time order, so a long series draws with few SVG vertices
/// and keeps its spikes.
pub fn downsample(
    points: &VecDeque<(f64, f64)>,
    t0: f64,
    t1: f64,
    buckets: usize,
) -> Vec<(f64, f64)> {
    let start = points.partition_point(|&(t, _)| t < t0);
    let visible = points.range(start..).take_while(|&&(t, _)| t <= t1);
    if points.len() - start <= buckets * 2 {
        return visible.copied().collect();
    }
    let width = ((t1 - t0) / buckets.max(1) as f64).max(f64::MIN_POSITIVE);
    let mut out = Vec::with_capacity(buckets * 2);
    /// (bucket, lowest point, highest point)
    type Bucket = (usize, (f64, f64), (f64, f64));
    let mut current: Option<Bucket> = None;
    let flush = |out: &mut Vec<(f64, f64)>, (_, lo, hi): Bucket| {
        let (a, b) = if lo.0 <= hi.0 { (lo, hi) } else { (hi, lo) };
        out.push(a);
        if a != b {
            out.push(b);
        }
    };
    for &(t, v) in visible {
        let bucket = ((t - t0) / width) as usize;
        match &mut current {
            Some((b, lo, hi)) if *b == bucket => {
                if v < lo.1 {
                    *lo = (t, v);
                }
                if v > hi.1 {
                    *hi = (t, v);
                }
            }
            _ => {
                if let Some(done) = current.take() {
                    flush(&mut out, done);
                }
                current = Some((bucket, (t, v), (t, v)));
            }
        }
    }
    if let Some(done) = current {
        flush(&mut out, done);
    }
    out
}
