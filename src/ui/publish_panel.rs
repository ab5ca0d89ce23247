//! Publish panel: topic, QoS, retain, a payload editor with JSON validation
//! and formatting, history, templates, and repeat for simple load tests.
//! Everything is validated inline before anything is sent.

use super::state::{AppState, NoticeLevel};
use super::subscribe_panel::{parse_qos, qos_options};
use super::workspace_state::WorkspaceState;
use crate::aws::rules::{check_publication, check_reserved, Op};
use crate::codec::QoS;
use crate::payload_check::{fill_sequence, format_json, json_status, JsonStatus};
use crate::session::OutboundMessage;
use crate::workspace::PublishTemplate;
use bytes::Bytes;
use leptos::prelude::*;
use std::rc::Rc;

/// A repeat run in progress.
#[derive(Clone, Copy, PartialEq)]
struct Progress {
    sent: u64,
    total: u64,
}

/// Calls `tick` every `interval_ms` while `current()` holds.
fn every(interval_ms: u64, current: Rc<dyn Fn() -> bool>, tick: Rc<dyn Fn()>) {
    crate::transport::main_thread_timeout_ms(interval_ms, move || {
        if current() {
            tick();
            every(interval_ms, current, tick);
        }
    });
}

/// The publish form.
#[component]
pub fn PublishPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let ws = expect_context::<WorkspaceState>();
    let topic = RwSignal::new("device/data".to_string());
    let payload = RwSignal::new("{\"hello\": \"world\"}".to_string());
    let qos = RwSignal::new("0".to_string());
    let retain = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let template_name = RwSignal::new(String::new());
    let repeat_count = RwSignal::new("10".to_string());
    let repeat_interval = RwSignal::new("1000".to_string());
    let progress = RwSignal::new(None::<Progress>);
    // Bumped by every start and stop: a pending tick of an older run does
    // nothing. (Ticks are chained page timers, so any interval works: a
    // browser interval stops at 2^31 - 1 ms and Leptos' throws past it.)
    let repeat_run = StoredValue::new(0u64);

    let limits = move || ws.form.with(|p| p.auth.limits());
    let aws = move || ws.form.with(|p| p.auth.is_aws());
    let current = move || PublishTemplate {
        name: String::new(),
        topic: topic.get_untracked().trim().to_string(),
        payload: payload.get_untracked(),
        qos: parse_qos(&qos.get_untracked()) as u8,
        retain: retain.get_untracked(),
    };
    // Inline validation, shown while typing.
    let topic_problem = move || {
        let text = topic.get();
        let text = text.trim();
        (!text.is_empty())
            .then(|| {
                limits()
                    .check_topic_name(text)
                    .map_err(|e| e.to_string())
                    .and_then(|()| match aws() {
                        true => check_reserved(text, Op::Publish),
                        false => Ok(()),
                    })
                    .err()
            })
            .flatten()
    };
    let payload_problem = move || {
        let len = payload.with(String::len);
        limits().check_payload_len(len).err().map(|e| e.to_string())
    };
    let json_indicator = move || match payload.with(|p| json_status(p)) {
        JsonStatus::Empty => ("empty", "empty payload".to_string()),
        JsonStatus::Valid => ("valid", "valid JSON".to_string()),
        JsonStatus::Text => ("text", "text (not JSON)".to_string()),
        JsonStatus::Invalid {
            line,
            column,
            message,
        } => (
            "invalid",
            format!("invalid JSON at line {line}, column {column}: {message}"),
        ),
    };

    // Checks and sends one message; returns whether it was accepted.
    let send = move |message: PublishTemplate| -> Result<(), String> {
        let qos = QoS::from_u8(message.qos).unwrap_or(QoS::AtMostOnce);
        check_publication(&limits(), aws(), &message.topic, message.payload.len(), qos)?;
        let driver = state
            .driver
            .get_value()
            .ok_or("Connect first, then publish.")?;
        driver
            .publish(OutboundMessage {
                topic: message.topic.clone(),
                payload: Bytes::from(message.payload.clone().into_bytes()),
                qos,
                retain: message.retain,
                properties: Default::default(),
            })
            .map_err(|e| e.to_string())?;
        Ok(())
    };
    let publish_once = move || {
        error.set(None);
        if let JsonStatus::Invalid { line, column, .. } = payload.with_untracked(|p| json_status(p))
        {
            error.set(Some(format!(
                "The payload looks like JSON but is invalid at line {line}, column {column}; fix it \
                 or send it as text by removing the leading brace."
            )));
            return;
        }
        let message = current();
        match send(message.clone()) {
            Ok(()) => {
                ws.record_history(message.clone());
                state.notify(NoticeLevel::Info, format!("Published to {}", message.topic));
            }
            Err(problem) => error.set(Some(problem)),
        }
    };
    let stop_repeat = move || {
        repeat_run.try_update_value(|run| *run += 1);
        progress.try_set(None);
    };
    let start_repeat = move || {
        error.set(None);
        let (Ok(total), Ok(interval)) = (
            repeat_count.get_untracked().trim().parse::<u64>(),
            repeat_interval.get_untracked().trim().parse::<u64>(),
        ) else {
            error.set(Some(
                "Repeat needs a whole number of messages and an interval in milliseconds.".into(),
            ));
            return;
        };
        if total == 0 {
            error.set(Some("Repeat at least once.".into()));
            return;
        }
        stop_repeat();
        let template = current();
        ws.record_history(template.clone());
        progress.set(Some(Progress { sent: 0, total }));
        let tick = move || {
            let Some(Progress { sent, total }) = progress.get_untracked() else {
                return;
            };
            let mut message = template.clone();
            message.payload = fill_sequence(&template.payload, sent + 1);
            if let Err(problem) = send(message) {
                error.set(Some(format!(
                    "Repeat stopped after {sent} of {total}: {problem}"
                )));
                stop_repeat();
                return;
            }
            if sent + 1 >= total {
                state.notify(
                    NoticeLevel::Info,
                    format!("Repeat finished: {total} messages to {}", template.topic),
                );
                stop_repeat();
            } else {
                progress.set(Some(Progress {
                    sent: sent + 1,
                    total,
                }));
            }
        };
        tick();
        if progress.get_untracked().is_some() {
            let run = repeat_run.get_value();
            let current = Rc::new(move || repeat_run.try_get_value() == Some(run));
            every(interval.max(1), current, Rc::new(tick));
        }
    };
    on_cleanup(stop_repeat);

    let load = move |entry: PublishTemplate| {
        topic.set(entry.topic);
        payload.set(entry.payload);
        qos.set(entry.qos.to_string());
        retain.set(entry.retain);
    };
    let save_template = move |_| {
        let name = template_name.get_untracked().trim().to_string();
        if name.is_empty() {
            error.set(Some("Name the template first.".into()));
            return;
        }
        let mut template = current();
        template.name = name.clone();
        ws.workspace.update(|w| {
            w.templates.retain(|t| t.name != name);
            w.templates.push(template);
        });
        template_name.set(String::new());
    };
    let qos_options = move || qos_options(limits().max_qos);
    let history = move || ws.workspace.with(|w| w.history.clone());
    let templates = move || ws.workspace.with(|w| w.templates.clone());

    view! {
        <section class="panel publish" aria-labelledby="publish-title">
            <h2 id="publish-title">"Publish"</h2>
            <form
                on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    publish_once();
                }
                on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                    if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
                        ev.prevent_default();
                        publish_once();
                    }
                }
            >
                <div class="row">
                    <label class="grow">
                        "Topic"
                        <input data-testid="publish-topic" bind:value=topic spellcheck="false"
                            aria-invalid=move || topic_problem().is_some().to_string()/>
                    </label>
                    <label>
                        "QoS"
                        <select data-testid="publish-qos" bind:value=qos>{qos_options}</select>
                    </label>
                    <label class="check">
                        <input type="checkbox" data-testid="publish-retain" bind:checked=retain/>
                        "Retain"
                    </label>
                </div>
                {move || topic_problem().map(|p| view! { <p class="error" data-testid="publish-topic-error">{p}</p> })}
                <label>
                    <span class="label-row">
                        "Payload"
                        <span class=move || format!("json-status json-{}", json_indicator().0) data-testid="payload-json-status">
                            {move || json_indicator().1}
                        </span>
                    </span>
                    <textarea data-testid="publish-payload" rows="6" spellcheck="false" bind:value=payload></textarea>
                </label>
                {move || payload_problem().map(|p| view! { <p class="error" data-testid="publish-payload-error">{p}</p> })}
                <div class="actions wrap">
                    <button type="submit" data-testid="publish" title="Ctrl+Enter">"Publish"</button>
                    <button type="button" data-testid="format-json"
                        disabled=move || payload.with(|p| format_json(p).is_none())
                        on:click=move |_| if let Some(pretty) = format_json(&payload.get_untracked()) { payload.set(pretty) }>
                        "Format JSON"
                    </button>
                </div>
                <fieldset class="repeat">
                    <legend>"Repeat"</legend>
                    <div class="row">
                        <label>"Messages" <input type="number" min="1" data-testid="repeat-count" bind:value=repeat_count size="6"/></label>
                        <label>"Every (ms)" <input type="number" min="1" data-testid="repeat-interval" bind:value=repeat_interval size="6"/></label>
                        <Show
                            when=move || progress.get().is_some()
                            fallback=move || view! { <button type="button" data-testid="repeat-start" on:click=move |_| start_repeat()>"Start"</button> }
                        >
                            <button type="button" data-testid="repeat-stop" on:click=move |_| stop_repeat()>"Stop"</button>
                        </Show>
                    </div>
                    <p class="hint">"{{n}} in the payload becomes the message's sequence number."</p>
                    {move || progress.get().map(|Progress { sent, total }| view! {
                        <progress data-testid="repeat-progress" max=total.to_string() value=sent.to_string()></progress>
                        <span data-testid="repeat-progress-text">{format!("{sent} / {total}")}</span>
                    })}
                </fieldset>
            </form>
            <Show when=move || error.get().is_some()>
                <p class="error" role="alert" data-testid="publish-error">{move || error.get()}</p>
            </Show>
            <details class="templates">
                <summary>"Templates"</summary>
                <div class="row">
                    <input data-testid="template-name" bind:value=template_name placeholder="template name" aria-label="Template name"/>
                    <button type="button" data-testid="template-save" on:click=save_template>"Save current"</button>
                </div>
                <ul data-testid="templates">
                    {move || templates().into_iter().map(|t| {
                        let (entry, name) = (t.clone(), t.name.clone());
                        view! {
                            <li data-testid="template">
                                <button class="link" data-testid="template-load" on:click=move |_| load(entry.clone())>{t.name.clone()}</button>
                                <code>{t.topic.clone()}</code>
                                <button class="link" data-testid="template-delete" aria-label=format!("Delete template {}", t.name)
                                    on:click=move |_| { let name = name.clone(); ws.workspace.update(|w| w.templates.retain(|x| x.name != name)) }>"Delete"</button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </details>
            <details class="history" open>
                <summary>"History"</summary>
                <ul data-testid="publish-history">
                    {move || history().into_iter().map(|h| {
                        let entry = h.clone();
                        view! {
                            <li>
                                <button class="link history-entry" data-testid="history-entry" title="Load into the editor"
                                    on:click=move |_| load(entry.clone())>
                                    <code>{h.topic.clone()}</code>
                                    " "
                                    <span class="history-payload">{h.payload.chars().take(80).collect::<String>()}</span>
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </details>
        </section>
    }
}
