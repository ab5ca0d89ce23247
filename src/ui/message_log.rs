//! Message log: newest first; payloads are text nodes, never HTML.

use super::state::AppState;
use leptos::prelude::*;

/// The list of received messages.
#[component]
pub fn MessageLog() -> impl IntoView {
    let state = expect_context::<AppState>();
    let clear = move |_| {
        state.log.set(Vec::new());
        state.dropped.set(0);
    };
    let newest_first = move || state.log.get().into_iter().rev().collect::<Vec<_>>();
    view! {
        <section class="panel log" aria-labelledby="log-title">
            <div class="panel-head">
                <h2 id="log-title">"Messages"</h2>
                <span class="count" data-testid="message-count">{move || state.log.with(Vec::len)}</span>
                <Show when=move || { state.dropped.get() > 0 }>
                    <span class="dropped" data-testid="dropped-count">
                        {move || format!("{} older dropped", state.dropped.get())}
                    </span>
                </Show>
                <button class="link" data-testid="clear-log" on:click=clear>"Clear"</button>
            </div>
            <ol class="messages" data-testid="message-log">
                <For
                    each=newest_first
                    key=|entry| entry.id
                    children=|entry| {
                        let topic = entry.topic.clone();
                        view! {
                            <li class="message" data-testid="message" data-topic=topic>
                                <div class="meta">
                                    <time>{entry.received_at}</time>
                                    <code class="topic" data-testid="message-topic">{entry.topic}</code>
                                    <span class="badge">{format!("QoS {}", entry.qos as u8)}</span>
                                    {entry.retain.then(|| view! { <span class="badge">"retained"</span> })}
                                    {entry.duplicate.then(|| view! { <span class="badge dup" title="Redelivered by the broker (DUP=1)">"duplicate"</span> })}
                                    <span class="size">{format!("{} B", entry.size)}</span>
                                </div>
                                <pre class="payload" data-testid="message-payload">{entry.payload}</pre>
                            </li>
                        }
                    }
                />
            </ol>
        </section>
    }
}
