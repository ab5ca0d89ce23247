#![cfg(not(target_arch = "wasm32"))]
//! Allocation budget of the decoder, counted with a global allocator: a
//! PUBLISH costs one allocation (its topic `String`); the payload is a view of
//! the receive buffer. Deterministic, unlike timing on a shared machine.
//!
//! Counts are per thread: the test harness allocates on its own threads (its
//! progress output, other tests) and those must not count against the codec.

use bytes::Bytes;
use mqtt_console::codec::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    /// Allocations made by this thread; const-initialised so reading it
    /// never allocates inside the allocator.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn note_allocation() {
    // `try_with` fails only while the thread is being torn down.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_allocation();
        unsafe { System.alloc(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_allocation();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

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
    let before = ALLOCATIONS.with(Cell::get);
    let t = f();
    (ALLOCATIONS.with(Cell::get) - before, t)
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
