//! AWS IoT's reserved topics (`$aws/...`) and its retained-message rule,
//! checked before anything is sent on an AWS profile.
//!
//! AWS IoT terminates the connection on an unsupported publish or subscribe
//! to a topic that starts with `$` ("Reserved topics" in the AWS IoT
//! Developer Guide), so a typo in a shadow or jobs topic would look like a
//! random disconnect. Here every reserved topic AWS documents is a pattern
//! with the operations it allows; a topic (publish) must match one that
//! allows publishing, a filter (subscribe) must be able to match at least
//! one that allows subscribing. The size limits (256 bytes, 7 slashes) are
//! [`crate::limits::Limits::AWS_IOT`]'s job, not this module's.

use crate::codec::QoS;
use crate::limits::Limits;
use crate::topic;

/// What the client wants to do with a topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Publish,
    Subscribe,
}

/// The operations AWS IoT allows a client on a reserved topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Allowed {
    Publish,
    Subscribe,
    Both,
}

impl Allowed {
    fn permits(self, op: Op) -> bool {
        matches!(
            (self, op),
            (Allowed::Both, _)
                | (Allowed::Publish, Op::Publish)
                | (Allowed::Subscribe, Op::Subscribe)
        )
    }
}

/// One level of a reserved-topic pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Lit(&'static str),
    /// A thing name: `[a-zA-Z0-9:_-]`, 1–128 bytes.
    Thing,
    /// A named shadow's name: `[a-zA-Z0-9:_-]`, 1–64 bytes.
    Shadow,
    /// A job id: `[a-zA-Z0-9_-]`, 1–64 bytes.
    Job,
    /// A job id or `$next` (DescribeJobExecution).
    JobOrNext,
    /// A rule name: `[a-zA-Z0-9_]`, 1–128 bytes.
    Rule,
    /// `json` or `cbor`.
    Format,
    /// Any non-empty level (client ids, group names, asset ids…).
    Any,
    /// Zero or more further levels (Basic Ingest's own topic).
    Rest,
}

use Level::*;

/// A documented reserved topic.
struct Pattern {
    levels: Vec<Level>,
    allowed: Allowed,
    /// What it is, for messages ("the shadow get response").
    what: &'static str,
}

fn p(levels: &[Level], allowed: Allowed, what: &'static str) -> Pattern {
    let mut all = vec![Lit("$aws")];
    all.extend_from_slice(levels);
    Pattern {
        levels: all,
        allowed,
        what,
    }
}

/// Requests and their `/accepted` + `/rejected` answers.
fn request(out: &mut Vec<Pattern>, levels: &[Level], what: &'static str) {
    out.push(p(levels, Allowed::Publish, what));
    for answer in ["accepted", "rejected"] {
        let mut with = levels.to_vec();
        with.push(Lit(answer));
        out.push(p(&with, Allowed::Subscribe, what));
    }
}

