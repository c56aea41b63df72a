//! Entry codes (PINs) of a lock.

use super::raw::{KeepsRaw, RawJson, impl_deserialize_keeping_raw};
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use super::datetime;
use super::de::{Redacted, null_as_empty, string_or_integer, truthy_flag};

/// An entry code of a lock: one element of the `loaded` array of `GET /locks/{lock_id}/pins`.
///
/// `Debug` never prints the code itself.
///
/// ```
/// # fn main() -> Result<(), serde_json::Error> {
/// let pins: august_core::PinList = serde_json::from_str(
///     r#"{"loaded": [{"_id": "P1", "lockID": "L1", "userID": "U1", "state": "in-use",
///         "pin": "012345", "slot": 646545456465161, "accessType": "always",
///         "firstName": "John", "lastName": "Doe", "unverified": false,
///         "createdAt": "2016-11-26T22:27:11.176Z", "updatedAt": "2017-11-23T00:42:19.470Z",
///         "loadedDate": "2017-12-10T03:12:55.563Z"}]}"#,
/// )?;
/// let pin = &pins.as_slice()[0];
/// assert_eq!(pin.pin(), "012345");
/// assert_eq!(pin.slot(), 646545456465161);
/// assert_eq!(pin.access_start_time(), None);
/// assert!(!format!("{pin:?}").contains("012345"));
/// # Ok(())
/// # }
/// ```
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct Pin {
    pin_id: String,
    lock_id: String,
    user_id: String,
    state: String,
    pin: String,
    slot: u64,
    access_type: String,
    first_name: String,
    last_name: String,
    unverified: bool,
    created_at: Option<DateTime<Utc>>,
    updated_at: Option<DateTime<Utc>>,
    loaded_date: Option<DateTime<Utc>>,
    access_start_time: Option<DateTime<Utc>>,
    access_end_time: Option<DateTime<Utc>>,
    access_times: Option<DateTime<Utc>>,
    access_times_raw: Option<String>,
    #[serde(skip)]
    raw: RawJson,
}

impl_deserialize_keeping_raw!(Pin);

impl Pin {
    /// The whole entry as sent, fields this model does not name included. It holds the code:
    /// treat it as a secret (`Debug` of the model never prints it).
    pub fn raw(&self) -> &Value {
        self.raw.value()
    }

    /// The PIN's id (`_id`).
    pub fn pin_id(&self) -> &str {
        &self.pin_id
    }

    /// The lock the PIN opens (`lockID`).
    pub fn lock_id(&self) -> &str {
        &self.lock_id
    }

    /// The user the PIN belongs to (`userID`).
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// The PIN's state (`state`), e.g. `in-use`.
    pub fn state(&self) -> &str {
        &self.state
    }

    /// The code itself (`pin`), with any leading zeros. A secret: `Debug` prints a
    /// placeholder instead.
    pub fn pin(&self) -> &str {
        &self.pin
    }

    /// The keypad slot (`slot`); may exceed 32 bits.
    pub fn slot(&self) -> u64 {
        self.slot
    }

    /// When the PIN works (`accessType`), e.g. `always` or `one-time`.
    pub fn access_type(&self) -> &str {
        &self.access_type
    }

    /// The user's first name (`firstName`).
    pub fn first_name(&self) -> &str {
        &self.first_name
    }

    /// The user's last name (`lastName`).
    pub fn last_name(&self) -> &str {
        &self.last_name
    }

    /// Whether the user is unverified (`unverified`).
    pub fn is_unverified(&self) -> bool {
        self.unverified
    }

    /// When the PIN was created (`createdAt`); `None` if the date is invalid.
    pub fn created_at(&self) -> Option<DateTime<Utc>> {
        self.created_at
    }

    /// When the PIN was last changed (`updatedAt`); `None` if the date is invalid.
    pub fn updated_at(&self) -> Option<DateTime<Utc>> {
        self.updated_at
    }

    /// When the PIN was loaded into the lock (`loadedDate`); `None` if the date is invalid.
    pub fn loaded_date(&self) -> Option<DateTime<Utc>> {
        self.loaded_date
    }

    /// Start of the access window (`accessStartTime`); `None` when absent, empty or invalid.
    pub fn access_start_time(&self) -> Option<DateTime<Utc>> {
        self.access_start_time
    }

    /// End of the access window (`accessEndTime`); `None` when absent, empty or invalid.
    pub fn access_end_time(&self) -> Option<DateTime<Utc>> {
        self.access_end_time
    }

    /// `accessTimes` read as a date-time; `None` when absent, empty or not a date. See
    /// [`access_times_raw`](Self::access_times_raw) for the value as sent.
    pub fn access_times(&self) -> Option<DateTime<Utc>> {
        self.access_times
    }

    /// `accessTimes` as sent (a string as is, any other value as JSON text), since recurring
    /// PINs may carry something other than a date there.
    pub fn access_times_raw(&self) -> Option<&str> {
        self.access_times_raw.as_deref()
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pin")
            .field("pin_id", &self.pin_id)
            .field("lock_id", &self.lock_id)
            .field("user_id", &self.user_id)
            .field("state", &self.state)
            .field("pin", &Redacted)
            .field("slot", &self.slot)
            .field("access_type", &self.access_type)
            .field("first_name", &self.first_name)
            .field("last_name", &self.last_name)
            .field("unverified", &self.unverified)
            .field("created_at", &self.created_at)
            .field("updated_at", &self.updated_at)
            .field("loaded_date", &self.loaded_date)
            .field("access_start_time", &self.access_start_time)
            .field("access_end_time", &self.access_end_time)
            .field("access_times", &self.access_times)
            .field("access_times_raw", &self.access_times_raw)
            .finish()
    }
}

