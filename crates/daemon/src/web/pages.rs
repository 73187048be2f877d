//! The pages of «Окно документов» as HTML, from the API's views: pure functions, so what a
//! page shows is decided here and nowhere else. maud escapes every value it is given.

use maud::{DOCTYPE, Markup, html};
use volost_api::SessionInfo;
use volost_api::view::{ApplicationCard, TaskRow, TemplateView};
use volost_domain::{Attachment, DocumentKind, Ts, display_date, size_label};

/// The static files, named with the build's version so that a browser's cached copy is never
/// an older release's.
pub const CSS: &str = concat!("/static/", env!("CARGO_PKG_VERSION"), "/app.css");
pub const JS: &str = concat!("/static/", env!("CARGO_PKG_VERSION"), "/app.js");
pub const SIGN_JS: &str = concat!("/static/", env!("CARGO_PKG_VERSION"), "/sign.js");

/// Who is signed in and the token their forms carry.
pub struct Me<'a> {
    pub info: &'a SessionInfo,
    pub csrf: &'a str,
}

impl Me<'_> {
    fn date(&self, ts: Ts) -> String {
        let off = time::UtcOffset::from_whole_seconds(self.info.utc_offset_seconds)
            .unwrap_or(time::UtcOffset::UTC);
        display_date(ts.date(off))
    }
}

