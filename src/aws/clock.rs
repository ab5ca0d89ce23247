//! UTC times as a person reads them, and the SigV4 date format, without a
//! date library: the failure explanations show the browser's clock next to
//! the signed `X-Amz-Date`, and the server's `Date` header is parsed to
//! measure clock skew.

use crate::time::civil_from_days;

/// Unix milliseconds → `2026-11-26 06:00:00 UTC`.
pub fn format_utc(millis: u64) -> String {
    let secs = millis / 1000;
    let (year, month, day) = civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// `20261126T060000Z` (SigV4's `X-Amz-Date`) → Unix milliseconds.
pub fn parse_amz_date(text: &str) -> Option<u64> {
    let b = text.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<u64> {
        let s = text.get(range)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    to_millis(
        num(0..4)?,
        num(4..6)?,
        num(6..8)?,
        num(9..11)?,
        num(11..13)?,
        num(13..15)?,
    )
}

/// An HTTP `Date` header (`Thu, 26 Nov 2026 06:06:21 GMT`) → Unix millis.
pub fn parse_http_date(text: &str) -> Option<u64> {
    let mut parts = text.split_whitespace();
    let _weekday = parts.next()?;
    let day: u64 = parts.next()?.parse().ok()?;
    let month = parts.next()?;
    let year: u64 = parts.next()?.parse().ok()?;
    let time = parts.next()?;
    if parts.next()? != "GMT" {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| *m == month)? as u64 + 1;
    let mut hms = time.split(':').map(|p| p.parse::<u64>().ok());
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    to_millis(year, month, day, h, m, s)
}

/// A signed duration in words: `20 min 5 s`, `3 s`, `2 h 1 min`.
pub fn describe_duration(millis: u64) -> String {
    let secs = (millis + 500) / 1000;
    match secs {
        0..=59 => format!("{secs} s"),
        60..=3599 => match secs % 60 {
            0 => format!("{} min", secs / 60),
            s => format!("{} min {s} s", secs / 60),
        },
        _ => match secs % 3600 / 60 {
            0 => format!("{} h", secs / 3600),
            m => format!("{} h {m} min", secs / 3600),
        },
    }
}

fn to_millis(year: u64, month: u64, day: u64, h: u64, m: u64, s: u64) -> Option<u64> {
    if !(1970..=9999).contains(&year)
        || !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || h > 23
        || m > 59
        || s > 60
    {
        return None;
    }
    let days = days_from_civil(year as i64, month as i64, day as i64);
    Some(((days as u64 * 86_400) + h * 3600 + m * 60 + s) * 1000)
}

// Howard Hinnant's civil-from-days algorithms (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses() {
        assert_eq!(format_utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(format_utc(1_795_672_800_999), "2026-11-26 06:00:00 UTC");
        assert_eq!(format_utc(951_782_400_000), "2000-02-29 00:00:00 UTC");
        assert_eq!(parse_amz_date("20261126T060000Z"), Some(1_795_672_800_000));
        assert_eq!(parse_amz_date("20000229T000000Z"), Some(951_782_400_000));
        assert_eq!(parse_amz_date("2026-11-26T06:00Z"), None);
        assert_eq!(parse_amz_date("20261326T060000Z"), None);
        assert_eq!(
            parse_http_date("Thu, 26 Nov 2026 06:00:00 GMT"),
            Some(1_795_672_800_000)
        );
        assert_eq!(parse_http_date("Thu, 26 Nov 2026 06:00:00 CET"), None);
        assert_eq!(parse_http_date("yesterday"), None);
    }

    #[test]
    fn round_trips_every_day_for_sixty_years() {
        for day in 0..(60 * 366) {
            let millis = day * 86_400_000 + 45_296_000; // 12:34:56
            let text = format_utc(millis);
            let amz = format!("{}{}{}T123456Z", &text[0..4], &text[5..7], &text[8..10]);
            assert_eq!(parse_amz_date(&amz), Some(millis), "{text}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(describe_duration(0), "0 s");
        assert_eq!(describe_duration(2_400), "2 s");
        assert_eq!(describe_duration(1_200_000), "20 min");
        assert_eq!(describe_duration(1_205_000), "20 min 5 s");
        assert_eq!(describe_duration(7_260_000), "2 h 1 min");
    }
}
