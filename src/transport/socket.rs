//! A WebSocket that owns its JS callbacks (as gloo-net does), so they live
//! exactly as long as the socket and are detached when it is dropped.
//!
//! Outgoing bytes are coalesced: everything sent while the page works
//! through a burst of received frames (a PUBACK per QoS 1 message) goes out
//! as one WebSocket frame in a task posted right after them. One frame per
//! packet cost the page a send and the broker a frame each; mqtt.js batches
//! its writes the same way and outran a send-per-packet client at QoS 1.
//! A `MessageChannel` task, unlike a timer, is not throttled in hidden tabs,
//! and runs next when nothing else is queued, so a lone publish is not
//! delayed. Dropping the socket sends what is pending before closing it.

use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{BinaryType, CloseEvent, Event, MessageChannel, WebSocket};

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

/// Bytes waiting for the next flush, and the channel that schedules it.
struct Outgoing {
    socket: WebSocket,
    pending: RefCell<Vec<u8>>,
    channel: MessageChannel,
}

impl Outgoing {
    /// Sends everything pending as one frame; a failure means the socket is
    /// closing, and its close event reaches the session.
    fn flush(&self) {
        let mut pending = self.pending.borrow_mut();
        if !pending.is_empty() {
            let _ = self.socket.send_with_u8_array(&pending);
            pending.clear();
        }
    }
}

/// An open or opening WebSocket with subprotocol `mqtt` (held by its
/// outgoing queue, which the flush task reaches through a weak reference).
pub struct Socket {
    outgoing: Rc<Outgoing>,
    _on_flush: Closure<dyn FnMut(JsValue)>,
    _on_open: Closure<dyn FnMut(Event)>,
    _on_bytes: Closure<dyn FnMut(Vec<u8>)>,
    _on_text: Closure<dyn FnMut()>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Socket {
    /// Starts opening `url`; every later happening goes to `on_event`.
    pub fn open(url: &str, on_event: impl Fn(SocketEvent) + 'static) -> Result<Socket, String> {
        // Made first: failing later would leave a socket with handlers whose
        // closures are already gone.
        let channel = MessageChannel::new().map_err(describe_js_error)?;
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
        let outgoing = Rc::new(Outgoing {
            socket,
            pending: RefCell::new(Vec::new()),
            channel,
        });
        let on_flush = {
            let outgoing = Rc::downgrade(&outgoing);
            Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
                if let Some(outgoing) = outgoing.upgrade() {
                    outgoing.flush();
                }
            })
        };
        outgoing
            .channel
            .port1()
            .set_onmessage(Some(on_flush.as_ref().unchecked_ref()));
        Ok(Socket {
            outgoing,
            _on_flush: on_flush,
            _on_open: on_open,
            _on_bytes: on_bytes,
            _on_text: on_text,
            _on_close: on_close,
        })
    }

    /// Queues bytes for the next flush (see the module documentation).
    pub fn send(&self, bytes: &[u8]) {
        let mut pending = self.outgoing.pending.borrow_mut();
        let first = pending.is_empty();
        pending.extend_from_slice(bytes);
        drop(pending);
        if first {
            let posted = self
                .outgoing
                .channel
                .port2()
                .post_message(&JsValue::UNDEFINED);
            if posted.is_err() {
                self.outgoing.flush();
            }
        }
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        // A DISCONNECT queued just before closing must still go out.
        self.outgoing.flush();
        let port = self.outgoing.channel.port1();
        port.set_onmessage(None);
        port.close();
        self.outgoing.channel.port2().close();
        let socket = &self.outgoing.socket;
        socket.set_onopen(None);
        socket.set_onmessage(None);
        socket.set_onclose(None);
        let _ = socket.close();
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
