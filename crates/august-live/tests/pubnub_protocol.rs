//! The exact PubNub requests: handshake, resume with the reply's timetoken and region, the
//! uuid from `/users/me`, the 403 that ends the stream, and the leave on stop; and how often
//! they come when the server answers at once, fails, or holds them.

mod common;

use std::time::{Duration, Instant};

use august_core::Brand;
use august_live::{AUGUST_SUBSCRIBE_KEY, Error, Event, MAX_RECONNECT_DELAY};
use mockito::Matcher;
use test_support::fault_server::{Act, FaultServer, Recorded, Script, json};

const CHANNELS: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f01-pubsub,a1b2c3d4e5f60718293a4b5c6d7e8f02-pubsub,a1b2c3d4e5f60718293a4b5c6d7e8f03-pubsub,b3e6a1d8f2c5-pubsub,k7d2f9a4c1e8-pubsub";
const UUID: &str = "pn-5F1E2D3C-4B5A-4968-8776-A5B4C3D2E1F0";

fn path() -> String {
    format!("/v2/subscribe/{AUGUST_SUBSCRIBE_KEY}/{CHANNELS}/0")
}

fn query(tt: &str, tr: Option<&str>) -> Matcher {
    let mut m = vec![
        Matcher::UrlEncoded("tt".into(), tt.into()),
        Matcher::UrlEncoded("uuid".into(), UUID.into()),
        Matcher::Regex("pnsdk=august-live%2F".into()),
    ];
    if let Some(tr) = tr {
        m.push(Matcher::UrlEncoded("tr".into(), tr.into()));
    }
    Matcher::AllOf(m)
}

/// A mock of a subscribe request (`tt`, `tr` as [`query`] takes them), to be completed.
fn subscribe(pn: &mut mockito::Server, tt: &str, tr: Option<&str>) -> mockito::Mock {
    pn.mock("GET", path().as_str()).match_query(query(tt, tr))
}

/// The handshake, answered as recorded: timetoken `17684712000000000`, region 12.
fn handshake(pn: &mut mockito::Server) -> mockito::Mock {
    subscribe(pn, "0", None)
        .with_body(include_str!("fixtures/pubnub_subscribe_handshake.json"))
        .create()
}

/// A mock of the long-poll resumed from the handshake's timetoken and region, to be completed.
fn resume(pn: &mut mockito::Server) -> mockito::Mock {
    subscribe(pn, "17684712000000000", Some("12"))
}

