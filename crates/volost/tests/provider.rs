//! The provider flow of the SMEV exchange between the real daemon and the real simulator
//! over HTTP: the simulator plays the portal and the agencies that ask the node; the worker
//! takes their messages with GetRequest, and what staff do goes back with SendResponse.
#![allow(clippy::unwrap_used)]

mod common;

use base64::Engine;
use common::daemon::*;
use common::sim::*;
use common::*;
use volost::api::{Client, call};
use volost::domain::*;
use volost::service::*;
use volost::smev::sim::{AgencyRequest, CancelOrder, Fault, Injection, OfferedFile, PortalOrder};

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

fn pdf(id: &str, key: &str, name: &str, body: &[u8]) -> OfferedFile {
    OfferedFile {
        id: id.into(),
        key: key.into(),
        name: name.into(),
        mime: "application/pdf".into(),
        base64: b64(body),
    }
}

fn portal_apps(c: &mut Client) -> Vec<AppRow> {
    let page: Page<AppRow> = c.ask(call::Applications(AppQuery::default())).unwrap();
    page.rows
        .into_iter()
        .filter(|r| r.source == Source::Epgu)
        .collect()
}

fn act(c: &mut Client, id: AppId, input: ActionInput) -> Application {
    c.ask(call::Act { id, input }).unwrap()
}

/// The test intake package: ЕПГУ's «концентратор» FormData of the one published service
/// schema, bound to a test service (`service.toml` in the package's folder).
fn intake_package() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/kinds/epgu_familychildsub")
}

/// The package's status table (`kind.toml`): received, the steps between, done.
const REGISTERED: &str = "1";
const APPROVED: &str = "3";
/// Registered, decided, approving, approved; the closing after the result is not reported.
const EXPECTED: [&str; 4] = ["1", "7", "7", "3"];

/// The sample FormData with `order` as its number.
fn form_data(order: &str) -> String {
    std::fs::read_to_string(intake_package().join("samples/request.xml"))
        .unwrap()
        .replace(
            "<tns:orderId>1234567890</tns:orderId>",
            &format!("<tns:orderId>{order}</tns:orderId>"),
        )
}

