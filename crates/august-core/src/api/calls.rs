//! The calls of the data API (every call of [`Api`] that takes an access token, but the
//! sign-in calls: the code sent and checked, and the token refresh), and how each is sent:
//! the one list that decides which calls are repeated, which are sent once and which are lock
//! operations bounded by the command timeout. The Api sends the calls that are not reads by it
//! (a read is sent as every GET is: repeated, within the Api's timeout; a test holds the two
//! together), and a client built on the Api (such as `august_auth::Client`) reads it instead
//! of keeping its own.

use std::time::Duration;

use api_transport::{Request, Retry};

use super::Api;

/// How a call of [`Api`] is sent: whether it may be sent again, and which of the Api's
/// timeouts bounds it ([`Api::timeout_for`]).
///
/// ```
/// use august_core::{ApiCall, Delivery};
///
/// assert_eq!(ApiCall::GetLocks.delivery(), Delivery::Read);
/// assert_eq!(ApiCall::Unlock.delivery(), Delivery::LockOperation);
/// assert!(!Delivery::LockOperation.is_repeatable());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Delivery {
    /// A read, safe to repeat: retried after 429, 502, 503, 504, a failure to connect or a lost
    /// connection, and a client may send it again after renewing a refused token. Bounded by
    /// [`Api::timeout`].
    Read,
    /// A call that changes something (wakes a doorbell, arms an alarm, creates a subscriber):
    /// sent at most once, within [`Api::timeout`].
    Once,
    /// A call that moves a lock or wakes it: sent at most once, within
    /// [`Api::command_timeout`].
    LockOperation,
}

impl Delivery {
    /// Whether a call sent this way may be sent again (only [`Delivery::Read`]).
    pub fn is_repeatable(self) -> bool {
        self == Delivery::Read
    }

    fn retry(self) -> Retry {
        if self.is_repeatable() {
            Retry::Safe
        } else {
            Retry::Never
        }
    }
}

macro_rules! api_calls {
    ($($variant:ident => $name:ident: $delivery:ident,)*) => {
        /// A call of [`Api`] that takes an access token, named as its method; its
        /// [`ApiCall::delivery`] says how it is sent.
        ///
        /// ```
        /// use august_core::{Api, ApiCall};
        /// use std::time::Duration;
        ///
        /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
        /// let api = Api::builder()
        ///     .timeout(Duration::from_secs(5))
        ///     .command_timeout(Duration::from_secs(30))
        ///     .build()?;
        /// assert_eq!(ApiCall::Lock.name(), "lock");
        /// assert_eq!(api.timeout_for(ApiCall::Lock), Duration::from_secs(30));
        /// assert_eq!(api.timeout_for(ApiCall::GetLocks), Duration::from_secs(5));
        /// # Ok(())
        /// # }
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ApiCall {
            $(
                #[doc = concat!("[`Api::", stringify!($name), "`]: [`Delivery::", stringify!($delivery), "`].")]
                $variant,
            )*
        }

        impl ApiCall {
            /// Every call, in the order of the list.
            pub const ALL: &'static [ApiCall] = &[$(ApiCall::$variant),*];

            /// The name of the call's method on [`Api`] (`"get_locks"`, `"lock"`).
            pub const fn name(self) -> &'static str {
                match self {
                    $(ApiCall::$variant => stringify!($name),)*
                }
            }

            /// How the call is sent.
            pub const fn delivery(self) -> Delivery {
                match self {
                    $(ApiCall::$variant => Delivery::$delivery,)*
                }
            }
        }
    };
}

api_calls! {
    GetDoorbells => get_doorbells: Read,
    GetDoorbellDetail => get_doorbell_detail: Read,
    WakeupDoorbell => wakeup_doorbell: Once,
    GetHouses => get_houses: Read,
    GetHouse => get_house: Read,
    GetHouseActivities => get_house_activities: Read,
    GetHouseActivitiesIn => get_house_activities_in: Read,
    GetLocks => get_locks: Read,
    GetOperableLocks => get_operable_locks: Read,
    GetLockDetail => get_lock_detail: Read,
    GetLockState => get_lock_state: Read,
    GetLockStatus => get_lock_status: Read,
    GetLockDoorStatus => get_lock_door_status: Read,
    GetLockCapabilities => get_lock_capabilities: Read,
    GetPins => get_pins: Read,
    Lock => lock: LockOperation,
    Unlock => unlock: LockOperation,
    Unlatch => unlatch: LockOperation,
    LockReturnActivities => lock_return_activities: LockOperation,
    UnlockReturnActivities => unlock_return_activities: LockOperation,
    UnlatchReturnActivities => unlatch_return_activities: LockOperation,
    OperateIntent => operate_intent: LockOperation,
    LockAsync => lock_async: LockOperation,
    UnlockAsync => unlock_async: LockOperation,
    UnlatchAsync => unlatch_async: LockOperation,
    StatusAsync => status_async: LockOperation,
    StatusAsyncLimited => status_async_limited: LockOperation,
    GetUser => get_user: Read,
    GetAlarms => get_alarms: Read,
    GetAlarmDevices => get_alarm_devices: Read,
    ArmAlarm => arm_alarm: Once,
    CreateWebsocketSubscriber => create_websocket_subscriber: Once,
    GetWebsocketSubscriber => get_websocket_subscriber: Read,
    DeleteWebsocketSubscriber => delete_websocket_subscriber: Once,
}

