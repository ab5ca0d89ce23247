//! Topic tree (MQTT Explorer style): the hierarchy of received topics with
//! message count, last value and last time per node; clicking a node
//! filters the log to it. Built from the store's incrementally maintained
//! tree and redrawn at most a few times a second; values are text nodes.

use super::state::AppState;
use super::subscribe_panel::add_subscription;
use super::workspace_state::WorkspaceState;
use crate::store::format::{self, PayloadView};
use crate::store::time::clock;
use crate::store::topics::{Topics, ROOT};
use crate::store::MessageStore;
use leptos::prelude::*;
use std::collections::{HashMap, HashSet};
use std::time::Duration;

/// Most rows drawn (the rest is summarized).
const MAX_ROWS: usize = 500;
/// Children listed per node before "… N more".
const MAX_CHILDREN: usize = 200;

#[derive(Debug, Clone, PartialEq)]
struct TreeRow {
    id: u32,
    depth: usize,
    name: String,
    path: String,
    count: u64,
    last_value: String,
    last_time: String,
    children: usize,
    expanded: bool,
    /// A message arrived on exactly this path (not only below it).
    is_topic: bool,
}

fn build(store: &MessageStore, expanded: &HashSet<u32>, offset_minutes: i32) -> Vec<TreeRow> {
    let topics = store.topics();
    let mut rows = Vec::new();
    let mut stack: Vec<(u32, usize)> = children_rev(topics, ROOT, 0);
    while let Some((id, depth)) = stack.pop() {
        if rows.len() >= MAX_ROWS {
            break;
        }
        let node = topics.node(id);
        let last = store.get(node.last_seq);
        let is_expanded = expanded.contains(&id);
        rows.push(TreeRow {
            id,
            depth,
            name: if node.name.is_empty() {
                "(empty)".into()
            } else {
                shorten(&node.name)
            },
            path: topics.path(id),
            count: node.count,
            last_value: last.map_or_else(
                || "(no longer in the log)".into(),
                |m| format::preview(PayloadView::Auto, m.payload, 80),
            ),
            last_time: clock(node.last_time_ms, offset_minutes),
            children: node.child_count as usize,
            expanded: is_expanded,
            is_topic: node.topic.is_some(),
        });
        if is_expanded {
            stack.extend(children_rev(topics, id, depth + 1));
        }
    }
    rows
}

/// A node's first [`MAX_CHILDREN`] children for the DFS stack (reversed).
fn children_rev(topics: &Topics, id: u32, depth: usize) -> Vec<(u32, usize)> {
    let mut listed: Vec<(u32, usize)> = topics
        .children(id)
        .take(MAX_CHILDREN)
        .map(|child| (child, depth))
        .collect();
    listed.reverse();
    listed
}

/// "N topics not tracked": the table is full (see `store::topics`), so
/// new topics get no node, but their messages are in the log.
fn untracked_notice(topics: &Topics) -> Option<String> {
    let untracked = topics.untracked();
    if untracked.messages == 0 {
        return None;
    }
    let limits = topics.limits();
    let count = group(untracked.topics() as u64);
    Some(format!(
        "{}{count} topic{} not tracked: the topic table is full ({} topics, {} of {} MiB). \
         Their {} message{} are in the log (filter by topic to see them). Clear the log to start over.",
        if untracked.more() { "More than " } else { "" },
        if untracked.topics() == 1 && !untracked.more() { "" } else { "s" },
        group(topics.len() as u64),
        mib(topics.accounted_bytes()),
        mib(limits.max_bytes),
        group(untracked.messages),
        if untracked.messages == 1 { "" } else { "s" },
    ))
}

/// Characters of a topic (or level) shown in a row; the rest is elided.
/// Laying out one 64 KB line costs the browser milliseconds, so a log
/// full of such topics would stall every redraw (the full name is in the
/// row's `data-topic` and in the message details).
pub const SHOWN_TOPIC_CHARS: usize = 200;

/// `text` cut to [`SHOWN_TOPIC_CHARS`] characters, with "… (N bytes)".
pub fn shorten(text: &str) -> String {
    match text.char_indices().nth(SHOWN_TOPIC_CHARS) {
        None => text.to_string(),
        Some((cut, _)) => format!("{}… ({} bytes)", &text[..cut], text.len()),
    }
}

/// 1234567 → "1,234,567".
fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn mib(bytes: usize) -> String {
    format!("{:.1}", bytes as f64 / (1024.0 * 1024.0))
}

