//! What a secret audit collects and checks, beside the logger ([`crate::capture`]): every text
//! the values and errors of a run show ([`Shown`]), and the check that no secret stands in
//! them nor in the lines the run logged ([`assert_clean`]).

use std::fmt::Debug;

use crate::capture::{Line, UreqLevel, hits, shown, texts};

/// What values and errors showed during a run.
#[derive(Debug, Default)]
pub struct Shown(pub Vec<String>);

impl Shown {
    /// Records a value's `Debug`, plain and pretty.
    pub fn debug(&mut self, value: &impl Debug) {
        self.0.push(format!("{value:?}"));
        self.0.push(format!("{value:#?}"));
    }

    /// Records what a result shows (see [`shown`]).
    pub fn result<T: Debug, E: std::error::Error>(&mut self, result: &Result<T, E>) {
        self.0.extend(shown(result.as_ref()));
    }
}

/// Asserts that no secret stands in what a run `shown`, nor in the `lines` it logged with
/// ureq at `level`: every line at [`UreqLevel::Debug`] (as the documentation recommends), the
/// crates' own lines at [`UreqLevel::Trace`] (ureq's raw dumps there are expected to show
/// headers).
pub fn assert_clean(secrets: &[(&str, &str)], level: UreqLevel, lines: &[Line], shown: &Shown) {
    let checked: Vec<Line> = lines
        .iter()
        .filter(|l| level == UreqLevel::Debug || !l.by_ureq())
        .cloned()
        .collect();
    assert_eq!(
        hits(secrets, texts(&checked).iter().map(String::as_str)),
        Vec::<String>::new(),
        "{level:?}"
    );
    assert_eq!(
        hits(secrets, shown.0.iter().map(String::as_str)),
        Vec::<String>::new(),
        "{level:?}"
    );
}
