//! Locks: list entries, details, status values and the status endpoint's response.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use serde::de::{Deserializer, IgnoredAny};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use super::activity::{Activity, ActivityType, ApplyActivityError};
use super::bridge::{Bridge, BridgeWire};
use super::datetime;
use super::de::{keyed_list, lenient_i64, lenient_object, lenient_string, wire_string_impls};
use super::keypad::{Keypad, KeypadWire};
use super::raw::{KeepsRaw, RawJson, WithRaw, impl_deserialize_keeping_raw, keyed_models};
use super::user::User;

/// `UserType` of a user who may operate a lock.
const SUPERUSER: &str = "superuser";

/// Lock types (`Type`) of Doorman locks, which have a doorbell button.
const DOORBELL_LOCK_TYPES: [i64; 2] = [7, 10];

/// Lock types (`Type`) that can unlatch (Linus L2).
const UNLATCH_LOCK_TYPES: [i64; 1] = [17];

/// The state of a lock's bolt.
///
/// Parsed from the `status` strings of lock details, `GET /locks/{id}/status` and remote
/// operations. A string this library does not know is kept in [`LockStatus::Other`]; use
/// [`LockStatus::is_unknown`] to treat it like [`LockStatus::Unknown`].
///
/// ```
/// use august_core::LockStatus;
///
/// assert_eq!(LockStatus::from("kAugLockState_Locked"), LockStatus::Locked);
/// assert_eq!(LockStatus::from("kAugLockState_SecureMode"), LockStatus::Locked);
/// assert_eq!(LockStatus::from("not_advertising"), LockStatus::Other("not_advertising".into()));
/// assert!(LockStatus::from("not_advertising").is_unknown());
/// assert_eq!(LockStatus::from_wire(None), LockStatus::Unknown);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LockStatus {
    /// `locked`, `lock`, `kAugLockState_Locked`, `kAugLockState_SecureMode`.
    Locked,
    /// `unlocked`, `unlock`, `kAugLockState_Unlocked`.
    Unlocked,
    /// `unlatched`, `kAugLockState_Unlatched`.
    Unlatched,
    /// `kAugLockState_Locking` (or `locking`): the bolt is moving.
    Locking,
    /// `kAugLockState_Unlocking` (or `unlocking`): the bolt is moving.
    Unlocking,
    /// `kAugLockState_Unlatching` (or `unlatching`): the latch is moving.
    Unlatching,
    /// `kAugLockState_UnknownStaticPosition`, `FAILED_BRIDGE_ERROR_LOCK_JAMMED` (or `jammed`).
    Jammed,
    /// No status was sent, or `unknown`.
    Unknown,
    /// A status this library does not know (e.g. `not_advertising`), kept as sent.
    Other(String),
}

impl LockStatus {
    /// Maps a wire status; `None` (absent or `null`) is [`LockStatus::Unknown`].
    pub fn from_wire(value: Option<&str>) -> Self {
        let Some(value) = value else {
            return LockStatus::Unknown;
        };
        match value {
            "locked" | "lock" | "kAugLockState_Locked" | "kAugLockState_SecureMode" => {
                LockStatus::Locked
            }
            "unlatched" | "kAugLockState_Unlatched" => LockStatus::Unlatched,
            "unlocked" | "unlock" | "kAugLockState_Unlocked" => LockStatus::Unlocked,
            "unlatching" | "kAugLockState_Unlatching" => LockStatus::Unlatching,
            "unlocking" | "kAugLockState_Unlocking" => LockStatus::Unlocking,
            "locking" | "kAugLockState_Locking" => LockStatus::Locking,
            "jammed"
            | "kAugLockState_UnknownStaticPosition"
            | "FAILED_BRIDGE_ERROR_LOCK_JAMMED" => LockStatus::Jammed,
            "unknown" => LockStatus::Unknown,
            other => LockStatus::Other(other.to_owned()),
        }
    }

    /// The status name (`locked`, `unlocked`, `unlatched`, `locking`, `unlocking`,
    /// `unlatching`, `jammed`, `unknown`), or the raw value for [`LockStatus::Other`].
    pub fn as_str(&self) -> &str {
        match self {
            LockStatus::Locked => "locked",
            LockStatus::Unlocked => "unlocked",
            LockStatus::Unlatched => "unlatched",
            LockStatus::Locking => "locking",
            LockStatus::Unlocking => "unlocking",
            LockStatus::Unlatching => "unlatching",
            LockStatus::Jammed => "jammed",
            LockStatus::Unknown => "unknown",
            LockStatus::Other(raw) => raw,
        }
    }

    /// True for the moving states: [`Locking`](LockStatus::Locking),
    /// [`Unlocking`](LockStatus::Unlocking) and [`Unlatching`](LockStatus::Unlatching).
    pub fn is_moving(&self) -> bool {
        matches!(
            self,
            LockStatus::Locking | LockStatus::Unlocking | LockStatus::Unlatching
        )
    }

    /// True for [`LockStatus::Unknown`] and [`LockStatus::Other`].
    pub fn is_unknown(&self) -> bool {
        matches!(self, LockStatus::Unknown | LockStatus::Other(_))
    }
}

wire_string_impls!(LockStatus, from_wire);

