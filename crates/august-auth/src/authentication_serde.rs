//! Serialising a login record without its secret.
//!
//! What a program wants when it prints or logs a login is where it stands: the state, the
//! install id, whether a token is held and until when. The access token itself is never
//! written: a record serialised to a log, a status page or a support ticket carries nothing
//! that can call the API. (The token cache has its own writer, which does keep the token, in a
//! file only its owner can read.)

use std::str::FromStr;

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use crate::authentication::{Authentication, AuthenticationState, ValidationResult};

/// Serialised as its string (`authenticated`).
impl Serialize for AuthenticationState {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Serialised as its string (`validated`).
impl Serialize for ValidationResult {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Reads `validated` or `invalid_verification_code`.
impl FromStr for ValidationResult {
    type Err = UnknownValidationResult;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            ValidationResult::Validated,
            ValidationResult::InvalidVerificationCode,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
        .ok_or_else(|| UnknownValidationResult(api_transport::printable(s, 64)))
    }
}

/// A string that names no [`ValidationResult`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownValidationResult(String);

impl std::fmt::Display for UnknownValidationResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "unknown validation result `{}`; expected validated or invalid_verification_code",
            self.0
        )
    }
}

impl std::error::Error for UnknownValidationResult {}

/// Serialised without the access token: `state`, `install_id`, `has_access_token`,
/// `access_token_expires` (verbatim, or `null`) and `expires_at` (the expiry read as an
/// RFC 3339 UTC instant, or `null` when there is none or it cannot be read).
///
/// ```
/// fn status_line(auth: &august_auth::Authentication) -> serde_json::Result<String> {
///     // safe to log: the token is not in it
///     serde_json::to_string(auth)
/// }
/// ```
impl Serialize for Authentication {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Authentication", 5)?;
        s.serialize_field("state", &self.state)?;
        s.serialize_field("install_id", &self.install_id)?;
        s.serialize_field("has_access_token", &!self.access_token.is_empty())?;
        s.serialize_field("access_token_expires", &self.access_token_expires)?;
        s.serialize_field("expires_at", &self.parsed_expiry().ok())?;
        s.end()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_token_is_never_serialised() {
        let auth = Authentication::sample("secret-token-value", "2020-03-06 23:55:12.002+01:00");
        let text = serde_json::to_string(&auth).expect("serialises");
        assert!(!text.contains("secret-token-value"), "{text}");
        assert_eq!(
            serde_json::to_value(&auth).ok(),
            Some(json!({
                "state": "authenticated",
                "install_id": "0b5d3b8e-3f5f-4b8a-9c4e-2f6d8a1b7c9d",
                "has_access_token": true,
                "access_token_expires": "2020-03-06 23:55:12.002+01:00",
                "expires_at": "2020-03-06T22:55:12.002Z",
            }))
        );
    }

    #[test]
    fn a_fresh_record_has_no_token_and_no_expiry() {
        let fresh = Authentication::fresh("id".into());
        assert_eq!(
            serde_json::to_value(&fresh).ok(),
            Some(json!({
                "state": "requires_authentication",
                "install_id": "id",
                "has_access_token": false,
                "access_token_expires": null,
                "expires_at": null,
            }))
        );
    }

    #[test]
    fn validation_results_round_trip() {
        for v in [
            ValidationResult::Validated,
            ValidationResult::InvalidVerificationCode,
        ] {
            assert_eq!(v.to_string().parse::<ValidationResult>(), Ok(v));
            assert_eq!(serde_json::to_value(v).ok(), Some(json!(v.as_str())));
        }
        let err = "Validated".parse::<ValidationResult>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown validation result `Validated`; expected validated or invalid_verification_code"
        );
    }
}
