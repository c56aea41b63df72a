//! The whole JSON text of an answer (or of one entry of it), kept beside the model that names
//! a subset of it.
//!
//! Keeping the text costs a copy of the bytes; it is read into a [`Value`] only when `raw()` is
//! first called, so the models of hot calls (`get_lock_detail`) pay nothing for it otherwise.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::sync::OnceLock;

use serde::Deserialize;
use serde::de::{
    DeserializeOwned, Deserializer, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_json::Value;
use serde_json::value::RawValue;

use super::de::scalars_read_as;

/// The bytes of one JSON document, and the [`Value`] they read into, built on first use (so
/// the bytes are checked then, not when kept). `Debug` shows the size only: the text may hold
/// secrets (a PIN code, offline keys).
#[derive(Clone, Default)]
pub(crate) struct RawJson {
    text: Box<[u8]>,
    value: OnceLock<Value>,
}

impl RawJson {
    /// Keeps `text`, which the caller has read as one JSON document.
    pub(crate) fn new(text: Box<str>) -> Self {
        RawJson {
            text: text.into_boxed_bytes(),
            value: OnceLock::new(),
        }
    }

    /// Keeps a document that was already read into a `Value` (no text to keep).
    pub(crate) fn from_value(value: Value) -> Self {
        RawJson {
            text: Box::default(),
            value: OnceLock::from(value),
        }
    }

    /// Keeps an answer's body that was just decoded as one JSON document (taken as it is,
    /// without a copy, unless white space surrounds it).
    pub(crate) fn from_body(body: Vec<u8>) -> Self {
        let text = if body.trim_ascii().len() == body.len() {
            body.into_boxed_slice()
        } else {
            Box::from(body.trim_ascii())
        };
        RawJson {
            text,
            value: OnceLock::new(),
        }
    }

    /// The document as a [`Value`] (read on the first call; `Null` for an empty text, or
    /// bytes that are not one JSON document).
    pub(crate) fn value(&self) -> &Value {
        self.value
            .get_or_init(|| serde_json::from_slice(&self.text).unwrap_or(Value::Null))
    }

    /// Whether the document is a JSON object.
    pub(crate) fn is_object(&self) -> bool {
        self.text.first() == Some(&b'{')
    }
}

impl PartialEq for RawJson {
    /// Equal when the documents are (formatting aside).
    fn eq(&self, other: &Self) -> bool {
        (!self.text.is_empty() && self.text == other.text) || self.value() == other.value()
    }
}

impl Eq for RawJson {}

impl fmt::Debug for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} bytes of JSON>", self.text.len())
    }
}

/// A model whose `Deserialize` reads a wire struct and keeps the text it came from.
pub(crate) trait KeepsRaw: Sized {
    /// The wire struct, read in one pass.
    type Wire: DeserializeOwned;

    /// Builds the model from its wire struct and the text it was read from.
    fn from_wire(wire: Self::Wire, raw: RawJson) -> Self;
}

/// Reads `T` from a whole JSON document given as bytes, as `serde_json::from_slice` does (same
/// value, same error) for less: the bytes are checked as UTF-8 once, in one sweep, instead of
/// string by string; only bytes that are not UTF-8 are read by `from_slice`, for its error.
pub(crate) fn from_json_bytes<T: DeserializeOwned>(json: &[u8]) -> serde_json::Result<T> {
    match std::str::from_utf8(json) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(json),
    }
}

/// Reads a [`KeepsRaw`] model from a whole JSON document in one pass and keeps the document.
pub(crate) fn from_json_keeping_raw<M: KeepsRaw>(json: &[u8]) -> serde_json::Result<M> {
    let wire = from_json_bytes(json)?;
    Ok(M::from_wire(wire, RawJson::from_body(json.to_vec())))
}

/// A wire struct and the JSON text it was read from: the value's text is found first
/// (serde_json only skips over it), then the wire struct is read from that text.
pub(crate) struct WithRaw<W> {
    pub(crate) wire: W,
    pub(crate) raw: RawJson,
}

impl<'de, W: DeserializeOwned> Deserialize<'de> for WithRaw<W> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        let wire = serde_json::from_str(raw.get())
            .map_err(|e| D::Error::custom(located::<W>(raw.get(), &e)))?;
        Ok(WithRaw {
            wire,
            raw: RawJson::new(raw.into()),
        })
    }
}

