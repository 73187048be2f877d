//! Файлы: attached on a card, uploaded for a form's file field and bound when the form is
//! saved, read back byte for byte, refused when bad, and kept from whoever may not see them.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use std::collections::BTreeMap;
use volost::Actor;
use volost::domain::*;
use volost::service::*;

fn audit_len(fx: &Fx) -> usize {
    fx.node.audit_tail(fx.admin, 10_000).unwrap().len()
}

/// A service whose form requires a file, with every other field filled.
fn with_file(fx: &Fx) -> (Service, Field, BTreeMap<String, String>) {
    let svc = fx
        .node
        .services(fx.admin, false)
        .unwrap()
        .into_iter()
        .find(|s| {
            s.fields
                .iter()
                .any(|f| f.ftype == FieldType::File && f.required)
        })
        .unwrap();
    let field = svc
        .fields
        .iter()
        .find(|f| f.ftype == FieldType::File && f.required)
        .unwrap()
        .clone();
    let data = svc
        .fields
        .iter()
        .filter(|f| f.ftype != FieldType::File)
        .map(|f| (f.key.clone(), value(f)))
        .collect();
    (svc, field, data)
}

fn create(fx: &Fx, svc: &Service, data: BTreeMap<String, String>) -> Result<Application> {
    fx.node.create_application(
        fx.spec,
        &NewApplication {
            service: svc.id,
            dept: None,
            applicant: ApplicantRef::New(person("Семёнов Пётр Ильич", "112-233-445 95")),
            data,
            source: Source::Manual,
        },
    )
}

#[test]
fn a_file_added_on_the_card_reads_back_byte_for_byte_with_its_history() {
    let fx = fixture();
    let app = draft(&fx, fx.spec);
    let owner = FileOwner::Application(app.id);
    let bytes: Vec<u8> = (0..=255u8).cycle().take(300_000).collect();
    let f = fx
        .node
        .add_file(fx.spec, Some(owner), " паспорт (скан).pdf ", &bytes)
        .unwrap();
    assert_eq!(f.name, "паспорт (скан).pdf");
    assert_eq!(f.size, 300_000);
    assert_eq!(f.owner, Some(owner));
    let listed = fx.node.files(fx.spec, owner).unwrap();
    assert_eq!(listed, vec![f.clone()]);
    let got = fx.node.file(fx.spec, f.id).unwrap();
    assert_eq!(got.data, bytes);
    assert_eq!(got.file.sha256, volost::store::sha256_hex(&bytes));
    let card = fx.node.application(fx.spec, app.id).unwrap();
    assert!(
        card.history
            .iter()
            .any(|h| h.what == "Добавлен файл «паспорт (скан).pdf»"),
        "{:?}",
        card.history
    );
    check_ok(&fx.node);

    // Removed by whoever added it: gone, and the history tells.
    fx.node.remove_file(fx.spec, f.id).unwrap();
    assert!(fx.node.files(fx.spec, owner).unwrap().is_empty());
    assert!(matches!(
        fx.node.file(fx.spec, f.id).unwrap_err(),
        Error::NotFound { .. }
    ));
    let card = fx.node.application(fx.spec, app.id).unwrap();
    assert!(
        card.history
            .iter()
            .any(|h| h.what.starts_with("Удалён файл"))
    );
    check_ok(&fx.node);
}

