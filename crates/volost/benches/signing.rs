//! `cargo bench --bench signing`: signatures per second through each provider of the node's
//! [`Signer`] available here (issue 31), each beside raw OpenSSL in the same run, one thread.
//!
//! 1. `engine`: `signer::sign` (the certificate's validity, Streebog-256 of the input, the
//!    signature over the digest through the engine; its pair was checked when loaded) beside
//!    raw `gost::sign` (EVP_DigestSign through the same engine).
//! 2. `command`: the stand-in tool (a shell script running `openssl pkeyutl -sign -engine
//!    gost`, as tests/signing.rs uses), one process per signature, checked, beside the same
//!    `openssl pkeyutl` started directly per signature: the cost of a signing tool is its
//!    start, which a real certified tool shares.
//!
//! `VOLOST_BENCH_SECS` sets each measurement's length (default 5 s).

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};
use std::time::Duration;
use volost::smev::gost;
use volost::smev::keys::NodeKey;
use volost::smev::signer::{self, CommandSigner};

mod common;
use common::{bench_secs, rate, ratio};

fn main() {
    gost::init().expect("Debian's gost engine (libengine-gost-openssl)");
    let d = bench_secs(5);
    let tmp = tempfile::tempdir().expect("tmp");
    let key = gost::generate_key().expect("key");
    let cert = gost::self_signed(&key, "Бенчмарк", "Бенчмарк", 365).expect("cert");
    let key_pem = tmp.path().join("key.pem");
    std::fs::write(&key_pem, key.private_key_to_pem_pkcs8().expect("pem")).expect("write");
    let node = NodeKey {
        key: key.clone(),
        cert: cert.clone(),
    };
    let info = vec![b'x'; 700];
    println!(
        "Signatures per second, one thread, {} s per measurement",
        d.as_secs()
    );

    let raw = rate(d, || {
        gost::sign(&node.key, &info).expect("sign");
    });
    let engine = rate(d, || {
        signer::sign(&node, &info).expect("sign");
    });
    println!(
        "engine (signer::sign): {engine:.0}/s; raw gost::sign: {raw:.0}/s; ratio {}",
        ratio(engine, raw)
    );

    let script = tmp.path().join("sign-digest");
    std::fs::write(
        &script,
        "#!/bin/sh\nexec openssl pkeyutl -sign -engine gost -inkey \"$1\" 2>/dev/null\n",
    )
    .expect("script");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let args = [script.display().to_string(), key_pem.display().to_string()];
    let tool = CommandSigner::new(cert, &args, Duration::from_secs(10)).expect("tool");
    let digest = gost::digest(&info).expect("digest");
    let command = rate(d, || {
        signer::sign(&tool, &info).expect("sign");
    });
    let pkeyutl = rate(d, || {
        let mut c = Command::new("openssl")
            .args(["pkeyutl", "-sign", "-engine", "gost", "-inkey"])
            .arg(&key_pem)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("openssl");
        c.stdin
            .take()
            .expect("stdin")
            .write_all(&digest)
            .expect("digest");
        let out = c.wait_with_output().expect("wait");
        assert_eq!(out.stdout.len(), 64);
    });
    println!(
        "command (stand-in tool, checked): {command:.0}/s; openssl pkeyutl per signature: \
         {pkeyutl:.0}/s; ratio {}",
        ratio(command, pkeyutl)
    );
}
