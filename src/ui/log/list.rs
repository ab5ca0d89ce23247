//! The virtualized message list: a scrolling viewport over a spacer as tall
//! as all rows, with only the rows in view present in the DOM. Rows come
//! from a small pool of elements that are reused as the list scrolls; every
//! value is set with `textContent`, so payloads are always text, never HTML.

use super::{LogCore, LogHandle, ROW_PX};
use crate::store::format::{self, PayloadView};
use crate::store::time::clock;
use crate::store::view::{window, Window};
use leptos::html::Div;
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlElement};

/// Characters of payload shown in a row.
const PREVIEW_CHARS: usize = 120;

struct Row {
    el: HtmlElement,
    time: Element,
    topic: Element,
    badges: Element,
    size: Element,
    payload: Element,
    /// What the row shows now, to skip unchanged rows.
    shows: Option<(u64, PayloadView)>,
    selected: bool,
}

/// The reusable row elements.
struct RowPool {
    document: Document,
    parent: Element,
    rows: Vec<Row>,
    attached: usize,
}

impl RowPool {
    fn new(parent: Element) -> Option<RowPool> {
        Some(RowPool {
            document: web_sys::window()?.document()?,
            parent,
            rows: Vec::new(),
            attached: 0,
        })
    }

    fn child(&self, parent: &Element, tag: &str, class: &str) -> Element {
        let el = self.document.create_element(tag).expect("create element");
        el.set_class_name(class);
        let _ = parent.append_child(&el);
        el
    }

    fn make_row(&self) -> Row {
        let el: HtmlElement = self
            .document
            .create_element("div")
            .expect("create element")
            .unchecked_into();
        el.set_class_name("log-row");
        let _ = el.set_attribute("data-testid", "message");
        let _ = el.set_attribute("role", "row");
        let time = self.child(&el, "span", "log-time");
        let topic = self.child(&el, "code", "log-topic");
        let _ = topic.set_attribute("data-testid", "message-topic");
        let badges = self.child(&el, "span", "log-badges");
        let size = self.child(&el, "span", "log-size");
        let payload = self.child(&el, "span", "log-payload");
        let _ = payload.set_attribute("data-testid", "message-payload");
        Row {
            el,
            time,
            topic,
            badges,
            size,
            payload,
            shows: None,
            selected: false,
        }
    }

    /// Makes the DOM show rows `window.first..first + count`.
    fn render(&mut self, core: &LogCore, window: Window, view: PayloadView, selected: Option<u64>) {
        let store = core.store.borrow();
        let log_view = core.view.borrow();
        while self.rows.len() < window.count {
            let row = self.make_row();
            self.rows.push(row);
        }
        for i in 0..window.count {
            let seq = log_view.seq_at(&store, window.first + i);
            let row = &mut self.rows[i];
            if i >= self.attached {
                let _ = self.parent.append_child(&row.el);
            }
            let Some(message) = seq.and_then(|seq| store.get(seq)) else {
                continue;
            };
            if row.shows != Some((message.seq, view)) {
                row.shows = Some((message.seq, view));
                let _ = row.el.set_attribute("data-topic", message.topic);
                let _ = row.el.set_attribute("data-seq", &message.seq.to_string());
                row.time
                    .set_text_content(Some(&clock(message.time_ms, core.utc_offset_minutes)));
                row.topic
                    .set_text_content(Some(&crate::ui::topic_tree::shorten(message.topic)));
                let mut badges = format!("QoS {}", message.qos as u8);
                if message.retain {
                    badges.push_str(" · retained");
                }
                if message.duplicate {
                    badges.push_str(" · dup");
                }
                row.badges.set_text_content(Some(&badges));
                let mut size = format::size(message.size);
                if message.truncated() {
                    size.push_str(" (truncated)");
                }
                row.size.set_text_content(Some(&size));
                // A skipped message's "payload" is the sentence saying so:
                // shown as text in every view.
                let preview = if message.skipped {
                    format::text(message.payload)
                } else {
                    format::preview(view, message.payload, PREVIEW_CHARS)
                };
                row.payload.set_text_content(Some(&preview));
                let _ = row
                    .el
                    .class_list()
                    .toggle_with_force("skipped", message.skipped);
            }
            let is_selected = selected == Some(message.seq);
            if row.selected != is_selected {
                row.selected = is_selected;
                let _ = row
                    .el
                    .class_list()
                    .toggle_with_force("selected", is_selected);
                let _ = row
                    .el
                    .set_attribute("aria-selected", if is_selected { "true" } else { "false" });
            }
        }
        for row in &mut self.rows[window.count..self.attached.max(window.count)] {
            row.el.remove();
            row.shows = None;
        }
        self.attached = window.count;
    }
}

