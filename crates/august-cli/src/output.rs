//! Tables, key/value lists and writing to standard output.

use std::borrow::Cow;
use std::io::{self, Write};
use std::path::Path;

use heck::ToSnakeCase;

use crate::session::Context;

/// Shown for a value the server did not give.
pub const NONE: &str = "-";

/// A table with a header row and left-aligned columns separated by two spaces, aligned by
/// display width (`Haustür 🚪` takes ten columns, `玄関` four).
pub struct Table {
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column names.
    pub fn new(headers: &[&'static str]) -> Table {
        Table {
            headers: headers.to_vec(),
            rows: Vec::new(),
        }
    }

    /// Adds a row (missing cells are blank, extra ones dropped).
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// The table as text, one line per row, each ending in a newline. Cells are made single
    /// line and the last column is not padded.
    pub fn render(&self) -> String {
        let columns = self.headers.len();
        let clean: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| {
                (0..columns)
                    .map(|i| r.get(i).map_or_else(String::new, |c| single_line(c)))
                    .collect()
            })
            .collect();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| width(h)).collect();
        for row in &clean {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(width(cell));
            }
        }
        let mut out = String::new();
        let headers: Vec<String> = self.headers.iter().map(|h| (*h).to_owned()).collect();
        for row in std::iter::once(&headers).chain(&clean) {
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate() {
                if i + 1 == columns {
                    line.push_str(cell);
                } else {
                    line.push_str(cell);
                    line.push_str(&" ".repeat(widths[i] - width(cell) + 2));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

/// A list of `key  value` lines with the values aligned. Keys and values are made single line
/// (some keys are the server's: `august house`).
pub fn key_values(pairs: &[(&str, String)]) -> String {
    let keys: Vec<String> = pairs.iter().map(|(k, _)| single_line(k)).collect();
    let w = keys.iter().map(|k| width(k)).max().unwrap_or(0);
    let mut out = String::new();
    for (k, (_, v)) in keys.iter().zip(pairs) {
        out.push_str(k);
        out.push_str(&" ".repeat(w - width(k) + 2));
        out.push_str(&single_line(v));
        let end = out.trim_end().len();
        out.truncate(end);
        out.push('\n');
    }
    out
}

/// The columns a terminal gives the text: two for a wide (CJK, most emoji) character, none
/// for a combining mark or zero-width joiner.
fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// Every character that could drive the terminal or reorder the text
/// ([`api_transport::is_printable`]: line breaks, escapes, bidirectional overrides from the
/// server) becomes a space.
pub fn single_line(s: &str) -> String {
    shown(s, false).into_owned()
}

/// `text` as the tool writes it to a terminal: each character that is not
/// [`api_transport::is_printable`] a space, but the line breaks when `lines` (text of several
/// lines that the tool itself wrote).
fn shown(text: &str, lines: bool) -> Cow<'_, str> {
    let keep = |c: char| api_transport::is_printable(c) || (lines && c == '\n');
    if text.chars().all(keep) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(
            text.chars()
                .map(|c| if keep(c) { c } else { ' ' })
                .collect(),
        )
    }
}

/// A path as the tool prints it in text: as `august-auth`'s messages print it
/// ([`august_auth::printable_path`]), as it is when it is printable text that does not start
/// with `$'`, else as the shell word in ANSI-C quotes that names the same bytes
/// (`$'/tmp/caf\xe9.json'`, as the command that finishes a login is printed). A lossy print
/// (`Path::display`) replaced bytes that are not UTF-8 with U+FFFD, so that two different
/// files printed the same, and sent control characters in a name to the terminal; a path named
/// `$'...'` printed as it is would read as the shell word of another.
pub fn path(path: &Path) -> String {
    august_auth::printable_path(path).into_owned()
}

/// A path as `--json` output gives it: as it is when it is UTF-8 that does not start with
/// `$'`, control characters included (serde_json escapes those below U+0020; DEL and U+0080 to
/// U+009F go out as they are, as in every other string of the output), else as [`path`] prints
/// it, the shell word that names its bytes (a JSON string holds only UTF-8, and a path named
/// `$'...'` would read as the shell word of another).
pub fn json_path(path: &Path) -> String {
    match path.to_str() {
        Some(text) if !text.starts_with("$'") => text.to_owned(),
        _ => self::path(path),
    }
}

/// Writes `bytes` to `file` as the tool writes each file of its own (a doorbell's image, the
/// sandbox's demo Home Assistant file): to a temporary file in its directory (mode 0600 from
/// its creation on Unix), written whole and synced, then renamed to `file`, and the directory
/// synced where it can be (best effort: the file is in place either way). A link at `file` is
/// replaced, never followed; a failure leaves what was there, and no temporary file (but on a
/// file system that cannot rename without replacing, where a link is made instead). With
/// `replace` false, only where nothing is at `file`, not even a link to nothing: `Ok(false)`
/// when something is, and nothing is written (nor the directory's permission to write asked
/// for).
pub fn write_file(file: &Path, bytes: &[u8], replace: bool) -> io::Result<bool> {
    if !replace && std::fs::symlink_metadata(file).is_ok() {
        return Ok(false);
    }
    let dir = match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(file.file_name().unwrap_or_default());
    prefix.push(".");
    let mut temp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(without_temp_path)?;
    // the file itself: the temporary file's own writer adds its path to an error as well
    temp.as_file_mut().write_all(bytes)?;
    temp.as_file().sync_all()?;
    let persisted = if replace {
        temp.persist(file)
    } else {
        temp.persist_noclobber(file)
    };
    match persisted {
        Ok(_) => {}
        Err(e) if !replace && e.error.kind() == io::ErrorKind::AlreadyExists => return Ok(false),
        Err(e) => return Err(e.error),
    }
    #[cfg(unix)]
    let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    Ok(true)
}

/// An error of `tempfile` without the temporary file's path it adds (`... at path
/// "/dir/.x.jpg.fmKaGH.tmp"`, in Rust's quoting): it names a file the user never asked for,
/// printed otherwise than [`path`] prints one; the caller names the file asked for. The system's
/// error it wraps is not kept as its source, so it is taken from the text before the path.
fn without_temp_path(error: io::Error) -> io::Error {
    let text = error.to_string();
    match text.split_once(" at path \"") {
        Some((cause, _)) => io::Error::new(error.kind(), cause),
        None => error,
    }
}

/// A key of a server's JSON as the words of a key/value list: `createdAt` and `created_at` as
/// `created at`.
pub fn words(key: &str) -> String {
    key.to_snake_case().replace('_', " ")
}

/// A value or [`NONE`].
pub fn or_none<T: ToString>(value: Option<T>) -> String {
    value.map_or_else(|| NONE.to_owned(), |v| v.to_string())
}

/// A time as the tool's tables and key/value lists show it: `2026-11-23 09:06:03 UTC`
/// (`--json` keeps RFC 3339). Three show times otherwise: the `expires` of a password
/// `august login`/`verify` is the server's text as sent, `august watch` adds milliseconds
/// (`2026-11-23 09:06:03.120 UTC`) and `august authy onetouch status` shows Authy's times as
/// sent.
fn utc(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// A time as [`utc`] shows it, or [`NONE`].
pub fn time(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    or_none(t.map(utc))
}

/// `yes` or `no`.
pub fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.to_owned()
}

/// Writes text to standard output, each character but the line break that could drive the
/// terminal (an escape or a carriage return in a name from the server) as a space. A closed
/// pipe (`august locks | head -1`) is not an error.
pub fn print(text: &str) -> anyhow::Result<()> {
    print_bytes(shown(text, true).as_bytes())
}

/// Writes bytes to standard output, as [`print`] does text.
pub fn print_bytes(bytes: &[u8]) -> anyhow::Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// Writes text to standard error, as [`print`] shows it. A closed or failing standard error
/// (`august watch 2>&1 | head -1`) is ignored: what goes there is for a reader, and the reader
/// has gone.
pub fn print_err(text: &str) {
    let mut err = io::stderr().lock();
    let _ = err
        .write_all(shown(text, true).as_bytes())
        .and_then(|()| err.flush());
}

/// A model as a JSON value.
pub fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> anyhow::Result<serde_json::Value> {
    Ok(serde_json::to_value(value)?)
}

/// Shows one record: its JSON with `--json`, otherwise the `pairs` as [`key_values`].
pub fn show<T: serde::Serialize + ?Sized>(
    ctx: &Context,
    model: &T,
    pairs: &[(&str, String)],
) -> anyhow::Result<()> {
    if ctx.json {
        print_json(&to_json(model)?)
    } else {
        print(&key_values(pairs))
    }
}

/// Shows a list: the records' JSON with `--json`, otherwise a [`Table`] of `headers` with
/// the `row` of each record (not called with `--json`).
pub fn show_table<T: serde::Serialize>(
    ctx: &Context,
    records: &[T],
    headers: &[&'static str],
    mut row: impl FnMut(&T) -> Vec<String>,
) -> anyhow::Result<()> {
    if ctx.json {
        return print_json(&to_json(records)?);
    }
    let mut table = Table::new(headers);
    for record in records {
        table.row(row(record));
    }
    print(&table.render())
}

/// Writes a JSON value, pretty-printed, to standard output.
pub fn print_json(value: &serde_json::Value) -> anyhow::Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    print_bytes(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_columns_and_do_not_pad_the_last() {
        let mut t = Table::new(&["ID", "NAME", "HOUSE"]);
        t.row(vec!["A1".into(), "Front Door".into(), "Home".into()]);
        t.row(vec!["LONGER-ID".into(), "Bäck".into(), String::new()]);
        assert_eq!(
            t.render(),
            "ID         NAME        HOUSE\nA1         Front Door  Home\nLONGER-ID  Bäck\n"
        );
    }

    #[test]
    fn wide_and_combining_characters_align_by_display_width() {
        let mut t = Table::new(&["NAME", "HOUSE"]);
        t.row(vec!["Haustür 🚪".into(), "Zuhause".into()]);
        t.row(vec!["玄関".into(), "家".into()]);
        // "e" followed by a combining acute accent: one column
        t.row(vec!["Cafe\u{301}".into(), "x".into()]);
        assert_eq!(
            t.render(),
            "NAME        HOUSE\nHaustür 🚪  Zuhause\n玄関        家\nCafe\u{301}        x\n"
        );
    }

    /// Text the tool writes shows each character that could drive the terminal or reorder the
    /// text as a space, its own line breaks kept; a single line loses those too.
    #[test]
    fn text_cannot_drive_the_terminal() {
        let text = "a\r\x1b[2K\u{9b}31m\u{202e}b\tc\nd\u{2028}e\n";
        assert_eq!(shown(text, true), "a  [2K 31m b c\nd e\n");
        assert_eq!(single_line(text), "a  [2K 31m b c d e ");
        assert!(matches!(shown("plain\n", true), Cow::Borrowed(_)));
    }

    #[test]
    fn key_values_align_wide_keys() {
        assert_eq!(
            key_values(&[("名前", "a".into()), ("id", "b".into())]),
            "名前  a\nid    b\n"
        );
    }

    #[test]
    fn cells_are_kept_on_one_line() {
        let mut t = Table::new(&["A", "B"]);
        t.row(vec!["x\ny".into(), "\x1b[31mred".into()]);
        assert_eq!(t.render(), "A    B\nx y   [31mred\n");
    }

    #[test]
    fn keys_are_kept_on_one_line() {
        assert_eq!(
            key_values(&[("a\nb", "1".into()), ("\x1b[2Jx", "2".into())]),
            "a b    1\n [2Jx  2\n"
        );
    }

    /// Two files whose names differ only in bytes that are not UTF-8 printed the same
    /// (`caf\u{fffd}.json`); each is printed with its own bytes now, and printable paths as
    /// they are.
    #[cfg(unix)]
    #[test]
    fn paths_that_are_not_printable_text_are_printed_with_their_bytes() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        let e9 = Path::new(OsStr::from_bytes(b"/tmp/caf\xe9.json"));
        let ff = Path::new(OsStr::from_bytes(b"/tmp/caf\xff.json"));
        assert_eq!(e9.display().to_string(), ff.display().to_string());
        assert_eq!(path(e9), r"$'/tmp/caf\xe9.json'");
        assert_eq!(path(ff), r"$'/tmp/caf\xff.json'");
        assert_eq!(path(Path::new("/tmp/a\x1b[2Jb")), r"$'/tmp/a\x1b[2Jb'");
        assert_eq!(path(Path::new("/tmp/my cache.json")), "/tmp/my cache.json");
        assert_eq!(
            path(Path::new("/tmp/caf\u{e9}.json")),
            "/tmp/caf\u{e9}.json"
        );
        // JSON holds any UTF-8 path as it is; a path that is not UTF-8 is its shell word.
        assert_eq!(json_path(Path::new("/tmp/a\x1b[2Jb")), "/tmp/a\x1b[2Jb");
        assert_eq!(json_path(e9), r"$'/tmp/caf\xe9.json'");
    }

    /// A path whose text starts with `$'` is printed as a shell word too, in text and in
    /// `--json`: printed as it is, `$'/tmp/caf\xe9.json'` (printable text, a file of that name
    /// in the working directory) read as the shell word of `/tmp/caf\xe9.json` (a byte that is
    /// not UTF-8), and printed the same.
    #[cfg(unix)]
    #[test]
    fn a_path_named_like_a_shell_word_is_printed_as_one() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        let named = Path::new(r"$'/tmp/caf\xe9.json'");
        let e9 = Path::new(OsStr::from_bytes(b"/tmp/caf\xe9.json"));
        assert_eq!(path(e9), r"$'/tmp/caf\xe9.json'");
        assert_eq!(json_path(e9), r"$'/tmp/caf\xe9.json'");
        assert_eq!(path(named), r"$'$\'/tmp/caf\\xe9.json\''");
        assert_eq!(json_path(named), r"$'$\'/tmp/caf\\xe9.json\''");
        // `$'` further in, or `$` alone, is no shell word's start: printed as it is.
        assert_eq!(path(Path::new("/tmp/$'x'")), "/tmp/$'x'");
        assert_eq!(json_path(Path::new("$x.json")), "$x.json");
        assert_eq!(path(Path::new("'$'x")), "'$'x");
    }

    #[test]
    fn times_are_utc_to_the_second() {
        use chrono::TimeZone;
        let t = chrono::Utc.with_ymd_and_hms(2026, 11, 23, 9, 6, 3).unwrap();
        assert_eq!(time(Some(t)), "2026-11-23 09:06:03 UTC");
        assert_eq!(time(None), NONE);
    }

    #[test]
    fn key_values_align() {
        assert_eq!(
            key_values(&[
                ("id", "L1".into()),
                ("battery", "88%".into()),
                ("x", String::new())
            ]),
            "id       L1\nbattery  88%\nx\n"
        );
    }
}
