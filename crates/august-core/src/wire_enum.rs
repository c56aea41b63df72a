//! `FromStr` and `Display` for the wire enums, so each reads back what it prints.
//!
//! Enums with a catch-all variant (`Other(String)` or `Unknown`) never fail to parse: an
//! unknown value is kept (or read as `Unknown`), as when it comes from the service. Closed
//! enums (an operation, an intent, a login method) refuse an unknown value with
//! [`UnknownVariant`].

use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

use crate::capabilities::{LockIntent, WireOperation};
use crate::models::{ActivityType, ArmState, BridgeState, LockDoorStatus, LockStatus};
use crate::session::LoginMethod;

pub use api_transport::UnknownVariant;

/// Implements `FromStr` for a closed enum from the variants' `as_str` texts.
macro_rules! closed_from_str {
    ($ty:ty, $what:literal, [$($variant:path),+ $(,)?]) => {
        impl $ty {
            const NAMES: &'static [&'static str] = &[$($variant.as_str()),+];
        }

        impl FromStr for $ty {
            type Err = UnknownVariant;

            fn from_str(s: &str) -> Result<Self, UnknownVariant> {
                [$($variant),+]
                    .into_iter()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| UnknownVariant::new($what, s, <$ty>::NAMES))
            }
        }
    };
}

closed_from_str!(
    LoginMethod,
    "login method",
    [LoginMethod::Phone, LoginMethod::Email]
);
closed_from_str!(
    WireOperation,
    "remote operation",
    [
        WireOperation::Lock,
        WireOperation::Unlock,
        WireOperation::Unlatch
    ]
);
closed_from_str!(
    LockIntent,
    "lock intent",
    [LockIntent::Lock, LockIntent::Unlock, LockIntent::Open]
);

impl LockIntent {
    /// `lock`, `unlock` or `open`, as it serialises.
    pub const fn as_str(self) -> &'static str {
        match self {
            LockIntent::Lock => "lock",
            LockIntent::Unlock => "unlock",
            LockIntent::Open => "open",
        }
    }
}

impl fmt::Display for LockIntent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for WireOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for LoginMethod {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl serde::Serialize for WireOperation {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Implements `FromStr` for an enum with a catch-all variant from its `from_wire` reader: it
/// never fails.
macro_rules! lenient_from_str {
    ($($(#[$doc:meta])* $ty:ty;)+) => {$(
        $(#[$doc])*
        impl FromStr for $ty {
            type Err = Infallible;

            fn from_str(s: &str) -> Result<Self, Infallible> {
                Ok(<$ty>::from_wire(Some(s)))
            }
        }
    )+};
}

lenient_from_str! {
    /// Reads any status the service sends (`locked`, `kAugLockState_Locked`...); an unknown one
    /// is kept as [`LockStatus::Other`].
    LockStatus;
    /// Reads any door state the service sends; an unknown one is kept as
    /// [`LockDoorStatus::Other`].
    LockDoorStatus;
    /// Reads `online`, `offline` or `unknown`; anything else is kept as [`BridgeState::Other`].
    BridgeState;
}

/// Reads `FULL_ARM`, `PARTIAL_ARM` or `DISARM`; anything else is kept as [`ArmState::Other`].
impl FromStr for ArmState {
    type Err = Infallible;

    fn from_str(s: &str) -> Result<Self, Infallible> {
        Ok(ArmState::from(s))
    }
}

impl ActivityType {
    /// Every kind, [`ActivityType::Unknown`] last.
    ///
    /// ```
    /// use august_core::ActivityType;
    ///
    /// for kind in ActivityType::ALL {
    ///     assert_eq!(kind.to_string().parse(), Ok(kind));
    /// }
    /// ```
    pub const ALL: [ActivityType; 8] = [
        ActivityType::LockOperation,
        ActivityType::DoorOperation,
        ActivityType::DoorbellDing,
        ActivityType::DoorbellMotion,
        ActivityType::DoorbellView,
        ActivityType::DoorbellImageCapture,
        ActivityType::BridgeOperation,
        ActivityType::Unknown,
    ];
}

/// Reads a kind's name (`lock_operation`...) or an activity's action (`remote_unlock`, as
/// [`ActivityType::from_action`]); anything else is [`ActivityType::Unknown`].
impl FromStr for ActivityType {
    type Err = Infallible;

    fn from_str(s: &str) -> Result<Self, Infallible> {
        Ok(ActivityType::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .unwrap_or_else(|| ActivityType::from_action(s)))
    }
}

#[cfg(test)]
mod tests {
    use super::ActivityType;

    /// `ALL` holds every kind once, in order: the match below stops compiling when a kind is
    /// added, and the kind's place in `ALL` must then be given.
    #[test]
    fn all_lists_every_activity_type_once() {
        let place = |kind: ActivityType| match kind {
            ActivityType::LockOperation => 0,
            ActivityType::DoorOperation => 1,
            ActivityType::DoorbellDing => 2,
            ActivityType::DoorbellMotion => 3,
            ActivityType::DoorbellView => 4,
            ActivityType::DoorbellImageCapture => 5,
            ActivityType::BridgeOperation => 6,
            ActivityType::Unknown => 7,
        };
        for (i, kind) in ActivityType::ALL.into_iter().enumerate() {
            assert_eq!(place(kind), i, "{kind:?}");
        }
        // `Unknown` is last: a kind added before it moves it, and `ALL` must grow with it.
        assert_eq!(place(ActivityType::Unknown), ActivityType::ALL.len() - 1);
    }
}
