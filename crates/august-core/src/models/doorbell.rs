//! Doorbells: list entries and details.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::de::Deserializer;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::activity::{Activity, ActivityType, ApplyActivityError};
use super::datetime;
use super::de::{Redacted, keyed_list, lenient_string, number_of, str_at, truthy, truthy_flag};
use super::raw::{RawJson, WithRaw};

/// Status of a doorbell that is online.
const STATUS_ONLINE: &str = "doorbell_call_status_online";

/// Status of a doorbell in standby.
const STATUS_STANDBY: &str = "standby";

/// A doorbell the account can see: one entry of `GET /users/doorbells/mine`.
///
/// Obtained from a [`DoorbellList`], which supplies the device id (the object key). `Debug`
/// never prints the content token.
#[derive(Clone, PartialEq, Serialize)]
pub struct Doorbell {
    device_id: String,
    device_name: String,
    house_id: String,
    serial_number: String,
    status: String,
    image_url: Option<String>,
    image_created_at: Option<DateTime<Utc>>,
    has_subscription: bool,
    #[serde(skip)]
    content_token: Option<String>,
    #[serde(skip)]
    raw: RawJson,
}

impl Doorbell {
    /// The whole entry as sent, fields this model does not name included (the content token
    /// too: treat it as a secret).
    pub fn raw(&self) -> &Value {
        self.raw.value()
    }

    /// The doorbell's id (the key of the list object).
    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    /// The doorbell's name (`name`).
    pub fn device_name(&self) -> &str {
        &self.device_name
    }

    /// The house the doorbell belongs to (`HouseID`).
    pub fn house_id(&self) -> &str {
        &self.house_id
    }

    /// Serial number (`serialNumber`).
    pub fn serial_number(&self) -> &str {
        &self.serial_number
    }

    /// The status as sent (`status`), e.g. `doorbell_call_status_online`,
    /// `doorbell_call_status_offline`, `doorbell_offline` or `standby`.
    pub fn status(&self) -> &str {
        &self.status
    }

    /// Whether the status is `doorbell_call_status_online`.
    pub fn is_online(&self) -> bool {
        self.status == STATUS_ONLINE
    }

    /// Whether the status is `standby`.
    pub fn is_standby(&self) -> bool {
        self.status == STATUS_STANDBY
    }

    /// The latest snapshot (`recentImage.secure_url`).
    pub fn image_url(&self) -> Option<&str> {
        self.image_url.as_deref()
    }

    /// When the latest snapshot was taken (`recentImage.created_at`).
    pub fn image_created_at(&self) -> Option<DateTime<Utc>> {
        self.image_created_at
    }

    /// Whether video recording is set up (`dvrSubscriptionSetupDone`, default false).
    pub fn has_subscription(&self) -> bool {
        self.has_subscription
    }

    /// The token that authorises downloading the doorbell's images (`contentToken`), sent as
    /// the `Authorization` header by Yale brands. A secret: never logged or serialised.
    pub fn content_token(&self) -> Option<&str> {
        self.content_token.as_deref()
    }
}

impl fmt::Debug for Doorbell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Doorbell")
            .field("device_id", &self.device_id)
            .field("device_name", &self.device_name)
            .field("house_id", &self.house_id)
            .field("serial_number", &self.serial_number)
            .field("status", &self.status)
            .field("image_url", &self.image_url)
            .field("image_created_at", &self.image_created_at)
            .field("has_subscription", &self.has_subscription)
            .field(
                "content_token",
                &self.content_token.as_ref().map(|_| Redacted),
            )
            .finish()
    }
}

#[derive(Deserialize)]
struct DoorbellWire {
    name: String,
    #[serde(rename = "HouseID")]
    house_id: String,
    #[serde(rename = "serialNumber")]
    serial_number: String,
    status: String,
    #[serde(rename = "recentImage", default)]
    recent_image: Value,
    #[serde(
        rename = "dvrSubscriptionSetupDone",
        default,
        deserialize_with = "truthy_flag"
    )]
    has_subscription: bool,
    #[serde(rename = "contentToken", default, deserialize_with = "lenient_string")]
    content_token: Option<String>,
}

/// `secure_url` and `created_at` of a `recentImage` object.
fn recent_image(image: &Value) -> (Option<String>, Option<DateTime<Utc>>) {
    (
        str_at(image, "secure_url").map(str::to_owned),
        image.get("created_at").and_then(datetime::from_json),
    )
}

/// The response of `GET /users/doorbells/mine`: an object keyed by doorbell id, read into a
/// list of [`Doorbell`]s in the server's order.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(transparent)]
pub struct DoorbellList(Vec<Doorbell>);

