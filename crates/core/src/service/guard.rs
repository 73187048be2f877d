//! Wrong passwords slow the one who types them, not the person whose login it is.
//!
//! Before, five wrong passwords from anywhere locked an account for 15 minutes, so anyone
//! who could reach a login screen could keep the administrator out for good (issue 27), and
//! only logins that exist were ever «locked», which told which exist. Now counts are kept per
//! login *and source* (the staff member's OS account on the socket; the client's address on
//! the staff web page):
//! - [`Options::max_failed_logins`] wrong passwords for a login from one source lock that
//!   login *from that source* for `lockout_ms`; from anywhere else it still works. Unknown
//!   logins are counted and locked alike, so the replies never tell which logins exist.
//! - [`SOURCE_MISSES`] wrong passwords from one source, over all logins, lock that source out
//!   of every login for the window: guessing many logins is no way round.
//! - [`LOGIN_MISSES`] wrong passwords for one login from all sources put it under attack:
//!   until the window passes, only sources with no wrong password for it are heard. The
//!   person at their own desk is one of them.
//! - The physical console (`[sessions] console_user`, the account the TUI on tty1 runs as)
//!   is never locked out: whoever sits at the machine can always sign in.
//!
//! The tables have a fixed size ([`TABLE`]); when one is full of live entries, a source not
//! in it is refused until an entry expires, so a flood of sources cannot grow memory.

use super::Options;
use std::collections::HashMap;
use std::sync::Mutex;
use volost_domain::Ts;

/// Where a login attempt comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// A process on the node, by its OS user (`SO_PEERCRED`).
    Uid(u32),
    /// A client on the network.
    Addr(std::net::IpAddr),
    /// The physical console: never locked out.
    Console,
    /// A call inside the process (command-line tools on a stopped node, tests).
    Direct,
}

pub const SOURCE_MISSES: u32 = 30;
pub const LOGIN_MISSES: u32 = 20;
const WINDOW_MS: i64 = 15 * 60_000;
pub const TABLE: usize = 4096;

#[derive(Clone, Copy, Default)]
struct Count {
    misses: u32,
    since: i64,
    locked_until: Option<i64>,
}

impl Count {
    fn live(&self, now: i64) -> bool {
        now - self.since < WINDOW_MS || self.locked_until.is_some_and(|u| u > now)
    }
}

#[derive(Default)]
struct Tables {
    pairs: HashMap<(String, Source), Count>,
    sources: HashMap<Source, Count>,
    logins: HashMap<String, Count>,
}

#[derive(Default)]
pub struct LoginGuard(Mutex<Tables>);

/// The same login however it is typed: one count for «Admin» and «admin ».
fn norm(login: &str) -> String {
    login.trim().to_lowercase()
}

fn misses<K: std::hash::Hash + Eq>(m: &HashMap<K, Count>, k: &K, now: i64) -> u32 {
    m.get(k)
        .filter(|c| now - c.since < WINDOW_MS)
        .map_or(0, |c| c.misses)
}

fn room<K>(m: &mut HashMap<K, Count>, now: i64) -> bool {
    if m.len() >= TABLE {
        m.retain(|_, c| c.live(now));
    }
    m.len() < TABLE
}

/// Counts one miss under `k`; returns the entry as it is now.
fn count<K: std::hash::Hash + Eq>(m: &mut HashMap<K, Count>, k: K, now: i64) -> Option<Count> {
    if !m.contains_key(&k) && !room(m, now) {
        return None;
    }
    let c = m.entry(k).or_default();
    if now - c.since >= WINDOW_MS {
        *c = Count {
            misses: 0,
            since: now,
            locked_until: c.locked_until.filter(|u| *u > now),
        };
    }
    c.misses += 1;
    Some(*c)
}

impl LoginGuard {
    /// `Err(until)` when `login` may not be tried from `from` now.
    pub fn admit(&self, login: &str, from: Source, now: Ts) -> Result<(), Ts> {
        if from == Source::Console {
            return Ok(());
        }
        let (now, login) = (now.0, norm(login));
        let mut t = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let key = (login.clone(), from);
        if let Some(u) = t
            .pairs
            .get(&key)
            .and_then(|c| c.locked_until)
            .filter(|u| *u > now)
        {
            return Err(Ts(u));
        }
        let window_end = |c: Option<&Count>| Ts(c.map_or(now, |c| c.since) + WINDOW_MS);
        if misses(&t.sources, &from, now) >= SOURCE_MISSES {
            return Err(window_end(t.sources.get(&from)));
        }
        if misses(&t.pairs, &key, now) > 0 && misses(&t.logins, &login, now) >= LOGIN_MISSES {
            return Err(window_end(t.logins.get(&login)));
        }
        // A source that could not be counted if it guessed wrong is not heard.
        if !t.sources.contains_key(&from) && !room(&mut t.sources, now) {
            return Err(Ts(now + WINDOW_MS));
        }
        Ok(())
    }

