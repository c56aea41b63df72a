//! The request pipeline: routing, counters, faults, the emulators and the sandbox-only
//! endpoints.

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::august::{self, AugustState};
use crate::authy::{self, AnswerError, AuthyState, PendingCallback};
use crate::event::{CallbackDelivery, Event, OneTouchAnswer};
use crate::faults::{Fault, FaultRuleWire, FaultTable, retry_after_secs};
use crate::http::{Params, Req, Resp, RouteName, find_route};
use crate::relay::{RelayHandle, lock};
use crate::signature;
use crate::stats::{Counters, Stats};
use crate::{DoorState, Error};

/// Receives the events.
pub(crate) type Listener = Arc<dyn Fn(&Event) + Send + Sync>;

/// The longest a call waits on what it posts (a OneTouch callback, or all the Verify webhook
/// posts of one call together) before it is answered.
const CALLBACK_TIMEOUT: Duration = Duration::from_secs(5);

/// A request the sandbox posts to a receiver: a signed callback or webhook.
struct Outgoing {
    url: String,
    content_type: &'static str,
    /// The signature headers.
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

/// Everything the request handlers share.
pub(crate) struct App {
    pub(crate) august: Mutex<AugustState>,
    pub(crate) authy: Mutex<AuthyState>,
    pub(crate) faults: Mutex<FaultTable>,
    pub(crate) oauth: Mutex<crate::oauth::OAuthServer>,
    /// Verify v2 and Lookup v2 (`crate::verify`).
    pub(crate) verify: Mutex<crate::verify::VerifyState>,
    pub(crate) counters: Mutex<Counters>,
    pub(crate) relay: RelayHandle,
    base_url: String,
    stopped: Mutex<bool>,
    stop_signal: Condvar,
    listener: Option<Listener>,
    callback_agent: ureq::Agent,
    /// Push: PubNub long-polls and websockets.
    pub(crate) push: Arc<crate::push::PushHub>,
    /// The demo event generator, when running.
    pub(crate) demo: Mutex<Option<crate::live_app::DemoEvents>>,
}

/// What to do with a request.
enum Outcome {
    Respond(Resp),
    /// Send the response but only `keep` bytes of its body, then close.
    Truncate(Resp, usize),
    /// Close the connection without answering.
    Drop,
}

/// The part of the sandbox that answers a request, asked in this order.
#[derive(Debug)]
enum Part {
    /// PubNub and Socket.IO (`crate::push`), with the route taken, what it does and the
    /// parameters its pattern captured.
    Push(RouteName, crate::push::PushRoute, Params),
    /// Verify v2, Lookup v2 and their controls, under their own paths (`crate::verify`).
    Verify,
    /// The other `/__sandbox` endpoints.
    Control,
    /// The OAuth authorization servers (`crate::oauth`).
    OAuth,
    /// The August, August live and Authy routes, counted and subject to faults.
    Emulated,
}

impl Part {
    fn of(req: &Req) -> Part {
        if let Some((route, push, params)) = crate::push::find(req) {
            Part::Push(route, push, params)
        } else if crate::verify::claims(req) {
            Part::Verify
        } else if req.path == "/__sandbox" || req.path.starts_with("/__sandbox/") {
            Part::Control
        } else if crate::oauth::claims(req) {
            Part::OAuth
        } else {
            Part::Emulated
        }
    }
}

enum Hit {
    August(august::Handler, Params),
    Live(crate::live::Handler, Params),
    Authy(authy::Handler, Params),
}

impl App {
    pub(crate) fn new(
        august: AugustState,
        authy: AuthyState,
        relay: RelayHandle,
        base_url: String,
        listener: Option<Listener>,
    ) -> App {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .proxy(None)
            .user_agent("august-sandbox callback")
            .timeout_global(Some(CALLBACK_TIMEOUT))
            .build();
        App {
            august: Mutex::new(august),
            authy: Mutex::new(authy),
            faults: Mutex::new(FaultTable::default()),
            oauth: Mutex::new(crate::oauth::OAuthServer::new(
                crate::oauth::DEFAULT_OAUTH_TOKEN_LIFETIME,
            )),
            verify: Mutex::new(crate::verify::VerifyState::new(&base_url)),
            counters: Mutex::new(Counters::default()),
            relay,
            base_url,
            stopped: Mutex::new(false),
            stop_signal: Condvar::new(),
            listener,
            callback_agent: ureq::Agent::new_with_config(config),
            push: Arc::default(),
            demo: Mutex::new(None),
        }
    }