/// The message of `error`, met reading `W` from `text`, naming where in `text` it failed
/// (``missing field `batteryLevel` in `keypad` ``): the reader that holds the whole document
/// only knows the place of `text`, not the place inside it.
fn located<W: DeserializeOwned>(text: &str, error: &serde_json::Error) -> String {
    let message = |e: &serde_json::Error| {
        let text = e.to_string();
        let position = format!(" at line {} column {}", e.line(), e.column());
        match text.strip_suffix(&position) {
            Some(message) => message.to_owned(),
            None => text,
        }
    };
    let de = &mut serde_json::Deserializer::from_str(text);
    match serde_path_to_error::deserialize::<_, W>(de) {
        Err(e) if e.path().to_string() != "." => {
            format!("{} in `{}`", message(e.inner()), e.path())
        }
        _ => message(error),
    }
}

impl<W> WithRaw<W> {
    /// Builds the model the wire struct stands for.
    pub(crate) fn into_model<M: KeepsRaw<Wire = W>>(self) -> M {
        M::from_wire(self.wire, self.raw)
    }
}

/// `Deserialize` for a [`KeepsRaw`] model (see [`WithRaw`]).
pub(crate) fn deserialize_keeping_raw<'de, D, M>(deserializer: D) -> Result<M, D::Error>
where
    D: Deserializer<'de>,
    M: KeepsRaw,
{
    WithRaw::<M::Wire>::deserialize(deserializer).map(WithRaw::into_model)
}

/// An object of objects keyed by id (`{"<id>": {...}, ...}`) read into models that keep their
/// entry's text. Entries that are not objects, or that do not fit the model, are left out;
/// anything but an object reads as no entries. Never fails on valid JSON.
pub(crate) fn lenient_keyed_models<'de, D, M>(
    deserializer: D,
) -> Result<BTreeMap<String, M>, D::Error>
where
    D: Deserializer<'de>,
    M: KeepsRaw,
{
    struct Entries<M>(PhantomData<M>);

    impl<'de, M: KeepsRaw> Visitor<'de> for Entries<M> {
        type Value = BTreeMap<String, M>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object keyed by id")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut entries = BTreeMap::new();
            while let Some(id) = map.next_key::<String>()? {
                let raw = map.next_value::<Box<RawValue>>()?;
                if !raw.get().starts_with('{') {
                    continue;
                }
                if let Ok(wire) = serde_json::from_str(raw.get()) {
                    entries.insert(id, M::from_wire(wire, RawJson::new(raw.into())));
                }
            }
            Ok(entries)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            IgnoredAny.visit_seq(seq).map(|_| BTreeMap::new())
        }

        scalars_read_as!(BTreeMap::new());

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
    }

    deserializer.deserialize_any(Entries(PhantomData))
}

/// Implements `Deserialize` through [`deserialize_keeping_raw`] for a [`KeepsRaw`] model.
macro_rules! impl_deserialize_keeping_raw {
    ($ty:ident) => {
        impl<'de> serde::Deserialize<'de> for $ty {
            /// Reads the model from its wire JSON and keeps the JSON for `raw()`. Only a JSON
            /// deserializer (or a `serde_json::Value`) can give the text.
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::models::raw::deserialize_keeping_raw(deserializer)
            }
        }
    };
}

pub(crate) use impl_deserialize_keeping_raw;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_value_is_read_once_and_compared_by_content() {
        let raw = RawJson::from_body(b" {\"a\": [1, 2]}\n".to_vec());
        assert!(raw.is_object());
        assert_eq!(raw.value(), &json!({"a": [1, 2]}));
        assert!(std::ptr::eq(raw.value(), raw.value()));
        assert_eq!(raw, RawJson::new("{\"a\":[1,2]}".into()));
        assert_ne!(raw, RawJson::new("{\"a\":[1]}".into()));
        assert_eq!(format!("{raw:?}"), "<13 bytes of JSON>");
        let copy = raw.clone();
        assert_eq!(copy.value(), raw.value());
        assert_eq!(RawJson::default().value(), &Value::Null);
    }
}
