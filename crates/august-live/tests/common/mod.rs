//! Helpers shared by the stream tests: a sandbox, a client for it, and event collection.

#![allow(dead_code)]

pub mod hold;
pub mod ws;
pub mod yale;

use std::sync::mpsc;
use std::time::{Duration, Instant};

use august_core::{Api, Brand};
use august_live::{ActivityStream, Event, LiveActivity, StaticToken, StreamBuilder};
use august_sandbox::Sandbox;

pub struct Setup {
    pub sandbox: Sandbox,
    pub api: Api,
    pub token: String,
}

pub fn setup(brand: Brand) -> Setup {
    let sandbox = Sandbox::start().expect("sandbox");
    let api = Api::builder()
        .brand(brand)
        .base_url(sandbox.august_url())
        .build()
        .expect("api");
    let token = sandbox.demo_access_token();
    Setup {
        sandbox,
        api,
        token,
    }
}

impl Setup {
    /// A builder pointed at the sandbox, with fast reconnection and no feed reads after
    /// pushes unless a test asks for them.
    pub fn builder(&self) -> StreamBuilder {
        ActivityStream::builder(self.api.clone(), StaticToken::new(self.token.clone()))
            .pubnub_origin(self.sandbox.pubnub_origin())
            .websocket_url(self.sandbox.websocket_url())
            .reconnect_unit(Duration::from_millis(50))
            .poll_delay_after_push(Duration::from_millis(100))
            .poll_cooldown(Duration::from_millis(100))
    }
}

/// Runs a stream on a thread and hands its items over a channel.
pub struct Collector {
    pub rx: mpsc::Receiver<Result<Event, august_live::Error>>,
    pub handle: august_live::StopHandle,
    pub thread: std::thread::JoinHandle<ActivityStream>,
}

pub fn collect(stream: ActivityStream) -> Collector {
    let handle = stream.stop_handle();
    let (tx, rx) = mpsc::channel();
    let thread = std::thread::spawn(move || {
        let mut stream = stream;
        for item in stream.by_ref() {
            if tx.send(item).is_err() {
                break;
            }
        }
        stream
    });
    Collector { rx, handle, thread }
}

impl Collector {
    /// Activities received within `within`, until `count` of them arrived.
    pub fn activities(&self, count: usize, within: Duration) -> Vec<LiveActivity> {
        let deadline = Instant::now() + within;
        let mut out = Vec::new();
        while out.len() < count {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(Ok(Event::Activity(a))) => out.push(*a),
                Ok(Ok(_)) => {}
                Ok(Err(e)) => panic!("stream error: {e}"),
                Err(_) => break,
            }
        }
        out
    }

    /// Every item received within `within`.
    pub fn drain(&self, within: Duration) -> Vec<Result<Event, august_live::Error>> {
        let deadline = Instant::now() + within;
        let mut out = Vec::new();
        while let Ok(item) = self
            .rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            out.push(item);
        }
        out
    }

    /// The reasons of the `PushDisconnected` statuses the stream gives within `within`.
    pub fn disconnect_reasons(&self, within: Duration) -> Vec<String> {
        self.drain(within)
            .into_iter()
            .filter_map(|e| match e {
                Ok(Event::Status(august_live::StreamStatus::PushDisconnected {
                    reason, ..
                })) => Some(reason),
                _ => None,
            })
            .collect()
    }

    pub fn stop(self) {
        self.handle.stop();
        let stream = self.thread.join().expect("stream thread");
        stream.close();
    }
}

pub fn actions(list: &[LiveActivity]) -> Vec<String> {
    list.iter()
        .map(|a| {
            format!(
                "{}:{}",
                a.activity().action().unwrap_or_default(),
                a.source().as_str()
            )
        })
        .collect()
}
