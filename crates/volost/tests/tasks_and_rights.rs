//! Queues, claims, rights per role and isolation between bodies.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use volost::domain::*;
use volost::service::TaskCol;
use volost::service::*;

fn group_ids(fx: &Fx, who: volost::Actor) -> Vec<TaskId> {
    let mut q = TaskQuery::new(Queue::Group);
    q.limit = 500;
    fx.node
        .queue(who, &q)
        .unwrap()
        .rows
        .iter()
        .map(|r| r.id)
        .collect()
}

#[test]
fn claim_return_complete_moves_between_queues_and_advances_steps() {
    let fx = fixture();
    let svc = service(&fx);
    let p = fx.node.launch_service(fx.spec, svc.id, None).unwrap();
    let t = p.tasks[0];
    assert_eq!(group_ids(&fx, fx.spec2), vec![t]);

    fx.node.claim(fx.spec, t, false).unwrap();
    assert!(group_ids(&fx, fx.spec2).is_empty());
    let mine = fx
        .node
        .queue(fx.spec, &TaskQuery::new(Queue::Mine))
        .unwrap();
    assert_eq!(mine.rows.len(), 1);
    // Someone else's claim is refused, naming the holder.
    let e = fx.node.claim(fx.spec2, t, false).unwrap_err();
    assert!(
        matches!(&e, Error::AlreadyClaimed { holder } if holder.contains("Иванова")),
        "{e:?}"
    );
    // A specialist may not take over; a supervisor may.
    assert!(matches!(
        fx.node.claim(fx.spec2, t, true).unwrap_err(),
        Error::Forbidden { .. }
    ));
    fx.node.claim(fx.head, t, true).unwrap();
    fx.node.return_to_group(fx.head, t).unwrap();
    assert_eq!(group_ids(&fx, fx.spec), vec![t]);

    // Completing needs the task to be mine.
    assert!(fx.node.complete(fx.spec, t, false, "").is_err());
    fx.node.claim(fx.spec, t, false).unwrap();
    let next = fx
        .node
        .complete(fx.spec, t, false, "Готово")
        .unwrap()
        .unwrap();
    assert_eq!(next.step, 1);
    assert_eq!(group_ids(&fx, fx.spec), vec![next.id]);
    let done = fx
        .node
        .queue(fx.spec, &TaskQuery::new(Queue::Done))
        .unwrap();
    assert_eq!(done.rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![t]);

    let map = fx.node.process_map(fx.spec, p.id).unwrap();
    assert_eq!(map.steps[0].state, StepState::Done);
    assert_eq!(map.steps[1].state, StepState::Current);
    assert!(map.steps[2..].iter().all(|s| s.state == StepState::Ahead));
    check_ok(&fx.node);
}

#[test]
fn finishing_the_process_and_step_roles() {
    let fx = fixture();
    let svc = service(&fx);
    let p = fx.node.launch_service(fx.spec, svc.id, None).unwrap();
    let mut task = p.tasks[0];
    // Walk the regulation; steps for the head are refused to specialists.
    loop {
        let step = fx.node.task(fx.spec, task).unwrap().task.step as usize;
        let head_only = svc.steps[step].roles.iter().all(|r| {
            fx.node
                .roles(fx.admin)
                .unwrap()
                .iter()
                .any(|x| x.id == *r && x.code == "head")
        });
        let who = if head_only {
            assert!(fx.node.claim(fx.spec, task, false).is_err());
            fx.head
        } else {
            fx.spec
        };
        fx.node.claim(who, task, false).unwrap();
        match fx.node.complete(who, task, false, "").unwrap() {
            Some(n) => task = n.id,
            None => break,
        }
    }
    assert!(fx.node.process_map(fx.spec, p.id).unwrap().finished);
    assert!(group_ids(&fx, fx.spec).is_empty());
    assert_eq!(
        fx.node.process_tasks(fx.spec, p.id).unwrap().len(),
        svc.steps.len()
    );
}

