//! The August emulation driven through august-core's `Api` (and raw HTTP where the `Api` cannot
//! say what it sends).

mod common;

use std::time::Duration;

use august_core::{
    ActivityType, Api, ApiErrorReason, AsyncOperation, Brand, LockDoorStatus, LockStatus,
    LoginMethod,
};
use august_sandbox::{DoorState, Sandbox, demo};
use base64::Engine as _;
use serde_json::{Value, json};

use common::{AUGUST_KEY, api, login, raw};

#[test]
fn whole_login_flow_then_lock_unlock_and_the_feed() {
    let sandbox = Sandbox::start().unwrap();
    let api = api(&sandbox);
    let identifier = LoginMethod::Phone.identifier(demo::PHONE);

    // Unknown install id: password verified, install id not, provisional token.
    let first = api
        .get_session("install-flow", &identifier, demo::PASSWORD)
        .unwrap();
    assert!(first.password_verified());
    assert!(!first.install_id_verified());
    let provisional = first.access_token();
    assert_eq!(provisional.split('.').count(), 3);
    let err = api.get_locks(provisional).unwrap_err();
    assert!(err.is_unauthorized(), "{err}");

    // The code it "sends" is readable from the handle and the sandbox endpoint.
    assert_eq!(sandbox.august_verification_code(), None);
    api.send_verification_code(provisional, LoginMethod::Phone, demo::PHONE)
        .unwrap();
    let code = sandbox.august_verification_code().unwrap();
    assert_eq!(code.len(), 6);
    assert!(code.bytes().all(|b| b.is_ascii_digit()));
    let from_endpoint = raw(
        "GET",
        &format!("{}/__sandbox/august/code", sandbox.august_url()),
        &[],
        None,
    );
    assert_eq!(from_endpoint.status, 200);
    assert_eq!(from_endpoint.body["code"], json!(code));
    assert_eq!(from_endpoint.body["method"], "phone");
    assert_eq!(from_endpoint.body["install_id"], "install-flow");

    // A wrong code is a 4xx with a JSON message; the right one validates the install id.
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let err = api
        .validate_verification_code(provisional, LoginMethod::Phone, demo::PHONE, wrong)
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert_eq!(
        err.api_error().unwrap().message(),
        Some("invalid verification code")
    );
    api.validate_verification_code(provisional, LoginMethod::Phone, demo::PHONE, &code)
        .unwrap();
    // Validation does not upgrade the provisional token.
    assert!(api.get_locks(provisional).unwrap_err().is_unauthorized());

    let second = api
        .get_session("install-flow", &identifier, demo::PASSWORD)
        .unwrap();
    assert!(second.password_verified());
    assert!(second.install_id_verified());
    let token = second.access_token();

    let mut locks = api.get_locks(token).unwrap();
    locks.sort_by(|a, b| a.device_id().cmp(b.device_id()));
    let names: Vec<&str> = locks.iter().map(|l| l.device_name()).collect();
    assert_eq!(names, ["Front Door", "Back Door", "Garage Door"]);
    assert!(
        locks
            .iter()
            .all(|l| l.is_operable() && l.house_id() == demo::HOUSE_ID)
    );

    let front = api
        .get_lock_detail(token, demo::FRONT_DOOR_LOCK_ID)
        .unwrap();
    assert_eq!(front.lock_status(), &LockStatus::Locked);
    assert_eq!(front.door_state(), &LockDoorStatus::Closed);
    assert!(front.bridge_is_online());
    assert!(front.has_doorsense());
    assert_eq!(front.battery_level(), Some(88));
    assert!(front.keypad().is_some());

    assert_eq!(
        api.unlock(token, demo::FRONT_DOOR_LOCK_ID).unwrap(),
        LockStatus::Unlocked
    );
    assert_eq!(
        api.get_lock_status(token, demo::FRONT_DOOR_LOCK_ID)
            .unwrap(),
        LockStatus::Unlocked
    );
    let activities = api
        .lock_return_activities(token, demo::FRONT_DOOR_LOCK_ID)
        .unwrap();
    let actions: Vec<Option<&str>> = activities.iter().map(|a| a.action()).collect();
    assert_eq!(actions, [Some("lock"), Some("doorclosed")]);
    assert_eq!(activities[0].device_id(), Some(demo::FRONT_DOOR_LOCK_ID));
    assert_eq!(
        api.get_lock_detail(token, demo::FRONT_DOOR_LOCK_ID)
            .unwrap()
            .lock_status(),
        &LockStatus::Locked
    );

    // The feed shows both operations, newest first, and honours the limit.
    let feed = api.get_house_activities(token, demo::HOUSE_ID, 2).unwrap();
    assert_eq!(feed.len(), 2);
    assert_eq!(feed[0].action(), Some("lock"));
    assert_eq!(feed[1].action(), Some("unlock"));
    for a in &feed {
        assert_eq!(a.kind(), ActivityType::LockOperation);
        assert_eq!(a.device_id(), Some(demo::FRONT_DOOR_LOCK_ID));
        assert_eq!(a.house_id(), Some(demo::HOUSE_ID));
        assert!(a.operated_remote());
        assert_eq!(a.operated_by(), Some("Demo User"));
    }
    assert!(feed[0].start_time() >= feed[1].start_time());
    let longer = api.get_house_activities(token, demo::HOUSE_ID, 50).unwrap();
    assert_eq!(longer.len(), 8, "6 seeded activities and the 2 new ones");
    assert!(
        longer
            .windows(2)
            .all(|w| w[0].start_time() >= w[1].start_time())
    );

    // A lock without a bridge: 409; a lock whose bridge is offline: 422.
    let err = api.lock(token, demo::BACK_DOOR_LOCK_ID).unwrap_err();
    assert_eq!(err.status(), Some(409));
    assert_eq!(err.api_error().unwrap().reason(), ApiErrorReason::Other);
    let err = api.unlock(token, demo::GARAGE_DOOR_LOCK_ID).unwrap_err();
    assert_eq!(err.status(), Some(422));
    assert_eq!(
        err.api_error().unwrap().reason(),
        ApiErrorReason::BridgeOffline
    );
    assert_eq!(err.api_error().unwrap().code(), Some(98));
    // Neither changed its state nor the feed.
    assert_eq!(
        api.get_lock_detail(token, demo::BACK_DOOR_LOCK_ID)
            .unwrap()
            .lock_status(),
        &LockStatus::Unlocked
    );
    assert_eq!(
        api.get_house_activities(token, demo::HOUSE_ID, 50)
            .unwrap()
            .len(),
        8
    );
    assert!(
        !api.get_lock_detail(token, demo::GARAGE_DOOR_LOCK_ID)
            .unwrap()
            .bridge_is_online()
    );
}

