//! The seeded demo account and devices: identifiers you can use directly.
//!
//! Every sandbox starts with the same data: one August user who owns one house with three locks
//! and two doorbells, and an Authy application with two users.
//!
//! | What | Id | Behaviour |
//! |---|---|---|
//! | Lock "Front Door" | [`FRONT_DOOR_LOCK_ID`] | online bridge, door sensor (closed), keypad with PINs; lock, unlock, unlatch work |
//! | Lock "Back Door" | [`BACK_DOOR_LOCK_ID`] | no bridge: remote operations answer 409 |
//! | Lock "Garage Door" | [`GARAGE_DOOR_LOCK_ID`] | bridge offline: remote operations answer 422 |
//! | Doorbell "Front Door" | [`FRONT_DOORBELL_ID`] | online, with a snapshot served by the sandbox |
//! | Doorbell "Back Door" | [`BACK_DOORBELL_ID`] | offline, no snapshot |

/// The demo user's phone number (log in with `phone:` + this).
pub const PHONE: &str = "+15555550100";
/// The demo user's e-mail address (log in with `email:` + this).
pub const EMAIL: &str = "demo@example.com";
/// The demo user's password.
pub const PASSWORD: &str = "august-demo";
/// The demo user's `UserID`.
pub const USER_ID: &str = "5f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
/// The demo user's first name.
pub const FIRST_NAME: &str = "Demo";
/// The demo user's last name.
pub const LAST_NAME: &str = "User";

/// The demo house's `HouseID`.
pub const HOUSE_ID: &str = "7c4f5e6a-2b1d-4e8f-9a0b-1c2d3e4f5a6b";
/// The demo house's name.
pub const HOUSE_NAME: &str = "Demo House";

/// "Front Door": online bridge, door sensor, keypad; remote operations succeed.
pub const FRONT_DOOR_LOCK_ID: &str = "A1B2C3D4E5F60718293A4B5C6D7E8F01";
/// "Back Door": no bridge; remote operations answer 409.
pub const BACK_DOOR_LOCK_ID: &str = "A1B2C3D4E5F60718293A4B5C6D7E8F02";
/// "Garage Door": its bridge is offline; remote operations answer 422.
pub const GARAGE_DOOR_LOCK_ID: &str = "A1B2C3D4E5F60718293A4B5C6D7E8F03";

/// "Front Door" doorbell: online, with a snapshot.
pub const FRONT_DOORBELL_ID: &str = "K7D2F9A4C1E8";
/// "Back Door" doorbell: offline, no snapshot.
pub const BACK_DOORBELL_ID: &str = "B3E6A1D8F2C5";

/// The OAuth client id the sandbox's authorization server knows (brands `yale_global` and
/// `yale_august`); any loopback redirect URI is registered for it.
pub const OAUTH_CLIENT_ID: &str = "sandbox-oauth-client";
/// The OAuth client secret of [`OAUTH_CLIENT_ID`].
pub const OAUTH_CLIENT_SECRET: &str = "sandbox-oauth-secret-0001";
/// A partner API key: accepted in either API-key header, also when the sandbox refuses the
/// keys built into the public apps (`SandboxBuilder::refuse_public_keys`).
pub const PARTNER_API_KEY: &str = "sandbox-partner-key-0001";

/// The Authy API key the sandbox accepts unless the builder sets another.
pub const AUTHY_API_KEY: &str = "SandboxAuthyApiKey0000000000000001";
/// The Authy application's id.
pub const AUTHY_APP_ID: u64 = 1;
/// An Authy user without the Authy app (SMS and calls are sent): the demo user's phone and
/// e-mail, country code 1.
pub const AUTHY_SMS_USER_ID: u64 = 1000;
/// The custom user id (the application's own id) of [`AUTHY_SMS_USER_ID`], for
/// `GET /protected/json/registrations/status?custom_user_id=...`.
pub const AUTHY_SMS_USER_CUSTOM_ID: &str = "demo-sms-user";
/// An Authy user with the Authy app on an Android phone (`+1 555-555-0101`,
/// `app-user@example.com`): SMS and calls are ignored unless forced.
pub const AUTHY_APP_USER_ID: u64 = 1001;
/// The custom user id (the application's own id) of [`AUTHY_APP_USER_ID`].
pub const AUTHY_APP_USER_CUSTOM_ID: &str = "demo-app-user";
