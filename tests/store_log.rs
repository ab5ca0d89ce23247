//! The message store, natively: caps and drop counting, byte budget,
//! truncation, filters (topic wildcards, text, predicate, incremental),
//! pause/backlog, the viewport window, topic tree counts, subscription
//! counters, charts and export formats.

use mqtt_console::codec::QoS;
use mqtt_console::store::chart::{downsample, Charts};
use mqtt_console::store::export::{ExportFormat, Exporter, CSV_HEADER};
use mqtt_console::store::filter::{PayloadQuery, Query};
use mqtt_console::store::topics::ROOT;
use mqtt_console::store::view::{scroll_top_for_row, window, LogView, Rows, MAX_SPACER_PX};
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

fn config(max_messages: usize) -> StoreConfig {
    StoreConfig {
        max_messages,
        ..StoreConfig::default()
    }
}

fn payloads(store: &MessageStore) -> Vec<String> {
    store
        .iter()
        .map(|m| String::from_utf8(m.payload.to_vec()).unwrap())
        .collect()
}

#[test]
fn cap_drops_oldest_first_and_counts_them() {
    let mut store = MessageStore::new(config(3));
    for i in 0..5 {
        push(&mut store, "t", i.to_string().as_bytes());
    }
    assert_eq!(store.len(), 3);
    assert_eq!(store.dropped(), 2);
    assert_eq!(payloads(&store), ["2", "3", "4"]);
    assert_eq!((store.first_seq(), store.next_seq()), (2, 5));
    assert!(store.get(1).is_none());
    assert_eq!(store.get(2).unwrap().payload, b"2");
}

#[test]
fn many_segments_stay_consistent_across_drops() {
    let mut store = MessageStore::new(config(50_000));
    for i in 0..120_000u32 {
        push(&mut store, &format!("dev/{}", i % 7), &i.to_le_bytes());
    }
    assert_eq!(store.len(), 50_000);
    assert_eq!(store.dropped(), 70_000);
    for (n, message) in store.iter().enumerate() {
        let i = u32::from_le_bytes(message.payload.try_into().unwrap());
        assert_eq!(i as usize, 70_000 + n);
        assert_eq!(message.seq, i as u64);
        assert_eq!(message.topic, format!("dev/{}", i % 7));
    }
    let middle: Vec<u64> = store.range(99_990, 100_010).map(|m| m.seq).collect();
    assert_eq!(middle, (99_990..100_010).collect::<Vec<_>>());
    // Freed segments: at most one partly dropped segment beyond the live data.
    assert!(store.allocated_bytes() < 50_000 * (4 + RECORD_BYTES) + 3 * 1024 * 1024);
}

#[test]
fn lowering_the_cap_drops_at_once() {
    let mut store = MessageStore::default();
    for _ in 0..10 {
        push(&mut store, "t", b"x");
    }
    store.set_config(config(4));
    assert_eq!((store.len(), store.dropped(), store.first_seq()), (4, 6, 6));
}

#[test]
fn byte_budget_drops_oldest_but_keeps_the_newest() {
    let mut store = MessageStore::new(StoreConfig {
        max_messages: 1000,
        max_bytes: 3 * (100 + RECORD_BYTES),
        max_payload: 10_000,
    });
    for _ in 0..5 {
        push(&mut store, "t", &[b'x'; 100]);
    }
    assert_eq!(store.len(), 3);
    assert_eq!(store.dropped(), 2);
    push(&mut store, "t", &[b'y'; 5000]);
    assert_eq!(store.len(), 1, "a message over the budget is still kept");
    assert_eq!(store.dropped(), 5);
}

#[test]
fn large_payloads_are_truncated_with_full_size_kept() {
    let mut store = MessageStore::new(StoreConfig {
        max_payload: 1000,
        ..StoreConfig::default()
    });
    let big = vec![b'a'; 3 * 1024 * 1024];
    let seq = push(&mut store, "big", &big);
    let small = push(&mut store, "small", b"ok");
    let message = store.get(seq).unwrap();
    assert!(message.truncated());
    assert_eq!(message.payload.len(), 1000);
    assert_eq!(message.size, big.len());
    assert!(!store.get(small).unwrap().truncated());
    assert_eq!(store.truncated_count(), 1);
}