#[test]
fn handshake_resume_and_403() {
    let s = common::setup(Brand::August);
    let mut pn = mockito::Server::new();
    let handshake = subscribe(&mut pn, "0", None)
        .with_header("content-type", "application/json")
        .with_body(include_str!("fixtures/pubnub_subscribe_handshake.json"))
        .expect(1)
        .create();
    let resume = subscribe(&mut pn, "17684712000000000", Some("12"))
        .with_header("content-type", "application/json")
        .with_body(include_str!("fixtures/pubnub_subscribe_lock_message.json"))
        .expect(1)
        .create();
    let refused = subscribe(&mut pn, "17684712019000000", Some("12"))
        .with_status(403)
        .with_body(r#"{"message":"Forbidden","error":true,"status":403}"#)
        .expect(1)
        .create();
    let stream = s.builder().pubnub_origin(pn.url()).start().unwrap();
    let items: Vec<_> = stream.collect();
    handshake.assert();
    resume.assert();
    refused.assert();
    // The lock message's channel is no device of this account: dropped, not an event.
    assert!(items.iter().all(|e| !matches!(e, Ok(Event::Activity(_)))));
    assert!(matches!(
        items.last(),
        Some(Err(Error::PushForbidden { status: 403, .. }))
    ));
}

#[test]
fn stop_sends_a_leave_and_a_failure_is_probed_before_resuming() {
    let s = common::setup(Brand::August);
    let mut pn = mockito::Server::new();
    handshake(&mut pn);
    // The long-poll fails with 500: the client waits, probes /time/0, then resumes with the
    // same timetoken and region.
    let failing = resume(&mut pn).with_status(500).expect_at_least(2).create();
    let probe = pn
        .mock("GET", "/time/0")
        .with_body("[17684712000000001]")
        .expect_at_least(1)
        .create();
    let leave = pn
        .mock(
            "GET",
            format!("/v2/presence/sub-key/{AUGUST_SUBSCRIBE_KEY}/channel/{CHANNELS}/leave")
                .as_str(),
        )
        .match_query(Matcher::UrlEncoded("uuid".into(), UUID.into()))
        .with_body(r#"{"status":200,"message":"OK","action":"leave","service":"Presence"}"#)
        .expect(1)
        .create();
    let stream = s.builder().pubnub_origin(pn.url()).start().unwrap();
    let handle = stream.stop_handle();
    let c = common::collect(stream);
    let items = c.drain(Duration::from_millis(600));
    failing.assert();
    probe.assert();
    assert!(items.iter().any(|e| matches!(
        e,
        Ok(Event::Status(
            august_live::StreamStatus::PushDisconnected { .. }
        ))
    )));
    handle.stop();
    // `stop` returns at once; the push thread sends the leave, and `close` waits for it.
    c.stop();
    leave.assert();
}

/// Whether a request is a PubNub subscribe past the handshake (`tt` other than `0`).
fn is_held_poll(request: &Recorded) -> bool {
    request.path().starts_with("/v2/subscribe/")
        && request
            .query()
            .is_some_and(|q| q.split('&').all(|pair| pair != "tt=0"))
}

/// A PubNub that answers the handshake, and the leave after `leave_after`, and holds every
/// other long-poll open without answering (as the real service does for up to 310 s when
/// nothing is published).
fn holding_pubnub(leave_after: Duration) -> FaultServer {
    FaultServer::start(move |request| {
        if is_held_poll(request) {
            // Far longer than the client's subscribe timeout: only a cut ends this poll.
            vec![Act::Wait(Duration::from_secs(60))]
        } else if request.path().contains("/leave") {
            let mut script = vec![Act::Wait(leave_after)];
            script.extend(json(
                200,
                br#"{"status":200,"message":"OK","action":"leave","service":"Presence"}"#,
            ));
            script
        } else {
            json(
                200,
                include_bytes!("fixtures/pubnub_subscribe_handshake.json"),
            )
        }
    })
}

/// Waits until the long-poll after the handshake is in flight: the server has it.
fn wait_for_held_poll(pubnub: &FaultServer) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !pubnub.requests().iter().any(is_held_poll) {
        assert!(
            Instant::now() < deadline,
            "no long-poll after the handshake: {:?}",
            pubnub.requests()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn close_cuts_a_long_poll_that_the_server_holds() {
    let s = common::setup(Brand::August);
    let pubnub = holding_pubnub(Duration::ZERO);
    let stream = s
        .builder()
        .pubnub_origin(pubnub.url())
        // Without the cut, close would wait this long (310 s by default).
        .subscribe_timeout(Duration::from_secs(10))
        .start()
        .unwrap();
    // Close only once the long-poll after the handshake is in flight.
    wait_for_held_poll(&pubnub);
    let started = Instant::now();
    stream.close();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(3), "close waited {took:?}");
    assert!(
        pubnub
            .requests()
            .iter()
            .any(|r| r.path().contains("/leave")),
        "no leave: {:?}",
        pubnub.requests()
    );
}

#[test]
fn dropping_a_stream_does_not_wait_for_the_leave_which_is_sent_once() {
    let s = common::setup(Brand::August);
    // The leave is answered after 1.5 s, within its 2 s.
    let leave_after = Duration::from_millis(1500);
    let pubnub = holding_pubnub(leave_after);
    let stream = s
        .builder()
        .pubnub_origin(pubnub.url())
        .subscribe_timeout(Duration::from_secs(10))
        .start()
        .unwrap();
    wait_for_held_poll(&pubnub);
    let started = Instant::now();
    drop(stream);
    let took = started.elapsed();
    assert!(took < Duration::from_millis(300), "drop waited {took:?}");
    // The push thread sends the leave as it ends; once it is answered, and a while after,
    // there is that one.
    std::thread::sleep(leave_after + Duration::from_secs(1));
    let leaves: Vec<_> = pubnub
        .requests()
        .into_iter()
        .filter(|r| r.path().contains("/leave"))
        .collect();
    assert_eq!(leaves.len(), 1, "{:?}", pubnub.requests());
    assert_eq!(leaves[0].method, "GET");
    assert_eq!(
        leaves[0].target,
        format!(
            "/v2/presence/sub-key/{AUGUST_SUBSCRIBE_KEY}/channel/{CHANNELS}/leave\
             ?uuid={UUID}&pnsdk=august-live%2F{}",
            env!("CARGO_PKG_VERSION")
        )
    );
}

#[test]
fn empty_answers_that_come_back_at_once_are_paced() {
    let s = common::setup(Brand::August);
    let mut pn = mockito::Server::new();
    handshake(&mut pn);
    // A server that answers the long-poll at once, with no message and the same timetoken.
    // With a 50 ms unit the requests go at about 0, 0, 50, 200, 550 and 1,300 ms: four or
    // five in the first second. A loop without pacing makes thousands; the bound leaves room
    // for a loaded machine, where an answer slower than the unit restarts the pacing.
    let empty = resume(&mut pn)
        .with_header("content-type", "application/json")
        .with_body(r#"{"t":{"t":"17684712000000000","r":12},"m":[]}"#)
        .expect_at_least(2)
        .expect_at_most(30)
        .create();
    let stream = s.builder().pubnub_origin(pn.url()).start().unwrap();
    let c = common::collect(stream);
    c.drain(Duration::from_millis(1000));
    c.stop();
    empty.assert();
}

/// Subscribes that answer at once with nothing, one that fails with `fault` (a 500, or a hold
/// past the subscribe timeout), then more that answer at once: gives the time between the
/// first two subscribes after the fault.
fn gap_after_a_fault(fault: Script, subscribe_timeout: Duration) -> Duration {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let s = common::setup(Brand::August);
    let resumes = AtomicUsize::new(0);
    let pn = FaultServer::start(move |request| {
        if request.path().starts_with("/time/") {
            return json(200, b"[17684712000000001]");
        }
        if !is_held_poll(request) {
            return json(
                200,
                include_bytes!("fixtures/pubnub_subscribe_handshake.json"),
            );
        }
        // Four empty answers at once (the waits after them 0, 1, 3 and 7 units), then the
        // fault, then empty answers at once again.
        match resumes.fetch_add(1, Ordering::SeqCst) {
            4 => fault.clone(),
            _ => json(200, br#"{"t":{"t":"17684712000000000","r":12},"m":[]}"#),
        }
    });
    let stream = s
        .builder()
        .pubnub_origin(pn.url())
        .subscribe_timeout(subscribe_timeout)
        .start()
        .unwrap();
    let c = common::collect(stream);
    c.drain(Duration::from_millis(3000));
    c.stop();
    let resumes: Vec<Recorded> = pn.requests().into_iter().filter(is_held_poll).collect();
    assert!(resumes.len() >= 7, "{} subscribes", resumes.len());
    resumes[6].at - resumes[5].at
}

#[test]
fn the_pacing_starts_over_after_a_failure_or_a_timeout() {
    // With the count carried over, the first answer at once after the fault would be the
    // fifth in a row and wait 15 units (750 ms); started over, it is the first of a new run
    // and waits nothing.
    for (fault, timeout) in [
        (json(500, b"{}"), Duration::from_secs(5)),
        (
            vec![Act::Wait(Duration::from_secs(2))],
            Duration::from_millis(200),
        ),
    ] {
        let gap = gap_after_a_fault(fault, timeout);
        assert!(
            gap < Duration::from_millis(500),
            "{gap:?} between subscribes"
        );
    }
}

#[test]
fn a_probe_that_answers_while_the_subscribe_fails_backs_off_and_catches_up_once() {
    let s = common::setup(Brand::August);
    let mut pn = mockito::Server::new();
    handshake(&mut pn);
    // The long-poll always fails while the probe always answers. With a 50 ms unit the
    // delays grow over the outage (50, 150, 350, 750 ms): about five subscribes in 1.5 s.
    // Restarting them at each answered probe made one every 50 ms, each with a catch-up.
    let failing = resume(&mut pn)
        .with_status(500)
        .expect_at_least(2)
        .expect_at_most(8)
        .create();
    pn.mock("GET", "/time/0")
        .with_body("[17684712000000001]")
        .create();
    let stream = s.builder().pubnub_origin(pn.url()).start().unwrap();
    let c = common::collect(stream);
    let items = c.drain(Duration::from_millis(1500));
    c.stop();
    failing.assert();
    // Connected at the start, and once more after the first answered probe (with its
    // catch-up); not again while the subscribe still fails.
    let connected = items
        .iter()
        .filter(|e| {
            matches!(
                e,
                Ok(Event::Status(
                    august_live::StreamStatus::PushConnected { .. }
                ))
            )
        })
        .count();
    assert_eq!(connected, 2, "{items:?}");
}

#[test]
fn a_handshake_that_is_held_does_not_hold_the_start() {
    let s = common::setup(Brand::August);
    // A PubNub origin that holds every request far longer than the handshake may take.
    let held = FaultServer::always(vec![Act::Wait(Duration::from_secs(60))]);
    let started = Instant::now();
    let stream = s
        .builder()
        .pubnub_origin(held.url())
        .subscribe_timeout(Duration::from_secs(120))
        .start()
        .unwrap();
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(15),
        "start() waited {took:?} for the handshake"
    );
    assert!(matches!(
        stream.push_state(),
        august_live::PushState::Reconnecting { .. }
    ));
    stream.close();
    assert!(held.request_count() >= 1);
}

#[test]
fn a_handshake_that_is_held_again_and_again_is_asked_less_and_less_often() {
    let s = common::setup(Brand::August);
    // Every handshake is held past the client's timeout; the probe answers at once.
    let pn = FaultServer::start(|request| {
        if request.path().starts_with("/time/") {
            json(200, b"[17684712000000001]")
        } else if request.path().contains("/leave") {
            json(200, br#"{"status":200,"message":"OK"}"#)
        } else {
            vec![Act::Wait(Duration::from_secs(30))]
        }
    });
    // The handshake waits 200 ms here (the subscribe timeout, when shorter than 10 s); the
    // delays after each held one are 1, 3, 7 units (100 ms). Asked again at once, the
    // handshakes would come every 200 ms.
    let hold = Duration::from_millis(200);
    let unit = Duration::from_millis(100);
    let stream = s
        .builder()
        .pubnub_origin(pn.url())
        .subscribe_timeout(hold)
        .reconnect_unit(unit)
        .start()
        .unwrap();
    let c = common::collect(stream);
    // Five handshakes, however long a loaded machine takes to send them.
    let handshakes = |pn: &FaultServer| -> Vec<Instant> {
        pn.requests()
            .iter()
            .filter(|r| r.path().starts_with("/v2/subscribe/") && !is_held_poll(r))
            .map(|r| r.at)
            .collect()
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while handshakes(&pn).len() < 5 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let items = c.drain(Duration::from_millis(100));
    c.stop();
    let handshakes = handshakes(&pn);
    let gaps: Vec<Duration> = handshakes.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(gaps.len() >= 4, "{gaps:?}");
    // From the second handshake (the first of the loop; the start's is before it) to the
    // fifth: three holds and 1 + 3 + 7 units, 1700 ms, where handshakes asked again at once
    // take three holds, 600 ms. A loaded machine only adds to either; 250 ms are left for a
    // request that reaches the server later than it was sent.
    let span = handshakes[4] - handshakes[1];
    assert!(
        span >= hold * 3 + unit * 11 - Duration::from_millis(250),
        "{gaps:?}"
    );
    // Each held handshake is told as a disconnection, with its delay.
    assert!(
        items.iter().any(|e| matches!(
            e,
            Ok(Event::Status(august_live::StreamStatus::PushDisconnected { reason, .. }))
                if reason.contains("handshake")
        )),
        "{items:?}"
    );
}

/// A PubNub answer that quotes the request: its URL (the subscribe key, the channels and the
/// uuid), and the key alone.
fn echo_of_the_request() -> String {
    format!(
        r#"{{"message":"no access for {AUGUST_SUBSCRIBE_KEY} to GET https://ps.pndsn.com{}?tt=0&uuid={UUID}","error":true}}"#,
        path()
    )
}

#[test]
fn a_refusal_that_quotes_the_request_shows_neither_the_key_nor_the_url() {
    let s = common::setup(Brand::August);
    let mut pn = mockito::Server::new();
    let refused = subscribe(&mut pn, "0", None)
        .with_status(403)
        .with_header("content-type", "application/json")
        .with_body(echo_of_the_request())
        .expect(1)
        .create();
    let Err(err) = s.builder().pubnub_origin(pn.url()).start() else {
        panic!("the stream started");
    };
    refused.assert();
    let Error::PushForbidden { status, message } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(*status, 403);
    assert_eq!(message, "no access for <redacted> to GET");
    for shown in [err.to_string(), format!("{err:?}")] {
        for secret in [AUGUST_SUBSCRIBE_KEY, UUID, CHANNELS, "://"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
    }
}

#[test]
fn a_failed_subscribe_that_quotes_the_request_shows_neither_the_key_nor_the_url() {
    let s = common::setup(Brand::August);
    let mut pn = mockito::Server::new();
    handshake(&mut pn);
    resume(&mut pn)
        .with_status(500)
        .with_body(echo_of_the_request())
        .expect_at_least(1)
        .create();
    let stream = s.builder().pubnub_origin(pn.url()).start().unwrap();
    let c = common::collect(stream);
    let (reason, _) = first_disconnection(&c);
    c.stop();
    assert_eq!(
        reason,
        r#"subscribe answered status 500: {"message":"no access for <redacted> to GET"#
    );
}

/// The reason and the delay of the stream's first `PushDisconnected`, which must come within
/// 10 s.
fn first_disconnection(c: &common::Collector) -> (String, Duration) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(Ok(Event::Status(august_live::StreamStatus::PushDisconnected {
            reason,
            retry_in,
        }))) = c.rx.recv_timeout(Duration::from_millis(100))
        {
            return (reason, retry_in);
        }
    }
    panic!("no disconnection");
}

#[test]
fn a_reconnect_unit_too_large_waits_the_maximum_at_most() {
    let s = common::setup(Brand::August);
    let mut pn = mockito::Server::new();
    handshake(&mut pn);
    resume(&mut pn).with_status(500).expect_at_least(1).create();
    // The first delay is one unit: an hour, but no delay is longer than the maximum.
    let stream = s
        .builder()
        .pubnub_origin(pn.url())
        .reconnect_unit(Duration::from_secs(3600))
        .start()
        .unwrap();
    let c = common::collect(stream);
    let (_, retry_in) = first_disconnection(&c);
    c.stop();
    assert_eq!(retry_in, MAX_RECONNECT_DELAY);
    assert_eq!(MAX_RECONNECT_DELAY, Duration::from_secs(150));
}
