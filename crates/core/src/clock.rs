//! Time as a dependency: the core never calls `now()` itself, so tests can set the date.

use std::sync::atomic::{AtomicI64, Ordering};
use volost_domain::Ts;

pub trait Clock: Send + Sync {
    fn now(&self) -> Ts;
}

pub struct SystemClock;

impl Clock for SystemClock {
    // The one place the core asks the system for the time.
    #[allow(clippy::disallowed_methods)]
    fn now(&self) -> Ts {
        Ts::from_datetime(time::OffsetDateTime::now_utc())
    }
}

/// A clock that stands still until moved: for tests and the demo seed.
pub struct FixedClock(AtomicI64);

impl FixedClock {
    pub fn new(at: Ts) -> FixedClock {
        FixedClock(AtomicI64::new(at.0))
    }
    pub fn set(&self, at: Ts) {
        self.0.store(at.0, Ordering::SeqCst);
    }
    pub fn advance_ms(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Ts {
        Ts(self.0.load(Ordering::SeqCst))
    }
}