#[test]
fn a_portal_application_is_registered_and_every_status_goes_back_to_the_portal() {
    let fx = fixture();
    with_packages(&fx);
    let spec_text = std::fs::read_to_string(intake_package().join("service.toml")).unwrap();
    let svc_spec: volost::domain::spec::ServiceSpec = toml::from_str(&spec_text).unwrap();
    fx.node.add_service(fx.admin, &svc_spec).unwrap();
    let files = volost::smev::kinds::loaded::read_dir(&intake_package()).unwrap();
    let done = fx.node.import_kind(fx.admin, &files).unwrap();
    assert_eq!(done.services_bound, 1, "{done:?}");
    assert_eq!(
        done.kinds_added, 0,
        "an intake package is no kind to ask for"
    );
    // Editing the service's template keeps its intake.
    let bound = |fx: &Fx| {
        fx.node
            .services(fx.admin, false)
            .unwrap()
            .into_iter()
            .find(|s| s.code == svc_spec.code)
            .unwrap()
    };
    let svc = bound(&fx);
    assert_eq!(svc.intake.as_deref(), Some("epgu_familychildsub"));
    fx.node.update_service(fx.admin, svc.id, &svc_spec).unwrap();
    assert_eq!(bound(&fx).intake.as_deref(), Some("epgu_familychildsub"));
    let dir = for_daemon(fx);
    let sim = Sim::start(&dir.path().join("dump"));
    let d = Daemon::start(dir.path(), &smev_config(dir.path(), &sim));
    let mut head = d.login("head", "password-1");
    let mut spec = d.login("spec", "password-1");

    // A duplicate delivery on the way: the application is registered once.
    sim.faults(&[Injection::on("GetRequest", Fault::Duplicate)]);
    let order = PortalOrder {
        portal: "EPGU".into(),
        document: form_data("1234567890"),
        files: vec![
            pdf("scan", "", "свидетельство.pdf", b"%PDF-1.4 certificate"),
            pdf(
                "file2",
                "",
                "доверенность.pdf",
                b"%PDF-1.4 power of attorney",
            ),
        ],
    };
    let mid = sim.offer("/sim/portal", &order);
    let row = until("the application registered", || {
        portal_apps(&mut head).into_iter().next()
    });
    assert_eq!(row.status, Status::Registered);
    let card: ApplicationCard = head.ask(call::Application { id: row.id }).unwrap();
    assert!(
        card.history
            .iter()
            .any(|h| h.what.contains("ЕПГУ") && h.comment.contains("1234567890")),
        "{:#?}",
        card.history
    );
    // What the package reads from the FormData: the applicant and the service's form.
    assert_eq!(card.applicant.name, "Семёнова Анна Петровна");
    assert_eq!(card.app.data["child_name"], "Семёнов Иван");
    assert_eq!(card.app.data["child_birth_date"], "01.09.2015");
    assert_eq!(card.app.data["account"], "40817810000000000001");
    let files: Vec<Attachment> = head
        .ask(call::Files {
            owner: FileOwner::Application(row.id),
        })
        .unwrap();
    assert_eq!(files.len(), 2, "{files:?}");
    let scan = files.iter().find(|f| f.field.as_deref() == Some("scan"));
    assert!(
        scan.is_some(),
        "the attachment named by the field fills it: {files:?}"
    );

    // «Зарегистрировано» went back as the concentrator's changeOrderInfo.
    let first = until("the registration status sent", || {
        responses_to(&sim, &mid).into_iter().next()
    });
    let code = |r: &volost::smev::sim::SimResponse| {
        assert_eq!(
            (r.kind.as_str(), r.root.as_str()),
            ("primary", "FormDataResponse")
        );
        assert_eq!(r.fields["changeOrderInfo/orderId/pguId"], "1234567890");
        r.fields["changeOrderInfo/statusCode/techCode"].clone()
    };
    assert_eq!(code(&first), REGISTERED);
    assert!(
        first.fields["changeOrderInfo/comment"].contains(&row.number),
        "{first:?}"
    );

    // Staff work: each step the portal's table knows is reported, the published decision
    // with its file.
    let executor = card_user(&mut head, "spec");
    act(
        &mut head,
        row.id,
        ActionInput::new(Action::AssignExecutor(executor)),
    );
    let letter: Attachment = spec
        .ask(call::AddFile {
            owner: Some(FileOwner::Application(row.id)),
            name: "решение.pdf".into(),
            data: volost::api::Bytes(b"%PDF-1.4 decision".to_vec()),
        })
        .unwrap();
    let mut decide = ActionInput::new(Action::Decide(Verdict::Approve));
    decide.message = "Субсидия назначена, решение во вложении".into();
    decide.files = vec![letter.id.0.to_string()];
    act(&mut spec, row.id, decide);
    act(&mut head, row.id, ActionInput::new(Action::Publish));
    act(&mut head, row.id, ActionInput::new(Action::Close));

    let want = EXPECTED;
    let all = until("every status to the portal", || {
        let r = responses_to(&sim, &mid);
        (r.len() >= want.len()).then_some(r)
    });
    let codes: Vec<String> = all.iter().map(code).collect();
    assert_eq!(codes, want, "{all:#?}");
    let result = all
        .iter()
        .find(|r| r.fields["changeOrderInfo/statusCode/techCode"] == APPROVED)
        .unwrap();
    assert_eq!(
        result.fields["changeOrderInfo/comment"],
        "Субсидия назначена, решение во вложении"
    );
    assert_eq!(
        result.files.len(),
        1,
        "the decision's file goes to the portal"
    );
    assert_eq!(result.files[0].1, b"%PDF-1.4 decision".len());
    // Each reply is what the portal's schema takes.
    let dump = std::fs::read_dir(dir.path().join("dump"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .filter(|x| x.contains("SendResponse") && x.contains("FormDataResponse"))
        .collect::<Vec<_>>();
    assert!(!dump.is_empty());
    for envelope in &dump {
        let start = envelope.find("<tns:FormDataResponse").or_else(|| {
            envelope
                .find(":FormDataResponse")
                .map(|i| envelope[..i].rfind('<').unwrap())
        });
        let start = start.unwrap();
        let qname_end = envelope[start + 1..].find([' ', '>']).unwrap() + start + 1;
        let qname = &envelope[start + 1..qname_end];
        let close = format!("</{qname}>");
        let end = envelope[start..].find(&close).unwrap() + start + close.len();
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), &envelope[start..end]).unwrap();
        let out = std::process::Command::new("xmllint")
            .args(["--noout", "--schema"])
            .arg(intake_package().join("xsd/concentrator-subsidiesMinTrud.xsd"))
            .arg(f.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}\n{}",
            String::from_utf8_lossy(&out.stderr),
            &envelope[start..end]
        );
    }

    // A second application, withdrawn by the applicant while it waits for registration
    // work: it ends with its process, and no task of it is left to anybody.
    let second = PortalOrder {
        document: form_data("1234567891"),
        ..order.clone()
    };
    let mid2 = sim.offer("/sim/portal", &second);
    let row2 = until("the second application registered", || {
        portal_apps(&mut head).into_iter().find(|r| r.id != row.id)
    });
    let open: ApplicationCard = head.ask(call::Application { id: row2.id }).unwrap();
    assert!(
        open.tasks
            .iter()
            .any(|t| !t.withdrawn && t.queue != Queue::Done),
        "{:#?}",
        open.tasks
    );
    sim.offer("/sim/cancel", &CancelOrder { message_id: mid2 });
    let gone = until("the withdrawn application closed", || {
        let c: ApplicationCard = head.ask(call::Application { id: row2.id }).unwrap();
        (c.app.status == Status::Closed).then_some(c)
    });
    assert!(
        gone.history
            .iter()
            .any(|h| h.what.starts_with("Заявитель отозвал заявление")),
        "{:#?}",
        gone.history
    );
    assert!(
        gone.tasks
            .iter()
            .all(|t| t.queue == Queue::Done && t.withdrawn),
        "{:#?}",
        gone.tasks
    );

    // A FormData the portal's schema refuses is not registered; the node says why.
    let broken = PortalOrder {
        document: form_data("1234567892")
            .replace("<tns:currentDate>2026-12-07</tns:currentDate>", ""),
        files: Vec::new(),
        ..order.clone()
    };
    let mid3 = sim.offer("/sim/portal", &broken);
    let refused = until("the broken application refused", || {
        responses_to(&sim, &mid3).into_iter().next()
    });
    assert_eq!(refused.kind, "rejected", "{refused:?}");
    assert!(
        refused.fields.values().any(|v| v.contains("схеме портала")),
        "{refused:?}"
    );

    let st = sim.state();
    drop((head, spec));
    d.stop();
    let node = open_node(dir.path());
    check_ok(&node);
    let inbox = node.exchange_inbox(100).unwrap();
    assert_eq!(
        inbox
            .iter()
            .filter(|e| e.verdict.starts_with("applied: application"))
            .count(),
        2,
        "{inbox:#?}"
    );
    let first_ack = &st.acked[0];
    assert_eq!(
        st.acked.iter().filter(|a| *a == first_ack).count(),
        2,
        "the duplicate delivery was acknowledged and dropped: {st:?}"
    );
}

