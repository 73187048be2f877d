//! «Отчёт за период» checked against a small dataset whose figures are counted by hand.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use volost::domain::*;
use volost::service::*;

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

fn date(d: u8) -> time::Date {
    time::Date::from_calendar_date(2026, time::Month::November, d).unwrap()
}

fn query(from: u8, to: u8) -> ReportQuery {
    ReportQuery {
        from: date(from),
        to: date(to),
        dept: None,
    }
}

fn act(fx: &Fx, who: volost::Actor, app: AppId, a: Action) -> Application {
    let input = match a {
        Action::Decide(_) => ActionInput::new(a).with_reason("Основание", "Сообщение"),
        _ => ActionInput::new(a),
    };
    fx.node.act(who, app, &input).unwrap()
}

#[test]
fn the_period_report_matches_a_hand_count() {
    let fx = fixture();
    // Monday 23.11: A is registered and approved at once (0 working days); B is registered;
    // C stays a draft and is not «received».
    let a = draft(&fx, fx.spec);
    let a = act(&fx, fx.spec, a.id, Action::Register);
    // A's task is done on time and ends its process (before the decision, which would
    // close it otherwise); B's stays open.
    let ta = fx.node.process_tasks(fx.head, a.process.unwrap()).unwrap()[0].id;
    fx.node.claim(fx.spec, ta, false).unwrap();
    fx.node.complete(fx.spec, ta, true, "").unwrap();
    act(&fx, fx.spec, a.id, Action::Decide(Verdict::Approve));
    act(&fx, fx.head, a.id, Action::Publish);
    let b = draft(&fx, fx.spec);
    let b = act(&fx, fx.spec, b.id, Action::Register);
    draft(&fx, fx.spec);
    // A request for A, sent at once and answered three hours later.
    let kind = fx.node.request_kinds(fx.spec).unwrap().remove(0);
    let q = fx
        .node
        .create_outgoing(fx.spec, kind.id, Some(a.id), &values(&kind.fields))
        .unwrap();
    for ev in [OutEvent::Prepared, OutEvent::Sent] {
        fx.node.outgoing_event(fx.spec, q.id, ev, "").unwrap();
    }
    fx.clock.advance_ms(3 * HOUR);
    fx.node
        .outgoing_event(fx.spec, q.id, OutEvent::AnswerReceived, "")
        .unwrap();
    // Wednesday 25.11: B is refused, two working days after its registration.
    fx.clock.advance_ms(2 * DAY);
    act(&fx, fx.spec, b.id, Action::Decide(Verdict::Refuse));
    act(&fx, fx.head, b.id, Action::Publish);
    // B's task, due Tuesday 24.11, was never done: B's end closed it (withdrawn), so a
    // month on it is neither late nor anyone's work.
    fx.clock.advance_ms(30 * DAY);

    let r = fx.node.report(fx.head, &query(23, 23)).unwrap();
    assert_eq!(r.services.len(), 1);
    let s = &r.services[0];
    assert_eq!(s.service, service(&fx).name);
    assert_eq!((s.received, s.by_source), (2, [2, 0, 0, 0]));
    assert_eq!((s.approved, s.refused), (1, 1));
    assert_eq!(s.avg_days, Some(1.0));
    assert_eq!(s.max_days, Some(2));
    assert_eq!(r.total.received, 2);
    assert_eq!(r.total.service, "Итого");
    assert_eq!((r.tasks, r.tasks_overdue), (2, 0));
    assert_eq!(
        r.executors,
        vec![ExecutorLine {
            name: "Иванова М. С.".into(),
            done: 1,
            overdue: 0
        }]
    );
    let answered = r
        .requests
        .iter()
        .find(|(s, _)| *s == OutStatus::Answered)
        .unwrap();
    assert_eq!(answered.1, 1);
    assert_eq!(r.requests.iter().map(|(_, n)| n).sum::<u64>(), 1);
    assert_eq!(r.addressees.len(), 1);
    assert_eq!(r.addressees[0].agency, kind.agency);
    assert_eq!((r.addressees[0].count, r.addressees[0].answered), (1, 1));
    assert_eq!(r.addressees[0].avg_answer_hours, Some(3.0));

    spreadsheets_say_what_the_report_says(&fx, &r, &kind, &a.number);

    // The day before holds nothing; a period of both days holds the same as Monday alone.
    let empty = fx.node.report(fx.head, &query(22, 22)).unwrap();
    assert!(empty.services.is_empty() && empty.tasks == 0 && empty.executors.is_empty());
    assert_eq!(
        fx.node.report(fx.head, &query(22, 24)).unwrap().total,
        r.total
    );
}