/// Every reserved topic of the AWS IoT Developer Guide's "Reserved topics".
fn patterns() -> Vec<Pattern> {
    let mut out = Vec::new();
    // Device Shadow, classic and named.
    let classic: &[Level] = &[Lit("things"), Thing, Lit("shadow")];
    let named: &[Level] = &[Lit("things"), Thing, Lit("shadow"), Lit("name"), Shadow];
    for base in [classic, named] {
        for op in ["get", "update", "delete"] {
            let mut levels = base.to_vec();
            levels.push(Lit(op));
            request(&mut out, &levels, "a Device Shadow topic");
        }
        for stream in ["delta", "documents"] {
            let mut levels = base.to_vec();
            levels.extend([Lit("update"), Lit(stream)]);
            out.push(p(&levels, Allowed::Subscribe, "a Device Shadow topic"));
        }
    }
    // Jobs.
    let jobs = [Lit("things"), Thing, Lit("jobs")];
    for notify in ["notify", "notify-next"] {
        let mut levels = jobs.to_vec();
        levels.push(Lit(notify));
        out.push(p(&levels, Allowed::Subscribe, "a Jobs topic"));
    }
    for op in ["get", "start-next"] {
        let mut levels = jobs.to_vec();
        levels.push(Lit(op));
        request(&mut out, &levels, "a Jobs topic");
    }
    let mut describe = jobs.to_vec();
    describe.extend([JobOrNext, Lit("get")]);
    request(&mut out, &describe, "a Jobs topic");
    let mut update = jobs.to_vec();
    update.extend([Job, Lit("update")]);
    request(&mut out, &update, "a Jobs topic");
    // Events (AWS IoT publishes them; clients subscribe).
    let ev = |levels: &[Level]| {
        let mut all = vec![Lit("events")];
        all.extend_from_slice(levels);
        p(&all, Allowed::Subscribe, "an event topic")
    };
    out.push(ev(&[Lit("certificates"), Lit("registered"), Any]));
    for which in ["connected", "disconnected"] {
        out.push(ev(&[Lit("presence"), Lit(which), Any]));
    }
    for which in ["subscribed", "unsubscribed"] {
        out.push(ev(&[Lit("subscriptions"), Lit(which), Any]));
    }
    for change in ["created", "updated", "deleted"] {
        out.push(ev(&[Lit("thing"), Thing, Lit(change)]));
        out.push(ev(&[Lit("thingGroup"), Any, Lit(change)]));
        out.push(ev(&[Lit("thingType"), Any, Lit(change)]));
    }
    out.push(ev(&[Lit("thingTypeAssociation"), Lit("thing"), Thing, Any]));
    for change in ["added", "removed"] {
        out.push(ev(&[
            Lit("thingGroupMembership"),
            Lit("thingGroup"),
            Any,
            Lit("thing"),
            Thing,
            Lit(change),
        ]));
        out.push(ev(&[
            Lit("thingGroupHierarchy"),
            Lit("thingGroup"),
            Any,
            Lit("childThingGroup"),
            Any,
            Lit(change),
        ]));
    }
    for state in [
        "canceled",
        "cancellation_in_progress",
        "completed",
        "deleted",
        "deletion_in_progress",
    ] {
        out.push(ev(&[Lit("job"), Job, Lit(state)]));
    }
    for state in [
        "canceled",
        "deleted",
        "failed",
        "rejected",
        "removed",
        "succeeded",
        "timed_out",
    ] {
        out.push(ev(&[Lit("jobExecution"), Job, Lit(state)]));
    }
    // Basic Ingest: straight to a rule, no subscriber ever gets it.
    out.push(p(
        &[Lit("rules"), Rule, Rest],
        Allowed::Publish,
        "a Basic Ingest topic",
    ));
    // Device Defender.
    request(
        &mut out,
        &[
            Lit("things"),
            Thing,
            Lit("defender"),
            Lit("metrics"),
            Format,
        ],
        "a Device Defender topic",
    );
    // Fleet provisioning.
    for create in ["create", "create-from-csr"] {
        request(
            &mut out,
            &[Lit("certificates"), Lit(create), Format],
            "a fleet provisioning topic",
        );
    }
    request(
        &mut out,
        &[Lit("provisioning-templates"), Any, Lit("provision"), Format],
        "a fleet provisioning topic",
    );
    // Secure tunneling.
    out.push(p(
        &[Lit("things"), Thing, Lit("tunnels"), Lit("notify")],
        Allowed::Subscribe,
        "a secure tunneling topic",
    ));
    // MQTT-based file delivery.
    let stream = [Lit("things"), Thing, Lit("streams"), Any];
    for (op, allowed) in [
        ("data", Allowed::Subscribe),
        ("get", Allowed::Publish),
        ("description", Allowed::Subscribe),
        ("describe", Allowed::Publish),
        ("rejected", Allowed::Subscribe),
    ] {
        let mut levels = stream.to_vec();
        levels.extend([Lit(op), Format]);
        out.push(p(&levels, allowed, "an MQTT file delivery topic"));
    }
    // Device Location.
    request(
        &mut out,
        &[Lit("device_location"), Any, Lit("get_position_estimate")],
        "a Device Location topic",
    );
    // SiteWise asset property notifications.
    out.push(p(
        &[
            Lit("sitewise"),
            Lit("asset-models"),
            Any,
            Lit("assets"),
            Any,
            Lit("properties"),
            Any,
        ],
        Allowed::Subscribe,
        "an AWS IoT SiteWise topic",
    ));
    // Commands (requests come to the device, responses go back).
    for target in ["things", "clients"] {
        let base = [Lit("commands"), Lit(target), Any, Lit("executions"), Any];
        let mut req = base.to_vec();
        req.extend([Lit("request"), Rest]);
        out.push(p(&req, Allowed::Subscribe, "a commands topic"));
        let mut resp = base.to_vec();
        resp.extend([Lit("response"), Rest]);
        out.push(p(&resp, Allowed::Both, "a commands topic"));
    }
    out
}

