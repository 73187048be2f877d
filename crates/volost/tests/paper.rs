//! Printed documents (issue 30): the inventory of documents received, the receipt printed
//! from its starter template and read back with `pdftotext`, kept on the application's card
//! once; `volost document` on a stopped node.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use volost::domain::*;
use volost::service::*;

fn received(name: &str, original: bool, sheets: u32) -> Received {
    Received {
        name: name.into(),
        original,
        copies: 1,
        sheets,
    }
}

/// A fixture with the paper renderer and a registered application whose inventory is typed.
fn registered_with_inventory() -> (Fx, Application) {
    let fx = fixture();
    with_paper(&fx);
    let svc = service(&fx);
    let app = registered(&fx, fx.spec);
    let app = fx
        .node
        .set_inventory(fx.spec, app.id, inventory(&svc))
        .unwrap();
    (fx, app)
}

fn inventory(svc: &Service) -> Vec<Received> {
    vec![
        received(&svc.documents[0], true, 1),
        received(&svc.documents[1], false, 2),
    ]
}

#[test]
fn the_receipt_carries_the_number_the_documents_and_the_access_code() {
    let fx = fixture();
    with_paper(&fx);
    let svc = service(&fx);
    let app = draft(&fx, fx.spec);

    // Not before registration, and not without an inventory: each refused in words.
    let e = fx
        .node
        .print(fx.spec, app.id, DocumentKind::Receipt)
        .unwrap_err();
    assert!(e.ru().contains("после регистрации"), "{}", e.ru());
    let app = fx
        .node
        .act(fx.spec, app.id, &ActionInput::new(Action::Register))
        .unwrap();
    let e = fx
        .node
        .print(fx.spec, app.id, DocumentKind::Receipt)
        .unwrap_err();
    assert!(
        e.ru().contains("Опись принятых документов пуста"),
        "{}",
        e.ru()
    );

    // A bad inventory is refused with its line, and changes nothing.
    let mut bad = inventory(&svc);
    bad[1].sheets = 0;
    let e = fx.node.set_inventory(fx.spec, app.id, bad).unwrap_err();
    assert!(e.ru().contains("Строка 2 описи"), "{}", e.ru());
    let e = fx
        .node
        .set_inventory(fx.spec, app.id, vec![received("  ", true, 1)])
        .unwrap_err();
    assert!(e.ru().contains("наименование"), "{}", e.ru());
    assert!(
        fx.node
            .application(fx.spec, app.id)
            .unwrap()
            .app
            .inventory
            .is_empty()
    );
    // Read-only support may not change it.
    assert!(
        fx.node
            .set_inventory(fx.support, app.id, inventory(&svc))
            .is_err()
    );

    let app = fx
        .node
        .set_inventory(fx.spec, app.id, inventory(&svc))
        .unwrap();
    assert_eq!(app.inventory.len(), 2);
    let card = fx.node.application(fx.spec, app.id).unwrap();
    assert!(
        card.history
            .iter()
            .any(|h| h.what == "Изменена опись принятых документов"
                && h.comment.contains("листов: 3")),
        "{:?}",
        card.history
    );

    let p = fx
        .node
        .print(fx.spec, app.id, DocumentKind::Receipt)
        .unwrap();
    assert_eq!(p.name, format!("Расписка {}.pdf", app.number));
    let text = pdf_text(&p.data);
    for want in [
        "РАСПИСКА".to_string(),
        format!("Заявление № {}", app.number),
        "Семёнов Пётр Ильич".to_string(),
        svc.name.clone(),
        svc.documents[0].clone(),
        svc.documents[1].clone(),
        "Всего принято документов: 2, листов: 3.".to_string(),
        display_access_code(&app.access_code),
        format!("до {} включительно", display_date(app.due.unwrap())),
    ] {
        assert!(text.contains(&want), "{want:?} not in: {text}");
    }

    // It is kept on the card, with its history; printed again, it is the same file.
    let files = fx
        .node
        .files(fx.spec, FileOwner::Application(app.id))
        .unwrap();
    let kept: Vec<_> = files.iter().filter(|f| f.name == p.name).collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(Some(kept[0].id), p.file);
    assert_eq!(fx.node.file(fx.spec, kept[0].id).unwrap().data, p.data);
    let again = fx
        .node
        .print(fx.spec, app.id, DocumentKind::Receipt)
        .unwrap();
    assert_eq!((again.data, again.file), (p.data.clone(), p.file));
    assert_eq!(
        fx.node
            .files(fx.spec, FileOwner::Application(app.id))
            .unwrap()
            .len(),
        files.len()
    );
    // Read-only support, who sees every application, gets the same document and keeps
    // nothing: it is already on the card.
    let s = fx
        .node
        .print(fx.support, app.id, DocumentKind::Receipt)
        .unwrap();
    assert_eq!((s.data, s.file), (p.data, p.file));
    check_ok(&fx.node);
}

