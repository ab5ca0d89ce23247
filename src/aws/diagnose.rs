//! Why an AWS IoT connection attempt failed, as an ordered list of likely
//! causes a person can check.
//!
//! A browser cannot read the HTTP status of a refused WebSocket upgrade
//! (AWS answers 403; the page sees close code 1006), so the explanation is
//! built from what the page does know: the auth mode, what it signed and
//! when, the browser's clock, the web server's clock (its `Date` header,
//! when available) and whether the socket opened at all.

use super::authorizer::AuthorizerForm;
use super::clock::{describe_duration, format_utc, parse_amz_date};
use super::credentials::redact_key_id;

/// Clock differences up to this are "in sync" for the explanation.
pub const CLOCK_OK_MS: u64 = 5 * 60 * 1000;
/// SigV4's tolerance (15 minutes): signatures dated further ahead or behind
/// the service's clock are refused.
pub const CLOCK_FATAL_MS: u64 = 15 * 60 * 1000;

/// How the attempt authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Method {
    /// Typed keys.
    Keys {
        access_key_id: String,
        session_token: bool,
        /// The advanced "sign the session token" option was on.
        token_signed: bool,
    },
    /// Temporary keys from a Cognito identity pool.
    Cognito {
        access_key_id: String,
        identity_id: String,
        authenticated: bool,
        expires_at_ms: Option<u64>,
    },
    /// A custom authorizer token.
    Authorizer {
        form: AuthorizerForm,
        name: String,
        signature: bool,
    },
}

impl Method {
    fn sigv4(&self) -> bool {
        !matches!(self, Method::Authorizer { .. })
    }
}

/// What the page knew when it opened the socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub method: Method,
    /// Host as signed (`abc-ats.iot.eu-west-1.amazonaws.com`).
    pub host: String,
    /// Region the URL was signed for.
    pub region: String,
    /// Region named by the endpoint host, if it is an AWS name.
    pub endpoint_region: Option<String>,
    pub client_id: String,
    /// `X-Amz-Date` of the signed URL (SigV4 modes).
    pub amz_date: Option<String>,
}

/// How it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The WebSocket never opened (HTTP upgrade refused, DNS, TLS, …).
    UpgradeRefused,
    /// The socket opened and closed soon after CONNECT, without CONNACK.
    ClosedAfterConnect,
    /// CONNACK with this non-zero return code.
    Refused(u8),
}

/// The clocks at the time of the explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clocks {
    /// The browser's `Date.now()`.
    pub browser_ms: u64,
    /// The web server's time (its `Date` header) if it could be read.
    pub server_ms: Option<u64>,
}

/// One likely cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    pub kind: CauseKind,
    pub text: String,
}

/// Cause categories (stable ids for styling and tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CauseKind {
    TokenSigned,
    ClockSkew,
    RegionOrEndpoint,
    Credentials,
    Policy,
    ClientIdInUse,
    Authorizer,
    AuthorizerToken,
}

impl CauseKind {
    /// `data-cause` attribute value.
    pub fn id(self) -> &'static str {
        match self {
            CauseKind::TokenSigned => "token-signed",
            CauseKind::ClockSkew => "clock-skew",
            CauseKind::RegionOrEndpoint => "region-endpoint",
            CauseKind::Credentials => "credentials",
            CauseKind::Policy => "policy",
            CauseKind::ClientIdInUse => "client-id-in-use",
            CauseKind::Authorizer => "authorizer",
            CauseKind::AuthorizerToken => "authorizer-token",
        }
    }
}

/// The explanation shown after a failed attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    pub summary: String,
    /// Most likely first.
    pub causes: Vec<Cause>,
}

/// What the clocks say about skew.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Skew {
    /// No server time to compare with.
    Unknown,
    /// Within [`CLOCK_OK_MS`].
    InSync(u64),
    /// Browser ahead (`true`) or behind by this much.
    Off { ahead: bool, by_ms: u64 },
}

fn skew(clocks: Clocks) -> Skew {
    match clocks.server_ms {
        None => Skew::Unknown,
        Some(server) => {
            let by_ms = clocks.browser_ms.abs_diff(server);
            if by_ms <= CLOCK_OK_MS {
                Skew::InSync(by_ms)
            } else {
                Skew::Off {
                    ahead: clocks.browser_ms > server,
                    by_ms,
                }
            }
        }
    }
}