#[test]
fn payloads_larger_than_a_segment_are_kept_whole_up_to_the_limit() {
    let mut store = MessageStore::default();
    let big: Vec<u8> = (0..3_000_000u32).map(|i| i as u8).collect();
    push(&mut store, "a", b"before");
    let seq = push(&mut store, "big", &big);
    push(&mut store, "a", b"after");
    assert_eq!(store.get(seq).unwrap().payload.len(), 1024 * 1024);
    let unlimited = StoreConfig {
        max_payload: usize::MAX,
        ..StoreConfig::default()
    };
    let mut store = MessageStore::new(unlimited);
    let seq = push(&mut store, "big", &big);
    assert_eq!(store.get(seq).unwrap().payload, &big[..]);
    assert_eq!(store.len(), 1);
}

#[test]
fn clear_forgets_messages_counters_and_topics() {
    let mut store = MessageStore::new(config(2));
    for _ in 0..4 {
        push(&mut store, "a/b", b"x");
    }
    store.clear();
    assert!(store.is_empty());
    assert_eq!(store.dropped(), 0);
    assert_eq!(store.topics().len(), 0);
    assert_eq!(store.topics().node(ROOT).count, 0);
    let seq = push(&mut store, "c", b"y");
    assert_eq!(seq, 4, "seq numbers are never reused");
    assert_eq!(store.get(seq).unwrap().topic, "c");
}

#[test]
fn topic_tree_counts_every_level() {
    let mut store = MessageStore::default();
    for topic in [
        "device/temp/details",
        "device/light/details",
        "device/temp/details",
        "device/temp",
        "/x",
    ] {
        push(&mut store, topic, b"{}");
    }
    let topics = store.topics();
    let root = topics.node(ROOT);
    assert_eq!(root.count, 5);
    let names: Vec<&str> = topics
        .children(ROOT)
        .map(|c| &*topics.node(c).name)
        .collect();
    assert_eq!(names, ["", "device"], "children sorted by name");
    assert_eq!(root.child_count, 2);
    let device_id = topics.children(ROOT).nth(1).unwrap();
    let device = topics.node(device_id);
    assert_eq!(device.count, 4);
    let temp = topics
        .children(device_id)
        .map(|c| (c, topics.node(c)))
        .find(|(_, n)| &*n.name == "temp")
        .unwrap();
    assert_eq!(temp.1.count, 3, "temp itself and temp/details");
    assert!(temp.1.topic.is_some());
    assert_eq!(temp.1.last_seq, 3);
    assert_eq!(topics.path(temp.0), "device/temp");
    assert_eq!(topics.node_filter(temp.0), "device/temp/#");
    let details_id = topics.children(temp.0).next().unwrap();
    let details = topics.node(details_id);
    assert_eq!((details.count, details.last_seq), (2, 2));
    assert_eq!(topics.node_filter(details_id), "device/temp/details");
    assert_eq!(topics.len(), 4);
    assert_eq!(topics.id("device/temp"), Some(2));
    assert_eq!(topics.id("nope"), None);
}

#[test]
fn subscription_counters() {
    let mut store = MessageStore::default();
    store
        .topics_mut()
        .set_subscriptions(&["device/+/details".into(), "#".into()]);
    push(&mut store, "device/a/details", b"1");
    push(&mut store, "device/a", b"2");
    push(&mut store, "$SYS/x", b"3");
    let counts: Vec<u64> = store
        .topics()
        .subscriptions()
        .iter()
        .map(|s| s.count)
        .collect();
    assert_eq!(counts, [1, 2], "`#` does not match $SYS topics");
    let id = store.topics().id("device/a/details").unwrap();
    assert_eq!(
        store
            .topics()
            .matching_subscriptions(id, "device/a/details"),
        ["device/+/details", "#"]
    );
    store
        .topics_mut()
        .set_subscriptions(&["#".into(), "device/a".into()]);
    push(&mut store, "device/a", b"4");
    let counts: Vec<u64> = store
        .topics()
        .subscriptions()
        .iter()
        .map(|s| s.count)
        .collect();
    assert_eq!(
        counts,
        [3, 1],
        "kept count for a kept filter, new one starts at 0"
    );
}

