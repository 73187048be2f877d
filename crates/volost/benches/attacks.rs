//! `cargo bench --bench attacks`: what the staff feel while the HTTP port is attacked
//! (issue 27).
//!
//! Starts the real `volost serve` (the optimised binary) and measures the group queue's first
//! page through the local socket (`Call::Queue`, one clerk, one call at a time: p50 and p99)
//! with no attack, then under each attack of tests/attacks.rs kept up for the whole
//! measurement, all in one run:
//!
//! - half-sent heads: 60 LAN hosts (127.0.0.2 and on) each keep 40 connections sending 12 KiB
//!   of a head they never end, opened again as the node cuts them off;
//! - idle connections: the same hosts keep connections open and send nothing;
//! - a padded-number brute force of the status lookup: 4 threads, a fresh wrong code and a
//!   fresh padding each time, from 40 hosts in turn.
//!
//! The attackers run on the same two cores as the daemon and the clerk, so the figures are
//! the worst a machine like this would see. `VOLOST_BENCH_N` sets the calls per case (500).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use volost::api::call;
use volost::domain::*;
use volost::service::{Page, TaskQuery, TaskRow};

mod common;
use common::daemon::Daemon;
use common::{ms, ratio, stats};

const HOSTS: u8 = 60;
const PER_HOST: usize = 40;

fn calls_setting() -> usize {
    std::env::var("VOLOST_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500)
}

fn connect_from(host: u8, to: SocketAddr) -> std::io::Result<TcpStream> {
    use socket2::{Domain, Socket, Type};
    let s = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    s.bind(&SocketAddr::from(([127, 0, 0, host], 0)).into())?;
    s.connect_timeout(&to.into(), Duration::from_secs(2))?;
    let s: TcpStream = s.into();
    s.set_write_timeout(Some(Duration::from_millis(200)))?;
    Ok(s)
}

#[derive(Clone, Copy)]
enum Attack {
    None,
    HalfSentHeads,
    IdleConnections,
    PaddedLookups,
}

impl Attack {
    fn name(self) -> &'static str {
        match self {
            Attack::None => "no attack",
            Attack::HalfSentHeads => "half-sent heads (60 hosts × 40)",
            Attack::IdleConnections => "idle connections (60 hosts × 40)",
            Attack::PaddedLookups => "padded-number brute force (4 threads)",
        }
    }
}

/// Keeps the attack up until `stop`; counts the connections or requests it made.
fn run_attack(a: Attack, to: SocketAddr, number: &str, stop: &AtomicBool, made: &AtomicU64) {
    match a {
        Attack::None => {}
        Attack::HalfSentHeads | Attack::IdleConnections => {
            let pad = "a".repeat(12 * 1024);
            let mut held: Vec<Option<TcpStream>> =
                (0..HOSTS as usize * PER_HOST).map(|_| None).collect();
            while !stop.load(Ordering::Relaxed) {
                for (i, slot) in held.iter_mut().enumerate() {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    // A connection the node has closed reads as end of file: open it again.
                    let alive = slot.as_mut().is_some_and(|s| {
                        s.set_nonblocking(true).ok();
                        let mut b = [0u8; 512];
                        matches!(s.read(&mut b), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
                    });
                    if alive {
                        continue;
                    }
                    let host = 2 + (i / PER_HOST) as u8;
                    *slot = connect_from(host, to).ok().map(|mut s| {
                        if matches!(a, Attack::HalfSentHeads) {
                            let head = format!("GET /health HTTP/1.1\r\nHost: t\r\nX-Pad: {pad}");
                            let _ = s.write_all(head.as_bytes());
                        }
                        made.fetch_add(1, Ordering::Relaxed);
                        s
                    });
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        Attack::PaddedLookups => {
            std::thread::scope(|s| {
                for t in 0..4u64 {
                    s.spawn(move || {
                        let mut i = t;
                        while !stop.load(Ordering::Relaxed) {
                            let host = 2 + (i % 40) as u8;
                            let pad = "%20".repeat((i % 30) as usize);
                            let path = format!(
                                "/api/v1/applications/{number}{pad}/status?code={:012}",
                                i * 7919 % 1_000_000_000_000
                            );
                            if let Ok(mut c) = connect_from(host, to) {
                                let req = format!(
                                    "GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
                                );
                                let _ = c.write_all(req.as_bytes());
                                let mut out = Vec::new();
                                let _ = c.read_to_end(&mut out);
                                made.fetch_add(1, Ordering::Relaxed);
                            }
                            i += 4;
                        }
                    });
                }
            });
        }
    }
}

fn main() {
    let n = calls_setting();
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("node");
    std::fs::create_dir_all(&dir).expect("dir");
    eprintln!("setting up 2 000 open tasks ...");
    let (_, number, _) = common::node_with_tasks(&dir, &["clerk0".to_string()], 2000);
    let d = Daemon::start(&dir, "");
    let to: SocketAddr = d.http.parse().expect("addr");
    let mut c = d.login("clerk0");
    let mut page = || {
        let t0 = Instant::now();
        let p: Page<TaskRow> = c
            .ask(call::Queue(TaskQuery::new(Queue::Group)))
            .expect("queue");
        assert!(!p.rows.is_empty());
        t0.elapsed()
    };
    for _ in 0..50 {
        page();
    }

    println!(
        "## Staff latency while the HTTP port is attacked (queue page through the socket, {n} calls per case)\n"
    );
    println!(
        "| {:<40} | {:>10} | {:>10} | {:>10} | {:>12} | {:>14} |",
        "attack", "p50", "p99", "max", "p99 / none", "attack made"
    );
    println!(
        "|{:-<42}|{:->12}|{:->12}|{:->12}|{:->14}|{:->16}|",
        "", "", "", "", "", ""
    );
    let mut base_p99 = 0.0;
    for a in [
        Attack::None,
        Attack::HalfSentHeads,
        Attack::IdleConnections,
        Attack::PaddedLookups,
    ] {
        let stop = Arc::new(AtomicBool::new(false));
        let made = Arc::new(AtomicU64::new(0));
        let (lat, made_n) = std::thread::scope(|s| {
            let (stop2, made2, number) = (stop.clone(), made.clone(), number.as_str());
            s.spawn(move || run_attack(a, to, number, &stop2, &made2));
            // Let the attack reach its full strength first.
            if !matches!(a, Attack::None) {
                std::thread::sleep(Duration::from_secs(2));
            }
            let lat: Vec<Duration> = (0..n).map(|_| page()).collect();
            stop.store(true, Ordering::Relaxed);
            (lat, made.load(Ordering::Relaxed))
        });
        let st = stats(lat);
        if matches!(a, Attack::None) {
            base_p99 = st.p99.as_secs_f64();
        }
        println!(
            "| {:<40} | {:>10} | {:>10} | {:>10} | {:>12} | {:>14} |",
            a.name(),
            ms(st.p50),
            ms(st.p99),
            ms(st.max),
            ratio(st.p99.as_secs_f64(), base_p99),
            made_n
        );
        // The node cuts the attack's connections off in its header and idle timeouts (5 s and
        // 30 s): wait for the idle ones to go so that cases do not overlap.
        if matches!(a, Attack::IdleConnections) {
            std::thread::sleep(Duration::from_secs(31));
        }
    }
    println!(
        "\nrefused by the gate in all: {}",
        d.metric("volost_http_connections_refused_total")
    );
}
