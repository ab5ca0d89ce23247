//! A WebSocket that owns its JS callbacks (as gloo-net does), so they live
//! exactly as long as the socket and are detached when it is dropped.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{BinaryType, CloseEvent, Event, WebSocket};

// The message handler is the hottest path of the page (one call per frame,
// tens of thousands per second). Written in JS, it reads `event.data` and
// checks its type without crossing into wasm, then makes one call that
// copies the frame straight into wasm memory; done from Rust through
// web-sys it took five boundary crossings and a second copy per frame.
#[wasm_bindgen(inline_js = r#"
export function listen_for_frames(socket, onBytes, onText) {
  socket.onmessage = (event) => {
    const data = event.data;
    if (data instanceof ArrayBuffer) onBytes(new Uint8Array(data));
    else onText();
  };
}
"#)]
extern "C" {
    fn listen_for_frames(
        socket: &WebSocket,
        on_bytes: &Closure<dyn FnMut(Vec<u8>)>,
        on_text: &Closure<dyn FnMut()>,
    );
}

/// What the socket reports to its owner.
pub enum SocketEvent {
    Open,
    /// One binary frame (a chunk of the MQTT byte stream, any size).
    Bytes(Vec<u8>),
    /// A text frame: MQTT over WebSocket must use binary frames.
    Text,
    /// The socket closed (or failed to open; browsers hide the HTTP status).
    Closed {
        code: u16,
        reason: String,
        was_open: bool,
    },
}

/// An open or opening WebSocket with subprotocol `mqtt`.
pub struct Socket {
    socket: WebSocket,
    _on_open: Closure<dyn FnMut(Event)>,
    _on_bytes: Closure<dyn FnMut(Vec<u8>)>,
    _on_text: Closure<dyn FnMut()>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Socket {
    /// Starts opening `url`; every later happening goes to `on_event`.
    pub fn open(url: &str, on_event: impl Fn(SocketEvent) + 'static) -> Result<Socket, String> {
        let socket = WebSocket::new_with_str(url, "mqtt").map_err(describe_js_error)?;
        socket.set_binary_type(BinaryType::Arraybuffer);
        let on_event = std::rc::Rc::new(on_event);
        let opened = std::rc::Rc::new(std::cell::Cell::new(false));

        let on_open = {
            let (on_event, opened) = (on_event.clone(), opened.clone());
            Closure::<dyn FnMut(Event)>::new(move |_: Event| {
                opened.set(true);
                on_event(SocketEvent::Open);
            })
        };
        let on_bytes = {
            let on_event = on_event.clone();
            Closure::<dyn FnMut(Vec<u8>)>::new(move |bytes: Vec<u8>| {
                on_event(SocketEvent::Bytes(bytes))
            })
        };
        let on_text = {
            let on_event = on_event.clone();
            Closure::<dyn FnMut()>::new(move || on_event(SocketEvent::Text))
        };
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
            on_event(SocketEvent::Closed {
                code: event.code(),
                reason: event.reason(),
                was_open: opened.get(),
            });
        });
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        listen_for_frames(&socket, &on_bytes, &on_text);
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Ok(Socket {
            socket,
            _on_open: on_open,
            _on_bytes: on_bytes,
            _on_text: on_text,
            _on_close: on_close,
        })
    }

    /// Sends one binary frame; a failure means the socket is closing.
    pub fn send(&self, bytes: &[u8]) -> Result<(), String> {
        self.socket
            .send_with_u8_array(bytes)
            .map_err(describe_js_error)
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.socket.set_onopen(None);
        self.socket.set_onmessage(None);
        self.socket.set_onclose(None);
        let _ = self.socket.close();
    }
}

/// A readable message from a JS exception (e.g. a SyntaxError for a bad URL).
pub fn describe_js_error(error: JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|error| String::from(error.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| format!("{error:?}"))
}
