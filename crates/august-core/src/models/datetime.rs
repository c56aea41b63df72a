//! Lenient date-time parsing for the August API.
//!
//! The API sends ISO-8601 strings (`2017-12-10T04:48:30.272Z`, no fraction, or a space instead
//! of `T`) and epoch milliseconds (integers, sometimes floats). Recorded responses also hold
//! invalid dates such as `2000-00-00T00:00:00.447Z`. Everything here returns `None` for a value
//! that is not a valid instant instead of failing, so a bad date never fails a response.

use std::fmt;

use api_transport::time::in_rfc3339_years;
use chrono::{DateTime, Utc};
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// Parses an ISO-8601 date-time with the workspace's one reader
/// ([`api_transport::time::parse_iso8601`]); `None` for anything it refuses.
pub(crate) fn parse_datetime(text: &str) -> Option<DateTime<Utc>> {
    api_transport::time::parse_iso8601(text).ok()
}

/// An instant from epoch milliseconds given as an integer; `None` outside the years 0000 to
/// 9999 (see [`in_rfc3339_years`]).
pub(crate) fn from_epoch_millis(ms: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms).and_then(in_rfc3339_years)
}

/// An instant from epoch milliseconds given as a float (sub-millisecond parts are kept to the
/// nearest nanosecond). Non-finite or out-of-range values (outside the years 0000 to 9999) are
/// `None`.
pub(crate) fn from_epoch_millis_f64(ms: f64) -> Option<DateTime<Utc>> {
    // About ±285,000 years: beyond anything chrono represents, and keeps the casts exact.
    if !ms.is_finite() || ms.abs() > 9.0e15 {
        return None;
    }
    let whole = ms.floor();
    let whole_ms = whole as i64;
    let sub_ms_nanos = ((ms - whole) * 1e6).round() as i64;
    let nanos = whole_ms.rem_euclid(1000) * 1_000_000 + sub_ms_nanos;
    let secs = whole_ms.div_euclid(1000) + nanos / 1_000_000_000;
    DateTime::from_timestamp(secs, u32::try_from(nanos % 1_000_000_000).ok()?)
        .and_then(in_rfc3339_years)
}

/// An instant from a JSON value: a string is ISO-8601, a number is epoch milliseconds.
pub(crate) fn from_json(value: &Value) -> Option<DateTime<Utc>> {
    match value {
        Value::String(s) => parse_datetime(s),
        Value::Number(n) => match n.as_i64() {
            Some(i) => from_epoch_millis(i),
            None => n.as_f64().and_then(from_epoch_millis_f64),
        },
        _ => None,
    }
}

/// `deserialize_with` helper for an `Option<DateTime<Utc>>` field: a string is ISO-8601, a
/// number is epoch milliseconds, and anything invalid (bad date, wrong type, `null`) is
/// `None`. It never fails. Pair it with `#[serde(default)]` unless the key is required.
pub(crate) fn lenient<'de, D>(deserializer: D) -> Result<Option<DateTime<Utc>>, D::Error>
where
    D: Deserializer<'de>,
{
    deserializer.deserialize_any(LenientDateTime)
}

struct LenientDateTime;

impl<'de> Visitor<'de> for LenientDateTime {
    type Value = Option<DateTime<Utc>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a date-time string or epoch milliseconds")
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(parse_datetime(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(from_epoch_millis(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(i64::try_from(v).ok().and_then(from_epoch_millis))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(from_epoch_millis_f64(v))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        IgnoredAny.visit_seq(seq).map(|_| None)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        IgnoredAny.visit_map(map).map(|_| None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().expect("test literal is RFC 3339")
    }

    #[test]
    fn strings_use_the_shared_reader() {
        assert_eq!(
            parse_datetime("2017-12-10 04:48:30.272"),
            Some(utc("2017-12-10T04:48:30.272Z"))
        );
        assert_eq!(parse_datetime("2000-00-00T00:00:00.447Z"), None);
    }

    #[test]
    fn epoch_milliseconds() {
        assert_eq!(
            from_epoch_millis(1582007217000),
            Some(utc("2020-02-18T06:26:57Z"))
        );
        assert_eq!(
            from_epoch_millis_f64(1582141494371.0),
            Some(utc("2020-02-19T19:44:54.371Z"))
        );
        assert_eq!(
            from_epoch_millis_f64(1.5),
            Some(utc("1970-01-01T00:00:00.0015Z"))
        );
        assert_eq!(
            from_epoch_millis_f64(-1.0),
            Some(utc("1969-12-31T23:59:59.999Z"))
        );
        assert_eq!(from_epoch_millis_f64(f64::NAN), None);
        assert_eq!(from_epoch_millis_f64(1e300), None);
        assert_eq!(from_epoch_millis(i64::MAX), None);
        // Only what RFC 3339 can write back: 9999-12-31T23:59:59.999Z and no later, year 0
        // and no earlier.
        let last = 253_402_300_799_999_i64;
        assert_eq!(
            from_epoch_millis(last),
            Some(utc("9999-12-31T23:59:59.999Z"))
        );
        assert_eq!(from_epoch_millis(last + 1), None);
        assert_eq!(from_epoch_millis_f64((last + 1) as f64), None);
        let first = -62_167_219_200_000_i64;
        assert_eq!(from_epoch_millis(first), Some(utc("0000-01-01T00:00:00Z")));
        assert_eq!(from_epoch_millis(first - 1), None);
        assert_eq!(from_epoch_millis_f64((first - 1) as f64), None);
    }

    #[test]
    fn json_values() {
        let expected = Some(utc("2020-02-18T06:26:57Z"));
        assert_eq!(from_json(&json!(1582007217000_i64)), expected);
        assert_eq!(from_json(&json!(1582007217000.0)), expected);
        assert_eq!(from_json(&json!("2020-02-18T06:26:57Z")), expected);
        assert_eq!(from_json(&json!(null)), None);
        assert_eq!(from_json(&json!({"a": 1})), None);
    }

    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(default, deserialize_with = "lenient")]
        at: Option<DateTime<Utc>>,
    }

    #[test]
    fn lenient_never_fails() {
        let at = |v: Value| {
            serde_json::from_value::<Probe>(json!({ "at": v }))
                .expect("lenient dates never fail")
                .at
        };
        assert_eq!(at(json!("2000-00-00T00:00:00.447Z")), None);
        assert_eq!(at(json!(true)), None);
        assert_eq!(at(json!([1, 2])), None);
        assert_eq!(at(json!({"x": [1]})), None);
        assert_eq!(at(json!(null)), None);
        assert_eq!(at(json!(u64::MAX)), None);
        assert_eq!(at(json!(1234)), DateTime::from_timestamp_millis(1234));
        assert_eq!(at(json!(1234.0)), DateTime::from_timestamp_millis(1234));
        assert_eq!(
            at(json!("2017-12-10T04:48:30.272Z")),
            Some(utc("2017-12-10T04:48:30.272Z"))
        );
        let missing: Probe = serde_json::from_str("{}").expect("missing is none");
        assert_eq!(missing.at, None);
    }
}
