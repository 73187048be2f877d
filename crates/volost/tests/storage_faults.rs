//! Power cuts and disk errors under the store, with a disk of the test's own (redb's
//! `StorageBackend`): it keeps what was synced apart from what was only written, and at a
//! power cut keeps the synced image and, by the seed, loses every unsynced write, tears the
//! last one, or keeps a random subset of them (a disk reorders writes between syncs); or it
//! fails its Nth operation once. Over hundreds of seeds of service operations (holidays in
//! the calendar, staff accounts, applications with their applicants):
//!
//! - the database opened again after the cut holds every acknowledged operation, and its
//!   `check` passes;
//! - an injected disk error reaches the caller of the operation it broke as an error, never
//!   as success, and the node goes on working after it (the store opens the database again).
//!
//! Seeds: `VOLOST_FAULT_SEEDS` (default 300).
//!
//! And a data directory that becomes read-only, before the node starts and while it runs.
#![allow(clippy::unwrap_used)]

use rand::{Rng, SeedableRng};
use std::sync::{Arc, Mutex};
use volost::clock::FixedClock;
use volost::domain::*;
use volost::service::{ApplicantRef, NewApplication, NewOrg, NewUser};
use volost::store::{StorageBackend, Store};
use volost::{Actor, Node, Options};

#[derive(Debug, Default)]
struct State {
    /// What the disk would keep if the power went now.
    durable: Vec<u8>,
    /// What reads see: the durable image and the writes since the last sync.
    live: Vec<u8>,
    /// The writes since the last sync, in order (a length change as an empty write at it).
    pending: Vec<(u64, Vec<u8>)>,
    ops: u64,
    fail_at: Option<u64>,
    failed: bool,
    /// After the power cut: the old process is gone, nothing it does reaches the disk.
    cut: bool,
    /// Mounted read-only: every change fails with EROFS, reads go on.
    read_only: bool,
}

#[derive(Clone, Debug, Default)]
struct Disk(Arc<Mutex<State>>);

impl Disk {
    fn with(image: Vec<u8>) -> Disk {
        Disk(Arc::new(Mutex::new(State {
            durable: image.clone(),
            live: image,
            ..State::default()
        })))
    }

    fn op(&self) -> std::io::Result<std::sync::MutexGuard<'_, State>> {
        let mut s = self.0.lock().unwrap();
        if s.cut {
            return Err(std::io::Error::other("power is off"));
        }
        s.ops += 1;
        if s.fail_at == Some(s.ops) {
            s.failed = true;
            return Err(std::io::Error::other("injected disk error"));
        }
        Ok(s)
    }

    /// An operation that changes the disk.
    fn change(&self) -> std::io::Result<std::sync::MutexGuard<'_, State>> {
        let s = self.op()?;
        if s.read_only {
            return Err(std::io::Error::from_raw_os_error(30));
        }
        Ok(s)
    }

    fn set_read_only(&self, on: bool) {
        self.0.lock().unwrap().read_only = on;
    }

    /// The power goes: what the disk keeps, by `how`.
    fn cut(&self, how: Cut, rng: &mut impl Rng) -> Vec<u8> {
        let mut s = self.0.lock().unwrap();
        s.cut = true;
        let mut image = s.durable.clone();
        let apply = |image: &mut Vec<u8>, off: u64, data: &[u8]| {
            let end = off as usize + data.len();
            if image.len() < end {
                image.resize(end, 0);
            }
            image[off as usize..end].copy_from_slice(data);
        };
        let n = s.pending.len();
        match how {
            Cut::LoseUnsynced => {}
            Cut::TearLast => {
                for (i, (off, data)) in s.pending.iter().enumerate() {
                    if i + 1 < n {
                        apply(&mut image, *off, data);
                    } else {
                        let keep = rng.gen_range(0..=data.len());
                        apply(&mut image, *off, &data[..keep]);
                    }
                }
            }
            Cut::Subset => {
                for (off, data) in &s.pending {
                    if rng.gen_bool(0.5) {
                        apply(&mut image, *off, data);
                    }
                }
            }
        }
        image
    }
}

impl StorageBackend for Disk {
    fn len(&self) -> std::io::Result<u64> {
        Ok(self.op()?.live.len() as u64)
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> std::io::Result<()> {
        let s = self.op()?;
        let end = offset as usize + out.len();
        if end > s.live.len() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "read past the end",
            ));
        }
        out.copy_from_slice(&s.live[offset as usize..end]);
        Ok(())
    }

    fn set_len(&self, len: u64) -> std::io::Result<()> {
        let mut s = self.change()?;
        s.live.resize(len as usize, 0);
        // A growth reaches the disk with the next sync; a shrink is taken as done at once.
        if (len as usize) < s.durable.len() {
            s.durable.truncate(len as usize);
        }
        s.pending.push((len, Vec::new()));
        Ok(())
    }

    fn sync_data(&self) -> std::io::Result<()> {
        let mut s = self.change()?;
        s.durable = s.live.clone();
        s.pending.clear();
        Ok(())
    }

    fn write(&self, offset: u64, data: &[u8]) -> std::io::Result<()> {
        let mut s = self.change()?;
        let end = offset as usize + data.len();
        if s.live.len() < end {
            s.live.resize(end, 0);
        }
        s.live[offset as usize..end].copy_from_slice(data);
        s.pending.push((offset, data.to_vec()));
        Ok(())
    }
}