/// `text` cut to 120 characters for a message (a topic may be 64 KB).
pub(crate) fn short(text: &str) -> String {
    match text.char_indices().nth(120) {
        None => text.to_string(),
        Some((cut, _)) => format!("{}… ({} bytes)", &text[..cut], text.len()),
    }
}

fn name_ok(level: &str, max: usize, extra: &[u8]) -> bool {
    !level.is_empty()
        && level.len() <= max
        && level
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || extra.contains(&b))
}

/// Whether one concrete topic level fits a pattern level.
fn level_fits(pattern: Level, level: &str) -> bool {
    match pattern {
        Lit(text) => level == text,
        Thing => name_ok(level, 128, b":_-"),
        Shadow => name_ok(level, 64, b":_-"),
        Job => name_ok(level, 64, b"_-"),
        JobOrNext => level == "$next" || name_ok(level, 64, b"_-"),
        Rule => name_ok(level, 128, b"_"),
        Format => level == "json" || level == "cbor",
        Any => !level.is_empty(),
        Rest => true,
    }
}

/// Whether some topic matches both `levels` (a topic or a filter with `+`
/// and `#`) and `pattern`.
fn overlaps(levels: &[&str], pattern: &[Level]) -> bool {
    match (levels.split_first(), pattern.split_first()) {
        (None, None) => true,
        (None, Some((Rest, _))) => true,
        (None, Some(_)) => false,
        (Some((&"#", _)), _) => true,
        (Some(_), Some((Rest, _))) => true,
        (Some(_), None) => false,
        (Some((&"+", rest)), Some((_, more))) => overlaps(rest, more),
        (Some((level, rest)), Some((first, more))) => {
            level_fits(*first, level) && overlaps(rest, more)
        }
    }
}

/// The name rule a level breaks, for the message.
fn naming_hint(levels: &[&str]) -> Option<String> {
    let at = |i: usize| levels.get(i).copied().filter(|l| *l != "+" && *l != "#");
    if levels.get(1) == Some(&"things") {
        if let Some(thing) = at(2) {
            if !level_fits(Thing, thing) {
                return Some(format!(
                    "'{}' is not a thing name (1–128 characters of a–z, A–Z, 0–9, ':', '_', '-').",
                    short(thing)
                ));
            }
        }
        if levels.get(3) == Some(&"shadow") && levels.get(4) == Some(&"name") {
            if let Some(shadow) = at(5) {
                if !level_fits(Shadow, shadow) {
                    return Some(format!(
                        "'{}' is not a shadow name (1–64 characters of a–z, A–Z, 0–9, ':', '_', '-').",
                        short(shadow)
                    ));
                }
            }
        }
        if levels.get(3) == Some(&"jobs") {
            if let Some(job) = at(4) {
                if levels.len() > 5 && !level_fits(JobOrNext, job) {
                    return Some(format!(
                        "'{}' is not a job id (1–64 characters of a–z, A–Z, 0–9, '_', '-').",
                        short(job)
                    ));
                }
            }
        }
    }
    if levels.get(1) == Some(&"rules") {
        if let Some(rule) = at(2) {
            if !level_fits(Rule, rule) {
                return Some(format!(
                    "'{}' is not a rule name (a–z, A–Z, 0–9 and '_').",
                    short(rule)
                ));
            }
        }
    }
    None
}

