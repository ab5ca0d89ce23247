//! How far the browser's clock is off, and the signing time corrected by
//! it.
//!
//! AWS refuses a SigV4 signature dated more than 15 minutes from its own
//! time, and a browser cannot read the `Date` header of a WebSocket
//! handshake. So the offset is estimated from responses the page *can*
//! read: the `Date` header of the web server that served the page (a
//! same-origin request, always readable) and of Cognito's answers when
//! Cognito's CORS headers expose it (a cross-origin response only shows
//! `Date` if `Access-Control-Expose-Headers` names it). A typed offset in
//! the profile overrides every measurement. Everything here is pure: the
//! caller passes the times.

use super::clock::describe_duration;

/// Where a clock reading came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The `Date` header of the server that served this page.
    WebServer,
    /// The `Date` header of a Cognito response.
    Cognito,
}

impl Source {
    /// For messages: "the web server", "Cognito".
    pub fn name(self) -> &'static str {
        match self {
            Source::WebServer => "the web server",
            Source::Cognito => "Cognito",
        }
    }

    /// Trust order when two readings are equally precise (AWS first).
    fn rank(self) -> u8 {
        match self {
            Source::Cognito => 0,
            Source::WebServer => 1,
        }
    }
}

/// One reading: the server's time and when the request went out and the
/// answer came back, both by the browser's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    pub source: Source,
    /// The server's time as read (an HTTP `Date` is whole seconds, so the
    /// real time was in `server_ms .. server_ms + resolution_ms`).
    pub server_ms: u64,
    pub resolution_ms: u64,
    pub sent_ms: u64,
    pub received_ms: u64,
}

/// The estimated offset: server time minus browser time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Estimate {
    pub source: Source,
    /// Positive: the browser is behind.
    pub offset_ms: i64,
    /// The real offset is within `offset_ms ± uncertainty_ms`.
    pub uncertainty_ms: u64,
}

/// Readings that took longer than this are not used (a stalled request
/// says little about when the server read its clock).
pub const MAX_ROUND_TRIP_MS: u64 = 60_000;

/// Measured offsets smaller than this are not applied: a web server's
/// clock is not AWS's, and a few seconds never matter to SigV4.
pub const APPLY_FROM_MS: u64 = 30_000;

/// The largest offset a person may type: one day.
pub const MAX_MANUAL_SECS: i64 = 86_400;

/// The estimate from one reading: the server read its clock somewhere in
/// the round trip, so the midpoint is the best guess and half the round
/// trip (plus half the header's resolution) the uncertainty. `None` when
/// the answer came "before" the request or the round trip was too long.
pub fn estimate(sample: Sample) -> Option<Estimate> {
    if sample.received_ms < sample.sent_ms {
        return None;
    }
    let round_trip = sample.received_ms - sample.sent_ms;
    if round_trip > MAX_ROUND_TRIP_MS {
        return None;
    }
    let midpoint = sample.sent_ms as i128 + round_trip as i128 / 2;
    let server_mid = sample.server_ms as i128 + sample.resolution_ms as i128 / 2;
    let offset_ms = i64::try_from(server_mid - midpoint).ok()?;
    Some(Estimate {
        source: sample.source,
        offset_ms,
        uncertainty_ms: round_trip / 2 + sample.resolution_ms.div_ceil(2),
    })
}

/// The best of several estimates: the most precise, AWS's before the web
/// server's when equal.
pub fn best(estimates: impl IntoIterator<Item = Estimate>) -> Option<Estimate> {
    estimates
        .into_iter()
        .min_by_key(|e| (e.uncertainty_ms, e.source.rank()))
}

/// The offset to sign with, in milliseconds: the typed one if any, else
/// one measured from an AWS response (Cognito) when it is clearly more
/// than noise, else none. The web server's clock is shown but never
/// applied: it is not AWS's, and a wrong web server must not break a
/// right browser clock.
pub fn applied_offset_ms(manual_secs: Option<i64>, measured: Option<Estimate>) -> i64 {
    if let Some(secs) = manual_secs {
        return secs * 1000;
    }
    match measured {
        Some(e)
            if e.source == Source::Cognito
                && e.offset_ms.unsigned_abs() >= APPLY_FROM_MS + e.uncertainty_ms =>
        {
            e.offset_ms
        }
        _ => 0,
    }
}

/// The browser's time corrected by `offset_ms` (never before 1970).
pub fn corrected_ms(browser_ms: u64, offset_ms: i64) -> u64 {
    (browser_ms as i128 + offset_ms as i128).clamp(0, u64::MAX as i128) as u64
}

/// The profile's "clock offset" field: whole seconds, signed, within a
/// day; empty means "measure".
pub fn parse_manual(text: &str) -> Result<Option<i64>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let secs: i64 = text
        .strip_prefix('+')
        .unwrap_or(text)
        .parse()
        .map_err(|_| {
            format!(
            "Clock offset \"{}\": use whole seconds, e.g. -1200 if this computer is 20 minutes \
             ahead, or leave it empty to measure.",
            super::rules::short(text)
        )
        })?;
    if secs.abs() > MAX_MANUAL_SECS {
        return Err(format!(
            "Clock offset {secs} s: at most ±{MAX_MANUAL_SECS} s (a day); a clock further off \
             than that needs setting, not correcting."
        ));
    }
    Ok(Some(secs))
}

/// "20 min ahead", "3 s behind", "in sync".
fn direction(offset_ms: i64) -> String {
    match offset_ms {
        0 => "in sync".into(),
        // The browser is behind when the server is ahead.
        o if o > 0 => format!("{} behind", describe_duration(o.unsigned_abs())),
        o => format!("{} ahead", describe_duration(o.unsigned_abs())),
    }
}

