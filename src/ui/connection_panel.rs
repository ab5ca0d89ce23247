//! Connection panel: where to connect and with which MQTT options.

use super::client_id;
use super::state::{AppState, ConnectionStatus, NoticeLevel};
use crate::broker_url::{self, LOCAL_BROKER_URL};
use crate::session::{ConnectOptions, SessionConfig};
use crate::transport::Driver;
use bytes::Bytes;
use leptos::prelude::*;
use std::rc::Rc;

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

/// URL, client id, keepalive, clean session, credentials; Connect/Disconnect.
#[component]
pub fn ConnectionPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let url = RwSignal::new(LOCAL_BROKER_URL.to_string());
    let client_id = RwSignal::new(client_id::generate());
    let keep_alive = RwSignal::new("60".to_string());
    let clean_session = RwSignal::new(true);
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);

    let connect = move |_| {
        error.set(None);
        let options = match read_options(
            &url.get_untracked(),
            &client_id.get_untracked(),
            &keep_alive.get_untracked(),
            clean_session.get_untracked(),
            &username.get_untracked(),
            &password.get_untracked(),
        ) {
            Ok(options) => options,
            Err(message) => {
                error.set(Some(message));
                return;
            }
        };
        let (broker, options) = options;
        let driver = ensure_driver(state);
        state.notify(NoticeLevel::Info, format!("Connecting to {broker}"));
        driver.connect(options, Rc::new(move || Ok(broker.clone())));
    };
    let disconnect = move |_| {
        if let Some(driver) = state.driver.get_value() {
            driver.disconnect();
        }
    };
    let idle = move || state.status.get() == ConnectionStatus::Disconnected;

    view! {
        <section class="panel connection" aria-labelledby="connection-title">
            <h2 id="connection-title">"Connection"</h2>
            <label>
                "Broker URL"
                <input type="url" data-testid="broker-url" bind:value=url spellcheck="false"/>
            </label>
            <div class="row">
                <label class="grow">
                    "Client ID"
                    <input data-testid="client-id" bind:value=client_id spellcheck="false"/>
                </label>
                <label>
                    "Keepalive (s)"
                    <input type="number" min="0" max="65535" data-testid="keep-alive" bind:value=keep_alive/>
                </label>
            </div>
            <div class="row">
                <label class="grow">
                    "Username"
                    <input data-testid="username" bind:value=username autocomplete="username"/>
                </label>
                <label class="grow">
                    "Password"
                    <input type="password" data-testid="password" bind:value=password autocomplete="current-password"/>
                </label>
            </div>
            <label class="check">
                <input type="checkbox" data-testid="clean-session" bind:checked=clean_session/>
                "Clean session"
            </label>
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
        let skip = notices.len().saturating_sub(8);
        notices.into_iter().skip(skip).collect::<Vec<_>>()
    };
    view! {
        <ol class="timeline" data-testid="timeline" aria-label="Connection timeline">
            <For
                each=latest
                key=|notice| notice.id
                children=|notice| {
                    let class = format!("notice notice-{:?}", notice.level).to_lowercase();
                    view! {
                        <li class=class>
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

/// Validates the form; returns the broker URL and CONNECT options.
fn read_options(
    url: &str,
    client_id: &str,
    keep_alive: &str,
    clean_session: bool,
    username: &str,
    password: &str,
) -> Result<(String, ConnectOptions), String> {
    let url = broker_url::validate(url).map_err(|error| error.to_string())?;
    let keep_alive_secs: u16 = keep_alive.trim().parse().map_err(|_| {
        "Keepalive must be a whole number of seconds from 0 (off) to 65535.".to_string()
    })?;
    if client_id.is_empty() && !clean_session {
        return Err(
            "An empty client ID needs a clean session [MQTT-3.1.3-7]: enter a client ID or tick \
             Clean session."
                .into(),
        );
    }
    if username.is_empty() && !password.is_empty() {
        return Err(
            "MQTT 3.1.1 allows a password only together with a username [MQTT-3.1.2-22].".into(),
        );
    }
    let options = ConnectOptions {
        client_id: client_id.to_string(),
        keep_alive_secs,
        clean_session,
        username: (!username.is_empty()).then(|| username.to_string()),
        password: (!password.is_empty()).then(|| Bytes::copy_from_slice(password.as_bytes())),
        will: None,
    };
    Ok((url.to_string(), options))
}

/// The page's one driver, created on first use.
fn ensure_driver(state: AppState) -> Driver {
    if let Some(driver) = state.driver.get_value() {
        return driver;
    }
    let driver = Driver::new(SessionConfig::default(), move |event| {
        super::events::apply(state, event)
    });
    state.driver.set_value(Some(driver.clone()));
    driver
}
