//! Lookup v2 phone numbers, the successor of Authy's phone info (spec §7).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::client::{Api, Call, VerifyClient};
use crate::client::{Raw, keeps_raw};
use crate::error::{InvalidInput, Result};
use crate::types::{LineType, ValidationError, is_e164};
use api_transport::Path;

/// Declares [`LookupField`], its wire names and the list `FromStr` reads, from one list, so
/// a new field cannot be left out of any of them.
macro_rules! lookup_fields {
    ($($(#[$doc:meta])* $variant:ident = $wire:literal,)+) => {
        /// A data package of Lookup (`Fields`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum LookupField {
            $($(#[$doc])* $variant,)+
        }

        impl LookupField {
            /// Every field, for `FromStr`.
            const ALL: &'static [LookupField] = &[$(LookupField::$variant,)+];

            /// The wire name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(LookupField::$variant => $wire,)+
                }
            }
        }
    };
}

lookup_fields! {
    /// `validation`.
    Validation = "validation",
    /// `caller_name`.
    CallerName = "caller_name",
    /// `sim_swap`.
    SimSwap = "sim_swap",
    /// `call_forwarding`.
    CallForwarding = "call_forwarding",
    /// `line_status`.
    LineStatus = "line_status",
    /// `line_type_intelligence`: carrier and line type (Authy's `type` and `provider`).
    LineTypeIntelligence = "line_type_intelligence",
    /// `identity_match`.
    IdentityMatch = "identity_match",
    /// `reassigned_number`.
    ReassignedNumber = "reassigned_number",
    /// `sms_pumping_risk`.
    SmsPumpingRisk = "sms_pumping_risk",
    /// `phone_number_quality_score`.
    PhoneNumberQualityScore = "phone_number_quality_score",
    /// `pre_fill`.
    PreFill = "pre_fill",
}

impl std::fmt::Display for LookupField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for LookupField {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        LookupField::ALL
            .iter()
            .copied()
            .find(|f| f.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown lookup field `{s}`"))
    }
}

/// The parameters of a lookup beyond the number; unset ones are not sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct LookupOptions {
    fields: Vec<LookupField>,
    params: Vec<(&'static str, String)>,
}

macro_rules! params {
    ($($(#[$doc:meta])* $name:ident => $wire:literal,)+) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, value: impl Into<String>) -> Self {
                self.params.push(($wire, value.into()));
                self
            }
        )+
    };
}

impl LookupOptions {
    /// Only the basic answer (validation).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a data package to `Fields`.
    pub fn field(mut self, field: LookupField) -> Self {
        if !self.fields.contains(&field) {
            self.fields.push(field);
        }
        self
    }

    params! {
        /// `CountryCode`: ISO alpha-2, for a national number.
        country_code => "CountryCode",
        /// `FirstName` (identity match).
        first_name => "FirstName",
        /// `LastName` (identity match).
        last_name => "LastName",
        /// `AddressLine1` (identity match).
        address_line1 => "AddressLine1",
        /// `AddressLine2` (identity match).
        address_line2 => "AddressLine2",
        /// `City` (identity match).
        city => "City",
        /// `State` (identity match).
        state => "State",
        /// `PostalCode` (identity match).
        postal_code => "PostalCode",
        /// `AddressCountryCode` (identity match).
        address_country_code => "AddressCountryCode",
        /// `NationalId` (identity match).
        national_id => "NationalId",
        /// `DateOfBirth` (identity match).
        date_of_birth => "DateOfBirth",
        /// `LastVerifiedDate` (reassigned number).
        last_verified_date => "LastVerifiedDate",
        /// `VerificationSid` (pre-fill).
        verification_sid => "VerificationSid",
        /// `PartnerSubId`.
        partner_sub_id => "PartnerSubId",
    }
}

/// A Lookup v2 answer (`LookupResponse`). The packages this model does not type are JSON
/// values; [`PhoneNumberInfo::raw`] keeps the whole answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PhoneNumberInfo {
    /// The calling code (`"1"`).
    #[serde(default)]
    pub calling_country_code: Option<String>,
    /// ISO country (`"US"`).
    #[serde(default)]
    pub country_code: Option<String>,
    /// E.164 form.
    #[serde(default)]
    pub phone_number: Option<String>,
    /// National form.
    #[serde(default)]
    pub national_format: Option<String>,
    /// Whether the number is valid.
    #[serde(default)]
    pub valid: Option<bool>,
    /// Why it is not.
    #[serde(default)]
    pub validation_errors: Option<Vec<ValidationError>>,
    /// Line type intelligence, when requested.
    #[serde(default)]
    pub line_type_intelligence: Option<LineTypeIntelligence>,
    /// Caller name, when requested.
    #[serde(default)]
    pub caller_name: Option<Value>,
    /// SIM swap, when requested.
    #[serde(default)]
    pub sim_swap: Option<Value>,
    /// Call forwarding, when requested.
    #[serde(default)]
    pub call_forwarding: Option<Value>,
    /// Line status, when requested.
    #[serde(default)]
    pub line_status: Option<Value>,
    /// Identity match, when requested.
    #[serde(default)]
    pub identity_match: Option<Value>,
    /// Reassigned number, when requested.
    #[serde(default)]
    pub reassigned_number: Option<Value>,
    /// SMS pumping risk, when requested.
    #[serde(default)]
    pub sms_pumping_risk: Option<Value>,
    /// Quality score, when requested.
    #[serde(default)]
    pub phone_number_quality_score: Option<Value>,
    /// Pre-fill, when requested.
    #[serde(default)]
    pub pre_fill: Option<Value>,
    /// The resource URL.
    #[serde(default)]
    pub url: Option<String>,
    #[serde(skip)]
    raw: Raw,
}

