//! Every operation of the local API tried by every role and by another body's users, through
//! the one dispatch every transport uses (`Api::handle`), with real sessions. The table says
//! which roles get past the rights: a refusal is 403 (no right) or 404 (not theirs to see);
//! anything else — success, or a 409/422 about the object's state or the input — got past
//! them. Another body's users are refused everything that names our objects, and what their
//! lists and cards show holds nothing of ours.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use volost::Actor;
use volost::api::dispatch::{Api, Caller};
use volost::api::session::Sessions;
use volost::api::{Bytes, Call, ListArgs, Request, call};
use volost::config::BackupConfig;
use volost::domain::*;
use volost::service::*;

/// The roles of the starter catalog, by login in the fixture.
const ROLES: [(&str, &str); 5] = [
    ("specialist", "spec"),
    ("head", "head"),
    ("super", "super"),
    ("admin", "admin"),
    ("support", "support"),
];

/// Another body's users: login and role.
const OTHERS: [(&str, &str); 2] = [("admin2", "admin"), ("head2", "head")];

const ALL: &[&str] = &["specialist", "head", "super", "admin", "support"];
const WORKERS: &[&str] = &["specialist", "head", "super"];
const SPEC_SUPER: &[&str] = &["specialist", "super"];
const ADMIN: &[&str] = &["admin"];
const NOBODY: &[&str] = &[];

/// Words only our body's data holds: another body must never see them.
const OURS: [&str; 3] = [
    "Администрация Тестового сельсовета",
    "Семёнов Пётр Ильич",
    "Иванова Марина Сергеевна",
];

struct Ids {
    svc: ServiceId,
    kind: KindId,
    app: AppId,
    number: String,
    applicant: ApplicantId,
    process: ProcessId,
    task: TaskId,
    out: OutReqId,
    inc: InReqId,
    reg: RegReqId,
    file: FileId,
    clerk: UserId,
    group: GroupId,
}

struct World {
    _dir: tempfile::TempDir,
    api: Api,
    tokens: BTreeMap<&'static str, String>,
    ids: Ids,
}

fn world() -> World {
    let fx = fixture();
    let node = &fx.node;
    let svc = service(&fx);
    let kind = node
        .request_kinds(fx.spec)
        .unwrap()
        .into_iter()
        .find(|k| !k.sign_personal)
        .unwrap();
    let app = draft(&fx, fx.spec);
    let process = node.launch_service(fx.spec, svc.id, None).unwrap();
    let out = node
        .create_outgoing(fx.spec, kind.id, None, &values(&kind.fields))
        .unwrap();
    let inc = node
        .receive_incoming(
            Actor::System(fx.org),
            &IncomingInput {
                kind: kind.id,
                consumer_number: "МВ-1".into(),
                message_id: "0a1b2c3d-0000-11ef-8000-000000000001".into(),
                data: values(&kind.fields),
                planned_days: 5,
            },
        )
        .unwrap();
    let file = node
        .add_file(
            fx.spec,
            Some(FileOwner::Application(app.id)),
            "заявление.pdf",
            b"%PDF-1.4 test",
        )
        .unwrap();
    let clerk = add(
        node,
        fx.admin,
        "clerk",
        "Клерк Тестовый",
        "specialist",
        fx.group,
    );

    // Another body on the node, and a third that our specialist asks for Р-сведения.
    let org2 = node
        .add_org(fx.admin, &org("Администрация Соседнего сельсовета"))
        .unwrap();
    let sys2 = Actor::System(org2);
    let g2 = node.groups(sys2).unwrap()[0].id;
    let admin2 = add(node, sys2, "admin2", "Админ Второй", "admin", g2);
    add(node, admin2, "head2", "Руководитель Второй", "head", g2);
    let org3 = node
        .add_org(fx.admin, &org("Администрация района"))
        .unwrap();
    let reg = node
        .create_regional(
            fx.spec,
            &RegionalInput {
                provider_org: Some(org3),
                subject: "Сведения о составе семьи".into(),
                ..Default::default()
            },
        )
        .unwrap();

    let ids = Ids {
        svc: svc.id,
        kind: kind.id,
        app: app.id,
        number: app.number.clone(),
        applicant: app.applicant,
        process: process.id,
        task: process.tasks[0],
        out: out.id,
        inc: inc.id,
        reg: reg.id,
        file: file.id,
        clerk: uid(clerk),
        group: fx.group,
    };
    with_paper(&fx);
    let Fx { dir, node, .. } = fx;
    let api = Api::new(
        Arc::new(node),
        Sessions::new(Duration::from_secs(3600)),
        BackupConfig {
            dir: dir.path().join("backups"),
            ..BackupConfig::default()
        },
    );
    let mut tokens = BTreeMap::new();
    for login in ROLES.iter().map(|r| r.1).chain(OTHERS.iter().map(|o| o.0)) {
        let v = api
            .handle(
                Request {
                    token: None,
                    call: call::Login {
                        login: login.into(),
                        password: "password-1".into(),
                    }
                    .into(),
                },
                &Caller::default(),
            )
            .unwrap();
        tokens.insert(login, v["token"].as_str().unwrap().to_string());
    }
    World {
        _dir: dir,
        api,
        tokens,
        ids,
    }
}

