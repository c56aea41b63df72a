//! `august-sandbox`: runs the August and Authy emulator on 127.0.0.1 until interrupted, printing
//! its URLs, the demo credentials and every code or token it "sends".

use std::process::ExitCode;
use std::time::Duration;

use august_sandbox::{Sandbox, demo};

const USAGE: &str = "\
usage: august-sandbox [--port N] [--token-lifetime SECONDS] [--authy-api-key KEY] [--callback-url URL]
                      [--refuse-public-keys] [--write-home-assistant FILE]
                      [--demo-events SECONDS]

Runs a local emulator of the August and Authy APIs on 127.0.0.1 until Ctrl-C.

options:
  --port N                   port to listen on (default 8080; 0 picks a free one)
  --token-lifetime SECONDS   lifetime of August access tokens (default 120 days)
  --authy-api-key KEY        Authy API key to accept (default: the demo key)
  --callback-url URL         loopback http URL to post signed OneTouch callbacks to
  --refuse-public-keys       refuse the apps' built-in API keys (403) as the real service does;
                             accept only the demo partner key
  --write-home-assistant FILE
                             write a demo Home Assistant core.config_entries file (yale entry)
  --demo-events SECONDS      produce a demo event (unlock, door, lock, ring, motion) every
                             SECONDS, pushed to PubNub and websocket subscribers
  -h, --help                 print this help
  -V, --version              print the version";

struct Options {
    port: u16,
    token_lifetime: Option<Duration>,
    authy_api_key: Option<String>,
    callback_url: Option<String>,
    refuse_public_keys: bool,
    home_assistant_file: Option<String>,
    demo_events: Option<Duration>,
}

enum Parsed {
    Run(Options),
    Exit(String),
}

fn parse(args: impl IntoIterator<Item = String>) -> Result<Parsed, String> {
    let mut options = Options {
        port: 8080,
        token_lifetime: None,
        authy_api_key: None,
        callback_url: None,
        refuse_public_keys: false,
        home_assistant_file: None,
        demo_events: None,
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = |what: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs {what}"))
        };
        match name.as_str() {
            "-h" | "--help" => return Ok(Parsed::Exit(USAGE.to_owned())),
            "-V" | "--version" => {
                return Ok(Parsed::Exit(format!(
                    "august-sandbox {}",
                    env!("CARGO_PKG_VERSION")
                )));
            }
            "--port" | "-p" => {
                let v = value("a port number")?;
                options.port = v
                    .parse()
                    .map_err(|_| format!("invalid port `{v}`: expected 0 to 65535"))?;
            }
            "--token-lifetime" => {
                let v = value("a number of seconds")?;
                let secs: u64 = v
                    .parse()
                    .map_err(|_| format!("invalid token lifetime `{v}`: expected seconds"))?;
                options.token_lifetime = Some(Duration::from_secs(secs));
            }
            "--authy-api-key" => options.authy_api_key = Some(value("a key")?),
            "--callback-url" => options.callback_url = Some(value("a url")?),
            "--refuse-public-keys" => options.refuse_public_keys = true,
            "--write-home-assistant" => options.home_assistant_file = Some(value("a file")?),
            "--demo-events" => {
                let v = value("a number of seconds")?;
                let interval = v
                    .parse()
                    .ok()
                    .filter(|s: &f64| *s >= 0.01)
                    .and_then(|s| Duration::try_from_secs_f64(s).ok())
                    .ok_or_else(|| format!("invalid interval `{v}`: expected seconds"))?;
                options.demo_events = Some(interval);
            }
            other => return Err(format!("unknown argument `{other}`\n\n{USAGE}")),
        }
    }
    Ok(Parsed::Run(options))
}

/// Logs to standard error as `RUST_LOG` says (nothing when unset), with ureq's targets capped
/// at `debug` whatever it says: beyond that ureq dumps raw requests, credentials included.
fn init_logging() {
    let logger = env_logger::Builder::from_default_env().build();
    let max = logger.filter();
    // A second logger cannot be installed; there is none before this.
    let _ = api_transport::install_capped_logger(logger, max);
}

