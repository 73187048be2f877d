//! The SMEV simulator (`volost smev-sim`) as a child process, and a node set up to use it.

use super::daemon::*;
use super::*;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use volost::smev::sim::{Injection, Scenario, SimState};

pub struct Sim {
    child: Child,
    pub addr: String,
    /// The certificate it signs with, as SMEV and as the agencies' employees (ЭП-СП).
    pub cert: std::path::PathBuf,
}

impl Sim {
    pub fn start(dump: &Path) -> Sim {
        let port = free_port();
        let addr = format!("127.0.0.1:{port}");
        let keys = dump.with_extension("keys");
        let child = Command::new(BIN)
            .args([
                "smev-sim",
                "--listen",
                &addr,
                "--answer-after-ms",
                "300",
                "--keys",
            ])
            .arg(&keys)
            .arg("--dump")
            .arg(dump)
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let t0 = Instant::now();
        while std::net::TcpStream::connect(&addr).is_err() {
            assert!(
                t0.elapsed() < Duration::from_secs(20),
                "simulator did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Sim {
            child,
            addr,
            cert: keys.join(volost::smev::keys::CERT_FILE),
        }
    }

    pub fn post(&self, path: &str, json: &str) {
        sim_call(&self.addr, "POST", path, json);
    }

    /// Queues a message for the node (`/sim/portal`, `/sim/request`, `/sim/cancel`) and
    /// returns the sender's MessageID.
    pub fn offer(&self, path: &str, body: &impl serde::Serialize) -> String {
        let json = serde_json::to_string(body).unwrap();
        let (st, body) = http(
            &self.addr,
            &format!(
                "POST {path} HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n{json}",
                json.len()
            ),
        );
        assert_eq!(st, 200, "{path}: {body}");
        let r: volost::smev::sim::OfferReceipt = serde_json::from_str(&body).unwrap();
        r.message_id
    }

    pub fn faults(&self, f: &[Injection]) {
        self.post("/sim/faults", &serde_json::to_string(f).unwrap());
    }

    /// Faults at random from now on, until [`Sim::clear_faults`].
    pub fn chaos(&self, c: &volost::smev::sim::Chaos) {
        self.post("/sim/chaos", &serde_json::to_string(c).unwrap());
    }

    /// Drops the faults not yet met, and ends chaos.
    pub fn clear_faults(&self) {
        sim_call(&self.addr, "DELETE", "/sim/faults", "");
    }

    pub fn scenario(&self, s: &Scenario) {
        self.post("/sim/scenario", &serde_json::to_string(s).unwrap());
    }

    pub fn state(&self) -> SimState {
        let (st, body) = http(
            &self.addr,
            "GET /sim/state HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
        );
        assert_eq!(st, 200);
        serde_json::from_str(&body).unwrap()
    }
}

/// A call to the simulator's control API that answers 204.
fn sim_call(addr: &str, method: &str, path: &str, json: &str) {
    let (st, body) = http(
        addr,
        &format!(
            "{method} {path} HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{json}",
            json.len()
        ),
    );
    assert_eq!(st, 204, "{method} {path}: {body}");
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A node with the starter catalog's packages and `n` saved outgoing requests of
/// [`sending_kind`], and the node's SMEV key.
pub fn node_with_requests(n: usize) -> (tempfile::TempDir, Vec<OutReqId>) {
    let fx = fixture();
    with_packages(&fx);
    let kind = sending_kind(&fx);
    let ids = outgoing(&fx, fx.spec, &kind, n);
    (for_daemon(fx), ids)
}

/// `n` saved outgoing requests of `kind` made by `who`, their forms filled with valid values.
/// Each has a family name of its own where the form asks one, so that an answer echoing it
/// tells whose answer it is.
pub fn outgoing(fx: &Fx, who: Actor, kind: &RequestKind, n: usize) -> Vec<OutReqId> {
    (0..n)
        .map(|i| {
            let mut data = values(&kind.fields);
            if let Some(v) = data.get_mut("family_name") {
                *v = format!("{v}{}", cyrillic(i));
            }
            fx.node
                .create_outgoing(who, kind.id, None, &data)
                .unwrap()
                .id
        })
        .collect()
}

/// `i` in Cyrillic letters (а, б, … я, ба, бб, …): a name's distinct tail.
fn cyrillic(mut i: usize) -> String {
    let letters: Vec<char> = ('а'..='я').collect();
    let mut out = Vec::new();
    loop {
        out.push(letters[i % letters.len()]);
        i /= letters.len();
        if i == 0 {
            break;
        }
    }
    out.iter().rev().collect()
}

/// An agency's request of `kind` as the simulator offers it, every field that is not a file
/// filled with a valid value.
pub fn agency_request(kind: &RequestKind, sender: &str) -> volost::smev::sim::AgencyRequest {
    volost::smev::sim::AgencyRequest {
        namespace: kind.namespace.clone(),
        root: kind.root.clone(),
        fields: values(&kind.fields)
            .into_iter()
            .filter(|(k, _)| {
                kind.fields
                    .iter()
                    .any(|f| &f.key == k && f.ftype != FieldType::File)
            })
            .collect(),
        sender: sender.into(),
        ..Default::default()
    }
}

/// The fixture's node closed and moved where the daemon's configuration looks for it, with
/// a node key and certificate made by `volost smev keygen` in `keys/`.
pub fn for_daemon(fx: Fx) -> tempfile::TempDir {
    let Fx { dir, node, .. } = fx;
    drop(node);
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    std::fs::rename(
        dir.path().join("volost.redb"),
        dir.path().join("data/volost.redb"),
    )
    .unwrap();
    let out = Command::new(BIN)
        .args(["smev", "keygen", "--out"])
        .arg(dir.path().join("keys"))
        .output()
        .unwrap();
    assert!(out.status.success());
    dir
}

pub fn smev_config(dir: &Path, sim: &Sim) -> std::path::PathBuf {
    let k = dir.join("keys");
    config(
        dir,
        &format!(
            "[smev]\nendpoint = \"http://{}/smev/v1.1/ws\"\nkey = \"{}\"\ncert = \"{}\"\n\
             poll_interval_secs = 1\nretry_first_secs = 1\ntimeout_secs = 3\n\
             trust_dir = \"{}\"\n",
            sim.addr,
            k.join("node-key.pem").display(),
            k.join("node-cert.pem").display(),
            trust_sim(dir, sim).display()
        ),
    )
}

/// The trust directory `dir/trust` with `sim`'s certificate in it, as SMEV's (`smev/`) and
/// as the agencies' employees' (the simulator signs their ЭП-СП with the same key).
pub fn trust_sim(dir: &Path, sim: &Sim) -> std::path::PathBuf {
    let trust = dir.join("trust");
    std::fs::create_dir_all(trust.join("smev")).unwrap();
    let name = format!("sim-{}.pem", sim.addr.replace([':', '.'], "-"));
    std::fs::copy(&sim.cert, trust.join("smev").join(&name)).unwrap();
    std::fs::copy(&sim.cert, trust.join(&name)).unwrap();
    trust
}

/// ИНН of the body of the region in the directory of [`regional_config`].
pub const RAYON_INN: &str = "2234000024";

/// [`smev_config`] with the regional exchange at `rsim` and one body of the region in its
/// directory («Администрация Ключевского района», node `rayon-1`).
pub fn regional_config(dir: &Path, sim: &Sim, rsim: &Sim) -> std::path::PathBuf {
    let cfg = smev_config(dir, sim);
    trust_sim(dir, rsim);
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str(&format!(
        "node_id = \"test-node\"\nregional_endpoint = \"http://{}/ws\"\n\
         [[smev.regional_bodies]]\nname = \"Администрация Ключевского района\"\n\
         inn = \"{RAYON_INN}\"\nnode = \"rayon-1\"\n",
        rsim.addr
    ));
    std::fs::write(&cfg, text).unwrap();
    cfg
}

/// Polls `f` until it gives something, for at most 40 s.
pub fn until<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let t0 = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(t0.elapsed() < Duration::from_secs(40), "timed out: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The responses the node sent to the request the sender gave `message_id`.
pub fn responses_to(sim: &Sim, message_id: &str) -> Vec<volost::smev::sim::SimResponse> {
    sim.state()
        .responses
        .into_iter()
        .filter(|r| r.answers == message_id)
        .collect()
}

/// The incoming requests staff see, newest first.
pub fn incoming_rows(c: &mut volost::api::Client) -> Vec<volost::service::InRow> {
    let page: volost::service::Page<volost::service::InRow> = c
        .ask(volost::api::call::IncomingList(volost::api::ListArgs {
            filter: Default::default(),
            sort: volost::service::ReqCol::Created,
            desc: true,
            after: None,
            limit: 50,
        }))
        .unwrap();
    page.rows
}