impl DoorbellList {
    /// The doorbells, in the server's order.
    pub fn into_vec(self) -> Vec<Doorbell> {
        self.0
    }

    /// The doorbells as a slice.
    pub fn as_slice(&self) -> &[Doorbell] {
        &self.0
    }
}

impl IntoIterator for DoorbellList {
    type Item = Doorbell;
    type IntoIter = std::vec::IntoIter<Doorbell>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'de> Deserialize<'de> for DoorbellList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        keyed_list(
            deserializer,
            "an object of doorbells keyed by doorbell id",
            |device_id, WithRaw { wire, raw }: WithRaw<DoorbellWire>| {
                let (image_url, image_created_at) = recent_image(&wire.recent_image);
                Doorbell {
                    device_id,
                    device_name: wire.name,
                    house_id: wire.house_id,
                    serial_number: wire.serial_number,
                    status: wire.status,
                    image_url,
                    image_created_at,
                    has_subscription: wire.has_subscription,
                    content_token: wire.content_token.filter(|t| !t.is_empty()),
                    raw,
                }
            },
        )
        .map(DoorbellList)
    }
}

/// Full details of a doorbell: the response of `GET /doorbells/{doorbell_id}`.
///
/// The latest snapshot can be brought up to date with motion activities through
/// [`DoorbellDetail::apply_activity`]. `Debug` never prints the content token.
///
/// ```
/// # fn main() -> Result<(), serde_json::Error> {
/// let doorbell: august_core::DoorbellDetail = serde_json::from_str(
///     r#"{"doorbellID": "D1", "name": "Front Door", "HouseID": "H", "serialNumber": "S",
///         "firmwareVersion": "2.3.0", "status": "doorbell_call_status_online",
///         "telemetry": {"battery": 3.82}}"#,
/// )?;
/// assert!(doorbell.is_online());
/// assert_eq!(doorbell.battery_level(), Some(75));
/// assert_eq!(doorbell.image_url(), None);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Value")]
pub struct DoorbellDetail {
    device_id: String,
    device_name: String,
    house_id: String,
    serial_number: String,
    firmware_version: String,
    status: String,
    model: Option<String>,
    image_url: Option<String>,
    image_created_at: Option<DateTime<Utc>>,
    battery_level: Option<u8>,
    has_subscription: bool,
    pubsub_channel: Option<String>,
    #[serde(skip)]
    content_token: Option<String>,
    #[serde(skip)]
    raw: Value,
}

impl DoorbellDetail {
    /// The whole answer, fields this model does not name included (the content token too:
    /// treat it as a secret).
    pub fn raw(&self) -> &Value {
        &self.raw
    }

    /// The doorbell's id (`doorbellID`).
    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    /// The doorbell's name (`name`).
    pub fn device_name(&self) -> &str {
        &self.device_name
    }

    /// The house the doorbell belongs to (`HouseID`).
    pub fn house_id(&self) -> &str {
        &self.house_id
    }

    /// Serial number (`serialNumber`).
    pub fn serial_number(&self) -> &str {
        &self.serial_number
    }

    /// Firmware version (`firmwareVersion`).
    pub fn firmware_version(&self) -> &str {
        &self.firmware_version
    }

    /// The status as sent (`status`); see [`Doorbell::status`].
    pub fn status(&self) -> &str {
        &self.status
    }

    /// Whether the status is `doorbell_call_status_online`.
    pub fn is_online(&self) -> bool {
        self.status == STATUS_ONLINE
    }

    /// Whether the status is `standby`.
    pub fn is_standby(&self) -> bool {
        self.status == STATUS_STANDBY
    }

    /// Hardware generation (`type`), e.g. `gen1`, `hydra1` or `mars2`.
    pub fn model(&self) -> Option<&str> {
        self.model.as_deref()
    }

    /// The latest snapshot (`recentImage.secure_url`, or the last applied motion activity's).
    pub fn image_url(&self) -> Option<&str> {
        self.image_url.as_deref()
    }

    /// When the latest snapshot was taken (`recentImage.created_at`, or the last applied
    /// motion activity's).
    pub fn image_created_at(&self) -> Option<DateTime<Utc>> {
        self.image_created_at
    }

    /// Battery charge in percent, from `telemetry`: `battery_soc` when present; else 10 when
    /// `doorbell_low_battery` is set; else from the voltage `battery` (≥ 4 V → 100,
    /// ≥ 3.75 V → 75, ≥ 3.5 V → 50, lower → 25); else `None`.
    pub fn battery_level(&self) -> Option<u8> {
        self.battery_level
    }

    /// Whether video recording is set up (`dvrSubscriptionSetupDone`, default false).
    pub fn has_subscription(&self) -> bool {
        self.has_subscription
    }

