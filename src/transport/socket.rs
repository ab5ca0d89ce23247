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
//! stream anyway). Small frames of one socket share one buffer (at most
//! 1 MiB, `MERGE_LIMIT` in the worker's source); a larger frame travels on its own, transferred,
//! so the worker never copies a big frame. One message to the page (one task
//! there) carries at most 4 MiB, unless a single frame is larger, so a
//! burst of big frames leaves the UI room between batches. What the
//! session sends in answer
//! (a PUBACK per QoS 1 message) is collected by [`Socket::send`] and goes
//! out as one frame when the driver calls [`Socket::flush`] after handling
//! the batch.
//!
//! **Big frames.** Received bytes reach Rust as a `Uint8Array` handle, not
//! a copy: the driver copies them into wasm memory 64 KiB at a time and
//! stops as soon as the session refuses the stream, so a 300 MB frame never
//! grows wasm memory (see `driver.rs`).
//!
//! **One worker for the page's life.** Every socket lives in the same
//! worker, told apart by an id; a connection attempt costs no worker.
//!
//! **Refused URLs.** When `new WebSocket(url)` throws (a `SyntaxError` for a
//! malformed URL or a fragment, a `SecurityError` for an insecure socket
//! from an https page), no retry can succeed: that is
//! [`SocketEvent::Refused`] (or `Err` from [`Socket::open`]), a final error,
//! unlike a network failure, which is a close (1006) and retried with
//! backoff. A port browsers block (the Fetch standard's bad ports, e.g. 1,
//! 9, 25) fails in Chromium like a dead network, not by an exception, so
//! [`Socket::open`] refuses it first, as final too.
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
// The worker's program: own the WebSockets (one per id), batch received
// frames, send what the page asks, close when told. It lives as long as
// the page.
const WORKER_SOURCE = `
const sockets = new Map();
let batch = [];
let scheduled = false;
const MERGE_LIMIT = 1048576;
const POST_LIMIT = 4 * MERGE_LIMIT;
// Consecutive small frames of one socket share one buffer (so the page
// unpacks one object, not one per frame); a large frame is passed on as it
// is, transferred: it is never copied here.
const flush = () => {
  scheduled = false;
  if (batch.length === 0) return;
  const parts = [];
  let run = [];
  let runId = 0;
  let runLength = 0;
  const endRun = () => {
    if (run.length === 0) return;
    let bytes = run[0];
    if (run.length > 1) {
      const all = new Uint8Array(runLength);
      let at = 0;
      for (const frame of run) { all.set(new Uint8Array(frame), at); at += frame.byteLength; }
      bytes = all.buffer;
    }
    parts.push({ id: runId, bytes });
    run = [];
    runLength = 0;
  };
  for (const { id, frame } of batch) {
    if (id !== runId || runLength + frame.byteLength > MERGE_LIMIT) endRun();
    if (frame.byteLength > MERGE_LIMIT) { parts.push({ id, bytes: frame }); continue; }
    runId = id;
    run.push(frame);
    runLength += frame.byteLength;
  }
  endRun();
  batch = [];
  // At most POST_LIMIT bytes per message: each message is one task on the
  // page, so a burst of big frames leaves room for the UI in between.
  let group = [];
  let groupLength = 0;
  const post = () => {
    if (group.length > 0) postMessage({ type: "bytes", parts: group }, group.map((part) => part.bytes));
    group = [];
    groupLength = 0;
  };
  for (const part of parts) {
    if (groupLength + part.bytes.byteLength > POST_LIMIT) post();
    group.push(part);
    groupLength += part.bytes.byteLength;
  }
  post();
};
onmessage = (event) => {
  const command = event.data;
  const id = command.id;
  if (command.type === "open") {
    let socket;
    try {
      socket = new WebSocket(command.url, "mqtt");
    } catch (error) {
      postMessage({ type: "refused", id, message: describe(error) });
      return;
    }
    sockets.set(id, socket);
    socket.binaryType = "arraybuffer";
    socket.onopen = () => postMessage({ type: "open", id });
    socket.onmessage = (message) => {
      if (message.data instanceof ArrayBuffer) {
        batch.push({ id, frame: message.data });
        if (!scheduled) { scheduled = true; setTimeout(flush, 0); }
      } else {
        flush();
        postMessage({ type: "text", id });
      }
    };
    socket.onclose = (closed) => {
      flush();
      sockets.delete(id);
      postMessage({ type: "close", id, code: closed.code, reason: closed.reason });
    };
  } else if (command.type === "send") {
    const socket = sockets.get(id);
    try { if (socket) socket.send(command.data); } catch (_) { /* closing: its close event follows */ }
  } else if (command.type === "close") {
    const socket = sockets.get(id);
    sockets.delete(id);
    batch = batch.filter((entry) => entry.id !== id);
    if (socket) { socket.onopen = socket.onmessage = socket.onclose = null; socket.close(); }
  }
};
const describe = (error) => ((error && error.name) || "Error") + ": " + String((error && error.message) || error);
postMessage({ type: "ready" });`;

