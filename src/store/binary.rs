//! CBOR (RFC 8949) and MessagePack payloads as readable text, for display
//! only. Written here rather than pulled in: the crates that do this
//! (minicbor's `display`, rmpv) add 8-9 KB of gzipped wasm each, these two
//! readers 3 KB together (docs/log.md). Both reject truncated input,
//! trailing bytes and nesting deeper than [`MAX_DEPTH`].

use std::fmt::Write;

/// Deepest nesting accepted.
pub const MAX_DEPTH: usize = 128;

/// One CBOR data item in diagnostic notation (`{"a": [1, h'00ff'], 2: 1.5}`).
pub fn cbor(payload: &[u8]) -> Result<String, String> {
    let mut reader = Reader {
        b: payload,
        i: 0,
        out: String::new(),
    };
    reader.cbor_item(0)?;
    reader.finish()
}

/// One MessagePack value as JSON-like text (`{"a": [1, <bin 00ff>]}`).
pub fn msgpack(payload: &[u8]) -> Result<String, String> {
    let mut reader = Reader {
        b: payload,
        i: 0,
        out: String::new(),
    };
    reader.msgpack_value(0)?;
    reader.finish()
}

struct Reader<'a> {
    b: &'a [u8],
    i: usize,
    out: String,
}

impl Reader<'_> {
    fn finish(self) -> Result<String, String> {
        if self.b.is_empty() {
            return Err("empty payload".into());
        }
        match self.b.len() - self.i {
            0 => Ok(self.out),
            n => Err(format!("{n} bytes left after the first value")),
        }
    }

    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        if self.b.len() - self.i < n {
            return Err(format!("truncated at byte {}", self.b.len()));
        }
        self.i += n;
        Ok(&self.b[self.i - n..self.i])
    }

    fn byte(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    fn uint(&mut self, n: usize) -> Result<u64, String> {
        Ok(self
            .take(n)?
            .iter()
            .fold(0u64, |acc, &b| acc << 8 | b as u64))
    }

    /// A length that must fit in the rest of the input (at least one byte
    /// per element), so a forged huge length fails instead of allocating.
    fn length(&self, n: u64) -> Result<usize, String> {
        if n > (self.b.len() - self.i) as u64 {
            return Err(format!("length {n} exceeds the payload"));
        }
        Ok(n as usize)
    }

    fn text(&mut self, len: usize) -> Result<(), String> {
        let bytes = self.take(len)?;
        let text = std::str::from_utf8(bytes).map_err(|_| "invalid UTF-8 in a text string")?;
        let quoted = quote(text);
        self.out.push_str(&quoted);
        Ok(())
    }

    fn hex(&mut self, len: usize, prefix: &str, suffix: &str) -> Result<(), String> {
        let start = self.i;
        self.take(len)?;
        self.out.push_str(prefix);
        for &b in &self.b[start..self.i] {
            super::format::push_hex(&mut self.out, b);
        }
        self.out.push_str(suffix);
        Ok(())
    }

    fn float(&mut self, value: f64) {
        if value.is_nan() {
            self.out.push_str("NaN");
        } else if value.is_infinite() {
            self.out
                .push_str(if value > 0.0 { "Infinity" } else { "-Infinity" });
        } else if value == value.trunc() && value.abs() < 1e16 {
            let _ = write!(self.out, "{value:.1}");
        } else {
            let _ = write!(self.out, "{value}");
        }
    }

    fn cbor_argument(&mut self, info: u8) -> Result<Option<u64>, String> {
        Ok(Some(match info {
            0..=23 => info as u64,
            24 => self.uint(1)?,
            25 => self.uint(2)?,
            26 => self.uint(4)?,
            27 => self.uint(8)?,
            31 => return Ok(None),
            _ => return Err(format!("reserved additional information {info}")),
        }))
    }

    fn cbor_item(&mut self, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err("nested too deeply".into());
        }
        let initial = self.byte()?;
        let (major, info) = (initial >> 5, initial & 31);
        if major == 7 {
            return self.cbor_simple(info);
        }
        let argument = self.cbor_argument(info)?;
        match (major, argument) {
            (0, Some(n)) => {
                let _ = write!(self.out, "{n}");
            }
            (1, Some(n)) => {
                let _ = write!(self.out, "{}", -1 - n as i128);
            }
            (2, Some(n)) => {
                let len = self.length(n)?;
                self.hex(len, "h'", "'")?;
            }
            (3, Some(n)) => {
                let len = self.length(n)?;
                self.text(len)?;
            }
            (2 | 3, None) => {
                self.out.push_str("(_ ");
                let mut first = true;
                while self.b.get(self.i) != Some(&0xff) {
                    if !first {
                        self.out.push_str(", ");
                    }
                    first = false;
                    let chunk = self.byte()?;
                    if chunk >> 5 != major {
                        return Err("wrong chunk type in an indefinite string".into());
                    }
                    let n = self
                        .cbor_argument(chunk & 31)?
                        .ok_or("nested indefinite string")?;
                    let len = self.length(n)?;
                    if major == 2 {
                        self.hex(len, "h'", "'")?;
                    } else {
                        self.text(len)?;
                    }
                }
                self.i += 1;
                self.out.push(')');
            }
            (4 | 5, _) => {
                let map = major == 5;
                let count = match argument {
                    Some(n) => Some(self.length(n)?),
                    None => None,
                };
                self.out.push_str(match (map, count) {
                    (false, Some(_)) => "[",
                    (false, None) => "[_ ",
                    (true, Some(_)) => "{",
                    (true, None) => "{_ ",
                });
                let mut index = 0;
                loop {
                    let done = match count {
                        Some(count) => index == count,
                        None => self.b.get(self.i) == Some(&0xff),
                    };
                    if done {
                        break;
                    }
                    if index > 0 {
                        self.out.push_str(", ");
                    }
                    self.cbor_item(depth + 1)?;
                    if map {
                        self.out.push_str(": ");
                        self.cbor_item(depth + 1)?;
                    }
                    index += 1;
                }
                if count.is_none() {
                    self.i += 1;
                }
                self.out.push(if map { '}' } else { ']' });
            }
            (6, Some(tag)) => {
                let _ = write!(self.out, "{tag}(");
                self.cbor_item(depth + 1)?;
                self.out.push(')');
            }
            _ => return Err(format!("indefinite length on major type {major}")),
        }
        Ok(())
    }

    fn cbor_simple(&mut self, info: u8) -> Result<(), String> {
        match info {
            20 => self.out.push_str("false"),
            21 => self.out.push_str("true"),
            22 => self.out.push_str("null"),
            23 => self.out.push_str("undefined"),
            24 => {
                let value = self.byte()?;
                let _ = write!(self.out, "simple({value})");
            }
            25 => {
                let half = self.uint(2)? as u16;
                self.float(half_to_f64(half));
            }
            26 => {
                let bits = self.uint(4)? as u32;
                self.float(f32::from_bits(bits) as f64);
            }
            27 => {
                let bits = self.uint(8)?;
                self.float(f64::from_bits(bits));
            }
            31 => return Err("unexpected break".into()),
            28..=30 => return Err(format!("reserved simple value {info}")),
            _ => {
                let _ = write!(self.out, "simple({info})");
            }
        }
        Ok(())
    }

    fn msgpack_value(&mut self, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err("nested too deeply".into());
        }
        let b = self.byte()?;
        match b {
            0x00..=0x7f => {
                let _ = write!(self.out, "{b}");
            }
            0x80..=0x8f => self.msgpack_container((b & 0x0f) as u64, true, depth)?,
            0x90..=0x9f => self.msgpack_container((b & 0x0f) as u64, false, depth)?,
            0xa0..=0xbf => self.text((b & 0x1f) as usize)?,
            0xc0 => self.out.push_str("null"),
            0xc2 => self.out.push_str("false"),
            0xc3 => self.out.push_str("true"),
            0xc4..=0xc6 => {
                let n = self.uint(1 << (b - 0xc4))?;
                let len = self.length(n)?;
                self.hex(len, "<bin ", ">")?;
            }
            0xc7..=0xc9 => {
                let n = self.uint(1 << (b - 0xc7))?;
                self.msgpack_ext(n)?;
            }
            0xca => {
                let bits = self.uint(4)? as u32;
                self.float(f32::from_bits(bits) as f64);
            }
            0xcb => {
                let bits = self.uint(8)?;
                self.float(f64::from_bits(bits));
            }
            0xcc..=0xcf => {
                let n = self.uint(1 << (b - 0xcc))?;
                let _ = write!(self.out, "{n}");
            }
            0xd0..=0xd3 => {
                let size = 1usize << (b - 0xd0);
                let raw = self.uint(size)?;
                let shift = 64 - 8 * size as u32;
                let _ = write!(self.out, "{}", ((raw << shift) as i64) >> shift);
            }
            0xd4..=0xd8 => self.msgpack_ext(1 << (b - 0xd4))?,
            0xd9..=0xdb => {
                let n = self.uint(1 << (b - 0xd9))?;
                let len = self.length(n)?;
                self.text(len)?;
            }
            0xdc | 0xdd => {
                let n = self.uint(if b == 0xdc { 2 } else { 4 })?;
                self.msgpack_container(n, false, depth)?;
            }
            0xde | 0xdf => {
                let n = self.uint(if b == 0xde { 2 } else { 4 })?;
                self.msgpack_container(n, true, depth)?;
            }
            0xe0..=0xff => {
                let _ = write!(self.out, "{}", b as i8);
            }
            0xc1 => return Err("byte 0xc1 is never used in MessagePack".into()),
        }
        Ok(())
    }

    fn msgpack_ext(&mut self, n: u64) -> Result<(), String> {
        let kind = self.byte()? as i8;
        let len = self.length(n)?;
        self.hex(len, &format!("<ext {kind} "), ">")
    }

    fn msgpack_container(&mut self, n: u64, map: bool, depth: usize) -> Result<(), String> {
        let count = self.length(n)?;
        self.out.push(if map { '{' } else { '[' });
        for index in 0..count {
            if index > 0 {
                self.out.push_str(", ");
            }
            self.msgpack_value(depth + 1)?;
            if map {
                self.out.push_str(": ");
                self.msgpack_value(depth + 1)?;
            }
        }
        self.out.push(if map { '}' } else { ']' });
        Ok(())
    }
}

