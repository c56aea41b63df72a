//! Users with access to a lock.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::de::{lenient_string, str_at};

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
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "UserWire")]
pub struct User {
    first_name: Option<String>,
    last_name: Option<String>,
    user_type: Option<String>,
    image_url: Option<String>,
    thumbnail_url: Option<String>,
    identifiers: Vec<String>,
}

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
}

#[derive(Deserialize)]
struct UserWire {
    #[serde(rename = "FirstName", default, deserialize_with = "lenient_string")]
    first_name: Option<String>,
    #[serde(rename = "LastName", default, deserialize_with = "lenient_string")]
    last_name: Option<String>,
    #[serde(rename = "UserType", default, deserialize_with = "lenient_string")]
    user_type: Option<String>,
    #[serde(rename = "imageInfo", default)]
    image_info: Value,
    #[serde(default)]
    identifiers: Value,
}

impl From<UserWire> for User {
    fn from(wire: UserWire) -> Self {
        let secure_url = |key: &str| {
            wire.image_info
                .get(key)
                .and_then(|image| str_at(image, "secure_url"))
                .map(str::to_owned)
        };
        User {
            image_url: secure_url("original"),
            thumbnail_url: secure_url("thumbnail"),
            identifiers: wire
                .identifiers
                .as_array()
                .map(|ids| {
                    ids.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            first_name: wire.first_name,
            last_name: wire.last_name,
            user_type: wire.user_type,
        }
    }
}