/// Checks a topic (for [`Op::Publish`]) or a filter (for
/// [`Op::Subscribe`]) against AWS IoT's reserved topics. Topics that do not
/// start with `$` always pass; the MQTT rules and size limits are checked
/// elsewhere.
pub fn check_reserved(text: &str, op: Op) -> Result<(), String> {
    if !text.starts_with('$') {
        return Ok(());
    }
    let shown = short(text);
    if !text.starts_with("$aws/") {
        return Err(format!(
            "'{shown}': topics starting with '$' are reserved by AWS IoT, and only its own \
             $aws/… topics can be used; AWS IoT closes the connection otherwise."
        ));
    }
    let levels: Vec<&str> = text.split('/').collect();
    let matching: Vec<Pattern> = patterns()
        .into_iter()
        .filter(|pattern| overlaps(&levels, &pattern.levels))
        .collect();
    if matching.iter().any(|pattern| pattern.allowed.permits(op)) {
        return Ok(());
    }
    if let Some(pattern) = matching.first() {
        return Err(match op {
            Op::Publish => format!(
                "'{shown}' is {}, published by AWS IoT: a client may only subscribe to it.",
                pattern.what
            ),
            Op::Subscribe if pattern.what == "a Basic Ingest topic" => format!(
                "'{shown}' is a Basic Ingest topic: messages to it go straight to the rule \
                 and no subscriber receives them, so AWS IoT does not allow subscribing."
            ),
            Op::Subscribe => format!(
                "'{shown}' is {}, a request topic: a client publishes to it and subscribes to \
                 its /accepted and /rejected answers.",
                pattern.what
            ),
        });
    }
    let hint = naming_hint(&levels).map_or_else(String::new, |hint| format!(" {hint}"));
    Err(format!(
        "'{shown}' is not one of AWS IoT's reserved topics (Device Shadow, Jobs, events, Basic \
         Ingest $aws/rules/…, Device Defender, fleet provisioning, tunnels, file delivery, \
         Device Location, SiteWise, commands); AWS IoT closes the connection on an unsupported \
         reserved topic.{hint}"
    ))
}

/// Everything checked before a SUBSCRIBE on a profile: the MQTT rules,
/// the profile's limits, and on AWS profiles the reserved topics. One place
/// so the subscribe panel, the topic tree and the Shadow/Jobs views agree.
pub fn check_subscription(
    limits: &Limits,
    aws: bool,
    filter: &str,
    qos: QoS,
) -> Result<(), String> {
    limits
        .check_topic_filter(filter)
        .and_then(|()| limits.check_qos(qos))
        .map_err(|error| error.to_string())?;
    if aws {
        check_reserved(filter, Op::Subscribe)?;
    }
    Ok(())
}

/// Everything checked before a PUBLISH on a profile (see
/// [`check_subscription`]).
pub fn check_publication(
    limits: &Limits,
    aws: bool,
    topic: &str,
    payload_len: usize,
    qos: QoS,
) -> Result<(), String> {
    limits
        .check_topic_name(topic)
        .and_then(|()| limits.check_payload_len(payload_len))
        .and_then(|()| limits.check_qos(qos))
        .map_err(|error| error.to_string())?;
    if aws {
        check_reserved(topic, Op::Publish)?;
    }
    Ok(())
}

