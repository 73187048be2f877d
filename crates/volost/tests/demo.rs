//! The demo the README's first command starts: seeded, it passes `volost check`, holds every
//! source of application, and leaves no task open behind an application that ended.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use std::sync::Arc;
use volost::domain::*;
use volost::service::*;
use volost::{Actor, Node, Options};

#[test]
fn a_fresh_demo_is_clean_and_shows_every_source() {
    let dir = tempfile::tempdir().unwrap();
    let r = Node::init(
        dir.path(),
        &org("Администрация Петропавловского сельсовета"),
        "admin",
        Arc::new(volost::clock::SystemClock),
        Options::for_tests(),
    )
    .unwrap();
    let rep = volost::demo::seed(&r.node, Actor::System(r.org), 400, 1).unwrap();
    assert_eq!(rep.applications, 400);
    check_ok(&r.node);
    let head = Actor::User(r.node.user_by_login("glava").unwrap().unwrap().id);
    for source in Source::ALL {
        let q = AppQuery {
            filter: AppFilter {
                source: Some(source),
                ..AppFilter::default()
            },
            limit: 500,
            ..AppQuery::default()
        };
        let rows = r.node.applications(head, &q).unwrap().rows;
        assert!(!rows.is_empty(), "no application from {}", source.label());
        assert!(rows.iter().all(|a| a.source == source));
        if source.from_portal() {
            assert!(
                rows.iter().all(|a| a.status != Status::Draft),
                "a portal's application is never a draft"
            );
        }
    }
    // A registered desk application has its inventory: its receipt prints as it is.
    volost::daemon::paper::start(&r.node, &volost::config::DocumentsConfig::default());
    let q = AppQuery {
        filter: AppFilter {
            source: Some(Source::Manual),
            ..AppFilter::default()
        },
        limit: 500,
        ..AppQuery::default()
    };
    let desk = r.node.applications(head, &q).unwrap().rows;
    let row = desk
        .iter()
        .find(|a| a.status > Status::Registered && a.status < Status::Closed)
        .unwrap();
    let card = r.node.application(head, row.id).unwrap();
    assert!(card.app.inventory.len() >= 2, "{:?}", card.app.inventory);
    let receipt = r.node.print(head, row.id, DocumentKind::Receipt).unwrap();
    let text = pdf_text(&receipt.data);
    assert!(
        text.contains(&format!("Заявление № {}", card.app.number))
            && text.contains(&card.app.inventory[0].name),
        "{text}"
    );
}