#[test]
fn bad_files_are_refused_with_a_russian_message_and_change_nothing() {
    let fx = fixture();
    let app = draft(&fx, fx.spec);
    let owner = Some(FileOwner::Application(app.id));
    let before = audit_len(&fx);
    let max = Options::for_tests().max_file_bytes as usize;
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("../../etc/passwd", b"x".to_vec(), "«/»"),
        ("a\\b.txt", b"x".to_vec(), "«/»"),
        ("..", b"x".to_vec(), "точки"),
        ("", b"x".to_vec(), "Укажите имя"),
        ("скан\n.pdf", b"x".to_vec(), "недопустимые"),
        ("пусто.pdf", Vec::new(), "пуст"),
        ("большой.pdf", vec![0u8; max + 1], "больше допустимых"),
    ];
    for (name, data, want) in cases {
        let e = fx.node.add_file(fx.spec, owner, name, &data).unwrap_err();
        assert!(e.ru().contains(want), "{name:?}: {}", e.ru());
    }
    assert_eq!(audit_len(&fx), before, "refusals write nothing");
    assert!(
        fx.node
            .files(fx.spec, FileOwner::Application(app.id))
            .unwrap()
            .is_empty()
    );
    // Exactly the limit is accepted.
    fx.node
        .add_file(fx.spec, owner, "ровно.bin", &vec![7u8; max])
        .unwrap();
    check_ok(&fx.node);
}

#[test]
fn a_form_file_field_takes_an_upload_of_its_own_user_and_binds_it_on_save() {
    let fx = fixture();
    let (svc, field, data) = with_file(&fx);

    // Without the file: «Требуется» next to the field.
    let e = create(&fx, &svc, data.clone()).unwrap_err();
    match e {
        Error::Invalid(errs) => assert!(
            errs.iter()
                .any(|e| e.field == field.label && e.message == "Требуется"),
            "{errs:?}"
        ),
        e => panic!("{e:?}"),
    }

    // Someone else's upload is not usable, nor seen.
    let theirs = fx
        .node
        .add_file(fx.spec2, None, "схема.pdf", b"%PDF-1.4 scheme")
        .unwrap();
    assert!(matches!(
        fx.node.file(fx.spec, theirs.id).unwrap_err(),
        Error::NotFound { .. }
    ));
    let mut with_theirs = data.clone();
    with_theirs.insert(field.key.clone(), theirs.id.to_string());
    let e = create(&fx, &svc, with_theirs).unwrap_err();
    assert!(e.ru().contains("приложите его заново"), "{}", e.ru());

    // One's own upload is bound to the new application, under its field.
    let mine = fx
        .node
        .add_file(fx.spec, None, "схема.pdf", b"%PDF-1.4 scheme")
        .unwrap();
    assert_eq!(mine.owner, None);
    let mut ok = data.clone();
    ok.insert(field.key.clone(), mine.id.to_string());
    let app = create(&fx, &svc, ok.clone()).unwrap();
    let files = fx
        .node
        .files(fx.spec, FileOwner::Application(app.id))
        .unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].id, mine.id);
    assert_eq!(files[0].field.as_deref(), Some(field.key.as_str()));
    // A file a field names is replaced through the form, not removed.
    let e = fx.node.remove_file(fx.spec, mine.id).unwrap_err();
    assert!(e.ru().contains("в форме"), "{}", e.ru());
    // Nor can it be bound to a second application.
    assert!(create(&fx, &svc, ok).is_err());

    // Replacing it in the draft leaves the old one attached as an ordinary file.
    let newer = fx
        .node
        .add_file(fx.spec, None, "схема-2.pdf", b"%PDF-1.4 scheme v2")
        .unwrap();
    let mut edited = app.data.clone();
    edited.insert(field.key.clone(), newer.id.to_string());
    fx.node.update_draft(fx.spec, app.id, &edited).unwrap();
    let files = fx
        .node
        .files(fx.spec, FileOwner::Application(app.id))
        .unwrap();
    let field_of = |id: FileId| files.iter().find(|f| f.id == id).unwrap().field.clone();
    assert_eq!(field_of(newer.id).as_deref(), Some(field.key.as_str()));
    assert_eq!(field_of(mine.id), None);
    fx.node.remove_file(fx.spec, mine.id).unwrap();
    check_ok(&fx.node);
}

