//! The whole JSON text of an answer (or of one entry of it), kept beside the model that names
//! a subset of it.
//!
//! An answer's body is kept as it was read, an entry of a list as a copy of its bytes, and the
//! users, keypad and offline keys of a lock detail as places in the detail's answer. The text
//! is read into a [`Value`] only when `raw()` is first called, so the models of hot calls
//! (`get_lock_detail`) pay nothing for it otherwise.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::sync::{Arc, OnceLock};

use serde::Deserialize;
use serde::de::{
    DeserializeOwned, Deserializer, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_json::Value;
use serde_json::value::RawValue;

use super::de::scalars_read_as;

/// The JSON of a model: a whole document, or a part of one that another model keeps (the
/// users and the keypad of a lock detail are parts of the answer's document, which is kept
/// once). It is read into a [`Value`] only on first use, so its bytes are checked then, not
/// when kept. `Debug` shows the size only: the text may hold secrets (a PIN code, offline
/// keys).
#[derive(Clone, Default)]
pub(crate) struct RawJson(Repr);

#[derive(Clone)]
enum Repr {
    /// A document of its own.
    Own(Doc),
    /// A place in a document that is shared with the model that holds its whole.
    Shared(Arc<Doc>, Place),
}

impl Default for Repr {
    fn default() -> Self {
        Repr::Own(Doc::default())
    }
}

/// The bytes of one JSON document, and the [`Value`] they read into.
#[derive(Clone, Default)]
struct Doc {
    text: Vec<u8>,
    value: OnceLock<Value>,
}

impl Doc {
    /// `Null` for an empty text, or bytes that are not one JSON document.
    fn value(&self) -> &Value {
        self.value
            .get_or_init(|| serde_json::from_slice(&self.text).unwrap_or(Value::Null))
    }
}

/// Where in its document a shared [`RawJson`] is.
#[derive(Clone, PartialEq, Eq)]
enum Place {
    /// The whole document.
    Whole,
    /// The value of a key of the document's object.
    Field(&'static str),
    /// The value of `key` in the object at `field` of the document's object.
    Entry(&'static str, Box<str>),
}

/// What a place that is not in the document reads as.
static NULL: Value = Value::Null;

impl RawJson {
    /// Keeps `text`, which the caller has read as one JSON document.
    pub(crate) fn new(text: Box<str>) -> Self {
        RawJson(Repr::Own(Doc {
            text: text.into_boxed_bytes().into_vec(),
            value: OnceLock::new(),
        }))
    }

    /// Keeps a document that was already read into a `Value` (no text to keep).
    pub(crate) fn from_value(value: Value) -> Self {
        RawJson(Repr::Own(Doc {
            text: Vec::new(),
            value: OnceLock::from(value),
        }))
    }

    /// Keeps an answer's body that was just decoded as one JSON document, without the white
    /// space around it (taken as it is, without a copy).
    pub(crate) fn from_body(mut text: Vec<u8>) -> Self {
        text.truncate(text.trim_ascii_end().len());
        text.drain(..text.len() - text.trim_ascii_start().len());
        RawJson(Repr::Own(Doc {
            text,
            value: OnceLock::new(),
        }))
    }

    /// The same document, made ready to share with the parts taken by [`field`](Self::field)
    /// and [`entry`](Self::entry) (one allocation, no copy of the text).
    pub(crate) fn into_shared(self) -> Self {
        match self.0 {
            Repr::Own(doc) => RawJson(Repr::Shared(Arc::new(doc), Place::Whole)),
            shared @ Repr::Shared(..) => RawJson(shared),
        }
    }

    /// The value of `key` in this document's object, sharing the document when it is shared
    /// (see [`into_shared`](Self::into_shared)); `Null` when there is no such key.
    pub(crate) fn field(&self, key: &'static str) -> Self {
        self.part(Place::Field(key))
    }

    /// The value of `key` in the object at `field` of this document's object, as
    /// [`field`](Self::field).
    pub(crate) fn entry(&self, field: &'static str, key: &str) -> Self {
        self.part(Place::Entry(field, key.into()))
    }

    fn part(&self, place: Place) -> Self {
        match &self.0 {
            Repr::Shared(doc, Place::Whole) => RawJson(Repr::Shared(Arc::clone(doc), place)),
            // Only a whole document has parts; anything else gets a copy of the value.
            _ => RawJson::from_value(place.find(self.value()).clone()),
        }
    }

    /// The text of the whole document this is (`None` for a part of one, or a document kept as
    /// a `Value` only).
    pub(crate) fn whole_text(&self) -> Option<&[u8]> {
        match self.located() {
            (doc, None) if !doc.text.is_empty() => Some(&doc.text),
            _ => None,
        }
    }

    /// The JSON as a [`Value`] (the document is read on the first call; `Null` for an empty
    /// text, bytes that are not one JSON document, or a place the document does not have).
    pub(crate) fn value(&self) -> &Value {
        match &self.0 {
            Repr::Own(doc) => doc.value(),
            Repr::Shared(doc, place) => place.find(doc.value()),
        }
    }
}

impl Place {
    fn find<'v>(&self, document: &'v Value) -> &'v Value {
        let found = match self {
            Place::Whole => Some(document),
            Place::Field(field) => document.get(field),
            Place::Entry(field, key) => document.get(field).and_then(|map| map.get(&**key)),
        };
        found.unwrap_or(&NULL)
    }
}

impl PartialEq for RawJson {
    /// Equal when the JSON is (formatting aside). The same place in the same text is equal
    /// without reading either document (the parts of two answers of one lock are compared by
    /// their bytes, not by building both answers' values); other texts are compared by value.
    fn eq(&self, other: &Self) -> bool {
        let (a, at) = self.located();
        let (b, place) = other.located();
        let same = at == place && (std::ptr::eq(a, b) || (!a.text.is_empty() && a.text == b.text));
        same || self.value() == other.value()
    }
}

impl RawJson {
    /// The document this is in, and the place in it (`None` for the whole document).
    fn located(&self) -> (&Doc, Option<&Place>) {
        match &self.0 {
            Repr::Own(doc) => (doc, None),
            Repr::Shared(doc, Place::Whole) => (doc, None),
            Repr::Shared(doc, place) => (doc, Some(place)),
        }
    }
}

impl Eq for RawJson {}

impl fmt::Debug for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Own(doc) => write!(f, "<{} bytes of JSON>", doc.text.len()),
            Repr::Shared(doc, Place::Whole) => write!(f, "<{} bytes of JSON>", doc.text.len()),
            Repr::Shared(doc, _) => write!(f, "<part of {} bytes of JSON>", doc.text.len()),
        }
    }
}