/// Builds the ordered explanation.
pub fn diagnose(attempt: &Attempt, stage: Stage, clocks: Clocks) -> Diagnosis {
    let summary =
        match stage {
            Stage::UpgradeRefused => format!(
                "{} refused the WebSocket connection before MQTT started (browsers hide the HTTP \
             status; AWS IoT answers 403 to a bad signature or token). Likely causes, most likely \
             first:",
                attempt.host
            ),
            Stage::ClosedAfterConnect => {
                format!(
            "{} accepted the WebSocket but closed it right after CONNECT as client id `{}`{}. \
             Likely causes:",
            attempt.host,
            attempt.client_id,
            if attempt.method.sigv4() { ", so the signature was accepted" } else { "" }
        )
            }
            Stage::Refused(code) => format!(
                "{} refused CONNECT (CONNACK return code {code}). Likely causes:",
                attempt.host
            ),
        };
    let causes = match (&attempt.method, stage) {
        (Method::Authorizer { .. }, _) => authorizer_causes(attempt, stage),
        (_, Stage::UpgradeRefused) => signature_causes(attempt, clocks),
        (_, _) => policy_first_causes(attempt),
    };
    Diagnosis { summary, causes }
}

fn signature_causes(attempt: &Attempt, clocks: Clocks) -> Vec<Cause> {
    let mut first = Vec::new();
    let mut middle = Vec::new();
    let mut last = Vec::new();

    if let Method::Keys {
        token_signed: true,
        session_token: true,
        ..
    } = attempt.method
    {
        first.push(Cause {
            kind: CauseKind::TokenSigned,
            text: "The session token was included in the signature (advanced option \"Sign the \
                   session token\"). AWS IoT Core refuses such URLs: it expects \
                   X-Amz-Security-Token appended after signing. Turn the option off."
                .into(),
        });
    }

    let clock = clock_cause(attempt, clocks);
    match skew(clocks) {
        Skew::InSync(_) => last.push(clock),
        _ => first.push(clock),
    }

    let region = region_cause(attempt);
    let mismatch = attempt
        .endpoint_region
        .as_ref()
        .is_some_and(|named| *named != attempt.region);
    let credentials = credentials_cause(attempt, clocks.browser_ms);
    let expired = matches!(
        attempt.method,
        Method::Cognito { expires_at_ms: Some(at), .. } if at <= clocks.browser_ms
    );
    if mismatch {
        first.push(region);
    } else {
        middle.push(region);
    }
    if expired {
        first.push(credentials);
    } else {
        middle.push(credentials);
    }
    middle.push(policy_cause(attempt));
    first.into_iter().chain(middle).chain(last).collect()
}

fn clock_cause(attempt: &Attempt, clocks: Clocks) -> Cause {
    let signed = attempt
        .amz_date
        .as_deref()
        .map(|date| match parse_amz_date(date) {
            Some(ms) => format!(
                "the URL was signed at {} (X-Amz-Date {date})",
                format_utc(ms)
            ),
            None => format!("X-Amz-Date {date}"),
        })
        .unwrap_or_else(|| "the URL's signing time".into());
    let browser = format_utc(clocks.browser_ms);
    let text =
        match skew(clocks) {
            Skew::Off { ahead, by_ms } => {
                format!(
            "Clock skew: this browser's clock is {} {} the web server's (browser {browser}, \
             server {}), and {signed}. AWS refuses signatures dated more than {} away from its \
             own time{}. Set the computer's clock to synchronise automatically, then connect \
             again.",
            describe_duration(by_ms),
            if ahead { "ahead of" } else { "behind" },
            format_utc(clocks.server_ms.unwrap_or_default()),
            describe_duration(CLOCK_FATAL_MS),
            if by_ms >= CLOCK_FATAL_MS { ": this alone explains the refusal" } else { "" },
        )
            }
            Skew::InSync(by_ms) => format!(
                "Clock skew is unlikely: this browser's clock ({browser}) agrees with the web \
             server's within {}; {signed}.",
                describe_duration(by_ms)
            ),
            Skew::Unknown => format!(
                "Clock skew: {signed}, by this browser's clock (now {browser}). If that differs \
             from the real UTC time by more than {}, AWS refuses the signature; compare with a \
             reliable clock.",
                describe_duration(CLOCK_FATAL_MS)
            ),
        };
    Cause {
        kind: CauseKind::ClockSkew,
        text,
    }
}

