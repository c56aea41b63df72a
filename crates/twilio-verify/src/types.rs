//! Identifiers, secrets and the enums of the wire.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::InvalidInput;

// The secret strings of the answers (a TOTP seed, a factor's binding URI): the workspace's one
// secret type, the transport's.
pub use api_transport::Secret;

fn is_sid(value: &str, prefix: &str) -> bool {
    value.len() == 34
        && value.starts_with(prefix)
        && value[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

macro_rules! sid {
    ($(#[$doc:meta])* $name:ident, $prefix:literal, $what:literal) => {
        $(#[$doc])*
        ///
        /// Checked when built from text: the prefix and 32 hex digits. Decoded from answers
        /// as given.
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The two-letter prefix.
            pub const PREFIX: &'static str = $prefix;

            /// Checks and wraps a SID.
            ///
            /// ```
            #[doc = concat!("use twilio_verify::", stringify!($name), ";")]
            ///
            #[doc = concat!("let sid = ", stringify!($name), "::new(\"", $prefix, "0123456789abcdef0123456789abcdef\")?;")]
            #[doc = concat!("assert_eq!(sid.as_str(), \"", $prefix, "0123456789abcdef0123456789abcdef\");")]
            #[doc = concat!("assert!(", stringify!($name), "::new(\"", $prefix, "0123\").is_err());")]
            /// # Ok::<(), twilio_verify::InvalidInput>(())
            /// ```
            ///
            /// # Errors
            ///
            /// [`InvalidInput::Sid`] if it is not the prefix and 32 hex digits.
            pub fn new(value: impl Into<String>) -> Result<Self, InvalidInput> {
                let value = value.into();
                if is_sid(&value, $prefix) {
                    Ok($name(value))
                } else {
                    Err(InvalidInput::Sid { what: $what, prefix: $prefix })
                }
            }

            /// The SID as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            #[allow(dead_code)]
            pub(crate) fn checked(&self) -> Result<&str, InvalidInput> {
                if is_sid(&self.0, $prefix) {
                    Ok(&self.0)
                } else {
                    Err(InvalidInput::Sid { what: $what, prefix: $prefix })
                }
            }
        }

        impl FromStr for $name {
            type Err = InvalidInput;
            fn from_str(s: &str) -> Result<Self, InvalidInput> {
                $name::new(s)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

sid!(
    /// A Verify Service SID (`VA…`).
    ServiceSid, "VA", "service"
);
sid!(
    /// A Verification SID (`VE…`).
    VerificationSid, "VE", "verification"
);
sid!(
    /// An Entity SID (`YE…`).
    EntitySid, "YE", "entity"
);
sid!(
    /// A Factor SID (`YF…`).
    FactorSid, "YF", "factor"
);
sid!(
    /// A Challenge SID (`YC…`).
    ChallengeSid, "YC", "challenge"
);
sid!(
    /// A Notification SID (`NT…`).
    NotificationSid, "NT", "notification"
);
sid!(
    /// A Verification Attempt SID (`VL…`).
    AttemptSid, "VL", "attempt"
);
sid!(
    /// A Webhook SID (`YW…`).
    WebhookSid, "YW", "webhook"
);
sid!(
    /// A Rate Limit SID (`RK…`).
    RateLimitSid, "RK", "rate limit"
);
sid!(
    /// A Bucket SID (`BL…`).
    BucketSid, "BL", "bucket"
);
sid!(
    /// An Access Token SID (`YK…`).
    AccessTokenSid, "YK", "access token"
);
sid!(
    /// An Account SID (`AC…`).
    AccountSid, "AC", "account"
);
sid!(
    /// An API key SID (`SK…`).
    ApiKeySid, "SK", "api key"
);
sid!(
    /// A push credential SID (`CR…`): an APNs or FCM credential of the account.
    CredentialSid, "CR", "credential"
);
sid!(
    /// A Messaging Service SID (`MG…`).
    MessagingServiceSid, "MG", "messaging service"
);

/// An Entity identity: your own stable id for a user, 8 to 64 dash-separated alphanumeric
/// characters, not personal data (`ff483d1ff591898a9942916050d2ca3f`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Identity(String);

fn is_identity(value: &str) -> bool {
    (8..=64).contains(&value.len())
        && value
            .split('-')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric()))
}

impl Identity {
    /// Checks and wraps an identity.
    ///
    /// ```
    /// use twilio_verify::Identity;
    ///
    /// let identity = Identity::new("ff483d1ff591898a9942916050d2ca3f")?;
    /// assert_eq!(identity.as_str(), "ff483d1ff591898a9942916050d2ca3f");
    /// // An e-mail address is personal data, and not dash-separated alphanumerics.
    /// assert!(Identity::new("alice@example.com").is_err());
    /// # Ok::<(), twilio_verify::InvalidInput>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`InvalidInput::Identity`] if it is not 8 to 64 dash-separated alphanumerics.
    pub fn new(value: impl Into<String>) -> Result<Identity, InvalidInput> {
        let value = value.into();
        if is_identity(&value) {
            Ok(Identity(value))
        } else {
            Err(InvalidInput::Identity)
        }
    }

    /// The identity as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub(crate) fn checked(&self) -> Result<&str, InvalidInput> {
        if is_identity(&self.0) {
            Ok(&self.0)
        } else {
            Err(InvalidInput::Identity)
        }
    }
}

impl FromStr for Identity {
    type Err = InvalidInput;
    fn from_str(s: &str) -> Result<Self, InvalidInput> {
        Identity::new(s)
    }
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether `value` is E.164: `+` then 7 to 15 digits, the first not 0. ITU-T E.164 allows at
/// most 15 digits, country code included, and sets no least; the shortest numbers in use have
/// 7 (Niue's: the country code `683` and four digits, `+6834002`).
///
/// ```
/// use twilio_verify::is_e164;
///
/// assert!(is_e164("+15555550100"));
/// assert!(is_e164("+6834002"));
/// assert!(!is_e164("5555550100"));
/// ```
pub fn is_e164(value: &str) -> bool {
    value.strip_prefix('+').is_some_and(|digits| {
        (7..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0')
    })
}

pub(crate) fn is_email(value: &str) -> bool {
    match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !value.contains(char::is_whitespace)
                && !domain.contains('@')
        }
        None => false,
    }
}

/// Checks a code a user typed: `min..=max` ASCII letters or digits.
pub(crate) fn check_code(code: &str, min: usize, max: usize) -> Result<(), InvalidInput> {
    if (min..=max).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err(InvalidInput::Code { min, max })
    }
}

/// Checks a text of `min..=max` characters: an empty one is [`InvalidInput::Empty`], a shorter
/// one [`InvalidInput::TooShort`], a longer one [`InvalidInput::TooLong`].
pub(crate) fn check_len(
    field: &'static str,
    value: &str,
    min: usize,
    max: usize,
) -> Result<(), InvalidInput> {
    let length = value.chars().count();
    if length == 0 {
        Err(InvalidInput::Empty { field })
    } else if length < min {
        Err(InvalidInput::TooShort { field, min, length })
    } else if length > max {
        Err(InvalidInput::TooLong { field, max, length })
    } else {
        Ok(())
    }
}

pub(crate) fn check_range(
    field: &'static str,
    value: i64,
    min: i64,
    max: i64,
) -> Result<(), InvalidInput> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(InvalidInput::OutOfRange {
            field,
            min,
            max,
            value,
        })
    }
}

macro_rules! wire_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $wire:literal,)+ }) => {
        $(#[$doc])*
        ///
        /// Parsed case-insensitively; a value this version does not know is kept in
        /// `Unknown`. `Display` and `FromStr` use the wire form.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
            /// A value this version does not know, as sent.
            Unknown(String),
        }

        impl $name {
            /// The wire forms this version knows, in the order of the variants.
            pub const KNOWN: &'static [&'static str] = &[$($wire,)+];

            /// The wire form.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)+
                    $name::Unknown(s) => s,
                }
            }
        }

        impl FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $(if s.eq_ignore_ascii_case($wire) { return Ok($name::$variant); })+
                Ok($name::Unknown(s.to_owned()))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                let Ok(v) = s.parse();
                Ok(v)
            }
        }
    };
}

