//! Turns a profile and its secrets into what the driver needs: CONNECT
//! options and a URL provider (called afresh on every connection attempt).
//! Each auth kind adds its own part here; the plain-broker part is below.

use super::client_id;
use crate::broker_url;
use crate::session::ConnectOptions;
use crate::transport::UrlProvider;
use crate::workspace::{AuthKind, Profile, Secrets};
use bytes::Bytes;
use std::rc::Rc;

/// Field name of the broker password in [`Secrets`].
pub const PASSWORD: &str = "password";

/// What a connection attempt needs.
pub struct ConnectPlan {
    pub options: ConnectOptions,
    pub url: UrlProvider,
    /// Shown in the timeline ("Connecting to …"); never contains secrets.
    pub target: String,
}

/// Validates the profile and builds the plan, or says what to fix.
pub fn plan(profile: &Profile, secrets: &Secrets) -> Result<ConnectPlan, String> {
    match profile.auth {
        AuthKind::Broker => plain_broker(profile, secrets),
        _ => {
            let aws = super::aws_auth::plan(profile, secrets, base_options(profile)?)?;
            Ok(ConnectPlan {
                options: aws.options,
                url: aws.url,
                target: aws.target,
            })
        }
    }
}

/// CONNECT options common to every auth kind (client id, keepalive, …).
pub fn base_options(profile: &Profile) -> Result<ConnectOptions, String> {
    let client_id = if profile.client_id.trim().is_empty() {
        client_id::generate()
    } else {
        profile.client_id.trim().to_string()
    };
    let will = match &profile.will {
        Some(will) if !will.topic.is_empty() => Some(crate::codec::LastWill {
            topic: will.topic.clone(),
            payload: Bytes::from(will.payload.clone().into_bytes()),
            qos: crate::codec::QoS::from_u8(will.qos.min(2))
                .unwrap_or(crate::codec::QoS::AtMostOnce),
            retain: will.retain,
        }),
        _ => None,
    };
    if let Some(will) = &will {
        crate::topic::validate_topic_name(&will.topic)
            .map_err(|error| format!("Last-will topic: {error}"))?;
    }
    Ok(ConnectOptions {
        client_id,
        keep_alive_secs: profile.keep_alive_secs,
        clean_session: profile.clean_session,
        username: None,
        password: None,
        will,
        ..ConnectOptions::default()
    })
}

fn plain_broker(profile: &Profile, secrets: &Secrets) -> Result<ConnectPlan, String> {
    let url = broker_url::validate(&profile.broker_url)
        .map_err(|error| error.to_string())?
        .to_string();
    let mut options = base_options(profile)?;
    let password = secrets.get(PASSWORD);
    if profile.username.is_empty() && !password.is_empty() {
        return Err(
            "MQTT 3.1.1 allows a password only together with a username [MQTT-3.1.2-22]: enter \
             the username too."
                .into(),
        );
    }
    options.username = (!profile.username.is_empty()).then(|| profile.username.clone());
    options.password = (!password.is_empty()).then(|| Bytes::copy_from_slice(password.as_bytes()));
    Ok(ConnectPlan {
        options,
        target: url.clone(),
        url: Rc::new(move || Ok(url.clone())),
    })
}
