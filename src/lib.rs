//! mqtt-console: a browser MQTT 3.1.1 client.
//!
//! The protocol layers ([`codec`], [`topic`], [`session`]) are pure Rust with
//! no browser types and no clock, so they build and test natively. Only
//! [`transport`] (the WebSocket driver) and [`ui`] touch `web-sys`/`leptos`,
//! and they are compiled for `wasm32` only.

pub mod aws;
pub mod broker_url;
pub mod checks;
pub mod codec;
pub mod limits;
pub mod matcher;
pub mod payload_check;
pub mod session;
pub mod store;
pub mod time;
pub mod topic;
pub mod workspace;

#[cfg(target_arch = "wasm32")]
pub mod bench_exports;
#[cfg(target_arch = "wasm32")]
pub mod heap_stats;
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: heap_stats::CountingAllocator = heap_stats::CountingAllocator;
#[cfg(target_arch = "wasm32")]
pub mod transport;
#[cfg(target_arch = "wasm32")]
pub mod ui;
