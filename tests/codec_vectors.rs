#![cfg(not(target_arch = "wasm32"))]
//! Data-driven codec vectors: every file in `tests/vectors/` (schema in
//! `tests/vectors/README.md`) is one case, run through the slice decoder and
//! the stream decoder (whole and byte by byte), and re-encoded.

use bytes::Bytes;
use mqtt_console::codec::*;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

const CASE_KEYS: &[&str] = &[
    "description",
    "hex",
    "packet",
    "packets",
    "error",
    "incomplete",
    "canonical",
    "max_packet_size",
];

struct Case {
    name: String,
    bytes: Vec<u8>,
    packets: Vec<Packet>,
    error: Option<String>,
    incomplete: bool,
    canonical: bool,
    max_packet_size: usize,
}

fn hex(s: &str, ctx: &str) -> Vec<u8> {
    let digits: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    assert!(digits.len() % 2 == 0, "{ctx}: odd number of hex digits");
    digits
        .chunks(2)
        .map(|p| {
            u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16)
                .unwrap_or_else(|_| panic!("{ctx}: bad hex {p:?}"))
        })
        .collect()
}

fn obj<'a>(v: &'a Value, ctx: &str, allowed: &[&str]) -> &'a Map<String, Value> {
    let m = v
        .as_object()
        .unwrap_or_else(|| panic!("{ctx}: expected an object"));
    for k in m.keys() {
        assert!(allowed.contains(&k.as_str()), "{ctx}: unknown key {k:?}");
    }
    m
}

fn get_str(m: &Map<String, Value>, key: &str, ctx: &str) -> String {
    m.get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{ctx}: missing string {key:?}"))
        .to_owned()
}

fn get_u64(m: &Map<String, Value>, key: &str, ctx: &str) -> u64 {
    m.get(key)
        .and_then(Value::as_u64)
        .unwrap_or_else(|| panic!("{ctx}: missing number {key:?}"))
}

fn get_bool(m: &Map<String, Value>, key: &str, default: bool) -> bool {
    m.get(key).and_then(Value::as_bool).unwrap_or(default)
}

fn pid(m: &Map<String, Value>, ctx: &str) -> PacketId {
    PacketId::new(get_u64(m, "packet_id", ctx) as u16).expect("packet_id 0 in an expected packet")
}

fn qos(n: u64) -> QoS {
    QoS::from_u8(n as u8).expect("qos 0..=2")
}

/// `payload` (UTF-8 text) or `payload_hex`; `None` if neither is present.
fn data(m: &Map<String, Value>, key: &str, ctx: &str) -> Option<Bytes> {
    if let Some(s) = m.get(key).and_then(Value::as_str) {
        return Some(Bytes::from(s.to_owned()));
    }
    let hex_key = format!("{key}_hex");
    m.get(&hex_key)
        .and_then(Value::as_str)
        .map(|s| Bytes::from(hex(s, ctx)))
}

