//! The command line: global options, the August commands and the `authy` group.

use std::path::PathBuf;

use august_core::{Brand, LoginMethod};
use clap::builder::{FalseyValueParser, PossibleValue, TypedValueParser};
use clap::{ArgAction, Args, CommandFactory, Parser, Subcommand, ValueEnum};

/// The exit codes, shown at the end of `--help` and in docs/cli.md.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  the command failed (the message says why)
  2  usage: unknown command or flag, a missing argument or setting, an argument the SDK refuses before sending it, or a token cache path the file policy refuses (a link, another user's file, a directory others can write to): choose another with --cache FILE or fix its permissions
  3  log in again: not logged in, the login expired or is waiting for its code, or the server refused the token (401)
  4  rate limited (429): wait before trying again
  5  outcome unknown: a request that changes something (lock, unlock, a code sent or checked, a user, factor or challenge created...) may have taken effect: no answer in time, a lost connection, a 5xx, an answer that could not be read (a read without an answer is 1, as it changed nothing, and so is a delete of a Verify factor, harmless to send again); the message says what to check before trying again
  130  interrupted: a Ctrl-C while `august watch` closes its stream (after a first Ctrl-C, or once watch has ended by itself) ended it at once

Logging: RUST_LOG turns on logging to standard error (env_logger syntax: RUST_LOG=debug, RUST_LOG=api_transport=debug); nothing is logged when it is unset, and no secret at any level.

Global options (--json, --sandbox, --cache...) go before or after the subcommand: `august locks --json` is `august --json locks`.

Secrets: the password comes from AUGUST_PASSWORD or a prompt that does not echo; the access token only ever goes to the cache file (mode 0600); the Authy API key, the Twilio API key secret and auth token are never printed.";

/// Command-line tool for the August and Yale Access smart-lock API and the Authy API.
#[derive(Parser)]
#[command(
    name = "august",
    version,
    about = "Command-line tool for the August and Yale Access smart-lock API and the Authy two-factor API",
    after_help = EXIT_CODES_HELP,
    max_term_width = 100
)]
pub struct Cli {
    /// Base URL of the August API (a local server or a proxy you run); defaults to the brand's
    #[arg(long, env = "AUGUST_BASE_URL", value_name = "URL", global = true)]
    pub base_url: Option<String>,

    /// Brand of the account: august (the default), yale_access, yale_global or yale_august
    /// (yale_home is retired: Yale Home accounts use yale_global); without it, a cached OAuth or
    /// imported sign-in gives its brand
    #[arg(long, env = "AUGUST_BRAND", value_name = "BRAND", value_parser = BrandParser, hide_possible_values = true, global = true)]
    pub brand: Option<Brand>,

    /// Token cache file; defaults to <username>.json in the per-user data directory, or
    /// default.json there when no username is known
    #[arg(long, env = "AUGUST_CACHE_FILE", value_name = "FILE", global = true)]
    pub cache: Option<PathBuf>,

    /// Account: a phone number with + and country code, or an e-mail address; also picks the
    /// default cache file
    #[arg(long, env = "AUGUST_USERNAME", value_name = "USERNAME", global = true)]
    pub username: Option<String>,

    /// Print results as JSON instead of tables
    #[arg(long, env = "AUGUST_JSON", action = ArgAction::SetTrue, value_parser = FalseyValueParser::new(), global = true)]
    pub json: bool,

    /// Base URL of the Authy API; defaults to https://api.authy.com
    #[arg(long, env = "AUTHY_API_URL", value_name = "URL", global = true)]
    pub authy_url: Option<String>,

    /// Authy application API key (never printed)
    #[arg(
        long,
        env = "AUTHY_API_KEY",
        value_name = "KEY",
        hide_env_values = true,
        global = true
    )]
    pub authy_api_key: Option<String>,

    /// Partner API key, for the password login: the keys built into the public apps are refused
    /// by the service now (never printed)
    #[arg(
        long,
        env = "AUGUST_API_KEY",
        value_name = "KEY",
        hide_env_values = true,
        global = true
    )]
    pub api_key: Option<String>,

    /// PubNub origin `august watch` subscribes to; defaults to the base URL when --base-url
    /// names another server than the brand's, else PubNub's
    #[arg(long, env = "AUGUST_PUBNUB_ORIGIN", value_name = "URL", global = true)]
    pub pubnub_origin: Option<String>,

    /// Websocket server URL `august watch` connects to (yale_global); defaults to the base URL
    /// when --base-url names another server than the brand's, else the brand's
    #[arg(long, env = "AUGUST_WEBSOCKET_URL", value_name = "URL", global = true)]
    pub websocket_url: Option<String>,

    /// Run the command against a local sandbox started for it, signed in as its demo user
    #[arg(long, env = "AUGUST_SANDBOX", action = ArgAction::SetTrue, value_parser = FalseyValueParser::new(), global = true)]
    pub sandbox: bool,

    /// The command
    #[command(subcommand)]
    pub command: Command,
}

