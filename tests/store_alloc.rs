#![cfg(not(target_arch = "wasm32"))]
//! Allocation behaviour of the message store at a steady state: a capped log
//! that keeps dropping must not allocate big arenas again and again. In the
//! browser wasm memory only grows, and big blocks freed between small
//! long-lived allocations fragment it (a one-hour soak showed wasm memory
//! creeping up until segments were reused). Counted per thread with a global
//! allocator, so it is deterministic.

mod alloc_counting;

use alloc_counting::big_allocations;
use mqtt_console::codec::QoS;
use mqtt_console::store::{Incoming, MessageStore, StoreConfig, SEGMENT_BYTES};

#[global_allocator]
static GLOBAL: alloc_counting::Counting = alloc_counting::Counting;

/// Pushes `n` soak-like messages (50 topics, ~80-byte JSON payloads).
fn push_many(store: &mut MessageStore, n: usize) {
    let topics: Vec<String> = (0..50).map(|i| format!("soak/device/{i}")).collect();
    for _ in 0..n {
        let seq = store.next_seq();
        let payload = format!(
            "{{\"seq\":{seq},\"t\":1700000000000,\"f\":\"{}\"}}",
            "x".repeat(40)
        );
        store.push(Incoming {
            topic: &topics[seq as usize % 50],
            payload: payload.as_bytes(),
            qos: QoS::AtMostOnce,
            retain: false,
            duplicate: false,
            time_ms: 1_700_000_000_000.0 + seq as f64,
        });
    }
}

#[test]
fn a_capped_log_that_keeps_dropping_reuses_its_segments() {
    let mut store = MessageStore::new(StoreConfig {
        max_messages: 10_000,
        ..StoreConfig::default()
    });
    // Warm up: the log fills and starts dropping; segments are created.
    push_many(&mut store, 100_000);
    assert!(store.dropped() > 0);
    let before = big_allocations();
    let bytes_before = store.allocated_bytes();
    push_many(&mut store, 500_000);
    assert_eq!(store.len(), 10_000);
    assert_eq!(
        big_allocations() - before,
        0,
        "big allocations while dropping at a steady state"
    );
    assert_eq!(store.allocated_bytes(), bytes_before);
    // Live data plus at most one partly dropped segment and one spare.
    assert!(store.allocated_bytes() <= 4 * (SEGMENT_BYTES + 16 * 1024 * 24));
}

#[test]
fn clearing_keeps_one_segment_for_the_next_messages() {
    let mut store = MessageStore::default();
    push_many(&mut store, 20_000);
    store.clear();
    assert!(store.is_empty());
    let before = big_allocations();
    push_many(&mut store, 1_000);
    assert_eq!(big_allocations() - before, 0);
    assert_eq!(store.len(), 1_000);
}