#[test]
fn email_login_and_wrong_password() {
    let sandbox = Sandbox::start().unwrap();
    let api = api(&sandbox);
    let identifier = LoginMethod::Email.identifier(demo::EMAIL);
    let first = api
        .get_session("install-email", &identifier, demo::PASSWORD)
        .unwrap();
    assert!(!first.install_id_verified());
    api.send_verification_code(first.access_token(), LoginMethod::Email, demo::EMAIL)
        .unwrap();
    let code = sandbox.august_verification_code().unwrap();
    // A code sent by e-mail does not validate through the phone path.
    assert_eq!(
        api.validate_verification_code(
            first.access_token(),
            LoginMethod::Phone,
            demo::PHONE,
            &code
        )
        .unwrap_err()
        .status(),
        Some(400)
    );
    api.validate_verification_code(first.access_token(), LoginMethod::Email, demo::EMAIL, &code)
        .unwrap();
    let second = api
        .get_session("install-email", &identifier, demo::PASSWORD)
        .unwrap();
    assert!(second.install_id_verified());
    assert_eq!(api.get_locks(second.access_token()).unwrap().len(), 3);

    // The validated install id skips the code on the phone identifier too.
    let by_phone = api
        .get_session(
            "install-email",
            &LoginMethod::Phone.identifier(demo::PHONE),
            demo::PASSWORD,
        )
        .unwrap();
    assert!(by_phone.install_id_verified());

    let bad = api
        .get_session("install-email", &identifier, "not-the-password")
        .unwrap();
    assert!(!bad.password_verified());
    assert!(!bad.install_id_verified());
    assert!(
        api.get_locks(bad.access_token())
            .unwrap_err()
            .is_unauthorized()
    );
    assert!(
        api.send_verification_code(bad.access_token(), LoginMethod::Email, demo::EMAIL)
            .unwrap_err()
            .is_unauthorized()
    );

    let unknown = api
        .get_session("install-email", "email:nobody@example.com", demo::PASSWORD)
        .unwrap();
    assert!(!unknown.password_verified());
}

