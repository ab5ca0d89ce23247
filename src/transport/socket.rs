//! A WebSocket that owns its JS callbacks (as gloo-net does), so they live
//! exactly as long as the socket and are detached when it is dropped.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{BinaryType, CloseEvent, Event, MessageEvent, WebSocket};

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
    _on_message: Closure<dyn FnMut(MessageEvent)>,
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
        let on_message = {
            let on_event = on_event.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                let data = event.data();
                if let Some(buffer) = data.dyn_ref::<js_sys::ArrayBuffer>() {
                    on_event(SocketEvent::Bytes(js_sys::Uint8Array::new(buffer).to_vec()));
                } else {
                    on_event(SocketEvent::Text);
                }
            })
        };
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
            on_event(SocketEvent::Closed {
                code: event.code(),
                reason: event.reason(),
                was_open: opened.get(),
            });
        });
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Ok(Socket {
            socket,
            _on_open: on_open,
            _on_message: on_message,
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
