//! The AWS IoT part of the connection form: the authentication choice
//! (plain broker, or AWS IoT with keys / Cognito / a custom authorizer),
//! the AWS fields of the edited profile, the connection plan that signs a
//! fresh URL for every attempt, Cognito credentials kept fresh, and the
//! explanation shown after a failed attempt.
//!
//! Non-secret settings live in the profile's `settings` map (saved and
//! shared with it); keys, tokens and the authorizer token live in
//! [`Secrets`] (memory only unless "Remember secrets on this device").
//! The signing itself is [`crate::aws`], pure and tested natively.

use super::state::{AppState, ConnectionStatus, NoticeLevel};
use crate::aws::authorizer::{AuthorizerForm, AuthorizerInput};
use crate::aws::clock::format_utc;
use crate::aws::clock_offset::{self, Estimate};
use crate::aws::cognito::PoolConfig;
use crate::aws::diagnose::{self, Attempt, Clocks, Diagnosis, Method, Stage};
use crate::aws::{self, browser, Credentials, Endpoint, PresignRequest, TokenPlacement};
use crate::limits::Limits;
use crate::session::{ConnectOptions, Event};
use crate::transport::{Driver, UrlProvider};
use crate::workspace::{AuthKind, Profile, Secrets};
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;

/// Profile settings (not secret).
pub mod setting {
    pub const ENDPOINT: &str = "awsEndpoint";
    pub const REGION: &str = "awsRegion";
    pub const SIGN_TOKEN: &str = "awsSignSessionToken";
    /// Optional `X-Amz-Expires` of presigned URLs, in seconds (empty: none,
    /// as AWS's own SDKs sign).
    pub const PRESIGN_EXPIRES: &str = "awsPresignExpires";
    /// Typed clock offset in seconds (empty: measure it).
    pub const CLOCK_OFFSET: &str = "awsClockOffsetSecs";
    pub const POOL_ID: &str = "awsIdentityPoolId";
    pub const LOGIN_PROVIDER: &str = "awsLoginProvider";
    pub const COGNITO_ENDPOINT: &str = "awsCognitoEndpoint";
    pub const AUTHORIZER_NAME: &str = "awsAuthorizerName";
    pub const TOKEN_KEY_NAME: &str = "awsTokenKeyName";
    pub const AUTHORIZER_FORM: &str = "awsAuthorizerForm";
}

/// Secret fields (in [`Secrets`]).
pub mod secret {
    pub const ACCESS_KEY_ID: &str = "awsAccessKeyId";
    pub const SECRET_ACCESS_KEY: &str = "awsSecretAccessKey";
    pub const SESSION_TOKEN: &str = "awsSessionToken";
    pub const LOGIN_TOKEN: &str = "awsLoginToken";
    pub const AUTHORIZER_TOKEN: &str = "awsAuthorizerToken";
    pub const TOKEN_SIGNATURE: &str = "awsTokenSignature";
}

/// What [`plan`] gives the connection panel.
pub struct AwsPlan {
    pub options: ConnectOptions,
    pub url: UrlProvider,
    /// For the timeline; never contains a secret.
    pub target: String,
}

/// Margin before expiry under which Cognito credentials are not used.
const EXPIRY_MARGIN_MS: u64 = 60_000;

// ---------------------------------------------------------------------------
// Per-page state shared by the plan, the URL provider and the observer.

#[derive(Default)]
struct Monitor {
    /// The running app (set when the form mounts).
    app: Option<AppState>,
    /// The explanation shown in the form.
    diagnosis: Option<RwSignal<Option<Diagnosis>>>,
    /// Shown in the form: Cognito identity and credential validity, errors.
    cognito_status: Option<RwSignal<Option<(bool, String)>>>,
    /// What the current AWS plan connects with (None: no AWS plan yet).
    attempt: Option<Attempt>,
    /// Bumped by every plan: stale timers and fetches check it.
    generation: u64,
    /// The provider ran since the last `Connecting` event.
    signed: bool,
    /// The provider failed (no URL) in this attempt.
    provider_failed: bool,
    /// The attempt now running is an AWS one (provider ran for it).
    in_attempt: bool,
    /// The timeline already has this plan's explanation.
    notified: bool,
    cognito: CognitoCache,
    /// A Cognito fetch the next `connect_when_ready` must wait for.
    pending: Option<PoolConfig>,
    /// The best clock-offset estimate so far (shown in the form).
    measured: Option<RwSignal<Option<Estimate>>>,
    /// The typed offset of the current plan, seconds.
    manual_offset: Option<i64>,
}