#[test]
fn api_keys_and_tokens_are_checked() {
    let sandbox = Sandbox::start().unwrap();
    let good = api(&sandbox);
    let token = login(&sandbox, &good, "install-keys");
    let url = format!("{}/users/locks/mine", sandbox.august_url());

    // Wrong key through the Api, and a missing key through raw HTTP.
    let wrong_key = Api::builder()
        .base_url(sandbox.august_url())
        .api_key("00000000-0000-0000-0000-000000000000")
        .build()
        .unwrap();
    let err = wrong_key.get_locks(&token).unwrap_err();
    assert!(err.is_unauthorized());
    assert_eq!(err.api_error().unwrap().message(), Some("invalid api key"));
    let missing = raw("GET", &url, &[("x-august-access-token", &token)], None);
    assert_eq!(missing.status, 401);
    assert_eq!(missing.body["message"], "missing api key");
    // The yale_home key is only valid in its own header.
    let crossed = raw(
        "GET",
        &url,
        &[
            ("x-august-api-key", "6e2a2093-6118-42c5-8a41-e1fd25dce7a1"),
            ("x-august-access-token", &token),
        ],
        None,
    );
    assert_eq!(crossed.status, 401);
    let ok = raw(
        "GET",
        &url,
        &[
            ("x-august-api-key", AUGUST_KEY),
            ("x-august-access-token", &token),
        ],
        None,
    );
    assert_eq!(ok.status, 200);
    assert_eq!(ok.body.as_object().unwrap().len(), 3);

    // Missing, unknown and tampered tokens.
    let no_token = raw("GET", &url, &[("x-august-api-key", AUGUST_KEY)], None);
    assert_eq!(no_token.status, 401);
    assert_eq!(no_token.body["message"], "missing access token");
    assert!(good.get_locks("not-a-token").unwrap_err().is_unauthorized());
    let mut tampered = token.clone();
    tampered.push('x');
    assert!(good.get_locks(&tampered).unwrap_err().is_unauthorized());

    // Every issued token expires on demand.
    assert_eq!(good.get_locks(&token).unwrap().len(), 3);
    sandbox.expire_access_tokens();
    let err = good.get_locks(&token).unwrap_err();
    assert!(err.is_unauthorized());
    assert_eq!(
        err.api_error().unwrap().message(),
        Some("access token expired")
    );
}

#[test]
fn tokens_expire_after_the_configured_lifetime() {
    let sandbox = Sandbox::builder()
        .token_lifetime(Duration::from_secs(1))
        .start()
        .unwrap();
    let api = api(&sandbox);
    let token = login(&sandbox, &api, "install-short");
    // The JWT's exp claim says when.
    let payload = token.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    let exp = claims["exp"].as_i64().unwrap();
    let now = chrono::Utc::now().timestamp();
    assert!((now..=now + 1).contains(&exp), "exp {exp}, now {now}");
    assert_eq!(claims["vInstallId"], true);
    assert_eq!(claims["userId"], demo::USER_ID);

    assert_eq!(api.get_locks(&token).unwrap().len(), 3);
    std::thread::sleep(Duration::from_millis(1100));
    assert!(api.get_locks(&token).unwrap_err().is_unauthorized());
}