#[derive(Clone, Copy, Debug)]
enum Cut {
    LoseUnsynced,
    TearLast,
    Subset,
}

fn org() -> NewOrg {
    NewOrg {
        name: "Администрация Берёзовского сельсовета".into(),
        ..NewOrg::default()
    }
}

#[derive(Debug)]
enum Done {
    Holiday(time::Date),
    User(String),
    Application(AppId),
}

fn new_user(login: &str, role: &str, group: GroupId) -> NewUser {
    NewUser {
        login: login.into(),
        full_name: "Сотрудник Тестовый".into(),
        dept: None,
        roles: vec![role.into()],
        groups: vec![group],
    }
}

#[derive(Default)]
struct Figures {
    seeds: u64,
    acknowledged: u64,
    injected: u64,
    errors_reported: u64,
    /// Operations acknowledged after the injected error (the node went on working).
    after_fault: u64,
    cuts: [u64; 3],
}

/// A new node on `disk`, and its clock.
fn node_on(disk: &Disk) -> (volost::service::InitResult, Arc<FixedClock>) {
    let clock = Arc::new(FixedClock::new(Ts(1_795_402_800_000)));
    let init = Node::init_in(
        Store::create_with_backend(disk.clone()).unwrap(),
        &org(),
        "admin",
        clock.clone(),
        Options::for_tests(),
    )
    .unwrap();
    (init, clock)
}

/// One seed: a node on a new disk, operations until the power goes, then the checks.
fn run(seed: u64, f: &mut Figures) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let disk = Disk::default();
    let (init, clock) = node_on(&disk);
    let node = &init.node;
    let who = Actor::System(OrgId(1));
    let admin = Actor::User(init.admin.id);
    node.set_demo_password(who, init.admin.id, "password-1")
        .unwrap();
    let group = node.groups(who).unwrap()[0].id;
    let (spec, _) = node
        .add_user(admin, &new_user("spec", "specialist", group))
        .unwrap();
    node.set_demo_password(admin, spec.id, "password-1")
        .unwrap();
    let spec = Actor::User(spec.id);
    let svc = node.services(admin, false).unwrap().remove(0);
    let n: u64 = rng.gen_range(5..40);
    // One seed in two breaks one disk operation somewhere in the work (an operation takes
    // about ten: reads, writes, the sync).
    let base = disk.0.lock().unwrap().ops;
    if rng.gen_bool(0.5) {
        disk.0.lock().unwrap().fail_at = Some(base + rng.gen_range(1..n * 9));
    }
    let first = time::macros::date!(2040 - 01 - 05);
    let mut acked = Vec::new();
    let mut after_fault = 0;
    for i in 0..n {
        let failed_before = disk.0.lock().unwrap().failed;
        let r: Result<Done, volost::Error> = match rng.gen_range(0..3) {
            0 => {
                let date = first + time::Duration::weeks(i as i64);
                node.set_calendar_day(who, date, true)
                    .map(|_| Done::Holiday(date))
            }
            1 => {
                let login = format!("clerk{i}");
                node.add_user(admin, &new_user(&login, "specialist", group))
                    .map(|_| Done::User(login))
            }
            _ => node
                .create_application(
                    spec,
                    &NewApplication {
                        service: svc.id,
                        dept: None,
                        applicant: ApplicantRef::New(ApplicantInput {
                            kind: Some(ApplicantKind::Person),
                            name: format!("Заявитель {i}"),
                            snils: "112-233-445 95".into(),
                            ..Default::default()
                        }),
                        data: svc
                            .fields
                            .iter()
                            .map(|f| (f.key.clone(), volost::demo::sample_value(f)))
                            .collect(),
                        source: Source::Manual,
                    },
                )
                .map(|a| Done::Application(a.id)),
        };
        let failed_now = disk.0.lock().unwrap().failed;
        match r {
            Ok(done) => {
                assert!(
                    failed_before || !failed_now,
                    "seed {seed}: the disk failed during an operation that reported success"
                );
                if failed_before {
                    after_fault += 1;
                }
                acked.push(done);
            }
            Err(e) => {
                assert!(
                    failed_now && !failed_before,
                    "seed {seed}: an error with no fault injected, or after the store should \
                     have opened the database again: {e}"
                );
                f.errors_reported += 1;
            }
        }
    }
    f.after_fault += after_fault;
    if disk.0.lock().unwrap().failed {
        f.injected += 1;
    }
    let how = match rng.gen_range(0..3) {
        0 => Cut::LoseUnsynced,
        1 => Cut::TearLast,
        _ => Cut::Subset,
    };
    f.cuts[how as usize] += 1;
    let image = disk.cut(how, &mut rng);
    drop(init);

    let after = Node::new(
        Store::open_with_backend(Disk::with(image))
            .unwrap_or_else(|e| panic!("seed {seed} ({how:?}): the database does not open: {e}")),
        clock,
        Options::for_tests(),
    );
    let cal = after.calendar(who).unwrap();
    for done in &acked {
        let kept = match done {
            Done::Holiday(d) => !cal.is_working(*d),
            Done::User(login) => after.user_by_login(login).unwrap().is_some(),
            Done::Application(id) => after.application(spec, *id).is_ok(),
        };
        assert!(kept, "seed {seed} ({how:?}): acknowledged {done:?} lost");
    }
    let rep = after.check().unwrap();
    assert!(
        rep.problems.is_empty(),
        "seed {seed} ({how:?}): {:?}",
        rep.problems
    );
    f.acknowledged += acked.len() as u64;
    f.seeds += 1;
}