#[test]
fn a_department_report_takes_in_subordinates_and_nothing_else() {
    let fx = fixture();
    let top = fx
        .node
        .add_department(fx.admin, "Общий отдел", None)
        .unwrap();
    let sub = fx
        .node
        .add_department(fx.admin, "Сектор учёта", Some(top))
        .unwrap();
    let other = fx
        .node
        .add_department(fx.admin, "Бухгалтерия", None)
        .unwrap();
    let svc = service(&fx);
    for dept in [Some(sub), Some(other), None] {
        fx.node
            .create_application(
                fx.spec,
                &NewApplication {
                    service: svc.id,
                    dept,
                    applicant: ApplicantRef::New(person("Семёнов Пётр Ильич", "112-233-445 95")),
                    data: form(&svc),
                    source: Source::Manual,
                },
            )
            .map(|a| act(&fx, fx.spec, a.id, Action::Register))
            .unwrap();
    }
    let with = |d| ReportQuery {
        dept: Some(d),
        ..query(23, 23)
    };
    let r = fx.node.report(fx.head, &with(top)).unwrap();
    assert_eq!(r.total.received, 1);
    assert_eq!(r.dept.as_deref(), Some("Общий отдел"));
    assert_eq!(
        fx.node
            .report(fx.head, &with(other))
            .unwrap()
            .total
            .received,
        1
    );
    assert_eq!(
        fx.node
            .report(fx.head, &query(23, 23))
            .unwrap()
            .total
            .received,
        3
    );
}

#[test]
fn bad_periods_other_bodies_and_missing_rights_are_refused() {
    let fx = fixture();
    match fx.node.report(fx.head, &query(24, 23)) {
        Err(Error::Invalid(e)) => assert!(e[0].message.contains("позже"), "{e:?}"),
        other => panic!("{other:?}"),
    }
    let long = ReportQuery {
        from: time::Date::from_calendar_date(2020, time::Month::January, 1).unwrap(),
        ..query(23, 23)
    };
    assert!(matches!(
        fx.node.report(fx.head, &long),
        Err(Error::Invalid(_))
    ));
    let q = ReportQuery {
        dept: Some(DeptId(9_999)),
        ..query(23, 23)
    };
    assert!(matches!(
        fx.node.report(fx.head, &q),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        fx.node.report(fx.spec, &query(23, 23)),
        Err(Error::Forbidden { .. })
    ));
    fx.node.report(fx.support, &query(23, 23)).unwrap();
    fx.node.report(fx.admin, &query(23, 23)).unwrap();
}

/// An Excel serial date (days since 30.12.1899, the time as a fraction) of a local time.
fn serial(t: time::PrimitiveDateTime) -> f64 {
    let epoch = time::Date::from_calendar_date(1899, time::Month::December, 30).unwrap();
    let days = (t.date() - epoch).whole_days() as f64;
    days + (f64::from(t.hour()) * 3600.0 + f64::from(t.minute()) * 60.0) / 86_400.0
}