/// IEEE 754 half precision to f64.
fn half_to_f64(half: u16) -> f64 {
    let exponent = (half >> 10) & 0x1f;
    let mantissa = (half & 0x3ff) as f64;
    let magnitude = match exponent {
        0 => mantissa * 2f64.powi(-24),
        31 if mantissa == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        _ => (mantissa + 1024.0) * 2f64.powi(exponent as i32 - 25),
    };
    if half & 0x8000 != 0 {
        -magnitude
    } else {
        magnitude
    }
}

/// A JSON string literal for `text`.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn cbor_rfc8949_appendix_a() {
        for (encoded, diagnostic) in [
            ("00", "0"),
            ("1864", "100"),
            ("1bffffffffffffffff", "18446744073709551615"),
            ("3bffffffffffffffff", "-18446744073709551616"),
            ("20", "-1"),
            ("f90000", "0.0"),
            ("f93c00", "1.0"),
            ("f97bff", "65504.0"),
            ("fa47c35000", "100000.0"),
            ("fb3ff199999999999a", "1.1"),
            ("f97c00", "Infinity"),
            ("f4", "false"),
            ("f6", "null"),
            ("f0", "simple(16)"),
            (
                "c074323031332d30332d32315432303a30343a30305a",
                "0(\"2013-03-21T20:04:00Z\")",
            ),
            ("4401020304", "h'01020304'"),
            ("6449455446", "\"IETF\""),
            ("62225c", "\"\\\"\\\\\""),
            ("83010203", "[1, 2, 3]"),
            ("a201020304", "{1: 2, 3: 4}"),
            ("a26161016162820203", "{\"a\": 1, \"b\": [2, 3]}"),
            ("9f018202039f0405ffff", "[_ 1, [2, 3], [_ 4, 5]]"),
            ("bf61610161629f0203ffff", "{_ \"a\": 1, \"b\": [_ 2, 3]}"),
            ("5f42010243030405ff", "(_ h'0102', h'030405')"),
        ] {
            assert_eq!(cbor(&hex(encoded)).as_deref(), Ok(diagnostic), "{encoded}");
        }
    }

    #[test]
    fn cbor_rejects_bad_input() {
        for bad in ["", "18", "9bffffffffffffffff", "0000", "ff", "1c"] {
            assert!(cbor(&hex(bad)).is_err(), "{bad}");
        }
        let deep = vec![0x81; MAX_DEPTH + 2];
        assert!(cbor(&deep).is_err());
    }

    #[test]
    fn msgpack_values() {
        for (encoded, text) in [
            ("82a16101a162920203", "{\"a\": 1, \"b\": [2, 3]}"),
            ("c0c2", ""),
            ("ff", "-1"),
            ("d0ff", "-1"),
            ("d1fffe", "-2"),
            ("cdffff", "65535"),
            ("cb3ff8000000000000", "1.5"),
            ("c40200ff", "<bin 00ff>"),
            ("d40105", "<ext 1 05>"),
        ] {
            let encoded = encoded.replace(' ', "");
            let result = msgpack(&hex(&encoded));
            if text.is_empty() {
                assert!(result.is_err(), "{encoded}");
            } else {
                assert_eq!(result.as_deref(), Ok(text), "{encoded}");
            }
        }
        assert_eq!(msgpack(&hex("d903616263")).as_deref(), Ok("\"abc\""));
        assert!(msgpack(&hex("dd ffffffff".replace(' ', "").as_str())).is_err());
    }
}