    pub(crate) fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Ends every wait (latency faults) and makes new ones return at once.
    pub(crate) fn stop(&self) {
        *lock(&self.stopped) = true;
        self.stop_signal.notify_all();
        self.stop_live();
    }

    pub(crate) fn is_stopped(&self) -> bool {
        *lock(&self.stopped)
    }

    fn wait(&self, d: Duration) {
        let guard = lock(&self.stopped);
        let _ = self
            .stop_signal
            .wait_timeout_while(guard, d, |stopped| !*stopped);
    }

    pub(crate) fn stats(&self) -> Stats {
        lock(&self.counters).snapshot(self.relay.connections())
    }

    pub(crate) fn reset_stats(&self) {
        *lock(&self.counters) = Counters::default();
        self.relay.reset_connections();
    }

    fn emit(&self, events: Vec<Event>) {
        if let Some(listener) = &self.listener {
            for e in &events {
                listener(e);
            }
        }
    }

    /// Handles one request from the internal server.
    pub(crate) fn handle(&self, mut rq: tiny_http::Request) {
        // Until this is dropped (after the answer is written), the relay reads no further
        // request from the client's connection.
        let _answering = self.relay.answering(rq.remote_addr().copied());
        let req = Req::read(&mut rq);
        let mut events = Vec::new();
        let outcome = match Part::of(&req) {
            Part::Push(route, push, params) => {
                self.handle_push(rq, &req, route, push, &params);
                return;
            }
            Part::Verify => {
                Outcome::Respond(self.with_verify(|st| crate::verify::handle(st, &req)))
            }
            Part::Control => {
                lock(&self.counters).control_requests += 1;
                Outcome::Respond(self.control(&req))
            }
            Part::OAuth => Outcome::Respond(crate::oauth::handle(self, &req)),
            Part::Emulated => self.emulate(&req, &mut events),
        };
        self.emit(events);
        match outcome {
            Outcome::Respond(resp) => {
                let _ = rq.respond(resp.into_tiny());
            }
            Outcome::Truncate(resp, keep) => {
                let keep = keep.min(resp.body.len().saturating_sub(1));
                if let Some(addr) = req.remote {
                    self.relay.cut_after_headers(addr, keep);
                }
                let _ = rq.respond(resp.into_tiny());
            }
            Outcome::Drop => {
                if let Some(addr) = req.remote {
                    self.relay.drop_connection(addr);
                }
                drop(rq);
            }
        }
    }

    fn route(req: &Req) -> Option<(RouteName, Hit)> {
        if let Some((template, handler, params)) = find_route(august::ROUTES, req) {
            return Some((template, Hit::August(handler, params)));
        }
        if let Some((template, handler, params)) = find_route(crate::live::ROUTES, req) {
            return Some((template, Hit::Live(handler, params)));
        }
        find_route(authy::ROUTES, req)
            .map(|(template, handler, params)| (template, Hit::Authy(handler, params)))
    }

    fn emulate(&self, req: &Req, events: &mut Vec<Event>) -> Outcome {
        let hit = Self::route(req);
        let template = hit
            .as_ref()
            .map_or_else(|| "unmatched".to_owned(), |(t, _)| t.to_string());
        lock(&self.counters).record(&template);
        let fault = lock(&self.faults).take(&req.method, &template, &req.path);
        if let Some(f) = &fault {
            lock(&self.counters).faults_applied += 1;
            log::info!("sandbox: fault on {template}: {f}");
        }
        let authy_style = req.path.starts_with("/protected/") || req.path.starts_with("/onetouch/");
        let mut truncate = None;
        match fault {
            None => {}
            Some(Fault::Latency(d)) => self.wait(d),
            Some(Fault::Status {
                status,
                retry_after,
            }) => {
                let mut resp = status_fault(status, authy_style);
                if let Some(after) = retry_after {
                    resp = resp.header("Retry-After", retry_after_secs(after).to_string());
                }
                return Outcome::Respond(resp);
            }
            Some(Fault::Html { status }) => return Outcome::Respond(html_fault(status)),
            Some(Fault::DropConnection) => return Outcome::Drop,
            Some(Fault::TruncatedBody { keep }) => truncate = Some(keep),
        }
        let resp = match hit {
            Some((_, Hit::August(handler, params))) => {
                let resp = handler(&mut lock(&self.august), req, &params, events);
                self.publish_pushes();
                resp
            }
            Some((_, Hit::Live(handler, params))) => {
                crate::live::run(&mut lock(&self.august), req, &params, handler)
            }
            Some((_, Hit::Authy(handler, params))) => {
                handler(&mut lock(&self.authy), req, &params, events)
            }
            None => Resp::json(404, &json!({"message": "not found"})),
        };
        log::debug!("sandbox: {template} -> {}", resp.status);
        match truncate {
            Some(keep) => Outcome::Truncate(resp, keep),
            None => Outcome::Respond(resp),
        }
    }