    /// A wrong password; `Some(until)` when this one locked the login from `from`.
    pub fn miss(&self, login: &str, from: Source, now: Ts, opts: &Options) -> Option<Ts> {
        if from == Source::Console {
            return None;
        }
        let (now, login) = (now.0, norm(login));
        let mut t = self.0.lock().unwrap_or_else(|p| p.into_inner());
        count(&mut t.sources, from, now);
        count(&mut t.logins, login.clone(), now);
        let key = (login, from);
        let c = count(&mut t.pairs, key.clone(), now)?;
        if c.misses >= opts.max_failed_logins.max(1) {
            let until = now + opts.lockout_ms;
            if let Some(e) = t.pairs.get_mut(&key) {
                *e = Count {
                    misses: 0,
                    since: now,
                    locked_until: Some(until),
                };
            }
            return Some(Ts(until));
        }
        None
    }

    /// The right password: the count for this login from this source starts again.
    pub fn hit(&self, login: &str, from: Source) {
        let mut t = self.0.lock().unwrap_or_else(|p| p.into_inner());
        t.pairs.remove(&(norm(login), from));
    }

    /// An administrator reset the password: every lock and count of this login goes.
    pub fn forgive(&self, login: &str) {
        let login = norm(login);
        let mut t = self.0.lock().unwrap_or_else(|p| p.into_inner());
        t.pairs.retain(|(l, _), _| *l != login);
        t.logins.remove(&login);
    }

    /// Entries held now (pairs, sources, logins).
    pub fn sizes(&self) -> (usize, usize, usize) {
        let t = self.0.lock().unwrap_or_else(|p| p.into_inner());
        (t.pairs.len(), t.sources.len(), t.logins.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> Options {
        Options {
            max_failed_logins: 5,
            lockout_ms: 15 * 60_000,
            ..Options::default()
        }
    }

    #[test]
    fn the_guesser_waits_and_the_owner_signs_in_elsewhere() {
        let g = LoginGuard::default();
        let (o, now) = (opts(), Ts(1_000_000));
        let attacker = Source::Uid(1001);
        for i in 1..=5 {
            assert_eq!(g.admit("admin", attacker, now), Ok(()));
            let locked = g.miss("Admin ", attacker, now, &o);
            assert_eq!(locked.is_some(), i == 5);
        }
        assert!(g.admit("admin", attacker, now).is_err());
        // The administrator at another desk, and at the console, are heard.
        assert_eq!(g.admit("admin", Source::Uid(1002), now), Ok(()));
        assert_eq!(g.admit("admin", Source::Console, now), Ok(()));
        // Logins that do not exist are locked the same way (nothing tells them apart).
        for _ in 0..5 {
            g.miss("nobody", attacker, now, &o);
        }
        assert!(g.admit("nobody", attacker, now).is_err());
        // After the lockout the attacker may try again.
        assert_eq!(
            g.admit("admin", attacker, Ts(now.0 + o.lockout_ms + 1)),
            Ok(())
        );
    }

    #[test]
    fn spraying_logins_or_sources_gets_nowhere() {
        let g = LoginGuard::default();
        let (o, now) = (opts(), Ts(1_000_000));
        let a = Source::Addr(
            "10.0.0.5"
                .parse()
                .unwrap_or(std::net::Ipv4Addr::LOCALHOST.into()),
        );
        for i in 0..SOURCE_MISSES {
            g.miss(&format!("user{i}"), a, now, &o);
        }
        assert!(
            g.admit("someone-else", a, now).is_err(),
            "one source, many logins"
        );
        // Many sources, a few guesses each: the login comes under attack; a source with no
        // wrong password for it is still heard.
        for s in 0..LOGIN_MISSES {
            g.miss("admin", Source::Uid(2000 + s), now, &o);
        }
        assert!(g.admit("admin", Source::Uid(2000), now).is_err());
        assert_eq!(g.admit("admin", Source::Uid(3000), now), Ok(()));
        // A right password clears only its own pair.
        g.hit("admin", Source::Uid(2001));
        assert_eq!(g.admit("admin", Source::Uid(2001), now), Ok(()));
    }

    #[test]
    fn the_tables_never_outgrow_their_size() {
        let g = LoginGuard::default();
        let (o, now) = (opts(), Ts(1_000_000));
        for i in 0..(TABLE as u32 + 100) {
            let s = Source::Uid(i);
            if g.admit("x", s, now).is_ok() {
                g.miss("x", s, now, &o);
            }
        }
        let (pairs, sources, logins) = g.sizes();
        assert!(pairs <= TABLE && sources <= TABLE && logins <= TABLE);
        assert!(g.admit("x", Source::Uid(99_999), now).is_err());
        assert_eq!(g.admit("x", Source::Console, now), Ok(()));
    }
}
