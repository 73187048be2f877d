//! One dispatch from a [`Call`] to the service layer. Every transport (the Unix socket now)
//! goes through [`Api::handle`]; it resolves the session, runs the operation and shapes the
//! answer. It is blocking (the service layer is), so async callers run it on blocking threads.

use super::session::Sessions;
use crate::backup;
use serde_json::Value;
use std::sync::Arc;
use volost_api::proto::*;
use volost_api::view::*;
use volost_api::{Op, Serve, call};
use volost_config::BackupConfig;
use volost_core::Actor;
use volost_core::service::Node;
use volost_domain::*;
use volost_smev::Link;

/// Who is on the other end of a connection, as the kernel tells it (`SO_PEERCRED`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Caller {
    pub uid: Option<u32>,
    pub pid: Option<i32>,
    /// The OS user is root or the daemon's own: operator calls need no session.
    pub operator: bool,
    /// A client on the network (the staff web page): its address counts wrong passwords.
    pub addr: Option<std::net::IpAddr>,
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
    /// The node's SMEV key and settings, when `[smev]` is configured: what signs the
    /// registry file and checks one taken back.
    pub exchange: Option<Arc<volost_smev::profile::Profile>>,
    /// The staff web page's address, for the TUI's link.
    pub web_url: Option<String>,
    /// Where ЭП-СП made on a token through the web page waits (`None` without the page).
    pub desk: Option<Arc<crate::desk::Desk>>,
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
            exchange: None,
            web_url: None,
            desk: None,
        }
    }

    /// Where a call on the socket comes from, for the count of wrong passwords.
    fn source(&self, caller: &Caller) -> volost_core::service::guard::Source {
        use volost_core::service::guard::Source;
        if let Some(a) = caller.addr {
            return Source::Addr(a);
        }
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
            log_refusal(op, caller, e);
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
            web: self.web_url.clone(),
        }
    }

    fn run(&self, req: Request, caller: &Caller) -> Result<Value, ApiError> {
        let mut served = self.served(req.call.op(), req.token.as_deref(), caller)?;
        req.call.serve(&mut served)
    }

    /// Runs one operation with its answer typed, for transports inside the daemon (the staff
    /// web page): the same sessions, rights and audit as a call on the socket, without JSON.
    pub fn ask<R: Op>(
        &self,
        token: Option<&str>,
        caller: &Caller,
        args: R,
    ) -> Result<R::Reply, ApiError> {
        let out = self
            .served(R::NAME, token, caller)
            .and_then(|mut s| args.serve_typed(&mut s));
        if let Err(e) = &out {
            log_refusal(R::NAME, caller, e);
        }
        out
    }

    /// Who answers a call of operation `op`: its session resolved, if it needs one.
    fn served<'a>(
        &'a self,
        op: &str,
        token: Option<&'a str>,
        caller: &'a Caller,
    ) -> Result<Served<'a>, ApiError> {
        // With no session: logging in, the operator's calls, and `check`, which is read-only
        // and tells counts and faults, never the data (support over SSH may run it).
        const NO_SESSION: [&str; 8] = [
            call::Login::NAME,
            call::Backup::NAME,
            call::Check::NAME,
            call::Unreadable::NAME,
            call::UnreadableBytes::NAME,
            call::OperatorPasswd::NAME,
            call::SetupInfo::NAME,
            call::Setup::NAME,
        ];
        let user = if NO_SESSION.contains(&op) {
            None
        } else {
            let token = token.ok_or_else(unauthorized)?;
            // A screen's own polling for changes is not the user's activity.
            Some(
                if op == call::Changes::NAME
                    || op == call::Pulse::NAME
                    || op == call::SigningPending::NAME
                {
                    self.sessions.peek(token)?
                } else {
                    self.sessions.touch(token)?
                },
            )
        };
        Ok(Served {
            api: self,
            caller,
            token,
            user,
        })
    }
}

fn log_refusal(op: &str, caller: &Caller, e: &ApiError) {
    if e.status >= 500 {
        tracing::error!(op, uid = caller.uid, addr = ?caller.addr, "{e}");
    } else {
        tracing::info!(op, uid = caller.uid, addr = ?caller.addr, "refused: {} {}", e.status, e.code);
    }
}

fn unauthorized() -> ApiError {
    ApiError::new(401, "unauthorized", "Требуется вход в систему")
}

/// One call being answered: who asks, with which session.
struct Served<'a> {
    api: &'a Api,
    caller: &'a Caller,
    token: Option<&'a str>,
    user: Option<UserId>,
}

