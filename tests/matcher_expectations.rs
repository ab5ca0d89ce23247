//! Message expectations (src/matcher.rs): jsonPath syntax and lookup,
//! `equals` semantics, condition selection, and the sentences people read.

use mqtt_console::matcher::{
    json_equal, Expectation, JsonPath, MessageSpec, Segment, Verdict, ANY_TOPIC,
};
use serde_json::{json, Value};

fn no_regex(_: &str) -> bool {
    panic!("no regex in this expectation")
}

fn spec(value: Value) -> MessageSpec {
    serde_json::from_value(value).expect("valid spec")
}

fn expectation(value: Value) -> Expectation {
    Expectation::from_spec(&spec(value)).expect("valid expectation")
}

#[test]
fn json_path_syntax() {
    let key = |k: &str| Segment::Key(k.into());
    let cases: Vec<(&str, Vec<Segment>)> = vec![
        ("$", vec![]),
        ("", vec![]),
        ("status", vec![key("status")]),
        ("$.status", vec![key("status")]),
        ("$.a.b.c", vec![key("a"), key("b"), key("c")]),
        ("a.b", vec![key("a"), key("b")]),
        (
            "readings[0].value",
            vec![key("readings"), Segment::Index(0), key("value")],
        ),
        ("$[2]", vec![Segment::Index(2)]),
        ("[2]", vec![Segment::Index(2)]),
        ("$.items[-1]", vec![key("items"), Segment::Index(-1)]),
        ("$[\"a.b\"]", vec![key("a.b")]),
        ("$['x[0]'].y", vec![key("x[0]"), key("y")]),
        ("  $.padded  ", vec![key("padded")]),
        (
            "$.m[1][0]",
            vec![key("m"), Segment::Index(1), Segment::Index(0)],
        ),
    ];
    for (text, segments) in cases {
        let path = JsonPath::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(path.segments(), segments.as_slice(), "{text}");
    }
    for bad in ["$..a", "$.", "a.", "$[x]", "$[0", "$a", "$.a[]", "$.a['b]"] {
        let error = JsonPath::parse(bad).expect_err(bad);
        assert!(error.contains(&format!("`{bad}`")), "{bad}: {error}");
        assert!(error.contains("at character"), "{bad}: {error}");
    }
}

#[test]
fn json_path_display_is_normalized() {
    for (text, shown) in [
        ("status", "$.status"),
        ("$.a[0].b", "$.a[0].b"),
        ("$['a.b']", "$[\"a.b\"]"),
        ("$", "$"),
    ] {
        assert_eq!(JsonPath::parse(text).unwrap().to_string(), shown);
    }
}

#[test]
fn json_path_lookup() {
    let doc = json!({
        "status": "ok",
        "temp": {"current": 15, "unit": "C"},
        "readings": [{"value": 1}, {"value": 2}, {"value": 3}],
        "a.b": true,
        "nothing": null
    });
    let at = |path: &str| JsonPath::parse(path).unwrap().resolve(&doc).cloned();
    assert_eq!(at("$.status"), Some(json!("ok")));
    assert_eq!(at("temp.current"), Some(json!(15)));
    assert_eq!(at("$.readings[1].value"), Some(json!(2)));
    assert_eq!(at("$.readings[-1].value"), Some(json!(3)));
    assert_eq!(at("$['a.b']"), Some(json!(true)));
    assert_eq!(at("$.nothing"), Some(Value::Null), "present null is found");
    assert_eq!(at("$"), Some(doc.clone()));
    assert_eq!(at("$.missing"), None);
    assert_eq!(at("$.readings[3]"), None);
    assert_eq!(at("$.readings[-4]"), None);
    assert_eq!(at("$.status.deeper"), None, "a string has no keys");
    assert_eq!(at("$.temp[0]"), None, "an object has no indices");
    assert_eq!(at("$.readings.value"), None, "an array has no keys");
}

