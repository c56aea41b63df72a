//! Programmable rate limits of a service and their buckets on the sandbox. They are kept and
//! answered; verification starts are not limited by them.

use serde_json::{Value, json};

use super::{
    ACCOUNT_SID, MAX_TEXT_BYTES, VerifyState, answer, at_most, deleted, form, invalid, iso,
    not_found, now, of_service, param, records,
};
use crate::bounded::Bounded;
use crate::http::{Params, Req, Resp};

/// The longest `UniqueName`, in characters.
const MAX_UNIQUE_NAME: usize = 191;

/// The path of the rate limits of the path's service, or of one of them (`sid`).
fn limits_path(p: &Params, sid: Option<&str>) -> String {
    let base = format!("/v2/Services/{}/RateLimits", p.get("va"));
    sid.map_or_else(|| base.clone(), |sid| format!("{base}/{sid}"))
}

/// A `Description` as kept: at most [`MAX_TEXT_BYTES`], else 400 / 60200.
fn description(form: &[(String, String)]) -> Result<Option<&str>, Resp> {
    match param(form, "Description") {
        Some(d) if d.len() > MAX_TEXT_BYTES => Err(invalid("Description")),
        d => Ok(d),
    }
}

pub(super) fn rate_limit_create(state: &mut VerifyState, req: &Req, p: &Params) -> Resp {
    let form = form(req);
    let name = param(&form, "UniqueName").unwrap_or("");
    if name.is_empty() || !at_most(name, MAX_UNIQUE_NAME) {
        return invalid("UniqueName");
    }
    let description = match description(&form) {
        Ok(d) => d,
        Err(resp) => return resp,
    };
    let sid = state.sid("RK");
    let url = state.url(&limits_path(p, Some(&sid)));
    let at = iso(now());
    let body = json!({
        "sid": sid, "service_sid": p.get("va"), "account_sid": ACCOUNT_SID,
        "unique_name": name, "description": description,
        "date_created": at, "date_updated": at,
        "links": {"buckets": format!("{url}/Buckets")},
        "url": url,
    });
    let resp = Resp::json(201, &body);
    if let Some((dropped, _)) = state.rate_limits.insert(sid, body) {
        drop_buckets(&mut state.buckets, &dropped);
    }
    resp
}

pub(super) fn rate_limit_list(state: &mut VerifyState, req: &Req, p: &Params) -> Resp {
    let list = records(&state.rate_limits, |r| r["service_sid"] == p.get("va"));
    state.page("rate_limits", &limits_path(p, None), list, req)
}

pub(super) fn rate_limit_fetch(state: &mut VerifyState, req: &Req, p: &Params) -> Resp {
    answer(
        of_service(&mut state.rate_limits, p.get("rk"), p.get("va")),
        req,
    )
}

pub(super) fn rate_limit_update(state: &mut VerifyState, req: &Req, p: &Params) -> Resp {
    let form = form(req);
    let description = match description(&form) {
        Ok(d) => d,
        Err(resp) => return resp,
    };
    let mut limit = of_service(&mut state.rate_limits, p.get("rk"), p.get("va"));
    if let Some(l) = limit.as_deref_mut() {
        if let Some(d) = description {
            l["description"] = d.into();
        }
        l["date_updated"] = iso(now()).into();
    }
    answer(limit, req)
}

pub(super) fn rate_limit_delete(state: &mut VerifyState, req: &Req, p: &Params) -> Resp {
    let rk = p.get("rk");
    let removed = of_service(&mut state.rate_limits, rk, p.get("va")).is_some();
    if removed {
        state.rate_limits.remove(rk);
        drop_buckets(&mut state.buckets, rk);
    }
    deleted(removed, req)
}

/// Removes the buckets of a rate limit that is gone.
fn drop_buckets(buckets: &mut Bounded<String, Value>, rate_limit: &str) {
    buckets.retain(|_, b| b["rate_limit_sid"] != rate_limit);
}

/// The bucket `sid` of the path's rate limit.
fn own_bucket<'a>(buckets: &'a mut Bounded<String, Value>, p: &Params) -> Option<&'a mut Value> {
    of_service(buckets, p.get("bl"), p.get("va")).filter(|b| b["rate_limit_sid"] == p.get("rk"))
}

/// A whole number of at least 1 (`Max`, `Interval`), if `name` is given; 400 / 60200 for
/// another value.
fn positive(form: &[(String, String)], name: &str) -> Result<Option<u32>, Resp> {
    match param(form, name).map(str::parse::<u32>) {
        None => Ok(None),
        Some(Ok(n)) if n > 0 => Ok(Some(n)),
        Some(_) => Err(invalid(name)),
    }
}

/// `Max` and `Interval` of a bucket form, each if given.
fn max_and_interval(form: &[(String, String)]) -> Result<(Option<u32>, Option<u32>), Resp> {
    Ok((positive(form, "Max")?, positive(form, "Interval")?))
}

pub(super) fn bucket_create(state: &mut VerifyState, req: &Req, p: &Params) -> Resp {
    if of_service(&mut state.rate_limits, p.get("rk"), p.get("va")).is_none() {
        return not_found(&req.path);
    }
    let form = form(req);
    let (max, interval) = match max_and_interval(&form) {
        Ok((Some(max), Some(interval))) => (max, interval),
        Ok((None, _)) => return invalid("Max"),
        Ok((_, None)) => return invalid("Interval"),
        Err(resp) => return resp,
    };
    let sid = state.sid("BL");
    let at = iso(now());
    let body = json!({
        "sid": sid, "rate_limit_sid": p.get("rk"), "service_sid": p.get("va"),
        "account_sid": ACCOUNT_SID, "max": max, "interval": interval,
        "date_created": at, "date_updated": at,
        "url": state.url(&format!("{}/Buckets/{sid}", limits_path(p, Some(p.get("rk"))))),
    });
    let resp = Resp::json(201, &body);
    state.buckets.insert(sid, body);
    resp
}

pub(super) fn bucket_list(state: &mut VerifyState, req: &Req, p: &Params) -> Resp {
    if of_service(&mut state.rate_limits, p.get("rk"), p.get("va")).is_none() {
        return not_found(&req.path);
    }
    let list = records(&state.buckets, |b| b["rate_limit_sid"] == p.get("rk"));
    let path = format!("{}/Buckets", limits_path(p, Some(p.get("rk"))));
    state.page("buckets", &path, list, req)
}

pub(super) fn bucket_fetch(state: &mut VerifyState, req: &Req, p: &Params) -> Resp {
    answer(own_bucket(&mut state.buckets, p), req)
}

pub(super) fn bucket_update(state: &mut VerifyState, req: &Req, p: &Params) -> Resp {
    let form = form(req);
    let (max, interval) = match max_and_interval(&form) {
        Ok(both) => both,
        Err(resp) => return resp,
    };
    let mut bucket = own_bucket(&mut state.buckets, p);
    if let Some(b) = bucket.as_deref_mut() {
        if let Some(max) = max {
            b["max"] = max.into();
        }
        if let Some(interval) = interval {
            b["interval"] = interval.into();
        }
        b["date_updated"] = iso(now()).into();
    }
    answer(bucket, req)
}

pub(super) fn bucket_delete(state: &mut VerifyState, req: &Req, p: &Params) -> Resp {
    let removed = own_bucket(&mut state.buckets, p).is_some();
    if removed {
        state.buckets.remove(p.get("bl"));
    }
    deleted(removed, req)
}
