//! `FromStr` and `Display` for the live wire enums: each reads back what it prints and
//! serialises.

use std::fmt;
use std::str::FromStr;

use august_core::UnknownVariant;

use crate::message::{DeviceKind, Source};

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Reads `poll`, `pubnub` or `websocket`.
impl FromStr for Source {
    type Err = UnknownVariant;

    fn from_str(s: &str) -> Result<Self, UnknownVariant> {
        [Source::Poll, Source::Pubnub, Source::Websocket]
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| {
                UnknownVariant::new("activity source", s, &["poll", "pubnub", "websocket"])
            })
    }
}

impl fmt::Display for DeviceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Reads `lock` or `doorbell`.
impl FromStr for DeviceKind {
    type Err = UnknownVariant;

    fn from_str(s: &str) -> Result<Self, UnknownVariant> {
        [DeviceKind::Lock, DeviceKind::Doorbell]
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| UnknownVariant::new("device kind", s, &["lock", "doorbell"]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T>(values: &[T], unknown: &str)
    where
        T: FromStr<Err = UnknownVariant> + fmt::Display + serde::Serialize + PartialEq + fmt::Debug,
    {
        for value in values {
            let text = value.to_string();
            assert_eq!(text.parse::<T>().as_ref(), Ok(value));
            assert_eq!(
                serde_json::to_value(value).ok(),
                Some(serde_json::Value::String(text))
            );
        }
        let err = unknown.parse::<T>().expect_err("unknown value refused");
        assert_eq!(err.value(), unknown);
    }

    #[test]
    fn source_round_trips() {
        round_trip(&[Source::Poll, Source::Pubnub, Source::Websocket], "sms");
        assert_eq!(
            "sms".parse::<Source>().unwrap_err().to_string(),
            "unknown activity source `sms`, expected one of: poll, pubnub, websocket"
        );
    }

    #[test]
    fn device_kind_round_trips() {
        round_trip(&[DeviceKind::Lock, DeviceKind::Doorbell], "Lock");
    }
}
