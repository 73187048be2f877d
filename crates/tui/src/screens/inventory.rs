//! The «Опись» tab of an application card: the documents the applicant handed in, as the
//! receipt lists them, and the receipt printed from them.

use crate::keymap::Cmd;
use crate::screens::application::AppView;
use crate::screens::effect::Effect;
use crate::screens::form::{DataForm, Purpose};
use std::ops::ControlFlow;
use volost_domain::{Application, DocumentKind, Field, FieldType, Received, Service};

/// The keys of the tab: a line added, changed or removed, the receipt printed. Others go on
/// to the card.
pub fn handle(v: &mut AppView, cmd: Cmd) -> ControlFlow<Option<Effect>> {
    let app = &v.card.app;
    let n = app.inventory.len();
    let e = match cmd {
        Cmd::Up => {
            v.row = v.row.saturating_sub(1);
            None
        }
        Cmd::Down => {
            v.row = (v.row + 1).min(n.saturating_sub(1));
            None
        }
        Cmd::Add => Some(Effect::Fill(Box::new(form(app, &v.card.service, None)))),
        Cmd::Edit | Cmd::Open if v.row < n => Some(Effect::Fill(Box::new(form(
            app,
            &v.card.service,
            Some(v.row),
        )))),
        Cmd::Remove if v.row < n => {
            let mut items = app.inventory.clone();
            items.remove(v.row);
            v.row = v.row.min(items.len().saturating_sub(1));
            Some(Effect::SetInventory(app.id, items))
        }
        Cmd::Print => Some(Effect::Print(app.id, DocumentKind::Receipt)),
        _ => return ControlFlow::Continue(()),
    };
    ControlFlow::Break(e)
}

const ORIGINAL: &str = "Подлинник";
const COPY: &str = "Копия";

fn field(key: &str, label: &str, ftype: FieldType, min: i64, max: i64) -> Field {
    Field {
        key: key.into(),
        label: label.into(),
        ftype,
        required: true,
        choices: Vec::new(),
        max_len: None,
        min: Some(min),
        max: Some(max),
        hint: None,
    }
}

/// The form of one line of the inventory: a new one (opened with the first document of the
/// service's list not yet in it, one copy) or line `line` as it is.
pub fn form(app: &Application, service: &Service, line: Option<usize>) -> DataForm {
    let fields = vec![
        Field {
            max_len: Some(volost_domain::MAX_RECEIVED_NAME as u32),
            min: None,
            max: None,
            hint: Some("Из перечня документов услуги или иной".into()),
            ..field("name", "Наименование документа", FieldType::Text, 0, 0)
        },
        Field {
            choices: vec![ORIGINAL.into(), COPY.into()],
            min: None,
            max: None,
            ..field("original", "Подлинник или копия", FieldType::Choice, 0, 0)
        },
        field(
            "copies",
            "Экземпляров",
            FieldType::Number,
            1,
            i64::from(volost_domain::MAX_COPIES),
        ),
        field(
            "sheets",
            "Листов в экземпляре",
            FieldType::Number,
            1,
            i64::from(volost_domain::MAX_SHEETS),
        ),
    ];
    let current = line.and_then(|i| app.inventory.get(i)).cloned();
    let start = current.clone().unwrap_or_else(|| Received {
        name: service
            .documents
            .iter()
            .find(|d| !app.inventory.iter().any(|r| &r.name == *d))
            .cloned()
            .unwrap_or_default(),
        original: true,
        copies: 1,
        sheets: 0,
    });
    let title = format!(
        "{} · {}",
        if current.is_some() {
            crate::text::INVENTORY_EDIT
        } else {
            crate::text::INVENTORY_ADD
        },
        app.number
    );
    let mut form = DataForm::with(
        Purpose::Inventory {
            app: app.id,
            items: app.inventory.clone(),
            line,
        },
        title,
        fields,
        Vec::new(),
    );
    let values = [
        start.name,
        if start.original { ORIGINAL } else { COPY }.to_string(),
        start.copies.to_string(),
        if start.sheets == 0 {
            String::new()
        } else {
            start.sheets.to_string()
        },
    ];
    for (inp, v) in form.inputs.iter_mut().zip(values) {
        inp.value = v.as_str().into();
    }
    form.opened()
}

/// The inventory with the form's line put in (or added): what saving the form sends.
pub fn with_line(
    items: &[Received],
    line: Option<usize>,
    data: &std::collections::BTreeMap<String, String>,
) -> Vec<Received> {
    let get = |k: &str| data.get(k).map(String::as_str).unwrap_or("");
    let r = Received {
        name: get("name").to_string(),
        original: get("original") != COPY,
        copies: get("copies").parse().unwrap_or(0),
        sheets: get("sheets").parse().unwrap_or(0),
    };
    let mut out = items.to_vec();
    match line.filter(|i| *i < out.len()) {
        Some(i) => out[i] = r,
        None => out.push(r),
    }
    out
}