/// `volost document` on a stopped node: straight from the database as the user named; the
/// PDF read back; an unknown kind or number refused in words with exit code 1.
#[test]
fn the_cli_writes_the_receipt_of_a_stopped_node() {
    let fx = fixture();
    let svc = service(&fx);
    let app = registered(&fx, fx.spec);
    fx.node
        .set_inventory(fx.spec, app.id, inventory(&svc))
        .unwrap();
    let dir = fx.dir.path().to_path_buf();
    drop(fx.node);
    let run = cli_on(&dir);
    // `volost document` of the application, as its clerk.
    let doc = |rest: &[&str]| {
        let mut args = vec!["document", "--user", "spec", "--application", &app.number];
        args.extend_from_slice(rest);
        run(&args)
    };
    let pdf = dir.join("расписка.pdf");
    let (ok, text) = doc(&["--kind", "receipt", "--out", pdf.to_str().unwrap()]);
    assert!(
        ok && text.contains("Записан файл") && text.contains("в карточке заявки"),
        "{text}"
    );
    let text = pdf_text(&std::fs::read(&pdf).unwrap());
    assert!(
        text.contains(&format!("Заявление № {}", app.number))
            && text.contains(&display_access_code(&app.access_code)),
        "{text}"
    );
    let (ok, text) = doc(&["--kind", "passport"]);
    assert!(
        !ok && text.contains("неизвестный вид документа «passport»: receipt"),
        "{text}"
    );
    let (ok, text) = run(&["document", "--user", "spec", "--application", "2026-999999"]);
    assert!(!ok && text.contains("2026-999999"), "{text}");
    // A result document with its text; a federal form's refused naming its act.
    let result = dir.join("результат.pdf");
    let (ok, text) = doc(&[
        "--kind",
        "result",
        "--text",
        "Хозяйство ведёт заявитель",
        "--out",
        result.to_str().unwrap(),
    ]);
    assert!(ok && text.contains("в карточке заявки"), "{text}");
    let text = pdf_text(&std::fs::read(&result).unwrap());
    assert!(
        text.contains("ВЫПИСКА ИЗ ПОХОЗЯЙСТВЕННОЙ КНИГИ") && text.contains("Хозяйство ведёт"),
        "{text}"
    );
    let (ok, text) = doc(&[
        "--kind",
        "household_land",
        "--text",
        "Хозяйство ведёт заявитель",
    ]);
    assert!(!ok && text.contains("П/0368"), "{text}");

    // `volost template`: the starter text out, a wrong file refused with its line, an edited
    // one in, and the next receipt printed by it.
    let (ok, starter) = run(&["template", "show", "--user", "admin", "--kind", "receipt"]);
    assert!(ok && starter.contains("json(\"data.json\")"), "{starter}");
    let file = dir.join("расписка.typ");
    std::fs::write(&file, "= Расписка\n#let x = (\n").unwrap();
    let file = file.to_str().unwrap();
    let set = |user: &str| run(&["template", "set", "--user", user, "--kind", "receipt", file]);
    let (ok, text) = set("admin");
    assert!(!ok && text.contains("Ошибка в шаблоне, строка"), "{text}");
    std::fs::write(file, starter.replace("РАСПИСКА", "РАСПИСКА В ПОЛУЧЕНИИ")).unwrap();
    let (ok, text) = set("admin");
    assert!(ok && text.contains("сохранён"), "{text}");
    let (ok, text) = set("spec");
    assert!(!ok && text.contains("Недостаточно прав"), "{text}");
    let (ok, text) = doc(&["--out", pdf.to_str().unwrap()]);
    assert!(ok, "{text}");
    assert!(pdf_text(&std::fs::read(&pdf).unwrap()).contains("РАСПИСКА В ПОЛУЧЕНИИ"));
    let (ok, text) = run(&["template", "reset", "--user", "admin", "--kind", "receipt"]);
    assert!(ok && text.contains("снова стартовый"), "{text}");
}

