//! Codec throughput (native, criterion): PUBLISH to
//! `bench/device/42/telemetry` with 64 B and 1 KB payloads.
//!
//! `cargo bench --bench codec` (or add `-- --quick` for a short run).
//! Each benchmark handles a batch of 1,000 packets; the `packets` groups
//! report packets/s, the `bytes` groups MB/s.
//!
//! * `decode_*/batch`: the whole batch fed at once, then drained.
//! * `decode_*/per_packet`: one `feed` per packet (one WebSocket message
//!   per MQTT packet, the common browser case), each drained.
//! * `decode_*/per_packet_kept`: the same, keeping every decoded packet
//!   alive until the batch ends (like a message log).
//! * `encode_*`: the batch encoded into a reused `Vec`.
//! * `mqtt5_vs_311/*`: 100,000 QoS 0 PUBLISH of 64 B, one `feed` per
//!   packet, decoded by the 3.1.1 decoder, by the MQTT 5 decoder without
//!   properties, and with two (Content Type and one User Property), in the
//!   same run: compare them as ratios (docs/codec-v5.md).
//!   `cargo bench --bench codec -- mqtt5_vs_311`
#![cfg(not(target_arch = "wasm32"))]

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use mqtt_console::codec::v5;
use mqtt_console::codec::{encode, Packet, PacketId, Publish, QosPid, StreamDecoder};
use std::hint::black_box;
use std::time::Duration;

const BATCH: usize = 1_000;
const TOPIC: &str = "bench/device/42/telemetry";

fn packets(payload_len: usize) -> Vec<Packet> {
    (0..BATCH)
        .map(|i| {
            Packet::Publish(Publish {
                dup: false,
                qos: if i % 2 == 0 {
                    QosPid::AtMostOnce
                } else {
                    QosPid::AtLeastOnce(PacketId::new(1 + i as u16).unwrap())
                },
                retain: false,
                topic: TOPIC.to_string(),
                payload: Bytes::from(vec![(i % 251) as u8; payload_len]),
            })
        })
        .collect()
}

fn wire(packets: &[Packet]) -> (Vec<u8>, Vec<usize>) {
    let mut out = Vec::new();
    let mut ends = Vec::new();
    for p in packets {
        encode(p, &mut out).unwrap();
        ends.push(out.len());
    }
    (out, ends)
}

fn drain(d: &mut StreamDecoder) -> usize {
    let mut n = 0;
    while let Some(p) = d.next_packet().unwrap() {
        black_box(p);
        n += 1;
    }
    n
}

fn bench(c: &mut Criterion) {
    for (label, size) in [("64B", 64usize), ("1KB", 1024)] {
        let packets = packets(size);
        let (stream, ends) = wire(&packets);
        let frames: Vec<&[u8]> = ends
            .iter()
            .scan(0, |start, &end| {
                let frame = &stream[*start..end];
                *start = end;
                Some(frame)
            })
            .collect();

        for (unit, throughput) in [
            ("packets", Throughput::Elements(BATCH as u64)),
            ("bytes", Throughput::Bytes(stream.len() as u64)),
        ] {
            let mut g = c.benchmark_group(format!("decode_{unit}"));
            g.throughput(throughput.clone());
            g.bench_with_input(BenchmarkId::new("batch", label), &stream, |b, stream| {
                let mut d = StreamDecoder::default();
                b.iter(|| {
                    d.feed(black_box(stream));
                    assert_eq!(drain(&mut d), BATCH);
                })
            });
            g.bench_with_input(
                BenchmarkId::new("per_packet", label),
                &frames,
                |b, frames| {
                    let mut d = StreamDecoder::default();
                    b.iter(|| {
                        let mut n = 0;
                        for frame in frames {
                            d.feed(black_box(frame));
                            n += drain(&mut d);
                        }
                        assert_eq!(n, BATCH);
                    })
                },
            );
            // As above, but the packets are kept (as a message log would), so
            // the receive buffer cannot be reused in place.
            g.bench_with_input(
                BenchmarkId::new("per_packet_kept", label),
                &frames,
                |b, frames| {
                    let mut d = StreamDecoder::default();
                    let mut kept = Vec::with_capacity(BATCH);
                    b.iter(|| {
                        kept.clear();
                        for frame in frames {
                            d.feed(black_box(frame));
                            while let Some(p) = d.next_packet().unwrap() {
                                kept.push(p);
                            }
                        }
                        assert_eq!(kept.len(), BATCH);
                    })
                },
            );
            g.finish();

            let mut g = c.benchmark_group(format!("encode_{unit}"));
            g.throughput(throughput);
            g.bench_with_input(BenchmarkId::new("batch", label), &packets, |b, packets| {
                let mut out = Vec::with_capacity(stream.len());
                b.iter(|| {
                    out.clear();
                    for p in packets {
                        encode(black_box(p), &mut out).unwrap();
                    }
                    black_box(&out);
                })
            });
            g.finish();
        }
    }
}