/// The best estimate: the web server's reading and Cognito's if any.
fn measured_offset() -> Option<Estimate> {
    let web = with(|m| m.measured.and_then(|s| s.get_untracked()));
    let cognito = browser::cognito_clock_sample().and_then(clock_offset::estimate);
    clock_offset::best(web.into_iter().chain(cognito))
}

/// Reads the web server's clock and keeps the better estimate.
fn measure_clock() {
    leptos::task::spawn_local(async move {
        let Some(estimate) = browser::server_clock_sample()
            .await
            .and_then(clock_offset::estimate)
        else {
            return;
        };
        if let Some(signal) = with(|m| m.measured) {
            signal.update(|old| *old = clock_offset::best(old.iter().copied().chain([estimate])));
        }
    });
}

/// The signing time: the browser's clock, corrected by the typed or
/// measured offset.
fn corrected_signing_time() -> std::time::SystemTime {
    let offset = clock_offset::applied_offset_ms(with(|m| m.manual_offset), measured_offset());
    aws::presign::system_time_from_millis(clock_offset::corrected_ms(browser::now_ms(), offset))
}

#[derive(Default)]
struct CognitoCache {
    /// Pool, provider, login token and endpoint the cache belongs to.
    key: String,
    identity_id: Option<String>,
    credentials: Option<Credentials>,
    fetched_at_ms: u64,
    fetching: bool,
    fetches: u32,
}

thread_local! {
    static MONITOR: RefCell<Monitor> = RefCell::default();
}

fn with<R>(access: impl FnOnce(&mut Monitor) -> R) -> R {
    MONITOR.with(|monitor| access(&mut monitor.borrow_mut()))
}

fn get(profile: &Profile, key: &str) -> String {
    profile.settings.get(key).cloned().unwrap_or_default()
}

// ---------------------------------------------------------------------------
// The plan.

