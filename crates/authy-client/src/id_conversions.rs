//! Lossless conversions of [`AuthyId`] from the integer and text types ids are stored as.

use crate::error::InvalidInput;
use crate::types::AuthyId;

/// A negative number names no user: [`InvalidInput::AuthyIdZero`] (ids are positive).
impl TryFrom<i64> for AuthyId {
    type Error = InvalidInput;

    fn try_from(id: i64) -> Result<Self, InvalidInput> {
        u64::try_from(id)
            .map(AuthyId::new)
            .map_err(|_| InvalidInput::AuthyIdZero)
    }
}

/// Checks the text as [`AuthyId::parse`] does (ASCII digits only).
impl TryFrom<&str> for AuthyId {
    type Error = InvalidInput;

    fn try_from(text: &str) -> Result<Self, InvalidInput> {
        AuthyId::parse(text)
    }
}

/// Checks the text as [`AuthyId::parse`] does (ASCII digits only).
impl TryFrom<String> for AuthyId {
    type Error = InvalidInput;

    fn try_from(text: String) -> Result<Self, InvalidInput> {
        AuthyId::parse(&text)
    }
}

/// Fails for an id above `i64::MAX`, which a signed column cannot hold.
impl TryFrom<AuthyId> for i64 {
    type Error = std::num::TryFromIntError;

    fn try_from(id: AuthyId) -> Result<Self, Self::Error> {
        i64::try_from(id.get())
    }
}

impl From<AuthyId> for String {
    fn from(id: AuthyId) -> String {
        id.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_signed_integers() {
        assert_eq!(AuthyId::try_from(1000_i64), Ok(AuthyId::new(1000)));
        assert_eq!(
            AuthyId::try_from(i64::MAX),
            Ok(AuthyId::new(i64::MAX as u64))
        );
        assert_eq!(AuthyId::try_from(-1_i64), Err(InvalidInput::AuthyIdZero));
        assert_eq!(AuthyId::try_from(i64::MIN), Err(InvalidInput::AuthyIdZero));
    }

    #[test]
    fn from_text() {
        assert_eq!(AuthyId::try_from("1000"), Ok(AuthyId::new(1000)));
        assert_eq!(
            AuthyId::try_from(String::from("18446744073709551615")),
            Ok(AuthyId::new(u64::MAX))
        );
        for bad in ["", "-1", "+1", "1 000", "18446744073709551616", "١٠"] {
            assert_eq!(
                AuthyId::try_from(bad),
                Err(InvalidInput::AuthyIdNotDigits),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn back_to_integers_and_text() {
        let id = AuthyId::new(1000);
        assert_eq!(i64::try_from(id), Ok(1000));
        assert!(i64::try_from(AuthyId::new(u64::MAX)).is_err());
        assert_eq!(u64::from(id), 1000);
        assert_eq!(String::from(id), "1000");
    }
}
