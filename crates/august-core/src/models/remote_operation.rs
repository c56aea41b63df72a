//! Results of remote lock operations.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::activity::Activity;
use super::datetime;
use super::de::str_at;
use super::lock::{LockDoorStatus, LockStatus};

/// The response of `PUT /remoteoperate/{lock_id}/lock`, `/unlock` or `/unlatch`.
///
/// Two shapes are known: the full one (`status`, `doorState`, `info` with `lockID`, `action`
/// and `startTime`, …) and a short one (`status`, maybe `dateTime`). Parsing never fails; the
/// whole response is kept in [`raw`](Self::raw).
///
/// ```
/// # fn main() -> Result<(), serde_json::Error> {
/// use august_core::{ActivityType, LockDoorStatus, LockStatus, RemoteOperationResult};
///
/// let result: RemoteOperationResult = serde_json::from_str(
///     r#"{"status": "kAugLockState_Locked", "doorState": "kAugDoorState_Closed",
///         "info": {"lockID": "L1", "action": "lock", "startTime": "2020-02-19T19:44:54.371Z"}}"#,
/// )?;
/// assert_eq!(result.status(), &LockStatus::Locked);
/// assert_eq!(result.door_state(), &LockDoorStatus::Closed);
/// let activities = result.activities().expect("full shape");
/// assert_eq!(activities.len(), 2);
/// assert_eq!(activities[1].kind(), ActivityType::DoorOperation);
///
/// let short: RemoteOperationResult = serde_json::from_str(r#"{"status": "unlocked"}"#)?;
/// assert_eq!(short.status(), &LockStatus::Unlocked);
/// assert!(short.activities().is_none());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "Value")]
pub struct RemoteOperationResult {
    status: LockStatus,
    door_state: LockDoorStatus,
    raw: Value,
}

impl RemoteOperationResult {
    /// The lock status after the operation (`status`); [`LockStatus::Unknown`] when absent.
    pub fn status(&self) -> &LockStatus {
        &self.status
    }

    /// The door state after the operation (`doorState`); [`LockDoorStatus::Disabled`] when
    /// absent.
    pub fn door_state(&self) -> &LockDoorStatus {
        &self.door_state
    }

    /// The `status` string as sent.
    pub fn status_raw(&self) -> Option<&str> {
        str_at(&self.raw, "status")
    }

    /// The `doorState` string as sent.
    pub fn door_state_raw(&self) -> Option<&str> {
        str_at(&self.raw, "doorState")
    }

    /// The lock the server operated (`info.lockID`).
    pub fn lock_id(&self) -> Option<&str> {
        self.info().and_then(|info| str_at(info, "lockID"))
    }

    /// The operation performed (`info.action`): `lock`, `unlock` or `unlatch`.
    pub fn action(&self) -> Option<&str> {
        self.info().and_then(|info| str_at(info, "action"))
    }

    /// When the operation started (`info.startTime`).
    pub fn start_time(&self) -> Option<DateTime<Utc>> {
        self.info()
            .and_then(|info| info.get("startTime"))
            .and_then(datetime::from_json)
    }

    /// When the status was observed (`dateTime`, short shape only).
    pub fn date_time(&self) -> Option<DateTime<Utc>> {
        self.raw.get("dateTime").and_then(datetime::from_json)
    }

    /// The `info` object as sent.
    pub fn info(&self) -> Option<&Value> {
        self.raw.get("info").filter(|info| info.is_object())
    }

    /// The whole response as sent.
    pub fn raw(&self) -> &Value {
        &self.raw
    }

    /// The activities the operation implies, to bring a [`LockDetail`] up to date with
    /// [`LockDetail::apply_activity`]: a lock operation with `info.action` for
    /// `info.lockID` at `info.startTime`, then a door operation (`dooropen`/`doorclosed`)
    /// at the same time when `doorState` is open or closed.
    ///
    /// The device id is `info.lockID`, which may differ from the id in the request's URL.
    /// An unknown `info.action` gives an activity of kind
    /// [`ActivityType::Unknown`](crate::ActivityType::Unknown). `None` for the short shape:
    /// without `info.lockID` or a valid `info.startTime`.
    ///
    /// [`LockDetail`]: crate::LockDetail
    /// [`LockDetail::apply_activity`]: crate::LockDetail::apply_activity
    pub fn activities(&self) -> Option<Vec<Activity>> {
        let lock_id = self.lock_id()?;
        let at = self.start_time()?;
        let mut activities = vec![Activity::synthesised(lock_id, self.action(), at)];
        let door_action = match self.door_state {
            LockDoorStatus::Open => Some("dooropen"),
            LockDoorStatus::Closed => Some("doorclosed"),
            _ => None,
        };
        if let Some(door_action) = door_action {
            activities.push(Activity::synthesised(lock_id, Some(door_action), at));
        }
        Some(activities)
    }
}

impl From<Value> for RemoteOperationResult {
    /// Reads a remote-operation response; never fails.
    fn from(raw: Value) -> Self {
        RemoteOperationResult {
            status: LockStatus::from_wire(str_at(&raw, "status")),
            door_state: LockDoorStatus::from_wire(str_at(&raw, "doorState")),
            raw,
        }
    }
}
