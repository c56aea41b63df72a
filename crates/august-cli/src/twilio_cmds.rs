//! `august twilio ...`: Twilio Verify v2 (verifications, factors, challenges) and Lookup v2,
//! and the `X-Twilio-Signature` check of Verify's webhooks.

use clap::{Args, Subcommand};
use serde_json::json;
use twilio_verify::signature::RequestValidator;
use twilio_verify::{
    ApiErrorReason, ChallengeFilter, Channel, CheckOutcome, Credentials, Identity, LookupField,
    LookupOptions, NewChallenge, NewTotpFactor, ServiceSid, StartVerification, Verification,
    VerifyClient,
};

use crate::failure::{Usage, after_sending};
use crate::output::{self, or_none, show, time, to_json, yes_no};
use crate::session::Context;

/// `august twilio ...`: settings and the command.
#[derive(Args)]
pub struct TwilioArgs {
    /// Base URL of Verify v2; defaults to https://verify.twilio.com
    #[arg(long, env = "TWILIO_VERIFY_URL", value_name = "URL")]
    pub verify_url: Option<String>,

    /// Base URL of Lookup v2; defaults to https://lookups.twilio.com
    #[arg(long, env = "TWILIO_LOOKUP_URL", value_name = "URL")]
    pub lookup_url: Option<String>,

    /// API key SID (SK…), used with TWILIO_API_KEY_SECRET (recommended)
    #[arg(long, env = "TWILIO_API_KEY_SID", value_name = "SID")]
    pub api_key_sid: Option<String>,

    /// API key secret (never printed)
    #[arg(
        long,
        env = "TWILIO_API_KEY_SECRET",
        value_name = "SECRET",
        hide_env_values = true
    )]
    pub api_key_secret: Option<String>,

    /// Account SID (AC…), used with TWILIO_AUTH_TOKEN when no API key is set
    #[arg(long, env = "TWILIO_ACCOUNT_SID", value_name = "SID")]
    pub account_sid: Option<String>,

    /// Auth token: credentials without an API key, and the key of webhook signatures (never
    /// printed)
    #[arg(
        long,
        env = "TWILIO_AUTH_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub auth_token: Option<String>,

    /// The Verify service (VA…)
    #[arg(long, env = "TWILIO_VERIFY_SERVICE_SID", value_name = "SID")]
    pub service: Option<String>,

    /// The command
    #[command(subcommand)]
    pub command: TwilioCommand,
}

/// The `twilio` commands.
#[derive(Subcommand)]
pub enum TwilioCommand {
    /// Send and check one-time codes (SMS, call, e-mail, WhatsApp)
    #[command(subcommand)]
    Verifications(VerificationsCommand),
    /// TOTP factors of a user (entity)
    #[command(subcommand)]
    Factors(FactorsCommand),
    /// Challenges: TOTP checks and push approvals
    #[command(subcommand)]
    Challenges(ChallengesCommand),
    /// Look a phone number up (Lookup v2)
    Lookup {
        /// The number, E.164 (+15555550100)
        number: String,
        /// Data packages, comma-separated (line_type_intelligence, caller_name, ...)
        #[arg(long, value_delimiter = ',', value_name = "FIELDS")]
        fields: Vec<String>,
    },
    /// Check a webhook's X-Twilio-Signature with the auth token
    Signature {
        /// The URL Twilio called, exactly (query included)
        #[arg(long)]
        url: String,
        /// The X-Twilio-Signature header
        #[arg(long)]
        signature: String,
        /// A form parameter, name=value (repeat for each)
        #[arg(long = "param", value_name = "NAME=VALUE")]
        params: Vec<String>,
        /// The raw JSON body (its SHA-256 must be the URL's bodySHA256)
        #[arg(long, conflicts_with = "params")]
        body: Option<String>,
    },
}