struct Probe {
    name: &'static str,
    call: fn(&Ids) -> Call,
    /// The roles of our body that get past the rights.
    pass: &'static [&'static str],
    /// Names one of our objects: another body is refused it whatever its role.
    ours: bool,
    /// Changes what later tries would meet (a deletion, a logout): each try on a new node.
    fresh: bool,
    /// What the user does first on that node (claims the task before completing it).
    prep: Option<fn(&World, &str)>,
}

fn probe(
    name: &'static str,
    pass: &'static [&'static str],
    ours: bool,
    call: fn(&Ids) -> Call,
) -> Probe {
    Probe {
        name,
        call,
        pass,
        ours,
        fresh: false,
        prep: None,
    }
}

fn fresh(p: Probe) -> Probe {
    Probe { fresh: true, ..p }
}

/// On a new node, after `prep` by the same user.
fn after(prep: fn(&World, &str), p: Probe) -> Probe {
    Probe {
        fresh: true,
        prep: Some(prep),
        ..p
    }
}

/// The user claims the task first (where the rights let them).
fn claim_task(w: &World, login: &str) {
    let _ = attempt(
        w,
        login,
        call::Claim {
            id: w.ids.task,
            take_over: false,
        }
        .into(),
    );
}

fn claim_incoming(w: &World, login: &str) {
    let _ = attempt(
        w,
        login,
        call::ClaimIncoming {
            id: w.ids.inc,
            take_over: false,
        }
        .into(),
    );
}

fn date(d: &str) -> time::Date {
    time::Date::parse(d, &time::format_description::well_known::Iso8601::DATE).unwrap()
}

fn list<F: Default>() -> ListArgs<F> {
    ListArgs {
        filter: F::default(),
        sort: ReqCol::Created,
        desc: false,
        after: None,
        limit: 50,
    }
}

fn starter() -> volost::catalog::Starter {
    volost::catalog::Starter::builtin().unwrap()
}

