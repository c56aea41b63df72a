//! The one ISO-8601 reader every client of the workspace uses.
//!
//! The services send ISO-8601 strings in several shapes (`2017-12-10T04:48:30.272Z`, no
//! fraction, a space instead of `T`, no zone, a numeric offset), token caches written by other
//! tools add more (six or nine fraction digits), and recorded answers hold impossible dates
//! such as `2000-00-00T00:00:00.447Z`. [`parse_iso8601`] reads all the valid ones and says why
//! it refuses the others.

use std::fmt;

use chrono::{DateTime, Datelike as _, NaiveDate, NaiveTime, TimeDelta, Utc};

/// A string that is not an ISO-8601 date-time of an accepted form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidIso8601 {
    reason: &'static str,
}

impl InvalidIso8601 {
    /// What is wrong with the string, e.g. `no such date`.
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

impl fmt::Display for InvalidIso8601 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not an ISO-8601 date-time: {}", self.reason)
    }
}

impl std::error::Error for InvalidIso8601 {}

fn invalid(reason: &'static str) -> InvalidIso8601 {
    InvalidIso8601 { reason }
}

/// Parses an ISO-8601 date-time leniently.
///
/// Accepted: surrounding white space; `YYYY-MM-DD`; then `T`, `t` or a space and `HH:MM` with
/// optional `:SS`; an optional fraction after `.` or `,` of any length (digits after the ninth
/// are ignored); and an optional zone, `Z`, `z`, `±HH`, `±HHMM` or `±HH:MM`. A missing zone is
/// read as UTC, and a date without a time is midnight UTC. Impossible dates and times (month
/// 0, 30 February, hour 24, second 60) are refused, and so is an instant whose year in UTC is
/// outside 0000 to 9999 (`9999-12-31T23:59-01:00`), which RFC 3339 could not write back.
///
/// ```
/// use api_transport::time::parse_iso8601;
///
/// let at = parse_iso8601("2017-12-10 04:48:30.272+01:00").unwrap();
/// assert_eq!(at.to_rfc3339(), "2017-12-10T03:48:30.272+00:00");
/// assert!(parse_iso8601("2000-00-00T00:00:00.447Z").is_err());
/// ```
///
/// # Errors
///
/// [`InvalidIso8601`] naming the first part that is wrong.
pub fn parse_iso8601(text: &str) -> Result<DateTime<Utc>, InvalidIso8601> {
    let b = text.trim().as_bytes();
    let year = digits(b, 0, 4).ok_or(invalid("the year must have four digits"))?;
    expect(b, 4, b'-').ok_or(invalid("expected `-` after the year"))?;
    let month = digits(b, 5, 2).ok_or(invalid("the month must have two digits"))?;
    expect(b, 7, b'-').ok_or(invalid("expected `-` after the month"))?;
    let day = digits(b, 8, 2).ok_or(invalid("the day must have two digits"))?;
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(year).map_err(|_| invalid("date out of range"))?,
        month,
        day,
    )
    .ok_or(invalid("no such date"))?;
    if b.len() == 10 {
        return Ok(date.and_time(NaiveTime::MIN).and_utc());
    }
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
        return Err(invalid(
            "expected `T` or a space between the date and the time",
        ));
    }
    let hour = digits(b, 11, 2).ok_or(invalid("the hour must have two digits"))?;
    expect(b, 13, b':').ok_or(invalid("expected `:` after the hour"))?;
    let minute = digits(b, 14, 2).ok_or(invalid("the minutes must have two digits"))?;
    let mut i = 16;
    let mut second = 0;
    if b.get(i) == Some(&b':') {
        second = digits(b, i + 1, 2).ok_or(invalid("the seconds must have two digits"))?;
        i += 3;
    }
    let mut nanos: u32 = 0;
    if matches!(b.get(i), Some(b'.' | b',')) {
        i += 1;
        let start = i;
        while let Some(c) = b.get(i).filter(|c| c.is_ascii_digit()) {
            if i - start < 9 {
                nanos = nanos * 10 + u32::from(c - b'0');
            }
            i += 1;
        }
        let count = i - start;
        if count == 0 {
            return Err(invalid("no digits after the decimal point"));
        }
        for _ in count..9 {
            nanos *= 10;
        }
    }
    let offset_seconds = zone_offset(b.get(i..).unwrap_or_default())?;
    let naive = date
        .and_hms_nano_opt(hour, minute, second, nanos)
        .ok_or(invalid("no such time"))?;
    let utc = TimeDelta::try_seconds(offset_seconds)
        .and_then(|offset| naive.checked_sub_signed(offset))
        .map(|utc| utc.and_utc())
        .ok_or(invalid("no such instant"))?;
    // An offset can carry 9999-12-31 into year 10000 or 0000-01-01 into year -1.
    in_rfc3339_years(utc).ok_or(invalid(
        "the instant in UTC is outside the years 0000 to 9999",
    ))
}

