//! The browser side of AWS auth (wasm32 only, kept thin): the wall clock
//! the signature is dated with, Cognito's two calls over `fetch`, and the
//! web server's clock for the clock-skew explanation.

use super::cognito::{self, Operation, PoolConfig};
use super::credentials::Credentials;
use std::time::SystemTime;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, RequestCache, RequestInit, Response};

/// The browser's wall clock (`Date.now()`), in Unix milliseconds.
/// `SystemTime::now()` panics on this target.
pub fn now_ms() -> u64 {
    js_sys::Date::now().max(0.0) as u64
}

/// The signing time: `Date.now()` as a `SystemTime`.
pub fn signing_time() -> SystemTime {
    super::presign::system_time_from_millis(now_ms())
}

/// Identity id and temporary credentials from a Cognito identity pool.
/// `identity_id` skips `GetId` when the identity is already known.
pub async fn cognito_credentials(
    config: &PoolConfig,
    identity_id: Option<String>,
) -> Result<(String, Credentials), String> {
    let region = config.validate()?;
    let endpoint = config.endpoint(&region);
    let identity_id = match identity_id {
        Some(id) => id,
        None => {
            let (status, body) = post(&endpoint, Operation::GetId, &config.get_id_body()).await?;
            cognito::parse_get_id(status, &body)?
        }
    };
    let (status, body) = post(
        &endpoint,
        Operation::GetCredentialsForIdentity,
        &config.get_credentials_body(&identity_id),
    )
    .await?;
    let credentials = cognito::parse_credentials(status, &body)?;
    Ok((identity_id, credentials))
}

async fn post(url: &str, operation: Operation, body: &str) -> Result<(u16, String), String> {
    let unreachable = |detail: String| {
        format!(
            "Could not reach Cognito at {url} ({detail}): check the network, the pool's \
             region, and the Cognito endpoint override if you set one."
        )
    };
    let window = web_sys::window().ok_or("no window")?;
    let headers = Headers::new().map_err(js_text)?;
    headers
        .append("Content-Type", cognito::CONTENT_TYPE)
        .map_err(js_text)?;
    headers
        .append("X-Amz-Target", operation.target())
        .map_err(js_text)?;
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_body(&JsValue::from_str(body));
    init.set_cache(RequestCache::NoStore);
    let sent_ms = now_ms();
    let response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|error| unreachable(js_text(error)))?;
    let response: Response = response.dyn_into().map_err(js_text)?;
    record_cognito_clock(&response, sent_ms);
    let text = JsFuture::from(response.text().map_err(js_text)?)
        .await
        .map_err(|error| unreachable(js_text(error)))?;
    Ok((response.status(), text.as_string().unwrap_or_default()))
}

/// The time by the server that served this page (its `Date` header), to
/// tell whether the browser's clock is off. `None` when it cannot be read
/// (opened from a file, no `Date` header, offline).
pub async fn server_time_ms() -> Option<u64> {
    let window = web_sys::window()?;
    let href = window.location().href().ok()?;
    if !href.starts_with("http") {
        return None;
    }
    let init = RequestInit::new();
    init.set_method("HEAD");
    init.set_cache(RequestCache::NoStore);
    let sent_at = js_sys::Date::now();
    let response = JsFuture::from(window.fetch_with_str_and_init(&href, &init))
        .await
        .ok()?;
    let received_at = js_sys::Date::now();
    let response: Response = response.dyn_into().ok()?;
    let date = response.headers().get("Date").ok()??;
    let server = super::clock::parse_http_date(&date)?;
    // The header has whole seconds; shift by the browser clock's own
    // progress during the request so that only skew remains.
    let elapsed = ((received_at - sent_at) / 2.0).max(0.0) as u64;
    Some(server + elapsed)
}

/// A reading of the web server's clock for the clock-offset estimate
/// (same request as [`server_time_ms`], with its timing kept).
pub async fn server_clock_sample() -> Option<super::clock_offset::Sample> {
    let window = web_sys::window()?;
    let href = window.location().href().ok()?;
    if !href.starts_with("http") {
        return None;
    }
    let init = RequestInit::new();
    init.set_method("HEAD");
    init.set_cache(RequestCache::NoStore);
    let sent_ms = now_ms();
    let response = JsFuture::from(window.fetch_with_str_and_init(&href, &init))
        .await
        .ok()?;
    let received_ms = now_ms();
    let response: Response = response.dyn_into().ok()?;
    let date = response.headers().get("Date").ok()??;
    Some(super::clock_offset::Sample {
        source: super::clock_offset::Source::WebServer,
        server_ms: super::clock::parse_http_date(&date)?,
        resolution_ms: 1000,
        sent_ms,
        received_ms,
    })
}

thread_local! {
    static COGNITO_CLOCK: std::cell::Cell<Option<super::clock_offset::Sample>> =
        const { std::cell::Cell::new(None) };
}

/// Keeps Cognito's `Date` when its CORS headers let the page read it
/// (`Headers::get` returns nothing for a header not exposed).
fn record_cognito_clock(response: &Response, sent_ms: u64) {
    let received_ms = now_ms();
    let Some(server_ms) = response
        .headers()
        .get("Date")
        .ok()
        .flatten()
        .and_then(|date| super::clock::parse_http_date(&date))
    else {
        return;
    };
    COGNITO_CLOCK.with(|cell| {
        cell.set(Some(super::clock_offset::Sample {
            source: super::clock_offset::Source::Cognito,
            server_ms,
            resolution_ms: 1000,
            sent_ms,
            received_ms,
        }))
    });
}

/// The last reading of Cognito's clock, if any could be read.
pub fn cognito_clock_sample() -> Option<super::clock_offset::Sample> {
    COGNITO_CLOCK.with(|cell| cell.get())
}

fn js_text(error: JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|error| String::from(error.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| format!("{error:?}"))
}