#[test]
fn queue_filters_sort_and_paging_visit_every_row_once() {
    let fx = fixture();
    let svc = service(&fx);
    for i in 0..37 {
        fx.clock.advance_ms(3_600_000);
        let who = if i % 3 == 0 { fx.spec2 } else { fx.spec };
        fx.node.launch_service(who, svc.id, None).unwrap();
    }
    let mut q = TaskQuery::new(Queue::Group);
    q.limit = 10;
    q.sort = TaskCol::Due;
    let mut seen = Vec::new();
    loop {
        let page = fx.node.queue(fx.spec, &q).unwrap();
        seen.extend(page.rows.iter().map(|r| (r.due, r.created, r.id)));
        match page.next {
            Some(c) => q.after = Some(c),
            None => break,
        }
    }
    assert_eq!(seen.len(), 37);
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "sorted by due");

    let mut q = TaskQuery::new(Queue::Group);
    q.desc = true;
    q.limit = 100;
    q.filter.author = Some(uid(fx.spec2));
    let rows = fx.node.queue(fx.spec, &q).unwrap().rows;
    assert_eq!(rows.len(), 13);
    assert!(rows.windows(2).all(|w| w[0].created >= w[1].created));
    q.filter.created_from = Some(Ts(monday().0 + 10 * 3_600_000));
    q.filter.name_contains = Some(svc.steps[0].name.to_uppercase().replace('Е', "Ё"));
    let rows = fx.node.queue(fx.spec, &q).unwrap().rows;
    assert!(!rows.is_empty() && rows.len() < 13, "{}", rows.len());
    q.filter.name_contains = Some("нет такого слова".into());
    assert!(fx.node.queue(fx.spec, &q).unwrap().rows.is_empty());
}

#[test]
fn overdue_counts_working_days_with_the_holiday_calendar() {
    let fx = fixture();
    let svc = service(&fx);
    let p = fx.node.launch_service(fx.spec, svc.id, None).unwrap();
    let due = fx.node.task(fx.spec, p.tasks[0]).unwrap().task.due;
    // Two weeks later, minus the weekends, minus one holiday the admin adds.
    fx.clock.advance_ms(14 * 86_400_000);
    let rows = |fx: &Fx| {
        fx.node
            .queue(fx.spec, &TaskQuery::new(Queue::Group))
            .unwrap()
            .rows
    };
    let before = rows(&fx)[0].overdue_days;
    let mut d = due.next_day().unwrap();
    while matches!(d.weekday(), time::Weekday::Saturday | time::Weekday::Sunday) {
        d = d.next_day().unwrap();
    }
    fx.node.set_calendar_day(fx.admin, d, true).unwrap();
    assert_eq!(rows(&fx)[0].overdue_days, before - 1);
    assert!(
        fx.node.set_calendar_day(fx.spec, d, false).is_err(),
        "only admins edit the calendar"
    );
    let mut q = TaskQuery::new(Queue::Group);
    q.filter.overdue_only = true;
    assert_eq!(fx.node.queue(fx.spec, &q).unwrap().rows.len(), 1);
}

#[test]
fn each_role_can_do_exactly_its_part() {
    let fx = fixture();
    let svc = service(&fx);
    // Support staff see but change nothing.
    let app = draft(&fx, fx.spec);
    assert!(
        fx.node
            .applications(fx.support, &AppQuery::default())
            .unwrap()
            .rows
            .len()
            == 1
    );
    let e = fx.node.create_application(
        fx.support,
        &NewApplication {
            service: svc.id,
            dept: None,
            applicant: ApplicantRef::New(person("Орлов Иван", "112-233-445 95")),
            data: form(&svc),
            source: Source::Manual,
        },
    );
    assert!(matches!(
        e.unwrap_err(),
        Error::Forbidden {
            right: Right::CreateApplications,
            ..
        }
    ));
    assert!(matches!(
        fx.node
            .launch_service(fx.support, svc.id, None)
            .unwrap_err(),
        Error::Forbidden { .. }
    ));
    assert!(
        fx.node
            .act(fx.support, app.id, &ActionInput::new(Action::Register))
            .is_err()
    );
    // Only administrators manage users and the catalog.
    let nu = NewUser {
        login: "x1".into(),
        full_name: "Икс".into(),
        dept: None,
        roles: vec!["specialist".into()],
        groups: vec![],
    };
    assert!(matches!(
        fx.node.add_user(fx.head, &nu).unwrap_err(),
        Error::Forbidden {
            right: Right::Administer,
            ..
        }
    ));
    assert!(fx.node.add_user(fx.admin, &nu).is_ok());
    assert!(fx.node.set_service_active(fx.spec, svc.id, false).is_err());
    // The administrator has no right to decide applications.
    assert!(matches!(
        fx.node.launch_service(fx.admin, svc.id, None).unwrap_err(),
        Error::Forbidden { .. }
    ));
    // A specialist sees only applications assigned to them; the head sees all.
    let other = draft(&fx, fx.spec2);
    assert!(fx.node.application(fx.spec, other.id).is_err());
    assert!(fx.node.application(fx.head, other.id).is_ok());
}