/// `at` when RFC 3339 can write it, that is when its year in UTC is 0000 to 9999; `None`
/// otherwise. The date readers of api-transport, august-core, august-live and twilio-verify
/// (ISO-8601 text, epoch milliseconds, PubNub timetokens) go through it, so that a date read is written back by `Serialize` in a form that reads again (chrono
/// writes year 10000 as `+10000-…`).
///
/// ```
/// use api_transport::time::in_rfc3339_years;
/// use chrono::DateTime;
///
/// let last = DateTime::from_timestamp(253_402_300_799, 0).unwrap(); // 9999-12-31T23:59:59Z
/// assert_eq!(in_rfc3339_years(last), Some(last));
/// let beyond = DateTime::from_timestamp(253_402_300_800, 0).unwrap();
/// assert_eq!(in_rfc3339_years(beyond), None);
/// ```
pub fn in_rfc3339_years(at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    (0..=9999).contains(&at.year()).then_some(at)
}

/// Offset east of UTC in seconds for `""`, `Z`, `±HH`, `±HHMM` or `±HH:MM`.
fn zone_offset(zone: &[u8]) -> Result<i64, InvalidIso8601> {
    let (sign, rest) = match zone {
        [] | [b'Z' | b'z'] => return Ok(0),
        [b'+', rest @ ..] => (1, rest),
        [b'-', rest @ ..] => (-1, rest),
        _ => {
            return Err(invalid(
                "expected `Z`, a numeric offset or the end after the time",
            ));
        }
    };
    let parts = match rest.len() {
        2 => digits(rest, 0, 2).map(|h| (h, 0)),
        4 => digits(rest, 0, 2).zip(digits(rest, 2, 2)),
        5 if rest.get(2) == Some(&b':') => digits(rest, 0, 2).zip(digits(rest, 3, 2)),
        _ => None,
    };
    let (hours, minutes) = parts.ok_or(invalid("the offset must be ±HH, ±HHMM or ±HH:MM"))?;
    if hours > 23 || minutes > 59 {
        return Err(invalid("offset out of range"));
    }
    Ok(sign * i64::from(hours * 3600 + minutes * 60))
}