#[test]
fn uploads_no_form_took_are_purged_after_a_day_and_bound_ones_stay() {
    let fx = fixture();
    let (svc, field, mut data) = with_file(&fx);
    let kept = fx
        .node
        .add_file(fx.spec, None, "нужный.pdf", b"kept")
        .unwrap();
    let stray = fx
        .node
        .add_file(fx.spec, None, "забытый.pdf", b"stray")
        .unwrap();
    data.insert(field.key.clone(), kept.id.to_string());
    create(&fx, &svc, data).unwrap();
    assert_eq!(fx.node.purge_uploads().unwrap(), 0, "not a day old yet");
    let before = audit_len(&fx);
    assert_eq!(fx.node.purge_uploads().unwrap(), 0);
    assert_eq!(
        audit_len(&fx),
        before,
        "a run with nothing to do writes nothing"
    );
    fx.clock.advance_ms(LOOSE_TTL_MS + 1);
    assert_eq!(fx.node.purge_uploads().unwrap(), 1);
    assert!(fx.node.file(fx.spec, stray.id).is_err());
    assert_eq!(fx.node.file(fx.spec, kept.id).unwrap().data, b"kept");
    check_ok(&fx.node);
}

#[test]
fn files_follow_the_owners_rules_of_rights_status_and_body() {
    let fx = fixture();
    let app = draft(&fx, fx.spec);
    let owner = FileOwner::Application(app.id);
    let f = fx
        .node
        .add_file(fx.spec, Some(owner), "заявление.pdf", b"%PDF")
        .unwrap();

    // Read-only support sees the files and changes nothing.
    assert_eq!(fx.node.files(fx.support, owner).unwrap().len(), 1);
    assert!(
        fx.node
            .add_file(fx.support, Some(owner), "x.pdf", b"x")
            .is_err()
    );
    assert!(fx.node.remove_file(fx.support, f.id).is_err());
    assert!(
        fx.node.add_file(fx.support, None, "x.pdf", b"x").is_err(),
        "no uploads for a session that saves nothing"
    );
    // Another specialist may not remove what they did not add; a supervisor may.
    let e = fx.node.remove_file(fx.spec2, f.id).unwrap_err();
    assert!(
        matches!(e, Error::NotFound { .. } | Error::NotAllowed(_)),
        "{e:?}"
    );

    // Another body's user finds nothing.
    let org2 = fx
        .node
        .add_org(fx.admin, &org("Администрация Соседнего сельсовета"))
        .unwrap();
    let sys2 = Actor::System(org2);
    let g2 = fx.node.groups(sys2).unwrap()[0].id;
    let admin2 = add(&fx.node, sys2, "admin2", "Админ Второй", "admin", g2);
    let head2 = add(&fx.node, admin2, "head2", "Руководитель Второй", "head", g2);
    for e in [
        fx.node.files(head2, owner).unwrap_err(),
        fx.node.file(head2, f.id).unwrap_err(),
        fx.node
            .add_file(head2, Some(owner), "x.pdf", b"x")
            .unwrap_err(),
        fx.node.remove_file(head2, f.id).unwrap_err(),
    ] {
        assert!(matches!(e, Error::NotFound { .. }), "{e:?}");
    }

    // An outgoing request takes files while it is «Запрос сформирован» only.
    let kind = fx.node.request_kinds(fx.spec).unwrap().remove(0);
    let req = fx
        .node
        .create_outgoing(fx.spec, kind.id, Some(app.id), &values(&kind.fields))
        .unwrap();
    let rq = FileOwner::Outgoing(req.id);
    fx.node
        .add_file(fx.spec, Some(rq), "доверенность.pdf", b"%PDF")
        .unwrap();
    fx.node
        .outgoing_event(fx.spec, req.id, OutEvent::Prepared, "")
        .unwrap();
    let e = fx
        .node
        .add_file(fx.spec, Some(rq), "поздно.pdf", b"%PDF")
        .unwrap_err();
    assert!(e.ru().contains("не изменяются"), "{}", e.ru());
    assert_eq!(fx.node.files(fx.spec, rq).unwrap().len(), 1);

    // A regional request's files are seen by the provider body too.
    let reg = fx
        .node
        .create_regional(
            fx.spec,
            &RegionalInput {
                provider: "Соседи".into(),
                provider_org: Some(org2),
                application: None,
                subject: "Сведения".into(),
                comment: "".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let rg = FileOwner::Regional(reg.id);
    let sent = fx
        .node
        .add_file(fx.spec, Some(rg), "письмо.txt", "Прошу".as_bytes())
        .unwrap();
    let spec2b = add(
        &fx.node,
        admin2,
        "spec2b",
        "Исполнитель Второй",
        "specialist",
        g2,
    );
    assert_eq!(
        fx.node.file(spec2b, sent.id).unwrap().data,
        "Прошу".as_bytes()
    );
    fx.node
        .add_file(spec2b, Some(rg), "ответ.txt", "Сведения".as_bytes())
        .unwrap();
    assert_eq!(fx.node.files(fx.spec, rg).unwrap().len(), 2);
    // Each body removes only its own files of a regional request.
    let theirs = fx.node.files(fx.spec, rg).unwrap()[1].id;
    assert!(matches!(
        fx.node.remove_file(fx.sup, theirs).unwrap_err(),
        Error::NotFound { .. }
    ));
    check_ok(&fx.node);
}

#[test]
fn one_person_cannot_fill_the_disk_a_day_s_budget_and_a_reserve_for_the_database() {
    const KIB: u64 = 1024;
    let fx = fixture_with(Options {
        upload_bytes_per_day: 40 * KIB,
        ..Options::for_tests()
    });
    let app = draft(&fx, fx.spec);
    let owner = Some(FileOwner::Application(app.id));
    let scan = vec![1u8; 10 * KIB as usize];
    for i in 0..4 {
        fx.node
            .add_file(fx.spec, owner, &format!("скан{i}.pdf"), &scan)
            .unwrap();
    }
    // A refused file (a bad name) does not count against the day.
    fx.node.add_file(fx.spec, owner, "../x", &scan).unwrap_err();
    let before = audit_len(&fx);
    let e = fx
        .node
        .add_file(fx.spec, owner, "скан5.pdf", &scan)
        .unwrap_err();
    assert!(matches!(e, Error::NoRoom(uploads::Refusal::Budget { .. })));
    assert!(e.ru().contains("за сегодня"), "{}", e.ru());
    assert_eq!(
        volost::api::ApiError::from(&e).code,
        "upload_budget",
        "the TUI and the web page tell it apart from a full disk"
    );
    assert_eq!(audit_len(&fx), before, "nothing written");
    assert_eq!(
        fx.node
            .files(fx.spec, FileOwner::Application(app.id))
            .unwrap()
            .len(),
        4
    );
    // Another person is not held back, and the same one may go on the next day.
    fx.node
        .add_file(fx.spec2, None, "другой.pdf", &scan)
        .unwrap();
    fx.clock.advance_ms(24 * 3600 * 1000);
    fx.node
        .add_file(fx.spec, owner, "скан5.pdf", &scan)
        .unwrap();
    check_ok(&fx.node);

    // The reserve: a node that keeps more room than its disk has takes no file at all, but
    // applications go on.
    let full = fixture_with(Options {
        reserve_bytes: u64::MAX / 2,
        ..Options::for_tests()
    });
    let app = draft(&full, full.spec);
    let e = full
        .node
        .add_file(
            full.spec,
            Some(FileOwner::Application(app.id)),
            "a.pdf",
            b"x",
        )
        .unwrap_err();
    assert!(matches!(e, Error::NoRoom(uploads::Refusal::Reserve)));
    assert!(e.ru().contains("мало места"), "{}", e.ru());
    draft(&full, full.spec);
}
