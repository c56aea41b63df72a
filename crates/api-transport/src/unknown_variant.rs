//! The error of reading a closed enum from text, shared by every crate of the workspace.

use std::fmt;

/// A value that names none of an enum's variants.
///
/// ```
/// use api_transport::UnknownVariant;
///
/// let err = UnknownVariant::new("login method", "fax", &["phone", "email"]);
/// assert_eq!(err.to_string(), "unknown login method `fax`, expected one of: phone, email");
/// assert_eq!(err.value(), "fax");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownVariant {
    what: &'static str,
    value: String,
    expected: &'static [&'static str],
}

impl UnknownVariant {
    /// Builds the error for `value`, which names no `what` among `expected`.
    pub fn new(what: &'static str, value: &str, expected: &'static [&'static str]) -> Self {
        UnknownVariant {
            what,
            value: crate::printable(value, 64),
            expected,
        }
    }

    /// The value (at most 64 characters of it, as [`printable`](crate::printable) shows it).
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The values accepted.
    pub fn expected(&self) -> &'static [&'static str] {
        self.expected
    }
}

impl fmt::Display for UnknownVariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown {} `{}`, expected one of: {}",
            self.what,
            self.value,
            self.expected.join(", ")
        )
    }
}

impl std::error::Error for UnknownVariant {}
