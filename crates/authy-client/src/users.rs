//! Users: `/protected/json/users/...`, `/sms/{id}`, `/call/{id}`, `/registrations/status`.

use api_transport::Path;
use serde_json::json;

use crate::client::{AuthyApiClient, Call, protected};
use crate::error::{Hints, Result};
use crate::models::{Confirmation, QrCode, RegistrationStatus, TokenDelivery, User, UserStatus};
use crate::options::{Activity, CreateUserOptions, QrOptions, TokenRequestOptions};
use crate::types::{AuthyId, check_country_code, check_text};

/// The last path segment of user deletion: `/protected/json/users/{id}/delete`, as the seed
/// sends it. (Other clients use `users/delete/{id}` or `users/{id}/remove`; the server accepted
/// this form in every recorded exchange.)
pub const DELETE_USER_SEGMENT: &str = "delete";

/// The longest email address or cellphone number accepted before sending.
const MAX_CONTACT_SIZE: usize = 255;

/// User calls, reached with [`AuthyApiClient::users`] (py: `authy_api.users`).
#[derive(Debug, Clone, Copy)]
pub struct Users<'a> {
    client: &'a AuthyApiClient,
}

fn users_path(id: AuthyId) -> Path {
    protected("users").seg(&id.to_string())
}

impl<'a> Users<'a> {
    pub(crate) fn new(client: &'a AuthyApiClient) -> Self {
        Users { client }
    }

    /// Creates (or finds) the user with this phone number (py: `users.create(email, phone,
    /// country_code)`; `POST /protected/json/users/new`). Users are keyed by phone and country
    /// code: creating the same phone twice gives the same id. The install link is not sent;
    /// see [`create_with`](Self::create_with) for that and for the default country code.
    ///
    /// ```
    /// # use authy_client::{AuthyApiClient, AuthyId};
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let authy_api = AuthyApiClient::builder(demo::AUTHY_API_KEY).base_url(sandbox.authy_url()).build()?;
    /// let user = authy_api.users().create("demo@example.com", "555-555-0100", 1)?;
    /// // Users are keyed by phone: this one exists already. Store the id with your user.
    /// assert_eq!(user.id(), AuthyId::new(demo::AUTHY_SMS_USER_ID));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for an empty email or cellphone or a
    /// country code outside 1..=999, before sending. [`Error::Api`](crate::Error::Api) with
    /// [`ApiErrorReason::UserInvalid`](crate::ApiErrorReason::UserInvalid) (the fields in
    /// [`ApiError::errors`](crate::ApiError::errors), e.g. `"cellphone": "is invalid"`) or
    /// [`ApiErrorReason::InvalidApiKey`](crate::ApiErrorReason::InvalidApiKey); transport errors. Never
    /// retried.
    pub fn create(&self, email: &str, cellphone: &str, country_code: u16) -> Result<User> {
        self.create_with(
            email,
            cellphone,
            &CreateUserOptions::new().country_code(country_code),
        )
    }

    /// [`create`](Self::create) with options: the country code (default 1, as py's
    /// `users.create(email, phone)`) and `send_install_link_via_sms`.
    ///
    /// ```
    /// use authy_client::CreateUserOptions;
    /// # use authy_client::{AuthyApiClient, AuthyId};
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let authy_api = AuthyApiClient::builder(demo::AUTHY_API_KEY).base_url(sandbox.authy_url()).build()?;
    /// // A new US number, and a link to install the Authy app.
    /// let options = CreateUserOptions::new().send_install_link_via_sms(true);
    /// let user = authy_api.users().create_with("new@example.com", "555-555-0199", &options)?;
    /// println!("store this authy id: {}", user.id());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`create`](Self::create).
    pub fn create_with(
        &self,
        email: &str,
        cellphone: &str,
        options: &CreateUserOptions,
    ) -> Result<User> {
        check_text("email", email, MAX_CONTACT_SIZE)?;
        check_text("cellphone", cellphone, MAX_CONTACT_SIZE)?;
        check_country_code(options.calling_code())?;
        let body = options.body(email, cellphone);
        self.client
            .send_json(Call::post(protected("users/new"), body, Hints::NEW_USER))
    }

