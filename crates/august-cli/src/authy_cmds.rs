//! `august authy ...`: every call of the Authy API client.

use anyhow::anyhow;
use authy_client::{
    Activity, ActivityType, ApprovalRequest, AuthyApiClient, AuthyId, CreateUserOptions, Logo,
    LogoResolution, QrOptions, TokenRequestOptions, VerificationStartOptions, VerifyOptions, Via,
};
use serde_json::{Value, json};

use crate::cli::{
    ActivityKind, AppCommand, AuthyCommand, CallbackMethodArg, OnetouchCommand, PhonesCommand,
    TokenRequestArgs, TokensCommand, UsersCommand, ViaArg,
};
use crate::failure::{Usage, after_sending};
use crate::output::{self, Table, key_values, or_none, show, yes_no};
use crate::session::Context;

/// The Authy client from `--authy-url` and `--authy-api-key`.
pub fn client(ctx: &Context) -> anyhow::Result<AuthyApiClient> {
    let key = ctx
        .authy_api_key
        .clone()
        .filter(|k| !k.is_empty())
        .ok_or_else(|| {
            Usage("no Authy API key: set AUTHY_API_KEY or pass --authy-api-key".into())
        })?;
    let mut builder = AuthyApiClient::builder(key);
    if let Some(url) = ctx.authy_url.as_deref().filter(|u| !u.is_empty()) {
        builder = builder.base_url(url);
    }
    Ok(builder.build()?)
}

fn authy_id(text: &str) -> anyhow::Result<AuthyId> {
    AuthyId::parse(text).map_err(|e| Usage(format!("invalid Authy ID `{text}`: {e}")).into())
}

fn token_options(o: &TokenRequestArgs) -> TokenRequestOptions {
    let mut options = TokenRequestOptions::new();
    if o.force {
        options = options.force(true);
    }
    if let Some(a) = &o.action {
        options = options.action(a.clone());
    }
    if let Some(m) = &o.action_message {
        options = options.action_message(m.clone());
    }
    if let Some(l) = &o.locale {
        options = options.locale(l.clone());
    }
    options
}

fn message_pair(message: Option<&str>) -> (&'static str, String) {
    ("message", or_none(message))
}

/// Runs an `august authy` command.
pub fn run(ctx: &Context, command: &AuthyCommand) -> anyhow::Result<()> {
    let authy = client(ctx)?;
    match command {
        AuthyCommand::Users(c) => users(ctx, &authy, c),
        AuthyCommand::Tokens(c) => tokens(ctx, &authy, c),
        AuthyCommand::Phones(c) => phones(ctx, &authy, c),
        AuthyCommand::App(c) => app(ctx, &authy, c),
        AuthyCommand::Onetouch(c) => onetouch(ctx, &authy, c),
    }
}