#[test]
fn equals_semantics() {
    assert!(json_equal(&json!(15), &json!(15.0)));
    assert!(json_equal(&json!(-3), &json!(-3.0)));
    assert!(json_equal(&json!(0.5), &json!(0.50)));
    assert!(!json_equal(&json!(15), &json!(15.5)));
    assert!(
        !json_equal(&json!(15), &json!("15")),
        "number is not its text"
    );
    assert!(json_equal(&json!(u64::MAX), &json!(u64::MAX)));
    assert!(
        !json_equal(&json!(u64::MAX), &json!(u64::MAX - 1)),
        "no float rounding for big ints"
    );
    assert!(json_equal(&json!("ok"), &json!("ok")));
    assert!(!json_equal(&json!("ok"), &json!("OK")));
    assert!(json_equal(&json!(null), &json!(null)));
    assert!(!json_equal(&json!(null), &json!(false)));
    assert!(json_equal(&json!([1, 2.0, "x"]), &json!([1.0, 2, "x"])));
    assert!(!json_equal(&json!([1, 2]), &json!([2, 1])));
    assert!(!json_equal(&json!([1]), &json!([1, 1])));
    assert!(json_equal(
        &json!({"a": 1, "b": [2]}),
        &json!({"b": [2.0], "a": 1.0})
    ));
    assert!(!json_equal(&json!({"a": 1}), &json!({"a": 1, "b": 2})));
    assert!(!json_equal(&json!({"a": 1}), &json!({"b": 1})));
}

#[test]
fn spec_deserializes_from_api_objects() {
    let s = spec(json!({"topic": "device/+/status", "jsonPath": "$.status", "equals": "ok"}));
    assert_eq!(s.topic, "device/+/status");
    assert_eq!(s.json_path.as_deref(), Some("$.status"));
    assert_eq!(s.equals, Some(json!("ok")));
    // `equals: null` is a real expectation, not "no equals".
    assert_eq!(spec(json!({"equals": null})).equals, Some(Value::Null));
    assert_eq!(spec(json!({})).equals, None);
    // Typos are reported, not silently ignored.
    let error = serde_json::from_value::<MessageSpec>(json!({"topic": "a", "jsonpath": "$.x"}))
        .unwrap_err()
        .to_string();
    assert!(error.contains("unknown field `jsonpath`"), "{error}");
    assert!(
        error.contains("jsonPath"),
        "lists the right spelling: {error}"
    );
}

#[test]
fn invalid_specs_are_refused_with_reasons() {
    let error = Expectation::from_spec(&spec(json!({"topic": "a/#/b"}))).unwrap_err();
    assert!(error.contains("invalid topic filter `a/#/b`"), "{error}");
    let error =
        Expectation::from_spec(&spec(json!({"topic": "a", "jsonPath": "$..x"}))).unwrap_err();
    assert!(error.contains("invalid jsonPath"), "{error}");
    let error =
        Expectation::from_spec(&spec(json!({"topic": "a", "regexFlags": "i"}))).unwrap_err();
    assert!(error.contains("regexFlags needs a regex"), "{error}");
}

#[test]
fn topic_selection() {
    let e = expectation(json!({"topic": "device/+/status"}));
    assert_eq!(
        e.evaluate("device/7/status", b"anything", &no_regex),
        Verdict::Match
    );
    assert_eq!(
        e.evaluate("device/7/other", b"anything", &no_regex),
        Verdict::OtherTopic
    );
    assert_eq!(
        e.evaluate("device/7/status/x", b"", &no_regex),
        Verdict::OtherTopic
    );
    let any = expectation(json!({}));
    assert_eq!(any.filter(), ANY_TOPIC);
    assert!(any.matches("a/b/c", b"", &no_regex));
    assert!(
        !any.matches("$SYS/x", b"", &no_regex),
        "# does not match $ topics"
    );
}