/// A model whose `Deserialize` reads a wire struct and keeps the text it came from.
pub(crate) trait KeepsRaw: Sized {
    /// The wire struct, read in one pass.
    type Wire: DeserializeOwned;

    /// Builds the model from its wire struct and the text it was read from.
    fn from_wire(wire: Self::Wire, raw: RawJson) -> Self;

    /// Reads the wire struct from the whole JSON text of the model (`serde_json::from_str`
    /// unless the model has a faster way).
    fn read_wire(text: &str) -> serde_json::Result<Self::Wire> {
        serde_json::from_str(text)
    }

    /// [`read_wire`](Self::read_wire) from bytes (see [`from_json_bytes_with`]).
    fn read_wire_bytes(json: &[u8]) -> serde_json::Result<Self::Wire> {
        from_json_bytes_with(json, Self::read_wire)
    }
}

/// Reads `T` from a whole JSON document given as bytes, as `serde_json::from_slice` does (same
/// value, same error) for less: the bytes are checked as UTF-8 once, in one sweep, instead of
/// string by string; only bytes that are not UTF-8 are read by `from_slice`, for its error.
pub(crate) fn from_json_bytes<T: DeserializeOwned>(json: &[u8]) -> serde_json::Result<T> {
    from_json_bytes_with(json, |text| serde_json::from_str(text))
}

/// [`from_json_bytes`] with the text read by `read`.
pub(crate) fn from_json_bytes_with<T: DeserializeOwned>(
    json: &[u8],
    read: fn(&str) -> serde_json::Result<T>,
) -> serde_json::Result<T> {
    match std::str::from_utf8(json) {
        Ok(text) => read(text),
        Err(_) => serde_json::from_slice(json),
    }
}

/// Reads a [`KeepsRaw`] model from a whole JSON document in one pass and keeps the document.
pub(crate) fn from_json_keeping_raw<M: KeepsRaw>(json: &[u8]) -> serde_json::Result<M> {
    let wire = M::read_wire_bytes(json)?;
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
        read_with_raw(deserializer, |text| serde_json::from_str(text))
    }
}

/// Finds the text of the value `deserializer` holds, reads it with `read` and keeps it.
fn read_with_raw<'de, D, W>(
    deserializer: D,
    read: fn(&str) -> serde_json::Result<W>,
) -> Result<WithRaw<W>, D::Error>
where
    D: Deserializer<'de>,
    W: DeserializeOwned,
{
    let raw = Box::<RawValue>::deserialize(deserializer)?;
    let wire = read(raw.get()).map_err(|e| D::Error::custom(located::<W>(raw.get(), &e)))?;
    Ok(WithRaw {
        wire,
        raw: RawJson::new(raw.into()),
    })
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
    read_with_raw(deserializer, M::read_wire).map(WithRaw::into_model)
}