#[test]
fn refresh_returns_a_new_token_in_the_header() {
    let sandbox = Sandbox::start().unwrap();
    let api = api(&sandbox);
    let token = login(&sandbox, &api, "install-refresh");
    let fresh = api.refresh_access_token(&token).unwrap();
    assert_ne!(fresh, token);
    assert_eq!(fresh.split('.').count(), 3);
    assert_eq!(api.get_locks(&fresh).unwrap().len(), 3);
    let houses = api.get_houses(&fresh).unwrap();
    assert_eq!(houses.len(), 1);
    assert_eq!(houses[0].house_id(), demo::HOUSE_ID);
    assert_eq!(houses[0].name(), Some(demo::HOUSE_NAME));
    let house = api.get_house(&fresh, demo::HOUSE_ID).unwrap();
    assert_eq!(house.raw()["locks"].as_array().unwrap().len(), 3);
    assert_eq!(
        api.get_house(&fresh, "no-such-house").unwrap_err().status(),
        Some(404)
    );
    // A refresh never works with a provisional token.
    let provisional = api
        .get_session(
            "install-other",
            &LoginMethod::Phone.identifier(demo::PHONE),
            demo::PASSWORD,
        )
        .unwrap();
    assert!(
        api.refresh_access_token(provisional.access_token())
            .unwrap_err()
            .is_unauthorized()
    );
}