#[test]
fn power_cuts_and_disk_errors_lose_nothing_acknowledged() {
    let seeds: u64 = std::env::var("VOLOST_FAULT_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    let mut f = Figures::default();
    for seed in 0..seeds {
        run(seed, &mut f);
    }
    assert!(f.injected > 0 && f.errors_reported == f.injected && f.after_fault > 0);
    println!(
        "storage faults: {} seeds, {} operations acknowledged, 0 lost; power cuts: {} losing \
         unsynced writes, {} tearing the last, {} keeping a random subset; {} disk errors \
         injected, each reported to its caller, none as success, {} operations acknowledged \
         after them",
        f.seeds, f.acknowledged, f.cuts[0], f.cuts[1], f.cuts[2], f.injected, f.after_fault
    );
}

fn holiday(n: i64) -> time::Date {
    time::macros::date!(2040 - 01 - 05) + time::Duration::weeks(n)
}

fn is_read_only<T: std::fmt::Debug>(r: Result<T, volost::Error>) -> bool {
    match r {
        Err(volost::Error::Storage(volost::store::StoreError::ReadOnly)) => true,
        other => panic!("expected the read-only refusal, got {other:?}"),
    }
}

#[test]
fn a_read_only_data_directory_refuses_changes_clearly_and_work_resumes_when_writable() {
    let disk = Disk::default();
    let who = Actor::System(OrgId(1));
    let (init, clock) = node_on(&disk);
    for i in 0..3 {
        init.node.set_calendar_day(who, holiday(i), true).unwrap();
    }
    init.node
        .set_demo_password(who, init.admin.id, "password-1")
        .unwrap();
    drop(init);

    // Mounted read-only before the node starts: it opens for reading; staff can look
    // things up, and every change is refused with the reason.
    disk.set_read_only(true);
    let node = Node::new(
        Store::open_with_backend(disk.clone()).unwrap(),
        clock.clone(),
        Options::for_tests(),
    );
    assert!(node.store().read_only());
    // Staff log in to look things up (the journal keeps the login the audit log cannot).
    node.login("admin", "password-1").unwrap();
    let cal = node.calendar(who).unwrap();
    assert!((0..3).all(|i| !cal.is_working(holiday(i))));
    let e = node.set_calendar_day(who, holiday(3), true).unwrap_err();
    assert!(
        e.ru().contains("только для чтения"),
        "staff are told why: {}",
        e.ru()
    );
    assert!(is_read_only(node.set_calendar_day(who, holiday(3), true)));
    assert!(
        node.calendar(who).is_ok(),
        "reads go on after a refused change"
    );

    // Writable again (remounted): the next change goes through, no restart.
    disk.set_read_only(false);
    node.set_calendar_day(who, holiday(3), true).unwrap();
    assert!(!node.store().read_only());

    // Read-only while the node runs (ext4 remounts itself so after disk errors): the change
    // that met it is refused as such, never taken as done.
    disk.set_read_only(true);
    assert!(is_read_only(node.set_calendar_day(who, holiday(4), true)));
    assert!(is_read_only(node.set_calendar_day(who, holiday(4), true)));
    disk.set_read_only(false);
    node.set_calendar_day(who, holiday(5), true).unwrap();
    let cal = node.calendar(who).unwrap();
    assert!([0, 1, 2, 3, 5].iter().all(|i| !cal.is_working(holiday(*i))));
    assert!(cal.is_working(holiday(4)));
    let rep = node.check().unwrap();
    assert!(rep.problems.is_empty(), "{:?}", rep.problems);
}