/// Checks the AWS fields and builds the CONNECT options and the URL
/// provider. `options` are the profile's common options (client id,
/// keepalive, will…).
pub fn plan(
    profile: &Profile,
    secrets: &Secrets,
    mut options: ConnectOptions,
) -> Result<AwsPlan, String> {
    aws::check_connect(&options.client_id, options.keep_alive_secs)?;
    if let Some(will) = &options.will {
        let limits = Limits::AWS_IOT;
        limits
            .check_topic_name(&will.topic)
            .and_then(|()| limits.check_payload_len(will.payload.len()))
            .and_then(|()| limits.check_qos(will.qos))
            .map_err(|error| format!("Last will: {error}"))?;
    }
    let (endpoint, region) = aws::endpoint_and_region(
        &get(profile, setting::ENDPOINT),
        &get(profile, setting::REGION),
    )?;
    let template = |method: Method| Attempt {
        method,
        host: endpoint.host.clone(),
        region: region.clone(),
        endpoint_region: endpoint.region.clone(),
        client_id: options.client_id.clone(),
        amz_date: None,
    };
    let expires = presign_expires(profile)?;
    let manual_offset = clock_offset::parse_manual(&get(profile, setting::CLOCK_OFFSET))?;
    with(|m| m.manual_offset = manual_offset);
    let (attempt, url, target): (Attempt, UrlProvider, String) = match profile.auth {
        AuthKind::AwsKeys => {
            let credentials = Credentials::from_input(
                secrets.get(secret::ACCESS_KEY_ID),
                secrets.get(secret::SECRET_ACCESS_KEY),
                secrets.get(secret::SESSION_TOKEN),
            )?;
            let token_signed = get(profile, setting::SIGN_TOKEN) == "true";
            let placement = if token_signed {
                TokenPlacement::Signed
            } else {
                TokenPlacement::AfterSignature
            };
            let attempt = template(Method::Keys {
                access_key_id: credentials.access_key_id.clone(),
                session_token: credentials.session_token.is_some(),
                token_signed,
            });
            let target = format!(
                "AWS IoT {} ({region}, access key {})",
                endpoint.host,
                credentials.key_hint()
            );
            let provider = signing_provider(
                endpoint.clone(),
                region.clone(),
                placement,
                expires,
                move || Ok(credentials.clone()),
            );
            (attempt, provider, target)
        }
        AuthKind::AwsCognito => {
            let config = PoolConfig {
                pool_id: get(profile, setting::POOL_ID),
                login_provider: get(profile, setting::LOGIN_PROVIDER),
                login_token: secrets.get(secret::LOGIN_TOKEN).to_string(),
                endpoint_override: get(profile, setting::COGNITO_ENDPOINT),
            };
            config.validate()?;
            let key = cache_key(&config);
            let fresh = with(|m| {
                if m.cognito.key != key {
                    m.cognito = CognitoCache {
                        key: key.clone(),
                        ..CognitoCache::default()
                    };
                }
                m.cognito
                    .credentials
                    .as_ref()
                    .is_some_and(|c| !c.expired(browser::now_ms(), EXPIRY_MARGIN_MS))
            });
            if !fresh {
                with(|m| m.pending = Some(config.clone()));
            }
            let attempt = template(Method::Cognito {
                access_key_id: String::new(),
                identity_id: String::new(),
                authenticated: config.authenticated(),
                expires_at_ms: None,
            });
            let target = format!(
                "AWS IoT {} ({region}, Cognito identity pool {})",
                endpoint.host,
                config.pool_id.trim()
            );
            let provider = signing_provider(
                endpoint.clone(),
                region.clone(),
                TokenPlacement::AfterSignature,
                expires,
                move || cognito_credentials_now(&config),
            );
            (attempt, provider, target)
        }
        AuthKind::AwsCustomAuthorizer => {
            let input = AuthorizerInput {
                name: get(profile, setting::AUTHORIZER_NAME),
                token_key_name: get(profile, setting::TOKEN_KEY_NAME),
                token: secrets.get(secret::AUTHORIZER_TOKEN).to_string(),
                signature: secrets.get(secret::TOKEN_SIGNATURE).to_string(),
                form: AuthorizerForm::parse(&get(profile, setting::AUTHORIZER_FORM)),
            };
            let url = input.url(&endpoint)?;
            options.username = input.username(&profile.username)?;
            options.password = None;
            let attempt = template(Method::Authorizer {
                form: input.form,
                name: input.name.trim().to_string(),
                signature: !input.signature.trim().is_empty(),
            });
            let target = format!(
                "AWS IoT {} (custom authorizer {}, token in the {})",
                endpoint.host,
                if input.name.trim().is_empty() {
                    "(default)"
                } else {
                    input.name.trim()
                },
                match input.form {
                    AuthorizerForm::QueryString => "URL",
                    AuthorizerForm::Username => "MQTT username",
                }
            );
            let provider: UrlProvider = Rc::new(move || {
                with(|m| m.signed = true);
                Ok(url.clone())
            });
            (attempt, provider, target)
        }
        AuthKind::Broker => return Err("not an AWS IoT profile".into()),
    };
    with(|m| {
        m.generation += 1;
        m.attempt = Some(attempt);
        m.notified = false;
        m.signed = false;
        if let Some(diagnosis) = m.diagnosis {
            diagnosis.set(None);
        }
    });
    Ok(AwsPlan {
        options,
        url,
        target,
    })
}

/// The profile's optional URL expiry, checked against SigV4's range.
fn presign_expires(profile: &Profile) -> Result<Option<u64>, String> {
    let text = get(profile, setting::PRESIGN_EXPIRES);
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let secs = text
        .parse::<u64>()
        .map_err(|_| format!("URL expiry \"{text}\": use whole seconds, or leave it empty"))?;
    aws::presign::check_expires(secs).map(Some)
}

/// A provider that signs a fresh URL with the browser's clock on every
/// connection attempt, and records what it signed for the explanation.
fn signing_provider(
    endpoint: Endpoint,
    region: String,
    token: TokenPlacement,
    expires_secs: Option<u64>,
    credentials: impl Fn() -> Result<Credentials, String> + 'static,
) -> UrlProvider {
    Rc::new(move || {
        let result = credentials().and_then(|credentials| {
            let signed = aws::presign(&PresignRequest {
                endpoint: &endpoint,
                region: &region,
                credentials: &credentials,
                time: corrected_signing_time(),
                token,
                expires_secs,
            })?;
            Ok((credentials, signed))
        });
        with(|m| {
            m.signed = true;
            m.provider_failed = result.is_err();
            if let (Some(attempt), Ok((credentials, signed))) = (&mut m.attempt, &result) {
                attempt.amz_date = Some(signed.amz_date.clone());
                if let Method::Cognito {
                    access_key_id,
                    identity_id,
                    expires_at_ms,
                    ..
                } = &mut attempt.method
                {
                    *access_key_id = credentials.access_key_id.clone();
                    *identity_id = m.cognito.identity_id.clone().unwrap_or_default();
                    *expires_at_ms = credentials.expires_at_ms;
                }
            }
        });
        result.map(|(_, signed)| signed.url)
    })
}