fn users(ctx: &Context, authy: &AuthyApiClient, command: &UsersCommand) -> anyhow::Result<()> {
    let users = authy.users();
    match command {
        UsersCommand::Create {
            email,
            phone,
            country_code,
            send_install_link,
        } => {
            let options = CreateUserOptions::new()
                .country_code(*country_code)
                .send_install_link_via_sms(*send_install_link);
            let user = users.create_with(email, phone, &options).map_err(|e| {
                after_sending(e, || {
                    // Created again with the install link, the user gets another SMS.
                    let (link, again) = if *send_install_link {
                        (
                            " and the install link sent by SMS",
                            ", and with --send-install-link sends another SMS: leave it out unless the user got none",
                        )
                    } else {
                        ("", "")
                    };
                    format!(
                        "the request to create the user failed, but the user may have been created{link}: creating it again with the same phone and country code gives the same Authy ID{again}"
                    )
                })
            })?;
            show(
                ctx,
                &user,
                &[
                    ("authy id", user.id().to_string()),
                    message_pair(user.message()),
                ],
            )
        }
        UsersCommand::Status { authy_id: id } => {
            let s = users.status(authy_id(id)?)?;
            show(
                ctx,
                &s,
                &[
                    ("authy id", or_none(s.authy_id())),
                    ("confirmed", yes_no(s.confirmed())),
                    ("registered", yes_no(s.registered())),
                    ("country code", or_none(s.country_code())),
                    ("phone", or_none(s.phone_number())),
                    ("email", or_none(s.email())),
                    (
                        "devices",
                        or_none(Some(s.devices().join(", ")).filter(|d| !d.is_empty())),
                    ),
                    ("hard token", or_none(s.has_hard_token().map(yes_no))),
                    ("disabled", or_none(s.account_disabled().map(yes_no))),
                    message_pair(s.message()),
                ],
            )
        }
        UsersCommand::Delete { authy_id: id } => {
            let c = users.delete(authy_id(id)?).map_err(|e| {
                after_sending(e, || {
                    format!(
                        "the request to delete the user failed, but the user may have been deleted: see `august authy users status {id}` before trying again"
                    )
                })
            })?;
            show(
                ctx,
                &c,
                &[("deleted", yes_no(true)), message_pair(c.message())],
            )
        }
        UsersCommand::Sms {
            authy_id: id,
            options,
        }
        | UsersCommand::Call {
            authy_id: id,
            options,
        } => {
            let id = authy_id(id)?;
            let options = token_options(options);
            let (d, what) = if matches!(command, UsersCommand::Sms { .. }) {
                (users.request_sms_with(id, &options), "an SMS")
            } else {
                (users.request_call_with(id, &options), "a call")
            };
            let d = d.map_err(|e| {
                after_sending(e, || {
                    format!(
                        "the request for {what} failed, but {what} with a code may have gone out: ask the user before requesting another"
                    )
                })
            })?;
            show(
                ctx,
                &d,
                &[
                    ("ignored", yes_no(d.ignored())),
                    message_pair(d.message()),
                    ("cellphone", or_none(d.cellphone())),
                    ("device", or_none(d.device())),
                ],
            )
        }
        UsersCommand::Qr {
            authy_id: id,
            size,
            label,
        } => {
            let mut options = QrOptions::new();
            if let Some(s) = size {
                options = options.size(*s);
            }
            if let Some(l) = label {
                options = options.label(l.clone());
            }
            let qr = users.generate_qr_with(authy_id(id)?, &options).map_err(|e| {
                after_sending(e, || {
                    "the request for a QR code failed, but a new one may have been made: generate one again before showing it to the user".into()
                })
            })?;
            show(
                ctx,
                &qr,
                &[
                    ("qr code", or_none(qr.qr_code())),
                    ("label", or_none(qr.label())),
                    ("issuer", or_none(qr.issuer())),
                    message_pair(qr.message()),
                ],
            )
        }
        UsersCommand::RegistrationStatus { custom_user_id } => {
            let r = users.registration_status(custom_user_id)?;
            // Each field in words, those of an object (`status`, as Authy sends it) as fields
            // of their own; `success` is said by the exit code.
            let shown = |v: &Value| match v {
                Value::String(s) => s.clone(),
                Value::Bool(b) => yes_no(*b),
                Value::Null => output::NONE.to_owned(),
                other => other.to_string(),
            };
            let mut pairs: Vec<(String, String)> = Vec::new();
            for (k, v) in r.content().iter().filter(|(k, _)| *k != "success") {
                match v {
                    Value::Object(fields) => {
                        pairs.extend(fields.iter().map(|(k, v)| (output::words(k), shown(v))))
                    }
                    _ => pairs.push((output::words(k), shown(v))),
                }
            }
            let pairs: Vec<(&str, String)> =
                pairs.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            show(ctx, &r, &pairs)
        }
        UsersCommand::RegisterActivity {
            authy_id: id,
            activity_type,
            user_ip,
            data,
        } => {
            let kind = match activity_type {
                ActivityKind::PasswordReset => ActivityType::PasswordReset,
                ActivityKind::Banned => ActivityType::Banned,
                ActivityKind::Unbanned => ActivityType::Unbanned,
                ActivityKind::CookieLogin => ActivityType::CookieLogin,
            };
            let mut activity = Activity::new(kind, user_ip.clone());
            for (k, v) in data {
                activity = activity.data(k.clone(), v.clone());
            }
            let c = users
                .register_activity(authy_id(id)?, &activity)
                .map_err(|e| {
                    after_sending(e, || {
                        "the request to register the activity failed, but it may have been registered: check before registering it again".into()
                    })
                })?;
            show(
                ctx,
                &c,
                &[("registered", yes_no(true)), message_pair(c.message())],
            )
        }
    }
}