/// `august twilio verifications ...`.
#[derive(Subcommand)]
pub enum VerificationsCommand {
    /// Send a code (sent once, never retried)
    Start {
        /// E.164 phone number, or an e-mail address with --channel email
        to: String,
        /// How the code is sent
        #[arg(
            long,
            default_value = "sms",
            value_parser = clap::builder::PossibleValuesParser::new(twilio_verify::Channel::KNOWN.iter().copied())
        )]
        channel: String,
        /// Language of the message (en, es, pt-BR...)
        #[arg(long)]
        locale: Option<String>,
    },
    /// Check a code (sent once: a retried check turns an approval into not found)
    Check {
        /// The phone number or e-mail address the code went to
        to: String,
        /// The code the user typed
        code: String,
    },
    /// Show a pending verification
    Fetch {
        /// Verification SID (VE…)
        sid: String,
    },
    /// Cancel a pending verification
    Cancel {
        /// Verification SID (VE…)
        sid: String,
    },
}

/// `august twilio factors ...`.
#[derive(Subcommand)]
pub enum FactorsCommand {
    /// Enrol a TOTP app: prints the otpauth:// URI (with the seed) once
    CreateTotp {
        /// Your id of the user (8-64 dash-separated letters and digits)
        identity: String,
        /// Name shown in the authenticator app
        name: String,
    },
    /// Verify a new TOTP factor with a code from the app
    Verify {
        /// The user's identity
        identity: String,
        /// Factor SID (YF…)
        factor: String,
        /// The code
        code: String,
    },
    /// List a user's factors
    List {
        /// The user's identity
        identity: String,
    },
    /// Delete a factor
    Delete {
        /// The user's identity
        identity: String,
        /// Factor SID (YF…)
        factor: String,
    },
}

/// `august twilio challenges ...`.
#[derive(Subcommand)]
pub enum ChallengesCommand {
    /// Check a TOTP code (--code) or send a push approval request (--message)
    Create {
        /// The user's identity
        identity: String,
        /// Factor SID (YF…)
        factor: String,
        /// A TOTP code: checks it
        #[arg(long, conflicts_with = "message")]
        code: Option<String>,
        /// A push message: sends it
        #[arg(long, required_unless_present = "code")]
        message: Option<String>,
        /// A push detail, label=value (repeat for each)
        #[arg(long = "field", value_name = "LABEL=VALUE")]
        fields: Vec<String>,
    },
    /// Show a challenge (poll a push answer)
    Fetch {
        /// The user's identity
        identity: String,
        /// Challenge SID (YC…)
        challenge: String,
    },
    /// List a user's challenges
    List {
        /// The user's identity
        identity: String,
    },
}

struct Setup {
    client: VerifyClient,
    service: Option<String>,
    auth_token: Option<String>,
}

fn setup(ctx: &Context, args: &TwilioArgs) -> anyhow::Result<Setup> {
    let nonempty = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
    // The sandbox of this run stands in for both APIs, with its demo account and service.
    let (credentials, verify_url, lookup_url, service, auth_token) = match ctx.sandbox() {
        Some(sandbox) => {
            use august_sandbox::verify as demo;
            (
                Some(Credentials::api_key(
                    demo::API_KEY_SID,
                    demo::API_KEY_SECRET,
                )),
                Some(sandbox.verify_url()),
                Some(sandbox.lookup_url()),
                Some(demo::SERVICE_SID.to_owned()),
                Some(demo::AUTH_TOKEN.to_owned()),
            )
        }
        None => (
            match (
                nonempty(&args.api_key_sid),
                nonempty(&args.api_key_secret),
                nonempty(&args.account_sid),
                nonempty(&args.auth_token),
            ) {
                (Some(sid), Some(secret), _, _) => Some(Credentials::api_key(sid, secret)),
                (_, _, Some(sid), Some(token)) => Some(Credentials::account(sid, token)),
                _ => None,
            },
            nonempty(&args.verify_url),
            nonempty(&args.lookup_url),
            nonempty(&args.service),
            nonempty(&args.auth_token),
        ),
    };
    let needs_credentials = !matches!(args.command, TwilioCommand::Signature { .. });
    let credentials = match credentials {
        Some(c) => c,
        None if needs_credentials => {
            return Err(Usage(
                "no Twilio credentials: set TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET, or TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"
                    .into(),
            )
            .into());
        }
        // The signature check needs only the auth token.
        None => Credentials::api_key("unused", "unused"),
    };
    let mut builder = VerifyClient::builder(credentials);
    if let Some(url) = verify_url {
        builder = builder.verify_url(url);
    }
    if let Some(url) = lookup_url {
        builder = builder.lookup_url(url);
    }
    Ok(Setup {
        client: builder.build()?,
        service,
        auth_token,
    })
}