#[test]
fn another_body_sees_nothing_of_ours() {
    let fx = fixture();
    let app = draft(&fx, fx.spec);
    let p = fx
        .node
        .launch_service(fx.spec, service(&fx).id, None)
        .unwrap();
    let org2 = fx
        .node
        .add_org(fx.admin, &org("Администрация Соседнего сельсовета"))
        .unwrap();
    let sys2 = volost::Actor::System(org2);
    let g2 = fx.node.groups(sys2).unwrap()[0].id;
    let admin2 = add(&fx.node, sys2, "admin2", "Админ Второй", "admin", g2);
    let head2 = add(&fx.node, admin2, "head2", "Руководитель Второй", "head", g2);
    assert!(matches!(
        fx.node.application(head2, app.id).unwrap_err(),
        Error::NotFound { .. }
    ));
    assert!(fx.node.application_by_number(head2, &app.number).is_err());
    assert!(
        fx.node
            .applications(head2, &AppQuery::default())
            .unwrap()
            .rows
            .is_empty()
    );
    assert!(matches!(
        fx.node.claim(head2, p.tasks[0], true).unwrap_err(),
        Error::NotFound { .. }
    ));
    assert!(
        fx.node
            .find_applicants(head2, &ApplicantQuery::Snils("112-233-445 95".into()), 10)
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        fx.node
            .find_applicants(fx.spec, &ApplicantQuery::Snils("11223344595".into()), 10)
            .unwrap()
            .len(),
        1
    );
    // Their own catalog copy is theirs.
    let s2 = fx.node.services(head2, false).unwrap();
    assert!(!s2.is_empty() && s2.iter().all(|s| s.org == org2));
    assert!(fx.node.service(head2, service(&fx).id).is_err());
    check_ok(&fx.node);
}

#[test]
fn first_password_must_be_changed_and_logins_checked() {
    let fx = fixture();
    let (u, pw) = fx
        .node
        .add_user(
            fx.admin,
            &NewUser {
                login: "novikova".into(),
                full_name: "Новикова Ольга".into(),
                dept: None,
                roles: vec!["specialist".into()],
                groups: vec![fx.group],
            },
        )
        .unwrap();
    let me = volost::Actor::User(u.id);
    assert!(fx.node.login("novikova", &pw).is_ok());
    assert!(matches!(
        fx.node.login("novikova", "wrong").unwrap_err(),
        Error::BadCredentials
    ));
    assert!(matches!(
        fx.node.login("nobody", &pw).unwrap_err(),
        Error::BadCredentials
    ));
    assert!(matches!(
        fx.node
            .queue(me, &TaskQuery::new(Queue::Group))
            .unwrap_err(),
        Error::PasswordChangeRequired
    ));
    assert!(
        fx.node.change_password(me, &pw, "12345678").is_err(),
        "digits only"
    );
    assert!(
        fx.node
            .change_password(me, "bad", "Novaya-parol-1")
            .is_err(),
        "wrong old password"
    );
    fx.node.change_password(me, &pw, "Novaya-parol-1").unwrap();
    assert!(fx.node.queue(me, &TaskQuery::new(Queue::Group)).is_ok());
    assert!(fx.node.login("novikova", "Novaya-parol-1").is_ok());
    assert!(
        fx.node
            .add_user(
                fx.admin,
                &NewUser {
                    login: "novikova".into(),
                    full_name: "Двойник".into(),
                    ..Default::default()
                }
            )
            .is_err()
    );
    fx.node.set_user_active(fx.admin, u.id, false).unwrap();
    assert!(fx.node.login("novikova", "Novaya-parol-1").is_err());
    let audit = fx.node.audit_tail(fx.admin, 50).unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.op == "user.change_password" && a.user == Some(u.id))
    );
    assert!(
        audit
            .iter()
            .any(|a| a.op == "user.set_active" && a.target == format!("user:{}", u.id))
    );
}

