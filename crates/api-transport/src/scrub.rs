//! Removing the secrets a request carried from the body of its answer.
//!
//! A server, a proxy or a firewall that rejects a request often quotes it back: the JSON body
//! of a 400 repeats the fields (JSON-escaped, `\u00e9` for non-ASCII when the server escapes
//! everything), an HTML page repeats the form (entities, `&#64;`), a log-like page repeats the
//! query or the form body (percent-encoded, `%2B` or `%2b`, a space as `%20` or `+`). So each
//! secret is looked for in every one of these spellings at once: each character of the secret
//! may appear raw, percent-encoded (byte by byte, either case of hex), as `+` for a space, as
//! a JSON escape (`\"`, `\\`, `\/`, `\n`..., `\uXXXX` with surrogate pairs), or as an HTML
//! entity (`&amp;`, `&quot;`, `&#39;`, `&#x40;`...), and in an error answer ASCII letters match
//! in either case (servers lower-case e-mail addresses). Every match becomes `<redacted>`.
//!
//! In an error answer ([`Rules::Error`]), secrets shorter than [`MIN_SCRUBBED`] characters are
//! left alone (they would match ordinary text); those shorter than [`MIN_ANYWHERE`] (a 4-digit
//! code) are replaced only where they stand alone, not inside a longer word or number, so that
//! a code `6002` does not eat into an error code `60022`. A successful answer, which is still
//! decoded, is scrubbed more carefully ([`Rules::Success`]).

/// Shortest secret that is scrubbed at all.
pub(crate) const MIN_SCRUBBED: usize = 4;
/// Shortest secret that is scrubbed wherever it occurs; shorter ones only as a whole word.
pub(crate) const MIN_ANYWHERE: usize = 6;

const REDACTED: &[u8] = b"<redacted>";

/// How far the scrub goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rules {
    /// An error answer: it is only shown, so everything that may be a secret goes, ASCII
    /// letters in either case, secrets of 6 characters or more even inside a longer word.
    Error,
    /// A successful answer, which the client still decodes: only exact-case matches that stand
    /// alone, of secrets of 6 characters or more, so that a password `password` does not eat
    /// into a field `vPassword` nor a 6-digit code into a longer number.
    Success,
}

impl Rules {
    fn any_case(self) -> bool {
        self == Rules::Error
    }

    fn shortest(self) -> usize {
        match self {
            Rules::Error => MIN_SCRUBBED,
            Rules::Success => MIN_ANYWHERE,
        }
    }

    fn whole_word(self, chars: usize) -> bool {
        self == Rules::Success || chars < MIN_ANYWHERE
    }
}

/// Replaces every spelling of each secret in `body` with `<redacted>`.
///
/// A request body is itself encoded (the password sits JSON-escaped in a JSON body,
/// form-encoded in a form) and a server may quote that body inside its own encoding (a JSON
/// `message` holding the JSON body, escaped again): so besides the secret, its JSON-escaped and
/// form-encoded forms are looked for too, each character of them in every spelling.
pub(crate) fn scrub<'a>(
    body: &mut Vec<u8>,
    secrets: impl Iterator<Item = &'a String>,
    rules: Rules,
) {
    for secret in secrets {
        let length = secret.chars().count();
        if length < rules.shortest() {
            continue;
        }
        let json = json_escaped(secret);
        let form: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        let whole_word = rules.whole_word(length);
        scrub_one(body, secret, whole_word, rules);
        for encoded in [json, form] {
            if encoded != *secret {
                scrub_one(body, &encoded, whole_word, rules);
            }
        }
    }
}

