//! Alarm systems (Yale Home and Yale Global brands only).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::de::{lenient_string, truthy_flag, wire_string_impls};

/// An alarm system: one element of `GET /users/alarms/mine` (Yale Home and Yale Global
/// brands only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "AlarmWire")]
pub struct Alarm {
    device_id: Option<String>,
    device_name: String,
    house_id: String,
    pubsub_channel: Option<String>,
    serial_number: Option<String>,
    status: Value,
    area_ids: Vec<Value>,
}

impl Alarm {
    /// The alarm's id (`alarmID`), if sent.
    pub fn device_id(&self) -> Option<&str> {
        self.device_id.as_deref()
    }

    /// The alarm's name (`location`).
    pub fn device_name(&self) -> &str {
        &self.device_name
    }

    /// The house the alarm belongs to (`houseID`).
    pub fn house_id(&self) -> &str {
        &self.house_id
    }

    /// The push channel of the alarm (`pubsubChannel`).
    pub fn pubsub_channel(&self) -> Option<&str> {
        self.pubsub_channel.as_deref()
    }

    /// Serial number (`serialNumber`).
    pub fn serial_number(&self) -> Option<&str> {
        self.serial_number.as_deref()
    }

    /// The alarm's status (`status`), as sent: its shape has not been recorded.
    pub fn status(&self) -> &Value {
        &self.status
    }

    /// The alarm's areas (`areaIDs`), as sent; arming sends them back unchanged.
    pub fn area_ids(&self) -> &[Value] {
        &self.area_ids
    }
}

#[derive(Deserialize)]
struct AlarmWire {
    #[serde(rename = "alarmID", default, deserialize_with = "lenient_string")]
    device_id: Option<String>,
    location: String,
    #[serde(rename = "houseID")]
    house_id: String,
    // Required keys whose values are read leniently.
    #[serde(rename = "pubsubChannel", deserialize_with = "lenient_string")]
    pubsub_channel: Option<String>,
    #[serde(rename = "serialNumber", deserialize_with = "lenient_string")]
    serial_number: Option<String>,
    status: Value,
    #[serde(rename = "areaIDs")]
    area_ids: Vec<Value>,
}

impl From<AlarmWire> for Alarm {
    fn from(wire: AlarmWire) -> Self {
        Alarm {
            device_id: wire.device_id,
            device_name: wire.location,
            house_id: wire.house_id,
            pubsub_channel: wire.pubsub_channel,
            serial_number: wire.serial_number,
            status: wire.status,
            area_ids: wire.area_ids,
        }
    }
}

/// The response of `GET /users/alarms/mine`: an array of [`Alarm`]s.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AlarmList(Vec<Alarm>);

impl AlarmList {
    /// The alarms, in the server's order.
    pub fn into_vec(self) -> Vec<Alarm> {
        self.0
    }

    /// The alarms as a slice.
    pub fn as_slice(&self) -> &[Alarm] {
        &self.0
    }
}

/// A device attached to an alarm system (a sensor, keypad or siren): one element of
/// `GET /alarms/{alarm_id}/devices`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "AlarmDeviceWire")]
pub struct AlarmDevice {
    device_id: String,
    device_name: String,
    alarm_id: String,
    serial_number: Option<String>,
    firmware_version: Option<String>,
    model: Option<String>,
    pubsub_channel: Option<String>,
    low_battery: bool,
    online: bool,
    contact_open: bool,
    fault: bool,
    tamper_open: bool,
}

impl AlarmDevice {
    /// The device's id (`_id`).
    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    /// The device's name (`name`).
    pub fn device_name(&self) -> &str {
        &self.device_name
    }

    /// The alarm the device belongs to (`alarmID`).
    pub fn alarm_id(&self) -> &str {
        &self.alarm_id
    }

    /// Serial number (`serialNumber`).
    pub fn serial_number(&self) -> Option<&str> {
        self.serial_number.as_deref()
    }

    /// Firmware version (`status.firmwareVersion`).
    pub fn firmware_version(&self) -> Option<&str> {
        self.firmware_version.as_deref()
    }

    /// Device type (`type`).
    pub fn model(&self) -> Option<&str> {
        self.model.as_deref()
    }

    /// The push channel of the device (`pubsubChannel`).
    pub fn pubsub_channel(&self) -> Option<&str> {
        self.pubsub_channel.as_deref()
    }

