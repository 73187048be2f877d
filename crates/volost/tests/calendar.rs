//! The production calendar on a node: deadlines across New Year, provisional due dates, an
//! imported decree moving open due dates with history, and `volost calendar` on the command
//! line. (The hand counts of the dates are in `crates/domain/src/calendar/official.rs`.)
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use std::process::Command;
use time::macros::date;
use volost::domain::*;
use volost::service::*;

/// Thursday 24 December 2026, 10:00 at +07:00.
fn christmas_eve() -> Ts {
    Ts(monday().0 + 31 * 86_400_000)
}

/// A specialist's own application, registered on Thursday 24.12.2026.
fn registered_on_christmas_eve(fx: &Fx) -> Application {
    fx.clock.set(christmas_eve());
    let d = draft(fx, fx.spec);
    fx.node
        .act(fx.spec, d.id, &ActionInput::new(Action::Register))
        .unwrap()
}

#[test]
fn an_imported_decree_moves_open_due_dates_and_confirms_them() {
    let fx = fixture();
    let app = registered_on_christmas_eve(&fx);
    // Five working days from Thursday 24.12.2026: 25, 28, 29, 30 December (4); 31 December
    // off by Постановление № 1466; 1–8 January holidays, 9–10 a weekend; Monday 11 January.
    assert_eq!(app.due, Some(date!(2027 - 01 - 11)));
    let card = fx.node.application(fx.spec, app.id).unwrap();
    assert!(card.due_provisional, "2027 has no decree loaded");
    let task = fx
        .node
        .process_tasks(fx.spec, app.process.unwrap())
        .unwrap()[0]
        .clone();
    assert_eq!(task.due, date!(2026 - 12 - 25));
    assert!(!fx.node.task(fx.spec, task.id).unwrap().due_provisional);

    // Staff may not import; the administrator may. A decree moving Saturday 2 January to
    // Monday 11 January 2027 makes the count end a day later.
    let decree = "[[year]]\nyear = 2027\ndecree = \"Постановление (проверочное)\"\n\
                  transfers = [[\"2027-01-02\", \"2027-01-11\"]]\n";
    assert!(
        fx.node
            .import_calendar(fx.spec, decree.as_bytes(), "decree.toml")
            .is_err()
    );
    let r = fx
        .node
        .import_calendar(fx.admin, decree.as_bytes(), "decree.toml")
        .unwrap();
    assert_eq!(r.years, vec![(2027, 248)]);
    assert_eq!(
        r.moved,
        Recomputed {
            tasks: 0,
            applications: 1
        }
    );
    let card = fx.node.application(fx.spec, app.id).unwrap();
    assert_eq!(card.app.due, Some(date!(2027 - 01 - 12)));
    assert!(!card.due_provisional);
    let last = card.history.last().unwrap();
    assert_eq!(
        last.what,
        "Срок пересчитан по производственному календарю: 11.01.2027 → 12.01.2027"
    );

    // A day the administrator marks off moves the task due on it.
    let moved = fx
        .node
        .set_calendar_day(fx.admin, date!(2026 - 12 - 25), true)
        .unwrap();
    assert_eq!(moved.tasks, 1);
    assert_eq!(moved.applications, 1);
    let t = fx.node.task(fx.spec, task.id).unwrap();
    assert_eq!(t.task.due, date!(2026 - 12 - 28));
    assert!(
        t.history
            .last()
            .unwrap()
            .what
            .contains("25.12.2026 → 28.12.2026")
    );

    // A bad file changes nothing and says what is wrong, in Russian.
    let e = fx
        .node
        .import_calendar(
            fx.admin,
            "\"Год/Месяц\",\"Январь\"\n2027,\"1,2\"\n".as_bytes(),
            "x.csv",
        )
        .unwrap_err();
    assert!(e.ru().contains("Февраль"), "{}", e.ru());
    assert_eq!(fx.node.calendar(fx.admin).unwrap().years.len(), 4);
    let status = fx.node.calendar_status().unwrap();
    assert_eq!(status.confirmed_until, Some(date!(2027 - 12 - 31)));
    check_ok(&fx.node);
}