/// The state of the door, as seen by the lock's door sensor ("DoorSense").
///
/// Follows yalexs: `init`, `kAugDoorState_Init`, an empty string and an absent value mean
/// the sensor is [`Disabled`](LockDoorStatus::Disabled). A string this library does not know
/// is kept in [`LockDoorStatus::Other`]; use [`LockDoorStatus::is_unknown`] to treat it like
/// [`LockDoorStatus::Unknown`].
///
/// ```
/// use august_core::LockDoorStatus;
///
/// assert_eq!(LockDoorStatus::from("kAugLockDoorState_Closed"), LockDoorStatus::Closed);
/// assert_eq!(LockDoorStatus::from("init"), LockDoorStatus::Disabled);
/// assert_eq!(LockDoorStatus::from_wire(None), LockDoorStatus::Disabled);
/// assert!(LockDoorStatus::from("not_advertising").is_unknown());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LockDoorStatus {
    /// `closed`, `kAugLockDoorState_Closed`, `kAugDoorState_Closed`.
    Closed,
    /// `open`, `kAugLockDoorState_Open`, `kAugDoorState_Open`.
    Open,
    /// The lock has no working door sensor: `init`, `kAugDoorState_Init`, `""`, an absent
    /// value (or `disabled`).
    Disabled,
    /// `unknown`, or no lock status at all.
    Unknown,
    /// A door state this library does not know (e.g. `not_advertising`), kept as sent.
    Other(String),
}

impl LockDoorStatus {
    /// Maps a wire door state; `None` (absent or `null`) is [`LockDoorStatus::Disabled`].
    pub fn from_wire(value: Option<&str>) -> Self {
        match value {
            Some("closed" | "kAugLockDoorState_Closed" | "kAugDoorState_Closed") => {
                LockDoorStatus::Closed
            }
            Some("open" | "kAugLockDoorState_Open" | "kAugDoorState_Open") => LockDoorStatus::Open,
            None | Some("" | "init" | "kAugDoorState_Init" | "disabled") => {
                LockDoorStatus::Disabled
            }
            Some("unknown") => LockDoorStatus::Unknown,
            Some(other) => LockDoorStatus::Other(other.to_owned()),
        }
    }

    /// The state name (`closed`, `open`, `disabled`, `unknown`), or the raw value for
    /// [`LockDoorStatus::Other`].
    pub fn as_str(&self) -> &str {
        match self {
            LockDoorStatus::Closed => "closed",
            LockDoorStatus::Open => "open",
            LockDoorStatus::Disabled => "disabled",
            LockDoorStatus::Unknown => "unknown",
            LockDoorStatus::Other(raw) => raw,
        }
    }

    /// True for [`LockDoorStatus::Unknown`] and [`LockDoorStatus::Other`].
    pub fn is_unknown(&self) -> bool {
        matches!(self, LockDoorStatus::Unknown | LockDoorStatus::Other(_))
    }
}

wire_string_impls!(LockDoorStatus, from_wire);

/// A lock the account can see: one entry of `GET /users/locks/mine`.
///
/// Obtained from a [`LockList`], which supplies the device id (the object key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lock {
    device_id: String,
    device_name: String,
    house_id: String,
    house_name: Option<String>,
    user_type: String,
    mac_address: Option<String>,
    #[serde(skip)]
    raw: RawJson,
}

impl Lock {
    /// The lock's id (the key of the list object).
    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    /// The lock's name (`LockName`).
    pub fn device_name(&self) -> &str {
        &self.device_name
    }

    /// The house the lock belongs to (`HouseID`).
    pub fn house_id(&self) -> &str {
        &self.house_id
    }

    /// The house's name (`HouseName`).
    pub fn house_name(&self) -> Option<&str> {
        self.house_name.as_deref()
    }

    /// The account's role on this lock (`UserType`), e.g. `superuser` or `user`.
    pub fn user_type(&self) -> &str {
        &self.user_type
    }

    /// Whether the account may operate the lock (`UserType` is `superuser`).
    pub fn is_operable(&self) -> bool {
        self.user_type == SUPERUSER
    }

    /// The lock's Bluetooth MAC address (`macAddress`), as sent.
    pub fn mac_address(&self) -> Option<&str> {
        self.mac_address.as_deref()
    }

    /// The whole entry as sent, fields this model does not name included.
    pub fn raw(&self) -> &Value {
        self.raw.value()
    }
}

#[derive(Deserialize)]
struct LockWire {
    #[serde(rename = "LockName")]
    device_name: String,
    #[serde(rename = "HouseID")]
    house_id: String,
    #[serde(rename = "UserType")]
    user_type: String,
    #[serde(rename = "HouseName", default, deserialize_with = "lenient_string")]
    house_name: Option<String>,
    #[serde(rename = "macAddress", default, deserialize_with = "lenient_string")]
    mac_address: Option<String>,
}

/// The response of `GET /users/locks/mine`: an object keyed by lock id, read into a list of
/// [`Lock`]s in the server's order.
///
/// ```
/// # fn main() -> Result<(), serde_json::Error> {
/// let locks: august_core::LockList = serde_json::from_str(
///     r#"{"L1": {"LockName": "Front", "HouseID": "H", "UserType": "superuser"},
///         "L2": {"LockName": "Back", "HouseID": "H", "UserType": "user"}}"#,
/// )?;
/// let operable = locks.into_operable();
/// assert_eq!(operable.len(), 1);
/// assert_eq!(operable[0].device_id(), "L1");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(transparent)]
pub struct LockList(Vec<Lock>);