/// `text` with every spelling of each of `secrets` replaced by `<redacted>`, as an error
/// answer's body is scrubbed of its request's secrets: raw, JSON-escaped, percent-encoded or as
/// HTML entities, ASCII letters in either case; secrets shorter than 4 characters are left
/// alone, those shorter than 6 replaced only where they stand alone. For a text that did not
/// come through [`Transport::send`](crate::Transport::send) but may quote a secret (a message
/// a push server sends over a websocket, say).
///
/// ```
/// let shown = api_transport::redact(r#"{"message":"no subscriber sub%2D4711x"}"#, &["sub-4711x"]);
/// assert_eq!(shown, r#"{"message":"no subscriber <redacted>"}"#);
/// ```
pub fn redact(text: &str, secrets: &[&str]) -> String {
    let secrets: Vec<String> = secrets.iter().map(|s| (*s).to_owned()).collect();
    let mut body = text.as_bytes().to_vec();
    scrub(&mut body, secrets.iter(), Rules::Error);
    String::from_utf8(body).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The secret as it stands in a JSON request body (without the quotes): as serde_json, which
/// writes the clients' bodies, escapes it.
fn json_escaped(secret: &str) -> String {
    let quoted = serde_json::to_string(secret).unwrap_or_default();
    quoted
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .unwrap_or_default()
        .to_owned()
}

/// Replaces every spelling of one secret in `body` with `<redacted>`.
fn scrub_one(body: &mut Vec<u8>, secret: &str, whole_word: bool, rules: Rules) {
    {
        let chars: Vec<char> = secret.chars().collect();
        if chars.is_empty() {
            return;
        }
        let mut out: Option<Vec<u8>> = None;
        let mut copied = 0;
        let mut at = 0;
        while at < body.len() {
            let end = if could_start(body[at], chars[0]) {
                match_from(body, at, &chars, rules.any_case())
            } else {
                None
            };
            match end {
                Some(end) if !whole_word || stands_alone(body, at, end) => {
                    let out = out.get_or_insert_with(|| Vec::with_capacity(body.len()));
                    out.extend_from_slice(&body[copied..at]);
                    out.extend_from_slice(REDACTED);
                    copied = end;
                    at = end;
                }
                _ => at += 1,
            }
        }
        if let Some(mut out) = out {
            out.extend_from_slice(&body[copied..]);
            *body = out;
        }
    }
}

/// Whether a spelling of `c` can start with `byte` (a quick filter before matching).
fn could_start(byte: u8, c: char) -> bool {
    matches!(byte, b'%' | b'\\' | b'&' | b'+') || {
        let mut buf = [0u8; 4];
        let first = c.encode_utf8(&mut buf).as_bytes()[0];
        byte.eq_ignore_ascii_case(&first)
    }
}

/// Whether the match `body[start..end]` is not part of a longer word or number.
fn stands_alone(body: &[u8], start: usize, end: usize) -> bool {
    let before = start.checked_sub(1).map(|i| body[i]);
    let after = body.get(end).copied();
    !before.is_some_and(|b| b.is_ascii_alphanumeric())
        && !after.is_some_and(|b| b.is_ascii_alphanumeric())
}

/// The end of a spelling of all of `chars` starting at `at`, if there is one.
fn match_from(body: &[u8], at: usize, chars: &[char], any_case: bool) -> Option<usize> {
    let Some((&c, rest)) = chars.split_first() else {
        return Some(at);
    };
    let mut ends = [0usize; 4];
    let n = char_ends(body, at, c, any_case, &mut ends);
    ends[..n]
        .iter()
        .find_map(|&end| match_from(body, end, rest, any_case))
}

/// The ends of the spellings of `c` at `at` (at most 4: raw or percent-encoded, `+`, a JSON
/// escape, an HTML entity); returns how many were written to `ends`.
fn char_ends(body: &[u8], at: usize, c: char, any_case: bool, ends: &mut [usize; 4]) -> usize {
    let mut n = 0;
    let mut push = |end: Option<usize>| {
        if let Some(end) = end
            && n < ends.len()
            && !ends[..n].contains(&end)
        {
            ends[n] = end;
            n += 1;
        }
    };
    // Raw or percent-encoded, byte by byte (a `%` followed by two hex digits may also be the
    // raw `%` of the secret: both are tried).
    let mut buf = [0u8; 4];
    let bytes = c.encode_utf8(&mut buf).as_bytes();
    push(bytes_end(body, at, bytes, true, any_case));
    if bytes.contains(&b'%') {
        push(bytes_end(body, at, bytes, false, any_case));
    }
    if c == ' ' && body.get(at) == Some(&b'+') {
        push(Some(at + 1));
    }
    match body.get(at) {
        Some(b'\\') => push(
            json_escape(body, at)
                .filter(|&(d, _)| same(d, c, any_case))
                .map(|(_, e)| e),
        ),
        Some(b'&') => push(
            html_entity(body, at)
                .filter(|&(d, _)| same(d, c, any_case))
                .map(|(_, e)| e),
        ),
        _ => {}
    }
    n
}

/// The end of `bytes` at `at`, each byte raw (ASCII letters in either case) or, when
/// `percent`, also as `%HH`.
fn bytes_end(
    body: &[u8],
    mut at: usize,
    bytes: &[u8],
    percent: bool,
    any_case: bool,
) -> Option<usize> {
    let eq = |a: u8, b: u8| a == b || (any_case && a.eq_ignore_ascii_case(&b));
    for &b in bytes {
        let here = *body.get(at)?;
        if percent && here == b'%' && hex_byte(body.get(at + 1..at + 3)).is_some_and(|d| eq(d, b)) {
            at += 3;
            continue;
        }
        if eq(here, b) {
            at += 1;
        } else {
            return None;
        }
    }
    Some(at)
}

fn same(a: char, b: char, any_case: bool) -> bool {
    a == b || (any_case && a.eq_ignore_ascii_case(&b))
}

fn hex_byte(digits: Option<&[u8]>) -> Option<u8> {
    let digits = digits?;
    let text = std::str::from_utf8(digits).ok()?;
    if text.len() != 2 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u8::from_str_radix(text, 16).ok()
}

/// `\uXXXX` (4 hex digits, either case) at `at`, as a UTF-16 unit.
fn json_unit(body: &[u8], at: usize) -> Option<u16> {
    if body.get(at..at + 2)? != b"\\u" {
        return None;
    }
    let digits = std::str::from_utf8(body.get(at + 2..at + 6)?).ok()?;
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u16::from_str_radix(digits, 16).ok()
}

/// The character a JSON escape at `at` stands for, and the end of the escape.
fn json_escape(body: &[u8], at: usize) -> Option<(char, usize)> {
    let simple = match *body.get(at + 1)? {
        b'"' => Some('"'),
        b'\\' => Some('\\'),
        b'/' => Some('/'),
        b'b' => Some('\u{8}'),
        b'f' => Some('\u{c}'),
        b'n' => Some('\n'),
        b'r' => Some('\r'),
        b't' => Some('\t'),
        _ => None,
    };
    if let Some(c) = simple {
        return Some((c, at + 2));
    }
    let unit = json_unit(body, at)?;
    if (0xD800..0xDC00).contains(&unit) {
        let low = json_unit(body, at + 6)?;
        let c = char::decode_utf16([unit, low]).next()?.ok()?;
        return Some((c, at + 12));
    }
    Some((char::from_u32(u32::from(unit))?, at + 6))
}

/// The character an HTML entity at `at` stands for (`&amp;`, `&#64;`, `&#x40;`...), and the
/// end of the entity.
fn html_entity(body: &[u8], at: usize) -> Option<(char, usize)> {
    let rest = body.get(at + 1..)?;
    let semicolon = rest.iter().take(10).position(|&b| b == b';')?;
    let name = std::str::from_utf8(&rest[..semicolon]).ok()?;
    let end = at + 1 + semicolon + 1;
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)?
        }
    };
    Some((c, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scrubbed(body: &str, secrets: &[&str]) -> String {
        let secrets: Vec<String> = secrets.iter().map(|s| (*s).to_owned()).collect();
        let mut body = body.as_bytes().to_vec();
        scrub(&mut body, secrets.iter(), Rules::Error);
        String::from_utf8(body).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn long_secrets_anywhere_short_ones_alone_tiny_ones_never() {
        assert_eq!(
            scrubbed(
                "token abcdef123 and xabcdef123x; key US",
                &["abcdef123", "US"]
            ),
            "token <redacted> and x<redacted>x; key US"
        );
        assert_eq!(
            scrubbed(
                r#"{"code":"6002","error_code":"60022","x":"a6002"}"#,
                &["6002"]
            ),
            r#"{"code":"<redacted>","error_code":"60022","x":"a6002"}"#
        );
    }

    /// Every spelling a server might use to quote a secret back.
    #[test]
    fn every_spelling_is_scrubbed() {
        let secret = "p@ss w\"o/r\\d+é&<💡>%x";
        let json = serde_json::to_string(secret).unwrap_or_else(|e| panic!("{e}"));
        let form: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        let all = percent_encoding::utf8_percent_encode(secret, percent_encoding::NON_ALPHANUMERIC)
            .to_string();
        let ascii_json: String = secret
            .encode_utf16()
            .map(|u| format!("\\u{u:04x}"))
            .collect();
        let html: String = secret
            .chars()
            .map(|c| match c {
                '&' => "&amp;".to_owned(),
                '<' => "&lt;".to_owned(),
                '>' => "&gt;".to_owned(),
                '"' => "&quot;".to_owned(),
                '@' => "&#64;".to_owned(),
                '💡' => "&#x1F4A1;".to_owned(),
                c => c.to_string(),
            })
            .collect();
        let spellings = [
            secret.to_owned(),
            secret.to_ascii_uppercase(),
            json[1..json.len() - 1].to_owned(),
            json[1..json.len() - 1].replace('/', "\\/"),
            form.clone(),
            form.to_lowercase(),
            all.clone(),
            all.to_lowercase(),
            all.replace("%20", "+"),
            ascii_json.clone(),
            ascii_json.to_uppercase().replace("\\U", "\\u"),
            html,
        ];
        for spelling in spellings {
            let body = format!("<p>you sent [{spelling}] twice: {spelling}</p>");
            assert_eq!(
                scrubbed(&body, &[secret]),
                "<p>you sent [<redacted>] twice: <redacted></p>",
                "{spelling}"
            );
        }
    }

    /// A server quoting the request body (itself JSON or a form) inside its own JSON answer.
    #[test]
    fn a_quoted_request_body_is_scrubbed_too() {
        // A backspace: `\b` in a JSON body, `\\b` once quoted in JSON.
        let secret = "p\"w\\1 é+&/\u{8}";
        let json_body = serde_json::json!({ "password": secret }).to_string();
        let form_body: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("password", secret)
            .finish();
        for sent in [json_body, form_body] {
            let echo = serde_json::json!({ "message": format!("you sent {sent}") }).to_string();
            let clean = scrubbed(&echo, &[secret]);
            let message: serde_json::Value =
                serde_json::from_str(&clean).unwrap_or_else(|e| panic!("{e}: {clean}"));
            let message = message["message"].as_str().unwrap_or_default().to_owned();
            assert!(message.contains("<redacted>"), "{message}");
            assert!(
                !message.contains("p\\\"w") && !message.contains("p\"w"),
                "{message}"
            );
            assert!(!message.contains("p%22w"), "{message}");
        }
    }

    /// A successful answer is still decoded: only exact, standalone matches of longer secrets.
    #[test]
    fn a_successful_answer_keeps_its_structure() {
        let body = r#"{"vPassword":true,"vInstallId":false,"date":1490996931,"echo":"password","code":"996931"}"#;
        let secrets = [
            String::from("password"),
            String::from("true"),
            String::from("996931"),
        ];
        let mut clean = body.as_bytes().to_vec();
        scrub(&mut clean, secrets.iter(), Rules::Success);
        assert_eq!(
            String::from_utf8(clean).unwrap_or_default(),
            r#"{"vPassword":true,"vInstallId":false,"date":1490996931,"echo":"<redacted>","code":"<redacted>"}"#
        );
    }

    #[test]
    fn other_text_is_left_alone() {
        let body = r#"{"message":"bad password","error_code":"60001"} &amp; %41 \u0041"#;
        assert_eq!(scrubbed(body, &["hunter22", "zzzz"]), body);
        let bytes = b"\xff\xfe not utf-8 hunter22 \xc3".to_vec();
        let mut body = bytes.clone();
        scrub(&mut body, [String::from("hunter22")].iter(), Rules::Error);
        assert_eq!(body, b"\xff\xfe not utf-8 <redacted> \xc3");
    }
}
