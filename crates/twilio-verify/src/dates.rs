//! The dates of the answers, read with the workspace's one ISO-8601 reader
//! ([`api_transport::time::parse_iso8601`]).
//!
//! A date is never a reason to refuse an answer: a missing, `null`, non-string or unreadable
//! date is `None`, and the model's `raw()` still has the text as sent. Dates are written back
//! by `Serialize` in RFC 3339 (`2015-07-30T20:00:00Z`), as chrono writes them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// `deserialize_with` of an `Option<DateTime<Utc>>` field: never fails. Pair it with
/// `#[serde(default)]`.
pub(crate) fn lenient<'de, D>(deserializer: D) -> Result<Option<DateTime<Utc>>, D::Error>
where
    D: Deserializer<'de>,
{
    let value = Option::<Value>::deserialize(deserializer)?;
    Ok(value
        .as_ref()
        .and_then(Value::as_str)
        .and_then(|text| api_transport::time::parse_iso8601(text).ok()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    struct Probe {
        #[serde(default, deserialize_with = "lenient")]
        at: Option<DateTime<Utc>>,
    }

    fn at(value: Value) -> Option<DateTime<Utc>> {
        serde_json::from_value::<Probe>(json!({ "at": value }))
            .expect("a date never fails a record")
            .at
    }

    #[test]
    fn reads_what_the_shared_reader_reads_and_nothing_fails() {
        let expected = DateTime::from_timestamp(1_438_286_400, 0);
        assert_eq!(at(json!("2015-07-30T20:00:00Z")), expected);
        assert_eq!(at(json!("2015-07-30 22:00:00+02:00")), expected);
        for bad in [
            json!("2015-02-30T20:00:00Z"),
            json!("yesterday"),
            json!(""),
            json!(1_438_286_400),
            json!(true),
            json!(["2015-07-30T20:00:00Z"]),
            json!({"date": "2015-07-30T20:00:00Z"}),
            json!(null),
        ] {
            assert_eq!(at(bad.clone()), None, "{bad}");
        }
        let missing: Probe = serde_json::from_str("{}").expect("a missing date is none");
        assert_eq!(missing.at, None);
    }

    #[test]
    fn a_date_read_is_written_back_in_a_form_that_reads_again() {
        // 9999-12-31T23:59-01:00 is in year 10000 in UTC, which RFC 3339 cannot write: it
        // reads as no date rather than as one that `Serialize` would write unreadably.
        let challenge: crate::ChallengeDetails =
            serde_json::from_str(r#"{"s":"f","date":"9999-12-31T23:59-0100"}"#).unwrap();
        let again: crate::ChallengeDetails =
            serde_json::from_str(&serde_json::to_string(&challenge).unwrap()).unwrap();
        assert_eq!(again, challenge);
        assert_eq!(at(json!("9999-12-31T23:59-0100")), None);
        assert!(at(json!("9999-12-31T22:59-0100")).is_some());
    }
}