    /// The push channel of the doorbell (`pubsubChannel`).
    pub fn pubsub_channel(&self) -> Option<&str> {
        self.pubsub_channel.as_deref()
    }

    /// The token that authorises downloading the doorbell's images (`contentToken`), sent as
    /// the `Authorization` header by Yale brands. A secret: never logged or serialised.
    pub fn content_token(&self) -> Option<&str> {
        self.content_token.as_deref()
    }

    /// Takes the snapshot of a newer motion (or image capture) activity; returns whether it
    /// changed anything.
    ///
    /// Nothing changes when the activity has no image time, or when the doorbell's current
    /// image is at least as new. The content token is replaced only by a non-empty one.
    ///
    /// # Errors
    ///
    /// [`ApplyActivityError::DeviceMismatch`] if the activity is for another device,
    /// [`ApplyActivityError::UnsupportedKind`] for any kind other than
    /// [`ActivityType::DoorbellMotion`] and [`ActivityType::DoorbellImageCapture`].
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
            ActivityType::DoorbellMotion | ActivityType::DoorbellImageCapture
        ) {
            return Err(ApplyActivityError::UnsupportedKind { kind });
        }
        let Some(at) = activity.image_created_at() else {
            return Ok(false);
        };
        if self.image_created_at.is_some_and(|current| current >= at) {
            return Ok(false);
        }
        self.image_url = activity.image_url().map(str::to_owned);
        self.image_created_at = Some(at);
        if let Some(token) = activity.content_token() {
            self.content_token = Some(token.to_owned());
        }
        Ok(true)
    }
}

impl fmt::Debug for DoorbellDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DoorbellDetail")
            .field("device_id", &self.device_id)
            .field("device_name", &self.device_name)
            .field("house_id", &self.house_id)
            .field("serial_number", &self.serial_number)
            .field("firmware_version", &self.firmware_version)
            .field("status", &self.status)
            .field("model", &self.model)
            .field("image_url", &self.image_url)
            .field("image_created_at", &self.image_created_at)
            .field("battery_level", &self.battery_level)
            .field("has_subscription", &self.has_subscription)
            .field("pubsub_channel", &self.pubsub_channel)
            .field(
                "content_token",
                &self.content_token.as_ref().map(|_| Redacted),
            )
            .finish()
    }
}

#[derive(Deserialize)]
struct DoorbellDetailWire {
    #[serde(rename = "doorbellID")]
    device_id: String,
    name: String,
    #[serde(rename = "HouseID")]
    house_id: String,
    #[serde(rename = "serialNumber")]
    serial_number: String,
    #[serde(rename = "firmwareVersion")]
    firmware_version: String,
    status: String,
    #[serde(rename = "type", default, deserialize_with = "lenient_string")]
    model: Option<String>,
    #[serde(rename = "recentImage", default)]
    recent_image: Value,
    #[serde(default)]
    telemetry: Option<Value>,
    #[serde(
        rename = "dvrSubscriptionSetupDone",
        default,
        deserialize_with = "truthy_flag"
    )]
    has_subscription: bool,
    #[serde(rename = "pubsubChannel", default, deserialize_with = "lenient_string")]
    pubsub_channel: Option<String>,
    #[serde(rename = "contentToken", default, deserialize_with = "lenient_string")]
    content_token: Option<String>,
}

/// Battery percent from a doorbell's `telemetry` object.
fn doorbell_battery_level(telemetry: &Value) -> Option<u8> {
    let telemetry = telemetry.as_object()?;
    if let Some(soc) = telemetry.get("battery_soc") {
        // Clamped to 0..=100 first, so the cast is exact.
        return number_of(soc)
            .filter(|soc| *soc >= 0.0)
            .map(|soc| soc.min(100.0).trunc() as u8);
    }
    if telemetry.get("doorbell_low_battery").is_some_and(truthy) {
        return Some(10);
    }
    let volts = number_of(telemetry.get("battery")?)?;
    Some(if volts >= 4.0 {
        100
    } else if volts >= 3.75 {
        75
    } else if volts >= 3.5 {
        50
    } else {
        25
    })
}

impl From<DoorbellDetailWire> for DoorbellDetail {
    fn from(wire: DoorbellDetailWire) -> Self {
        let (image_url, image_created_at) = recent_image(&wire.recent_image);
        DoorbellDetail {
            battery_level: wire.telemetry.as_ref().and_then(doorbell_battery_level),
            device_id: wire.device_id,
            device_name: wire.name,
            house_id: wire.house_id,
            serial_number: wire.serial_number,
            firmware_version: wire.firmware_version,
            status: wire.status,
            model: wire.model,
            image_url,
            image_created_at,
            has_subscription: wire.has_subscription,
            pubsub_channel: wire.pubsub_channel,
            content_token: wire.content_token.filter(|t| !t.is_empty()),
            raw: Value::Null,
        }
    }
}