fn layout(title: &str, me: Option<&Me>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="ru" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — Окно документов" }
                link rel="stylesheet" href=(CSS);
                script src=(JS) defer {}
            }
            body {
                header {
                    a.brand href="/" { "Окно документов" }
                    @if let Some(me) = me {
                        nav {
                            a href="/tasks" { "Мои задачи" }
                            " " a href="/sign" { "Подпись токеном" }
                            @if me.info.rights.has(volost_domain::Right::Administer) {
                                " " a href="/templates" { "Шаблоны документов" }
                            }
                        }
                        form.find method="get" action="/a" {
                            input type="search" name="number" placeholder="Номер заявки"
                                aria-label="Номер заявки";
                        }
                        span.who { (me.info.full_name) }
                        form method="post" action="/logout" {
                            input type="hidden" name="_csrf" value=(me.csrf);
                            button.link type="submit" { "Выйти" }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}

pub fn login(error: Option<&str>, login: &str, pre: &str, next: &str) -> Markup {
    layout(
        "Вход",
        None,
        html! {
            h1 { "Вход" }
            @if let Some(e) = error { p.error role="alert" { (e) } }
            form.card method="post" action="/login" {
                input type="hidden" name="_pre" value=(pre);
                input type="hidden" name="next" value=(next);
                label { "Логин" input name="login" value=(login) autocomplete="username" required autofocus; }
                label { "Пароль" input type="password" name="password" autocomplete="current-password" required; }
                button type="submit" { "Войти" }
            }
            p.hint { "Те же логин и пароль, что в терминале узла." }
        },
    )
}

pub fn password(me: &Me, error: Option<&str>) -> Markup {
    layout(
        "Смена пароля",
        Some(me),
        html! {
            h1 { "Смена пароля" }
            @if me.info.must_change_password {
                p { "Перед началом работы смените первоначальный пароль." }
            }
            @if let Some(e) = error { p.error role="alert" { (e) } }
            form.card method="post" action="/password" {
                input type="hidden" name="_csrf" value=(me.csrf);
                label { "Текущий пароль" input type="password" name="old" autocomplete="current-password" required; }
                label { "Новый пароль" input type="password" name="new" autocomplete="new-password" required; }
                label { "Новый пароль ещё раз" input type="password" name="repeat" autocomplete="new-password" required; }
                button type="submit" { "Сменить пароль" }
            }
        },
    )
}

pub fn tasks(me: &Me, rows: &[TaskRow], more: bool) -> Markup {
    layout(
        "Мои задачи",
        Some(me),
        html! {
            h1 { "Мои задачи" }
            @if rows.is_empty() {
                p.empty { "Задач нет. Задачи группы берутся в работу в терминале." }
            } @else {
                table {
                    thead { tr { th { "Задача" } th { "Заявка" } th { "Срок" } } }
                    tbody {
                        @for r in rows {
                            tr.overdue[r.overdue_days > 0] {
                                td { (r.name) }
                                td {
                                    @if let Some(n) = &r.application {
                                        a href={ "/a/" (n) } { (n) }
                                    }
                                }
                                td {
                                    (display_date(r.due))
                                    @if r.overdue_days > 0 {
                                        " (просрочено на " (r.overdue_days) " раб. дн.)"
                                    }
                                }
                            }
                        }
                    }
                }
                @if more { p.hint { "Показаны первые " (rows.len()) "; остальные — в терминале." } }
            }
        },
    )
}

/// What a page says after an action, above its content.
pub enum Flash<'a> {
    None,
    Done(&'a str),
    Error(&'a str),
}

/// An application's card as the page shows it: the card, its files, its requests' files.
pub struct Card {
    pub card: ApplicationCard,
    pub files: Vec<Attachment>,
    pub answers: Vec<RequestFiles>,
}

/// The files of one of the application's requests (an agency's answer among them).
pub struct RequestFiles {
    pub title: String,
    pub files: Vec<Attachment>,
}

fn file_rows(me: &Me, files: &[Attachment], result: &[String]) -> Markup {
    html! {
        table {
            thead { tr { th { "Файл" } th { "Размер" } th { "Добавлен" } th {} } }
            tbody {
                @for f in files {
                    tr {
                        td {
                            (f.name)
                            @if result.contains(&f.id.0.to_string()) {
                                " " span.tag { "результат" }
                            }
                        }
                        td.num { (size_label(f.size)) }
                        td { (me.date(f.added)) }
                        td.actions {
                            @if is_pdf(&f.name) {
                                a href={ "/files/" (f.id.0) "?view=1" } target="_blank" { "Открыть" }
                                " "
                            }
                            a href={ "/files/" (f.id.0) } download { "Скачать" }
                        }
                    }
                }
            }
        }
    }
}

pub fn card(me: &Me, card: &Card, flash: Flash) -> Markup {
    let (c, files) = (&card.card, &card.files);
    let a = &c.app;
    let max = size_label(me.info.max_file_bytes);
    let result: &[String] = a.decision.as_ref().map_or(&[], |d| d.files.as_slice());
    html! {
        (layout(&format!("Заявка {}", a.number), Some(me), html! {
            h1 { "Заявка " (a.number) }
            // A refusal answers the form's POST and opens at the top; a success is a
            // redirect to `#files`, and says so there.
            @if let Flash::Error(m) = flash { p.error role="alert" { (m) } }
            dl.facts {
                dt { "Услуга" } dd { (c.service.name) }
                dt { "Заявитель" } dd { (c.applicant.name) }
                dt { "Статус" } dd { (a.status.label()) }
                dt { "Поступила" } dd { (me.date(a.registered.unwrap_or(a.created))) }
                @if let Some(d) = a.due { dt { "Срок" } dd { (display_date(d)) } }
                dt { "Код доступа" } dd { code { (volost_domain::display_access_code(&a.access_code)) } }
            }
            section #files {
                h2 { "Файлы" }
                @if let Flash::Done(m) = flash { p.done role="status" { (m) } }
                @if files.is_empty() {
                    p.empty { "Файлов нет." }
                } @else {
                    (file_rows(me, files, result))
                }
                form #upload.card method="post" action={ "/a/" (a.number) "/files" }
                    enctype="multipart/form-data" {
                    input type="hidden" name="_csrf" value=(me.csrf);
                    div.drop #drop {
                        p { "Перетащите сюда сканы или выберите их:" }
                        input #file type="file" name="file" multiple required;
                    }
                    button type="submit" { "Добавить файлы" }
                    p.hint { "Не больше " (max) " на файл." }
                }
            }
            @if !card.answers.is_empty() {
                section #answers {
                    h2 { "Файлы запросов" }
                    @for r in &card.answers {
                        h3 { (r.title) }
                        (file_rows(me, &r.files, &[]))
                    }
                }
            }
            section #print {
                h2 { "Печать" }
                @if a.status == volost_domain::Status::Draft {
                    p.hint { "Расписка печатается после регистрации заявления." }
                } @else {
                    form method="post" action={ "/a/" (a.number) "/print/receipt" } target="_blank" {
                        input type="hidden" name="_csrf" value=(me.csrf);
                        button type="submit" { "Расписка в приёме документов" }
                    }
                    p.hint { "Документ откроется в новой вкладке; печать — кнопкой браузера." }
                }
            }
        }))
    }
}

