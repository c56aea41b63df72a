//! `FromStr` for the Authy request enums that had only `Display`, so each reads back what it
//! prints (a value from a configuration file or a command line).

use std::str::FromStr;

use api_transport::UnknownVariant;

use crate::options::{ActivityType, LogoResolution};

/// Reads `password_reset`, `banned`, `unbanned` or `cookie_login`.
impl FromStr for ActivityType {
    type Err = UnknownVariant;

    fn from_str(s: &str) -> Result<Self, UnknownVariant> {
        const ALL: [ActivityType; 4] = [
            ActivityType::PasswordReset,
            ActivityType::Banned,
            ActivityType::Unbanned,
            ActivityType::CookieLogin,
        ];
        ALL.into_iter().find(|v| v.as_str() == s).ok_or_else(|| {
            UnknownVariant::new(
                "activity type",
                s,
                &["password_reset", "banned", "unbanned", "cookie_login"],
            )
        })
    }
}

impl std::fmt::Display for LogoResolution {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Reads `default`, `low`, `med` or `high`.
impl FromStr for LogoResolution {
    type Err = UnknownVariant;

    fn from_str(s: &str) -> Result<Self, UnknownVariant> {
        const ALL: [LogoResolution; 4] = [
            LogoResolution::Default,
            LogoResolution::Low,
            LogoResolution::Med,
            LogoResolution::High,
        ];
        ALL.into_iter().find(|v| v.as_str() == s).ok_or_else(|| {
            UnknownVariant::new("logo resolution", s, &["default", "low", "med", "high"])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activity_types_round_trip() {
        for v in [
            ActivityType::PasswordReset,
            ActivityType::Banned,
            ActivityType::Unbanned,
            ActivityType::CookieLogin,
        ] {
            assert_eq!(v.to_string().parse::<ActivityType>(), Ok(v));
        }
        let err = "Banned".parse::<ActivityType>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown activity type `Banned`, expected one of: password_reset, banned, unbanned, cookie_login"
        );
    }

    #[test]
    fn logo_resolutions_round_trip() {
        for v in [
            LogoResolution::Default,
            LogoResolution::Low,
            LogoResolution::Med,
            LogoResolution::High,
        ] {
            assert_eq!(v.to_string().parse::<LogoResolution>(), Ok(v));
        }
        assert_eq!(
            "medium".parse::<LogoResolution>().unwrap_err().value(),
            "medium"
        );
    }
}
