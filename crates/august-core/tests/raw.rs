//! Response models that name a subset of their answer keep the whole of it in `raw()`.

use august_core::{DoorbellDetail, DoorbellList, LockDetail, LockList, PinList};
use serde_json::Value;
use test_support::fixture;

#[test]
fn doorbell_detail_keeps_the_answer() {
    let text = fixture!("get_doorbell.json");
    let detail: DoorbellDetail = serde_json::from_str(&text).expect("parses");
    let whole: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(detail.raw(), &whole);
}

/// Every lock-detail fixture: the model keeps the answer, and each user and the keypad keep
/// their own entry, whether read with serde or in one pass as `Api` does.
#[test]
fn lock_detail_keeps_the_answer_and_each_entry() {
    for name in [
        "get_lock.online.json",
        "get_lock.offline.json",
        "get_lock.doorsense_init.json",
        "get_lock.online_with_doorsense.json",
    ] {
        let text = fixture!(name);
        let whole: Value = serde_json::from_str(&text).expect("json");
        let by_serde: LockDetail = serde_json::from_str(&text).expect("parses");
        let in_one_pass = LockDetail::from_json(text.as_bytes()).expect("parses");
        assert_eq!(by_serde, in_one_pass, "{name}");
        for detail in [&by_serde, &in_one_pass] {
            assert_eq!(detail.raw(), &whole, "{name}");
            for (id, user) in detail.users() {
                assert_eq!(user.raw(), &whole["users"][id], "{name} user {id}");
            }
            if let Some(keypad) = detail.keypad() {
                assert_eq!(keypad.raw(), &whole["keypad"], "{name}");
            }
            if let Some(keys) = detail.offline_keys() {
                assert_eq!(keys.raw(), &whole["OfflineKeys"], "{name}");
            }
            // The offline keys are in the raw answer, but never in `Debug`.
            let debug = format!("{detail:?}");
            assert!(
                !debug.contains("kkk01d4300c1dcxxx1c330f794941111"),
                "{debug}"
            );
        }
    }
    let online: LockDetail =
        serde_json::from_str(&fixture!("get_lock.online.json")).expect("parses");
    assert_eq!(online.users().len(), 1);
    assert!(online.keypad().is_some());
    assert!(online.offline_keys().is_some());
}

/// The fixture `name` as JSON and as the model `T`.
fn parsed<T: serde::de::DeserializeOwned>(name: &str) -> (Value, T) {
    let text = fixture!(name);
    let whole = serde_json::from_str(&text).expect("json");
    (whole, serde_json::from_str(&text).expect("parses"))
}

