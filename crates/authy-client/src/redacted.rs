//! A secret string that `Debug` never shows: the API key, a QR code's link to a seed.

use std::fmt;

use serde::{Deserializer, Serialize};

use crate::de;

/// A secret string: `Debug` prints `"<redacted>"`; serialised as is, so that a model that
/// carries one can still be handed to its user.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub(crate) struct Redacted(String);

impl Redacted {
    pub(crate) fn new(value: impl Into<String>) -> Redacted {
        Redacted(value.into())
    }

    /// The secret itself, for the one place that sends or shows it.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// An optional secret read as leniently as [`de::opt_string`] reads any string.
    pub(crate) fn opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Redacted>, D::Error> {
        Ok(de::opt_string(d)?.map(Redacted))
    }
}

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"<redacted>\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_value_and_serde_keeps_it() {
        let secret = Redacted::new("seed-link-42");
        assert_eq!(format!("{secret:?}"), "\"<redacted>\"");
        assert_eq!(format!("{:?}", Some(&secret)), "Some(\"<redacted>\")");
        assert_eq!(secret.expose(), "seed-link-42");
        assert_eq!(serde_json::to_string(&secret).unwrap(), "\"seed-link-42\"");
    }
}
