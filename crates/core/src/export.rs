//! Spreadsheets for people: the period report and the journal of outgoing requests
//! («Формирование журнала запросов в Excel») as .xlsx and CSV, with Russian headers, dates as
//! dates and column widths that fit the content.
//!
//! A [`Table`] is what both formats are made from, so the CSV and the workbook always say
//! the same thing. The CSV is for spreadsheets set up the Russian way: `;` between fields,
//! UTF-8 with a byte order mark (so that Excel reads it as UTF-8), dates as `дд.мм.гггг`.

use crate::service::{JournalRow, Report};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, XlsxError};
pub use volost_api::view::FileFormat;
use volost_domain::*;

/// One cell's value, typed so that a spreadsheet can sort and sum it.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Num(f64),
    Date(time::Date),
    DateTime(time::PrimitiveDateTime),
    Empty,
}

impl Cell {
    /// The value as written in a CSV or on screen.
    pub fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            // A decimal comma, as a Russian spreadsheet expects in a CSV.
            Cell::Num(x) => format!("{x:.1}").replace('.', ","),
            Cell::Date(d) => display_date(*d),
            Cell::DateTime(t) => format!(
                "{} {:02}:{:02}",
                display_date(t.date()),
                t.hour(),
                t.minute()
            ),
            Cell::Empty => String::new(),
        }
    }
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn opt_num(x: Option<f64>) -> Cell {
    x.map_or(Cell::Empty, Cell::Num)
}

/// A sheet: a title line above the headers, then the rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// The sheet's name (at most 31 characters, as Excel allows).
    pub name: String,
    pub title: String,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

#[derive(Debug, thiserror::Error)]
#[error("the spreadsheet cannot be written: {0}")]
pub struct ExportError(#[from] XlsxError);

fn csv_field(s: &str) -> String {
    if s.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The tables one after another, each under its title, separated by an empty line.
pub fn csv(tables: &[Table]) -> String {
    let mut out = String::from("\u{feff}");
    for (i, t) in tables.iter().enumerate() {
        if i > 0 {
            out.push_str("\r\n");
        }
        out.push_str(&csv_field(&t.title));
        out.push_str("\r\n");
        let line = |cells: Vec<String>| {
            cells
                .iter()
                .map(|c| csv_field(c))
                .collect::<Vec<_>>()
                .join(";")
        };
        out.push_str(&line(t.headers.iter().map(|h| h.to_string()).collect()));
        out.push_str("\r\n");
        for r in &t.rows {
            out.push_str(&line(r.iter().map(Cell::text).collect()));
            out.push_str("\r\n");
        }
    }
    out
}

/// A workbook with one sheet per table: the title in bold, the headers in bold with a filter
/// and frozen below them, dates and times as Excel dates.
pub fn xlsx(tables: &[Table]) -> Result<Vec<u8>, ExportError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let date = Format::new().set_num_format("dd.mm.yyyy");
    let stamp = Format::new().set_num_format("dd.mm.yyyy hh:mm");
    let one_place = Format::new().set_num_format("0.0");
    for t in tables {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(&t.name))?;
        ws.write_string_with_format(0, 0, &t.title, &bold)?;
        let mut widths: Vec<usize> = t
            .headers
            .iter()
            .map(|h| h.chars().count().min(30))
            .collect();
        for (c, h) in t.headers.iter().enumerate() {
            ws.write_string_with_format(2, c as u16, *h, &head)?;
        }
        for (i, r) in t.rows.iter().enumerate() {
            let row = 3 + i as u32;
            for (c, cell) in r.iter().enumerate() {
                let col = c as u16;
                match cell {
                    Cell::Text(s) => {
                        ws.write_string(row, col, s)?;
                    }
                    Cell::Int(n) => {
                        ws.write_number(row, col, *n as f64)?;
                    }
                    Cell::Num(x) => {
                        ws.write_number_with_format(row, col, *x, &one_place)?;
                    }
                    Cell::Date(d) => {
                        ws.write_datetime_with_format(row, col, excel_date(*d)?, &date)?;
                    }
                    Cell::DateTime(t) => {
                        let v = excel_date(t.date())?.and_hms(
                            u16::from(t.hour()),
                            t.minute(),
                            f64::from(t.second()),
                        )?;
                        ws.write_datetime_with_format(row, col, v, &stamp)?;
                    }
                    Cell::Empty => {}
                }
                if let Some(w) = widths.get_mut(c) {
                    *w = (*w).max(cell.text().chars().count().min(60));
                }
            }
        }
        for (c, w) in widths.iter().enumerate() {
            ws.set_column_width(c as u16, (*w + 2) as f64)?;
        }
        if !t.headers.is_empty() {
            let last_row = 2 + t.rows.len() as u32;
            ws.autofilter(2, 0, last_row, (t.headers.len() - 1) as u16)?;
            ws.set_freeze_panes(3, 0)?;
        }
    }
    Ok(wb.save_to_buffer()?)
}

fn excel_date(d: time::Date) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day())
}

