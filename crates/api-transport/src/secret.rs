//! A secret string that `Debug` never shows.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A secret string (an API key, a TOTP seed, a factor's binding URI, a link to a seed): `Debug`
/// prints `"<redacted>"`, and nothing else shows it; serialised as is, so that a model that
/// carries one can still be handed to its user, once.
///
/// ```
/// use api_transport::Secret;
///
/// let seed = Secret::new("JBSWY3DPEHPK3PXP");
/// assert_eq!(format!("{seed:?}"), "\"<redacted>\"");
/// assert_eq!(seed.expose(), "JBSWY3DPEHPK3PXP");
/// ```
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself: for the one place that sends it or shows it to its user; never log
    /// it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"<redacted>\"")
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_value_and_serde_keeps_it() {
        let secret = Secret::new("seed-link-42");
        assert_eq!(format!("{secret:?}"), "\"<redacted>\"");
        assert_eq!(format!("{:?}", Some(&secret)), "Some(\"<redacted>\")");
        assert_eq!(secret.expose(), "seed-link-42");
        assert_eq!(serde_json::to_string(&secret).unwrap(), "\"seed-link-42\"");
        let read: Secret = serde_json::from_str("\"seed-link-42\"").unwrap();
        assert_eq!(read, secret);
    }
}
