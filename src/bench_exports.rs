//! Functions exported to JavaScript for the in-browser codec benchmark
//! (`benches/codec-browser/`, run with `node benches/codec-browser/run.mjs`).
//!
//! They live in the app's own bundle, so the benchmark measures the codec
//! exactly as the release page ships it (same profile, same `wasm-opt`).
//! Trunk's loader exposes them as `window.wasmBindings.bench_*`. Each one
//! decodes a whole stream with a fresh [`StreamDecoder`] and touches every
//! decoded PUBLISH (topic and payload lengths), so nothing can be optimised
//! away; packets are dropped at once, as the session does after handing the
//! message on.

use crate::codec::{Packet, StreamDecoder};
use wasm_bindgen::prelude::*;

/// Sum of topic and payload lengths of the last run (a checksum the
/// benchmark compares across decoders).
static LAST_CHECKSUM: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

#[inline]
fn drain(decoder: &mut StreamDecoder, count: &mut u32, checksum: &mut u32) -> Result<(), JsError> {
    loop {
        match decoder.next_packet() {
            Ok(Some(Packet::Publish(p))) => {
                *count += 1;
                *checksum = checksum
                    .wrapping_add(p.topic.len() as u32)
                    .wrapping_add(p.payload.len() as u32);
            }
            Ok(Some(_)) => *count += 1,
            Ok(None) => return Ok(()),
            Err(e) => return Err(JsError::new(&e.to_string())),
        }
    }
}

fn finish(count: u32, checksum: u32) -> u32 {
    LAST_CHECKSUM.store(checksum, std::sync::atomic::Ordering::Relaxed);
    count
}

/// Decodes `buffer` (any number of concatenated packets) fed in one piece,
/// like one WebSocket message carrying them all; returns the packet count.
/// The time includes copying `buffer` into wasm memory, as the app does for
/// every received message.
#[wasm_bindgen]
pub fn bench_decode_publish(buffer: &[u8], max_packet_size: u32) -> Result<u32, JsError> {
    let mut decoder = StreamDecoder::new(max_packet_size as usize);
    let (mut count, mut checksum) = (0, 0);
    decoder.feed(buffer);
    drain(&mut decoder, &mut count, &mut checksum)?;
    Ok(finish(count, checksum))
}

/// Like [`bench_decode_publish`], but feeds `buffer` in chunks ending at
/// the offsets in `ends` (e.g. one chunk per packet, as when a broker sends
/// each packet in its own WebSocket frame), draining after each feed.
#[wasm_bindgen]
pub fn bench_decode_publish_chunked(
    buffer: &[u8],
    ends: &[u32],
    max_packet_size: u32,
) -> Result<u32, JsError> {
    let mut decoder = StreamDecoder::new(max_packet_size as usize);
    let (mut count, mut checksum) = (0, 0);
    let mut start = 0usize;
    for &end in ends {
        let end = (end as usize).min(buffer.len());
        decoder.feed(&buffer[start.min(end)..end]);
        start = end;
        drain(&mut decoder, &mut count, &mut checksum)?;
    }
    Ok(finish(count, checksum))
}

/// A decoder kept across calls, fed from JavaScript one message at a time
/// (each call crosses the JS/wasm boundary and copies the message in, as
/// the WebSocket driver does).
#[wasm_bindgen]
pub struct BenchDecoder {
    decoder: StreamDecoder,
    count: u32,
    checksum: u32,
}

#[wasm_bindgen]
impl BenchDecoder {
    /// A fresh decoder with the given packet size limit.
    #[wasm_bindgen(constructor)]
    pub fn new(max_packet_size: u32) -> BenchDecoder {
        BenchDecoder {
            decoder: StreamDecoder::new(max_packet_size as usize),
            count: 0,
            checksum: 0,
        }
    }

    /// Feeds one message and drains it; returns the packets decoded so far.
    pub fn feed(&mut self, message: &[u8]) -> Result<u32, JsError> {
        self.decoder.feed(message);
        drain(&mut self.decoder, &mut self.count, &mut self.checksum)?;
        Ok(self.count)
    }

    /// The checksum (topic + payload lengths) of everything decoded.
    pub fn checksum(&self) -> u32 {
        self.checksum
    }
}

/// The checksum (sum of topic and payload lengths) of the last
/// `bench_decode_publish*` call.
#[wasm_bindgen]
pub fn bench_last_checksum() -> u32 {
    LAST_CHECKSUM.load(std::sync::atomic::Ordering::Relaxed)
}
