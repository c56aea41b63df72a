//! Token verification: `GET /protected/json/verify/{token}/{authy_id}`.

use serde_json::Value;

use crate::client::{AuthyApiClient, Call, decode, protected};
use crate::error::{ApiError, Hints, Result};
use crate::models::TokenVerification;
use crate::options::VerifyOptions;
use crate::types::{AuthyId, check_token_digits, check_token_length};

/// Token verification, reached with [`AuthyApiClient::tokens`] (py: `authy_api.tokens`).
#[derive(Debug, Clone, Copy)]
pub struct Tokens<'a> {
    client: &'a AuthyApiClient,
}

impl<'a> Tokens<'a> {
    pub(crate) fn new(client: &'a AuthyApiClient) -> Self {
        Tokens { client }
    }

    /// Checks a token the user typed (py: `tokens.verify(authy_id, token)`; `GET
    /// /protected/json/verify/{token}/{authy_id}?force=true`).
    ///
    /// `Ok` means valid: status 200 and `"token": "is valid"` in the parsed body (`success`
    /// is not read). Anything else is an error, so a wrong token
    /// can never pass as `Ok`. The token is kept as text (leading zeros count) and sent as a
    /// secret path segment: it never appears in logs, errors or `Debug` output. `force=true`
    /// is sent, as in the seed; see [`verify_with`](Self::verify_with).
    ///
    /// ```
    /// use authy_client::ApiErrorReason;
    /// # use authy_client::{AuthyApiClient, AuthyId};
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let authy_api = AuthyApiClient::builder(demo::AUTHY_API_KEY).base_url(sandbox.authy_url()).build()?;
    /// let user = AuthyId::new(demo::AUTHY_SMS_USER_ID);
    /// authy_api.users().request_sms(user)?;
    /// let token = sandbox.authy_token(demo::AUTHY_SMS_USER_ID).ok_or("no token")?; // the user types it in
    /// authy_api.tokens().verify(user, &token)?;
    ///
    /// match authy_api.tokens().verify(user, "0000000") {
    ///     Ok(_) => println!("the user is valid"),
    ///     Err(e) if e.reason() == Some(ApiErrorReason::TokenInvalid) => println!("wrong token: ask again"),
    ///     Err(e) => return Err(e.into()),
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Before sending, [`Error::InvalidInput`](crate::Error::InvalidInput) in the seed's order:
    /// a token with anything but ASCII digits
    /// ([`InvalidInput::TokenNotDigits`](crate::InvalidInput::TokenNotDigits)), id 0, a token
    /// not 6 to 12 digits long
    /// ([`InvalidInput::TokenLength`](crate::InvalidInput::TokenLength)).
    /// [`Error::Api`](crate::Error::Api) with
    /// [`ApiErrorReason::TokenInvalid`](crate::ApiErrorReason::TokenInvalid) (also for a 200 that does
    /// not say the token is valid), [`ApiErrorReason::TokenReused`](crate::ApiErrorReason::TokenReused),
    /// [`ApiErrorReason::UserNotFound`](crate::ApiErrorReason::UserNotFound); transport errors. Never
    /// retried (a resent token would be reported as reused).
    pub fn verify(&self, authy_id: impl Into<AuthyId>, token: &str) -> Result<TokenVerification> {
        self.verify_with(authy_id, token, &VerifyOptions::new())
    }

    /// [`verify`](Self::verify) with `force` and `action` (py: `tokens.verify(authy_id,
    /// token, {"force": ..., "action": ...})`).
    ///
    /// ```
    /// use authy_client::VerifyOptions;
    /// # use authy_client::{AuthyApiClient, AuthyId};
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let authy_api = AuthyApiClient::builder(demo::AUTHY_API_KEY).base_url(sandbox.authy_url()).build()?;
    /// let user = AuthyId::new(demo::AUTHY_SMS_USER_ID);
    /// authy_api.users().request_sms(user)?;
    /// let token = sandbox.authy_token(demo::AUTHY_SMS_USER_ID).ok_or("no token")?;
    /// // Check even an unregistered user's token.
    /// let options = VerifyOptions::new().force(true);
    /// authy_api.tokens().verify_with(user, &token, &options)?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`verify`](Self::verify), plus [`Error::InvalidInput`](crate::Error::InvalidInput)
    /// for an empty or over-long action.
    pub fn verify_with(
        &self,
        authy_id: impl Into<AuthyId>,
        token: &str,
        options: &VerifyOptions,
    ) -> Result<TokenVerification> {
        check_token_digits(token)?;
        let id = authy_id.into().checked()?;
        check_token_length(token)?;
        options.validate()?;
        let path = protected("verify").secret(token).seg(&id.to_string());
        let call = Call::act(path, Hints::TOKEN)
            .query(options.query())
            .secret(token);
        let (endpoint, response) = self.client.exchange(&call)?;
        if response.status() != 200 {
            return Err(self.client.api_error(endpoint, &response, &call));
        }
        let valid = match serde_json::from_slice::<Value>(response.body()) {
            // `success` is not read: the server may send it as a string (spec §6.3).
            Ok(Value::Object(body)) => {
                body.get("token").and_then(Value::as_str) == Some("is valid")
            }
            _ => false,
        };
        if valid {
            decode(&endpoint, response.body(), call.check)
        } else {
            Err(ApiError::token_not_valid(endpoint, &response, call.check).into())
        }
    }
}