fn tokens(ctx: &Context, authy: &AuthyApiClient, command: &TokensCommand) -> anyhow::Result<()> {
    match command {
        TokensCommand::Verify {
            authy_id: id,
            token,
            no_force,
            action,
        } => {
            let mut options = VerifyOptions::new().force(!no_force);
            if let Some(a) = action {
                options = options.action(a.clone());
            }
            let v = authy
                .tokens()
                .verify_with(authy_id(id)?, token, &options)
                .map_err(|e| {
                    after_sending(e, || {
                        "the token check failed, but the token may have been accepted and recorded as used: ask the user for a new token before checking again (this one would be refused as used)".into()
                    })
                })?;
            show(
                ctx,
                &v,
                &[
                    ("valid", yes_no(true)),
                    message_pair(v.message()),
                    ("device", or_none(v.device().and_then(|d| d.os_type()))),
                ],
            )
        }
    }
}

fn phones(ctx: &Context, authy: &AuthyApiClient, command: &PhonesCommand) -> anyhow::Result<()> {
    let phones = authy.phones();
    match command {
        PhonesCommand::VerificationStart {
            phone,
            country_code,
            via,
            locale,
            code_length,
        } => {
            let mut options = VerificationStartOptions::new().via(match via {
                ViaArg::Sms => Via::Sms,
                ViaArg::Call => Via::Call,
            });
            if let Some(l) = locale {
                options = options.locale(l.clone());
            }
            if let Some(n) = code_length {
                options = options.code_length(*n);
            }
            let v = phones
                .verification_start_with(phone, *country_code, &options)
                .map_err(|e| {
                    after_sending(e, || {
                        "the request to start the verification failed, but a code may have been sent: ask the user before starting another".into()
                    })
                })?;
            show(
                ctx,
                &v,
                &[
                    message_pair(v.message()),
                    ("carrier", or_none(v.carrier())),
                    ("cellphone", or_none(v.is_cellphone().map(yes_no))),
                    ("ported", or_none(v.is_ported().map(yes_no))),
                    (
                        "expires in",
                        or_none(v.seconds_to_expire().map(|s| format!("{s} s"))),
                    ),
                    ("uuid", or_none(v.uuid())),
                ],
            )
        }
        PhonesCommand::VerificationCheck {
            phone,
            code,
            country_code,
        } => {
            let c = phones
                .verification_check(phone, *country_code, code)
                .map_err(|e| {
                    after_sending(e, || {
                        "the check failed, but the code may have been accepted: do not check it again (an accepted code ends the verification, and a second check says no verification is pending)".into()
                    })
                })?;
            show(
                ctx,
                &c,
                &[("verified", yes_no(true)), message_pair(c.message())],
            )
        }
        PhonesCommand::Info {
            phone,
            country_code,
        } => {
            let i = phones.info(phone, *country_code)?;
            show(
                ctx,
                &i,
                &[
                    ("type", i.phone_type().to_string()),
                    ("provider", or_none(i.provider())),
                    ("ported", or_none(i.ported().map(yes_no))),
                    message_pair(i.message()),
                ],
            )
        }
    }
}

fn app(ctx: &Context, authy: &AuthyApiClient, command: &AppCommand) -> anyhow::Result<()> {
    match command {
        AppCommand::Details => {
            let a = authy.apps().fetch()?;
            show(
                ctx,
                &a,
                &[
                    ("app id", or_none(a.app_id())),
                    ("name", or_none(a.name())),
                    ("plan", or_none(a.plan())),
                    ("sms", or_none(a.sms_enabled().map(yes_no))),
                    ("calls", or_none(a.phone_calls_enabled().map(yes_no))),
                    ("onetouch", or_none(a.onetouch_enabled().map(yes_no))),
                    message_pair(a.message()),
                ],
            )
        }
        AppCommand::Stats => {
            let s = authy.stats().fetch()?;
            if ctx.json {
                return output::print_json(&output::to_json(&s)?);
            }
            let mut text = key_values(&[
                ("app id", or_none(s.app_id())),
                ("total users", or_none(s.total_users())),
            ]);
            let mut table = Table::new(&[
                "MONTH",
                "YEAR",
                "API CALLS",
                "AUTHS",
                "CALLS",
                "SMS",
                "USERS",
            ]);
            for m in s.months() {
                table.row(vec![
                    or_none(m.month()),
                    or_none(m.year()),
                    m.api_calls_count().to_string(),
                    m.auths_count().to_string(),
                    m.calls_count().to_string(),
                    m.sms_count().to_string(),
                    m.users_count().to_string(),
                ]);
            }
            text.push('\n');
            text.push_str(&table.render());
            output::print(&text)
        }
    }
}

