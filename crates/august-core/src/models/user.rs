//! Users with access to a lock.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::de::{lenient_object, lenient_string, string_only, strings_of_array};
use super::raw::{KeepsRaw, RawJson, impl_deserialize_keeping_raw};

/// A user with access to a lock: one entry of the lock detail's `users` map, keyed by the
/// user's id (see [`LockDetail::users`](crate::LockDetail::users)).
///
/// Every field is optional on the wire, so a user entry never fails a lock detail.
///
/// The account's own profile (`GET /users/me`) has no model; it is returned as raw JSON.
///
/// ```
/// # fn main() -> Result<(), serde_json::Error> {
/// let user: august_core::User = serde_json::from_str(
///     r#"{"FirstName": "Foo", "LastName": "Bar", "UserType": "superuser",
///         "imageInfo": {"thumbnail": {"secure_url": "https://x/t.jpg"}}}"#,
/// )?;
/// assert_eq!(user.first_name(), Some("Foo"));
/// assert_eq!(user.thumbnail_url(), Some("https://x/t.jpg"));
/// assert_eq!(user.image_url(), None);
/// assert_eq!(user.raw()["imageInfo"]["thumbnail"]["secure_url"], "https://x/t.jpg");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    first_name: Option<String>,
    last_name: Option<String>,
    user_type: Option<String>,
    image_url: Option<String>,
    thumbnail_url: Option<String>,
    identifiers: Vec<String>,
    #[serde(skip)]
    raw: RawJson,
}

impl_deserialize_keeping_raw!(User);

impl User {
    /// First name (`FirstName`).
    pub fn first_name(&self) -> Option<&str> {
        self.first_name.as_deref()
    }

    /// Last name (`LastName`).
    pub fn last_name(&self) -> Option<&str> {
        self.last_name.as_deref()
    }

    /// The user's role on the lock (`UserType`), e.g. `superuser` or `user`.
    pub fn user_type(&self) -> Option<&str> {
        self.user_type.as_deref()
    }

    /// Profile picture (`imageInfo.original.secure_url`).
    pub fn image_url(&self) -> Option<&str> {
        self.image_url.as_deref()
    }

    /// Profile picture thumbnail (`imageInfo.thumbnail.secure_url`).
    pub fn thumbnail_url(&self) -> Option<&str> {
        self.thumbnail_url.as_deref()
    }

    /// Login identifiers such as `email:someone@example.com` or `phone:+15555550100`.
    pub fn identifiers(&self) -> &[String] {
        &self.identifiers
    }

    /// The whole entry as sent, fields this model does not name included. A user of a lock
    /// detail reads it from the detail's answer, which it shares with the detail (a clone
    /// keeps that text alive); `Null` when that answer cannot be read as a `Value` (see
    /// [`LockDetail::raw`](crate::LockDetail::raw)).
    pub fn raw(&self) -> &Value {
        self.raw.value()
    }

    /// Gives the entry its JSON: its place in the lock detail's answer (see
    /// [`keyed_models`](super::raw::keyed_models), which gives it none).
    pub(crate) fn set_raw(&mut self, raw: RawJson) {
        self.raw = raw;
    }
}

#[derive(Deserialize)]
pub(crate) struct UserWire {
    #[serde(rename = "FirstName", default, deserialize_with = "lenient_string")]
    first_name: Option<String>,
    #[serde(rename = "LastName", default, deserialize_with = "lenient_string")]
    last_name: Option<String>,
    #[serde(rename = "UserType", default, deserialize_with = "lenient_string")]
    user_type: Option<String>,
    #[serde(rename = "imageInfo", default, deserialize_with = "lenient_object")]
    image_info: Option<ImageInfoWire>,
    #[serde(default, deserialize_with = "strings_of_array")]
    identifiers: Vec<String>,
}

/// `imageInfo`: the pictures by size; only their `secure_url` is read.
#[derive(Deserialize)]
struct ImageInfoWire {
    #[serde(default, deserialize_with = "lenient_object")]
    original: Option<ImageWire>,
    #[serde(default, deserialize_with = "lenient_object")]
    thumbnail: Option<ImageWire>,
}

#[derive(Deserialize)]
struct ImageWire {
    #[serde(default, deserialize_with = "string_only")]
    secure_url: Option<String>,
}

impl KeepsRaw for User {
    type Wire = UserWire;

    fn from_wire(wire: UserWire, raw: RawJson) -> Self {
        let (original, thumbnail) = wire
            .image_info
            .map_or((None, None), |info| (info.original, info.thumbnail));
        let secure_url = |image: Option<ImageWire>| image.and_then(|image| image.secure_url);
        User {
            image_url: secure_url(original),
            thumbnail_url: secure_url(thumbnail),
            identifiers: wire.identifiers,
            first_name: wire.first_name,
            last_name: wire.last_name,
            user_type: wire.user_type,
            raw,
        }
    }
}
