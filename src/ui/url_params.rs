//! URL parameters that connect and subscribe when the page opens, so a test
//! (or a bookmark) needs one URL:
//!
//! `?url=ws://127.0.0.1:9001/mqtt&connect=1&subscribe=device/+/status&qos=1`
//!
//! | parameter | meaning |
//! |---|---|
//! | `url` | broker WebSocket URL (`ws://` / `wss://`) |
//! | `profile` | name of a saved profile (instead of `url`) |
//! | `connect` | `1` / `true`: connect at once |
//! | `clientId`, `username`, `keepAlive`, `cleanSession` | connection options |
//! | `subscribe` | topic filter, may repeat; `+` as is or `%2B`, `#` as `%23` |
//! | `qos` | QoS of the `subscribe` filters (0, 1, 2; default 0) |
//!
//! Secrets never go in a URL: a `password` parameter is ignored with a
//! warning (pass it to `mqttConsole.connect`). Without `connect`, the
//! filters are only listed (subscribed on the next Connect). Progress and
//! problems go to the connection timeline, and `mqttConsole.ready()`
//! settles when everything asked for is done.
//!
//! Saved or shared profiles: `profile=<name>` picks a saved profile (any
//! auth kind) instead of `url`; `connect=1` alone connects the profile the
//! form shows, e.g. one opened from a share link (`#share=…`). A link never
//! connects with a *remembered* secret on its own: the page shows the
//! endpoint and waits for the user's click (a share link's profile has no
//! remembered secrets at all).

use super::automation::{self, ConnectProfile};
use super::state::{AppState, NoticeLevel, SubscriptionRow, SUBSCRIPTION_COLORS};
use super::workspace_state::WorkspaceState;
use crate::codec::QoS;
use crate::topic;
use crate::workspace::endpoint_summary;
use js_sys::Promise;
use leptos::prelude::*;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::future_to_promise;

/// `key=value` pairs of a query string, percent-decoded. Unlike form
/// decoding, `+` stays `+` (it is the MQTT single-level wildcard).
pub fn parse_query(search: &str) -> Vec<(String, String)> {
    let decode = |text: &str| {
        js_sys::decode_uri_component(text)
            .ok()
            .and_then(|decoded| decoded.as_string())
            .unwrap_or_else(|| text.to_string())
    };
    search
        .trim_start_matches('?')
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(key), decode(value))
        })
        .collect()
}

/// A whole-number parameter of this page's URL (e.g. `?logCap=10000`): the
/// first one named `name`, if it parses.
pub fn page_number(name: &str) -> Option<u64> {
    let search = web_sys::window()
        .and_then(|window| window.location().search().ok())
        .unwrap_or_default();
    parse_query(&search)
        .into_iter()
        .find(|(key, _)| key == name)
        .and_then(|(_, value)| value.trim().parse().ok())
}

