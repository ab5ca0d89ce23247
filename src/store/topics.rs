//! Interned topic names, the topic tree (MQTT Explorer style) and the
//! per-subscription counters, all updated as messages arrive.
//!
//! Each distinct topic is stored once and gets a `u32` id; a message record
//! carries only the id. The tree has one node per topic level; every node
//! counts the messages received at or below it and remembers the newest one
//! (`last_seq`, `last_time_ms`), so the UI can show counts and last values
//! without scanning the log.
//!
//! The table is bounded ([`TopicLimits`]: a topic count and a byte budget).
//! Once it is full, a message on a *new* topic is **not tracked**:
//! [`Topics::record`] returns `None`, the log keeps that message's topic
//! name next to its payload (so it stays visible and filterable, and its
//! bytes count against the log's own budget), the topic gets no tree node,
//! and [`Topics::untracked`] counts such topics and their messages for the
//! tree's "N topics not tracked" notice. Tracked topics are never evicted
//! (until Clear): a stored message's id always resolves. Children of a node
//! are kept in one ordered map keyed by (parent, name), so adding a topic
//! costs O(log n) whatever the tree's shape.

use crate::topic;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// Node id of the tree's root (the empty path).
pub const ROOT: u32 = 0;
/// Subscriptions counted per topic (a `u64` bitmask per topic).
pub const MAX_COUNTED_SUBSCRIPTIONS: usize = 64;
/// The `topic_id` of a message whose topic is not tracked (see the module
/// documentation): such a message carries its topic name itself.
pub const UNTRACKED: u32 = u32::MAX;
/// Distinct untracked topics counted exactly; beyond this the notice says
/// "more than" (the set of their hashes would otherwise grow without bound).
pub const MAX_UNTRACKED_COUNTED: usize = 65_536;

/// What one tracked topic costs beyond its name (table entries), as counted
/// against [`TopicLimits::max_bytes`].
pub const TOPIC_OVERHEAD_BYTES: usize = std::mem::size_of::<Box<str>>() // names
    + 16 // by_hash entry (hash, id) with the map's slack
    + 4 // leaf
    + 8; // subscription mask
/// What one tree node costs beyond twice its level name (the node and the
/// children map's key hold it).
pub const NODE_OVERHEAD_BYTES: usize = std::mem::size_of::<TreeNode>()
    + 2 * std::mem::size_of::<Box<str>>() // the child key's name and parent
    + 16; // the ordered map's per-entry slack

/// Bounds of the topic table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TopicLimits {
    /// Most distinct topics tracked.
    pub max_topics: usize,
    /// Most bytes of table and tree ([`Topics::accounted_bytes`]).
    pub max_bytes: usize,
}

impl Default for TopicLimits {
    fn default() -> Self {
        TopicLimits {
            max_topics: 100_000,
            max_bytes: 32 * 1024 * 1024,
        }
    }
}

/// Topics that arrived once the table was full (see the module docs).
#[derive(Debug, Clone, Default)]
pub struct Untracked {
    /// Hashes of the distinct untracked topics seen, up to
    /// [`MAX_UNTRACKED_COUNTED`].
    hashes: HashSet<u64, BuildHasherDefault<IdentityHasher>>,
    /// True once more distinct topics arrived than `hashes` holds.
    more: bool,
    /// Messages received on untracked topics.
    pub messages: u64,
}

impl Untracked {
    /// Distinct untracked topics counted (a lower bound if [`Untracked::more`]).
    pub fn topics(&self) -> usize {
        self.hashes.len()
    }

    /// True if there were more distinct untracked topics than counted.
    pub fn more(&self) -> bool {
        self.more
    }

    fn count(&mut self, h: u64) {
        self.messages += 1;
        if self.hashes.len() < MAX_UNTRACKED_COUNTED {
            self.hashes.insert(h);
        } else if !self.hashes.contains(&h) {
            self.more = true;
        }
    }
}

/// One level of the topic tree.
#[derive(Debug, Clone)]
pub struct TreeNode {
    /// This level's name (may be empty, e.g. the first level of `/a`).
    pub name: Box<str>,
    pub parent: u32,
    /// Number of child nodes ([`Topics::children`] lists them by name).
    pub child_count: u32,
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
    limits: TopicLimits,
    names: Vec<Box<str>>,
    /// Topic hash → id; a name whose hash is taken by another name goes to
    /// `collisions`.
    by_hash: HashMap<u64, u32, BuildHasherDefault<IdentityHasher>>,
    collisions: HashMap<Box<str>, u32>,
    leaf: Vec<u32>,
    nodes: Vec<TreeNode>,
    /// (parent node, level name) → child node, in name order per parent.
    children: BTreeMap<(u32, Box<str>), u32>,
    /// Per topic: bit `i` set if subscription `i` matches it.
    subscription_mask: Vec<u64>,
    subscriptions: Vec<SubscriptionCount>,
    /// The last topic looked up (messages often repeat a topic).
    last: Option<u32>,
    /// Bytes counted against `limits.max_bytes`.
    accounted: usize,
    untracked: Untracked,
}

impl Default for Topics {
    fn default() -> Self {
        Topics::with_limits(TopicLimits::default())
    }
}

fn root_node() -> TreeNode {
    TreeNode {
        name: "".into(),
        parent: ROOT,
        child_count: 0,
        topic: None,
        count: 0,
        last_seq: 0,
        last_time_ms: 0.0,
        last_size: 0,
    }
}

impl Topics {
    /// An empty table with these bounds.
    pub fn with_limits(limits: TopicLimits) -> Topics {
        Topics {
            limits,
            names: Vec::new(),
            by_hash: HashMap::default(),
            collisions: HashMap::new(),
            leaf: Vec::new(),
            nodes: vec![root_node()],
            children: BTreeMap::new(),
            subscription_mask: Vec::new(),
            subscriptions: Vec::new(),
            last: None,
            accounted: NODE_OVERHEAD_BYTES,
            untracked: Untracked::default(),
        }
    }

