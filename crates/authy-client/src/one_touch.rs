//! OneTouch push approvals: `/onetouch/json/...`, and the callback signature check.

use api_transport::Path;
use serde_json::Value;

use crate::client::{AuthyApiClient, Call};
use crate::error::{Hints, Result};
use crate::models::{ApprovalRequestCreated, ApprovalStatus};
use crate::options::ApprovalRequest;
use crate::signature;
use crate::types::{AuthyId, check_text};

/// OneTouch calls, reached with [`AuthyApiClient::one_touch`] (py: `authy_api.one_touch`).
#[derive(Debug, Clone, Copy)]
pub struct OneTouch<'a> {
    client: &'a AuthyApiClient,
}

impl<'a> OneTouch<'a> {
    pub(crate) fn new(client: &'a AuthyApiClient) -> Self {
        OneTouch { client }
    }

    /// Pushes an approval request to the user's Authy app (py: `one_touch.send_request(id,
    /// message, seconds_to_expire, details, hidden_details, logos)`;
    /// `POST /onetouch/json/users/{id}/approval_requests`).
    ///
    /// ```
    /// use authy_client::ApprovalRequest;
    /// # use authy_client::{AuthyApiClient, AuthyId};
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let authy_api = AuthyApiClient::builder(demo::AUTHY_API_KEY).base_url(sandbox.authy_url()).build()?;
    /// let request = ApprovalRequest::new("Login requested for your Example account.")
    ///     .seconds_to_expire(120)
    ///     .detail("username", "Bill Smith");
    /// let created = authy_api.one_touch().send_request(AuthyId::new(demo::AUTHY_APP_USER_ID), &request)?;
    /// println!("poll {}", created.uuid());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) before sending: id 0 (py: `Invalid
    /// authy id, user id is required and must be an integer value.`), an empty message (py:
    /// `Invalid message - should not be empty. It is required`), a message, detail key or
    /// value over 200 characters, an empty detail key, a logo URL empty or over 500
    /// characters, `seconds_to_expire` 0. [`Error::Api`](crate::Error::Api) with
    /// [`ApiErrorReason::UserNotFound`](crate::ApiErrorReason::UserNotFound),
    /// [`ApiErrorReason::OneTouch`](crate::ApiErrorReason::OneTouch),
    /// [`ApiErrorReason::Forbidden`](crate::ApiErrorReason::Forbidden) (OneTouch not enabled); transport
    /// errors; [`Error::Decode`](crate::Error::Decode) if the answer has no
    /// `approval_request.uuid`. Never retried (the user would get two pushes).
    pub fn send_request(
        &self,
        authy_id: impl Into<AuthyId>,
        request: &ApprovalRequest,
    ) -> Result<ApprovalRequestCreated> {
        let id = authy_id.into().checked()?;
        request.validate()?;
        let path = Path::new()
            .lit("onetouch/json/users")
            .seg(&id.to_string())
            .lit("approval_requests");
        let call = request
            .hidden_values()
            .fold(Call::post(path, request.body(), Hints::USER), Call::secret);
        self.client.send_json(call)
    }

    /// Where an approval request stands: pending, approved, denied or expired (py:
    /// `one_touch.get_approval_status(uuid)`; `GET /onetouch/json/approval_requests/{uuid}`).
    ///
    /// ```
    /// use authy_client::ApprovalState;
    /// # use authy_client::ApprovalRequest;
    /// # use authy_client::{AuthyApiClient, AuthyId};
    /// # use august_sandbox::{Sandbox, demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let authy_api = AuthyApiClient::builder(demo::AUTHY_API_KEY).base_url(sandbox.authy_url()).build()?;
    /// # let request = ApprovalRequest::new("Login requested for your Example account.");
    /// # let created = authy_api.one_touch().send_request(AuthyId::new(demo::AUTHY_APP_USER_ID), &request)?;
    /// # let uuid = created.uuid();
    /// let status = authy_api.one_touch().get_approval_status(uuid)?;
    /// assert_eq!(status.status(), &ApprovalState::Pending);
    ///
    /// sandbox.approve_onetouch(uuid)?; // the user taps Approve
    /// let status = authy_api.one_touch().get_approval_status(uuid)?;
    /// if status.status() == &ApprovalState::Approved {
    ///     println!("let the user in");
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for an empty uuid.
    /// [`Error::Api`](crate::Error::Api) with
    /// [`ApiErrorReason::ApprovalRequestNotFound`](crate::ApiErrorReason::ApprovalRequestNotFound);
    /// transport errors; [`Error::Decode`](crate::Error::Decode) if the answer has no
    /// `approval_request.status`. Retried as a read.
    pub fn get_approval_status(&self, uuid: &str) -> Result<ApprovalStatus> {
        check_text("uuid", uuid, 128)?;
        let path = Path::new().lit("onetouch/json/approval_requests").seg(uuid);
        self.client.send_json(Call::read(path, Hints::APPROVAL))
    }

