//! A small strict JSON reader (RFC 8259) for payloads: validate and
//! pretty-print, and pick a number at a path (`sensor.temp`, `values.0`) for
//! charts. No value tree is built and nothing is allocated for skipped
//! values; nesting deeper than [`MAX_DEPTH`] is rejected rather than
//! overflowing the stack on a hostile payload.

/// Deepest nesting accepted.
pub const MAX_DEPTH: usize = 128;

/// The payload pretty-printed (two-space indent) if it is one valid JSON
/// value, surrounded by optional whitespace; `None` otherwise.
pub fn pretty(input: &[u8]) -> Option<String> {
    std::str::from_utf8(input).ok()?;
    let mut parser = Parser::new(input);
    let mut out = String::with_capacity(input.len() + input.len() / 2);
    parser.ws();
    parser.value(Some(&mut out), 0)?;
    parser.ws();
    parser.at_end().then_some(out)
}

/// Splits a dotted path (`a.b.0`); the empty path is the whole value.
pub fn split_path(path: &str) -> Vec<&str> {
    path.split('.').filter(|level| !level.is_empty()).collect()
}

/// The number at `path` in a JSON payload (object keys, or array indices
/// written as numbers). A string holding a number counts as that number.
/// `None` if the payload is not JSON or holds no number there.
pub fn number_at(input: &[u8], path: &[&str]) -> Option<f64> {
    let mut parser = Parser::new(input);
    parser.ws();
    let (start, end) = parser.find(path, 0)?;
    let raw = std::str::from_utf8(&input[start..end]).ok()?;
    let text = raw.strip_prefix('"').and_then(|s| s.strip_suffix('"'));
    let number: f64 = text.unwrap_or(raw).trim().parse().ok()?;
    number.is_finite().then_some(number)
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Parser<'a> {
    fn new(b: &'a [u8]) -> Self {
        Parser { b, i: 0 }
    }

    fn at_end(&self) -> bool {
        self.i == self.b.len()
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.i += 1)
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        self.b[self.i..]
            .starts_with(word)
            .then(|| self.i += word.len())
    }

    /// Parses one value; writes it pretty-printed into `out` at `depth`.
    fn value(&mut self, mut out: Option<&mut String>, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        let start = self.i;
        match self.peek()? {
            b'{' => return self.container(out, depth, b'}'),
            b'[' => return self.container(out, depth, b']'),
            b'"' => self.string()?,
            b't' => self.literal(b"true")?,
            b'f' => self.literal(b"false")?,
            b'n' => self.literal(b"null")?,
            _ => self.number()?,
        }
        if let Some(out) = out.as_mut() {
            // Validated as UTF-8 by the caller; the value is copied verbatim.
            out.push_str(std::str::from_utf8(&self.b[start..self.i]).ok()?);
        }
        Some(())
    }

    fn container(&mut self, mut out: Option<&mut String>, depth: usize, close: u8) -> Option<()> {
        let open = self.b[self.i];
        self.i += 1;
        if let Some(out) = out.as_mut() {
            out.push(open as char);
        }
        self.ws();
        if self.eat(close).is_some() {
            if let Some(out) = out.as_mut() {
                out.push(close as char);
            }
            return Some(());
        }
        loop {
            if let Some(out) = out.as_mut() {
                newline(out, depth + 1);
            }
            if close == b'}' {
                let key = self.i;
                self.string()?;
                if let Some(out) = out.as_mut() {
                    out.push_str(std::str::from_utf8(&self.b[key..self.i]).ok()?);
                    out.push_str(": ");
                }
                self.ws();
                self.eat(b':')?;
                self.ws();
            }
            self.value(out.as_deref_mut(), depth + 1)?;
            self.ws();
            match self.peek()? {
                b',' => {
                    self.i += 1;
                    self.ws();
                    if let Some(out) = out.as_mut() {
                        out.push(',');
                    }
                }
                byte if byte == close => {
                    self.i += 1;
                    if let Some(out) = out.as_mut() {
                        newline(out, depth);
                        out.push(close as char);
                    }
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn string(&mut self) -> Option<()> {
        self.eat(b'"')?;
        loop {
            match self.peek()? {
                b'"' => {
                    self.i += 1;
                    return Some(());
                }
                b'\\' => {
                    self.i += 1;
                    match self.peek()? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.i += 1,
                        b'u' => {
                            let hex = self.b.get(self.i + 1..self.i + 5)?;
                            if !hex.iter().all(u8::is_ascii_hexdigit) {
                                return None;
                            }
                            self.i += 5;
                        }
                        _ => return None,
                    }
                }
                0..=0x1f => return None,
                _ => self.i += 1,
            }
        }
    }

    fn number(&mut self) -> Option<()> {
        self.eat(b'-');
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.eat(b'.').is_some() {
            self.peek().filter(u8::is_ascii_digit)?;
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            self.peek().filter(u8::is_ascii_digit)?;
            self.digits();
        }
        Some(())
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.i += 1;
        }
    }

    /// The byte range of the value at `path`, skipping everything else.
    fn find(&mut self, path: &[&str], depth: usize) -> Option<(usize, usize)> {
        let Some((want, rest)) = path.split_first() else {
            let start = self.i;
            self.value(None, depth)?;
            return Some((start, self.i));
        };
        if depth > MAX_DEPTH {
            return None;
        }
        let object = match self.peek()? {
            b'{' => true,
            b'[' => false,
            _ => return None,
        };
        let close = if object { b'}' } else { b']' };
        let index: Option<usize> = if object { None } else { want.parse().ok() };
        self.i += 1;
        self.ws();
        if self.eat(close).is_some() {
            return None;
        }
        let mut position = 0;
        loop {
            let hit = if object {
                let key = self.i;
                self.string()?;
                let hit = key_equals(&self.b[key + 1..self.i - 1], want);
                self.ws();
                self.eat(b':')?;
                self.ws();
                hit
            } else {
                index == Some(position)
            };
            if hit {
                return self.find(rest, depth + 1);
            }
            self.value(None, depth + 1)?;
            self.ws();
            match self.peek()? {
                b',' => {
                    self.i += 1;
                    self.ws();
                    position += 1;
                }
                _ => return None,
            }
        }
    }
}

/// Compares a raw (still escaped) JSON key with a plain name.
fn key_equals(raw: &[u8], name: &str) -> bool {
    if !raw.contains(&b'\\') {
        return raw == name.as_bytes();
    }
    let quoted = [b"\"", raw, b"\""].concat();
    decode_string(&quoted).is_some_and(|key| key == name)
}

/// Decodes a JSON string literal (with its quotes).
fn decode_string(quoted: &[u8]) -> Option<String> {
    let inner = std::str::from_utf8(quoted.get(1..quoted.len().checked_sub(1)?)?).ok()?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'u' => {
                let hex: String = chars.by_ref().take(4).collect();
                let unit = u32::from_str_radix(&hex, 16).ok()?;
                out.push(char::from_u32(unit).unwrap_or('\u{fffd}'));
            }
            other => out.push(other),
        }
    }
    Some(out)
}