    // ----- sandbox-only operations, shared by the endpoints and the handle -----

    /// Sets the OneTouch callback URL; gives it as kept (see [`check_loopback_url`]).
    pub(crate) fn set_callback_url(&self, url: &str) -> Result<String, Error> {
        let url = check_loopback_url(url)?;
        lock(&self.authy).set_callback_url(Some(url.clone()));
        Ok(url)
    }

    pub(crate) fn answer_onetouch(
        &self,
        uuid: &str,
        approve: bool,
    ) -> Result<OneTouchAnswer, Error> {
        let answered = lock(&self.authy).answer(uuid, approve);
        let (status, pending) = answered.map_err(|e| match e {
            AnswerError::NotFound => Error::ApprovalRequestNotFound {
                uuid: uuid.to_owned(),
            },
            AnswerError::NotPending(status) => Error::ApprovalRequestNotPending {
                uuid: uuid.to_owned(),
                status: status.to_owned(),
            },
        })?;
        // Posted with no lock held: the receiver may call the sandbox back.
        let callback = pending.map(|p| self.deliver(p));
        let answer = OneTouchAnswer {
            uuid: uuid.to_owned(),
            status: status.to_owned(),
            callback,
        };
        self.emit(vec![Event::OneTouchAnswer {
            uuid: answer.uuid.clone(),
            status: answer.status.clone(),
            callback: answer.callback.clone(),
        }]);
        Ok(answer)
    }

    fn deliver(&self, callback: PendingCallback) -> CallbackDelivery {
        let nonce = chrono::Utc::now().timestamp().to_string();
        let signature = signature::sign(
            &callback.api_key,
            &nonce,
            "POST",
            &callback.url,
            &callback.payload,
        );
        let outgoing = Outgoing {
            body: serde_json::to_vec(&callback.payload).unwrap_or_default(),
            url: callback.url,
            content_type: "application/json",
            headers: vec![
                ("X-Authy-Signature", signature),
                ("X-Authy-Signature-Nonce", nonce),
            ],
        };
        self.post(outgoing, Instant::now() + CALLBACK_TIMEOUT)
    }

    /// Runs `f` on the Verify state, then posts the webhook events it caused, with the state
    /// unlocked (a receiver may call the sandbox back).
    pub(crate) fn with_verify<T>(&self, f: impl FnOnce(&mut crate::verify::VerifyState) -> T) -> T {
        let (out, posts) = {
            let mut st = lock(&self.verify);
            let out = f(&mut st);
            (out, st.take_posts())
        };
        self.post_webhooks(posts);
        out
    }

    /// Posts Verify events to their webhooks, one after the other, all within
    /// [`CALLBACK_TIMEOUT`]: best effort, each failure logged (the webhook and the event, not
    /// the URL, which may carry credentials). Only loopback `http` URLs are called, as the
    /// OneTouch callback's, in the form [`check_loopback_url`] gives, which the signature
    /// covers.
    fn post_webhooks(&self, posts: Vec<crate::verify::WebhookPost>) {
        let deadline = Instant::now() + CALLBACK_TIMEOUT;
        for p in posts {
            let Ok(url) = check_loopback_url(&p.url) else {
                log::info!(
                    "sandbox: verify webhook {} not called ({}): not a loopback http URL",
                    p.webhook_sid,
                    p.event
                );
                continue;
            };
            let params: Vec<(&str, &str)> =
                p.params.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let signature = signature::sign_twilio(crate::verify::AUTH_TOKEN, &url, &params);
            let body = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(&params)
                .finish();
            let outgoing = Outgoing {
                url,
                content_type: "application/x-www-form-urlencoded",
                headers: vec![("X-Twilio-Signature", signature)],
                body: body.into_bytes(),
            };
            let delivery = self.post(outgoing, deadline);
            match (delivery.status, delivery.error) {
                (Some(status), _) if (200..300).contains(&status) => log::debug!(
                    "sandbox: verify webhook {} ({}) answered {status}",
                    p.webhook_sid,
                    p.event
                ),
                (Some(status), _) => log::warn!(
                    "sandbox: verify webhook {} ({}) answered {status}",
                    p.webhook_sid,
                    p.event
                ),
                (None, error) => log::warn!(
                    "sandbox: verify webhook {} ({}) not delivered: {}",
                    p.webhook_sid,
                    p.event,
                    error.unwrap_or_default()
                ),
            }
        }
    }

