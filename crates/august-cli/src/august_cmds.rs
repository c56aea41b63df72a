//! The August API commands: locks, doorbells, houses, activity, entry codes.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context as _, anyhow};
use serde_json::{Value, json};

use crate::failure;
use crate::output::{self, NONE, key_values, or_none, time, to_json, yes_no};
use crate::session::{self, Context};
use crate::spinner::Spinner;

/// House names by id for the tables: the account's houses are fetched once, on the first name
/// that is needed. When they cannot be fetched, the ids are shown, after one warning.
struct HouseNames<'a> {
    ctx: &'a Context,
    token: &'a str,
    names: Option<HashMap<String, String>>,
}

impl<'a> HouseNames<'a> {
    fn new(ctx: &'a Context, token: &'a str) -> HouseNames<'a> {
        HouseNames {
            ctx,
            token,
            names: None,
        }
    }

    /// The house's name, or its id when it has none or is not the account's.
    fn name(&mut self, house_id: &str) -> String {
        let names = self
            .names
            .get_or_insert_with(|| match self.ctx.api.get_houses(self.token) {
                Ok(houses) => houses
                    .iter()
                    .filter_map(|h| Some((h.house_id().to_owned(), h.name()?.to_owned())))
                    .collect(),
                Err(e) => {
                    session::warn(&format!(
                        "house ids shown: the houses could not be read: {e}"
                    ));
                    HashMap::new()
                }
            });
        names
            .get(house_id)
            .cloned()
            .unwrap_or_else(|| house_id.to_owned())
    }

    /// `Name (id)`, or the id alone when the house has no known name.
    fn name_and_id(&mut self, house_id: &str) -> String {
        let name = self.name(house_id);
        if name == house_id {
            name
        } else {
            format!("{name} ({house_id})")
        }
    }
}

/// `august locks`.
pub fn locks(ctx: &Context) -> anyhow::Result<()> {
    let token = ctx.token()?;
    let locks = ctx.api.get_locks(&token)?;
    let mut houses = HouseNames::new(ctx, &token);
    output::show_table(ctx, &locks, &["ID", "NAME", "HOUSE", "ROLE"], |l| {
        vec![
            l.device_id().to_owned(),
            l.device_name().to_owned(),
            l.house_name()
                .map_or_else(|| houses.name(l.house_id()), str::to_owned),
            l.user_type().to_owned(),
        ]
    })
}

/// `august lock-detail ID`.
pub fn lock_detail(ctx: &Context, id: &str) -> anyhow::Result<()> {
    let token = ctx.token()?;
    let d = ctx.api.get_lock_detail(&token, id)?;
    if ctx.json {
        return output::print_json(&to_json(&d)?);
    }
    let bridge = match d.bridge() {
        Some(b) => format!(
            "{} ({})",
            b.device_id(),
            if d.bridge_is_online() {
                "online"
            } else {
                "offline"
            }
        ),
        None => NONE.to_owned(),
    };
    let keypad = match d.keypad() {
        Some(k) => format!(
            "{} (battery {})",
            k.device_name(),
            or_none(k.battery_percentage().map(|p| format!("{p}%")))
        ),
        None => NONE.to_owned(),
    };
    let pairs = [
        ("id", d.device_id().to_owned()),
        ("name", d.device_name().to_owned()),
        (
            "house",
            match d.house_name() {
                Some(name) => format!("{name} ({})", d.house_id()),
                None => HouseNames::new(ctx, &token).name_and_id(d.house_id()),
            },
        ),
        ("model", or_none(d.model())),
        ("serial", d.serial_number().to_owned()),
        ("firmware", d.firmware_version().to_owned()),
        (
            "battery",
            or_none(d.battery_level().map(|b| format!("{b}%"))),
        ),
        ("status", d.lock_status().to_string()),
        ("status at", time(d.lock_status_datetime())),
        ("door", d.door_state().to_string()),
        ("door at", time(d.door_state_datetime())),
        ("doorsense", yes_no(d.has_doorsense())),
        ("bridge", bridge),
        ("keypad", keypad),
        ("unlatch", yes_no(d.supports_unlatch())),
        ("users", d.users().len().to_string()),
    ];
    output::print(&key_values(&pairs))
}

