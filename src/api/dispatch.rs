//! One dispatch from a [`Call`] to the service layer. Every transport (the Unix socket now)
//! goes through [`Api::handle`]; it resolves the session, runs the operation and shapes the
//! answer. It is blocking (the service layer is), so async callers run it on blocking threads.

use super::proto::*;
use super::session::Sessions;
use crate::config::BackupConfig;
use crate::domain::*;
use crate::service::Node;
use crate::smev::Link;
use crate::{Actor, backup};
use serde::Serialize;
use serde_json::Value;
use std::sync::Arc;

/// Who is on the other end of a connection, as the kernel tells it (`SO_PEERCRED`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Caller {
    pub uid: Option<u32>,
    pub pid: Option<i32>,
    /// The OS user is root or the daemon's own: operator calls need no session.
    pub operator: bool,
}

pub struct Api {
    pub node: Arc<Node>,
    pub sessions: Sessions,
    pub backup: BackupConfig,
    /// The SMEV link's state, written by the exchange worker.
    pub link: Arc<Link>,
    /// The regional exchange's (РСМЭВ), written by its worker.
    pub regional_link: Arc<Link>,
    /// The database's directory: its free space goes into `Pulse`, and the marker that asks
    /// for the setup screen on the console (`setup::PENDING`) into it. `None` in tests of
    /// the API alone.
    pub data_dir: Option<std::path::PathBuf>,
    /// The uid of `[sessions] console_user`: logins from it are never locked out.
    pub console_uid: Option<u32>,
}

/// Calls with no session, for the machine's operator: root or the daemon's own user.
fn operator(caller: &Caller, what: &str) -> Result<(), ApiError> {
    if caller.operator {
        Ok(())
    } else {
        Err(ApiError::new(
            403,
            "forbidden",
            format!("{what} запускает оператор узла (root или пользователь volost)"),
        ))
    }
}

fn ok<T: Serialize>(v: T) -> Result<Value, ApiError> {
    serde_json::to_value(v).map_err(|e| {
        tracing::error!("reply not serialisable: {e}");
        ApiError::new(500, "internal", "Внутренняя ошибка узла")
    })
}

impl Api {
    pub fn new(node: Arc<Node>, sessions: Sessions, backup: BackupConfig) -> Api {
        Api {
            node,
            sessions,
            backup,
            link: Arc::new(Link::default()),
            regional_link: Arc::new(Link::default()),
            data_dir: None,
            console_uid: None,
        }
    }

    /// Where a call on the socket comes from, for the count of wrong passwords.
    fn source(&self, caller: &Caller) -> crate::service::guard::Source {
        use crate::service::guard::Source;
        match caller.uid {
            Some(u) if Some(u) == self.console_uid => Source::Console,
            Some(u) => Source::Uid(u),
            None => Source::Direct,
        }
    }

    /// Runs one request. Errors are logged here, once, in English.
    pub fn handle(&self, req: Request, caller: &Caller) -> Result<Value, ApiError> {
        let op = req.call.op();
        let out = self.run(req, caller);
        if let Err(e) = &out {
            if e.status >= 500 {
                tracing::error!(op, uid = caller.uid, "{e}");
            } else {
                tracing::info!(op, uid = caller.uid, "refused: {} {}", e.status, e.code);
            }
        }
        out
    }

    fn session_info(&self, u: &User, token: Option<String>) -> SessionInfo {
        SessionInfo {
            token,
            user: u.id,
            org: u.org,
            login: u.login.clone(),
            full_name: u.full_name.clone(),
            dept: u.dept,
            rights: u.rights,
            groups: u.groups.clone(),
            must_change_password: u.must_change_password,
            idle_timeout_minutes: self.sessions.idle_timeout().as_secs() / 60,
            utc_offset_seconds: self.node.options().utc_offset.whole_seconds(),
            max_file_bytes: self.node.options().max_file_bytes,
            // Unreadable before the first password is changed; the next whoami has it.
            personal_cert: self.node.my_personal_cert(Actor::User(u.id)).ok().flatten(),
        }
    }

