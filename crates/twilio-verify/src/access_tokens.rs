//! Access tokens for the Verify Push SDK's enrolment (spec §5.7). The token is a secret.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::client::{Call, Collection, Form, Model, VerifyClient, setters};
use crate::error::Result;
use crate::types::{AccessTokenSid, Identity, Secret, ServiceSid, check_len, check_range};

/// An access token (`verify.v2.service.access_token`); `Debug` redacts the token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AccessToken {
    /// The SID (`YK…`).
    pub sid: AccessTokenSid,
    /// The account.
    #[serde(default)]
    pub account_sid: Option<String>,
    /// The service.
    #[serde(default)]
    pub service_sid: Option<String>,
    /// The identity it enrols.
    #[serde(default)]
    pub entity_identity: Option<String>,
    /// `push`.
    #[serde(default)]
    pub factor_type: Option<String>,
    /// The factor's name.
    #[serde(default)]
    pub factor_friendly_name: Option<String>,
    /// The token for the mobile SDK: hand it to the device, never log it.
    pub token: Secret,
    /// Its lifetime in seconds.
    #[serde(default)]
    pub ttl: Option<u32>,
    /// Creation time.
    #[serde(default, deserialize_with = "crate::dates::lenient")]
    pub date_created: Option<DateTime<Utc>>,
    /// The resource URL.
    #[serde(default)]
    pub url: Option<String>,
}

impl Model for AccessToken {}

/// A new access token for enrolling a push factor (`FactorType=push`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct NewPushAccessToken {
    identity: Identity,
    factor_friendly_name: Option<String>,
    ttl: Option<u16>,
}

impl NewPushAccessToken {
    /// A token for `identity`'s device.
    pub fn new(identity: Identity) -> Self {
        NewPushAccessToken {
            identity,
            factor_friendly_name: None,
            ttl: None,
        }
    }

    setters! {
        /// `FactorFriendlyName`: the name the new factor gets.
        factor_friendly_name: impl Into<String>,
        /// `Ttl`: the token's lifetime in seconds, 60..=300 (60 by default).
        ttl: u16,
    }
}

/// The Access Tokens calls of a service (`client.access_tokens(&service)`).
#[derive(Debug, Clone, Copy)]
pub struct AccessTokens<'a> {
    tokens: Collection<'a>,
}

impl<'a> AccessTokens<'a> {
    pub(crate) fn new(client: &'a VerifyClient, service: &'a ServiceSid) -> Self {
        AccessTokens {
            tokens: Collection::of_service(client, service, "AccessTokens"),
        }
    }

    /// `POST /v2/Services/{VA}/AccessTokens` with `Identity`, `FactorType=push` and the
    /// options given.
    ///
    /// ```
    /// # use twilio_verify::*;
    /// # use august_sandbox::{Sandbox, verify as demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let client = VerifyClient::builder(Credentials::api_key(demo::API_KEY_SID, demo::API_KEY_SECRET))
    /// #     .base_url(sandbox.verify_url())
    /// #     .build()?;
    /// # let service: ServiceSid = demo::SERVICE_SID.parse()?;
    /// let new = NewPushAccessToken::new(Identity::new("user-0042-0001")?).factor_friendly_name("pixel").ttl(300);
    /// let token = client.access_tokens(&service).create(&new)?;
    /// // hand token.token.expose() to the app's Verify Push SDK
    /// assert_eq!(token.ttl, Some(300));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidInput`] for a TTL out of range; the errors of [`crate::Error`].
    /// Unlike the other calls that create something, a lost answer or a server error is
    /// [`crate::ErrorKind::RetryLater`]: creating another token is harmless (it enrols nothing
    /// until a device uses it, and expires after its TTL).
    pub fn create(&self, token: &NewPushAccessToken) -> Result<AccessToken> {
        let mut form = Form::new();
        form.add("Identity", token.identity.checked()?);
        form.add("FactorType", "push");
        if let Some(name) = &token.factor_friendly_name {
            check_len("factor friendly name", name, 1, 64)?;
            form.add("FactorFriendlyName", name.as_str());
        }
        if let Some(ttl) = token.ttl {
            check_range("ttl", ttl.into(), 60, 300)?;
            form.add("Ttl", ttl.to_string());
        }
        // The one POST harmless to send again (see `# Errors`): `RetryLater`, not
        // `OutcomeUnknown`, when its answer is lost or is a server error.
        self.tokens
            .send(&Call::post_repeatable(self.tokens.path()?, form))
    }

    /// `GET /v2/Services/{VA}/AccessTokens/{YK}`: a token created earlier, with its `token`.
    /// A read: retried as reads are.
    ///
    /// ```
    /// # use twilio_verify::*;
    /// # use august_sandbox::{Sandbox, verify as demo};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = Sandbox::start()?;
    /// # let client = VerifyClient::builder(Credentials::api_key(demo::API_KEY_SID, demo::API_KEY_SECRET))
    /// #     .base_url(sandbox.verify_url())
    /// #     .build()?;
    /// # let service: ServiceSid = demo::SERVICE_SID.parse()?;
    /// # let new = NewPushAccessToken::new(Identity::new("user-0042-0001")?);
    /// # let sid: AccessTokenSid = client.access_tokens(&service).create(&new)?.sid;
    /// let token = client.access_tokens(&service).fetch(&sid)?;
    /// println!("for {:?}, {:?} s", token.entity_identity, token.ttl);
    /// assert_eq!(token.entity_identity.as_deref(), Some("user-0042-0001"));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidInput`] for a SID that is not `YK` and 32 hex digits;
    /// [`crate::ApiErrorReason::NotFound`] and the others of [`crate::Error`].
    pub fn fetch(&self, sid: &AccessTokenSid) -> Result<AccessToken> {
        self.tokens.fetch(sid.checked()?)
    }
}
