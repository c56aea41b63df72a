//! An activity entry as read off the wire: only the keys an [`Activity`] derives its values
//! from, each reduced to what is needed, in one pass and without building a
//! `serde_json::Value` of the entry.
//!
//! Reading follows JSON's own semantics, so that it never fails on valid JSON: every key
//! accepts any type (a value of an unexpected type reads as "not a string", "not an object"…),
//! and of duplicate keys the last one wins, as in a `serde_json::Value`. Unread values are
//! skipped without allocating, but still checked as a `Value` would check them ([`Skip`]), so
//! an entry that reads here also reads as a `Value` ([`Activity::raw`]).
//!
//! [`Activity::raw`]: super::activity::Activity::raw
//!
//! [`Activity`]: super::activity::Activity

use std::fmt;
use std::marker::PhantomData;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};

use super::datetime;

/// A value read where a scalar is expected.
#[derive(Default)]
pub(super) enum Leaf {
    /// The key is not there.
    #[default]
    Absent,
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer that fits an `i64`.
    Int(i64),
    /// Any other number (a fraction, or an integer beyond `i64`).
    Float(f64),
    /// A string.
    Str(String),
    /// An array or an object: only whether it is empty matters.
    Composite {
        /// `[]` or `{}`.
        empty: bool,
    },
}

impl Leaf {
    /// Whether the key was there (even with `null`).
    pub(super) fn is_present(&self) -> bool {
        !matches!(self, Leaf::Absent)
    }

    /// Python-style truthiness, as [`de::truthy`](super::de::truthy) for a `Value`; an absent
    /// key is false.
    pub(super) fn truthy(&self) -> bool {
        match self {
            Leaf::Absent | Leaf::Null => false,
            Leaf::Bool(b) => *b,
            Leaf::Int(i) => *i != 0,
            Leaf::Float(f) => *f != 0.0,
            Leaf::Str(s) => !s.is_empty(),
            Leaf::Composite { empty } => !empty,
        }
    }