/// `august status ID`.
pub fn status(ctx: &Context, id: &str) -> anyhow::Result<()> {
    let token = ctx.token()?;
    let s = ctx.api.get_lock_state(&token, id)?;
    output::show(
        ctx,
        &s,
        &[
            ("status", s.status().to_string()),
            ("door", s.door_state().to_string()),
            ("at", time(s.date_time())),
        ],
    )
}

/// Which way a lock is operated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// `august lock`.
    Lock,
    /// `august unlock`.
    Unlock,
}

/// `august lock ID` and `august unlock ID`.
pub fn operate(ctx: &Context, id: &str, op: Operation) -> anyhow::Result<()> {
    let token = ctx.token()?;
    let (verb, gerund) = match op {
        Operation::Lock => ("lock", "locking"),
        Operation::Unlock => ("unlock", "unlocking"),
    };
    let result = {
        let _spinner = Spinner::start(format!("{gerund} {id}, waiting for the bridge"));
        match op {
            Operation::Lock => ctx.api.lock(&token, id),
            Operation::Unlock => ctx.api.unlock(&token, id),
        }
    };
    // A request that may have moved the lock (no answer, a gateway's 5xx) says to read its
    // state before anything else.
    let status = result.map_err(|e| {
        failure::after_sending(e, || {
            format!(
                "the {verb} request failed, but the lock may have moved: read its state with `august status {id}` before trying again"
            )
        })
    })?;
    if ctx.json {
        return output::print_json(&json!({
            "lock_id": id,
            "operation": verb,
            "status": to_json(&status)?,
        }));
    }
    output::print(&format!("{id}: {status}\n"))
}

/// `august doorbells`.
pub fn doorbells(ctx: &Context) -> anyhow::Result<()> {
    let token = ctx.token()?;
    let bells = ctx.api.get_doorbells(&token)?;
    let mut houses = HouseNames::new(ctx, &token);
    output::show_table(
        ctx,
        &bells,
        &["ID", "NAME", "HOUSE", "STATUS", "IMAGE AT"],
        |b| {
            vec![
                b.device_id().to_owned(),
                b.device_name().to_owned(),
                houses.name(b.house_id()),
                b.status().to_owned(),
                time(b.image_created_at()),
            ]
        },
    )
}

/// `august doorbell ID`.
pub fn doorbell(ctx: &Context, id: &str) -> anyhow::Result<()> {
    let token = ctx.token()?;
    let d = ctx.api.get_doorbell_detail(&token, id)?;
    if ctx.json {
        return output::print_json(&to_json(&d)?);
    }
    output::print(&key_values(&[
        ("id", d.device_id().to_owned()),
        ("name", d.device_name().to_owned()),
        (
            "house",
            HouseNames::new(ctx, &token).name_and_id(d.house_id()),
        ),
        ("model", or_none(d.model())),
        ("serial", d.serial_number().to_owned()),
        ("firmware", d.firmware_version().to_owned()),
        ("status", d.status().to_owned()),
        ("online", yes_no(d.is_online())),
        (
            "battery",
            or_none(d.battery_level().map(|b| format!("{b}%"))),
        ),
        ("subscription", yes_no(d.has_subscription())),
        ("image", or_none(d.image_url())),
        ("image at", time(d.image_created_at())),
    ]))
}

/// `august wakeup ID`.
pub fn wakeup(ctx: &Context, id: &str) -> anyhow::Result<()> {
    let token = ctx.token()?;
    ctx.api.wakeup_doorbell(&token, id).map_err(|e| {
        failure::after_sending(e, || {
            format!(
                "the wake-up request failed, but the doorbell may have woken up: see its status with `august doorbell {id}` before trying again"
            )
        })
    })?;
    if ctx.json {
        return output::print_json(&json!({"doorbell_id": id, "woken_up": true}));
    }
    output::print(&format!("{id}: woken up\n"))
}

