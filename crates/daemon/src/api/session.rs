//! Staff sessions: a random token per login, held in the daemon's memory. A restart of the
//! daemon ends every session (staff log in again); nothing about a session is written per
//! call, so an idle check costs no fsync.

use super::ApiError;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use volost_domain::UserId;

#[derive(Clone, Debug)]
struct Session {
    user: UserId,
    last_seen: Instant,
    /// Set when the idle timeout passed: the entry is kept a while so the client hears
    /// «сеанс истёк» rather than «неизвестный сеанс».
    expired: bool,
}

/// The table of live sessions.
pub struct Sessions {
    map: Mutex<HashMap<String, Session>>,
    idle: Duration,
}

/// How long an expired token is still recognised as expired rather than unknown.
const REMEMBER_EXPIRED: Duration = Duration::from_secs(24 * 3600);

/// Sessions one user may hold at once (terminals on the console and over SSH); a new login
/// beyond that ends the one used longest ago, so repeated logins cannot fill memory.
pub const MAX_PER_USER: usize = 16;

impl Sessions {
    pub fn new(idle: Duration) -> Sessions {
        Sessions {
            map: Mutex::new(HashMap::new()),
            idle,
        }
    }

    pub fn idle_timeout(&self) -> Duration {
        self.idle
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        // A panic while holding this lock leaves the map itself intact: go on with it.
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A new session for `user`; the token is 256 bits from the OS generator.
    pub fn open(&self, user: UserId) -> String {
        let token = random_hex::<32>();
        let mut map = self.lock();
        let mine: Vec<(&String, Instant)> = map
            .iter()
            .filter(|(_, s)| s.user == user)
            .map(|(t, s)| (t, s.last_seen))
            .collect();
        if mine.len() >= MAX_PER_USER
            && let Some(oldest) = mine
                .iter()
                .min_by_key(|(_, at)| *at)
                .map(|(t, _)| (*t).clone())
        {
            map.remove(&oldest);
        }
        map.insert(
            token.clone(),
            Session {
                user,
                last_seen: Instant::now(),
                expired: false,
            },
        );
        token
    }

    /// The user of a live session, which counts as activity; an idle one expires here.
    pub fn touch(&self, token: &str) -> Result<UserId, ApiError> {
        self.touch_at(token, Instant::now(), true)
    }

    /// The user of a live session, without counting as activity: what a screen asks by
    /// itself (is there anything new?) must not keep an abandoned terminal signed in.
    pub fn peek(&self, token: &str) -> Result<UserId, ApiError> {
        self.touch_at(token, Instant::now(), false)
    }

    fn touch_at(&self, token: &str, now: Instant, activity: bool) -> Result<UserId, ApiError> {
        let mut map = self.lock();
        let Some(s) = map.get_mut(token) else {
            return Err(ApiError::new(
                401,
                "unauthorized",
                "Сеанс не найден: войдите в систему",
            ));
        };
        if s.expired || now.saturating_duration_since(s.last_seen) > self.idle {
            s.expired = true;
            return Err(ApiError::new(
                401,
                "session_expired",
                "Сеанс завершён из-за бездействия: войдите снова",
            ));
        }
        if activity {
            s.last_seen = now;
        }
        Ok(s.user)
    }

    pub fn close(&self, token: &str) {
        self.lock().remove(token);
    }

    /// Ends every session of `user` (blocked account, password reset by an administrator).
    pub fn close_user(&self, user: UserId) {
        self.lock().retain(|_, s| s.user != user);
    }

    /// Forgets sessions long expired; returns how many sessions are live.
    pub fn sweep(&self) -> usize {
        let now = Instant::now();
        let mut map = self.lock();
        map.retain(|_, s| {
            now.saturating_duration_since(s.last_seen) < self.idle + REMEMBER_EXPIRED
        });
        map.values()
            .filter(|s| !s.expired && now.saturating_duration_since(s.last_seen) <= self.idle)
            .count()
    }

    #[cfg(test)]
    fn age(&self, token: &str, by: Duration) {
        if let Some(s) = self.lock().get_mut(token) {
            s.last_seen = s.last_seen.checked_sub(by).unwrap_or(s.last_seen);
        }
    }
}

/// `N` bytes from the OS generator, in hex: session tokens, and the web page's sign-in token.
pub fn random_hex<const N: usize>() -> String {
    use rand::RngCore;
    let mut b = [0u8; N];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex(&b)
}

pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_sessions_expire_and_stay_expired() {
        let s = Sessions::new(Duration::from_secs(60));
        let t = s.open(UserId(3));
        assert_eq!(s.touch(&t), Ok(UserId(3)));
        s.age(&t, Duration::from_secs(61));
        assert_eq!(
            s.touch(&t).map_err(|e| e.code),
            Err("session_expired".into())
        );
        // Activity after expiry does not bring it back.
        assert_eq!(
            s.touch(&t).map_err(|e| e.code),
            Err("session_expired".into())
        );
        assert_eq!(
            s.touch("forged").map_err(|e| e.code),
            Err("unauthorized".into())
        );
        assert_eq!(s.sweep(), 0);
    }

    #[test]
    fn polling_is_not_activity() {
        let s = Sessions::new(Duration::from_secs(60));
        let t = s.open(UserId(3));
        s.age(&t, Duration::from_secs(40));
        assert_eq!(s.peek(&t), Ok(UserId(3)));
        s.age(&t, Duration::from_secs(30));
        assert_eq!(
            s.peek(&t).map_err(|e| e.code),
            Err("session_expired".into())
        );
    }

    #[test]
    fn tokens_are_distinct_and_closable() {
        let s = Sessions::new(Duration::from_secs(60));
        let a = s.open(UserId(1));
        let b = s.open(UserId(1));
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        s.close(&a);
        assert!(s.touch(&a).is_err());
        assert!(s.touch(&b).is_ok());
        s.close_user(UserId(1));
        assert!(s.touch(&b).is_err());
    }

    #[test]
    fn a_user_holds_a_bounded_number_of_sessions() {
        let s = Sessions::new(Duration::from_secs(60));
        let first = s.open(UserId(1));
        s.age(&first, Duration::from_secs(1));
        let other = s.open(UserId(2));
        let rest: Vec<String> = (1..MAX_PER_USER + 1).map(|_| s.open(UserId(1))).collect();
        assert!(s.touch(&first).is_err(), "the oldest session makes room");
        assert!(rest.iter().all(|t| s.touch(t).is_ok()));
        assert!(s.touch(&other).is_ok(), "other users keep theirs");
    }
}
