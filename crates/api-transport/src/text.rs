//! A server's text as a message quotes it: bounded, and unable to drive a terminal.

/// Whether `c` can be shown as it is where a server's text is quoted: not a control character
/// (a line break, a carriage return, an escape that starts a terminal's command sequence, a
/// C1 control) nor a mark that reorders or breaks the text around it (the bidirectional
/// embeddings, overrides and isolates, the left-to-right and right-to-left marks, the line
/// and paragraph separators), which could make one name read as another.
///
/// ```
/// assert!(api_transport::is_printable('é'));
/// assert!(!api_transport::is_printable('\x1b'));
/// assert!(!api_transport::is_printable('\u{202e}'));
/// ```
pub fn is_printable(c: char) -> bool {
    !(c.is_control()
        || matches!(
            c,
            '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        ))
}

/// `text` as a message quotes it: at most `max` characters, each one that is not
/// [`is_printable`] shown as a space.
///
/// ```
/// assert_eq!(api_transport::printable("ok\r\x1b[2Kdone", 300), "ok  [2Kdone");
/// assert_eq!(api_transport::printable("a long message", 6), "a long");
/// ```
pub fn printable(text: &str, max: usize) -> String {
    text.chars()
        .take(max)
        .map(|c| if is_printable(c) { c } else { ' ' })
        .collect()
}