/// Starts the connection: at once, or after fetching Cognito credentials
/// when the plan needs them (a failed fetch is explained, nothing opens).
pub fn connect_when_ready(driver: &Driver, options: ConnectOptions, url: UrlProvider) {
    let Some(config) = with(|m| m.pending.take()) else {
        driver.connect(options, url);
        return;
    };
    let driver = driver.clone();
    leptos::task::spawn_local(async move {
        if fetch_cognito(config).await.is_ok() {
            driver.connect(options, url);
        }
    });
}

// ---------------------------------------------------------------------------
// Cognito credentials.

fn cache_key(config: &PoolConfig) -> String {
    format!(
        "{}\n{}\n{}\n{}",
        config.pool_id.trim(),
        config.login_provider.trim(),
        config.login_token.trim(),
        config.endpoint_override.trim()
    )
}

/// The cached credentials if still good; otherwise starts a fetch and
/// fails this attempt (the session retries after its backoff, by which
/// time the new credentials are there).
fn cognito_credentials_now(config: &PoolConfig) -> Result<Credentials, String> {
    let now = browser::now_ms();
    let cached = with(|m| m.cognito.credentials.clone());
    match cached {
        Some(credentials) if !credentials.expired(now, EXPIRY_MARGIN_MS) => Ok(credentials),
        stale => {
            let config = config.clone();
            leptos::task::spawn_local(async move {
                let _ = fetch_cognito(config).await;
            });
            Err(match stale.and_then(|c| c.expires_at_ms) {
                Some(at) => format!(
                    "the Cognito credentials expired at {}; fetching new ones for the next attempt",
                    format_utc(at)
                ),
                None => "fetching Cognito credentials for the next attempt".into(),
            })
        }
    }
}

/// Fetches (or refreshes) credentials for `config`, updates the cache and
/// the status line, and schedules the next refresh before they expire.
async fn fetch_cognito(config: PoolConfig) -> Result<(), String> {
    let key = cache_key(&config);
    let (busy, identity_id, app) = with(|m| {
        let busy = m.cognito.key == key && m.cognito.fetching;
        if !busy {
            m.cognito.key = key.clone();
            m.cognito.fetching = true;
        }
        (busy, m.cognito.identity_id.clone(), m.app)
    });
    if busy {
        return Err("already fetching".into());
    }
    let region = config.validate().unwrap_or_default();
    if let Some(app) = app {
        app.notify(
            NoticeLevel::Info,
            format!(
                "Getting credentials from Cognito identity pool {} ({})",
                config.pool_id.trim(),
                config.endpoint(&region)
            ),
        );
    }
    let result = browser::cognito_credentials(&config, identity_id).await;
    let now = browser::now_ms();
    let outcome = with(|m| {
        m.cognito.fetching = false;
        if m.cognito.key != key {
            return Err("the profile changed".to_string());
        }
        match result {
            Ok((identity_id, credentials)) => {
                m.cognito.fetches += 1;
                m.cognito.identity_id = Some(identity_id.clone());
                m.cognito.fetched_at_ms = now;
                let expires = credentials.expires_at_ms;
                let text = format!(
                    "Cognito identity {identity_id}: temporary key {}{} (fetched {}×)",
                    credentials.key_hint(),
                    expires
                        .map(|at| format!(", valid until {}", format_utc(at)))
                        .unwrap_or_default(),
                    m.cognito.fetches
                );
                m.cognito.credentials = Some(credentials);
                if let Some(status) = m.cognito_status {
                    status.set(Some((false, text.clone())));
                }
                Ok((text, expires, m.generation))
            }
            Err(error) => {
                // A stale identity id can be the problem: ask again next time.
                m.cognito.identity_id = None;
                if let Some(status) = m.cognito_status {
                    status.set(Some((true, error.clone())));
                }
                Err(error)
            }
        }
    });
    match outcome {
        Ok((text, expires, generation)) => {
            if let Some(app) = app {
                app.notify(NoticeLevel::Info, text);
            }
            if let Some(expires) = expires {
                schedule_refresh(config, generation, now, expires);
            }
            Ok(())
        }
        Err(error) => {
            if let Some(app) = app {
                app.notify(NoticeLevel::Error, error.clone());
            }
            Err(error)
        }
    }
}

