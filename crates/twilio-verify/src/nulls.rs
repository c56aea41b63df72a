//! Lists and texts of the answers that Twilio may send as `null` (spec §2.5: its API
//! description marks almost every field nullable), read as empty; and extra objects read as
//! absent when they do not fit.
//!
//! A field that is not an `Option` (a list, a text that a record always has) takes
//! `#[serde(default, deserialize_with = "crate::nulls::empty")]`: missing or `null`, it is
//! its type's default (`[]`, `""`), so one `null` never fails a whole answer; the model's
//! `raw()` still has the answer as sent.

use serde::{Deserialize, Deserializer};

/// `deserialize_with` of a field read as its default when `null`. Pair it with
/// `#[serde(default)]` for a missing field.
pub(crate) fn empty<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// `deserialize_with` of an `Option` field that is extra information on an answer which must
/// never fail for it (a verification's `lookup`): `None` when missing, `null`, or of a shape
/// the model does not read; `raw()` keeps it as sent. Pair it with `#[serde(default)]`.
pub(crate) fn or_none<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    let value = Option::<serde_json::Value>::deserialize(deserializer)?;
    Ok(value.and_then(|v| serde_json::from_value(v).ok()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::{Challenge, Webhook};

    fn challenge(details: serde_json::Value) -> Challenge {
        serde_json::from_value(json!({
            "sid": "YC00000000000000000000000000000001",
            "status": "pending",
            "details": details,
        }))
        .expect("a null list or text never fails a challenge")
    }

    #[test]
    fn null_challenge_fields_and_texts_read_as_empty() {
        let fields = |details| -> Vec<(String, String)> {
            let details = challenge(details).details.expect("details");
            details
                .fields
                .into_iter()
                .map(|f| (f.label, f.value))
                .collect()
        };
        let pair = |label: &str, value: &str| (label.to_owned(), value.to_owned());
        assert_eq!(fields(json!({"message": "Hi", "fields": null})), []);
        assert_eq!(fields(json!({"message": "Hi"})), []);
        assert_eq!(
            fields(json!({"fields": [
                {"label": null, "value": "203.0.113.7"},
                {"label": "Door", "value": null},
                {"label": "Door"},
            ]})),
            [pair("", "203.0.113.7"), pair("Door", ""), pair("Door", ""),]
        );
    }

    #[test]
    fn null_webhook_event_types_read_as_empty() {
        let webhook: Webhook = serde_json::from_value(json!({
            "sid": "YW00000000000000000000000000000001",
            "event_types": null,
        }))
        .expect("null event types never fail a webhook");
        assert!(webhook.event_types.is_empty());
    }
}