/// «Результат выдан заявителю»: only once the result is approved, once, on a day between the
/// decision and today, by the desk; the card shows it and its history says it.
#[test]
fn the_hand_over_of_the_result_is_recorded_once() {
    let fx = fixture();
    let app = draft(&fx, fx.spec);
    let act = |who, a| fx.node.act(who, app.id, &ActionInput::new(a)).unwrap();
    act(fx.spec, Action::Register);
    let today = fx.node.now().date(fx.node.options().utc_offset);
    let e = fx.node.hand_over(fx.spec, app.id, today).unwrap_err();
    assert!(
        e.ru().contains("после того, как он утверждён"),
        "{}",
        e.ru()
    );
    assert!(!fx.node.application(fx.spec, app.id).unwrap().hand_over);
    fx.node
        .act(
            fx.spec,
            app.id,
            &ActionInput::new(Action::Decide(Verdict::Approve)).with_reason("Основание", "Готово"),
        )
        .unwrap();
    act(fx.head, Action::Publish);
    let card = fx.node.application(fx.spec, app.id).unwrap();
    assert!(card.hand_over, "the desk is offered the hand-over");
    assert!(!fx.node.application(fx.support, app.id).unwrap().hand_over);
    // Not tomorrow, not before the decision, not by read-only support.
    let e = fx
        .node
        .hand_over(fx.spec, app.id, today.next_day().unwrap())
        .unwrap_err();
    assert!(
        e.ru().contains("не может быть позже сегодняшней"),
        "{}",
        e.ru()
    );
    let e = fx
        .node
        .hand_over(fx.spec, app.id, today.previous_day().unwrap())
        .unwrap_err();
    assert!(e.ru().contains("раньше решения"), "{}", e.ru());
    assert!(fx.node.hand_over(fx.support, app.id, today).is_err());
    assert!(
        fx.node
            .application(fx.spec, app.id)
            .unwrap()
            .app
            .handed
            .is_none()
    );

    let a = fx.node.hand_over(fx.spec, app.id, today).unwrap();
    let h = a.handed.unwrap();
    assert_eq!((h.on, h.by), (today, uid(fx.spec)));
    let card = fx.node.application(fx.spec, app.id).unwrap();
    assert!(!card.hand_over);
    assert!(
        card.history
            .iter()
            .any(|e| e.what == "Результат выдан заявителю" && e.comment == display_date(today))
    );
    let e = fx.node.hand_over(fx.head, app.id, today).unwrap_err();
    assert!(e.ru().contains("уже выдан"), "{}", e.ru());
    // The work closes after it as before.
    act(fx.spec, Action::Close);
    check_ok(&fx.node);
}