/// Refreshes before expiry while this plan is still the one in use and the
/// connection has not been given up.
fn schedule_refresh(config: PoolConfig, generation: u64, fetched_at: u64, expires: u64) {
    let at = aws::credentials::refresh_at_ms(fetched_at, expires);
    let delay = at.saturating_sub(fetched_at).max(1_000);
    // Credentials may last longer than one browser timer (2^31 - 1 ms,
    // 24.8 days): the transport's timer chains them.
    crate::transport::main_thread_timeout_ms(delay, move || {
        let (current, app) = with(|m| (m.generation == generation, m.app));
        let active =
            app.is_some_and(|app| app.status.get_untracked() != ConnectionStatus::Disconnected);
        if current && active {
            leptos::task::spawn_local(async move {
                let _ = fetch_cognito(config).await;
            });
        }
    });
}

// ---------------------------------------------------------------------------
// Watching attempts, explaining failures.

/// Sees every session event (called by the driver's event callback).
pub fn observe(event: &Event) {
    if matches!(event, Event::Message(_)) {
        return; // the hot path: nothing to explain
    }
    let stage = with(|m| match event {
        Event::Connecting { .. } => {
            m.in_attempt = std::mem::take(&mut m.signed) && m.attempt.is_some();
            None
        }
        Event::Connected { .. } => {
            m.in_attempt = false;
            if let Some(diagnosis) = m.diagnosis {
                diagnosis.set(None);
            }
            None
        }
        Event::ConnectionRefused { code, .. } if m.in_attempt => {
            m.in_attempt = false;
            Some(Stage::Refused(*code as u8))
        }
        Event::ConnectionLost { last_operation, .. } if m.in_attempt => {
            m.in_attempt = false;
            if std::mem::take(&mut m.provider_failed) {
                None // no URL, nothing was refused
            } else if last_operation
                .as_deref()
                .is_some_and(|operation| operation.contains("after CONNECT "))
            {
                // The session names the CONNECT it sent on this socket; any
                // other operation it names is from an earlier connection.
                Some(Stage::ClosedAfterConnect)
            } else {
                Some(Stage::UpgradeRefused)
            }
        }
        Event::Disconnected => {
            m.in_attempt = false;
            None
        }
        _ => None,
    });
    if let Some(stage) = stage {
        explain(stage);
    }
}

fn explain(stage: Stage) {
    let Some((attempt, generation)) = with(|m| m.attempt.clone().map(|a| (a, m.generation))) else {
        return;
    };
    leptos::task::spawn_local(async move {
        let server_ms = browser::server_time_ms().await;
        let clocks = Clocks {
            browser_ms: browser::now_ms(),
            server_ms,
        };
        let mut diagnosis = diagnose::diagnose(&attempt, stage, clocks);
        if let Some(sample) = browser::server_clock_sample().await {
            if let (Some(estimate), Some(signal)) =
                (clock_offset::estimate(sample), with(|m| m.measured))
            {
                signal
                    .update(|old| *old = clock_offset::best(old.iter().copied().chain([estimate])));
            }
        }
        let offset_line = clock_offset::describe(with(|m| m.manual_offset), measured_offset());
        if let Some(cause) = diagnosis
            .causes
            .iter_mut()
            .find(|c| c.kind == diagnose::CauseKind::ClockSkew)
        {
            cause.text = format!("{} {offset_line}", cause.text);
        }
        let (signal, app, first) = with(|m| {
            if m.generation != generation {
                return (None, None, false);
            }
            let first = !std::mem::replace(&mut m.notified, true);
            (m.diagnosis, m.app, first)
        });
        if let (true, Some(app), Some(cause)) = (first, app, diagnosis.causes.first()) {
            app.notify(
                NoticeLevel::Error,
                format!("AWS IoT: most likely cause: {}", cause.text),
            );
        }
        if let Some(signal) = signal {
            signal.set(Some(diagnosis));
        }
    });
}

// ---------------------------------------------------------------------------
// The form.

