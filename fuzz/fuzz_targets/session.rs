//! Fuzzes the sans-IO session with arbitrary scripts of commands, socket
//! events, broker packets (valid and garbage, any chunking) and clock moves;
//! see `session_ops.rs` for the invariants checked.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "session_ops.rs"]
mod session_ops;

fuzz_target!(|data: &[u8]| {
    let _ = session_ops::run(data);
});
