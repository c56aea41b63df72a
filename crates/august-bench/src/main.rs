//! `august-bench`: the Rust side of `bench/side_by_side.sh`.
//!
//! ```text
//! august-bench serve [--port N]                      serve the recorded answers until stdin closes
//! august-bench lock-detail --base-url URL [--calls N] N get_lock_detail calls
//! august-bench authy-verify --base-url URL [--calls N] N tokens().verify calls
//! august-bench bare-get --url URL [--calls N]         N bare ureq GETs (the transport floor)
//! august-bench transport-get --base-url URL [--calls N]
//!                                                     N lock-detail GETs through api-transport
//! august-bench raw-get --addr HOST:PORT --path P [--calls N]
//!                                                     N hand-written GETs on one TcpStream
//! august-bench parse-feed --entries N --into typed|value|skip [--calls K]
//!                                                     parse an N-entry activity feed K times
//! august-bench live-latency [--events N]              push latency, sandbox op -> iterator
//! august-bench live-idle [--seconds S]                CPU time of an idle stream
//! august-bench live-memory [--events N]               resident memory over N events
//! august-bench parse-lock-detail --into typed|value|skip [--calls K]
//!                                                     parse the recorded lock detail K times
//! august-bench parse-lock-users --into typed|value|skip [--calls K]
//!                                                     parse its users object K times
//! ```
//!
//! The call loops print one JSON line: `{"calls", "seconds", "calls_per_second",
//! "micros_per_call"}`.

mod live;

use std::io::Read;
use std::process::ExitCode;

use august_bench::{
    ParseInto, Timing, activity_feed, lock_detail_users, run_authy_verify, run_bare_get,
    run_lock_detail, run_parse_feed, run_parse_lock_detail, run_parse_users, run_raw_get,
    run_transport_get, server,
};

const USAGE: &str = "\
usage: august-bench serve [--port N]
       august-bench lock-detail --base-url URL [--calls N]
       august-bench authy-verify --base-url URL [--calls N]
       august-bench bare-get --url URL [--calls N]
       august-bench transport-get --base-url URL [--calls N]
       august-bench raw-get --addr HOST:PORT --path P [--calls N]
       august-bench parse-feed --entries N --into typed|value|skip [--calls K]
       august-bench parse-lock-detail --into typed|value|skip [--calls K]
       august-bench parse-lock-users --into typed|value|skip [--calls K]
       august-bench live-latency [--events N]
       august-bench live-idle [--seconds S]
       august-bench live-memory [--events N]";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("august-bench: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> Result<(), String> {
    let Some((command, rest)) = args.split_first() else {
        return Err(USAGE.into());
    };
    let option = |name: &str| -> Option<&str> {
        rest.iter()
            .position(|a| a == name)
            .and_then(|i| rest.get(i + 1))
            .map(String::as_str)
    };
    let calls: u32 = option("--calls")
        .unwrap_or("2000")
        .parse()
        .map_err(|_| "--calls takes a positive integer".to_owned())?;
    if calls == 0 {
        return Err("--calls takes a positive integer".into());
    }
    let required = |name: &str| option(name).ok_or_else(|| format!("{name} is required\n{USAGE}"));
    let number = |name: &str, default: &str| -> Result<usize, String> {
        option(name)
            .unwrap_or(default)
            .parse()
            .map_err(|_| format!("{name} takes a number"))
    };
    let live = match command.as_str() {
        "live-latency" => Some(live::latency(number("--events", "1000")?)),
        "live-idle" => Some(live::idle(number("--seconds", "60")? as u64)),
        "live-memory" => Some(live::memory(number("--events", "100000")?)),
        _ => None,
    };
    if let Some(result) = live {
        println!("{}", result?);
        return Ok(());
    }
    let timing = match command.as_str() {
        "serve" => {
            let port: u16 = option("--port")
                .unwrap_or("0")
                .parse()
                .map_err(|_| "--port takes a port number".to_owned())?;
            let server = server::Server::start(port, server::default_routes())
                .map_err(|e| format!("cannot listen: {e}"))?;
            println!("{}", server.url());
            // Serve until the parent closes our stdin (or kills us).
            let _ = std::io::stdin().read_to_end(&mut Vec::new());
            return Ok(());
        }
        "lock-detail" => run_lock_detail(required("--base-url")?, calls),
        "authy-verify" => run_authy_verify(required("--base-url")?, calls),
        "bare-get" => run_bare_get(required("--url")?, calls),
        "transport-get" => run_transport_get(required("--base-url")?, calls),
        "raw-get" => run_raw_get(required("--addr")?, required("--path")?, calls),
        "parse-feed" => {
            let entries: usize = required("--entries")?
                .parse()
                .map_err(|_| "--entries takes a number".to_owned())?;
            let into = parse_into(required("--into")?)?;
            let feed = activity_feed(entries).map_err(|e| e.to_string())?;
            run_parse_feed(&feed, into, calls)
        }
        "parse-lock-detail" => run_parse_lock_detail(parse_into(required("--into")?)?, calls),
        "parse-lock-users" => {
            let users = lock_detail_users().map_err(|e| e.to_string())?;
            run_parse_users(&users, parse_into(required("--into")?)?, calls)
        }
        _ => return Err(USAGE.into()),
    }
    .map_err(|e| e.to_string())?;
    print_timing(&timing);
    Ok(())
}

fn parse_into(value: &str) -> Result<ParseInto, String> {
    match value {
        "typed" => Ok(ParseInto::Typed),
        "value" => Ok(ParseInto::Value),
        "skip" => Ok(ParseInto::Skip),
        _ => Err("--into is typed, value or skip".into()),
    }
}

fn print_timing(timing: &Timing) {
    println!(
        "{{\"calls\": {}, \"seconds\": {:.4}, \"calls_per_second\": {:.1}, \"micros_per_call\": {:.2}}}",
        timing.calls,
        timing.elapsed.as_secs_f64(),
        timing.calls_per_second(),
        timing.micros_per_call()
    );
}
