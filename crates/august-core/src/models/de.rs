//! Lenient field deserializers shared by the private wire structs.
//!
//! The August API is loosely typed: a field documented as a string may arrive as a number, a
//! flag may be `1` or `null`, and a date may be garbage. These helpers accept whatever arrives
//! and reduce it to the value the model needs, so that one odd field never fails a response.
//! Fields the spec marks as required still use strict types (or these helpers without
//! `#[serde(default)]`, so that a missing key is still an error naming the field).

use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// Inside a `Visitor` impl: every scalar (`bool`, numbers, strings, `null`) reads as `$value`.
macro_rules! scalars_read_as {
    ($value:expr) => {
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok($value)
        }

        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok($value)
        }

        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok($value)
        }

        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok($value)
        }

        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok($value)
        }

        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok($value)
        }

        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok($value)
        }
    };
}

pub(crate) use scalars_read_as;

/// Python-style truthiness of a JSON value: `null`, `false`, `0`, `""`, `[]` and `{}` are false.
pub fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// The string at `key` of a JSON object, if the value is a string.
pub(crate) fn str_at<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

/// The non-empty string at `key` of a JSON object, owned.
pub(crate) fn non_empty_string_at(value: &Value, key: &str) -> Option<String> {
    str_at(value, key)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// A string that tolerates other scalars: numbers and booleans become their JSON text;
/// `null`, arrays and objects become `None`.
pub(crate) fn lenient_string<'de, D>(deserializer: D) -> Result<Option<String>, D::Error>
where
    D: Deserializer<'de>,
{
    lenient_str(deserializer, |text| text.map(str::to_owned))
}

/// [`lenient_string`] handed to `read` as it is read, without copying a string: `None` for
/// `null` and containers, the text of a string, and a number or a boolean as text.
pub(crate) fn lenient_str<'de, D, T>(
    deserializer: D,
    read: fn(Option<&str>) -> T,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    deserializer.deserialize_any(LenientStr(read))
}

struct LenientStr<T>(fn(Option<&str>) -> T);

impl<'de, T> Visitor<'de> for LenientStr<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_str<E>(self, v: &str) -> Result<T, E> {
        Ok(self.0(Some(v)))
    }

    fn visit_bool<E>(self, v: bool) -> Result<T, E> {
        Ok(self.0(Some(&v.to_string())))
    }

    fn visit_i64<E>(self, v: i64) -> Result<T, E> {
        Ok(self.0(Some(&v.to_string())))
    }

    fn visit_u64<E>(self, v: u64) -> Result<T, E> {
        Ok(self.0(Some(&v.to_string())))
    }

    fn visit_f64<E>(self, v: f64) -> Result<T, E> {
        Ok(self.0(Some(&v.to_string())))
    }

    fn visit_none<E>(self) -> Result<T, E> {
        Ok(self.0(None))
    }

    fn visit_unit<E>(self) -> Result<T, E> {
        Ok(self.0(None))
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<T, A::Error> {
        IgnoredAny.visit_seq(seq).map(|_| self.0(None))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        IgnoredAny.visit_map(map).map(|_| self.0(None))
    }
}

/// An object read into `T`; anything else (`null`, a scalar, an array) is `None`. `T` must
/// not fail on an object (lenient fields, all defaulted), or the whole answer fails.
pub(crate) fn lenient_object<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct ObjectOnly<T>(std::marker::PhantomData<T>);

    impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectOnly<T> {
        type Value = Option<T>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any JSON value")
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Option<T>, A::Error> {
            T::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(Some)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Option<T>, A::Error> {
            IgnoredAny.visit_seq(seq).map(|_| None)
        }

        scalars_read_as!(None);

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
            d.deserialize_any(self)
        }
    }

    deserializer.deserialize_any(ObjectOnly(std::marker::PhantomData))
}