wire_enum!(
    /// How a verification code is delivered.
    Channel {
        /// A text message.
        Sms = "sms",
        /// A voice call.
        Call = "call",
        /// An e-mail.
        Email = "email",
        /// A WhatsApp message.
        Whatsapp = "whatsapp",
        /// Silent network authentication.
        Sna = "sna",
        /// Twilio picks the channel.
        Auto = "auto",
        /// RCS messaging.
        Rcs = "rcs",
    }
);

wire_enum!(
    /// The state of a verification.
    VerificationStatus {
        /// Sent, not yet checked successfully.
        Pending = "pending",
        /// The right code was checked.
        Approved = "approved",
        /// Cancelled by the application.
        Canceled = "canceled",
        /// Five wrong codes.
        MaxAttemptsReached = "max_attempts_reached",
        /// Deleted.
        Deleted = "deleted",
        /// Delivery failed.
        Failed = "failed",
        /// Expired.
        Expired = "expired",
    }
);

wire_enum!(
    /// The kind of a factor.
    FactorType {
        /// A push device enrolled with the Verify Push SDK.
        Push = "push",
        /// A TOTP authenticator app.
        Totp = "totp",
        /// A passkey.
        Passkeys = "passkeys",
    }
);

wire_enum!(
    /// Whether a factor was verified.
    FactorStatus {
        /// Created, not yet verified with a code.
        Unverified = "unverified",
        /// Verified: challenges may use it.
        Verified = "verified",
    }
);

wire_enum!(
    /// The state of a challenge.
    ChallengeStatus {
        /// Waiting for an answer.
        Pending = "pending",
        /// Expired without an answer.
        Expired = "expired",
        /// Approved.
        Approved = "approved",
        /// Denied.
        Denied = "denied",
    }
);