#[test]
fn list_entries_keep_their_own_object() {
    let (whole, locks): (Value, LockList) = parsed("get_locks.json");
    assert!(!locks.as_slice().is_empty());
    for lock in locks.as_slice() {
        assert_eq!(lock.raw(), &whole[lock.device_id()]);
    }

    let (whole, doorbells): (Value, DoorbellList) = parsed("get_doorbells.json");
    assert!(!doorbells.as_slice().is_empty());
    for doorbell in doorbells.as_slice() {
        assert_eq!(doorbell.raw(), &whole[doorbell.device_id()]);
        assert!(!format!("{doorbell:?}").contains(r#""contentToken""#));
    }

    let (whole, pins): (Value, PinList) = parsed("get_pins.json");
    assert!(!pins.as_slice().is_empty());
    for (i, pin) in pins.as_slice().iter().enumerate() {
        assert_eq!(pin.raw(), &whole["loaded"][i]);
        // The code is in the raw entry, never in `Debug`.
        assert_eq!(pin.raw()["pin"], pin.pin());
        assert!(!format!("{pin:?}").contains(pin.pin()));
    }
}

/// Users that are not objects are left out, odd fields read leniently, and the raw entry
/// keeps what the model does not read.
#[test]
fn odd_users_are_left_out_or_read_leniently() {
    let detail: LockDetail = serde_json::from_value(serde_json::json!({
        "LockID": "L1", "LockName": "Front", "HouseID": "H", "SerialNumber": "S",
        "currentFirmwareVersion": "1", "battery": 0.5,
        "users": {
            "u1": {"FirstName": 7, "identifiers": ["email:a@b.c", 3, null, "phone:+1"],
                   "imageInfo": {"original": {"secure_url": 5}, "thumbnail": "x"},
                   "extra": {"kept": true}},
            "u2": "not an object",
            "u3": null,
            "u4": {"imageInfo": [1, 2], "identifiers": {"a": 1}},
        },
    }))
    .expect("parses");
    let ids: Vec<&str> = detail.users().keys().map(String::as_str).collect();
    assert_eq!(ids, ["u1", "u4"]);
    let u1 = detail.user("u1").expect("u1");
    assert_eq!(u1.first_name(), Some("7"));
    assert_eq!(u1.identifiers(), ["email:a@b.c", "phone:+1"]);
    assert_eq!(u1.image_url(), None, "a number is not a URL");
    assert_eq!(u1.thumbnail_url(), None);
    assert_eq!(u1.raw()["extra"]["kept"], true);
    let u4 = detail.user("u4").expect("u4");
    assert!(u4.identifiers().is_empty());
    assert_eq!(u4.image_url(), None);

    for users in [
        serde_json::json!([1, 2]),
        serde_json::json!("x"),
        serde_json::json!(null),
    ] {
        let detail: LockDetail = serde_json::from_value(serde_json::json!({
            "LockID": "L1", "LockName": "Front", "HouseID": "H", "SerialNumber": "S",
            "currentFirmwareVersion": "1", "battery": 0.5, "users": users,
        }))
        .expect("parses");
        assert!(detail.users().is_empty());
    }
}

/// A user entry that does not fit the model (here a duplicate key) is left out the same way
/// through every reader, and the other entries, the keypad
/// and the offline keys still keep their own JSON.
#[test]
fn a_user_that_does_not_fit_is_left_out_by_every_reader() {
    let text = r#"{"LockID": "L1", "LockName": "Front", "HouseID": "H", "SerialNumber": "S",
        "currentFirmwareVersion": "1", "battery": 0.5,
        "users": {"u1": {"FirstName": "Ann", "extra": [1]},
                  "u2": {"FirstName": "A", "FirstName": "B"},
                  "u3": {"LastName": "Lee"}},
        "keypad": {"_id": "K1", "serialNumber": "KS", "currentFirmwareVersion": "2",
                   "batteryLevel": "Medium", "other": {"x": 1}},
        "OfflineKeys": {"loaded": [{"key": "k", "slot": 3}]}}"#;
    let mut server = mockito::Server::new();
    let _mock = server
        .mock("GET", "/locks/L1")
        .with_header("content-type", "application/json")
        .with_body(text)
        .create();
    let api = august_core::Api::builder()
        .base_url(server.url())
        .build()
        .expect("api");
    let whole: Value = serde_json::from_str(text).expect("json");
    for detail in [
        LockDetail::from_json(text.as_bytes()).expect("from_json"),
        serde_json::from_str::<LockDetail>(text).expect("serde"),
        api.get_lock_detail("token", "L1").expect("api"),
    ] {
        let ids: Vec<&str> = detail.users().keys().map(String::as_str).collect();
        assert_eq!(ids, ["u1", "u3"]);
        assert_eq!(detail.user("u1").expect("u1").first_name(), Some("Ann"));
        assert_eq!(detail.user("u1").expect("u1").raw(), &whole["users"]["u1"]);
        assert_eq!(detail.user("u3").expect("u3").raw(), &whole["users"]["u3"]);
        let keypad = detail.keypad().expect("keypad");
        assert_eq!(keypad.raw(), &whole["keypad"]);
        assert_eq!(detail.offline_slot(), Some(3));
        assert_eq!(
            detail.offline_keys().expect("keys").raw(),
            &whole["OfflineKeys"]
        );
        assert_eq!(detail.raw(), &whole);
    }
}

/// A user taken out of a lock detail keeps its JSON after the detail is gone.
#[test]
fn a_user_keeps_its_json_beyond_the_detail() {
    let text = fixture!("get_lock.online.json");
    let whole: Value = serde_json::from_str(&text).expect("json");
    let detail = LockDetail::from_json(text.as_bytes()).expect("parses");
    let (id, user) = detail
        .users()
        .iter()
        .next()
        .map(|(id, u)| (id.clone(), u.clone()))
        .expect("a user");
    let keypad = detail.keypad().cloned().expect("keypad");
    drop(detail);
    assert_eq!(user.raw(), &whole["users"][&id]);
    assert_eq!(keypad.raw(), &whole["keypad"]);
    assert!(
        format!("{user:?}").contains("raw: <part of 2744 bytes of JSON>"),
        "{user:?}"
    );
}

/// What `Api::get_lock_detail` returns keeps the body it read.
#[test]
fn get_lock_detail_keeps_the_body() {
    let text = fixture!("get_lock.online.json");
    let mut server = mockito::Server::new();
    let mock = server
        .mock("GET", "/locks/A1B2")
        .with_header("content-type", "application/json")
        .with_body(&text)
        .create();
    let api = august_core::Api::builder()
        .base_url(server.url())
        .build()
        .expect("api");
    let detail = api.get_lock_detail("token", "A1B2").expect("detail");
    mock.assert();
    let whole: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(detail.raw(), &whole);
    let user_id = detail.users().keys().next().expect("a user").clone();
    assert_eq!(detail.users()[&user_id].raw(), &whole["users"][&user_id]);
}
