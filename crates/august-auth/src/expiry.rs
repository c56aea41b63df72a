//! Reading and writing the access token's expiry string.

use std::fmt;

use chrono::{DateTime, Utc};

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

/// Parses the expiry with the workspace's one ISO-8601 reader
/// ([`api_transport::time::parse_iso8601`]): `2020-03-06T22:55:12.002Z` and the other forms it
/// accepts (a space for `T`, any fraction, a numeric offset; no zone means UTC).
pub(crate) fn parse(s: &str) -> Result<DateTime<Utc>, ExpiryError> {
    api_transport::time::parse_iso8601(s).map_err(|e| ExpiryError::Invalid {
        value: api_transport::printable(s, 64),
        reason: e.reason(),
    })
}

/// The last second of year 9999, the latest expiry accepted.
pub(crate) const MAX_EPOCH_SECONDS: i64 = 253_402_300_799;

/// `at` within the years every expiry is read in ([`epoch_seconds`], a cache file's ISO-8601
/// reader: 1970 to 9999), so that what is written can be read back: a later one is the last
/// microsecond of 9999, an earlier one the start of 1970.
pub(crate) fn within_readable_years(at: DateTime<Utc>) -> DateTime<Utc> {
    let latest = DateTime::from_timestamp(MAX_EPOCH_SECONDS, 999_999_000)
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    at.clamp(DateTime::UNIX_EPOCH, latest)
}

/// An instant from seconds since the epoch, fractional ones rounded to the microsecond as
/// Python's `datetime` does (a JWT's `exp`, Home Assistant's `expires_at`, an OAuth reply's
/// `expires_at`); `None` before 1970, after 9999 or for a non-finite number.
pub(crate) fn epoch_seconds(secs: f64) -> Option<DateTime<Utc>> {
    if !secs.is_finite() || !(0.0..=MAX_EPOCH_SECONDS as f64).contains(&secs) {
        return None;
    }
    // In range: checked above.
    let micros = (secs * 1_000_000.0).round() as i64;
    if micros.div_euclid(1_000_000) > MAX_EPOCH_SECONDS {
        return None;
    }
    DateTime::from_timestamp_micros(micros)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn millis(s: &str) -> i64 {
        parse(s).map(|d| d.timestamp_millis()).unwrap_or(i64::MIN)
    }

    #[test]
    fn reads_the_written_form_and_refuses_others() {
        assert_eq!(millis("2020-03-06T22:55:12.002Z"), 1_583_535_312_002);
        assert_eq!(millis("2020-03-06T23:55:12.002+01:00"), 1_583_535_312_002);
        for bad in [
            "",
            "not a date",
            "2020-02-30T22:55:12Z",
            "2020-03-06T22:55:12ZZ",
        ] {
            assert!(
                matches!(parse(bad), Err(ExpiryError::Invalid { .. })),
                "{bad:?} was accepted"
            );
        }
    }

    #[test]
    fn error_message_names_the_value() {
        let err = parse("2020-03-06X22:55:12Z").unwrap_err();
        assert_eq!(
            err.to_string(),
            "access token expiry `2020-03-06X22:55:12Z` is not an ISO-8601 timestamp (expected `T` or a space between the date and the time); expected a form such as 2020-03-06T22:55:12.002Z"
        );
    }

    #[test]
    fn epoch_seconds_round_to_the_microsecond_within_1970_to_9999() {
        assert_eq!(epoch_seconds(1337.0).map(|d| d.timestamp()), Some(1337));
        assert_eq!(
            epoch_seconds(1.000_000_4).map(|d| d.timestamp_subsec_nanos()),
            Some(0)
        );
        assert_eq!(
            epoch_seconds(1.000_000_6).map(|d| d.timestamp_subsec_nanos()),
            Some(1000)
        );
        assert_eq!(
            epoch_seconds(MAX_EPOCH_SECONDS as f64).map(|d| d.timestamp()),
            Some(MAX_EPOCH_SECONDS)
        );
        for bad in [
            -1.0,
            f64::NAN,
            f64::INFINITY,
            MAX_EPOCH_SECONDS as f64 + 1.0,
        ] {
            assert_eq!(epoch_seconds(bad), None, "{bad}");
        }
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
