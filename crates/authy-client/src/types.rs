//! Identifiers and codes that the calls take.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::InvalidInput;

/// An Authy id: the positive integer Authy gives a user at creation ([`User::id`]), stored by
/// the application next to its own user record.
///
/// Calls take `impl Into<AuthyId>`, so a `u64` or `u32` works as well. Text from a database or
/// a form goes through [`AuthyId::parse`] (digits only). Id `0` is rejected before sending.
///
/// ```
/// use authy_client::AuthyId;
///
/// let id = AuthyId::parse("1000")?;
/// assert_eq!(id, AuthyId::new(1000));
/// assert_eq!(id.to_string(), "1000");
/// assert!(AuthyId::parse("10a0").is_err());
/// # Ok::<(), authy_client::InvalidInput>(())
/// ```
///
/// [`User::id`]: crate::User::id
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AuthyId(u64);

impl AuthyId {
    /// An id from its number.
    pub const fn new(id: u64) -> AuthyId {
        AuthyId(id)
    }

    /// An id from text of ASCII digits (py: `Invalid Authy id. Only digits accepted.`).
    ///
    /// # Errors
    ///
    /// [`InvalidInput::AuthyIdNotDigits`] if the text is empty, has anything but `0-9`, or does
    /// not fit in 64 bits.
    pub fn parse(text: &str) -> Result<AuthyId, InvalidInput> {
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidInput::AuthyIdNotDigits);
        }
        text.parse()
            .map(AuthyId)
            .map_err(|_| InvalidInput::AuthyIdNotDigits)
    }

    /// The number.
    pub const fn get(self) -> u64 {
        self.0
    }

    /// The id if it can name a user (not 0).
    pub(crate) fn checked(self) -> Result<AuthyId, InvalidInput> {
        if self.0 == 0 {
            Err(InvalidInput::AuthyIdZero)
        } else {
            Ok(self)
        }
    }
}

impl From<u64> for AuthyId {
    fn from(id: u64) -> Self {
        AuthyId(id)
    }
}

impl From<u32> for AuthyId {
    fn from(id: u32) -> Self {
        AuthyId(u64::from(id))
    }
}

impl From<AuthyId> for u64 {
    fn from(id: AuthyId) -> Self {
        id.0
    }
}

impl FromStr for AuthyId {
    type Err = InvalidInput;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AuthyId::parse(s)
    }
}

impl fmt::Display for AuthyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl Serialize for AuthyId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(self.0)
    }
}

impl<'de> Deserialize<'de> for AuthyId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::de::int(d).map(AuthyId)
    }
}

/// The shortest token Authy issues.
pub const MIN_TOKEN_SIZE: usize = 6;
/// The longest token Authy issues.
pub const MAX_TOKEN_SIZE: usize = 12;

/// Checks a token typed by a user, as the seed does before sending: ASCII digits only, then
/// 6 to 12 of them. The token stays text, so leading zeros are kept.
#[cfg(test)]
pub(crate) fn check_token(token: &str) -> Result<(), InvalidInput> {
    check_token_digits(token)?;
    check_token_length(token)
}

/// The first check of a token: ASCII digits only, not empty.
pub(crate) fn check_token_digits(token: &str) -> Result<(), InvalidInput> {
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_digit()) {
        return Err(InvalidInput::TokenNotDigits);
    }
    Ok(())
}

/// The last check of a token: 6 to 12 characters.
pub(crate) fn check_token_length(token: &str) -> Result<(), InvalidInput> {
    let length = token.chars().count();
    if !(MIN_TOKEN_SIZE..=MAX_TOKEN_SIZE).contains(&length) {
        return Err(InvalidInput::TokenLength { length });
    }
    Ok(())
}

/// Checks a country calling code (1 for the USA, 57 for Colombia).
pub(crate) fn check_country_code(code: u16) -> Result<u16, InvalidInput> {
    if (1..=999).contains(&code) {
        Ok(code)
    } else {
        Err(InvalidInput::CountryCode { code })
    }
}

/// Checks that a text field is present and at most `max` characters long.
pub(crate) fn check_text(field: &'static str, value: &str, max: usize) -> Result<(), InvalidInput> {
    if value.trim().is_empty() {
        return Err(InvalidInput::Empty { field });
    }
    let length = value.chars().count();
    if length > max {
        return Err(InvalidInput::TooLong { field, max, length });
    }
    Ok(())
}

/// Checks a phone verification code: 4 to 10 ASCII digits.
pub(crate) fn check_verification_code(code: &str) -> Result<(), InvalidInput> {
    if (4..=10).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(InvalidInput::VerificationCode)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authy_ids_are_digits() {
        assert_eq!(AuthyId::parse("0042"), Ok(AuthyId::new(42)));
        for bad in ["", "12a", "-1", " 1", "1.0", "٣", "99999999999999999999999"] {
            assert_eq!(
                AuthyId::parse(bad),
                Err(InvalidInput::AuthyIdNotDigits),
                "{bad}"
            );
        }
        assert_eq!("7".parse::<AuthyId>(), Ok(AuthyId::new(7)));
        assert_eq!(AuthyId::from(7_u32).get(), 7);
        assert_eq!(u64::from(AuthyId::new(9)), 9);
        assert_eq!(AuthyId::new(0).checked(), Err(InvalidInput::AuthyIdZero));
        let id: AuthyId = serde_json::from_str("\"1635\"").unwrap();
        assert_eq!(id, AuthyId::new(1635));
    }

    #[test]
    fn tokens_are_checked_digits_first_then_length() {
        assert_eq!(check_token("000123"), Ok(()));
        assert_eq!(check_token("123456789012"), Ok(()));
        assert_eq!(
            check_token("12345"),
            Err(InvalidInput::TokenLength { length: 5 })
        );
        assert_eq!(
            check_token("1234567890123"),
            Err(InvalidInput::TokenLength { length: 13 })
        );
        assert_eq!(check_token("12a"), Err(InvalidInput::TokenNotDigits));
        assert_eq!(check_token(""), Err(InvalidInput::TokenNotDigits));
        assert_eq!(check_token("123 456"), Err(InvalidInput::TokenNotDigits));
        // Non-ASCII digits (Arabic-Indic) are refused, unlike Python's isdigit.
        assert_eq!(check_token("١٢٣٤٥٦"), Err(InvalidInput::TokenNotDigits));
    }

    #[test]
    fn text_and_codes() {
        assert_eq!(check_country_code(57), Ok(57));
        assert_eq!(
            check_country_code(0),
            Err(InvalidInput::CountryCode { code: 0 })
        );
        assert_eq!(
            check_country_code(1000),
            Err(InvalidInput::CountryCode { code: 1000 })
        );
        assert_eq!(check_text("email", "a@b.c", 10), Ok(()));
        assert_eq!(
            check_text("email", "  ", 10),
            Err(InvalidInput::Empty { field: "email" })
        );
        assert_eq!(
            check_text("message", "ééé", 2),
            Err(InvalidInput::TooLong {
                field: "message",
                max: 2,
                length: 3
            })
        );
        assert_eq!(check_verification_code("0123"), Ok(()));
        assert_eq!(check_verification_code("0123456789"), Ok(()));
        assert_eq!(
            check_verification_code("123"),
            Err(InvalidInput::VerificationCode)
        );
        assert_eq!(
            check_verification_code("12345678901"),
            Err(InvalidInput::VerificationCode)
        );
        assert_eq!(
            check_verification_code("12x4"),
            Err(InvalidInput::VerificationCode)
        );
    }
}