fn setting_text(
    form: RwSignal<Profile>,
    key: &'static str,
) -> (
    impl Fn() -> String + Copy,
    impl Fn(leptos::ev::Event) + Copy,
) {
    (
        move || form.with(|p| get(p, key)),
        move |ev| {
            let value = event_target_value(&ev);
            form.update(|p| {
                if value.is_empty() {
                    p.settings.remove(key);
                } else {
                    p.settings.insert(key.to_string(), value);
                }
            })
        },
    )
}

fn secret_text(
    secrets: RwSignal<Secrets>,
    key: &'static str,
) -> (
    impl Fn() -> String + Copy,
    impl Fn(leptos::ev::Event) + Copy,
) {
    (
        move || secrets.with(|s| s.get(key).to_string()),
        move |ev| secrets.update(|s| s.set(key, &event_target_value(&ev))),
    )
}

fn kind_value(kind: AuthKind) -> &'static str {
    match kind {
        AuthKind::Broker => "broker",
        AuthKind::AwsKeys => "awsKeys",
        AuthKind::AwsCognito => "awsCognito",
        AuthKind::AwsCustomAuthorizer => "awsCustomAuthorizer",
    }
}

fn kind_from(value: &str) -> AuthKind {
    match value {
        "awsKeys" => AuthKind::AwsKeys,
        "awsCognito" => AuthKind::AwsCognito,
        "awsCustomAuthorizer" => AuthKind::AwsCustomAuthorizer,
        _ => AuthKind::Broker,
    }
}

