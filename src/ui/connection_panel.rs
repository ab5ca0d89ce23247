//! Connection panel: the profile being edited (where and how to connect),
//! Connect/Disconnect, and the connection timeline.

use super::auth::{self, PASSWORD};
use super::profile_bar::ProfileBar;
use super::state::{AppState, ConnectionStatus, NoticeLevel, SubscriptionStatus};
use super::workspace_state::WorkspaceState;
use crate::transport::Driver;
use crate::workspace::{AuthKind, Profile};
use leptos::prelude::*;

/// The status pill in the header (`data-status` is read by tests).
#[component]
pub fn StatusBadge() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <span
            class=move || format!("status status-{}", state.status.get().kind())
            data-testid="connection-status"
            data-status=move || state.status.get().kind()
            role="status"
            aria-live="polite"
        >
            {move || state.status.get().label()}
        </span>
    }
}

/// Two-way binding of a text input to one field of the edited profile.
fn profile_text(
    form: RwSignal<Profile>,
    get: fn(&Profile) -> String,
    set: fn(&mut Profile, String),
) -> (
    impl Fn() -> String + Copy,
    impl Fn(leptos::ev::Event) + Copy,
) {
    (
        move || form.with(get),
        move |ev| form.update(|profile| set(profile, event_target_value(&ev))),
    )
}

/// Profile bar, connection fields, Connect/Disconnect, timeline.
#[component]
pub fn ConnectionPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let ws = expect_context::<WorkspaceState>();
    let form = ws.form;
    let error = RwSignal::new(None::<String>);

    let (url, set_url) = profile_text(form, |p| p.broker_url.clone(), |p, v| p.broker_url = v);
    let (client_id, set_client_id) =
        profile_text(form, |p| p.client_id.clone(), |p, v| p.client_id = v);
    let (username, set_username) =
        profile_text(form, |p| p.username.clone(), |p, v| p.username = v);
    let keep_alive = RwSignal::new(form.get_untracked().keep_alive_secs.to_string());
    Effect::new(move |_| keep_alive.set(form.with(|p| p.keep_alive_secs.to_string())));
    let password = move || ws.secrets.with(|s| s.get(PASSWORD).to_string());
    let set_password = move |ev: leptos::ev::Event| {
        ws.secrets
            .update(|s| s.set(PASSWORD, &event_target_value(&ev)))
    };

    let connect = move |_| {
        error.set(None);
        match keep_alive.get_untracked().trim().parse::<u16>() {
            Ok(seconds) => form.update(|p| p.keep_alive_secs = seconds),
            Err(_) => {
                error.set(Some(
                    "Keepalive must be a whole number of seconds from 0 (off) to 65535.".into(),
                ));
                return;
            }
        }
        let profile = form.get_untracked();
        let plan = match auth::plan(&profile, &ws.secrets.get_untracked()) {
            Ok(plan) => plan,
            Err(message) => {
                error.set(Some(message));
                return;
            }
        };
        let driver = ensure_driver(state);
        subscribe_saved(state, &driver);
        state.notify(NoticeLevel::Info, format!("Connecting to {}", plan.target));
        super::aws_auth::connect_when_ready(&driver, plan.options, plan.url);
    };
    let disconnect = move |_| {
        if let Some(driver) = state.driver.get_value() {
            driver.disconnect();
        }
    };
    let idle = move || state.status.get() == ConnectionStatus::Disconnected;
    let is_broker = move || form.with(|p| p.auth == AuthKind::Broker);
    let needs_secret = move || {
        ws.shared_from_link.get()
            && form.with(|p| !p.username.is_empty())
            && ws.secrets.with(|s| s.get(PASSWORD).is_empty())
    };

    view! {
        <section class="panel connection" aria-labelledby="connection-title">
            <h2 id="connection-title">"Connection"</h2>
            <ProfileBar/>
            <Show when=needs_secret>
                <p class="hint" data-testid="share-needs-secrets">
                    "This dashboard was shared without secrets: enter the password to connect."
                </p>
            </Show>
            <super::aws_auth::AwsAuth form=form secrets=ws.secrets/>
            <Show when=is_broker>
                <label>
                    "Broker URL"
                    <input type="url" data-testid="broker-url" prop:value=url on:input=set_url spellcheck="false"/>
                </label>
            </Show>
            <div class="row">
                <label class="grow">
                    "Client ID"
                    <input data-testid="client-id" prop:value=client_id on:input=set_client_id
                        placeholder=super::client_id::generate() spellcheck="false"/>
                </label>
                <label>
                    "Keepalive (s)"
                    <input type="number" min="0" max="65535" data-testid="keep-alive" prop:value=keep_alive
                        on:input=move |ev| {
                            let text = event_target_value(&ev);
                            if let Ok(seconds) = text.trim().parse::<u16>() {
                                form.update(|p| p.keep_alive_secs = seconds);
                            }
                            keep_alive.set(text);
                        }/>
                </label>
            </div>
            <Show when=is_broker>
                <div class="row">
                    <label class="grow">
                        "Username"
                        <input data-testid="username" prop:value=username on:input=set_username autocomplete="username"/>
                    </label>
                    <label class="grow">
                        "Password"
                        <input type="password" data-testid="password" prop:value=password on:input=set_password autocomplete="current-password"/>
                    </label>
                </div>
            </Show>
            <div class="row">
                <label class="check">
                    <input type="checkbox" data-testid="clean-session"
                        prop:checked=move || form.with(|p| p.clean_session)
                        on:change=move |ev| form.update(|p| p.clean_session = event_target_checked(&ev))/>
                    "Clean session"
                </label>
            </div>
            <super::secret_controls::SecretControls/>
            <div class="actions">
                <button data-testid="connect" on:click=connect disabled=move || !idle()>"Connect"</button>
                <button data-testid="disconnect" on:click=disconnect disabled=idle>"Disconnect"</button>
            </div>
            <Show when=move || error.get().is_some()>
                <p class="error" role="alert" data-testid="connection-error">{move || error.get()}</p>
            </Show>
            <Timeline/>
        </section>
    }
}