fn probes() -> Vec<Probe> {
    vec![
        // Sessions.
        probe("whoami", ALL, false, |_| call::Whoami.into()),
        probe("changes", ALL, false, |_| call::Changes.into()),
        probe("pulse", ALL, false, |_| call::Pulse.into()),
        fresh(probe("change_password", ALL, false, |_| {
            call::ChangePassword {
                old: "password-1".into(),
                new: "другой-пароль-2".into(),
            }
            .into()
        })),
        fresh(probe("logout", ALL, false, |_| call::Logout.into())),
        // Tasks and processes.
        probe("queue", ALL, false, |_| {
            call::Queue(TaskQuery::new(Queue::Group)).into()
        }),
        probe("task", ALL, true, |i| call::Task { id: i.task }.into()),
        // The first step of the service is a specialist's: the head does not take it.
        fresh(probe("claim", SPEC_SUPER, true, |i| {
            call::Claim {
                id: i.task,
                take_over: false,
            }
            .into()
        })),
        after(
            claim_task,
            probe("return_to_group", SPEC_SUPER, true, |i| {
                call::ReturnToGroup { id: i.task }.into()
            }),
        ),
        fresh(probe("set_due", &["head", "super"], true, |i| {
            call::SetDue {
                id: i.task,
                due: date("2026-12-30"),
            }
            .into()
        })),
        after(
            claim_task,
            probe("complete", SPEC_SUPER, true, |i| {
                call::Complete {
                    id: i.task,
                    finish: false,
                    comment: String::new(),
                }
                .into()
            }),
        ),
        probe("launch_service", WORKERS, true, |i| {
            call::LaunchService {
                service: i.svc,
                dept: None,
            }
            .into()
        }),
        probe("process_map", ALL, true, |i| {
            call::ProcessMap { process: i.process }.into()
        }),
        probe("process_tasks", ALL, true, |i| {
            call::ProcessTasks { process: i.process }.into()
        }),
        probe("archive", ALL, false, |_| {
            call::Archive(ArchiveQuery {
                filter: ArchiveFilter::default(),
                after: None,
                limit: 50,
            })
            .into()
        }),
        probe("archive_process", NOBODY, true, |i| {
            call::ArchiveProcess { process: i.process }.into()
        }),
        probe("report", &["head", "admin", "support"], false, |_| {
            call::Report(ReportQuery {
                from: date("2026-01-01"),
                to: date("2026-12-31"),
                dept: None,
            })
            .into()
        }),
        probe("export", &["head", "admin", "support"], false, |_| {
            call::Export {
                what: Exported::Report(ReportQuery {
                    from: date("2026-01-01"),
                    to: date("2026-12-31"),
                    dept: None,
                }),
                format: volost::export::FileFormat::Xlsx,
            }
            .into()
        }),
        // Applications and applicants.
        probe("applications", ALL, false, |_| {
            call::Applications(AppQuery::default()).into()
        }),
        // A specialist sees the applications they made or were given; super-rights, the
        // head and monitoring see all.
        probe("application", ALL, true, |i| {
            call::Application { id: i.app }.into()
        }),
        probe("application_by_number", ALL, true, |i| {
            call::ApplicationByNumber {
                number: i.number.clone(),
            }
            .into()
        }),
        probe("create_application", WORKERS, true, |i| {
            call::CreateApplication(NewApplication {
                service: i.svc,
                dept: None,
                applicant: ApplicantRef::Existing(i.applicant),
                data: BTreeMap::new(),
                source: Source::Manual,
            })
            .into()
        }),
        probe("update_draft", WORKERS, true, |i| {
            call::UpdateDraft {
                id: i.app,
                data: BTreeMap::new(),
            }
            .into()
        }),
        fresh(probe("act", WORKERS, true, |i| {
            call::Act {
                id: i.app,
                input: ActionInput::new(Action::Register),
            }
            .into()
        })),
        probe("set_inventory", WORKERS, true, |i| {
            call::SetInventory {
                id: i.app,
                items: vec![Received {
                    name: "Заявление".into(),
                    original: true,
                    copies: 1,
                    sheets: 1,
                }],
            }
            .into()
        }),
        // The application is a draft: the desk is told the result is not approved yet.
        probe(
            "print_journal",
            &["head", "super", "admin", "support"],
            false,
            |_| {
                call::PrintJournal {
                    from: date("2026-11-01"),
                    to: date("2026-11-30"),
                }
                .into()
            },
        ),
        probe("doc_template", ADMIN, false, |_| {
            call::DocTemplate {
                kind: DocumentKind::Receipt,
            }
            .into()
        }),
        // An empty text is refused as not rendering; another body's admin changes only its
        // own body's template.
        probe("set_doc_template", ADMIN, false, |_| {
            call::SetDocTemplate {
                kind: DocumentKind::Receipt,
                text: Some("#let d = json(\"data.json\")\n= Расписка № #d.number\n".into()),
            }
            .into()
        }),
        probe("print_request", WORKERS, true, |i| {
            call::PrintRequest { id: i.out }.into()
        }),
        probe("preview_doc_template", ADMIN, false, |_| {
            call::PreviewDocTemplate {
                kind: DocumentKind::Receipt,
                text: "#let d = json(\"data.json\")\n= Расписка № #d.number\n".into(),
            }
            .into()
        }),
        probe("hand_over", WORKERS, true, |i| {
            call::HandOver {
                id: i.app,
                on: date("2026-11-23"),
            }
            .into()
        }),
        // The application is a draft: the desk may refuse what was brought for it (again).
        probe("refuse_intake", WORKERS, true, |i| {
            call::RefuseIntake {
                id: i.app,
                reasons: "Не представлен документ, удостоверяющий личность".into(),
            }
            .into()
        }),
        // The application is a draft: those who decide or approve are told a result document
        // comes with its examination.
        probe("print_result", WORKERS, true, |i| {
            call::PrintResult {
                id: i.app,
                result: 1,
                kind: None,
                text: "Справка выдана".into(),
            }
            .into()
        }),
        // The application is a draft: whoever sees it is told a receipt comes after its
        // registration.
        probe("print", ALL, true, |i| {
            call::Print {
                id: i.app,
                kind: DocumentKind::Receipt,
            }
            .into()
        }),
        probe("create_applicant", WORKERS, false, |_| {
            call::CreateApplicant(person("Новиков Олег", "112-233-445 95")).into()
        }),
        probe("find_applicants", ALL, false, |_| {
            call::FindApplicants {
                query: ApplicantQuery::Snils("112-233-445 95".into()),
                limit: 10,
            }
            .into()
        }),
        probe("applicant", ALL, true, |i| {
            call::Applicant { id: i.applicant }.into()
        }),
        // Interagency requests.
        probe("create_outgoing", WORKERS, true, |i| {
            call::CreateOutgoing {
                kind: i.kind,
                application: None,
                data: BTreeMap::new(),
            }
            .into()
        }),
        // Interagency requests are for those with the right to them, not monitoring.
        probe("outgoing", WORKERS, true, |i| {
            call::Outgoing { id: i.out }.into()
        }),
        probe("outgoing_answer", WORKERS, true, |i| {
            call::OutgoingAnswer { id: i.out }.into()
        }),
        // No SMEV on this node: refused to everyone, with the reason.
        fresh(probe("submit_outgoing", NOBODY, true, |i| {
            call::SubmitOutgoing {
                id: i.out,
                pin: None,
                browser: false,
            }
            .into()
        })),
        // No web page on this node: no signing desk, refused to everyone (its own rules —
        // one's own signature only — are tests/token_signing.rs's and the desk's).
        probe("signing_pending", NOBODY, false, |_| {
            call::SigningPending::default().into()
        }),
        probe("signing_done", NOBODY, false, |_| {
            call::SigningDone {
                id: "x".into(),
                certificate: String::new(),
                signature: String::new(),
            }
            .into()
        }),
        probe("signing_declined", NOBODY, false, |_| {
            call::SigningDeclined { id: "x".into() }.into()
        }),
        probe("reopen_outgoing", WORKERS, true, |i| {
            call::ReopenOutgoing { id: i.out }.into()
        }),
        probe("outgoing_list", WORKERS, false, |_| {
            call::OutgoingList(list()).into()
        }),
        probe("incoming_list", WORKERS, false, |_| {
            call::IncomingList(list()).into()
        }),
        probe("regional_list", WORKERS, false, |_| {
            call::RegionalList(list()).into()
        }),
        probe("incoming", WORKERS, true, |i| {
            call::Incoming { id: i.inc }.into()
        }),
        probe("route", WORKERS, true, |i| {
            call::Route {
                about: Routed::Incoming(i.inc),
            }
            .into()
        }),
        fresh(probe("answer_incoming", WORKERS, true, |i| {
            call::AnswerIncoming {
                id: i.inc,
                answer: BTreeMap::new(),
                pin: None,
                browser: false,
            }
            .into()
        })),
        fresh(probe("claim_incoming", WORKERS, true, |i| {
            call::ClaimIncoming {
                id: i.inc,
                take_over: false,
            }
            .into()
        })),
        // «Вернуть» gives it back to its previous executor; a request just claimed from the
        // group has none, whoever asks.
        after(
            claim_incoming,
            probe("return_incoming", NOBODY, true, |i| {
                call::ReturnIncoming { id: i.inc }.into()
            }),
        ),
        probe("comment_incoming", WORKERS, true, |i| {
            call::CommentIncoming {
                id: i.inc,
                comment: "Уточнить адрес".into(),
            }
            .into()
        }),
        probe("create_regional", WORKERS, false, |_| {
            call::CreateRegional(RegionalInput {
                subject: "Сведения".into(),
                ..Default::default()
            })
            .into()
        }),
        // Its provider is a body on this node: nothing goes over РСМЭВ.
        fresh(probe("send_regional", NOBODY, true, |i| {
            call::SendRegional {
                id: i.reg,
                pin: None,
                browser: false,
            }
            .into()
        })),
        // The provider completes it, not the body that asked.
        fresh(probe("complete_regional", NOBODY, true, |i| {
            call::CompleteRegional {
                id: i.reg,
                answer: "Сведения представлены".into(),
            }
            .into()
        })),
        probe("regional", WORKERS, true, |i| {
            call::Regional { id: i.reg }.into()
        }),
        // Files.
        probe("add_file", WORKERS, true, |i| {
            call::AddFile {
                owner: Some(FileOwner::Application(i.app)),
                name: "справка.pdf".into(),
                data: Bytes(b"%PDF-1.4".to_vec()),
            }
            .into()
        }),
        probe("files", ALL, true, |i| {
            call::Files {
                owner: FileOwner::Application(i.app),
            }
            .into()
        }),
        probe("file", ALL, true, |i| call::File { id: i.file }.into()),
        // Whoever added it, the head, or super-rights.
        fresh(probe("remove_file", WORKERS, true, |i| {
            call::RemoveFile { id: i.file }.into()
        })),
        // Catalog.
        probe("services", ALL, false, |_| {
            call::Services { all: true }.into()
        }),
        probe("service", ALL, true, |i| call::Service { id: i.svc }.into()),
        probe("request_kinds", ALL, false, |_| call::RequestKinds.into()),
        probe("add_service", ADMIN, false, |_| {
            let mut s = starter().services.remove(0);
            s.code = "9900000000000000001".into();
            call::AddService(s).into()
        }),
        probe("set_service_active", ADMIN, true, |i| {
            call::SetServiceActive {
                id: i.svc,
                active: true,
            }
            .into()
        }),
        probe("set_passport", ADMIN, true, |i| {
            call::SetPassport {
                id: i.svc,
                passport: ServicePassport::default(),
            }
            .into()
        }),
        probe("update_service", ADMIN, true, |i| {
            call::UpdateService {
                id: i.svc,
                spec: starter().services.remove(0),
            }
            .into()
        }),
        probe("update_request_kind", ADMIN, true, |i| {
            call::UpdateRequestKind {
                id: i.kind,
                spec: starter().kinds.remove(0),
            }
            .into()
        }),
        // Administration.
        probe("org", ALL, false, |_| call::Org.into()),
        probe("set_org_details", ADMIN, false, |_| {
            call::SetOrgDetails(volost::api::view::OrgDetails {
                inn: FIXTURE_INN.into(),
                ..Default::default()
            })
            .into()
        }),
        probe("bodies", WORKERS, false, |_| call::Bodies.into()),
        probe("regional_bodies", WORKERS, false, |_| {
            call::RegionalBodies.into()
        }),
        probe("departments", ALL, false, |_| call::Departments.into()),
        probe("add_department", ADMIN, false, |_| {
            call::AddDepartment {
                name: "Отдел".into(),
                parent: None,
            }
            .into()
        }),
        probe("groups", ALL, false, |_| call::Groups.into()),
        probe("add_group", ADMIN, false, |_| {
            call::AddGroup {
                name: "Группа".into(),
            }
            .into()
        }),
        probe("roles", ALL, false, |_| call::Roles.into()),
        probe("calendar", ALL, false, |_| call::Calendar.into()),
        probe("set_calendar_day", ADMIN, false, |_| {
            call::SetCalendarDay {
                date: date("2026-12-30"),
                off: true,
            }
            .into()
        }),
        // The node's packages are the node's; only an administrator imports one (an empty
        // package is refused after the right is checked).
        probe("kind_packages", ALL, false, |_| call::KindPackages.into()),
        probe("import_kind", ADMIN, false, |_| {
            call::ImportKind { files: Vec::new() }.into()
        }),
        probe("import_calendar", ADMIN, false, |_| {
            call::ImportCalendar {
                name: "decrees.toml".into(),
                data: volost::api::Bytes(
                    b"[[year]]\nyear = 2027\ndecree = \"test\"\ntransfers = []\n".to_vec(),
                ),
            }
            .into()
        }),
        // Staff pick executors from their body's users.
        probe("users", ALL, false, |_| call::Users.into()),
        probe("add_user", ADMIN, false, |i| {
            call::AddUser(NewUser {
                login: "newclerk".into(),
                full_name: "Новый Клерк".into(),
                dept: None,
                roles: vec!["specialist".into()],
                groups: vec![i.group],
            })
            .into()
        }),
        probe("reset_password", ADMIN, true, |_| {
            call::ResetPassword {
                login: "clerk".into(),
            }
            .into()
        }),
        probe("set_user_active", ADMIN, true, |i| {
            call::SetUserActive {
                user: i.clerk,
                active: true,
            }
            .into()
        }),
        probe("set_user_contacts", ADMIN, true, |i| {
            call::SetUserContacts {
                user: i.clerk,
                position: "Специалист 1 категории".into(),
                phone: "(38535) 2-12-34".into(),
            }
            .into()
        }),
        probe("set_user_roles", ADMIN, true, |i| {
            call::SetUserRoles {
                user: i.clerk,
                roles: vec!["specialist".into()],
                groups: vec![i.group],
            }
            .into()
        }),
        probe("audit_tail", &["head", "admin", "support"], false, |_| {
            call::AuditTail { n: 20 }.into()
        }),
        // The operator's: no staff session reaches them.
        probe("backup", NOBODY, false, |_| call::Backup.into()),
        probe("setup_info", NOBODY, false, |_| call::SetupInfo.into()),
        probe("unreadable", NOBODY, false, |_| {
            call::Unreadable { n: 10 }.into()
        }),
        probe("operator_passwd", NOBODY, false, |_| {
            call::OperatorPasswd {
                login: "admin".into(),
            }
            .into()
        }),
        probe("unreadable_bytes", NOBODY, false, |_| {
            call::UnreadableBytes { id: 1 }.into()
        }),
        probe("setup", NOBODY, false, |_| {
            call::Setup(NodeSetup {
                org: org("Захват"),
                admin_login: "root2".into(),
                admin_password: "очень-длинный-пароль".into(),
            })
            .into()
        }),
        // Counts only, for support over SSH.
        probe("check", ALL, false, |_| call::Check.into()),
        probe("request_setup", ADMIN, false, |_| call::RequestSetup.into()),
        // No key on this node to sign or check a registry with: refused, with the reason.
        probe("registry_export", NOBODY, false, |_| {
            call::RegistryExport.into()
        }),
        probe("registry_import", NOBODY, false, |_| {
            call::RegistryImport {
                text: "не реестр".into(),
            }
            .into()
        }),
    ]
}