/// The authentication choice and, for AWS IoT, its fields and the
/// explanation of the last failure.
#[component]
pub fn AwsAuth(form: RwSignal<Profile>, secrets: RwSignal<Secrets>) -> impl IntoView {
    let app = expect_context::<AppState>();
    let diagnosis = RwSignal::new(None::<Diagnosis>);
    let cognito_status = RwSignal::new(None::<(bool, String)>);
    let measured = with(|m| *m.measured.get_or_insert_with(|| RwSignal::new(None)));
    if measured.get_untracked().is_none() {
        measure_clock();
    }
    with(|m| {
        m.app = Some(app);
        m.diagnosis = Some(diagnosis);
        m.cognito_status = Some(cognito_status);
    });

    let kind = move || form.with(|p| p.auth);
    let is = move |wanted: AuthKind| move || kind() == wanted;
    let is_aws = move || kind() != AuthKind::Broker;

    let (endpoint, set_endpoint) = setting_text(form, setting::ENDPOINT);
    let (region, set_region) = setting_text(form, setting::REGION);
    let region_hint = move || {
        let endpoint = endpoint();
        if endpoint.trim().is_empty() {
            return String::new();
        }
        match Endpoint::parse(&endpoint) {
            Err(error) => error.to_string(),
            Ok(parsed) => match (parsed.region, region().trim().is_empty()) {
                (Some(named), true) => format!("Region {named} (from the endpoint)."),
                (Some(named), false) if named != region().trim() => format!(
                    "The endpoint is in {named}; signing for {} instead.",
                    region().trim()
                ),
                (_, false) => format!("Signing for region {}.", region().trim()),
                (None, true) => "A custom domain: enter its region.".into(),
            },
        }
    };

    let (access_key_id, set_access_key_id) = secret_text(secrets, secret::ACCESS_KEY_ID);
    let (secret_key, set_secret_key) = secret_text(secrets, secret::SECRET_ACCESS_KEY);
    let (session_token, set_session_token) = secret_text(secrets, secret::SESSION_TOKEN);
    let sign_token = move || form.with(|p| get(p, setting::SIGN_TOKEN) == "true");
    let set_sign_token = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        form.update(|p| {
            if on {
                p.settings.insert(setting::SIGN_TOKEN.into(), "true".into());
            } else {
                p.settings.remove(setting::SIGN_TOKEN);
            }
        })
    };

    let (expires, set_expires) = setting_text(form, setting::PRESIGN_EXPIRES);
    let (clock_offset_text, set_clock_offset) = setting_text(form, setting::CLOCK_OFFSET);
    let clock_line = move || match clock_offset::parse_manual(&clock_offset_text()) {
        Ok(manual) => (false, clock_offset::describe(manual, measured.get())),
        Err(problem) => (true, problem),
    };
    let signs_url = move || matches!(kind(), AuthKind::AwsKeys | AuthKind::AwsCognito);
    let (pool_id, set_pool_id) = setting_text(form, setting::POOL_ID);
    let (login_provider, set_login_provider) = setting_text(form, setting::LOGIN_PROVIDER);
    let (login_token, set_login_token) = secret_text(secrets, secret::LOGIN_TOKEN);
    let (cognito_endpoint, set_cognito_endpoint) = setting_text(form, setting::COGNITO_ENDPOINT);

    let (authorizer_name, set_authorizer_name) = setting_text(form, setting::AUTHORIZER_NAME);
    let (token_key_name, set_token_key_name) = setting_text(form, setting::TOKEN_KEY_NAME);
    let (authorizer_form, set_authorizer_form) = setting_text(form, setting::AUTHORIZER_FORM);
    let (authorizer_token, set_authorizer_token) = secret_text(secrets, secret::AUTHORIZER_TOKEN);
    let (token_signature, set_token_signature) = secret_text(secrets, secret::TOKEN_SIGNATURE);
    let username = move || form.with(|p| p.username.clone());
    let set_username = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        form.update(|p| p.username = value)
    };
    let username_form = move || authorizer_form() == AuthorizerForm::Username.as_str();

    let limits = Limits::AWS_IOT;
    let limits_text = format!(
        "AWS IoT limits are checked before sending: QoS 0 and 1 only; topics up to {} bytes and \
         {} slashes; payloads up to {} KB; up to {} filters per subscribe; client id up to {} \
         bytes; keepalive {}–{} s.",
        limits.max_topic_len,
        limits.max_topic_slashes.unwrap_or_default(),
        limits.max_payload_len / 1024,
        limits.max_filters_per_subscribe.unwrap_or_default(),
        limits.max_client_id_len,
        limits.keep_alive.0,
        limits.keep_alive.1,
    );

    view! {
        <label>
            "Authentication"
            <select data-testid="auth-kind"
                prop:value=move || kind_value(kind())
                on:change=move |ev| {
                    let chosen = kind_from(&event_target_value(&ev));
                    form.update(|p| {
                        p.auth = chosen;
                        let (min, max) = Limits::AWS_IOT.keep_alive;
                        if chosen != AuthKind::Broker && !(min..=max).contains(&p.keep_alive_secs) {
                            p.keep_alive_secs = 60;
                        }
                    });
                }>
                <option value="broker">"Broker (URL, optional username/password)"</option>
                <option value="awsKeys">"AWS IoT Core: access keys (SigV4)"</option>
                <option value="awsCognito">"AWS IoT Core: Cognito identity pool"</option>
                <option value="awsCustomAuthorizer">"AWS IoT Core: custom authorizer"</option>
            </select>
        </label>
        <Show when=is_aws>
            <fieldset class="aws" data-testid="aws-auth">
                <legend>"AWS IoT Core"</legend>
                <div class="row">
                    <label class="grow">
                        "Endpoint"
                        <input data-testid="aws-endpoint" prop:value=endpoint on:input=set_endpoint
                            placeholder="abc123example-ats.iot.eu-west-1.amazonaws.com" spellcheck="false"/>
                    </label>
                    <label>
                        "Region"
                        <input data-testid="aws-region" prop:value=region on:input=set_region
                            placeholder="from the endpoint" spellcheck="false" size="14"/>
                    </label>
                </div>
                <p class="hint" data-testid="aws-region-hint">{region_hint}</p>
                <Show when=signs_url>
                    <label>
                        "URL expiry in seconds (optional; AWS's SDKs sign without one)"
                        <input type="number" min="1" max="604800" data-testid="aws-presign-expires"
                            prop:value=expires on:input=set_expires placeholder="none" size="10"/>
                    </label>
                    <label>
                        "Clock offset in seconds (optional; added to this browser's clock when signing, e.g. -1200 if it is 20 minutes ahead)"
                        <input type="number" min="-86400" max="86400" data-testid="aws-clock-offset"
                            prop:value=clock_offset_text on:input=set_clock_offset placeholder="measure" size="10"/>
                    </label>
                    <p data-testid="aws-clock-line" class=move || if clock_line().0 { "error" } else { "hint" }>
                        {move || clock_line().1}
                    </p>
                </Show>

                <Show when=is(AuthKind::AwsKeys)>
                    <div class="row">
                        <label class="grow">
                            "Access key ID"
                            <input data-testid="aws-access-key-id" prop:value=access_key_id
                                on:input=set_access_key_id autocomplete="off" spellcheck="false"/>
                        </label>
                        <label class="grow">
                            "Secret access key"
                            <input type="password" data-testid="aws-secret-access-key" prop:value=secret_key
                                on:input=set_secret_key autocomplete="off"/>
                        </label>
                    </div>
                    <label>
                        "Session token (temporary credentials only)"
                        <input type="password" data-testid="aws-session-token" prop:value=session_token
                            on:input=set_session_token autocomplete="off"/>
                    </label>
                    <details>
                        <summary>"Advanced"</summary>
                        <label class="check">
                            <input type="checkbox" data-testid="aws-sign-token"
                                prop:checked=sign_token on:change=set_sign_token/>
                            "Sign the session token into the URL (AWS IoT Core refuses this; only \
                             for SigV4 proxies that require it)"
                        </label>
                    </details>
                </Show>

                <Show when=is(AuthKind::AwsCognito)>
                    <label>
                        "Identity pool ID"
                        <input data-testid="aws-identity-pool-id" prop:value=pool_id on:input=set_pool_id
                            placeholder="eu-west-1:0123abcd-…" spellcheck="false"/>
                    </label>
                    <div class="row">
                        <label class="grow">
                            "Login provider (optional)"
                            <input data-testid="aws-login-provider" prop:value=login_provider
                                on:input=set_login_provider placeholder="accounts.google.com" spellcheck="false"/>
                        </label>
                        <label class="grow">
                            "Login token"
                            <input type="password" data-testid="aws-login-token" prop:value=login_token
                                on:input=set_login_token autocomplete="off"/>
                        </label>
                    </div>
                    <details>
                        <summary>"Advanced"</summary>
                        <label>
                            "Cognito endpoint (default: https://cognito-identity.<region>.amazonaws.com/)"
                            <input data-testid="aws-cognito-endpoint" prop:value=cognito_endpoint
                                on:input=set_cognito_endpoint spellcheck="false"/>
                        </label>
                    </details>
                    <Show when=move || cognito_status.get().is_some()>
                        <p class=move || if cognito_status.get().is_some_and(|(error, _)| error) { "error" } else { "hint" }
                            data-testid="aws-cognito-status">
                            {move || cognito_status.get().map(|(_, text)| text)}
                        </p>
                    </Show>
                </Show>

                <Show when=is(AuthKind::AwsCustomAuthorizer)>
                    <div class="row">
                        <label class="grow">
                            "Authorizer name"
                            <input data-testid="aws-authorizer-name" prop:value=authorizer_name
                                on:input=set_authorizer_name placeholder="empty: the default authorizer" spellcheck="false"/>
                        </label>
                        <label>
                            "Send the token in"
                            <select data-testid="aws-authorizer-form" prop:value=move || {
                                    if username_form() { "username" } else { "query" }
                                } on:change=set_authorizer_form>
                                <option value="query">"the WebSocket URL"</option>
                                <option value="username">"the MQTT username"</option>
                            </select>
                        </label>
                    </div>
                    <div class="row">
                        <label>
                            "Token key name"
                            <input data-testid="aws-token-key-name" prop:value=token_key_name
                                on:input=set_token_key_name spellcheck="false" size="14"/>
                        </label>
                        <label class="grow">
                            "Token"
                            <input type="password" data-testid="aws-authorizer-token" prop:value=authorizer_token
                                on:input=set_authorizer_token autocomplete="off"/>
                        </label>
                    </div>
                    <label>
                        "Token signature (base64; when the authorizer signs tokens)"
                        <input type="password" data-testid="aws-token-signature" prop:value=token_signature
                            on:input=set_token_signature autocomplete="off"/>
                    </label>
                    <Show when=username_form>
                        <label>
                            "Username (before the authorizer parameters)"
                            <input data-testid="aws-authorizer-username" prop:value=username
                                on:input=set_username autocomplete="username" spellcheck="false"/>
                        </label>
                    </Show>
                </Show>

                <p class="hint" data-testid="aws-limits">{limits_text.clone()}</p>
                <Show when=move || diagnosis.get().is_some()>
                    <section class="aws-diagnosis" data-testid="aws-diagnosis" role="alert">
                        <p data-testid="aws-diagnosis-summary">
                            {move || diagnosis.get().map(|d| d.summary)}
                        </p>
                        <ol>
                            {move || diagnosis.get().map(|d| d.causes.into_iter().map(|cause| view! {
                                <li data-cause=cause.kind.id()>{cause.text}</li>
                            }).collect_view())}
                        </ol>
                    </section>
                </Show>
            </fieldset>
        </Show>
    }
}