/// Global options only the August commands read: accepted, but not shown, in the help of
/// the `authy` and `twilio` groups.
const AUGUST_ONLY: [&str; 7] = [
    "base_url",
    "brand",
    "cache",
    "username",
    "api_key",
    "pubnub_origin",
    "websocket_url",
];

/// Global options only the `authy` group reads: not shown in the help of the others.
const AUTHY_ONLY: [&str; 2] = ["authy_url", "authy_api_key"];

/// The command line, each subcommand's help listing only the global options it reads.
///
/// A subcommand that has its own copy of a global option does not get the top-level one, and
/// passes its copy on to its own subcommands: a hidden copy hides it in the whole group.
pub fn command() -> clap::Command {
    let mut cmd = Cli::command();
    let globals: Vec<clap::Arg> = cmd.get_arguments().cloned().collect();
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|c| c.get_name().to_owned())
        .collect();
    for name in names {
        let unused: Vec<&str> = match name.as_str() {
            "authy" => AUGUST_ONLY.to_vec(),
            "twilio" | "completions" => [AUGUST_ONLY.as_slice(), &AUTHY_ONLY].concat(),
            _ => AUTHY_ONLY.to_vec(),
        };
        let hidden = globals
            .iter()
            .filter(|a| unused.contains(&a.get_id().as_str()))
            .map(|a| a.clone().hide(true));
        cmd = cmd.mut_subcommand(name, |c| c.args(hidden));
    }
    cmd
}

fn parse_brand(s: &str) -> Result<Brand, august_core::UnknownBrand> {
    s.parse()
}

/// `--brand`: parsed as [`Brand`] is, with the brands' names as its possible values (for the
/// shell completions); the retired ones are accepted by the parser (which refuses them with
/// the brand to use) but not offered.
#[derive(Clone)]
struct BrandParser;

impl TypedValueParser for BrandParser {
    type Value = Brand;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Brand, clap::Error> {
        parse_brand.parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(Brand::ALL.into_iter().map(|brand| {
            PossibleValue::new(brand.as_str()).hide(brand.config().retired)
        })))
    }
}

/// How the account is identified at login.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Method {
    /// A phone number; the code comes by SMS
    Phone,
    /// An e-mail address; the code comes by e-mail
    Email,
}

impl From<Method> for LoginMethod {
    fn from(m: Method) -> LoginMethod {
        match m {
            Method::Phone => LoginMethod::Phone,
            Method::Email => LoginMethod::Email,
        }
    }
}

