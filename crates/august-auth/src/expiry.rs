//! Reading and writing the access token's expiry string.

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// The expiry string could not be read as a timestamp.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExpiryError {
    /// There is no expiry yet (no login has happened).
    Missing,
    /// The string is not an ISO-8601 timestamp of an accepted form.
    Invalid {
        /// The string (at most 64 characters of it).
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

impl fmt::Display for ExpiryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExpiryError::Missing => f.write_str("no access token expiry yet: log in first"),
            ExpiryError::Invalid { value, reason } => write!(
                f,
                "access token expiry `{value}` is not an ISO-8601 timestamp ({reason}); expected a form such as 2020-03-06T22:55:12.002Z"
            ),
        }
    }
}

impl ExpiryError {
    /// What the caller does next: [`ErrorKind::SignInAgain`](api_transport::ErrorKind) when
    /// there is no login yet, [`ErrorKind::FixInput`](api_transport::ErrorKind) for a string
    /// that is not a timestamp.
    pub fn kind(&self) -> api_transport::ErrorKind {
        match self {
            ExpiryError::Missing => api_transport::ErrorKind::SignInAgain,
            ExpiryError::Invalid { .. } => api_transport::ErrorKind::FixInput,
        }
    }
}

impl api_transport::HasErrorKind for ExpiryError {
    fn kind(&self) -> api_transport::ErrorKind {
        ExpiryError::kind(self)
    }
}

impl std::error::Error for ExpiryError {}

