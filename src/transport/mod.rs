//! The browser shell around the sans-IO [`Session`](crate::session::Session):
//! it owns the WebSocket, the timer and the clock, feeds the session its
//! inputs and carries out its outputs. Nothing here knows MQTT.

mod clock;
mod driver;
mod socket;
mod timer;

pub use clock::{epoch_ms, now, now_ms};
pub use driver::{Driver, UrlProvider};
pub use timer::{main_thread_timeout_ms, source as timer_source, TimerSource, MAX_TIMER_MS};
