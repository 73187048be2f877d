//! Заявки на услуги: creation, the lifecycle through [`transition`], the card and the list.

use super::list::{self, Page, Span};
use super::tasks::start_process;
use super::{Actor, Error, FieldError, Node, R, Result, W, history};
use std::collections::BTreeMap;
pub use volost_api::view::{
    ActionInput, AppFilter, AppQuery, AppRow, ApplicantRef, ApplicationCard, NewApplication,
    ProcessTask,
};
use volost_domain::*;
use volost_store::records::{app_list_prefix, app_number_key};
use volost_store::summary::{AppCol, AppScope, AppSummary};
use volost_store::{Read, Record};

/// Validates form values against the service's fields; returns normalised values or every
/// field's message at once. Unknown keys are refused: the form is the template.
pub fn check_form(
    fields: &[Field],
    data: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>> {
    let mut errs = Vec::new();
    for k in data.keys() {
        if !fields.iter().any(|f| &f.key == k) {
            errs.push(FieldError {
                field: k.clone(),
                message: "Нет такого поля в форме".into(),
            });
        }
    }
    let mut out = BTreeMap::new();
    for f in fields {
        match validate::field(f, data.get(&f.key).map(String::as_str).unwrap_or("")) {
            Ok(Some(v)) => {
                out.insert(f.key.clone(), v);
            }
            Ok(None) => {}
            Err(m) => errs.push(FieldError {
                field: f.label.clone(),
                message: m,
            }),
        }
    }
    if errs.is_empty() {
        Ok(out)
    } else {
        Err(Error::Invalid(errs))
    }
}

/// [`ACCESS_CODE_DIGITS`] digits for the applicant's receipt, from one draw of the OS
/// generator (one system call, not one per digit).
fn access_code() -> String {
    use rand::Rng;
    format!(
        "{:012}",
        rand::rngs::OsRng.gen_range(0..1_000_000_000_000u64)
    )
}

pub(crate) fn create_application(w: &mut W, n: &NewApplication) -> Result<Application> {
    w.who
        .require("application.create", Right::CreateApplications)?;
    let service: Service = w.load(n.service.0)?;
    if !service.active {
        return Err(Error::NotAllowed(format!(
            "Услуга «{}» не предоставляется",
            service.name
        )));
    }
    if let Some(d) = n.dept {
        let _: Department = w.load(d.0)?;
    }
    if w.who.user.is_none() && !n.source.from_portal() {
        return Err(Error::NotAllowed("Личный приём ведёт сотрудник".into()));
    }
    if w.who.user.is_some() && n.source.from_portal() {
        return Err(Error::invalid(
            "Источник",
            "Заявления с ЕПГУ и РПГУ поступают через СМЭВ; сотрудник вносит личный приём или МФЦ",
        ));
    }
    let data = check_form(&service.fields, &n.data)?;
    let applicant = match &n.applicant {
        ApplicantRef::Existing(id) => w.load::<Applicant>(id.0)?,
        ApplicantRef::New(input) => super::applicants::create_applicant(w, input)?,
    };
    let year = w.today().year();
    let seq = w.tx.bump(&format!("appno:{year}"))?;
    let app = Application {
        id: AppId(w.tx.next_id(Application::KIND)?),
        org: w.who.org,
        dept: n.dept.or_else(|| w.who.user.as_ref().and_then(|u| u.dept)),
        number: format!("{year}-{seq:06}"),
        service: service.id,
        applicant: applicant.id,
        source: n.source,
        status: Status::Draft,
        data,
        created_by: w.who.user_id(),
        created: w.now,
        registered: None,
        assignee: None,
        decision: None,
        due: None,
        process: None,
        updated: w.now,
        access_code: access_code(),
        names: AppNames {
            service: service.name.clone(),
            applicant: applicant.name.clone(),
            assignee: String::new(),
        },
        inventory: Vec::new(),
        handed: None,
    };
    w.tx.put(&app)?;
    w.target("application", app.id);
    w.moved(
        Entity::Application,
        app.id.0,
        app.status.code(),
        "Создана заявка (Черновик)",
        n.source.label(),
    )?;
    super::files::bind_form_files(
        w,
        &service.fields,
        &app.data,
        FileOwner::Application(app.id),
    )?;
    Ok(app)
}

fn require_for(w: &W, app: &Application, action: &Action) -> Result<()> {
    let who = &w.who;
    match action {
        Action::Register => who.require("application.register", Right::CreateApplications),
        Action::AssignExecutor(_) => who.require("application.assign", Right::AssignExecutors),
        Action::Decide(_) => {
            who.require("application.decide", Right::Decide)?;
            if who.user.is_some() && app.assignee != who.user_id() {
                return Err(Error::NotAllowed(
                    "Решение принимает назначенный исполнитель заявки".into(),
                ));
            }
            Ok(())
        }
        Action::SendBack | Action::Publish => who.require("application.approve", Right::Approve),
        Action::Close => {
            if who.user.is_none() || app.assignee == who.user_id() || who.rights.has(Right::Approve)
            {
                Ok(())
            } else {
                Err(Error::NotAllowed(
                    "Завершить работу по заявке может её исполнитель или руководитель".into(),
                ))
            }
        }
    }
}

/// Applies one lifecycle step: rights, the transition, side effects, history.
pub(crate) fn act(w: &mut W, id: AppId, input: &ActionInput) -> Result<Application> {
    let mut app: Application = w.load(id.0)?;
    // The status is checked before the rights: «not available in this status» tells staff
    // more than a missing right does.
    let super_rights = w.who.rights.has(Right::SuperRights);
    let to =
        transition(app.status, &input.action, super_rights).ok_or(Error::InvalidTransition {
            from: app.status.label(),
            action: input.action.label(),
        })?;
    require_for(w, &app, &input.action)?;
    let mut what = format!("{} → {}", input.action.label(), to.label());
    match &input.action {
        Action::Register => {
            let service: Service = w.load(app.service.0)?;
            let cal = w.calendar()?;
            app.registered = Some(w.now);
            app.due = Some(cal.add_working_days(w.today(), service.deadline_days));
            let p = start_process(w, &service, app.dept, Some(app.id))?;
            app.process = Some(p.id);
        }
        Action::AssignExecutor(u) => {
            let exec: User = w.load(u.0)?;
            if !exec.active || !exec.rights.has(Right::Decide) {
                return Err(Error::invalid(
                    "Исполнитель",
                    format!(
                        "{} не может принимать решения по заявкам",
                        exec.short_name()
                    ),
                ));
            }
            what = format!(
                "{}: {} → {}",
                input.action.label(),
                exec.short_name(),
                to.label()
            );
            app.assignee = Some(exec.id);
            app.names.assignee = exec.short_name();
        }
        Action::Decide(verdict) => {
            if *verdict == Verdict::Refuse
                && input.reason.trim().is_empty()
                && input.files.is_empty()
            {
                return Err(Error::invalid(
                    "Причина отказа",
                    "Укажите причину или приложите файл",
                ));
            }
            // The result's files are the application's own (a document printed, a scan of the
            // signed decision): a portal application's go back to the portal with it.
            let mut files = Vec::new();
            for f in &input.files {
                let id = f.trim().parse::<u64>().ok();
                let of_app = match id {
                    Some(id) => {
                        w.tx.get::<Attachment>(id)?
                            .is_some_and(|a| a.owner == Some(FileOwner::Application(app.id)))
                    }
                    None => false,
                };
                if !of_app {
                    return Err(Error::invalid(
                        "Файлы результата",
                        "Файл не найден среди файлов заявки",
                    ));
                }
                if !files.contains(f) {
                    files.push(f.trim().to_string());
                }
            }
            app.decision = Some(Decision {
                verdict: *verdict,
                reason: input.reason.trim().into(),
                message: input.message.trim().into(),
                files,
                by: w.who.person()?,
                at: w.now,
            });
        }
        Action::SendBack => {
            if input.comment.trim().is_empty() {
                return Err(Error::invalid("Комментарий", "Укажите, что доработать"));
            }
        }
        Action::Publish | Action::Close => {}
    }
    app.status = to;
    app.updated = w.now;
    w.tx.put(&app)?;
    w.target("application", app.id);
    let comment = [input.comment.trim(), input.reason.trim()]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" / ");
    w.moved(Entity::Application, app.id.0, to.code(), what, comment)?;
    super::provider::portal_status(w, &app)?;
    if application_ended(app.status) {
        super::tasks::end_with_application(w, &app, None)?;
    }
    // The manual: whoever both created and registered an application is its executor.
    if input.action == Action::Register
        && let Some(me) = w.who.user_id()
        && app.created_by == Some(me)
        && w.who.rights.has(Right::Decide)
    {
        let mut app2 = app.clone();
        app2.assignee = Some(me);
        app2.names.assignee = w
            .who
            .user
            .as_ref()
            .map(User::short_name)
            .unwrap_or_default();
        app2.status = Status::Deciding;
        w.tx.put(&app2)?;
        w.moved(
            Entity::Application,
            app.id.0,
            app2.status.code(),
            "Исполнитель назначен автоматически → Принятие решения",
            "",
        )?;
        // Only a person's own applications get here, never a portal's.
        return Ok(app2);
    }
    Ok(app)
}

