//! Default client ids: unique per page load so two tabs never kick each other
//! off the broker (MQTT allows one connection per client id).

/// `mqtt-console-` followed by 8 random hex digits.
pub fn generate() -> String {
    let random = (js_sys::Math::random() * f64::from(u32::MAX)) as u32;
    format!("mqtt-console-{random:08x}")
}