fn packet(v: &Value, ctx: &str) -> Packet {
    let m = v
        .as_object()
        .unwrap_or_else(|| panic!("{ctx}: packet must be an object"));
    let ty = get_str(m, "type", ctx);
    let keys: &[&str] = match ty.as_str() {
        "connect" => &[
            "type",
            "client_id",
            "keep_alive",
            "clean_session",
            "will",
            "username",
            "password",
            "password_hex",
        ],
        "connack" => &["type", "session_present", "code"],
        "publish" => &[
            "type",
            "dup",
            "qos",
            "packet_id",
            "retain",
            "topic",
            "payload",
            "payload_hex",
        ],
        "subscribe" | "unsubscribe" => &["type", "packet_id", "filters"],
        "suback" => &["type", "packet_id", "return_codes"],
        "puback" | "pubrec" | "pubrel" | "pubcomp" | "unsuback" => &["type", "packet_id"],
        _ => &["type"],
    };
    let m = obj(v, ctx, keys);
    match ty.as_str() {
        "connect" => Packet::Connect(Connect {
            client_id: get_str(m, "client_id", ctx),
            keep_alive: get_u64(m, "keep_alive", ctx) as u16,
            clean_session: get_bool(m, "clean_session", false),
            will: m.get("will").filter(|w| !w.is_null()).map(|w| {
                let w = obj(
                    w,
                    ctx,
                    &["topic", "payload", "payload_hex", "qos", "retain"],
                );
                LastWill {
                    topic: get_str(w, "topic", ctx),
                    payload: data(w, "payload", ctx).unwrap_or_default(),
                    qos: qos(get_u64(w, "qos", ctx)),
                    retain: get_bool(w, "retain", false),
                }
            }),
            username: m.get("username").and_then(Value::as_str).map(str::to_owned),
            password: data(m, "password", ctx),
        }),
        "connack" => Packet::ConnAck(ConnAck {
            session_present: get_bool(m, "session_present", false),
            code: ConnectReturnCode::from_u8(get_u64(m, "code", ctx) as u8).expect("code 0..=5"),
        }),
        "publish" => {
            let q = get_u64(m, "qos", ctx);
            Packet::Publish(Publish {
                dup: get_bool(m, "dup", false),
                qos: match q {
                    0 => QosPid::AtMostOnce,
                    1 => QosPid::AtLeastOnce(pid(m, ctx)),
                    _ => QosPid::ExactlyOnce(pid(m, ctx)),
                },
                retain: get_bool(m, "retain", false),
                topic: get_str(m, "topic", ctx),
                payload: data(m, "payload", ctx).unwrap_or_default(),
            })
        }
        "puback" => Packet::PubAck(pid(m, ctx)),
        "pubrec" => Packet::PubRec(pid(m, ctx)),
        "pubrel" => Packet::PubRel(pid(m, ctx)),
        "pubcomp" => Packet::PubComp(pid(m, ctx)),
        "unsuback" => Packet::UnsubAck(pid(m, ctx)),
        "subscribe" => Packet::Subscribe(Subscribe {
            packet_id: pid(m, ctx),
            filters: m["filters"]
                .as_array()
                .expect("filters array")
                .iter()
                .map(|f| {
                    let f = obj(f, ctx, &["filter", "qos"]);
                    SubscribeFilter {
                        filter: get_str(f, "filter", ctx),
                        qos: qos(get_u64(f, "qos", ctx)),
                    }
                })
                .collect(),
        }),
        "unsubscribe" => Packet::Unsubscribe(Unsubscribe {
            packet_id: pid(m, ctx),
            filters: m["filters"]
                .as_array()
                .expect("filters array")
                .iter()
                .map(|f| f.as_str().expect("filter string").to_owned())
                .collect(),
        }),
        "suback" => Packet::SubAck(SubAck {
            packet_id: pid(m, ctx),
            return_codes: m["return_codes"]
                .as_array()
                .expect("return_codes array")
                .iter()
                .map(|c| {
                    SubscribeReturnCode::from_u8(c.as_u64().expect("code") as u8)
                        .expect("valid return code")
                })
                .collect(),
        }),
        "pingreq" => Packet::PingReq,
        "pingresp" => Packet::PingResp,
        "disconnect" => Packet::Disconnect,
        other => panic!("{ctx}: unknown packet type {other:?}"),
    }
}

fn load(path: &Path) -> Case {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let text = std::fs::read_to_string(path).unwrap();
    let v: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: invalid JSON: {e}"));
    let m = obj(&v, &name, CASE_KEYS);
    let description = get_str(m, "description", &name);
    assert!(
        description.contains("[MQTT-") || description.contains('§'),
        "{name}: the description must cite the spec ([MQTT-x.y.z-n] or §x.y)"
    );
    let bytes = match &m["hex"] {
        Value::String(s) => hex(s, &name),
        Value::Array(parts) => parts
            .iter()
            .flat_map(|p| hex(p.as_str().expect("hex parts are strings"), &name))
            .collect(),
        _ => panic!("{name}: hex must be a string or an array of strings"),
    };
    let mut packets: Vec<Packet> = match m.get("packets") {
        Some(list) => list
            .as_array()
            .unwrap()
            .iter()
            .map(|p| packet(p, &name))
            .collect(),
        None => Vec::new(),
    };
    if let Some(p) = m.get("packet") {
        assert!(
            m.get("packets").is_none(),
            "{name}: both packet and packets"
        );
        packets.push(packet(p, &name));
    }
    let error = m
        .get("error")
        .map(|e| e.as_str().expect("error kind string").to_owned());
    let incomplete = get_bool(m, "incomplete", false);
    assert!(
        !packets.is_empty() || error.is_some() || incomplete,
        "{name}: expects nothing (give packet, packets, error or incomplete)"
    );
    Case {
        name,
        bytes,
        packets,
        error,
        incomplete,
        canonical: get_bool(m, "canonical", true),
        max_packet_size: m
            .get("max_packet_size")
            .map(|v| v.as_u64().expect("max_packet_size number") as usize)
            .unwrap_or(DEFAULT_MAX_PACKET_SIZE),
    }
}

/// Runs the stream decoder over `chunks`; returns the packets and the final
/// outcome (`Ok(buffered)` when it needs more bytes, or the error).
fn run_stream<'a>(
    max: usize,
    chunks: impl Iterator<Item = &'a [u8]>,
) -> (Vec<Packet>, Result<usize, DecodeError>) {
    let mut d = StreamDecoder::new(max);
    let mut out = Vec::new();
    for chunk in chunks {
        d.feed(chunk);
        loop {
            match d.next_packet() {
                Ok(Some(p)) => out.push(p),
                Ok(None) => break,
                Err(e) => {
                    // Sticky: the same error again.
                    assert_eq!(d.next_packet(), Err(e.clone()));
                    return (out, Err(e));
                }
            }
        }
    }
    (out, Ok(d.buffered_len()))
}