    /// Posts `outgoing` with the callback agent, waiting until `deadline` at most; its
    /// answer's body is read (up to 64 KiB) and dropped.
    fn post(&self, outgoing: Outgoing, deadline: Instant) -> CallbackDelivery {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return CallbackDelivery {
                url: outgoing.url,
                status: None,
                error: Some("no time left to post".to_owned()),
            };
        }
        let mut request = self
            .callback_agent
            .post(&outgoing.url)
            .config()
            .timeout_global(Some(left))
            .build()
            .header("Content-Type", outgoing.content_type);
        for (name, value) in &outgoing.headers {
            request = request.header(*name, value);
        }
        match request.send(&outgoing.body[..]) {
            Ok(mut response) => {
                let _ = response
                    .body_mut()
                    .with_config()
                    .limit(64 * 1024)
                    .read_to_vec();
                CallbackDelivery {
                    url: outgoing.url,
                    status: Some(response.status().as_u16()),
                    error: None,
                }
            }
            Err(e) => CallbackDelivery {
                url: outgoing.url,
                status: None,
                error: Some(e.to_string()),
            },
        }
    }

    pub(crate) fn set_door(&self, lock_id: &str, state: DoorState) -> Result<(), Error> {
        let done = lock(&self.august).set_door(lock_id, state == DoorState::Open);
        self.publish_pushes();
        done.map_err(|(status, _)| {
            if status == 404 {
                Error::UnknownLock {
                    lock_id: lock_id.to_owned(),
                }
            } else {
                Error::NoDoorSensor {
                    lock_id: lock_id.to_owned(),
                }
            }
        })
    }

    // ----- the sandbox-only endpoints -----

