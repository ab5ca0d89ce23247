//! CSV export against formula injection (OWASP "CSV Injection"): cells a
//! spreadsheet would evaluate are written as text.

use mqtt_console::codec::QoS;
use mqtt_console::store::export::{csv_field, ExportFormat, Exporter, CSV_HEADER};
use mqtt_console::store::view::Rows;
use mqtt_console::store::{Incoming, MessageStore};

#[test]
fn formula_cells_are_neutralised() {
    for (cell, written) in [
        ("=1+2", "\"'=1+2\""),
        ("+1", "\"'+1\""),
        ("-5", "\"'-5\""),
        ("@SUM(A1)", "\"'@SUM(A1)\""),
        ("\t=x", "\"'\t=x\""),
        ("\r=x", "\"'\r=x\""),
        (
            "=HYPERLINK(\"http://x\",\"y\")",
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"",
        ),
    ] {
        assert_eq!(csv_field(cell), written, "{cell:?}");
    }
    // Everything else is as before.
    assert_eq!(csv_field("a=b"), "a=b");
    assert_eq!(csv_field("x,y"), "\"x,y\"");
    assert_eq!(csv_field(""), "");
}

#[test]
fn exported_topics_payloads_and_base64_are_neutralised() {
    let mut store = MessageStore::default();
    for (topic, payload) in [
        ("=cmd", &b"@x"[..]),
        ("a", b"=HYPERLINK(\"http://evil\",\"click\")"),
        ("bin", b"\xfb\xef"), // base64 "++8=" starts with '+'
    ] {
        store.push(Incoming {
            topic,
            payload,
            qos: QoS::AtMostOnce,
            retain: false,
            duplicate: false,
            time_ms: 1_700_000_000_000.0,
        });
    }
    let mut exporter = Exporter::new(ExportFormat::Csv, Rows::Range { from: 0, to: 3 });
    let mut csv = String::new();
    while let Some(chunk) = exporter.next_chunk(&store, 10) {
        csv.push_str(&chunk);
    }
    let rows: Vec<&str> = csv.strip_prefix(CSV_HEADER).unwrap().lines().collect();
    assert_eq!(
        rows[0],
        "2023-11-14T22:13:20.000Z,\"'=cmd\",0,false,false,2,false,utf8,\"'@x\""
    );
    assert!(
        rows[1].ends_with(",utf8,\"'=HYPERLINK(\"\"http://evil\"\",\"\"click\"\")\""),
        "{}",
        rows[1]
    );
    assert!(rows[2].ends_with(",base64,\"'++8=\""), "{}", rows[2]);
}
