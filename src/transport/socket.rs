//! The WebSocket, kept in a dedicated worker, with the JS callbacks it
//! reports through (owned here, so they live exactly as long as the socket).
//!
//! **Why a worker.** Every received frame costs the browser a message from
//! its network process and a task on the thread that owns the socket.
//! Measured in Chromium (`benches/browser/run.mjs --threads`), a page whose
//! main thread holds any other browser channel (it read `localStorage` once,
//! or made a Blob URL, or holds a started `MessagePort`, as every real app
//! does) pays about 40% more wake-ups and 4–5 µs more CPU per frame on the
//! renderer's IO thread and in the network process, and received 64-byte
//! messages 20–30% slower than the same page without. A socket owned by a
//! worker does not pay that, and the worker hands frames to this page in
//! batches (transferred, not copied), one task per batch instead of one per
//! frame, so the main thread stays free for the UI at any message rate.
//!
//! **Batches.** The worker collects the frames that arrive while it is busy
//! and posts them together from a zero-delay timer; this page passes a batch
//! to the session as one chunk of the MQTT byte stream (frames are a byte
//! stream anyway). What the session sends in answer (a PUBACK per QoS 1
//! message) is collected by [`Socket::send`] and goes out as one frame when
//! the driver calls [`Socket::flush`] after handling the batch.
//!
//! Where a worker cannot be started (a stricter Content-Security-Policy
//! without `worker-src blob:`), the socket lives on the main thread, with
//! the same events.

use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

#[wasm_bindgen(inline_js = r#"
// The worker's program: own the WebSocket, batch received frames, send what
// the page asks, close when told. `close()` here ends the worker.
const WORKER_SOURCE = `
let socket = null;
let batch = [];
let scheduled = false;
// One buffer per batch: the page then unpacks one object, not one per frame.
const flush = () => {
  scheduled = false;
  if (batch.length === 0) return;
  let bytes = batch[0];
  if (batch.length > 1) {
    let length = 0;
    for (const frame of batch) length += frame.byteLength;
    const all = new Uint8Array(length);
    let at = 0;
    for (const frame of batch) { all.set(new Uint8Array(frame), at); at += frame.byteLength; }
    bytes = all.buffer;
  }
  batch = [];
  postMessage({ type: "bytes", bytes }, [bytes]);
};
onmessage = (event) => {
  const command = event.data;
  if (command.type === "open") {
    try {
      socket = new WebSocket(command.url, "mqtt");
    } catch (error) {
      postMessage({ type: "failed", message: String((error && error.message) || error) });
      close();
      return;
    }
    socket.binaryType = "arraybuffer";
    socket.onopen = () => postMessage({ type: "open" });
    socket.onmessage = (message) => {
      if (message.data instanceof ArrayBuffer) {
        batch.push(message.data);
        if (!scheduled) { scheduled = true; setTimeout(flush, 0); }
      } else {
        flush();
        postMessage({ type: "text" });
      }
    };
    socket.onclose = (closed) => {
      flush();
      postMessage({ type: "close", code: closed.code, reason: closed.reason });
      close();
    };
  } else if (command.type === "send") {
    try { socket.send(command.data); } catch (_) { /* closing: its close event follows */ }
  } else if (command.type === "close") {
    if (socket) { socket.onmessage = null; socket.onclose = () => close(); socket.close(); }
    setTimeout(() => close(), 2000);
  }
};`;

let workerUrl = null;

function startWorker() {
  try {
    if (workerUrl === null) {
      workerUrl = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" }));
    }
    return new Worker(workerUrl);
  } catch (_) {
    return null;
  }
}

// What the WebSocket constructor would reject, checked here because the
// constructor runs in the worker. The URL is not repeated in the message: a
// presigned URL carries credentials.
function checkUrl(url) {
  let parsed;
  try { parsed = new URL(url); } catch (_) { parsed = null; }
  if (parsed === null || !["ws:", "wss:", "http:", "https:"].includes(parsed.protocol) || parsed.hash !== "") {
    throw new SyntaxError("the URL is not a valid WebSocket URL (ws:// or wss://, without a #fragment)");
  }
}

function directSocket(url, events) {
  const socket = new WebSocket(url, "mqtt");
  socket.binaryType = "arraybuffer";
  let opened = false;
  socket.onopen = () => { opened = true; events.onOpen(); };
  socket.onmessage = (message) => {
    if (message.data instanceof ArrayBuffer) events.onBytes(new Uint8Array(message.data));
    else events.onText();
  };
  socket.onclose = (closed) => events.onClose(closed.code, closed.reason, opened);
  return {
    inWorker: false,
    send(bytes) { try { socket.send(bytes); } catch (_) { /* closing */ } },
    close() {
      socket.onopen = socket.onmessage = socket.onclose = null;
      socket.close();
    },
  };
}