pub(crate) fn update_draft(
    w: &mut W,
    id: AppId,
    data: &BTreeMap<String, String>,
) -> Result<Application> {
    w.who
        .require("application.edit", Right::CreateApplications)?;
    let mut app: Application = w.load(id.0)?;
    if app.status != Status::Draft {
        return Err(Error::NotAllowed(
            "После регистрации данные заявки не изменяются".into(),
        ));
    }
    let service: Service = w.load(app.service.0)?;
    app.data = check_form(&service.fields, data)?;
    w.save_app(&mut app, "Изменены данные черновика", "")?;
    super::files::bind_form_files(
        w,
        &service.fields,
        &app.data,
        FileOwner::Application(app.id),
    )?;
    Ok(app)
}

pub(crate) fn can_see(who: &super::Who, app: &Application) -> bool {
    who.user.is_none()
        || [Right::Monitoring, Right::AssignExecutors, Right::Approve]
            .iter()
            .any(|r| who.rights.has(*r))
        || app.created_by == who.user_id()
        || app.assignee == who.user_id()
}

/// [`can_see`], or the user holds or held a task of the application's process, or one of its
/// tasks waits unclaimed in a group of theirs: the process and its application are one piece
/// of work, as in the seeds' СИР.
pub(crate) fn may_open(t: &impl Read, who: &super::Who, app: &Application) -> Result<bool> {
    if can_see(who, app) {
        return Ok(true);
    }
    let (Some(me), Some(pid)) = (who.user_id(), app.process) else {
        return Ok(false);
    };
    let Some(p) = t.get::<Process>(pid.0)? else {
        return Ok(false);
    };
    if p.executors.contains(&me) {
        return Ok(true);
    }
    for id in &p.tasks {
        let Some(task) = t.get::<Task>(id.0)? else {
            continue;
        };
        let open_in_my_group =
            task.completed.is_none() && task.holder.is_none() && who.in_group(task.group);
        if task.holder == Some(me) || task.completed.map(|c| c.0) == Some(me) || open_in_my_group {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The refusal staff read: the application by its number, never an internal id.
pub(crate) fn no_rights(app: &Application) -> Error {
    Error::NotAllowed(format!("Нет прав на заявку {}", app.number))
}

pub(crate) fn user_name(r: &impl Read, id: Option<UserId>) -> Result<Option<String>> {
    Ok(match id {
        Some(u) => r.get::<User>(u.0)?.map(|u| u.short_name()),
        None => None,
    })
}

fn overdue(cal: &Calendar, due: Option<time::Date>, today: time::Date, open: bool) -> u32 {
    match due {
        Some(d) if open => cal.working_days_between(d, today),
        _ => 0,
    }
}

fn list_apps(r: &R, q: &AppQuery) -> Result<Page<AppRow>> {
    let me = r.who.person()?;
    let wide = [Right::Monitoring, Right::AssignExecutors, Right::Approve]
        .iter()
        .any(|x| r.who.rights.has(*x));
    // Without monitoring rights a user sees the applications assigned to them: their own
    // index, or, for the sorts by name, the body's filtered by executor.
    let own = q.mine || !wide;
    let (scope, executor) = match (own, AppCol::EXECUTOR.contains(&q.sort)) {
        (true, true) => (AppScope::Assignee(me.0), None),
        (true, false) => (AppScope::All, Some(me.0)),
        (false, _) => (AppScope::All, None),
    };
    let sort = q.sort;
    let f = &q.filter;
    let today = r.today().to_julian_day();
    let statuses: Vec<u8> = f.statuses.iter().map(|s| s.code()).collect();
    let base = app_list_prefix(r.who.org, scope, sort);
    let mut span = Span::new(base.clone());
    match sort {
        AppCol::Created => span = span.period(base, f.created_from, f.created_to),
        AppCol::Status => {
            if let [one] = statuses[..] {
                let k = base.u8(one);
                span = span
                    .within(k.clone())
                    .period(k, f.created_from, f.created_to);
            }
        }
        AppCol::Due | AppCol::Updated | AppCol::Service | AppCol::Applicant | AppCol::Assignee => {}
    }
    if sort != AppCol::Updated {
        // These keys end with `created ++ id`; «Дата изменения» keys end with `updated ++ id`.
        span = span.created_in_key(f.created_from, f.created_to);
    }
    let (ids, next) = list::scan::<AppSummary>(
        &r.rx,
        &span,
        q.desc,
        q.after.as_ref(),
        q.limit.clamp(1, 500),
        |s| {
            (statuses.is_empty() || statuses.contains(&s.status))
                && executor.is_none_or(|m| s.assignee == Some(m))
                && f.service.is_none_or(|x| s.service == x.0)
                && f.source.is_none_or(|x| s.source == x as u8)
                && f.applicant.is_none_or(|x| s.applicant == x.0)
                && f.assignee.is_none_or(|x| s.assignee == Some(x.0))
                && f.created_by.is_none_or(|x| s.created_by == Some(x.0))
                && f.created_from.is_none_or(|x| s.created >= x.0)
                && f.created_to.is_none_or(|x| s.created < x.0)
                && (f.depts.is_empty() || s.dept.is_some_and(|d| f.depts.iter().any(|x| x.0 == d)))
                && (!f.overdue_only
                    || (s.due.is_some_and(|d| d < today)
                        && s.status < Status::ApprovedPositive.code()))
        },
    )?;
    let cal = super::calendar::load(&r.rx)?;
    let mut rows = Vec::with_capacity(ids.len());
    let mut services: BTreeMap<ServiceId, String> = BTreeMap::new();
    for id in ids {
        let a: Application = r.load(id)?;
        let service = match services.get(&a.service) {
            Some(s) => s.clone(),
            None => {
                let s: Service = r.load(a.service.0)?;
                services.insert(a.service, s.name.clone());
                s.name
            }
        };
        // Rows written since schema 4 carry the applicant's name; no row to read for it.
        let applicant = if a.names.applicant.is_empty() {
            r.load::<Applicant>(a.applicant.0)?.name
        } else {
            a.names.applicant.clone()
        };
        rows.push(AppRow {
            id: a.id,
            overdue_days: overdue(&cal, a.due, r.today(), a.status < Status::ApprovedPositive),
            number: a.number,
            status: a.status,
            service,
            applicant,
            source: a.source,
            assignee: user_name(&r.rx, a.assignee)?,
            created: a.created,
            due: a.due,
        });
    }
    Ok(Page { rows, next })
}

impl Node {
    /// Creates a draft («Черновик») with a number.
    pub fn create_application(&self, actor: Actor, n: &NewApplication) -> Result<Application> {
        self.write(actor, "application.create", |w| create_application(w, n))
    }

    /// Edits a draft's form.
    pub fn update_draft(
        &self,
        actor: Actor,
        id: AppId,
        data: &BTreeMap<String, String>,
    ) -> Result<Application> {
        self.write(actor, "application.edit", |w| update_draft(w, id, data))
    }

    /// One lifecycle step (Зарегистрировать, Назначить исполнителя, Одобрить, ...).
    pub fn act(&self, actor: Actor, id: AppId, input: &ActionInput) -> Result<Application> {
        let op = match input.action {
            Action::Register => "application.register",
            Action::AssignExecutor(_) => "application.assign",
            Action::Decide(_) => "application.decide",
            Action::SendBack => "application.send_back",
            Action::Publish => "application.publish",
            Action::Close => "application.close",
        };
        self.write(actor, op, |w| act(w, id, input))
    }

    /// The card of an application, with the actions this user may take now.
    pub fn application(&self, actor: Actor, id: AppId) -> Result<ApplicationCard> {
        self.read(actor, |r| {
            let app: Application = r.load(id.0)?;
            if !may_open(&r.rx, &r.who, &app)? {
                return Err(no_rights(&app));
            }
            let cal = super::calendar::load(&r.rx)?;
            let super_rights = r.who.rights.has(Right::SuperRights);
            let actions = actions_from(app.status)
                .into_iter()
                .filter(|a| transition(app.status, a, super_rights).is_some())
                .filter(|a| match a {
                    Action::Register => r.who.rights.has(Right::CreateApplications),
                    Action::AssignExecutor(_) => r.who.rights.has(Right::AssignExecutors),
                    Action::Decide(_) => {
                        r.who.rights.has(Right::Decide) && app.assignee == r.who.user_id()
                    }
                    Action::SendBack | Action::Publish => r.who.rights.has(Right::Approve),
                    Action::Close => {
                        app.assignee == r.who.user_id() || r.who.rights.has(Right::Approve)
                    }
                })
                .collect();
            let due_provisional = match (app.due, app.registered) {
                (Some(due), Some(reg)) if app.status < Status::ApprovedPositive => {
                    !cal.confirmed_through(reg.date(r.offset), due)
                }
                _ => false,
            };
            let service: Service = r.load(app.service.0)?;
            let mut tasks = Vec::new();
            if let Some(pid) = app.process {
                let p: Process = r.load(pid.0)?;
                for id in &p.tasks {
                    let t: Task = r.load(id.0)?;
                    let who = t.completed.map(|c| c.0).or(t.holder);
                    tasks.push(ProcessTask {
                        withdrawn: t.withdrawn,
                        id: t.id,
                        queue: t.queue(),
                        who: user_name(&r.rx, who)?,
                        due: t.due,
                        // The card names the service already: the step is enough.
                        name: service
                            .steps
                            .get(t.step as usize)
                            .map_or(t.name, |s| s.name.clone()),
                    });
                }
            }
            Ok(ApplicationCard {
                hand_over: super::documents::may_hand_over(&r.who, &app),
                refuse_intake: super::documents::may_refuse_intake(&r.who, &app),
                print_result: super::paper_result::may_print_result(&r.who, &app),
                tasks,
                due_provisional,
                overdue_days: overdue(
                    &cal,
                    app.due,
                    r.today(),
                    app.status < Status::ApprovedPositive,
                ),
                service,
                applicant: r.load(app.applicant.0)?,
                assignee: user_name(&r.rx, app.assignee)?,
                history: history::read(&r.rx, Entity::Application, app.id.0)?,
                actions,
                app,
            })
        })
    }

    /// Finds an application by its number (`2026-000123`).
    pub fn application_by_number(&self, actor: Actor, number: &str) -> Result<ApplicationCard> {
        let id = self.read(actor, |r| {
            let p = app_number_key(r.who.org, number.trim()).0;
            let found = list::ids_with_prefix(&r.rx, &p, 1)?.first().copied();
            found.ok_or_else(|| Error::not_found("application", number))
        })?;
        self.application(actor, AppId(id))
    }

    /// A page of «Заявки на услуги».
    pub fn applications(&self, actor: Actor, q: &AppQuery) -> Result<Page<AppRow>> {
        self.read(actor, |r| list_apps(r, q))
    }
}