    fn control(&self, req: &Req) -> Resp {
        if let Some(resp) = self.live_control(req) {
            return resp;
        }
        let segs: Vec<&str> = req.segments.iter().map(String::as_str).collect();
        match (req.method.as_str(), segs.get(1..).unwrap_or_default()) {
            ("GET", []) => Resp::json(200, &self.index()),
            ("GET", ["stats"]) => json_of(&self.stats()),
            ("DELETE", ["stats"]) => {
                self.reset_stats();
                json_of(&self.stats())
            }
            ("GET", ["faults"]) => self.faults_json(),
            ("POST", ["faults"]) => self.post_faults(req),
            ("DELETE", ["faults"]) => {
                match req.query("route") {
                    Some(route) => {
                        if !lock(&self.faults).remove(route) {
                            return control_error(404, &format!("no fault set for `{route}`"));
                        }
                    }
                    None => lock(&self.faults).clear(),
                }
                self.faults_json()
            }
            ("GET", ["august", "code"]) => {
                let st = lock(&self.august);
                let code = match req.query("install_id") {
                    Some(install_id) => st.code_for_install(install_id),
                    None => st.last_code(),
                };
                match code {
                    Some(c) => Resp::json(
                        200,
                        &json!({"code": c.code, "method": c.method, "value": c.value, "install_id": c.install_id}),
                    ),
                    None => control_error(404, "no verification code has been sent"),
                }
            }
            ("POST", ["august", "tokens", "expire"]) => {
                lock(&self.august).expire_tokens();
                Resp::json(200, &json!({"expired": true}))
            }
            ("POST", ["august", "locks", lock_id, "door"]) => {
                let state = req
                    .json()
                    .and_then(|b| b.get("state").and_then(Value::as_str).map(str::to_owned));
                let state = match state.as_deref() {
                    Some("open") => DoorState::Open,
                    Some("closed") => DoorState::Closed,
                    _ => {
                        return control_error(
                            400,
                            "the body must be {\"state\": \"open\"} or {\"state\": \"closed\"}",
                        );
                    }
                };
                match self.set_door(lock_id, state) {
                    Ok(()) => Resp::json(200, &json!({"lock_id": lock_id, "door": state.as_str()})),
                    Err(e @ Error::UnknownLock { .. }) => control_error(404, &e.to_string()),
                    Err(e) => control_error(409, &e.to_string()),
                }
            }
            ("GET", ["authy", "token", id]) => {
                let token = id
                    .parse::<u64>()
                    .ok()
                    .and_then(|id| lock(&self.authy).token(id));
                match token {
                    Some(t) => Resp::json(
                        200,
                        &json!({"authy_id": id.parse::<u64>().unwrap_or(0), "token": t}),
                    ),
                    None => control_error(404, &format!("no token has been sent to user {id}")),
                }
            }
            ("GET", ["authy", "phone_verification"]) => {
                let cc = req.query("country_code").unwrap_or("");
                let phone = req.query("phone_number").unwrap_or("");
                match lock(&self.authy).verification_code(cc, phone) {
                    Some(code) => Resp::json(
                        200,
                        &json!({"country_code": cc, "phone_number": phone, "code": code}),
                    ),
                    None => control_error(404, "no pending verification for this number"),
                }
            }
            ("GET", ["authy", "callback_url"]) => {
                let url = lock(&self.authy).callback_url().map(str::to_owned);
                Resp::json(200, &json!({ "url": url }))
            }
            ("POST", ["authy", "callback_url"]) => {
                let url = req
                    .json()
                    .and_then(|b| b.get("url").and_then(Value::as_str).map(str::to_owned));
                let Some(url) = url else {
                    return control_error(
                        400,
                        "the body must be {\"url\": \"http://127.0.0.1:<port>/<path>\"}",
                    );
                };
                match self.set_callback_url(&url) {
                    Ok(kept) => Resp::json(200, &json!({ "url": kept })),
                    Err(e) => control_error(400, &e.to_string()),
                }
            }
            ("DELETE", ["authy", "callback_url"]) => {
                lock(&self.authy).set_callback_url(None);
                Resp::json(200, &json!({ "url": null }))
            }
            ("POST", ["authy", "onetouch", uuid, verb @ ("approve" | "deny")]) => {
                match self.answer_onetouch(uuid, *verb == "approve") {
                    Ok(answer) => json_of(&answer),
                    Err(e @ Error::ApprovalRequestNotFound { .. }) => {
                        control_error(404, &e.to_string())
                    }
                    Err(e) => control_error(409, &e.to_string()),
                }
            }
            _ => control_error(404, "no such sandbox endpoint; GET /__sandbox lists them"),
        }
    }

    fn faults_json(&self) -> Resp {
        let rules: Vec<FaultRuleWire> = lock(&self.faults)
            .list()
            .iter()
            .map(FaultRuleWire::from_rule)
            .collect();
        json_of(&rules)
    }

    fn post_faults(&self, req: &Req) -> Resp {
        let Some(body) = req.json() else {
            return control_error(
                400,
                "the body must be a JSON fault rule or an array of them",
            );
        };
        let items = match body {
            Value::Array(items) => items,
            other => vec![other],
        };
        let mut rules = Vec::new();
        for item in items {
            let wire: FaultRuleWire = match serde_json::from_value(item) {
                Ok(w) => w,
                Err(e) => return control_error(400, &format!("invalid fault rule: {e}")),
            };
            match wire.into_rule() {
                Ok(rule) => rules.push(rule),
                Err(e) => return control_error(400, &format!("invalid fault rule: {e}")),
            }
        }
        if let Err(e) = lock(&self.faults).set_posted(rules) {
            return control_error(400, &e);
        }
        self.faults_json()
    }

