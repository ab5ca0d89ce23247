//! A first-in first-out buffer bounded in count **and** bytes: the
//! automation API's recent messages (`mqttConsole.messages()`), whose
//! payloads and topics are kept whole whatever their size. The caller says
//! what each item costs; the oldest items go first, the newest is always
//! kept.

use std::collections::VecDeque;

/// The buffer. See the module documentation.
pub struct Recent<T> {
    items: VecDeque<(T, usize)>,
    bytes: usize,
    max_items: usize,
    max_bytes: usize,
    dropped: u64,
}

impl<T> Recent<T> {
    /// An empty buffer keeping at most `max_items` items and `max_bytes`
    /// bytes (the newest item is kept even if it alone is larger).
    pub fn new(max_items: usize, max_bytes: usize) -> Recent<T> {
        Recent {
            items: VecDeque::new(),
            bytes: 0,
            max_items: max_items.max(1),
            max_bytes,
            dropped: 0,
        }
    }

    /// Appends `item` costing `bytes`, dropping the oldest items beyond a bound.
    pub fn push(&mut self, item: T, bytes: usize) {
        self.items.push_back((item, bytes));
        self.bytes += bytes;
        while self.items.len() > 1
            && (self.items.len() > self.max_items || self.bytes > self.max_bytes)
        {
            if let Some((_, cost)) = self.items.pop_front() {
                self.bytes -= cost;
                self.dropped += 1;
            }
        }
    }

    /// The newest item.
    pub fn back(&self) -> Option<&T> {
        self.items.back().map(|(item, _)| item)
    }

    /// Oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + '_ {
        self.items.iter().map(|(item, _)| item)
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Bytes counted for the items kept.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Items dropped to respect the bounds since the last clear.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    pub fn clear(&mut self) {
        self.items.clear();
        self.bytes = 0;
        self.dropped = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_by_count_and_bytes_newest_kept() {
        let mut recent = Recent::new(3, 100);
        for i in 0..5 {
            recent.push(i, 10);
        }
        assert_eq!(recent.iter().copied().collect::<Vec<_>>(), [2, 3, 4]);
        recent.push(5, 75);
        assert_eq!(recent.iter().copied().collect::<Vec<_>>(), [3, 4, 5]);
        assert_eq!(recent.bytes(), 95);
        recent.push(7, 20);
        assert_eq!(
            recent.iter().copied().collect::<Vec<_>>(),
            [5, 7],
            "bytes bound"
        );
        recent.push(6, 500);
        assert_eq!(recent.iter().copied().collect::<Vec<_>>(), [6]);
        assert_eq!(recent.dropped(), 7);
        assert_eq!(recent.bytes(), 500);
    }
}