/// AWS IoT delivers retained messages only to subscriptions on the exact
/// topic, never through wildcards: the note shown on a wildcard
/// subscription of an AWS profile that has had no retained message.
pub fn retained_note(filter: &str, aws: bool, retained_seen: bool) -> Option<String> {
    (aws && !retained_seen && topic::has_wildcards(filter)).then(|| {
        "No retained messages through this wildcard: AWS IoT sends a retained message only \
         to a subscription on its exact topic. Use \"Subscribe exactly\" in the topic tree."
            .to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn publish(topic: &str) -> Result<(), String> {
        check_reserved(topic, Op::Publish)
    }
    fn subscribe(filter: &str) -> Result<(), String> {
        check_reserved(filter, Op::Subscribe)
    }

    #[test]
    fn ordinary_topics_pass() {
        assert!(publish("device/data").is_ok());
        assert!(subscribe("device/+/details").is_ok());
        assert!(subscribe("#").is_ok());
    }

    #[test]
    fn shadow_requests_are_published_and_answers_subscribed() {
        for base in [
            "$aws/things/lamp-1/shadow",
            "$aws/things/lamp-1/shadow/name/config:v2",
        ] {
            for op in ["get", "update", "delete"] {
                assert!(publish(&format!("{base}/{op}")).is_ok(), "{base}/{op}");
                assert!(subscribe(&format!("{base}/{op}")).is_err());
                for answer in ["accepted", "rejected"] {
                    let topic = format!("{base}/{op}/{answer}");
                    assert!(subscribe(&topic).is_ok(), "{topic}");
                    assert!(publish(&topic).unwrap_err().contains("only subscribe"));
                }
            }
            assert!(subscribe(&format!("{base}/update/delta")).is_ok());
            assert!(subscribe(&format!("{base}/update/documents")).is_ok());
            assert!(publish(&format!("{base}/update/delta")).is_err());
        }
        assert!(publish("$aws/things/lamp-1/shadow/patch").is_err());
    }

    #[test]
    fn wildcard_filters_match_when_some_reserved_topic_fits() {
        assert!(subscribe("$aws/things/+/shadow/#").is_ok());
        assert!(subscribe("$aws/things/lamp/shadow/+/accepted").is_ok());
        assert!(subscribe("$aws/things/lamp/jobs/#").is_ok());
        assert!(subscribe("$aws/events/presence/+/+").is_ok());
        assert!(subscribe("$aws/#").is_ok());
        // Only publishable topics under it: Basic Ingest.
        assert!(subscribe("$aws/rules/my_rule/#")
            .unwrap_err()
            .contains("Basic Ingest"));
        assert!(subscribe("$aws/nothing/#")
            .unwrap_err()
            .contains("not one of AWS IoT's reserved topics"));
    }

    #[test]
    fn jobs_topics() {
        let jobs = "$aws/things/dev_1/jobs";
        for topic in [
            "get",
            "start-next",
            "job-7/get",
            "$next/get",
            "job-7/update",
        ] {
            assert!(publish(&format!("{jobs}/{topic}")).is_ok(), "{topic}");
            assert!(subscribe(&format!("{jobs}/{topic}/accepted")).is_ok());
            assert!(subscribe(&format!("{jobs}/{topic}/rejected")).is_ok());
        }
        assert!(subscribe(&format!("{jobs}/notify")).is_ok());
        assert!(subscribe(&format!("{jobs}/notify-next")).is_ok());
        assert!(publish(&format!("{jobs}/notify-next")).is_err());
        // $next is only for describing.
        assert!(publish(&format!("{jobs}/$next/update")).is_err());
        assert!(publish(&format!("{jobs}/bad.id/get"))
            .unwrap_err()
            .contains("not a job id"));
    }

    #[test]
    fn names_are_checked() {
        assert!(publish("$aws/things/my thing/shadow/get")
            .unwrap_err()
            .contains("not a thing name"));
        assert!(publish(&format!("$aws/things/{}/shadow/get", "t".repeat(129))).is_err());
        assert!(publish(&format!("$aws/things/{}/shadow/get", "t".repeat(128))).is_ok());
        assert!(publish("$aws/things/t/shadow/name/a.b/get")
            .unwrap_err()
            .contains("not a shadow name"));
        assert!(publish("$aws/rules/bad-name/x")
            .unwrap_err()
            .contains("not a rule name"));
    }

    #[test]
    fn other_services() {
        assert!(publish("$aws/rules/my_rule").is_ok());
        assert!(publish("$aws/rules/my_rule/a/b/c").is_ok());
        assert!(publish("$aws/things/t/defender/metrics/json").is_ok());
        assert!(publish("$aws/things/t/defender/metrics/xml").is_err());
        assert!(subscribe("$aws/things/t/defender/metrics/cbor/accepted").is_ok());
        assert!(publish("$aws/certificates/create/json").is_ok());
        assert!(publish("$aws/certificates/create-from-csr/cbor").is_ok());
        assert!(publish("$aws/provisioning-templates/tpl/provision/json").is_ok());
        assert!(subscribe("$aws/provisioning-templates/tpl/provision/json/rejected").is_ok());
        assert!(subscribe("$aws/events/thingGroupMembership/thingGroup/g/thing/t/added").is_ok());
        assert!(subscribe("$aws/events/jobExecution/job-1/succeeded").is_ok());
        assert!(subscribe("$aws/events/jobExecution/job-1/exploded").is_err());
        assert!(publish("$aws/events/presence/connected/c1").is_err());
        assert!(subscribe("$aws/things/t/tunnels/notify").is_ok());
        assert!(publish("$aws/things/t/streams/s1/get/json").is_ok());
        assert!(subscribe("$aws/things/t/streams/s1/data/cbor").is_ok());
        assert!(publish("$aws/device_location/d1/get_position_estimate").is_ok());
        assert!(subscribe("$aws/sitewise/asset-models/m/assets/a/properties/p").is_ok());
    }

    #[test]
    fn other_dollar_topics_are_refused() {
        assert!(subscribe("$SYS/#")
            .unwrap_err()
            .contains("reserved by AWS IoT"));
        assert!(publish("$aws").is_err());
        assert!(publish("$aws/").is_err());
    }

    #[test]
    fn hostile_text_in_messages_is_bounded() {
        let long = format!("$aws/{}", "x".repeat(100_000));
        let message = publish(&long).unwrap_err();
        assert!(message.len() < 2_000, "{}", message.len());
    }

    #[test]
    fn profile_checks_combine_limits_and_reserved_topics() {
        let aws = Limits::AWS_IOT;
        assert!(check_subscription(&aws, true, "a/b", QoS::AtLeastOnce).is_ok());
        assert!(check_subscription(&aws, true, "a/b", QoS::ExactlyOnce)
            .unwrap_err()
            .contains("QoS"));
        assert!(check_subscription(&aws, true, "$aws/foo", QoS::AtMostOnce).is_err());
        assert!(check_subscription(&Limits::MQTT, false, "$aws/foo", QoS::ExactlyOnce).is_ok());
        assert!(check_subscription(&aws, true, "a/b/c/d/e/f/g/h/i", QoS::AtMostOnce).is_err());
        let topic = "$aws/things/t/shadow/update";
        assert!(check_publication(&aws, true, topic, 10, QoS::AtLeastOnce).is_ok());
        assert!(check_publication(&aws, true, topic, 128 * 1024 + 1, QoS::AtMostOnce).is_err());
        assert!(check_publication(
            &aws,
            true,
            "$aws/things/t/shadow/update/accepted",
            1,
            QoS::AtMostOnce
        )
        .is_err());
    }

    #[test]
    fn retained_note_only_for_aws_wildcards_without_retained() {
        assert!(retained_note("a/+/c", true, false).is_some());
        assert!(retained_note("a/#", true, false).is_some());
        assert!(retained_note("a/b/c", true, false).is_none());
        assert!(retained_note("a/#", false, false).is_none());
        assert!(retained_note("a/#", true, true).is_none());
    }
}