impl Api {
    /// The timeout of `call`: [`Api::command_timeout`] for a
    /// [`Delivery::LockOperation`], [`Api::timeout`] for the others. A client that makes more
    /// than one request for one call (a token renewal, the call again) keeps this one deadline
    /// over all of them.
    ///
    /// ```
    /// use std::time::Duration;
    /// use august_core::{Api, ApiCall};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let api = Api::builder().command_timeout(Duration::from_secs(45)).build()?;
    /// assert_eq!(api.timeout_for(ApiCall::UnlockAsync), Duration::from_secs(45));
    /// assert_eq!(api.timeout_for(ApiCall::ArmAlarm), api.timeout());
    /// # Ok(())
    /// # }
    /// ```
    pub fn timeout_for(&self, call: ApiCall) -> Duration {
        match call.delivery() {
            Delivery::LockOperation => self.command_timeout(),
            Delivery::Read | Delivery::Once => self.timeout(),
        }
    }

    /// `request` sent as `call` is: whether it may be repeated, and its timeout. The
    /// transport's own timeout is the Api's, so only a lock operation sets one (a request
    /// that sets its own costs the transport a copy of its configuration per call).
    pub(super) fn sent_as(&self, request: Request, call: ApiCall) -> Request {
        let request = request.retry(call.delivery().retry());
        match call.delivery() {
            Delivery::LockOperation => request.timeout(self.command_timeout()),
            Delivery::Read | Delivery::Once => request,
        }
    }
}

#[cfg(test)]
mod tests {
    //! Every call behaves as the list says: a read is sent again after a 503 and a call sent
    //! once is not; a lock operation has the command timeout, the others the Api's timeout.

    use test_support::fault_server::{Act, FaultServer, json};

    use super::*;
    use crate::{Alarm, ArmState, AsyncOperation, Brand, LockIntent, Unlatch, WakeupLimiter};