/// A string value's text; any other value (a number too) is `None`. Never fails on valid JSON.
pub(crate) fn string_only<'de, D>(deserializer: D) -> Result<Option<String>, D::Error>
where
    D: Deserializer<'de>,
{
    struct Element;

    impl<'de> Visitor<'de> for Element {
        type Value = Option<String>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any JSON value")
        }

        fn visit_str<E>(self, v: &str) -> Result<Option<String>, E> {
            Ok(Some(v.to_owned()))
        }

        fn visit_string<E>(self, v: String) -> Result<Option<String>, E> {
            Ok(Some(v))
        }

        fn visit_bool<E>(self, _: bool) -> Result<Option<String>, E> {
            Ok(None)
        }

        fn visit_i64<E>(self, _: i64) -> Result<Option<String>, E> {
            Ok(None)
        }

        fn visit_u64<E>(self, _: u64) -> Result<Option<String>, E> {
            Ok(None)
        }

        fn visit_f64<E>(self, _: f64) -> Result<Option<String>, E> {
            Ok(None)
        }

        fn visit_unit<E>(self) -> Result<Option<String>, E> {
            Ok(None)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Option<String>, A::Error> {
            IgnoredAny.visit_seq(seq).map(|_| None)
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Option<String>, A::Error> {
            IgnoredAny.visit_map(map).map(|_| None)
        }
    }

    deserializer.deserialize_any(Element)
}

/// The string elements of an array, in order; other elements are left out, and anything but
/// an array is empty. Never fails on valid JSON.
pub(crate) fn strings_of_array<'de, D>(deserializer: D) -> Result<Vec<String>, D::Error>
where
    D: Deserializer<'de>,
{
    /// One element: its text if it is a string.
    struct StringOnly(Option<String>);

    impl<'de> Deserialize<'de> for StringOnly {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            string_only(deserializer).map(StringOnly)
        }
    }

    struct Strings;

    impl<'de> Visitor<'de> for Strings {
        type Value = Vec<String>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any JSON value")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<String>, A::Error> {
            let mut strings = Vec::new();
            while let Some(element) = seq.next_element::<StringOnly>()? {
                strings.extend(element.0);
            }
            Ok(strings)
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Vec<String>, A::Error> {
            IgnoredAny.visit_map(map).map(|_| Vec::new())
        }

        scalars_read_as!(Vec::new());

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Vec<String>, D::Error> {
            d.deserialize_any(self)
        }
    }

    deserializer.deserialize_any(Strings)
}

/// A required string that may also arrive as an integer (e.g. a PIN code sent as a number).
pub(crate) fn string_or_integer<'de, D>(deserializer: D) -> Result<String, D::Error>
where
    D: Deserializer<'de>,
{
    struct StringOrInteger;

    impl Visitor<'_> for StringOrInteger {
        type Value = String;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string or an integer")
        }

        fn visit_str<E>(self, v: &str) -> Result<String, E> {
            Ok(v.to_owned())
        }

        fn visit_string<E>(self, v: String) -> Result<String, E> {
            Ok(v)
        }

        fn visit_i64<E>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }

        fn visit_u64<E>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }
    }

    deserializer.deserialize_any(StringOrInteger)
}

/// A flag read with Python truthiness (see [`truthy`]); never fails.
pub(crate) fn truthy_flag<'de, D>(deserializer: D) -> Result<bool, D::Error>
where
    D: Deserializer<'de>,
{
    deserializer.deserialize_any(TruthyFlag)
}

struct TruthyFlag;

impl<'de> Visitor<'de> for TruthyFlag {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<bool, E> {
        Ok(v)
    }

    fn visit_i64<E>(self, v: i64) -> Result<bool, E> {
        Ok(v != 0)
    }

    fn visit_u64<E>(self, v: u64) -> Result<bool, E> {
        Ok(v != 0)
    }

    fn visit_f64<E>(self, v: f64) -> Result<bool, E> {
        Ok(v != 0.0)
    }

    fn visit_str<E>(self, v: &str) -> Result<bool, E> {
        Ok(!v.is_empty())
    }

    fn visit_none<E>(self) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_unit<E>(self) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        let non_empty = seq.next_element::<IgnoredAny>()?.is_some();
        IgnoredAny.visit_seq(seq)?;
        Ok(non_empty)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let non_empty = map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some();
        IgnoredAny.visit_map(map)?;
        Ok(non_empty)
    }
}

/// A finite number, also accepted as a numeric string; anything else is `None`.
pub(crate) fn lenient_f64<'de, D>(deserializer: D) -> Result<Option<f64>, D::Error>
where
    D: Deserializer<'de>,
{
    Ok(number_of(&Value::deserialize(deserializer)?))
}

/// An integer (also an integral float or numeric string); anything else is `None`.
pub(crate) fn lenient_i64<'de, D>(deserializer: D) -> Result<Option<i64>, D::Error>
where
    D: Deserializer<'de>,
{
    let value = Value::deserialize(deserializer)?;
    if let Some(i) = value.as_i64() {
        return Ok(Some(i));
    }
    Ok(number_of(&value)
        .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
        // The range check above keeps the conversion exact.
        .map(|f| f as i64))
}

/// A finite `f64` from a JSON number or numeric string.
pub(crate) fn number_of(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
    .filter(|f| f.is_finite())
}

/// A list that may be `null` (read as empty).
pub(crate) fn null_as_empty<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

/// Placeholder printed by `Debug` in place of a secret.
pub(crate) struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Reads a JSON object keyed by device id (`{"<id>": {...}, ...}`) in document order, building
/// each entry from its key and its wire value.
pub(crate) fn keyed_list<'de, D, W, T>(
    deserializer: D,
    expecting: &'static str,
    build: fn(String, W) -> T,
) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    W: Deserialize<'de>,
{
    struct KeyedVisitor<W, T> {
        expecting: &'static str,
        build: fn(String, W) -> T,
    }

    impl<'de, W: Deserialize<'de>, T> Visitor<'de> for KeyedVisitor<W, T> {
        type Value = Vec<T>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.expecting)
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<T>, A::Error> {
            let mut items = Vec::with_capacity(map.size_hint().unwrap_or(0));
            while let Some(id) = map.next_key::<String>()? {
                let wire: W = map.next_value()?;
                items.push((self.build)(id, wire));
            }
            Ok(items)
        }
    }

    deserializer.deserialize_map(KeyedVisitor { expecting, build })
}