#[derive(Deserialize)]
pub(crate) struct PinWire {
    #[serde(rename = "_id")]
    pin_id: String,
    #[serde(rename = "lockID")]
    lock_id: String,
    #[serde(rename = "userID")]
    user_id: String,
    state: String,
    #[serde(deserialize_with = "string_or_integer")]
    pin: String,
    slot: u64,
    #[serde(rename = "accessType")]
    access_type: String,
    #[serde(rename = "firstName")]
    first_name: String,
    #[serde(rename = "lastName")]
    last_name: String,
    #[serde(deserialize_with = "truthy_flag")]
    unverified: bool,
    // Required keys whose values are read leniently.
    #[serde(rename = "createdAt", deserialize_with = "datetime::lenient")]
    created_at: Option<DateTime<Utc>>,
    #[serde(rename = "updatedAt", deserialize_with = "datetime::lenient")]
    updated_at: Option<DateTime<Utc>>,
    #[serde(rename = "loadedDate", deserialize_with = "datetime::lenient")]
    loaded_date: Option<DateTime<Utc>>,
    #[serde(
        rename = "accessStartTime",
        default,
        deserialize_with = "datetime::lenient"
    )]
    access_start_time: Option<DateTime<Utc>>,
    #[serde(
        rename = "accessEndTime",
        default,
        deserialize_with = "datetime::lenient"
    )]
    access_end_time: Option<DateTime<Utc>>,
    #[serde(rename = "accessTimes", default)]
    access_times: Value,
}

impl KeepsRaw for Pin {
    type Wire = PinWire;

    fn from_wire(wire: PinWire, raw: RawJson) -> Self {
        let access_times_raw = match &wire.access_times {
            Value::Null => None,
            Value::String(s) if s.is_empty() => None,
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        };
        Pin {
            access_times: datetime::from_json(&wire.access_times),
            access_times_raw,
            pin_id: wire.pin_id,
            lock_id: wire.lock_id,
            user_id: wire.user_id,
            state: wire.state,
            pin: wire.pin,
            slot: wire.slot,
            access_type: wire.access_type,
            first_name: wire.first_name,
            last_name: wire.last_name,
            unverified: wire.unverified,
            created_at: wire.created_at,
            updated_at: wire.updated_at,
            loaded_date: wire.loaded_date,
            access_start_time: wire.access_start_time,
            access_end_time: wire.access_end_time,
            raw,
        }
    }
}

/// The response of `GET /locks/{lock_id}/pins`: the PINs of its `loaded` array (empty when
/// absent or `null`); other keys are ignored. Serialises as a plain array of PINs.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct PinList {
    #[serde(default, deserialize_with = "null_as_empty")]
    loaded: Vec<Pin>,
}

impl Serialize for PinList {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.loaded.serialize(serializer)
    }
}

impl PinList {
    /// The PINs, in the server's order.
    pub fn into_vec(self) -> Vec<Pin> {
        self.loaded
    }

    /// The PINs as a slice.
    pub fn as_slice(&self) -> &[Pin] {
        &self.loaded
    }
}

impl IntoIterator for PinList {
    type Item = Pin;
    type IntoIter = std::vec::IntoIter<Pin>;

    fn into_iter(self) -> Self::IntoIter {
        self.loaded.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn debug_never_prints_the_code() {
        let pin: Pin = serde_json::from_value(json!({
            "_id": "P1", "lockID": "L1", "userID": "U1", "state": "in-use", "pin": "987654",
            "slot": 1, "accessType": "always", "firstName": "A", "lastName": "B",
            "unverified": false, "createdAt": "2016-11-26T22:27:11.176Z",
            "updatedAt": null, "loadedDate": "bad"
        }))
        .expect("pin parses");
        assert_eq!(pin.pin(), "987654");
        assert_eq!(
            format!("{pin:?}"),
            "Pin { pin_id: \"P1\", lock_id: \"L1\", user_id: \"U1\", state: \"in-use\", \
             pin: <redacted>, slot: 1, access_type: \"always\", first_name: \"A\", \
             last_name: \"B\", unverified: false, created_at: Some(2016-11-26T22:27:11.176Z), \
             updated_at: None, loaded_date: None, access_start_time: None, \
             access_end_time: None, access_times: None, access_times_raw: None }"
        );
    }

    #[test]
    fn pin_sent_as_a_number_is_kept_as_text() {
        let pin: Pin = serde_json::from_value(json!({
            "_id": "P1", "lockID": "L1", "userID": "U1", "state": "in-use", "pin": 4321,
            "slot": 1, "accessType": "always", "firstName": "A", "lastName": "B",
            "unverified": 0, "createdAt": "", "updatedAt": "", "loadedDate": "",
            "accessTimes": {"days": ["mon"]}
        }))
        .expect("pin parses");
        assert_eq!(pin.pin(), "4321");
        assert_eq!(pin.access_times(), None);
        assert_eq!(pin.access_times_raw(), Some(r#"{"days":["mon"]}"#));
    }
}
