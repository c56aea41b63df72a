//! Device capabilities (`GET /devices/capabilities`), the lock / unlock / open intent mapping,
//! and the websocket subscriber of the `yale_global` push.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::models::LockDetail;

/// The answer of `GET /devices/capabilities`: what a device can do. Every key is optional;
/// unknown keys are kept.
///
/// ```
/// let caps: august_core::Capabilities =
///     serde_json::from_str(r#"{"lock": {"unlatch": true, "pinSlotMax": 250, "newKey": 1}}"#)?;
/// let lock = caps.lock().unwrap();
/// assert_eq!(lock.unlatch, Some(true));
/// assert_eq!(lock.pin_slot_max, Some(250));
/// assert!(lock.other.contains_key("newKey"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Capabilities {
    #[serde(default, deserialize_with = "lenient_lock")]
    lock: Option<LockCapabilities>,
    /// Every other top-level key, as sent.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

fn lenient_lock<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<LockCapabilities>, D::Error> {
    let value = Value::deserialize(d)?;
    Ok(match value {
        Value::Object(_) => serde_json::from_value(value).ok(),
        _ => None,
    })
}

impl Capabilities {
    /// The `lock` object, if the answer has one.
    pub fn lock(&self) -> Option<&LockCapabilities> {
        self.lock.as_ref()
    }

    /// Whether the lock can unlatch (open the door): `lock.unlatch`, false when the `lock`
    /// object has no `unlatch`; `None` when there is no `lock` object.
    pub fn unlatch_supported(&self) -> Option<bool> {
        self.lock.as_ref().map(|l| l.unlatch.unwrap_or(false))
    }
}

macro_rules! lock_caps {
    ($($(#[$doc:meta])* $field:ident: $ty:ty = $wire:literal,)*) => {
        /// The `lock` object of [`Capabilities`]: each field `None` when absent, `null` or of
        /// another type; unknown keys in [`other`](Self::other).
        #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
        #[non_exhaustive]
        pub struct LockCapabilities {
            $(
                $(#[$doc])*
                #[serde(rename = $wire, default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
                pub $field: Option<$ty>,
            )*
            /// Every other key, as sent.
            #[serde(flatten)]
            pub other: BTreeMap<String, Value>,
        }
    };
}

fn lenient<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    let value = Value::deserialize(d)?;
    if value.is_null() {
        return Ok(None);
    }
    Ok(serde_json::from_value(value).ok())
}

lock_caps! {
    /// `unlatch`: the lock can unlatch.
    unlatch: bool = "unlatch",
    /// `doorSense`: a door sensor.
    door_sense: bool = "doorSense",
    /// `batteryType`.
    battery_type: String = "batteryType",
    /// `bluetooth`.
    bluetooth: bool = "bluetooth",
    /// `integratedKeypad`.
    integrated_keypad: bool = "integratedKeypad",
    /// `hasIntegratedWiFi`.
    has_integrated_wifi: bool = "hasIntegratedWiFi",
    /// `standalone`.
    standalone: bool = "standalone",
    /// `concurrentBLE`.
    concurrent_ble: i64 = "concurrentBLE",
    /// `entryCodeSlots`.
    entry_code_slots: bool = "entryCodeSlots",
    /// `pinSlotMin`.
    pin_slot_min: i64 = "pinSlotMin",
    /// `pinSlotMax`.
    pin_slot_max: i64 = "pinSlotMax",
    /// `slotRange`, as sent.
    slot_range: Value = "slotRange",
    /// `supportsRFID`.
    supports_rfid: bool = "supportsRFID",
    /// `supportsRFIDLegacy`.
    supports_rfid_legacy: bool = "supportsRFIDLegacy",
    /// `supportsRFIDCredential`.
    supports_rfid_credential: bool = "supportsRFIDCredential",
    /// `supportsRFIDOnlyAccess`.
    supports_rfid_only_access: bool = "supportsRFIDOnlyAccess",
    /// `supportsRFIDWithCode`.
    supports_rfid_with_code: bool = "supportsRFIDWithCode",
    /// `supportsSecureMode`.
    supports_secure_mode: bool = "supportsSecureMode",
    /// `supportsSecureModeCodeDisable`.
    supports_secure_mode_code_disable: bool = "supportsSecureModeCodeDisable",
    /// `supportsSecureModeMobileControl`.
    supports_secure_mode_mobile_control: bool = "supportsSecureModeMobileControl",
    /// `supportsFingerprintCredential`.
    supports_fingerprint_credential: bool = "supportsFingerprintCredential",
    /// `supportsFingerprintOnlyAccess`.
    supports_fingerprint_only_access: bool = "supportsFingerprintOnlyAccess",
    /// `supportsDeliveryMode`.
    supports_delivery_mode: bool = "supportsDeliveryMode",
    /// `supportsSchedulePerUser`.
    supports_schedule_per_user: bool = "supportsSchedulePerUser",
    /// `scheduledSmartAlerts`.
    scheduled_smart_alerts: bool = "scheduledSmartAlerts",
    /// `hasMagnetometer`.
    has_magnetometer: bool = "hasMagnetometer",
    /// `batteryLifeMS`.
    battery_life_ms: i64 = "batteryLifeMS",
    /// `supportedPartners`.
    supported_partners: Vec<String> = "supportedPartners",
}

/// Whether a lock can unlatch: the capabilities' `lock.unlatch` when capabilities with a `lock`
/// object are known (false when it lacks `unlatch`), else the lock's `Type` 17 (Linus L2).
pub fn unlatch_supported(detail: &LockDetail, capabilities: Option<&Capabilities>) -> bool {
    match capabilities.and_then(Capabilities::unlatch_supported) {
        Some(known) => known,
        None => detail.lock_type() == Some(17),
    }
}

/// What the caller wants the lock to do, for [`Api::operate_intent`](crate::Api::operate_intent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LockIntent {
    /// Lock.
    Lock,
    /// Unlock without opening the door.
    Unlock,
    /// Open the door (unlatch).
    Open,
}

/// Which remote operation an intent becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WireOperation {
    /// `PUT /remoteoperate/{id}/lock`.
    Lock,
    /// `PUT /remoteoperate/{id}/unlock`.
    Unlock,
    /// `PUT /remoteoperate/{id}/unlatch`.
    Unlatch,
}