#[test]
#[allow(deprecated)]
fn yale_home_brand_uses_its_own_headers() {
    let sandbox = Sandbox::start().unwrap();
    let api = Api::builder()
        .brand(Brand::YaleHome)
        .api_key("6e2a2093-6118-42c5-8a41-e1fd25dce7a1")
        .base_url(sandbox.august_url())
        .build()
        .unwrap();
    let token = login(&sandbox, &api, "install-yale");
    assert_eq!(api.get_locks(&token).unwrap().len(), 3);
    assert!(api.get_alarms(&token).unwrap().is_empty());
    // The session answers with x-access-token for this header family.
    let session = raw(
        "POST",
        &format!("{}/session", sandbox.august_url()),
        &[("x-api-key", "6e2a2093-6118-42c5-8a41-e1fd25dce7a1")],
        Some(&json!({
            "installId": "install-yale",
            "identifier": format!("phone:{}", demo::PHONE),
            "password": demo::PASSWORD,
        })),
    );
    assert_eq!(session.status, 200);
    assert!(session.header("x-access-token").is_some());
    assert!(session.header("x-august-access-token").is_none());
    assert_eq!(session.body["vInstallId"], true);
    assert!(session.body["expiresAt"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn devices_pins_user_and_doorbell_image() {
    let sandbox = Sandbox::start().unwrap();
    let api = api(&sandbox);
    let token = login(&sandbox, &api, "install-devices");

    let user = api.get_user(&token).unwrap();
    assert_eq!(user["UserID"], demo::USER_ID);
    assert_eq!(user["Email"], demo::EMAIL);

    let pins = api.get_pins(&token, demo::FRONT_DOOR_LOCK_ID).unwrap();
    let codes: Vec<&str> = pins.iter().map(|p| p.pin()).collect();
    assert_eq!(codes, ["4242", "0517"]);
    assert_eq!(pins[1].access_type(), "temporary");
    assert!(pins[1].access_end_time().is_some());
    assert!(
        api.get_pins(&token, demo::BACK_DOOR_LOCK_ID)
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        api.get_lock_detail(&token, "nope").unwrap_err().status(),
        Some(404)
    );

    let mut doorbells = api.get_doorbells(&token).unwrap();
    doorbells.sort_by_key(|d| d.device_name() != "Front Door");
    assert_eq!(doorbells.len(), 2);
    assert!(doorbells[0].is_online());
    assert!(!doorbells[1].is_online());
    assert!(doorbells[1].image_url().is_none());

    let front = api
        .get_doorbell_detail(&token, demo::FRONT_DOORBELL_ID)
        .unwrap();
    let url = front.image_url().unwrap();
    assert_eq!(
        url,
        format!(
            "{}/cdn/doorbells/{}.jpg",
            sandbox.august_url(),
            demo::FRONT_DOORBELL_ID
        )
    );
    assert_eq!(front.battery_level(), Some(96));
    assert!(front.image_created_at().is_some());
    let image = api.get_doorbell_image(&front).unwrap();
    assert_eq!(image.content_type(), Some("image/jpeg"));
    assert_eq!(&image.bytes()[..3], &[0xFF, 0xD8, 0xFF]);
    // A wrong content token is refused like an expired one.
    let err = api.get_image(url, "stale-token").unwrap_err();
    assert_eq!(err.status(), Some(401));
    api.wakeup_doorbell(&token, demo::FRONT_DOORBELL_ID)
        .unwrap();
    let back = api
        .get_doorbell_detail(&token, demo::BACK_DOORBELL_ID)
        .unwrap();
    assert!(!back.is_online());
    assert_eq!(back.status(), "doorbell_offline");

    // The seeded feed has doorbell events with the sandbox's image.
    let feed = api
        .get_house_activities(&token, demo::HOUSE_ID, 10)
        .unwrap();
    let motion = feed
        .iter()
        .find(|a| a.kind() == ActivityType::DoorbellMotion)
        .unwrap();
    assert_eq!(motion.image_url(), Some(url));
}

#[test]
fn unlatch_async_operations_and_the_door_sensor() {
    let sandbox = Sandbox::start().unwrap();
    let api = api(&sandbox);
    let token = login(&sandbox, &api, "install-async");

    assert!(
        api.get_lock_detail(&token, demo::FRONT_DOOR_LOCK_ID)
            .unwrap()
            .supports_unlatch()
    );
    assert_eq!(
        api.unlatch(&token, demo::FRONT_DOOR_LOCK_ID).unwrap(),
        LockStatus::Unlatched
    );
    let text = api
        .lock_async(&token, demo::FRONT_DOOR_LOCK_ID, AsyncOperation::default())
        .unwrap();
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["status"], "kAugLockState_Locking");
    assert_eq!(body["info"]["action"], "lock");
    assert_eq!(
        api.get_lock_status(&token, demo::FRONT_DOOR_LOCK_ID)
            .unwrap(),
        LockStatus::Locked
    );
    let status = api
        .status_async(
            &token,
            demo::FRONT_DOOR_LOCK_ID,
            AsyncOperation {
                persistent_connection: true,
            },
        )
        .unwrap();
    assert!(status.contains("kAugLockState_Locked"));
    assert_eq!(
        api.unlock_async(&token, demo::BACK_DOOR_LOCK_ID, AsyncOperation::default())
            .unwrap_err()
            .status(),
        Some(409)
    );

    sandbox
        .set_door_state(demo::FRONT_DOOR_LOCK_ID, DoorState::Open)
        .unwrap();
    assert_eq!(
        api.get_lock_door_status(&token, demo::FRONT_DOOR_LOCK_ID)
            .unwrap(),
        LockDoorStatus::Open
    );
    assert!(
        sandbox
            .set_door_state(demo::BACK_DOOR_LOCK_ID, DoorState::Open)
            .is_err()
    );
    let feed = api.get_house_activities(&token, demo::HOUSE_ID, 3).unwrap();
    let actions: Vec<Option<&str>> = feed.iter().map(|a| a.action()).collect();
    assert_eq!(actions, [Some("dooropen"), Some("lock"), Some("unlatch")]);

    // The v4 feed (Accept-Version 4.0.0) comes wrapped in `events`.
    let v4 = raw(
        "GET",
        &format!(
            "{}/houses/{}/activities?limit=2",
            sandbox.august_url(),
            demo::HOUSE_ID
        ),
        &[
            ("x-august-api-key", AUGUST_KEY),
            ("x-august-access-token", &token),
            ("accept-version", "4.0.0"),
        ],
        None,
    );
    let events = v4.body["events"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["action"], "door_open");
    assert_eq!(events[1]["action"], "remote_lock");
    assert_eq!(events[1]["user"]["UserID"], demo::USER_ID);
}
