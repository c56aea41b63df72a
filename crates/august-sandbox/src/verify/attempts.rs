//! Verification attempts on the sandbox: each send of a verification is one, `converted` once
//! the verification is approved; listed, fetched and summed up with the filters Twilio
//! documents.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::{ACCOUNT_SID, Send, Verification, VerifyState, invalid, is_e164, iso, not_found, now};
use crate::http::{Params, Req, Resp};
use crate::lookup::country_of;

/// The filters the list takes.
const LIST_FILTERS: &[&str] = &[
    "VerifyServiceSid",
    "VerificationSid",
    "ChannelData.To",
    "Country",
    "Channel",
    "Status",
    "DateCreatedAfter",
    "DateCreatedBefore",
];
/// The filters the summary takes.
const SUMMARY_FILTERS: &[&str] = &[
    "VerifyServiceSid",
    "Country",
    "Channel",
    "DestinationPrefix",
    "DateCreatedAfter",
    "DateCreatedBefore",
];

/// One send of a verification.
pub(super) struct Attempt {
    sid: String,
    service: String,
    verification: String,
    to: String,
    channel: String,
    code_length: usize,
    converted: bool,
    created: DateTime<Utc>,
    updated: DateTime<Utc>,
}

impl Attempt {
    /// The attempt of `send`, a send of `v`.
    pub(super) fn new(send: &Send, v: &Verification) -> Attempt {
        let created = send.at;
        Attempt {
            sid: send.sid.clone(),
            service: v.service.clone(),
            verification: v.sid.clone(),
            to: v.to.clone(),
            channel: send.channel.clone(),
            code_length: v.code.len(),
            converted: false,
            created,
            updated: created,
        }
    }

    /// The ISO country of its phone number (none for an e-mail address).
    fn country(&self) -> Option<&'static str> {
        is_e164(&self.to).then(|| country_of(&self.to).0)
    }

    /// The attempt as Twilio answers it; the sandbox delivers everything and charges nothing.
    fn json(&self, state: &VerifyState) -> Value {
        json!({
            "sid": self.sid, "account_sid": ACCOUNT_SID, "service_sid": self.service,
            "verification_sid": self.verification,
            "date_created": iso(self.created), "date_updated": iso(self.updated),
            "conversion_status": if self.converted { "converted" } else { "unconverted" },
            "channel": self.channel,
            "price": {"value": "0.00", "currency": "USD"},
            "channel_data": {
                "to": self.to, "status": "delivered", "message_status": "delivered",
                "error_code": null, "country": self.country(), "code_length": self.code_length,
                "locale": "en", "mcc": null, "mnc": null, "carrier": null,
            },
            "url": state.url(&format!("/v2/Attempts/{}", self.sid)),
        })
    }
}

impl VerifyState {
    /// Marks the attempts of the verification `sid`, approved, as converted.
    pub(super) fn convert(&mut self, verification: &str) {
        let t = now();
        for a in self
            .attempts
            .values_mut()
            .filter(|a| a.verification == verification)
        {
            a.converted = true;
            a.updated = t;
        }
    }
}

/// Whether an attempt passes one filter.
type Keep = Box<dyn Fn(&Attempt) -> bool>;

/// The attempts that pass the filters of `req` a call `takes` (the others are not read, as
/// Twilio ignores them), oldest first; 400 / 60200 naming a filter whose value is not one.
fn matching<'a>(
    state: &'a VerifyState,
    req: &Req,
    takes: &[&str],
) -> Result<Vec<&'a Attempt>, Resp> {
    let mut kept: Vec<&Attempt> = state.attempts.iter().map(|(_, a)| a).collect();
    for &name in takes {
        let Some(value) = req.query(name) else {
            continue;
        };
        let wanted = value.to_owned();
        let keep: Keep = match name {
            "DateCreatedAfter" | "DateCreatedBefore" => {
                let Ok(t) = api_transport::time::parse_iso8601(value) else {
                    return Err(invalid(name));
                };
                if name == "DateCreatedAfter" {
                    Box::new(move |a| a.created >= t)
                } else {
                    Box::new(move |a| a.created < t)
                }
            }
            "Status" => match value {
                "converted" => Box::new(|a| a.converted),
                "unconverted" => Box::new(|a| !a.converted),
                _ => return Err(invalid(name)),
            },
            "VerifyServiceSid" => Box::new(move |a| a.service == wanted),
            "VerificationSid" => Box::new(move |a| a.verification == wanted),
            "ChannelData.To" => Box::new(move |a| a.to == wanted),
            "Country" => {
                Box::new(move |a| a.country().is_some_and(|c| c.eq_ignore_ascii_case(&wanted)))
            }
            "Channel" => Box::new(move |a| a.channel.eq_ignore_ascii_case(&wanted)),
            "DestinationPrefix" => Box::new(move |a| is_e164(&a.to) && a.to.starts_with(&wanted)),
            _ => continue,
        };
        kept.retain(|a| keep(a));
    }
    Ok(kept)
}

pub(super) fn attempt_list(state: &mut VerifyState, req: &Req, _: &Params) -> Resp {
    let records = match matching(state, req, LIST_FILTERS) {
        Ok(kept) => kept.into_iter().map(|a| a.json(state)).collect(),
        Err(resp) => return resp,
    };
    state.page("attempts", "/v2/Attempts", records, req)
}

