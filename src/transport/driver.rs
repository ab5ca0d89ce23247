//! The driver loop (quinn style): feed the session an input, then carry out
//! every output it queued, hand its events to the UI, and arm a timer for
//! its next deadline.

use super::clock::now;
use super::socket::{Socket, SocketEvent};
use super::timer::set_timeout;
use crate::codec::QoS;
use crate::session::{
    CloseInfo, ConnectOptions, Event, OutboundMessage, Output, PublishId, Session, SessionConfig,
    SessionError, FEED_CHUNK,
};
use crate::time::Instant;
use std::cell::RefCell;
use std::rc::{Rc, Weak};

/// Gives the WebSocket URL for a connection attempt. Called afresh on every
/// attempt because presigned AWS URLs expire; an `Err` is shown to the user
/// and treated like a failed attempt.
pub type UrlProvider = Rc<dyn Fn() -> Result<String, String>>;

/// Handle to the page's connection machinery; cheap to clone.
#[derive(Clone)]
pub struct Driver {
    inner: Rc<RefCell<Inner>>,
    on_event: Rc<dyn Fn(Event)>,
}

struct Inner {
    session: Session,
    socket: Option<Socket>,
    /// Increases with every socket, so callbacks of a replaced socket are ignored.
    generation: u64,
    url_provider: Option<UrlProvider>,
    /// Deadline of the earliest timer still pending in the browser.
    armed: Option<Instant>,
    /// Reused by [`Driver::pump`], so that passing events on costs no
    /// allocation per received frame.
    spare_events: Vec<Event>,
}

impl Driver {
    /// A driver with a fresh session; `on_event` receives every session event.
    pub fn new(config: SessionConfig, on_event: impl Fn(Event) + 'static) -> Driver {
        Driver {
            inner: Rc::new(RefCell::new(Inner {
                session: Session::new(config),
                socket: None,
                generation: 0,
                url_provider: None,
                armed: None,
                spare_events: Vec::new(),
            })),
            on_event: Rc::new(on_event),
        }
    }

    /// Connects (or reconnects with new options), asking `url` for each attempt.
    pub fn connect(&self, options: ConnectOptions, url: UrlProvider) {
        self.inner.borrow_mut().url_provider = Some(url);
        self.with_session(|session, now| session.connect(options, now));
    }

    /// Sends DISCONNECT and closes; no reconnect until the next `connect`.
    pub fn disconnect(&self) {
        self.with_session(|session, now| session.disconnect(now));
    }

    /// Publishes now, or queues while offline.
    pub fn publish(&self, message: OutboundMessage) -> Result<PublishId, SessionError> {
        self.with_session(|session, now| session.publish(message, now))
    }

    /// Subscribes; remembered for automatic resubscription.
    pub fn subscribe(&self, filters: Vec<(String, QoS)>) -> Result<(), SessionError> {
        self.with_session(|session, now| session.subscribe(filters, now))
    }

    /// Unsubscribes and forgets the filters.
    pub fn unsubscribe(&self, filters: Vec<String>) -> Result<(), SessionError> {
        self.with_session(|session, now| session.unsubscribe(filters, now))
    }

    /// Where the current WebSocket lives: `Some(true)` in a worker,
    /// `Some(false)` on the main thread (no worker could be started),
    /// `None` without a socket. For diagnostics and tests.
    pub fn socket_in_worker(&self) -> Option<bool> {
        self.inner.borrow().socket.as_ref().map(Socket::in_worker)
    }

    /// Runs one session call, then pumps its outputs and events.
    fn with_session<R>(&self, call: impl FnOnce(&mut Session, Instant) -> R) -> R {
        let result = call(&mut self.inner.borrow_mut().session, now());
        self.pump();
        result
    }

    fn on_socket_event(&self, generation: u64, event: SocketEvent) {
        if self.inner.borrow().generation != generation {
            return; // a replaced socket's late callback
        }
        self.with_session(|session, now| match event {
            SocketEvent::Open => session.handle_open(now),
            SocketEvent::Bytes(bytes) => feed_in_chunks(session, &bytes, now),
            SocketEvent::Refused(message) => session.handle_refused(message, now),
            SocketEvent::Text => session.handle_transport_error(
                "The broker sent a text WebSocket frame; MQTT over WebSocket uses binary frames \
                 only. Is this URL an MQTT endpoint?"
                    .into(),
                now,
            ),
            SocketEvent::Closed {
                code,
                reason,
                was_open,
            } => session.handle_close(
                CloseInfo {
                    code,
                    reason,
                    was_open,
                },
                now,
            ),
        });
    }

    fn on_timer(&self) {
        self.inner.borrow_mut().armed = None;
        self.with_session(|session, now| session.handle_timeout(now));
    }

