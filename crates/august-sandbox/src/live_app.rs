//! The live-event side of the request pipeline: push requests, push faults, doorbell and
//! motion controls, and the demo event generator.

use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use serde_json::{Value, json};

use crate::app::App;
use crate::faults::Fault;
use crate::http::{Params, Req, Resp, RouteName};
use crate::push::{self, Action, PushFault, PushRoute};
use crate::relay::lock;
use crate::{Error, demo};

/// A running demo generator.
pub(crate) struct DemoEvents {
    stop: Arc<(std::sync::Mutex<bool>, std::sync::Condvar)>,
    thread: JoinHandle<()>,
}

impl DemoEvents {
    fn stop(self) {
        *lock(&self.stop.0) = true;
        self.stop.1.notify_all();
        let _ = self.thread.join();
    }
}

/// One step of the demo cycle.
fn demo_step(app: &App, step: u64) {
    let front = demo::FRONT_DOOR_LOCK_ID;
    match step % 6 {
        0 => {
            let _ = lock(&app.august).demo_operate(front, "unlock");
        }
        1 => {
            let _ = lock(&app.august).set_door(front, true);
        }
        2 => {
            let _ = lock(&app.august).set_door(front, false);
        }
        3 => {
            let _ = lock(&app.august).demo_operate(front, "lock");
        }
        4 => {
            let _ = lock(&app.august).doorbell_event(demo::FRONT_DOORBELL_ID, false);
        }
        _ => {
            let _ = lock(&app.august).doorbell_event(demo::FRONT_DOORBELL_ID, true);
        }
    }
    app.publish_pushes();
}

impl App {
    /// Publishes what the last state change queued.
    pub(crate) fn publish_pushes(&self) {
        let outs = std::mem::take(&mut lock(&self.august).pushes);
        if !outs.is_empty() {
            self.push.publish(outs);
        }
    }

    /// Stops the demo generator and every push thread.
    pub(crate) fn stop_live(&self) {
        if let Some(demo) = lock(&self.demo).take() {
            demo.stop();
        }
        self.push.stop();
    }

    /// Answers (or holds, or upgrades) a push request: PubNub subscribe, time, leave, and the
    /// Socket.IO websocket. Route faults apply as to any other request.
    pub(crate) fn handle_push(
        &self,
        rq: tiny_http::Request,
        req: &Req,
        route: RouteName,
        push: PushRoute,
        params: &Params,
    ) {
        let template = route.to_string();
        lock(&self.counters).record(&template);
        let fault = lock(&self.faults).take(&req.method, &template, &req.path);
        if let Some(f) = fault {
            lock(&self.counters).faults_applied += 1;
            log::info!("sandbox: fault on {template}: {f}");
            match f {
                Fault::Latency(d) => thread::sleep(d.min(Duration::from_secs(30))),
                Fault::Status { status, .. } => {
                    let _ = rq.respond(
                        Resp::json(
                            status,
                            &json!({"status": status, "error": true, "message": "fault"}),
                        )
                        .into_tiny(),
                    );
                    return;
                }
                Fault::Html { status } => {
                    let page = format!("<html><body><h1>{status}</h1></body></html>");
                    let _ = rq.respond(
                        Resp::bytes(status, "text/html; charset=utf-8", page.into_bytes())
                            .into_tiny(),
                    );
                    return;
                }
                Fault::DropConnection | Fault::TruncatedBody { .. } => {
                    if let Some(addr) = req.remote {
                        self.relay.drop_connection(addr);
                    }
                    return;
                }
            }
        }
        match push::action(&self.push, req, push, params) {
            Action::Respond(resp) => {
                let _ = rq.respond(resp.into_tiny());
            }
            Action::Hold { channels, tt, uuid } => push::hold(
                &self.push,
                self.relay.clone(),
                rq,
                req.remote,
                channels,
                tt,
                uuid,
            ),
            Action::Upgrade { key } => {
                let refused = {
                    let st = lock(&self.august);
                    match st.check_token(req) {
                        Err(resp) => Some(resp),
                        Ok(_) => {
                            let known = req
                                .query("subscriberID")
                                .is_some_and(|id| st.subscribers.contains_key(id));
                            (!known).then(|| {
                                Resp::json(
                                    400,
                                    &json!({"code": 1, "message": "unknown subscriberID"}),
                                )
                            })
                        }
                    }
                };
                match refused {
                    Some(resp) => {
                        let _ = rq.respond(resp.into_tiny());
                    }
                    None => push::upgrade(&self.push, &self.relay, rq, req.remote, &key),
                }
            }
        }
    }