#[derive(Debug, PartialEq)]
enum Seen {
    Passed,
    Refused,
}

/// One try: whether the rights let `login` through, and the reply when it succeeded.
fn attempt(w: &World, login: &str, call: Call) -> (Seen, Option<String>, String) {
    let r = w.api.handle(
        Request {
            token: Some(w.tokens[login].clone()),
            call,
        },
        &Caller::default(),
    );
    match r {
        Ok(v) => (Seen::Passed, Some(v.to_string()), "ok".into()),
        Err(e) => {
            assert!(
                e.status != 401 && e.status < 500,
                "{login}: {} {} {}",
                e.status,
                e.code,
                e.message
            );
            let seen = if matches!(e.status, 403 | 404) {
                Seen::Refused
            } else {
                Seen::Passed
            };
            (
                seen,
                None,
                format!("{} {}: {}", e.status, e.code, e.message),
            )
        }
    }
}

#[test]
fn every_operation_by_every_role_and_by_another_body() {
    let probes = probes();
    let shared = world();
    let mut wrong = Vec::new();
    let mut tries = 0;
    let mut table = String::new();
    for p in &probes {
        let mut row = format!("{:<24}", p.name);
        let everyone = ROLES
            .iter()
            .map(|(role, login)| (*login, *role, false))
            .chain(OTHERS.iter().map(|(login, role)| (*login, *role, true)));
        for (login, role, other) in everyone {
            let own;
            let w = if p.fresh {
                own = world();
                &own
            } else {
                &shared
            };
            if let Some(prep) = p.prep {
                prep(w, login);
            }
            let (seen, reply, what) = attempt(w, login, (p.call)(&w.ids));
            tries += 1;
            let want = if other && p.ours {
                Seen::Refused
            } else if p.pass.contains(&role) {
                Seen::Passed
            } else {
                Seen::Refused
            };
            row.push_str(&format!(
                " {login}:{}",
                if seen == Seen::Passed { "+" } else { "-" }
            ));
            if seen != want {
                wrong.push(format!(
                    "{} by {login} ({role}{}): {seen:?} ({what}), expected {want:?}",
                    p.name,
                    if other { ", another body" } else { "" }
                ));
            }
            if other
                && let Some(reply) = reply
                && p.name != "bodies"
                && p.name != "check"
            {
                for word in OURS {
                    assert!(
                        !reply.contains(word),
                        "{} by {login} of another body shows «{word}»: {reply}",
                        p.name
                    );
                }
            }
        }
        table.push_str(&row);
        table.push('\n');
    }
    println!("{table}");
    assert!(
        wrong.is_empty(),
        "{} mismatches:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    println!(
        "rights: {} operations × {} users ({} roles of ours, {} of another body): {tries} tries, \
         each as the table says",
        probes.len(),
        ROLES.len() + OTHERS.len(),
        ROLES.len(),
        OTHERS.len()
    );
}

/// So that the table cannot fall behind the API: a new `Call` variant must be added to it.
#[test]
fn the_table_names_every_operation() {
    let named: Vec<&str> = probes().iter().map(|p| p.name).collect();
    for op in Call::OPS {
        assert!(
            named.contains(op) || *op == "login",
            "operation {op} is not in the rights table"
        );
    }
}