/// The commands.
#[derive(Subcommand)]
pub enum Command {
    /// Sign in: with the password and, the first time on this machine, a verification code;
    /// or with OAuth (--oauth), a Home Assistant file (--import-ha) or a token (--token)
    Login(LoginArgs),
    /// Show the signed-in account, its brand, how it signed in, the token's expiry and whether
    /// it can refresh
    Whoami,
    /// Finish a login that waits for its verification code
    Verify(VerifyArgs),
    /// Forget the login: delete the token cache file
    Logout,
    /// List the account's locks
    Locks,
    /// Show one lock in detail
    LockDetail(LockArg),
    /// Show a lock's bolt and door state
    Status(LockArg),
    /// Lock a lock (waits up to a minute for the bridge)
    Lock(LockArg),
    /// Unlock a lock (waits up to a minute for the bridge)
    Unlock(LockArg),
    /// List the account's doorbells
    Doorbells,
    /// Show one doorbell in detail
    Doorbell(DoorbellArg),
    /// Wake a doorbell up
    Wakeup(DoorbellArg),
    /// Save a doorbell's latest snapshot to a file
    Image {
        #[command(flatten)]
        doorbell: DoorbellArg,
        /// Where to write the image (`-` for standard output)
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
    },
    /// List the account's houses
    Houses,
    /// Show one house
    House {
        /// House ID (see `august houses` or `august locks`)
        id: String,
    },
    /// Show a house's latest activity
    Activity {
        /// House ID
        house_id: String,
        /// How many entries to fetch
        #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=1000))]
        limit: u32,
    },
    /// List a lock's entry codes
    Pins(LockArg),
    /// Call the Authy API (needs AUTHY_API_KEY)
    #[command(subcommand)]
    Authy(AuthyCommand),
    /// Call Twilio Verify v2 and Lookup v2, check webhook signatures (needs TWILIO_* settings)
    Twilio(crate::twilio_cmds::TwilioArgs),
    /// Print the completion script of a shell: bash, zsh, fish, powershell or elvish
    /// (`august completions bash > ~/.local/share/bash-completion/completions/august`)
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print lock, door and doorbell events as they happen (push, with feed catch-up);
    /// Ctrl-C stops once the stream is closed, a Ctrl-C while it closes exits at once
    Watch(WatchArgs),
    /// Show what a lock can do (unlatch, door sensor, keypad...)
    Capabilities {
        /// Lock ID (sent as the service's serialNumber, as the mobile apps do)
        lock_id: String,
    },
}

/// The lock a command is about.
#[derive(Args)]
pub struct LockArg {
    /// Lock ID (see `august locks`)
    pub id: String,
}

/// The doorbell a command is about.
#[derive(Args)]
pub struct DoorbellArg {
    /// Doorbell ID (see `august doorbells`)
    pub id: String,
}

/// `august watch`.
#[derive(Args)]
pub struct WatchArgs {
    /// Follow one house only (default: every house of the account)
    #[arg(long, value_name = "ID")]
    pub house: Option<String>,
    /// Exit after this many events
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub count: Option<u64>,
}

/// `august login`.
#[derive(Args)]
pub struct LoginArgs {
    /// How the username identifies the account
    #[arg(long, env = "AUGUST_LOGIN_METHOD", value_enum, default_value = "phone")]
    pub method: Method,
    /// A verification code you already have: check it instead of sending a new one
    #[arg(long, value_name = "CODE")]
    pub code: Option<String>,
    /// Sign in with OAuth (brands yale_global, yale_august) with your client credentials:
    /// prints the authorization URL, opens a browser, waits for the redirect
    #[arg(long, conflicts_with_all = ["import_ha", "token", "code"])]
    pub oauth: bool,
    /// OAuth client id
    #[arg(long, env = "AUGUST_OAUTH_CLIENT_ID", value_name = "ID")]
    pub client_id: Option<String>,
    /// OAuth client secret (never printed)
    #[arg(
        long,
        env = "AUGUST_OAUTH_CLIENT_SECRET",
        value_name = "SECRET",
        hide_env_values = true
    )]
    pub client_secret: Option<String>,
    /// OAuth redirect URI registered for your client: a loopback http URL this tool listens on
    /// (port 0: any free port, named in the authorization URL)
    #[arg(
        long,
        env = "AUGUST_OAUTH_REDIRECT_URI",
        value_name = "URI",
        default_value = "http://127.0.0.1:8765/callback"
    )]
    pub redirect_uri: String,
    /// OAuth authorize URL; defaults to the brand's
    #[arg(long, env = "AUGUST_OAUTH_AUTHORIZE_URL", value_name = "URL")]
    pub authorize_url: Option<String>,
    /// OAuth token URL; defaults to the brand's
    #[arg(long, env = "AUGUST_OAUTH_TOKEN_URL", value_name = "URL")]
    pub token_url: Option<String>,
    /// Do not try to open a browser: only print the authorization URL
    #[arg(long)]
    pub no_browser: bool,
    /// Use the token of Home Assistant's August or Yale integration from this file
    /// (<config>/.storage/core.config_entries, one entry, or its data), read again whenever the
    /// token nears expiry; with --sandbox a missing file is written with the demo entry
    #[arg(long, value_name = "FILE", conflicts_with_all = ["token", "code"])]
    pub import_ha: Option<PathBuf>,
    /// Use this access token (`-` reads it from standard input), for --brand
    #[arg(long, value_name = "TOKEN", conflicts_with = "code")]
    pub token: Option<String>,
    /// With --token: its refresh token (kept, not used without client credentials); `-` reads
    /// it from standard input (after the token, when that is `-` too)
    #[arg(long, value_name = "TOKEN", requires = "token")]
    pub refresh_token: Option<String>,
    /// With --token: when it expires (RFC 3339); defaults to the token's own `exp`, if any
    #[arg(long, value_name = "TIME", requires = "token")]
    pub expires_at: Option<String>,
}

