//! A node on a temporary directory with one staff member per role, for integration tests.
#![allow(dead_code, clippy::unwrap_used)]

pub mod chromium;
pub mod daemon;
pub mod personal;
pub mod sim;
pub mod tmux;
pub mod web;

use std::collections::BTreeMap;
use std::sync::Arc;
use volost::clock::FixedClock;
use volost::domain::*;
use volost::service::*;
use volost::{Actor, Node, Options};

pub struct Fx {
    pub dir: tempfile::TempDir,
    pub node: Node,
    pub clock: Arc<FixedClock>,
    pub org: OrgId,
    pub admin: Actor,
    pub spec: Actor,
    pub spec2: Actor,
    pub head: Actor,
    pub sup: Actor,
    pub support: Actor,
    pub group: GroupId,
}

/// Monday 23 November 2026, 10:00 at +07:00.
pub fn monday() -> Ts {
    Ts(1_795_402_800_000)
}

pub fn org(name: &str) -> NewOrg {
    NewOrg {
        name: name.into(),
        short_name: String::new(),
        oktmo: String::new(),
        ogrn: String::new(),
        inn: String::new(),
        ..Default::default()
    }
}

/// Setup answers the form accepts, for a test to set its own on.
pub fn setup_answers() -> volost::setup::Answers {
    volost::setup::Answers {
        org: org("Администрация сельсовета"),
        admin_password: "berezovka-2026".into(),
        time_zone: "Europe/Moscow".into(),
        ..Default::default()
    }
}

pub fn add(
    node: &Node,
    admin: Actor,
    login: &str,
    name: &str,
    role: &str,
    group: GroupId,
) -> Actor {
    let (u, _) = node
        .add_user(
            admin,
            &NewUser {
                login: login.into(),
                full_name: name.into(),
                dept: None,
                roles: vec![role.into()],
                groups: vec![group],
            },
        )
        .unwrap();
    node.set_demo_password(admin, u.id, "password-1").unwrap();
    Actor::User(u.id)
}

/// ИНН of the fixture's body: what the regional exchange addresses it by.
pub const FIXTURE_INN: &str = "2234000017";

pub fn fixture() -> Fx {
    fixture_with(Options::for_tests())
}

pub fn fixture_with(opts: Options) -> Fx {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(monday()));
    let r = Node::init(
        dir.path(),
        &NewOrg {
            inn: FIXTURE_INN.into(),
            oktmo: "01612420".into(),
            ogrn: "1022200000019".into(),
            kpp: "223401001".into(),
            registered: Some(time::macros::date!(2002 - 11 - 20)),
            ..org("Администрация Тестового сельсовета")
        },
        "admin",
        clock.clone(),
        opts,
    )
    .unwrap();
    let node = r.node;
    let sys = Actor::System(r.org);
    let group = node.groups(sys).unwrap()[0].id;
    let admin = Actor::User(r.admin.id);
    node.set_demo_password(sys, r.admin.id, "password-1")
        .unwrap();
    let spec = add(
        &node,
        admin,
        "spec",
        "Иванова Марина Сергеевна",
        "specialist",
        group,
    );
    let spec2 = add(
        &node,
        admin,
        "spec2",
        "Петров Алексей Николаевич",
        "specialist",
        group,
    );
    let head = add(
        &node,
        admin,
        "head",
        "Соколова Татьяна Ивановна",
        "head",
        group,
    );
    let sup = add(
        &node,
        admin,
        "super",
        "Кузнецов Игорь Петрович",
        "super",
        group,
    );
    let support = add(
        &node,
        admin,
        "support",
        "Орлов Денис Андреевич",
        "support",
        group,
    );
    Fx {
        dir,
        node,
        clock,
        org: r.org,
        admin,
        spec,
        spec2,
        head,
        sup,
        support,
        group,
    }
}

pub fn uid(a: Actor) -> UserId {
    match a {
        Actor::User(u) => u,
        Actor::System(_) => panic!("not a user"),
    }
}

/// The first starter service whose form has no file fields: «выдача выписки из похозяйственной книги» or the like.
pub fn service(fx: &Fx) -> Service {
    fx.node
        .services(fx.admin, false)
        .unwrap()
        .into_iter()
        .next()
        .unwrap()
}

