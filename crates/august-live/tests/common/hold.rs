//! A logger that holds one thread past its deadline, right after the transport logs a given
//! line: as a thread descheduled at that point on a busy machine would be.

use std::sync::Mutex;
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

/// Holds the thread it is armed for, once, when that thread's transport logs a line starting
/// with `line`, until the deadline in force on the thread has passed (and 50 ms more).
pub struct HoldAfter {
    line: &'static str,
    armed: Mutex<Option<ThreadId>>,
}

impl HoldAfter {
    /// A logger that holds after a transport line starting with `line`, not armed yet.
    pub const fn new(line: &'static str) -> HoldAfter {
        HoldAfter {
            line,
            armed: Mutex::new(None),
        }
    }

    /// Installs `hold` as the test binary's one logger and arms it for this thread.
    pub fn install_for_this_thread(hold: &'static HoldAfter) {
        log::set_logger(hold).expect("the only logger of these tests");
        log::set_max_level(log::LevelFilter::Debug);
        *hold.armed.lock().unwrap() = Some(thread::current().id());
    }

    /// Whether it held its thread (it is armed no more).
    pub fn held(&self) -> bool {
        self.armed.lock().unwrap().is_none()
    }
}

impl log::Log for HoldAfter {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let mut armed = self.armed.lock().unwrap();
        if *armed != Some(thread::current().id())
            || !record.target().starts_with("api_transport")
            || !record.args().to_string().starts_with(self.line)
        {
            return;
        }
        *armed = None;
        drop(armed);
        let at = api_transport::deadline().expect("the device read's deadline");
        thread::sleep(at.saturating_duration_since(Instant::now()) + Duration::from_millis(50));
    }

    fn flush(&self) {}
}
