//! A client of «Окно документов» as a browser speaks to it: HTTPS that trusts only the node's
//! own certificate, cookies kept between requests, forms sent urlencoded or multipart.
#![allow(dead_code, clippy::unwrap_used)]

use super::daemon::{Daemon, config, free_port};
use super::{fixture, registered, service, sim};
use openssl::ssl::{SslConnector, SslMethod, SslVerifyMode};
use openssl::x509::X509;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};
use volost::domain::*;

/// A node with a registered application whose inventory is typed, served with the web page
/// on (`node_keys` added to `[node]`); returns the directory, the daemon, the page's address
/// and the application.
pub fn node_with_page(node_keys: &str) -> (tempfile::TempDir, Daemon, String, Application) {
    let fx = fixture();
    let svc = service(&fx);
    let app = registered(&fx, fx.spec);
    let items = vec![Received {
        name: svc.documents[0].clone(),
        original: true,
        copies: 1,
        sheets: 2,
    }];
    let app = fx.node.set_inventory(fx.spec, app.id, items).unwrap();
    // An interagency request of the application with a file of its own (an agency's
    // answer stands for any).
    super::with_packages(&fx);
    let kind = super::sending_kind(&fx);
    let data = super::values(&kind.fields);
    let req = fx
        .node
        .create_outgoing(fx.spec, kind.id, Some(app.id), &data)
        .unwrap();
    fx.node
        .add_file(
            fx.spec,
            Some(FileOwner::Outgoing(req.id)),
            "Ответ СФР.pdf",
            b"%PDF-1.4 answer",
        )
        .unwrap();
    let dir = sim::for_daemon(fx);
    let port = free_port();
    let web = format!("127.0.0.1:{port}");
    let cfg = config(dir.path(), &format!("[web]\nlisten = \"{web}\"\n"));
    let text = std::fs::read_to_string(&cfg).unwrap();
    let text = text.replacen("[local_api]", &format!("{node_keys}[local_api]"), 1);
    std::fs::write(&cfg, text).unwrap();
    let d = Daemon::start(dir.path(), &cfg);
    (dir, d, web, app)
}

pub struct Web {
    pub addr: String,
    connector: SslConnector,
    pub cookies: BTreeMap<String, String>,
    /// Sent as `Origin` on POSTs, as a browser on the page does.
    pub origin: Option<String>,
    /// The address the client connects from (127.0.0.x stands for another PC of the LAN).
    pub from: Option<[u8; 4]>,
}

pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).to_string()
    }

    /// A hidden field's value in the page.
    pub fn hidden(&self, name: &str) -> String {
        let t = self.text();
        let at = t
            .find(&format!("name=\"{name}\" value=\""))
            .unwrap_or_else(|| panic!("no field {name} in:\n{t}"));
        let rest = &t[at + name.len() + 15..];
        rest[..rest.find('"').unwrap()].to_string()
    }
}

/// Waits for the node's web port, then trusts the certificate the node made in `data`.
pub fn connect(addr: &str, data: &Path) -> Web {
    let until = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(addr).is_err() {
        assert!(Instant::now() < until, "the web page never listened");
        std::thread::sleep(Duration::from_millis(20));
    }
    let pem = std::fs::read(data.join("web/cert.pem")).unwrap();
    let mut b = SslConnector::builder(SslMethod::tls_client()).unwrap();
    b.cert_store_mut()
        .add_cert(X509::from_pem(&pem).unwrap())
        .unwrap();
    b.set_verify(SslVerifyMode::PEER);
    Web {
        addr: addr.into(),
        connector: b.build(),
        cookies: BTreeMap::new(),
        origin: Some(format!("https://{addr}")),
        from: None,
    }
}

impl Web {
    pub fn request(&mut self, method: &str, path: &str, ctype: Option<&str>, body: &[u8]) -> Resp {
        self.send(method, path, ctype, body, body.len())
    }

