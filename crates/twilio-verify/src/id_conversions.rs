//! `TryFrom` text and `From` back to text for the SIDs and the identity, so an id from a
//! database or a form converts with `?` and a checked one goes back to a plain `String`.

use crate::error::InvalidInput;
use crate::types::{
    AccessTokenSid, AccountSid, ApiKeySid, AttemptSid, BucketSid, ChallengeSid, EntitySid,
    FactorSid, Identity, NotificationSid, RateLimitSid, ServiceSid, VerificationSid, WebhookSid,
};

macro_rules! text_conversions {
    ($($name:ident),+ $(,)?) => {$(
        /// Checks the text as [`new`](Self::new) does.
        impl TryFrom<&str> for $name {
            type Error = InvalidInput;

            fn try_from(value: &str) -> Result<Self, InvalidInput> {
                $name::new(value)
            }
        }

        /// Checks the text as [`new`](Self::new) does.
        impl TryFrom<String> for $name {
            type Error = InvalidInput;

            fn try_from(value: String) -> Result<Self, InvalidInput> {
                $name::new(value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.as_str().to_owned()
            }
        }
    )+};
}

text_conversions!(
    ServiceSid,
    VerificationSid,
    EntitySid,
    FactorSid,
    ChallengeSid,
    NotificationSid,
    AttemptSid,
    WebhookSid,
    RateLimitSid,
    BucketSid,
    AccessTokenSid,
    AccountSid,
    ApiKeySid,
    Identity,
);

#[cfg(test)]
mod tests {
    use super::*;

    const SERVICE: &str = "VAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    #[test]
    fn sids_convert_from_and_to_text() {
        let sid = ServiceSid::try_from(SERVICE).expect("a valid sid");
        assert_eq!(sid.as_str(), SERVICE);
        assert_eq!(ServiceSid::try_from(SERVICE.to_owned()), Ok(sid.clone()));
        assert_eq!(String::from(sid), SERVICE);
        // the wrong prefix, a short one, a non-hex digit
        for bad in [
            "VEaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "VAaaaa",
            "VAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaz",
        ] {
            assert!(ServiceSid::try_from(bad).is_err(), "{bad}");
        }
        assert!(FactorSid::try_from("YF0123456789abcdef0123456789abcdef").is_ok());
    }

    #[test]
    fn identities_convert_from_and_to_text() {
        let id = Identity::try_from("ff483d1ff591898a9942916050d2ca3f").expect("valid");
        assert_eq!(String::from(id), "ff483d1ff591898a9942916050d2ca3f");
        assert!(Identity::try_from("short").is_err());
        assert!(Identity::try_from(String::from("has space in it")).is_err());
    }
}