#[test]
fn contains_condition() {
    let e = expectation(json!({"topic": "t", "contains": "\"status\":\"ok\""}));
    assert!(e.matches("t", br#"{"status":"ok","x":1}"#, &no_regex));
    assert_eq!(
        e.evaluate("t", br#"{"status": "ok"}"#, &no_regex),
        Verdict::Mismatch(r#"the payload does not contain "\"status\":\"ok\"""#.into())
    );
    // Binary payloads are compared as lossy UTF-8 text.
    let e = expectation(json!({"topic": "t", "contains": "abc"}));
    assert!(e.matches("t", b"\xff\xfeabc\x00", &no_regex));
}

#[test]
fn json_condition() {
    let e = expectation(json!({"topic": "t", "jsonPath": "$.temp.current", "equals": 15}));
    assert!(e.matches("t", br#"{"temp": {"current": 15.0}}"#, &no_regex));
    assert!(e.matches("t", br#"{"temp": {"current": 15}}"#, &no_regex));
    assert_eq!(
        e.evaluate("t", br#"{"temp": {"current": 16}}"#, &no_regex),
        Verdict::Mismatch("$.temp.current is 16, not 15".into())
    );
    assert_eq!(
        e.evaluate("t", br#"{"temp": {}}"#, &no_regex),
        Verdict::Mismatch("the payload has no $.temp.current".into())
    );
    match e.evaluate("t", b"not json", &no_regex) {
        Verdict::Mismatch(reason) => {
            assert!(reason.starts_with("the payload is not JSON ("), "{reason}")
        }
        other => panic!("{other:?}"),
    }

    let string = expectation(json!({"topic": "t", "jsonPath": "status", "equals": "ok"}));
    assert!(string.matches("t", br#"{"status":"ok"}"#, &no_regex));
    assert_eq!(
        string.evaluate("t", br#"{"status":"busy"}"#, &no_regex),
        Verdict::Mismatch(r#"$.status is "busy", not "ok""#.into())
    );

    let exists = expectation(json!({"topic": "t", "jsonPath": "$.status"}));
    assert!(exists.matches("t", br#"{"status": null}"#, &no_regex));
    assert!(!exists.matches("t", br#"{"other": 1}"#, &no_regex));

    let null = expectation(json!({"topic": "t", "jsonPath": "$.error", "equals": null}));
    assert!(null.matches("t", br#"{"error": null}"#, &no_regex));
    assert!(!null.matches("t", br#"{"error": "x"}"#, &no_regex));
    assert!(
        !null.matches("t", br#"{}"#, &no_regex),
        "missing is not null"
    );

    let whole = expectation(json!({"topic": "t", "equals": {"a": [1, 2]}}));
    assert!(whole.matches("t", br#"{ "a" : [1.0, 2] }"#, &no_regex));
    assert_eq!(
        whole.evaluate("t", br#"{"a":[2]}"#, &no_regex),
        Verdict::Mismatch(r#"the payload is {"a":[2]}, not {"a":[1,2]}"#.into())
    );
    let number = expectation(json!({"topic": "t", "equals": 42}));
    assert!(number.matches("t", b"42", &no_regex));
    assert!(number.matches("t", b" 42.0 ", &no_regex));
}

#[test]
fn regex_condition_uses_the_callers_engine() {
    let e = expectation(json!({"topic": "t", "regex": "^ok$", "regexFlags": "i"}));
    assert_eq!(e.regex(), Some(("^ok$", "i")));
    let fake = |text: &str| text.eq_ignore_ascii_case("ok");
    assert!(e.matches("t", b"OK", &fake));
    assert_eq!(
        e.evaluate("t", b"ok!", &fake),
        Verdict::Mismatch("the payload does not match /^ok$/i".into())
    );
    // The engine is not consulted for other topics.
    assert_eq!(e.evaluate("u", b"OK", &no_regex), Verdict::OtherTopic);
    assert_eq!(expectation(json!({"topic": "t"})).regex(), None);
}

#[test]
fn all_conditions_must_hold() {
    let e = expectation(json!({
        "topic": "t", "contains": "ok", "jsonPath": "$.code", "equals": 200, "regex": "^\\{"
    }));
    let starts_with_brace = |text: &str| text.starts_with('{');
    assert!(e.matches("t", br#"{"status":"ok","code":200}"#, &starts_with_brace));
    assert_eq!(
        e.evaluate("t", br#"{"status":"ok","code":500}"#, &starts_with_brace),
        Verdict::Mismatch("$.code is 500, not 200".into())
    );
    assert_eq!(
        e.evaluate("t", br#"{"status":"no","code":200}"#, &starts_with_brace),
        Verdict::Mismatch(r#"the payload does not contain "ok""#.into())
    );
    assert_eq!(
        e.evaluate("t", br#" {"status":"ok","code":200}"#, &starts_with_brace),
        Verdict::Mismatch(r#"the payload does not match /^\{/"#.into())
    );
}

#[test]
fn descriptions_read_as_sentences() {
    let cases = [
        (json!({"topic": "a/+"}), r#"a message on "a/+""#),
        (json!({}), "a message on \"#\""),
        (
            json!({"topic": "d/+/status", "jsonPath": "status", "equals": "ok"}),
            r#"a message on "d/+/status" whose $.status equals "ok""#,
        ),
        (
            json!({"topic": "t", "jsonPath": "$.x[0]"}),
            r#"a message on "t" whose $.x[0] exists"#,
        ),
        (
            json!({"topic": "t", "equals": 15}),
            r#"a message on "t" whose payload equals 15"#,
        ),
        (
            json!({"topic": "t", "contains": "hi"}),
            r#"a message on "t" whose payload contains "hi""#,
        ),
        (
            json!({"topic": "t", "regex": "a+", "regexFlags": "i"}),
            r#"a message on "t" whose payload matches /a+/i"#,
        ),
        (
            json!({"topic": "t", "contains": "x", "regex": "y"}),
            r#"a message on "t" whose payload contains "x" and payload matches /y/"#,
        ),
    ];
    for (value, text) in cases {
        assert_eq!(expectation(value).to_string(), text);
    }
}

#[test]
fn long_values_are_shortened_in_explanations() {
    let long = "x".repeat(500);
    let e = expectation(json!({"topic": "t", "jsonPath": "$.v", "equals": "y"}));
    let payload = serde_json::to_vec(&json!({"v": long})).unwrap();
    match e.evaluate("t", &payload, &no_regex) {
        Verdict::Mismatch(reason) => {
            assert!(reason.chars().count() < 260, "{}", reason.len());
            assert!(reason.contains('…'));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn regexes_run_in_linear_time_with_javascript_flags() {
    use mqtt_console::matcher::compile_regex;
    // Catastrophic for a backtracking engine (JavaScript's RegExp): here a
    // single linear pass.
    let evil = compile_regex(r"^(\w+\s?)*$", "").unwrap();
    let text = "a ".repeat(20_000) + "!";
    assert!(!evil.is_match(&text));
    assert!(
        !evil.is_match(&("a".repeat(40) + "!")),
        "exponential for backtracking"
    );
    assert!(evil.is_match(&"a ".repeat(20_000)));
    assert!(compile_regex("^OK$", "i").unwrap().is_match("ok"));
    assert!(compile_regex("^b$", "m").unwrap().is_match("a\nb"));
    assert!(compile_regex("a.b", "s").unwrap().is_match("a\nb"));
    assert!(!compile_regex("a.b", "").unwrap().is_match("a\nb"));
    assert!(compile_regex(r"a\/b", "gu").unwrap().is_match("a/b"));
    let error = compile_regex("(", "").unwrap_err();
    assert!(error.starts_with("invalid regex /(/:"), "{error}");
    let error = compile_regex("x", "q").unwrap_err();
    assert!(error.contains("unknown flag 'q'"), "{error}");
    let error = compile_regex("a(?=b)", "").unwrap_err();
    assert!(error.contains("lookaround is not supported"), "{error}");
}

#[test]
fn an_invalid_regex_is_refused_when_the_expectation_is_built() {
    let error = Expectation::from_spec(&spec(json!({"topic": "a", "regex": "[a-"}))).unwrap_err();
    assert!(error.contains("invalid regex /[a-/"), "{error}");
}
