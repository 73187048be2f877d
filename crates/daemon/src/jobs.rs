//! Background jobs of the daemon: due dates settled on the calendar of this version and the
//! overdue marking, scheduled backups, forgetting old
//! sessions and unclaimed uploads, and the systemd watchdog. Each runs its blocking work on a blocking thread and
//! stops at shutdown between runs (a run in progress finishes).

use super::{Shutdown, State};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};
use tokio::task::JoinSet;
use volost_config::Config;

#[derive(Default)]
pub struct Counters {
    overdue_marked: AtomicU64,
    backups_ok: AtomicU64,
    backups_failed: AtomicU64,
}

impl Counters {
    pub fn overdue_marked(&self) -> u64 {
        self.overdue_marked.load(Ordering::Relaxed)
    }
    pub fn backups_ok(&self) -> u64 {
        self.backups_ok.load(Ordering::Relaxed)
    }
    pub fn backups_failed(&self) -> u64 {
        self.backups_failed.load(Ordering::Relaxed)
    }
}

/// Runs `f` on a blocking thread now (after `first`) and then every `every`, until shutdown.
fn every<F>(tasks: &mut JoinSet<()>, mut shutdown: Shutdown, first: Duration, every: Duration, f: F)
where
    F: Fn() + Send + Sync + 'static,
{
    let f = Arc::new(f);
    tasks.spawn(async move {
        let mut wait = first;
        loop {
            tokio::select! {
                _ = tokio::time::sleep(wait) => {},
                _ = shutdown.wait() => return,
            }
            let f = f.clone();
            if let Err(e) = tokio::task::spawn_blocking(move || f()).await {
                tracing::error!("background job failed: {e}");
            }
            wait = every;
        }
    });
}

/// When the next scheduled backup is due: `interval` after the newest one in `dir`.
fn first_backup_in(dir: &std::path::Path, interval: Duration) -> Duration {
    let newest = crate::backup::list(dir)
        .ok()
        .and_then(|l| l.last().cloned())
        .and_then(|p| std::fs::metadata(p).ok())
        .and_then(|m| m.modified().ok());
    match newest.and_then(|t| SystemTime::now().duration_since(t).ok()) {
        Some(age) => interval.saturating_sub(age),
        None => Duration::from_secs(60),
    }
}

pub fn spawn(tasks: &mut JoinSet<()>, cfg: &Config, state: Arc<State>, shutdown: Shutdown) {
    let st = state.clone();
    every(
        tasks,
        shutdown.clone(),
        Duration::from_secs(1),
        Duration::from_secs(cfg.jobs.overdue_interval_minutes * 60),
        move || {
            // Due dates first move to this version's calendar (after an update; a read
            // otherwise), so that what is marked overdue is overdue by it.
            if let Err(e) = st.api.node.settle_calendar() {
                tracing::error!("calendar settle: {e}");
            }
            match st.api.node.mark_overdue() {
                Ok(n) => {
                    st.jobs.overdue_marked.fetch_add(n, Ordering::Relaxed);
                }
                Err(e) => tracing::error!("overdue job: {e}"),
            }
        },
    );

    if cfg.backup.interval_hours > 0 {
        let interval = Duration::from_secs(cfg.backup.interval_hours * 3600);
        let st = state.clone();
        let dir = cfg.backup.dir.clone();
        let plan = crate::backup::Plan::of(&cfg.backup);
        every(
            tasks,
            shutdown.clone(),
            first_backup_in(&dir, interval),
            interval,
            move || match plan
                .as_ref()
                .map_err(|e| volost_core::Error::Internal(e.clone()))
                .and_then(|p| crate::backup::take(&st.api.node, p))
            {
                Ok(_) => {
                    st.jobs.backups_ok.fetch_add(1, Ordering::Relaxed);
                }
                Err(e) => {
                    st.jobs.backups_failed.fetch_add(1, Ordering::Relaxed);
                    tracing::error!("scheduled backup failed: {e}");
                }
            },
        );
    }

    let st = state.clone();
    every(
        tasks,
        shutdown.clone(),
        Duration::from_secs(60),
        Duration::from_secs(60),
        move || {
            st.api.sessions.sweep();
        },
    );

    let st = state.clone();
    every(
        tasks,
        shutdown.clone(),
        Duration::from_secs(300),
        Duration::from_secs(3600),
        move || match st.api.node.purge_uploads() {
            Ok(0) => {}
            Ok(n) => tracing::info!("removed {n} uploads no form took within a day"),
            Err(e) => tracing::error!("upload purge job: {e}"),
        },
    );

    // The watchdog is fed only while the database answers a read, so a wedged node is
    // restarted by systemd rather than left hanging.
    if let Some(period) = sd_notify::watchdog_enabled() {
        let st = state.clone();
        every(tasks, shutdown, period / 2, period / 2, move || {
            if st.api.node.store().read().is_ok() {
                let _ = sd_notify::notify(&[sd_notify::NotifyState::Watchdog]);
            } else {
                tracing::error!("database unreadable: watchdog not fed");
            }
        });
    }
}
