//! List queries against a brute-force oracle: for random filters, sort columns, directions
//! and page sizes, following the cursor must yield exactly the rows a full scan, filtered and
//! sorted in the test, gives. The queries narrow their index range from the filters (a period
//! seeks instead of skipping), so this is what proves those ranges lose nothing.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use volost::clock::Clock;
use volost::domain::validate::normalize_name;
use volost::domain::*;
use volost::service::*;

const HOUR: i64 = 3_600_000;

struct Known {
    id: TaskId,
    author: UserId,
    author_name: String,
    created: Ts,
    due: time::Date,
    name: String,
    application: Option<String>,
}

/// Follows the cursor to the end with `limit` rows a page.
fn all_pages(fx: &Fx, mut q: TaskQuery) -> Vec<TaskId> {
    let mut out = Vec::new();
    loop {
        let page = fx.node.queue(fx.spec, &q).unwrap();
        assert!(page.rows.len() <= q.limit);
        out.extend(page.rows.iter().map(|r| r.id));
        match page.next {
            Some(c) => q.after = Some(c),
            None => return out,
        }
    }
}

fn name_key(s: &str) -> Vec<u8> {
    let n = normalize_name(s);
    let mut end = n.len().min(48);
    while !n.is_char_boundary(end) {
        end -= 1;
    }
    n.as_bytes()[..end].to_vec()
}