keeps_raw!(PhoneNumberInfo);

/// Line type intelligence: carrier and line type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LineTypeIntelligence {
    /// Mobile country code.
    #[serde(default)]
    pub mobile_country_code: Option<String>,
    /// Mobile network code.
    #[serde(default)]
    pub mobile_network_code: Option<String>,
    /// The carrier (Authy's `provider`).
    #[serde(default)]
    pub carrier_name: Option<String>,
    /// The line type (Authy's `type`).
    #[serde(default, rename = "type")]
    pub line_type: Option<LineType>,
    /// An error code when the data is unavailable.
    #[serde(default)]
    pub error_code: Option<i64>,
}

/// The Lookup calls (`client.lookup()`).
#[derive(Debug, Clone, Copy)]
pub struct Lookup<'a> {
    client: &'a VerifyClient,
}

impl<'a> Lookup<'a> {
    pub(crate) fn new(client: &'a VerifyClient) -> Self {
        Lookup { client }
    }

    /// `GET /v2/PhoneNumbers/{number}` on Lookup's base URL. `number` is E.164, or national
    /// digits with [`LookupOptions::country_code`].
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
    /// let info = client.lookup().phone_number(
    ///     "+15555550100",
    ///     &LookupOptions::new().field(LookupField::LineTypeIntelligence),
    /// )?;
    /// assert_eq!(info.valid, Some(true));
    /// println!("{:?}", info.line_type_intelligence.and_then(|l| l.line_type));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidInput`] for a number that is neither E.164 nor digits; the
    /// errors of [`crate::Error`].
    pub fn phone_number(&self, number: &str, options: &LookupOptions) -> Result<PhoneNumberInfo> {
        let national =
            (4..=17).contains(&number.len()) && number.bytes().all(|b| b.is_ascii_digit());
        if !is_e164(number) && !national {
            return Err(InvalidInput::PhoneNumber.into());
        }
        // `+` literal, as Twilio's own URLs and helper libraries write it (spec §2.4).
        let path = Path::new().lit("v2/PhoneNumbers").seg_keeping_plus(number);
        let mut call = Call::get(Api::Lookup, path);
        if !options.fields.is_empty() {
            let fields: Vec<&str> = options.fields.iter().map(|f| f.as_str()).collect();
            call = call.query("Fields", fields.join(","));
        }
        for (name, value) in &options.params {
            call = call.query(name, value.as_str());
        }
        self.client.send_json(&call)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_reads_back_from_its_wire_name() {
        // A wire name given twice would make `FromStr` read the second field as the first.
        for field in LookupField::ALL {
            assert_eq!(field.as_str().parse::<LookupField>(), Ok(*field));
            assert_eq!(field.to_string(), field.as_str());
        }
        assert_eq!(
            "LINE_TYPE_INTELLIGENCE".parse::<LookupField>(),
            Ok(LookupField::LineTypeIntelligence)
        );
        assert_eq!(
            "carrier".parse::<LookupField>(),
            Err("unknown lookup field `carrier`".to_owned())
        );
    }
}