fn logo(res: &str, url: &str) -> anyhow::Result<Logo> {
    let res = match res {
        "default" => LogoResolution::Default,
        "low" => LogoResolution::Low,
        "med" => LogoResolution::Med,
        "high" => LogoResolution::High,
        other => {
            return Err(Usage(format!(
                "unknown logo resolution `{other}`: expected default, low, med or high"
            ))
            .into());
        }
    };
    Ok(Logo::new(res, url))
}

fn onetouch(
    ctx: &Context,
    authy: &AuthyApiClient,
    command: &OnetouchCommand,
) -> anyhow::Result<()> {
    let one_touch = authy.one_touch();
    match command {
        OnetouchCommand::Create {
            authy_id: id,
            message,
            seconds_to_expire,
            detail,
            hidden_detail,
            logo: logos,
        } => {
            let mut request = ApprovalRequest::new(message.clone());
            if let Some(s) = seconds_to_expire {
                request = request.seconds_to_expire(*s);
            }
            for (k, v) in detail {
                request = request.detail(k.clone(), v.clone());
            }
            for (k, v) in hidden_detail {
                request = request.hidden_detail(k.clone(), v.clone());
            }
            for (res, url) in logos {
                request = request.logo(logo(res, url)?);
            }
            let created = one_touch
                .send_request(authy_id(id)?, &request)
                .map_err(|e| {
                    after_sending(e, || {
                        "the approval request failed, but it may have reached the user's device: ask the user before sending another".into()
                    })
                })?;
            show(ctx, &created, &[("uuid", created.uuid().to_owned())])
        }
        OnetouchCommand::Status { uuid } => {
            let s = one_touch.get_approval_status(uuid)?;
            show(
                ctx,
                &s,
                &[
                    ("status", s.status().to_string()),
                    ("uuid", or_none(s.uuid())),
                    ("notified", or_none(s.notified().map(yes_no))),
                    ("created at", or_none(s.created_at())),
                    ("updated at", or_none(s.updated_at())),
                    ("processed at", or_none(s.processed_at())),
                    (
                        "expires in",
                        or_none(s.seconds_to_expire().map(|x| format!("{x} s"))),
                    ),
                    ("authy id", or_none(s.authy_id())),
                    ("app", or_none(s.app_name())),
                ],
            )
        }
        OnetouchCommand::VerifyCallback {
            method,
            url,
            body,
            query,
            params,
            nonce,
            signature,
        } => {
            let valid = match (method, body, query, params) {
                (_, None, None, Some(p)) => {
                    let params: Value = serde_json::from_str(p)
                        .map_err(|e| Usage(format!("--params is not JSON: {e}")))?;
                    let m = match method {
                        CallbackMethodArg::Get => "GET",
                        CallbackMethodArg::Post => "POST",
                    };
                    one_touch.validate_one_touch_signature(signature, nonce, m, url, &params)?
                }
                (CallbackMethodArg::Post, Some(b), None, None) => {
                    one_touch.validate_post_callback(signature, nonce, url, b.as_bytes())?
                }
                (CallbackMethodArg::Get, None, Some(q), None) => {
                    one_touch.validate_get_callback(signature, nonce, url, q)?
                }
                (CallbackMethodArg::Post, _, _, _) => {
                    return Err(Usage(
                        "a POST callback needs --body JSON (or --params JSON)".into(),
                    )
                    .into());
                }
                (CallbackMethodArg::Get, _, _, _) => {
                    return Err(Usage(
                        "a GET callback needs --query QUERY (or --params JSON)".into(),
                    )
                    .into());
                }
            };
            if ctx.json {
                output::print_json(&json!({"valid": valid}))?;
            } else if valid {
                output::print("valid\n")?;
            }
            if valid {
                Ok(())
            } else {
                Err(anyhow!(
                    "the callback signature does not match: reject the callback"
                ))
            }
        }
    }
}
