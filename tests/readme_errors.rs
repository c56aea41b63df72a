//! The README's "Handling errors" block is the one `docs/errors.md` holds (compiled there as a
//! doctest of the facade): the two stay identical.

fn rust_block_after(text: &str, heading: &str) -> String {
    let start = text
        .find(heading)
        .unwrap_or_else(|| panic!("no {heading:?} heading"));
    let rest = &text[start..];
    let open = rest
        .find("```rust")
        .unwrap_or_else(|| panic!("no rust block after {heading:?}"));
    let block = &rest[open..];
    let close = block[3..]
        .find("\n```")
        .unwrap_or_else(|| panic!("unclosed block after {heading:?}"));
    block[..close + 7].to_owned()
}

#[test]
fn the_readme_match_is_the_doctested_one() {
    let readme = include_str!("../README.md");
    let guide = include_str!("../docs/errors.md");
    let in_readme = rust_block_after(readme, "## Handling errors");
    let in_guide = rust_block_after(guide, "## One `match`");
    assert!(in_readme.contains("match err.kind()"), "{in_readme}");
    assert_eq!(in_readme, in_guide);
}
