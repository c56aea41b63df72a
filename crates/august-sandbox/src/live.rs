//! August-API routes of the live features: device capabilities and websocket subscribers.

use serde_json::json;

use crate::august::{AugustState, error, random_hex};
use crate::http::{Params, Req, Resp, Routes};

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
    st.subscribers.insert(id.clone());
    Resp::json(200, &json!({ "subscriberID": id }))
}

/// `GET /websocket/subscribers/{id}`.
fn get_subscriber(st: &mut AugustState, _: &Req, params: &Params) -> Resp {
    let id = params.get("subscriber_id");
    if st.subscribers.contains(id) {
        Resp::json(200, &json!({ "subscriberID": id, "scopes": ["lock"] }))
    } else {
        error(404, "subscriber not found")
    }
}

/// `DELETE /websocket/subscribers/{id}`.
fn delete_subscriber(st: &mut AugustState, _: &Req, params: &Params) -> Resp {
    if st.subscribers.remove(params.get("subscriber_id")) {
        Resp::json(200, &json!({}))
    } else {
        error(404, "subscriber not found")
    }
}
