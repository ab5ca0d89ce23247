//! Device checks (src/checks.rs): parsing what `runChecks` receives,
//! validation, what counts as a match while a check waits, and the report.

use mqtt_console::checks::{
    parse_checks, Attempt, Check, CheckResult, Outcome, Report, DEFAULT_WITHIN_MS,
};
use serde_json::{json, Value};

fn no_regex(_: &str) -> bool {
    false
}

fn check(value: Value) -> Check {
    serde_json::from_value(value).expect("valid check")
}

fn status_check() -> Check {
    check(json!({
        "name": "status ok",
        "publish": {"topic": "device/7/cmd", "payload": {"cmd": "status"}, "qos": 1},
        "expect": {"topic": "device/7/status", "jsonPath": "$.status", "equals": "ok"},
        "withinMs": 2000
    }))
}

#[test]
fn parses_api_input_with_defaults() {
    let checks = parse_checks(
        &json!([
            {"expect": {"topic": "a"}},
            {"name": "n", "publish": {"topic": "p", "payload": "raw text"}, "expect": {"topic": "b", "contains": "x"}, "withinMs": 10}
        ])
        .to_string(),
    )
    .unwrap();
    assert_eq!(checks.len(), 2);
    assert_eq!(checks[0].within_ms, DEFAULT_WITHIN_MS);
    assert_eq!(checks[0].publish, None);
    assert_eq!(checks[0].display_name(0), "check 1");
    let publish = checks[1].publish.clone().unwrap();
    assert_eq!(
        (
            publish.topic.as_str(),
            publish.payload.as_str(),
            publish.qos,
            publish.retain
        ),
        ("p", "raw text", 0, false)
    );
    assert_eq!(checks[1].display_name(1), "n");
    // A non-string payload is sent as its JSON text.
    assert_eq!(
        status_check().publish.unwrap().payload,
        r#"{"cmd":"status"}"#
    );
    // A single object is accepted as a list of one.
    assert_eq!(
        parse_checks(&json!({"expect": {}}).to_string())
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn parse_errors_name_the_check_and_field() {
    let error = parse_checks(&json!([{"expect": {}}, {"expect": {}, "within": 5}]).to_string())
        .unwrap_err();
    assert!(
        error.starts_with("check 2: unknown field `within`"),
        "{error}"
    );
    let error = parse_checks(&json!([{"publish": {"topic": "t"}}]).to_string()).unwrap_err();
    assert!(error.contains("check 1: missing field `expect`"), "{error}");
    assert_eq!(
        parse_checks("42").unwrap_err(),
        "runChecks expects an array of checks"
    );
    assert!(parse_checks("[")
        .unwrap_err()
        .starts_with("the checks are not valid JSON"));
}

#[test]
fn compile_validates() {
    let compiled = status_check().compile(0).unwrap();
    assert_eq!(compiled.name, "status ok");
    assert_eq!(compiled.expectation.filter(), "device/7/status");

    let bad = |value: Value, expected: &str| {
        let error = check(value).compile(0).unwrap_err();
        assert!(
            error.contains(expected),
            "{error} should contain {expected}"
        );
    };
    bad(
        json!({"publish": {"topic": "a/+"}, "expect": {}}),
        "cannot publish to `a/+`",
    );
    bad(
        json!({"publish": {"topic": "a", "qos": 3}, "expect": {}}),
        "QoS must be 0, 1 or 2",
    );
    bad(
        json!({"expect": {"topic": "a/#/b"}}),
        "invalid topic filter",
    );
    bad(
        json!({"expect": {}, "withinMs": 0}),
        "withinMs must be from 1",
    );
    bad(
        json!({"expect": {}, "withinMs": 600001}),
        "withinMs must be from 1",
    );
}

#[test]
fn attempt_passes_on_the_first_match() {
    let compiled = status_check().compile(0).unwrap();
    let mut attempt = Attempt::new(&compiled);
    assert!(
        !attempt.offer("device/8/status", br#"{"status":"ok"}"#, false, &no_regex),
        "other device"
    );
    assert!(!attempt.offer(
        "device/7/status",
        br#"{"status":"booting"}"#,
        false,
        &no_regex
    ));
    assert!(attempt.offer(
        "device/7/status",
        br#"{"status":"ok","temp":21.5}"#,
        false,
        &no_regex
    ));
    assert!(attempt.is_met());
    assert!(
        attempt.offer("device/7/status", b"later", false, &no_regex),
        "stays met"
    );
    let result = attempt.finish(42);
    assert_eq!(result.outcome, Outcome::Passed);
    assert!(result.passed);
    assert_eq!(result.elapsed_ms, 42);
    assert_eq!(result.mismatches, 1);
    assert_eq!(
        result.matched.as_ref().unwrap().payload,
        r#"{"status":"ok","temp":21.5}"#
    );
    assert_eq!(
        result.detail,
        r#"{"status":"ok","temp":21.5} arrived on "device/7/status" after 42 ms"#
    );
    assert_eq!(
        result.expected,
        r#"a message on "device/7/status" whose $.status equals "ok""#
    );
}

#[test]
fn attempt_fails_saying_what_arrived() {
    let compiled = status_check().compile(0).unwrap();
    let mut attempt = Attempt::new(&compiled);
    attempt.offer(
        "device/7/status",
        br#"{"status":"booting"}"#,
        false,
        &no_regex,
    );
    attempt.offer("device/7/status", br#"{"status":"busy"}"#, false, &no_regex);
    attempt.offer("elsewhere", b"ignored", false, &no_regex);
    let result = attempt.finish(2000);
    assert_eq!(result.outcome, Outcome::Failed);
    assert!(!result.passed);
    assert_eq!(result.mismatches, 2);
    assert_eq!(
        result.last_mismatch.as_ref().unwrap().payload,
        r#"{"status":"busy"}"#
    );
    assert_eq!(
        result.detail,
        r#"2 messages arrived on "device/7/status" within 2000 ms but none matched; the last, on "device/7/status", was {"status":"busy"}: $.status is "busy", not "ok""#
    );
}

#[test]
fn attempt_fails_when_nothing_arrives_and_ignores_retained_copies() {
    let compiled = status_check().compile(0).unwrap();
    let mut attempt = Attempt::new(&compiled);
    assert!(
        !attempt.offer("device/7/status", br#"{"status":"ok"}"#, true, &no_regex),
        "retained replay"
    );
    let result = attempt.finish(2000);
    assert_eq!(result.outcome, Outcome::Failed);
    assert_eq!(
        result.detail,
        r#"no message arrived on "device/7/status" within 2000 ms (1 retained message ignored)"#
    );
}

#[test]
fn attempt_with_regex_asks_the_engine() {
    let compiled = check(json!({"expect": {"topic": "t", "regex": "^on|off$"}}))
        .compile(0)
        .unwrap();
    let mut attempt = Attempt::new(&compiled);
    assert_eq!(attempt.expectation().regex(), Some(("^on|off$", "")));
    let engine = |text: &str| text == "on" || text == "off";
    assert!(!attempt.offer("t", b"dim", false, &engine));
    assert!(attempt.offer("t", b"off", false, &engine));
}

#[test]
fn report_totals_and_summary() {
    let passed = {
        let compiled = status_check().compile(0).unwrap();
        let mut attempt = Attempt::new(&compiled);
        attempt.offer("device/7/status", br#"{"status":"ok"}"#, false, &no_regex);
        attempt.finish(10)
    };
    let failed = Attempt::new(&status_check().compile(1).unwrap()).finish(2000);
    let error = CheckResult::error("broken", "a message on \"x\"", "not connected");
    assert_eq!(error.outcome, Outcome::Error);

    let report = Report::new(vec![passed.clone(), failed, error], 2100);
    assert!(!report.passed);
    assert_eq!(
        (
            report.total,
            report.passed_count,
            report.failed_count,
            report.error_count
        ),
        (3, 1, 1, 1)
    );
    assert_eq!(
        report.summary,
        "1 of 3 checks passed, 1 failed, 1 could not run"
    );
    assert_eq!(report.duration_ms, 2100);

    let all = Report::new(vec![passed], 10);
    assert!(all.passed);
    assert_eq!(all.summary, "1 of 1 check passed");
    assert!(
        !Report::new(vec![], 0).passed,
        "an empty run proves nothing"
    );
}

#[test]
fn report_serializes_for_javascript() {
    let failed = Attempt::new(&status_check().compile(0).unwrap()).finish(2000);
    let value = serde_json::to_value(Report::new(vec![failed], 2000)).unwrap();
    assert_eq!(value["passed"], json!(false));
    assert_eq!(value["passedCount"], json!(0));
    assert_eq!(value["durationMs"], json!(2000));
    let result = &value["results"][0];
    assert_eq!(result["outcome"], json!("failed"));
    assert_eq!(result["elapsedMs"], json!(2000));
    assert_eq!(result["name"], json!("status ok"));
    assert!(result.get("matched").is_none());
    // The model round-trips (the checks panel stores checks as JSON).
    let original = status_check();
    let text = serde_json::to_string(&original).unwrap();
    assert_eq!(serde_json::from_str::<Check>(&text).unwrap(), original);
}

#[test]
fn panel_form_becomes_a_check() {
    use mqtt_console::checks::CheckForm;
    let example = CheckForm::default().to_check().unwrap();
    assert_eq!(
        example,
        check(json!({
            "publish": {"topic": "device/1/cmd", "payload": "{\"cmd\": \"status\"}", "qos": 1},
            "expect": {"topic": "device/1/status", "jsonPath": "$.status", "equals": "ok"},
            "withinMs": 5000
        }))
    );

    let form = |changes: &dyn Fn(&mut CheckForm)| {
        let mut form = CheckForm::default();
        changes(&mut form);
        form.to_check()
    };
    // Values typed as JSON are JSON; anything else is a string.
    let equals = |text: &str| form(&|f| f.value = text.into()).unwrap().expect.equals;
    assert_eq!(equals("15"), Some(json!(15)));
    assert_eq!(equals("\"15\""), Some(json!("15")));
    assert_eq!(equals("true"), Some(json!(true)));
    assert_eq!(equals("ok"), Some(json!("ok")));
    assert_eq!(equals("{\"a\":1}"), Some(json!({"a": 1})));
    assert_eq!(
        equals("  "),
        None,
        "empty value: the path only has to exist"
    );
    let whole = form(&|f| f.json_path = " ".into()).unwrap();
    assert_eq!(whole.expect.json_path.as_deref(), Some("$"));

    let no_publish = form(&|f| f.publish_topic = "  ".into()).unwrap();
    assert_eq!(no_publish.publish, None);
    let contains = form(&|f| {
        f.match_kind = "contains".into();
        f.value = "ok".into();
    })
    .unwrap();
    assert_eq!(contains.expect.contains.as_deref(), Some("ok"));
    assert_eq!(contains.expect.json_path, None);
    let regex = form(&|f| {
        f.match_kind = "regex".into();
        f.value = "^ok$".into();
    })
    .unwrap();
    assert_eq!(regex.expect.regex.as_deref(), Some("^ok$"));
    let any = form(&|f| f.match_kind = "any".into()).unwrap();
    assert_eq!(any.expect.contains, None);
    assert_eq!(any.expect.equals, None);

    assert!(form(&|f| f.within_ms = "soon".into())
        .unwrap_err()
        .contains("Within must be a whole number"));
    assert!(form(&|f| f.publish_qos = "3".into())
        .unwrap_err()
        .contains("QoS must be 0, 1 or 2"));

    // Stored forms survive missing fields (older versions).
    let stored: CheckForm = serde_json::from_str(r#"{"name": "old"}"#).unwrap();
    assert_eq!(stored.name, "old");
}
