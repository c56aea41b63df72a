//! Entities: one per end user, holding factors and challenges (spec §5.4).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::client::{Collection, Form, Pages, VerifyClient};
use crate::client::{Raw, keeps_raw};
use crate::error::Result;
use crate::types::{EntitySid, Identity, ServiceSid};

/// What to check when an entity's creation got no answer, or a server error.
const CREATE_UNKNOWN: &str = "the entity may have been created; fetch it before creating it again";

/// An entity (`verify.v2.service.entity`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Entity {
    /// The SID (`YE…`).
    pub sid: EntitySid,
    /// Your identity for the user.
    pub identity: Identity,
    /// The account.
    #[serde(default)]
    pub account_sid: Option<String>,
    /// The service.
    #[serde(default)]
    pub service_sid: Option<String>,
    /// Creation time.
    #[serde(default, deserialize_with = "crate::dates::lenient")]
    pub date_created: Option<DateTime<Utc>>,
    /// Last update time.
    #[serde(default, deserialize_with = "crate::dates::lenient")]
    pub date_updated: Option<DateTime<Utc>>,
    /// The resource URL.
    #[serde(default)]
    pub url: Option<String>,
    /// Links to `factors`, `new_factors`, `challenges`.
    #[serde(default)]
    pub links: Option<Value>,
    #[serde(skip)]
    raw: Raw,
}

keeps_raw!(Entity);

/// The Entities calls of a service (`client.entities(&service)`).
#[derive(Debug, Clone, Copy)]
pub struct Entities<'a> {
    entities: Collection<'a>,
}

impl<'a> Entities<'a> {
    pub(crate) fn new(client: &'a VerifyClient, service: &'a ServiceSid) -> Self {
        Entities {
            entities: Collection::of_service(client, service, "Entities"),
        }
    }

    /// `POST /v2/Services/{VA}/Entities` with `Identity`. Create the entity before its
    /// factors.
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
    /// # let identity = Identity::new("user-0042-0001")?;
    /// let identity = Identity::new("user-0042-0002")?; // your user's id: no PII
    /// let entity = client.entities(&service).create(&identity)?;
    /// assert_eq!(entity.identity, identity);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidInput`] for an identity outside the rules; the errors of
    /// [`crate::Error`].
    pub fn create(&self, identity: &Identity) -> Result<Entity> {
        let mut form = Form::new();
        form.add("Identity", identity.checked()?);
        self.entities.create(form, CREATE_UNKNOWN)
    }

    /// `GET /v2/Services/{VA}/Entities/{identity}`.
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
    /// # let identity = Identity::new("user-0042-0001")?;
    /// client.entities(&service).create(&identity)?;
    /// let entity = client.entities(&service).fetch(&identity)?;
    /// println!("{}", entity.sid);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::ApiErrorReason::NotFound`] and the others of [`crate::Error`].
    pub fn fetch(&self, identity: &Identity) -> Result<Entity> {
        self.entities.fetch(identity.checked()?)
    }

    /// `GET /v2/Services/{VA}/Entities`, page after page ([`Pages::page_size`] to choose the
    /// page size).
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
    /// # let identity = Identity::new("user-0042-0001")?;
    /// client.entities(&service).create(&identity)?;
    /// for entity in client.entities(&service).list().page_size(100) {
    ///     println!("{}", entity?.identity);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Each item is a `Result`; an error ends the iteration.
    pub fn list(&self) -> Pages<Entity> {
        self.entities.list()
    }

    /// `DELETE /v2/Services/{VA}/Entities/{identity}` (204). Whether the entity's factors go
    /// with it is not documented: delete them first when removal must be certain.
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
    /// # let identity = Identity::new("user-0042-0001")?;
    /// client.entities(&service).create(&identity)?;
    /// // Whether its factors and challenges go too is not documented on Twilio (the sandbox
    /// // removes them): delete them first when that matters.
    /// client.entities(&service).delete(&identity)?;
    /// assert!(client.entities(&service).fetch(&identity).is_err());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::ApiErrorReason::NotFound`] and the others of [`crate::Error`].
    pub fn delete(&self, identity: &Identity) -> Result<()> {
        self.entities.delete(identity.checked()?)
    }
}