/// `august verify`.
#[derive(Args)]
pub struct VerifyArgs {
    /// The verification code sent by `august login`
    pub code: String,
}

/// `august authy ...`.
#[derive(Subcommand)]
pub enum AuthyCommand {
    /// Users: create, status, delete, SMS and call tokens, QR codes, registration, activity
    #[command(subcommand)]
    Users(UsersCommand),
    /// Token checks
    #[command(subcommand)]
    Tokens(TokensCommand),
    /// Phone verification and phone information
    #[command(subcommand)]
    Phones(PhonesCommand),
    /// The application's details and statistics
    #[command(subcommand)]
    App(AppCommand),
    /// OneTouch approval requests and callback signatures
    #[command(subcommand)]
    Onetouch(OnetouchCommand),
}

/// Options of the SMS and call token requests.
#[derive(Args)]
pub struct TokenRequestArgs {
    /// Send even when the user has the Authy app
    #[arg(long)]
    pub force: bool,
    /// Custom action the token is for
    #[arg(long, value_name = "ACTION")]
    pub action: Option<String>,
    /// Message shown with the custom action
    #[arg(long, value_name = "TEXT")]
    pub action_message: Option<String>,
    /// Language of the message (`es`, `fr`, ...)
    #[arg(long, value_name = "LOCALE")]
    pub locale: Option<String>,
}

/// `august authy users ...`.
#[derive(Subcommand)]
pub enum UsersCommand {
    /// Create (or find) a user by phone number
    Create {
        /// The user's e-mail address
        #[arg(long)]
        email: String,
        /// The user's phone number, without the country code
        #[arg(long)]
        phone: String,
        /// Country calling code (1 for the USA)
        #[arg(long, default_value_t = 1)]
        country_code: u16,
        /// Send the user a link to install the Authy app
        #[arg(long)]
        send_install_link: bool,
    },
    /// Show a user's status and devices
    Status {
        /// Authy ID
        authy_id: String,
    },
    /// Delete a user from the application
    Delete {
        /// Authy ID
        authy_id: String,
    },
    /// Send the user a token by SMS
    Sms {
        /// Authy ID
        authy_id: String,
        #[command(flatten)]
        options: TokenRequestArgs,
    },
    /// Call the user and read a token
    Call {
        /// Authy ID
        authy_id: String,
        #[command(flatten)]
        options: TokenRequestArgs,
    },
    /// Make a QR code for a generic authenticator app
    Qr {
        /// Authy ID
        authy_id: String,
        /// Size in pixels
        #[arg(long)]
        size: Option<u32>,
        /// Label shown in the authenticator app
        #[arg(long)]
        label: Option<String>,
    },
    /// Show the registration status of a user known by your own ID
    RegistrationStatus {
        /// Your application's user ID
        custom_user_id: String,
    },
    /// Report a user activity for Authy's fraud signals
    RegisterActivity {
        /// Authy ID
        authy_id: String,
        /// What happened
        #[arg(long = "type", value_enum)]
        activity_type: ActivityKind,
        /// The user's IP address
        #[arg(long)]
        user_ip: String,
        /// Extra data, as KEY=VALUE (repeatable)
        #[arg(long, value_name = "KEY=VALUE", value_parser = parse_pair)]
        data: Vec<(String, String)>,
    },
}

/// Kinds of user activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ActivityKind {
    /// password_reset
    PasswordReset,
    /// banned
    Banned,
    /// unbanned
    Unbanned,
    /// cookie_login
    CookieLogin,
}

/// `august authy tokens ...`.
#[derive(Subcommand)]
pub enum TokensCommand {
    /// Check a token the user typed
    Verify {
        /// Authy ID
        authy_id: String,
        /// The token (6 to 12 digits)
        token: String,
        /// Do not send force=true (check only users who finished registration)
        #[arg(long)]
        no_force: bool,
        /// Custom action the token was issued for
        #[arg(long)]
        action: Option<String>,
    },
}

