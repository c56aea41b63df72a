//! Live events: start the activity stream, unlock the front door and open it through the API,
//! print what is pushed, stop.
//!
//! ```console
//! $ cargo run --example watch
//! ```
//!
//! It runs against the embedded sandbox, a local emulator that pushes every lock, door and
//! doorbell change over a PubNub-compatible long-poll, as the service does.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use august::api::Api;
use august::live::{ActivityStream, Event, StaticToken};
use august_sandbox::{DoorState, Sandbox, demo};

fn main() -> Result<()> {
    let sandbox = Sandbox::start().context("cannot start the sandbox")?;
    let api = Api::builder().base_url(sandbox.august_url()).build()?;
    // A signed-in token; with a real account, pass a closure that asks the authenticator.
    let token = sandbox.demo_access_token();
    let mut stream = ActivityStream::builder(api.clone(), StaticToken::new(token.clone()))
        .pubnub_origin(sandbox.pubnub_origin())
        .start()?;
    println!("push: {:?}", stream.push_state());
    let stop = stream.stop_handle();

    api.unlock(&token, demo::FRONT_DOOR_LOCK_ID)?;
    sandbox.set_door_state(demo::FRONT_DOOR_LOCK_ID, DoorState::Open)?;

    // A watchdog, so the example ends even if something went wrong.
    let watchdog = stop.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(10));
        watchdog.stop();
    });

    let mut seen = 0;
    for event in stream.by_ref() {
        match event? {
            Event::Activity(a) => {
                let activity = a.activity();
                println!(
                    "{} {:<10} {:<12} {} ({})",
                    activity
                        .start_time()
                        .map(|t| t.format("%H:%M:%S%.3f").to_string())
                        .unwrap_or_default(),
                    activity.device_name().unwrap_or_default(),
                    activity.action().unwrap_or_default(),
                    activity.operated_by().unwrap_or_default(),
                    a.source().as_str(),
                );
                seen += 1;
                // The unlock, the door state it reports (closed), the opening.
                if seen == 3 {
                    stop.stop();
                }
            }
            Event::Status(status) => println!("stream: {status:?}"),
            Event::Raw(raw) => println!("raw message: {}", raw.payload),
            _ => {}
        }
    }
    // Waits for the push thread, so that it says goodbye to the push service (PubNub's leave,
    // the websocket subscriber's deletion) before the program ends.
    stream.close();
    if seen < 3 {
        bail!("only {seen} events arrived");
    }
    Ok(())
}