/// A value that passes the validator of field `f`.
pub fn value(f: &Field) -> String {
    volost::demo::sample_value(f)
}

/// Form values that pass validation for `fields`.
pub fn values(fields: &[Field]) -> BTreeMap<String, String> {
    fields.iter().map(|f| (f.key.clone(), value(f))).collect()
}

/// Form values that pass validation for `svc`.
pub fn form(svc: &Service) -> BTreeMap<String, String> {
    values(&svc.fields)
}

pub fn person(name: &str, snils: &str) -> ApplicantInput {
    ApplicantInput {
        kind: Some(ApplicantKind::Person),
        name: name.into(),
        snils: snils.into(),
        ..Default::default()
    }
}

/// A draft created by `who`.
pub fn draft(fx: &Fx, who: Actor) -> Application {
    let svc = service(fx);
    fx.node
        .create_application(
            who,
            &NewApplication {
                service: svc.id,
                dept: None,
                applicant: ApplicantRef::New(person("Семёнов Пётр Ильич", "112-233-445 95")),
                data: form(&svc),
                source: Source::Manual,
            },
        )
        .unwrap()
}

/// [`draft`], registered by `who` (who becomes its executor).
pub fn registered(fx: &Fx, who: Actor) -> Application {
    let app = draft(fx, who);
    fx.node
        .act(who, app.id, &ActionInput::new(Action::Register))
        .unwrap()
}

/// The node prints with the fonts the package depends on (fonts-paratype), as the daemon
/// does with the default configuration.
pub fn with_paper(fx: &Fx) {
    volost::daemon::paper::start(&fx.node, &volost::config::DocumentsConfig::default());
}

/// The text of a PDF as poppler's `pdftotext` reads it, in the order it is set, with runs of
/// white space made one space (the tests need `poppler-utils`).
pub fn pdf_text(pdf: &[u8]) -> String {
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(f.path(), pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-raw", f.path().to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(out.status.success(), "pdftotext refused the PDF");
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The binary on the stopped node of `dir` (its database, no daemon's socket): runs the
/// arguments with `--config` and gives whether it succeeded and what it printed.
pub fn cli_on(dir: &std::path::Path) -> impl Fn(&[&str]) -> (bool, String) {
    let cfg = dir.join("v.toml");
    std::fs::write(
        &cfg,
        format!(
            "[node]\ndata_dir = \"{d}\"\n[local_api]\nsocket = \"{d}/none.sock\"\ngroup = \"\"\n",
            d = dir.display()
        ),
    )
    .unwrap();
    move |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_volost"))
            .args(args)
            .args(["--config", cfg.to_str().unwrap()])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        (out.status.success(), text)
    }
}

pub fn check_ok(node: &Node) {
    let rep = node.check().unwrap();
    assert!(rep.ok(), "check failed: {:?}", rep.problems);
}

/// The starter catalog's packages imported into the fixture's node, as the daemon does at
/// its start: the kinds of those codes take the packages' forms.
pub fn with_packages(fx: &Fx) {
    let kinds = volost::daemon::kinds::open(fx.dir.path()).unwrap();
    volost::daemon::kinds::start(&fx.node, Arc::new(kinds));
}

/// The kind a test sends when any kind will do: СФР's СНИЛС by the person's details, whose
/// package maps its whole form (the fixture's node has its packages: [`with_packages`]).
pub fn sending_kind(fx: &Fx) -> RequestKind {
    fx.node
        .request_kinds(fx.spec)
        .unwrap()
        .into_iter()
        .find(|k| k.code == "sfr_snils")
        .unwrap()
}

/// A package of `tests/data/kinds/NAME` imported into the fixture's node (which gets the
/// starter catalog's first, as the daemon would); its kind.
pub fn test_kind(fx: &Fx, name: &str) -> RequestKind {
    with_packages(fx);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/kinds")
        .join(name);
    let files = volost::smev::kinds::loaded::read_dir(&dir).unwrap();
    let done = fx.node.import_kind(fx.admin, &files).unwrap();
    fx.node
        .request_kinds(fx.spec)
        .unwrap()
        .into_iter()
        .find(|k| k.code == done.info.code)
        .unwrap()
}