/// The connection timeline: connects, refusals, closes, retries, errors.
#[component]
fn Timeline() -> impl IntoView {
    let state = expect_context::<AppState>();
    let latest = move || {
        let notices = state.notices.get();
        let skip = notices.len().saturating_sub(50);
        notices.into_iter().skip(skip).rev().collect::<Vec<_>>()
    };
    view! {
        <ol class="timeline" data-testid="timeline" aria-label="Connection timeline (newest first)">
            <For
                each=latest
                key=|notice| notice.id
                children=|notice| {
                    let class = format!("notice notice-{:?}", notice.level).to_lowercase();
                    view! {
                        <li class=class data-testid="timeline-entry">
                            <time>{notice.time}</time>
                            " "
                            <span class="text">{notice.text}</span>
                        </li>
                    }
                }
            />
        </ol>
    }
}

/// Hands the enabled saved subscriptions to the session before connecting,
/// so they are subscribed as soon as the broker accepts the connection.
fn subscribe_saved(state: AppState, driver: &Driver) {
    let enabled: Vec<_> = state.subscriptions.with_untracked(|rows| {
        rows.iter()
            .filter(|row| row.enabled)
            .map(|row| (row.filter.clone(), row.qos))
            .collect()
    });
    if enabled.is_empty() {
        return;
    }
    if let Err(error) = driver.subscribe(enabled) {
        state.notify(NoticeLevel::Error, error.to_string());
    }
    state.subscriptions.update(|rows| {
        for row in rows.iter_mut().filter(|row| row.enabled) {
            row.status = SubscriptionStatus::Pending;
        }
    });
}

/// The page's one driver, created on first use.
pub(crate) fn ensure_driver(state: AppState) -> Driver {
    if let Some(driver) = state.driver.get_value() {
        return driver;
    }
    // Looked up once: every received message goes to it, and a lookup per
    // message showed in the receive profile.
    let log_core = state.log.core();
    let driver = Driver::new(super::session_config::from_page(), move |event| {
        super::aws_auth::observe(&event);
        super::events::apply(state, log_core.as_deref(), event)
    });
    state.driver.set_value(Some(driver.clone()));
    driver
}
