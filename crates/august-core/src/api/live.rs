//! Calls for live features: capabilities, intents, the wake-up limiter, the v4 activity feed
//! and the websocket subscriber.

use api_transport::{Method, Path};

use super::{Api, ApiCall, Operation};
use crate::AsyncOperation;
use crate::brand::ACCEPT_VERSION_V4;
use crate::capabilities::{
    Capabilities, IntentMapping, LockIntent, WebsocketSubscriber, WireOperation,
};
use crate::error::{Error, Result};
use crate::limiter::WakeupLimiter;
use crate::models::{Activity, LockStatus};

/// Which activity feed format to ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ActivityFormat {
    /// `Accept-Version: 0.0.1`: `dateTime`, `callingUser`, `entities` (py-august's format).
    #[default]
    Legacy,
    /// `Accept-Version: 4.0.0`: `timestamp`, `user`, `id`, `icon` (the current apps' format).
    V4,
}

/// Whether a lock can unlatch, for [`Api::operate_intent`]. Get it from
/// [`unlatch_supported`](crate::unlatch_supported).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unlatch {
    /// The lock can unlatch.
    Supported,
    /// It cannot.
    Unsupported,
}

impl From<bool> for Unlatch {
    fn from(supported: bool) -> Self {
        if supported {
            Unlatch::Supported
        } else {
            Unlatch::Unsupported
        }
    }
}