/// The line shown in the AWS form and after a refused handshake: how far
/// off the clock looks, by what, and what the signature used.
pub fn describe(manual_secs: Option<i64>, measured: Option<Estimate>) -> String {
    let applied = applied_offset_ms(manual_secs, measured);
    let measured_text = measured.map(|e| {
        format!(
            "by {}, this browser's clock is {} (± {})",
            e.source.name(),
            direction(e.offset_ms),
            describe_duration(e.uncertainty_ms)
        )
    });
    match (manual_secs, measured_text) {
        (Some(secs), Some(m)) => {
            format!("Signing with the typed clock offset ({secs:+} s); {m}.")
        }
        (Some(secs), None) => format!(
            "Signing with the typed clock offset ({secs:+} s); no server clock could be read."
        ),
        (None, Some(m)) if applied != 0 => format!(
            "Clock offset: {m}; signing with the corrected time ({:+} s).",
            (applied as f64 / 1000.0).round() as i64
        ),
        (None, Some(m)) => format!("Clock offset: {m}; signing with this browser's clock."),
        (None, None) => "Clock offset: no server clock could be read yet; signing with this \
                         browser's clock (type an offset if AWS refuses it)."
            .into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_795_672_800_000;

    fn sample(server_ms: u64, sent_ms: u64, received_ms: u64) -> Sample {
        Sample {
            source: Source::WebServer,
            server_ms,
            resolution_ms: 1000,
            sent_ms,
            received_ms,
        }
    }

    #[test]
    fn midpoint_and_uncertainty() {
        // Browser 20 min ahead; a 200 ms round trip; the Date header says
        // the whole second the server read.
        let ahead = 20 * 60_000;
        let e = estimate(sample(NOW, NOW + ahead - 100, NOW + ahead + 100)).unwrap();
        assert_eq!(e.offset_ms, -(ahead as i64) + 500);
        assert_eq!(e.uncertainty_ms, 100 + 500);
        assert!((e.offset_ms + ahead as i64).unsigned_abs() <= e.uncertainty_ms);
        // Behind by 90 s, instant answer.
        let e = estimate(sample(NOW + 90_000, NOW, NOW)).unwrap();
        assert_eq!((e.offset_ms, e.uncertainty_ms), (90_500, 500));
    }

    #[test]
    fn unusable_readings() {
        assert_eq!(estimate(sample(NOW, NOW + 1, NOW)), None);
        assert_eq!(
            estimate(sample(NOW, NOW, NOW + MAX_ROUND_TRIP_MS + 1)),
            None
        );
    }

    #[test]
    fn the_most_precise_reading_wins_and_aws_breaks_ties() {
        let web = Estimate {
            source: Source::WebServer,
            offset_ms: 1,
            uncertainty_ms: 500,
        };
        let cognito = Estimate {
            source: Source::Cognito,
            offset_ms: 2,
            uncertainty_ms: 500,
        };
        let slow = Estimate {
            uncertainty_ms: 9_000,
            ..cognito
        };
        assert_eq!(best([web, cognito]), Some(cognito));
        assert_eq!(best([slow, web]), Some(web));
        assert_eq!(best([]), None);
    }

    #[test]
    fn what_is_applied() {
        let measured = |offset_ms| Estimate {
            source: Source::Cognito,
            offset_ms,
            uncertainty_ms: 600,
        };
        let web = Estimate {
            source: Source::WebServer,
            ..measured(-1_200_000)
        };
        assert_eq!(applied_offset_ms(None, Some(web)), 0);
        assert_eq!(
            applied_offset_ms(Some(-1200), Some(measured(5))),
            -1_200_000
        );
        assert_eq!(
            applied_offset_ms(None, Some(measured(-1_200_000))),
            -1_200_000
        );
        assert_eq!(applied_offset_ms(None, Some(measured(2_000))), 0);
        assert_eq!(applied_offset_ms(None, Some(measured(30_500))), 0);
        assert_eq!(applied_offset_ms(None, Some(measured(30_600))), 30_600);
        assert_eq!(applied_offset_ms(None, None), 0);
        assert_eq!(corrected_ms(NOW, -1_200_000), NOW - 1_200_000);
        assert_eq!(corrected_ms(5, -10), 0);
    }

    #[test]
    fn manual_field() {
        assert_eq!(parse_manual(""), Ok(None));
        assert_eq!(parse_manual(" -1200 "), Ok(Some(-1200)));
        assert_eq!(parse_manual("+90"), Ok(Some(90)));
        assert_eq!(parse_manual("86400"), Ok(Some(86_400)));
        assert!(parse_manual("86401").unwrap_err().contains("at most"));
        assert!(parse_manual("1.5").unwrap_err().contains("whole seconds"));
        assert!(parse_manual("soon").is_err());
    }

    #[test]
    fn descriptions() {
        let measured = Estimate {
            source: Source::Cognito,
            offset_ms: -1_200_000,
            uncertainty_ms: 600,
        };
        let text = describe(None, Some(measured));
        assert!(text.contains("20 min ahead"), "{text}");
        assert!(text.contains("corrected time (-1200 s)"), "{text}");
        let text = describe(Some(-1200), None);
        assert!(text.contains("typed clock offset (-1200 s)"), "{text}");
        let small = Estimate {
            offset_ms: 3_000,
            ..measured
        };
        assert!(describe(None, Some(small)).contains("3 s behind"));
        assert!(describe(None, Some(small)).contains("this browser's clock."));
        assert!(describe(None, None).contains("no server clock"));
        let web = Estimate {
            source: Source::WebServer,
            ..measured
        };
        let text = describe(None, Some(web));
        assert!(text.contains("by the web server, this browser's clock is 20 min ahead"));
        assert!(text.contains("signing with this browser's clock"), "{text}");
    }
}