impl LockList {
    /// The locks, in the server's order.
    pub fn into_vec(self) -> Vec<Lock> {
        self.0
    }

    /// The locks the account may operate ([`Lock::is_operable`]), in the server's order.
    pub fn into_operable(self) -> Vec<Lock> {
        self.0.into_iter().filter(Lock::is_operable).collect()
    }

    /// The locks as a slice.
    pub fn as_slice(&self) -> &[Lock] {
        &self.0
    }
}

impl IntoIterator for LockList {
    type Item = Lock;
    type IntoIter = std::vec::IntoIter<Lock>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'de> Deserialize<'de> for LockList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        keyed_list(
            deserializer,
            "an object of locks keyed by lock id",
            |device_id, WithRaw { wire, raw }: WithRaw<LockWire>| Lock {
                device_id,
                device_name: wire.device_name,
                house_id: wire.house_id,
                house_name: wire.house_name,
                user_type: wire.user_type,
                mac_address: wire.mac_address,
                raw,
            },
        )
        .map(LockList)
    }
}

/// Full details of a lock: the response of `GET /locks/{lock_id}`.
///
/// Lock and door state can be brought up to date with activities through
/// [`LockDetail::apply_activity`].
///
/// ```
/// # fn main() -> Result<(), serde_json::Error> {
/// use august_core::{LockDetail, LockDoorStatus, LockStatus};
///
/// let lock: LockDetail = serde_json::from_str(
///     r#"{"LockID": "L1", "LockName": "Front", "HouseID": "H", "SerialNumber": "S",
///         "currentFirmwareVersion": "1.0", "battery": 0.88,
///         "LockStatus": {"status": "kAugLockState_Locked", "doorState": "kAugDoorState_Open",
///                        "dateTime": "2017-12-10T04:48:30.272Z"}}"#,
/// )?;
/// assert_eq!(lock.battery_level(), Some(88));
/// assert_eq!(lock.lock_status(), &LockStatus::Locked);
/// assert_eq!(lock.door_state(), &LockDoorStatus::Open);
/// assert!(lock.has_doorsense());
/// assert!(!lock.bridge_is_online());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LockDetail {
    device_id: String,
    device_name: String,
    house_id: String,
    house_name: Option<String>,
    serial_number: String,
    firmware_version: String,
    model: Option<String>,
    battery_raw: f64,
    battery_level: Option<u8>,
    lock_status: LockStatus,
    lock_status_datetime: Option<DateTime<Utc>>,
    door_state: LockDoorStatus,
    door_state_datetime: Option<DateTime<Utc>>,
    doorsense: bool,
    bridge: Option<Bridge>,
    keypad: Option<Keypad>,
    lock_type: Option<i64>,
    mac_address: Option<String>,
    pubsub_channel: Option<String>,
    time_zone: Option<String>,
    users: Users,
    #[serde(skip_serializing_if = "Option::is_none")]
    offline_keys: Option<super::offline_keys::OfflineKeys>,
    #[serde(skip)]
    raw: RawJson,
}

impl_deserialize_keeping_raw!(LockDetail);

impl LockDetail {
    /// Reads a lock detail from the JSON of a `GET /locks/{id}` answer (what
    /// [`Api::get_lock_detail`](crate::Api::get_lock_detail) does with the body). One pass over
    /// the bytes: cheaper than `serde_json::from_slice`, which must first find where the
    /// document ends to keep it for [`raw`](Self::raw).
    ///
    /// ```
    /// let lock = august_core::LockDetail::from_json(
    ///     br#"{"LockID": "L1", "LockName": "Front", "HouseID": "H", "SerialNumber": "S",
    ///          "currentFirmwareVersion": "1.0", "battery": 0.5}"#,
    /// )?;
    /// assert_eq!(lock.device_id(), "L1");
    /// assert_eq!(lock.raw()["battery"], 0.5);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The JSON is malformed, is not one document, or lacks a field the model requires.
    pub fn from_json(json: &[u8]) -> Result<Self, serde_json::Error> {
        super::raw::from_json_keeping_raw(json)
    }

    /// The lock's id (`LockID`).
    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    /// The lock's name (`LockName`).
    pub fn device_name(&self) -> &str {
        &self.device_name
    }

    /// The house the lock belongs to (`HouseID`).
    pub fn house_id(&self) -> &str {
        &self.house_id
    }

    /// The house's name (`HouseName`).
    pub fn house_name(&self) -> Option<&str> {
        self.house_name.as_deref()
    }

    /// Serial number (`SerialNumber`).
    pub fn serial_number(&self) -> &str {
        &self.serial_number
    }

    /// Firmware version (`currentFirmwareVersion`).
    pub fn firmware_version(&self) -> &str {
        &self.firmware_version
    }

    /// Product model (`skuNumber`), e.g. `AUG-SL02-M02-S02`.
    pub fn model(&self) -> Option<&str> {
        self.model.as_deref()
    }

    /// The battery charge as sent (`battery`), a fraction of 1; offline locks send `-1`.
    pub fn battery_raw(&self) -> f64 {
        self.battery_raw
    }

    /// Battery charge in percent: `100 × battery` truncated toward zero (so `0.29` gives 28,
    /// as the recorded values expect), at most 100. `None` when the lock reports a negative
    /// value (offline locks send `-1`).
    pub fn battery_level(&self) -> Option<u8> {
        self.battery_level
    }

