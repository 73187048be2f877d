//! Kinds as packages in the node (issue 29): an administrator imports a package from a
//! folder with `volost kind import` through the running daemon and `volost kind list` names
//! it; the kind takes the package's form; a request of it is built by the package's mapping
//! with the body's own codes, validated against the agency's schema before anything is
//! queued, and what reaches SMEV validates with `xmllint --schema`.
#![allow(clippy::unwrap_used)]

mod common;

use common::daemon::*;
use common::sim::*;
use common::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use volost::api::call;
use volost::domain::*;

fn kinds() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kinds")
}

fn cli(cfg: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .args(["--user", "admin", "--config", cfg.to_str().unwrap()])
        .env("VOLOST_PASSWORD", "password-1")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The element `{…}local` cut out of an envelope as it was sent: the mapping declares its
/// namespaces on the element itself, so the cut is a document of its own.
fn element(envelope: &str, local: &str) -> Option<String> {
    let at = envelope.find(&format!(":{local}"))?;
    let start = envelope[..at].rfind('<')?;
    let qname = &envelope[start + 1..at + 1 + local.len()];
    let close = format!("</{qname}>");
    let end = envelope[start..].find(&close)? + start + close.len();
    Some(envelope[start..end].to_string())
}

/// A request of `kind` saved with `data` and sent: its id, and what «Отправить» answered
/// (staff's words when it refused).
fn create_and_send(
    c: &mut volost::api::Client,
    kind: KindId,
    data: BTreeMap<String, String>,
) -> (OutReqId, Result<OutgoingRequest, String>) {
    let req: OutgoingRequest = c
        .ask(call::CreateOutgoing {
            kind,
            application: None,
            data,
        })
        .unwrap();
    let sent = c
        .ask(call::SubmitOutgoing {
            id: req.id,
            pin: None,
            browser: false,
        })
        .map_err(|e| e.ru());
    (req.id, sent)
}

/// The business element `local` of the SendRequest `mid`, once the simulator took it, cut
/// out of its dump.
fn sent_element(dir: &Path, sim: &Sim, mid: &str, local: &str) -> String {
    until("the simulator took the request", || {
        sim.state().requests.iter().any(|m| m == mid).then_some(())
    });
    let envelope = std::fs::read_dir(dir.join("dump"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .find(|x| x.contains("SendRequest") && x.contains(mid))
        .expect("the SendRequest in the simulator's dump");
    element(&envelope, local).unwrap()
}

fn xmllint(schema: &Path, xml: &str) -> (bool, String) {
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(f.path(), xml).unwrap();
    let out = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(schema)
        .arg(f.path())
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_package_imported_from_a_folder_makes_its_kind_and_what_it_sends_validates() {
    let dir = for_daemon(fixture());
    let sim = Sim::start(&dir.path().join("dump"));
    let cfg = smev_config(dir.path(), &sim);
    let d = Daemon::start(dir.path(), &cfg);
    let snils = kinds().join("sfr_snils");

    // A clerk may not import; a package with a file changed is refused whole.
    let broken = tempfile::tempdir().unwrap();
    copy_dir(&snils, broken.path());
    let form = broken.path().join("form.toml");
    let text = std::fs::read_to_string(&form).unwrap();
    std::fs::write(&form, text.replace("Фамилия", "Фамилия заявителя")).unwrap();
    let (ok, _, err) = cli(&cfg, &["kind", "import", broken.path().to_str().unwrap()]);
    assert!(
        !ok && err.contains("form.toml") && err.contains("SHA-256"),
        "{err}"
    );
    let mut c = d.login("spec", "password-1");
    let files = vec![("kind.toml".to_string(), volost::api::Bytes(Vec::new()))];
    let e = c.ask(call::ImportKind { files }).unwrap_err();
    assert!(e.ru().contains("прав"), "{}", e.ru());

    // The daemon imported the starter catalog's packages at its start.
    let (ok, out, err) = cli(&cfg, &["kind", "list"]);
    assert!(ok, "{err}");
    for code in [
        "egrn_extract",
        "egrn_land_plot",
        "fns_egrul",
        "fri_disability",
        "mvd_residence",
        "mvd_stay",
        "sfr_pensions",
        "sfr_snils",
        "zags_birth",
        "zags_death",
    ] {
        assert!(out.contains(&format!("{code}\t")), "{code}: {out}");
    }
    assert!(
        out.contains(
            "{http://kvs.pfr.com/snils-by-additionalData/1.0.1}SnilsByAdditionalDataRequest"
        ) && out.contains("sfr_snils\t1.0.1"),
        "{out}"
    );
    let (ok, out, _) = cli(&cfg, &["kind", "import", snils.to_str().unwrap()]);
    assert!(ok && out.contains("ничего не изменилось"), "{out}");

    // The same package with a label changed and pinned again replaces it, and the kind's
    // form follows.
    let run = Command::new(kinds().join("pin"))
        .arg(broken.path())
        .output()
        .unwrap();
    assert!(run.status.success());
    let (ok, out, err) = cli(&cfg, &["kind", "import", broken.path().to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(
        out.contains("Заменён пакет sfr_snils") && out.contains("обновлено 1"),
        "{out}"
    );
    let kinds_now: Vec<RequestKind> = c.ask(call::RequestKinds).unwrap();
    let kind = kinds_now.iter().find(|k| k.code == "sfr_snils").unwrap();
    assert_eq!(kind.fields[0].label, "Фамилия заявителя");
    let (ok, out, err) = cli(&cfg, &["kind", "import", snils.to_str().unwrap()]);
    assert!(ok && out.contains("Заменён"), "{out}{err}");

    // The kind's form is the package's now.
    let kinds_now: Vec<RequestKind> = c.ask(call::RequestKinds).unwrap();
    let kind = kinds_now.iter().find(|k| k.code == "sfr_snils").unwrap();
    assert!(
        kind.fields.iter().any(|f| f.key == "passport_issued"),
        "{kind:?}"
    );
    let sample: BTreeMap<String, String> =
        serde_json::from_slice(&std::fs::read(snils.join("samples/form.json")).unwrap()).unwrap();

    // A passport without its date of issue: the agency's schema needs it, so the request is
    // refused in the form's own words and nothing is queued.
    let mut short = sample.clone();
    short.remove("passport_issued");
    let (id, sent) = create_and_send(&mut c, kind.id, short);
    let e = sent.unwrap_err();
    assert!(e.contains("«Дата выдачи паспорта»"), "{e}");
    let (card, _): (OutgoingRequest, Vec<HistoryEntry>) = c.ask(call::Outgoing { id }).unwrap();
    assert_eq!(card.status, OutStatus::Formed);
    assert!(card.message_id.is_none());

    // The whole form goes out as the agency's schema wants it.
    let (_, sent) = create_and_send(&mut c, kind.id, sample);
    let sent = sent.unwrap();
    assert_eq!(sent.status, OutStatus::Ready);
    let mid = sent.message_id.clone().unwrap();
    let business = sent_element(dir.path(), &sim, &mid, "SnilsByAdditionalDataRequest");
    let (valid, why) = xmllint(
        &snils.join("xsd/snils-by-additionalData-1.0.1.xsd"),
        &business,
    );
    assert!(valid, "{why}\n{business}");
    assert!(
        business.contains("Петрова") && business.contains("Female"),
        "{business}"
    );
    d.stop();
    check_ok(&open_node(dir.path()));
}

/// A kind that is not in the starter catalog, from a folder, with no rebuild: ФНС's ЕГРИП
/// (`tests/data/kinds/fns_egrip`, the agency's schemas and a published sample).
#[test]
fn a_kind_not_in_the_catalog_is_added_from_a_folder_and_works_end_to_end() {
    let dir = for_daemon(fixture());
    let sim = Sim::start(&dir.path().join("dump"));
    let cfg = smev_config(dir.path(), &sim);
    let d = Daemon::start(dir.path(), &cfg);
    let egrip = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/kinds/fns_egrip");
    let mut c = d.login("spec", "password-1");
    let before: Vec<RequestKind> = c.ask(call::RequestKinds).unwrap();
    assert!(!before.iter().any(|k| k.code == "fns_egrip"));

    let (ok, out, err) = cli(&cfg, &["kind", "import", egrip.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(
        out.contains("Загружен пакет fns_egrip") && out.contains("добавлено 1"),
        "{out}"
    );
    let (_, out, _) = cli(&cfg, &["kind", "list"]);
    assert!(
        out.contains("{urn://x-artefacts-fns-vipip-tosmv-ru/311-15/4.0.5}FNSVipIPRequest")
            && out.contains("ответ: FNSVipIPResponse")
            && out.contains("схемы версии 4.0.6 в открытых источниках не найдено"),
        "{out}"
    );
    let kinds_now: Vec<RequestKind> = c.ask(call::RequestKinds).unwrap();
    let kind = kinds_now.iter().find(|k| k.code == "fns_egrip").unwrap();
    assert_eq!(kind.agency, "ФНС России");

    // An ОГРН of a company (13 digits) passes the form's check, but the agency's schema
    // wants an ОГРНИП (15): refused naming the form's field.
    let ogrn: BTreeMap<String, String> = [("ogrnip".to_string(), "1027700132195".to_string())]
        .into_iter()
        .collect();
    let (_, sent) = create_and_send(&mut c, kind.id, ogrn);
    let e = sent.unwrap_err();
    assert!(
        e.contains("«ОГРНИП индивидуального предпринимателя»"),
        "{e}"
    );

    let inn: BTreeMap<String, String> = [("inn".to_string(), "772770224286".to_string())]
        .into_iter()
        .collect();
    let (_, sent) = create_and_send(&mut c, kind.id, inn);
    let sent = sent.unwrap();
    let mid = sent.message_id.clone().unwrap();
    let business = sent_element(dir.path(), &sim, &mid, "FNSVipIPRequest");
    let (valid, why) = xmllint(&egrip.join("xsd/fns-vipip-tosmv-ru.xsd"), &business);
    assert!(valid, "{why}\n{business}");
    // The request's own number is the case number the agency files it under.
    assert!(
        business.contains(&format!("НомерДела=\"{}\"", sent.number)),
        "{business}"
    );
    d.stop();
    check_ok(&open_node(dir.path()));
}

fn copy_dir(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// SMEV validates the business data against the schema registered for its type: the
/// simulator refuses a hand-broken request with `InvalidContent` — a fault the faults schema
/// takes — and does not take the message; the same request unbroken goes through.
#[test]
fn the_simulator_refuses_a_hand_broken_request_with_smev_s_fault() {
    use volost::smev::envelope::{self, RequestData, Version};
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    let made = Command::new(BIN)
        .args(["smev", "keygen", "--out"])
        .arg(&keys)
        .output()
        .unwrap();
    assert!(made.status.success());
    let cfg = volost::config::SmevConfig {
        key: Some(keys.join("node-key.pem")),
        cert: Some(keys.join("node-cert.pem")),
        ..Default::default()
    };
    let key = volost::smev::keys::NodeKey::load(&cfg).unwrap();
    let sim = Sim::start(&dir.path().join("dump"));
    let example = Command::new(BIN)
        .args(["smev", "business", "--kind", "sfr_snils", "--example"])
        .output()
        .unwrap();
    let good = String::from_utf8(example.stdout).unwrap();
    let good = good.trim();
    // A date of birth no calendar has.
    let broken = good.replace("<tns:BirthDate>1980-05-01<", "<tns:BirthDate>1980-13-45<");
    assert_ne!(broken, good);
    let send = |business: &str| {
        let id = volost::service::new_message_id();
        let xml = envelope::send_request(
            Version::V1_1,
            &RequestData {
                message_id: &id,
                reference: None,
                node_id: "",
                business,
                personal_signature: None,
                attachments: &[],
                test: false,
            },
            &key,
        )
        .unwrap();
        let (status, body) = http(
            &sim.addr,
            &format!(
                "POST /smev/v1.1/ws HTTP/1.1\r\nHost: t\r\nContent-Type: text/xml; charset=utf-8\r\n\
                 SOAPAction: \"urn:SendRequest\"\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{xml}",
                xml.len()
            ),
        );
        (id, status, body)
    };
    let (id, status, body) = send(&broken);
    assert_eq!(status, 500, "{body}");
    assert!(
        !sim.state().requests.contains(&id),
        "a refused message is not taken"
    );
    let fault = element(&body, "InvalidContent").expect("an InvalidContent fault");
    assert!(
        fault.contains("ValidationError") && fault.contains("BirthDate"),
        "{fault}"
    );
    let faults = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../smev/src/xsd/smev-message-exchange-faults-1.1.xsd");
    let (valid, why) = xmllint(&faults, &fault);
    assert!(valid, "{why}\n{fault}");

    let (id, status, body) = send(good);
    assert_eq!(status, 200, "{body}");
    assert!(sim.state().requests.contains(&id));
}

/// Every starter kind that has its mapping goes out made from its package's sample form,
/// the simulated agency answers with its schema's answer, and the card reads it by the
/// schema's labels; the one whose answer schema is not published is taken unchecked, and
/// says so.
#[test]
fn every_mapped_kind_goes_out_and_its_answer_is_read_by_its_schema() {
    let fx = fixture();
    with_packages(&fx);
    let kinds_now = fx.node.request_kinds(fx.spec).unwrap();
    let codes = [
        "egrn_extract",
        "egrn_land_plot",
        "fns_egrul",
        "mvd_residence",
        "mvd_stay",
        "sfr_snils",
        "sfr_pensions",
        "fri_disability",
        "zags_birth",
        "zags_death",
    ];
    let mut ids = Vec::new();
    for code in codes {
        let k = kinds_now.iter().find(|k| k.code == code).unwrap();
        let form: BTreeMap<String, String> = serde_json::from_slice(
            &std::fs::read(kinds().join(code).join("samples/form.json")).unwrap(),
        )
        .unwrap();
        let id = fx
            .node
            .create_outgoing(fx.spec, k.id, None, &form)
            .unwrap()
            .id;
        ids.push((code, id));
    }
    let dir = for_daemon(fx);
    let sim = Sim::start(&dir.path().join("dump"));
    sim.scenario(&volost::smev::sim::Scenario::answer_after(100));
    let d = Daemon::start(dir.path(), &smev_config(dir.path(), &sim));
    let mut c = d.login("spec", "password-1");
    for (code, id) in &ids {
        let sent: OutgoingRequest = c
            .ask(call::SubmitOutgoing {
                id: *id,
                pin: None,
                browser: false,
            })
            .unwrap();
        assert_eq!(sent.status, OutStatus::Ready, "{code}");
    }
    for (code, id) in &ids {
        let req = until(&format!("{code} answered"), || {
            let (r, _): (OutgoingRequest, Vec<HistoryEntry>) =
                c.ask(call::Outgoing { id: *id }).unwrap();
            matches!(r.status, OutStatus::Answered | OutStatus::Error).then_some(r)
        });
        assert_eq!(req.status, OutStatus::Answered, "{code}: {:?}", req.error);
        if *code == "sfr_snils" {
            // The package's summary: the answer form's values read from the answer.
            assert!(req.answer.contains_key("snils"), "{:?}", req.answer);
            let born = &req.answer["birth_date"];
            assert!(
                volost::domain::parse_date(born).is_some() && born.contains('.'),
                "{born}"
            );
            assert!(
                matches!(
                    req.answer.get("gender").map(String::as_str),
                    Some("Мужской" | "Женский")
                ),
                "{:?}",
                req.answer
            );
        }
        let a: volost::api::view::AnswerView =
            c.ask(call::OutgoingAnswer { id: *id }).unwrap().unwrap();
        assert!(a.lines.len() > 2, "{code}: {a:?}");
        // Named by the schema's documentation, in Russian, not by the XML's names (but
        // for the answer whose schema is not published: its names are all there is).
        assert!(
            *code == "fri_disability"
                || a.lines
                    .iter()
                    .any(|l| l.label.chars().any(|ch| ('а'..='я').contains(&ch))),
            "{code}: {a:?}"
        );
        if *code == "fri_disability" {
            assert!(
                a.problem.as_deref().unwrap().contains("не опубликована"),
                "{a:?}"
            );
        } else {
            assert!(a.problem.is_none(), "{code}: {a:?}");
        }
        let files: Vec<Attachment> = c
            .ask(call::Files {
                owner: FileOwner::Outgoing(*id),
            })
            .unwrap();
        assert!(
            files.iter().any(|f| f.name == "ответ ведомства.xml"),
            "{code}: the answer kept as a file staff can open"
        );
    }
    d.stop();
    check_ok(&open_node(dir.path()));
}

/// Росреестр's query travels as the agency's package does: the 1.1.2 element describes a ZIP
/// beside it, which holds the statement (v0.18) and its inventory (TRequest v0.12), each
/// with the body's detached GOST signature; the statement names the body by its КПП and date
/// of registration, without which it is refused before anything is queued.
#[test]
fn rosreestr_s_statement_travels_zipped_and_signed_beside_the_element() {
    let fx = fixture();
    with_packages(&fx);
    let kind = fx
        .node
        .request_kinds(fx.spec)
        .unwrap()
        .into_iter()
        .find(|k| k.code == "egrn_land_plot")
        .unwrap();
    let package = kinds().join("egrn_land_plot");
    let form: BTreeMap<String, String> =
        serde_json::from_slice(&std::fs::read(package.join("samples/form.json")).unwrap()).unwrap();
    let dir = for_daemon(fx);
    let sim = Sim::start(&dir.path().join("dump"));
    sim.scenario(&volost::smev::sim::Scenario::answer_after(100));
    let cfg = smev_config(dir.path(), &sim);
    let d = Daemon::start(dir.path(), &cfg);
    let mut c = d.login("spec", "password-1");

    // A body whose КПП nobody gave: the statement cannot name it.
    let (ok, _, err) = cli(&cfg, &["org", "set", "--kpp", "", "--registered", ""]);
    assert!(ok, "{err}");
    let (id, sent) = create_and_send(&mut c, kind.id, form.clone());
    let e = sent.unwrap_err();
    assert!(e.contains("КПП") && e.contains("volost org set"), "{e}");
    let (card, _): (OutgoingRequest, Vec<HistoryEntry>) = c.ask(call::Outgoing { id }).unwrap();
    assert!(card.message_id.is_none());

    let (ok, out, err) = cli(
        &cfg,
        &[
            "org",
            "set",
            "--kpp",
            "223501001",
            "--registered",
            "20.11.2002",
        ],
    );
    assert!(ok && out.contains("КПП: 223501001"), "{out}{err}");
    let sent: OutgoingRequest = c
        .ask(call::SubmitOutgoing {
            id,
            pin: None,
            browser: false,
        })
        .unwrap();
    let mid = sent.message_id.clone().unwrap();
    let business = sent_element(dir.path(), &sim, &mid, "Request");
    let (valid, why) = xmllint(&package.join("xsd/rosreestr-statement.xsd"), &business);
    assert!(valid, "{why}\n{business}");
    assert!(business.contains("<req:fileName>app_1.xml</req:fileName>"));

    // The archive, as SMEV carries it, with its SignaturePKCS7.
    let envelope = std::fs::read_dir(dir.path().join("dump"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .find(|x| x.contains("SendRequest") && x.contains(&mid))
        .unwrap();
    let header = element(&envelope, "AttachmentHeader").unwrap();
    assert!(
        header.contains("request.zip") && header.contains("application/zip"),
        "{header}"
    );
    assert!(header.contains("SignaturePKCS7"), "{header}");
    let content = element(&envelope, "Content").unwrap();
    let b64 = content[content.find('>').unwrap() + 1..content.rfind('<').unwrap()].to_string();
    use base64::Engine;
    let zip = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .unwrap();
    let files = volost::smev::packet::read(&zip).unwrap();
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "app_1.xml",
            "app_1.xml.sig",
            "request.xml",
            "request.xml.sig"
        ]
    );
    let tmp = tempfile::tempdir().unwrap();
    for (n, b) in &files {
        std::fs::write(tmp.path().join(n), b).unwrap();
    }
    let statement = String::from_utf8(files[0].1.clone()).unwrap();
    for (doc, schema) in [
        ("app_1.xml", "query/RequestEGRN_v01.xsd"),
        ("request.xml", "query/TRequest.xsd"),
    ] {
        let text = std::fs::read_to_string(tmp.path().join(doc)).unwrap();
        let (valid, why) = xmllint(&package.join(schema), &text);
        assert!(valid, "{doc}: {why}\n{text}");
        // Each signature is the body's GOST signature of exactly that file, detached.
        let run = Command::new("openssl")
            .args([
                "cms", "-verify", "-engine", "gost", "-binary", "-inform", "DER",
            ])
            .arg("-in")
            .arg(tmp.path().join(format!("{doc}.sig")))
            .arg("-content")
            .arg(tmp.path().join(doc))
            .args(["-noverify", "-out", "/dev/null"])
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{doc}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
    }
    for part in [
        "22:14:010203:45",
        "<subj:kpp>223501001</subj:kpp>",
        "<subj:regDate>2002-11-20</subj:regDate>",
        "002001001000",
        "extractObjectMainFeaturesRights",
    ] {
        assert!(statement.contains(part), "{part}: {statement}");
    }

    // The simulator checked all of it before it answered.
    let req = until("answered", || {
        let (r, _): (OutgoingRequest, Vec<HistoryEntry>) = c.ask(call::Outgoing { id }).unwrap();
        matches!(r.status, OutStatus::Answered | OutStatus::Error).then_some(r)
    });
    assert_eq!(req.status, OutStatus::Answered, "{:?}", req.error);
    d.stop();
    check_ok(&open_node(dir.path()));
}
