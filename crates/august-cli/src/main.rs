//! `august`: a command-line tool for the August and Yale Access smart-lock API and the Authy
//! two-factor API.
//!
//! ```text
//! $ august login --username +15555550100     # password prompt, then the code sent by SMS
//! $ august locks
//! $ august --json lock-detail 6AB5C6A9E4D14A5B8D2C3F1E0A9B8C7D
//! $ august unlock 6AB5C6A9E4D14A5B8D2C3F1E0A9B8C7D
//! ```
//!
//! Errors are one line on standard error (`error: ...`) and a distinct exit code: 0 success,
//! 1 failure, 2 usage, 3 log in again, 4 rate limited, 5 outcome unknown, 130 interrupted (a
//! Ctrl-C while `august watch` closes its stream). See `docs/cli.md`.

mod august_cmds;
mod authy_cmds;
mod cli;
mod failure;
mod live_cmds;
mod output;
mod pending;
mod session;
mod signin;
mod spinner;
mod twilio_cmds;

use std::process::ExitCode;

use clap::FromArgMatches;

use crate::august_cmds::Operation;
use crate::cli::{Cli, Command, DoorbellArg, LockArg};
use crate::session::Context;

/// Runs the command. Once the context is built, `login` holds the login command as this run
/// names it (with its `--cache` or `--username`), for a failure that says to log in again.
fn run(cli: &Cli, login: &mut Option<String>) -> anyhow::Result<()> {
    if let Command::Completions { shell } = &cli.command {
        let mut script = Vec::new();
        clap_complete::generate(*shell, &mut cli::command(), "august", &mut script);
        return output::print(&String::from_utf8(script)?);
    }
    let ctx = Context::new(cli)?;
    *login = Some(ctx.login_command(ctx.username.as_deref()));
    let result = match &cli.command {
        Command::Login(args) => session::login(&ctx, args),
        Command::Verify(args) => session::verify(&ctx, args),
        Command::Whoami => signin::whoami(&ctx),
        Command::Logout => session::logout(&ctx),
        Command::Locks => august_cmds::locks(&ctx),
        Command::LockDetail(LockArg { id }) => august_cmds::lock_detail(&ctx, id),
        Command::Status(LockArg { id }) => august_cmds::status(&ctx, id),
        Command::Lock(LockArg { id }) => august_cmds::operate(&ctx, id, Operation::Lock),
        Command::Unlock(LockArg { id }) => august_cmds::operate(&ctx, id, Operation::Unlock),
        Command::Doorbells => august_cmds::doorbells(&ctx),
        Command::Doorbell(DoorbellArg { id }) => august_cmds::doorbell(&ctx, id),
        Command::Wakeup(DoorbellArg { id }) => august_cmds::wakeup(&ctx, id),
        Command::Image {
            doorbell: DoorbellArg { id },
            output,
        } => august_cmds::image(&ctx, id, output),
        Command::Houses => august_cmds::houses(&ctx),
        Command::House { id } => august_cmds::house(&ctx, id),
        Command::Activity { house_id, limit } => august_cmds::activity(&ctx, house_id, *limit),
        Command::Pins(LockArg { id }) => august_cmds::pins(&ctx, id),
        Command::Authy(command) => authy_cmds::run(&ctx, command),
        Command::Twilio(args) => twilio_cmds::run(&ctx, args),
        Command::Watch(args) => live_cmds::watch(&ctx, args),
        Command::Capabilities { lock_id } => live_cmds::capabilities(&ctx, lock_id),
        Command::Completions { .. } => Ok(()),
    };
    ctx.finish(result)
}

/// Logs to standard error as `RUST_LOG` says (nothing when unset), with ureq's targets capped
/// at `debug` whatever it says: beyond that ureq dumps raw requests, credentials included.
fn init_logging() {
    let logger = env_logger::Builder::from_default_env().build();
    let max = logger.filter();
    // A second logger cannot be installed; there is none before this.
    let _ = api_transport::install_capped_logger(logger, max);
}

fn main() -> ExitCode {
    init_logging();
    let mut command = cli::command();
    let matches = command.get_matches_mut();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.format(&mut command).exit());
    let mut login = None;
    match run(&cli, &mut login) {
        Ok(()) => failure::to_exit_code(failure::OK),
        Err(e) => {
            output::print_err(&format!(
                "error: {}\n",
                failure::message(&e, login.as_deref())
            ));
            failure::to_exit_code(failure::exit_code(&e))
        }
    }
}