/// An administrator's own receipt: a template with a mistake is refused with its line and
/// changes nothing; a good one prints from then on, for this body only; reset brings the
/// starter one back. Others may not read or change templates.
#[test]
fn an_administrator_s_own_template_is_checked_before_it_prints() {
    let (fx, app) = registered_with_inventory();
    let kind = DocumentKind::Receipt;
    let starter = fx.node.doc_template(fx.admin, kind).unwrap();
    assert_eq!(starter.text, starter.starter);
    assert!(starter.edited.is_none());
    assert!(fx.node.doc_template(fx.spec, kind).is_err());
    assert!(fx.node.set_doc_template(fx.spec, kind, None).is_err());

    // A field the data has not, on line 3: refused with the line, nothing kept.
    let bad = "#let d = json(\"data.json\")\n= Расписка\n#d.nomer\n";
    let e = fx
        .node
        .set_doc_template(fx.admin, kind, Some(bad.into()))
        .unwrap_err();
    assert!(
        e.ru().contains("строка 3") && e.ru().contains("nomer"),
        "{}",
        e.ru()
    );
    assert!(
        fx.node
            .doc_template(fx.admin, kind)
            .unwrap()
            .edited
            .is_none()
    );

    let own = starter.text.replace(
        "Код сообщайте только сами.",
        "Телефон администрации: 8 (38594) 2-23-45.",
    );
    assert_ne!(own, starter.text);
    let v = fx
        .node
        .set_doc_template(fx.admin, kind, Some(own.clone()))
        .unwrap();
    assert_eq!(v.text, own);
    assert!(v.edited.is_some());
    let text = pdf_text(&fx.node.print(fx.spec, app.id, kind).unwrap().data);
    assert!(text.contains("8 (38594) 2-23-45"), "{text}");

    let v = fx.node.set_doc_template(fx.admin, kind, None).unwrap();
    assert_eq!(v.text, v.starter);
    let text = pdf_text(&fx.node.print(fx.spec, app.id, kind).unwrap().data);
    assert!(
        !text.contains("2-23-45") && text.contains("Код сообщайте только сами."),
        "{text}"
    );
    check_ok(&fx.node);
}

/// «Журнал регистрации заявлений» of a period: the applications that came in then, drafts
/// aside, for those who see all the body's applications; a wrong period refused in words.
#[test]
fn the_registration_journal_lists_the_period_s_applications() {
    let fx = fixture();
    with_paper(&fx);
    let first = registered(&fx, fx.spec);
    let second = registered(&fx, fx.spec);
    let left_a_draft = draft(&fx, fx.spec);
    let today = fx.node.now().date(fx.node.options().utc_offset);
    let p = fx.node.print_journal(fx.head, today, today).unwrap();
    assert_eq!(p.file, None);
    let text = pdf_text(&p.data);
    for want in [
        "ЖУРНАЛ РЕГИСТРАЦИИ ЗАЯВЛЕНИЙ".to_string(),
        format!(
            "за период с {} по {}",
            display_date(today),
            display_date(today)
        ),
        first.number.clone(),
        second.number.clone(),
        "Семёнов Пётр Ильич".to_string(),
        "Всего заявлений за период: 2.".to_string(),
    ] {
        assert!(text.contains(&want), "{want:?} not in: {text}");
    }
    assert!(!text.contains(&left_a_draft.number), "{text}");
    // An empty period is a journal with no line; a reversed or too long one is refused.
    let before = today.previous_day().unwrap();
    let text = pdf_text(&fx.node.print_journal(fx.head, before, before).unwrap().data);
    assert!(text.contains("Всего заявлений за период: 0."), "{text}");
    let e = fx.node.print_journal(fx.head, today, before).unwrap_err();
    assert!(e.ru().contains("позже его конца"), "{}", e.ru());
    let e = fx
        .node
        .print_journal(fx.head, before - time::Duration::days(400), before)
        .unwrap_err();
    assert!(e.ru().contains("не больше чем за год"), "{}", e.ru());
    // A specialist sees only her own applications: the journal is not hers to print.
    assert!(fx.node.print_journal(fx.spec, today, today).is_err());
}