/// The format written after a token refresh: six fractional digits and `Z`, as Python's
/// `%Y-%m-%dT%H:%M:%S.%fZ`.
pub(crate) fn format(instant: DateTime<Utc>) -> String {
    instant.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Small cursor over the bytes of an ASCII timestamp; never indexes out of bounds.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }

    fn digits(&mut self, n: usize, what: &'static str) -> Result<u32, &'static str> {
        let mut value = 0u32;
        for _ in 0..n {
            match self.next() {
                Some(b @ b'0'..=b'9') => value = value * 10 + u32::from(b - b'0'),
                _ => return Err(what),
            }
        }
        Ok(value)
    }

    fn expect(&mut self, byte: u8, what: &'static str) -> Result<(), &'static str> {
        if self.next() == Some(byte) {
            Ok(())
        } else {
            Err(what)
        }
    }
}

/// Parses `YYYY-MM-DD(T| )HH:MM:SS[.f{1,9}][Z|±HH:MM|±HHMM|±HH]`; no zone means UTC.
pub(crate) fn parse(s: &str) -> Result<DateTime<Utc>, ExpiryError> {
    parse_inner(s).map_err(|reason| ExpiryError::Invalid {
        value: s.chars().take(64).collect(),
        reason,
    })
}

fn parse_inner(s: &str) -> Result<DateTime<Utc>, &'static str> {
    let mut c = Cursor {
        bytes: s.as_bytes(),
        pos: 0,
    };
    let year = c.digits(4, "the year must have four digits")?;
    c.expect(b'-', "expected `-` after the year")?;
    let month = c.digits(2, "the month must have two digits")?;
    c.expect(b'-', "expected `-` after the month")?;
    let day = c.digits(2, "the day must have two digits")?;
    match c.next() {
        Some(b'T' | b't' | b' ') => {}
        _ => return Err("expected `T` or a space between the date and the time"),
    }
    let hour = c.digits(2, "the hour must have two digits")?;
    c.expect(b':', "expected `:` after the hour")?;
    let minute = c.digits(2, "the minutes must have two digits")?;
    c.expect(b':', "expected `:` after the minutes")?;
    let second = c.digits(2, "the seconds must have two digits")?;

    let mut nanos = 0u32;
    if c.peek() == Some(b'.') {
        c.pos += 1;
        let mut count = 0u32;
        while let Some(b @ b'0'..=b'9') = c.peek() {
            if count == 9 {
                return Err("more than nine fractional digits");
            }
            nanos = nanos * 10 + u32::from(b - b'0');
            count += 1;
            c.pos += 1;
        }
        if count == 0 {
            return Err("no digits after the decimal point");
        }
        nanos *= 10u32.pow(9 - count);
    }

    let offset_seconds: i32 = match c.next() {
        None => 0,
        Some(b'Z' | b'z') => 0,
        Some(sign @ (b'+' | b'-')) => {
            let hours = c.digits(2, "the offset hours must have two digits")?;
            let minutes = match c.peek() {
                None => 0,
                Some(b':') => {
                    c.pos += 1;
                    c.digits(2, "the offset minutes must have two digits")?
                }
                Some(_) => c.digits(2, "the offset minutes must have two digits")?,
            };
            if hours > 23 || minutes > 59 {
                return Err("offset out of range");
            }
            let total =
                i32::try_from(hours * 3600 + minutes * 60).map_err(|_| "offset out of range")?;
            if sign == b'-' { -total } else { total }
        }
        Some(_) => return Err("expected `Z`, a numeric offset or the end after the time"),
    };
    if c.peek().is_some() {
        return Err("unexpected characters after the time zone");
    }

    let date = NaiveDate::from_ymd_opt(
        i32::try_from(year).map_err(|_| "date out of range")?,
        month,
        day,
    )
    .ok_or("no such date")?;
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos).ok_or("no such time")?;
    let offset = FixedOffset::east_opt(offset_seconds).ok_or("offset out of range")?;
    offset
        .from_local_datetime(&NaiveDateTime::new(date, time))
        .single()
        .map(|d| d.with_timezone(&Utc))
        .ok_or("no such instant")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn millis(s: &str) -> i64 {
        parse(s).map(|d| d.timestamp_millis()).unwrap_or(i64::MIN)
    }

    #[test]
    fn accepted_forms() {
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
        // no zone: read as UTC
        assert_eq!(millis("2020-03-06T22:55:12.002"), expected);
        assert_eq!(millis("2020-03-06T22:55:12Z"), expected - 2);
        assert_eq!(millis("2020-03-06T22:55:12.0Z"), expected - 2);
        assert_eq!(
            parse("2020-03-06T22:55:12.123456789Z").map(|d| d.timestamp_subsec_nanos()),
            Ok(123_456_789)
        );
    }

    #[test]
    fn rejected_forms() {
        for bad in [
            "",
            "2020-03-06",
            "2020-03-06T22:55",
            "2020-03-06X22:55:12Z",
            "2020-3-06T22:55:12Z",
            "2020-03-06T22:55:12.Z",
            "2020-03-06T22:55:12.1234567890Z",
            "2020-03-06T22:55:12ZZ",
            "2020-03-06T22:55:12Z ",
            "2020-03-06T22:55:12+1",
            "2020-03-06T22:55:12+24:00",
            "2020-02-30T22:55:12Z",
            "2020-03-06T24:00:00Z",
            "2020-03-06T22:55:61Z",
            "٢٠٢٠-03-06T22:55:12Z",
            "not a date",
        ] {
            assert!(
                matches!(parse(bad), Err(ExpiryError::Invalid { .. })),
                "{bad:?} was accepted"
            );
        }
    }

    #[test]
    fn error_message_names_the_value() {
        let err = parse("2020-03-06").unwrap_err();
        assert_eq!(
            err.to_string(),
            "access token expiry `2020-03-06` is not an ISO-8601 timestamp (expected `T` or a space between the date and the time); expected a form such as 2020-03-06T22:55:12.002Z"
        );
    }

    #[test]
    fn format_has_six_fraction_digits() {
        let instant = Utc.timestamp_opt(1337, 0).single();
        assert_eq!(
            instant.map(format).as_deref(),
            Some("1970-01-01T00:22:17.000000Z")
        );
        let instant = Utc.timestamp_opt(1_700_000_000, 123_457_000).single();
        assert_eq!(
            instant.map(format).as_deref(),
            Some("2023-11-14T22:13:20.123457Z")
        );
        // what is written reads back to the same instant
        let written = format(
            Utc.timestamp_opt(1_583_535_312, 2_000_000)
                .single()
                .unwrap_or_default(),
        );
        assert_eq!(millis(&written), 1_583_535_312_002);
    }
}