    /// The bounds in force.
    pub fn limits(&self) -> TopicLimits {
        self.limits
    }

    /// Changes the bounds for topics seen from now on (topics already
    /// tracked stay: messages in the log refer to them).
    pub fn set_limits(&mut self, limits: TopicLimits) {
        self.limits = limits;
    }

    /// Number of distinct tracked topics.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Bytes of table and tree counted against [`TopicLimits::max_bytes`]
    /// (names, level names, nodes and index entries).
    pub fn accounted_bytes(&self) -> usize {
        self.accounted
    }

    /// Topics not tracked because the table was full, and their messages.
    pub fn untracked(&self) -> &Untracked {
        &self.untracked
    }

    /// The name of tracked topic `id`.
    pub fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    /// The id of `name`, if it is tracked.
    pub fn id(&self, name: &str) -> Option<u32> {
        let id = *self.by_hash.get(&hash(name))?;
        if &*self.names[id as usize] == name {
            Some(id)
        } else {
            self.collisions.get(name).copied()
        }
    }

    /// Forgets every topic and zeroes the counters (subscriptions and
    /// limits stay).
    pub fn clear(&mut self) {
        let filters: Vec<String> = self
            .subscriptions
            .iter()
            .map(|s| s.filter.clone())
            .collect();
        *self = Topics::with_limits(self.limits);
        self.set_subscriptions(&filters);
    }

    /// Interns `name` (if new and there is room) and counts one message on
    /// it. `None`: the table is full and `name` is new, so it is not tracked
    /// (counted in [`Topics::untracked`]; the caller keeps the name itself).
    pub(super) fn record(
        &mut self,
        name: &str,
        seq: u64,
        time_ms: f64,
        size: usize,
    ) -> Option<u32> {
        let id = match self.last {
            Some(last) if &*self.names[last as usize] == name => last,
            _ => match self.intern(name) {
                Ok(id) => id,
                Err(h) => {
                    self.untracked.count(h);
                    let mask = self.mask_for(name);
                    self.count_subscriptions(mask);
                    return None;
                }
            },
        };
        self.last = Some(id);
        self.count_subscriptions(self.subscription_mask[id as usize]);
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
        Some(id)
    }

    fn count_subscriptions(&mut self, mask: u64) {
        if mask != 0 {
            for (i, subscription) in self.subscriptions.iter_mut().enumerate() {
                if mask & (1 << i) != 0 {
                    subscription.count += 1;
                }
            }
        }
    }

    /// The most `name` can add to [`Topics::accounted_bytes`] (every level new).
    fn worst_cost(name: &str) -> usize {
        let levels = name.bytes().filter(|&b| b == b'/').count() + 1;
        name.len() + TOPIC_OVERHEAD_BYTES + 2 * name.len() + levels * NODE_OVERHEAD_BYTES
    }

    /// The id of `name`, interned now if new and there is room; otherwise
    /// `Err` with its hash.
    fn intern(&mut self, name: &str) -> Result<u32, u64> {
        let h = hash(name);
        if let Some(&id) = self.by_hash.get(&h) {
            if &*self.names[id as usize] == name {
                return Ok(id);
            }
            if let Some(&id) = self.collisions.get(name) {
                return Ok(id);
            }
        }
        if self.names.len() >= self.limits.max_topics
            || self.accounted + Self::worst_cost(name) > self.limits.max_bytes
        {
            return Err(h);
        }
        let id = self.names.len() as u32;
        self.names.push(name.into());
        self.accounted += name.len() + TOPIC_OVERHEAD_BYTES;
        if let std::collections::hash_map::Entry::Vacant(entry) = self.by_hash.entry(h) {
            entry.insert(id);
        } else {
            self.collisions.insert(name.into(), id);
            self.accounted += name.len() + TOPIC_OVERHEAD_BYTES;
        }
        let leaf = self.insert_path(name);
        self.nodes[leaf as usize].topic = Some(id);
        self.leaf.push(leaf);
        self.subscription_mask.push(self.mask_for(name));
        Ok(id)
    }

    /// The node for `name`'s path, creating missing levels: O(log n) per level.
    fn insert_path(&mut self, name: &str) -> u32 {
        let mut node = ROOT;
        for level in name.split('/') {
            let key = (node, Box::<str>::from(level));
            node = match self.children.get(&key) {
                Some(&child) => child,
                None => {
                    let child = self.nodes.len() as u32;
                    let mut new = root_node();
                    new.name = key.1.clone();
                    new.parent = node;
                    self.nodes.push(new);
                    self.nodes[node as usize].child_count += 1;
                    self.children.insert(key, child);
                    self.accounted += 2 * level.len() + NODE_OVERHEAD_BYTES;
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

    /// Filters of the counted subscriptions that match a message's topic
    /// (`id` and `name` as the message carries them; `id` may be
    /// [`UNTRACKED`]).
    pub fn matching_subscriptions(&self, id: u32, name: &str) -> Vec<&str> {
        let mask = match self.subscription_mask.get(id as usize) {
            Some(&mask) => mask,
            None => self.mask_for(name),
        };
        self.subscriptions
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, s)| s.filter.as_str())
            .collect()
    }

    /// The children of node `id`, sorted by name.
    pub fn children(&self, id: u32) -> impl Iterator<Item = u32> + '_ {
        let from = (id, Box::<str>::from(""));
        self.children
            .range(from..)
            .take_while(move |((parent, _), _)| *parent == id)
            .map(|(_, &child)| child)
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
        } else if self.nodes[id as usize].child_count == 0 {
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