#[test]
fn a_decision_carries_result_files_of_its_own_application() {
    let fx = fixture();
    with_paper(&fx);
    let svc = service(&fx);
    let app = registered(&fx, fx.spec);
    fx.node
        .set_inventory(fx.spec, app.id, inventory(&svc))
        .unwrap();
    let receipt = fx
        .node
        .print(fx.spec, app.id, DocumentKind::Receipt)
        .unwrap()
        .file
        .unwrap();
    let owner = FileOwner::Application(app.id);
    let result = fx
        .node
        .add_file(
            fx.spec,
            Some(owner),
            "Выписка (скан с подписью).pdf",
            b"%PDF-1.4 signed",
        )
        .unwrap();
    let other = draft(&fx, fx.spec);
    let stranger = fx
        .node
        .add_file(
            fx.spec,
            Some(FileOwner::Application(other.id)),
            "чужой.pdf",
            b"%PDF-1.4 other",
        )
        .unwrap();
    let decide = |files: Vec<String>| {
        let mut input = ActionInput::new(Action::Decide(Verdict::Approve))
            .with_reason("Документы в порядке", "Выписка готова");
        input.files = files;
        fx.node.act(fx.spec, app.id, &input)
    };

    // Another application's file, or no file at all, is refused in words and changes nothing.
    for bad in [
        stranger.id.0.to_string(),
        "нет".to_string(),
        "999999".to_string(),
    ] {
        let e = decide(vec![bad]).unwrap_err();
        assert!(
            e.ru().contains("не найден среди файлов заявки"),
            "{}",
            e.ru()
        );
    }
    let same = fx.node.application(fx.spec, app.id).unwrap().app;
    assert_eq!(same.status, Status::Deciding);
    assert!(same.decision.is_none());

    // Its own: kept once each, in the order chosen.
    let id = result.id.0.to_string();
    let app = decide(vec![id.clone(), id.clone(), receipt.0.to_string()]).unwrap();
    let d = app.decision.unwrap();
    assert_eq!(d.files, [id, receipt.0.to_string()]);
    // A file of the decision stays with it.
    let e = fx.node.remove_file(fx.spec, result.id).unwrap_err();
    assert!(e.ru().contains("приложен к решению"), "{}", e.ru());
    check_ok(&fx.node);
}

#[test]
fn the_desk_refuses_to_accept_documents_with_a_notice() {
    let fx = fixture();
    with_paper(&fx);
    let svc = service(&fx);
    let app = draft(&fx, fx.spec);
    fx.node
        .set_inventory(fx.spec, app.id, inventory(&svc))
        .unwrap();
    assert!(fx.node.application(fx.spec, app.id).unwrap().refuse_intake);

    // No grounds, or a page past the limit: refused in words, nothing kept.
    for bad in ["  ".to_string(), "я".repeat(2001)] {
        let e = fx.node.refuse_intake(fx.spec, app.id, &bad).unwrap_err();
        assert!(e.ru().contains("Основания отказа"), "{}", e.ru());
    }
    // Support reads but refuses nothing.
    let e = fx.node.refuse_intake(fx.support, app.id, "x").unwrap_err();
    assert!(e.ru().contains("Недостаточно прав"), "{}", e.ru());
    assert!(
        fx.node
            .files(fx.spec, FileOwner::Application(app.id))
            .unwrap()
            .is_empty()
    );

    let reasons = "Не представлен документ, удостоверяющий личность.\nЗаявление не подписано.";
    let p = fx.node.refuse_intake(fx.spec, app.id, reasons).unwrap();
    // For a look at the page: `VOLOST_DOCS_OUT=refusal.pdf`.
    if let Ok(out) = std::env::var("VOLOST_DOCS_OUT") {
        std::fs::write(out, &p.data).unwrap();
    }
    let text = pdf_text(&p.data);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for want in [
        "УВЕДОМЛЕНИЕ",
        &format!("заявление № {}", app.number),
        "Не представлен документ, удостоверяющий личность.",
        "Заявление не подписано.",
        &svc.documents[0],
        "210-ФЗ",
    ] {
        assert!(flat.contains(want), "{want:?} not in: {text}");
    }
    // On the card, with the grounds in its history; the draft stays a draft.
    let card = fx.node.application(fx.spec, app.id).unwrap();
    assert_eq!(card.app.status, Status::Draft);
    let h = card
        .history
        .iter()
        .find(|h| h.what == "Отказано в приёме документов")
        .unwrap();
    assert_eq!(h.comment, reasons);
    let files = fx
        .node
        .files(fx.spec, FileOwner::Application(app.id))
        .unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(Some(files[0].id), p.file);

    // The notice is not printed as an ordinary document, nor once the documents are taken.
    let e = fx
        .node
        .print(fx.spec, app.id, DocumentKind::Refusal)
        .unwrap_err();
    assert!(e.ru().contains("Отказать в приёме"), "{}", e.ru());
    fx.node
        .act(fx.spec, app.id, &ActionInput::new(Action::Register))
        .unwrap();
    let card = fx.node.application(fx.spec, app.id).unwrap();
    assert!(!card.refuse_intake);
    let e = fx.node.refuse_intake(fx.spec, app.id, reasons).unwrap_err();
    assert!(e.ru().contains("до регистрации"), "{}", e.ru());
    check_ok(&fx.node);
}

