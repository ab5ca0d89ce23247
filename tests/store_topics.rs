//! The topic table's bounds, natively: a count and a byte budget; topics
//! past them are not tracked but their messages stay in the log, visible,
//! filterable and counted; the tree's children stay sorted.

use mqtt_console::codec::QoS;
use mqtt_console::store::chart::Charts;
use mqtt_console::store::filter::{PayloadQuery, Query};
use mqtt_console::store::topics::{TopicLimits, ROOT, UNTRACKED};
use mqtt_console::store::view::LogView;
use mqtt_console::store::{Incoming, MessageStore, StoreConfig, RECORD_BYTES};

fn push(store: &mut MessageStore, topic: &str, payload: &[u8]) -> u64 {
    let time_ms = 1_700_000_000_000.0 + store.next_seq() as f64;
    store.push(Incoming {
        topic,
        payload,
        qos: QoS::AtMostOnce,
        retain: false,
        duplicate: false,
        time_ms,
    })
}

fn limited(max_topics: usize, max_bytes: usize) -> MessageStore {
    let mut store = MessageStore::default();
    store.topics_mut().set_limits(TopicLimits {
        max_topics,
        max_bytes,
    });
    store
}

fn matching(store: &MessageStore, query: Query) -> Vec<u64> {
    let mut view = LogView::default();
    view.set_query(query);
    view.refresh(store);
    let rows = view.seqs(store);
    (0..rows.len()).filter_map(|i| rows.get(i)).collect()
}

#[test]
fn default_limits_bound_the_table_by_count() {
    let mut store = MessageStore::default();
    let limits = TopicLimits::default();
    for i in 0..limits.max_topics + 50_000 {
        push(&mut store, &format!("fleet/{}/t/{i}", i % 97), b"1");
    }
    let topics = store.topics();
    assert_eq!(topics.len(), limits.max_topics);
    assert!(topics.accounted_bytes() <= limits.max_bytes);
    assert_eq!(topics.untracked().topics(), 50_000);
    assert_eq!(topics.untracked().messages, 50_000);
    assert!(!topics.untracked().more());
    // Every message is still in the log with its own topic.
    assert_eq!(store.len(), limits.max_topics + 50_000);
    let last = store.get(store.next_seq() - 1).unwrap();
    let n = limits.max_topics + 49_999;
    assert_eq!(last.topic, format!("fleet/{}/t/{n}", n % 97));
    assert_eq!(last.topic_id, UNTRACKED);
}

#[test]
fn the_byte_budget_bounds_long_topics() {
    let budget = 1024 * 1024;
    let mut store = limited(usize::MAX, budget);
    let long = "x".repeat(64 * 1024);
    for i in 0..100 {
        push(&mut store, &format!("{long}/{i}"), b"v");
        assert!(store.topics().accounted_bytes() <= budget);
    }
    let tracked = store.topics().len();
    assert!(tracked > 0 && tracked < 100, "{tracked} tracked");
    assert_eq!(store.topics().untracked().topics(), 100 - tracked);
    for (i, message) in store.iter().enumerate() {
        assert_eq!(message.topic, format!("{long}/{i}"));
        assert_eq!(message.payload, b"v");
    }
}

#[test]
fn untracked_topics_count_against_the_log_budget_and_go_with_their_messages() {
    let mut store = limited(1, usize::MAX);
    store.set_config(StoreConfig {
        max_bytes: 10 * (1000 + 2 + RECORD_BYTES),
        ..StoreConfig::default()
    });
    push(&mut store, "tracked", b"ab");
    let long = "y".repeat(1000);
    for _ in 0..30 {
        push(&mut store, &long, b"ab");
    }
    assert_eq!(store.live_bytes(), 10 * (1000 + 2 + RECORD_BYTES));
    assert_eq!(store.len(), 10, "the oldest dropped to respect the budget");
    assert!(store
        .iter()
        .all(|m| m.topic == long && m.topic_id == UNTRACKED));
    assert_eq!(store.topics().untracked().topics(), 1);
    assert_eq!(store.topics().untracked().messages, 30);
}