/// `august image ID -o FILE`.
pub fn image(ctx: &Context, id: &str, file: &Path) -> anyhow::Result<()> {
    let token = ctx.token()?;
    let detail = ctx.api.get_doorbell_detail(&token, id)?;
    // The image's host gets the doorbell's content token, not the login's: its 401 says
    // nothing about the login, which stays cached as it is.
    let image = ctx.api.get_doorbell_image(&detail).map_err(|e| {
        if e.is_unauthorized() {
            anyhow!(
                "the image host refused the doorbell's content token (status 401): run the command again for a new one"
            )
        } else if let august_core::Error::InvalidInput { reason } = &e {
            // what was refused is the server's doorbell (no image, not https), not an argument
            // to fix: a failure, where the SDK's refusal of an argument is a usage error
            anyhow!("{reason}")
        } else {
            e.into()
        }
    })?;
    let to_stdout = file.as_os_str() == "-";
    if to_stdout {
        return output::print_bytes(image.bytes());
    }
    output::write_file(file, image.bytes(), true)
        .with_context(|| format!("cannot write the image to {}", output::path(file)))?;
    if ctx.json {
        return output::print_json(&json!({
            "doorbell_id": id,
            "file": output::json_path(file),
            "bytes": image.bytes().len(),
            "content_type": image.content_type(),
        }));
    }
    output::print(&format!(
        "wrote {} bytes ({}) to {}\n",
        image.bytes().len(),
        image.content_type().unwrap_or("unknown type"),
        output::path(file)
    ))
}

/// `august houses`.
pub fn houses(ctx: &Context) -> anyhow::Result<()> {
    let token = ctx.token()?;
    let houses = ctx.api.get_houses(&token)?;
    output::show_table(ctx, &houses, &["ID", "NAME"], |h| {
        vec![h.house_id().to_owned(), or_none(h.name())]
    })
}

/// `august house ID`.
pub fn house(ctx: &Context, id: &str) -> anyhow::Result<()> {
    let token = ctx.token()?;
    let h = ctx.api.get_house(&token, id)?;
    if ctx.json {
        return output::print_json(&to_json(&h)?);
    }
    let mut pairs = vec![("id", h.house_id().to_owned()), ("name", or_none(h.name()))];
    let mut extra: Vec<(String, String)> = Vec::new();
    if let Value::Object(map) = h.raw() {
        // the id and name are shown above, whichever key they came from
        const SHOWN: [&str; 6] = [
            "HouseID",
            "houseID",
            "_id",
            "HouseName",
            "houseName",
            "name",
        ];
        let count =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        for (k, v) in map.iter().filter(|(k, _)| !SHOWN.contains(&k.as_str())) {
            let shown = match v {
                // a time in UTC to the second, as every list shows one
                Value::String(s) => api_transport::time::parse_iso8601(s)
                    .map_or_else(|_| s.clone(), |t| time(Some(t))),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                Value::Array(a) => count(a.len(), "entry", "entries"),
                Value::Object(o) => count(o.len(), "field", "fields"),
                Value::Null => continue,
            };
            // `createdAt`, `created_at`: `created at`, as the other lists' keys
            extra.push((output::words(k), shown));
        }
    }
    pairs.extend(extra.iter().map(|(k, v)| (k.as_str(), v.clone())));
    output::print(&key_values(&pairs))
}

/// `august activity HOUSE_ID`.
pub fn activity(ctx: &Context, house_id: &str, limit: u32) -> anyhow::Result<()> {
    let token = ctx.token()?;
    let entries = ctx.api.get_house_activities(&token, house_id, limit)?;
    let mut houses = HouseNames::new(ctx, &token);
    output::show_table(
        ctx,
        &entries,
        &["TIME", "KIND", "ACTION", "DEVICE", "BY", "HOUSE"],
        |a| {
            let device = a.device_name().or(a.device_id());
            let mut by = or_none(a.operated_by());
            if a.operated_remote() {
                by.push_str(" (remote)");
            } else if a.operated_keypad() {
                by.push_str(" (keypad)");
            } else if a.operated_autorelock() {
                by.push_str(" (auto-relock)");
            }
            vec![
                time(a.start_time()),
                a.kind().to_string(),
                or_none(a.action()),
                or_none(device),
                by,
                houses.name(a.house_id().unwrap_or(house_id)),
            ]
        },
    )
}

/// `august pins ID`.
pub fn pins(ctx: &Context, id: &str) -> anyhow::Result<()> {
    let token = ctx.token()?;
    let pins = ctx.api.get_pins(&token, id)?;
    output::show_table(
        ctx,
        &pins,
        &["NAME", "PIN", "STATE", "ACCESS", "SLOT"],
        |p| {
            let name = format!("{} {}", p.first_name(), p.last_name());
            vec![
                name.trim().to_owned(),
                p.pin().to_owned(),
                p.state().to_owned(),
                p.access_type().to_owned(),
                p.slot().to_string(),
            ]
        },
    )
}
