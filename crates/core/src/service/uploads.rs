//! What staff may upload: so much per person a day, and never into the room kept for the
//! database. Files live in the database, on the data partition that also holds everything
//! else; one clerk scanning a box of old papers (or a stolen session uploading noise) must not
//! leave the council unable to register an application.
//!
//! The day's totals are counted in memory: a restart forgets them, which gives a person at
//! most one more day's budget, and nobody without the operator's access can restart the node.
//! Files that arrive by SMEV are not counted here: a message refused for want of room is not
//! acknowledged and SMEV delivers it again later, which is the protocol's own back-pressure.

use super::Error;
use std::collections::HashMap;
use std::sync::Mutex;
use volost_domain::UserId;

/// More people than any council has staff: past it, the oldest days are forgotten first.
const TABLE: usize = 4096;

/// Why an upload was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The person's budget for today is spent; `mib` is the budget.
    Budget { mib: u64 },
    /// Free space is down to the reserve kept for the database.
    Reserve,
}

#[derive(Default)]
pub struct Uploads {
    /// Per person: the local day (days since 1970) and the bytes uploaded on it.
    used: Mutex<HashMap<UserId, (i64, u64)>>,
}

impl Uploads {
    /// Counts `bytes` against `who`'s budget for `day` if it and the free space allow; the
    /// caller gives them back with [`Uploads::refund`] if the upload then fails.
    pub fn take(
        &self,
        who: UserId,
        day: i64,
        bytes: u64,
        per_day: u64,
        reserve: u64,
        free: Option<u64>,
    ) -> Result<(), Error> {
        if free.is_some_and(|f| f < reserve.saturating_add(bytes)) {
            return Err(Error::NoRoom(Refusal::Reserve));
        }
        let mut used = self.used.lock().unwrap_or_else(|p| p.into_inner());
        if used.len() >= TABLE && !used.contains_key(&who) {
            used.retain(|_, (d, _)| *d >= day);
            if used.len() >= TABLE {
                // Only as many people as this upload today: the budget is what stops them.
                return Err(Error::NoRoom(Refusal::Budget { mib: per_day >> 20 }));
            }
        }
        let e = used.entry(who).or_insert((day, 0));
        if e.0 != day {
            *e = (day, 0);
        }
        if e.1.saturating_add(bytes) > per_day {
            return Err(Error::NoRoom(Refusal::Budget { mib: per_day >> 20 }));
        }
        e.1 += bytes;
        Ok(())
    }

    /// Gives back what [`Uploads::take`] counted for an upload that was not stored.
    pub fn refund(&self, who: UserId, day: i64, bytes: u64) {
        let mut used = self.used.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(e) = used.get_mut(&who)
            && e.0 == day
        {
            e.1 = e.1.saturating_sub(bytes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1 << 20;

    #[test]
    fn a_person_uploads_up_to_the_budget_each_day_and_never_into_the_reserve() {
        let u = Uploads::default();
        let (a, b) = (UserId(1), UserId(2));
        for _ in 0..10 {
            u.take(a, 100, 10 * MIB, 100 * MIB, 0, None)
                .expect("within");
        }
        assert!(matches!(
            u.take(a, 100, 1, 100 * MIB, 0, None),
            Err(Error::NoRoom(Refusal::Budget { mib: 100 }))
        ));
        // Another person, and the same person the next day, start afresh.
        u.take(b, 100, 10 * MIB, 100 * MIB, 0, None).expect("b");
        u.take(a, 101, 10 * MIB, 100 * MIB, 0, None)
            .expect("next day");
        // A refund gives room back.
        u.refund(a, 101, 10 * MIB);
        u.take(a, 101, 90 * MIB, 100 * MIB, 0, None)
            .expect("refunded");
        // The reserve: 200 MiB free, 128 kept.
        assert!(matches!(
            u.take(b, 100, 80 * MIB, 1000 * MIB, 128 * MIB, Some(200 * MIB)),
            Err(Error::NoRoom(Refusal::Reserve))
        ));
        u.take(b, 100, 70 * MIB, 1000 * MIB, 128 * MIB, Some(200 * MIB))
            .expect("above the reserve");
    }

    #[test]
    fn the_table_stays_small() {
        let u = Uploads::default();
        for i in 0..TABLE as u64 {
            u.take(UserId(i), 1, 1, MIB, 0, None).expect("day 1");
        }
        // A new day forgets the old ones to make room.
        u.take(UserId(99_999), 2, 1, MIB, 0, None).expect("day 2");
        assert!(u.used.lock().expect("lock").len() <= TABLE);
    }
}
