//! Typed models of the August API's responses.
//!
//! Every model reads the server's JSON (its `Deserialize` impl follows the wire format) and
//! serialises in its own shape, with snake_case field names. Parsing is lenient where the
//! server is loose: enums keep unknown strings ([`LockStatus::Other`], …), a malformed date
//! is `None` rather than an error, and activities with unknown actions are kept as
//! [`ActivityType::Unknown`]. Fields the API always sends are required: a missing one is a
//! decoding error that names the field.
//!
//! | Endpoint | Model |
//! |---|---|
//! | `GET /users/locks/mine` | [`LockList`] of [`Lock`] |
//! | `GET /locks/{id}` | [`LockDetail`] (with [`Bridge`], [`Keypad`], [`User`]) |
//! | `GET /locks/{id}/status` | [`LockStatusResponse`] |
//! | `GET /locks/{id}/pins` | [`PinList`] of [`Pin`] |
//! | `PUT /remoteoperate/{id}/{lock,unlock,unlatch}` | [`RemoteOperationResult`] |
//! | `GET /users/doorbells/mine` | [`DoorbellList`] of [`Doorbell`] |
//! | `GET /doorbells/{id}` | [`DoorbellDetail`] |
//! | `GET /houses/{id}/activities` | [`ActivityFeed`] of [`Activity`] |
//! | `GET /houses/{id}` | [`House`] |
//! | `GET /users/alarms/mine` | [`AlarmList`] of [`Alarm`] |
//! | `GET /alarms/{id}/devices` | [`AlarmDeviceList`] of [`AlarmDevice`] |

mod activity;
mod activity_user;
mod activity_wire;
mod alarm;
mod bridge;
mod datetime;
pub(crate) mod de;
mod doorbell;
mod house;
mod keypad;
mod lock;
mod offline_keys;
mod pin;
pub(crate) mod raw;
mod remote_operation;
mod user;

pub use activity::{Activity, ActivityFeed, ActivityType, ApplyActivityError};
pub use alarm::{Alarm, AlarmDevice, AlarmDeviceList, AlarmList, ArmState};
pub use bridge::{Bridge, BridgeState, BridgeStatus};
pub use doorbell::{Doorbell, DoorbellDetail, DoorbellList};
pub use house::House;
pub use keypad::Keypad;
pub use lock::{Lock, LockDetail, LockDoorStatus, LockList, LockStatus, LockStatusResponse};
pub use offline_keys::OfflineKeys;
pub use pin::{Pin, PinList};
pub use remote_operation::RemoteOperationResult;
pub use user::User;