    /// Calls `call` on `api` with a token and made-up arguments; `true` if it ended in an error
    /// that is a timeout.
    fn invoke(api: &Api, call: ApiCall) -> bool {
        const T: &str = "token";
        const ID: &str = "id-1";
        let alarm: Alarm =
            serde_json::from_str(r#"{"alarmID": "alarm-1", "location": "Home", "houseID": "h", "pubsubChannel": null, "serialNumber": null, "status": "DISARM", "areaIDs": ["a"]}"#).unwrap();
        let options = AsyncOperation::default();
        fn timed_out<V>(r: crate::Result<V>) -> bool {
            matches!(r, Err(crate::Error::Timeout { .. }))
        }
        match call {
            ApiCall::GetDoorbells => timed_out(api.get_doorbells(T)),
            ApiCall::GetDoorbellDetail => timed_out(api.get_doorbell_detail(T, ID)),
            ApiCall::WakeupDoorbell => timed_out(api.wakeup_doorbell(T, ID)),
            ApiCall::GetHouses => timed_out(api.get_houses(T)),
            ApiCall::GetHouse => timed_out(api.get_house(T, ID)),
            ApiCall::GetHouseActivities => timed_out(api.get_house_activities(T, ID, 5)),
            ApiCall::GetHouseActivitiesIn => {
                timed_out(api.get_house_activities_in(T, ID, 5, crate::ActivityFormat::Legacy))
            }
            ApiCall::GetLocks => timed_out(api.get_locks(T)),
            ApiCall::GetOperableLocks => timed_out(api.get_operable_locks(T)),
            ApiCall::GetLockDetail => timed_out(api.get_lock_detail(T, ID)),
            ApiCall::GetLockState => timed_out(api.get_lock_state(T, ID)),
            ApiCall::GetLockStatus => timed_out(api.get_lock_status(T, ID)),
            ApiCall::GetLockDoorStatus => timed_out(api.get_lock_door_status(T, ID)),
            ApiCall::GetLockCapabilities => timed_out(api.get_lock_capabilities(T, "serial")),
            ApiCall::GetPins => timed_out(api.get_pins(T, ID)),
            ApiCall::Lock => timed_out(api.lock(T, ID)),
            ApiCall::Unlock => timed_out(api.unlock(T, ID)),
            ApiCall::Unlatch => timed_out(api.unlatch(T, ID)),
            ApiCall::LockReturnActivities => timed_out(api.lock_return_activities(T, ID)),
            ApiCall::UnlockReturnActivities => timed_out(api.unlock_return_activities(T, ID)),
            ApiCall::UnlatchReturnActivities => timed_out(api.unlatch_return_activities(T, ID)),
            ApiCall::OperateIntent => timed_out(api.operate_intent(
                T,
                ID,
                LockIntent::Unlock,
                Unlatch::Unsupported,
                crate::IntentMapping::default(),
            )),
            ApiCall::LockAsync => timed_out(api.lock_async(T, ID, options)),
            ApiCall::UnlockAsync => timed_out(api.unlock_async(T, ID, options)),
            ApiCall::UnlatchAsync => timed_out(api.unlatch_async(T, ID, options)),
            ApiCall::StatusAsync => timed_out(api.status_async(T, ID, options)),
            ApiCall::StatusAsyncLimited => timed_out(api.status_async_limited(
                T,
                ID,
                options,
                &WakeupLimiter::new(Duration::ZERO),
                "account",
            )),
            ApiCall::GetUser => timed_out(api.get_user(T)),
            ApiCall::GetAlarms => timed_out(api.get_alarms(T)),
            ApiCall::GetAlarmDevices => timed_out(api.get_alarm_devices(T, ID)),
            ApiCall::ArmAlarm => timed_out(api.arm_alarm(T, &alarm, &ArmState::Away)),
            ApiCall::CreateWebsocketSubscriber => timed_out(api.create_websocket_subscriber(T)),
            ApiCall::GetWebsocketSubscriber => timed_out(api.get_websocket_subscriber(T, ID)),
            ApiCall::DeleteWebsocketSubscriber => timed_out(api.delete_websocket_subscriber(T, ID)),
        }
    }

    fn api_at(server: &FaultServer) -> crate::ApiBuilder {
        // A brand with alarms, so that arm_alarm sends its request.
        Api::builder()
            .brand(Brand::YaleGlobal)
            .base_url(server.url())
    }

    #[test]
    fn a_read_is_sent_again_after_a_503_and_a_call_sent_once_is_not() {
        for &call in ApiCall::ALL {
            let server = FaultServer::always(json(503, b"{}"));
            let api = api_at(&server)
                .max_retries(1)
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(1))
                .build()
                .unwrap();
            invoke(&api, call);
            let sends = if call.delivery().is_repeatable() {
                2
            } else {
                1
            };
            assert_eq!(server.request_count(), sends, "{call:?}");
        }
    }

    #[test]
    fn a_lock_operation_has_the_command_timeout_and_the_others_the_api_timeout() {
        for &call in ApiCall::ALL {
            let mut answer = vec![Act::Wait(Duration::from_millis(400))];
            answer.extend(json(200, b"{}"));
            let server = FaultServer::always(answer);
            let api = api_at(&server)
                .max_retries(0)
                .timeout(Duration::from_millis(150))
                .command_timeout(Duration::from_secs(5))
                .build()
                .unwrap();
            let lock_operation = call.delivery() == Delivery::LockOperation;
            assert_eq!(
                invoke(&api, call),
                !lock_operation,
                "{call:?}: timed out at the {} ms timeout?",
                api.timeout_for(call).as_millis()
            );
            assert_eq!(server.request_count(), 1, "{call:?}");
        }
    }

    /// That each name is its method's is held where the methods are called by name:
    /// `august_auth::Client`'s calls do not compile if `ApiCall::X.name()` is not the method
    /// they call. Here: the names are unique, so no two calls share one.
    #[test]
    fn names_are_unique() {
        let mut names: Vec<_> = ApiCall::ALL.iter().map(|c| c.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ApiCall::ALL.len());
        assert_eq!(ApiCall::GetLockDetail.name(), "get_lock_detail");
    }
}
