//! The Connect Wi-Fi bridge attached to a lock.

use serde::{Deserialize, Serialize};

use super::de::{lenient_string, truthy_flag, wire_string_impls};

/// The Wi-Fi bridge ("August Connect") a lock uses to reach the cloud: the `Bridge` object of
/// a lock detail. Obtained from [`LockDetail::bridge`](crate::LockDetail::bridge).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bridge {
    device_id: String,
    house_id: String,
    firmware_version: String,
    operative: bool,
    status: Option<BridgeStatus>,
    hyper_bridge: bool,
    device_model: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pubsub_channel: Option<String>,
}

impl Bridge {
    /// The bridge's push channel (`pubsubChannel`), when the service sends one. The mobile
    /// apps' library never subscribes to it, and neither does the activity stream.
    pub fn pubsub_channel(&self) -> Option<&str> {
        self.pubsub_channel.as_deref()
    }

    /// The bridge's id (`_id`).
    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    /// The house of the lock the bridge belongs to (the lock's `HouseID`).
    pub fn house_id(&self) -> &str {
        &self.house_id
    }

    /// Firmware version (`firmwareVersion`).
    pub fn firmware_version(&self) -> &str {
        &self.firmware_version
    }

    /// Whether the server reports the bridge as operative (`operative`).
    pub fn is_operative(&self) -> bool {
        self.operative
    }

    /// The bridge's connection status (`status`), absent on older bridges.
    pub fn status(&self) -> Option<&BridgeStatus> {
        self.status.as_ref()
    }

    /// Whether the bridge keeps a persistent connection (`hyperBridge`, default false); the
    /// asynchronous remote operations add `connection=persistent` for such bridges.
    pub fn is_hyper_bridge(&self) -> bool {
        self.hyper_bridge
    }

    /// Hardware model (`deviceModel`), e.g. `august-connect` or `august-doorbell`.
    pub fn device_model(&self) -> Option<&str> {
        self.device_model.as_deref()
    }

    /// Whether the lock can be reached through this bridge: a bridge without a `status` is
    /// online when it is operative; otherwise only a status of [`BridgeState::Online`] counts.
    pub fn is_online(&self) -> bool {
        match &self.status {
            None => self.operative,
            Some(status) => status.current == BridgeState::Online,
        }
    }

    /// Records a new connection state (from a bridge activity), creating the status object
    /// if the bridge had none.
    pub(crate) fn set_state(&mut self, state: BridgeState) {
        match &mut self.status {
            Some(status) => status.current = state,
            None => {
                self.status = Some(BridgeStatus {
                    current: state,
                    updated: None,
                    last_online: None,
                    last_offline: None,
                });
            }
        }
    }
}

/// Connection status of a [`Bridge`] (its `status` object).
///
/// The times are kept as the raw strings the server sent: recorded responses hold invalid
/// dates there (`2000-00-00T00:00:00.447Z`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "BridgeStatusWire")]
pub struct BridgeStatus {
    current: BridgeState,
    updated: Option<String>,
    last_online: Option<String>,
    last_offline: Option<String>,
}

impl BridgeStatus {
    /// The current connection state (`current`).
    pub fn current(&self) -> &BridgeState {
        &self.current
    }

    /// When the status last changed (`updated`), as sent.
    pub fn updated(&self) -> Option<&str> {
        self.updated.as_deref()
    }

    /// When the bridge was last online (`lastOnline`), as sent.
    pub fn last_online(&self) -> Option<&str> {
        self.last_online.as_deref()
    }

    /// When the bridge was last offline (`lastOffline`), as sent.
    pub fn last_offline(&self) -> Option<&str> {
        self.last_offline.as_deref()
    }
}

/// Connection state of a bridge (`status.current`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BridgeState {
    /// `online`.
    Online,
    /// `offline` (also set by an `associated_bridge_offline` activity).
    Offline,
    /// No state was sent, or `unknown`.
    Unknown,
    /// A state this library does not know, kept as sent.
    Other(String),
}

impl BridgeState {
    /// Maps the wire value; `None` is [`BridgeState::Unknown`].
    pub fn from_wire(value: Option<&str>) -> Self {
        match value {
            Some("online") => BridgeState::Online,
            Some("offline") => BridgeState::Offline,
            None | Some("unknown") => BridgeState::Unknown,
            Some(other) => BridgeState::Other(other.to_owned()),
        }
    }

    /// The state's name (`online`, `offline`, `unknown`), or the raw value for
    /// [`BridgeState::Other`].
    pub fn as_str(&self) -> &str {
        match self {
            BridgeState::Online => "online",
            BridgeState::Offline => "offline",
            BridgeState::Unknown => "unknown",
            BridgeState::Other(raw) => raw,
        }
    }
}

wire_string_impls!(BridgeState);

#[derive(Deserialize)]
pub(crate) struct BridgeWire {
    #[serde(rename = "_id")]
    device_id: String,
    #[serde(rename = "firmwareVersion")]
    firmware_version: String,
    #[serde(deserialize_with = "truthy_flag")]
    operative: bool,
    #[serde(default)]
    status: Option<BridgeStatus>,
    #[serde(rename = "hyperBridge", default, deserialize_with = "truthy_flag")]
    hyper_bridge: bool,
    #[serde(rename = "deviceModel", default, deserialize_with = "lenient_string")]
    device_model: Option<String>,
    #[serde(rename = "pubsubChannel", default, deserialize_with = "lenient_string")]
    pubsub_channel: Option<String>,
}

impl BridgeWire {
    pub(crate) fn into_bridge(self, house_id: &str) -> Bridge {
        Bridge {
            device_id: self.device_id,
            house_id: house_id.to_owned(),
            firmware_version: self.firmware_version,
            operative: self.operative,
            status: self.status,
            hyper_bridge: self.hyper_bridge,
            device_model: self.device_model,
            pubsub_channel: self.pubsub_channel,
        }
    }
}

#[derive(Deserialize)]
struct BridgeStatusWire {
    #[serde(default, deserialize_with = "lenient_string")]
    current: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    updated: Option<String>,
    #[serde(rename = "lastOnline", default, deserialize_with = "lenient_string")]
    last_online: Option<String>,
    #[serde(rename = "lastOffline", default, deserialize_with = "lenient_string")]
    last_offline: Option<String>,
}

impl From<BridgeStatusWire> for BridgeStatus {
    fn from(wire: BridgeStatusWire) -> Self {
        BridgeStatus {
            current: BridgeState::from_wire(wire.current.as_deref()),
            updated: wire.updated,
            last_online: wire.last_online,
            last_offline: wire.last_offline,
        }
    }
}
