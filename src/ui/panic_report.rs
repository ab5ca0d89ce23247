//! A panic is a bug: say so on the page instead of freezing silently.
//!
//! The hook logs the panic to the console (with the Rust message and
//! location), marks `<html data-panicked="true">` so tests can assert it never
//! happens, and shows a banner built with text nodes only.

use std::panic::PanicHookInfo;

/// Installs the hook; call once before mounting.
pub fn install() {
    std::panic::set_hook(Box::new(report));
}

fn report(info: &PanicHookInfo<'_>) {
    console_error_panic_hook::hook(info);
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Some(root) = document.document_element() {
        let _ = root.set_attribute("data-panicked", "true");
    }
    let (Ok(banner), Some(body)) = (document.create_element("div"), document.body()) else {
        return;
    };
    let _ = banner.set_attribute("role", "alert");
    let _ = banner.set_attribute("class", "panic-banner");
    let _ = banner.set_attribute("data-testid", "panic-banner");
    banner.set_text_content(Some(&format!(
        "mqtt-console hit an internal error and stopped: {info}. Reload the page to continue; \
         your saved profiles and subscriptions are kept. Please report this with the browser \
         console output."
    )));
    let _ = body.prepend_with_node_1(&banner);
}
