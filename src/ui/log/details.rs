//! The details pane of the selected message: topic, QoS, flags, size,
//! receive time, matching subscriptions, and the payload in any view, with
//! copy buttons. All values are text nodes.

use super::LogHandle;
use crate::store::format::{self, PayloadView};
use crate::store::time::{clock, iso_utc};
use leptos::prelude::*;

/// Payload bytes rendered in the pane (hex dumps of megabytes are slow to
/// lay out; the full payload is still copied and exported).
const SHOWN_BYTES: usize = 256 * 1024;

#[derive(Clone, PartialEq)]
struct Details {
    seq: u64,
    topic: String,
    qos: u8,
    retain: bool,
    duplicate: bool,
    size: usize,
    kept: usize,
    received: String,
    subscriptions: Vec<String>,
    payload: String,
    raw: Vec<u8>,
}

fn load(log: LogHandle, seq: u64, view: PayloadView) -> Option<Details> {
    let core = log.core()?;
    let store = core.store.borrow();
    let message = store.get(seq)?;
    let shown = &message.payload[..message.payload.len().min(SHOWN_BYTES)];
    let mut payload = format::render(view, shown);
    if shown.len() < message.payload.len() {
        payload.push_str(&format!(
            "\n… (showing the first {} of {} bytes)",
            shown.len(),
            message.payload.len()
        ));
    }
    Some(Details {
        seq,
        topic: message.topic.to_string(),
        qos: message.qos as u8,
        retain: message.retain,
        duplicate: message.duplicate,
        size: message.size,
        kept: message.payload.len(),
        received: format!(
            "{} ({})",
            clock(message.time_ms, core.utc_offset_minutes),
            iso_utc(message.time_ms)
        ),
        subscriptions: store
            .topics()
            .matching_subscriptions(message.topic_id, message.topic)
            .into_iter()
            .map(String::from)
            .collect(),
        payload,
        raw: message.payload.to_vec(),
    })
}

fn copy(text: String) {
    if let Some(window) = web_sys::window() {
        let _ = window.navigator().clipboard().write_text(&text);
    }
}

/// The pane; empty until a row is clicked.
#[component]
pub fn DetailsPane() -> impl IntoView {
    let state = expect_context::<crate::ui::AppState>();
    let log = state.log;
    // Per-message view; `None` follows the log's default view.
    let own_view = RwSignal::new(None::<PayloadView>);
    Effect::new(move |_| {
        log.selected.track();
        own_view.set(None);
    });
    let view = move || own_view.get().unwrap_or_else(|| log.payload_view.get());
    // A snapshot: it does not follow later frames (a selected message
    // stays readable even after the log drops it).
    let details = Memo::new(move |_| {
        let seq = log.selected.get()?;
        Some(load(log, seq, view()).ok_or(seq))
    });

    view! {
        <aside class="log-details" data-testid="message-details" aria-label="Message details">
            {move || match details.get() {
                None => view! { <p class="muted">"Click a message to see its details."</p> }.into_any(),
                Some(Err(seq)) => view! {
                    <p class="muted">{format!("Message #{seq} is no longer in the log (dropped or cleared).")}</p>
                }.into_any(),
                Some(Ok(d)) => {
                    let topic = d.topic.clone();
                    let raw = d.raw.clone();
                    let truncated = d.kept < d.size;
                    let subscriptions = if d.subscriptions.is_empty() {
                        "none of the current subscriptions".to_string()
                    } else {
                        d.subscriptions.join(", ")
                    };
                    view! {
                        <dl class="details-grid">
                            <dt>"Topic"</dt><dd><code data-testid="detail-topic">{d.topic.clone()}</code></dd>
                            <dt>"QoS"</dt><dd data-testid="detail-qos">{d.qos}</dd>
                            <dt>"Retain"</dt><dd>{if d.retain { "yes" } else { "no" }}</dd>
                            <dt>"Duplicate"</dt><dd>{if d.duplicate { "yes (DUP=1)" } else { "no" }}</dd>
                            <dt>"Size"</dt>
                            <dd data-testid="detail-size">
                                {format!("{} bytes", d.size)}
                                {truncated.then(|| view! {
                                    <span class="truncated" data-testid="detail-truncated">
                                        {format!(" — truncated at {} bytes", d.kept)}
                                    </span>
                                })}
                            </dd>
                            <dt>"Received"</dt><dd>{d.received.clone()}</dd>
                            <dt>"Subscriptions"</dt><dd data-testid="detail-subscriptions">{subscriptions}</dd>
                            <dt>"Message"</dt><dd>{format!("#{}", d.seq)}</dd>
                        </dl>
                        <div class="row details-actions">
                            <label>
                                "View "
                                <select data-testid="detail-view"
                                    on:change=move |ev| own_view.set(PayloadView::from_key(&event_target_value(&ev)))
                                    prop:value=move || view().key()>
                                    {PayloadView::ALL.into_iter().map(|v| view! {
                                        <option value=v.key()>{v.label()}</option>
                                    }).collect_view()}
                                </select>
                            </label>
                            <button class="link" data-testid="copy-topic" on:click=move |_| copy(topic.clone())>"Copy topic"</button>
                            <button class="link" data-testid="copy-payload"
                                on:click=move |_| copy(format::text(&raw))>"Copy payload"</button>
                        </div>
                        <pre class="details-payload" data-testid="detail-payload">{d.payload.clone()}</pre>
                    }.into_any()
                }
            }}
        </aside>
    }
}
