#![cfg(not(target_arch = "wasm32"))]
//! Topic validation and matching: examples from spec §4.7 and properties.

use mqtt_console::topic::*;
use proptest::prelude::*;

#[test]
fn spec_examples() {
    // §4.7.1.2: "sport/tennis/player1/#" matches these.
    for t in [
        "sport/tennis/player1",
        "sport/tennis/player1/ranking",
        "sport/tennis/player1/score/wimbledon",
    ] {
        assert!(matches("sport/tennis/player1/#", t), "{t}");
    }
    assert!(matches("sport/#", "sport"));
    // §4.7.1.3
    assert!(matches("sport/tennis/+", "sport/tennis/player1"));
    assert!(!matches("sport/tennis/+", "sport/tennis/player1/ranking"));
    assert!(!matches("sport/+", "sport"));
    assert!(matches("sport/+", "sport/"));
    assert!(matches("+/+", "/finance"));
    assert!(matches("/+", "/finance"));
    assert!(!matches("+", "/finance"));
    // §4.7.2 [MQTT-4.7.2-1]
    assert!(!matches("#", "$SYS/monitor/Clients"));
    assert!(!matches("+/monitor/Clients", "$SYS/monitor/Clients"));
    assert!(matches("$SYS/#", "$SYS/monitor/Clients"));
    assert!(matches("$SYS/monitor/+", "$SYS/monitor/Clients"));
    // §4.7.3: case-sensitive, spaces allowed.
    assert!(!matches("ACCOUNTS", "Accounts"));
    assert!(matches("Accounts payable", "Accounts payable"));

    for bad in ["sport/tennis#", "sport/tennis/#/ranking", "sport+"] {
        assert!(validate_topic_filter(bad).is_err(), "{bad}");
    }
    assert_eq!(
        validate_topic_filter("a/b+").unwrap_err().to_string(),
        "'+' must occupy a whole topic level, e.g. 'a/+/b' rather than 'a/b+' [MQTT-4.7.1-3]"
    );
}

fn levels() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec("[a-zA-Z0-9 é_-]{0,4}", 1..6)
}

proptest! {
    #[test]
    fn a_topic_matches_itself_plus_and_hash_forms(
        levels in levels(),
        mask in proptest::collection::vec(any::<bool>(), 6),
        cut in 0usize..6,
    ) {
        let topic = levels.join("/");
        prop_assume!(!topic.is_empty());
        prop_assert!(validate_topic_name(&topic).is_ok());
        prop_assert!(matches(&topic, &topic));
        prop_assert!(matches("#", &topic));
        // Replace some levels with '+'.
        let plus: Vec<&str> = levels
            .iter()
            .zip(&mask)
            .map(|(l, &m)| if m { "+" } else { l.as_str() })
            .collect();
        let plus = plus.join("/");
        prop_assert!(validate_topic_filter(&plus).is_ok());
        prop_assert!(matches(&plus, &topic), "{} vs {}", plus, topic);
        // A prefix of levels followed by '#' matches (including the parent).
        let cut = cut.min(levels.len());
        let mut hash: Vec<&str> = levels[..cut].iter().map(String::as_str).collect();
        hash.push("#");
        let hash = hash.join("/");
        prop_assert!(validate_topic_filter(&hash).is_ok());
        prop_assert!(matches(&hash, &topic), "{} vs {}", hash, topic);
    }

    #[test]
    fn changing_a_literal_level_breaks_the_match(levels in levels(), i in any::<prop::sample::Index>()) {
        let topic = levels.join("/");
        prop_assume!(!topic.is_empty());
        let mut other = levels.clone();
        let i = i.index(other.len());
        other[i].push('x');
        prop_assert!(!matches(&other.join("/"), &topic));
        // One level more or less does not match either.
        let longer = format!("{topic}/x");
        prop_assert!(!matches(&longer, &topic));
    }

    #[test]
    fn dollar_topics_escape_leading_wildcards(levels in levels()) {
        let topic = format!("$SYS/{}", levels.join("/"));
        prop_assert!(!matches("#", &topic));
        let plus = format!("+/{}", levels.join("/"));
        prop_assert!(!matches(&plus, &topic));
        prop_assert!(matches("$SYS/#", &topic));
    }

    #[test]
    fn validation_never_panics(s in ".{0,20}") {
        let _ = validate_topic_filter(&s);
        let _ = validate_topic_name(&s);
        let _ = matches(&s, &s);
    }
}