wire_enum!(
    /// Why a challenge was answered as it was.
    RespondedReason {
        /// No reason.
        None = "none",
        /// Not needed.
        NotNeeded = "not_needed",
        /// Not requested.
        NotRequested = "not_requested",
    }
);

wire_enum!(
    /// The HMAC algorithm of a TOTP factor.
    TotpAlgorithm {
        /// HMAC-SHA1 (what most authenticator apps support).
        Sha1 = "sha1",
        /// HMAC-SHA256.
        Sha256 = "sha256",
        /// HMAC-SHA512.
        Sha512 = "sha512",
    }
);

wire_enum!(
    /// Where a push factor's notifications go.
    NotificationPlatform {
        /// Apple Push Notification service.
        Apn = "apn",
        /// Firebase Cloud Messaging.
        Fcm = "fcm",
        /// No notifications.
        None = "none",
    }
);

wire_enum!(
    /// The line type from Lookup's line type intelligence.
    LineType {
        /// A mobile number.
        Mobile = "mobile",
        /// A landline.
        Landline = "landline",
        /// A VoIP number tied to an address.
        FixedVoip = "fixedVoip",
        /// A VoIP number not tied to an address.
        NonFixedVoip = "nonFixedVoip",
        /// A personal number.
        Personal = "personal",
        /// A toll-free number.
        TollFree = "tollFree",
        /// A premium-rate number.
        Premium = "premium",
        /// A shared-cost number.
        SharedCost = "sharedCost",
        /// A universal access number.
        Uan = "uan",
        /// A voicemail number.
        Voicemail = "voicemail",
        /// A pager.
        Pager = "pager",
        /// Unknown to the carrier data.
        UnknownType = "unknown",
    }
);

wire_enum!(
    /// Why Lookup says a number is not valid.
    ValidationError {
        /// Too short.
        TooShort = "TOO_SHORT",
        /// Too long.
        TooLong = "TOO_LONG",
        /// Invalid but possible.
        InvalidButPossible = "INVALID_BUT_POSSIBLE",
        /// Invalid country code.
        InvalidCountryCode = "INVALID_COUNTRY_CODE",
        /// Invalid length.
        InvalidLength = "INVALID_LENGTH",
        /// Not a number.
        NotANumber = "NOT_A_NUMBER",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_wire_form_reads_as_a_known_variant() {
        assert_eq!(Channel::KNOWN.len(), 7);
        for wire in Channel::KNOWN {
            let channel: Channel = wire.parse().unwrap();
            assert!(!matches!(channel, Channel::Unknown(_)), "{wire}");
            assert_eq!(channel.as_str(), *wire);
        }
    }

    #[test]
    fn sids_are_checked() {
        assert!(ServiceSid::new("VA00000000000000000000000000000001").is_ok());
        assert_eq!(
            ServiceSid::new("VE00000000000000000000000000000001"),
            Err(InvalidInput::Sid {
                what: "service",
                prefix: "VA"
            })
        );
        assert!(FactorSid::new("YF0000000000000000000000000000000g").is_err());
        assert!(FactorSid::new("YF000").is_err());
        assert!(
            "VE00000000000000000000000000000001"
                .parse::<VerificationSid>()
                .is_ok()
        );
    }

    #[test]
    fn identities_and_numbers() {
        assert!(Identity::new("ff483d1ff591898a9942916050d2ca3f").is_ok());
        assert!(Identity::new("user-0042-abc").is_ok());
        for bad in [
            "short",
            "a--bcdefgh",
            "-abcdefgh",
            "abc def gh",
            "ab/../cdefg",
        ] {
            assert_eq!(Identity::new(bad), Err(InvalidInput::Identity), "{bad}");
        }
        assert!(Identity::new("a".repeat(65)).is_err());
        assert!(is_e164("+15555550100"));
        // Niue: a three-digit country code and four digits, 7 in all.
        assert!(is_e164("+6834002"));
        assert!(is_e164("+123456789012345"));
        for bad in [
            "15555550100",
            "+1555",
            "+683400",
            "+1234567890123456",
            "+0555555555",
            "+1555555010a",
            "+",
        ] {
            assert!(!is_e164(bad), "{bad}");
        }
        assert!(is_email("a@example.com"));
        assert!(!is_email("a@b"));
    }

    #[test]
    fn enums_keep_unknown_values_and_ignore_case() {
        assert_eq!("SMS".parse::<Channel>(), Ok(Channel::Sms));
        assert_eq!(Channel::Whatsapp.to_string(), "whatsapp");
        assert_eq!(
            "pigeon".parse::<Channel>(),
            Ok(Channel::Unknown("pigeon".into()))
        );
        assert_eq!(Channel::Unknown("pigeon".into()).to_string(), "pigeon");
        let v: LineType = serde_json::from_str("\"nonFixedVoip\"").unwrap();
        assert_eq!(v, LineType::NonFixedVoip);
        assert_eq!(serde_json::to_string(&v).unwrap(), "\"nonFixedVoip\"");
    }
}