    /// The user's status: confirmed, registered, devices (py: `users.status(id)`;
    /// `GET /protected/json/users/{id}/status`).
    ///
    /// ```
    /// # use authy_client::{AuthyApiClient, AuthyId};
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let authy_api = AuthyApiClient::builder(demo::AUTHY_API_KEY).base_url(sandbox.authy_url()).build()?;
    /// let status = authy_api.users().status(AuthyId::new(demo::AUTHY_APP_USER_ID))?;
    /// println!("registered: {}, devices: {:?}", status.registered(), status.devices());
    /// assert_eq!(status.authy_id(), Some(AuthyId::new(demo::AUTHY_APP_USER_ID)));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for id 0.
    /// [`Error::Api`](crate::Error::Api) with
    /// [`ApiErrorReason::UserNotFound`](crate::ApiErrorReason::UserNotFound); transport and decode
    /// errors. Retried as a read.
    pub fn status(&self, authy_id: impl Into<AuthyId>) -> Result<UserStatus> {
        let id = authy_id.into().checked()?;
        self.client
            .send_json(Call::read(users_path(id).lit("status"), Hints::USER))
    }

    /// Removes the user from the application (py: `users.delete(id)`;
    /// `POST /protected/json/users/{id}/delete` with `{}`). Authy completes the deletion later.
    ///
    /// ```
    /// # use authy_client::{AuthyApiClient, AuthyId};
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let authy_api = AuthyApiClient::builder(demo::AUTHY_API_KEY).base_url(sandbox.authy_url()).build()?;
    /// authy_api.users().delete(AuthyId::new(demo::AUTHY_SMS_USER_ID))?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for id 0.
    /// [`Error::Api`](crate::Error::Api) with
    /// [`ApiErrorReason::UserNotFound`](crate::ApiErrorReason::UserNotFound) or
    /// [`ApiErrorReason::DeleteFailed`](crate::ApiErrorReason::DeleteFailed); transport errors. Never
    /// retried.
    pub fn delete(&self, authy_id: impl Into<AuthyId>) -> Result<Confirmation> {
        let id = authy_id.into().checked()?;
        self.client.send_json(Call::post(
            users_path(id).lit(DELETE_USER_SEGMENT),
            json!({}),
            Hints::USER,
        ))
    }

    /// Sends the user a token by SMS, unless the user has the Authy app (py:
    /// `users.request_sms(id)`; `GET /protected/json/sms/{id}`); the answer then says
    /// [`ignored`](TokenDelivery::ignored). See [`request_sms_with`](Self::request_sms_with) to
    /// force it.
    ///
    /// ```
    /// # use authy_client::{AuthyApiClient, AuthyId};
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let authy_api = AuthyApiClient::builder(demo::AUTHY_API_KEY).base_url(sandbox.authy_url()).build()?;
    /// let sms = authy_api.users().request_sms(AuthyId::new(demo::AUTHY_SMS_USER_ID))?;
    /// assert!(!sms.ignored());
    /// // A user with the Authy app gets no SMS: ask for the app's token instead.
    /// let sms = authy_api.users().request_sms(AuthyId::new(demo::AUTHY_APP_USER_ID))?;
    /// assert!(sms.ignored());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for id 0.
    /// [`Error::Api`](crate::Error::Api) with
    /// [`ApiErrorReason::UserNotFound`](crate::ApiErrorReason::UserNotFound),
    /// [`ApiErrorReason::SmsDisabled`](crate::ApiErrorReason::SmsDisabled),
    /// [`ApiErrorReason::RateLimited`](crate::ApiErrorReason::RateLimited), ...; transport errors. Never
    /// retried, even after 429 or a timeout (the SMS may have gone out).
    pub fn request_sms(&self, authy_id: impl Into<AuthyId>) -> Result<TokenDelivery> {
        self.request_sms_with(authy_id, &TokenRequestOptions::new())
    }

