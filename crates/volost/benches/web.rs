//! `cargo bench --bench web`: «Окно документов» under 20 staff at once (issue 30).
//!
//! The daemon (the optimised binary) serves the page over HTTPS with its own certificate.
//! Twenty clerks, each on a kept-alive TLS connection of their own and signed in through the
//! form, open an application's card (three API reads: the session, the card, its files) and
//! «Мои задачи» in turn, as fast as answers come; each request's time to first byte is
//! measured from the request written to the first byte of the answer read.
//!
//! The peer, in the same run: nginx (Debian's) serving the same card's HTML as a static file
//! over TLS with the same certificate and key, to the same twenty clients: the floor of an
//! HTTPS page on this machine. Skipped, and said, where nginx is not installed.
//!
//! `VOLOST_BENCH_SECS` sets each measurement's length (default 5 s).

use openssl::ssl::{SslConnector, SslMethod, SslStream, SslVerifyMode};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::daemon::Daemon;
use common::{bench_secs, ms, node_with_tasks, ratio, stats};

const STAFF: usize = 20;

struct Conn {
    s: BufReader<SslStream<TcpStream>>,
    host: String,
    cookie: String,
}

fn connect(addr: &str) -> Conn {
    let mut b = SslConnector::builder(SslMethod::tls_client()).expect("tls");
    // The node's own certificate, or nginx serving it: the bench trusts what it started.
    b.set_verify(SslVerifyMode::NONE);
    let tcp = TcpStream::connect(addr).expect("connect");
    tcp.set_nodelay(true).expect("nodelay");
    let s = b.build().connect("localhost", tcp).expect("handshake");
    Conn {
        s: BufReader::new(s),
        host: addr.to_string(),
        cookie: String::new(),
    }
}

impl Conn {
    /// One request on the kept-alive connection: the status, the headers, the body, and the
    /// time to the answer's first byte.
    fn ask(&mut self, method: &str, path: &str, body: &str) -> (u16, String, Vec<u8>, Duration) {
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n", self.host);
        if !self.cookie.is_empty() {
            req.push_str(&format!("Cookie: {}\r\n", self.cookie));
        }
        if method == "POST" {
            req.push_str(&format!(
                "Origin: https://{}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
                 Content-Length: {}\r\n",
                self.host,
                body.len()
            ));
        }
        req.push_str("\r\n");
        req.push_str(body);
        let t0 = Instant::now();
        self.s.get_mut().write_all(req.as_bytes()).expect("send");
        self.s.fill_buf().expect("first byte");
        let ttfb = t0.elapsed();
        let mut head = String::new();
        loop {
            let mut line = String::new();
            self.s.read_line(&mut line).expect("head");
            if line == "\r\n" || line.is_empty() {
                break;
            }
            head.push_str(&line);
        }
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let len: usize = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse().ok())?
            })
            .unwrap_or(0);
        let mut body = vec![0; len];
        self.s.read_exact(&mut body).expect("body");
        (status, head, body, ttfb)
    }

    fn sign_in(&mut self, login: &str) {
        let (_, head, page, _) = self.ask("GET", "/login", "");
        let pre = cookie(&head, "__Host-volost-pre");
        let page = String::from_utf8_lossy(&page).to_string();
        let at = page.find("name=\"_pre\" value=\"").expect("form") + 19;
        let field = &page[at..at + 32];
        self.cookie = format!("__Host-volost-pre={pre}");
        let (status, head, _, _) = self.ask(
            "POST",
            "/login",
            &format!("login={login}&password=password-1&_pre={field}&next=%2Ftasks"),
        );
        assert_eq!(status, 303, "sign-in of {login}");
        self.cookie = format!("__Host-volost={}", cookie(&head, "__Host-volost"));
    }
}

fn cookie(head: &str, name: &str) -> String {
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
        .find_map(|(_, v)| v.trim().strip_prefix(&format!("{name}=")))
        .and_then(|v| v.split(';').next())
        .expect("cookie")
        .to_string()
}

/// `STAFF` clients on `addr`, each asking `paths` in turn for `secs`; the times to first byte.
fn load(addr: &str, logins: Option<&[String]>, paths: &[String], secs: Duration) -> Vec<Duration> {
    std::thread::scope(|s| {
        let hs: Vec<_> = (0..STAFF)
            .map(|i| {
                s.spawn(move || {
                    let mut c = connect(addr);
                    if let Some(l) = logins {
                        c.sign_in(&l[i]);
                    }
                    let mut out = Vec::new();
                    let t0 = Instant::now();
                    let mut k = i;
                    while t0.elapsed() < secs {
                        let (status, _, _, ttfb) = c.ask("GET", &paths[k % paths.len()], "");
                        assert_eq!(status, 200, "{}", paths[k % paths.len()]);
                        out.push(ttfb);
                        k += 1;
                    }
                    out
                })
            })
            .collect();
        hs.into_iter()
            .flat_map(|h| h.join().expect("client"))
            .collect()
    })
}

