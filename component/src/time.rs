//! Timestamps without a date library: RFC 3339 rendering of Unix times.

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch (0 for times before it).
pub fn epoch_millis(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis().min(u128::from(u64::MAX)) as u64)
        .unwrap_or(0)
}

/// Renders Unix seconds (as DynamoDB sends them, possibly fractional) as RFC 3339 UTC with
/// millisecond precision, e.g. `2024-03-01T12:30:05.250Z`. `None` for values that are not a
/// plausible date (negative, NaN, past year 9999).
pub fn rfc3339_from_epoch_seconds(seconds: f64) -> Option<String> {
    if !seconds.is_finite() || !(0.0..253_402_300_800.0).contains(&seconds) {
        return None;
    }
    let total_millis = (seconds * 1000.0).round() as u64;
    let (days, millis_of_day) = (total_millis / 86_400_000, total_millis % 86_400_000);
    let (year, month, day) = civil_from_days(days as i64);
    let secs = millis_of_day / 1000;
    Some(format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60,
        millis_of_day % 1000
    ))
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_known_instants() {
        assert_eq!(
            rfc3339_from_epoch_seconds(0.0).as_deref(),
            Some("1970-01-01T00:00:00.000Z")
        );
        assert_eq!(
            rfc3339_from_epoch_seconds(1_709_296_205.25).as_deref(),
            Some("2024-03-01T12:30:05.250Z")
        );
        // leap day
        assert_eq!(
            rfc3339_from_epoch_seconds(951_782_400.0).as_deref(),
            Some("2000-02-29T00:00:00.000Z")
        );
    }

    #[test]
    fn rejects_implausible_values() {
        assert_eq!(rfc3339_from_epoch_seconds(-1.0), None);
        assert_eq!(rfc3339_from_epoch_seconds(f64::NAN), None);
        assert_eq!(rfc3339_from_epoch_seconds(1e20), None);
    }

    #[test]
    fn millis_of_system_time() {
        let t = UNIX_EPOCH + std::time::Duration::from_millis(1234);
        assert_eq!(epoch_millis(t), 1234);
    }
}
