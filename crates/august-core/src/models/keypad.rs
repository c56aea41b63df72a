//! The keypad paired with a lock.

use serde::{Deserialize, Serialize};

use super::de::{lenient_f64, lenient_string};
use super::raw::RawJson;

/// Model name reported for every keypad.
const KEYPAD_MODEL: &str = "AK-R1";

/// The keypad paired with a lock: the `keypad` object of a lock detail. Obtained from
/// [`LockDetail::keypad`](crate::LockDetail::keypad).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Keypad {
    device_id: String,
    device_name: String,
    house_id: String,
    serial_number: String,
    firmware_version: String,
    battery_level: Option<String>,
    battery_raw: Option<f64>,
    battery_percentage: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pubsub_channel: Option<String>,
    #[serde(skip)]
    raw: RawJson,
}

impl Keypad {
    /// The keypad's push channel (`pubsubChannel`), when the service sends one. The mobile
    /// apps' library never subscribes to it, and neither does the activity stream.
    pub fn pubsub_channel(&self) -> Option<&str> {
        self.pubsub_channel.as_deref()
    }

    /// The keypad's id (`_id`).
    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    /// The lock's name followed by ` Keypad`, e.g. `Front Door Lock Keypad`.
    pub fn device_name(&self) -> &str {
        &self.device_name
    }

    /// The house of the lock the keypad belongs to (the lock's `HouseID`).
    pub fn house_id(&self) -> &str {
        &self.house_id
    }

    /// Serial number (`serialNumber`).
    pub fn serial_number(&self) -> &str {
        &self.serial_number
    }

    /// Firmware version (`currentFirmwareVersion`).
    pub fn firmware_version(&self) -> &str {
        &self.firmware_version
    }

    /// Always `AK-R1`.
    pub fn model(&self) -> &'static str {
        KEYPAD_MODEL
    }

    /// The battery level as the server words it (`batteryLevel`): `Full`, `Medium`, `Low`,
    /// or localised text.
    pub fn battery_level(&self) -> Option<&str> {
        self.battery_level.as_deref()
    }

    /// The raw battery reading (`batteryRaw`), when the keypad reports one.
    pub fn battery_raw(&self) -> Option<f64> {
        self.battery_raw
    }

    /// Battery charge in percent. From `batteryRaw` when present
    /// (`(raw − 120) × 100 / 80`, clamped to 0–100 and truncated: 170 → 62); otherwise from
    /// the level text: `Full` → 100, `Medium` → 60, `Low` → 10, any other text → 0, no
    /// level → `None`.
    pub fn battery_percentage(&self) -> Option<u8> {
        self.battery_percentage
    }

    /// The whole `keypad` object as sent, fields this model does not name included. It is
    /// read from the lock detail's answer, which a keypad shares with its detail (a clone
    /// keeps that text alive); `Null` when that answer cannot be read as a `Value` (see
    /// [`LockDetail::raw`](crate::LockDetail::raw)).
    pub fn raw(&self) -> &serde_json::Value {
        self.raw.value()
    }
}

fn battery_percentage(raw: Option<f64>, level: Option<&str>) -> Option<u8> {
    if let Some(raw) = raw {
        // Clamped to 0..=100 first, so the cast is exact.
        return Some(((raw - 120.0) * 100.0 / 80.0).clamp(0.0, 100.0).trunc() as u8);
    }
    Some(match level? {
        "Full" => 100,
        "Medium" => 60,
        "Low" => 10,
        _ => 0,
    })
}

#[derive(Deserialize)]
pub(crate) struct KeypadWire {
    #[serde(rename = "_id")]
    device_id: String,
    #[serde(rename = "serialNumber")]
    serial_number: String,
    #[serde(rename = "currentFirmwareVersion")]
    firmware_version: String,
    // Required key whose value may be null.
    #[serde(rename = "batteryLevel", deserialize_with = "lenient_string")]
    battery_level: Option<String>,
    #[serde(rename = "batteryRaw", default, deserialize_with = "lenient_f64")]
    battery_raw: Option<f64>,
    #[serde(rename = "pubsubChannel", default, deserialize_with = "lenient_string")]
    pubsub_channel: Option<String>,
}

impl KeypadWire {
    pub(crate) fn into_keypad(self, raw: RawJson, lock_name: &str, house_id: &str) -> Keypad {
        Keypad {
            battery_percentage: battery_percentage(self.battery_raw, self.battery_level.as_deref()),
            device_id: self.device_id,
            // Not `format!`, whose machinery costs more than the rest of the keypad.
            device_name: [lock_name, " Keypad"].concat(),
            house_id: house_id.to_owned(),
            serial_number: self.serial_number,
            firmware_version: self.firmware_version,
            battery_level: self.battery_level,
            battery_raw: self.battery_raw,
            pubsub_channel: self.pubsub_channel,
            raw,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::battery_percentage;

    #[test]
    fn raw_reading_wins_over_the_level_text() {
        assert_eq!(battery_percentage(Some(170.0), Some("Medium")), Some(62));
        assert_eq!(battery_percentage(Some(120.0), Some("Full")), Some(0));
        assert_eq!(battery_percentage(Some(90.0), None), Some(0));
        assert_eq!(battery_percentage(Some(200.0), None), Some(100));
        assert_eq!(battery_percentage(Some(260.0), None), Some(100));
    }

    #[test]
    fn level_text() {
        assert_eq!(battery_percentage(None, Some("Full")), Some(100));
        assert_eq!(battery_percentage(None, Some("Medium")), Some(60));
        assert_eq!(battery_percentage(None, Some("Low")), Some(10));
        assert_eq!(battery_percentage(None, Some("Moyen")), Some(0));
        assert_eq!(battery_percentage(None, Some("")), Some(0));
        assert_eq!(battery_percentage(None, None), None);
    }
}
