//! Subscribe panel: several subscriptions at once, each with QoS, colour,
//! alias, enable/disable and remove; the broker's answer shown per filter.

use super::state::{AppState, SubscriptionRow, SubscriptionStatus, SUBSCRIPTION_COLORS};
use super::workspace_state::WorkspaceState;
use crate::aws::rules::{check_subscription, retained_note};
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

/// `<option>`s for QoS 0 up to `max` (AWS IoT profiles stop at 1).
pub fn qos_options(max: QoS) -> impl IntoView {
    (0..=max as u8)
        .map(|q| view! { <option value=q.to_string()>{q.to_string()}</option> })
        .collect_view()
}

/// Sends SUBSCRIBE for `filter` if a driver exists (offline it is sent on connect).
fn subscribe_now(state: AppState, filter: &str, qos: QoS) -> Result<(), String> {
    match state.driver.get_value() {
        Some(driver) => driver
            .subscribe(vec![(filter.to_string(), qos)])
            .map_err(|error| error.to_string()),
        None => Ok(()), // subscribed when the user connects
    }
}

fn unsubscribe_now(state: AppState, filter: &str) -> Result<(), String> {
    match state.driver.get_value() {
        Some(driver) => driver
            .unsubscribe(vec![filter.to_string()])
            .map_err(|error| error.to_string()),
        None => Ok(()),
    }
}

/// Checks (limits, AWS reserved topics), subscribes and adds the row: the
/// one way a subscription enters the list (form and topic tree).
pub fn add_subscription(
    state: AppState,
    ws: WorkspaceState,
    filter_text: String,
    qos: QoS,
    alias_text: String,
) -> Result<(), String> {
    let auth = ws.form.with_untracked(|p| p.auth);
    check_subscription(&auth.limits(), auth.is_aws(), &filter_text, qos)?;
    subscribe_now(state, &filter_text, qos)?;
    state.subscriptions.update(|rows| {
        let color = rows
            .iter()
            .find(|row| row.filter == filter_text)
            .map(|row| row.color.clone())
            .unwrap_or_else(|| SUBSCRIPTION_COLORS[rows.len() % SUBSCRIPTION_COLORS.len()].into());
        rows.retain(|row| row.filter != filter_text);
        let mut row = SubscriptionRow::new(filter_text, qos);
        row.color = color;
        row.alias = alias_text;
        rows.push(row);
    });
    Ok(())
}

/// Filter + QoS form and the list of subscriptions.
#[component]
pub fn SubscribePanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let ws = expect_context::<WorkspaceState>();
    let filter = RwSignal::new("device/+/details".to_string());
    let qos = RwSignal::new("0".to_string());
    let alias = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let limits = move || ws.form.with(|p| p.auth.limits());
    let aws = move || ws.form.with(|p| p.auth.is_aws());

    let subscribe = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let filter_text = filter.get_untracked().trim().to_string();
        let qos = parse_qos(&qos.get_untracked());
        let alias_text = alias.get_untracked().trim().to_string();
        match add_subscription(state, ws, filter_text, qos, alias_text) {
            Ok(()) => alias.set(String::new()),
            Err(problem) => error.set(Some(problem)),
        }
    };

    let set_enabled = move |filter_text: String, enabled: bool| {
        let Some(row) = state
            .subscriptions
            .with_untracked(|rows| rows.iter().find(|r| r.filter == filter_text).cloned())
        else {
            return;
        };
        let result = if enabled {
            subscribe_now(state, &row.filter, row.qos)
        } else {
            unsubscribe_now(state, &row.filter)
        };
        if let Err(message) = result {
            error.set(Some(message));
            return;
        }
        state.subscriptions.update(|rows| {
            if let Some(row) = rows.iter_mut().find(|r| r.filter == filter_text) {
                row.enabled = enabled;
                row.status = if enabled {
                    SubscriptionStatus::Pending
                } else {
                    SubscriptionStatus::Disabled
                };
            }
        });
    };
    let remove = move |filter_text: String| {
        let enabled = state
            .subscriptions
            .with_untracked(|rows| rows.iter().any(|r| r.filter == filter_text && r.enabled));
        if enabled {
            if let Err(message) = unsubscribe_now(state, &filter_text) {
                error.set(Some(message));
                return;
            }
        }
        state
            .subscriptions
            .update(|rows| rows.retain(|row| row.filter != filter_text));
    };
    let set_color = move |filter_text: String, color: String| {
        state.subscriptions.update(|rows| {
            if let Some(row) = rows.iter_mut().find(|r| r.filter == filter_text) {
                row.color = color;
            }
        });
    };
    let qos_options = move || qos_options(limits().max_qos);

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
                    <select data-testid="subscribe-qos" bind:value=qos>{qos_options}</select>
                </label>
                <label>
                    "Alias"
                    <input data-testid="subscribe-alias" bind:value=alias size="8" placeholder="optional"/>
                </label>
                <button type="submit" data-testid="subscribe">"Subscribe"</button>
            </form>
            <Show when=move || error.get().is_some()>
                <p class="error" role="alert" data-testid="subscribe-error">{move || error.get()}</p>
            </Show>
            <ul class="subscriptions" data-testid="subscriptions">
                <For
                    each=move || state.subscriptions.get()
                    key=|row| format!("{:?}", row)
                    children=move |row| {
                        let (status_kind, status_text) = match &row.status {
                            SubscriptionStatus::Pending => ("pending", "waiting for SUBACK".to_string()),
                            SubscriptionStatus::Granted(qos) => ("granted", format!("granted QoS {}", *qos as u8)),
                            SubscriptionStatus::Rejected(reason) => ("rejected", reason.clone()),
                            SubscriptionStatus::Disabled => ("disabled", "disabled".to_string()),
                        };
                        let label = if row.alias.is_empty() { row.filter.clone() } else { row.alias.clone() };
                        let (f1, f2, f3) = (row.filter.clone(), row.filter.clone(), row.filter.clone());
                        let enabled = row.enabled;
                        let note = matches!(row.status, SubscriptionStatus::Granted(_))
                            .then(|| retained_note(&row.filter, aws(), row.retained_seen))
                            .flatten();
                        view! {
                            <li class=format!("subscription sub-{status_kind}") data-testid="subscription"
                                data-filter=row.filter.clone() data-status=status_kind>
                                <input type="color" class="swatch" data-testid="subscription-color" aria-label=format!("Colour for {}", row.filter)
                                    prop:value=row.color.clone()
                                    on:change=move |ev| set_color(f1.clone(), event_target_value(&ev))/>
                                <code class="filter" title=row.filter.clone()>{label}</code>
                                <span class="badge">{format!("QoS {}", row.qos as u8)}</span>
                                <span class="sub-status" data-testid="subscription-status">{status_text}</span>
                                <label class="check">
                                    <input type="checkbox" data-testid="subscription-enabled" prop:checked=enabled
                                        on:change=move |ev| set_enabled(f2.clone(), event_target_checked(&ev))/>
                                    "on"
                                </label>
                                <button class="link" data-testid="subscription-remove"
                                    aria-label=format!("Remove subscription {}", row.filter)
                                    on:click=move |_| remove(f3.clone())>"Remove"</button>
                                {note.map(|note| view! {
                                    <p class="muted retained-note" data-testid="subscription-retained-note">{note}</p>
                                })}
                            </li>
                        }
                    }
                />
            </ul>
        </section>
    }
}