/// Reads the modelled fields from the answer and keeps the whole of it for
/// [`DoorbellDetail::raw`].
impl TryFrom<Value> for DoorbellDetail {
    type Error = serde_json::Error;

    fn try_from(raw: Value) -> Result<Self, serde_json::Error> {
        let mut detail = DoorbellDetail::from(DoorbellDetailWire::deserialize(&raw)?);
        detail.raw = raw;
        Ok(detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn raw_keeps_the_whole_answer() {
        let body = json!({
            "doorbellID": "D1", "name": "Front", "HouseID": "H", "serialNumber": "S",
            "firmwareVersion": "1", "status": "standby", "settings": {"motion": true}
        });
        let detail: DoorbellDetail =
            serde_json::from_value(body.clone()).expect("doorbell detail parses");
        assert_eq!(detail.raw(), &body);
        assert_eq!(detail.device_name(), "Front");
        let text = serde_json::to_string(&detail).expect("serialises");
        assert!(
            !text.contains("settings"),
            "raw is not serialised twice: {text}"
        );
        assert!(
            serde_json::from_value::<DoorbellDetail>(json!({"doorbellID": 3})).is_err(),
            "a wrong type is still an error"
        );
    }

    #[test]
    fn debug_never_prints_the_content_token() {
        let detail: DoorbellDetail = serde_json::from_value(json!({
            "doorbellID": "D1", "name": "Front", "HouseID": "H", "serialNumber": "S",
            "firmwareVersion": "1", "status": "standby", "contentToken": "s3cr3t-token"
        }))
        .expect("doorbell detail parses");
        assert_eq!(detail.content_token(), Some("s3cr3t-token"));
        assert_eq!(
            format!("{detail:?}"),
            "DoorbellDetail { device_id: \"D1\", device_name: \"Front\", house_id: \"H\", \
             serial_number: \"S\", firmware_version: \"1\", status: \"standby\", model: None, \
             image_url: None, image_created_at: None, battery_level: None, \
             has_subscription: false, pubsub_channel: None, content_token: Some(<redacted>) }"
        );

        let list: DoorbellList = serde_json::from_value(json!({"D2": {
            "name": "Back", "HouseID": "H", "serialNumber": "S", "status": "standby",
            "contentToken": "s3cr3t-token"
        }}))
        .expect("doorbell list parses");
        let doorbell = &list.as_slice()[0];
        assert_eq!(doorbell.content_token(), Some("s3cr3t-token"));
        assert_eq!(
            format!("{doorbell:?}"),
            "Doorbell { device_id: \"D2\", device_name: \"Back\", house_id: \"H\", \
             serial_number: \"S\", status: \"standby\", image_url: None, \
             image_created_at: None, has_subscription: false, content_token: Some(<redacted>) }"
        );
        assert!(doorbell.is_standby());
        assert!(!doorbell.is_online());
    }

    #[test]
    fn content_token_is_not_serialised() {
        let detail: DoorbellDetail = serde_json::from_value(json!({
            "doorbellID": "D1", "name": "Front", "HouseID": "H", "serialNumber": "S",
            "firmwareVersion": "1", "status": "standby", "contentToken": "s3cr3t-token"
        }))
        .expect("doorbell detail parses");
        let text = serde_json::to_string(&detail).expect("serialises");
        assert!(!text.contains("s3cr3t"), "{text}");
        assert!(!text.contains("content_token"), "{text}");
    }

    #[test]
    fn battery_rules() {
        let level = |t: Value| doorbell_battery_level(&t);
        assert_eq!(level(json!({"battery_soc": 96, "battery": 3.0})), Some(96));
        assert_eq!(level(json!({"battery_soc": null, "battery": 4.2})), None);
        assert_eq!(
            level(json!({"doorbell_low_battery": true, "battery": 4.2})),
            Some(10)
        );
        assert_eq!(
            level(json!({"doorbell_low_battery": false, "battery": 4.0})),
            Some(100)
        );
        assert_eq!(level(json!({"battery": 3.75})), Some(75));
        assert_eq!(level(json!({"battery": 3.5})), Some(50));
        assert_eq!(level(json!({"battery": 3.49})), Some(25));
        assert_eq!(level(json!({"battery": "n/a"})), None);
        assert_eq!(level(json!({})), None);
        assert_eq!(level(json!("telemetry")), None);
    }
}