fn region_cause(attempt: &Attempt) -> Cause {
    let text = match &attempt.endpoint_region {
        Some(named) if *named != attempt.region => format!(
            "Wrong region: the URL was signed for {} but the endpoint {} is in {named}. Clear \
             the region override or correct it.",
            attempt.region, attempt.host
        ),
        Some(_) => format!(
            "Wrong endpoint: {} (region {}) must be your account's data endpoint in the region \
             of these credentials' account; check it with `aws iot describe-endpoint \
             --endpoint-type iot:Data-ATS --region {}`.",
            attempt.host, attempt.region, attempt.region
        ),
        None => format!(
            "Wrong region or endpoint: {} is a custom domain, signed for region {}; the domain \
             configuration must be in that region, serve AWS IoT data (not a proxy that changes \
             the Host), and accept SigV4.",
            attempt.host, attempt.region
        ),
    };
    Cause {
        kind: CauseKind::RegionOrEndpoint,
        text,
    }
}

fn credentials_cause(attempt: &Attempt, now_ms: u64) -> Cause {
    let text = match &attempt.method {
        Method::Keys {
            access_key_id,
            session_token,
            ..
        } => format!(
            "Wrong or inactive credentials: access key {} or its secret is mistyped, \
             deactivated or deleted{}.",
            redact_key_id(access_key_id),
            if *session_token {
                "; temporary credentials also expire, and the session token must be the one \
                 issued with this key"
            } else if access_key_id.starts_with("ASIA") {
                "; ASIA… keys are temporary and need their session token"
            } else {
                ""
            }
        ),
        Method::Cognito {
            access_key_id,
            identity_id,
            expires_at_ms,
            ..
        } => {
            let expiry = match expires_at_ms {
                Some(at) if *at <= now_ms => {
                    format!(
                        "expired at {} (new ones are fetched on the next attempt)",
                        format_utc(*at)
                    )
                }
                Some(at) => format!("valid until {}", format_utc(*at)),
                None => "without an expiry".into(),
            };
            format!(
                "Credentials: the temporary key {} from Cognito for identity {identity_id} was \
                 {expiry}.",
                redact_key_id(access_key_id)
            )
        }
        Method::Authorizer { .. } => String::new(),
    };
    Cause {
        kind: CauseKind::Credentials,
        text,
    }
}

fn policy_cause(attempt: &Attempt) -> Cause {
    let arn = format!(
        "arn:aws:iot:{}:<account>:client/{}",
        attempt.region, attempt.client_id
    );
    let text = match &attempt.method {
        Method::Cognito {
            authenticated: true,
            identity_id,
            ..
        } => format!(
            "Policy: the identity pool's authenticated role must allow iot:Connect on {arn}, \
             and an AWS IoT policy allowing it must be attached to the identity \
             (`aws iot attach-policy --policy-name … --target {identity_id}`)."
        ),
        Method::Cognito { .. } => format!(
            "Policy: the identity pool's unauthenticated (guest) role must allow iot:Connect \
             on {arn}."
        ),
        _ => format!(
            "Policy: the IAM policy of these credentials must allow iot:Connect on {arn} \
             (policies often restrict the client id)."
        ),
    };
    Cause {
        kind: CauseKind::Policy,
        text,
    }
}

fn client_id_cause(attempt: &Attempt) -> Cause {
    Cause {
        kind: CauseKind::ClientIdInUse,
        text: format!(
            "Client id in use: another connection (a device, another tab) with client id `{}` \
             is taking the connection over; AWS IoT allows one connection per client id.",
            attempt.client_id
        ),
    }
}

fn policy_first_causes(attempt: &Attempt) -> Vec<Cause> {
    vec![policy_cause(attempt), client_id_cause(attempt)]
}

