//! Every wire enum reads back what it prints, and serialises as it prints.

use std::fmt::Display;
use std::str::FromStr;

use august_core::{
    ActivityType, ArmState, Brand, BridgeState, LockDoorStatus, LockIntent, LockStatus,
    LoginMethod, UnknownVariant, WireOperation,
};

fn round_trip<T>(values: &[T])
where
    T: FromStr + Display + serde::Serialize + PartialEq + std::fmt::Debug,
    T::Err: std::fmt::Debug,
{
    for value in values {
        let text = value.to_string();
        let back: T = text.parse().expect("a printed value parses");
        assert_eq!(&back, value, "{text}");
        assert_eq!(
            serde_json::to_value(value).expect("serialises"),
            serde_json::Value::String(text.clone()),
            "{text} serialises as it prints"
        );
    }
}

#[test]
fn lock_status() {
    round_trip(&[
        LockStatus::Locked,
        LockStatus::Unlocked,
        LockStatus::Unlatched,
        LockStatus::Locking,
        LockStatus::Unlocking,
        LockStatus::Unlatching,
        LockStatus::Jammed,
        LockStatus::Unknown,
        LockStatus::Other("kAugLockState_New".into()),
    ]);
    assert_eq!("kAugLockState_Locked".parse(), Ok(LockStatus::Locked));
    assert_eq!("half_way".parse(), Ok(LockStatus::Other("half_way".into())));
}

#[test]
fn lock_door_status() {
    round_trip(&[
        LockDoorStatus::Closed,
        LockDoorStatus::Open,
        LockDoorStatus::Disabled,
        LockDoorStatus::Unknown,
        LockDoorStatus::Other("ajar".into()),
    ]);
    assert_eq!("kAugDoorState_Open".parse(), Ok(LockDoorStatus::Open));
}

#[test]
fn bridge_state() {
    round_trip(&[
        BridgeState::Online,
        BridgeState::Offline,
        BridgeState::Unknown,
        BridgeState::Other("sleeping".into()),
    ]);
}

#[test]
fn arm_state() {
    round_trip(&[
        ArmState::Away,
        ArmState::Home,
        ArmState::Disarm,
        ArmState::Other("NIGHT_ARM".into()),
    ]);
}

#[test]
fn activity_type() {
    round_trip(&ActivityType::ALL);
    // an action reads as its kind, an unknown text as Unknown
    assert_eq!("remote_unlock".parse(), Ok(ActivityType::LockOperation));
    assert_eq!("dooropen".parse(), Ok(ActivityType::DoorOperation));
    assert_eq!("teleported".parse(), Ok(ActivityType::Unknown));
}

#[test]
fn brand() {
    round_trip(&Brand::CURRENT);
    assert!("acme".parse::<Brand>().is_err());
    // the retired brand prints but is refused when read, with its replacement named
    let retired = "yale_home".parse::<Brand>().unwrap_err();
    assert_eq!(retired.replacement(), Some(Brand::YaleGlobal));
}

fn closed<T>(values: &[T], unknown: &str, message: &str)
where
    T: FromStr<Err = UnknownVariant> + Display + serde::Serialize + PartialEq + std::fmt::Debug,
{
    round_trip(values);
    let err = unknown
        .parse::<T>()
        .expect_err("an unknown value is refused");
    assert_eq!(err.to_string(), message);
    assert_eq!(err.value(), unknown);
}

#[test]
fn login_method() {
    closed(
        &[LoginMethod::Phone, LoginMethod::Email],
        "Phone",
        "unknown login method `Phone`, expected one of: phone, email",
    );
}

#[test]
fn wire_operation() {
    closed(
        &[
            WireOperation::Lock,
            WireOperation::Unlock,
            WireOperation::Unlatch,
        ],
        "open",
        "unknown remote operation `open`, expected one of: lock, unlock, unlatch",
    );
}

#[test]
fn lock_intent() {
    closed(
        &[LockIntent::Lock, LockIntent::Unlock, LockIntent::Open],
        "unlatch",
        "unknown lock intent `unlatch`, expected one of: lock, unlock, open",
    );
}

#[test]
fn unknown_values_are_cut_in_errors() {
    let long = "x".repeat(500);
    let err = long.parse::<LoginMethod>().unwrap_err();
    assert_eq!(err.value().len(), 64);
}