fn check(case: &Case) {
    let name = &case.name;
    for (how, (packets, end)) in [
        (
            "whole",
            run_stream(case.max_packet_size, std::iter::once(&case.bytes[..])),
        ),
        (
            "bytewise",
            run_stream(case.max_packet_size, case.bytes.chunks(1)),
        ),
    ] {
        assert_eq!(packets, case.packets, "{name} ({how}): packets");
        match (&case.error, end) {
            (Some(kind), Err(e)) => {
                assert_eq!(e.kind(), kind, "{name} ({how}): error kind, got {e}");
                let text = e.to_string();
                assert!(
                    text.len() > 20 && !text.contains("{"),
                    "{name}: Display {text:?}"
                );
            }
            (Some(kind), Ok(_)) => panic!("{name} ({how}): expected error {kind}, decoded fine"),
            (None, Err(e)) => panic!("{name} ({how}): unexpected error {e} ({})", e.kind()),
            (None, Ok(buffered)) => {
                assert_eq!(
                    buffered > 0,
                    case.incomplete,
                    "{name} ({how}): leftover bytes"
                )
            }
        }
    }

    // Slice API: same packets in order, then the same outcome (it has no
    // configurable size limit, so skip those cases' error).
    let mut rest = &case.bytes[..];
    let mut got = Vec::new();
    let end = loop {
        if rest.is_empty() {
            break Ok(());
        }
        match decode(rest) {
            Ok(Status::Complete((p, used))) => {
                got.push(p);
                rest = &rest[used..];
            }
            Ok(Status::Incomplete) => break Ok(()),
            Err(e) => break Err(e),
        }
    };
    if case.max_packet_size == DEFAULT_MAX_PACKET_SIZE {
        assert_eq!(got, case.packets, "{name} (slice): packets");
        assert_eq!(
            end.err().map(|e| e.kind()),
            case.error.as_deref(),
            "{name} (slice): error"
        );
    }

    // Re-encoding: canonical inputs come back byte for byte.
    let mut encoded = Vec::new();
    for p in &case.packets {
        encode(p, &mut encoded).unwrap_or_else(|e| panic!("{name}: cannot encode {p:?}: {e}"));
    }
    let consumed = &case.bytes[..encoded.len().min(case.bytes.len())];
    if case.canonical {
        assert_eq!(encoded, consumed, "{name}: re-encoding differs");
    } else {
        assert_ne!(
            encoded, consumed,
            "{name}: marked non-canonical but re-encodes identically"
        );
    }
}

fn vector_files() -> Vec<PathBuf> {
    // Read at run time (cargo sets it for tests): a test binary reused from a
    // build cache made in another checkout would carry that checkout's path.
    let root = std::env::var("CARGO_MANIFEST_DIR").unwrap_or(env!("CARGO_MANIFEST_DIR").into());
    let dir = Path::new(&root).join("tests/vectors");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        // Subfolders hold other suites' vectors (e.g. sigv4/).
        .filter(|p| !p.is_dir() && p.file_name().unwrap() != "README.md")
        .collect();
    files.sort();
    files
}

#[test]
fn all_vectors() {
    let files = vector_files();
    let mut failures = Vec::new();
    for path in &files {
        assert_eq!(
            path.extension().and_then(|e| e.to_str()),
            Some("json"),
            "{}: every file in tests/vectors/ besides README.md is a .json case",
            path.display()
        );
        let case = load(path);
        if let Err(panic) = std::panic::catch_unwind(|| check(&case)) {
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failures.push(format!("{}: {msg}", case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failing vector(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(files.len() >= 40, "only {} vectors", files.len());
    println!("{} vectors passed", files.len());
}

#[test]
fn vectors_cover_every_packet_type_and_error_kind() {
    let cases: Vec<Case> = vector_files().iter().map(|p| load(p)).collect();
    let mut types: Vec<PacketType> = cases
        .iter()
        .flat_map(|c| c.packets.iter().map(Packet::packet_type))
        .collect();
    types.sort_by_key(|t| *t as u8);
    types.dedup();
    assert_eq!(types.len(), 14, "packet types covered: {types:?}");
    let kinds: std::collections::BTreeSet<&str> =
        cases.iter().filter_map(|c| c.error.as_deref()).collect();
    for kind in [
        "reserved_packet_type",
        "invalid_header_flags",
        "invalid_qos",
        "dup_at_qos0",
        "remaining_length_too_long",
        "packet_too_large",
        "wrong_remaining_length",
        "length_exceeds_packet",
        "trailing_bytes",
        "zero_packet_id",
        "invalid_utf8",
        "null_character",
        "empty_topic",
        "wildcard_in_topic_name",
        "invalid_topic_filter",
        "no_topic_filters",
        "invalid_subscription_options",
        "invalid_suback_return_code",
        "invalid_connack_flags",
        "unknown_connect_return_code",
        "session_present_on_refusal",
        "invalid_protocol_name",
        "unsupported_protocol_level",
        "connect_reserved_flag",
        "will_flags_without_will",
        "invalid_will_qos",
        "password_without_username",
        "empty_client_id_without_clean_session",
    ] {
        assert!(kinds.contains(kind), "no vector for error kind {kind}");
    }
}