impl Api {
    /// What a device can do (`GET /devices/capabilities?serialNumber=..&topLevelHost=true`).
    /// The mobile apps' library passes the lock id as `serial_number`; whether the service
    /// wants the `LockID` or the `SerialNumber` is not established. `Ok(None)` when the
    /// service has none for the device (404 or 409, common for older devices).
    ///
    /// ```
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = august_core::Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let token = sandbox.demo_access_token();
    /// let caps = api.get_lock_capabilities(&token, demo::FRONT_DOOR_LOCK_ID)?;
    /// assert_eq!(caps.and_then(|c| c.unlatch_supported()), Some(true));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Api`] for other error statuses, [`Error::Decode`] and the transport errors.
    pub fn get_lock_capabilities(
        &self,
        access_token: &str,
        serial_number: &str,
    ) -> Result<Option<Capabilities>> {
        Self::token_path_check(access_token)?;
        let request = self
            .request(
                Method::Get,
                Path::new().lit("devices").lit("capabilities"),
                Some(access_token),
            )
            .query("serialNumber", serial_number)
            .query("topLevelHost", "true");
        match self.send_json(&request) {
            Ok(caps) => Ok(Some(caps)),
            Err(Error::Api(e)) if matches!(e.status(), 404 | 409) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The latest `limit` activities of a house in the chosen format. Both formats parse into
    /// the same [`Activity`]; v4 has activity ids (`id`) and operator thumbnails, legacy has
    /// the house id and the `info` flags.
    ///
    /// ```
    /// use august_core::ActivityFormat;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = august_core::Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let token = sandbox.demo_access_token();
    /// // The current apps' format: every activity has its id.
    /// let activities = api.get_house_activities_in(&token, demo::HOUSE_ID, 10, ActivityFormat::V4)?;
    /// assert!(!activities.is_empty());
    /// assert!(activities.iter().all(|a| a.activity_id().is_some()));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Api`], [`Error::Decode`] and the transport errors.
    pub fn get_house_activities_in(
        &self,
        access_token: &str,
        house_id: &str,
        limit: u32,
        format: ActivityFormat,
    ) -> Result<Vec<Activity>> {
        let accept_version = match format {
            ActivityFormat::Legacy => crate::api::ACCEPT_VERSION,
            ActivityFormat::V4 => ACCEPT_VERSION_V4,
        };
        self.house_activities(access_token, house_id, limit, accept_version)
    }

    /// Creates a websocket subscriber for the `yale_global` push (`POST /websocket/subscribers`
    /// with `{"scopes": ["lock"]}`). Never resent.
    ///
    /// ```
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = august_core::Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let token = sandbox.demo_access_token();
    /// let subscriber = api.create_websocket_subscriber(&token)?;
    /// assert!(!subscriber.subscriber_id().is_empty());
    /// # api.delete_websocket_subscriber(&token, subscriber.subscriber_id())?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Api`], [`Error::Decode`] and the transport errors.
    pub fn create_websocket_subscriber(&self, access_token: &str) -> Result<WebsocketSubscriber> {
        Self::token_path_check(access_token)?;
        let request = self
            .request(
                Method::Post,
                Path::new().lit("websocket").lit("subscribers"),
                Some(access_token),
            )
            .json_body(br#"{"scopes":["lock"]}"#.to_vec());
        let request = self.sent_as(request, ApiCall::CreateWebsocketSubscriber);
        self.send_json(&request)
    }

    /// A websocket subscriber (`GET /websocket/subscribers/{id}`), as the text the service
    /// sends.
    ///
    /// ```
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = august_core::Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let token = sandbox.demo_access_token();
    /// # let subscriber = api.create_websocket_subscriber(&token)?;
    /// let text = api.get_websocket_subscriber(&token, subscriber.subscriber_id())?;
    /// assert!(text.contains(subscriber.subscriber_id()));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Api`] and the transport errors.
    pub fn get_websocket_subscriber(
        &self,
        access_token: &str,
        subscriber_id: &str,
    ) -> Result<String> {
        Self::token_path_check(access_token)?;
        let request = self.request(
            Method::Get,
            Path::new()
                .lit("websocket")
                .lit("subscribers")
                .secret(subscriber_id),
            Some(access_token),
        );
        let response = self.send(&request, false)?;
        Ok(String::from_utf8_lossy(response.body()).into_owned())
    }

    /// Deletes a websocket subscriber (`DELETE /websocket/subscribers/{id}`).
    ///
    /// ```
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = august_core::Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let token = sandbox.demo_access_token();
    /// # let subscriber = api.create_websocket_subscriber(&token)?;
    /// api.delete_websocket_subscriber(&token, subscriber.subscriber_id())?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Api`] and the transport errors.
    pub fn delete_websocket_subscriber(
        &self,
        access_token: &str,
        subscriber_id: &str,
    ) -> Result<()> {
        Self::token_path_check(access_token)?;
        let request = self.sent_as(
            self.request(
                Method::Delete,
                Path::new()
                    .lit("websocket")
                    .lit("subscribers")
                    .secret(subscriber_id),
                Some(access_token),
            ),
            ApiCall::DeleteWebsocketSubscriber,
        );
        self.send(&request, false)?;
        Ok(())
    }

    /// Operates a lock by intent, applying the [`IntentMapping`]: on locks that can unlatch,
    /// `Unlock` sends `unlatch` and `Open` sends `unlock` unless the mapping's swap is off.
    /// The wire-level calls ([`Api::unlock`], [`Api::unlatch`]) always send the operation
    /// they are named after. Never resent.
    ///
    /// Danger: on a lock whose service meaning is not the swapped one, `Unlock` with the swap
    /// on opens the door. Try it on your lock first.
    ///
    /// ```
    /// use august_core::{IntentMapping, LockIntent, LockStatus, Unlatch};
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = august_core::Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let token = sandbox.demo_access_token();
    /// let status = api.operate_intent(&token, demo::FRONT_DOOR_LOCK_ID, LockIntent::Open,
    ///     Unlatch::Unsupported, IntentMapping::default())?;
    /// assert_eq!(status, LockStatus::Unlatched);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Api::lock`].
    pub fn operate_intent(
        &self,
        access_token: &str,
        lock_id: &str,
        intent: LockIntent,
        unlatch: Unlatch,
        mapping: IntentMapping,
    ) -> Result<LockStatus> {
        let op = match mapping.operation(intent, unlatch == Unlatch::Supported) {
            WireOperation::Lock => Operation::Lock,
            WireOperation::Unlock => Operation::Unlock,
            WireOperation::Unlatch => Operation::Unlatch,
        };
        Ok(self
            .operate(access_token, lock_id, op, ApiCall::OperateIntent)?
            .1
            .status()
            .clone())
    }

    /// [`Api::status_async`] behind the wake-up limiter: refused without a request when
    /// `account` (the user id) woke a lock within the limiter's interval. The wake-up is
    /// recorded unless it certainly did not reach the server ([`Error::NotDelivered`],
    /// [`Error::InvalidInput`]); an error answer or a lost one still counts, as the lock may
    /// have woken.
    ///
    /// ```
    /// use std::time::Duration;
    /// use august_core::{AsyncOperation, WakeupLimiter};
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = august_core::Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let token = sandbox.demo_access_token();
    /// // One wake-up per account and minute: the second call is refused before sending.
    /// let limiter = WakeupLimiter::new(Duration::from_secs(60));
    /// let lock = demo::FRONT_DOOR_LOCK_ID;
    /// api.status_async_limited(&token, lock, AsyncOperation::default(), &limiter, demo::USER_ID)?;
    /// let again = api.status_async_limited(&token, lock, AsyncOperation::default(), &limiter, demo::USER_ID);
    /// assert!(again.is_err_and(|e| e.is_rate_limited()));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::RateLimited`] (nothing sent), else as [`Api::status_async`].
    pub fn status_async_limited(
        &self,
        access_token: &str,
        lock_id: &str,
        options: AsyncOperation,
        limiter: &WakeupLimiter,
        account: &str,
    ) -> Result<String> {
        let reservation = limiter.reserve(account)?;
        let result = self.status_async(access_token, lock_id, options);
        if let Err(Error::NotDelivered { .. } | Error::InvalidInput { .. }) = result {
            limiter.give_back(account, reservation);
        }
        result
    }
}