export function open_socket(url, onOpen, onBytes, onText, onClose) {
  const events = { onOpen, onBytes, onText, onClose };
  const worker = startWorker();
  if (worker === null) return directSocket(url, events);
  checkUrl(url);
  let opened = false;
  let heard = false;
  let done = false;
  let fallback = null;
  worker.onmessage = (event) => {
    heard = true;
    const message = event.data;
    if (done) return;
    if (message.type === "bytes") onBytes(new Uint8Array(message.bytes));
    else if (message.type === "open") { opened = true; onOpen(); }
    else if (message.type === "text") onText();
    else if (message.type === "close") { done = true; onClose(message.code, message.reason, opened); }
    else if (message.type === "failed") { done = true; onClose(1006, "could not open the WebSocket: " + message.message, false); }
  };
  // A worker the page's policy refuses (`worker-src`) is not an exception
  // but an error event after the fact: then the socket moves to the main
  // thread.
  worker.onerror = () => {
    if (heard || done || fallback !== null) return;
    worker.terminate();
    try { fallback = directSocket(url, events); }
    catch (error) { done = true; onClose(1006, "could not open the WebSocket: " + String(error.message || error), false); }
  };
  worker.postMessage({ type: "open", url });
  return {
    get inWorker() { return fallback === null; },
    send(bytes) {
      if (fallback !== null) { fallback.send(bytes); return; }
      const copy = bytes.slice();
      worker.postMessage({ type: "send", data: copy.buffer }, [copy.buffer]);
    },
    close() {
      done = true;
      worker.onmessage = null;
      worker.onerror = null;
      if (fallback !== null) fallback.close();
      else worker.postMessage({ type: "close" });
    },
  };
}
"#)]
extern "C" {
    /// The JS side of one socket: `send(bytes)` and `close()`.
    type SocketHandle;

    #[wasm_bindgen(catch)]
    fn open_socket(
        url: &str,
        on_open: &Closure<dyn FnMut()>,
        on_bytes: &Closure<dyn FnMut(Vec<u8>)>,
        on_text: &Closure<dyn FnMut()>,
        on_close: &Closure<dyn FnMut(u16, String, bool)>,
    ) -> Result<SocketHandle, JsValue>;

    #[wasm_bindgen(method)]
    fn send(this: &SocketHandle, bytes: &[u8]);

    #[wasm_bindgen(method)]
    fn close(this: &SocketHandle);

    #[wasm_bindgen(method, getter, js_name = inWorker)]
    fn in_worker(this: &SocketHandle) -> bool;
}

/// What the socket reports to its owner.
pub enum SocketEvent {
    Open,
    /// Received bytes: one or more binary frames, in order (a chunk of the
    /// MQTT byte stream, any size).
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
    handle: SocketHandle,
    /// Bytes waiting for the next [`Socket::flush`].
    pending: RefCell<Vec<u8>>,
    _on_open: Closure<dyn FnMut()>,
    _on_bytes: Closure<dyn FnMut(Vec<u8>)>,
    _on_text: Closure<dyn FnMut()>,
    _on_close: Closure<dyn FnMut(u16, String, bool)>,
}

impl Socket {
    /// Starts opening `url`; every later happening goes to `on_event`.
    /// `Err` is a URL the browser would refuse, explained.
    pub fn open(url: &str, on_event: impl Fn(SocketEvent) + 'static) -> Result<Socket, String> {
        let on_event = Rc::new(on_event);
        let on_open = {
            let on_event = on_event.clone();
            Closure::<dyn FnMut()>::new(move || on_event(SocketEvent::Open))
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
        let on_close = Closure::<dyn FnMut(u16, String, bool)>::new(
            move |code: u16, reason: String, was_open: bool| {
                on_event(SocketEvent::Closed {
                    code,
                    reason,
                    was_open,
                })
            },
        );
        let handle = open_socket(url, &on_open, &on_bytes, &on_text, &on_close)
            .map_err(describe_js_error)?;
        Ok(Socket {
            handle,
            pending: RefCell::new(Vec::new()),
            _on_open: on_open,
            _on_bytes: on_bytes,
            _on_text: on_text,
            _on_close: on_close,
        })
    }

    /// Queues bytes for the next [`Socket::flush`] (see the module docs).
    pub fn send(&self, bytes: &[u8]) {
        self.pending.borrow_mut().extend_from_slice(bytes);
    }

    /// Sends everything queued as one frame. A failure means the socket is
    /// closing, and its close event reaches the session.
    pub fn flush(&self) {
        let mut pending = self.pending.borrow_mut();
        if !pending.is_empty() {
            self.handle.send(&pending);
            pending.clear();
        }
    }

    /// Whether the WebSocket lives in a worker (false: on the main thread,
    /// where no worker could be started).
    pub fn in_worker(&self) -> bool {
        self.handle.in_worker()
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        // A DISCONNECT queued just before closing must still go out.
        self.flush();
        self.handle.close();
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
