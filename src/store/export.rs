//! Export of the log (or a filtered view) as NDJSON or CSV, produced in
//! chunks so the page can build a file of a million messages across
//! several animation frames without freezing.
//!
//! NDJSON: one object per line, `{"time","topic","qos","retain","dup",
//! "size","truncated","payload"}`; a payload that is not valid UTF-8 is
//! written as `"payload_base64"` instead. CSV (RFC 4180): a header line,
//! then `time,topic,qos,retain,dup,size,truncated,encoding,payload` with
//! `encoding` either `utf8` or `base64`.
//!
//! CSV cells are neutralised against formula injection (OWASP "CSV
//! Injection"): a cell that starts with `=`, `+`, `-`, `@`, a tab or a
//! carriage return gets a leading `'` and is quoted, so a spreadsheet shows
//! it as text instead of evaluating it (`-5` reads `'-5` in the file). The
//! NDJSON export is data, not a spreadsheet: it keeps payloads exact.

use super::binary::quote;
use super::format::base64;
use super::time::iso_utc;
use super::view::Rows;
use super::{Message, MessageStore};
use std::fmt::Write;

/// Export file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Ndjson,
    Csv,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Ndjson => "ndjson",
            ExportFormat::Csv => "csv",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            ExportFormat::Ndjson => "application/x-ndjson",
            ExportFormat::Csv => "text/csv",
        }
    }
}

/// CSV header line.
pub const CSV_HEADER: &str = "time,topic,qos,retain,dup,size,truncated,encoding,payload\r\n";

/// Appends one message as a line in `format`.
pub fn write_message(format: ExportFormat, message: &Message<'_>, out: &mut String) {
    let time = iso_utc(message.time_ms);
    let qos = message.qos as u8;
    let utf8 = std::str::from_utf8(message.payload).ok();
    match format {
        ExportFormat::Ndjson => {
            let _ = write!(
                out,
                "{{\"time\":\"{time}\",\"topic\":{},\"qos\":{qos},\"retain\":{},\"dup\":{},\"size\":{},\"truncated\":{},",
                quote(message.topic),
                message.retain,
                message.duplicate,
                message.size,
                message.truncated()
            );
            match utf8 {
                Some(text) => {
                    let _ = write!(out, "\"payload\":{}}}", quote(text));
                }
                None => {
                    let _ = write!(out, "\"payload_base64\":\"{}\"}}", base64(message.payload));
                }
            }
            out.push('\n');
        }
        ExportFormat::Csv => {
            let _ = write!(
                out,
                "{time},{},{qos},{},{},{},{},",
                csv_field(message.topic),
                message.retain,
                message.duplicate,
                message.size,
                message.truncated()
            );
            match utf8 {
                Some(text) => {
                    let _ = write!(out, "utf8,{}", csv_field(text));
                }
                None => {
                    // Base64 may start with `+`.
                    let _ = write!(out, "base64,{}", csv_field(&base64(message.payload)));
                }
            }
            out.push_str("\r\n");
        }
    }
}

/// A CSV field, quoted when it holds a comma, quote or line break, and
/// neutralised (a leading `'`, quoted) when a spreadsheet would read it as
/// a formula (see the module documentation).
pub fn csv_field(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("\"'{}\"", text.replace('"', "\"\""))
    } else if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// An export in progress: a snapshot of the rows to write and how far it got.
pub struct Exporter {
    format: ExportFormat,
    rows: Rows,
    next: usize,
    written: usize,
    started: bool,
}

impl Exporter {
    pub fn new(format: ExportFormat, rows: Rows) -> Exporter {
        Exporter {
            format,
            rows,
            next: 0,
            written: 0,
            started: false,
        }
    }

    pub fn format(&self) -> ExportFormat {
        self.format
    }

    /// Rows in the snapshot.
    pub fn total(&self) -> usize {
        self.rows.len()
    }

    /// Rows examined so far.
    pub fn done(&self) -> usize {
        self.next
    }

    /// Messages written so far (rows dropped from the store meanwhile are
    /// skipped).
    pub fn written(&self) -> usize {
        self.written
    }

    pub fn is_finished(&self) -> bool {
        self.started && self.next >= self.rows.len()
    }

    /// The next piece of the file, covering at most `max_rows` rows, or
    /// `None` when finished.
    pub fn next_chunk(&mut self, store: &MessageStore, max_rows: usize) -> Option<String> {
        if self.is_finished() {
            return None;
        }
        let mut out = String::new();
        if !self.started {
            self.started = true;
            if self.format == ExportFormat::Csv {
                out.push_str(CSV_HEADER);
            }
        }
        let end = (self.next + max_rows).min(self.rows.len());
        match &self.rows {
            Rows::Range { from, .. } => {
                let (lo, hi) = (from + self.next as u64, from + end as u64);
                for message in store.range(lo, hi) {
                    write_message(self.format, &message, &mut out);
                    self.written += 1;
                }
            }
            Rows::List(seqs) => {
                for &seq in &seqs[self.next..end] {
                    if let Some(message) = store.get(seq) {
                        write_message(self.format, &message, &mut out);
                        self.written += 1;
                    }
                }
            }
        }
        self.next = end;
        Some(out)
    }
}
