//! Runs the fuzz target's script interpreter natively on many seeded random
//! scripts, so its invariants are checked by `cargo test` too (and any
//! crash the fuzzer finds can be replayed here by pasting its bytes).

#[path = "../fuzz/fuzz_targets/session_ops.rs"]
mod session_ops;

/// xorshift64*: deterministic script bytes.
fn script(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
        })
        .collect()
}

#[test]
fn random_scripts_keep_the_invariants() {
    for seed in 0..2_000 {
        let _ = session_ops::run(&script(seed, 400));
    }
}

#[test]
fn connect_heavy_scripts_reach_deep_states() {
    // Biased scripts: connect, open, CONNACK accepted, then anything.
    let mut total = session_ops::Stats::default();
    for seed in 0..1_000 {
        // config (5 bytes), connect, open, broker CONNACK accepted.
        let mut data = vec![0, 3, 5, seed as u8, 255, 0, 0x10, 11, 14, 0, 0, 0, 0];
        data.extend(script(seed, 300));
        total += session_ops::run(&data);
    }
    eprintln!("{total:?}");
    assert!(total.connected > 1_000, "{total:?}");
    assert!(total.acknowledged > 40, "{total:?}");
    assert!(total.messages > 100, "{total:?}");
    assert!(total.subscribe_results > 50, "{total:?}");
    assert!(total.protocol_errors > 100, "{total:?}");
    assert!(total.reconnects > 100, "{total:?}");
}
