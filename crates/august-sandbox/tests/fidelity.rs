//! Every success answer of the sandbox holds against the recorded answer it stands for: each key
//! path of the fixture is present with the same JSON type (recursively; an array's elements are
//! held against the fixture's first element), and the body is compact JSON as the services send
//! it. The calls are raw HTTP, so nothing is normalised by the SDK's models.
//!
//! The fixtures are copies of the recorded answers (`tests/fixtures/*/SOURCE.md` says where each
//! comes from). `OMITTED` lists the key paths the sandbox deliberately answers differently,
//! `NOT_COVERED` the fixtures that stand for no answer the sandbox could be held against.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use august_sandbox::{PUBNUB_SUBSCRIBE_KEY, Sandbox, demo, verify as sb};
use common::{basic_auth, totp_code};
use serde_json::Value;
use test_support::json_shape::{self, Rules};
use test_support::raw_http::{Body, Raw, call};

const AUGUST_KEY: &str = "d9984f29-07a6-816e-e1c9-44ec9d1be431";

/// `(fixture, key path, reason)`: a path the sandbox deliberately leaves out or types
/// differently. A path is written `a.b[].c`; in a feed (the legacy feed, the version 4 `events`),
/// items are held one by one and their paths start at the item.
const OMITTED: &[(&str, &str, &str)] = &[
    (
        "august/get_house_activities.json",
        "callingUser.imageInfo",
        "the demo user has no picture",
    ),
    (
        "august/get_house_activities.json",
        "source",
        "meaning not established: not emulated",
    ),
    (
        "august-live/activities_v4_events.json",
        "user.thumbnail",
        "the demo user has no picture",
    ),
    // Values that depend on the device's or the record's state: the sandbox sends the type the
    // service sends for its own state (another recording of the same call shows it).
    (
        "august/get_doorbell.battery_full.json",
        "secChipCertSerial",
        "null on this doorbell, \"\" on the offline one: the sandbox sends a string",
    ),
    (
        "august/get_doorbell.battery_low.json",
        "secChipCertSerial",
        "as battery_full",
    ),
    (
        "august/get_doorbell.battery_medium.json",
        "secChipCertSerial",
        "as battery_full",
    ),
    (
        "august/get_doorbell.offline.json",
        "recentImage",
        "the offline demo doorbell has no snapshot (get_doorbell_missing_image.json is held against it)",
    ),
    (
        "august/get_doorbell.json",
        "LockID",
        "the demo doorbells are paired with no lock",
    ),
    (
        "august/get_doorbell_missing_image.json",
        "LockID",
        "the demo doorbells are paired with no lock",
    ),
    (
        "august/get_lock.online.json",
        "OfflineKeys.loaded",
        "the demo locks hold no offline (Bluetooth) keys",
    ),
    (
        "august/get_lock.online.json",
        "OfflineKeys.loadedhk",
        "as OfflineKeys.loaded",
    ),
    (
        "august/get_lock.doorsense_init.json",
        "OfflineKeys.loaded",
        "as get_lock.online.json",
    ),
    (
        "august/get_lock.doorsense_init.json",
        "OfflineKeys.loadedhk",
        "as get_lock.online.json",
    ),
    (
        "august/get_lock.offline.json",
        "OfflineKeys.loaded",
        "as get_lock.online.json",
    ),
    (
        "august/get_lock.online.json",
        "users.*.imageInfo",
        "the demo user has no picture",
    ),
    (
        "august/get_lock.doorsense_init.json",
        "users.*.imageInfo",
        "the demo user has no picture",
    ),
    (
        "august/bluetooth_lock_activity.json",
        "callingUser.imageInfo",
        "the demo user has no picture",
    ),
    (
        "august/get_lock.online_with_doorsense.json",
        "hostLockInfo",
        "only a lock hosted by another device has it; no demo lock is",
    ),
    (
        "august/get_lock.online_with_doorsense.json",
        "pins",
        "not emulated: the PINs are served by GET /locks/{id}/pins",
    ),
    (
        "august/get_pins.json",
        "loaded[].accessEndTime",
        "the first demo PIN is always valid; access times would make it a scheduled one",
    ),
    (
        "august/get_pins.json",
        "loaded[].accessStartTime",
        "as accessEndTime",
    ),
    (
        "august/get_pins.json",
        "loaded[].accessTimes",
        "as accessEndTime",
    ),
    (
        "august/keypad_lock_activity.json",
        "info.agent",
        "the demo feed's keypad operation is an unlock (whose item has these keys); no keypad lock is seeded",
    ),
    (
        "august/keypad_lock_activity.json",
        "info.keypad",
        "as info.agent",
    ),
    (
        "august/keypad_lock_activity.json",
        "source",
        "meaning not established (also on remote operations): not emulated",
    ),
    (
        "august/remote_lock_activity.json",
        "source",
        "meaning not established: not emulated",
    ),
    (
        "authy/users_status_ok.json",
        "status.detailed_devices[].registration_method",
        "null on this recorded device, a string on the sandbox's app device",
    ),
    (
        "authy/tokens_verify_ok.json",
        "device.last_account_recovery_at",
        "null until an account recovery, which the sandbox never does",
    ),
    (
        "authy/phones_verification_start_ok_no_uuid.json",
        "uuid",
        "this recording has no uuid; phones_verification_start_ok.json has one and so has the sandbox",
    ),
    (
        "verify/service_create.json",
        "default_template_sid",
        "null unless a template is set; the sandbox sets none",
    ),
    (
        "verify/service_create.json",
        "push.apn_credential_sid",
        "null unless APN credentials are set; the sandbox sets none",
    ),
    (
        "verify/service_create.json",
        "passkeys",
        "passkeys cannot be configured on the sandbox, and what Twilio sends for a service \
         without them is not recorded",
    ),
    (
        "verify/service_create.json",
        "whatsapp",
        "WhatsApp sending cannot be configured on the sandbox, and what Twilio sends for a \
         service without it is not recorded",
    ),
    (
        "verify/challenge_totp_approved.json",
        "details.fields",
        "no fields were given when the challenge was created",
    ),
    (
        "verify/challenge_totp_approved.json",
        "details.message",
        "no message was given (a TOTP challenge)",
    ),
    (
        "verify/challenge_totp_approved.json",
        "hidden_details",
        "no hidden details were given",
    ),
    (
        "verify/challenge_push_pending.json",
        "details.fields",
        "no fields were given",
    ),
    (
        "verify/challenge_push_pending.json",
        "hidden_details",
        "no hidden details were given",
    ),
    (
        "verify/challenge_push_pending.json",
        "date_responded",
        "non-null in the recorded example although pending; null until answered",
    ),
    (
        "verify/challenge_push_approved.json",
        "details.fields",
        "no fields were given",
    ),
    (
        "verify/challenge_push_approved.json",
        "hidden_details",
        "no hidden details were given",
    ),
    (
        "verify/challenge_push_approved.json",
        "metadata",
        "null unless the factor was created with metadata",
    ),
    (
        "verify/factor_push_create_unverified.json",
        "metadata",
        "null unless the factor was created with metadata",
    ),
    (
        "verify/lookup_v2_line_type_intelligence.json",
        "validation_errors",
        "null in the example; the sandbox sends an empty list for a valid number",
    ),
    (
        "authy/tokens_verify_ok_minimal.json",
        "success",
        "this recording has the boolean true; tokens_verify_ok.json has the string \"true\", \
     which the sandbox sends (a client must accept both)",
    ),
];

