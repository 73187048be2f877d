//! The simulator checks every call against SMEV's own schemas, as SMEV does before anything
//! else (a violation is `InvalidContent` with `ValidationError`). libxml2's validator does the
//! checking through `xmllint`, run per call on the body's operation element; the schemas are
//! compiled into the binary and written out once.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use volost_smev::c14n;
use volost_smev::envelope::Version;
use volost_smev::xml::Element;

const FILES: [(&str, &str); 6] = [
    (
        "smev-message-exchange-types-1.1.xsd",
        volost_smev::xsd::TYPES_1_1,
    ),
    (
        "smev-message-exchange-basic-1.1.xsd",
        volost_smev::xsd::BASIC_1_1,
    ),
    (
        "smev-message-exchange-types-1.3.xsd",
        volost_smev::xsd::TYPES_1_3,
    ),
    (
        "smev-message-exchange-basic-1.3.xsd",
        volost_smev::xsd::BASIC_1_3,
    ),
    (
        "smev-message-exchange-routing-1.3.xsd",
        volost_smev::xsd::ROUTING_1_3,
    ),
    (
        "smev-message-exchange-directive-1.3.xsd",
        volost_smev::xsd::DIRECTIVE_1_3,
    ),
];

/// The schemas on disk, ready for `xmllint`.
#[derive(Debug)]
pub struct Schemas {
    dir: PathBuf,
}

impl Schemas {
    /// Writes the schemas into a directory of this process; `Err` says why validation is
    /// off (no `xmllint`: Debian's `libxml2-utils`).
    pub fn prepare() -> Result<Schemas, String> {
        let found = Command::new("xmllint")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !found {
            return Err("xmllint not found (install libxml2-utils)".into());
        }
        let dir = std::env::temp_dir().join(format!("volost-smev-xsd-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for (name, text) in FILES {
            std::fs::write(dir.join(name), text).map_err(|e| format!("{name}: {e}"))?;
        }
        Ok(Schemas { dir })
    }

    /// Validates the operation element (the child of `soap:Body`) against the types schema
    /// of `v`; the error is libxml2's first complaints.
    pub fn validate(&self, v: Version, op: &Element) -> Result<(), String> {
        let xsd = self.dir.join(match v {
            Version::V1_1 => "smev-message-exchange-types-1.1.xsd",
            Version::V1_3 => "smev-message-exchange-types-1.3.xsd",
        });
        let mut child = Command::new("xmllint")
            .args(["--noout", "--nonet", "--schema"])
            .arg(&xsd)
            .arg("-")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("xmllint: {e}"))?;
        let doc = c14n::canonicalize(op);
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(&doc).map_err(|e| format!("xmllint: {e}"))?;
        }
        let out = child
            .wait_with_output()
            .map_err(|e| format!("xmllint: {e}"))?;
        if out.status.success() {
            return Ok(());
        }
        let why: Vec<String> = String::from_utf8_lossy(&out.stderr)
            .lines()
            .filter(|l| !l.contains("fails to validate"))
            .take(3)
            .map(|l| l.trim_start_matches("-:").to_string())
            .collect();
        Err(why.join("; "))
    }
}

impl Drop for Schemas {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use volost_smev::envelope::{self, RequestData};
    use volost_smev::{gost, keys::NodeKey, xml};

    #[test]
    fn a_built_request_passes_and_a_broken_one_is_refused_with_the_place() {
        let Ok(s) = Schemas::prepare() else {
            // CI installs xmllint (.ci/run); a machine without it runs the simulator
            // without validation and says so.
            eprintln!("xmllint missing: schema validation not tested here");
            return;
        };
        gost::init().expect("gost engine");
        let key = gost::generate_key().expect("key");
        let cert = gost::self_signed(&key, "Тест", "Тест", 30).expect("cert");
        let key = NodeKey { key, cert };
        let env = envelope::send_request(
            Version::V1_1,
            &RequestData {
                message_id: &envelope::new_message_id(),
                reference: None,
                node_id: "",
                business: "<b:Request xmlns:b=\"urn://example/1.0\"><b:x>1</b:x></b:Request>",
                personal_signature: None,
                attachments: &[],
                test: true,
            },
            &key,
        )
        .expect("envelope");
        let doc = xml::parse(&env).expect("xml");
        let op = doc
            .elements()
            .nth(1)
            .and_then(|b| b.elements().next())
            .expect("op");
        assert_eq!(s.validate(Version::V1_1, op), Ok(()));
        let broken = env
            .replace("<tns:MessageID>", "<tns:MessageId>")
            .replace("</tns:MessageID>", "</tns:MessageId>");
        let doc = xml::parse(&broken).expect("xml");
        let op = doc
            .elements()
            .nth(1)
            .and_then(|b| b.elements().next())
            .expect("op");
        let e = s.validate(Version::V1_1, op).expect_err("refused");
        assert!(e.contains("MessageId"), "{e}");
    }
}