#[test]
fn a_tracked_topic_keeps_counting_once_the_table_is_full() {
    let mut store = limited(2, usize::MAX);
    for topic in ["a", "b", "c", "a", "c", "b"] {
        push(&mut store, topic, b"1");
    }
    let topics = store.topics();
    assert_eq!(topics.node(ROOT).count, 4, "the tree counts tracked topics");
    let a = topics.id("a").unwrap();
    assert_eq!(
        topics.node(topics.children(ROOT).next().unwrap()).topic,
        Some(a)
    );
    assert_eq!(topics.id("c"), None);
    assert_eq!(
        (topics.untracked().topics(), topics.untracked().messages),
        (1, 2)
    );
}

#[test]
fn untracked_messages_filter_by_topic_and_payload_but_not_by_their_name() {
    let mut store = limited(1, usize::MAX);
    push(&mut store, "first", b"x");
    push(&mut store, "needle/one", b"hay");
    push(&mut store, "other/two", b"needle");
    push(&mut store, "needle/three", b"more needle");
    let by_topic = matching(
        &store,
        Query {
            topic_filters: vec!["needle/#".into()],
            payload: PayloadQuery::Any,
        },
    );
    assert_eq!(by_topic, [1, 3]);
    let by_text = matching(
        &store,
        Query {
            topic_filters: vec![],
            payload: PayloadQuery::text("needle", false),
        },
    );
    assert_eq!(
        by_text,
        [2, 3],
        "the topic name kept in the arena is no payload"
    );
    let both = matching(
        &store,
        Query {
            topic_filters: vec!["needle/+".into()],
            payload: PayloadQuery::text("needle", false),
        },
    );
    assert_eq!(both, [3]);
}

#[test]
fn untracked_topics_count_for_subscriptions_and_charts() {
    let mut store = limited(1, usize::MAX);
    store.topics_mut().set_subscriptions(&["s/#".into()]);
    let mut charts = Charts::default();
    charts.add("s/+", "v", &store);
    push(&mut store, "first", b"{}");
    for i in 0..5 {
        let seq = push(
            &mut store,
            &format!("s/{i}"),
            format!("{{\"v\":{i}}}").as_bytes(),
        );
        let message = store.get(seq).unwrap();
        charts.offer(&message, store.generation());
    }
    assert_eq!(store.topics().subscriptions()[0].count, 5);
    let message = store.get(3).unwrap();
    assert_eq!(message.topic_id, UNTRACKED);
    assert_eq!(
        store
            .topics()
            .matching_subscriptions(message.topic_id, message.topic),
        ["s/#"]
    );
    let values: Vec<f64> = charts.series()[0].points.iter().map(|p| p.1).collect();
    assert_eq!(values, [0.0, 1.0, 2.0, 3.0, 4.0]);
}

#[test]
fn clear_forgets_untracked_counts_and_keeps_the_limits() {
    let mut store = limited(1, usize::MAX);
    push(&mut store, "a", b"1");
    push(&mut store, "b", b"1");
    store.clear();
    assert_eq!(store.topics().untracked().messages, 0);
    assert_eq!(store.topics().limits().max_topics, 1);
    push(&mut store, "b", b"1");
    assert!(store.topics().id("b").is_some());
}

#[test]
fn many_siblings_stay_sorted() {
    let mut store = MessageStore::default();
    // A scrambled order (multiplicative hash of i), all under one parent.
    let n = 20_000u64;
    for i in 0..n {
        let k = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) % 1_000_000_007;
        push(&mut store, &format!("wide/{k:012}"), b"1");
    }
    let topics = store.topics();
    let wide = topics.children(ROOT).next().unwrap();
    assert_eq!(topics.node(wide).child_count as u64, n);
    let names: Vec<&str> = topics
        .children(wide)
        .map(|c| &*topics.node(c).name)
        .collect();
    assert_eq!(names.len() as u64, n);
    assert!(names.windows(2).all(|w| w[0] < w[1]), "sorted by name");
}

#[test]
fn distinct_untracked_topics_are_counted_up_to_a_bound() {
    use mqtt_console::store::topics::MAX_UNTRACKED_COUNTED;
    let mut store = limited(0, usize::MAX);
    store.set_config(StoreConfig {
        max_messages: 1000,
        ..StoreConfig::default()
    });
    for i in 0..MAX_UNTRACKED_COUNTED + 10 {
        push(&mut store, &format!("u/{i}"), b"");
    }
    let untracked = store.topics().untracked();
    assert_eq!(untracked.topics(), MAX_UNTRACKED_COUNTED);
    assert!(untracked.more());
    assert_eq!(untracked.messages as usize, MAX_UNTRACKED_COUNTED + 10);
    assert_eq!(store.len(), 1000);
}