/// Key paths of objects keyed by ids (`""` is the whole answer: the lock and doorbell lists).
const MAPS: &[(&str, &str)] = &[
    ("august/get_locks.json", ""),
    ("august/get_doorbells.json", ""),
    ("august/get_lock.online.json", "users"),
    ("august/get_lock.online_with_doorsense.json", "users"),
    ("august/get_lock.doorsense_init.json", "users"),
    ("august/get_lock.offline.json", "users"),
];

/// `(skip, maps)` of a fixture.
fn rules(name: &str) -> (Vec<&'static str>, Vec<&'static str>) {
    let skip = OMITTED
        .iter()
        .filter(|(f, _, _)| *f == name)
        .map(|(_, p, _)| *p)
        .collect();
    let maps = MAPS
        .iter()
        .filter(|(f, _)| *f == name)
        .map(|(_, p)| *p)
        .collect();
    (skip, maps)
}

/// Fixtures that stand for no success answer the sandbox gives, with the reason.
const NOT_COVERED: &[(&str, &str)] = &[
    (
        "august-live/ha_config_entry_token.json",
        "a Home Assistant config entry on disk, not an HTTP answer",
    ),
    (
        "august-live/socketio_session.json",
        "a whole Engine.IO session transcript, not one answer; the websocket tests hold its frames",
    ),
];

/// Routes of the emulated APIs whose answers are not held here, with the reason (routes whose
/// answer no fixture records, and answers that are not JSON).
const NOT_COVERED_ROUTES: &[(&str, &str)] = &[
    ("POST /session", NO_RECORDING),
    ("POST /validation/phone", NO_RECORDING),
    ("POST /validation/email", NO_RECORDING),
    ("POST /validate/phone", NO_RECORDING),
    ("POST /validate/email", NO_RECORDING),
    ("GET /users/me", NO_RECORDING),
    ("GET /users/houses/mine", NO_RECORDING),
    ("GET /houses/{house_id}", NO_RECORDING),
    ("GET /locks/{lock_id}/status", NO_RECORDING),
    ("PUT /remoteoperate/{lock_id}/status", NO_RECORDING),
    ("PUT /doorbells/{doorbell_id}/wakeup", NO_RECORDING),
    ("GET /doorbells/{doorbell_id}/wakeup", NO_RECORDING),
    ("GET /users/alarms/mine", NO_RECORDING),
    (
        "GET /cdn/doorbells/{doorbell_id}.jpg",
        "a JPEG image, not JSON",
    ),
    (
        "GET /websocket/subscribers/{subscriber_id}",
        "the spec does not know this answer (the SDK keeps it as text); no recording",
    ),
    (
        "DELETE /websocket/subscribers/{subscriber_id}",
        NO_RECORDING,
    ),
    (
        "GET /time/0",
        "PubNub's time answer is not among the fixtures; tests/push.rs checks it",
    ),
    (
        "GET /v2/presence/sub-key/{sub_key}/channel/{channels}/leave",
        "PubNub's leave answer is not among the fixtures; tests/push.rs checks it",
    ),
    (
        "GET /socket.io/",
        "a websocket upgrade, not a JSON answer; tests/push.rs checks its Engine.IO frames",
    ),
    (
        "GET /oauth/yale_global/authorize",
        "a redirect (302) without a body",
    ),
    (
        "GET /oauth/yale_august/authorization",
        "a redirect (302) without a body",
    ),
    ("GET /protected/json/registrations/status", NO_RECORDING),
    (
        "POST /v2/Services/{va}/Entities/{id}/Challenges/{yc}/Notifications",
        NO_RECORDING,
    ),
];

/// The reason of a route whose answer no fixture records.
const NO_RECORDING: &str = "no recorded answer of this call among the fixtures";

/// The differences of `got` from the fixture `name`, under its rules.
fn differences(name: &str, recorded: &Value, got: &Value) -> Vec<String> {
    let (skip, maps) = rules(name);
    let skip = |p: &str| skip.contains(&p);
    json_shape::differences(
        recorded,
        got,
        Rules {
            skip: &skip,
            maps: &maps,
        },
    )
}