/// Excel refuses `[]:*?/\` in a sheet's name and more than 31 characters.
fn sheet_name(s: &str) -> String {
    s.chars()
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .take(31)
        .collect()
}

/// The period report as four tables: services, executors, requests per status, addressees.
pub fn report_tables(r: &Report) -> Vec<Table> {
    let period = format!(
        "{} — {}{}",
        display_date(r.from),
        display_date(r.to),
        r.dept
            .as_ref()
            .map(|d| format!(", подразделение «{d}» с подчинёнными"))
            .unwrap_or_default()
    );
    let service_row = |l: &crate::service::ServiceLine| {
        vec![
            text(&l.service),
            Cell::Int(l.received as i64),
            Cell::Int(l.by_source[0] as i64),
            Cell::Int(l.by_source[1] as i64),
            Cell::Int(l.by_source[2] as i64),
            Cell::Int(l.by_source[3] as i64),
            Cell::Int(l.approved as i64),
            Cell::Int(l.refused as i64),
            opt_num(l.avg_days),
            l.max_days.map_or(Cell::Empty, |d| Cell::Int(i64::from(d))),
        ]
    };
    let mut services: Vec<Vec<Cell>> = r.services.iter().map(service_row).collect();
    services.push(service_row(&r.total));
    vec![
        Table {
            name: "Услуги".into(),
            title: format!("Заявления и решения за период {period}"),
            headers: vec![
                "Услуга",
                "Получено заявлений",
                "Личный приём",
                "ЕПГУ",
                "РПГУ",
                "МФЦ",
                "Положительных решений",
                "Отказов",
                "Средний срок решения, раб. дн.",
                "Наибольший срок, раб. дн.",
            ],
            rows: services,
        },
        Table {
            name: "Исполнители".into(),
            title: format!(
                "Задачи за период {period}: создано {}, просрочено {}",
                r.tasks, r.tasks_overdue
            ),
            headers: vec!["Исполнитель", "Выполнено задач", "Из них с просрочкой"],
            rows: r
                .executors
                .iter()
                .map(|e| {
                    vec![
                        text(&e.name),
                        Cell::Int(e.done as i64),
                        Cell::Int(e.overdue as i64),
                    ]
                })
                .collect(),
        },
        Table {
            name: "Запросы по статусам".into(),
            title: format!("Межведомственные запросы за период {period}"),
            headers: vec!["Статус", "Запросов"],
            rows: r
                .requests
                .iter()
                .map(|(s, n)| vec![text(s.label()), Cell::Int(*n as i64)])
                .collect(),
        },
        Table {
            name: "Запросы по адресатам".into(),
            title: format!("Межведомственные запросы по адресатам за период {period}"),
            headers: vec![
                "Адресат",
                "Запросов",
                "Получено ответов",
                "Среднее время ответа, ч",
            ],
            rows: r
                .addressees
                .iter()
                .map(|a| {
                    vec![
                        text(&a.agency),
                        Cell::Int(a.count as i64),
                        Cell::Int(a.answered as i64),
                        opt_num(a.avg_answer_hours),
                    ]
                })
                .collect(),
        },
    ]
}

/// The journal of outgoing requests, in the columns of the old system's journal and a few
/// more; times in the node's local time.
pub fn journal_table(rows: &[JournalRow], offset: time::UtcOffset, title: &str) -> Table {
    let at = |t: Ts| {
        let dt = t.to_datetime().to_offset(offset);
        Cell::DateTime(time::PrimitiveDateTime::new(dt.date(), dt.time()))
    };
    let maybe = |t: Option<Ts>| t.map_or(Cell::Empty, at);
    Table {
        name: "Журнал запросов".into(),
        title: title.into(),
        headers: vec![
            "Номер запроса",
            "Адресат",
            "Вид сведений",
            "Статус",
            "Дата создания",
            "Дата отправки",
            "Дата ответа",
            "Подразделение",
            "Исполнитель",
            "Номер заявки",
            "Идентификатор сообщения СМЭВ",
        ],
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    text(&r.number),
                    text(&r.agency),
                    text(&r.kind),
                    text(r.status.label()),
                    at(r.created),
                    maybe(r.sent),
                    maybe(r.answered),
                    text(&r.dept),
                    text(&r.executor),
                    text(&r.application),
                    text(&r.message_id),
                ]
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_it_and_writes_russian_numbers_and_dates() {
        let t = Table {
            name: "x".into(),
            title: "Отчёт; проба".into(),
            headers: vec!["А", "Б"],
            rows: vec![
                vec![Cell::Text("с \"кавычками\"".into()), Cell::Num(2.26)],
                vec![Cell::Date(time::macros::date!(2026 - 12 - 04)), Cell::Empty],
            ],
        };
        assert_eq!(
            csv(&[t]),
            "\u{feff}\"Отчёт; проба\"\r\nА;Б\r\n\"с \"\"кавычками\"\"\";2,3\r\n04.12.2026;\r\n"
        );
        assert_eq!(
            sheet_name("Запросы: по/статусам [2026] и ещё длинный хвост"),
            "Запросы- по-статусам -2026- и е"
        );
    }
}
