//! Default client ids: unique per page load so two tabs never kick each other
//! off the broker (MQTT allows one connection per client id), yet stable for
//! the page's life so a persistent session can be resumed on reconnect.

use std::cell::OnceCell;

thread_local! {
    static PAGE_CLIENT_ID: OnceCell<String> = const { OnceCell::new() };
}

/// `mqtt-console-` followed by 8 random hex digits, the same for the whole
/// page load.
pub fn generate() -> String {
    PAGE_CLIENT_ID.with(|id| {
        id.get_or_init(|| {
            let random = (js_sys::Math::random() * f64::from(u32::MAX)) as u32;
            format!("mqtt-console-{random:08x}")
        })
        .clone()
    })
}