/// An object of objects keyed by id (`{"<id>": {...}, ...}`), from a deserializer that lends
/// its text (`serde_json::Deserializer::from_str`), read into models. Entries that
/// are not objects are left out; anything but an object reads as no entries. Each entry is
/// skipped to find its text and read from it; an entry that does not fit the model is left
/// out. The models get an empty [`RawJson`]: the caller gives them their place in the whole
/// document ([`RawJson::entry`]). Fails only on JSON that is not valid text (an id with a
/// lone surrogate, bytes that are not UTF-8).
pub(crate) fn keyed_models<'de, D, M>(deserializer: D) -> Result<BTreeMap<String, M>, D::Error>
where
    D: Deserializer<'de>,
    M: KeepsRaw,
{
    deserializer.deserialize_any(Entries(PhantomData))
}

struct Entries<M>(PhantomData<M>);

impl<'de, M: KeepsRaw> Visitor<'de> for Entries<M> {
    type Value = BTreeMap<String, M>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object keyed by id")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = BTreeMap::new();
        while let Some(id) = map.next_key::<String>()? {
            let raw = map.next_value::<&RawValue>()?;
            if !raw.get().starts_with('{') {
                continue;
            }
            if let Ok(wire) = serde_json::from_str(raw.get()) {
                entries.insert(id, M::from_wire(wire, RawJson::default()));
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
        assert_eq!(raw.value(), &json!({"a": [1, 2]}));
        assert!(std::ptr::eq(raw.value(), raw.value()));
        assert_eq!(raw, RawJson::new("{\"a\":[1,2]}".into()));
        assert_ne!(raw, RawJson::new("{\"a\":[1]}".into()));
        assert_eq!(format!("{raw:?}"), "<13 bytes of JSON>");
        let copy = raw.clone();
        assert_eq!(copy.value(), raw.value());
        assert_eq!(RawJson::default().value(), &Value::Null);
    }

    #[test]
    fn parts_of_a_shared_document_read_their_place_in_it() {
        let whole = RawJson::new(r#"{"users":{"u1":{"a":1}},"keypad":{"b":2}}"#.into());
        let shared = whole.clone().into_shared();
        assert_eq!(shared, whole);
        assert_eq!(format!("{shared:?}"), "<41 bytes of JSON>");

        let keypad = shared.field("keypad");
        let user = shared.entry("users", "u1");
        assert_eq!(keypad.value(), &json!({"b": 2}));
        assert_eq!(user.value(), &json!({"a": 1}));
        assert_eq!(format!("{user:?}"), "<part of 41 bytes of JSON>");
        // The document is read once, for all its parts.
        assert!(std::ptr::eq(user.value(), &shared.value()["users"]["u1"]));
        assert_eq!(user, RawJson::new(r#"{"a": 1}"#.into()));
        assert_ne!(user, keypad);

        assert_eq!(shared.field("none").value(), &Value::Null);
        assert_eq!(shared.entry("users", "u2").value(), &Value::Null);
        assert_eq!(shared.entry("keypad", "b").value(), &json!(2));
        // A part of a document that is not shared is a copy of its value.
        assert_eq!(whole.field("keypad").value(), &json!({"b": 2}));
        assert_eq!(keypad.field("b").value(), &json!(2));
    }

    /// Whether the document of `raw` has been read into a `Value`.
    fn read(raw: &RawJson) -> bool {
        raw.located().0.value.get().is_some()
    }

    #[test]
    fn parts_of_equal_answers_compare_by_their_text_first() {
        let text = r#"{"users":{"u1":{"a":1}},"keypad":{"b":2}}"#;
        let first = RawJson::new(text.into()).into_shared();
        let second = RawJson::from_body(format!("{text}\n").into_bytes()).into_shared();
        let (user, same_user) = (first.entry("users", "u1"), second.entry("users", "u1"));
        assert_eq!(user, same_user);
        assert_eq!(first.field("keypad"), second.field("keypad"));
        assert_eq!(first, second);
        assert_eq!(RawJson::new(text.into()), second);
        // Neither answer was read into a value to say so.
        assert!(!read(&first) && !read(&second));
        assert_ne!(first.field("keypad"), second.field("users"));

        // Formatted otherwise, the same JSON is equal still (by value).
        let spaced =
            RawJson::new(r#"{ "keypad": {"b": 2}, "users": { "u1": { "a": 1 } } }"#.into())
                .into_shared();
        assert_eq!(spaced.entry("users", "u1"), user);
        assert_eq!(spaced, first);
        assert_eq!(spaced, RawJson::new(text.into()));
        assert_ne!(spaced.entry("users", "u1"), first.field("keypad"));
    }
}