    /// [`request_sms`](Self::request_sms) with `force`, `action`, `action_message`, `locale`
    /// (py: `users.request_sms(id, {"force": True, ...})`).
    ///
    /// ```
    /// use authy_client::TokenRequestOptions;
    /// # use authy_client::{AuthyApiClient, AuthyId};
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let authy_api = AuthyApiClient::builder(demo::AUTHY_API_KEY).base_url(sandbox.authy_url()).build()?;
    /// // Send the SMS even to a user who has the app.
    /// let options = TokenRequestOptions::new().force(true).locale("es");
    /// let sms = authy_api.users().request_sms_with(AuthyId::new(demo::AUTHY_APP_USER_ID), &options)?;
    /// assert!(!sms.ignored());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`request_sms`](Self::request_sms), plus
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for an empty or over-long action,
    /// action message or locale.
    pub fn request_sms_with(
        &self,
        authy_id: impl Into<AuthyId>,
        options: &TokenRequestOptions,
    ) -> Result<TokenDelivery> {
        self.request_token("sms", authy_id.into(), options)
    }

    /// Calls the user and reads a token, unless the user has the Authy app (py:
    /// `users.request_call(id)`; `GET /protected/json/call/{id}`).
    ///
    /// ```
    /// # use authy_client::{AuthyApiClient, AuthyId};
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let authy_api = AuthyApiClient::builder(demo::AUTHY_API_KEY).base_url(sandbox.authy_url()).build()?;
    /// let call = authy_api.users().request_call(AuthyId::new(demo::AUTHY_SMS_USER_ID))?;
    /// println!("{:?} to {:?}", call.message(), call.cellphone());
    /// assert!(!call.ignored());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`request_sms`](Self::request_sms), with
    /// [`ApiErrorReason::CallsDisabled`](crate::ApiErrorReason::CallsDisabled) when calls are not
    /// enabled. Never retried.
    pub fn request_call(&self, authy_id: impl Into<AuthyId>) -> Result<TokenDelivery> {
        self.request_call_with(authy_id, &TokenRequestOptions::new())
    }

    /// [`request_call`](Self::request_call) with options (py: `users.request_call(id,
    /// options)`).
    ///
    /// ```
    /// use authy_client::TokenRequestOptions;
    /// # use authy_client::{AuthyApiClient, AuthyId};
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let authy_api = AuthyApiClient::builder(demo::AUTHY_API_KEY).base_url(sandbox.authy_url()).build()?;
    /// let options = TokenRequestOptions::new().force(true);
    /// let call = authy_api.users().request_call_with(AuthyId::new(demo::AUTHY_APP_USER_ID), &options)?;
    /// assert!(!call.ignored());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`request_sms_with`](Self::request_sms_with).
    pub fn request_call_with(
        &self,
        authy_id: impl Into<AuthyId>,
        options: &TokenRequestOptions,
    ) -> Result<TokenDelivery> {
        self.request_token("call", authy_id.into(), options)
    }

    fn request_token(
        &self,
        channel: &'static str,
        authy_id: AuthyId,
        options: &TokenRequestOptions,
    ) -> Result<TokenDelivery> {
        let id = authy_id.checked()?;
        options.validate()?;
        let path = protected(channel).seg(&id.to_string());
        self.client
            .send_json(Call::act(path, Hints::USER).query(options.query()))
    }

    /// A QR code for adding the user to a generic authenticator app (py:
    /// `users.generate_qr(id)`; `POST /protected/json/users/{id}/secret`). Generic
    /// authenticator tokens must be enabled for the application.
    ///
    /// ```
    /// # use authy_client::{AuthyApiClient, AuthyId};
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let authy_api = AuthyApiClient::builder(demo::AUTHY_API_KEY).base_url(sandbox.authy_url()).build()?;
    /// let qr = authy_api.users().generate_qr(AuthyId::new(demo::AUTHY_SMS_USER_ID))?;
    /// println!("show {:?}", qr.qr_code());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for id 0.
    /// [`Error::Api`](crate::Error::Api) with
    /// [`ApiErrorReason::QrUnavailable`](crate::ApiErrorReason::QrUnavailable) or
    /// [`ApiErrorReason::UserNotFound`](crate::ApiErrorReason::UserNotFound); transport errors.
    pub fn generate_qr(&self, authy_id: impl Into<AuthyId>) -> Result<QrCode> {
        self.generate_qr_with(authy_id, &QrOptions::new())
    }