    /// Checks a OneTouch callback's `X-Authy-Signature` with this client's API key (py:
    /// `one_touch.validate_one_touch_signature(signature, nonce, method, url, params)`).
    /// `params` is the JSON body of a POST callback, or the decoded query of a GET callback
    /// as a flat object. `Ok(false)` means the signature does not match: reject the callback.
    /// See [`signature::verify`] for the details.
    ///
    /// ```
    /// use authy_client::AuthyApiClient;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let authy_api = AuthyApiClient::new("foobar123");
    /// // The callback's JSON body, and its X-Authy-Signature and X-Authy-Signature-Nonce headers.
    /// let body = serde_json::json!({"b": "val|ue&2", "a": "value1"});
    /// let valid = authy_api.one_touch().validate_one_touch_signature(
    ///     "4f9676D/+BzsEq8NzF0fXpv7qETnzJUW/4YGe7p0EPM=",
    ///     "1427849783.886085",
    ///     "POST",
    ///     "https://api.authy.com/dashboard/json/application/webhooks",
    ///     &body,
    /// )?;
    /// assert!(valid); // else answer 401 and ignore the callback
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for an empty signature or nonce, a
    /// method other than GET or POST, or `params` that are not a non-empty object.
    pub fn validate_one_touch_signature(
        &self,
        signature: &str,
        nonce: &str,
        method: &str,
        url: &str,
        params: &Value,
    ) -> Result<bool> {
        signature::verify(self.client.api_key(), signature, nonce, method, url, params)
    }

    /// Checks a POST callback's signature from its raw body. See
    /// [`signature::verify_post`].
    ///
    /// ```
    /// use authy_client::AuthyApiClient;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let authy_api = AuthyApiClient::new("foobar123");
    /// // The callback's raw body, and its X-Authy-Signature and X-Authy-Signature-Nonce headers.
    /// let body = br#"{"b": "val|ue&2", "a": "value1"}"#;
    /// let valid = authy_api.one_touch().validate_post_callback(
    ///     "4f9676D/+BzsEq8NzF0fXpv7qETnzJUW/4YGe7p0EPM=",
    ///     "1427849783.886085",
    ///     "https://api.authy.com/dashboard/json/application/webhooks",
    ///     body,
    /// )?;
    /// assert!(valid); // else answer 401 and ignore the callback
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for an empty signature or nonce, or
    /// a body that is not a non-empty JSON object.
    pub fn validate_post_callback(
        &self,
        signature: &str,
        nonce: &str,
        url: &str,
        body: &[u8],
    ) -> Result<bool> {
        signature::verify_post(self.client.api_key(), signature, nonce, url, body)
    }

    /// Checks a GET callback's signature from its raw query string. See
    /// [`signature::verify_get`].
    ///
    /// ```
    /// use authy_client::AuthyApiClient;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let authy_api = AuthyApiClient::new("foobar123");
    /// let url = "https://example.com/authy/callback";
    /// let query = "authy_id=1001&status=approved&uuid=dda2c400";
    /// # use authy_client::signature::{self, CallbackMethod};
    /// # let signature = signature::sign("foobar123", "1427849783.886085", CallbackMethod::Get, url, &signature::canonical_query(query)?);
    /// // `signature` and the nonce come from the X-Authy-Signature and X-Authy-Signature-Nonce headers.
    /// let valid = authy_api.one_touch().validate_get_callback(&signature, "1427849783.886085", url, query)?;
    /// assert!(valid);
    /// assert!(!authy_api.one_touch().validate_get_callback(&signature, "1427849783.886085", url, "status=denied")?);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for an empty signature, nonce or
    /// query.
    pub fn validate_get_callback(
        &self,
        signature: &str,
        nonce: &str,
        url: &str,
        query: &str,
    ) -> Result<bool> {
        signature::verify_get(self.client.api_key(), signature, nonce, url, query)
    }
}