impl WireOperation {
    /// The path segment: `lock`, `unlock` or `unlatch`.
    pub const fn as_str(self) -> &'static str {
        match self {
            WireOperation::Lock => "lock",
            WireOperation::Unlock => "unlock",
            WireOperation::Unlatch => "unlatch",
        }
    }
}

/// The mapping of intents to operations.
///
/// On locks that can unlatch, the service's `unlock` opens the door and `unlatch` only
/// unlocks (reported for the Linus L2), so with `swap_for_unlatch` set (the default) `Unlock`
/// sends `unlatch` and `Open` sends `unlock` on those locks. Whether this holds for every lock
/// that can unlatch is not established: turn the swap off to send the operation named after
/// the intent. Either way, test on your lock first: a wrong mapping opens the door.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IntentMapping {
    /// Swap unlock and unlatch on locks that can unlatch. Defaults to true.
    pub swap_for_unlatch: bool,
}

impl Default for IntentMapping {
    fn default() -> Self {
        IntentMapping {
            swap_for_unlatch: true,
        }
    }
}

impl IntentMapping {
    /// The operation an intent becomes on a lock that can (or cannot) unlatch.
    ///
    /// ```
    /// use august_core::{IntentMapping, LockIntent, WireOperation};
    ///
    /// let m = IntentMapping::default();
    /// assert_eq!(m.operation(LockIntent::Unlock, false), WireOperation::Unlock);
    /// assert_eq!(m.operation(LockIntent::Open, false), WireOperation::Unlatch);
    /// assert_eq!(m.operation(LockIntent::Unlock, true), WireOperation::Unlatch);
    /// assert_eq!(m.operation(LockIntent::Open, true), WireOperation::Unlock);
    /// let plain = IntentMapping { swap_for_unlatch: false };
    /// assert_eq!(plain.operation(LockIntent::Unlock, true), WireOperation::Unlock);
    /// ```
    pub fn operation(self, intent: LockIntent, unlatch_supported: bool) -> WireOperation {
        let swap = self.swap_for_unlatch && unlatch_supported;
        match (intent, swap) {
            (LockIntent::Lock, _) => WireOperation::Lock,
            (LockIntent::Unlock, false) | (LockIntent::Open, true) => WireOperation::Unlock,
            (LockIntent::Open, false) | (LockIntent::Unlock, true) => WireOperation::Unlatch,
        }
    }
}

/// The answer of `POST /websocket/subscribers`.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct WebsocketSubscriber {
    #[serde(rename = "subscriberID")]
    subscriber_id: String,
    /// Every other key, as sent.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl WebsocketSubscriber {
    /// The subscriber id (`subscriberID`); it goes into the websocket URL.
    pub fn subscriber_id(&self) -> &str {
        &self.subscriber_id
    }
}

impl std::fmt::Debug for WebsocketSubscriber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The id grants the push feed of the account: not shown.
        f.debug_struct("WebsocketSubscriber")
            .field("subscriber_id", &"<redacted>")
            .finish_non_exhaustive()
    }
}