/// Delivery of a phone verification code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ViaArg {
    /// By SMS
    Sms,
    /// By a voice call
    Call,
}

/// `august authy phones ...`.
#[derive(Subcommand)]
pub enum PhonesCommand {
    /// Send a verification code to a phone number
    VerificationStart {
        /// Phone number, without the country code
        phone: String,
        /// Country calling code
        #[arg(long, default_value_t = 1)]
        country_code: u16,
        /// How to deliver the code
        #[arg(long, value_enum, default_value = "sms")]
        via: ViaArg,
        /// Language of the message
        #[arg(long)]
        locale: Option<String>,
        /// Digits in the code (4 to 10)
        #[arg(long)]
        code_length: Option<u8>,
    },
    /// Check a verification code
    VerificationCheck {
        /// Phone number, without the country code
        phone: String,
        /// The code the user received
        code: String,
        /// Country calling code
        #[arg(long, default_value_t = 1)]
        country_code: u16,
    },
    /// Show a phone number's line type and provider
    Info {
        /// Phone number, without the country code
        phone: String,
        /// Country calling code
        #[arg(long, default_value_t = 1)]
        country_code: u16,
    },
}

/// `august authy app ...`.
#[derive(Subcommand)]
pub enum AppCommand {
    /// Show the application's details
    Details,
    /// Show the application's monthly statistics
    Stats,
}

/// Method of a OneTouch callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CallbackMethodArg {
    /// Parameters in the query string
    Get,
    /// Parameters in the JSON body
    Post,
}

/// `august authy onetouch ...`.
#[derive(Subcommand)]
pub enum OnetouchCommand {
    /// Push an approval request to the user's Authy app
    Create {
        /// Authy ID
        authy_id: String,
        /// Message shown to the user
        #[arg(long)]
        message: String,
        /// Seconds before the request expires
        #[arg(long)]
        seconds_to_expire: Option<u32>,
        /// Detail shown to the user, as KEY=VALUE (repeatable)
        #[arg(long, value_name = "KEY=VALUE", value_parser = parse_pair)]
        detail: Vec<(String, String)>,
        /// Detail kept with the request but not shown, as KEY=VALUE (repeatable)
        #[arg(long, value_name = "KEY=VALUE", value_parser = parse_pair)]
        hidden_detail: Vec<(String, String)>,
        /// Logo, as RES=URL with RES one of default, low, med, high (repeatable)
        #[arg(long, value_name = "RES=URL", value_parser = parse_pair)]
        logo: Vec<(String, String)>,
    },
    /// Show where an approval request stands
    Status {
        /// The request's uuid
        uuid: String,
    },
    /// Check a callback's X-Authy-Signature with the API key
    VerifyCallback {
        /// The callback's HTTP method
        #[arg(long, value_enum)]
        method: CallbackMethodArg,
        /// The callback URL as Authy called it
        #[arg(long)]
        url: String,
        /// The raw JSON body of a POST callback
        #[arg(long, value_name = "JSON", conflicts_with_all = ["query", "params"])]
        body: Option<String>,
        /// The raw query string of a GET callback
        #[arg(long, value_name = "QUERY", conflicts_with_all = ["body", "params"])]
        query: Option<String>,
        /// The parameters as a JSON object (the POST body, or the decoded GET query)
        #[arg(long, value_name = "JSON", conflicts_with_all = ["body", "query"])]
        params: Option<String>,
        /// The X-Authy-Signature-Nonce header
        #[arg(long)]
        nonce: String,
        /// The X-Authy-Signature header
        #[arg(long)]
        signature: String,
    },
}

fn parse_pair(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
        _ => Err(format!("expected KEY=VALUE, got `{s}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
        command().debug_assert();
    }

    #[test]
    fn pairs_need_a_key_and_an_equals_sign() {
        assert_eq!(parse_pair("a=b=c"), Ok(("a".into(), "b=c".into())));
        assert_eq!(parse_pair("a="), Ok(("a".into(), String::new())));
        assert!(parse_pair("=b").is_err());
        assert!(parse_pair("ab").is_err());
    }
}