fn fixture(name: &str) -> Value {
    let text = test_support::fixture!(name);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Collects the findings of every fixture, to report them all at once.
#[derive(Default)]
struct Report {
    checked: Vec<String>,
    /// The requests (method, path) whose answers were held.
    requests: Vec<(String, String)>,
    problems: Vec<String>,
}

impl Report {
    /// Holds `answer` (a success) against the fixture `name`.
    fn hold(&mut self, name: &str, what: &str, answer: &Raw) {
        self.checked.push(name.to_owned());
        if !(200..300).contains(&answer.status) {
            self.problems.push(format!(
                "{name} ({what}): status {} {}",
                answer.status, answer.text
            ));
            return;
        }
        self.hold_value(name, what, &answer.body);
        self.hold_value_compact(&format!("{name} ({what})"), answer);
    }

    /// Holds the elements of the list `key` of a list answer against the fixture (the one
    /// closest to it), and the answer's compactness.
    fn hold_list(&mut self, name: &str, what: &str, answer: &Raw, key: &str) {
        if !(200..300).contains(&answer.status) {
            self.problems.push(format!(
                "{name} ({what}): status {} {}",
                answer.status, answer.text
            ));
        }
        self.hold_value_compact(&format!("{name} ({what})"), answer);
        let items: Vec<&Value> = answer.body[key].as_array().into_iter().flatten().collect();
        self.hold_any(name, what, &items);
    }

    /// Holds a value taken out of an answer (one element of a list) against the fixture.
    fn hold_value(&mut self, name: &str, what: &str, got: &Value) {
        let out = differences(name, &fixture(name), got);
        self.checked.push(name.to_owned());
        for o in out {
            self.problems.push(format!("{name} ({what}): {o}"));
        }
    }

    /// Holds the best of several candidates (elements of a feed) against the fixture.
    fn hold_any(&mut self, name: &str, what: &str, candidates: &[&Value]) {
        let fx = fixture(name);
        let mut best: Option<Vec<String>> = None;
        for c in candidates {
            let out = differences(name, &fx, c);
            if best.as_ref().is_none_or(|b| out.len() < b.len()) {
                best = Some(out);
            }
        }
        self.checked.push(name.to_owned());
        match best {
            None => self
                .problems
                .push(format!("{name} ({what}): no candidate in the answer")),
            Some(out) => {
                for o in out {
                    self.problems.push(format!("{name} ({what}): {o}"));
                }
            }
        }
    }
}

fn august_calls(sandbox: &Sandbox, r: &mut Report) {
    let base = sandbox.august_url();
    let token = sandbox.demo_access_token();
    let h: &[(&str, &str)] = &[
        ("x-august-api-key", AUGUST_KEY),
        ("x-august-access-token", &token),
        ("accept-version", "0.0.1"),
    ];
    let get = |path: &str| call("GET", &format!("{base}{path}"), h, Body::None);
    let front = demo::FRONT_DOOR_LOCK_ID;
    let garage = demo::GARAGE_DOOR_LOCK_ID;

    r.hold(
        "august/get_locks.json",
        "GET /users/locks/mine",
        &get("/users/locks/mine"),
    );
    let lock = get(&format!("/locks/{front}"));
    for name in [
        "august/get_lock.online.json",
        "august/get_lock.online_with_doorsense.json",
        "august/get_lock.doorsense_init.json",
    ] {
        r.hold(name, "GET /locks/{front door}", &lock);
    }
    for (name, what, path) in [
        (
            "august/get_lock.offline.json",
            "GET /locks/{garage door}",
            format!("/locks/{garage}"),
        ),
        (
            "august/get_pins.json",
            "GET /locks/{front door}/pins",
            format!("/locks/{front}/pins"),
        ),
        (
            "august/get_doorbells.json",
            "GET /users/doorbells/mine",
            "/users/doorbells/mine".to_owned(),
        ),
    ] {
        r.hold(name, what, &get(&path));
    }
    let online = get(&format!("/doorbells/{}", demo::FRONT_DOORBELL_ID));
    for name in [
        "august/get_doorbell.json",
        "august/get_doorbell.battery_full.json",
        "august/get_doorbell.battery_low.json",
        "august/get_doorbell.battery_medium.json",
    ] {
        r.hold(name, "GET /doorbells/{front doorbell}", &online);
    }
    let offline = get(&format!("/doorbells/{}", demo::BACK_DOORBELL_ID));
    for name in [
        "august/get_doorbell.offline.json",
        "august/get_doorbell_missing_image.json",
    ] {
        r.hold(name, "GET /doorbells/{back doorbell}", &offline);
    }

    let put = |path: &str| call("PUT", &format!("{base}{path}"), h, Body::None);
    let unlock = put(&format!("/remoteoperate/{front}/unlock"));
    r.hold(
        "august/unlock.json",
        "PUT /remoteoperate/{id}/unlock",
        &unlock,
    );
    r.hold(
        "august/unlock_without_doorstate.json",
        "PUT /remoteoperate/{id}/unlock",
        &unlock,
    );
    let lock_op = put(&format!("/remoteoperate/{front}/lock"));
    r.hold("august/lock.json", "PUT /remoteoperate/{id}/lock", &lock_op);
    r.hold(
        "august/lock_without_doorstate.json",
        "PUT /remoteoperate/{id}/lock",
        &lock_op,
    );
    // No unlatch is recorded; its answer is the same as an unlock's.
    r.hold(
        "august/unlock.json",
        "PUT /remoteoperate/{id}/unlatch",
        &put(&format!("/remoteoperate/{front}/unlatch")),
    );
    sandbox
        .trigger_motion(demo::FRONT_DOORBELL_ID)
        .expect("motion on the front doorbell");
    sandbox
        .set_door_state(front, august_sandbox::DoorState::Open)
        .expect("the door opens");
    sandbox
        .set_door_state(front, august_sandbox::DoorState::Closed)
        .expect("the door closes");

    // The legacy feed: each activity fixture against the feed's items of the same action.
    let feed = get(&format!("/houses/{}/activities?limit=50", demo::HOUSE_ID));
    let items: Vec<&Value> = feed
        .body
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    if items.is_empty() {
        r.problems
            .push(format!("legacy feed: not a non-empty array: {}", feed.text));
    }
    for (name, action) in [
        ("auto_relock_activity", "lock"),
        ("auto_unlock_activity", "unlock"),
        ("bluetooth_lock_activity", "lock"),
        ("keypad_lock_activity", "lock"),
        ("lock_activity", "lock"),
        ("remote_lock_activity", "lock"),
        ("unlock_activity", "unlock"),
        ("door_closed_activity", "doorclosed"),
        ("door_closed_activity_wrong_deviceid", "doorclosed"),
        ("door_closed_activity_wrong_houseid", "doorclosed"),
        ("door_open_activity", "dooropen"),
        ("doorbell_motion_activity", "doorbell_motion_detected"),
        (
            "doorbell_motion_activity_no_image",
            "doorbell_motion_detected",
        ),
        ("doorbell_motion_activity_old", "doorbell_motion_detected"),
        ("doorbell_motion_activity_wrong", "doorbell_motion_detected"),
    ] {
        let same: Vec<&Value> = items
            .iter()
            .copied()
            .filter(|v| v["action"] == action)
            .collect();
        r.hold_any(
            &format!("august/{name}.json"),
            &format!("legacy feed item `{action}`"),
            &same,
        );
    }
    r.hold_value_compact("legacy feed", &feed);
    // The recorded feed: each of its items against the sandbox's items of the same action.
    r.hold_items(
        "august/get_house_activities.json",
        fixture("august/get_house_activities.json")
            .as_array()
            .cloned()
            .unwrap_or_default(),
        &items,
    );
    let v4 = call(
        "GET",
        &format!("{base}/houses/{}/activities", demo::HOUSE_ID),
        &[
            ("x-august-api-key", AUGUST_KEY),
            ("x-august-access-token", &token),
            ("accept-version", "4.0.0"),
        ],
        Body::None,
    );
    let name = "august-live/activities_v4_events.json";
    r.hold_value_compact(name, &v4);
    let events: Vec<&Value> = v4.body["events"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    r.hold_items(
        name,
        fixture(name)["events"]
            .as_array()
            .cloned()
            .unwrap_or_default(),
        &events,
    );
    r.hold(
        "august-live/capabilities_response.json",
        "GET /devices/capabilities",
        &get("/devices/capabilities?serialNumber=L4FSW0100A&topLevelHost=true"),
    );
    let yale: &[(&str, &str)] = &[("x-august-api-key", AUGUST_KEY), ("x-access-token", &token)];
    let subscriber = call(
        "POST",
        &format!("{base}/websocket/subscribers"),
        yale,
        Body::Json(&serde_json::json!({})),
    );
    r.hold(
        "august-live/websocket_subscriber_response.json",
        "POST /websocket/subscribers",
        &subscriber,
    );
}

impl Report {
    /// Holds each recorded item of a feed against the sandbox's items of the same action.
    fn hold_items(&mut self, name: &str, recorded: Vec<Value>, items: &[&Value]) {
        self.checked.push(name.to_owned());
        if recorded.is_empty() || items.is_empty() {
            self.problems.push(format!("{name}: an empty feed"));
        }
        for (i, item) in recorded.iter().enumerate() {
            let mut best: Option<Vec<String>> = None;
            for c in items.iter().filter(|v| v["action"] == item["action"]) {
                let out = differences(name, item, c);
                if best.as_ref().is_none_or(|b| out.len() < b.len()) {
                    best = Some(out);
                }
            }
            match best {
                None => self
                    .problems
                    .push(format!("{name}: no `{}` item in the feed", item["action"])),
                Some(out) => self
                    .problems
                    .extend(out.into_iter().map(|o| format!("{name} (item {i}): {o}"))),
            }
        }
    }

    /// Holds that `answer` is `204 No Content` with an empty body, as Twilio answers a
    /// `DELETE` (and counts its request as held).
    fn hold_no_body(&mut self, what: &str, answer: &Raw) {
        self.requests
            .push((answer.method.clone(), answer.path.clone()));
        if answer.status != 204 || !answer.text.is_empty() {
            self.problems.push(format!(
                "{what}: status {} with {} bytes, not 204 without a body",
                answer.status,
                answer.text.len()
            ));
        }
    }

    /// Holds that `answer` is compact JSON as the services send it (and counts its request as
    /// held).
    fn hold_value_compact(&mut self, what: &str, answer: &Raw) {
        self.requests
            .push((answer.method.clone(), answer.path.clone()));
        let compact = serde_json::to_string(&answer.body).unwrap();
        if answer.text.contains('\n') || answer.text.len() != compact.len() {
            self.problems
                .push(format!("{what}: the body is not compact JSON"));
        }
    }
}

fn pubnub_calls(sandbox: &Sandbox, r: &mut Report) {
    let origin = sandbox.pubnub_origin();
    let base = sandbox.august_url();
    let token = sandbox.demo_access_token();
    let h: &[(&str, &str)] = &[
        ("x-august-api-key", AUGUST_KEY),
        ("x-august-access-token", &token),
    ];
    let lock_channel = format!("{}-pubsub", demo::FRONT_DOOR_LOCK_ID.to_ascii_lowercase());
    let bell_channel = format!("{}-pubsub", demo::FRONT_DOORBELL_ID.to_ascii_lowercase());
    let garage_channel = format!("{}-pubsub", demo::GARAGE_DOOR_LOCK_ID.to_ascii_lowercase());
    let subscribe = |channel: &str, tt: &str| {
        call(
            "GET",
            &format!(
                "{origin}/v2/subscribe/{PUBNUB_SUBSCRIBE_KEY}/{channel}/0?tt={tt}&uuid=pn-fidelity"
            ),
            &[],
            Body::None,
        )
    };
    let handshake = subscribe(&lock_channel, "0");
    r.hold(
        "august-live/pubnub_subscribe_handshake.json",
        "PubNub handshake",
        &handshake,
    );
    // The timetoken an answer ends at, to subscribe from.
    let timetoken = |answer: &Raw| answer.body["t"]["t"].as_str().unwrap_or("0").to_owned();
    let bell_tt = timetoken(&subscribe(&bell_channel, "0"));
    let garage_tt = timetoken(&subscribe(&garage_channel, "0"));
    let remote = |lock: &str, operation: &str| {
        call(
            "PUT",
            &format!("{base}/remoteoperate/{lock}/{operation}"),
            h,
            Body::None,
        );
    };

    // On the front door's channel, one message after another.
    let front = demo::FRONT_DOOR_LOCK_ID;
    let mut tt = timetoken(&handshake);
    let unlock = || remote(front, "unlock");
    let status = || remote(front, "status?type=async");
    let open = || {
        sandbox
            .set_door_state(front, august_sandbox::DoorState::Open)
            .unwrap();
    };
    let steps: [(&str, &str, &dyn Fn()); 3] = [
        (
            "august-live/pubnub_subscribe_lock_message.json",
            "PubNub message after a remote unlock",
            &unlock,
        ),
        (
            "august-live/pubnub_subscribe_status_only_ignored.json",
            "PubNub message after a remote status",
            &status,
        ),
        (
            "august-live/pubnub_subscribe_door_message.json",
            "PubNub message after the door opens",
            &open,
        ),
    ];
    for (name, what, step) in steps {
        step();
        let answer = subscribe(&lock_channel, &tt);
        r.hold(name, what, &answer);
        tt = timetoken(&answer);
    }
    sandbox.trigger_motion(demo::FRONT_DOORBELL_ID).unwrap();
    r.hold(
        "august-live/pubnub_subscribe_doorbell_motion.json",
        "PubNub message after doorbell motion",
        &subscribe(&bell_channel, &bell_tt),
    );
    remote(demo::GARAGE_DOOR_LOCK_ID, "status?type=async");
    r.hold(
        "august-live/pubnub_subscribe_bridge_offline.json",
        "PubNub message after a status request to a lock whose bridge is offline",
        &subscribe(&garage_channel, &garage_tt),
    );
}

fn oauth_calls(sandbox: &Sandbox, r: &mut Report) {
    let (authorize, token_url) = sandbox.oauth_endpoints("yale_global");
    let redirect = "http://127.0.0.1:9/callback";
    let url = format!(
        "{authorize}?response_type=code&client_id={}&redirect_uri={}&state=s1",
        demo::OAUTH_CLIENT_ID,
        "http%3A%2F%2F127.0.0.1%3A9%2Fcallback"
    );
    let back = sandbox.approve_oauth(&url).expect("approved");
    let code = back
        .split_once("code=")
        .and_then(|(_, rest)| rest.split('&').next())
        .expect("a code")
        .to_owned();
    let answer = call(
        "POST",
        &token_url,
        &[],
        Body::Form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", redirect),
            ("client_id", demo::OAUTH_CLIENT_ID),
            ("client_secret", demo::OAUTH_CLIENT_SECRET),
        ]),
    );
    r.hold(
        "august-live/oauth_token_response.json",
        "POST token endpoint",
        &answer,
    );
}