fn service(setup: &Setup) -> anyhow::Result<ServiceSid> {
    let sid = setup.service.as_deref().ok_or_else(|| {
        Usage("no Verify service: set TWILIO_VERIFY_SERVICE_SID or pass --service".into())
    })?;
    sid.parse()
        .map_err(|e| Usage(format!("invalid service `{sid}`: {e}")).into())
}

fn parse<T: std::str::FromStr>(what: &str, text: &str) -> anyhow::Result<T>
where
    T::Err: std::fmt::Display,
{
    text.parse()
        .map_err(|e| Usage(format!("invalid {what} `{text}`: {e}")).into())
}

fn pair(text: &str) -> anyhow::Result<(String, String)> {
    text.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| Usage(format!("expected NAME=VALUE, got `{text}`")).into())
}

/// A check of a code succeeds (exit code 0) only when Verify answered with the status an
/// accepted code gives; any other status is a failure (exit code 1), after the answer was shown.
fn code_accepted(status: &str, accepted: &str) -> anyhow::Result<()> {
    if status == accepted {
        Ok(())
    } else {
        Err(anyhow::anyhow!("the code was not {accepted} ({status})"))
    }
}

/// Every record of a list: their JSON, or a table of `headers` with a row of each.
fn show_list<T: serde::Serialize>(
    ctx: &Context,
    records: impl Iterator<Item = twilio_verify::Result<T>>,
    headers: &[&'static str],
    row: impl Fn(&T) -> Vec<String>,
) -> anyhow::Result<()> {
    let all = records.collect::<Result<Vec<_>, _>>()?;
    output::show_table(ctx, &all, headers, row)
}

/// A verification: its JSON, or its SID, recipient and status; with the code the sandbox
/// "sent", when there is one.
fn show_verification(
    ctx: &Context,
    verification: &Verification,
    sandbox_code: Option<String>,
) -> anyhow::Result<()> {
    let mut value = to_json(verification)?;
    let mut pairs = vec![
        ("sid", verification.sid.to_string()),
        ("to", or_none(verification.to.as_deref())),
        ("status", verification.status.to_string()),
    ];
    if let Some(code) = sandbox_code {
        value["sandbox_code"] = code.clone().into();
        pairs.push(("sandbox code", code));
    }
    show(ctx, &value, &pairs)
}

/// Runs an `august twilio` command.
pub fn run(ctx: &Context, args: &TwilioArgs) -> anyhow::Result<()> {
    let setup = setup(ctx, args)?;
    let client = &setup.client;
    match &args.command {
        TwilioCommand::Verifications(command) => {
            let service = service(&setup)?;
            let v = client.verifications(&service);
            match command {
                VerificationsCommand::Start {
                    to,
                    channel,
                    locale,
                } => {
                    let channel: Channel = parse("channel", channel)?;
                    let mut start = StartVerification::new(to, channel);
                    if let Some(locale) = locale {
                        start = start.locale(locale);
                    }
                    let verification = v.start_with(&start).map_err(|e| {
                        after_sending(e, || {
                            format!(
                                "the request to start the verification failed, but a code may have been sent to {to}: ask the user before starting another"
                            )
                        })
                    })?;
                    // The sandbox of this run is gone when it ends: show the code it "sent".
                    let code = ctx.sandbox().and_then(|s| s.verify_code(to));
                    show_verification(ctx, &verification, code)
                }
                VerificationsCommand::Check { to, code } => {
                    let outcome = v.check_to(to, code).map_err(|e| {
                        after_sending(e, || {
                            "the check failed, but the code may have been accepted or spent an attempt: do not check it again (an approved verification is deleted, and a second check says not_found)".into()
                        })
                    })?;
                    let (status, approved) = match &outcome {
                        CheckOutcome::Approved(_) => ("approved", true),
                        CheckOutcome::Pending(_) => ("pending", false),
                        CheckOutcome::NotApproved(c) => (c.status.as_str(), false),
                        CheckOutcome::NotFound => ("not_found", false),
                        CheckOutcome::MaxAttempts => ("max_attempts", false),
                        _ => ("unknown", false),
                    };
                    // the check as Verify sent it; no check when there was no verification
                    let value = match &outcome {
                        CheckOutcome::Approved(c)
                        | CheckOutcome::Pending(c)
                        | CheckOutcome::NotApproved(c) => to_json(c)?,
                        _ => json!({"status": status, "valid": approved}),
                    };
                    show(ctx, &value, &[("status", status.to_owned())])?;
                    code_accepted(status, "approved")
                }
                VerificationsCommand::Fetch { sid } => {
                    show_verification(ctx, &v.fetch(&parse("verification sid", sid)?)?, None)
                }
                VerificationsCommand::Cancel { sid } => {
                    let canceled = v.cancel(&parse("verification sid", sid)?).map_err(|e| {
                        after_sending(e, || {
                            format!(
                                "the request to cancel failed, but the verification may have been canceled: see `august twilio verifications fetch {sid}` before trying again"
                            )
                        })
                    })?;
                    show_verification(ctx, &canceled, None)
                }
            }
        }
        TwilioCommand::Factors(command) => {
            let service = service(&setup)?;
            factors(ctx, client, &service, command)
        }
        TwilioCommand::Challenges(command) => {
            let service = service(&setup)?;
            challenges(ctx, client, &service, command)
        }
        TwilioCommand::Lookup { number, fields } => {
            let mut options = LookupOptions::new();
            for field in fields {
                options = options.field(parse::<LookupField>("lookup field", field)?);
            }
            let info = client.lookup().phone_number(number, &options)?;
            let lti = info.line_type_intelligence.as_ref();
            show(
                ctx,
                &info,
                &[
                    ("number", or_none(info.phone_number.as_deref())),
                    ("valid", or_none(info.valid.map(yes_no))),
                    ("country", or_none(info.country_code.as_deref())),
                    ("national format", or_none(info.national_format.as_deref())),
                    (
                        "line type",
                        or_none(
                            lti.and_then(|l| l.line_type.as_ref())
                                .map(ToString::to_string),
                        ),
                    ),
                    (
                        "carrier",
                        or_none(lti.and_then(|l| l.carrier_name.as_deref())),
                    ),
                ],
            )
        }
        TwilioCommand::Signature {
            url,
            signature,
            params,
            body,
        } => {
            let token = setup.auth_token.as_deref().ok_or_else(|| {
                Usage("no auth token: set TWILIO_AUTH_TOKEN (webhooks are signed with it)".into())
            })?;
            let validator = RequestValidator::new(token);
            let valid = match body {
                Some(body) => validator.validate_body(url, body.as_bytes(), signature),
                None => {
                    let pairs = params
                        .iter()
                        .map(|p| pair(p))
                        .collect::<anyhow::Result<Vec<_>>>()?;
                    let refs: Vec<(&str, &str)> = pairs
                        .iter()
                        .map(|(k, v)| (k.as_str(), v.as_str()))
                        .collect();
                    validator.validate(url, &refs, signature)
                }
            };
            show(ctx, &json!({"valid": valid}), &[("valid", yes_no(valid))])?;
            if valid {
                Ok(())
            } else {
                Err(anyhow::anyhow!("the signature does not match"))
            }
        }
    }
}

fn factors(
    ctx: &Context,
    client: &VerifyClient,
    service: &ServiceSid,
    command: &FactorsCommand,
) -> anyhow::Result<()> {
    match command {
        FactorsCommand::CreateTotp { identity, name } => {
            let identity: Identity = parse("identity", identity)?;
            let entities = client.entities(service);
            match entities.fetch(&identity) {
                Ok(_) => {}
                Err(e) if e.reason() == Some(ApiErrorReason::NotFound) => {
                    entities.create(&identity).map_err(|e| {
                        after_sending(e, || {
                            format!(
                                "the request to create the entity {identity} failed, but it may have been created: the command run again uses it if it exists"
                            )
                        })
                    })?;
                }
                Err(e) => return Err(e.into()),
            }
            let new = client
                .factors(service, &identity)
                .create_totp(&NewTotpFactor::new(name))
                .map_err(|e| {
                    after_sending(e, || {
                        format!(
                            "the request to create the factor failed, but it may have been created: see `august twilio factors list {identity}` before trying again"
                        )
                    })
                })?;
            let uri = new
                .binding
                .as_ref()
                .and_then(|b| b.uri.as_ref())
                .map(|u| u.expose().to_owned());
            show(
                ctx,
                &new,
                &[
                    ("sid", new.factor.sid.to_string()),
                    ("status", new.factor.status.to_string()),
                    ("uri", or_none(uri.as_deref())),
                ],
            )
        }
        FactorsCommand::Verify {
            identity,
            factor,
            code,
        } => {
            let identity: Identity = parse("identity", identity)?;
            let factor = client
                .factors(service, &identity)
                .verify(&parse("factor sid", factor)?, code)
                .map_err(|e| {
                    after_sending(e, || {
                        format!(
                            "the check failed, but the code may have been accepted or spent an attempt: see `august twilio factors list {identity}` before checking again"
                        )
                    })
                })?;
            let status = factor.status.to_string();
            show(
                ctx,
                &factor,
                &[("sid", factor.sid.to_string()), ("status", status.clone())],
            )?;
            code_accepted(&status, "verified")
        }
        FactorsCommand::List { identity } => {
            let identity: Identity = parse("identity", identity)?;
            let pages = client.factors(service, &identity).list();
            show_list(ctx, pages, &["SID", "TYPE", "STATUS", "NAME"], |f| {
                vec![
                    f.sid.to_string(),
                    f.factor_type.to_string(),
                    f.status.to_string(),
                    or_none(f.friendly_name.as_deref()),
                ]
            })
        }
        FactorsCommand::Delete { identity, factor } => {
            let identity: Identity = parse("identity", identity)?;
            // A delete is harmless to send again (done once, it is done): whatever its
            // error, its outcome is not in doubt, and the error says so.
            client
                .factors(service, &identity)
                .delete(&parse("factor sid", factor)?)?;
            show(ctx, &json!({"deleted": true}), &[("deleted", "yes".into())])
        }
    }
}

fn challenges(
    ctx: &Context,
    client: &VerifyClient,
    service: &ServiceSid,
    command: &ChallengesCommand,
) -> anyhow::Result<()> {
    let one = |c: &twilio_verify::Challenge| {
        show(
            ctx,
            c,
            &[
                ("sid", c.sid.to_string()),
                ("status", c.status.to_string()),
                (
                    "factor",
                    or_none(c.factor_sid.as_ref().map(ToString::to_string)),
                ),
            ],
        )
    };
    match command {
        ChallengesCommand::Create {
            identity,
            factor,
            code,
            message,
            fields,
        } => {
            let identity: Identity = parse("identity", identity)?;
            let factor = parse("factor sid", factor)?;
            let mut new = match (code, message) {
                (Some(code), _) => NewChallenge::totp(factor, code),
                (None, Some(message)) => NewChallenge::push(factor, message),
                (None, None) => return Err(Usage("give --code or --message".into()).into()),
            };
            for field in fields {
                let (label, value) = pair(field)?;
                new = new.field(label, value);
            }
            let created = client
                .challenges(service, &identity)
                .create(&new)
                .map_err(|e| {
                    after_sending(e, || {
                        format!(
                            "the request to create the challenge failed, but a push may have reached the device or a code spent an attempt: see `august twilio challenges list {identity}` before creating another"
                        )
                    })
                })?;
            one(&created)?;
            // A push waits for the user; a code is checked at once.
            if code.is_some() {
                code_accepted(&created.status.to_string(), "approved")
            } else {
                Ok(())
            }
        }
        ChallengesCommand::Fetch {
            identity,
            challenge,
        } => {
            let identity: Identity = parse("identity", identity)?;
            one(&client
                .challenges(service, &identity)
                .fetch(&parse("challenge sid", challenge)?)?)
        }
        ChallengesCommand::List { identity } => {
            let identity: Identity = parse("identity", identity)?;
            let pages = client
                .challenges(service, &identity)
                .list(&ChallengeFilter::new());
            show_list(ctx, pages, &["SID", "STATUS", "FACTOR", "CREATED"], |c| {
                vec![
                    c.sid.to_string(),
                    c.status.to_string(),
                    or_none(c.factor_sid.as_ref().map(ToString::to_string)),
                    time(c.date_created),
                ]
            })
        }
    }
}
