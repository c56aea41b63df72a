//! Twilio Verify v2, the successor of the Authy API, against the embedded sandbox: an SMS code
//! started and checked, a TOTP factor enrolled and verified with a code computed from its
//! seed, a TOTP challenge, a push challenge approved through the sandbox, a Lookup and a
//! webhook signature check.
//!
//! ```console
//! $ cargo run --example verify --features verify
//! ```
//!
//! The sandbox (a local emulator on 127.0.0.1) serves Verify and Lookup under their real
//! paths, accepts its demo credentials and hands over the codes it "sends". Against the real
//! service the same calls run with `VerifyClient::new(Credentials::api_key(sid, secret))`; the
//! codes then come from the user.

use anyhow::{Context, Result, bail};
use august::verify::signature::RequestValidator;
use august::verify::{
    ChallengeStatus, Channel, CheckOutcome, Credentials, FactorStatus, Identity, LookupField,
    LookupOptions, NewChallenge, NewPushFactor, NewTotpFactor, NotificationPlatform, ServiceSid,
    VerifyClient,
};
use august_sandbox::{Sandbox, verify as demo};

/// The current code of a TOTP seed, as an authenticator app shows it.
fn totp_code(seed: &str) -> Result<String> {
    let secret = totp_rs::Secret::try_from_base32(seed).context("the seed is base32")?;
    Ok(totp_rs::Builder::new()
        .with_secret(secret)
        .build()
        .context("a TOTP of 6 digits every 30 s")?
        .generate_current()
        .to_string())
}

fn main() -> Result<()> {
    let sandbox = Sandbox::start()?;
    let client = VerifyClient::builder(Credentials::api_key(
        demo::API_KEY_SID,
        demo::API_KEY_SECRET,
    ))
    .base_url(sandbox.verify_url()) // Verify and Lookup, both served by the sandbox
    .build()?;
    let service: ServiceSid = demo::SERVICE_SID.parse()?;

    // 1. A code by SMS, then its check (sent once each; success is `Approved` only).
    let phone = "+15555550100";
    let verification = client.verifications(&service).start(phone, Channel::Sms)?;
    println!(
        "sms verification {} is {}",
        verification.sid, verification.status
    );
    let code = sandbox
        .verify_code(phone)
        .context("the sandbox sent a code")?;
    match client.verifications(&service).check_to(phone, &code)? {
        CheckOutcome::Approved(check) => println!("code approved for {:?}", check.to),
        other => bail!("the code was not approved: {other:?}"),
    }

    // 2. A TOTP factor: an entity, a factor, the first code from the seed.
    let identity = Identity::new("user-0042-0001")?;
    client.entities(&service).create(&identity)?;
    let factors = client.factors(&service, &identity);
    let new = factors.create_totp(&NewTotpFactor::new("alice-phone"))?;
    let binding = new.binding.context("a new TOTP factor has a binding")?;
    let seed = binding.secret.context("the binding has a seed")?;
    println!(
        "totp factor {} created; show its otpauth:// URI as a QR code",
        new.factor.sid
    );
    let factor = factors.verify(&new.factor.sid, &totp_code(seed.expose())?)?;
    if factor.status != FactorStatus::Verified {
        bail!("the factor was not verified: {}", factor.status);
    }
    println!("totp factor verified");

    // 3. A TOTP login: a challenge carrying the code.
    let challenges = client.challenges(&service, &identity);
    let challenge = challenges.create(&NewChallenge::totp(
        factor.sid.clone(),
        totp_code(seed.expose())?,
    ))?;
    println!("totp challenge {} is {}", challenge.sid, challenge.status);
    if challenge.status != ChallengeStatus::Approved {
        bail!("the totp challenge was not approved");
    }

    // 4. A push approval (the device is enrolled by the Verify Push SDK; the sandbox stands
    //    in for it), approved through the sandbox, then polled.
    let push = factors.create_push(
        &NewPushFactor::new(
            "alice-pixel",
            "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE",
            "com.example.app",
            NotificationPlatform::None,
            "1.0",
        )
        .notification_token("none-token-0123456789abcdef0123456"),
    )?;
    // The device verifies its new factor (the Verify Push SDK signs with its key); the
    // sandbox stands in for it here too.
    sandbox.verify_push_factor(push.factor.sid.as_str())?;
    let request = challenges.create(
        &NewChallenge::push(push.factor.sid.clone(), "Unlock the front door?")
            .field("Door", "Front")
            .hidden_detail("ip", "203.0.113.7"),
    )?;
    println!("push challenge {} is {}", request.sid, request.status);
    sandbox.approve_verify_challenge(request.sid.as_str())?;
    let answered = challenges.fetch(&request.sid)?;
    println!("push challenge {} is {}", answered.sid, answered.status);
    if answered.status != ChallengeStatus::Approved {
        bail!("the push challenge was not approved");
    }

    // 5. Lookup: the successor of Authy's phone info.
    let info = client.lookup().phone_number(
        phone,
        &LookupOptions::new().field(LookupField::LineTypeIntelligence),
    )?;
    let line = info
        .line_type_intelligence
        .context("line type intelligence")?;
    println!(
        "lookup {}: valid {:?}, {:?} line by {:?}",
        phone,
        info.valid,
        line.line_type.map(|t| t.to_string()),
        line.carrier_name
    );

    // 6. A Verify Push webhook, signed with the auth token, checked as a receiver would.
    let validator = RequestValidator::new(demo::AUTH_TOKEN);
    let url = "https://example.com/verify/webhook";
    let params = [
        ("type", "challenge.approved"),
        ("factor_sid", push.factor.sid.as_str()),
        ("entity_identity", identity.as_str()),
    ];
    let signature = validator.compute_signature(url, &params);
    let tampered = [("type", "challenge.denied"), params[1], params[2]];
    println!(
        "webhook signature valid: {}, tampered: {}",
        validator.validate(url, &params, &signature),
        validator.validate(url, &tampered, &signature)
    );
    if !validator.validate(url, &params, &signature)
        || validator.validate(url, &tampered, &signature)
    {
        bail!("the webhook signature check failed");
    }
    Ok(())
}
