//! Feeds arbitrary bytes, in arbitrary chunks, to a `StreamDecoder`.
//!
//! Input: byte 0 picks the max packet size, byte 1 seeds the chunk sizes,
//! the rest is the stream. Checks that the decoder
//! * never panics;
//! * never holds more than one partial packet (≤ max size) after draining,
//!   and keeps its buffer capacity bounded;
//! * agrees with the slice-level `decode` on the same bytes;
//! * stays poisoned with the same error after an error;
//! * decodes only packets that encode again, byte for byte when the input
//!   used the minimal Remaining Length encoding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mqtt_console::codec::{decode, encode, DecodeError, Packet, Status, StreamDecoder};

const MAX_SIZES: [usize; 6] = [2, 16, 64, 256, 4096, 1 << 20];

/// Minimal Remaining Length encoding at the start of `bytes`?
fn canonical_header(bytes: &[u8]) -> bool {
    let mut i = 1;
    while i < bytes.len() && bytes[i] & 0x80 != 0 {
        i += 1;
    }
    i == 1 || bytes.get(i).is_some_and(|&b| b != 0)
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let max = MAX_SIZES[data[0] as usize % MAX_SIZES.len()];
    let mut rng = 0x9E37_79B9u32 ^ ((data[1] as u32) << 8 | data[1] as u32) | 1;
    let stream = &data[2..];

    let mut d = StreamDecoder::new(max);
    let mut packets: Vec<(Packet, usize, usize)> = Vec::new();
    let mut error: Option<DecodeError> = None;
    let mut fed = 0usize;
    let mut max_chunk = 0usize;
    while fed < stream.len() && error.is_none() {
        rng ^= rng << 13;
        rng ^= rng >> 17;
        rng ^= rng << 5;
        let span = if rng & 0x100 != 0 { 512 } else { 16 };
        let n = (1 + (rng as usize >> 9) % span).min(stream.len() - fed);
        max_chunk = max_chunk.max(n);
        d.feed(&stream[fed..fed + n]);
        fed += n;
        loop {
            let start = fed - d.buffered_len();
            match d.next_packet() {
                Ok(Some(p)) => {
                    let end = fed - d.buffered_len();
                    packets.push((p, start, end));
                }
                Ok(None) => break,
                Err(e) => {
                    assert_eq!(
                        d.next_packet(),
                        Err(e.clone()),
                        "poisoned decoder changed its error"
                    );
                    d.feed(b"more");
                    assert_eq!(d.buffered_len(), 0, "poisoned decoder kept bytes");
                    error = Some(e);
                    break;
                }
            }
        }
        // Only a partial packet stays buffered: less than one max-size
        // packet, or an incomplete fixed header (< 5 bytes).
        assert!(
            d.buffered_len() < max.max(5),
            "buffered {} bytes with max packet size {max}",
            d.buffered_len()
        );
        assert!(
            d.buffer_capacity() <= 2 * (max + max_chunk) + 128 * 1024,
            "capacity {} with max {max}, chunk {max_chunk}",
            d.buffer_capacity()
        );
    }

    // Every decoded packet encodes again; canonically framed ones identically.
    let mut out = Vec::new();
    for (p, start, end) in &packets {
        out.clear();
        encode(p, &mut out).unwrap_or_else(|e| panic!("decoded {p:?} but cannot encode it: {e}"));
        let input = &stream[*start..*end];
        if canonical_header(input) {
            assert_eq!(
                out, input,
                "re-encoding {p:?} differs from its canonical input"
            );
        } else {
            assert_eq!(out[0], input[0]);
            assert_eq!(out.len() < input.len(), true);
        }
    }

    // The slice decoder agrees (it has no configurable size limit).
    if !matches!(error, Some(DecodeError::PacketTooLarge { .. })) {
        let mut rest = stream;
        let mut i = 0;
        loop {
            match decode(rest) {
                Ok(Status::Complete((p, used))) => {
                    assert_eq!(Some(&p), packets.get(i).map(|(p, _, _)| p));
                    i += 1;
                    rest = &rest[used..];
                }
                Ok(Status::Incomplete) => {
                    assert!(
                        error.is_none(),
                        "stream decoder failed with {error:?}, slice decoder wants more"
                    );
                    break;
                }
                Err(e) => {
                    assert_eq!(Some(e), error);
                    break;
                }
            }
        }
        assert_eq!(i, packets.len());
    }
});
