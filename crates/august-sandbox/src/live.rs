//! August-API routes of the live features: device capabilities and websocket subscribers.

use serde_json::json;

use crate::august::{AugustState, error, random_hex};
use crate::event::Event;
use crate::http::{Params, Req, Resp};

/// `GET /devices/capabilities?serialNumber=..&topLevelHost=true`: the lock id or the serial
/// number is accepted. The front door (`Type` 17) can unlatch; other locks cannot; an unknown
/// value is 404 ("device info not found").
pub(crate) fn capabilities(
    st: &mut AugustState,
    req: &Req,
    _: &Params,
    _: &mut Vec<Event>,
) -> Resp {
    if let Err(r) = st.check_token(req) {
        return r;
    }
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
pub(crate) fn create_subscriber(
    st: &mut AugustState,
    req: &Req,
    _: &Params,
    _: &mut Vec<Event>,
) -> Resp {
    if let Err(r) = st.check_token(req) {
        return r;
    }
    let id = random_hex(24);
    st.subscribers.insert(id.clone());
    Resp::json(200, &json!({ "subscriberID": id }))
}

/// `GET /websocket/subscribers/{id}`.
pub(crate) fn get_subscriber(
    st: &mut AugustState,
    req: &Req,
    params: &Params,
    _: &mut Vec<Event>,
) -> Resp {
    if let Err(r) = st.check_token(req) {
        return r;
    }
    let id = params.get("subscriber_id");
    if st.subscribers.contains(id) {
        Resp::json(200, &json!({ "subscriberID": id, "scopes": ["lock"] }))
    } else {
        error(404, "subscriber not found")
    }
}

/// `DELETE /websocket/subscribers/{id}`.
pub(crate) fn delete_subscriber(
    st: &mut AugustState,
    req: &Req,
    params: &Params,
    _: &mut Vec<Event>,
) -> Resp {
    if let Err(r) = st.check_token(req) {
        return r;
    }
    if st.subscribers.remove(params.get("subscriber_id")) {
        Resp::json(200, &json!({}))
    } else {
        error(404, "subscriber not found")
    }
}