    fn index(&self) -> Value {
        json!({
            "august_url": self.base_url,
            "authy_url": self.base_url,
            "demo": {
                "phone": crate::demo::PHONE,
                "email": crate::demo::EMAIL,
                "password": crate::demo::PASSWORD,
                "house_id": crate::demo::HOUSE_ID,
                "locks": {
                    "front_door (online bridge, door sensor)": crate::demo::FRONT_DOOR_LOCK_ID,
                    "back_door (no bridge: 409)": crate::demo::BACK_DOOR_LOCK_ID,
                    "garage_door (bridge offline: 422)": crate::demo::GARAGE_DOOR_LOCK_ID,
                },
                "doorbells": {
                    "front_door (online)": crate::demo::FRONT_DOORBELL_ID,
                    "back_door (offline)": crate::demo::BACK_DOORBELL_ID,
                },
                "authy_users": {
                    "sms": crate::demo::AUTHY_SMS_USER_ID,
                    "app": crate::demo::AUTHY_APP_USER_ID,
                },
                "authy_custom_user_ids": {
                    "sms": crate::demo::AUTHY_SMS_USER_CUSTOM_ID,
                    "app": crate::demo::AUTHY_APP_USER_CUSTOM_ID,
                },
            },
            "endpoints": [
                "GET /__sandbox",
                "GET /__sandbox/stats",
                "DELETE /__sandbox/stats",
                "GET /__sandbox/faults",
                "POST /__sandbox/faults",
                "DELETE /__sandbox/faults[?route=<pattern>]",
                "GET /__sandbox/august/code[?install_id=<id>]",
                "POST /__sandbox/august/tokens/expire",
                "POST /__sandbox/august/locks/{lock_id}/door",
                "GET /__sandbox/authy/token/{authy_id}",
                "GET /__sandbox/authy/phone_verification?country_code=<cc>&phone_number=<number>",
                "GET|POST|DELETE /__sandbox/authy/callback_url",
                "POST /__sandbox/authy/onetouch/{uuid}/approve",
                "POST /__sandbox/authy/onetouch/{uuid}/deny",
            ],
        })
    }
}

fn json_of<T: serde::Serialize>(value: &T) -> Resp {
    match serde_json::to_value(value) {
        Ok(v) => Resp::json(200, &v),
        Err(e) => control_error(500, &e.to_string()),
    }
}

fn control_error(status: u16, message: &str) -> Resp {
    Resp::json(status, &json!({ "error": message }))
}

fn reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        409 => "Conflict",
        422 => "Unprocessable Entity",
        423 => "Locked",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    }
}

fn status_fault(status: u16, authy_style: bool) -> Resp {
    let message = reason(status);
    if authy_style {
        Resp::json(
            status,
            &json!({"message": message, "success": false, "errors": {"message": message}}),
        )
    } else {
        Resp::json(status, &json!({"code": status, "message": message}))
    }
}

fn html_fault(status: u16) -> Resp {
    let title = format!("{status} {}", reason(status));
    let page = format!(
        "<!DOCTYPE html>\n<html><head><title>{title}</title></head>\n<body><h1>{title}</h1>\n<p>The gateway could not serve this request.</p></body></html>\n"
    );
    Resp::bytes(status, "text/html; charset=utf-8", page.into_bytes())
}

/// Accepts only plain `http` URLs to a loopback host; returns the URL as it will be called:
/// as the check read it (the `url` crate's normal form: scheme and host in lower case, `\`
/// read as `/`, dot segments resolved), so that the callback goes where the check looked and
/// is signed over the URL it is sent to.
pub(crate) fn check_loopback_url(url: &str) -> Result<String, Error> {
    let invalid = |reason: &str| Error::InvalidCallbackUrl {
        reason: reason.to_owned(),
    };
    let url = url.trim();
    let parsed = url::Url::parse(url).map_err(|e| invalid(&format!("not a URL: {e}")))?;
    if parsed.scheme() != "http" {
        return Err(invalid("the callback url must start with http://"));
    }
    match loopback_host(&parsed) {
        Some(true) => Ok(parsed.into()),
        Some(false) => Err(invalid(
            "the callback url must point to a loopback host (127.0.0.1, ::1 or localhost)",
        )),
        None => Err(invalid("the callback url must not carry credentials")),
    }
}