/// The report and the journal of the dataset above, written as .xlsx and CSV and read back
/// cell by cell.
fn spreadsheets_say_what_the_report_says(fx: &Fx, r: &Report, kind: &RequestKind, app: &str) {
    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
    use volost::export::FileFormat;

    let what = Exported::Report(query(23, 23));
    let f = fx.node.export(fx.head, &what, FileFormat::Xlsx).unwrap();
    assert_eq!(f.name, "Отчёт 23.11.2026–23.11.2026.xlsx");
    let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(f.data)).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "Услуги",
            "Исполнители",
            "Запросы по статусам",
            "Запросы по адресатам"
        ]
    );
    let s = wb.worksheet_range("Услуги").unwrap();
    let cell = |r: u32, c: u32| s.get_value((r, c)).cloned().unwrap_or(Data::Empty);
    assert_eq!(
        cell(0, 0),
        Data::String("Заявления и решения за период 23.11.2026 — 23.11.2026".into())
    );
    assert_eq!(cell(2, 0), Data::String("Услуга".into()));
    assert_eq!(
        cell(2, 8),
        Data::String("Средний срок решения, раб. дн.".into())
    );
    assert_eq!(cell(3, 0), Data::String(r.services[0].service.clone()));
    // Numbers are numbers: received 2 (2 in person), 1 approved, 1 refused, 1.0 and 2 days.
    let row: Vec<Data> = (1..10).map(|c| cell(3, c)).collect();
    assert_eq!(
        row,
        [2.0, 2.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 2.0]
            .map(Data::Float)
            .to_vec()
    );
    assert_eq!(cell(4, 0), Data::String("Итого".into()));
    assert_eq!(cell(4, 1), Data::Float(2.0));
    let e = wb.worksheet_range("Исполнители").unwrap();
    assert_eq!(
        e.get_value((3, 0)),
        Some(&Data::String("Иванова М. С.".into()))
    );
    assert_eq!(e.get_value((3, 1)), Some(&Data::Float(1.0)));
    let ad = wb.worksheet_range("Запросы по адресатам").unwrap();
    assert_eq!(
        ad.get_value((3, 0)),
        Some(&Data::String(kind.agency.clone()))
    );
    assert_eq!(ad.get_value((3, 3)), Some(&Data::Float(3.0)));

    // The CSV says the same, the Russian way.
    let csv = fx.node.export(fx.head, &what, FileFormat::Csv).unwrap();
    let text = String::from_utf8(csv.data).unwrap();
    assert!(text.starts_with('\u{feff}'));
    assert!(
        text.contains(&format!(
            "{};2;2;0;0;0;1;1;1,0;2\r\n",
            r.services[0].service
        )),
        "{text}"
    );

    // The journal of outgoing requests: one line, its dates as dates.
    let j = fx
        .node
        .export(
            fx.spec,
            &Exported::Journal(OutFilter::default()),
            FileFormat::Xlsx,
        )
        .unwrap();
    assert!(j.name.starts_with("Журнал запросов ") && j.name.ends_with(".xlsx"));
    let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(j.data)).unwrap();
    let s = wb.worksheet_range("Журнал запросов").unwrap();
    let header: Vec<String> = (0..11)
        .map(|c| {
            s.get_value((2, c))
                .map(|d| d.to_string())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(
        header[..4],
        ["Номер запроса", "Адресат", "Вид сведений", "Статус"]
    );
    let q = fx
        .node
        .outgoing_journal(fx.spec, &OutFilter::default())
        .unwrap()
        .remove(0);
    assert_eq!(s.get_value((3, 0)), Some(&Data::String(q.number.clone())));
    assert_eq!(
        s.get_value((3, 1)),
        Some(&Data::String(kind.agency.clone()))
    );
    assert_eq!(
        s.get_value((3, 3)),
        Some(&Data::String(OutStatus::Answered.label().into()))
    );
    assert_eq!(s.get_value((3, 9)), Some(&Data::String(app.into())));
    let local = |t: Ts| {
        let d = t.to_datetime().to_offset(fx.node.options().utc_offset);
        time::PrimitiveDateTime::new(d.date(), d.time())
    };
    for (col, at) in [(4, q.created), (6, q.answered.unwrap())] {
        match s.get_value((3, col)) {
            Some(Data::DateTime(d)) => {
                assert!((d.as_f64() - serial(local(at))).abs() < 1e-6, "{d:?}");
            }
            other => panic!("column {col} is not a date: {other:?}"),
        }
    }
    // Nobody without the right gets either.
    let e = fx.node.export(
        fx.support,
        &Exported::Journal(OutFilter::default()),
        FileFormat::Csv,
    );
    assert!(e.is_err());
}

/// `volost report` and `volost journal` on a stopped node: straight from the database, as the
/// user named; the file read back; bad input refused in words with exit code 1.
#[test]
fn the_cli_writes_the_report_and_the_journal_and_refuses_bad_periods() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let fx = fixture();
    let a = draft(&fx, fx.spec);
    act(&fx, fx.spec, a.id, Action::Register);
    let kind = fx.node.request_kinds(fx.spec).unwrap().remove(0);
    fx.node
        .create_outgoing(fx.spec, kind.id, Some(a.id), &values(&kind.fields))
        .unwrap();
    let svc = service(&fx).name;
    let dir = fx.dir.path().to_path_buf();
    drop(fx.node);
    let run = cli_on(&dir);
    let base = [
        "report",
        "--user",
        "head",
        "--from",
        "23.11.2026",
        "--to",
        "2026-11-23",
    ];
    let (ok, text) = run(&base);
    assert!(
        ok && text.contains("Итого") && text.contains(svc.split(' ').next().unwrap()),
        "{text}"
    );

    let xlsx = dir.join("отчёт.xlsx");
    let (ok, text) = run(&[
        &base[..],
        &["--format", "xlsx", "--out", xlsx.to_str().unwrap()],
    ]
    .concat());
    assert!(ok && text.contains("Записан файл"), "{text}");
    let mut wb: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let s = wb.worksheet_range("Услуги").unwrap();
    assert_eq!(s.get_value((3, 1)), Some(&Data::Float(1.0)));

    let csv = dir.join("журнал.csv");
    let (ok, text) = run(&[
        "journal",
        "--user",
        "spec",
        "--format",
        "csv",
        "--out",
        csv.to_str().unwrap(),
    ]);
    assert!(ok, "{text}");
    let journal = std::fs::read_to_string(&csv).unwrap();
    assert!(
        journal.contains("(запросов: 1)") && journal.contains(&kind.agency),
        "{journal}"
    );

    let (ok, text) = run(&[
        "report",
        "--user",
        "head",
        "--from",
        "24.11.2026",
        "--to",
        "23.11.2026",
    ]);
    assert!(
        !ok && text.contains("Начало периода позже его конца"),
        "{text}"
    );
    let (ok, text) = run(&[
        "report",
        "--user",
        "head",
        "--from",
        "31.11.2026",
        "--to",
        "1.12.2026",
    ]);
    assert!(!ok && text.contains("не дата"), "{text}");
    let (ok, text) = run(&[&base[..], &["--dept", "Бухгалтерия"]].concat());
    assert!(
        !ok && text.contains("нет подразделения «Бухгалтерия»"),
        "{text}"
    );
    let (ok, text) = run(&[&base[..], &["--format", "pdf"]].concat());
    assert!(!ok && text.contains("неизвестный формат"), "{text}");
    let (ok, text) = run(&[
        "report",
        "--user",
        "spec",
        "--from",
        "23.11.2026",
        "--to",
        "23.11.2026",
    ]);
    assert!(!ok && text.contains("Недостаточно прав"), "{text}");
}
