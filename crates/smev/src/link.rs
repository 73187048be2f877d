//! The state of the link to SMEV. The exchange worker is its only writer; readers take a
//! snapshot, so a slow reader never holds the worker up.

use std::sync::Mutex;
pub use volost_api::view::{LinkSnapshot, LinkState};

#[derive(Default)]
pub struct Link(Mutex<LinkSnapshot>);

impl Link {
    pub fn snapshot(&self) -> LinkSnapshot {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The worker had an exchange go through at `now` (unix seconds).
    pub fn up(&self, now: i64) {
        let mut g = self.0.lock().unwrap_or_else(|p| p.into_inner());
        g.state = LinkState::Up;
        g.last_contact = Some(now);
    }

    pub fn set_cert_days(&self, days: Option<i64>) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .cert_days_left = days;
    }

    /// The node's signer, once loaded: its provider and whether it is certified.
    pub fn set_signer(&self, provider: super::signer::Provider) {
        let mut g = self.0.lock().unwrap_or_else(|p| p.into_inner());
        g.signer = Some(provider.code().to_string());
        g.uncertified = !provider.certified();
    }

    /// A message could not be read; `why` in English.
    pub fn unreadable(&self, why: impl Into<String>) {
        let mut g = self.0.lock().unwrap_or_else(|p| p.into_inner());
        g.unreadable_total += 1;
        g.last_unreadable = Some(why.into());
    }

    /// The worker could not reach SMEV; `why` is for logs and `/health`, in English.
    pub fn down(&self, why: impl Into<String>) {
        let mut g = self.0.lock().unwrap_or_else(|p| p.into_inner());
        g.state = LinkState::Down;
        g.errors_total += 1;
        g.last_error = Some(why.into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_counts_and_a_success_brings_the_link_back_up() {
        let l = Link::default();
        assert_eq!(l.snapshot().state, LinkState::NotConfigured);
        l.down("connection refused");
        l.down("connection refused");
        let s = l.snapshot();
        assert_eq!((s.state, s.errors_total), (LinkState::Down, 2));
        l.up(1_700_000_000);
        let s = l.snapshot();
        assert_eq!(s.state, LinkState::Up);
        assert_eq!(s.last_contact, Some(1_700_000_000));
        // The count of failures is a total, not reset by a success.
        assert_eq!(s.errors_total, 2);
        assert_eq!(
            serde_json::to_value(&s).expect("json")["state"],
            serde_json::json!("up")
        );
    }
}