/// Implements `Display` and `Serialize` (both the string of `as_str()`) for an enum of wire
/// strings. With `from_wire`, also `From<&str>` (`from_wire(Some(value))`) and a `Deserialize`
/// that never fails: a string reads through `from_wire`, a number or a boolean as its JSON
/// text, and `null`, an array or an object as `from_wire(None)`.
macro_rules! wire_string_impls {
    ($ty:ident) => {
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
    ($ty:ident, from_wire) => {
        $crate::models::de::wire_string_impls!($ty);

        impl From<&str> for $ty {
            fn from(value: &str) -> Self {
                $ty::from_wire(Some(value))
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            /// Reads a wire string through `from_wire`; never fails.
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::models::de::lenient_str(deserializer, $ty::from_wire)
            }
        }
    };
}

pub(crate) use wire_string_impls;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Deserialize)]
    struct Probe {
        #[serde(default, deserialize_with = "lenient_string")]
        s: Option<String>,
        #[serde(default, deserialize_with = "truthy_flag")]
        b: bool,
        #[serde(default, deserialize_with = "lenient_f64")]
        f: Option<f64>,
        #[serde(default, deserialize_with = "lenient_i64")]
        i: Option<i64>,
    }

    fn probe(value: Value) -> Probe {
        serde_json::from_value(value).expect("probe parses")
    }

    #[test]
    fn wire_enums_read_any_value_as_lenient_string_does() {
        use crate::{LockDoorStatus, LockStatus};
        let status = |v: serde_json::Value| -> LockStatus {
            serde_json::from_value(v).expect("never fails")
        };
        assert_eq!(status(json!("kAugLockState_Locked")), LockStatus::Locked);
        assert_eq!(status(json!("odd")), LockStatus::Other("odd".into()));
        assert_eq!(status(json!(12)), LockStatus::Other("12".into()));
        assert_eq!(status(json!(true)), LockStatus::Other("true".into()));
        assert_eq!(status(json!(1.5)), LockStatus::Other("1.5".into()));
        assert_eq!(status(json!(null)), LockStatus::Unknown);
        assert_eq!(status(json!([1])), LockStatus::Unknown);
        assert_eq!(status(json!({"a": 1})), LockStatus::Unknown);
        let door: LockDoorStatus = serde_json::from_str(r#""kAugDoorState_Open""#).expect("door");
        assert_eq!(door, LockDoorStatus::Open);
        let door: LockDoorStatus = serde_json::from_str("null").expect("door");
        assert_eq!(door, LockDoorStatus::Disabled);
    }

    #[test]
    fn lenient_string_accepts_scalars_and_ignores_containers() {
        assert_eq!(probe(json!({"s": "x"})).s.as_deref(), Some("x"));
        assert_eq!(probe(json!({"s": 12})).s.as_deref(), Some("12"));
        assert_eq!(probe(json!({"s": true})).s.as_deref(), Some("true"));
        assert_eq!(probe(json!({"s": null})).s, None);
        assert_eq!(probe(json!({"s": [1, [2]]})).s, None);
        assert_eq!(probe(json!({"s": {"a": {"b": 1}}})).s, None);
        assert_eq!(probe(json!({})).s, None);
    }

    #[test]
    fn truthy_is_python_truthiness() {
        for falsy in [
            json!(null),
            json!(false),
            json!(0),
            json!(0.0),
            json!(""),
            json!([]),
            json!({}),
        ] {
            assert!(!truthy(&falsy), "{falsy}");
        }
        for true_ in [
            json!(true),
            json!(1),
            json!(-0.5),
            json!("0"),
            json!([0]),
            json!({"a": null}),
        ] {
            assert!(truthy(&true_), "{true_}");
        }
    }

    #[test]
    fn truthy_flag_follows_python_truthiness() {
        for (value, expected) in [
            (json!(true), true),
            (json!(false), false),
            (json!(null), false),
            (json!(0), false),
            (json!(2), true),
            (json!(0.0), false),
            (json!(""), false),
            (json!("no"), true),
            (json!([]), false),
            (json!([0]), true),
            (json!({}), false),
            (json!({"a": 1}), true),
        ] {
            assert_eq!(probe(json!({ "b": value.clone() })).b, expected, "{value}");
        }
    }

    #[test]
    fn lenient_numbers() {
        assert_eq!(probe(json!({"f": 3})).f, Some(3.0));
        assert_eq!(probe(json!({"f": "3.5"})).f, Some(3.5));
        assert_eq!(probe(json!({"f": "x"})).f, None);
        assert_eq!(probe(json!({"f": {}})).f, None);
        assert_eq!(probe(json!({"i": 7})).i, Some(7));
        assert_eq!(probe(json!({"i": 7.0})).i, Some(7));
        assert_eq!(probe(json!({"i": 7.5})).i, None);
        assert_eq!(probe(json!({"i": "10"})).i, Some(10));
    }
}
