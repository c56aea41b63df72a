//! Webhooks of a service on the sandbox: kept and answered; no event is posted to them.

use serde_json::{Value, json};

use super::{
    ACCOUNT_SID, MAX_TEXT_BYTES, VerifyState, answer, at_most, deleted, form, invalid, iso,
    not_found, now, of_service, param, records,
};
use crate::http::{Params, Req, Resp};

/// The `EventTypes` a webhook takes (documented).
const EVENT_TYPES: [&str; 6] = [
    "*",
    "factor.created",
    "factor.verified",
    "factor.deleted",
    "challenge.approved",
    "challenge.denied",
];
/// The longest `FriendlyName`, in characters.
const MAX_NAME: usize = 64;

/// The path of the webhooks of the path's service.
fn webhooks_path(p: &Params) -> String {
    format!("/v2/Services/{}/Webhooks", p.get("va"))
}

/// Sets what the form gives on the webhook `w`, all of it or nothing: 400 / 60200 naming the
/// first parameter that is not one Twilio takes.
fn apply(form: &[(String, String)], w: &mut Value) -> Result<(), Resp> {
    let mut updated = w.clone();
    if let Some(name) = param(form, "FriendlyName") {
        if name.is_empty() || !at_most(name, MAX_NAME) {
            return Err(invalid("FriendlyName"));
        }
        updated["friendly_name"] = name.into();
    }
    let events: Vec<&str> = form
        .iter()
        .filter(|(k, _)| k == "EventTypes")
        .map(|(_, v)| v.as_str())
        .collect();
    if !events.is_empty() {
        if !events.iter().all(|e| EVENT_TYPES.contains(e)) {
            return Err(invalid("EventTypes"));
        }
        updated["event_types"] = events.into();
    }
    if let Some(url) = param(form, "WebhookUrl") {
        let web = url.starts_with("https://") || url.starts_with("http://");
        if !web || url.len() > MAX_TEXT_BYTES {
            return Err(invalid("WebhookUrl"));
        }
        updated["webhook_url"] = url.into();
    }
    for (name, key, values) in [
        ("Status", "status", ["enabled", "disabled"]),
        ("Version", "version", ["v2", "v1"]),
    ] {
        if let Some(v) = param(form, name) {
            if !values.contains(&v) {
                return Err(invalid(name));
            }
            updated[key] = v.into();
        }
    }
    updated["date_updated"] = iso(now()).into();
    *w = updated;
    Ok(())
}

pub(super) fn webhook_create(state: &mut VerifyState, req: &Req, p: &Params) -> Resp {
    let form = form(req);
    for required in ["FriendlyName", "EventTypes", "WebhookUrl"] {
        if param(&form, required).is_none() {
            return invalid(required);
        }
    }
    let sid = state.sid("YW");
    let at = iso(now());
    let mut webhook = json!({
        "sid": sid, "service_sid": p.get("va"), "account_sid": ACCOUNT_SID,
        "friendly_name": null, "event_types": [], "status": "enabled", "version": "v2",
        "webhook_url": null, "webhook_method": "POST",
        "date_created": at, "date_updated": at,
        "url": state.url(&format!("{}/{sid}", webhooks_path(p))),
    });
    if let Err(resp) = apply(&form, &mut webhook) {
        return resp;
    }
    let resp = Resp::json(201, &webhook);
    state.webhooks.insert(sid, webhook);
    resp
}

pub(super) fn webhook_list(state: &mut VerifyState, req: &Req, p: &Params) -> Resp {
    let list = records(&state.webhooks, |w| w["service_sid"] == p.get("va"));
    state.page("webhooks", &webhooks_path(p), list, req)
}

pub(super) fn webhook_fetch(state: &mut VerifyState, req: &Req, p: &Params) -> Resp {
    answer(
        of_service(&mut state.webhooks, p.get("yw"), p.get("va")),
        req,
    )
}

pub(super) fn webhook_update(state: &mut VerifyState, req: &Req, p: &Params) -> Resp {
    let form = form(req);
    let Some(webhook) = of_service(&mut state.webhooks, p.get("yw"), p.get("va")) else {
        return not_found(&req.path);
    };
    match apply(&form, webhook) {
        Ok(()) => Resp::json(200, webhook),
        Err(resp) => resp,
    }
}

pub(super) fn webhook_delete(state: &mut VerifyState, req: &Req, p: &Params) -> Resp {
    let yw = p.get("yw");
    let removed = of_service(&mut state.webhooks, yw, p.get("va")).is_some();
    if removed {
        state.webhooks.remove(yw);
    }
    deleted(removed, req)
}
