//! Formatting receive times (milliseconds since the Unix epoch) without a
//! clock or time-zone database: the caller passes the local offset.

use crate::time::civil_from_days;

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC), as in exports.
pub fn iso_utc(time_ms: f64) -> String {
    let ms = time_ms.floor() as i64;
    let (days, ms_of_day) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}T{}Z", hms_millis(ms_of_day))
}

/// `HH:MM:SS.mmm` in local time, `offset_minutes` east of UTC (as shown in
/// the log; JavaScript's `getTimezoneOffset()` is the negation).
pub fn clock(time_ms: f64, offset_minutes: i32) -> String {
    let ms = time_ms.floor() as i64 + offset_minutes as i64 * 60_000;
    hms_millis(ms.rem_euclid(86_400_000))
}

fn hms_millis(ms_of_day: i64) -> String {
    let seconds = ms_of_day / 1000;
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60,
        ms_of_day % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(iso_utc(0.0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_utc(1_795_672_671_123.4), "2026-11-26T05:57:51.123Z");
        assert_eq!(iso_utc(951_782_400_000.0), "2000-02-29T00:00:00.000Z");
        assert_eq!(clock(1_795_672_671_123.0, 60), "06:57:51.123");
        assert_eq!(clock(0.0, -60), "23:00:00.000");
    }
}
