//! Every endpoint against mockito: the exact request sent and the values parsed.

use std::time::{Duration, Instant};

use august_core::{
    Api, ApiErrorReason, AsyncOperation, Brand, Error, LockDoorStatus, LockStatus, LoginMethod,
};
use mockito::{Matcher, Mock, Server, ServerGuard};
use test_support::fixture;

const TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE5MDAwMDAwMDB9.c2lnbmF0dXJl";
const KEY: &str = "d9984f29-07a6-816e-e1c9-44ec9d1be431";

fn api(server: &ServerGuard) -> Api {
    Api::builder().base_url(server.url()).build().unwrap()
}

/// A mock pinning the headers every authenticated call sends.
fn authed(server: &mut ServerGuard, method: &str, path: &str) -> Mock {
    server
        .mock(method, path)
        .match_header("x-august-api-key", KEY)
        .match_header("x-august-branding", "august")
        .match_header("accept-version", "0.0.1")
        .match_header("x-august-access-token", TOKEN)
        .match_header("x-kease-api-key", Matcher::Missing)
        .match_header("authorization", Matcher::Missing)
}

fn json(mock: Mock, status: usize, body: &str) -> Mock {
    mock.with_status(status)
        .with_header("content-type", "application/json")
        .with_body(body)
}

#[test]
fn get_session_posts_the_login_and_reads_token_and_flags() {
    let mut server = Server::new();
    let m = server
        .mock("POST", "/session")
        .match_header("x-august-api-key", KEY)
        .match_header("accept-version", "0.0.1")
        .match_header("x-august-access-token", Matcher::Missing)
        .match_header("content-type", "application/json")
        .match_body(Matcher::Json(serde_json::json!({
            "installId": "install-1",
            "identifier": "phone:+15555550100",
            "password": "hunter2"
        })))
        .with_status(200)
        .with_header("x-august-access-token", "NEWTOKEN")
        .with_body(r#"{"expiresAt":"2020-03-06T22:55:12.002Z","vPassword":true,"vInstallId":false,"hasInstallId":true}"#)
        .expect(1)
        .create();
    let s = api(&server)
        .get_session(
            "install-1",
            &LoginMethod::Phone.identifier("+15555550100"),
            "hunter2",
        )
        .unwrap();
    m.assert();
    assert_eq!(s.access_token(), "NEWTOKEN");
    assert_eq!(s.expires_at(), "2020-03-06T22:55:12.002Z");
    assert!(s.password_verified());
    assert!(!s.install_id_verified());
    assert!(!format!("{s:?}").contains("NEWTOKEN"));
}

#[test]
fn get_session_prefers_x_access_token_and_requires_the_flags() {
    let mut server = Server::new();
    let m = server
        .mock("POST", "/session")
        .with_header("x-access-token", "A")
        .with_header("x-august-access-token", "B")
        .with_body(r#"{"expiresAt":"2020-03-06T22:55:12.002Z","vPassword":1,"vInstallId":"yes"}"#)
        .create();
    let s = api(&server).get_session("i", "email:a@b.c", "p").unwrap();
    assert_eq!(s.access_token(), "A");
    assert!(s.password_verified() && s.install_id_verified());
    m.remove();
    let _m = server
        .mock("POST", "/session")
        .with_header("x-august-access-token", "B")
        .with_body(r#"{"expiresAt":"2020-03-06T22:55:12.002Z","vPassword":true}"#)
        .create();
    match api(&server)
        .get_session("i", "email:a@b.c", "p")
        .unwrap_err()
    {
        Error::Decode { path, .. } => assert_eq!(path, "vInstallId"),
        other => panic!("{other:?}"),
    }
    let mut server = Server::new();
    let _m = server
        .mock("POST", "/session")
        .with_body(r#"{"expiresAt":"x","vPassword":true,"vInstallId":true}"#)
        .create();
    match api(&server)
        .get_session("i", "email:a@b.c", "p")
        .unwrap_err()
    {
        Error::Decode { path, .. } => assert!(path.contains("access-token"), "{path}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn oauth_brands_refuse_password_login_before_sending() {
    let api = Api::builder()
        .brand(Brand::YaleGlobal)
        .base_url("http://127.0.0.1:9")
        .build()
        .unwrap();
    let err = api.get_session("i", "phone:+1", "p").unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
}

#[test]
fn verification_code_send_and_validate_for_both_methods() {
    let mut server = Server::new();
    let phone = authed(&mut server, "POST", "/validation/phone")
        .match_body(Matcher::Json(serde_json::json!({"value": "+15555550100"})))
        .with_body("{}")
        .expect(1)
        .create();
    let email = authed(&mut server, "POST", "/validation/email")
        .match_body(Matcher::Json(serde_json::json!({"value": "a@example.com"})))
        .expect(1)
        .create();
    let validate_phone = authed(&mut server, "POST", "/validate/phone")
        .match_body(Matcher::Json(
            serde_json::json!({"phone": "+15555550100", "code": "012345"}),
        ))
        .expect(1)
        .create();
    let validate_email = authed(&mut server, "POST", "/validate/email")
        .match_body(Matcher::Json(
            serde_json::json!({"email": "a@example.com", "code": "000001"}),
        ))
        .expect(1)
        .create();
    let api = api(&server);
    api.send_verification_code(TOKEN, LoginMethod::Phone, "+15555550100")
        .unwrap();
    api.send_verification_code(TOKEN, LoginMethod::Email, "a@example.com")
        .unwrap();
    api.validate_verification_code(TOKEN, LoginMethod::Phone, "+15555550100", "012345")
        .unwrap();
    api.validate_verification_code(TOKEN, LoginMethod::Email, "a@example.com", "000001")
        .unwrap();
    phone.assert();
    email.assert();
    validate_phone.assert();
    validate_email.assert();
}

#[test]
fn validate_is_not_resent_on_503() {
    let mut server = Server::new();
    let m = server
        .mock("POST", "/validate/phone")
        .with_status(503)
        .expect(1)
        .create();
    let err = api(&server)
        .validate_verification_code(TOKEN, LoginMethod::Phone, "+1", "123456")
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    m.assert();
}

#[test]
fn refresh_reads_the_new_token_header() {
    let mut server = Server::new();
    let m = authed(&mut server, "GET", "/users/houses/mine")
        .with_header("x-august-access-token", "FRESH")
        .with_body("[]")
        .expect(1)
        .create();
    let fresh = api(&server).refresh_access_token(TOKEN).unwrap();
    assert_eq!(fresh, "FRESH");
    assert_eq!(format!("{fresh:?}"), "AccessToken(<redacted>)");
    m.assert();
}

#[test]
fn locks_and_operable_locks() {
    let mut server = Server::new();
    let m = json(
        authed(&mut server, "GET", "/users/locks/mine"),
        200,
        &fixture!("get_locks.json"),
    )
    .expect(2)
    .create();
    let api = api(&server);
    let locks = api.get_locks(TOKEN).unwrap();
    let mut ids: Vec<&str> = locks.iter().map(|l| l.device_id()).collect();
    ids.sort_unstable();
    assert_eq!(
        ids,
        [
            "A6697750D607098BAE8D6BAA11EF8063",
            "A6697750D607098BAE8D6BAA11EF9999"
        ]
    );
    assert_eq!(locks[0].device_name(), "Front Door Lock");
    assert_eq!(locks[0].house_id(), "000000000000");
    let operable = api.get_operable_locks(TOKEN).unwrap();
    assert_eq!(operable.len(), 1);
    assert_eq!(operable[0].device_id(), "A6697750D607098BAE8D6BAA11EF8063");
    m.assert();
}

#[test]
fn lock_detail_path_is_encoded_and_parsed() {
    let mut server = Server::new();
    let m = json(
        authed(
            &mut server,
            "GET",
            "/locks/A6697750D607098BAE8D6BAA11EF8063",
        ),
        200,
        &fixture!("get_lock.online.json"),
    )
    .expect(1)
    .create();
    let evil = authed(&mut server, "GET", "/locks/..%2Fusers%2Fme")
        .with_status(404)
        .expect(1)
        .create();
    let api = api(&server);
    let d = api
        .get_lock_detail(TOKEN, "A6697750D607098BAE8D6BAA11EF8063")
        .unwrap();
    assert_eq!(d.device_name(), "Front Door Lock");
    assert_eq!(d.lock_status(), &LockStatus::Locked);
    assert_eq!(d.door_state(), &LockDoorStatus::Closed);
    assert_eq!(d.battery_level(), Some(88));
    let err = api.get_lock_detail(TOKEN, "../users/me").unwrap_err();
    assert_eq!(err.api_error().unwrap().reason(), ApiErrorReason::NotFound);
    m.assert();
    evil.assert();
}

#[test]
fn lock_status_and_door_status() {
    let mut server = Server::new();
    let m = json(
        authed(&mut server, "GET", "/locks/L1/status"),
        200,
        r#"{"status": "kAugLockState_Locked", "doorState": "kAugLockDoorState_Closed"}"#,
    )
    .expect(3)
    .create();
    let api = api(&server);
    assert_eq!(
        api.get_lock_status(TOKEN, "L1").unwrap(),
        LockStatus::Locked
    );
    assert_eq!(
        api.get_lock_door_status(TOKEN, "L1").unwrap(),
        LockDoorStatus::Closed
    );
    let state = api.get_lock_state(TOKEN, "L1").unwrap();
    assert_eq!(state.status(), &LockStatus::Locked);
    m.assert();
    let mut server = Server::new();
    let _m = json(
        authed(&mut server, "GET", "/locks/L1/status"),
        200,
        r#"{"status": "not_advertising"}"#,
    )
    .create();
    let status = Api::builder()
        .base_url(server.url())
        .build()
        .unwrap()
        .get_lock_status(TOKEN, "L1")
        .unwrap();
    assert!(status.is_unknown(), "{status:?}");
}

#[test]
fn pins() {
    let mut server = Server::new();
    let m = json(
        authed(&mut server, "GET", "/locks/L1/pins"),
        200,
        &fixture!("get_pins.json"),
    )
    .expect(1)
    .create();
    let pins = api(&server).get_pins(TOKEN, "L1").unwrap();
    m.assert();
    assert_eq!(pins.len(), 1);
    assert_eq!(pins[0].pin(), "123456");
    assert_eq!(pins[0].slot(), 646545456465161);
}

#[test]
fn doorbells_detail_and_wakeup() {
    let mut server = Server::new();
    let list = json(
        authed(&mut server, "GET", "/users/doorbells/mine"),
        200,
        &fixture!("get_doorbells.json"),
    )
    .expect(1)
    .create();
    let detail = json(
        authed(&mut server, "GET", "/doorbells/K98GiDT45GUL"),
        200,
        &fixture!("get_doorbell.json"),
    )
    .expect(1)
    .create();
    let wakeup = authed(&mut server, "PUT", "/doorbells/K98GiDT45GUL/wakeup")
        .with_body("{}")
        .expect(1)
        .create();
    let api = api(&server);
    let bells = api.get_doorbells(TOKEN).unwrap();
    let mut ids: Vec<&str> = bells.iter().map(|d| d.device_id()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["1KDAbJH89XYZ", "K98GiDT45GUL"]);
    let d = api.get_doorbell_detail(TOKEN, "K98GiDT45GUL").unwrap();
    assert_eq!(d.battery_level(), Some(96));
    assert!(d.is_online());
    api.wakeup_doorbell(TOKEN, "K98GiDT45GUL").unwrap();
    list.assert();
    detail.assert();
    wakeup.assert();
}

#[test]
fn doorbell_image_goes_to_its_own_host_without_august_headers() {
    let mut cdn = Server::new();
    let image = cdn
        .mock("GET", "/snap/x.jpg")
        .match_header("x-august-api-key", Matcher::Missing)
        .match_header("x-august-access-token", Matcher::Missing)
        .match_header("authorization", "CONTENT-TOKEN")
        .with_header("content-type", "image/jpeg")
        .with_body([0xFFu8, 0xD8, 0xFF])
        .expect(1)
        .create();
    let api = Api::new();
    let img = api
        .get_image(&format!("{}/snap/x.jpg", cdn.url()), "CONTENT-TOKEN")
        .unwrap();
    assert_eq!(img.bytes(), [0xFF, 0xD8, 0xFF]);
    assert_eq!(img.content_type(), Some("image/jpeg"));
    image.assert();
    let none = cdn
        .mock("GET", "/snap/y.jpg")
        .match_header("authorization", Matcher::Missing)
        .expect(1)
        .create();
    api.get_image(&format!("{}/snap/y.jpg", cdn.url()), "")
        .unwrap();
    none.assert();
    let expired = cdn.mock("GET", "/snap/z.jpg").with_status(401).create();
    let err = api
        .get_image(&format!("{}/snap/z.jpg", cdn.url()), "old")
        .unwrap_err();
    assert!(err.is_unauthorized());
    expired.assert();
    let err = api
        .get_image("http://cdn.example.com/a.jpg", "")
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }));
}

#[test]
fn houses_house_and_activities() {
    let mut server = Server::new();
    let houses = json(
        authed(&mut server, "GET", "/users/houses/mine"),
        200,
        r#"[{"HouseID": "h1", "HouseName": "Home"}]"#,
    )
    .expect(1)
    .create();
    let house = json(
        authed(&mut server, "GET", "/houses/h1"),
        200,
        r#"{"HouseID": "h1", "HouseName": "Home", "timeZone": "UTC"}"#,
    )
    .expect(1)
    .create();
    let feed = json(
        authed(&mut server, "GET", "/houses/h1/activities")
            .match_query(Matcher::UrlEncoded("limit".into(), "8".into())),
        200,
        &fixture!("get_house_activities.json"),
    )
    .expect(1)
    .create();
    let api = api(&server);
    let hs = api.get_houses(TOKEN).unwrap();
    assert_eq!(hs.len(), 1);
    assert_eq!(hs[0].house_id(), "h1");
    assert_eq!(api.get_house(TOKEN, "h1").unwrap().name(), Some("Home"));
    let activities = api.get_house_activities(TOKEN, "h1", 8).unwrap();
    assert_eq!(activities.len(), 10);
    houses.assert();
    house.assert();
    feed.assert();
}

#[test]
fn lock_unlock_unlatch_use_put_and_parse_results() {
    let mut server = Server::new();
    let lock = json(
        authed(&mut server, "PUT", "/remoteoperate/ABC123/lock"),
        200,
        &fixture!("lock.json"),
    )
    .expect(2)
    .create();
    let unlock = json(
        authed(&mut server, "PUT", "/remoteoperate/ABC/unlock"),
        200,
        &fixture!("unlock.json"),
    )
    .expect(2)
    .create();
    let unlatch = json(
        authed(&mut server, "PUT", "/remoteoperate/ABC/unlatch"),
        200,
        r#"{"status": "kAugLockState_Unlatched"}"#,
    )
    .expect(1)
    .create();
    let api = api(&server);
    assert_eq!(api.lock(TOKEN, "ABC123").unwrap(), LockStatus::Locked);
    let acts = api.lock_return_activities(TOKEN, "ABC123").unwrap();
    assert_eq!(acts.len(), 2);
    assert_eq!(acts[0].action(), Some("lock"));
    assert_eq!(acts[1].action(), Some("doorclosed"));
    assert_eq!(api.unlock(TOKEN, "ABC").unwrap(), LockStatus::Unlocked);
    let acts = api.unlock_return_activities(TOKEN, "ABC").unwrap();
    assert_eq!(acts[0].device_id(), Some("ABC"));
    assert_eq!(api.unlatch(TOKEN, "ABC").unwrap(), LockStatus::Unlatched);
    lock.assert();
    unlock.assert();
    unlatch.assert();
}

#[test]
fn short_remote_result_has_no_activities_but_a_clear_error() {
    let mut server = Server::new();
    let _m = json(
        authed(&mut server, "PUT", "/remoteoperate/L/lock"),
        200,
        r#"{"status": "locked"}"#,
    )
    .create();
    match api(&server).lock_return_activities(TOKEN, "L").unwrap_err() {
        Error::Decode { path, .. } => assert_eq!(path, "info.startTime"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn async_operations_send_the_fixed_query() {
    let mut server = Server::new();
    let q = |extra: Vec<(&str, &str)>| {
        let mut all = vec![
            Matcher::UrlEncoded("v".into(), "2.3.1".into()),
            Matcher::UrlEncoded("type".into(), "async".into()),
        ];
        all.extend(
            extra
                .into_iter()
                .map(|(k, v)| Matcher::UrlEncoded(k.into(), v.into())),
        );
        Matcher::AllOf(all)
    };
    let lock = authed(&mut server, "PUT", "/remoteoperate/L/lock")
        .match_query(q(vec![]))
        .with_body("queued")
        .expect(1)
        .create();
    let unlock = authed(&mut server, "PUT", "/remoteoperate/L/unlock")
        .match_query(q(vec![("connection", "persistent")]))
        .expect(1)
        .create();
    let unlatch = authed(&mut server, "PUT", "/remoteoperate/L/unlatch")
        .match_query(q(vec![]))
        .expect(1)
        .create();
    let status = authed(&mut server, "PUT", "/remoteoperate/L/status")
        .match_query(q(vec![("intent", "wakeup")]))
        .expect(1)
        .create();
    let api = api(&server);
    assert_eq!(
        api.lock_async(TOKEN, "L", AsyncOperation::default())
            .unwrap(),
        "queued"
    );
    api.unlock_async(
        TOKEN,
        "L",
        AsyncOperation {
            persistent_connection: true,
        },
    )
    .unwrap();
    api.unlatch_async(TOKEN, "L", AsyncOperation::default())
        .unwrap();
    api.status_async(TOKEN, "L", AsyncOperation::default())
        .unwrap();
    lock.assert();
    unlock.assert();
    unlatch.assert();
    status.assert();
}

#[test]
fn users_me_is_raw_json() {
    let mut server = Server::new();
    let m = json(
        authed(&mut server, "GET", "/users/me"),
        200,
        r#"{"UserID": "u-1", "FirstName": "A"}"#,
    )
    .expect(1)
    .create();
    assert_eq!(api(&server).get_user(TOKEN).unwrap()["UserID"], "u-1");
    m.assert();
}

#[test]
#[allow(deprecated)]
fn alarms_for_yale_home_and_none_for_august() {
    let mut server = Server::new();
    let yale = |m: Mock| {
        m.match_header("x-api-key", "6e2a2093-6118-42c5-8a41-e1fd25dce7a1")
            .match_header("x-branding", "yale")
            .match_header("x-access-token", TOKEN)
    };
    let alarms = json(
        yale(server.mock("GET", "/users/alarms/mine")),
        200,
        r#"[{"alarmID": "al1", "location": "Home", "houseID": "h1", "pubsubChannel": "c", "serialNumber": "s", "status": "DISARM", "areaIDs": ["a1", "a2"]}]"#,
    )
    .expect(1)
    .create();
    let devices = json(
        yale(server.mock("GET", "/alarms/al1/devices")),
        200,
        r#"[{"_id": "d1", "name": "Door", "alarmID": "al1", "serialNumber": "s1", "type": "contact", "status": {"online": true, "lowBattery": false, "contactOpen": true, "firmwareVersion": "1.0"}}]"#,
    )
    .expect(1)
    .create();
    let arm = yale(server.mock("PUT", "/alarms/al1/state/FULL_ARM"))
        .match_body(Matcher::Json(serde_json::json!({"areaIDs": ["a1", "a2"]})))
        .with_body(r#"{"ok": true}"#)
        .expect(1)
        .create();
    let api = Api::builder()
        .brand(Brand::YaleHome)
        .api_key("6e2a2093-6118-42c5-8a41-e1fd25dce7a1")
        .base_url(server.url())
        .build()
        .unwrap();
    let list = api.get_alarms(TOKEN).unwrap();
    assert_eq!(list.len(), 1);
    let devs = api.get_alarm_devices(TOKEN, "al1").unwrap();
    assert_eq!(devs.len(), 1);
    assert_eq!(
        api.arm_alarm(TOKEN, &list[0], &august_core::ArmState::Away)
            .unwrap()["ok"],
        true
    );
    alarms.assert();
    devices.assert();
    arm.assert();
    let mut server = Server::new();
    let none = server.mock("GET", Matcher::Any).expect(0).create();
    let august = Api::builder().base_url(server.url()).build().unwrap();
    assert!(august.get_alarms(TOKEN).unwrap().is_empty());
    none.assert();
}

// ----- faults -----

#[test]
fn html_403_from_a_firewall_is_an_api_error_with_a_snippet() {
    let mut server = Server::new();
    let _m = server
        .mock("GET", "/users/locks/mine")
        .with_status(403)
        .with_header("content-type", "text/html")
        .with_body("<html><body>Access denied by WAF</body></html>")
        .create();
    let err = api(&server).get_locks(TOKEN).unwrap_err();
    let api_err = err.api_error().unwrap();
    assert_eq!(api_err.status(), 403);
    assert_eq!(api_err.reason(), ApiErrorReason::Forbidden);
    assert!(api_err.snippet().contains("Access denied"));
    assert!(err.to_string().contains("403"));
}

#[test]
fn empty_502_is_retried_then_reported() {
    let mut server = Server::new();
    let m = server
        .mock("GET", "/users/locks/mine")
        .with_status(502)
        .expect(2)
        .create();
    let api = Api::builder()
        .base_url(server.url())
        .max_retries(1)
        .build()
        .unwrap();
    let err = api.get_locks(TOKEN).unwrap_err();
    assert_eq!(err.status(), Some(502));
    assert_eq!(
        err.api_error().unwrap().reason(),
        ApiErrorReason::ServerError
    );
    assert_eq!(err.api_error().unwrap().attempts(), 2);
    m.assert();
}

#[test]
fn json_error_message_is_read_whatever_the_content_type_parameters() {
    let mut server = Server::new();
    let _m = server
        .mock("PUT", "/remoteoperate/L/lock")
        .with_status(423)
        .with_header("content-type", "application/json; charset=utf-8")
        .with_body(r#"{"code":97,"message":"Bridge in use"}"#)
        .create();
    let err = api(&server).lock(TOKEN, "L").unwrap_err();
    let e = err.api_error().unwrap();
    assert_eq!(e.reason(), ApiErrorReason::BridgeBusy);
    assert_eq!(e.code(), Some(97));
    assert_eq!(e.message(), Some("Bridge in use"));
}

#[test]
fn bridge_statuses_have_kinds() {
    for (status, kind) in [
        (408, ApiErrorReason::BridgeTimeout),
        (409, ApiErrorReason::Other),
        (422, ApiErrorReason::BridgeOffline),
        (531, ApiErrorReason::ServerError),
        (401, ApiErrorReason::Unauthorized),
    ] {
        let mut server = Server::new();
        let m = server
            .mock("PUT", "/remoteoperate/L/unlock")
            .with_status(status)
            .expect(1)
            .create();
        let err = api(&server).unlock(TOKEN, "L").unwrap_err();
        assert_eq!(err.api_error().unwrap().reason(), kind, "{status}");
        m.assert();
    }
}

#[test]
fn malformed_json_is_a_decode_error_naming_the_path() {
    let mut server = Server::new();
    let _a = json(authed(&mut server, "GET", "/locks/L"), 200, "{\"LockID\": ").create();
    let err = api(&server).get_lock_detail(TOKEN, "L").unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    let mut server = Server::new();
    let _b = json(
        authed(&mut server, "GET", "/locks/L"),
        200,
        r#"{"LockID": "L"}"#,
    )
    .create();
    match api(&server).get_lock_detail(TOKEN, "L").unwrap_err() {
        Error::Decode {
            endpoint, reason, ..
        } => {
            assert_eq!(endpoint, "GET /locks/L");
            assert!(
                reason.contains("LockName") || reason.contains("missing"),
                "{reason}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unknown_enum_strings_do_not_fail_the_response() {
    let mut server = Server::new();
    let body = fixture!("get_lock.online.json")
        .replace(
            "\"status\": \"locked\"",
            "\"status\": \"kAugLockState_SomethingNew\"",
        )
        .replace("\"doorState\": \"closed\"", "\"doorState\": \"ajar\"");
    assert!(body.contains("SomethingNew") && body.contains("ajar"));
    let _m = json(authed(&mut server, "GET", "/locks/L"), 200, &body).create();
    let d = api(&server).get_lock_detail(TOKEN, "L").unwrap();
    assert!(!matches!(
        d.lock_status(),
        LockStatus::Locked | LockStatus::Unlocked
    ));
}

#[test]
fn get_429_with_retry_after_then_succeeds() {
    let mut server = Server::new();
    let limited = server
        .mock("GET", "/users/locks/mine")
        .with_status(429)
        .with_header("retry-after", "1")
        .expect(1)
        .create();
    let ok = json(
        server.mock("GET", "/users/locks/mine"),
        200,
        &fixture!("get_locks.json"),
    )
    .expect(1)
    .create();
    let started = Instant::now();
    assert_eq!(api(&server).get_locks(TOKEN).unwrap().len(), 2);
    assert!(started.elapsed() >= Duration::from_millis(900));
    limited.assert();
    ok.assert();
}

#[test]
fn unlock_429_is_not_resent_and_says_rate_limited() {
    let mut server = Server::new();
    let m = server
        .mock("PUT", "/remoteoperate/L/unlock")
        .with_status(429)
        .with_header("retry-after", "2")
        .expect(1)
        .create();
    let err = api(&server).unlock(TOKEN, "L").unwrap_err();
    let e = err.api_error().unwrap();
    assert_eq!(e.reason(), ApiErrorReason::RateLimited);
    assert_eq!(e.retry_after(), Some(Duration::from_secs(2)));
    m.assert();
}

#[test]
fn unlock_timeout_is_not_resent_and_says_the_outcome_is_unknown() {
    use std::io::Read;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        listener.set_nonblocking(true).unwrap();
        let deadline = Instant::now() + Duration::from_millis(1500);
        let mut accepted = 0;
        let mut held = Vec::new();
        while Instant::now() < deadline {
            if let Ok((mut s, _)) = listener.accept() {
                accepted += 1;
                let mut buf = [0u8; 2048];
                s.set_nonblocking(false).unwrap();
                let _ = s.read(&mut buf);
                held.push(s);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        accepted
    });
    let api = Api::builder()
        .base_url(url)
        .command_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = api.unlock(TOKEN, "L").unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(1000));
    assert!(err.is_timeout() && err.outcome_unknown(), "{err:?}");
    assert!(err.to_string().contains("outcome is unknown"), "{err}");
    assert_eq!(server.join().unwrap(), 1, "sent exactly once");
}

#[test]
fn stalled_read_times_out() {
    use std::io::Read;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let t = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut buf = [0u8; 2048];
        let _ = s.read(&mut buf);
        std::thread::sleep(Duration::from_millis(800));
    });
    let api = Api::builder()
        .base_url(url)
        .timeout(Duration::from_millis(200))
        .max_retries(0)
        .build()
        .unwrap();
    let started = Instant::now();
    let err = api.get_locks(TOKEN).unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(started.elapsed() < Duration::from_millis(700));
    t.join().unwrap();
}

#[test]
fn redirect_to_another_host_is_not_followed() {
    let mut other = Server::new();
    let stolen = other.mock("GET", Matcher::Any).expect(0).create();
    let mut server = Server::new();
    let _m = server
        .mock("GET", "/users/locks/mine")
        .with_status(301)
        .with_header("location", &format!("{}/users/locks/mine", other.url()))
        .create();
    let err = api(&server).get_locks(TOKEN).unwrap_err();
    assert_eq!(err.api_error().unwrap().reason(), ApiErrorReason::Redirect);
    stolen.assert();
}

#[test]
fn empty_ids_and_tokens_are_refused_before_sending() {
    let mut server = Server::new();
    let none = server.mock("GET", Matcher::Any).expect(0).create();
    let api = api(&server);
    assert!(matches!(
        api.get_lock_detail(TOKEN, "").unwrap_err(),
        Error::InvalidInput { .. }
    ));
    assert!(matches!(
        api.get_locks("").unwrap_err(),
        Error::InvalidInput { .. }
    ));
    none.assert();
}

#[test]
fn insecure_base_url_is_refused() {
    let err = Api::builder()
        .base_url("http://api-production.august.com")
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }));
}

#[test]
fn debug_never_shows_the_api_key() {
    let api = Api::builder()
        .api_key("SECRET-KEY")
        .base_url("http://127.0.0.1:1")
        .build()
        .unwrap();
    assert_eq!(
        format!("{api:?}"),
        "Api { brand: August, base_url: \"http://127.0.0.1:1\", api_key: \"<redacted>\", timeout: 10s, command_timeout: 60s }"
    );
}

#[test]
fn an_unreadable_answer_to_an_accepted_unlock_says_the_server_accepted_it() {
    let mut server = Server::new();
    let m = server
        .mock("PUT", "/remoteoperate/L/unlock")
        .with_status(200)
        .with_header("content-type", "text/html")
        .with_body("<html>ok</html>")
        .expect(1)
        .create();
    let err = api(&server).unlock(TOKEN, "L").unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("accepted the operation (status 200)"),
        "{text}"
    );
    assert!(text.contains("read the lock's status"), "{text}");
    m.assert();
}

/// A base URL with a host name works with its addresses reused (the default) or looked up on
/// every call (`name_ttl(ZERO)`); the `Host` header names the host as written.
#[test]
fn a_named_base_url_works_with_and_without_name_reuse() {
    let mut server = Server::new();
    let port = server.socket_address().port();
    let m = authed(&mut server, "GET", "/users/locks/mine")
        .match_header("host", format!("localhost:{port}").as_str())
        .with_body("{}")
        .expect(4)
        .create();
    for ttl in [Duration::from_secs(30), Duration::ZERO] {
        let api = Api::builder()
            .base_url(format!("http://localhost:{port}"))
            .name_ttl(ttl)
            .build()
            .unwrap();
        assert!(api.get_locks(TOKEN).unwrap().is_empty());
        assert!(api.get_locks(TOKEN).unwrap().is_empty());
    }
    m.assert();
}

#[test]
fn a_403_saying_the_api_key_is_not_valid_is_api_key_rejected() {
    let mut server = Server::new();
    let m = server
        .mock("GET", "/users/me")
        .match_header("x-august-api-key", "d9984f29-07a6-816e-e1c9-44ec9d1be431")
        .with_status(403)
        .with_header("content-type", "application/json")
        .with_body(r#"{"code":"Forbidden","message":"API key is not valid"}"#)
        .expect(1)
        .create();
    let err = api(&server).get_user(TOKEN).unwrap_err();
    m.assert();
    assert!(err.is_api_key_rejected());
    assert!(!err.is_unauthorized());
    let api_err = err.api_error().unwrap();
    assert_eq!(api_err.reason(), ApiErrorReason::ApiKeyRejected);
    assert_eq!(api_err.status(), 403);
    assert_eq!(api_err.message(), Some("API key is not valid"));
    let text = err.to_string();
    assert!(
        text.contains("this brand's built-in key is no longer accepted; pass your partner key with ApiBuilder::api_key"),
        "{text}"
    );
    // Not the built-in key itself.
    assert!(!text.contains("d9984f29"), "{text}");
}

#[test]
fn a_plain_403_a_401_and_a_firewall_page_are_not_api_key_rejected() {
    let mut server = Server::new();
    let _a = server
        .mock("GET", "/users/me")
        .with_status(403)
        .with_header("content-type", "application/json")
        .with_body(r#"{"code":"Forbidden","message":"user is not allowed"}"#)
        .create();
    let _b = server
        .mock("GET", "/users/locks/mine")
        .with_status(401)
        .with_header("content-type", "application/json")
        .with_body(r#"{"message":"API key is not valid"}"#)
        .create();
    let _c = server
        .mock("GET", "/users/houses/mine")
        .with_status(403)
        .with_header("content-type", "text/html")
        .with_body("<html><body>API key blocked by firewall</body></html>")
        .create();
    let api = api(&server);
    let forbidden = api.get_user(TOKEN).unwrap_err();
    assert_eq!(
        forbidden.api_error().unwrap().reason(),
        ApiErrorReason::Forbidden
    );
    let unauthorized = api.get_locks(TOKEN).unwrap_err();
    assert_eq!(
        unauthorized.api_error().unwrap().reason(),
        ApiErrorReason::Unauthorized
    );
    let firewall = api.get_houses(TOKEN).unwrap_err();
    assert_eq!(
        firewall.api_error().unwrap().reason(),
        ApiErrorReason::Forbidden
    );
    assert!(!firewall.is_api_key_rejected());
}

#[test]
#[allow(deprecated)]
fn the_retired_yale_home_brand_needs_a_key_of_its_own() {
    let err = Api::builder().brand(Brand::YaleHome).build().unwrap_err();
    assert!(matches!(err, august_core::Error::InvalidInput { .. }));
    assert!(err.to_string().contains("yale_global"), "{err}");
    assert!(
        Api::builder()
            .brand(Brand::YaleHome)
            .api_key("partner-key")
            .build()
            .is_ok()
    );
}