#[test]
fn task_queue_pages_match_a_full_scan() {
    let fx = fixture();
    let services = fx.node.services(fx.admin, false).unwrap();
    let authors = [fx.spec, fx.spec2, fx.sup];
    let start = fx.clock.now();
    for i in 0..90usize {
        // Uneven steps over about five weeks, so periods cut through days and due dates.
        fx.clock.advance_ms(HOUR * (1 + (i as i64 * 7) % 13));
        let svc = &services[i % 5];
        // A third are the processes of applications, for the sort by «Заявка».
        let first = if i % 3 == 1 {
            let who = authors[i % 3];
            let d = draft(&fx, who);
            let a = fx
                .node
                .act(who, d.id, &ActionInput::new(Action::Register))
                .unwrap();
            fx.node.process_tasks(fx.spec, a.process.unwrap()).unwrap()[0].id
        } else {
            let p = fx
                .node
                .launch_service(authors[i % 3], svc.id, None)
                .unwrap();
            p.tasks[0]
        };
        if i % 4 == 0 {
            let t = fx.node.task(fx.spec, first).unwrap().task;
            let later = t.due.saturating_add(time::Duration::days((i % 20) as i64));
            fx.node.set_due(fx.sup, t.id, later).unwrap();
        }
        if i % 9 == 0 {
            fx.node.claim(fx.spec2, first, false).unwrap();
        }
    }
    let end = fx.clock.now();
    fx.clock.advance_ms(HOUR * 24 * 10);
    let today = fx
        .clock
        .now()
        .date(time::UtcOffset::from_hms(7, 0, 0).unwrap());

    let mut everything = TaskQuery::new(Queue::Group);
    everything.limit = 500;
    let rows = fx.node.queue(fx.spec, &everything).unwrap().rows;
    assert_eq!(rows.len(), 80, "90 launched, 10 claimed");
    let by_name = |n: &str| {
        [
            (fx.spec, "Иванова"),
            (fx.spec2, "Петров"),
            (fx.sup, "Кузнецов"),
        ]
        .iter()
        .find(|(_, s)| n.starts_with(s))
        .map(|(a, _)| uid(*a))
        .unwrap()
    };
    let known: Vec<Known> = rows
        .iter()
        .map(|r| Known {
            id: r.id,
            author: by_name(&r.author),
            author_name: r.author.clone(),
            created: r.created,
            due: r.due,
            name: r.name.clone(),
            application: r.application.clone(),
        })
        .collect();
    let words: Vec<String> = services[..5]
        .iter()
        .map(|s| {
            s.steps[0]
                .name
                .split_whitespace()
                .next()
                .unwrap()
                .to_lowercase()
        })
        .collect();

    let span = end.0 - start.0;
    let strategy = (
        0..TaskCol::ALL.len(),
        any::<bool>(),
        prop::option::of(0..3usize),
        prop::option::of(0..=span),
        prop::option::of(0..=span),
        any::<bool>(),
        prop::option::of(0..words.len()),
        1..17usize,
    );
    let mut runner = TestRunner::new(Config {
        cases: 300,
        ..Config::default()
    });
    runner
        .run(
            &strategy,
            |(sort, desc, author, from, to, overdue, word, limit)| {
                let mut q = TaskQuery::new(Queue::Group);
                q.sort = TaskCol::ALL[sort];
                q.desc = desc;
                q.limit = limit;
                q.filter.author = author.map(|a| uid(authors[a]));
                q.filter.created_from = from.map(|x| Ts(start.0 + x));
                q.filter.created_to = to.map(|x| Ts(start.0 + x));
                q.filter.overdue_only = overdue;
                q.filter.name_contains = word.map(|w| words[w].clone());

                let f = &q.filter;
                let mut want: Vec<&Known> = known
                    .iter()
                    .filter(|k| {
                        f.author.is_none_or(|a| k.author == a)
                            && f.created_from.is_none_or(|x| k.created >= x)
                            && f.created_to.is_none_or(|x| k.created < x)
                            && (!f.overdue_only || k.due < today)
                            && f.name_contains.as_ref().is_none_or(|w| {
                                normalize_name(&k.name).contains(&normalize_name(w))
                            })
                    })
                    .collect();
                want.sort_by(|a, b| {
                    let tail = (a.created, a.id).cmp(&(b.created, b.id));
                    match q.sort {
                        TaskCol::Created => tail,
                        TaskCol::Due => a.due.cmp(&b.due).then(tail),
                        TaskCol::Name => name_key(&a.name).cmp(&name_key(&b.name)).then(tail),
                        TaskCol::Author => name_key(&a.author_name)
                            .cmp(&name_key(&b.author_name))
                            .then(tail),
                        // Nobody holds a task of the group queue.
                        TaskCol::Holder => tail,
                        // By number, a task of no application last.
                        TaskCol::Application => (a.application.is_none(), &a.application)
                            .cmp(&(b.application.is_none(), &b.application))
                            .then(tail),
                    }
                });
                if desc {
                    want.reverse();
                }
                let want: Vec<TaskId> = want.iter().map(|k| k.id).collect();
                prop_assert_eq!(all_pages(&fx, q.clone()), want, "{:?}", q);
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn application_pages_match_a_full_scan() {
    let fx = fixture();
    let start = fx.clock.now();
    let mut ids = Vec::new();
    // Applicants and services of several names, so that the sorts by name have work to do.
    let services = fx.node.services(fx.admin, false).unwrap();
    let names = [
        "Яковлева Мария Васильевна",
        "Ильин Тимур Кузьмич",
        "ёлкин Пётр Ильич",
        "Захаров Станислав Олегович",
    ];
    for i in 0..40i64 {
        fx.clock.advance_ms(HOUR * (1 + (i * 5) % 11));
        let svc = services
            .iter()
            .filter(|s| !s.fields.iter().any(|f| f.ftype == FieldType::File))
            .nth(i as usize % 3)
            .unwrap();
        let a = fx
            .node
            .create_application(
                if i % 2 == 0 { fx.spec } else { fx.spec2 },
                &NewApplication {
                    service: svc.id,
                    dept: None,
                    applicant: ApplicantRef::New(ApplicantInput {
                        kind: Some(ApplicantKind::Person),
                        name: names[i as usize % 4].into(),
                        passport: format!("0104 1234{:02}", i + 1),
                        ..Default::default()
                    }),
                    data: form(svc),
                    source: Source::Manual,
                },
            )
            .unwrap();
        if i % 3 != 0 {
            let who = if i % 2 == 0 { fx.spec } else { fx.spec2 };
            fx.node
                .act(who, a.id, &ActionInput::new(Action::Register))
                .unwrap();
        }
        ids.push(a.id);
    }
    let span = fx.clock.now().0 - start.0;
    let all = {
        let mut q = AppQuery {
            limit: 500,
            ..AppQuery::default()
        };
        q.filter = AppFilter::default();
        fx.node.applications(fx.sup, &q).unwrap().rows
    };
    assert_eq!(all.len(), 40);
    let statuses: Vec<Status> = {
        let mut s: Vec<Status> = all.iter().map(|r| r.status).collect();
        s.sort_by_key(|s| s.code());
        s.dedup();
        s
    };
    let strategy = (
        // Every sort but «Дата изменения», which a row does not show to compare with.
        prop::sample::select(
            AppCol::ALL
                .into_iter()
                .filter(|c| *c != AppCol::Updated)
                .collect::<Vec<_>>(),
        ),
        any::<bool>(),
        prop::option::of(0..statuses.len()),
        prop::option::of(0..=span),
        prop::option::of(0..=span),
        1..9usize,
    );
    TestRunner::new(Config {
        cases: 200,
        ..Config::default()
    })
    .run(&strategy, |(sort, desc, status, from, to, limit)| {
        let mut q = AppQuery {
            sort,
            desc,
            limit,
            ..AppQuery::default()
        };
        q.filter.statuses = status.map(|s| vec![statuses[s]]).unwrap_or_default();
        q.filter.created_from = from.map(|x| Ts(start.0 + x));
        q.filter.created_to = to.map(|x| Ts(start.0 + x));
        let f = &q.filter;
        let mut want: Vec<&AppRow> = all
            .iter()
            .filter(|r| {
                (f.statuses.is_empty() || f.statuses.contains(&r.status))
                    && f.created_from.is_none_or(|x| r.created >= x)
                    && f.created_to.is_none_or(|x| r.created < x)
            })
            .collect();
        want.sort_by(|a, b| {
            let tail = (a.created, a.id).cmp(&(b.created, b.id));
            // No executor sorts after every name.
            let who = |r: &AppRow| (r.assignee.is_none(), r.assignee.as_deref().map(name_key));
            match sort {
                AppCol::Status => a.status.code().cmp(&b.status.code()).then(tail),
                AppCol::Due => (a.due.is_none(), a.due)
                    .cmp(&(b.due.is_none(), b.due))
                    .then(tail),
                AppCol::Service => name_key(&a.service).cmp(&name_key(&b.service)).then(tail),
                AppCol::Applicant => name_key(&a.applicant)
                    .cmp(&name_key(&b.applicant))
                    .then(tail),
                AppCol::Assignee => who(a).cmp(&who(b)).then(tail),
                AppCol::Created | AppCol::Updated => tail,
            }
        });
        if desc {
            want.reverse();
        }
        let want: Vec<AppId> = want.iter().map(|r| r.id).collect();
        let mut got = Vec::new();
        loop {
            let page = fx.node.applications(fx.sup, &q).unwrap();
            got.extend(page.rows.iter().map(|r| r.id));
            match page.next {
                Some(c) => q.after = Some(c),
                None => break,
            }
        }
        prop_assert_eq!(got, want);
        Ok(())
    })
    .unwrap();
}