fn volost(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_volost"))
        .args(args)
        .env_remove("VOLOST_CONFIG")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_command_line_counts_and_lists() {
    let (ok, out, _) = volost(&["calendar", "due", "--from", "01.12.2026", "--days", "5"]);
    assert!(ok);
    assert_eq!(out.trim(), "08.12.2026");
    let (ok, out, _) = volost(&["calendar", "due", "--from", "07.12.2026", "--days", "30"]);
    assert!(ok);
    assert!(out.starts_with("27.01.2027 предварительно"), "{out}");
    assert!(out.contains("2027"), "{out}");

    let (ok, out, _) = volost(&["calendar", "show", "--year", "2026"]);
    assert!(ok);
    assert!(out.contains("24.09.2025 № 1466"), "{out}");
    assert!(
        out.contains("09.01.2026 пт  перенесённый выходной день"),
        "{out}"
    );
    assert!(
        out.contains("09.03.2026 пн  перенесённый выходной день"),
        "{out}"
    );
    assert!(out.contains("Всего рабочих дней: 247"), "{out}");
    let (ok, out, _) = volost(&["calendar", "show", "--year", "2025"]);
    assert!(ok);
    assert!(
        out.contains("01.11.2025 сб  рабочий день по переносу"),
        "{out}"
    );
    let (ok, out, _) = volost(&["calendar", "show", "--year", "2027"]);
    assert!(ok);
    assert!(out.contains("ПРЕДВАРИТЕЛЬНЫЙ"), "{out}");
    assert!(
        out.contains("03.05.2027 пн  перенесённый выходной день"),
        "{out}"
    );

    let (ok, _, err) = volost(&["calendar", "due", "--from", "32.12.2026", "--days", "5"]);
    assert!(!ok);
    assert!(err.contains("не дата"), "{err}");
}

/// A node updated from the version whose calendar knew only 2026 (stored as version 1): the
/// deadline it counted across New Year ignored the January holidays, and the first settle
/// moves it, with history; a second settle changes nothing.
#[test]
fn an_update_moves_the_due_dates_the_old_calendar_counted_wrong() {
    use volost::store::Read;
    #[derive(serde::Serialize)]
    struct V1 {
        holidays: std::collections::BTreeSet<time::Date>,
        workdays: std::collections::BTreeSet<time::Date>,
    }
    let fx = fixture();
    let app = registered_on_christmas_eve(&fx);
    // As the old version stored it: the starter's 2026 list, and the due date it counted —
    // five working days from Thursday 24.12.2026 with nothing off in January: 25, 28, 29, 30
    // December, then Friday 1 January 2027.
    {
        let store = fx.node.store();
        let mut tx = store.begin().unwrap();
        let v1 = V1 {
            holidays: volost::domain::calendar::official::years()[&2026]
                .off
                .clone(),
            workdays: Default::default(),
        };
        tx.meta_put("calendar", &volost::store::codec::encode(1, &v1).unwrap())
            .unwrap();
        let mut a: Application = tx.get(app.id.0).unwrap().unwrap();
        a.due = Some(date!(2027 - 01 - 01));
        tx.put(&a).unwrap();
        tx.commit().unwrap();
    }
    let moved = fx.node.settle_calendar().unwrap();
    assert_eq!(moved.applications, 1);
    let card = fx.node.application(fx.spec, app.id).unwrap();
    assert_eq!(card.app.due, Some(date!(2027 - 01 - 11)));
    assert_eq!(
        card.history.last().unwrap().what,
        "Срок пересчитан по производственному календарю: 01.01.2027 → 11.01.2027"
    );
    assert_eq!(
        fx.node.settle_calendar().unwrap(),
        Recomputed::default(),
        "settled once"
    );
    assert!(
        fx.node
            .store()
            .read()
            .unwrap()
            .meta_get("calendar")
            .unwrap()
            .unwrap()[0]
            == 2
    );
    check_ok(&fx.node);
}
