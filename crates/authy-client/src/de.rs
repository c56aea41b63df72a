//! Lenient field deserializers for the wire format (spec §2.5).
//!
//! Authy sends `success` as a boolean or as the string `"true"`, ids as numbers or digit
//! strings, and omits fields freely. Required fields use the strict helpers ([`int`]), so a
//! missing or unusable value is a decode error naming the field; optional fields use the
//! lenient ones, so one odd value never fails a whole response.

use serde::de::{Deserialize, Deserializer, Error as _};
use serde_json::Value;

use api_transport::Secret;

/// A flag sent as a boolean or as `"true"`/`"false"`; `null` or a missing key is `false`.
pub(crate) fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(opt_flag(d)?.unwrap_or(false))
}

/// A flag sent as a boolean or as `"true"`/`"false"`; anything else is `None`.
pub(crate) fn opt_flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Bool(b) => Some(b),
        Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    })
}

/// A non-negative integer sent as a number or as a string of digits; required.
pub(crate) fn int<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let value = Value::deserialize(d)?;
    int_of(&value).ok_or_else(|| {
        D::Error::custom(format!(
            "expected a non-negative integer or a string of digits, found {}",
            kind(&value)
        ))
    })
}

/// A non-negative integer sent as a number or as a string of digits; anything else is `None`.
pub(crate) fn opt_int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(int_of(&Value::deserialize(d)?))
}

/// An optional secret read as leniently as [`opt_string`] reads any string.
pub(crate) fn opt_secret<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
    Ok(opt_string(d)?.map(Secret::new))
}

/// A string; numbers and booleans become their JSON text, anything else is `None`.
pub(crate) fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    })
}

/// A list of strings; `null` is empty, entries that are not strings are skipped.
pub(crate) fn strings<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    })
}

fn int_of(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => {
            let s = s.trim();
            if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
                s.parse().ok()
            } else {
                None
            }
        }
        _ => None,
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number that is not a non-negative integer",
        Value::String(_) => "a string that is not all digits",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Probe {
        #[serde(default, deserialize_with = "flag")]
        flag: bool,
        #[serde(default, deserialize_with = "opt_flag")]
        opt_flag: Option<bool>,
        #[serde(default, deserialize_with = "opt_int")]
        opt_int: Option<u64>,
        #[serde(default, deserialize_with = "opt_string")]
        opt_string: Option<String>,
        #[serde(default, deserialize_with = "strings")]
        strings: Vec<String>,
    }

    #[derive(Deserialize, Debug)]
    struct Required {
        #[serde(deserialize_with = "int")]
        id: u64,
    }

    fn probe(json: &str) -> Probe {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn flags_accept_booleans_and_their_strings() {
        assert!(probe(r#"{"flag": true}"#).flag);
        assert!(probe(r#"{"flag": "true"}"#).flag);
        assert!(probe(r#"{"flag": "TRUE"}"#).flag);
        assert!(!probe(r#"{"flag": "false"}"#).flag);
        assert!(!probe(r#"{"flag": null}"#).flag);
        assert!(!probe("{}").flag);
        assert_eq!(probe(r#"{"opt_flag": "false"}"#).opt_flag, Some(false));
        assert_eq!(probe(r#"{"opt_flag": 1}"#).opt_flag, None);
    }

    #[test]
    fn integers_accept_numbers_and_digit_strings() {
        assert_eq!(probe(r#"{"opt_int": 1635}"#).opt_int, Some(1635));
        assert_eq!(probe(r#"{"opt_int": "1635"}"#).opt_int, Some(1635));
        assert_eq!(probe(r#"{"opt_int": "16a"}"#).opt_int, None);
        assert_eq!(probe(r#"{"opt_int": -3}"#).opt_int, None);
        let ok: Required = serde_json::from_str(r#"{"id": "1000"}"#).unwrap();
        assert_eq!(ok.id, 1000);
        let err = serde_json::from_str::<Required>(r#"{"id": "x"}"#).unwrap_err();
        assert!(err.to_string().contains("not all digits"), "{err}");
        assert!(serde_json::from_str::<Required>("{}").is_err());
    }

    #[test]
    fn strings_are_lenient() {
        assert_eq!(
            probe(r#"{"opt_string": 5}"#).opt_string.as_deref(),
            Some("5")
        );
        assert_eq!(probe(r#"{"opt_string": null}"#).opt_string, None);
        assert_eq!(
            probe(r#"{"strings": ["a", 1, "b", null]}"#).strings,
            vec!["a", "b"]
        );
        assert!(probe(r#"{"strings": null}"#).strings.is_empty());
    }
}