    /// Rings a doorbell or makes it see motion, and pushes it.
    pub(crate) fn doorbell_event(&self, doorbell_id: &str, motion: bool) -> Result<(), Error> {
        let done = lock(&self.august).doorbell_event(doorbell_id, motion);
        self.publish_pushes();
        done.map_err(|_| Error::UnknownDoorbell {
            doorbell_id: doorbell_id.to_owned(),
        })
    }

    /// Starts (or restarts) the demo generator: one event every `interval`, cycling through
    /// unlock, door open, door close, lock (front door), a ring and a motion (front doorbell).
    pub(crate) fn start_demo(self: &Arc<Self>, interval: Duration) -> Result<(), Error> {
        if let Some(old) = lock(&self.demo).take() {
            old.stop();
        }
        let stop = Arc::new((std::sync::Mutex::new(false), std::sync::Condvar::new()));
        let (app, flag) = (Arc::clone(self), Arc::clone(&stop));
        let thread = thread::Builder::new()
            .name("sandbox-demo-events".into())
            .spawn(move || {
                let mut step = 0;
                loop {
                    let guard = lock(&flag.0);
                    let (guard, _) = flag
                        .1
                        .wait_timeout_while(guard, interval, |stopped| !*stopped)
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    if *guard {
                        return;
                    }
                    drop(guard);
                    demo_step(&app, step);
                    step += 1;
                }
            })
            .map_err(|source| Error::Start { source })?;
        *lock(&self.demo) = Some(DemoEvents { stop, thread });
        Ok(())
    }

    /// Stops the demo generator, if running; whether it was.
    pub(crate) fn stop_demo(&self) -> bool {
        match lock(&self.demo).take() {
            Some(demo) => {
                demo.stop();
                true
            }
            None => false,
        }
    }

    /// The sandbox-only endpoints of the live features; `None` for other paths.
    pub(crate) fn live_control(self: &App, req: &Req) -> Option<Resp> {
        let segs: Vec<&str> = req.segments.iter().map(String::as_str).collect();
        let resp = match (req.method.as_str(), segs.get(1..).unwrap_or_default()) {
            ("POST", ["push", "drop"]) => {
                self.push.drop_connections();
                Resp::json(200, &json!({"dropped": true}))
            }
            ("POST", ["push", "close_websockets"]) => {
                self.push.close_websockets();
                Resp::json(200, &json!({"closed": true}))
            }
            ("POST", ["push", "faults"]) => {
                let body = req.json().unwrap_or(Value::Null);
                let count = body
                    .get("count")
                    .and_then(Value::as_u64)
                    .map_or(1, |c| u32::try_from(c).unwrap_or(u32::MAX));
                let fault = match body.get("fault").and_then(Value::as_str) {
                    Some("delay") => PushFault::Delay {
                        delay: Duration::from_millis(
                            body.get("delay_ms").and_then(Value::as_u64).unwrap_or(1000),
                        ),
                        count,
                    },
                    Some("duplicate") => PushFault::Duplicate { count },
                    Some("forbidden") => PushFault::Forbidden,
                    _ => {
                        return Some(Resp::json(
                            400,
                            &json!({"error": "the body must be {\"fault\": \"delay\"|\"duplicate\"|\"forbidden\", \"count\": N, \"delay_ms\": N}"}),
                        ));
                    }
                };
                self.push.set_fault(fault);
                Resp::json(200, &json!({"fault": format!("{fault:?}")}))
            }
            ("DELETE", ["push", "faults"]) => {
                self.push.clear_faults();
                Resp::json(200, &json!({"cleared": true}))
            }
            ("POST", ["august", "doorbells", id, verb @ ("ring" | "motion")]) => {
                match self.doorbell_event(id, *verb == "motion") {
                    Ok(()) => Resp::json(200, &json!({"doorbell_id": id, "event": verb})),
                    Err(e) => Resp::json(404, &json!({"error": e.to_string()})),
                }
            }
            ("POST", ["august", "locks", id, op @ ("lock" | "unlock" | "unlatch")]) => {
                let op: &'static str = match *op {
                    "lock" => "lock",
                    "unlock" => "unlock",
                    _ => "unlatch",
                };
                let done = lock(&self.august).demo_operate(id, op);
                self.publish_pushes();
                match done {
                    Ok(()) => Resp::json(200, &json!({"lock_id": id, "operation": op})),
                    Err((status, message)) => Resp::json(status, &json!({"error": message})),
                }
            }
            _ => return None,
        };
        Some(resp)
    }
}