fn newline(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str("  ");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_prints_valid_json() {
        assert_eq!(
            pretty(br#" {"a":1,"b":[true,null,"x"],"c":{}} "#).unwrap(),
            "{\n  \"a\": 1,\n  \"b\": [\n    true,\n    null,\n    \"x\"\n  ],\n  \"c\": {}\n}"
        );
        assert_eq!(pretty(b"42").unwrap(), "42");
        assert_eq!(pretty(b"[]").unwrap(), "[]");
    }

    #[test]
    fn rejects_invalid_json() {
        for bad in [
            &b"{"[..],
            b"{\"a\":}",
            b"[1,]",
            b"01",
            b"1.",
            b"\"\x01\"",
            b"tru",
            b"{} x",
            b"",
            b"\"\\x\"",
            b"\xff",
        ] {
            assert!(pretty(bad).is_none(), "{bad:?}");
        }
        let deep = "[".repeat(MAX_DEPTH + 2) + &"]".repeat(MAX_DEPTH + 2);
        assert!(pretty(deep.as_bytes()).is_none());
    }

    #[test]
    fn finds_numbers() {
        let payload = br#"{"desiredTemp": 20, "currentTemp": 15.5, "s": {"v": [1, "2.5", {"k": -3e2}]}, "t": "x"}"#;
        assert_eq!(number_at(payload, &["currentTemp"]), Some(15.5));
        assert_eq!(number_at(payload, &["s", "v", "1"]), Some(2.5));
        assert_eq!(number_at(payload, &["s", "v", "2", "k"]), Some(-300.0));
        assert_eq!(number_at(payload, &["t"]), None);
        assert_eq!(number_at(payload, &["missing"]), None);
        assert_eq!(number_at(b"21.5", &[]), Some(21.5));
        assert_eq!(number_at(br#"{"a\u0062": 7}"#, &["ab"]), Some(7.0));
        assert_eq!(split_path("a.b..0"), vec!["a", "b", "0"]);
    }
}