    /// Carries out outputs until the session has none, then delivers events.
    /// Events are delivered with no borrow held, so UI code may call back in.
    fn pump(&self) {
        let mut events;
        {
            let mut inner = self.inner.borrow_mut();
            events = std::mem::take(&mut inner.spare_events);
            loop {
                let mut progressed = false;
                while let Some(output) = inner.session.poll_output() {
                    progressed = true;
                    self.perform(&mut inner, output);
                }
                while let Some(event) = inner.session.poll_event() {
                    progressed = true;
                    events.push(event);
                }
                if !progressed {
                    break;
                }
            }
            // Everything this call produced (the PUBACKs for a batch of
            // received frames) goes out as one frame.
            if let Some(socket) = &inner.socket {
                socket.flush();
            }
            self.arm_timer(&mut inner);
        }
        for event in events.drain(..) {
            (self.on_event)(event);
        }
        // A nested pump (UI code calling back in) may have put its own back.
        let mut inner = self.inner.borrow_mut();
        if inner.spare_events.capacity() < events.capacity() {
            inner.spare_events = events;
        }
    }

    fn perform(&self, inner: &mut Inner, output: Output) {
        match output {
            Output::Open { .. } => {
                inner.socket = None; // drops and closes the previous socket
                inner.generation += 1;
                let generation = inner.generation;
                let url = match &inner.url_provider {
                    Some(provider) => provider(),
                    None => Err("no broker URL".into()),
                };
                let weak = Rc::downgrade(&self.inner);
                let on_event = self.on_event.clone();
                let opened = url.clone().and_then(|url| {
                    Socket::open(&url, move |event| {
                        if let Some(driver) = upgrade(&weak, &on_event) {
                            driver.on_socket_event(generation, event);
                        }
                    })
                });
                match (url.is_ok(), opened) {
                    (_, Ok(socket)) => inner.socket = Some(socket),
                    // The browser refused the URL itself: final.
                    (true, Err(message)) => inner.session.handle_refused(message, now()),
                    // The URL could not be made (e.g. presigning): retried.
                    (false, Err(message)) => inner.session.handle_close(
                        CloseInfo {
                            code: 1006,
                            reason: format!("could not open the WebSocket: {message}"),
                            was_open: false,
                        },
                        now(),
                    ),
                }
            }
            Output::Send(bytes) => {
                if let Some(socket) = &inner.socket {
                    socket.send(&bytes);
                }
            }
            Output::Close => {
                inner.generation += 1;
                inner.socket = None;
            }
        }
    }

    /// Arms a browser timer if the session's next deadline is earlier than
    /// the one already pending (spurious wake-ups are harmless).
    fn arm_timer(&self, inner: &mut Inner) {
        let Some(deadline) = inner.session.poll_timeout() else {
            return;
        };
        if inner.armed.is_some_and(|armed| armed <= deadline) {
            return;
        }
        inner.armed = Some(deadline);
        let delay = deadline.saturating_duration_since(now()).as_millis() as u64;
        let weak = Rc::downgrade(&self.inner);
        let on_event = self.on_event.clone();
        set_timeout(delay, move || {
            if let Some(driver) = upgrade(&weak, &on_event) {
                driver.on_timer();
            }
        });
    }
}

thread_local! {
    /// The wasm-side buffer received bytes are copied into, one chunk at a
    /// time: its size is the most a frame ever costs in wasm memory.
    static CHUNK: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Copies received bytes from JS into wasm memory [`FEED_CHUNK`] bytes at a
/// time and hands each chunk to the session, stopping as soon as the
/// session stops accepting bytes (a protocol error closed the stream). A
/// 300 MB frame thus costs 64 KiB of wasm memory, and one refused from its
/// fixed header is not copied beyond its first chunk.
fn feed_in_chunks(session: &mut Session, bytes: &js_sys::Uint8Array, now: Instant) {
    let len = bytes.length() as usize;
    CHUNK.with(|chunk| {
        let mut chunk = chunk.borrow_mut();
        let mut at = 0;
        while at < len && session.accepts_bytes() {
            let end = (at + FEED_CHUNK).min(len);
            chunk.resize(end - at, 0);
            if at == 0 && end == len {
                bytes.copy_to(&mut chunk);
            } else {
                bytes.subarray(at as u32, end as u32).copy_to(&mut chunk);
            }
            session.handle_bytes(&chunk, now);
            at = end;
        }
    });
}

fn upgrade(weak: &Weak<RefCell<Inner>>, on_event: &Rc<dyn Fn(Event)>) -> Option<Driver> {
    weak.upgrade().map(|inner| Driver {
        inner,
        on_event: on_event.clone(),
    })
}