    /// The bolt's state (`LockStatus.status`); [`LockStatus::Unknown`] without a
    /// `LockStatus` object.
    pub fn lock_status(&self) -> &LockStatus {
        &self.lock_status
    }

    /// When [`lock_status`](Self::lock_status) was observed (`LockStatus.dateTime`, or the
    /// time of the last applied activity).
    pub fn lock_status_datetime(&self) -> Option<DateTime<Utc>> {
        self.lock_status_datetime
    }

    /// The door's state (`LockStatus.doorState`, mapped as in [`LockDoorStatus::from_wire`]);
    /// [`LockDoorStatus::Unknown`] without a `LockStatus` object.
    pub fn door_state(&self) -> &LockDoorStatus {
        &self.door_state
    }

    /// When [`door_state`](Self::door_state) was observed (`LockStatus.dateTime`, or the
    /// time of the last applied activity).
    pub fn door_state_datetime(&self) -> Option<DateTime<Utc>> {
        self.door_state_datetime
    }

    /// Whether the lock has a working door sensor: `LockStatus.doorState` is present and not
    /// [`Disabled`](LockDoorStatus::Disabled); becomes true once a door activity is applied.
    pub fn has_doorsense(&self) -> bool {
        self.doorsense
    }

    /// The Wi-Fi bridge (`Bridge`), if the lock has one.
    pub fn bridge(&self) -> Option<&Bridge> {
        self.bridge.as_ref()
    }

    /// Whether the lock can be reached through its bridge: false without a bridge, otherwise
    /// [`Bridge::is_online`].
    pub fn bridge_is_online(&self) -> bool {
        self.bridge.as_ref().is_some_and(Bridge::is_online)
    }

    /// The paired keypad (`keypad`), if any.
    pub fn keypad(&self) -> Option<&Keypad> {
        self.keypad.as_ref()
    }

    /// The hardware type code (`Type`).
    pub fn lock_type(&self) -> Option<i64> {
        self.lock_type
    }

    /// Whether the lock has a doorbell button (`Type` 7 or 10, the Doorman locks).
    pub fn has_doorbell(&self) -> bool {
        self.lock_type
            .is_some_and(|t| DOORBELL_LOCK_TYPES.contains(&t))
    }

    /// Whether the lock can unlatch (`Type` 17).
    pub fn supports_unlatch(&self) -> bool {
        self.lock_type
            .is_some_and(|t| UNLATCH_LOCK_TYPES.contains(&t))
    }

    /// The Bluetooth MAC address (`macAddress`), upper-cased; `None` when absent or empty.
    pub fn mac_address(&self) -> Option<&str> {
        self.mac_address.as_deref()
    }

    /// The lock's offline (Bluetooth) keys (`OfflineKeys`), when the service sends them.
    pub fn offline_keys(&self) -> Option<&super::offline_keys::OfflineKeys> {
        self.offline_keys.as_ref()
    }

    /// The first loaded offline key (`OfflineKeys.loaded[0].key`): a Bluetooth credential,
    /// a secret.
    pub fn offline_key(&self) -> Option<&str> {
        self.offline_keys.as_ref()?.key()
    }

    /// The slot of the first loaded offline key (`OfflineKeys.loaded[0].slot`).
    pub fn offline_slot(&self) -> Option<i64> {
        self.offline_keys.as_ref()?.slot()
    }

    /// The push channel of the lock (`pubsubChannel`).
    pub fn pubsub_channel(&self) -> Option<&str> {
        self.pubsub_channel.as_deref()
    }

    /// The lock's time zone name (`timeZone`), e.g. `America/Vancouver`.
    pub fn time_zone(&self) -> Option<&str> {
        self.time_zone.as_deref()
    }

    /// The users with access to the lock (`users`), keyed by user id. Use it to name the
    /// operator of an activity that carries only a [user id](Activity::user_id).
    ///
    /// Read from the answer on the first call (and kept): most callers of a lock detail want
    /// its state, not who may use it. An entry that is not an object, or does not fit
    /// [`User`], is left out; users that are not valid text (bytes that are not UTF-8, an id
    /// with a lone surrogate escape) give none.
    pub fn users(&self) -> &BTreeMap<String, User> {
        self.users.get()
    }

    /// One user with access to the lock, by user id.
    pub fn user(&self, user_id: &str) -> Option<&User> {
        self.users().get(user_id)
    }

    /// The whole answer as sent, fields this model does not name included (the offline keys
    /// too: treat it as a secret). Read into a `Value` on the first call; `Null` if the answer
    /// holds what a `Value` refuses but this model skips (a number beyond `f64`'s range in a
    /// field it does not read).
    ///
    /// ```
    /// # fn main() -> Result<(), serde_json::Error> {
    /// let lock: august_core::LockDetail = serde_json::from_str(
    ///     r#"{"LockID": "L1", "LockName": "Front", "HouseID": "H", "SerialNumber": "S",
    ///         "currentFirmwareVersion": "1.0", "battery": 0.88, "zWaveEnabled": false}"#,
    /// )?;
    /// assert_eq!(lock.raw()["zWaveEnabled"], false);
    /// # Ok(())
    /// # }
    /// ```
    pub fn raw(&self) -> &Value {
        self.raw.value()
    }

    /// Sets the lock status and when it was observed.
    pub fn set_lock_status(&mut self, status: LockStatus, at: DateTime<Utc>) {
        self.lock_status = status;
        self.lock_status_datetime = Some(at);
    }