    /// A POST whose head announces `len` bytes and whose body never comes: what the node
    /// answers before reading a body.
    pub fn announce(&mut self, path: &str, ctype: &str, len: usize) -> Resp {
        self.send("POST", path, Some(ctype), b"", len)
    }

    fn send(
        &mut self,
        method: &str,
        path: &str,
        ctype: Option<&str>,
        body: &[u8],
        len: usize,
    ) -> Resp {
        let tcp = tcp_from(self.from, &self.addr).unwrap();
        let host = self.addr.rsplit_once(':').unwrap().0.to_string();
        // Verified against the node's certificate, for the address as typed.
        let mut s = self.connector.connect(&host, tcp).unwrap();
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.addr
        );
        if !self.cookies.is_empty() {
            let c: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            head.push_str(&format!("Cookie: {}\r\n", c.join("; ")));
        }
        if method == "POST" {
            if let Some(o) = &self.origin {
                head.push_str(&format!("Origin: {o}\r\n"));
            }
            head.push_str(&format!("Content-Length: {len}\r\n"));
        }
        if let Some(t) = ctype {
            head.push_str(&format!("Content-Type: {t}\r\n"));
        }
        head.push_str("\r\n");
        s.write_all(head.as_bytes()).unwrap();
        s.write_all(body).unwrap();
        let mut out = Vec::new();
        // The server closes after answering; a TLS close without notify is fine here.
        let _ = s.read_to_end(&mut out);
        let split = out.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = String::from_utf8_lossy(&out[..split]).to_string();
        let mut lines = head.lines();
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        let r = Resp {
            status,
            headers,
            body: out[split + 4..].to_vec(),
        };
        for c in r.all("set-cookie") {
            let (kv, attrs) = c.split_once(';').unwrap_or((c, ""));
            let (k, v) = kv.split_once('=').unwrap();
            if v.is_empty() || attrs.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.into(), v.into());
            }
        }
        r
    }

    pub fn get(&mut self, path: &str) -> Resp {
        self.request("GET", path, None, b"")
    }

    pub fn form(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let body: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect();
        self.request(
            "POST",
            path,
            Some("application/x-www-form-urlencoded"),
            body.join("&").as_bytes(),
        )
    }

    /// A multipart form: text fields, then files (`name`, bytes) in the field `file`.
    pub fn upload(&mut self, path: &str, csrf: &str, files: &[(&str, &[u8])]) -> Resp {
        let b = "----volost-test-boundary";
        let mut body = Vec::new();
        body.extend_from_slice(
            format!("--{b}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n")
                .as_bytes(),
        );
        for (name, data) in files {
            body.extend_from_slice(
                format!(
                    "--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
                     Content-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(data);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{b}--\r\n").as_bytes());
        self.request(
            "POST",
            path,
            Some(&format!("multipart/form-data; boundary={b}")),
            &body,
        )
    }

    /// Signs in through the sign-in form.
    pub fn sign_in(&mut self, login: &str, password: &str) -> Resp {
        let page = self.get("/login");
        let pre = page.hidden("_pre");
        self.form(
            "/login",
            &[
                ("login", login),
                ("password", password),
                ("_pre", &pre),
                ("next", "/tasks"),
            ],
        )
    }
}

/// A TCP connection to `to` from `from` (or whichever address the kernel picks).
pub fn tcp_from(from: Option<[u8; 4]>, to: &str) -> std::io::Result<TcpStream> {
    use socket2::{Domain, Socket, Type};
    let Some(ip) = from else {
        return TcpStream::connect(to);
    };
    let s = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    s.bind(&std::net::SocketAddr::from((ip, 0)).into())?;
    let to: std::net::SocketAddr = to.parse().unwrap();
    s.connect_timeout(&to.into(), Duration::from_secs(2))?;
    let s: TcpStream = s.into();
    s.set_read_timeout(Some(Duration::from_secs(15)))?;
    Ok(s)
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