fn main() -> ExitCode {
    init_logging();
    let options = match parse(std::env::args().skip(1)) {
        Ok(Parsed::Run(o)) => o,
        Ok(Parsed::Exit(text)) => {
            println!("{text}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("august-sandbox: {e}");
            return ExitCode::from(2);
        }
    };
    let mut builder = Sandbox::builder().port(options.port).on_event(|event| {
        println!("{event}");
    });
    if let Some(lifetime) = options.token_lifetime {
        builder = builder.token_lifetime(lifetime);
    }
    if let Some(key) = &options.authy_api_key {
        builder = builder.authy_api_key(key.clone());
    }
    if let Some(interval) = options.demo_events {
        builder = builder.demo_events(interval);
    }
    if let Some(url) = &options.callback_url {
        builder = builder.authy_callback_url(url.clone());
    }
    if options.refuse_public_keys {
        builder = builder.refuse_public_keys();
    }
    let sandbox = match builder.start() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("august-sandbox: {e}");
            return ExitCode::FAILURE;
        }
    };
    let url = sandbox.august_url();
    println!("august-sandbox {} listening", env!("CARGO_PKG_VERSION"));
    println!("  August API:  {url}");
    println!("  Authy API:   {}", sandbox.authy_url());
    println!("  Sandbox:     {url}/__sandbox  (stats, faults, codes; see docs/sandbox.md)");
    println!();
    println!("demo account (August):");
    println!("  phone:       {}", demo::PHONE);
    println!("  e-mail:      {}", demo::EMAIL);
    println!("  password:    {}", demo::PASSWORD);
    println!("  house:       {} ({})", demo::HOUSE_ID, demo::HOUSE_NAME);
    println!(
        "  locks:       {} Front Door (online bridge, door sensor)",
        demo::FRONT_DOOR_LOCK_ID
    );
    println!(
        "               {} Back Door (no bridge: 409)",
        demo::BACK_DOOR_LOCK_ID
    );
    println!(
        "               {} Garage Door (bridge offline: 422)",
        demo::GARAGE_DOOR_LOCK_ID
    );
    println!(
        "  doorbells:   {} Front Door (online), {} Back Door (offline)",
        demo::FRONT_DOORBELL_ID,
        demo::BACK_DOORBELL_ID
    );
    let (authorize, token) = sandbox.oauth_endpoints("yale_global");
    println!("demo OAuth client (yale_global, yale_august; any loopback redirect URI):");
    println!("  client id:   {}", demo::OAUTH_CLIENT_ID);
    println!("  secret:      {}", demo::OAUTH_CLIENT_SECRET);
    println!("  authorize:   {authorize}  (yale_august: /oauth/yale_august/authorization)");
    println!("  token:       {token}");
    if options.refuse_public_keys {
        println!(
            "  built-in API keys are refused; partner key: {}",
            demo::PARTNER_API_KEY
        );
    }
    if let Some(path) = &options.home_assistant_file {
        match std::fs::write(path, sandbox.home_assistant_config_entries("yale_global")) {
            Ok(()) => println!("  Home Assistant demo file: {path}"),
            Err(e) => eprintln!("august-sandbox: cannot write {path}: {e}"),
        }
    }
    println!("demo application (Authy):");
    println!("  api key:     {}", sandbox.authy_api_key());
    println!(
        "  users:       {} (SMS, custom id {}), {} (has the app, custom id {})",
        demo::AUTHY_SMS_USER_ID,
        demo::AUTHY_SMS_USER_CUSTOM_ID,
        demo::AUTHY_APP_USER_ID,
        demo::AUTHY_APP_USER_CUSTOM_ID
    );
    {
        use august_sandbox::verify as twilio;
        println!("Twilio Verify v2 and Lookup v2 (paths under /v2/, same origin):");
        println!(
            "  api key:     {} / {}",
            twilio::API_KEY_SID,
            twilio::API_KEY_SECRET
        );
        println!(
            "  account:     {} / {}",
            twilio::ACCOUNT_SID,
            twilio::AUTH_TOKEN
        );
        println!("  service:     {}", twilio::SERVICE_SID);
        println!("  codes:       {url}/__sandbox/verify/code?to=<to>");
        println!(
            "  push device: POST {url}/__sandbox/verify/factors/{{YF}}/verify, \
             POST {url}/__sandbox/verify/challenges/{{YC}}/approve (or deny)"
        );
    }
    println!();
    println!("codes and tokens the sandbox sends are printed below; Ctrl-C stops it");
    loop {
        std::thread::park();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Parsed, String> {
        parse(args.iter().map(|s| (*s).to_owned()))
    }

    #[test]
    fn parses_flags() {
        let Ok(Parsed::Run(o)) = run(&["--port", "9000", "--token-lifetime=60"]) else {
            panic!("expected options");
        };
        assert_eq!(o.port, 9000);
        assert_eq!(o.token_lifetime, Some(Duration::from_secs(60)));
        let Ok(Parsed::Run(o)) = run(&[]) else {
            panic!("expected options");
        };
        assert_eq!(o.port, 8080);
        let err = |args: &[&str]| run(args).err().unwrap_or_default();
        assert!(err(&["--port"]).contains("needs a port number"));
        assert!(err(&["--port", "x"]).contains("invalid port"));
        assert!(err(&["--bogus"]).contains("unknown argument"));
        assert!(matches!(run(&["--help"]), Ok(Parsed::Exit(t)) if t.starts_with("usage")));
    }

    #[test]
    fn a_demo_interval_is_refused_when_no_duration_holds_it_not_a_panic() {
        let Ok(Parsed::Run(o)) = run(&["--demo-events", "2.5"]) else {
            panic!("expected options");
        };
        assert_eq!(o.demo_events, Some(Duration::from_millis(2500)));
        for bad in ["1e300", "inf", "NaN", "0.001", "-1", "x"] {
            let err = run(&["--demo-events", bad]).err().unwrap_or_default();
            assert_eq!(err, format!("invalid interval `{bad}`: expected seconds"));
        }
    }
}
