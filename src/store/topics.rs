//! Interned topic names, the topic tree (MQTT Explorer style) and the
//! per-subscription counters, all updated as messages arrive.
//!
//! Each distinct topic is stored once and gets a `u32` id; a message record
//! carries only the id. The tree has one node per topic level; every node
//! counts the messages received at or below it and remembers the newest one
//! (`last_seq`, `last_time_ms`), so the UI can show counts and last values
//! without scanning the log.

use crate::topic;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Node id of the tree's root (the empty path).
pub const ROOT: u32 = 0;
/// Subscriptions counted per topic (a `u64` bitmask per topic).
pub const MAX_COUNTED_SUBSCRIPTIONS: usize = 64;

/// One level of the topic tree.
#[derive(Debug, Clone)]
pub struct TreeNode {
    /// This level's name (may be empty, e.g. the first level of `/a`).
    pub name: Box<str>,
    pub parent: u32,
    /// Child node ids, sorted by name.
    pub children: Vec<u32>,
    /// The topic id if a message was received exactly on this path.
    pub topic: Option<u32>,
    /// Messages received at or below this node.
    pub count: u64,
    /// `seq` of the newest message at or below this node.
    pub last_seq: u64,
    pub last_time_ms: f64,
    /// Full payload size of that newest message.
    pub last_size: usize,
}

/// A subscription's message counter.
#[derive(Debug, Clone, PartialEq)]
pub struct SubscriptionCount {
    pub filter: String,
    /// Messages received while subscribed whose topic matches the filter.
    pub count: u64,
}

/// The topic table. See the module documentation.
pub struct Topics {
    names: Vec<Box<str>>,
    /// Topic hash → id; a name whose hash is taken by another name goes to
    /// `collisions`.
    by_hash: HashMap<u64, u32, BuildHasherDefault<IdentityHasher>>,
    collisions: HashMap<Box<str>, u32>,
    leaf: Vec<u32>,
    nodes: Vec<TreeNode>,
    /// Per topic: bit `i` set if subscription `i` matches it.
    subscription_mask: Vec<u64>,
    subscriptions: Vec<SubscriptionCount>,
    /// The last topic looked up (messages often repeat a topic).
    last: Option<u32>,
}

impl Default for Topics {
    fn default() -> Self {
        Topics {
            names: Vec::new(),
            by_hash: HashMap::default(),
            collisions: HashMap::new(),
            leaf: Vec::new(),
            nodes: vec![root_node()],
            subscription_mask: Vec::new(),
            subscriptions: Vec::new(),
            last: None,
        }
    }
}

fn root_node() -> TreeNode {
    TreeNode {
        name: "".into(),
        parent: ROOT,
        children: Vec::new(),
        topic: None,
        count: 0,
        last_seq: 0,
        last_time_ms: 0.0,
        last_size: 0,
    }
}

impl Topics {
    /// Number of distinct topics.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The name of topic `id`.
    pub fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    /// The id of `name`, if a message was received on it.
    pub fn id(&self, name: &str) -> Option<u32> {
        let id = *self.by_hash.get(&hash(name))?;
        if &*self.names[id as usize] == name {
            Some(id)
        } else {
            self.collisions.get(name).copied()
        }
    }

    /// Forgets every topic and zeroes the counters (subscriptions stay).
    pub fn clear(&mut self) {
        let filters: Vec<String> = self
            .subscriptions
            .iter()
            .map(|s| s.filter.clone())
            .collect();
        *self = Topics::default();
        self.set_subscriptions(&filters);
    }

    /// Interns `name` (if new) and counts one message on it.
    pub(super) fn record(&mut self, name: &str, seq: u64, time_ms: f64, size: usize) -> u32 {
        let id = match self.last {
            Some(last) if &*self.names[last as usize] == name => last,
            _ => self.intern(name),
        };
        self.last = Some(id);
        let mask = self.subscription_mask[id as usize];
        if mask != 0 {
            for (i, subscription) in self.subscriptions.iter_mut().enumerate() {
                if mask & (1 << i) != 0 {
                    subscription.count += 1;
                }
            }
        }
        let mut node = self.leaf[id as usize];
        loop {
            let n = &mut self.nodes[node as usize];
            n.count += 1;
            n.last_seq = seq;
            n.last_time_ms = time_ms;
            n.last_size = size;
            if node == ROOT {
                break;
            }
            node = n.parent;
        }
        id
    }

