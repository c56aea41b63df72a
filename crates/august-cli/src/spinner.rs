//! A progress line on standard error while a slow call is pending, only when standard error is
//! a terminal (nothing is written to a pipe or a file).

use std::io::{self, IsTerminal, Write};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

const FRAMES: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const TICK: Duration = Duration::from_millis(100);

/// Runs until dropped; then the line is cleared.
pub struct Spinner {
    running: Option<(Sender<()>, JoinHandle<()>)>,
}

impl Spinner {
    /// Shows `message` with a spinner and the seconds elapsed, if standard error is a terminal.
    pub fn start(message: impl Into<String>) -> Spinner {
        if !io::stderr().is_terminal() {
            return Spinner { running: None };
        }
        let message = message.into();
        let (stop, stopped) = mpsc::channel::<()>();
        let handle = thread::spawn(move || {
            let started = Instant::now();
            let mut frame = 0usize;
            loop {
                let symbol = FRAMES[frame % FRAMES.len()];
                let mut err = io::stderr().lock();
                let _ = write!(
                    err,
                    "\r{symbol} {message} ({}s)",
                    started.elapsed().as_secs()
                );
                let _ = err.flush();
                drop(err);
                frame += 1;
                match stopped.recv_timeout(TICK) {
                    Err(RecvTimeoutError::Timeout) => {}
                    Ok(()) | Err(RecvTimeoutError::Disconnected) => break,
                }
            }
            let mut err = io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        });
        Spinner {
            running: Some((stop, handle)),
        }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        if let Some((stop, handle)) = self.running.take() {
            let _ = stop.send(());
            let _ = handle.join();
        }
    }
}
