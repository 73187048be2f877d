//! Editing the catalog: a service's passport (реестр услуг), a service's whole template and a
//! request kind's, with the rules that keep running work and other bodies safe.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use volost::catalog::{KindSpec, ServiceSpec};
use volost::domain::*;
use volost::service::Error;

fn roles(fx: &Fx) -> Vec<Role> {
    fx.node.roles(fx.admin).unwrap()
}

fn field_of(e: &Error) -> Option<&str> {
    match e {
        Error::Invalid(errs) => errs.first().map(|f| f.field.as_str()),
        _ => None,
    }
}

#[test]
fn an_administrator_edits_a_passport_and_bad_values_change_nothing() {
    let fx = fixture();
    let svc = service(&fx);
    let mut p = svc.passport();
    p.regulation = "Постановление администрации от 01.02.2024 № 5".into();
    p.places = vec!["  Администрация сельсовета, каб. 2 ".into(), " ".into()];
    p.deadline_days = 7;
    fx.node.set_passport(fx.admin, svc.id, &p).unwrap();
    let got = fx.node.service(fx.spec, svc.id).unwrap();
    assert_eq!(got.regulation, p.regulation);
    // Items are trimmed and empty ones dropped; the regulation's steps and form stay.
    assert_eq!(
        got.places,
        vec!["Администрация сельсовета, каб. 2".to_string()]
    );
    assert_eq!(got.deadline_days, 7);
    assert_eq!(
        (got.steps, got.fields),
        (svc.steps.clone(), svc.fields.clone())
    );

    // A specialist may read the registry but not change it.
    assert!(matches!(
        fx.node.set_passport(fx.spec, svc.id, &p).unwrap_err(),
        Error::Forbidden {
            right: Right::Administer,
            ..
        }
    ));

    let before = fx.node.service(fx.admin, svc.id).unwrap();
    let bad = [
        (
            ServicePassport {
                code: " ".into(),
                ..p.clone()
            },
            "code",
        ),
        (
            ServicePassport {
                code: "12 34".into(),
                ..p.clone()
            },
            "code",
        ),
        (
            ServicePassport {
                name: String::new(),
                ..p.clone()
            },
            "name",
        ),
        (
            ServicePassport {
                deadline_days: 0,
                ..p.clone()
            },
            "deadline_days",
        ),
        (
            ServicePassport {
                deadline_days: 366,
                ..p.clone()
            },
            "deadline_days",
        ),
        (
            ServicePassport {
                fee: "x".repeat(1001),
                ..p.clone()
            },
            "fee",
        ),
        (
            ServicePassport {
                documents: vec!["Паспорт".into(); 51],
                ..p.clone()
            },
            "documents",
        ),
    ];
    for (passport, field) in bad {
        let e = fx
            .node
            .set_passport(fx.admin, svc.id, &passport)
            .unwrap_err();
        assert_eq!(field_of(&e), Some(field), "{passport:?}");
    }
    // Another service's code is refused.
    let other = fx.node.services(fx.admin, true).unwrap()[1].clone();
    let taken = ServicePassport {
        code: other.code.clone(),
        ..p.clone()
    };
    assert!(matches!(
        fx.node.set_passport(fx.admin, svc.id, &taken).unwrap_err(),
        Error::Conflict(_)
    ));
    assert_eq!(fx.node.service(fx.admin, svc.id).unwrap(), before);
}

#[test]
fn a_template_keeps_running_processes_on_their_steps() {
    let fx = fixture();
    let svc = service(&fx);
    let roles = roles(&fx);
    let mut spec = ServiceSpec::of(&svc, &roles);
    assert_eq!(spec.to_service(svc.id, svc.org, &roles), svc);

    // A new form field and a longer step are fine at any time.
    spec.fields.push(Field {
        key: "komment".into(),
        label: "Комментарий заявителя".into(),
        ftype: FieldType::Text,
        required: false,
        choices: Vec::new(),
        max_len: Some(200),
        min: None,
        max: None,
        hint: None,
    });
    spec.steps[0].days += 1;
    let p = fx.node.launch_service(fx.spec, svc.id, None).unwrap();
    fx.node.update_service(fx.admin, svc.id, &spec).unwrap();
    let got = fx.node.service(fx.spec, svc.id).unwrap();
    assert_eq!(got.fields.last().map(|f| f.key.as_str()), Some("komment"));
    assert_eq!(got.steps[0].days, svc.steps[0].days + 1);

    // A step added while the process runs would move it: refused, nothing changed.
    let mut reshaped = spec.clone();
    reshaped.steps.insert(
        0,
        volost::catalog::StepSpec {
            name: "Проверка комплектности".into(),
            roles: vec!["specialist".into()],
            days: 1,
        },
    );
    assert!(matches!(
        fx.node.update_service(fx.admin, svc.id, &reshaped).unwrap_err(),
        Error::Conflict(m) if m.contains("(1)")
    ));
    assert_eq!(fx.node.service(fx.admin, svc.id).unwrap(), got);

    // Once the process is finished the regulation may be reshaped.
    let task = p.tasks[0];
    fx.node.claim(fx.spec, task, false).unwrap();
    fx.node.complete(fx.spec, task, true, "").unwrap();
    fx.node.update_service(fx.admin, svc.id, &reshaped).unwrap();
    let got = fx.node.service(fx.admin, svc.id).unwrap();
    assert_eq!(got.steps.len(), svc.steps.len() + 1);

    // A template with an unknown role or a bad field is refused.
    let mut bad = reshaped.clone();
    bad.steps[0].roles = vec!["nobody".into()];
    assert!(matches!(
        fx.node.update_service(fx.admin, svc.id, &bad).unwrap_err(),
        Error::Invalid(_)
    ));
    let mut bad = reshaped;
    bad.fields[0].key = "Ключ".into();
    assert!(fx.node.update_service(fx.admin, svc.id, &bad).is_err());
    assert_eq!(fx.node.service(fx.admin, svc.id).unwrap(), got);
}

#[test]
fn a_request_kind_is_edited_by_its_body_only() {
    let fx = fixture();
    let kind = fx.node.request_kinds(fx.admin).unwrap()[0].clone();
    let mut spec = KindSpec::of(&kind);
    spec.agency = "Росреестр (Управление по краю)".into();
    fx.node
        .update_request_kind(fx.admin, kind.id, &spec)
        .unwrap();
    let got = fx.node.request_kinds(fx.spec).unwrap()[0].clone();
    assert_eq!(got.agency, spec.agency);
    assert_eq!(got.active, kind.active);

    let mut bad = spec.clone();
    bad.namespace = "not a uri".into();
    assert!(matches!(
        fx.node
            .update_request_kind(fx.admin, kind.id, &bad)
            .unwrap_err(),
        Error::Invalid(_)
    ));
    assert!(
        fx.node
            .update_request_kind(fx.spec, kind.id, &spec)
            .is_err()
    );

    // Another body cannot reach our templates.
    let org2 = fx
        .node
        .add_org(fx.admin, &org("Администрация Соседнего сельсовета"))
        .unwrap();
    let sys2 = volost::Actor::System(org2);
    assert!(matches!(
        fx.node
            .update_request_kind(sys2, kind.id, &spec)
            .unwrap_err(),
        Error::NotFound { .. }
    ));
    let svc = service(&fx);
    assert!(matches!(
        fx.node
            .set_passport(sys2, svc.id, &svc.passport())
            .unwrap_err(),
        Error::NotFound { .. }
    ));
    assert_eq!(fx.node.request_kinds(fx.admin).unwrap()[0], got);
}