    /// Sets the door state and when it was observed. A known door state (anything but
    /// [`Unknown`](LockDoorStatus::Unknown) or [`Other`](LockDoorStatus::Other)) also marks
    /// the lock as having a door sensor.
    pub fn set_door_state(&mut self, state: LockDoorStatus, at: DateTime<Utc>) {
        if !state.is_unknown() {
            self.doorsense = true;
        }
        self.door_state = state;
        self.door_state_datetime = Some(at);
    }

    /// Brings the lock up to date with an activity; returns whether it changed anything.
    ///
    /// * Lock operations set the lock status unless the current status is newer, or
    ///   equally new and not a moving state ([`LockStatus::is_moving`]).
    /// * Door operations set the door state unless the current one is at least as new.
    /// * Bridge operations set the bridge online or offline (false without a bridge).
    ///
    /// The activity's end time is the time compared and recorded. Only the device id is
    /// checked, not the house.
    ///
    /// # Errors
    ///
    /// [`ApplyActivityError::DeviceMismatch`] if the activity is for another device,
    /// [`ApplyActivityError::UnsupportedKind`] for a kind that says nothing about a lock
    /// (doorbell activities, unknown actions), [`ApplyActivityError::MissingTime`] if the
    /// activity has no time.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use august_core::{Activity, LockDetail, LockStatus};
    ///
    /// let mut lock: LockDetail = serde_json::from_str(
    ///     r#"{"LockID": "L1", "LockName": "Front", "HouseID": "H", "SerialNumber": "S",
    ///         "currentFirmwareVersion": "1.0", "battery": 0.88,
    ///         "LockStatus": {"status": "locked", "dateTime": "2020-01-01T00:00:00Z"}}"#,
    /// )?;
    /// let unlock: Activity = serde_json::from_str(
    ///     r#"{"action": "unlock", "deviceID": "L1", "dateTime": 1582007217000}"#,
    /// )?;
    /// assert!(lock.apply_activity(&unlock)?);
    /// assert_eq!(lock.lock_status(), &LockStatus::Unlocked);
    /// assert!(!lock.apply_activity(&unlock)?, "not newer than the current status");
    /// # Ok(())
    /// # }
    /// ```
    pub fn apply_activity(&mut self, activity: &Activity) -> Result<bool, ApplyActivityError> {
        if activity.device_id() != Some(self.device_id.as_str()) {
            return Err(ApplyActivityError::DeviceMismatch {
                device_id: self.device_id.clone(),
                activity_device_id: activity.device_id().map(str::to_owned),
            });
        }
        let kind = activity.kind();
        if !matches!(
            kind,
            ActivityType::LockOperation
                | ActivityType::DoorOperation
                | ActivityType::BridgeOperation
        ) {
            return Err(ApplyActivityError::UnsupportedKind { kind });
        }
        let at = activity.end_time().ok_or(ApplyActivityError::MissingTime)?;
        match kind {
            ActivityType::LockOperation => {
                let Some(status) = activity.lock_status() else {
                    return Ok(false);
                };
                if let Some(current) = self.lock_status_datetime
                    && (current > at || (current == at && !self.lock_status.is_moving()))
                {
                    return Ok(false);
                }
                self.set_lock_status(status, at);
                Ok(true)
            }
            ActivityType::DoorOperation => {
                let Some(state) = activity.door_state() else {
                    return Ok(false);
                };
                if self
                    .door_state_datetime
                    .is_some_and(|current| current >= at)
                {
                    return Ok(false);
                }
                self.set_door_state(state, at);
                Ok(true)
            }
            _ => {
                let (Some(bridge), Some(state)) = (self.bridge.as_mut(), activity.bridge_state())
                else {
                    return Ok(false);
                };
                bridge.set_state(state);
                Ok(true)
            }
        }
    }
}

/// How a lock detail's keypad is read: see [`OnePass`] and [`Checked`].
pub(crate) trait Pass {
    /// Whether the keypad is read where it stands.
    const IN_PLACE: bool;
}

/// The keypad is read where it stands in the document; its JSON is taken from the whole
/// answer's when asked for. Fails on a keypad that does not fit (with a message that does not
/// say where); the answer is then read again with [`Checked`].
pub(crate) struct OnePass;

/// The keypad is first skipped to find its text, then read from it: a keypad that does not
/// fit fails the lock detail with a message that names where.
pub(crate) struct Checked;

impl Pass for OnePass {
    const IN_PLACE: bool = true;
}

impl Pass for Checked {
    const IN_PLACE: bool = false;
}

/// `keypad`, its JSON not yet given.
struct KeypadField<P>(Option<KeypadWire>, PhantomData<P>);

impl<P> Default for KeypadField<P> {
    fn default() -> Self {
        KeypadField(None, PhantomData)
    }
}

impl<'de, P: Pass> Deserialize<'de> for KeypadField<P> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let keypad = if P::IN_PLACE {
            Option::<KeypadWire>::deserialize(deserializer)?
        } else {
            Option::<WithRaw<KeypadWire>>::deserialize(deserializer)?.map(|keypad| keypad.wire)
        };
        Ok(KeypadField(keypad, PhantomData))
    }
}

/// `OfflineKeys`: whether it is an object (only objects are kept; their JSON is taken from the
/// whole answer's). Read the same way by both passes: skipping it cannot fail on a value that
/// is JSON, so there is nothing for [`Checked`] to locate.
#[derive(Default)]
struct OfflineKeysField(bool);