    /// The string, if the value is one.
    pub(super) fn into_string(self) -> Option<String> {
        match self {
            Leaf::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The string, if the value is a non-empty one.
    pub(super) fn into_non_empty(self) -> Option<String> {
        self.into_string().filter(|s| !s.is_empty())
    }

    /// The instant, as [`datetime::from_json`] reads it: an ISO-8601 string or epoch
    /// milliseconds.
    pub(super) fn datetime(&self) -> Option<DateTime<Utc>> {
        match self {
            Leaf::Str(s) => datetime::parse_datetime(s),
            Leaf::Int(i) => datetime::from_epoch_millis(*i),
            Leaf::Float(f) => datetime::from_epoch_millis_f64(*f),
            _ => None,
        }
    }
}

struct LeafVisitor;

impl<'de> Visitor<'de> for LeafVisitor {
    type Value = Leaf;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Leaf, E> {
        Ok(Leaf::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Leaf, E> {
        Ok(Leaf::Int(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Leaf, E> {
        // As `serde_json::Number::as_i64`, then `as_f64`, see them.
        Ok(i64::try_from(v).map_or(Leaf::Float(v as f64), Leaf::Int))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Leaf, E> {
        Ok(Leaf::Float(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Leaf, E> {
        Ok(Leaf::Str(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Leaf, E> {
        Ok(Leaf::Str(v))
    }

    fn visit_unit<E>(self) -> Result<Leaf, E> {
        Ok(Leaf::Null)
    }

    fn visit_none<E>(self) -> Result<Leaf, E> {
        Ok(Leaf::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Leaf, D::Error> {
        deserializer.deserialize_any(LeafVisitor)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Leaf, A::Error> {
        let empty = seq.next_element::<Skip>()?.is_none();
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Leaf::Composite { empty })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Leaf, A::Error> {
        let empty = map.next_entry::<Skip, Skip>()?.is_none();
        while map.next_entry::<Skip, Skip>()?.is_some() {}
        Ok(Leaf::Composite { empty })
    }
}

impl<'de> Deserialize<'de> for Leaf {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LeafVisitor)
    }
}

/// A value that is not kept, read as `serde_json::Value` reads it: numbers are parsed (one out
/// of `f64`'s range fails, as it does for a `Value`) and strings are unescaped (a lone
/// surrogate fails), where `serde::de::IgnoredAny` would only check the syntax. Nothing is
/// allocated for strings without escapes.
pub(super) struct Skip;

impl<'de> Visitor<'de> for Skip {
    type Value = Skip;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_str<E>(self, _: &str) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_unit<E>(self) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_none<E>(self) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Skip, D::Error> {
        Skip::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Skip, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Skip)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Skip, A::Error> {
        while map.next_entry::<Skip, Skip>()?.is_some() {}
        Ok(Skip)
    }
}

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(Skip)
    }
}

/// The keys of an object that are read, as a struct of [`Leaf`] and [`Node`] fields.
pub(super) trait Fields<'de>: Default + Sized {
    /// Reads the object's entries; returns the fields and whether the object was empty.
    fn read_map<A: MapAccess<'de>>(map: A) -> Result<(Self, bool), A::Error>;
}

/// A value read where an object is expected: its fields, or what it was instead.
pub(super) enum Node<T> {
    /// An object (`{}` included).
    Object {
        /// The keys that are read.
        fields: T,
        /// `{}`.
        empty: bool,
    },
    /// Anything else, or no value at all.
    Leaf(Leaf),
}

impl<T> Default for Node<T> {
    fn default() -> Self {
        Node::Leaf(Leaf::Absent)
    }
}

impl<T: Default> Node<T> {
    /// Python-style truthiness (a non-empty object is true).
    pub(super) fn truthy(&self) -> bool {
        match self {
            Node::Object { empty, .. } => !empty,
            Node::Leaf(leaf) => leaf.truthy(),
        }
    }

    /// Whether the value is a non-empty object.
    pub(super) fn is_non_empty_object(&self) -> bool {
        matches!(self, Node::Object { empty: false, .. })
    }

    /// The object's fields; all absent when the value is not an object.
    pub(super) fn into_fields(self) -> T {
        match self {
            Node::Object { fields, .. } => fields,
            Node::Leaf(_) => T::default(),
        }
    }
}

impl Node<Image> {
    /// A URL given either as a string or as an image object with `secure_url` (non-empty).
    pub(super) fn into_url(self) -> Option<String> {
        match self {
            Node::Object { fields, .. } => fields.secure_url.into_non_empty(),
            Node::Leaf(leaf) => leaf.into_non_empty(),
        }
    }
}

struct NodeVisitor<T>(PhantomData<T>);

/// Forwards the scalar visits of a [`NodeVisitor`] to [`LeafVisitor`].
macro_rules! leaf_visits {
    ($($method:ident($($arg:ident: $ty:ty)?)),* $(,)?) => {
        $(
            fn $method<E: serde::de::Error>(self $(, $arg: $ty)?) -> Result<Node<T>, E> {
                LeafVisitor.$method($($arg)?).map(Node::Leaf)
            }
        )*
    };
}

impl<'de, T: Fields<'de>> Visitor<'de> for NodeVisitor<T> {
    type Value = Node<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    leaf_visits!(
        visit_bool(v: bool),
        visit_i64(v: i64),
        visit_u64(v: u64),
        visit_f64(v: f64),
        visit_str(v: &str),
        visit_string(v: String),
        visit_unit(),
        visit_none(),
    );

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node<T>, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Node<T>, A::Error> {
        LeafVisitor.visit_seq(seq).map(Node::Leaf)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Node<T>, A::Error> {
        let (fields, empty) = T::read_map(map)?;
        Ok(Node::Object { fields, empty })
    }
}

impl<'de, T: Fields<'de>> Deserialize<'de> for Node<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor(PhantomData))
    }
}

/// Declares a struct of the keys read from an object, and how they are read: a key matched
/// exactly (case-sensitive) sets its field, the last occurrence winning; other keys are
/// skipped.
macro_rules! wire_object {
    ($(#[$doc:meta])* $name:ident { $($(#[$fdoc:meta])* $field:ident: $ty:ty = $key:literal,)* }) => {
        $(#[$doc])*
        #[derive(Default)]
        pub(super) struct $name {
            $($(#[$fdoc])* pub(super) $field: $ty,)*
        }

        impl<'de> Fields<'de> for $name {
            fn read_map<A: MapAccess<'de>>(mut map: A) -> Result<(Self, bool), A::Error> {
                #[derive(Deserialize)]
                #[serde(field_identifier)]
                #[allow(non_camel_case_types)]
                enum Key {
                    $(#[serde(rename = $key)] $field,)*
                    #[serde(other)]
                    Other,
                }

                let mut fields = Self::default();
                let mut empty = true;
                while let Some(key) = map.next_key::<Key>()? {
                    empty = false;
                    match key {
                        $(Key::$field => fields.$field = map.next_value()?,)*
                        Key::Other => {
                            map.next_value::<Skip>()?;
                        }
                    }
                }
                Ok((fields, empty))
            }
        }
    };
}

wire_object! {
    /// One entry of an activity feed, in either wire format (legacy and v4).
    Entry {
        /// `action`.
        action: Leaf = "action",
        /// `deviceID`.
        device_id: Leaf = "deviceID",
        /// `deviceName`.
        device_name: Leaf = "deviceName",
        /// `deviceType`.
        device_type: Leaf = "deviceType",
        /// `id` (v4).
        id: Leaf = "id",
        /// `dateTime` (legacy).
        date_time: Leaf = "dateTime",
        /// `timestamp` (v4).
        timestamp: Leaf = "timestamp",
        /// `icon` (v4).
        icon: Leaf = "icon",
        /// `attachment`.
        attachment: Leaf = "attachment",
        /// `entities` (legacy).
        entities: Node<Entities> = "entities",
        /// `callingUser` (legacy).
        calling_user: Node<User> = "callingUser",
        /// `user` (v4).
        user: Node<User> = "user",
        /// `info`.
        info: Node<Info> = "info",
        /// `doorbell`.
        doorbell: Node<Doorbell> = "doorbell",
    }
}

wire_object! {
    /// `entities` of a legacy entry.
    Entities {
        /// `house`.
        house: Leaf = "house",
        /// `activity`.
        activity: Leaf = "activity",
    }
}

wire_object! {
    /// The calling user (`callingUser`, v4 `user`).
    User {
        /// `FirstName`.
        first_name: Leaf = "FirstName",
        /// `LastName`.
        last_name: Leaf = "LastName",
        /// `UserID`.
        user_id: Leaf = "UserID",
        /// `imageInfo`.
        image_info: Node<Images> = "imageInfo",
        /// `original`, when there is no `imageInfo`.
        original: Node<Image> = "original",
        /// `thumbnail`, when there is no `imageInfo`.
        thumbnail: Node<Image> = "thumbnail",
    }
}

wire_object! {
    /// A user's `imageInfo`.
    Images {
        /// `original`.
        original: Node<Image> = "original",
        /// `thumbnail`.
        thumbnail: Node<Image> = "thumbnail",
    }
}

wire_object! {
    /// An image object.
    Image {
        /// `secure_url`.
        secure_url: Leaf = "secure_url",
        /// `created_at`.
        created_at: Leaf = "created_at",
    }
}

wire_object! {
    /// `info` of an entry.
    Info {
        /// `remote`.
        remote: Leaf = "remote",
        /// `keypad`.
        keypad: Leaf = "keypad",
        /// `manual`.
        manual: Leaf = "manual",
        /// `tag`.
        tag: Leaf = "tag",
        /// `image`.
        image: Node<Image> = "image",
        /// `attachment`.
        attachment: Leaf = "attachment",
        /// `started`.
        started: Leaf = "started",
        /// `ended`.
        ended: Leaf = "ended",
    }
}

wire_object! {
    /// `doorbell` of a doorbell entry.
    Doorbell {
        /// `contentToken`.
        content_token: Leaf = "contentToken",
    }
}