/// The scrolling list of messages (newest at the bottom).
#[component]
pub fn VirtualList() -> impl IntoView {
    let state = expect_context::<crate::ui::AppState>();
    let log: LogHandle = state.log;
    let viewport = NodeRef::<Div>::new();
    let spacer = NodeRef::<Div>::new();
    let rows_ref = NodeRef::<Div>::new();
    let scroll_tick = RwSignal::new(0u64);
    let resize_tick = RwSignal::new(0u64);
    let pool: Rc<RefCell<Option<RowPool>>> = Rc::new(RefCell::new(None));
    // Rows shown when "follow newest" was switched off, and the last
    // scrollTop we set ourselves (its scroll event is not the user's).
    let unfollowed_at = RwSignal::new(0usize);
    let shown_rows = RwSignal::new(0usize);
    let programmatic_top = StoredValue::new(-1.0f64);

    // Geometry kept from scroll and resize events, so drawing a frame never
    // reads layout (a read after the last frame's writes would force one).
    let scroll_top_px = StoredValue::new(0.0f64);
    let viewport_px = StoredValue::new(0.0f64);
    let seen_resize = StoredValue::new(0u64);
    let on_scroll = move |_| {
        let Some(el) = viewport.get_untracked() else {
            return;
        };
        let top = el.scroll_top() as f64;
        scroll_top_px.set_value(top);
        let ours = (top - programmatic_top.get_value()).abs() < 1.0;
        if ours && log.following.get_untracked() {
            // Our own scroll to the newest row: nothing to learn, and reading
            // the heights here would force a layout on every redraw.
            return;
        }
        let height = el.client_height() as f64;
        viewport_px.set_value(height);
        let at_bottom = top + height >= el.scroll_height() as f64 - ROW_PX / 2.0;
        if at_bottom {
            if !log.following.get_untracked() {
                log.following.set(true);
            }
        } else if !ours && log.following.get_untracked() {
            unfollowed_at.set(shown_rows.get_untracked());
            log.following.set(false);
        }
        if !ours {
            scroll_tick.update(|t| *t += 1);
        }
    };

    let handle =
        window_event_listener(leptos::ev::resize, move |_| resize_tick.update(|t| *t += 1));
    on_cleanup(move || handle.remove());

    Effect::new(move |_| {
        log.version.track();
        scroll_tick.track();
        resize_tick.track();
        let view = log.payload_view.get();
        let selected = log.selected.get();
        let following = log.following.get();
        let (Some(el), Some(spacer_el), Some(rows_el)) =
            (viewport.get(), spacer.get(), rows_ref.get())
        else {
            return;
        };
        let Some(core) = log.core() else {
            return;
        };
        let mut pool = pool.borrow_mut();
        if pool.is_none() {
            *pool = RowPool::new(rows_el.clone().unchecked_into());
        }
        let Some(pool) = pool.as_mut() else {
            return;
        };
        log.refresh_view(&core);
        let rows = core.view.borrow().len(&core.store.borrow());
        if viewport_px.get_value() <= 0.0 || resize_tick.get_untracked() != seen_resize.get_value()
        {
            seen_resize.set_value(resize_tick.get_untracked());
            viewport_px.set_value(el.client_height() as f64);
        }
        let height = viewport_px.get_value().max(ROW_PX);
        let spacer_px = window(rows, ROW_PX, 0.0, height).spacer_px;
        let scroll_top = if following {
            (spacer_px - height).max(0.0)
        } else {
            scroll_top_px.get_value()
        };
        let win = window(rows, ROW_PX, scroll_top, height);
        let _ =
            HtmlElement::style(&spacer_el).set_property("height", &format!("{}px", win.spacer_px));
        let _ = HtmlElement::style(&rows_el)
            .set_property("transform", &format!("translateY({}px)", win.top_px));
        pool.render(&core, win, view, selected);
        if following && (scroll_top_px.get_value() - scroll_top).abs() >= 1.0 {
            programmatic_top.set_value(scroll_top);
            scroll_top_px.set_value(scroll_top);
            el.set_scroll_top(scroll_top as i32);
        }
        shown_rows.set(rows);
    });

    let on_click = move |event: leptos::ev::MouseEvent| {
        let target = event.target().and_then(|t| t.dyn_into::<Element>().ok());
        let seq = target
            .and_then(|t| t.closest("[data-seq]").ok().flatten())
            .and_then(|row| row.get_attribute("data-seq"))
            .and_then(|seq| seq.parse::<u64>().ok());
        if seq.is_some() {
            log.selected.set(seq);
        }
    };

    let new_count = move || shown_rows.get().saturating_sub(unfollowed_at.get());
    let jump_to_newest = move |_| log.following.set(true);

    view! {
        <div class="log-list">
            <div class="log-viewport" node_ref=viewport on:scroll=on_scroll on:click=on_click
                data-testid="message-log" role="grid" aria-label="Received messages" tabindex="0">
                <div class="log-spacer" node_ref=spacer>
                    <div class="log-rows" node_ref=rows_ref></div>
                </div>
            </div>
            <Show when=move || !log.following.get()>
                <button class="log-new" data-testid="new-messages" on:click=jump_to_newest>
                    {move || match new_count() {
                        0 => "Follow newest ↓".to_string(),
                        n => format!("{n} new ↓"),
                    }}
                </button>
            </Show>
        </div>
    }
}