impl<'de> Deserialize<'de> for OfflineKeysField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(OfflineKeysField(
            lenient_object::<_, IgnoredAny>(deserializer)?.is_some(),
        ))
    }
}

#[derive(Deserialize)]
#[serde(bound(deserialize = "P: Pass"))]
pub(crate) struct LockDetailWire<P: Pass> {
    #[serde(rename = "LockID")]
    device_id: String,
    #[serde(rename = "LockName")]
    device_name: String,
    #[serde(rename = "HouseID")]
    house_id: String,
    #[serde(rename = "SerialNumber")]
    serial_number: String,
    #[serde(rename = "currentFirmwareVersion")]
    firmware_version: String,
    battery: f64,
    #[serde(rename = "HouseName", default, deserialize_with = "lenient_string")]
    house_name: Option<String>,
    #[serde(rename = "skuNumber", default, deserialize_with = "lenient_string")]
    model: Option<String>,
    #[serde(rename = "Bridge", default)]
    bridge: Option<BridgeWire>,
    #[serde(default)]
    keypad: KeypadField<P>,
    #[serde(rename = "LockStatus", default)]
    lock_status: Option<DetailStatusWire>,
    #[serde(rename = "Type", default, deserialize_with = "lenient_i64")]
    lock_type: Option<i64>,
    #[serde(rename = "macAddress", default, deserialize_with = "lenient_string")]
    mac_address: Option<String>,
    #[serde(rename = "pubsubChannel", default, deserialize_with = "lenient_string")]
    pubsub_channel: Option<String>,
    #[serde(rename = "timeZone", default, deserialize_with = "lenient_string")]
    time_zone: Option<String>,
    /// Skipped: read when asked for ([`LockDetail::users`]); named so that a second `users`
    /// fails the answer, as a second of any field the model reads does.
    #[serde(default)]
    #[expect(dead_code, reason = "only its name is used")]
    users: IgnoredAny,
    #[serde(rename = "OfflineKeys", default)]
    offline_keys: OfflineKeysField,
}

/// A lock detail's wire struct, as read by [`OnePass`] or, when that fails, by [`Checked`]
/// (which is how `Deserialize` reads it, for the error).
pub(crate) enum DetailWire {
    OnePass(LockDetailWire<OnePass>),
    Checked(LockDetailWire<Checked>),
}

impl<'de> Deserialize<'de> for DetailWire {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        LockDetailWire::deserialize(deserializer).map(DetailWire::Checked)
    }
}

/// `LockStatus` of a lock detail, its values read straight into the model's (see
/// [`LockStatusWire`] for the status endpoint's, which keeps the strings).
#[derive(Deserialize)]
struct DetailStatusWire {
    #[serde(default = "no_status")]
    status: LockStatus,
    #[serde(rename = "doorState", default = "no_door_state")]
    door_state: LockDoorStatus,
    #[serde(rename = "dateTime", default, deserialize_with = "datetime::lenient")]
    date_time: Option<DateTime<Utc>>,
}

/// The status of a lock status without `status`.
fn no_status() -> LockStatus {
    LockStatus::from_wire(None)
}

/// The door state of a lock status without `doorState`.
fn no_door_state() -> LockDoorStatus {
    LockDoorStatus::from_wire(None)
}

#[derive(Deserialize)]
struct LockStatusWire {
    #[serde(default, deserialize_with = "lenient_string")]
    status: Option<String>,
    #[serde(rename = "doorState", default, deserialize_with = "lenient_string")]
    door_state: Option<String>,
    #[serde(rename = "dateTime", default, deserialize_with = "datetime::lenient")]
    date_time: Option<DateTime<Utc>>,
}

/// `text` in upper case (in place when it is ASCII, as a MAC address is).
fn uppercase(mut text: String) -> String {
    if text.is_ascii() {
        text.make_ascii_uppercase();
        text
    } else {
        text.to_uppercase()
    }
}

/// Battery percent from the lock's `battery` fraction: truncated, at most 100, `None` when
/// negative or not finite.
fn lock_battery_level(battery: f64) -> Option<u8> {
    if !battery.is_finite() || battery < 0.0 {
        return None;
    }
    // At most 100 after `min`, so the cast is exact.
    Some((battery * 100.0).trunc().min(100.0) as u8)
}

impl KeepsRaw for LockDetail {
    type Wire = DetailWire;

    fn read_wire(text: &str) -> serde_json::Result<DetailWire> {
        match serde_json::from_str(text) {
            Ok(wire) => Ok(DetailWire::OnePass(wire)),
            Err(_) => serde_json::from_str(text).map(DetailWire::Checked),
        }
    }

    fn from_wire(wire: DetailWire, raw: RawJson) -> Self {
        match wire {
            DetailWire::OnePass(wire) => LockDetail::build(wire, raw),
            DetailWire::Checked(wire) => LockDetail::build(wire, raw),
        }
    }
}