#[test]
fn the_receipt_names_the_body_s_contacts_once_an_administrator_gives_them() {
    let (fx, app) = registered_with_inventory();
    let before = pdf_text(
        &fx.node
            .print(fx.spec, app.id, DocumentKind::Receipt)
            .unwrap()
            .data,
    );
    assert!(!before.contains("Администрация:"), "{before}");
    let org = fx.node.org(fx.admin).unwrap();
    let details = |contacts: &str| OrgDetails {
        ogrn: org.ogrn.clone(),
        inn: org.inn.clone(),
        kpp: org.kpp.clone(),
        registered: org.registered,
        contacts: contacts.into(),
    };
    // One line, within reason; a refusal changes nothing.
    let e = fx
        .node
        .set_org_details(fx.admin, &details("с. Берёзовка\nтел. 2-12-34"))
        .unwrap_err();
    assert!(e.ru().contains("Адрес и контакты"), "{}", e.ru());
    assert_eq!(fx.node.org(fx.admin).unwrap().contacts, "");
    let contacts = "659000, с. Берёзовка, ул. Центральная, д. 1; тел. (38535) 2-12-34";
    let o = fx
        .node
        .set_org_details(fx.admin, &details(contacts))
        .unwrap();
    assert_eq!(o.contacts, contacts);
    let text = pdf_text(
        &fx.node
            .print(fx.spec, app.id, DocumentKind::Receipt)
            .unwrap()
            .data,
    );
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains(&format!("Администрация: {contacts}.")),
        "{text}"
    );
}

#[test]
fn an_administrator_gives_a_staff_member_s_position_and_phone() {
    let fx = fixture();
    let spec = uid(fx.spec);
    // One line each, within reason; a refusal changes nothing; a specialist may not.
    let e = fx
        .node
        .set_user_contacts(fx.admin, spec, "Специалист\n1 категории", "")
        .unwrap_err();
    assert!(e.ru().contains("Должность"), "{}", e.ru());
    let e = fx
        .node
        .set_user_contacts(fx.admin, spec, "", &"7".repeat(201))
        .unwrap_err();
    assert!(e.ru().contains("Телефон, e-mail"), "{}", e.ru());
    let e = fx
        .node
        .set_user_contacts(fx.spec, spec, "Глава", "")
        .unwrap_err();
    assert!(e.ru().contains("Недостаточно прав"), "{}", e.ru());
    fx.node
        .set_user_contacts(
            fx.admin,
            spec,
            " Специалист 1 категории ",
            "(38535) 2-12-34, spec@berezovka.ru",
        )
        .unwrap();
    let me = fx
        .node
        .list_users(fx.admin)
        .unwrap()
        .into_iter()
        .find(|u| u.id == spec)
        .unwrap();
    assert_eq!(
        (me.position.as_str(), me.phone.as_str()),
        (
            "Специалист 1 категории",
            "(38535) 2-12-34, spec@berezovka.ru"
        )
    );
    check_ok(&fx.node);
}

