//! A command whose request never left the machine (the host name does not resolve, the
//! connection is refused) says "not delivered" and exits with 1, never with 5 ("outcome
//! unknown"), for `unlock` as for a read.

mod common;

use august_sandbox::{Sandbox, demo};
use common::Tool;

#[test]
fn an_unlock_that_never_left_the_machine_is_not_outcome_unknown() {
    let sandbox = Sandbox::start().unwrap_or_else(|e| panic!("{e}"));
    let tool = Tool::new();
    let cache = tool.cache();
    let cache = cache.to_str().unwrap_or_default();
    let login = |base: &str| {
        vec![
            ("AUGUST_BASE_URL", base.to_owned()),
            ("AUGUST_CACHE_FILE", cache.to_owned()),
            ("AUGUST_USERNAME", demo::PHONE.to_owned()),
            ("AUGUST_PASSWORD", demo::PASSWORD.to_owned()),
        ]
    };
    let run = |args: &[&str], vars: &[(&str, String)]| {
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        tool.run(args, &vars)
    };
    let url = sandbox.august_url();
    run(&["login"], &login(&url)).expect_code(0);
    let code = sandbox
        .august_verification_code()
        .unwrap_or_else(|| panic!("no code was sent"));
    run(&["verify", &code], &login(&url)).expect_code(0);

    let closed = test_support::fault_server::refused_url();
    for base in ["https://nonexistent.invalid", closed.as_str()] {
        for args in [&["unlock", demo::FRONT_DOOR_LOCK_ID][..], &["locks"][..]] {
            let out = run(args, &login(base)).expect_code(1);
            assert!(
                out.stderr.contains("was not delivered"),
                "{base} {args:?}: {out:#?}"
            );
            assert!(
                !out.stderr.contains("outcome") && !out.stderr.contains("may have"),
                "{base} {args:?}: {out:#?}"
            );
        }
    }
}
