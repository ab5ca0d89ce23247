//! Payload views: the same bytes as pretty JSON, text, a hex dump, base64,
//! or decoded CBOR / MessagePack. Every view returns plain text for a text
//! node; nothing here is ever interpreted as HTML.

use super::{binary, json};

/// How a payload is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PayloadView {
    /// Pretty JSON when the payload is valid JSON, otherwise text.
    #[default]
    Auto,
    /// UTF-8 text; invalid bytes shown as `\xNN`.
    Text,
    /// Offset, 16 bytes in hex, and their printable ASCII.
    Hex,
    Base64,
    /// CBOR (RFC 8949) in diagnostic notation.
    Cbor,
    /// MessagePack as JSON-like text.
    MsgPack,
}

impl PayloadView {
    pub const ALL: [PayloadView; 6] = [
        PayloadView::Auto,
        PayloadView::Text,
        PayloadView::Hex,
        PayloadView::Base64,
        PayloadView::Cbor,
        PayloadView::MsgPack,
    ];

    /// Stable name (select values, URL settings).
    pub fn key(self) -> &'static str {
        match self {
            PayloadView::Auto => "auto",
            PayloadView::Text => "text",
            PayloadView::Hex => "hex",
            PayloadView::Base64 => "base64",
            PayloadView::Cbor => "cbor",
            PayloadView::MsgPack => "msgpack",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PayloadView::Auto => "Auto (JSON or text)",
            PayloadView::Text => "Text",
            PayloadView::Hex => "Hex dump",
            PayloadView::Base64 => "Base64",
            PayloadView::Cbor => "CBOR",
            PayloadView::MsgPack => "MessagePack",
        }
    }

    pub fn from_key(key: &str) -> Option<PayloadView> {
        Self::ALL.into_iter().find(|view| view.key() == key)
    }
}

/// The payload in full, as `view` shows it.
pub fn render(view: PayloadView, payload: &[u8]) -> String {
    match view {
        PayloadView::Auto => json::pretty(payload).unwrap_or_else(|| text(payload)),
        PayloadView::Text => text(payload),
        PayloadView::Hex => hex_dump(payload),
        PayloadView::Base64 => base64(payload),
        PayloadView::Cbor => {
            binary::cbor(payload).unwrap_or_else(|error| format!("Not valid CBOR: {error}"))
        }
        PayloadView::MsgPack => binary::msgpack(payload)
            .unwrap_or_else(|error| format!("Not valid MessagePack: {error}")),
    }
}

/// A one-line preview of at most `max_chars` characters for a log row
/// (line breaks and tabs become spaces; `…` marks a cut).
pub fn preview(view: PayloadView, payload: &[u8], max_chars: usize) -> String {
    // Never format more than needed: a few bytes per shown character.
    let head = &payload[..payload.len().min(max_chars * 4)];
    let full = match view {
        PayloadView::Auto | PayloadView::Text => text(head),
        PayloadView::Hex => hex_bytes(&head[..head.len().min(max_chars / 3 + 1)]),
        PayloadView::Base64 => base64(&head[..head.len().min(max_chars / 4 * 3 + 3)]),
        PayloadView::Cbor => binary::cbor(payload).unwrap_or_else(|_| text(head)),
        PayloadView::MsgPack => binary::msgpack(payload).unwrap_or_else(|_| text(head)),
    };
    let mut out = String::with_capacity(full.len().min(max_chars * 4));
    let mut chars = full.chars();
    for c in chars.by_ref().take(max_chars) {
        out.push(if c.is_control() { ' ' } else { c });
    }
    if chars.next().is_some() || head.len() < payload.len() && view != PayloadView::Hex {
        out.push('…');
    }
    out
}

/// UTF-8 text with every invalid byte shown as `\xNN`.
pub fn text(payload: &[u8]) -> String {
    let mut out = String::with_capacity(payload.len());
    for chunk in payload.utf8_chunks() {
        out.push_str(chunk.valid());
        for byte in chunk.invalid() {
            out.push_str(&format!("\\x{byte:02X}"));
        }
    }
    out
}

/// Bytes as space-separated hex pairs (`7b 22 61`).
pub fn hex_bytes(payload: &[u8]) -> String {
    let mut out = String::with_capacity(payload.len() * 3);
    for (i, byte) in payload.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        push_hex(&mut out, *byte);
    }
    out
}

pub(crate) fn push_hex(out: &mut String, byte: u8) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    out.push(DIGITS[(byte >> 4) as usize] as char);
    out.push(DIGITS[(byte & 15) as usize] as char);
}

/// A classic hex dump: `00000000  7b 22 61 ...  |{"a...|`, 16 bytes a line.
pub fn hex_dump(payload: &[u8]) -> String {
    let mut out = String::with_capacity(payload.len() / 16 * 78 + 78);
    for (line, chunk) in payload.chunks(16).enumerate() {
        if line > 0 {
            out.push('\n');
        }
        out.push_str(&format!("{:08x} ", line * 16));
        for i in 0..16 {
            if i == 8 {
                out.push(' ');
            }
            match chunk.get(i) {
                Some(byte) => {
                    out.push(' ');
                    push_hex(&mut out, *byte);
                }
                None => out.push_str("   "),
            }
        }
        out.push_str("  |");
        out.extend(chunk.iter().map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '.'
            }
        }));
        out.push('|');
    }
    out
}

/// Standard base64 with padding (RFC 4648).
pub fn base64(payload: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(payload.len().div_ceil(3) * 4);
    for chunk in payload.chunks(3) {
        let n = (chunk[0] as u32) << 16
            | (*chunk.get(1).unwrap_or(&0) as u32) << 8
            | *chunk.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A human size: `512 B`, `1.5 KB`, `3.2 MB`.
pub fn size(bytes: usize) -> String {
    match bytes {
        0..1024 => format!("{bytes} B"),
        1024..1_048_576 => format!("{:.1} KB", bytes as f64 / 1024.0),
        _ => format!("{:.1} MB", bytes as f64 / 1_048_576.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_invalid_utf8() {
        assert_eq!(text(b"ok \xff\xfe \xc3\xa9"), "ok \\xFF\\xFE é");
    }

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected);
        }
    }

    #[test]
    fn hex_dump_layout() {
        assert_eq!(
            hex_dump(b"{\"a\":1}\x00\xffABCDEFGHIJ"),
            "00000000  7b 22 61 22 3a 31 7d 00  ff 41 42 43 44 45 46 47  |{\"a\":1}..ABCDEFG|\n\
             00000010  48 49 4a                                          |HIJ|"
        );
    }

    #[test]
    fn auto_pretty_prints_json_else_text() {
        assert_eq!(render(PayloadView::Auto, br#"{"a":1}"#), "{\n  \"a\": 1\n}");
        assert_eq!(
            render(PayloadView::Auto, b"<script>x</script>"),
            "<script>x</script>"
        );
    }

    #[test]
    fn preview_is_one_line_and_marks_cuts() {
        assert_eq!(preview(PayloadView::Auto, b"a\nb\tc", 10), "a b c");
        assert_eq!(preview(PayloadView::Text, b"abcdef", 3), "abc…");
        assert_eq!(preview(PayloadView::Hex, b"\x01\x02", 20), "01 02");
    }

    #[test]
    fn views_round_trip_their_keys() {
        for view in PayloadView::ALL {
            assert_eq!(PayloadView::from_key(view.key()), Some(view));
        }
    }
}