#[test]
fn an_interagency_request_prints_on_paper_with_what_the_law_asks_of_it() {
    let fx = fixture();
    with_paper(&fx);
    with_packages(&fx);
    let kind = sending_kind(&fx);
    let app = registered(&fx, fx.spec);
    let data = values(&kind.fields);
    let req = fx
        .node
        .create_outgoing(fx.spec, kind.id, Some(app.id), &data)
        .unwrap();
    let org = fx.node.org(fx.admin).unwrap();
    let contacts = "659000, с. Берёзовка, ул. Центральная, д. 1; berezovka@example.ru";
    fx.node
        .set_org_details(
            fx.admin,
            &OrgDetails {
                ogrn: org.ogrn.clone(),
                inn: org.inn.clone(),
                kpp: org.kpp.clone(),
                registered: org.registered,
                contacts: contacts.into(),
            },
        )
        .unwrap();
    fx.node
        .set_user_contacts(
            fx.admin,
            uid(fx.spec),
            "Специалист 1 категории",
            "(38535) 2-12-34",
        )
        .unwrap();

    // Support sees no interagency requests, and prints none.
    let e = fx.node.print_request(fx.support, req.id).unwrap_err();
    assert!(e.ru().contains("Недостаточно прав"), "{}", e.ru());

    let p = fx.node.print_request(fx.spec, req.id).unwrap();
    if let Ok(out) = std::env::var("VOLOST_DOCS_OUT") {
        std::fs::write(out, &p.data).unwrap();
    }
    let text = pdf_text(&p.data);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let svc = service(&fx);
    let card = fx.node.application(fx.spec, app.id).unwrap();
    let shown_field = kind
        .fields
        .iter()
        .find(|f| f.ftype != FieldType::File && data.get(&f.key).is_some_and(|v| !v.is_empty()))
        .unwrap();
    for want in [
        "МЕЖВЕДОМСТВЕННЫЙ ЗАПРОС",
        &org.name,
        &kind.agency,
        &req.number,
        &svc.name,
        &card.app.number,
        &shown_field.label,
        &data[&shown_field.key],
        contacts,
        "Специалист 1 категории",
        "(38535) 2-12-34",
    ] {
        assert!(flat.contains(want), "{want:?} not in: {text}");
    }
    // On the request's «Файлы», once however often it is printed the same day.
    fx.node.print_request(fx.spec, req.id).unwrap();
    let files = fx.node.files(fx.spec, FileOwner::Outgoing(req.id)).unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(Some(files[0].id), p.file);
    assert_eq!(
        files[0].name,
        format!("Межведомственный запрос {}.pdf", req.number)
    );
    check_ok(&fx.node);
}

