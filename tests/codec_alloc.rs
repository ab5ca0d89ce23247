#![cfg(not(target_arch = "wasm32"))]
//! Allocation budget of the decoder, counted with a global allocator: a
//! PUBLISH costs one allocation (its topic `String`); the payload is a view of
//! the receive buffer. Deterministic, unlike timing on a shared machine.
//! Counted per thread (see `alloc_counting`).

mod alloc_counting;

use bytes::Bytes;
use mqtt_console::codec::*;

#[global_allocator]
static GLOBAL: alloc_counting::Counting = alloc_counting::Counting;

const N: usize = 1_000;

fn frames(payload_len: usize) -> Vec<Vec<u8>> {
    (0..N)
        .map(|i| {
            let p = Packet::Publish(Publish {
                dup: false,
                qos: QosPid::AtLeastOnce(PacketId::new(1 + i as u16).unwrap()),
                retain: false,
                topic: "bench/device/42/telemetry".into(),
                payload: Bytes::from(vec![7; payload_len]),
            });
            let mut out = Vec::new();
            encode(&p, &mut out).unwrap();
            out
        })
        .collect()
}

/// Allocations this thread makes while running `f`. Each PUBLISH allocates its
/// topic, so a count below `N` would mean the counter itself is broken.
fn count<T>(f: impl FnOnce() -> T) -> (usize, T) {
    let before = alloc_counting::allocations();
    let t = f();
    (alloc_counting::allocations() - before, t)
}

#[test]
fn one_allocation_per_publish_when_packets_are_dropped() {
    for payload_len in [64, 1024] {
        let frames = frames(payload_len);
        let mut d = StreamDecoder::default();
        // Warm up: the receive buffer reaches its working size.
        for f in &frames[..10] {
            d.feed(f);
            while d.next_packet().unwrap().is_some() {}
        }
        let (allocs, n) = count(|| {
            let mut n = 0;
            for f in &frames {
                d.feed(f);
                while let Some(p) = d.next_packet().unwrap() {
                    drop(p);
                    n += 1;
                }
            }
            n
        });
        assert_eq!(n, N);
        assert!(
            (N..=N + 2).contains(&allocs),
            "{allocs} allocations for {N} packets of {payload_len} B"
        );
    }
}

#[test]
fn batch_feed_costs_one_allocation_per_publish_plus_the_buffer() {
    let stream: Vec<u8> = frames(64).concat();
    let mut d = StreamDecoder::default();
    let (allocs, n) = count(|| {
        d.feed(&stream);
        let mut n = 0;
        while let Some(p) = d.next_packet().unwrap() {
            drop(p);
            n += 1;
        }
        n
    });
    assert_eq!(n, N);
    // Growing the buffer to the batch and sharing it cost a handful more.
    assert!(
        (N..=N + 8).contains(&allocs),
        "{allocs} allocations for {N} packets"
    );
}

#[test]
fn kept_payloads_cost_few_extra_buffer_allocations() {
    let frames = frames(64);
    let mut d = StreamDecoder::default();
    let mut kept = Vec::with_capacity(N);
    let (allocs, ()) = count(|| {
        for f in &frames {
            d.feed(f);
            while let Some(p) = d.next_packet().unwrap() {
                kept.push(p);
            }
        }
    });
    assert_eq!(kept.len(), N);
    // ~95 KB of packets kept alive: new receive buffers come in >= 8 KiB
    // steps (about 12 of them, each with its shared header), not one per feed.
    assert!(
        (N..=N + 40).contains(&allocs),
        "{allocs} allocations for {N} kept packets"
    );
    // Payloads are views, not copies.
    let Packet::Publish(p) = &kept[0] else {
        unreachable!()
    };
    assert_eq!(p.payload.len(), 64);
}