// The exception's kind and text, e.g. "SecurityError: The port 1 is not
// allowed." (the worker has the same function). Browsers do not repeat the
// URL here, and neither do we: a presigned URL carries credentials.
function describe(error) {
  return ((error && error.name) || "Error") + ": " + String((error && error.message) || error);
}

let workerUrl = null;
// undefined: not tried yet; null: no worker (refused by the page's policy).
let worker = undefined;
let workerHeard = false;
const sockets = new Map();
let nextId = 1;

function sharedWorker() {
  if (worker !== undefined) return worker;
  try {
    if (workerUrl === null) {
      workerUrl = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" }));
    }
    worker = new Worker(workerUrl);
  } catch (_) {
    worker = null;
    return null;
  }
  worker.onmessage = (event) => {
    workerHeard = true;
    const message = event.data;
    if (message.type === "bytes") {
      for (const part of message.parts) {
        const socket = sockets.get(part.id);
        if (socket !== undefined) socket.events.onBytes(new Uint8Array(part.bytes));
      }
      return;
    }
    const socket = sockets.get(message.id);
    if (socket === undefined) return;
    if (message.type === "open") { socket.opened = true; socket.events.onOpen(); }
    else if (message.type === "text") socket.events.onText();
    else if (message.type === "close") {
      sockets.delete(message.id);
      socket.events.onClose(message.code, message.reason, socket.opened);
    } else if (message.type === "refused") {
      sockets.delete(message.id);
      socket.events.onRefused("the browser refused to open the WebSocket: " + message.message);
    }
  };
  // A worker the page's policy refuses (`worker-src`) is not an exception
  // but an error event after the fact, before it ever spoke: then every
  // socket moves to the main thread, for the rest of the page's life.
  worker.onerror = () => {
    if (workerHeard || worker === null) return;
    worker.terminate();
    worker = null;
    for (const socket of [...sockets.values()]) socket.moveToMainThread();
  };
  return worker;
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

// Throws (a final error) for a URL the browser refuses up front.
export function open_socket(url, onOpen, onBytes, onText, onClose, onRefused) {
  const events = { onOpen, onBytes, onText, onClose, onRefused };
  const shared = sharedWorker();
  if (shared === null) {
    try { return directSocket(url, events); }
    catch (error) { throw new Error("the browser refused to open the WebSocket: " + describe(error)); }
  }
  try { checkUrl(url); }
  catch (error) { throw new Error("the browser refused to open the WebSocket: " + describe(error)); }
  const id = nextId++;
  const socket = { events, opened: false, direct: null };
  socket.moveToMainThread = () => {
    try { socket.direct = directSocket(url, events); }
    catch (error) {
      sockets.delete(id);
      onRefused("the browser refused to open the WebSocket: " + describe(error));
    }
  };
  sockets.set(id, socket);
  shared.postMessage({ type: "open", id, url });
  return {
    get inWorker() { return socket.direct === null; },
    send(bytes) {
      if (socket.direct !== null) { socket.direct.send(bytes); return; }
      if (!worker) return;
      const copy = bytes.slice();
      worker.postMessage({ type: "send", id, data: copy.buffer }, [copy.buffer]);
    },
    close() {
      sockets.delete(id);
      if (socket.direct !== null) socket.direct.close();
      else if (worker) worker.postMessage({ type: "close", id });
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
        on_bytes: &Closure<dyn FnMut(js_sys::Uint8Array)>,
        on_text: &Closure<dyn FnMut()>,
        on_close: &Closure<dyn FnMut(u16, String, bool)>,
        on_refused: &Closure<dyn FnMut(String)>,
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
    /// MQTT byte stream, any size), still in JS memory: the driver copies
    /// them into wasm memory a chunk at a time.
    Bytes(js_sys::Uint8Array),
    /// A text frame: MQTT over WebSocket must use binary frames.
    Text,
    /// The socket closed (or failed to open; browsers hide the HTTP status).
    Closed {
        code: u16,
        reason: String,
        was_open: bool,
    },
    /// The browser refused to open this URL (`new WebSocket` threw): no
    /// retry can fix it.
    Refused(String),
}

/// An open or opening WebSocket with subprotocol `mqtt`.
pub struct Socket {
    handle: SocketHandle,
    /// Bytes waiting for the next [`Socket::flush`].
    pending: RefCell<Vec<u8>>,
    _on_open: Closure<dyn FnMut()>,
    _on_bytes: Closure<dyn FnMut(js_sys::Uint8Array)>,
    _on_text: Closure<dyn FnMut()>,
    _on_close: Closure<dyn FnMut(u16, String, bool)>,
    _on_refused: Closure<dyn FnMut(String)>,
}

impl Socket {
    /// Starts opening `url`; every later happening goes to `on_event`.
    /// `Err` is a URL the browser refuses, explained: a final error, as
    /// [`SocketEvent::Refused`] is.
    pub fn open(url: &str, on_event: impl Fn(SocketEvent) + 'static) -> Result<Socket, String> {
        if let Some(port) = crate::broker_url::blocked_port(url) {
            return Err(crate::broker_url::blocked_port_message(port));
        }
        let on_event = Rc::new(on_event);
        let on_open = {
            let on_event = on_event.clone();
            Closure::<dyn FnMut()>::new(move || on_event(SocketEvent::Open))
        };
        let on_bytes = {
            let on_event = on_event.clone();
            Closure::<dyn FnMut(js_sys::Uint8Array)>::new(move |bytes: js_sys::Uint8Array| {
                on_event(SocketEvent::Bytes(bytes))
            })
        };
        let on_text = {
            let on_event = on_event.clone();
            Closure::<dyn FnMut()>::new(move || on_event(SocketEvent::Text))
        };
        let on_close = {
            let on_event = on_event.clone();
            Closure::<dyn FnMut(u16, String, bool)>::new(
                move |code: u16, reason: String, was_open: bool| {
                    on_event(SocketEvent::Closed {
                        code,
                        reason,
                        was_open,
                    })
                },
            )
        };
        let on_refused = Closure::<dyn FnMut(String)>::new(move |message: String| {
            on_event(SocketEvent::Refused(message))
        });
        let handle = open_socket(url, &on_open, &on_bytes, &on_text, &on_close, &on_refused)
            .map_err(describe_js_error)?;
        Ok(Socket {
            handle,
            pending: RefCell::new(Vec::new()),
            _on_open: on_open,
            _on_bytes: on_bytes,
            _on_text: on_text,
            _on_close: on_close,
            _on_refused: on_refused,
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
