//! Every public method of the SDK's clients carries an example, and every fallible one an
//! `# Errors` section.
//!
//! The check reads the sources: for each listed type it finds the inherent `impl` blocks (in any
//! file of the crate), and for each `pub fn` in them the doc comment above it. Setters that
//! consume and return the value (`fn x(mut self, ..) -> Self`) are left to the builders' own
//! conventions.

use std::fs;
use std::path::{Path, PathBuf};

/// Crate directory (relative to the workspace root) and the types whose methods are checked.
const CHECKED: &[(&str, &[&str])] = &[
    ("crates/august-core", &["Api"]),
    (
        "crates/august-auth",
        &[
            "Client",
            "Credentials",
            "OAuthClient",
            "Authenticator",
            "SharedAuthenticator",
        ],
    ),
    (
        "crates/authy-client",
        &[
            "Users",
            "Tokens",
            "Phones",
            "OneTouch",
            "Apps",
            "StatsResource",
        ],
    ),
    (
        "crates/twilio-verify",
        &[
            "VerifyClient",
            "Services",
            "Verifications",
            "Entities",
            "Factors",
            "Challenges",
            "Webhooks",
            "RateLimits",
            "AccessTokens",
            "Attempts",
            "Lookup",
        ],
    ),
];

struct Method {
    file: PathBuf,
    line: usize,
    ty: String,
    name: String,
    signature: String,
    doc: String,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The type an inherent `impl` line is for (`impl<'a> Users<'a> {` gives `Users`), or `None`
/// for a trait impl or anything else.
fn inherent_impl_type(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("impl")?;
    if !rest.trim_end().ends_with('{') || rest.contains(" for ") {
        return None;
    }
    let rest = rest.trim_start();
    let rest = if rest.starts_with('<') {
        &rest[rest.find('>')? + 1..]
    } else {
        rest
    };
    let rest = rest.trim_start();
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    Some(&rest[..end])
}

fn methods_of(file: &Path, types: &[&str]) -> Vec<Method> {
    let text = fs::read_to_string(file).expect("source file");
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    let mut current: Option<String> = None;
    for (i, line) in lines.iter().enumerate() {
        if let Some(ty) = inherent_impl_type(line) {
            current = types.contains(&ty).then(|| ty.to_owned());
            continue;
        }
        if *line == "}" {
            current = None;
            continue;
        }
        let Some(ty) = &current else { continue };
        let Some(after) = line.strip_prefix("    pub fn ") else {
            continue;
        };
        let name: String = after
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        // The signature runs to the line that opens the body.
        let mut signature = String::new();
        for sig in &lines[i..] {
            signature.push_str(sig.trim());
            signature.push(' ');
            if sig.trim_end().ends_with('{') {
                break;
            }
        }
        // The doc comment: `///` lines above, attributes in between skipped.
        let mut doc_lines = Vec::new();
        for above in lines[..i].iter().rev() {
            let above = above.trim_start();
            if let Some(doc) = above.strip_prefix("///") {
                doc_lines.push(doc);
            } else if above.starts_with("#[") {
                continue;
            } else {
                break;
            }
        }
        doc_lines.reverse();
        found.push(Method {
            file: file.to_owned(),
            line: i + 1,
            ty: ty.clone(),
            name,
            signature,
            doc: doc_lines.join("\n"),
        });
    }
    found
}

/// `fn x(mut self, ..) -> Self` and the like: a setter, documented by its builder's rules.
fn is_setter(method: &Method) -> bool {
    let takes_self = method.signature.contains("(mut self") || method.signature.contains("(self");
    let returns = method
        .signature
        .rsplit_once("->")
        .map(|(_, r)| r.trim().trim_end_matches('{').trim().to_owned())
        .unwrap_or_default();
    takes_self && (returns == "Self" || returns == method.ty)
}

fn is_fallible(method: &Method) -> bool {
    method
        .signature
        .rsplit_once("->")
        .is_some_and(|(_, r)| r.trim_start().starts_with("Result<"))
}

#[test]
fn every_public_call_has_an_example_and_its_errors() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut missing = Vec::new();
    let mut checked = 0;
    for (krate, types) in CHECKED {
        let mut files = Vec::new();
        rust_files(&root.join(krate).join("src"), &mut files);
        let methods: Vec<Method> = files.iter().flat_map(|f| methods_of(f, types)).collect();
        for ty in *types {
            assert!(
                methods.iter().any(|m| m.ty == *ty),
                "no public method of {ty} found in {krate}: has it moved or been renamed?"
            );
        }
        for method in methods.iter().filter(|m| !is_setter(m)) {
            checked += 1;
            let place = format!(
                "{}:{} {}::{}",
                method
                    .file
                    .strip_prefix(&root)
                    .unwrap_or(&method.file)
                    .display(),
                method.line,
                method.ty,
                method.name
            );
            if !method.doc.contains("```") {
                missing.push(format!("{place}: no example"));
            }
            if is_fallible(method) && !method.doc.contains("# Errors") {
                missing.push(format!("{place}: no `# Errors` section"));
            }
        }
    }
    assert!(
        checked > 100,
        "only {checked} methods found: is the parser broken?"
    );
    assert!(
        missing.is_empty(),
        "{} gaps in the docs:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

/// `august_auth::Client` generates its token-holding calls with a `calls!` macro: each entry
/// (`GetLocks => fn get_locks() -> Vec<Lock>;`) carries its example as a doc comment.
#[test]
fn every_generated_client_call_has_an_example() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../crates/august-auth/src/client.rs");
    let text = fs::read_to_string(&path).expect("client.rs");
    let lines: Vec<&str> = text.lines().collect();
    let mut entries = 0;
    let mut missing = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        // `GetLocks => fn get_locks() -> Vec<Lock>;`
        let Some((call, rest)) = trimmed.split_once(" => fn ") else {
            continue;
        };
        if call.is_empty() || !call.chars().all(|c| c.is_ascii_alphanumeric()) {
            continue;
        }
        entries += 1;
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let doc: Vec<&str> = lines[..i]
            .iter()
            .rev()
            .map(|l| l.trim_start())
            .take_while(|l| l.starts_with("///"))
            .collect();
        if !doc.iter().any(|l| l.contains("```")) {
            missing.push(format!("client.rs:{} Client::{name}: no example", i + 1));
        }
    }
    assert!(
        entries > 20,
        "only {entries} generated calls found: has the macro changed?"
    );
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn the_parser_reads_impl_lines() {
    assert_eq!(inherent_impl_type("impl Api {"), Some("Api"));
    assert_eq!(inherent_impl_type("impl<'a> Users<'a> {"), Some("Users"));
    assert_eq!(inherent_impl_type("impl fmt::Debug for Api {"), None);
    assert_eq!(
        inherent_impl_type("impl<T: Model> Pages<T> {"),
        Some("Pages")
    );
}