fn seqs(view: &LogView, store: &MessageStore) -> Vec<u64> {
    (0..view.len(store))
        .map(|row| view.seq_at(store, row).unwrap())
        .collect()
}

#[test]
fn topic_and_text_filters_narrow_the_view_incrementally() {
    let mut store = MessageStore::new(config(6));
    push(&mut store, "device/temp/details", br#"{"currentTemp": 15}"#);
    push(
        &mut store,
        "device/light/details",
        br#"{"currentLight": 50}"#,
    );
    push(&mut store, "other", b"TEMP is high");
    let mut view = LogView::default();
    view.set_query(Query {
        topic_filters: vec!["device/+/details".into()],
        payload: PayloadQuery::Any,
    });
    view.refresh(&store);
    assert_eq!(seqs(&view, &store), [0, 1]);
    view.set_query(Query {
        topic_filters: vec![],
        payload: PayloadQuery::text("temp", true),
    });
    view.refresh(&store);
    assert_eq!(seqs(&view, &store), [0, 2]);
    view.set_query(Query {
        topic_filters: vec![],
        payload: PayloadQuery::text("Temp", false),
    });
    view.refresh(&store);
    assert_eq!(seqs(&view, &store), [0]);
    // New matches are appended, dropped ones forgotten.
    view.set_query(Query {
        topic_filters: vec!["device/#".into()],
        payload: PayloadQuery::text("current", true),
    });
    view.refresh(&store);
    for i in 0..5 {
        push(&mut store, "device/x", format!("current {i}").as_bytes());
        push(&mut store, "elsewhere", b"current");
    }
    view.refresh(&store);
    assert_eq!(store.first_seq(), 7);
    assert_eq!(seqs(&view, &store), [7, 9, 11]);
    assert_eq!(view.row_of(&store, 9), Some(1));
    assert_eq!(view.row_of(&store, 8), None);
    // A clear resets the view.
    store.clear();
    push(&mut store, "device/y", b"current");
    view.refresh(&store);
    assert_eq!(seqs(&view, &store), [13]);
}

#[test]
fn predicate_filter() {
    let mut store = MessageStore::default();
    for i in 0..10 {
        push(&mut store, "n", i.to_string().as_bytes());
    }
    let mut view = LogView::default();
    view.set_query(Query {
        topic_filters: vec![],
        payload: PayloadQuery::Predicate(Box::new(|p| p[0] % 2 == 0)),
    });
    view.refresh(&store);
    assert_eq!(seqs(&view, &store), [0, 2, 4, 6, 8]);
    assert!(view.is_filtered());
    view.set_query(Query::all());
    assert!(!view.is_filtered());
}

#[test]
fn text_filter_never_matches_across_message_boundaries() {
    let mut store = MessageStore::default();
    for payload in [&b"abc"[..], b"def", b"xabcdefx", b"", b"ABCDEF", b"cdef"] {
        push(&mut store, "t", payload);
    }
    let mut view = LogView::default();
    view.set_query(Query {
        topic_filters: vec![],
        payload: PayloadQuery::text("cde", true),
    });
    view.refresh(&store);
    assert_eq!(seqs(&view, &store), [2, 4, 5], "abc|def does not match");
    view.set_query(Query {
        topic_filters: vec![],
        payload: PayloadQuery::text("cde", false),
    });
    view.refresh(&store);
    assert_eq!(seqs(&view, &store), [2, 5]);
}

#[test]
fn budgeted_refresh_completes_over_several_calls() {
    let mut store = MessageStore::default();
    for i in 0..100_000u32 {
        push(
            &mut store,
            "t",
            if i % 1000 == 0 { b"hit" } else { b"miss" },
        );
    }
    let mut view = mqtt_console::store::filter::FilteredView::new(Query {
        topic_filters: vec![],
        payload: PayloadQuery::Predicate(Box::new(|p| p == b"hit")),
    });
    let mut calls = 0;
    while !view.refresh_some(&store, 20_000) {
        calls += 1;
        assert!(view.progress(&store) < 1.0);
    }
    assert!(calls >= 3, "{calls}");
    assert_eq!(view.len(), 100);
}

#[test]
fn text_search_edges() {
    use mqtt_console::store::filter::{find, find_ignore_ascii_case};
    assert!(find(b"abcabd", b"abd"));
    assert!(!find(b"ab", b"abc"));
    assert!(find(b"x", b""));
    assert!(find_ignore_ascii_case(b"Hello WORLD", b"world"));
    assert!(!find_ignore_ascii_case(b"Hello WORL", b"world"));
    assert!(find_ignore_ascii_case(
        "Grüße".as_bytes(),
        "grüße".as_bytes()
    ));
}

#[test]
fn pause_freezes_rows_and_counts_the_backlog() {
    let mut store = MessageStore::default();
    for _ in 0..3 {
        push(&mut store, "a", b"1");
    }
    let mut view = LogView::default();
    view.pause(&store);
    for _ in 0..4 {
        push(&mut store, "a", b"2");
    }
    assert_eq!(view.len(&store), 3);
    assert_eq!(view.backlog(&store), 4);
    assert_eq!(view.seq_at(&store, 3), None);
    view.set_query(Query {
        topic_filters: vec!["a".into()],
        payload: PayloadQuery::text("2", false),
    });
    view.refresh(&store);
    assert_eq!((view.len(&store), view.backlog(&store)), (0, 4));
    view.resume();
    assert_eq!((view.len(&store), view.backlog(&store)), (4, 0));
}

#[test]
fn viewport_window() {
    let w = window(1000, 20.0, 200.0, 100.0);
    assert_eq!(
        (w.first, w.count, w.top_px, w.spacer_px),
        (10, 6, 200.0, 20_000.0)
    );
    let end = window(1000, 20.0, 19_900.0, 100.0);
    assert_eq!(end.first + end.count, 1000);
    let few = window(3, 20.0, 0.0, 100.0);
    assert_eq!((few.first, few.count), (0, 3));
    assert_eq!(window(0, 20.0, 0.0, 100.0).count, 0);
    // A million rows are scaled onto a spacer browsers can handle.
    let rows = 1_000_000;
    let top = window(rows, 24.0, 0.0, 480.0);
    assert_eq!((top.first, top.spacer_px), (0, MAX_SPACER_PX));
    let bottom = window(rows, 24.0, MAX_SPACER_PX - 480.0, 480.0);
    assert_eq!(bottom.first + bottom.count, rows);
    let target = 654_321;
    let scroll = scroll_top_for_row(rows, 24.0, 480.0, target);
    let middle = window(rows, 24.0, scroll, 480.0);
    assert!(
        (middle.first as i64 - target as i64).abs() <= 1,
        "{}",
        middle.first
    );
    assert!((middle.top_px - scroll).abs() <= 24.0);
}

#[test]
fn exports_parse_back() {
    let mut store = MessageStore::default();
    push(&mut store, "a/b", br#"{"v": "x,y \"q\""}"#);
    push(&mut store, "bin", b"\xff\x00");
    push(&mut store, "line", b"two\nlines");
    let rows = Rows::Range { from: 0, to: 3 };
    let mut exporter = Exporter::new(ExportFormat::Ndjson, rows.clone());
    let mut ndjson = String::new();
    while let Some(chunk) = exporter.next_chunk(&store, 2) {
        ndjson.push_str(&chunk);
    }
    assert_eq!(exporter.written(), 3);
    let lines: Vec<serde_json::Value> = ndjson
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["topic"], "a/b");
    assert_eq!(lines[0]["payload"], r#"{"v": "x,y \"q\""}"#);
    assert_eq!(lines[0]["qos"], 0);
    assert_eq!(lines[0]["retain"], false);
    assert_eq!(lines[0]["size"], 18);
    assert_eq!(lines[0]["time"], "2023-11-14T22:13:20.000Z");
    assert_eq!(lines[1]["payload_base64"], "/wA=");
    assert_eq!(lines[2]["payload"], "two\nlines");

    let mut exporter = Exporter::new(ExportFormat::Csv, Rows::List(vec![0, 2, 99]));
    let mut csv = String::new();
    while let Some(chunk) = exporter.next_chunk(&store, 10) {
        csv.push_str(&chunk);
    }
    assert_eq!(exporter.written(), 2, "rows no longer stored are skipped");
    assert!(csv.starts_with(CSV_HEADER));
    assert_eq!(
        csv,
        format!(
            "{CSV_HEADER}2023-11-14T22:13:20.000Z,a/b,0,false,false,18,false,utf8,\"{{\"\"v\"\": \"\"x,y \\\"\"q\\\"\"\"\"}}\"\r\n\
             2023-11-14T22:13:20.002Z,line,0,false,false,9,false,utf8,\"two\nlines\"\r\n"
        )
    );
}

#[test]
fn charts_collect_numbers_live_and_backfill() {
    let mut store = MessageStore::default();
    push(&mut store, "device/temp/details", br#"{"currentTemp": 15}"#);
    push(
        &mut store,
        "device/light/details",
        br#"{"currentTemp": 99}"#,
    );
    let mut charts = Charts::default();
    let id = charts.add("device/temp/#", "currentTemp", &store);
    let other = charts.add("+/+/details", "currentTemp", &store);
    let seq = push(
        &mut store,
        "device/temp/details",
        br#"{"currentTemp": 16.5}"#,
    );
    charts.offer(&store.get(seq).unwrap(), store.generation());
    let seq = push(&mut store, "device/temp/details", b"not json");
    charts.offer(&store.get(seq).unwrap(), store.generation());
    let series = &charts.series()[0];
    assert_eq!(series.id, id);
    let values: Vec<f64> = series.points.iter().map(|p| p.1).collect();
    assert_eq!(values, [15.0, 16.5]);
    assert_eq!(charts.series()[1].points.len(), 3);
    charts.remove(other);
    assert_eq!(charts.series().len(), 1);
}

#[test]
fn downsampling_keeps_extremes() {
    let points: std::collections::VecDeque<(f64, f64)> = (0..10_000)
        .map(|i| (i as f64, if i == 5000 { 1e6 } else { (i % 10) as f64 }))
        .collect();
    let drawn = downsample(&points, 0.0, 10_000.0, 100);
    assert!(drawn.len() <= 200);
    assert!(drawn.iter().any(|p| p.1 == 1e6));
    assert!(drawn.windows(2).all(|w| w[0].0 <= w[1].0));
}

#[test]
fn a_million_small_messages_fit_the_memory_target() {
    let mut store = MessageStore::default();
    let payload = [b'x'; 64];
    let topics: Vec<String> = (0..100).map(|i| format!("bench/device/{i}")).collect();
    for i in 0..1_000_000usize {
        push(&mut store, &topics[i % 100], &payload);
    }
    assert_eq!(store.len(), 1_000_000);
    assert_eq!(store.dropped(), 0);
    let mb = store.allocated_bytes() as f64 / 1e6;
    assert!(mb < 100.0, "{mb} MB");
    let started = std::time::Instant::now();
    let mut view = LogView::default();
    view.set_query(Query {
        topic_filters: vec![],
        payload: PayloadQuery::text("needle", true),
    });
    view.refresh(&store);
    eprintln!(
        "1M x 64 B: {mb:.1} MB allocated; text filter {:?} (debug build)",
        started.elapsed()
    );
    assert_eq!(view.len(&store), 0);
}
