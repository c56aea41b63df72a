//! Access tokens for the Verify Push SDK's enrolment on the sandbox. A token is a secret: it is
//! in the answers of its creation and its fetch, and nowhere else (never in a log line).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngExt as _;
use serde_json::{Value, json};

use super::factors::{valid_factor_name, valid_identity};
use super::{ACCOUNT_SID, VerifyState, answer, form, invalid, iso, now, of_service, param};
use crate::http::{Params, Req, Resp};

/// A token's lifetime in seconds when `Ttl` is not given, and the range it takes (documented).
const DEFAULT_TTL: u64 = 60;
const TTLS: std::ops::RangeInclusive<u64> = 60..=300;

/// A JWT-shaped token for the mobile SDK: a header, the grant of `identity`'s push factor in
/// `service` for `ttl` seconds, and a random signature (nothing checks it here).
fn token(sid: &str, service: &str, identity: &str, ttl: u64) -> String {
    let issued = now().timestamp();
    let part = |v: Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let header = part(json!({"alg": "HS256", "typ": "JWT"}));
    let claims = part(json!({
        "jti": sid, "sub": ACCOUNT_SID, "iat": issued,
        "exp": issued.saturating_add(i64::try_from(ttl).unwrap_or(i64::MAX)),
        "grants": {"verify": {"identity": identity, "factor": "push", "service_sid": service}},
    }));
    let signature: [u8; 32] = rand::rng().random();
    format!("{header}.{claims}.{}", URL_SAFE_NO_PAD.encode(signature))
}

pub(super) fn access_token_create(state: &mut VerifyState, req: &Req, p: &Params) -> Resp {
    let form = form(req);
    let service = p.get("va");
    let identity = param(&form, "Identity").unwrap_or("");
    if !valid_identity(identity) {
        return invalid("Identity");
    }
    if param(&form, "FactorType") != Some("push") {
        return invalid("FactorType");
    }
    let name = param(&form, "FactorFriendlyName");
    if name.is_some_and(|n| !valid_factor_name(n)) {
        return invalid("FactorFriendlyName");
    }
    let ttl = match param(&form, "Ttl").map(str::parse::<u64>) {
        None => DEFAULT_TTL,
        Some(Ok(ttl)) if TTLS.contains(&ttl) => ttl,
        Some(_) => return invalid("Ttl"),
    };
    let sid = state.sid("YK");
    let body = json!({
        "sid": sid, "account_sid": ACCOUNT_SID, "service_sid": service,
        "entity_identity": identity, "factor_type": "push", "factor_friendly_name": name,
        "token": token(&sid, service, identity, ttl), "ttl": ttl,
        "date_created": iso(now()),
        "url": state.url(&format!("/v2/Services/{service}/AccessTokens/{sid}")),
    });
    let resp = Resp::json(201, &body);
    state.access_tokens.insert(sid, body);
    resp
}

pub(super) fn access_token_fetch(state: &mut VerifyState, req: &Req, p: &Params) -> Resp {
    answer(
        of_service(&mut state.access_tokens, p.get("yk"), p.get("va")),
        req,
    )
}