impl Served<'_> {
    fn personal_key(
        &self,
        a: Actor,
        pin: Option<&Pin>,
        browser: bool,
        what: &str,
    ) -> Result<Option<Box<dyn volost_core::service::PersonalKey>>, ApiError> {
        let desk = self.api.desk.as_ref();
        let pin = pin.map(Pin::as_str);
        Ok(crate::desk::personal_key(
            desk,
            &self.api.node,
            a,
            pin,
            browser,
            what,
        )?)
    }

    fn desk(&self) -> Result<(&crate::desk::Desk, UserId), ApiError> {
        let Actor::User(me) = self.actor()? else {
            return Err(ApiError::new(403, "forbidden", "Только сотрудник"));
        };
        let desk = self
            .api
            .desk
            .as_deref()
            .ok_or_else(|| ApiError::new(404, "not_found", "Окно документов выключено"))?;
        Ok((desk, me))
    }

    fn actor(&self) -> Result<Actor, ApiError> {
        self.user.map(Actor::User).ok_or_else(unauthorized)
    }
}

impl Serve for Served<'_> {
    fn login(&mut self, args: call::Login) -> Result<SessionInfo, ApiError> {
        let n = &*self.api.node;
        let api = self.api;
        let call::Login { login, password } = args;
        let caller = self.caller;
        let u = n.login_from(&login, &password, api.source(caller))?;
        let token = api.sessions.open(u.id);
        tracing::info!(login, uid = caller.uid, pid = caller.pid, "session opened");
        Ok(api.session_info(&u, Some(token)))
    }

    fn backup(&mut self, _: call::Backup) -> Result<String, ApiError> {
        let n = &*self.api.node;
        let api = self.api;
        let caller = self.caller;
        operator(caller, "Резервную копию")?;
        let plan = backup::Plan::of(&api.backup).map_err(volost_core::Error::Internal)?;
        let path = backup::take(n, &plan)?;
        Ok(path.display().to_string())
    }

    fn unreadable(&mut self, args: call::Unreadable) -> Result<Vec<InboxEntry>, ApiError> {
        let n = &*self.api.node;
        let call::Unreadable { n: limit } = args;
        let caller = self.caller;
        operator(caller, "Список непрочитанных сообщений СМЭВ")?;
        Ok(n.exchange_unreadable(limit)?)
    }

    fn unreadable_bytes(&mut self, args: call::UnreadableBytes) -> Result<Bytes, ApiError> {
        let n = &*self.api.node;
        let _api = self.api;
        let call::UnreadableBytes { id } = args;
        let caller = self.caller;
        operator(caller, "Непрочитанное сообщение СМЭВ")?;
        let bytes = n
            .exchange_unreadable(usize::MAX)?
            .iter()
            .any(|e| e.id == id)
            .then(|| n.exchange_inbox_bytes(id))
            .transpose()?
            .flatten()
            .ok_or_else(|| volost_core::Error::not_found("unreadable message", id))?;
        Ok(crate::api::Bytes(bytes))
    }

    fn operator_passwd(&mut self, args: call::OperatorPasswd) -> Result<String, ApiError> {
        let n = &*self.api.node;
        let call::OperatorPasswd { login } = args;
        let caller = self.caller;
        operator(caller, "Сброс пароля с консоли узла")?;
        let pw = n.reset_password(Actor::System(OrgId(1)), &login)?;
        tracing::info!(login, uid = caller.uid, "password reset by the operator");
        Ok(pw)
    }

    fn setup_info(&mut self, _: call::SetupInfo) -> Result<SetupInfo, ApiError> {
        let n = &*self.api.node;
        let caller = self.caller;
        operator(caller, "Первоначальную настройку")?;
        Ok(n.setup_info(Actor::System(OrgId(1)))?)
    }

    fn setup(&mut self, args: call::Setup) -> Result<(), ApiError> {
        let n = &*self.api.node;
        let call::Setup(s) = args;
        let caller = self.caller;
        operator(caller, "Первоначальную настройку")?;
        n.setup(Actor::System(OrgId(1)), &s)?;
        tracing::info!(uid = caller.uid, "node set up from the console");
        Ok(())
    }

    fn check(&mut self, _: call::Check) -> Result<CheckReply, ApiError> {
        let n = &*self.api.node;
        let r = n.check()?;
        Ok(CheckReply {
            rows: r.rows.iter().map(|(t, n)| (t.to_string(), *n)).collect(),
            index_entries: r.index_entries,
            problems: r.problems,
        })
    }

    fn changes(&mut self, _: call::Changes) -> Result<u64, ApiError> {
        Ok(self.api.node.change_seq(self.actor()?)?)
    }

    fn logout(&mut self, _: call::Logout) -> Result<(), ApiError> {
        let n = &*self.api.node;
        let api = self.api;
        let a = self.actor()?;
        let r = n.logout(a);
        if let Some(token) = self.token {
            api.sessions.close(token);
        }
        r?;
        Ok(())
    }

    fn whoami(&mut self, _: call::Whoami) -> Result<SessionInfo, ApiError> {
        let n = &*self.api.node;
        let api = self.api;
        let a = self.actor()?;
        Ok(api.session_info(&n.whoami(a)?, None))
    }

    fn pulse(&mut self, _: call::Pulse) -> Result<Pulse, ApiError> {
        let n = &*self.api.node;
        let api = self.api;
        let a = self.actor()?;
        Ok(Pulse {
            changes: n.change_seq(a)?,
            smev: api.link.snapshot(),
            disk_low: self
                .api
                .data_dir
                .as_deref()
                .and_then(volost_store::space)
                .is_some_and(|(free, _)| free < volost_store::LOW_SPACE),
            calendar: n.calendar_status().ok(),
        })
    }

    fn change_password(&mut self, args: call::ChangePassword) -> Result<(), ApiError> {
        let n = &*self.api.node;
        let api = self.api;
        let call::ChangePassword { old, new } = args;
        let a = self.actor()?;
        let caller = self.caller;
        Ok(n.change_password_from(a, &old, &new, api.source(caller))?)
    }

    fn queue(&mut self, args: call::Queue) -> Result<Page<TaskRow>, ApiError> {
        let n = &*self.api.node;
        let call::Queue(q) = args;
        let a = self.actor()?;
        Ok(n.queue(a, &q)?)
    }

    fn task(&mut self, args: call::Task) -> Result<TaskCard, ApiError> {
        let n = &*self.api.node;
        let call::Task { id } = args;
        let a = self.actor()?;
        Ok(n.task(a, id)?)
    }

    fn claim(&mut self, args: call::Claim) -> Result<Task, ApiError> {
        let n = &*self.api.node;
        let call::Claim { id, take_over } = args;
        let a = self.actor()?;
        Ok(n.claim(a, id, take_over)?)
    }

    fn return_to_group(&mut self, args: call::ReturnToGroup) -> Result<Task, ApiError> {
        let n = &*self.api.node;
        let call::ReturnToGroup { id } = args;
        let a = self.actor()?;
        Ok(n.return_to_group(a, id)?)
    }

    fn set_due(&mut self, args: call::SetDue) -> Result<Task, ApiError> {
        let n = &*self.api.node;
        let call::SetDue { id, due } = args;
        let a = self.actor()?;
        Ok(n.set_due(a, id, due)?)
    }

    fn complete(&mut self, args: call::Complete) -> Result<Option<Task>, ApiError> {
        let n = &*self.api.node;
        let call::Complete {
            id,
            finish,
            comment,
        } = args;
        let a = self.actor()?;
        Ok(n.complete(a, id, finish, &comment)?)
    }

    fn launch_service(&mut self, args: call::LaunchService) -> Result<Process, ApiError> {
        let n = &*self.api.node;
        let call::LaunchService { service, dept } = args;
        let a = self.actor()?;
        Ok(n.launch_service(a, service, dept)?)
    }

    fn process_map(&mut self, args: call::ProcessMap) -> Result<ProcessMap, ApiError> {
        let n = &*self.api.node;
        let call::ProcessMap { process } = args;
        let a = self.actor()?;
        Ok(n.process_map(a, process)?)
    }

    fn process_tasks(&mut self, args: call::ProcessTasks) -> Result<Vec<Task>, ApiError> {
        let n = &*self.api.node;
        let call::ProcessTasks { process } = args;
        let a = self.actor()?;
        Ok(n.process_tasks(a, process)?)
    }

    fn archive(&mut self, args: call::Archive) -> Result<Page<ArchiveRow>, ApiError> {
        let n = &*self.api.node;
        let call::Archive(q) = args;
        let a = self.actor()?;
        Ok(n.archive(a, &q)?)
    }

    fn archive_process(&mut self, args: call::ArchiveProcess) -> Result<ArchiveTree, ApiError> {
        let n = &*self.api.node;
        let call::ArchiveProcess { process } = args;
        let a = self.actor()?;
        Ok(n.archive_process(a, process)?)
    }

    fn report(&mut self, args: call::Report) -> Result<Report, ApiError> {
        let n = &*self.api.node;
        let call::Report(q) = args;
        let a = self.actor()?;
        Ok(n.report(a, &q)?)
    }

    fn export(&mut self, args: call::Export) -> Result<ExportReply, ApiError> {
        let n = &*self.api.node;
        let call::Export { what, format } = args;
        let a = self.actor()?;
        let f = n.export(a, &what, format)?;
        Ok(ExportReply {
            name: f.name,
            data: Bytes(f.data),
        })
    }

    fn applications(&mut self, args: call::Applications) -> Result<Page<AppRow>, ApiError> {
        let n = &*self.api.node;
        let call::Applications(q) = args;
        let a = self.actor()?;
        Ok(n.applications(a, &q)?)
    }

    fn application(&mut self, args: call::Application) -> Result<ApplicationCard, ApiError> {
        let n = &*self.api.node;
        let call::Application { id } = args;
        let a = self.actor()?;
        Ok(n.application(a, id)?)
    }

    fn application_by_number(
        &mut self,
        args: call::ApplicationByNumber,
    ) -> Result<ApplicationCard, ApiError> {
        let n = &*self.api.node;
        let call::ApplicationByNumber { number } = args;
        let a = self.actor()?;
        Ok(n.application_by_number(a, &number)?)
    }

    fn create_application(
        &mut self,
        args: call::CreateApplication,
    ) -> Result<Application, ApiError> {
        let n = &*self.api.node;
        let call::CreateApplication(new) = args;
        let a = self.actor()?;
        Ok(n.create_application(a, &new)?)
    }

    fn update_draft(&mut self, args: call::UpdateDraft) -> Result<Application, ApiError> {
        let n = &*self.api.node;
        let call::UpdateDraft { id, data } = args;
        let a = self.actor()?;
        Ok(n.update_draft(a, id, &data)?)
    }

    fn set_inventory(&mut self, args: call::SetInventory) -> Result<Application, ApiError> {
        let n = &*self.api.node;
        let call::SetInventory { id, items } = args;
        let a = self.actor()?;
        Ok(n.set_inventory(a, id, items)?)
    }

    fn doc_template(&mut self, args: call::DocTemplate) -> Result<TemplateView, ApiError> {
        let n = &*self.api.node;
        let a = self.actor()?;
        Ok(n.doc_template(a, args.kind)?)
    }

    fn set_doc_template(&mut self, args: call::SetDocTemplate) -> Result<TemplateView, ApiError> {
        let n = &*self.api.node;
        let call::SetDocTemplate { kind, text } = args;
        let a = self.actor()?;
        Ok(n.set_doc_template(a, kind, text)?)
    }

    fn preview_doc_template(
        &mut self,
        args: call::PreviewDocTemplate,
    ) -> Result<PrintReply, ApiError> {
        let n = &*self.api.node;
        let call::PreviewDocTemplate { kind, text } = args;
        let a = self.actor()?;
        Ok(printed(n.preview_doc_template(a, kind, &text)?))
    }

    fn print_request(&mut self, args: call::PrintRequest) -> Result<PrintReply, ApiError> {
        let n = &*self.api.node;
        let a = self.actor()?;
        Ok(printed(n.print_request(a, args.id)?))
    }

    fn print_result(&mut self, args: call::PrintResult) -> Result<PrintReply, ApiError> {
        let n = &*self.api.node;
        let call::PrintResult {
            id,
            result,
            kind,
            text,
        } = args;
        let a = self.actor()?;
        let p = volost_core::service::ResultPrint { result, kind, text };
        Ok(printed(n.print_result(a, id, &p)?))
    }

    fn refuse_intake(&mut self, args: call::RefuseIntake) -> Result<PrintReply, ApiError> {
        let n = &*self.api.node;
        let call::RefuseIntake { id, reasons } = args;
        let a = self.actor()?;
        Ok(printed(n.refuse_intake(a, id, &reasons)?))
    }

    fn hand_over(&mut self, args: call::HandOver) -> Result<Application, ApiError> {
        let n = &*self.api.node;
        let call::HandOver { id, on } = args;
        let a = self.actor()?;
        Ok(n.hand_over(a, id, on)?)
    }

    fn print(&mut self, args: call::Print) -> Result<PrintReply, ApiError> {
        let n = &*self.api.node;
        let call::Print { id, kind } = args;
        let a = self.actor()?;
        Ok(printed(n.print(a, id, kind)?))
    }

    fn print_journal(&mut self, args: call::PrintJournal) -> Result<PrintReply, ApiError> {
        let n = &*self.api.node;
        let call::PrintJournal { from, to } = args;
        let a = self.actor()?;
        Ok(printed(n.print_journal(a, from, to)?))
    }

    fn act(&mut self, args: call::Act) -> Result<Application, ApiError> {
        let n = &*self.api.node;
        let call::Act { id, input } = args;
        let a = self.actor()?;
        Ok(n.act(a, id, &input)?)
    }

    fn create_applicant(&mut self, args: call::CreateApplicant) -> Result<Applicant, ApiError> {
        let n = &*self.api.node;
        let call::CreateApplicant(input) = args;
        let a = self.actor()?;
        Ok(n.create_applicant(a, &input)?)
    }

    fn find_applicants(&mut self, args: call::FindApplicants) -> Result<Vec<Applicant>, ApiError> {
        let n = &*self.api.node;
        let call::FindApplicants { query, limit } = args;
        let a = self.actor()?;
        Ok(n.find_applicants(a, &query, limit)?)
    }

    fn applicant(&mut self, args: call::Applicant) -> Result<Applicant, ApiError> {
        let n = &*self.api.node;
        let call::Applicant { id } = args;
        let a = self.actor()?;
        Ok(n.applicant(a, id)?)
    }

    fn create_outgoing(&mut self, args: call::CreateOutgoing) -> Result<OutgoingRequest, ApiError> {
        let n = &*self.api.node;
        let call::CreateOutgoing {
            kind,
            application,
            data,
        } = args;
        let a = self.actor()?;
        Ok(n.create_outgoing(a, kind, application, &data)?)
    }

    fn outgoing(
        &mut self,
        args: call::Outgoing,
    ) -> Result<(OutgoingRequest, Vec<HistoryEntry>), ApiError> {
        let n = &*self.api.node;
        let call::Outgoing { id } = args;
        let a = self.actor()?;
        Ok(n.outgoing(a, id)?)
    }

    fn submit_outgoing(&mut self, args: call::SubmitOutgoing) -> Result<OutgoingRequest, ApiError> {
        let n = &*self.api.node;
        let call::SubmitOutgoing { id, pin, browser } = args;
        let a = self.actor()?;
        let what = "Межведомственный запрос";
        let key = self.personal_key(a, pin.as_ref(), browser, what)?;
        Ok(n.submit_outgoing(a, id, key.as_deref())?)
    }

    fn signing_pending(
        &mut self,
        _: call::SigningPending,
    ) -> Result<Option<SigningView>, ApiError> {
        let (desk, me) = self.desk()?;
        Ok(desk.pending(me)?)
    }

    fn signing_done(&mut self, args: call::SigningDone) -> Result<(), ApiError> {
        let (desk, me) = self.desk()?;
        Ok(desk.done(me, &args.id, &args.certificate, &args.signature)?)
    }

    fn signing_declined(&mut self, args: call::SigningDeclined) -> Result<(), ApiError> {
        let (desk, me) = self.desk()?;
        Ok(desk.declined(me, &args.id)?)
    }

    fn reopen_outgoing(&mut self, args: call::ReopenOutgoing) -> Result<OutgoingRequest, ApiError> {
        let n = &*self.api.node;
        let call::ReopenOutgoing { id } = args;
        let a = self.actor()?;
        Ok(n.reopen_outgoing(a, id)?)
    }

    fn outgoing_list(&mut self, args: call::OutgoingList) -> Result<Page<OutRow>, ApiError> {
        let n = &*self.api.node;
        let call::OutgoingList(l) = args;
        let a = self.actor()?;
        Ok(n.outgoing_list(a, &l.filter, l.sort, l.desc, l.after.as_ref(), l.limit)?)
    }

    fn incoming_list(&mut self, args: call::IncomingList) -> Result<Page<InRow>, ApiError> {
        let n = &*self.api.node;
        let call::IncomingList(l) = args;
        let a = self.actor()?;
        Ok(n.incoming_list(a, &l.filter, l.sort, l.desc, l.after.as_ref(), l.limit)?)
    }

    fn incoming(
        &mut self,
        args: call::Incoming,
    ) -> Result<(IncomingRequest, Vec<HistoryEntry>), ApiError> {
        let n = &*self.api.node;
        let call::Incoming { id } = args;
        let a = self.actor()?;
        Ok(n.incoming(a, id)?)
    }

    fn regional(
        &mut self,
        args: call::Regional,
    ) -> Result<(RegionalRequest, Vec<HistoryEntry>), ApiError> {
        let n = &*self.api.node;
        let call::Regional { id } = args;
        let a = self.actor()?;
        Ok(n.regional(a, id)?)
    }

    fn route(&mut self, args: call::Route) -> Result<Option<RouteView>, ApiError> {
        let n = &*self.api.node;
        let call::Route { about } = args;
        let a = self.actor()?;
        Ok(n.route(a, about)?)
    }

    fn regional_list(&mut self, args: call::RegionalList) -> Result<Page<RegRow>, ApiError> {
        let n = &*self.api.node;
        let call::RegionalList(l) = args;
        let a = self.actor()?;
        Ok(n.regional_list(a, &l.filter, l.desc, l.after.as_ref(), l.limit)?)
    }

    fn answer_incoming(&mut self, args: call::AnswerIncoming) -> Result<IncomingRequest, ApiError> {
        let n = &*self.api.node;
        let call::AnswerIncoming {
            id,
            answer,
            pin,
            browser,
        } = args;
        let a = self.actor()?;
        let what = "Ответ на межведомственный запрос";
        let key = self.personal_key(a, pin.as_ref(), browser, what)?;
        Ok(n.answer_incoming(a, id, &answer, key.as_deref())?)
    }

    fn claim_incoming(&mut self, args: call::ClaimIncoming) -> Result<IncomingRequest, ApiError> {
        let n = &*self.api.node;
        let call::ClaimIncoming { id, take_over } = args;
        let a = self.actor()?;
        Ok(n.claim_incoming(a, id, take_over)?)
    }

    fn return_incoming(&mut self, args: call::ReturnIncoming) -> Result<IncomingRequest, ApiError> {
        let n = &*self.api.node;
        let call::ReturnIncoming { id } = args;
        let a = self.actor()?;
        Ok(n.return_incoming(a, id)?)
    }

    fn comment_incoming(&mut self, args: call::CommentIncoming) -> Result<(), ApiError> {
        let n = &*self.api.node;
        let call::CommentIncoming { id, comment } = args;
        let a = self.actor()?;
        Ok(n.comment_incoming(a, id, &comment)?)
    }

    fn create_regional(&mut self, args: call::CreateRegional) -> Result<RegionalRequest, ApiError> {
        let n = &*self.api.node;
        let call::CreateRegional(input) = args;
        let a = self.actor()?;
        Ok(n.create_regional(a, &input)?)
    }

    fn send_regional(&mut self, args: call::SendRegional) -> Result<RegionalRequest, ApiError> {
        let n = &*self.api.node;
        let call::SendRegional { id, pin, browser } = args;
        let a = self.actor()?;
        let what = "Запрос Р-сведений";
        let key = self.personal_key(a, pin.as_ref(), browser, what)?;
        Ok(n.send_regional(a, id, key.as_deref())?)
    }

    fn complete_regional(
        &mut self,
        args: call::CompleteRegional,
    ) -> Result<RegionalRequest, ApiError> {
        let n = &*self.api.node;
        let call::CompleteRegional { id, answer } = args;
        let a = self.actor()?;
        Ok(n.complete_regional(a, id, &answer)?)
    }

    fn services(&mut self, args: call::Services) -> Result<Vec<Service>, ApiError> {
        let n = &*self.api.node;
        let call::Services { all } = args;
        let a = self.actor()?;
        Ok(n.services(a, all)?)
    }

    fn service(&mut self, args: call::Service) -> Result<Service, ApiError> {
        let n = &*self.api.node;
        let call::Service { id } = args;
        let a = self.actor()?;
        Ok(n.service(a, id)?)
    }

    fn request_kinds(&mut self, _: call::RequestKinds) -> Result<Vec<RequestKind>, ApiError> {
        let n = &*self.api.node;
        let a = self.actor()?;
        Ok(n.request_kinds(a)?)
    }

    fn add_service(&mut self, args: call::AddService) -> Result<ServiceId, ApiError> {
        let n = &*self.api.node;
        let call::AddService(spec) = args;
        let a = self.actor()?;
        Ok(n.add_service(a, &spec)?)
    }

    fn set_service_active(&mut self, args: call::SetServiceActive) -> Result<(), ApiError> {
        let n = &*self.api.node;
        let call::SetServiceActive { id, active } = args;
        let a = self.actor()?;
        Ok(n.set_service_active(a, id, active)?)
    }

    fn set_passport(&mut self, args: call::SetPassport) -> Result<(), ApiError> {
        let n = &*self.api.node;
        let call::SetPassport { id, passport } = args;
        let a = self.actor()?;
        Ok(n.set_passport(a, id, &passport)?)
    }

    fn update_service(&mut self, args: call::UpdateService) -> Result<(), ApiError> {
        let n = &*self.api.node;
        let call::UpdateService { id, spec } = args;
        let a = self.actor()?;
        Ok(n.update_service(a, id, &spec)?)
    }

    fn update_request_kind(&mut self, args: call::UpdateRequestKind) -> Result<(), ApiError> {
        let n = &*self.api.node;
        let call::UpdateRequestKind { id, spec } = args;
        let a = self.actor()?;
        Ok(n.update_request_kind(a, id, &spec)?)
    }

    fn org(&mut self, _: call::Org) -> Result<Org, ApiError> {
        let n = &*self.api.node;
        let a = self.actor()?;
        Ok(n.org(a)?)
    }

    fn set_org_details(&mut self, args: call::SetOrgDetails) -> Result<Org, ApiError> {
        let n = &*self.api.node;
        let a = self.actor()?;
        Ok(n.set_org_details(a, &args.0)?)
    }

    fn add_file(&mut self, args: call::AddFile) -> Result<Attachment, ApiError> {
        let n = &*self.api.node;
        let call::AddFile { owner, name, data } = args;
        let a = self.actor()?;
        Ok(n.add_file(a, owner, &name, &data.0)?)
    }

    fn files(&mut self, args: call::Files) -> Result<Vec<Attachment>, ApiError> {
        let n = &*self.api.node;
        let call::Files { owner } = args;
        let a = self.actor()?;
        Ok(n.files(a, owner)?)
    }

    fn file(&mut self, args: call::File) -> Result<FileReply, ApiError> {
        let n = &*self.api.node;
        let call::File { id } = args;
        let a = self.actor()?;
        let f = n.file(a, id)?;
        Ok(FileReply {
            file: f.file,
            data: Bytes(f.data),
        })
    }

    fn remove_file(&mut self, args: call::RemoveFile) -> Result<(), ApiError> {
        let n = &*self.api.node;
        let call::RemoveFile { id } = args;
        let a = self.actor()?;
        Ok(n.remove_file(a, id)?)
    }

    fn bodies(&mut self, _: call::Bodies) -> Result<Vec<Org>, ApiError> {
        let n = &*self.api.node;
        let a = self.actor()?;
        Ok(n.bodies(a)?)
    }

    fn registry_export(&mut self, _: call::RegistryExport) -> Result<String, ApiError> {
        let n = &*self.api.node;
        let a = self.actor()?;
        let key = self.api.exchange.as_ref().map(|p| p.key.as_ref());
        Ok(volost_smev::registry::export(n, a, key)?)
    }

    fn registry_import(&mut self, args: call::RegistryImport) -> Result<RegistryImport, ApiError> {
        let n = &*self.api.node;
        let call::RegistryImport { text } = args;
        let a = self.actor()?;
        let key = self.api.exchange.as_ref().map(|p| p.key.as_ref());
        Ok(volost_smev::registry::import(n, a, &text, key)?)
    }

    fn regional_bodies(&mut self, _: call::RegionalBodies) -> Result<Vec<RegionalBody>, ApiError> {
        let n = &*self.api.node;
        let a = self.actor()?;
        Ok(n.regional_bodies(a)?)
    }

    fn departments(&mut self, _: call::Departments) -> Result<Vec<Department>, ApiError> {
        let n = &*self.api.node;
        let a = self.actor()?;
        Ok(n.departments(a)?)
    }

    fn add_department(&mut self, args: call::AddDepartment) -> Result<DeptId, ApiError> {
        let n = &*self.api.node;
        let call::AddDepartment { name, parent } = args;
        let a = self.actor()?;
        Ok(n.add_department(a, &name, parent)?)
    }

    fn groups(&mut self, _: call::Groups) -> Result<Vec<Group>, ApiError> {
        let n = &*self.api.node;
        let a = self.actor()?;
        Ok(n.groups(a)?)
    }

    fn add_group(&mut self, args: call::AddGroup) -> Result<GroupId, ApiError> {
        let n = &*self.api.node;
        let call::AddGroup { name } = args;
        let a = self.actor()?;
        Ok(n.add_group(a, &name)?)
    }

    fn roles(&mut self, _: call::Roles) -> Result<Vec<Role>, ApiError> {
        let n = &*self.api.node;
        let a = self.actor()?;
        Ok(n.roles(a)?)
    }

    fn calendar(&mut self, _: call::Calendar) -> Result<Calendar, ApiError> {
        let n = &*self.api.node;
        let a = self.actor()?;
        Ok(n.calendar(a)?)
    }

    fn set_calendar_day(&mut self, args: call::SetCalendarDay) -> Result<Recomputed, ApiError> {
        let n = &*self.api.node;
        let call::SetCalendarDay { date, off } = args;
        let a = self.actor()?;
        Ok(n.set_calendar_day(a, date, off)?)
    }

    fn outgoing_answer(
        &mut self,
        args: call::OutgoingAnswer,
    ) -> Result<Option<AnswerView>, ApiError> {
        let n = &*self.api.node;
        let a = self.actor()?;
        Ok(n.outgoing_answer(a, args.id)?)
    }

    fn kind_packages(&mut self, _: call::KindPackages) -> Result<Vec<PackageSummary>, ApiError> {
        let n = &*self.api.node;
        let a = self.actor()?;
        Ok(n.kind_packages(a)?)
    }

    fn import_kind(&mut self, args: call::ImportKind) -> Result<KindImport, ApiError> {
        let n = &*self.api.node;
        let files: Vec<PackageFile> = args
            .files
            .into_iter()
            .map(|(path, data)| PackageFile { path, data: data.0 })
            .collect();
        let a = self.actor()?;
        Ok(n.import_kind(a, &files)?)
    }

    fn import_calendar(&mut self, args: call::ImportCalendar) -> Result<CalendarImport, ApiError> {
        let n = &*self.api.node;
        let call::ImportCalendar { name, data } = args;
        let a = self.actor()?;
        Ok(n.import_calendar(a, &data.0, &name)?)
    }

    fn users(&mut self, _: call::Users) -> Result<Vec<UserView>, ApiError> {
        let n = &*self.api.node;
        let a = self.actor()?;
        Ok(n.list_users(a)?)
    }

    fn add_user(&mut self, args: call::AddUser) -> Result<OneTimePassword, ApiError> {
        let n = &*self.api.node;
        let call::AddUser(new) = args;
        let a = self.actor()?;
        let (u, password) = n.add_user(a, &new)?;
        Ok(OneTimePassword {
            user: u.id,
            login: u.login,
            password,
        })
    }

    fn reset_password(&mut self, args: call::ResetPassword) -> Result<OneTimePassword, ApiError> {
        let n = &*self.api.node;
        let api = self.api;
        let call::ResetPassword { login } = args;
        let a = self.actor()?;
        let password = n.reset_password(a, &login)?;
        let user = n
            .user_by_login(&login)?
            .ok_or_else(|| volost_core::Error::not_found("user", &login))?;
        // The old password is void, and so are the sessions opened with it.
        api.sessions.close_user(user.id);
        Ok(OneTimePassword {
            user: user.id,
            login: user.login,
            password,
        })
    }

    fn set_user_contacts(&mut self, args: call::SetUserContacts) -> Result<(), ApiError> {
        let n = &*self.api.node;
        let call::SetUserContacts {
            user,
            position,
            phone,
        } = args;
        let a = self.actor()?;
        Ok(n.set_user_contacts(a, user, &position, &phone)?)
    }

    fn set_user_active(&mut self, args: call::SetUserActive) -> Result<(), ApiError> {
        let n = &*self.api.node;
        let api = self.api;
        let call::SetUserActive { user, active } = args;
        let a = self.actor()?;
        n.set_user_active(a, user, active)?;
        if !active {
            api.sessions.close_user(user);
        }
        Ok(())
    }

    fn set_user_roles(&mut self, args: call::SetUserRoles) -> Result<(), ApiError> {
        let n = &*self.api.node;
        let call::SetUserRoles {
            user,
            roles,
            groups,
        } = args;
        let a = self.actor()?;
        Ok(n.set_user_roles(a, user, &roles, &groups)?)
    }

    fn audit_tail(&mut self, args: call::AuditTail) -> Result<Vec<AuditEntry>, ApiError> {
        let n = &*self.api.node;
        let call::AuditTail { n: count } = args;
        let a = self.actor()?;
        Ok(n.audit_tail(a, count)?)
    }

    fn request_setup(&mut self, _: call::RequestSetup) -> Result<(), ApiError> {
        let n = &*self.api.node;
        let a = self.actor()?;
        // The right first: whether this node has a setup screen is not for everyone.
        if !n.whoami(a)?.rights.has(Right::Administer) {
            return Err(volost_core::Error::Forbidden {
                op: "node.setup_request",
                right: Right::Administer,
            }
            .into());
        }
        let marker = self
            .api
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
        Ok(())
    }
}

/// A printed document as the `print` calls answer it.
pub fn printed(p: volost_core::service::Printed) -> PrintReply {
    PrintReply {
        name: p.name,
        data: Bytes(p.data),
        file: p.file,
    }
}