fn authy_calls(sandbox: &Sandbox, r: &mut Report) {
    let base = sandbox.authy_url();
    let key = sandbox.authy_api_key();
    let h: &[(&str, &str)] = &[("X-Authy-API-Key", &key)];
    let get = |path: &str| call("GET", &format!("{base}{path}"), h, Body::None);
    let post =
        |path: &str, body: Value| call("POST", &format!("{base}{path}"), h, Body::Json(&body));
    let sms_user = demo::AUTHY_SMS_USER_ID;
    let app_user = demo::AUTHY_APP_USER_ID;

    let created = post(
        "/protected/json/users/new",
        serde_json::json!({"user": {"email": "new@example.com", "cellphone": "555-555-0177", "country_code": "1"}}),
    );
    r.hold("authy/users_create_ok.json", "POST users/new", &created);
    let status = get(&format!("/protected/json/users/{app_user}/status"));
    r.hold(
        "authy/users_status_ok.json",
        "GET users/{app user}/status",
        &status,
    );
    r.hold(
        "authy/users_status_ok_devices.json",
        "GET users/{app user}/status",
        &status,
    );
    // A token by SMS or call: sent to the SMS user, ignored for the app user.
    for via in ["sms", "call"] {
        for (user, outcome, who) in [
            (sms_user, "ok", "sms user"),
            (app_user, "ignored", "app user"),
        ] {
            r.hold(
                &format!("authy/users_request_{via}_{outcome}.json"),
                &format!("GET {via}/{{{who}}}"),
                &get(&format!("/protected/json/{via}/{user}")),
            );
        }
    }
    let token = sandbox.authy_token(sms_user).expect("a token was sent");
    let verified = get(&format!("/protected/json/verify/{token}/{sms_user}"));
    r.hold(
        "authy/tokens_verify_ok.json",
        "GET verify/{token}/{id}",
        &verified,
    );
    r.hold(
        "authy/tokens_verify_ok_minimal.json",
        "GET verify/{token}/{id}",
        &verified,
    );
    r.hold(
        "authy/users_generate_qr_ok.json",
        "POST users/{id}/secret",
        &post(
            &format!("/protected/json/users/{sms_user}/secret"),
            serde_json::json!({"label": "Demo", "qr_size": 300}),
        ),
    );
    r.hold(
        "authy/users_register_activity_ok.json",
        "POST users/{id}/register_activity",
        &post(
            &format!("/protected/json/users/{sms_user}/register_activity"),
            serde_json::json!({"type": "password_reset", "data": {"reset_by": "admin"}}),
        ),
    );
    r.hold(
        "authy/app_details_ok.json",
        "GET app/details",
        &get("/protected/json/app/details"),
    );
    r.hold(
        "authy/app_stats_ok.json",
        "GET app/stats",
        &get("/protected/json/app/stats"),
    );
    let started = post(
        "/protected/json/phones/verification/start",
        serde_json::json!({"via": "sms", "phone_number": "555-555-0123", "country_code": "1"}),
    );
    r.hold(
        "authy/phones_verification_start_ok.json",
        "POST phones/verification/start",
        &started,
    );
    r.hold(
        "authy/phones_verification_start_ok_no_uuid.json",
        "POST phones/verification/start",
        &started,
    );
    let code = sandbox
        .authy_phone_verification_code("1", "555-555-0123")
        .expect("a pending verification");
    r.hold(
        "authy/phones_verification_check_ok.json",
        "GET phones/verification/check",
        &get(&format!(
            "/protected/json/phones/verification/check?phone_number=555-555-0123&country_code=1&verification_code={code}"
        )),
    );
    r.hold(
        "authy/phones_info_ok.json",
        "GET phones/info",
        &get("/protected/json/phones/info?phone_number=555-555-0123&country_code=1"),
    );
    let onetouch = post(
        &format!("/onetouch/json/users/{app_user}/approval_requests"),
        serde_json::json!({"message": "Sign in to Demo", "details": {"Email": "app-user@example.com"}}),
    );
    r.hold(
        "authy/onetouch_create_ok.json",
        "POST onetouch/json/users/{id}/approval_requests",
        &onetouch,
    );
    let uuid = onetouch.body["approval_request"]["uuid"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    let pending = get(&format!("/onetouch/json/approval_requests/{uuid}"));
    r.hold(
        "authy/onetouch_status_pending_minimal.json",
        "GET onetouch/json/approval_requests/{uuid} (pending)",
        &pending,
    );
    sandbox.approve_onetouch(&uuid).expect("approved");
    r.hold(
        "authy/onetouch_status_ok.json",
        "GET onetouch/json/approval_requests/{uuid} (answered)",
        &get(&format!("/onetouch/json/approval_requests/{uuid}")),
    );
    let new_id = created.body["user"]["id"].as_u64().unwrap_or(0);
    r.hold(
        "authy/users_delete_ok.json",
        "POST users/{id}/delete",
        &post(
            &format!("/protected/json/users/{new_id}/delete"),
            serde_json::json!({}),
        ),
    );
    // The other spellings of the deletion answer as the first.
    for (i, alias) in [
        "/protected/json/users/delete/{}",
        "/protected/json/users/{}/remove",
    ]
    .into_iter()
    .enumerate()
    {
        let user = post(
            "/protected/json/users/new",
            serde_json::json!({"user": {"email": format!("alias{i}@example.com"), "cellphone": format!("555-555-018{i}"), "country_code": "1"}}),
        );
        let id = user.body["user"]["id"].as_u64().unwrap_or(0).to_string();
        r.hold(
            "authy/users_delete_ok.json",
            alias,
            &post(&alias.replace("{}", &id), serde_json::json!({})),
        );
    }
}

fn verify_calls(sandbox: &Sandbox, r: &mut Report) {
    let base = sandbox.verify_url();
    let basic = basic_auth(sb::API_KEY_SID, sb::API_KEY_SECRET);
    let h: &[(&str, &str)] = &[("Authorization", &basic)];
    let post = |path: &str, form: &[(&str, &str)]| {
        call("POST", &format!("{base}{path}"), h, Body::Form(form))
    };
    let get = |url: &str| call("GET", url, h, Body::None);
    let va = sb::SERVICE_SID;
    let to = "+15555550100";

    r.hold(
        "verify/service_create.json",
        "POST /v2/Services",
        &post("/v2/Services", &[("FriendlyName", "Example App")]),
    );
    r.hold(
        "verify/service_create.json",
        "GET /v2/Services/{VA}",
        &get(&format!("{base}/v2/Services/{va}")),
    );
    r.hold(
        "verify/service_create.json",
        "POST /v2/Services/{VA}",
        &post(&format!("/v2/Services/{va}"), &[("CodeLength", "6")]),
    );
    r.hold_list(
        "verify/service_create.json",
        "GET /v2/Services",
        &get(&format!("{base}/v2/Services")),
        "services",
    );
    let created = post(
        &format!("/v2/Services/{va}/Verifications"),
        &[("To", to), ("Channel", "sms")],
    );
    r.hold(
        "verify/verification_create_pending.json",
        "POST Verifications",
        &created,
    );
    r.hold(
        "verify/verification_create_pending.json",
        "GET Verifications/{VE}",
        &get(&format!(
            "{base}/v2/Services/{va}/Verifications/{}",
            created.body["sid"].as_str().unwrap_or("")
        )),
    );
    r.hold(
        "verify/verification_check_pending.json",
        "POST VerificationCheck (wrong code)",
        &post(
            &format!("/v2/Services/{va}/VerificationCheck"),
            &[("To", to), ("Code", "000000")],
        ),
    );
    let code = sandbox.verify_code(to).expect("a code was sent");
    r.hold(
        "verify/verification_check_approved.json",
        "POST VerificationCheck",
        &post(
            &format!("/v2/Services/{va}/VerificationCheck"),
            &[("To", to), ("Code", &code)],
        ),
    );
    // A verification of its own for each update.
    for (to, status) in [("+15555550111", "approved"), ("+15555550112", "canceled")] {
        let started = post(
            &format!("/v2/Services/{va}/Verifications"),
            &[("To", to), ("Channel", "sms")],
        );
        let ve = started.body["sid"].as_str().unwrap_or("");
        r.hold(
            &format!("verify/verification_update_{status}.json"),
            &format!("POST Verifications/{{VE}} Status={status}"),
            &post(
                &format!("/v2/Services/{va}/Verifications/{ve}"),
                &[("Status", status)],
            ),
        );
    }

    let empty_service = post("/v2/Services", &[("FriendlyName", "Empty")]);
    let empty_va = empty_service.body["sid"].as_str().unwrap_or("").to_owned();
    r.hold(
        "verify/entities_list_empty.json",
        "GET Entities (none)",
        &get(&format!("{base}/v2/Services/{empty_va}/Entities")),
    );
    let identity = "ff483d1ff591898a9942916050d2ca3f";
    r.hold(
        "verify/entity_create.json",
        "POST Entities",
        &post(
            &format!("/v2/Services/{va}/Entities"),
            &[("Identity", identity)],
        ),
    );
    post(
        &format!("/v2/Services/{va}/Entities"),
        &[("Identity", "0000000000000000000000000000beef")],
    );
    r.hold(
        "verify/entities_list_page_with_next.json",
        "GET Entities?PageSize=1",
        &get(&format!("{base}/v2/Services/{va}/Entities?PageSize=1")),
    );
    r.hold(
        "verify/entity_create.json",
        "GET Entities/{identity}",
        &get(&format!("{base}/v2/Services/{va}/Entities/{identity}")),
    );
    let factors = format!("/v2/Services/{va}/Entities/{identity}/Factors");
    let totp = post(
        &factors,
        &[("FactorType", "totp"), ("FriendlyName", "alice-phone")],
    );
    r.hold(
        "verify/factor_totp_create_unverified.json",
        "POST Factors FactorType=totp",
        &totp,
    );
    let yf = totp.body["sid"].as_str().unwrap_or("").to_owned();
    let secret = totp.body["binding"]["secret"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    let digits = u8::try_from(totp.body["config"]["code_length"].as_u64().unwrap_or(6))
        .expect("a few digits");
    r.hold(
        "verify/factor_totp_verified.json",
        "POST Factors/{YF} AuthPayload",
        &post(
            &format!("{factors}/{yf}"),
            &[("AuthPayload", &totp_code(&secret, digits))],
        ),
    );
    r.hold(
        "verify/factor_totp_verified.json",
        "GET Factors/{YF}",
        &get(&format!("{base}{factors}/{yf}")),
    );
    r.hold_list(
        "verify/factor_totp_verified.json",
        "GET Factors",
        &get(&format!("{base}{factors}")),
        "factors",
    );
    let challenges = format!("/v2/Services/{va}/Entities/{identity}/Challenges");
    std::thread::sleep(Duration::from_millis(10));
    let totp_challenge = post(
        &challenges,
        &[
            ("FactorSid", &yf),
            ("AuthPayload", &totp_code(&secret, digits)),
        ],
    );
    r.hold(
        "verify/challenge_totp_approved.json",
        "POST Challenges AuthPayload",
        &totp_challenge,
    );
    let push = post(
        &factors,
        &[
            ("FactorType", "push"),
            ("FriendlyName", "alice-push"),
            ("Binding.Alg", "ES256"),
            (
                "Binding.PublicKey",
                "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE8GdwtibWe0kpgsFl6xPQBwhtwUEyeJkeozFmi2jiJDzxFSMwVy3kVR1h/dPVYOfgkC0EkfBRJ0J/6xW47FD5vA==",
            ),
            ("Config.SdkVersion", "1.0.0"),
            ("Config.AppId", "com.example.myapp"),
            ("Config.NotificationPlatform", "fcm"),
            // The recorded example's `test_token` is shorter than the 32 characters Twilio
            // documents.
            (
                "Config.NotificationToken",
                "test_token_0123456789abcdef0123456789",
            ),
        ],
    );
    r.hold(
        "verify/factor_push_create_unverified.json",
        "POST Factors FactorType=push",
        &push,
    );
    let push_sid = push.body["sid"].as_str().unwrap_or("").to_owned();
    // Its device verifies a new push factor (the Verify Push SDK's signature) before any
    // challenge can be made on it.
    let verified = post(
        &format!("{factors}/{push_sid}"),
        &[("AuthPayload", "a-device-signature")],
    );
    assert_eq!(verified.body["status"], "verified", "{}", verified.body);
    let challenge = post(
        &challenges,
        &[("FactorSid", &push_sid), ("Details.Message", "Sign in")],
    );
    r.hold(
        "verify/challenge_push_pending.json",
        "POST Challenges (push)",
        &challenge,
    );
    let yc = challenge.body["sid"].as_str().unwrap_or("").to_owned();
    sandbox.approve_verify_challenge(&yc).expect("approved");
    r.hold(
        "verify/challenge_push_approved.json",
        "GET Challenges/{YC} (approved)",
        &get(&format!("{base}{challenges}/{yc}")),
    );
    let answered = post(
        &challenges,
        &[("FactorSid", &push_sid), ("Details.Message", "Sign in")],
    );
    let yc = answered.body["sid"].as_str().unwrap_or("").to_owned();
    r.hold(
        "verify/challenge_push_approved.json",
        "POST Challenges/{YC} AuthPayload",
        &post(
            &format!("{challenges}/{yc}"),
            &[("AuthPayload", "a-device-signature")],
        ),
    );
    r.hold_list(
        "verify/challenge_totp_approved.json",
        "GET Challenges",
        &get(&format!("{base}{challenges}")),
        "challenges",
    );
    r.hold(
        "verify/attempts_summary.json",
        "GET /v2/Attempts/Summary",
        &get(&format!("{base}/v2/Attempts/Summary")),
    );
    r.hold(
        "verify/lookup_v2_line_type_intelligence.json",
        "GET /v2/PhoneNumbers/{n}?Fields=line_type_intelligence",
        &get(&format!(
            "{}/v2/PhoneNumbers/%2B15555550100?Fields=line_type_intelligence",
            sandbox.lookup_url()
        )),
    );
    verify_spec_calls(sandbox, r);
    // Deletions answer 204 without a body; last, as they remove what the holds above read.
    let delete = |path: &str| call("DELETE", &format!("{base}{path}"), h, Body::None);
    r.hold_no_body("DELETE Factors/{YF}", &delete(&format!("{factors}/{yf}")));
    r.hold_no_body(
        "DELETE Entities/{identity}",
        &delete(&format!("/v2/Services/{va}/Entities/{identity}")),
    );
    r.hold_no_body(
        "DELETE /v2/Services/{VA}",
        &delete(&format!("/v2/Services/{empty_va}")),
    );
}

/// The resources no recording shows (access tokens, rate limits, buckets, webhooks,
/// attempts), held against the fields and JSON types of the spec's lists (`verify-api.md`
/// §5.7 to §5.10) and the client's models: a shape per resource, as a fixture would be.
fn spec_shape(resource: &str) -> Value {
    let date = "2026-01-01T00:00:00Z";
    match resource {
        "access token" => serde_json::json!({
            "sid": "YK", "account_sid": "AC", "service_sid": "VA", "entity_identity": "id",
            "factor_type": "push", "factor_friendly_name": "name", "token": "jwt", "ttl": 60,
            "date_created": date, "url": "u",
        }),
        "rate limit" => serde_json::json!({
            "sid": "RK", "service_sid": "VA", "account_sid": "AC", "unique_name": "n",
            "description": "d", "date_created": date, "date_updated": date, "url": "u",
            "links": {"buckets": "u"},
        }),
        "bucket" => serde_json::json!({
            "sid": "BL", "rate_limit_sid": "RK", "service_sid": "VA", "account_sid": "AC",
            "max": 10, "interval": 60, "date_created": date, "date_updated": date, "url": "u",
        }),
        "webhook" => serde_json::json!({
            "sid": "YW", "service_sid": "VA", "account_sid": "AC", "friendly_name": "n",
            "event_types": ["*"], "status": "enabled", "version": "v2", "webhook_url": "u",
            "webhook_method": "POST", "date_created": date, "date_updated": date, "url": "u",
        }),
        "attempt" => serde_json::json!({
            "sid": "VL", "account_sid": "AC", "service_sid": "VA", "verification_sid": "VE",
            "date_created": date, "date_updated": date, "conversion_status": "converted",
            "channel": "sms", "price": {"value": "0", "currency": "USD"},
            "channel_data": {"to": "+1", "status": "delivered", "country": "US",
                             "code_length": 6},
            "url": "u",
        }),
        other => panic!("no spec shape for {other}"),
    }
}

/// The `meta` of a list answer (spec §2.6).
fn meta_shape() -> Value {
    serde_json::json!({"meta": {
        "page": 0, "page_size": 50, "first_page_url": "u", "url": "u", "key": "k",
    }})
}

impl Report {
    /// Holds a success answer against the spec's shape of `resource`, and its compactness.
    fn hold_spec(&mut self, resource: &str, what: &str, answer: &Raw) {
        if !(200..300).contains(&answer.status) {
            self.problems
                .push(format!("{what}: status {} {}", answer.status, answer.text));
        }
        self.hold_value_compact(what, answer);
        for o in json_shape::differences(&spec_shape(resource), &answer.body, Rules::ALL) {
            self.problems.push(format!("{what} (spec {resource}): {o}"));
        }
    }

    /// Holds a list answer: its `meta`, and each of its items `key` against the spec's shape
    /// of `resource` (at least one).
    fn hold_spec_list(&mut self, resource: &str, what: &str, answer: &Raw, key: &str) {
        self.hold_spec_items(resource, what, answer, key);
        for o in json_shape::differences(&meta_shape(), &answer.body, Rules::ALL) {
            self.problems.push(format!("{what} (meta): {o}"));
        }
        if answer.body["meta"]["key"] != key {
            self.problems.push(format!(
                "{what}: meta.key is {}",
                answer.body["meta"]["key"]
            ));
        }
    }

    fn hold_spec_items(&mut self, resource: &str, what: &str, answer: &Raw, key: &str) {
        self.hold_value_compact(what, answer);
        let items = answer.body[key].as_array().cloned().unwrap_or_default();
        if answer.status != 200 || items.is_empty() {
            self.problems
                .push(format!("{what}: status {}, no `{key}`", answer.status));
        }
        for item in &items {
            for o in json_shape::differences(&spec_shape(resource), item, Rules::ALL) {
                self.problems.push(format!("{what} (spec {resource}): {o}"));
            }
        }
    }
}

fn verify_spec_calls(sandbox: &Sandbox, r: &mut Report) {
    let base = sandbox.verify_url();
    let basic = basic_auth(sb::API_KEY_SID, sb::API_KEY_SECRET);
    let h: &[(&str, &str)] = &[("Authorization", &basic)];
    let post = |path: &str, form: &[(&str, &str)]| {
        call("POST", &format!("{base}{path}"), h, Body::Form(form))
    };
    let get = |path: &str| call("GET", &format!("{base}{path}"), h, Body::None);
    let delete = |path: &str| call("DELETE", &format!("{base}{path}"), h, Body::None);
    let service = format!("/v2/Services/{}", sb::SERVICE_SID);
    let sid = |answer: &Raw| answer.body["sid"].as_str().unwrap_or("").to_owned();

    let tokens = format!("{service}/AccessTokens");
    let token = post(
        &tokens,
        &[
            ("Identity", "user-0042-0001"),
            ("FactorType", "push"),
            ("FactorFriendlyName", "pixel"),
        ],
    );
    r.hold_spec("access token", "POST AccessTokens", &token);
    let yk = sid(&token);
    r.hold_spec(
        "access token",
        "GET AccessTokens/{YK}",
        &get(&format!("{tokens}/{yk}")),
    );

    let limits = format!("{service}/RateLimits");
    let limit = post(
        &limits,
        &[("UniqueName", "end_user_ip_address"), ("Description", "IP")],
    );
    r.hold_spec("rate limit", "POST RateLimits", &limit);
    let rk = format!("{limits}/{}", sid(&limit));
    r.hold_spec("rate limit", "GET RateLimits/{RK}", &get(&rk));
    r.hold_spec(
        "rate limit",
        "POST RateLimits/{RK}",
        &post(&rk, &[("Description", "per IP")]),
    );
    r.hold_spec_list("rate limit", "GET RateLimits", &get(&limits), "rate_limits");
    let buckets = format!("{rk}/Buckets");
    let bucket = post(&buckets, &[("Max", "10"), ("Interval", "60")]);
    r.hold_spec("bucket", "POST Buckets", &bucket);
    let bl = format!("{buckets}/{}", sid(&bucket));
    r.hold_spec("bucket", "GET Buckets/{BL}", &get(&bl));
    r.hold_spec("bucket", "POST Buckets/{BL}", &post(&bl, &[("Max", "20")]));
    r.hold_spec_list("bucket", "GET Buckets", &get(&buckets), "buckets");

    let webhooks = format!("{service}/Webhooks");
    let webhook = post(
        &webhooks,
        &[
            ("FriendlyName", "push events"),
            ("EventTypes", "challenge.approved"),
            ("EventTypes", "challenge.denied"),
            ("WebhookUrl", "https://example.com/hook"),
        ],
    );
    r.hold_spec("webhook", "POST Webhooks", &webhook);
    let yw = format!("{webhooks}/{}", sid(&webhook));
    r.hold_spec("webhook", "GET Webhooks/{YW}", &get(&yw));
    r.hold_spec(
        "webhook",
        "POST Webhooks/{YW}",
        &post(&yw, &[("Status", "disabled")]),
    );
    r.hold_spec_list("webhook", "GET Webhooks", &get(&webhooks), "webhooks");

    // The verifications started above made attempts.
    let attempts = get("/v2/Attempts");
    r.hold_spec_list("attempt", "GET /v2/Attempts", &attempts, "attempts");
    let vl = attempts.body["attempts"][0]["sid"].as_str().unwrap_or("");
    r.hold_spec(
        "attempt",
        "GET /v2/Attempts/{VL}",
        &get(&format!("/v2/Attempts/{vl}")),
    );

    r.hold_no_body("DELETE Buckets/{BL}", &delete(&bl));
    r.hold_no_body("DELETE RateLimits/{RK}", &delete(&rk));
    r.hold_no_body("DELETE Webhooks/{YW}", &delete(&yw));
}

/// Every fixture of a success answer in `tests/fixtures`, by the file name's pattern: the error
/// answers (and the signature vectors, which are not answers) are out of this test's scope.
fn success_fixtures() -> Vec<String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut all = Vec::new();
    for dir in ["august", "authy", "verify", "august-live"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            let error = name.contains("error")
                || [
                    "not_found",
                    "invalid",
                    "incorrect",
                    "no_pending",
                    "missing_country",
                ]
                .iter()
                .any(|w| name.contains(w));
            if name.ends_with(".json") && !error {
                all.push(format!("{dir}/{name}"));
            }
        }
    }
    all.sort();
    all
}