/// nginx on a free port serving `root` over TLS with the node's certificate.
fn nginx(dir: &Path, root: &Path, cert: &Path, key: &Path) -> Option<(Child, String)> {
    let bin = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|p| Path::new(p).exists())?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()?
        .port();
    let conf = dir.join("nginx.conf");
    std::fs::write(
        &conf,
        format!(
            "daemon off; worker_processes 2; pid {d}/nginx.pid; error_log {d}/nginx.err;\n\
             events {{ worker_connections 256; }}\n\
             http {{ access_log off; keepalive_requests 1000000;\n\
               client_body_temp_path {d}/t; proxy_temp_path {d}/t; fastcgi_temp_path {d}/t;\n\
               uwsgi_temp_path {d}/t; scgi_temp_path {d}/t;\n\
               server {{ listen 127.0.0.1:{port} ssl; ssl_certificate {c}; ssl_certificate_key {k};\n\
                 root {r}; default_type text/html; }} }}\n",
            d = dir.display(),
            c = cert.display(),
            k = key.display(),
            r = root.display()
        ),
    )
    .ok()?;
    let child = Command::new(bin)
        .args(["-c"])
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let addr = format!("127.0.0.1:{port}");
    let until = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(&addr).is_err() {
        if Instant::now() > until {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Some((child, addr))
}

fn main() {
    let secs = bench_secs(5);
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("node");
    std::fs::create_dir_all(&dir).expect("dir");
    let logins: Vec<String> = (1..=STAFF).map(|i| format!("clerk{i:02}")).collect();
    let (_, number, _) = node_with_tasks(&dir, &logins, STAFF * 5);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let web = format!("127.0.0.1:{port}");
    let d = Daemon::start(&dir, &format!("[web]\nlisten = \"{web}\"\n"));
    let until = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(&web).is_err() {
        assert!(Instant::now() < until, "the web page did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    let card = format!("/a/{number}");

    // The card's HTML as clerk01 sees it, for nginx to serve as it is.
    let mut c = connect(&web);
    c.sign_in(&logins[0]);
    let (_, _, html, _) = c.ask("GET", &card, "");
    drop(c);
    let root = tmp.path().join("www");
    std::fs::create_dir_all(root.join("a")).expect("www");
    std::fs::write(root.join("a").join(&number), &html).expect("page");

    println!(
        "cargo bench --bench web: {STAFF} staff at once, {}s a measurement, card page {} bytes",
        secs.as_secs(),
        html.len()
    );
    let node = stats(load(
        &web,
        Some(&logins),
        &[card.clone(), "/tasks".into()],
        secs,
    ));
    println!(
        "| node: the card and «Мои задачи» in turn | p50 {} | p99 {} | {} requests |",
        ms(node.p50),
        ms(node.p99),
        node.n
    );
    let node_card = stats(load(&web, Some(&logins), std::slice::from_ref(&card), secs));
    println!(
        "| node: the card alone                     | p50 {} | p99 {} | {} requests |",
        ms(node_card.p50),
        ms(node_card.p99),
        node_card.n
    );
    let web_dir = dir.join("web");
    match nginx(
        tmp.path(),
        &root,
        &web_dir.join("cert.pem"),
        &web_dir.join("key.pem"),
    ) {
        Some((mut child, addr)) => {
            let peer = stats(load(&addr, None, std::slice::from_ref(&card), secs));
            println!(
                "| nginx: the same card's HTML, static      | p50 {} | p99 {} | {} requests |",
                ms(peer.p50),
                ms(peer.p99),
                peer.n
            );
            println!(
                "node / nginx, the card: p50 {}, p99 {}",
                ratio(node_card.p50.as_secs_f64(), peer.p50.as_secs_f64()),
                ratio(node_card.p99.as_secs_f64(), peer.p99.as_secs_f64())
            );
            let _ = child.kill();
            let _ = child.wait();
        }
        None => println!("(nginx not found: `apt-get install nginx-light` for the peer)"),
    }
    drop(d);
}
