//! The limits of the applicants' status lookup, so that access codes cannot be guessed and
//! the guessing cannot lock the applicant out.
//!
//! - A client (an address, an IPv6 /64: [`Client`]) gets [`CLIENT_MISSES`] wrong codes in
//!   [`WINDOW`], over all numbers; then it waits out the window. Rewriting the number does not
//!   help: numbers are read in their one canonical form before anything is counted, and
//!   malformed ones are refused without a lookup.
//! - A number that collects [`NUMBER_MISSES`] wrong codes from all clients is under attack:
//!   from then until its window passes, only clients with no wrong code of their own in their
//!   window are heard. The applicant, at home with the receipt, is one of them, so her right
//!   code is answered while the guessers are refused.
//! - Both tables have a fixed size ([`TABLE`]). When the clients' table is full of live
//!   entries, a client not in it is refused until one expires: an attack from more than
//!   [`TABLE`] addresses at once makes the lookup wait, never the node's memory grow.

use super::gate::Client;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const CLIENT_MISSES: u32 = 20;
pub const NUMBER_MISSES: u32 = 30;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
pub const TABLE: usize = 4096;

#[derive(Clone, Copy)]
struct Count {
    misses: u32,
    since: Instant,
}

impl Count {
    fn live(&self, now: Instant) -> bool {
        now.duration_since(self.since) < WINDOW
    }
}

#[derive(Default)]
struct Tables {
    clients: HashMap<Client, Count>,
    numbers: HashMap<String, Count>,
}

#[derive(Default)]
pub struct Limiter(Mutex<Tables>);

/// Why a lookup is not made now.
#[derive(Debug, PartialEq, Eq)]
pub enum Wait {
    /// This client made too many wrong guesses.
    Client,
    /// The number is under attack and this client guessed wrong before.
    Number,
    /// Too many clients are guessing at once.
    Crowd,
}

fn misses_of<K: std::hash::Hash + Eq>(m: &HashMap<K, Count>, k: &K, now: Instant) -> u32 {
    m.get(k).filter(|c| c.live(now)).map_or(0, |c| c.misses)
}

/// Makes room for one entry: drops the expired ones when the table is full. Whether there is
/// room now.
fn room<K>(m: &mut HashMap<K, Count>, now: Instant) -> bool {
    if m.len() >= TABLE {
        m.retain(|_, c| c.live(now));
    }
    m.len() < TABLE
}

fn count<K: std::hash::Hash + Eq>(m: &mut HashMap<K, Count>, k: K, now: Instant) {
    let c = m.entry(k).or_insert(Count {
        misses: 0,
        since: now,
    });
    if !c.live(now) {
        *c = Count {
            misses: 0,
            since: now,
        };
    }
    c.misses += 1;
}

impl Limiter {
    /// Whether `client` may look up `number` (canonical) now.
    pub fn admit(&self, client: Client, number: &str) -> Result<(), Wait> {
        self.admit_at(client, number, Instant::now())
    }

    fn admit_at(&self, client: Client, number: &str, now: Instant) -> Result<(), Wait> {
        let mut t = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let mine = misses_of(&t.clients, &client, now);
        if mine >= CLIENT_MISSES {
            return Err(Wait::Client);
        }
        if mine > 0 && misses_of(&t.numbers, &number.to_string(), now) >= NUMBER_MISSES {
            return Err(Wait::Number);
        }
        // A client that could not be counted if it guessed wrong is not heard: it would
        // guess for free.
        if !t.clients.contains_key(&client) && !room(&mut t.clients, now) {
            return Err(Wait::Crowd);
        }
        Ok(())
    }

    /// `client` gave a wrong code for `number`.
    pub fn miss(&self, client: Client, number: &str) {
        self.miss_at(client, number, Instant::now());
    }

    fn miss_at(&self, client: Client, number: &str, now: Instant) {
        let mut t = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if t.clients.contains_key(&client) || room(&mut t.clients, now) {
            count(&mut t.clients, client, now);
        }
        // A full table of numbers only loses the per-number view; the clients' limits hold.
        if t.numbers.contains_key(number) || room(&mut t.numbers, now) {
            count(&mut t.numbers, number.to_string(), now);
        }
    }

    /// Entries held now (clients, numbers): never more than [`TABLE`] each.
    pub fn sizes(&self) -> (usize, usize) {
        let t = self.0.lock().unwrap_or_else(|p| p.into_inner());
        (t.clients.len(), t.numbers.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(i: u32) -> Client {
        Client::V4(i)
    }

    #[test]
    fn a_guesser_is_stopped_and_the_applicant_still_answered() {
        let l = Limiter::default();
        let now = Instant::now();
        let n = "2026-000001";
        for _ in 0..CLIENT_MISSES {
            assert_eq!(l.admit_at(c(1), n, now), Ok(()));
            l.miss_at(c(1), n, now);
        }
        assert_eq!(l.admit_at(c(1), n, now), Err(Wait::Client));
        // Other numbers do not help the guesser.
        assert_eq!(l.admit_at(c(1), "2026-000002", now), Err(Wait::Client));
        // Ten more clients push the number over its limit.
        for i in 2..12 {
            l.miss_at(c(i), n, now);
        }
        assert_eq!(l.admit_at(c(2), n, now), Err(Wait::Number));
        // The applicant, who guessed nothing, is heard; a number not attacked is open to all.
        assert_eq!(l.admit_at(c(99), n, now), Ok(()));
        assert_eq!(l.admit_at(c(2), "2026-000002", now), Ok(()));
        // After the window, everyone is heard again.
        let later = now + WINDOW + Duration::from_secs(1);
        assert_eq!(l.admit_at(c(1), n, later), Ok(()));
        assert_eq!(l.admit_at(c(2), n, later), Ok(()));
    }

    #[test]
    fn the_tables_never_outgrow_their_size() {
        let l = Limiter::default();
        let now = Instant::now();
        for i in 0..(TABLE as u32 + 500) {
            let number = format!("2026-{i:06}");
            if l.admit_at(c(i), &number, now).is_ok() {
                l.miss_at(c(i), &number, now);
            }
        }
        assert_eq!(l.sizes(), (TABLE, TABLE));
        // A new client now waits; one known is still heard.
        assert_eq!(
            l.admit_at(c(1_000_000), "2026-000001", now),
            Err(Wait::Crowd)
        );
        assert_eq!(l.admit_at(c(5), "2026-000001", now), Ok(()));
        // Once the entries expire, there is room again.
        let later = now + WINDOW + Duration::from_secs(1);
        assert_eq!(l.admit_at(c(1_000_000), "2026-000001", later), Ok(()));
    }
}