#[test]
fn every_answer_has_the_recorded_shape_and_is_compact() {
    let sandbox = Sandbox::start().unwrap();
    let mut r = Report::default();
    august_calls(&sandbox, &mut r);
    pubnub_calls(&sandbox, &mut r);
    oauth_calls(&sandbox, &mut r);
    authy_calls(&sandbox, &mut r);
    verify_calls(&sandbox, &mut r);

    assert!(
        r.problems.is_empty(),
        "{} differences:\n{}",
        r.problems.len(),
        r.problems.join("\n")
    );
    // Every success fixture is either held or listed with its reason.
    for name in success_fixtures() {
        let listed = NOT_COVERED.iter().any(|(f, _)| *f == name);
        let held = r.checked.contains(&name);
        assert!(
            held != listed,
            "{name}: {}",
            if held {
                "held, yet listed as not covered"
            } else {
                "neither held nor listed as not covered"
            }
        );
    }
    // Every route of every emulated API is held or listed with its reason.
    let mut routes = Vec::new();
    for route in august_sandbox::routes() {
        let template = route.to_string();
        let listed = NOT_COVERED_ROUTES.iter().any(|(t, _)| *t == template);
        let held = r.requests.iter().any(|(m, p)| route.matches(m, p));
        if held == listed {
            routes.push(format!(
                "{template}: {}",
                if held {
                    "held, yet listed as not covered"
                } else {
                    "neither held nor listed as not covered"
                }
            ));
        }
    }
    assert!(routes.is_empty(), "{}", routes.join("\n"));
    for (template, _) in NOT_COVERED_ROUTES {
        assert!(
            august_sandbox::routes()
                .iter()
                .any(|r| r.to_string() == *template),
            "{template} is no route of the sandbox"
        );
    }
    // Every omission names a fixture that is held.
    for (name, path, _) in OMITTED {
        assert!(
            r.checked.iter().any(|c| c == name),
            "{name} ({path}) is not held"
        );
    }
}