impl LockDetail {
    /// The model of a wire struct read from `raw`. The keypad and the offline keys keep their
    /// part of `raw`, which is kept once; the users are read from it when asked for.
    fn build<P: Pass>(wire: LockDetailWire<P>, raw: RawJson) -> Self {
        let raw = raw.into_shared();
        debug_assert!(
            raw.whole_text().is_some(),
            "the users are read from the text"
        );
        let (lock_status, door_state, date_time, doorsense) = match wire.lock_status {
            None => (LockStatus::Unknown, LockDoorStatus::Unknown, None, false),
            Some(status) => {
                let doorsense = status.door_state != LockDoorStatus::Disabled;
                (
                    status.status,
                    status.door_state,
                    status.date_time,
                    doorsense,
                )
            }
        };
        LockDetail {
            bridge: wire.bridge.map(|b| b.into_bridge(&wire.house_id)),
            keypad: wire.keypad.0.map(|keypad| {
                keypad.into_keypad(raw.field("keypad"), &wire.device_name, &wire.house_id)
            }),
            battery_level: lock_battery_level(wire.battery),
            battery_raw: wire.battery,
            device_id: wire.device_id,
            device_name: wire.device_name,
            house_id: wire.house_id,
            house_name: wire.house_name,
            serial_number: wire.serial_number,
            firmware_version: wire.firmware_version,
            model: wire.model,
            lock_status,
            lock_status_datetime: date_time,
            door_state,
            door_state_datetime: date_time,
            doorsense,
            lock_type: wire.lock_type,
            mac_address: wire
                .mac_address
                .filter(|mac| !mac.is_empty())
                .map(uppercase),
            pubsub_channel: wire.pubsub_channel,
            time_zone: wire.time_zone,
            users: Users {
                raw: raw.clone(),
                read: OnceLock::new(),
            },
            offline_keys: wire
                .offline_keys
                .0
                .then(|| super::offline_keys::OfflineKeys::from_object(raw.field("OfflineKeys"))),
            raw,
        }
    }
}

/// A lock detail's users, read from the detail's answer when first asked for.
#[derive(Clone)]
struct Users {
    /// The detail's whole answer.
    raw: RawJson,
    read: OnceLock<BTreeMap<String, User>>,
}

impl Users {
    fn get(&self) -> &BTreeMap<String, User> {
        self.read.get_or_init(|| read_users(&self.raw))
    }
}

/// The users of the lock detail whose answer is `raw`: each entry of its `users` object read
/// as a [`User`] (see [`keyed_models`]), keeping its part of the answer.
fn read_users(raw: &RawJson) -> BTreeMap<String, User> {
    #[derive(Deserialize)]
    struct UsersOf<'a> {
        #[serde(borrow, default)]
        users: Option<&'a RawValue>,
    }
    let users = raw
        .whole_text()
        .and_then(|text| serde_json::from_slice::<UsersOf<'_>>(text).ok())
        .and_then(|of| of.users);
    let Some(users) = users else {
        return BTreeMap::new();
    };
    let mut users: BTreeMap<String, User> =
        keyed_models(&mut serde_json::Deserializer::from_str(users.get())).unwrap_or_default();
    for (id, user) in &mut users {
        user.set_raw(raw.entry("users", id));
    }
    users
}

impl PartialEq for Users {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl fmt::Debug for Users {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.get().fmt(f)
    }
}

impl Serialize for Users {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.get().serialize(serializer)
    }
}

/// The response of `GET /locks/{lock_id}/status`: `{"status": ..., "doorState": ...}`,
/// either key may be absent.
///
/// ```
/// # fn main() -> Result<(), serde_json::Error> {
/// use august_core::{LockDoorStatus, LockStatus, LockStatusResponse};
///
/// let response: LockStatusResponse =
///     serde_json::from_str(r#"{"status": "kAugLockState_Locked"}"#)?;
/// assert_eq!(response.status(), &LockStatus::Locked);
/// assert_eq!(response.door_state(), &LockDoorStatus::Disabled);
/// assert_eq!(response.door_state_raw(), None);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "LockStatusWire")]
pub struct LockStatusResponse {
    status: LockStatus,
    door_state: LockDoorStatus,
    status_raw: Option<String>,
    door_state_raw: Option<String>,
    date_time: Option<DateTime<Utc>>,
}

impl LockStatusResponse {
    /// The lock status (`status`); [`LockStatus::Unknown`] when absent.
    pub fn status(&self) -> &LockStatus {
        &self.status
    }

    /// The door state (`doorState`); [`LockDoorStatus::Disabled`] when absent.
    pub fn door_state(&self) -> &LockDoorStatus {
        &self.door_state
    }

    /// The `status` string as sent.
    pub fn status_raw(&self) -> Option<&str> {
        self.status_raw.as_deref()
    }

    /// The `doorState` string as sent.
    pub fn door_state_raw(&self) -> Option<&str> {
        self.door_state_raw.as_deref()
    }

    /// When the status was observed (`dateTime`), if sent.
    pub fn date_time(&self) -> Option<DateTime<Utc>> {
        self.date_time
    }
}

impl From<LockStatusWire> for LockStatusResponse {
    fn from(wire: LockStatusWire) -> Self {
        LockStatusResponse {
            status: LockStatus::from_wire(wire.status.as_deref()),
            door_state: LockDoorStatus::from_wire(wire.door_state.as_deref()),
            status_raw: wire.status,
            door_state_raw: wire.door_state,
            date_time: wire.date_time,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{DetailWire, KeepsRaw, LockDetail, lock_battery_level};

    fn read(text: &str) -> DetailWire {
        LockDetail::read_wire(text).expect("reads")
    }

    /// The answers the service sends are read in one pass; the checked reading is only for
    /// answers it refuses.
    #[test]
    fn recorded_lock_details_are_read_in_one_pass() {
        for name in [
            "get_lock.online.json",
            "get_lock.offline.json",
            "get_lock.doorsense_init.json",
            "get_lock.online_with_doorsense.json",
        ] {
            let text = test_support::fixture!(name);
            assert!(matches!(read(&text), DetailWire::OnePass(_)), "{name}");
        }
    }

    fn detail(rest: &str) -> String {
        format!(
            r#"{{"LockID": "L", "LockName": "N", "HouseID": "H", "SerialNumber": "S",
                 "currentFirmwareVersion": "1", "battery": 0.5{rest}}}"#
        )
    }

