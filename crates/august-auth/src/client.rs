//! A client that holds its credentials: the calls of [`Api`] without the token argument.

use august_core::{
    Activity, Alarm, AlarmDevice, Api, ApiCall, ArmState, AsyncOperation, Doorbell, DoorbellDetail,
    DoorbellImage, House, Lock, LockDetail, LockDoorStatus, LockStatus, LockStatusResponse, Pin,
};

use crate::credentials::Credentials;
use crate::error::{Error, Result};

/// The August API with credentials held: every call of [`Api`] that takes an access token,
/// without it.
///
/// Before each call the token is refreshed if it expires within the credentials' margin. A
/// read (GET) refused with 401 is retried once after renewing the token; a lock operation,
/// doorbell wake-up or alarm change is never sent twice (after a 401 it returns the error and
/// the next call uses a renewed token). A call keeps one deadline through all of it: the
/// Api's `timeout`, or its `command_timeout` for a lock operation. Which calls are reads, which
/// are sent once and which are lock operations is [`ApiCall::delivery`], the list the [`Api`]
/// sends by ([`Api::timeout_for`]). When no new token can be
/// had the error is [`Error::SignInAgain`], which says how to sign in again (or
/// [`Error::RenewalFailed`] holding it, when the call waited for another's renewal:
/// [`Error::needs_sign_in`] and [`Error::kind`] see through it).
///
/// Cheap to clone (clones share the connection pool and the credentials), `Send` and `Sync`.
/// [`Api`] stays the layer that takes tokens explicitly, as py-august does.
///
/// ```
/// use august_auth::{Client, Credentials, OAuthClient};
/// use august_core::{Api, Brand};
/// use august_sandbox::Sandbox;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let sandbox = Sandbox::start()?;
/// let brand = Brand::YaleGlobal;
/// let (authorize, token) = sandbox.oauth_endpoints(brand.as_str());
/// let oauth = OAuthClient::with_endpoints(
///     brand,
///     august_sandbox::demo::OAUTH_CLIENT_ID,
///     august_sandbox::demo::OAUTH_CLIENT_SECRET,
///     "http://127.0.0.1:1/callback",
///     authorize,
///     token,
/// )?;
/// let request = oauth.authorization_request();
/// let redirect = sandbox.approve_oauth(request.url())?; // a browser would do this
/// let tokens = oauth.exchange_code(&request.code_from_redirect(&redirect)?)?;
/// let api = Api::builder().brand(brand).base_url(sandbox.august_url()).build()?;
/// let client = Client::new(api, Credentials::oauth(oauth, tokens))?;
/// for lock in client.get_locks()? {
///     println!("{}: {}", lock.device_name(), client.get_lock_status(lock.device_id())?);
/// }
/// # Ok(())
/// # }
/// ```
///
/// The example on each call runs against the embedded sandbox (`august-sandbox`): in hidden
/// lines, `client` uses the sandbox's demo user's token ([`Credentials::fixed`] with
/// `sandbox.demo_access_token()`; the example above signs in with OAuth), and `demo` is the
/// sandbox's demo data.
#[derive(Clone, Debug)]
pub struct Client {
    api: Api,
    credentials: Credentials,
}