/// A document of the service's result: printed from the card in examination with the text
/// typed, kept once; after a refusal its text is the decision's reason and it joins the
/// decision's files while the head has not approved it. A result whose form a federal act
/// sets prints only once an administrator put the form in: the node's blank is never it.
#[test]
fn a_result_document_prints_with_its_text_and_joins_the_decision() {
    let fx = fixture();
    with_paper(&fx);
    let svc = service(&fx);
    assert!(svc.results.len() >= 2, "{:?}", svc.results);
    let draft = draft(&fx, fx.spec);
    let print = |id, result, kind, text: &str| {
        let p = ResultPrint {
            result,
            kind,
            text: text.into(),
        };
        fx.node.print_result(fx.spec, id, &p)
    };

    // Not of a draft, not a result the service has not, not by who neither decides nor
    // approves: each refused in words.
    let e = print(draft.id, 1, None, "Текст").unwrap_err();
    assert!(e.ru().contains("рассматривается"), "{}", e.ru());
    let app = registered(&fx, fx.spec);
    assert!(fx.node.application(fx.spec, app.id).unwrap().print_result);
    let e = print(app.id, 9, None, "Текст").unwrap_err();
    assert!(e.ru().contains("Нет результата с номером 9"), "{}", e.ru());
    let e = print(app.id, 1, Some(DocumentKind::Receipt), "Текст").unwrap_err();
    assert!(e.ru().contains("не документ о результате"), "{}", e.ru());
    // No decision yet and no text: nothing to print.
    let e = print(app.id, 1, None, "  ").unwrap_err();
    assert!(e.ru().contains("Введите текст документа"), "{}", e.ru());

    let text = "Согласно записям похозяйственной книги № 3 за 2026 год хозяйство ведёт \
                Образцова Мария Сергеевна.\nВыписка выдана для представления в банк.";
    let first = print(app.id, 1, None, text).unwrap();
    let pdf = pdf_text(&first.data);
    for want in [
        svc.results[0].to_uppercase().as_str(),
        app.number.as_str(),
        "для представления в банк",
        svc.name.as_str(),
        "Глава сельсовета",
    ] {
        assert!(
            pdf.replace('\n', " ").contains(want),
            "{want} not in:\n{pdf}"
        );
    }
    let again = print(app.id, 1, None, text).unwrap();
    assert_eq!(again.file, first.file);
    let card = fx.node.application(fx.spec, app.id).unwrap();
    assert!(
        card.history
            .iter()
            .any(|h| h.what == "Напечатан документ о результате")
    );

    // A refusal: its reason is the text; the document joins the decision before approval.
    let reason = "Сведения о хозяйстве заявителя в похозяйственной книге отсутствуют";
    let input = ActionInput::new(Action::Decide(Verdict::Refuse)).with_reason(reason, "Отказ");
    let decided = fx.node.act(fx.spec, app.id, &input).unwrap();
    assert_eq!(decided.status, Status::ApprovingRefusal);
    let n = default_result(&svc.results, Some(Verdict::Refuse));
    assert!(
        svc.results[n - 1].contains("отказ"),
        "{}",
        svc.results[n - 1]
    );
    let refusal = print(app.id, n, None, "").unwrap();
    let pdf = pdf_text(&refusal.data).replace('\n', " ");
    assert!(
        pdf.contains("отсутствуют") && pdf.contains("210-ФЗ"),
        "{pdf}"
    );
    let d = fx
        .node
        .application(fx.spec, app.id)
        .unwrap()
        .app
        .decision
        .unwrap();
    assert_eq!(d.files, [refusal.file.unwrap().0.to_string()]);

    // A federal form: refused naming its act until the body's administrator put it in; the
    // blank itself is not taken for the form.
    let kind = DocumentKind::AddressRefusal;
    let e = print(app.id, n, Some(kind), "").unwrap_err();
    assert!(e.ru().contains("146н"), "{}", e.ru());
    let blank = fx.node.doc_template(fx.admin, kind).unwrap();
    assert!(blank.text.contains("d.form.act"), "{}", blank.text);
    let e = fx
        .node
        .set_doc_template(fx.admin, kind, Some(blank.text.clone()))
        .unwrap_err();
    assert!(e.ru().contains("заготовка"), "{}", e.ru());
    let preview = fx
        .node
        .preview_doc_template(fx.admin, kind, &blank.text)
        .unwrap();
    assert!(pdf_text(&preview.data).contains("146н"));
    let own =
        "#let d = json(\"data.json\")\n= РЕШЕНИЕ № \\_\\_\\_\n#d.applicant.name \\\n#d.text\n";
    fx.node
        .set_doc_template(fx.admin, kind, Some(own.into()))
        .unwrap();
    let p = print(app.id, n, Some(kind), "").unwrap();
    let pdf = pdf_text(&p.data);
    assert!(
        pdf.contains("РЕШЕНИЕ") && pdf.contains("отсутствуют"),
        "{pdf}"
    );
    check_ok(&fx.node);
}