    #[test]
    fn users_are_read_when_asked_for_and_entries_that_do_not_fit_are_left_out() {
        for (rest, kept) in [
            // A duplicate key in a user.
            (
                r#", "users": {"u1": {"FirstName": "A", "FirstName": "B"}, "u2": {}}"#,
                &["u2"][..],
            ),
            // A number beyond f64 in a user's field.
            (
                r#", "users": {"u1": {"LastName": 1e400}, "u2": {}}"#,
                &["u2"],
            ),
            // Entries that are not objects; a `users` that is not an object.
            (
                r#", "users": {"u1": "x", "u2": null, "u3": [1], "u4": {}}"#,
                &["u4"],
            ),
            (r#", "users": [1, 2]"#, &[]),
            (r#", "users": null"#, &[]),
            ("", &[]),
        ] {
            let text = detail(rest);
            // The users never send the rest of the answer to the checked reading.
            assert!(matches!(read(&text), DetailWire::OnePass(_)), "{rest}");
            let lock = LockDetail::from_json(text.as_bytes()).expect("reads");
            let ids: Vec<&str> = lock.users().keys().map(String::as_str).collect();
            assert_eq!(ids, kept, "{rest}");
        }
        // A second `users` fails the answer, as a second of any field the model reads does.
        let twice = detail(r#", "users": {}, "users": {}"#);
        assert!(LockDetail::from_json(twice.as_bytes()).is_err());
        // Users that are not valid text (a user id with a lone surrogate, bytes that are not
        // UTF-8) failed the whole answer when every answer read them; now the lock reads, with
        // no users.
        let mut not_utf8 = detail(r#", "users": {"u1": {"FirstName": "A?"}}"#).into_bytes();
        let at = not_utf8
            .iter()
            .position(|&b| b == b'?')
            .expect("placeholder");
        not_utf8[at] = 0xFF;
        for text in [
            detail(r#", "users": {"\udc00": {}, "u2": {}}"#).into_bytes(),
            not_utf8,
        ] {
            let lock = LockDetail::from_json(&text).expect("reads");
            assert_eq!(lock.device_id(), "L");
            assert!(lock.users().is_empty());
        }
    }

    #[test]
    fn users_not_yet_read_compare_print_serialize_and_clone_as_read_ones() {
        let text = test_support::fixture!("get_lock.online.json");
        let read_first = LockDetail::from_json(text.as_bytes()).expect("reads");
        assert_eq!(read_first.users().len(), 1);
        let fresh = || LockDetail::from_json(text.as_bytes()).expect("reads");
        assert_eq!(fresh(), read_first);
        assert_eq!(read_first, fresh());
        assert_eq!(format!("{:?}", fresh()), format!("{read_first:?}"));
        assert!(format!("{:?}", fresh()).contains(r#"first_name: Some("Foo")"#));
        let json = serde_json::to_value(fresh()).expect("serializes");
        assert_eq!(
            json["users"]["cccca94e-373e-aaaa-bbbb-333396827777"]["first_name"],
            "Foo"
        );
        let unread = fresh();
        let copy = unread.clone();
        assert_eq!(copy.users(), read_first.users());
        assert_eq!(unread.users(), read_first.users());
        // Each user keeps its part of the answer.
        let user = &copy.users()["cccca94e-373e-aaaa-bbbb-333396827777"];
        assert_eq!(user.raw()["LastName"], "Bar");
    }

    #[test]
    fn a_keypad_the_one_pass_refuses_is_read_again_checked() {
        // A keypad without a required key fails both readings, with the checked reading's
        // error (`tests/models.rs` shows where `Api` and serde name the place).
        let error = LockDetail::read_wire(&detail(r#", "keypad": {"_id": "K"}"#))
            .err()
            .expect("a keypad without its keys fails");
        assert!(
            error
                .to_string()
                .starts_with("missing field `serialNumber`"),
            "{error}"
        );
        for rest in [
            "",
            r#", "keypad": null"#,
            r#", "OfflineKeys": [], "keypad": null"#,
        ] {
            assert!(
                matches!(read(&detail(rest)), DetailWire::OnePass(_)),
                "{rest}"
            );
        }
    }

    #[test]
    fn battery_truncates_and_negative_is_unknown() {
        assert_eq!(lock_battery_level(0.88), Some(88));
        assert_eq!(lock_battery_level(0.922), Some(92));
        assert_eq!(lock_battery_level(0.29), Some(28));
        assert_eq!(lock_battery_level(0.57), Some(56));
        assert_eq!(lock_battery_level(1.0), Some(100));
        assert_eq!(lock_battery_level(1.7), Some(100));
        assert_eq!(lock_battery_level(0.0), Some(0));
        assert_eq!(lock_battery_level(-1.0), None);
        assert_eq!(lock_battery_level(-0.01), None);
        assert_eq!(lock_battery_level(f64::NAN), None);
    }
}