fn authorizer_causes(attempt: &Attempt, stage: Stage) -> Vec<Cause> {
    let Method::Authorizer {
        form,
        name,
        signature,
    } = &attempt.method
    else {
        return Vec::new();
    };
    let name = if name.is_empty() {
        "the endpoint's default authorizer".to_string()
    } else {
        format!("authorizer `{name}`")
    };
    let config = Cause {
        kind: CauseKind::Authorizer,
        text: format!(
            "Authorizer: {name} must exist in {} of this account, be ACTIVE, and AWS IoT must \
             be allowed to invoke its Lambda function (lambda:InvokeFunction for \
             iot.amazonaws.com).",
            attempt.region
        ),
    };
    let token = Cause {
        kind: CauseKind::AuthorizerToken,
        text: if *signature {
            "Token: the token key name must match the authorizer's, and the signature must be \
             the base64 RSA-SHA256 signature of exactly this token with the authorizer's \
             signing key."
                .into()
        } else {
            "Token: no token signature was sent; that works only if token signing is disabled \
             on the authorizer. Otherwise enter the signature."
                .into()
        },
    };
    let lambda = Cause {
        kind: CauseKind::Policy,
        text: format!(
            "Policy: the authorizer's Lambda function must answer isAuthenticated: true with a \
             policy that allows iot:Connect on arn:aws:iot:{}:<account>:client/{}.",
            attempt.region, attempt.client_id
        ),
    };
    match (form, stage) {
        (AuthorizerForm::Username, Stage::UpgradeRefused) => vec![
            Cause {
                kind: CauseKind::RegionOrEndpoint,
                text: format!(
                    "Endpoint: with the username form the WebSocket itself is unauthenticated, \
                     so a refused upgrade means {} is not reachable or not an AWS IoT endpoint \
                     that accepts custom authentication (use the iot:Data-ATS endpoint or a \
                     domain configuration with this authorizer).",
                    attempt.host
                ),
            },
            config,
        ],
        (_, Stage::ClosedAfterConnect) | (_, Stage::Refused(_)) => {
            vec![lambda, token, config, client_id_cause(attempt)]
        }
        (AuthorizerForm::QueryString, Stage::UpgradeRefused) => vec![config, token, lambda],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_795_672_800_000; // 2026-11-26 06:00:00 UTC
    const MIN: u64 = 60_000;

    fn keys_attempt() -> Attempt {
        Attempt {
            method: Method::Keys {
                access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
                session_token: false,
                token_signed: false,
            },
            host: "abc-ats.iot.eu-west-1.amazonaws.com".into(),
            region: "eu-west-1".into(),
            endpoint_region: Some("eu-west-1".into()),
            client_id: "console-1".into(),
            amz_date: Some("20261126T060000Z".into()),
        }
    }

    fn kinds(diagnosis: &Diagnosis) -> Vec<&'static str> {
        diagnosis.causes.iter().map(|c| c.kind.id()).collect()
    }

    #[test]
    fn order_without_a_server_clock_follows_the_issue() {
        let d = diagnose(
            &keys_attempt(),
            Stage::UpgradeRefused,
            Clocks {
                browser_ms: NOW,
                server_ms: None,
            },
        );
        assert_eq!(
            kinds(&d),
            ["clock-skew", "region-endpoint", "credentials", "policy"]
        );
        assert!(d.causes[0].text.contains("2026-11-26 06:00:00 UTC"));
        assert!(d.causes[0].text.contains("20261126T060000Z"));
        assert!(d.causes[2].text.contains("AKIA…MPLE"));
        assert!(!d.causes[2].text.contains("AKIAIOSFODNN7EXAMPLE"));
        assert!(d.causes[3].text.contains("client/console-1"));
    }

    #[test]
    fn a_clock_in_sync_moves_skew_last() {
        let clocks = Clocks {
            browser_ms: NOW,
            server_ms: Some(NOW - 2_000),
        };
        let d = diagnose(&keys_attempt(), Stage::UpgradeRefused, clocks);
        assert_eq!(
            kinds(&d),
            ["region-endpoint", "credentials", "policy", "clock-skew"]
        );
        assert!(
            d.causes[3].text.contains("unlikely"),
            "{}",
            d.causes[3].text
        );
    }

    #[test]
    fn a_skewed_clock_comes_first_with_both_times() {
        let clocks = Clocks {
            browser_ms: NOW,
            server_ms: Some(NOW - 20 * MIN),
        };
        let d = diagnose(&keys_attempt(), Stage::UpgradeRefused, clocks);
        assert_eq!(d.causes[0].kind, CauseKind::ClockSkew);
        let text = &d.causes[0].text;
        assert!(text.contains("20 min ahead of"), "{text}");
        assert!(text.contains("browser 2026-11-26 06:00:00 UTC"), "{text}");
        assert!(text.contains("server 2026-11-26 05:40:00 UTC"), "{text}");
        assert!(text.contains("alone explains"), "{text}");
        let behind = diagnose(
            &keys_attempt(),
            Stage::UpgradeRefused,
            Clocks {
                browser_ms: NOW,
                server_ms: Some(NOW + 7 * MIN),
            },
        );
        assert!(behind.causes[0].text.contains("7 min behind"));
        assert!(!behind.causes[0].text.contains("alone explains"));
    }

    #[test]
    fn a_signed_token_is_named_first() {
        let mut attempt = keys_attempt();
        attempt.method = Method::Keys {
            access_key_id: "ASIAIOSFODNN7EXAMPLE".into(),
            session_token: true,
            token_signed: true,
        };
        let d = diagnose(
            &attempt,
            Stage::UpgradeRefused,
            Clocks {
                browser_ms: NOW,
                server_ms: Some(NOW),
            },
        );
        assert_eq!(
            kinds(&d),
            [
                "token-signed",
                "region-endpoint",
                "credentials",
                "policy",
                "clock-skew"
            ]
        );
    }

    #[test]
    fn region_override_mismatch_comes_first() {
        let mut attempt = keys_attempt();
        attempt.region = "us-east-1".into();
        let d = diagnose(
            &attempt,
            Stage::UpgradeRefused,
            Clocks {
                browser_ms: NOW,
                server_ms: Some(NOW),
            },
        );
        assert_eq!(d.causes[0].kind, CauseKind::RegionOrEndpoint);
        assert!(d.causes[0]
            .text
            .contains("signed for us-east-1 but the endpoint"));
    }

    #[test]
    fn expired_cognito_credentials_come_first() {
        let mut attempt = keys_attempt();
        attempt.method = Method::Cognito {
            access_key_id: "ASIAIOSFODNN7EXAMPLE".into(),
            identity_id: "eu-west-1:abc".into(),
            authenticated: true,
            expires_at_ms: Some(NOW - MIN),
        };
        let d = diagnose(
            &attempt,
            Stage::UpgradeRefused,
            Clocks {
                browser_ms: NOW,
                server_ms: Some(NOW),
            },
        );
        assert_eq!(
            kinds(&d),
            ["credentials", "region-endpoint", "policy", "clock-skew"]
        );
        assert!(d.causes[0]
            .text
            .contains("expired at 2026-11-26 05:59:00 UTC"));
        assert!(d.causes[2].text.contains("attach-policy"));
    }

    #[test]
    fn a_close_after_connect_blames_the_policy() {
        let d = diagnose(
            &keys_attempt(),
            Stage::ClosedAfterConnect,
            Clocks {
                browser_ms: NOW,
                server_ms: None,
            },
        );
        assert_eq!(kinds(&d), ["policy", "client-id-in-use"]);
        assert!(d.summary.contains("signature was accepted"));
    }

    #[test]
    fn authorizer_causes_depend_on_the_form() {
        let mut attempt = keys_attempt();
        attempt.amz_date = None;
        attempt.method = Method::Authorizer {
            form: AuthorizerForm::QueryString,
            name: "auth".into(),
            signature: false,
        };
        let clocks = Clocks {
            browser_ms: NOW,
            server_ms: None,
        };
        let d = diagnose(&attempt, Stage::UpgradeRefused, clocks);
        assert_eq!(kinds(&d), ["authorizer", "authorizer-token", "policy"]);
        assert!(d.causes[1].text.contains("no token signature"));
        attempt.method = Method::Authorizer {
            form: AuthorizerForm::Username,
            name: String::new(),
            signature: true,
        };
        let d = diagnose(&attempt, Stage::Refused(5), clocks);
        assert_eq!(
            kinds(&d),
            [
                "policy",
                "authorizer-token",
                "authorizer",
                "client-id-in-use"
            ]
        );
        assert!(d.summary.contains("CONNACK return code 5"));
        assert!(d.causes[2].text.contains("default authorizer"));
        let d = diagnose(&attempt, Stage::UpgradeRefused, clocks);
        assert_eq!(kinds(&d), ["region-endpoint", "authorizer"]);
    }
}