pub(super) fn attempt_fetch(state: &mut VerifyState, req: &Req, p: &Params) -> Resp {
    match state.attempts.get(p.get("vl")) {
        Some(a) => Resp::json(200, &a.json(state)),
        None => not_found(&req.path),
    }
}

/// `converted` out of `attempts` as a percentage written as the service writes it: a decimal
/// with nine places (the recorded `"81.818181818"` for 9 of 11), so `"100.000000000"` for all
/// and `"0.000000000"` for none or no attempts (neither recorded). The tenth place rounds
/// half up (not recorded either). Integer arithmetic, so no float digits leak in.
fn conversion_rate(converted: u64, attempts: u64) -> String {
    const SCALE: u128 = 1_000_000_000;
    let scaled = match u128::from(attempts) {
        0 => 0,
        all => (u128::from(converted) * 100 * SCALE * 2 + all) / (2 * all),
    };
    format!("{}.{:09}", scaled / SCALE, scaled % SCALE)
}

/// The attempts that pass the summary's filters, counted.
pub(super) fn attempts_summary(state: &mut VerifyState, req: &Req, _: &Params) -> Resp {
    let kept = match matching(state, req, SUMMARY_FILTERS) {
        Ok(kept) => kept,
        Err(resp) => return resp,
    };
    let attempts = kept.len() as u64;
    let converted = kept.iter().filter(|a| a.converted).count() as u64;
    Resp::json(
        200,
        &json!({
            "total_attempts": attempts, "total_converted": converted,
            "total_unconverted": attempts - converted,
            "conversion_rate_percentage": conversion_rate(converted, attempts),
            "url": state.url("/v2/Attempts/Summary"),
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` attempts of the demo service to `to`, the first `converted` of them converted.
    fn attempts(state: &mut VerifyState, to: &str, n: usize, converted: usize) {
        for i in 0..n {
            let mut v = Verification::new(
                state.sid("VE"),
                super::super::SERVICE_SID.to_owned(),
                to.to_owned(),
                "sms".to_owned(),
                "123456".to_owned(),
            );
            let send = Send {
                sid: state.sid("VL"),
                at: now(),
                channel: "sms".to_owned(),
            };
            let mut a = Attempt::new(&send, &v);
            a.converted = i < converted;
            state.attempts.insert(send.sid.clone(), a);
            v.attempts.push(send);
        }
    }

    fn summary(state: &mut VerifyState, query: &str) -> Value {
        let resp = attempts_summary(
            state,
            &Req::fake("GET", &format!("/v2/Attempts/Summary{query}"), &[], ""),
            &Params::default(),
        );
        serde_json::from_slice(&resp.body).unwrap()
    }

    #[test]
    fn the_conversion_rate_has_nine_decimals_as_recorded() {
        let recorded: Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/verify/attempts_summary.json"
        ))
        .unwrap();
        let mut state = VerifyState::new("http://127.0.0.1:1");
        attempts(&mut state, "+15555550100", 11, 9);
        let body = summary(&mut state, "");
        assert_eq!(
            body["conversion_rate_percentage"],
            recorded["conversion_rate_percentage"]
        );
        assert_eq!(body["conversion_rate_percentage"], "81.818181818");
        assert_eq!(conversion_rate(11, 11), "100.000000000");
        assert_eq!(conversion_rate(0, 11), "0.000000000");
        assert_eq!(conversion_rate(0, 0), "0.000000000");
        assert_eq!(conversion_rate(1, 3), "33.333333333");
        assert_eq!(conversion_rate(2, 3), "66.666666667");
        assert_eq!(conversion_rate(1, 8), "12.500000000");
        assert_eq!(conversion_rate(u64::MAX, u64::MAX), "100.000000000");
    }

    #[test]
    fn the_summary_counts_only_the_attempts_its_filters_keep() {
        let mut state = VerifyState::new("http://127.0.0.1:1");
        attempts(&mut state, "+15555550100", 3, 2);
        attempts(&mut state, "+445555550100", 2, 0);
        let totals = |body: &Value| {
            (
                body["total_attempts"].clone(),
                body["total_converted"].clone(),
                body["total_unconverted"].clone(),
            )
        };
        assert_eq!(
            totals(&summary(&mut state, "")),
            (json!(5), json!(2), json!(3))
        );
        for query in [
            "?Country=US",
            "?DestinationPrefix=%2B1",
            "?Country=us&Channel=SMS",
        ] {
            assert_eq!(
                totals(&summary(&mut state, query)),
                (json!(3), json!(2), json!(1)),
                "{query}"
            );
        }
        assert_eq!(
            totals(&summary(&mut state, "?DestinationPrefix=%2B44")),
            (json!(2), json!(0), json!(2))
        );
        assert_eq!(
            totals(&summary(
                &mut state,
                "?VerifyServiceSid=VA00000000000000000000000000000009"
            )),
            (json!(0), json!(0), json!(0))
        );
        assert_eq!(
            totals(&summary(
                &mut state,
                "?DateCreatedAfter=2999-01-01T00:00:00Z"
            )),
            (json!(0), json!(0), json!(0))
        );
        assert_eq!(
            totals(&summary(
                &mut state,
                "?DateCreatedBefore=2999-01-01T00:00:00Z"
            )),
            (json!(5), json!(2), json!(3))
        );
        let refused = summary(&mut state, "?DateCreatedBefore=yesterday");
        assert_eq!(
            (refused["code"].clone(), refused["message"].clone()),
            (json!(60200), json!("Invalid parameter: DateCreatedBefore"))
        );
    }
}