    fn intern(&mut self, name: &str) -> u32 {
        let h = hash(name);
        if let Some(&id) = self.by_hash.get(&h) {
            if &*self.names[id as usize] == name {
                return id;
            }
            if let Some(&id) = self.collisions.get(name) {
                return id;
            }
        }
        let id = self.names.len() as u32;
        self.names.push(name.into());
        if let std::collections::hash_map::Entry::Vacant(entry) = self.by_hash.entry(h) {
            entry.insert(id);
        } else {
            self.collisions.insert(name.into(), id);
        }
        let leaf = self.insert_path(name);
        self.nodes[leaf as usize].topic = Some(id);
        self.leaf.push(leaf);
        self.subscription_mask.push(self.mask_for(name));
        id
    }

    fn insert_path(&mut self, name: &str) -> u32 {
        let mut node = ROOT;
        for level in name.split('/') {
            let children = &self.nodes[node as usize].children;
            let position =
                children.binary_search_by(|&child| (*self.nodes[child as usize].name).cmp(level));
            node = match position {
                Ok(i) => children[i],
                Err(i) => {
                    let child = self.nodes.len() as u32;
                    let mut new = root_node();
                    new.name = level.into();
                    new.parent = node;
                    self.nodes.push(new);
                    self.nodes[node as usize].children.insert(i, child);
                    child
                }
            };
        }
        node
    }

    fn mask_for(&self, name: &str) -> u64 {
        self.subscriptions
            .iter()
            .take(MAX_COUNTED_SUBSCRIPTIONS)
            .enumerate()
            .filter(|(_, s)| topic::matches(&s.filter, name))
            .fold(0, |mask, (i, _)| mask | 1 << i)
    }

    /// Sets the subscriptions to count. A filter already counted keeps its
    /// count; new filters start at zero.
    pub fn set_subscriptions(&mut self, filters: &[String]) {
        let old = std::mem::take(&mut self.subscriptions);
        self.subscriptions = filters
            .iter()
            .map(|filter| SubscriptionCount {
                filter: filter.clone(),
                count: old
                    .iter()
                    .find(|s| &s.filter == filter)
                    .map_or(0, |s| s.count),
            })
            .collect();
        for id in 0..self.names.len() {
            self.subscription_mask[id] = self.mask_for(&self.names[id]);
        }
    }

    /// The counted subscriptions, in the order given.
    pub fn subscriptions(&self) -> &[SubscriptionCount] {
        &self.subscriptions
    }

    /// Filters of the counted subscriptions that match topic `id`.
    pub fn matching_subscriptions(&self, id: u32) -> Vec<&str> {
        let mask = self.subscription_mask[id as usize];
        self.subscriptions
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, s)| s.filter.as_str())
            .collect()
    }

    /// A tree node by id ([`ROOT`] is the root).
    pub fn node(&self, id: u32) -> &TreeNode {
        &self.nodes[id as usize]
    }

    /// The topic path of a node (`a/b/c`).
    pub fn path(&self, id: u32) -> String {
        let mut levels = Vec::new();
        let mut node = id;
        while node != ROOT {
            levels.push(&*self.nodes[node as usize].name);
            node = self.nodes[node as usize].parent;
        }
        levels.reverse();
        levels.join("/")
    }

    /// The topic filter that selects a node and everything below it
    /// (`a/b/#`, which also matches `a/b` itself; `#` for the root).
    pub fn node_filter(&self, id: u32) -> String {
        if id == ROOT {
            "#".into()
        } else if self.nodes[id as usize].children.is_empty() {
            self.path(id)
        } else {
            format!("{}/#", self.path(id))
        }
    }
}

/// FNV-1a over the topic bytes: fast and good enough for short strings;
/// collisions are handled, so quality only affects speed.
fn hash(name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in name.as_bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The map keys are already hashes.
#[derive(Default)]
struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | b as u64;
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}
