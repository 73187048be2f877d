//! Messages no node can read, at the head of SMEV's queues (the simulator's `/sim/poison`):
//! each is refused once with an Ack `accepted="false"`, kept once, counted, listed for
//! support, and the messages behind it arrive. Before, one of them stopped all incoming
//! messages for good, was stored again at every poll, and a 200 MB one was read whole.
#![allow(clippy::unwrap_used)]

mod common;

use common::daemon::*;
use common::sim::*;
use common::*;
use std::time::{Duration, Instant};
use volost::api::call;
use volost::domain::*;
use volost::smev::sim::{PoisonKind, PoisonOrder};

fn poison(sim: &Sim, queue: &str, kind: PoisonKind, size: usize) -> String {
    sim.offer(
        "/sim/poison",
        &PoisonOrder {
            queue: queue.into(),
            kind,
            size,
        },
    )
}

#[test]
fn unreadable_messages_are_refused_once_and_the_queue_goes_on() {
    let (dir, ids) = node_with_requests(1);
    let sim = Sim::start(&dir.path().join("dump"));
    let mut cfg = std::fs::read_to_string(smev_config(dir.path(), &sim)).unwrap();
    // The limit for this test: 1 MiB, so that a 40 MiB reply is far over it.
    cfg.push_str("max_message_bytes = 1048576\n");
    let cfg_path = dir.path().join("volost.toml");
    std::fs::write(&cfg_path, cfg).unwrap();

    // Before the node starts: five unreadable answers wait ahead of everything, and two
    // unreadable requests ahead of a portal application.
    let mut bad = Vec::new();
    for (kind, size) in [
        (PoisonKind::Doctype, 0),
        (PoisonKind::EntityBomb, 0),
        (PoisonKind::Deep, 0),
        (PoisonKind::BadUtf8, 0),
        (PoisonKind::Huge, 40 << 20),
    ] {
        bad.push(poison(&sim, "GetResponse", kind, size));
    }
    for kind in [PoisonKind::Deep, PoisonKind::Doctype] {
        bad.push(poison(&sim, "GetRequest", kind, 0));
    }
    let mut d = Daemon::start(dir.path(), &cfg_path);
    let before = d.memory_kib("VmRSS");
    let mut c = d.login("spec", "password-1");
    let _: OutgoingRequest = c
        .ask(call::SubmitOutgoing {
            id: ids[0],
            pin: None,
            browser: false,
        })
        .unwrap();
    // The answer behind the poison arrives.
    let t0 = Instant::now();
    loop {
        let (r, _): (OutgoingRequest, Vec<HistoryEntry>) =
            c.ask(call::Outgoing { id: ids[0] }).unwrap();
        if r.status == OutStatus::Answered {
            break;
        }
        assert!(t0.elapsed() < Duration::from_secs(40), "no answer: {r:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
    let st = until("every poison refused", || {
        let st = sim.state();
        bad.iter()
            .all(|id| st.rejected_acks.contains(id))
            .then_some(st)
    });
    // Each refused once, delivered once: nothing came back at the next poll.
    for id in &bad {
        assert_eq!(st.rejected_acks.iter().filter(|a| *a == id).count(), 1);
    }
    assert_eq!(st.poison_given, bad.len() as u64, "{st:?}");
    let peak = d.memory_kib("VmHWM");
    assert!(
        peak < before + 64 * 1024,
        "a 40 MiB reply is not read whole: RSS {before} KiB before, peak {peak} KiB"
    );
    eprintln!("RSS {before} KiB before, peak {peak} KiB with a 40 MiB reply over a 1 MiB limit");

    // Counted for monitoring and listed for support.
    let (s, m) = d.get("/metrics", "");
    assert_eq!(s, 200);
    assert!(
        m.contains(&format!(
            "volost_smev_unreadable_total{{channel=\"smev\"}} {}",
            bad.len()
        )),
        "{m}"
    );
    let (_, h) = d.get("/health", "");
    let h: serde_json::Value = serde_json::from_str(&h).unwrap();
    assert_eq!(h["smev"]["unreadable_total"], bad.len());
    let out = std::process::Command::new(BIN)
        .args(["smev", "unreadable", "--config"])
        .arg(&cfg_path)
        .arg("--save")
        .arg(dir.path().join("unreadable"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for id in &bad {
        assert!(text.contains(id.as_str()), "{id} not listed:\n{text}");
    }
    assert!(text.contains("max_message_bytes"), "{text}");
    let saved: Vec<_> = std::fs::read_dir(dir.path().join("unreadable"))
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .collect();
    assert_eq!(saved.len(), bad.len());
    assert!(
        saved.iter().all(|n| *n <= 1 << 20),
        "only the first MiB of the huge one is kept: {saved:?}"
    );
    assert!(d.alive());
    drop(c);
    d.stop();
    let node = open_node(dir.path());
    check_ok(&node);
    assert_eq!(node.exchange_unreadable(100).unwrap().len(), bad.len());
}
