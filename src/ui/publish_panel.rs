//! Publish panel: topic, payload, QoS and retain; Ctrl+Enter sends.

use super::state::{AppState, NoticeLevel};
use super::subscribe_panel::parse_qos;
use crate::session::OutboundMessage;
use bytes::Bytes;
use leptos::prelude::*;

/// The publish form.
#[component]
pub fn PublishPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let topic = RwSignal::new("device/data".to_string());
    let payload = RwSignal::new("{\"hello\": \"world\"}".to_string());
    let qos = RwSignal::new("0".to_string());
    let retain = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    let publish = move || {
        error.set(None);
        let Some(driver) = state.driver.get_value() else {
            error.set(Some("Connect first, then publish.".into()));
            return;
        };
        let message = OutboundMessage {
            topic: topic.get_untracked().trim().to_string(),
            payload: Bytes::from(payload.get_untracked().into_bytes()),
            qos: parse_qos(&qos.get_untracked()),
            retain: retain.get_untracked(),
        };
        let topic_text = message.topic.clone();
        match driver.publish(message) {
            Ok(_) => state.notify(NoticeLevel::Info, format!("Published to {topic_text}")),
            Err(message) => error.set(Some(message.to_string())),
        }
    };

    view! {
        <section class="panel publish" aria-labelledby="publish-title">
            <h2 id="publish-title">"Publish"</h2>
            <form
                on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    publish();
                }
                on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                    if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
                        ev.prevent_default();
                        publish();
                    }
                }
            >
                <div class="row">
                    <label class="grow">
                        "Topic"
                        <input data-testid="publish-topic" bind:value=topic spellcheck="false"/>
                    </label>
                    <label>
                        "QoS"
                        <select data-testid="publish-qos" bind:value=qos>
                            <option value="0">"0"</option>
                            <option value="1">"1"</option>
                            <option value="2">"2"</option>
                        </select>
                    </label>
                    <label class="check">
                        <input type="checkbox" data-testid="publish-retain" bind:checked=retain/>
                        "Retain"
                    </label>
                </div>
                <label>
                    "Payload"
                    <textarea data-testid="publish-payload" rows="5" spellcheck="false" bind:value=payload></textarea>
                </label>
                <div class="actions">
                    <button type="submit" data-testid="publish" title="Ctrl+Enter">"Publish"</button>
                </div>
            </form>
            <Show when=move || error.get().is_some()>
                <p class="error" role="alert" data-testid="publish-error">{move || error.get()}</p>
            </Show>
        </section>
    }
}
