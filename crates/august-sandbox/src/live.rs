//! August-API routes of the live features: device capabilities and websocket subscribers.

use serde_json::json;

use crate::august::{AugustState, error, random_hex};
use crate::http::{Params, Req, Resp, Routes};

/// Websocket subscribers kept at most: each `POST /websocket/subscribers` creates one and a
/// client may never delete it, so past this many the oldest is forgotten (its next handshake
/// is refused as an unknown subscriber).
pub(crate) const MAX_SUBSCRIBERS: usize = 1_000;

/// A handler of a live route; runs with the state locked, once [`run`] checked the caller.
pub(crate) type Handler = fn(&mut AugustState, &Req, &Params) -> Resp;

/// The live side's routes on the August API.
pub(crate) const ROUTES: &Routes<Handler> = &[
    ("GET", "/devices/capabilities", capabilities),
    ("POST", "/websocket/subscribers", create_subscriber),
    (
        "GET",
        "/websocket/subscribers/{subscriber_id}",
        get_subscriber,
    ),
    (
        "DELETE",
        "/websocket/subscribers/{subscriber_id}",
        delete_subscriber,
    ),
];

/// Runs a live handler once the API key and a validated access token are checked.
pub(crate) fn run(st: &mut AugustState, req: &Req, params: &Params, handler: Handler) -> Resp {
    match st.check_token(req) {
        Ok(()) => handler(st, req, params),
        Err(r) => r,
    }
}

/// `GET /devices/capabilities?serialNumber=..&topLevelHost=true`: the lock id or the serial
/// number is accepted. The front door (`Type` 17) can unlatch; other locks cannot; an unknown
/// value is 404 ("device info not found").
fn capabilities(st: &mut AugustState, req: &Req, _: &Params) -> Resp {
    let Some(serial) = req.query("serialNumber") else {
        return error(400, "serialNumber is required");
    };
    match st.lock_type(serial) {
        None => error(404, "device info not found"),
        Some(kind) => Resp::json(
            200,
            &json!({"lock": {
                "unlatch": kind == 17,
                "doorSense": true,
                "batteryType": "AA",
                "bluetooth": true,
                "integratedKeypad": false,
                "hasIntegratedWiFi": false,
                "standalone": false,
                "concurrentBLE": 1,
                "entryCodeSlots": true,
                "pinSlotMin": 1,
                "pinSlotMax": 250,
                "slotRange": null,
                "supportsRFID": false,
                "supportsRFIDLegacy": false,
                "supportsRFIDCredential": false,
                "supportsRFIDOnlyAccess": false,
                "supportsRFIDWithCode": false,
                "supportsSecureMode": false,
                "supportsSecureModeCodeDisable": false,
                "supportsSecureModeMobileControl": false,
                "supportsFingerprintCredential": false,
                "supportsFingerprintOnlyAccess": false,
                "supportsDeliveryMode": false,
                "supportsSchedulePerUser": true,
                "scheduledSmartAlerts": false,
                "hasMagnetometer": true,
                "batteryLifeMS": 15_552_000_000_u64,
                "supportedPartners": ["alexa"],
            }}),
        ),
    }
}

/// `POST /websocket/subscribers`.
fn create_subscriber(st: &mut AugustState, _: &Req, _: &Params) -> Resp {
    let id = random_hex(24);
    st.subscribers.insert(id.clone(), ());
    Resp::json(200, &json!({ "subscriberID": id }))
}

/// `GET /websocket/subscribers/{id}`.
fn get_subscriber(st: &mut AugustState, _: &Req, params: &Params) -> Resp {
    let id = params.get("subscriber_id");
    if st.subscribers.contains_key(id) {
        Resp::json(200, &json!({ "subscriberID": id, "scopes": ["lock"] }))
    } else {
        error(404, "subscriber not found")
    }
}

/// `DELETE /websocket/subscribers/{id}`.
fn delete_subscriber(st: &mut AugustState, _: &Req, params: &Params) -> Resp {
    if st.subscribers.remove(params.get("subscriber_id")).is_some() {
        Resp::json(200, &json!({}))
    } else {
        error(404, "subscriber not found")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::august::DEFAULT_TOKEN_LIFETIME;
    use crate::http::find_route;
    use serde_json::Value;

    /// `method path` with the demo account through the live routes: status and body.
    fn call(st: &mut AugustState, method: &str, path: &str) -> (u16, Value) {
        let token = st.demo_token();
        let req = Req::fake(
            method,
            path,
            &[
                ("x-august-api-key", "d9984f29-07a6-816e-e1c9-44ec9d1be431"),
                ("x-august-access-token", &token),
            ],
            "",
        );
        let (_, handler, params) = find_route(ROUTES, &req).unwrap();
        let resp = run(st, &req, &params, handler);
        (resp.status, serde_json::from_slice(&resp.body).unwrap())
    }

    #[test]
    fn at_most_max_subscribers_are_kept_the_oldest_dropped_first() {
        let mut st = AugustState::new("http://127.0.0.1:1", DEFAULT_TOKEN_LIFETIME);
        let create = |st: &mut AugustState| {
            let (status, body) = call(st, "POST", "/websocket/subscribers");
            assert_eq!(status, 200);
            body["subscriberID"].as_str().unwrap().to_owned()
        };
        let first = create(&mut st);
        let second = create(&mut st);
        for _ in 2..MAX_SUBSCRIBERS {
            create(&mut st);
        }
        let path = |id: &str| format!("/websocket/subscribers/{id}");
        assert_eq!(
            call(&mut st, "GET", &path(&first)),
            (200, json!({"subscriberID": first, "scopes": ["lock"]}))
        );
        let newest = create(&mut st);
        assert_eq!(
            call(&mut st, "GET", &path(&first)),
            (404, json!({"message": "subscriber not found"}))
        );
        assert_eq!(call(&mut st, "GET", &path(&second)).0, 200);
        assert_eq!(call(&mut st, "DELETE", &path(&newest)), (200, json!({})));
        assert_eq!(call(&mut st, "GET", &path(&newest)).0, 404);
    }
}