#[test]
fn applicants_found_by_snils_inn_and_name_ignoring_case_and_yo() {
    let fx = fixture();
    fx.node
        .create_applicant(fx.spec, &person("Семёнов Пётр Ильич", "112-233-445 95"))
        .unwrap();
    let org = ApplicantInput {
        kind: Some(ApplicantKind::Organisation),
        name: "ООО «Нива»".into(),
        inn: "7707083893".into(),
        ..Default::default()
    };
    fx.node.create_applicant(fx.spec, &org).unwrap();
    let by = |q| fx.node.find_applicants(fx.spec, &q, 10).unwrap().len();
    assert_eq!(by(ApplicantQuery::Name("СЕМЕНОВ".into())), 1);
    assert_eq!(by(ApplicantQuery::Name("семёнов пётр".into())), 1);
    assert_eq!(by(ApplicantQuery::Inn("7707083893".into())), 1);
    assert!(
        fx.node
            .find_applicants(fx.spec, &ApplicantQuery::Inn("7707083894".into()), 10)
            .is_err()
    );
    let bad = ApplicantInput {
        kind: Some(ApplicantKind::Organisation),
        name: "ООО".into(),
        inn: "500100732259".into(),
        ..Default::default()
    };
    let e = fx.node.create_applicant(fx.spec, &bad).unwrap_err();
    assert!(e.ru().contains("10 цифр"), "{}", e.ru());
}

#[test]
fn wrong_passwords_lock_the_account_for_a_while_and_the_audit_log_says_so() {
    let fx = fixture();
    // 4 wrong passwords are only wrong passwords; a right one clears the count.
    for _ in 0..4 {
        assert!(matches!(
            fx.node.login("spec", "wrong").unwrap_err(),
            Error::BadCredentials
        ));
    }
    fx.node.login("spec", "password-1").unwrap();
    for _ in 0..4 {
        fx.node.login("spec", "wrong").unwrap_err();
    }
    // The 5th in a row locks, and then even the right password is refused.
    let locked = fx.node.login("spec", "wrong").unwrap_err();
    assert!(matches!(locked, Error::LockedOut { .. }), "{locked:?}");
    assert!(locked.ru().contains("заблокирован до"), "{}", locked.ru());
    assert!(matches!(
        fx.node.login("spec", "password-1").unwrap_err(),
        Error::LockedOut { .. }
    ));
    // Other users are not affected.
    fx.node.login("spec2", "password-1").unwrap();
    fx.clock.advance_ms(14 * 60_000);
    assert!(fx.node.login("spec", "password-1").is_err(), "14 minutes");
    fx.clock.advance_ms(60_000 + 1);
    let u = fx.node.login("spec", "password-1").unwrap();
    assert_eq!((u.failed_logins, u.locked_until), (0, None));

    let ops: Vec<String> = fx
        .node
        .audit_tail(fx.admin, 100)
        .unwrap()
        .into_iter()
        .filter(|a| a.target == format!("user:{}", u.id))
        .map(|a| a.op)
        .collect();
    let count = |op: &str| ops.iter().filter(|o| *o == op).count();
    assert_eq!(count("auth.failed"), 9, "{ops:?}");
    assert_eq!(count("auth.locked"), 1, "{ops:?}");
    assert_eq!(count("auth.login"), 2, "{ops:?}");
    // An administrator's reset also lifts a lockout.
    for _ in 0..5 {
        fx.node.login("spec", "wrong").unwrap_err();
    }
    let pw = fx.node.reset_password(fx.admin, "spec").unwrap();
    assert!(fx.node.login("spec", &pw).unwrap().must_change_password);
}