    fn run(&self, req: Request, caller: &Caller) -> Result<Value, ApiError> {
        let n = &*self.node;
        match req.call {
            Call::Login { login, password } => {
                let u = n.login_from(&login, &password, self.source(caller))?;
                let token = self.sessions.open(u.id);
                tracing::info!(login, uid = caller.uid, pid = caller.pid, "session opened");
                return ok(self.session_info(&u, Some(token)));
            }
            Call::Backup => {
                operator(caller, "Резервную копию")?;
                let plan = backup::Plan::of(&self.backup).map_err(crate::Error::Internal)?;
                let path = backup::take(n, &plan)?;
                return ok(path.display().to_string());
            }
            Call::Unreadable { n: limit } => {
                operator(caller, "Список непрочитанных сообщений СМЭВ")?;
                return ok(n.exchange_unreadable(limit)?);
            }
            Call::UnreadableBytes { id } => {
                operator(caller, "Непрочитанное сообщение СМЭВ")?;
                let bytes = n
                    .exchange_unreadable(usize::MAX)?
                    .iter()
                    .any(|e| e.id == id)
                    .then(|| n.exchange_inbox_bytes(id))
                    .transpose()?
                    .flatten()
                    .ok_or_else(|| crate::Error::not_found("unreadable message", id))?;
                return ok(crate::api::Bytes(bytes));
            }
            Call::OperatorPasswd { login } => {
                operator(caller, "Сброс пароля с консоли узла")?;
                let pw = n.reset_password(Actor::System(OrgId(1)), &login)?;
                tracing::info!(login, uid = caller.uid, "password reset by the operator");
                return ok(pw);
            }
            Call::SetupInfo => {
                operator(caller, "Первоначальную настройку")?;
                return ok(n.setup_info(Actor::System(OrgId(1)))?);
            }
            Call::Setup(s) => {
                operator(caller, "Первоначальную настройку")?;
                n.setup(Actor::System(OrgId(1)), &s)?;
                tracing::info!(uid = caller.uid, "node set up from the console");
                return ok(());
            }
            // Read-only and says nothing of the data but counts: any account that may reach
            // the socket (group volost: support over SSH) may run it.
            Call::Check => {
                let r = n.check()?;
                return ok(CheckReply {
                    rows: r.rows.iter().map(|(t, n)| (t.to_string(), *n)).collect(),
                    index_entries: r.index_entries,
                    problems: r.problems,
                });
            }
            _ => {}
        }
        let token = req
            .token
            .as_deref()
            .ok_or_else(|| ApiError::new(401, "unauthorized", "Требуется вход в систему"))?;
        // A screen's own polling for changes is not the user's activity.
        let user = match req.call {
            Call::Changes | Call::Pulse => self.sessions.peek(token)?,
            _ => self.sessions.touch(token)?,
        };
        let a = Actor::User(user);
        match req.call {
            Call::Login { .. }
            | Call::Backup
            | Call::Check
            | Call::Unreadable { .. }
            | Call::UnreadableBytes { .. }
            | Call::OperatorPasswd { .. }
            | Call::SetupInfo
            | Call::Setup(_) => Err(ApiError::bad_request("unreachable")),
            Call::Logout => {
                let r = n.logout(a);
                self.sessions.close(token);
                r?;
                ok(())
            }
            Call::Whoami => ok(self.session_info(&n.whoami(a)?, None)),
            Call::Changes => ok(n.change_seq(a)?),
            Call::Pulse => ok(Pulse {
                changes: n.change_seq(a)?,
                smev: self.link.snapshot(),
                disk_low: self
                    .data_dir
                    .as_deref()
                    .and_then(crate::store::space)
                    .is_some_and(|(free, _)| free < crate::store::LOW_SPACE),
                calendar: n.calendar_status().ok(),
            }),
            Call::ChangePassword { old, new } => {
                ok(n.change_password_from(a, &old, &new, self.source(caller))?)
            }
            Call::Queue(q) => ok(n.queue(a, &q)?),
            Call::Task { id } => ok(n.task(a, id)?),
            Call::Claim { id, take_over } => ok(n.claim(a, id, take_over)?),
            Call::ReturnToGroup { id } => ok(n.return_to_group(a, id)?),
            Call::SetDue { id, due } => ok(n.set_due(a, id, due)?),
            Call::Complete {
                id,
                finish,
                comment,
            } => ok(n.complete(a, id, finish, &comment)?),
            Call::LaunchService { service, dept } => ok(n.launch_service(a, service, dept)?),
            Call::ProcessMap { process } => ok(n.process_map(a, process)?),
            Call::ProcessTasks { process } => ok(n.process_tasks(a, process)?),
            Call::Archive(q) => ok(n.archive(a, &q)?),
            Call::ArchiveProcess { process } => ok(n.archive_process(a, process)?),
            Call::Report(q) => ok(n.report(a, &q)?),
            Call::Export { what, format } => {
                let f = n.export(a, &what, format)?;
                ok(ExportReply {
                    name: f.name,
                    data: Bytes(f.data),
                })
            }
            Call::Applications(q) => ok(n.applications(a, &q)?),
            Call::Application { id } => ok(n.application(a, id)?),
            Call::ApplicationByNumber { number } => ok(n.application_by_number(a, &number)?),
            Call::CreateApplication(new) => ok(n.create_application(a, &new)?),
            Call::UpdateDraft { id, data } => ok(n.update_draft(a, id, &data)?),
            Call::Act { id, input } => ok(n.act(a, id, &input)?),
            Call::CreateApplicant(input) => ok(n.create_applicant(a, &input)?),
            Call::FindApplicants { query, limit } => ok(n.find_applicants(a, &query, limit)?),
            Call::Applicant { id } => ok(n.applicant(a, id)?),
            Call::CreateOutgoing {
                kind,
                application,
                data,
            } => ok(n.create_outgoing(a, kind, application, &data)?),
            Call::Outgoing { id } => ok(n.outgoing(a, id)?),
            Call::SubmitOutgoing { id, pin } => {
                ok(n.submit_outgoing(a, id, pin.as_ref().map(Pin::as_str))?)
            }
            Call::ReopenOutgoing { id } => ok(n.reopen_outgoing(a, id)?),
            Call::OutgoingList(l) => {
                ok(n.outgoing_list(a, &l.filter, l.sort, l.desc, l.after.as_ref(), l.limit)?)
            }
            Call::IncomingList(l) => {
                ok(n.incoming_list(a, &l.filter, l.sort, l.desc, l.after.as_ref(), l.limit)?)
            }
            Call::Incoming { id } => ok(n.incoming(a, id)?),
            Call::Regional { id } => ok(n.regional(a, id)?),
            Call::Route { about } => ok(n.route(a, about)?),
            Call::RegionalList(l) => {
                ok(n.regional_list(a, &l.filter, l.desc, l.after.as_ref(), l.limit)?)
            }
            Call::AnswerIncoming { id, answer, pin } => {
                ok(n.answer_incoming(a, id, &answer, pin.as_ref().map(Pin::as_str))?)
            }
            Call::ClaimIncoming { id, take_over } => ok(n.claim_incoming(a, id, take_over)?),
            Call::ReturnIncoming { id } => ok(n.return_incoming(a, id)?),
            Call::CommentIncoming { id, comment } => ok(n.comment_incoming(a, id, &comment)?),
            Call::CreateRegional(input) => ok(n.create_regional(a, &input)?),
            Call::SendRegional { id, pin } => {
                ok(n.send_regional(a, id, pin.as_ref().map(Pin::as_str))?)
            }
            Call::CompleteRegional { id, answer } => ok(n.complete_regional(a, id, &answer)?),
            Call::Services { all } => ok(n.services(a, all)?),
            Call::Service { id } => ok(n.service(a, id)?),
            Call::RequestKinds => ok(n.request_kinds(a)?),
            Call::AddService(spec) => ok(n.add_service(a, &spec)?),
            Call::AddRequestKind(spec) => ok(n.add_request_kind(a, &spec)?),
            Call::SetServiceActive { id, active } => ok(n.set_service_active(a, id, active)?),
            Call::SetPassport { id, passport } => ok(n.set_passport(a, id, &passport)?),
            Call::UpdateService { id, spec } => ok(n.update_service(a, id, &spec)?),
            Call::UpdateRequestKind { id, spec } => ok(n.update_request_kind(a, id, &spec)?),
            Call::Org => ok(n.org(a)?),
            Call::AddFile { owner, name, data } => ok(n.add_file(a, owner, &name, &data.0)?),
            Call::Files { owner } => ok(n.files(a, owner)?),
            Call::File { id } => {
                let f = n.file(a, id)?;
                ok(FileReply {
                    file: f.file,
                    data: Bytes(f.data),
                })
            }
            Call::RemoveFile { id } => ok(n.remove_file(a, id)?),
            Call::Bodies => ok(n.bodies(a)?),
            Call::RegistryExport => ok(n.registry_signed(a, None)?),
            Call::RegistryImport { text } => ok(n.import_registry(a, &text, None)?),
            Call::RegionalBodies => ok(n.regional_bodies(a)?),
            Call::Departments => ok(n.departments(a)?),
            Call::AddDepartment { name, parent } => ok(n.add_department(a, &name, parent)?),
            Call::Groups => ok(n.groups(a)?),
            Call::AddGroup { name } => ok(n.add_group(a, &name)?),
            Call::Roles => ok(n.roles(a)?),
            Call::Calendar => ok(n.calendar(a)?),
            Call::SetCalendarDay { date, off } => ok(n.set_calendar_day(a, date, off)?),
            Call::ImportCalendar { name, data } => ok(n.import_calendar(a, &data.0, &name)?),
            Call::Users => ok(n.list_users(a)?),
            Call::AddUser(new) => {
                let (u, password) = n.add_user(a, &new)?;
                ok(OneTimePassword {
                    user: u.id,
                    login: u.login,
                    password,
                })
            }
            Call::ResetPassword { login } => {
                let password = n.reset_password(a, &login)?;
                let user = n
                    .user_by_login(&login)?
                    .ok_or_else(|| crate::Error::not_found("user", &login))?;
                // The old password is void, and so are the sessions opened with it.
                self.sessions.close_user(user.id);
                ok(OneTimePassword {
                    user: user.id,
                    login: user.login,
                    password,
                })
            }
            Call::SetUserActive { user, active } => {
                n.set_user_active(a, user, active)?;
                if !active {
                    self.sessions.close_user(user);
                }
                ok(())
            }
            Call::SetUserRoles {
                user,
                roles,
                groups,
            } => ok(n.set_user_roles(a, user, &roles, &groups)?),
            Call::AuditTail { n: count } => ok(n.audit_tail(a, count)?),
            Call::RequestSetup => {
                // The right first: whether this node has a setup screen is not for everyone.
                if !n.whoami(a)?.rights.has(Right::Administer) {
                    return Err(crate::Error::Forbidden {
                        op: "node.setup_request",
                        right: Right::Administer,
                    }
                    .into());
                }
                let marker = self
                    .data_dir
                    .as_ref()
                    .map(|d| d.join(crate::setup::PENDING));
                let marker = marker.as_ref().ok_or_else(|| {
                    ApiError::new(
                        409,
                        "conflict",
                        "На этом узле нет экрана первоначальной настройки",
                    )
                })?;
                n.request_setup(a)?;
                std::fs::write(marker, b"").map_err(|e| {
                    tracing::error!("cannot write {}: {e}", marker.display());
                    ApiError::new(500, "internal", "Не удалось запросить настройку узла")
                })?;
                ok(())
            }
        }
    }
}