fn card_user(c: &mut Client, login: &str) -> UserId {
    let users: Vec<UserView> = c.ask(call::Users).unwrap();
    users.into_iter().find(|u| u.login == login).unwrap().id
}

#[test]
fn an_agency_request_is_answered_and_bad_ones_are_refused_with_the_reason() {
    let fx = fixture();
    // Any kind will do for the provider's part: the node's packages are in before the
    // daemon starts, so the agency's request is made on the kind's form as the node has it.
    with_packages(&fx);
    let kind = sending_kind(&fx);
    let request = AgencyRequest {
        files: vec![pdf("attachment1", "", "основание.pdf", b"%PDF-1.4 basis")],
        ..agency_request(&kind, "Росреестр")
    };
    let dir = for_daemon(fx);
    let sim = Sim::start(&dir.path().join("dump"));
    let d = Daemon::start(dir.path(), &smev_config(dir.path(), &sim));
    let mut c = d.login("spec", "password-1");

    let mid = sim.offer("/sim/request", &request);
    let id = until("the request received", || {
        incoming_rows(&mut c).first().map(|r| r.id)
    });
    let (req, history): (IncomingRequest, Vec<HistoryEntry>) =
        c.ask(call::Incoming { id }).unwrap();
    assert_eq!(req.status, InStatus::Received);
    assert_eq!(req.message_id, mid);
    assert!(
        history.iter().any(|h| h.comment.contains("Росреестр")),
        "{history:#?}"
    );
    // The card names the sender and the message it came in.
    let route: Option<RouteView> = c
        .ask(call::Route {
            about: Routed::Incoming(id),
        })
        .unwrap();
    let route = route.unwrap();
    assert_eq!(
        (route.sender.as_str(), route.message_id.as_str()),
        ("Росреестр", mid.as_str())
    );
    let none: Option<RouteView> = c
        .ask(call::Route {
            about: Routed::Application(AppId(1)),
        })
        .unwrap_or(None);
    assert!(none.is_none());
    let files: Vec<Attachment> = c
        .ask(call::Files {
            owner: FileOwner::Incoming(id),
        })
        .unwrap();
    // SMEV's attachment headers carry no file names: the content id and the type make one.
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].name, "attachment1.pdf");

    // Staff answer: it goes back to the agency under a MessageID of its own.
    // The answer is written by the ВС's package (its answer mapping) and valid against
    // the agency's schema: the node writes no element of its own.
    let answer: std::collections::BTreeMap<String, String> = serde_json::from_slice(
        &std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../kinds/sfr_snils/samples/answer_form.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let _: IncomingRequest = c
        .ask(call::AnswerIncoming {
            id,
            answer: answer.clone(),
            pin: None,
            browser: false,
        })
        .unwrap();
    let r = until("the answer sent", || {
        responses_to(&sim, &mid).into_iter().next()
    });
    assert_eq!(r.kind, "primary");
    assert_eq!(r.root, kind.answer_root);
    for (name, want) in [
        ("FamilyName", "Петрова"),
        ("FirstName", "Анна"),
        ("Snils", "11223344595"),
        ("BirthDate", "1980-05-01"),
        ("Gender", "Female"),
    ] {
        assert_eq!(
            r.fields.get(name).map(String::as_str),
            Some(want),
            "{name}: {r:?}"
        );
    }
    let (_, history): (IncomingRequest, Vec<HistoryEntry>) = c.ask(call::Incoming { id }).unwrap();
    until("SMEV's receipt in the history", || {
        let (_, h): (IncomingRequest, Vec<HistoryEntry>) = c.ask(call::Incoming { id }).unwrap();
        h.iter()
            .any(|e| e.what == "СМЭВ приняла ответ")
            .then_some(())
    });
    // Queued as an intent; the worker signs it with ЭП-ОВ when it sends it.
    assert!(
        history.iter().any(|h| h.what == "Ответ в очереди СМЭВ"),
        "{history:#?}"
    );

    // A request of a type nobody here serves, and one whose data its form refuses: nothing
    // is made of them, and each sender learns why.
    let unknown = sim.offer(
        "/sim/request",
        &AgencyRequest {
            namespace: "urn://example/unknown/1.0".into(),
            root: "Request".into(),
            ..Default::default()
        },
    );
    let mut bad = request.clone();
    bad.fields.clear();
    bad.files.clear();
    let invalid = sim.offer("/sim/request", &bad);
    for (m, words) in [(&unknown, "не обслуживается"), (&invalid, "Требуется")]
    {
        let r = until("the refusal sent", || {
            responses_to(&sim, m).into_iter().next()
        });
        assert_eq!(r.kind, "rejected", "{r:?}");
        let why = &r.fields["UNKNOWN_REQUEST_DESCRIPTION"];
        assert!(why.contains(words), "{why}");
    }

    // The sender withdraws the first request: staff see it in the history.
    sim.offer(
        "/sim/cancel",
        &CancelOrder {
            message_id: mid.clone(),
        },
    );
    until("the withdrawal noted", || {
        let (_, h): (IncomingRequest, Vec<HistoryEntry>) = c.ask(call::Incoming { id }).unwrap();
        h.iter()
            .any(|e| e.what == "Отправитель отозвал запрос")
            .then_some(())
    });
    // A request whose SMEV signature fails is neither taken in nor answered.
    sim.faults(&[Injection::on("GetRequest", Fault::BadSignature)]);
    let forged = sim.offer("/sim/request", &request);
    until("the forged request acknowledged as refused", || {
        (!sim.state().rejected_acks.is_empty()).then_some(())
    });
    assert!(responses_to(&sim, &forged).is_empty());

    assert_eq!(
        incoming_rows(&mut c).len(),
        1,
        "only the good request was taken in"
    );
    drop(c);
    d.stop();
    let node = open_node(dir.path());
    check_ok(&node);
    let inbox = node.exchange_inbox(100).unwrap();
    assert_eq!(
        inbox
            .iter()
            .filter(|e| e.verdict.starts_with("kept: refused"))
            .count(),
        2,
        "{inbox:#?}"
    );
    assert!(node.exchange_outbox().unwrap().is_empty());
    assert_eq!(sim.state().refused, Vec::<String>::new());
}
