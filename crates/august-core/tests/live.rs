//! Capabilities, the v4 activity feed, websocket subscribers, intents and the wake-up limiter:
//! the exact requests and the parsed answers.

use std::time::Duration;

use august_core::{
    ActivityFormat, ActivityType, Api, ApiBuilder, Brand, Capabilities, Error, IntentMapping,
    LockIntent, LockStatus, Unlatch, WakeupLimiter, WebsocketSubscriber,
};
use mockito::Matcher;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/live/",
            $name
        ))
    };
}

/// An API at `server` that does not retry, to be completed.
fn api_at(server: &mockito::Server) -> ApiBuilder {
    Api::builder().base_url(server.url()).max_retries(0)
}

/// A mock of `GET /houses/H1/activities?limit={limit}` in API version `version`, answering
/// JSON, to be completed.
fn activities(server: &mut mockito::Server, limit: u32, version: &str) -> mockito::Mock {
    server
        .mock("GET", "/houses/H1/activities")
        .match_query(Matcher::Exact(format!("limit={limit}")))
        .match_header("accept-version", version)
        .with_header("content-type", "application/json")
}

fn api(server: &mockito::Server) -> Api {
    api_at(server).build().unwrap()
}

#[test]
fn capabilities_fixture_parses() {
    let caps: Capabilities = serde_json::from_str(fixture!("capabilities_response.json")).unwrap();
    let lock = caps.lock().unwrap();
    assert_eq!(caps.unlatch_supported(), Some(true));
    assert_eq!(lock.door_sense, Some(true));
    assert_eq!(lock.battery_type.as_deref(), Some("AA"));
    assert_eq!(lock.pin_slot_max, Some(250));
    assert_eq!(lock.slot_range, None);
    assert_eq!(lock.battery_life_ms, Some(15_552_000_000));
    assert_eq!(
        lock.supported_partners.as_deref(),
        Some(&["example-partner".to_owned()][..])
    );
    // Odd shapes never fail: wrong types are None, a missing `unlatch` is false.
    let odd: Capabilities =
        serde_json::from_str(r#"{"lock": {"unlatch": "yes", "pinSlotMax": null}, "x": 1}"#)
            .unwrap();
    assert_eq!(odd.lock().unwrap().unlatch, None);
    assert_eq!(odd.unlatch_supported(), Some(false));
    let none: Capabilities = serde_json::from_str(r#"{"lock": 3}"#).unwrap();
    assert_eq!(none.unlatch_supported(), None);
}

#[test]
fn capabilities_request_and_unavailable_devices() {
    let mut server = mockito::Server::new();
    let ok = server
        .mock("GET", "/devices/capabilities")
        .match_query(Matcher::Exact("serialNumber=L1&topLevelHost=true".into()))
        .match_header("accept-version", "0.0.1")
        .match_header("x-august-access-token", "tok")
        .with_header("content-type", "application/json")
        .with_body(fixture!("capabilities_response.json"))
        .create();
    let caps = api(&server).get_lock_capabilities("tok", "L1").unwrap();
    assert_eq!(caps.and_then(|c| c.unlatch_supported()), Some(true));
    ok.assert();
    for status in [404, 409] {
        let m = server
            .mock("GET", "/devices/capabilities")
            .match_query(Matcher::Any)
            .with_status(status)
            .with_body(r#"{"message":"device info not found"}"#)
            .create();
        assert!(
            api(&server)
                .get_lock_capabilities("tok", "OLD")
                .unwrap()
                .is_none()
        );
        m.assert();
        m.remove();
    }
    server
        .mock("GET", "/devices/capabilities")
        .match_query(Matcher::Any)
        .with_status(500)
        .create();
    assert_eq!(
        api(&server)
            .get_lock_capabilities("tok", "L1")
            .unwrap_err()
            .status(),
        Some(500)
    );
}

#[test]
fn v4_activities_are_requested_with_their_version_and_parsed() {
    let mut server = mockito::Server::new();
    let m = activities(&mut server, 10, "4.0.0")
        .with_body(fixture!("activities_v4_events.json"))
        .create();
    let list = api(&server)
        .get_house_activities_in("tok", "H1", 10, ActivityFormat::V4)
        .unwrap();
    m.assert();
    assert_eq!(list.len(), 2);
    let unlock = &list[0];
    assert_eq!(unlock.action(), Some("remote_unlock"));
    assert_eq!(unlock.kind(), ActivityType::LockOperation);
    assert_eq!(unlock.operated_by(), Some("Ada Example"));
    assert!(unlock.operated_remote());
    assert_eq!(
        unlock.activity_id(),
        Some("5f0c2a52-0000-4000-8000-00000000a001")
    );
    assert_eq!(
        unlock.operator_thumbnail_url(),
        Some("https://images.example.invalid/users/ada-thumb.jpg")
    );
    assert_eq!(
        unlock.start_time().unwrap().timestamp_millis(),
        1_768_471_201_250
    );
    let auto = &list[1];
    assert_eq!(auto.action(), Some("auto_lock"));
    assert!(auto.operated_autorelock());
    assert_eq!(auto.operated_by(), Some("Auto Lock"));
    assert_eq!(auto.lock_status(), Some(LockStatus::Locked));
}

/// The v4 feed is built like every other request: the builder's extra headers, the brand's
/// key and the token travel with it too.
#[test]
fn v4_activities_carry_the_builders_headers() {
    let mut server = mockito::Server::new();
    let m = activities(&mut server, 5, "4.0.0")
        .match_header("x-request-id", "feed-1")
        .match_header("x-august-access-token", "tok")
        .match_header("x-august-country", "US")
        .with_body(r#"{"events": []}"#)
        .create();
    let api = api_at(&server)
        .header("x-request-id", "feed-1")
        .build()
        .unwrap();
    let list = api
        .get_house_activities_in("tok", "H1", 5, ActivityFormat::V4)
        .unwrap();
    m.assert();
    assert!(list.is_empty());
}

#[test]
fn legacy_format_stays_the_default() {
    let mut server = mockito::Server::new();
    let m = activities(&mut server, 5, "0.0.1").with_body("[]").create();
    assert!(
        api(&server)
            .get_house_activities_in("tok", "H1", 5, ActivityFormat::Legacy)
            .unwrap()
            .is_empty()
    );
    m.assert();
}

#[test]
fn websocket_subscribers_are_created_read_and_deleted() {
    let parsed: WebsocketSubscriber =
        serde_json::from_str(fixture!("websocket_subscriber_response.json")).unwrap();
    assert_eq!(parsed.subscriber_id(), "example-subscriber-0001");
    assert!(!format!("{parsed:?}").contains("example-subscriber-0001"));

    let mut server = mockito::Server::new();
    let api = api_at(&server).brand(Brand::YaleGlobal).build().unwrap();
    let create = server
        .mock("POST", "/websocket/subscribers")
        .match_header("x-access-token", "tok")
        .match_header("x-api-key", "d16a1029-d823-4b55-a4ce-a769a9b56f0e")
        .match_body(Matcher::Json(serde_json::json!({"scopes": ["lock"]})))
        .with_header("content-type", "application/json")
        .with_body(fixture!("websocket_subscriber_response.json"))
        .expect(1)
        .create();
    let sub = api.create_websocket_subscriber("tok").unwrap();
    assert_eq!(sub.subscriber_id(), "example-subscriber-0001");
    create.assert();
    let get = server
        .mock("GET", "/websocket/subscribers/example-subscriber-0001")
        .with_body("{\"subscriberID\":\"example-subscriber-0001\"}")
        .create();
    assert!(
        api.get_websocket_subscriber("tok", sub.subscriber_id())
            .unwrap()
            .contains("example-subscriber-0001")
    );
    get.assert();
    let delete = server
        .mock("DELETE", "/websocket/subscribers/example-subscriber-0001")
        .with_body("{}")
        .create();
    api.delete_websocket_subscriber("tok", sub.subscriber_id())
        .unwrap();
    delete.assert();
    // A failed creation is not sent twice.
    let fail = server
        .mock("POST", "/websocket/subscribers")
        .with_status(503)
        .expect(1)
        .create();
    let err = api.create_websocket_subscriber("tok").unwrap_err();
    assert_eq!(err.status(), Some(503));
    fail.assert();
}

#[test]
fn intents_follow_the_mapping_and_the_swap_can_be_turned_off() {
    let mut server = mockito::Server::new();
    let body = r#"{"status":"kAugLockState_Unlatched","info":{}}"#;
    let unlatch = server
        .mock("PUT", "/remoteoperate/L1/unlatch")
        .with_header("content-type", "application/json")
        .with_body(body)
        .expect(1)
        .create();
    let status = api(&server)
        .operate_intent(
            "tok",
            "L1",
            LockIntent::Unlock,
            Unlatch::Supported,
            IntentMapping::default(),
        )
        .unwrap();
    assert_eq!(status, LockStatus::Unlatched);
    unlatch.assert();
    let unlock = server
        .mock("PUT", "/remoteoperate/L1/unlock")
        .with_header("content-type", "application/json")
        .with_body(r#"{"status":"kAugLockState_Unlocked","info":{}}"#)
        .expect(2)
        .create();
    api(&server)
        .operate_intent(
            "tok",
            "L1",
            LockIntent::Unlock,
            Unlatch::Supported,
            IntentMapping {
                swap_for_unlatch: false,
            },
        )
        .unwrap();
    api(&server)
        .operate_intent(
            "tok",
            "L1",
            LockIntent::Open,
            Unlatch::Supported,
            IntentMapping::default(),
        )
        .unwrap();
    unlock.assert();
}

#[test]
fn the_wakeup_limiter_refuses_without_sending() {
    let mut server = mockito::Server::new();
    let wake = server
        .mock("PUT", "/remoteoperate/L1/status")
        .match_query(Matcher::Exact("v=2.3.1&type=async&intent=wakeup".into()))
        .with_body("{}")
        .expect(1)
        .create();
    let limiter = WakeupLimiter::new(Duration::from_secs(60));
    let api = api(&server);
    api.status_async_limited("tok", "L1", Default::default(), &limiter, "user-1")
        .unwrap();
    let err = api
        .status_async_limited(
            "tok-refreshed",
            "L1",
            Default::default(),
            &limiter,
            "user-1",
        )
        .unwrap_err();
    wake.assert();
    match &err {
        Error::RateLimited { retry_after, .. } => {
            assert!(
                *retry_after > Duration::from_secs(58) && *retry_after <= Duration::from_secs(60)
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(err.is_rate_limited());
    assert_eq!(
        err.to_string(),
        "rate limited, nothing sent: this account woke a lock too recently; try again in 0 minutes"
    );
    let zero = WakeupLimiter::new(Duration::ZERO);
    zero.acquire("a").unwrap();
    zero.acquire("a").unwrap();
}

/// A wake-up that did not reach the server leaves the account free to wake a lock; one the
/// server answered counts.
#[test]
fn a_wakeup_not_delivered_does_not_count() {
    let limiter = WakeupLimiter::new(Duration::from_secs(60));
    let refused = Api::builder()
        .base_url(test_support::fault_server::refused_url())
        .max_retries(0)
        .build()
        .unwrap();
    let err = refused
        .status_async_limited("tok", "L1", Default::default(), &limiter, "user-1")
        .unwrap_err();
    assert!(matches!(err, Error::NotDelivered { .. }), "{err:?}");
    let err = refused
        .status_async_limited("tok", "", Default::default(), &limiter, "user-1")
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
    assert!(limiter.check("user-1").is_ok());

    let mut server = mockito::Server::new();
    let wake = server
        .mock("PUT", "/remoteoperate/L1/status")
        .match_query(Matcher::Exact("v=2.3.1&type=async&intent=wakeup".into()))
        .match_header("x-august-access-token", "tok")
        .with_body("{}")
        .expect(1)
        .create();
    let api = api(&server);
    api.status_async_limited("tok", "L1", Default::default(), &limiter, "user-1")
        .unwrap();
    let err = api
        .status_async_limited("tok", "L1", Default::default(), &limiter, "user-1")
        .unwrap_err();
    assert!(err.is_rate_limited(), "{err:?}");
    wake.assert();
}

#[test]
fn lock_detail_reads_offline_keys_and_every_push_channel() {
    let detail: august_core::LockDetail = serde_json::from_value(serde_json::json!({
        "LockID": "L1", "LockName": "Front", "HouseID": "H1", "SerialNumber": "S",
        "currentFirmwareVersion": "1", "battery": 0.5, "pubsubChannel": "lock-channel",
        "Bridge": {"_id": "B1", "firmwareVersion": "2", "operative": true,
                   "pubsubChannel": "bridge-channel"},
        "keypad": {"_id": "K1", "serialNumber": "KS", "currentFirmwareVersion": "3",
                   "batteryLevel": null, "pubsubChannel": "keypad-channel"},
        "OfflineKeys": {"loaded": [{"key": "secret-offline-key", "slot": 7}], "other": 1},
    }))
    .unwrap();
    assert_eq!(detail.pubsub_channel(), Some("lock-channel"));
    assert_eq!(
        detail.bridge().unwrap().pubsub_channel(),
        Some("bridge-channel")
    );
    assert_eq!(
        detail.keypad().unwrap().pubsub_channel(),
        Some("keypad-channel")
    );
    assert_eq!(detail.offline_key(), Some("secret-offline-key"));
    assert_eq!(detail.offline_slot(), Some(7));
    assert_eq!(detail.offline_keys().unwrap().raw()["other"], 1);
    let shown = format!("{detail:?}") + &serde_json::to_string(&detail).unwrap();
    assert!(!shown.contains("secret-offline-key"), "{shown}");
    assert!(shown.contains("<redacted>"));
    // Odd shapes: not an object, an empty list.
    for odd in [serde_json::json!("x"), serde_json::json!({"loaded": []})] {
        let d: august_core::LockDetail = serde_json::from_value(serde_json::json!({
            "LockID": "L1", "LockName": "Front", "HouseID": "H1", "SerialNumber": "S",
            "currentFirmwareVersion": "1", "battery": 0.5, "OfflineKeys": odd,
        }))
        .unwrap();
        assert_eq!(d.offline_key(), None);
        assert_eq!(d.offline_slot(), None);
    }
}