/// Whether the host of `url`, read as a browser reads it (WHATWG, the `url` crate), is
/// loopback ([`api_transport::is_loopback`]); `None` when the URL carries credentials
/// (`user@`), which could hide another host behind one that looks loopback.
pub(crate) fn loopback_host(url: &url::Url) -> Option<bool> {
    if !url.username().is_empty() || url.password().is_some() {
        return None;
    }
    Some(url.host_str().is_some_and(api_transport::is_loopback))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Api;

    /// The route a request reaches, as `handle` dispatches it, and the API it answers for;
    /// `None` for a control endpoint or a fallback answer.
    fn reached(req: &Req) -> Option<(Api, String)> {
        fn template<H>(found: Option<(RouteName, H, Params)>) -> Option<String> {
            found.map(|(t, ..)| t.to_string())
        }
        match Part::of(req) {
            Part::Push(t, ..) => Some((Api::AugustLive, t.to_string())),
            Part::Verify if req.path.starts_with("/__sandbox/") => None,
            Part::Verify => {
                template(find_route(crate::verify::ROUTES, req)).map(|t| (Api::Verify, t))
            }
            Part::Control => None,
            Part::OAuth => crate::oauth::find(req)
                .ok()
                .map(|(t, ..)| (Api::AugustLive, t.to_string())),
            Part::Emulated => App::route(req).map(|(t, hit)| match hit {
                Hit::August(..) => (Api::August, t.to_string()),
                Hit::Live(..) => (Api::AugustLive, t.to_string()),
                Hit::Authy(..) => (Api::Authy, t.to_string()),
            }),
        }
    }

    /// A path of `pattern` with a value each parameter takes (a brand with a server for
    /// `{brand}`).
    fn example(pattern: &str) -> String {
        pattern
            .split('/')
            .map(
                |part| match part.strip_prefix('{').and_then(|p| p.split_once('}')) {
                    Some(("brand", rest)) => format!("yale_global{rest}"),
                    Some((name, rest)) => format!("{name}-1{rest}"),
                    None => part.to_owned(),
                },
            )
            .collect::<Vec<_>>()
            .join("/")
    }

    /// Every route the sandbox lists is the one a request of its method and path reaches,
    /// through the same dispatch as `handle` (the push side, Verify, the controls, OAuth, then
    /// the August, live and Authy tables), and answers for the API it is listed under: a route
    /// listed twice, shadowed by an earlier route or part, or whose pattern its own paths do
    /// not match fails here.
    #[test]
    fn every_listed_route_is_reached_by_its_own_requests() {
        let all = crate::routes();
        assert!(all.len() > 60, "{} routes", all.len());
        for (i, r) in all.iter().enumerate() {
            let route = r.to_string();
            assert!(
                all[..i].iter().all(|o| o.to_string() != route),
                "{route} is listed twice"
            );
            let path = example(r.pattern);
            assert!(r.matches(r.method, &path), "{route} vs {path}");
            let req = Req::fake(r.method, &path, &[], "");
            assert_eq!(reached(&req), Some((r.api, route.clone())), "{path}");
        }
        for (method, path) in [
            ("GET", "/no/such/route"),
            ("PATCH", "/locks/L1"),
            ("GET", "/oauth/no_brand/authorize"),
            ("GET", "/__sandbox/verify/code"),
        ] {
            assert_eq!(
                reached(&Req::fake(method, path, &[], "")),
                None,
                "{method} {path}"
            );
        }
    }

    #[test]
    fn callback_urls_must_be_loopback_http() {
        assert!(check_loopback_url("http://127.0.0.1:9000/cb").is_ok());
        assert!(check_loopback_url("http://localhost/cb?x=1").is_ok());
        assert!(check_loopback_url("http://[::1]:80/").is_ok());
        assert!(check_loopback_url("http://127.0.0.2:1").is_ok());
        assert!(check_loopback_url("https://127.0.0.1/").is_err());
        assert!(check_loopback_url("http://example.com/").is_err());
        assert!(check_loopback_url("http://127.0.0.1@example.com/").is_err());
        assert!(check_loopback_url("http://10.0.0.1:80/").is_err());
        // Read as a browser reads them: what is not a URL is refused, and the other ways to
        // write a loopback address are loopback.
        assert!(check_loopback_url("http://[::1]evil.example/").is_err());
        assert!(check_loopback_url("http://[::1/").is_err());
        assert!(check_loopback_url("http://127.0.0.1 .evil.example/").is_err());
        assert!(check_loopback_url("http://127.1:9000/cb").is_ok());
        assert!(check_loopback_url("HTTP://LOCALHOST/cb").is_ok());
        // Kept as it will be called: where the check looked.
        for (given, called) in [
            (
                "HTTP://LOCALHOST:9000/a/../cb?x=1",
                "http://localhost:9000/cb?x=1",
            ),
            ("http://127.1:9000\\cb", "http://127.0.0.1:9000/cb"),
            (" http://[::1]:9000 ", "http://[::1]:9000/"),
        ] {
            assert_eq!(
                check_loopback_url(given).ok().as_deref(),
                Some(called),
                "{given}"
            );
        }
    }
}
