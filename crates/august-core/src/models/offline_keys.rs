//! The offline (Bluetooth) keys of a lock detail.

use std::fmt;

use serde::{Serialize, Serializer};
use serde_json::{Value, json};

use super::raw::RawJson;

/// A lock's offline keys (`OfflineKeys` of a lock detail): the Bluetooth credentials the apps
/// use without the cloud. Kept as sent; only the first loaded entry's `key` and `slot` are
/// read. The keys are secrets: `Debug` and `Serialize` show the slots, never a key.
///
/// ```
/// let detail: august_core::LockDetail = serde_json::from_value(serde_json::json!({
///     "LockID": "L1", "LockName": "Front", "HouseID": "H1", "SerialNumber": "S",
///     "currentFirmwareVersion": "1", "battery": 0.5,
///     "OfflineKeys": {"loaded": [{"key": "0123abcd", "slot": 1, "UserID": "u"}], "deleted": []},
/// }))?;
/// assert_eq!(detail.offline_key(), Some("0123abcd"));
/// assert_eq!(detail.offline_slot(), Some(1));
/// assert!(!format!("{detail:?}").contains("0123abcd"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, PartialEq)]
pub struct OfflineKeys {
    raw: RawJson,
}

impl OfflineKeys {
    /// Keeps `raw`, which the caller has seen to be an object.
    pub(crate) fn from_object(raw: RawJson) -> Self {
        OfflineKeys { raw }
    }

    fn loaded(&self) -> &[Value] {
        self.raw
            .value()
            .get("loaded")
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }

    /// The first loaded key (`loaded[0].key`), if a non-empty string.
    pub fn key(&self) -> Option<&str> {
        self.loaded()
            .first()?
            .get("key")?
            .as_str()
            .filter(|k| !k.is_empty())
    }

    /// The first loaded key's slot (`loaded[0].slot`).
    pub fn slot(&self) -> Option<i64> {
        self.loaded().first()?.get("slot")?.as_i64()
    }

    /// How many keys are loaded.
    pub fn loaded_count(&self) -> usize {
        self.loaded().len()
    }

    /// The whole object as sent, keys included (handle with care).
    pub fn raw(&self) -> &Value {
        self.raw.value()
    }
}

impl fmt::Debug for OfflineKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OfflineKeys")
            .field("loaded", &self.loaded_count())
            .field("slot", &self.slot())
            .field("key", &self.key().map(|_| "<redacted>"))
            .finish()
    }
}

impl Serialize for OfflineKeys {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        json!({
            "loaded": self.loaded_count(),
            "slot": self.slot(),
            "key": self.key().map(|_| "<redacted>"),
        })
        .serialize(serializer)
    }
}