fn flag(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "" | "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// What the parameters ask for.
struct Plan {
    profile: ConnectProfile,
    saved_profile: Option<String>,
    connect: bool,
    filters: Vec<String>,
    qos: QoS,
}

fn read_plan(params: &[(String, String)], state: AppState) -> Result<Plan, String> {
    let mut plan = Plan {
        profile: ConnectProfile::default(),
        saved_profile: None,
        connect: false,
        filters: Vec::new(),
        qos: QoS::AtMostOnce,
    };
    for (key, value) in params {
        match key.as_str() {
            "url" => plan.profile.url = value.trim().to_string(),
            "connect" => {
                plan.connect = flag(value).ok_or_else(|| format!("connect={value}: use 1 or 0"))?
            }
            "clientId" => plan.profile.client_id = Some(value.clone()),
            "username" => plan.profile.username = Some(value.clone()),
            "keepAlive" => {
                plan.profile.keep_alive =
                    Some(value.trim().parse().map_err(|_| {
                        format!("keepAlive={value}: use whole seconds from 0 to 65535")
                    })?)
            }
            "cleanSession" => {
                plan.profile.clean_session =
                    Some(flag(value).ok_or_else(|| format!("cleanSession={value}: use 1 or 0"))?)
            }
            "subscribe" => {
                let filter = value.trim().to_string();
                topic::validate_topic_filter(&filter)
                    .map_err(|error| format!("subscribe={filter}: {error}"))?;
                plan.filters.push(filter);
            }
            "qos" => {
                plan.qos = value
                    .trim()
                    .parse::<u8>()
                    .ok()
                    .and_then(QoS::from_u8)
                    .ok_or_else(|| format!("qos={value}: use 0, 1 or 2"))?
            }
            "password" => state.notify(
                NoticeLevel::Warning,
                "URL parameters: the password parameter is ignored: secrets do not belong in \
                 URLs (they end up in history and logs). Pass it to mqttConsole.connect({...}) \
                 or type it in the form.",
            ),
            "profile" => plan.saved_profile = Some(value.clone()),
            _ => {} // other parameters belong to someone else
        }
    }
    Ok(plan)
}

/// Reads `location.search` and does what it asks; called once by `App`.
pub fn apply(state: AppState) {
    let search = web_sys::window()
        .and_then(|window| window.location().search().ok())
        .unwrap_or_default();
    let params = parse_query(&search);
    if params.is_empty() {
        return;
    }
    let plan = match read_plan(&params, state) {
        Ok(plan) => plan,
        Err(error) => {
            report(state, &error);
            automation::set_ready(Promise::reject(&js_sys::Error::new(&format!(
                "URL parameters: {error}"
            ))));
            return;
        }
    };
    if !plan.connect {
        if let Some(name) = &plan.saved_profile {
            // Show the saved profile in the connection form.
            if let Err(error) = automation::select_profile(name) {
                report(state, &error);
            }
        }
        // Only list the filters; the next Connect subscribes them.
        state.subscriptions.update(|rows| {
            for filter in &plan.filters {
                if !rows.iter().any(|row| &row.filter == filter) {
                    let mut row = SubscriptionRow::new(filter.clone(), plan.qos);
                    row.color = SUBSCRIPTION_COLORS[rows.len() % SUBSCRIPTION_COLORS.len()].into();
                    rows.push(row);
                }
            }
        });
        return;
    }
    let ws = use_context::<WorkspaceState>();
    let ready = future_to_promise(async move {
        let result = run(plan, ws).await;
        if let Err(error) = &result {
            report(state, error);
        }
        result
            .map(|()| JsValue::UNDEFINED)
            .map_err(|error| js_sys::Error::new(&format!("URL parameters: {error}")).into())
    });
    automation::set_ready(ready);
}

async fn run(plan: Plan, ws: Option<WorkspaceState>) -> Result<(), String> {
    if plan.profile.url.is_empty() {
        // A saved profile by name, or the one the form shows (e.g. from a
        // share link); remembered secrets only after the user's click.
        if let Some(name) = &plan.saved_profile {
            automation::select_profile(name)?;
        }
        if let Some(ws) = ws {
            let remembered =
                ws.secrets_loaded_for().is_some() && !ws.secrets.with_untracked(|s| s.is_empty());
            if remembered {
                let target = endpoint_summary(&ws.form.get_untracked());
                if !ws.confirm_connect(target).await {
                    return Err(
                        "not connected: the link asked to connect with remembered secrets and                          the user declined"
                            .into(),
                    );
                }
            }
        }
        let connect = automation::saved_profile_plan(None, None)?;
        automation::connect_plan(connect, automation::CONNECT_TIMEOUT_MS).await?;
    } else if let Some(name) = plan.saved_profile {
        return Err(format!("give either url=… or profile={name}, not both"));
    } else {
        automation::connect_with(plan.profile).await?;
    }
    for filter in &plan.filters {
        automation::subscribe_and_wait(filter, plan.qos).await?;
    }
    Ok(())
}

fn report(state: AppState, error: &str) {
    state.notify(NoticeLevel::Error, format!("URL parameters: {error}"));
}