/// Generates the wrappers, each named as its [`ApiCall`]: how a call is sent (a read retried
/// once after a 401, or a call sent once) and its timeout come from [`ApiCall::delivery`], the
/// list the [`Api`] itself sends by. A wrapper whose [`ApiCall`] is not its own method's does not
/// compile.
macro_rules! calls {
    ($($(#[$example:meta])* $call:ident => fn $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty;)*) => {
        $(
            #[doc = concat!("[`Api::", stringify!($name), "`] with the held credentials.")]
            #[doc = ""]
            $(#[$example])*
            #[doc = ""]
            #[doc = "# Errors"]
            #[doc = ""]
            #[doc = concat!("Those of [`Api::", stringify!($name), "`] (as [`Error::Api`]), and")]
            #[doc = "[`Error::SignInAgain`] or [`Error::OAuth`] when the token cannot be renewed"]
            #[doc = "([`Error::RenewalFailed`] when the renewal was shared with other calls);"]
            #[doc = "[`Error::RenewalWait`] when the call's timeout passed while it waited for"]
            #[doc = "another call's renewal (the server did nothing for the call: nothing was sent,"]
            #[doc = "or a read's first try was refused with 401)."]
            pub fn $name(&self $(, $arg: $ty)*) -> Result<$ret> {
                const {
                    assert!(
                        same_name(ApiCall::$call.name(), stringify!($name)),
                        concat!("ApiCall::", stringify!($call), " is not the call of ", stringify!($name))
                    )
                };
                self.call(ApiCall::$call, |api, token| api.$name(token $(, $arg)*))
            }
        )*
    };
}

/// Whether two names are the same (in a constant).
const fn same_name(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

impl Client {
    /// A client for `api` with `credentials` (see the example of [`Client`]).
    ///
    /// ```
    /// use august_auth::{Client, Credentials};
    /// use august_core::{Api, Brand};
    ///
    /// let api = Api::builder().brand(Brand::YaleGlobal).build().unwrap();
    /// let client = Client::new(api.clone(), Credentials::fixed(Brand::YaleGlobal, "t")).unwrap();
    /// assert_eq!(client.api().brand(), Brand::YaleGlobal);
    /// // Credentials of another brand would send the token in the wrong header.
    /// assert!(Client::new(api, Credentials::fixed(Brand::YaleAugust, "t")).is_err());
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Api`] with `InvalidInput` when the credentials are for another brand than
    /// `api` (the token would be sent in the wrong header).
    pub fn new(api: Api, credentials: Credentials) -> Result<Client> {
        if let Some(brand) = credentials.brand()
            && brand != api.brand()
        {
            return Err(Error::Api(august_core::Error::InvalidInput {
                reason: format!(
                    "the credentials are for brand {brand} but the Api is for {}: build the Api with .brand({brand:?})",
                    api.brand()
                ),
            }));
        }
        Ok(Client { api, credentials })
    }

    /// The underlying [`Api`] (for the calls that take no token, and the login calls).
    ///
    /// ```
    /// use august_auth::{Client, Credentials};
    /// use august_core::{Api, Brand};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let api = Api::builder().brand(Brand::YaleGlobal).build()?;
    /// let client = Client::new(api, Credentials::fixed(Brand::YaleGlobal, "a-token"))?;
    /// assert_eq!(client.api().brand(), Brand::YaleGlobal);
    /// # Ok(())
    /// # }
    /// ```
    pub fn api(&self) -> &Api {
        &self.api
    }

    /// The credentials.
    ///
    /// ```
    /// use august_auth::{Client, Credentials, SignInKind};
    /// use august_core::{Api, Brand};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let api = Api::builder().brand(Brand::YaleGlobal).build()?;
    /// let client = Client::new(api, Credentials::fixed(Brand::YaleGlobal, "a-token"))?;
    /// assert_eq!(client.credentials().info().kind, SignInKind::Fixed);
    /// # Ok(())
    /// # }
    /// ```
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// Sends `call` as its [`ApiCall::delivery`] says, all of it (a refresh when due, the call,
    /// the renewal after a 401, a read sent again) within [`Api::timeout_for`] it. A read
    /// refused with 401 is sent once more with the renewed token; any other call is sent once,
    /// the token renewed for the next call.
    fn call<T>(
        &self,
        call: ApiCall,
        send: impl Fn(&Api, &str) -> august_core::Result<T>,
    ) -> Result<T> {
        api_transport::within(self.api.timeout_for(call), || {
            let token = self.credentials.access_token()?;
            match send(&self.api, &token) {
                Err(e) if e.is_unauthorized() && call.delivery().is_repeatable() => {
                    let renewed = self.credentials.after_rejection(&token)?;
                    send(&self.api, &renewed).map_err(|e| self.refused(e))
                }
                Err(e) if e.is_unauthorized() => {
                    // Renew for the next call; this one is not resent.
                    match self.credentials.after_rejection(&token) {
                        Err(sign_in) if sign_in.needs_sign_in() => Err(sign_in),
                        _ => Err(Error::Api(e)),
                    }
                }
                other => other.map_err(Error::Api),
            }
        })
    }

    /// A 401 on the retry too: the renewed token is refused as well.
    fn refused(&self, e: august_core::Error) -> Error {
        if e.is_unauthorized() {
            let kind = self.credentials.info().kind;
            return Error::SignInAgain {
                kind,
                reason: "the server refused the renewed access token too".into(),
                how: "sign in again with the way you signed in first (see docs/sign-in.md)".into(),
            };
        }
        Error::Api(e)
    }

    calls! {
        /// ```
        /// # use august_auth::{Client, Credentials};
        /// # use august_core::{Api, Brand};
        /// # use august_sandbox::{Sandbox, demo};
        /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
        /// # let sandbox = Sandbox::start()?;
        /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
        /// # let client = Client::new(api, Credentials::fixed(Brand::August, sandbox.demo_access_token()))?;
        /// let doorbells = client.get_doorbells()?;
        /// for doorbell in &doorbells {
        ///     println!("{} {} online: {}", doorbell.device_id(), doorbell.device_name(), doorbell.is_online());
        /// }
        /// assert_eq!(doorbells.len(), 2);
        /// # Ok(())
        /// # }
        /// ```
        GetDoorbells => fn get_doorbells() -> Vec<Doorbell>;
        /// ```
        /// # use august_auth::{Client, Credentials};
        /// # use august_core::{Api, Brand};
        /// # use august_sandbox::{Sandbox, demo};
        /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
        /// # let sandbox = Sandbox::start()?;
        /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
        /// # let client = Client::new(api, Credentials::fixed(Brand::August, sandbox.demo_access_token()))?;
        /// let doorbell = client.get_doorbell_detail(demo::FRONT_DOORBELL_ID)?;
        /// assert_eq!(doorbell.device_name(), "Front Door");
        /// assert!(doorbell.is_online());
        /// println!("firmware {}, battery {:?}", doorbell.firmware_version(), doorbell.battery_level());
        /// # Ok(())
        /// # }
        /// ```
        GetDoorbellDetail => fn get_doorbell_detail(doorbell_id: &str) -> DoorbellDetail;
        /// ```
        /// # use august_auth::{Client, Credentials};
        /// # use august_core::{Api, Brand};
        /// # use august_sandbox::{Sandbox, demo};
        /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
        /// # let sandbox = Sandbox::start()?;
        /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
        /// # let client = Client::new(api, Credentials::fixed(Brand::August, sandbox.demo_access_token()))?;
        /// let houses = client.get_houses()?;
        /// assert_eq!(houses[0].house_id(), demo::HOUSE_ID);
        /// assert_eq!(houses[0].name(), Some("Demo House"));
        /// # Ok(())
        /// # }
        /// ```
        GetHouses => fn get_houses() -> Vec<House>;
        /// ```
        /// # use august_auth::{Client, Credentials};
        /// # use august_core::{Api, Brand};
        /// # use august_sandbox::{Sandbox, demo};
        /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
        /// # let sandbox = Sandbox::start()?;
        /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
        /// # let client = Client::new(api, Credentials::fixed(Brand::August, sandbox.demo_access_token()))?;
        /// let house = client.get_house(demo::HOUSE_ID)?;
        /// assert_eq!(house.name(), Some("Demo House"));
        /// # Ok(())
        /// # }
        /// ```
        GetHouse => fn get_house(house_id: &str) -> House;
        /// ```
        /// # use august_auth::{Client, Credentials};
        /// # use august_core::{Api, Brand};
        /// # use august_sandbox::{Sandbox, demo};
        /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
        /// # let sandbox = Sandbox::start()?;
        /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
        /// # let client = Client::new(api, Credentials::fixed(Brand::August, sandbox.demo_access_token()))?;
        /// let activities = client.get_house_activities(demo::HOUSE_ID, 10)?;
        /// for activity in &activities {
        ///     println!(
        ///         "{:?} {} on {:?} by {:?}",
        ///         activity.start_time(),
        ///         activity.kind().as_str(),
        ///         activity.device_name(),
        ///         activity.operated_by(),
        ///     );
        /// }
        /// assert_eq!(activities.len(), 6);
        /// # Ok(())
        /// # }
        /// ```
        GetHouseActivities => fn get_house_activities(house_id: &str, limit: u32) -> Vec<Activity>;
        /// ```
        /// # use august_auth::{Client, Credentials};
        /// # use august_core::{Api, Brand};
        /// # use august_sandbox::{Sandbox, demo};
        /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
        /// # let sandbox = Sandbox::start()?;
        /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
        /// # let client = Client::new(api, Credentials::fixed(Brand::August, sandbox.demo_access_token()))?;
        /// let locks = client.get_locks()?;
        /// for lock in &locks {
        ///     println!("{} {} in {:?}", lock.device_id(), lock.device_name(), lock.house_name());
        /// }
        /// assert_eq!(locks.len(), 3);
        /// # Ok(())
        /// # }
        /// ```
        GetLocks => fn get_locks() -> Vec<Lock>;
        /// ```
        /// # use august_auth::{Client, Credentials};
        /// # use august_core::{Api, Brand};
        /// # use august_sandbox::{Sandbox, demo};
        /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
        /// # let sandbox = Sandbox::start()?;
        /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
        /// # let client = Client::new(api, Credentials::fixed(Brand::August, sandbox.demo_access_token()))?;
        /// let locks = client.get_operable_locks()?;
        /// assert!(locks.iter().all(|lock| lock.is_operable()));
        /// # Ok(())
        /// # }
        /// ```
        GetOperableLocks => fn get_operable_locks() -> Vec<Lock>;
        /// ```
        /// use august_core::{LockDoorStatus, LockStatus};
        ///
        /// # use august_auth::{Client, Credentials};
        /// # use august_core::{Api, Brand};
        /// # use august_sandbox::{Sandbox, demo};
        /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
        /// # let sandbox = Sandbox::start()?;
        /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
        /// # let client = Client::new(api, Credentials::fixed(Brand::August, sandbox.demo_access_token()))?;
        /// let lock = client.get_lock_detail(demo::FRONT_DOOR_LOCK_ID)?;
        /// assert_eq!(lock.device_name(), "Front Door");
        /// assert_eq!(lock.lock_status(), &LockStatus::Locked);
        /// assert_eq!(lock.door_state(), &LockDoorStatus::Closed);
        /// println!("battery {:?}%, bridge online: {}", lock.battery_level(), lock.bridge_is_online());
        /// # Ok(())
        /// # }
        /// ```
        GetLockDetail => fn get_lock_detail(lock_id: &str) -> LockDetail;
        /// ```
        /// use august_core::{LockDoorStatus, LockStatus};
        ///
        /// # use august_auth::{Client, Credentials};
        /// # use august_core::{Api, Brand};
        /// # use august_sandbox::{Sandbox, demo};
        /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
        /// # let sandbox = Sandbox::start()?;
        /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
        /// # let client = Client::new(api, Credentials::fixed(Brand::August, sandbox.demo_access_token()))?;
        /// let state = client.get_lock_state(demo::FRONT_DOOR_LOCK_ID)?;
        /// assert_eq!(state.status(), &LockStatus::Locked);
        /// assert_eq!(state.door_state(), &LockDoorStatus::Closed);
        /// # Ok(())
        /// # }
        /// ```
        GetLockState => fn get_lock_state(lock_id: &str) -> LockStatusResponse;
        /// ```
        /// use august_core::LockStatus;
        ///
        /// # use august_auth::{Client, Credentials};
        /// # use august_core::{Api, Brand};
        /// # use august_sandbox::{Sandbox, demo};
        /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
        /// # let sandbox = Sandbox::start()?;
        /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
        /// # let client = Client::new(api, Credentials::fixed(Brand::August, sandbox.demo_access_token()))?;
        /// assert_eq!(client.get_lock_status(demo::FRONT_DOOR_LOCK_ID)?, LockStatus::Locked);
        /// # Ok(())
        /// # }
        /// ```
        GetLockStatus => fn get_lock_status(lock_id: &str) -> LockStatus;
        /// ```
        /// use august_core::LockDoorStatus;
        ///
        /// # use august_auth::{Client, Credentials};
        /// # use august_core::{Api, Brand};
        /// # use august_sandbox::{Sandbox, demo};
        /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
        /// # let sandbox = Sandbox::start()?;
        /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
        /// # let client = Client::new(api, Credentials::fixed(Brand::August, sandbox.demo_access_token()))?;
        /// assert_eq!(client.get_lock_door_status(demo::FRONT_DOOR_LOCK_ID)?, LockDoorStatus::Closed);
        /// # Ok(())
        /// # }
        /// ```
        GetLockDoorStatus => fn get_lock_door_status(lock_id: &str) -> LockDoorStatus;
        /// ```
        /// # use august_auth::{Client, Credentials};
        /// # use august_core::{Api, Brand};
        /// # use august_sandbox::{Sandbox, demo};
        /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
        /// # let sandbox = Sandbox::start()?;
        /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
        /// # let client = Client::new(api, Credentials::fixed(Brand::August, sandbox.demo_access_token()))?;
        /// let pins = client.get_pins(demo::FRONT_DOOR_LOCK_ID)?;
        /// for pin in &pins {
        ///     println!("{} {}: slot {}, {}", pin.first_name(), pin.last_name(), pin.slot(), pin.state());
        /// }
        /// assert_eq!(pins.len(), 2);
        /// # Ok(())
        /// # }
        /// ```
        GetPins => fn get_pins(lock_id: &str) -> Vec<Pin>;
        /// ```
        /// # use august_auth::{Client, Credentials};
        /// # use august_core::{Api, Brand};
        /// # use august_sandbox::{Sandbox, demo};
        /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
        /// # let sandbox = Sandbox::start()?;
        /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
        /// # let client = Client::new(api, Credentials::fixed(Brand::August, sandbox.demo_access_token()))?;
        /// let user = client.get_user()?;
        /// assert_eq!(user["UserID"], demo::USER_ID);
        /// assert_eq!(user["FirstName"], "Demo");
        /// # Ok(())
        /// # }
        /// ```
        GetUser => fn get_user() -> serde_json::Value;
        /// ```
        /// # use august_auth::{Client, Credentials};
        /// # use august_core::{Api, Brand};
        /// # use august_sandbox::{Sandbox, demo};
        /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
        /// # let sandbox = Sandbox::start()?;
        /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
        /// # let client = Client::new(api, Credentials::fixed(Brand::August, sandbox.demo_access_token()))?;
        /// for alarm in client.get_alarms()? {
        ///     println!("{} in house {}: {}", alarm.device_name(), alarm.house_id(), alarm.status());
        /// }
        /// # Ok(())
        /// # }
        /// ```
        GetAlarms => fn get_alarms() -> Vec<Alarm>;
        /// ```
        /// # use august_auth::{Client, Credentials};
        /// # use august_core::{Api, Brand};
        /// # use august_sandbox::{Sandbox, demo};
        /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
        /// # let sandbox = Sandbox::start()?;
        /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
        /// # let client = Client::new(api, Credentials::fixed(Brand::August, sandbox.demo_access_token()))?;
        /// for alarm in client.get_alarms()? {
        ///     let Some(alarm_id) = alarm.device_id() else { continue };
        ///     for device in client.get_alarm_devices(alarm_id)? {
        ///         println!("{}: online {}, battery {}%", device.device_name(), device.is_online(), device.battery_level());
        ///     }
        /// }
        /// # Ok(())
        /// # }
        /// ```
        GetAlarmDevices => fn get_alarm_devices(alarm_id: &str) -> Vec<AlarmDevice>;
        /// ```
        /// # use august_auth::{Client, Credentials};
        /// # use august_core::{Api, Brand};
        /// # use august_sandbox::{Sandbox, demo};
        /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
        /// # let sandbox = Sandbox::start()?;
        /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
        /// # let client = Client::new(api, Credentials::fixed(Brand::August, sandbox.demo_access_token()))?;
        /// client.wakeup_doorbell(demo::FRONT_DOORBELL_ID)?;
        /// # Ok(())
        /// # }
        /// ```
        WakeupDoorbell => fn wakeup_doorbell(doorbell_id: &str) -> ();
        /// ```
        /// use august_core::LockStatus;
        ///
        /// # use august_auth::{Client, Credentials};
        /// # use august_core::{Api, Brand};
        /// # use august_sandbox::{Sandbox, demo};
        /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
        /// # let sandbox = Sandbox::start()?;
        /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
        /// # let client = Client::new(api, Credentials::fixed(Brand::August, sandbox.demo_access_token()))?;
        /// assert_eq!(client.lock(demo::FRONT_DOOR_LOCK_ID)?, LockStatus::Locked);
        ///
        /// // The back door has no bridge: the server refuses with 409.
        /// let error = client.lock(demo::BACK_DOOR_LOCK_ID).unwrap_err();
        /// assert_eq!(error.status(), Some(409));
        /// # Ok(())
        /// # }
        /// ```
        Lock => fn lock(lock_id: &str) -> LockStatus;
        /// ```
        /// use august_core::LockStatus;
        ///
        /// # use august_auth::{Client, Credentials};
        /// # use august_core::{Api, Brand};
        /// # use august_sandbox::{Sandbox, demo};
        /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
        /// # let sandbox = Sandbox::start()?;
        /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
        /// # let client = Client::new(api, Credentials::fixed(Brand::August, sandbox.demo_access_token()))?;
        /// assert_eq!(client.unlock(demo::FRONT_DOOR_LOCK_ID)?, LockStatus::Unlocked);
        /// assert_eq!(client.get_lock_status(demo::FRONT_DOOR_LOCK_ID)?, LockStatus::Unlocked);
        /// # Ok(())
        /// # }
        /// ```
        Unlock => fn unlock(lock_id: &str) -> LockStatus;
        /// ```
        /// # use august_auth::{Client, Credentials};
        /// # use august_core::{Api, Brand};
        /// # use august_sandbox::{Sandbox, demo};
        /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
        /// # let sandbox = Sandbox::start()?;
        /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
        /// # let client = Client::new(api, Credentials::fixed(Brand::August, sandbox.demo_access_token()))?;
        /// let status = client.unlatch(demo::FRONT_DOOR_LOCK_ID)?;
        /// println!("now {}", status.as_str());
        /// # Ok(())
        /// # }
        /// ```
        Unlatch => fn unlatch(lock_id: &str) -> LockStatus;
        /// ```
        /// use august_core::LockStatus;
        ///
        /// # use august_auth::{Client, Credentials};
        /// # use august_core::{Api, Brand};
        /// # use august_sandbox::{Sandbox, demo};
        /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
        /// # let sandbox = Sandbox::start()?;
        /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
        /// # let client = Client::new(api, Credentials::fixed(Brand::August, sandbox.demo_access_token()))?;
        /// let activities = client.lock_return_activities(demo::FRONT_DOOR_LOCK_ID)?;
        /// for activity in &activities {
        ///     println!("{} at {:?}", activity.kind().as_str(), activity.start_time());
        /// }
        /// assert!(activities.iter().any(|a| a.lock_status() == Some(LockStatus::Locked)));
        /// # Ok(())
        /// # }
        /// ```
        LockReturnActivities => fn lock_return_activities(lock_id: &str) -> Vec<Activity>;
        /// ```
        /// use august_core::LockStatus;
        ///
        /// # use august_auth::{Client, Credentials};
        /// # use august_core::{Api, Brand};
        /// # use august_sandbox::{Sandbox, demo};
        /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
        /// # let sandbox = Sandbox::start()?;
        /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
        /// # let client = Client::new(api, Credentials::fixed(Brand::August, sandbox.demo_access_token()))?;
        /// let activities = client.unlock_return_activities(demo::FRONT_DOOR_LOCK_ID)?;
        /// for activity in &activities {
        ///     println!("{} at {:?}", activity.kind().as_str(), activity.start_time());
        /// }
        /// assert!(activities.iter().any(|a| a.lock_status() == Some(LockStatus::Unlocked)));
        /// # Ok(())
        /// # }
        /// ```
        UnlockReturnActivities => fn unlock_return_activities(lock_id: &str) -> Vec<Activity>;
        /// ```
        /// # use august_auth::{Client, Credentials};
        /// # use august_core::{Api, Brand};
        /// # use august_sandbox::{Sandbox, demo};
        /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
        /// # let sandbox = Sandbox::start()?;
        /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
        /// # let client = Client::new(api, Credentials::fixed(Brand::August, sandbox.demo_access_token()))?;
        /// let activities = client.unlatch_return_activities(demo::FRONT_DOOR_LOCK_ID)?;
        /// for activity in &activities {
        ///     println!("{} at {:?}", activity.kind().as_str(), activity.start_time());
        /// }
        /// # Ok(())
        /// # }
        /// ```
        UnlatchReturnActivities => fn unlatch_return_activities(lock_id: &str) -> Vec<Activity>;
        /// ```
        /// use august_core::AsyncOperation;
        ///
        /// # use august_auth::{Client, Credentials};
        /// # use august_core::{Api, Brand};
        /// # use august_sandbox::{Sandbox, demo};
        /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
        /// # let sandbox = Sandbox::start()?;
        /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
        /// # let client = Client::new(api, Credentials::fixed(Brand::August, sandbox.demo_access_token()))?;
        /// // The outcome comes later, on the lock's push channel.
        /// let body = client.lock_async(demo::FRONT_DOOR_LOCK_ID, AsyncOperation::default())?;
        /// println!("accepted: {body}");
        /// # Ok(())
        /// # }
        /// ```
        LockAsync => fn lock_async(lock_id: &str, options: AsyncOperation) -> String;
        /// ```
        /// use august_core::AsyncOperation;
        ///
        /// # use august_auth::{Client, Credentials};
        /// # use august_core::{Api, Brand};
        /// # use august_sandbox::{Sandbox, demo};
        /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
        /// # let sandbox = Sandbox::start()?;
        /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
        /// # let client = Client::new(api, Credentials::fixed(Brand::August, sandbox.demo_access_token()))?;
        /// // The outcome comes later, on the lock's push channel.
        /// let body = client.unlock_async(demo::FRONT_DOOR_LOCK_ID, AsyncOperation::default())?;
        /// println!("accepted: {body}");
        /// # Ok(())
        /// # }
        /// ```
        UnlockAsync => fn unlock_async(lock_id: &str, options: AsyncOperation) -> String;
        /// ```
        /// use august_core::AsyncOperation;
        ///
        /// # use august_auth::{Client, Credentials};
        /// # use august_core::{Api, Brand};
        /// # use august_sandbox::{Sandbox, demo};
        /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
        /// # let sandbox = Sandbox::start()?;
        /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
        /// # let client = Client::new(api, Credentials::fixed(Brand::August, sandbox.demo_access_token()))?;
        /// // The outcome comes later, on the lock's push channel.
        /// let body = client.unlatch_async(demo::FRONT_DOOR_LOCK_ID, AsyncOperation::default())?;
        /// println!("accepted: {body}");
        /// # Ok(())
        /// # }
        /// ```
        UnlatchAsync => fn unlatch_async(lock_id: &str, options: AsyncOperation) -> String;
        /// ```
        /// use august_core::AsyncOperation;
        ///
        /// # use august_auth::{Client, Credentials};
        /// # use august_core::{Api, Brand};
        /// # use august_sandbox::{Sandbox, demo};
        /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
        /// # let sandbox = Sandbox::start()?;
        /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
        /// # let client = Client::new(api, Credentials::fixed(Brand::August, sandbox.demo_access_token()))?;
        /// // The outcome comes later, on the lock's push channel.
        /// let body = client.status_async(demo::FRONT_DOOR_LOCK_ID, AsyncOperation::default())?;
        /// println!("accepted: {body}");
        /// # Ok(())
        /// # }
        /// ```
        StatusAsync => fn status_async(lock_id: &str, options: AsyncOperation) -> String;
        /// ```
        /// use august_core::ArmState;
        ///
        /// # use august_auth::{Client, Credentials};
        /// # use august_core::{Api, Brand};
        /// # use august_sandbox::{Sandbox, demo};
        /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
        /// # let sandbox = Sandbox::start()?;
        /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
        /// # let client = Client::new(api, Credentials::fixed(Brand::August, sandbox.demo_access_token()))?;
        /// for alarm in client.get_alarms()? {
        ///     let answer = client.arm_alarm(&alarm, &ArmState::Away)?;
        ///     println!("{answer}");
        /// }
        /// # Ok(())
        /// # }
        /// ```
        ArmAlarm => fn arm_alarm(alarm: &Alarm, state: &ArmState) -> serde_json::Value;
    }

    /// [`Api::get_doorbell_image`]: the snapshot comes from its own host with the doorbell's
    /// content token, not the access token.
    ///
    /// ```
    /// use august_auth::{Client, Credentials};
    /// # use august_auth::{Authenticator, LoginMethod};
    /// # use august_core::Api;
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let api = Api::builder().base_url(sandbox.august_url()).build()?;
    /// # let mut authenticator = Authenticator::new(api.clone(), LoginMethod::Phone, demo::PHONE, demo::PASSWORD);
    /// # authenticator.authenticate()?;
    /// # authenticator.send_verification_code()?;
    /// # let code = sandbox.august_verification_code().ok_or("no code")?;
    /// # authenticator.validate_verification_code(&code)?;
    /// # authenticator.authenticate()?;
    /// let client = Client::new(api, Credentials::password(authenticator)?)?;
    /// let doorbell = client.get_doorbell_detail(demo::FRONT_DOORBELL_ID)?;
    /// let image = client.get_doorbell_image(&doorbell)?;
    /// assert_eq!(image.content_type(), Some("image/jpeg"));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Those of [`Api::get_doorbell_image`].
    pub fn get_doorbell_image(&self, doorbell: &DoorbellDetail) -> Result<DoorbellImage> {
        self.api.get_doorbell_image(doorbell).map_err(Error::Api)
    }
}