const MQTT5_COUNT: usize = 100_000;

/// One frame per packet: `count` QoS 0 PUBLISH of 64 B, encoded by `enc`.
fn frames_of(count: usize, enc: impl Fn(usize, &mut Vec<u8>)) -> (Vec<u8>, Vec<(usize, usize)>) {
    let mut out = Vec::new();
    let mut frames = Vec::with_capacity(count);
    for i in 0..count {
        let start = out.len();
        enc(i, &mut out);
        frames.push((start, out.len()));
    }
    (out, frames)
}

fn v5_publish(i: usize, properties: bool) -> v5::Packet {
    let mut p = v5::PublishProperties::default();
    if properties {
        p.content_type = Some("application/json".into());
        p.user_properties = vec![v5::UserProperty::new("device", "42")];
    }
    v5::Packet::Publish(v5::Publish {
        dup: false,
        qos: QosPid::AtMostOnce,
        retain: false,
        topic: TOPIC.to_string(),
        payload: Bytes::from(vec![(i % 251) as u8; 64]),
        properties: p,
    })
}

fn bench_mqtt5(c: &mut Criterion) {
    let (v3, v3_frames) = frames_of(MQTT5_COUNT, |i, out| {
        let p = Packet::Publish(Publish {
            dup: false,
            qos: QosPid::AtMostOnce,
            retain: false,
            topic: TOPIC.to_string(),
            payload: Bytes::from(vec![(i % 251) as u8; 64]),
        });
        encode(&p, out).unwrap()
    });
    let (v5_bare, v5_bare_frames) = frames_of(MQTT5_COUNT, |i, out| {
        v5::encode(&v5_publish(i, false), out).unwrap()
    });
    let (v5_props, v5_props_frames) = frames_of(MQTT5_COUNT, |i, out| {
        v5::encode(&v5_publish(i, true), out).unwrap()
    });

    let mut g = c.benchmark_group("mqtt5_vs_311");
    g.throughput(Throughput::Elements(MQTT5_COUNT as u64));
    g.sample_size(10);
    g.bench_function("v311_64B", |b| {
        let mut d = StreamDecoder::default();
        b.iter(|| {
            let mut n = 0;
            for &(s, e) in &v3_frames {
                d.feed(black_box(&v3[s..e]));
                n += drain(&mut d);
            }
            assert_eq!(n, MQTT5_COUNT);
        })
    });
    for (name, stream, frames) in [
        ("v5_64B_no_properties", &v5_bare, &v5_bare_frames),
        ("v5_64B_two_properties", &v5_props, &v5_props_frames),
    ] {
        g.bench_function(name, |b| {
            let mut d = v5::StreamDecoder::default();
            b.iter(|| {
                let mut n = 0;
                for &(s, e) in frames {
                    d.feed(black_box(&stream[s..e]));
                    while let Some(p) = d.next_packet().unwrap() {
                        black_box(p);
                        n += 1;
                    }
                }
                assert_eq!(n, MQTT5_COUNT);
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);
    targets = bench, bench_mqtt5
}
criterion_main!(benches);
