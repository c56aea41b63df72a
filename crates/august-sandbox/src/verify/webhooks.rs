//! Webhooks of a service on the sandbox: kept, answered, and given the events of its factors
//! and challenges ([`VerifyState::notify`]), which the app posts once the state is unlocked.

use serde_json::{Value, json};

use super::{
    ACCOUNT_SID, Challenge, Factor, MAX_TEXT_BYTES, VerifyState, answer, at_most, deleted, form,
    invalid, iso, not_found, now, of_service, param, records,
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

/// Something that happened to a factor or a challenge: its event type (one of [`EVENT_TYPES`]),
/// its service and the parameters that describe it.
pub(super) struct WebhookEvent {
    kind: &'static str,
    service: String,
    params: Vec<(&'static str, String)>,
}

impl WebhookEvent {
    /// The event `kind` (`factor.created`, `factor.verified`, `factor.deleted`) of a factor.
    pub(super) fn of_factor(kind: &'static str, f: &Factor) -> WebhookEvent {
        WebhookEvent {
            kind,
            service: f.service.clone(),
            params: vec![
                ("service_sid", f.service.clone()),
                ("entity_identity", f.identity.clone()),
                ("factor_sid", f.sid.clone()),
                ("factor_type", f.factor_type.clone()),
            ],
        }
    }

    /// The answer of a challenge: `challenge.approved` or `challenge.denied`, with its status.
    pub(super) fn of_challenge(c: &Challenge) -> WebhookEvent {
        let kind = if c.status == "approved" {
            "challenge.approved"
        } else {
            "challenge.denied"
        };
        WebhookEvent {
            kind,
            service: c.service.clone(),
            params: vec![
                ("service_sid", c.service.clone()),
                ("entity_identity", c.identity.clone()),
                ("factor_sid", c.factor_sid.clone()),
                ("factor_type", c.factor_type.clone()),
                ("challenge_sid", c.sid.clone()),
                ("status", c.status.to_owned()),
            ],
        }
    }
}

/// An event to post to a webhook: a form to `url`, signed with [`super::AUTH_TOKEN`].
#[derive(Debug)]
pub(crate) struct WebhookPost {
    /// The webhook's SID (`YW…`).
    pub(crate) webhook_sid: String,
    /// The event type.
    pub(crate) event: &'static str,
    /// The webhook's `webhook_url`, as configured.
    pub(crate) url: String,
    /// The form's parameters, in the order posted.
    pub(crate) params: Vec<(&'static str, String)>,
}

impl VerifyState {
    /// Queues `event` for every enabled webhook of its service whose `event_types` have its
    /// type or `*`, with the same `uuid` for all of them. Nothing is queued, and no `uuid` is
    /// drawn, when no webhook takes it.
    pub(super) fn notify(&mut self, event: WebhookEvent) {
        let takes = |w: &Value| {
            w["service_sid"] == event.service.as_str()
                && w["status"] == "enabled"
                && w["event_types"]
                    .as_array()
                    .is_some_and(|types| types.iter().any(|t| t == "*" || t == event.kind))
        };
        let hooks: Vec<(String, String)> = self
            .webhooks
            .iter()
            .filter(|(_, w)| takes(w))
            .map(|(sid, w)| {
                let url = w["webhook_url"].as_str().unwrap_or_default();
                (sid.clone(), url.to_owned())
            })
            .collect();
        if hooks.is_empty() {
            return;
        }
        let mut params = vec![
            ("uuid", crate::authy::random_uuid()),
            ("type", event.kind.to_owned()),
            ("account_sid", ACCOUNT_SID.to_owned()),
        ];
        params.extend(event.params);
        for (webhook_sid, url) in hooks {
            self.outbox.push(WebhookPost {
                webhook_sid,
                event: event.kind,
                url,
                params: params.clone(),
            });
        }
    }

    /// The posts queued since the last call, oldest first.
    pub(crate) fn take_posts(&mut self) -> Vec<WebhookPost> {
        std::mem::take(&mut self.outbox)
    }
}

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