    /// [`generate_qr`](Self::generate_qr) with a size and a label (py: `users.generate_qr(id,
    /// size, label)`).
    ///
    /// ```
    /// use authy_client::QrOptions;
    /// # use authy_client::{AuthyApiClient, AuthyId};
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let authy_api = AuthyApiClient::builder(demo::AUTHY_API_KEY).base_url(sandbox.authy_url()).build()?;
    /// let options = QrOptions::new().size(300).label("Example: demo@example.com");
    /// let qr = authy_api.users().generate_qr_with(AuthyId::new(demo::AUTHY_SMS_USER_ID), &options)?;
    /// println!("show {:?} ({:?})", qr.qr_code(), qr.label());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`generate_qr`](Self::generate_qr), plus
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for size 0 or an empty or over-long
    /// label.
    pub fn generate_qr_with(
        &self,
        authy_id: impl Into<AuthyId>,
        options: &QrOptions,
    ) -> Result<QrCode> {
        let id = authy_id.into().checked()?;
        options.validate()?;
        self.client.send_json(Call::post(
            users_path(id).lit("secret"),
            options.body(),
            Hints::USER,
        ))
    }

    /// The registration status of a user known by the application's own id (py:
    /// `users.registration_status(custom_user_id)`;
    /// `GET /protected/json/registrations/status?custom_user_id=...`). No answer body was ever
    /// recorded, so the answer is kept whole.
    ///
    /// ```
    /// # use authy_client::{AuthyApiClient, AuthyId};
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let authy_api = AuthyApiClient::builder(demo::AUTHY_API_KEY).base_url(sandbox.authy_url()).build()?;
    /// let status = authy_api.users().registration_status(demo::AUTHY_SMS_USER_CUSTOM_ID)?;
    /// println!("{:?}", status.get("status"));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for an empty id.
    /// [`Error::Api`](crate::Error::Api); transport errors; [`Error::Decode`](crate::Error::Decode)
    /// if the answer is not a JSON object. Retried as a read.
    pub fn registration_status(&self, custom_user_id: &str) -> Result<RegistrationStatus> {
        check_text("custom user id", custom_user_id, MAX_CONTACT_SIZE)?;
        self.client.send_json(
            Call::read(protected("registrations/status"), Hints::GENERIC)
                .query(vec![("custom_user_id", custom_user_id.to_owned())]),
        )
    }

    /// Reports a user activity for Authy's fraud signals (`POST
    /// /protected/json/users/{id}/register_activity`; not in the seed).
    ///
    /// ```
    /// use authy_client::{Activity, ActivityType};
    /// # use authy_client::{AuthyApiClient, AuthyId};
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let authy_api = AuthyApiClient::builder(demo::AUTHY_API_KEY).base_url(sandbox.authy_url()).build()?;
    /// let activity = Activity::new(ActivityType::PasswordReset, "203.0.113.7");
    /// authy_api.users().register_activity(AuthyId::new(demo::AUTHY_SMS_USER_ID), &activity)?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for id 0, an empty user IP or an
    /// over-long data entry. [`Error::Api`](crate::Error::Api) with
    /// [`ApiErrorReason::UserNotFound`](crate::ApiErrorReason::UserNotFound); transport errors. Never
    /// retried.
    pub fn register_activity(
        &self,
        authy_id: impl Into<AuthyId>,
        activity: &Activity,
    ) -> Result<Confirmation> {
        let id = authy_id.into().checked()?;
        activity.validate()?;
        self.client.send_json(Call::post(
            users_path(id).lit("register_activity"),
            activity.body(),
            Hints::USER,
        ))
    }
}