pub fn is_pdf(name: &str) -> bool {
    name.to_lowercase().ends_with(".pdf")
}

/// «Подпись токеном»: the signature the node waits for, signed with the clerk's own token.
pub fn sign(me: &Me) -> Markup {
    layout(
        "Подпись токеном",
        Some(me),
        html! {
            h1 { "Подпись токеном" }
            p {
                "Здесь ставится ЭП-СП вашим токеном, когда в программе выбрано «Подписать \
                 токеном»: узел передаёт плагину КриптоПро только хеш подписываемых данных и \
                 проверяет подпись и сертификат, прежде чем действие продолжится."
            }
            section #signing data-csrf=(me.csrf) {
                dl {
                    dt { "Что подписывается" } dd #sign-what { "—" }
                    dt { "Хеш (ГОСТ Р 34.11-2012)" } dd #sign-hash.hash { "—" }
                }
                select #sign-cert hidden aria-label="Сертификат" {}
                p {
                    button #sign-go type="button" disabled { "Подписать токеном" }
                    " "
                    button #sign-no type="button" disabled { "Отклонить" }
                }
                p #sign-status role="status" { "Проверка…" }
            }
            script src="/sign/cadesplugin_api.js" {}
            script src=(SIGN_JS) defer {}
        },
    )
}

pub fn error(me: Option<&Me>, message: &str) -> Markup {
    layout(
        "Ошибка",
        me,
        html! {
            h1 { "Не получилось" }
            p.error role="alert" { (message) }
            p { a href="/tasks" { "К моим задачам" } }
        },
    )
}

/// The kinds of document and whether each prints with the body's own template.
pub fn templates(me: &Me, kinds: &[(DocumentKind, bool)]) -> Markup {
    layout(
        "Шаблоны документов",
        Some(me),
        html! {
            h1 { "Шаблоны документов" }
            table {
                thead { tr { th { "Документ" } th { "Печатается по" } } }
                tbody {
                    @for (k, own) in kinds {
                        tr {
                            td { a href={ "/templates/" (k.code()) } { (k.title()) } }
                            td {
                                @if *own { "шаблону органа" }
                                @else if k.federal_form().is_some() {
                                    "не печатается: внесите форму из акта"
                                } @else { "типовому шаблону" }
                            }
                        }
                    }
                }
            }
            p.hint {
                "Шаблон — разметка Typst; данные документа он читает из "
                code { "json(\"data.json\")" } ". Сохраняется только шаблон, который печатает "
                "образец без ошибок. Формы, утверждённые федеральным актом, узел не поставляет: "
                "администратор вносит форму из акта (официальное опубликование — pravo.gov.ru)."
            }
        },
    )
}

/// A template's text to edit, with its preview and the way back to the starter one.
pub fn template(me: &Me, t: &TemplateView, text: &str, flash: Flash) -> Markup {
    let k = t.kind;
    html! {
        (layout(k.title(), Some(me), html! {
            h1 { "Шаблон: " (k.title()) }
            @match flash {
                Flash::Done(m) => p.done role="status" { (m) },
                Flash::Error(m) => p.error role="alert" { (m) },
                Flash::None => {},
            }
            p {
                @match &t.edited {
                    Some((at, who)) => {
                        "Шаблон органа, изменён " (me.date(*at))
                        @if let Some(w) = who { " (" (w) ")" }
                        "."
                    }
                    None => "Типовой шаблон: орган его ещё не менял.",
                }
            }
            form.card.editor method="post" action={ "/templates/" (k.code()) } {
                input type="hidden" name="_csrf" value=(me.csrf);
                textarea name="text" rows="28" spellcheck="false" aria-label="Текст шаблона" { (text) }
                div.buttons {
                    button type="submit" formaction={ "/templates/" (k.code()) "/preview" }
                        formtarget="_blank" { "Образец (PDF)" }
                    " "
                    button type="submit" { "Сохранить" }
                }
                p.hint { "Образец печатается с вымышленными данными во всех полях и ничего не меняет." }
            }
            @if t.edited.is_some() {
                form method="post" action={ "/templates/" (k.code()) "/reset" } {
                    input type="hidden" name="_csrf" value=(me.csrf);
                    button.secondary type="submit" { "Вернуть типовой шаблон" }
                }
            }
        }))
    }
}
