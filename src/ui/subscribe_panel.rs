//! Subscribe panel: add topic filters and see what the broker granted.

use super::state::{AppState, SubscriptionRow, SubscriptionStatus};
use crate::codec::QoS;
use leptos::prelude::*;

/// Parses the value of a QoS `<select>`.
pub fn parse_qos(value: &str) -> QoS {
    match value {
        "1" => QoS::AtLeastOnce,
        "2" => QoS::ExactlyOnce,
        _ => QoS::AtMostOnce,
    }
}

/// Filter + QoS form and the list of subscriptions with their SUBACK result.
#[component]
pub fn SubscribePanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let filter = RwSignal::new("device/+/details".to_string());
    let qos = RwSignal::new("0".to_string());
    let error = RwSignal::new(None::<String>);

    let subscribe = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let filter_text = filter.get_untracked().trim().to_string();
        let qos = parse_qos(&qos.get_untracked());
        let Some(driver) = state.driver.get_value() else {
            error.set(Some("Connect first, then subscribe.".into()));
            return;
        };
        match driver.subscribe(vec![(filter_text.clone(), qos)]) {
            Ok(()) => state.subscriptions.update(|rows| {
                rows.retain(|row| row.filter != filter_text);
                rows.push(SubscriptionRow {
                    filter: filter_text,
                    qos,
                    status: SubscriptionStatus::Pending,
                });
            }),
            Err(message) => error.set(Some(message.to_string())),
        }
    };
    let unsubscribe = move |filter_text: String| {
        if let Some(driver) = state.driver.get_value() {
            if let Err(message) = driver.unsubscribe(vec![filter_text.clone()]) {
                error.set(Some(message.to_string()));
                return;
            }
        }
        state
            .subscriptions
            .update(|rows| rows.retain(|row| row.filter != filter_text));
    };

    view! {
        <section class="panel subscribe" aria-labelledby="subscribe-title">
            <h2 id="subscribe-title">"Subscribe"</h2>
            <form class="row" on:submit=subscribe>
                <label class="grow">
                    "Topic filter"
                    <input data-testid="subscribe-filter" bind:value=filter spellcheck="false"/>
                </label>
                <label>
                    "QoS"
                    <select data-testid="subscribe-qos" bind:value=qos>
                        <option value="0">"0"</option>
                        <option value="1">"1"</option>
                        <option value="2">"2"</option>
                    </select>
                </label>
                <button type="submit" data-testid="subscribe">"Subscribe"</button>
            </form>
            <Show when=move || error.get().is_some()>
                <p class="error" role="alert" data-testid="subscribe-error">{move || error.get()}</p>
            </Show>
            <ul class="subscriptions" data-testid="subscriptions">
                <For
                    each=move || state.subscriptions.get()
                    key=|row| (row.filter.clone(), format!("{:?}", row.status))
                    children=move |row| {
                        let (status_kind, status_text) = match &row.status {
                            SubscriptionStatus::Pending => ("pending", "waiting for SUBACK".to_string()),
                            SubscriptionStatus::Granted(qos) => ("granted", format!("granted QoS {}", *qos as u8)),
                            SubscriptionStatus::Rejected(reason) => ("rejected", reason.clone()),
                        };
                        let filter_text = row.filter.clone();
                        view! {
                            <li class=format!("subscription sub-{status_kind}") data-testid="subscription" data-filter=row.filter.clone() data-status=status_kind>
                                <code class="filter">{row.filter.clone()}</code>
                                <span class="sub-status">{status_text}</span>
                                <button class="link" aria-label=format!("Unsubscribe from {}", row.filter) on:click=move |_| unsubscribe(filter_text.clone())>"Unsubscribe"</button>
                            </li>
                        }
                    }
                />
            </ul>
        </section>
    }
}