fn digits(b: &[u8], start: usize, len: usize) -> Option<u32> {
    let part = b.get(start..start + len)?;
    part.iter().try_fold(0u32, |acc, c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

fn expect(b: &[u8], at: usize, byte: u8) -> Option<()> {
    (b.get(at) == Some(&byte)).then_some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offset_that_leaves_the_four_digit_years_is_refused() {
        for text in ["9999-12-31T23:59-0100", "0000-01-01T00:00:00+01:00"] {
            assert_eq!(
                parse_iso8601(text).map_err(|e| e.reason()),
                Err("the instant in UTC is outside the years 0000 to 9999"),
                "{text}"
            );
        }
        // The edges themselves, and what they are written as, read again.
        for text in [
            "9999-12-31T23:59:59Z",
            "0000-01-01T00:00:00Z",
            "9999-12-31T22:59-0100",
        ] {
            let at = parse_iso8601(text).unwrap();
            assert_eq!(parse_iso8601(&at.to_rfc3339()), Ok(at), "{text}");
        }
    }

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().expect("test literal is RFC 3339")
    }

    fn parse(text: &str) -> Option<DateTime<Utc>> {
        parse_iso8601(text).ok()
    }

    fn millis(s: &str) -> i64 {
        parse(s).map(|d| d.timestamp_millis()).unwrap_or(i64::MIN)
    }

    #[test]
    fn parses_the_recorded_formats() {
        let expected = utc("2017-12-10T04:48:30.272Z");
        assert_eq!(parse("2017-12-10T04:48:30.272Z"), Some(expected));
        assert_eq!(parse("2017-12-10 04:48:30.272Z"), Some(expected));
        assert_eq!(parse("2017-12-10t04:48:30.272z"), Some(expected));
        assert_eq!(parse("2017-12-10T04:48:30.272"), Some(expected));
        assert_eq!(parse("2017-12-10T04:48:30,272Z"), Some(expected));
        assert_eq!(parse(" 2017-12-10T04:48:30.272Z\n"), Some(expected));
        assert_eq!(
            parse("2017-12-10T08:01:35Z"),
            Some(utc("2017-12-10T08:01:35Z"))
        );
        assert_eq!(
            parse("1970-01-01T00:22:17.000000Z"),
            DateTime::from_timestamp(1337, 0)
        );
    }

    #[test]
    fn token_expiry_forms() {
        // 2020-03-06T22:55:12.002Z
        let expected = 1_583_535_312_002;
        assert_eq!(millis("2020-03-06T22:55:12.002Z"), expected);
        assert_eq!(millis("2020-03-06 22:55:12.002Z"), expected);
        assert_eq!(millis("2020-03-06t22:55:12.002z"), expected);
        assert_eq!(millis("2020-03-06T22:55:12.002000Z"), expected);
        assert_eq!(millis("2020-03-06T22:55:12.002000000Z"), expected);
        assert_eq!(millis("2020-03-06T22:55:12.002+00:00"), expected);
        assert_eq!(millis("2020-03-06T23:55:12.002+01:00"), expected);
        assert_eq!(millis("2020-03-06T23:55:12.002+0100"), expected);
        assert_eq!(millis("2020-03-06T23:55:12.002+01"), expected);
        assert_eq!(millis("2020-03-06T17:25:12.002-05:30"), expected);
        assert_eq!(millis("2020-03-06T22:55:12.002"), expected);
        assert_eq!(millis("2020-03-06T22:55:12Z"), expected - 2);
        assert_eq!(millis("2020-03-06T22:55:12.0Z"), expected - 2);
        assert_eq!(
            parse("2020-03-06T22:55:12.123456789Z").map(|d| d.timestamp_subsec_nanos()),
            Some(123_456_789)
        );
    }

    #[test]
    fn fractions_of_any_length() {
        let base = utc("2020-01-01T00:00:00Z");
        assert_eq!(parse("2020-01-01T00:00:00Z"), Some(base));
        assert_eq!(
            parse("2020-01-01T00:00:00.5Z"),
            Some(base + TimeDelta::milliseconds(500))
        );
        assert_eq!(
            parse("2020-01-01T00:00:00.123456789Z"),
            Some(base + TimeDelta::nanoseconds(123_456_789))
        );
        assert_eq!(
            parse("2020-01-01T00:00:00.1234567891234Z"),
            Some(base + TimeDelta::nanoseconds(123_456_789))
        );
        assert_eq!(parse("2020-01-01T00:00:00.Z"), None);
        assert_eq!(parse("2020-01-01T00:00Z"), Some(base));
        assert_eq!(parse("2020-01-01"), Some(base));
    }

    #[test]
    fn offsets() {
        let expected = utc("2020-01-01T10:00:00Z");
        assert_eq!(parse("2020-01-01T12:00:00+02:00"), Some(expected));
        assert_eq!(parse("2020-01-01T12:00:00+0200"), Some(expected));
        assert_eq!(parse("2020-01-01T12:00:00+02"), Some(expected));
        assert_eq!(parse("2020-01-01T07:30:00-02:30"), Some(expected));
        assert_eq!(parse("2020-01-01T12:00:00+24:00"), None);
        assert_eq!(parse("2020-01-01T12:00:00 UTC"), None);
    }

    #[test]
    fn invalid_dates_are_refused() {
        for bad in [
            "2000-00-00T00:00:00.447Z",
            "2019-02-30T00:00:00Z",
            "2019-01-01T25:00:00Z",
            "2019-01-01T23:60:00Z",
            "2019-01-01T23:59:60Z",
            "2019-1-01T00:00:00Z",
            "",
            "yesterday",
            "not a date",
            "2019-01-01X00:00:00Z",
            "٢٠١٩-01-01T00:00:00Z",
            "2020-03-06T22:55:12.Z",
            "2020-03-06T22:55:12ZZ",
            "2020-03-06T22:55:12+1",
            "2020-03-06T22:55:12+24:00",
            "2020-02-30T22:55:12Z",
            "2020-03-06T24:00:00Z",
            "2020-03-06T22:55:61Z",
        ] {
            assert_eq!(parse(bad), None, "{bad:?} was accepted");
        }
    }

    #[test]
    fn errors_name_the_wrong_part() {
        let reason = |s: &str| parse_iso8601(s).map_err(|e| e.reason()).err();
        assert_eq!(
            reason("2020-03-06X22:55:12Z"),
            Some("expected `T` or a space between the date and the time")
        );
        assert_eq!(reason("2020-02-30"), Some("no such date"));
        assert_eq!(reason("2020-03-06T24:00:00Z"), Some("no such time"));
        assert_eq!(reason("2020-3-06"), Some("the month must have two digits"));
        assert_eq!(
            reason("2020-03-06T22:55:12+1"),
            Some("the offset must be ±HH, ±HHMM or ±HH:MM")
        );
        assert_eq!(
            parse_iso8601("2020-03-06T22:55:12.Z")
                .unwrap_err()
                .to_string(),
            "not an ISO-8601 date-time: no digits after the decimal point"
        );
    }
}
