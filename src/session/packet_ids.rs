//! Packet identifier allocation: never 0, never one still in use, wrapping
//! 65535 → 1 `[MQTT-2.3.1-1]`, `[MQTT-2.3.1-2]`.
//!
//! Ids are handed out round-robin rather than lowest-free so a late
//! acknowledgement for a just-released id is unlikely to hit a new packet.

use crate::codec::PacketId;

/// A set of the 65,535 possible packet ids as a bitmap (8 KiB, O(1)).
#[derive(Clone)]
pub(crate) struct IdSet {
    bits: Box<[u64; 1024]>,
    len: usize,
}

impl std::fmt::Debug for IdSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdSet({} ids)", self.len)
    }
}

impl Default for IdSet {
    fn default() -> Self {
        IdSet {
            bits: Box::new([0; 1024]),
            len: 0,
        }
    }
}

impl IdSet {
    pub(crate) fn contains(&self, id: PacketId) -> bool {
        let v = id.get() as usize;
        self.bits[v / 64] & (1 << (v % 64)) != 0
    }

    /// Adds `id`; returns whether it was new.
    pub(crate) fn insert(&mut self, id: PacketId) -> bool {
        let v = id.get() as usize;
        let was = self.contains(id);
        self.bits[v / 64] |= 1 << (v % 64);
        if !was {
            self.len += 1;
        }
        !was
    }

    /// Removes `id`; returns whether it was present.
    pub(crate) fn remove(&mut self, id: PacketId) -> bool {
        let v = id.get() as usize;
        let was = self.contains(id);
        self.bits[v / 64] &= !(1 << (v % 64));
        if was {
            self.len -= 1;
        }
        was
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn clear(&mut self) {
        if self.len > 0 {
            self.bits.fill(0);
            self.len = 0;
        }
    }
}

/// Hands out packet ids for our PUBLISH (QoS 1/2), SUBSCRIBE and
/// UNSUBSCRIBE, and takes them back when the exchange completes.
#[derive(Debug, Clone)]
pub(crate) struct PacketIds {
    next: u16,
    in_use: IdSet,
}

impl Default for PacketIds {
    fn default() -> Self {
        PacketIds {
            next: 1,
            in_use: IdSet::default(),
        }
    }
}

impl PacketIds {
    /// The next free id after the previous one, or `None` if all 65,535
    /// are in use.
    pub(crate) fn allocate(&mut self) -> Option<PacketId> {
        if self.in_use.len() >= u16::MAX as usize {
            return None;
        }
        loop {
            let candidate = PacketId::new(self.next).expect("next is never 0");
            self.next = if self.next == u16::MAX {
                1
            } else {
                self.next + 1
            };
            if self.in_use.insert(candidate) {
                return Some(candidate);
            }
        }
    }

    /// Makes `id` available again; returns whether it was in use.
    pub(crate) fn release(&mut self, id: PacketId) -> bool {
        self.in_use.remove(id)
    }

    pub(crate) fn is_in_use(&self, id: PacketId) -> bool {
        self.in_use.contains(id)
    }

    pub(crate) fn in_use_count(&self) -> usize {
        self.in_use.len()
    }

    /// Starts the round-robin at `next` (tests use it to reach the wrap).
    #[cfg(test)]
    pub(crate) fn set_next(&mut self, next: u16) {
        self.next = next.max(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(v: u16) -> PacketId {
        PacketId::new(v).unwrap()
    }

    #[test]
    fn starts_at_one_and_counts_up() {
        let mut ids = PacketIds::default();
        assert_eq!(ids.allocate(), Some(id(1)));
        assert_eq!(ids.allocate(), Some(id(2)));
    }

    #[test]
    fn wraps_from_65535_to_1_and_skips_in_use() {
        let mut ids = PacketIds::default();
        let one = ids.allocate().unwrap();
        assert_eq!(one, id(1));
        ids.set_next(65534);
        assert_eq!(ids.allocate(), Some(id(65534)));
        assert_eq!(ids.allocate(), Some(id(65535)));
        // 1 is still in use: skipped.
        assert_eq!(ids.allocate(), Some(id(2)));
        assert!(ids.release(one));
        ids.set_next(65535);
        ids.release(id(65535));
        assert_eq!(ids.allocate(), Some(id(65535)));
        assert_eq!(ids.allocate(), Some(id(1)));
    }

    #[test]
    fn exhaustion_returns_none() {
        let mut ids = PacketIds::default();
        for _ in 0..u16::MAX {
            assert!(ids.allocate().is_some());
        }
        assert_eq!(ids.allocate(), None);
        ids.release(id(4242));
        assert_eq!(ids.allocate(), Some(id(4242)));
    }
}