    /// An approximate battery charge: 10 when `status.lowBattery` is set, else 100.
    pub fn battery_level(&self) -> u8 {
        if self.low_battery { 10 } else { 100 }
    }

    /// Whether the device is online (`status.online`, default false).
    pub fn is_online(&self) -> bool {
        self.online
    }

    /// Whether a contact sensor reports open (`status.contactOpen`, default false).
    pub fn is_contact_open(&self) -> bool {
        self.contact_open
    }

    /// Whether the device reports a fault (`status.fault`, default false).
    pub fn has_fault(&self) -> bool {
        self.fault
    }

    /// Whether the device's tamper switch is open (`status.tamperOpen`, default false).
    pub fn is_tamper_open(&self) -> bool {
        self.tamper_open
    }
}

#[derive(Deserialize)]
struct AlarmDeviceWire {
    #[serde(rename = "_id")]
    device_id: String,
    name: String,
    #[serde(rename = "alarmID")]
    alarm_id: String,
    // Required keys whose values are read leniently.
    #[serde(rename = "serialNumber", deserialize_with = "lenient_string")]
    serial_number: Option<String>,
    #[serde(rename = "type", deserialize_with = "lenient_string")]
    model: Option<String>,
    status: AlarmDeviceStatusWire,
    #[serde(rename = "pubsubChannel", default, deserialize_with = "lenient_string")]
    pubsub_channel: Option<String>,
}

#[derive(Deserialize)]
struct AlarmDeviceStatusWire {
    #[serde(rename = "firmwareVersion", deserialize_with = "lenient_string")]
    firmware_version: Option<String>,
    #[serde(rename = "lowBattery", default, deserialize_with = "truthy_flag")]
    low_battery: bool,
    #[serde(default, deserialize_with = "truthy_flag")]
    online: bool,
    #[serde(rename = "contactOpen", default, deserialize_with = "truthy_flag")]
    contact_open: bool,
    #[serde(default, deserialize_with = "truthy_flag")]
    fault: bool,
    #[serde(rename = "tamperOpen", default, deserialize_with = "truthy_flag")]
    tamper_open: bool,
}

impl From<AlarmDeviceWire> for AlarmDevice {
    fn from(wire: AlarmDeviceWire) -> Self {
        AlarmDevice {
            device_id: wire.device_id,
            device_name: wire.name,
            alarm_id: wire.alarm_id,
            serial_number: wire.serial_number,
            firmware_version: wire.status.firmware_version,
            model: wire.model,
            pubsub_channel: wire.pubsub_channel,
            low_battery: wire.status.low_battery,
            online: wire.status.online,
            contact_open: wire.status.contact_open,
            fault: wire.status.fault,
            tamper_open: wire.status.tamper_open,
        }
    }
}

/// The response of `GET /alarms/{alarm_id}/devices`: an array of [`AlarmDevice`]s.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AlarmDeviceList(Vec<AlarmDevice>);

impl AlarmDeviceList {
    /// The devices, in the server's order.
    pub fn into_vec(self) -> Vec<AlarmDevice> {
        self.0
    }

    /// The devices as a slice.
    pub fn as_slice(&self) -> &[AlarmDevice] {
        &self.0
    }
}

/// The state to put an alarm in: the `{arm_state}` path segment of
/// `PUT /alarms/{alarm_id}/state/{arm_state}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ArmState {
    /// Armed, nobody home (`FULL_ARM`).
    Away,
    /// Partly armed, someone home (`PARTIAL_ARM`).
    Home,
    /// Disarmed (`DISARM`).
    Disarm,
    /// A state this library does not know, kept as sent.
    Other(String),
}

impl ArmState {
    /// The wire value: `FULL_ARM`, `PARTIAL_ARM`, `DISARM`, or the raw value of
    /// [`ArmState::Other`].
    pub fn as_str(&self) -> &str {
        match self {
            ArmState::Away => "FULL_ARM",
            ArmState::Home => "PARTIAL_ARM",
            ArmState::Disarm => "DISARM",
            ArmState::Other(raw) => raw,
        }
    }
}

impl From<&str> for ArmState {
    fn from(value: &str) -> Self {
        match value {
            "FULL_ARM" => ArmState::Away,
            "PARTIAL_ARM" => ArmState::Home,
            "DISARM" => ArmState::Disarm,
            other => ArmState::Other(other.to_owned()),
        }
    }
}

wire_string_impls!(ArmState);

impl<'de> Deserialize<'de> for ArmState {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        Ok(ArmState::from(value.as_str()))
    }
}
