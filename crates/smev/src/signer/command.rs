//! The `command` provider: an external certified tool or signing service, started once per
//! signature, the digest on its input and the signature on its output, within a time limit.

use super::{Provider, SIGNATURE_LEN, SignError, Signer};
use openssl::x509::X509;
use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The most a signing tool may print, on each stream: a signature is 64 bytes (88 in base64).
const MAX_TOOL_OUTPUT: u64 = 4096;

/// An external signing tool: started once per signature with `args`, it reads the 32-byte
/// digest (raw) on its standard input and prints the 64-byte signature, raw or in base64, on
/// its standard output, and exits 0. It is stopped at `timeout`; what it prints is read up to
/// 4 KiB a stream. The certificate is the node's (`[smev] cert`), which its key must match.
pub struct CommandSigner {
    cert: X509,
    program: PathBuf,
    args: Vec<String>,
    timeout: Duration,
}

impl std::fmt::Debug for CommandSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommandSigner")
            .field("subject", &super::super::keys::subject(&self.cert))
            .field("program", &self.program)
            .finish_non_exhaustive()
    }
}

impl CommandSigner {
    /// `command` is the program and its arguments (`[smev] sign_command`).
    pub fn new(cert: X509, command: &[String], timeout: Duration) -> Option<CommandSigner> {
        let (program, args) = command.split_first()?;
        Some(CommandSigner {
            cert,
            program: PathBuf::from(program),
            args: args.to_vec(),
            timeout,
        })
    }

    fn name(&self) -> String {
        self.program.display().to_string()
    }
}

/// Reads `r` to its end on a thread of its own, keeping the first [`MAX_TOOL_OUTPUT`] bytes
/// and dropping the rest (so a tool that floods one stream neither blocks on it nor fills
/// memory); `true` when something was dropped. The result comes through the channel, so the
/// caller waits for it no longer than its deadline.
fn drain(mut r: impl Read + Send + 'static) -> mpsc::Receiver<(Vec<u8>, bool)> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut more = false;
        let mut buf = [0u8; 4096];
        // A read error ends the output, as its end does.
        while let Ok(n) = r.read(&mut buf) {
            if n == 0 {
                break;
            }
            let room = (MAX_TOOL_OUTPUT as usize).saturating_sub(kept.len());
            kept.extend_from_slice(&buf[..n.min(room)]);
            more |= n > room;
        }
        // The caller may have gone (its deadline passed): nothing to tell then.
        let _ = tx.send((kept, more));
    });
    rx
}

/// Stops the tool and whatever it started: it runs in a process group of its own.
fn kill_group(child: &mut std::process::Child) {
    if let Ok(pid) = i32::try_from(child.id()) {
        // SAFETY: kill(2) with a negative pid signals the process group the tool leads (it
        // was started with `process_group(0)`); no memory is touched.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

impl Signer for CommandSigner {
    fn cert(&self) -> &X509 {
        &self.cert
    }

    fn provider(&self) -> Provider {
        Provider::Command
    }

    fn sign_raw(&self, digest: &[u8]) -> Result<Vec<u8>, SignError> {
        let program = self.name();
        let deadline = Instant::now() + self.timeout;
        let timed_out = |program: String| SignError::Timeout {
            program,
            secs: self.timeout.as_secs(),
        };
        let mut child = Command::new(&self.program)
            .args(&self.args)
            .process_group(0)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| SignError::Start {
                program: program.clone(),
                why: e.to_string(),
            })?;
        let (Some(mut stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            kill_group(&mut child);
            return Err(SignError::Start {
                program,
                why: "no pipes to the tool".into(),
            });
        };
        let (out, err) = (drain(stdout), drain(stderr));
        // 32 bytes fit any pipe's buffer: the write never waits for the tool. A tool that
        // does not read its input is its own failure, seen in its status.
        let _ = stdin.write_all(digest);
        drop(stdin);
        let status = loop {
            match child.try_wait() {
                Ok(Some(s)) => break s,
                Ok(None) if Instant::now() >= deadline => {
                    kill_group(&mut child);
                    return Err(timed_out(program));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(2)),
                Err(e) => {
                    kill_group(&mut child);
                    return Err(SignError::Failed {
                        program,
                        status: "wait".into(),
                        stderr: e.to_string(),
                    });
                }
            }
        };
        // The tool has exited; something it started may still hold its output open: the
        // output is waited for until the deadline, then the whole group is stopped.
        let left = |rx: &mpsc::Receiver<(Vec<u8>, bool)>| {
            rx.recv_timeout(deadline.saturating_duration_since(Instant::now()))
        };
        let (Ok((out, flooded)), Ok((err, _))) = (left(&out), left(&err)) else {
            kill_group(&mut child);
            return Err(timed_out(program));
        };
        if !status.success() {
            let stderr = String::from_utf8_lossy(&err).trim().to_string();
            return Err(SignError::Failed {
                program,
                status: status.to_string(),
                stderr: if stderr.is_empty() {
                    "(nothing on stderr)".into()
                } else {
                    stderr
                },
            });
        }
        if flooded {
            return Err(SignError::Output {
                program,
                why: format!("more than {MAX_TOOL_OUTPUT} bytes"),
            });
        }
        parse_signature(&out).map_err(|why| SignError::Output { program, why })
    }
}

/// A tool's signature: 64 raw bytes, or their base64 (whitespace around it allowed).
fn parse_signature(out: &[u8]) -> Result<Vec<u8>, String> {
    use base64::Engine as _;
    if out.len() == SIGNATURE_LEN {
        return Ok(out.to_vec());
    }
    let text = std::str::from_utf8(out).map_err(|_| format!("{} bytes, not 64", out.len()))?;
    let clean: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let raw = base64::engine::general_purpose::STANDARD
        .decode(clean)
        .map_err(|e| format!("neither 64 bytes nor base64: {e}"))?;
    if raw.len() != SIGNATURE_LEN {
        return Err(format!("{} bytes in base64, not 64", raw.len()));
    }
    Ok(raw)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_tool_s_output_is_64_bytes_raw_or_in_base64() {
        let raw = [7u8; 64];
        assert_eq!(parse_signature(&raw).unwrap(), raw);
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD.encode(raw);
        assert_eq!(parse_signature(format!("{b64}\n").as_bytes()).unwrap(), raw);
        assert!(parse_signature(b"").is_err());
        assert!(parse_signature(&[1u8; 63]).is_err());
        assert!(parse_signature(b"AAAA").is_err());
    }
}
