//! Entry point: only mounts the app; everything else lives in the library.

#[cfg(target_arch = "wasm32")]
fn main() {
    mqtt_console::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("mqtt-console is a browser app: build it with `trunk build --release`.");
}