/// The topic tree panel.
#[component]
pub fn TopicTree() -> impl IntoView {
    let state = expect_context::<AppState>();
    let ws = expect_context::<WorkspaceState>();
    let log = state.log;
    let aws = move || ws.form.with(|p| p.auth.is_aws());
    let tree_error = RwSignal::new(None::<String>);
    // AWS IoT sends retained messages only to exact-topic subscriptions.
    let subscribe_exactly = move |topic: String| {
        tree_error.set(
            add_subscription(
                state,
                ws,
                topic,
                crate::codec::QoS::AtMostOnce,
                String::new(),
            )
            .err(),
        );
    };
    let expanded = RwSignal::new(HashSet::<u32>::new());
    let rows = RwSignal::new(Vec::<TreeRow>::new());
    let built_version = StoredValue::new(u64::MAX);
    let generation = StoredValue::new(0u64);

    let rebuild = move || {
        let Some(core) = log.core() else {
            return;
        };
        let store = core.store.borrow();
        if generation.get_value() != store.generation() {
            generation.set_value(store.generation());
            expanded.set(HashSet::new());
        }
        let built = expanded.with_untracked(|e| build(&store, e, core.utc_offset_minutes));
        built_version.set_value(log.version.get_untracked());
        rows.set(built);
    };
    // Redraw at most ~3 times a second while messages arrive.
    let tick = move || {
        if built_version.get_value() != log.version.get_untracked() {
            rebuild();
        }
    };
    if let Ok(handle) = set_interval_with_handle(tick, Duration::from_millis(300)) {
        on_cleanup(move || handle.clear());
    }
    Effect::new(move |_| {
        expanded.track();
        rebuild();
    });

    let toggle = move |id: u32| {
        expanded.update(|e| {
            if !e.remove(&id) {
                e.insert(id);
            }
        })
    };
    // Rows are keyed by what changes their structure only; counts, times
    // and values are read through this index, so an update rewrites text
    // nodes instead of replacing rows. (A replaced <For> row leaves its
    // reactive owner's allocation behind in the parent until the panel is
    // unmounted: ~80 bytes per row per redraw, which the soak saw as wasm
    // memory creeping up.)
    let index = Memo::new(move |_| {
        rows.with(|rows| {
            rows.iter()
                .enumerate()
                .map(|(at, row)| (row.id, at))
                .collect::<HashMap<u32, usize>>()
        })
    });
    let current = move |id: u32, read: fn(&TreeRow) -> String| {
        index
            .with(|index| index.get(&id).copied())
            .and_then(|at| rows.with(|rows| rows.get(at).map(read)))
            .unwrap_or_default()
    };
    let topic_count = move || {
        log.version.track();
        log.with_store(|s| s.topics().len()).unwrap_or(0)
    };
    let untracked = move || {
        log.version.track();
        log.with_store(|s| untracked_notice(s.topics())).flatten()
    };

    view! {
        <section class="panel tree" aria-labelledby="tree-title">
            <div class="panel-head">
                <h2 id="tree-title">"Topics"</h2>
                <span class="count" data-testid="topic-count">{topic_count}</span>
                <span class="muted">"Click a topic to filter the log"</span>
            </div>
            {move || untracked().map(|text| view! {
                <p class="dropped" role="status" data-testid="topics-untracked">{text}</p>
            })}
            {move || tree_error.get().map(|text| view! {
                <p class="error" role="alert" data-testid="tree-error">{text}</p>
            })}
            <ul class="topic-tree" data-testid="topic-tree" role="tree">
                <For each=move || rows.get() key=|row| (row.id, row.expanded, row.children > 0, row.is_topic) let:row>
                    {
                        let id = row.id;
                        let filter = log.with_store(|s| s.topics().node_filter(id)).unwrap_or_default();
                        let indent = format!("{}em", row.depth as f64 * 1.2);
                        view! {
                            <li class="tree-node" role="treeitem" data-testid="tree-node" data-path=row.path.clone()
                                aria-expanded=(row.children > 0).then(|| row.expanded.to_string()) style:padding-left=indent>
                                {(row.children > 0).then(|| view! {
                                    <button class="tree-toggle" aria-label=format!("Expand {}", row.path)
                                        on:click=move |_| toggle(id)>
                                        {if row.expanded { "▾" } else { "▸" }}
                                    </button>
                                })}
                                <button class="link tree-name" title=format!("Filter the log by {filter}")
                                    on:click={
                                        let filter = filter.clone();
                                        move |_| log.topic_filter.set(filter.clone())
                                    }>
                                    {row.name.clone()}
                                </button>
                                <span class="tree-count" data-testid="tree-count">
                                    {move || current(id, |row| row.count.to_string())}
                                </span>
                                <span class="tree-time">{move || current(id, |row| row.last_time.clone())}</span>
                                <span class="tree-value" data-testid="tree-value">
                                    {move || current(id, |row| row.last_value.clone())}
                                </span>
                                {
                                    let path = row.path.clone();
                                    move || (aws() && row.is_topic).then(|| {
                                        let path = path.clone();
                                        view! {
                                            <button class="link" data-testid="tree-subscribe-exactly"
                                                title="AWS IoT sends retained messages only to a subscription on the exact topic"
                                                on:click=move |_| subscribe_exactly(path.clone())>
                                                "Subscribe exactly"
                                            </button>
                                        }
                                    })
                                }
                            </li>
                        }
                    }
                </For>
            </ul>
        </section>
    }
}
