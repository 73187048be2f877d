//! The runner's side of requests: the daemon calls its effects ask for.

use crate::app::{App, AppTab, Banner, Dialog, Menu, MenuKind, Screen};
use crate::screens::effect::{Pending, PinFor, Provider, TokenWait};
use crate::screens::form::DataForm;
use crate::screens::requests::*;
use crate::text;
use crate::widgets::Field;
use volost_api::{ClientError, Op, Pin, call};
use volost_domain::{
    AppId, InReqId, InStatus, OutReqId, RegReqId, RegStatus, RemoteState, RequestKind, Right,
    display_date,
};

impl App {
    /// The request kinds of the body, read once per session.
    fn kinds(&mut self) -> Vec<RequestKind> {
        if self.kinds.is_none() {
            match self.conn.ask(call::RequestKinds) {
                Ok(k) => self.kinds = Some(k),
                Err(e) => {
                    self.failed(&e);
                    return Vec::new();
                }
            }
        }
        self.kinds.clone().unwrap_or_default()
    }

    fn person(&mut self, id: volost_domain::UserId) -> String {
        self.ensure_people();
        self.people
            .iter()
            .find(|(u, _)| *u == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| text::NOT_SET.into())
    }

    /// A read whose failure is shown (banner, or the login screen) and ends the caller's work.
    fn fetch<R: Op + Clone>(&mut self, call: R) -> Option<R::Reply> {
        match self.conn.ask(call) {
            Ok(x) => Some(x),
            Err(e) => {
                self.failed(&e);
                None
            }
        }
    }

    /// Opens a request's card; `from_app` is the application card to come back to.
    pub(crate) fn open_request(&mut self, id: ReqRef, from_app: Option<AppId>) {
        let (tab, file_row) = match &self.screen {
            Screen::Req(v) if v.id == id => (v.tab, v.files.row),
            _ => (ReqTab::Data, 0),
        };
        let view = match id {
            ReqRef::Out(id) => self.outgoing_view(id),
            ReqRef::In(id) => self.incoming_view(id),
            ReqRef::Reg(id) => self.regional_view(id),
        };
        if let Some(mut v) = view {
            v.tab = tab;
            v.from_app = from_app;
            v.files = self.load_files(id.into(), file_row);
            self.screen = Screen::Req(Box::new(v));
        }
    }

    fn outgoing_view(&mut self, id: OutReqId) -> Option<ReqView> {
        let (q, history) = self.fetch(call::Outgoing { id })?;
        let kind = self.kinds().into_iter().find(|k| k.id == q.kind);
        let app = q.application.and_then(|a| {
            self.conn
                .ask(call::Application { id: a })
                .ok()
                .map(|c| c.app.number)
        });
        let o = self.offset;
        let (kname, agency) = kind
            .as_ref()
            .map(|k| (k.name.clone(), k.agency.clone()))
            .unwrap_or_default();
        let executor = self.person(q.executor);
        let mut data = vec![
            (text::R_NUMBER.into(), q.number.clone()),
            (text::R_STATUS.into(), q.status.label().into()),
            (text::R_KIND.into(), kname.clone()),
            (text::R_AGENCY.into(), agency),
            (
                text::R_APPLICATION.into(),
                app.unwrap_or_else(|| text::NOT_SET.into()),
            ),
            (text::R_EXECUTOR.into(), executor),
            (text::R_CREATED.into(), q.created.display(o)),
            (text::R_SENT.into(), at(q.sent, o)),
            (text::R_ANSWERED.into(), at(q.answered, o)),
        ];
        if let Some(m) = &q.message_id {
            data.push((text::R_MESSAGE_ID.into(), m.clone()));
        }
        if let Some(e) = &q.error {
            data.push((text::R_ERROR.into(), e.clone()));
        }
        match &q.personal.signed_by {
            Some(by) => data.push((text::R_PERSONAL_REQUEST.into(), by.clone())),
            None if kind.as_ref().is_some_and(|k| k.sign_personal) => data.push((
                text::R_PERSONAL_REQUEST.into(),
                text::PERSONAL_NEEDED.into(),
            )),
            None => {}
        }
        if let Some(v) = &q.personal.received {
            data.push((text::R_PERSONAL_ANSWER.into(), v.note()));
        }
        let fields = kind.as_ref().map(|k| k.fields.as_slice()).unwrap_or(&[]);
        data.extend(headed(text::R_DATA, labelled(fields, &q.data)));
        let answer_fields = kind
            .as_ref()
            .map(|k| k.answer_fields.as_slice())
            .unwrap_or(&[]);
        let title = format!("{} {} · {}", text::R_NUMBER, q.number, kname);
        // An agency's answer kept as it came is shown as its tree, named by the agency's
        // schema; the old kinds' answers by their form.
        let answer = match self.conn.ask(call::OutgoingAnswer { id }) {
            Ok(Some(a)) => answer_lines(&a),
            _ => labelled(answer_fields, &q.answer),
        };
        let mut v = ReqView::new(ReqRef::Out(id), title, q.number, data, answer);
        v.history = history;
        if self.has(Right::Interagency) {
            v.actions = match q.status {
                volost_domain::OutStatus::Formed => vec![ReqAction::Send],
                volost_domain::OutStatus::NotSent | volost_domain::OutStatus::Error => {
                    vec![ReqAction::Reopen]
                }
                _ => Vec::new(),
            };
            // On paper whatever its state: SMEV may be down for it, or the agency's office
            // asks for the paper too.
            v.actions.push(ReqAction::PrintPaper);
        }
        Some(v)
    }

    fn incoming_view(&mut self, id: InReqId) -> Option<ReqView> {
        let (q, history) = self.fetch(call::Incoming { id })?;
        let kind = self.kinds().into_iter().find(|k| k.id == q.kind);
        let o = self.offset;
        let executor = match q.executor {
            Some(u) => self.person(u),
            None => text::NOT_SET.into(),
        };
        let previous = q.previous_executor.map(|u| self.person(u));
        let kname = kind.as_ref().map(|k| k.name.clone()).unwrap_or_default();
        let mut data = vec![
            (text::R_NUMBER.into(), q.number.clone()),
            (text::R_CONSUMER_NUMBER.into(), q.consumer_number.clone()),
            (text::R_STATUS.into(), q.status.label().into()),
            (text::R_KIND.into(), kname.clone()),
            (text::R_RECEIVED.into(), q.received.display(o)),
            (text::R_PLANNED.into(), display_date(q.planned)),
            (text::R_EXECUTOR.into(), executor.clone()),
        ];
        if let Some(p) = previous {
            data.push((text::R_PREVIOUS_EXECUTOR.into(), p));
        }
        data.push((text::R_MESSAGE_ID.into(), q.message_id.clone()));
        // Who sent it, as the exchange named them; a card of a request typed in has none.
        let about = volost_domain::Routed::Incoming(id);
        if let Ok(Some(r)) = self.conn.ask(call::Route { about }) {
            data.push((text::R_SENDER.into(), r.sender));
            if r.test {
                data.push((text::R_TEST.into(), text::TEST_MESSAGE.into()));
            }
        }
        if let Some(v) = &q.personal.received {
            data.push((text::R_PERSONAL_REQUEST.into(), v.note()));
        }
        if let Some(by) = &q.personal.signed_by {
            data.push((text::R_PERSONAL_ANSWER.into(), by.clone()));
        }
        let fields = kind.as_ref().map(|k| k.fields.as_slice()).unwrap_or(&[]);
        data.extend(headed(text::R_DATA, labelled(fields, &q.data)));
        let answer_fields = kind
            .as_ref()
            .map(|k| k.answer_fields.as_slice())
            .unwrap_or(&[]);
        let answer = labelled(answer_fields, &q.answer);
        // Exactly what this user may do now: the service layer's rules, read ahead.
        let mut actions = Vec::new();
        if self.has(Right::Interagency) {
            let me = self.session.as_ref().map(|s| s.user);
            let sup = self.has(Right::SuperRights);
            if q.status == InStatus::Received {
                if let Some(k) = kind {
                    actions.push(ReqAction::Answer(Box::new(k)));
                }
                match q.executor {
                    None => actions.push(ReqAction::Claim(None)),
                    Some(u) if Some(u) != me && sup => {
                        actions.push(ReqAction::Claim(Some(executor)))
                    }
                    _ => {}
                }
                if q.previous_executor.is_some() && (q.executor == me || sup) {
                    actions.push(ReqAction::ReturnPrevious);
                }
            }
            actions.push(ReqAction::Comment);
        }
        let title = format!("{} {} · {}", text::R_NUMBER, q.number, kname);
        let mut v = ReqView::new(ReqRef::In(id), title, q.number, data, answer);
        v.history = history;
        v.actions = actions;
        Some(v)
    }

    fn regional_view(&mut self, id: RegReqId) -> Option<ReqView> {
        let (q, history) = self.fetch(call::Regional { id })?;
        let o = self.offset;
        let me = self.session.as_ref().map(|s| s.org)?;
        let to_us = q.is_to(me);
        let mut data = vec![
            (text::R_SUBJECT.into(), q.subject.clone()),
            (text::R_STATUS.into(), q.status.label().into()),
            (text::R_PROVIDER.into(), q.provider.clone()),
        ];
        match (to_us, q.sent_from_elsewhere()) {
            (true, Some(body)) => data.push((
                text::R_REQUESTER.into(),
                format!("{} ({})", body.name, text::VIA_RSMEV),
            )),
            (true, None) => {
                let from = self
                    .conn
                    .ask(call::Bodies)
                    .ok()
                    .and_then(|b| b.into_iter().find(|x| x.id == q.org))
                    .map(|x| x.display_name().to_string())
                    .unwrap_or_default();
                data.push((text::R_REQUESTER.into(), from));
            }
            (false, _) => {
                let by = self.person(q.created_by);
                data.push((text::R_AUTHOR.into(), by));
            }
        }
        data.push((text::R_CREATED.into(), q.created.display(o)));
        data.push((text::R_COMPLETED.into(), at(q.completed, o)));
        data.push((
            text::R_COMMENT.into(),
            if q.comment.is_empty() {
                text::NOT_SET.into()
            } else {
                q.comment.clone()
            },
        ));
        if let Some(r) = &q.remote {
            data.push((text::R_EXCHANGE.into(), r.state.label().into()));
            if let Some(m) = &r.message_id {
                data.push((text::R_REGIONAL_MESSAGE_ID.into(), m.clone()));
            }
            if let Some(by) = &r.personal.signed_by {
                data.push((text::R_PERSONAL_REQUEST.into(), by.clone()));
            }
            if let Some(v) = &r.personal.received {
                let label = if r.incoming {
                    text::R_PERSONAL_REQUEST
                } else {
                    text::R_PERSONAL_ANSWER
                };
                data.push((label.into(), v.note()));
            }
        }
        let answer = if q.answer.is_empty() {
            Vec::new()
        } else {
            vec![(text::R_ANSWER.into(), q.answer.clone())]
        };
        let mut actions = Vec::new();
        if self.has(Right::Regional) && q.status == RegStatus::New {
            if to_us {
                actions.push(ReqAction::Complete);
            }
            let sendable = q
                .remote
                .as_ref()
                .is_some_and(|r| !r.incoming && r.state.sendable());
            if sendable && q.org == me {
                actions.push(ReqAction::SendRegional(false));
                if self
                    .session
                    .as_ref()
                    .is_some_and(|s| s.personal_cert.is_some())
                {
                    actions.push(ReqAction::SendRegional(true));
                }
            }
        }
        let answer_failed = q
            .remote
            .as_ref()
            .is_some_and(|r| r.incoming && r.state == RemoteState::AnswerNotSent);
        if self.has(Right::Regional) && to_us && q.status == RegStatus::Done && answer_failed {
            actions.push(ReqAction::ResendAnswer);
        }
        let title = format!("{} · {}", text::REGIONAL, q.subject);
        let mut v = ReqView::new(ReqRef::Reg(id), title, q.subject, data, answer);
        v.history = history;
        v.actions = actions;
        Some(v)
    }

    /// Keys on a request card.
    /// A line of a request card's «Действия» was chosen.
    pub(crate) fn request_chosen(&mut self, m: Menu) {
        let Screen::Req(v) = &self.screen else {
            return;
        };
        let MenuKind::ReqActions(acts) = m.kind else {
            return;
        };
        match (acts.into_iter().nth(m.selected), v.id) {
            (Some(ReqAction::Answer(kind)), ReqRef::In(id)) => {
                let form = DataForm::answer(id, &v.number, *kind);
                self.screen = Screen::Fill(Box::new(form));
            }
            (Some(ReqAction::Claim(None)), ReqRef::In(id)) => self.claim_incoming(id, false),
            (Some(ReqAction::Claim(Some(holder))), ReqRef::In(id)) => {
                self.dialog = Some(Dialog::new(
                    text::TAKE_OVER_REQUEST_TITLE,
                    format!(
                        "{}: {holder}. {}",
                        text::R_EXECUTOR,
                        text::TAKE_OVER_REQUEST_QUESTION
                    ),
                    Vec::new(),
                    Pending::ClaimIncoming(id),
                ));
            }
            (Some(ReqAction::ReturnPrevious), ReqRef::In(id)) => {
                self.incoming_call(
                    call::ReturnIncoming { id },
                    text::RETURNED_PREVIOUS,
                    id,
                    None,
                );
            }
            (Some(ReqAction::Comment), ReqRef::In(id)) => {
                self.dialog = Some(Dialog::new(
                    text::COMMENT_INCOMING,
                    text::COMMENT_INCOMING_TEXT,
                    vec![Field::new(text::COMMENT, false)],
                    Pending::CommentIncoming(id),
                ));
            }
            (Some(ReqAction::ResendAnswer), ReqRef::Reg(id)) => {
                let from = v.from_app;
                self.signed(PinFor::Regional(id, from), None);
            }
            (Some(ReqAction::SendRegional(sign)), ReqRef::Reg(id)) => {
                let from = v.from_app;
                if sign {
                    self.ask_pin(PinFor::Regional(id, from), None);
                } else {
                    self.signed(PinFor::Regional(id, from), None);
                }
            }
            (Some(ReqAction::Send), ReqRef::Out(id)) => {
                let from = v.from_app;
                self.signed(PinFor::Submit(id, from), None);
            }
            (Some(ReqAction::PrintPaper), ReqRef::Out(id)) => {
                let from = v.from_app;
                match self.conn.ask(call::PrintRequest { id }) {
                    Ok(p) => {
                        self.open_request(ReqRef::Out(id), from);
                        self.banner = Some(Banner::Info(format!(
                            "{}: «{}»",
                            text::REQUEST_PRINTED,
                            p.name
                        )));
                    }
                    Err(e) => self.failed(&e),
                }
            }
            (Some(ReqAction::Reopen), ReqRef::Out(id)) => {
                let from = v.from_app;
                self.outgoing_call(
                    call::ReopenOutgoing { id },
                    text::REQUEST_REOPENED,
                    id,
                    from,
                );
            }
            (Some(ReqAction::Complete), ReqRef::Reg(id)) => {
                self.dialog = Some(Dialog::new(
                    text::COMPLETE_REGIONAL,
                    text::COMPLETE_REGIONAL_TEXT,
                    vec![Field::new(text::R_ANSWER, false)],
                    Pending::CompleteRegional(id),
                ));
            }
            _ => {}
        }
    }

    /// F7 «Новый запрос»: an interagency request (the kinds to choose from) or a regional
    /// one (the provider body to choose), on its own or for `app`.
    pub(crate) fn new_request(&mut self, regional: bool, app: Option<AppId>) {
        if regional {
            let bodies = match self.conn.ask(call::Bodies) {
                Ok(b) => b,
                Err(e) => return self.failed(&e),
            };
            // The regional directory is empty when РСМЭВ is off; a failure only hides it.
            let remote = self.conn.ask(call::RegionalBodies).unwrap_or_default();
            let mut choices: Vec<Provider> = bodies
                .into_iter()
                .map(|b| Provider::Local(b.id, b.display_name().to_string()))
                .collect();
            choices.extend(remote.into_iter().map(Provider::Remote));
            choices.push(Provider::Other);
            let items: Vec<String> = choices
                .iter()
                .map(|c| match c {
                    Provider::Local(_, name) => name.clone(),
                    Provider::Remote(b) => format!("{} {}", b.name, text::REMOTE_MARK),
                    Provider::Other => text::OTHER_BODY.into(),
                })
                .collect();
            self.show_menu(Menu {
                title: text::CHOOSE_PROVIDER,
                items,
                selected: 0,
                kind: MenuKind::Providers(choices, app),
            });
        } else {
            let kinds: Vec<RequestKind> = self.kinds().into_iter().filter(|k| k.active).collect();
            self.show_menu(Menu {
                title: text::CHOOSE_KIND,
                items: kinds
                    .iter()
                    .map(|k| format!("{} — {}", k.name, k.agency))
                    .collect(),
                selected: 0,
                kind: MenuKind::Kinds(kinds, app),
            });
        }
    }

    /// A menu over the current screen: an application card's, or the main screen's.
    fn show_menu(&mut self, m: Menu) {
        match &mut self.screen {
            Screen::App(v) => v.menu = Some(m),
            _ => self.main.popup = Some(m),
        }
    }

    /// A line of «Новый запрос»'s menus was chosen.
    pub(crate) fn request_menu_chosen(&mut self, m: Menu) {
        match m.kind {
            MenuKind::Kinds(kinds, app) => {
                if let Some(k) = kinds.into_iter().nth(m.selected) {
                    let mut form = DataForm::outgoing(k, app);
                    // Made from an application's card: what the applicant's record already
                    // says is filled in (staff check it rather than type it again).
                    if let Screen::App(v) = &self.screen
                        && Some(v.card.app.id) == app
                    {
                        form.prefill(&v.card.applicant);
                    }
                    self.screen = Screen::Fill(Box::new(form));
                }
            }
            MenuKind::Providers(choices, app) => {
                let Some(choice) = choices.into_iter().nth(m.selected) else {
                    return;
                };
                let mut inputs = Vec::new();
                let intro = match &choice {
                    Provider::Local(_, name) => format!("{}{name}", text::REGIONAL_TEXT),
                    Provider::Remote(b) => format!("{}{}", text::REGIONAL_REMOTE_TEXT, b.name),
                    Provider::Other => {
                        inputs.push(Field::new(text::R_PROVIDER, false));
                        text::REGIONAL_OTHER_TEXT.to_string()
                    }
                };
                inputs.push(Field::new(text::R_SUBJECT, false));
                inputs.push(Field::new(text::R_COMMENT, false));
                self.dialog = Some(Dialog::new(
                    text::REGIONAL_TITLE,
                    intro,
                    inputs,
                    Pending::NewRegional(choice, app),
                ));
            }
            _ => {}
        }
    }

    /// The dialog of a new regional request was filled in.
    pub(crate) fn create_regional(&mut self, d: Dialog, choice: Provider, app: Option<AppId>) {
        let skip = usize::from(choice == Provider::Other);
        let mut input = volost_api::RegionalInput {
            application: app,
            subject: d.value(skip),
            comment: d.value(skip + 1),
            ..Default::default()
        };
        match choice {
            Provider::Local(id, name) => {
                input.provider = name;
                input.provider_org = Some(id);
            }
            Provider::Remote(b) => input.remote = Some(b.inn),
            Provider::Other => input.provider = d.value(0),
        }
        let call = call::CreateRegional(input);
        match self.conn.ask(call) {
            Ok(r) => {
                self.banner = Some(Banner::Info(format!(
                    "{}: {}",
                    text::REQUEST_SAVED,
                    r.subject
                )));
                self.open_request(ReqRef::Reg(r.id), app);
            }
            Err(e) => self.keep_dialog(d, &e),
        }
    }

    /// «Исполнить»: the answer to a regional request sent to this body.
    pub(crate) fn complete_regional(&mut self, d: Dialog, id: RegReqId) {
        let call = call::CompleteRegional {
            id,
            answer: d.value(0),
        };
        match self.conn.ask(call) {
            Ok(_) => {
                self.banner = Some(Banner::Info(text::REGIONAL_DONE.into()));
                let from = match &self.screen {
                    Screen::Req(v) => v.from_app,
                    _ => None,
                };
                self.open_request(ReqRef::Reg(id), from);
            }
            Err(e) => self.keep_dialog(d, &e),
        }
    }

    /// «Назначить на себя»; `take_over` after the question naming the holder.
    pub(crate) fn claim_incoming(&mut self, id: InReqId, take_over: bool) {
        self.incoming_call(
            call::ClaimIncoming { id, take_over },
            text::CLAIMED_REQUEST,
            id,
            None,
        );
    }

    /// «Комментарий» typed in the dialog.
    pub(crate) fn comment_incoming(&mut self, d: Dialog, id: InReqId) {
        let call = call::CommentIncoming {
            id,
            comment: d.value(0),
        };
        self.incoming_call(call, text::COMMENT_SAVED, id, Some(d));
    }

    /// A change of an incoming request from its card: the card again, with what happened;
    /// a refused dialog stays open with the message.
    /// An action on an outgoing request; the card is shown again with its new status.
    fn outgoing_call<R: Op + Clone>(
        &mut self,
        call: R,
        done: &str,
        id: OutReqId,
        from: Option<AppId>,
    ) {
        match self.conn.ask(call) {
            Ok(_) => {
                self.banner = Some(Banner::Info(done.into()));
                self.open_request(ReqRef::Out(id), from);
            }
            Err(e) => self.failed(&e),
        }
    }

    /// Sends a request, or saves an answer, with the PIN of the user's ЭП-СП once typed. A
    /// kind that asks for ЭП-СП is refused without it (`pin_required`): then, and after a
    /// wrong PIN, the PIN is asked for; nothing is sent until it is right.
    pub(crate) fn signed(&mut self, what: PinFor, pin: Option<String>) {
        let pin = pin.map(Pin);
        let Some(answer) = self.answer_of(&what) else {
            return;
        };
        let result = signed_call(&mut self.conn, &what, pin, false, answer);
        self.signed_result(what, result);
    }

    /// The answer typed on the form, for an answer; `Some(None)` for what has none; `None`
    /// when the form is gone.
    fn answer_of(
        &self,
        what: &PinFor,
    ) -> Option<Option<std::collections::BTreeMap<String, String>>> {
        match what {
            PinFor::Answer(_) => match &self.screen {
                Screen::Fill(form) => Some(Some(form.data())),
                _ => None,
            },
            _ => Some(None),
        }
    }

    /// The screen still shows what waits for its signature (its card, or the answer's form),
    /// with nothing over it.
    fn still_on(&self, what: &PinFor) -> bool {
        if self.dialog.is_some() || self.help {
            return false;
        }
        match (what, &self.screen) {
            (PinFor::Submit(id, _), Screen::Req(v)) => v.id == ReqRef::Out(*id),
            (PinFor::Regional(id, _), Screen::Req(v)) => v.id == ReqRef::Reg(*id),
            (PinFor::Answer(id), Screen::Fill(f)) => matches!(
                &f.purpose,
                crate::screens::form::Purpose::Answer { id: i, .. } if i == id
            ),
            _ => false,
        }
    }

    /// What came of a send or an answer signed with a PIN or a token.
    fn signed_result(&mut self, what: PinFor, result: Result<&'static str, ClientError>) {
        let e = match result {
            Ok(done) => {
                self.banner = Some(Banner::Info(done.into()));
                return match what {
                    PinFor::Submit(id, from) => self.open_request(ReqRef::Out(id), from),
                    PinFor::Answer(id) => self.open_request(ReqRef::In(id), None),
                    PinFor::Regional(id, from) => self.open_request(ReqRef::Reg(id), from),
                };
            }
            Err(e) => e,
        };
        let code = e.api().map(|a| (a.code.clone(), a.message.clone()));
        match code {
            Some((c, _)) if c == "pin_required" => self.ask_pin(what, None),
            Some((c, m)) if c == "wrong_pin" => self.ask_pin(what, Some(m)),
            _ if matches!(what, PinFor::Answer(_)) => self.form_refused(&e),
            _ => self.failed(&e),
        }
    }

    /// F4 in the PIN dialog: the same call, signed with the employee's token in the web page.
    /// It waits there (up to the node's limit) on a connection of its own; the screen goes
    /// on and says where to sign.
    pub(crate) fn sign_with_token(&mut self, what: PinFor) {
        let Some(url) = self.session.as_ref().and_then(|s| s.web.clone()) else {
            self.banner = Some(Banner::Error(text::NO_WEB_PAGE.into()));
            return;
        };
        if self.token_wait.is_some() {
            self.banner = Some(Banner::Error(text::TOKEN_BUSY.into()));
            return;
        }
        let Some(answer) = self.answer_of(&what) else {
            return;
        };
        let mut conn = self.conn.another();
        let (tx, rx) = std::sync::mpsc::channel();
        let call_what = what.clone();
        std::thread::spawn(move || {
            let _ = tx.send(signed_call(&mut conn, &call_what, None, true, answer));
        });
        self.token_wait = Some(TokenWait { what, answer: rx });
        self.banner = Some(Banner::Info(format!("{} {url}/sign", text::SIGN_IN_PAGE)));
    }

    /// On each tick: the signature made in the web page, or its refusal, once it came.
    pub(crate) fn token_signed(&mut self) {
        let Some(w) = &self.token_wait else {
            return;
        };
        match w.answer.try_recv() {
            Ok(result) => {
                let Some(w) = self.token_wait.take() else {
                    return;
                };
                if self.still_on(&w.what) {
                    self.signed_result(w.what, result);
                } else {
                    // The clerk went on to other work meanwhile: only said, nothing replaced.
                    match result {
                        Ok(done) => self.banner = Some(Banner::Info(done.into())),
                        Err(e) => self.failed(&e),
                    }
                }
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => {}
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                self.token_wait = None;
                self.banner = Some(Banner::Error(text::TOKEN_LOST.into()));
            }
        }
    }

    fn ask_pin(&mut self, what: PinFor, error: Option<String>) {
        let Some(cert) = self.session.as_ref().and_then(|s| s.personal_cert.clone()) else {
            self.banner = Some(Banner::Error(text::NO_PERSONAL_CERT.into()));
            return;
        };
        if cert.on_token {
            // The key is on the employee's token: the PIN is typed there, never here.
            return self.sign_with_token(what);
        }
        let mut pin = Field::new(text::PIN, true);
        pin.error = error;
        let mut about = format!("{} {}", text::PIN_TEXT, cert.subject);
        if self.session.as_ref().is_some_and(|s| s.web.is_some()) {
            about.push_str(&format!(". {}", text::PIN_OR_TOKEN));
        }
        if let Some(p) = &self.demo_pin {
            about.push_str(&format!(". {} {p}", text::DEMO_PIN));
        }
        self.dialog = Some(Dialog::new(
            text::PIN_TITLE,
            about,
            vec![pin],
            Pending::Pin(what),
        ));
    }

    fn incoming_call<R: Op + Clone>(
        &mut self,
        call: R,
        done: &str,
        id: InReqId,
        d: Option<Dialog>,
    ) {
        match (self.conn.ask(call), d) {
            (Ok(_), _) => {
                self.banner = Some(Banner::Info(done.into()));
                self.open_request(ReqRef::In(id), None);
            }
            (Err(e), Some(d)) => self.keep_dialog(d, &e),
            (Err(e), None) => self.failed(&e),
        }
    }

    /// Saving a request form or an answer form.
    pub(crate) fn save_request_form(&mut self) {
        let Screen::Fill(form) = &self.screen else {
            return;
        };
        let data = form.data();
        match &form.purpose {
            crate::screens::form::Purpose::Outgoing { kind, application } => {
                let back = *application;
                let call = call::CreateOutgoing {
                    kind: kind.id,
                    application: back,
                    data,
                };
                match self.conn.ask(call) {
                    Ok(r) => {
                        self.banner = Some(Banner::Info(format!(
                            "{}: {}",
                            text::REQUEST_SAVED,
                            r.number
                        )));
                        self.open_request(ReqRef::Out(r.id), back);
                    }
                    Err(e) => self.form_refused(&e),
                }
            }
            crate::screens::form::Purpose::Answer { id, .. } => {
                let id = *id;
                self.signed(PinFor::Answer(id), None);
            }
            crate::screens::form::Purpose::Draft(id) => {
                let id = *id;
                match self.conn.ask(call::UpdateDraft { id, data }) {
                    Ok(_) => {
                        self.banner = Some(Banner::Info(text::DRAFT_UPDATED.into()));
                        self.open_app_at(id, AppTab::Data);
                    }
                    Err(e) => self.form_refused(&e),
                }
            }
            crate::screens::form::Purpose::Inventory { app, items, line } => {
                let id = *app;
                let items = crate::screens::inventory::with_line(items, *line, &data);
                match self.conn.ask(call::SetInventory { id, items }) {
                    Ok(_) => {
                        self.banner = Some(Banner::Info(text::INVENTORY_SAVED.into()));
                        self.open_app_at(id, AppTab::Inventory);
                    }
                    Err(e) => self.form_refused(&e),
                }
            }
            crate::screens::form::Purpose::Passport(id) => {
                let id = *id;
                self.save_passport(id);
            }
            crate::screens::form::Purpose::Template { .. } => self.save_template_line(),
            crate::screens::form::Purpose::Application(_) => {}
        }
    }

    /// Where Esc leads from a request or answer form.
    pub(crate) fn leave_request_form(&mut self) {
        let Screen::Fill(form) = &self.screen else {
            return;
        };
        match &form.purpose {
            crate::screens::form::Purpose::Outgoing {
                application: Some(app),
                ..
            } => {
                let app = *app;
                self.open_app_at(app, AppTab::Outgoing);
            }
            crate::screens::form::Purpose::Answer { id, .. } => {
                let id = *id;
                self.open_request(ReqRef::In(id), None);
            }
            crate::screens::form::Purpose::Draft(id) => {
                let id = *id;
                self.open_app_at(id, AppTab::Data);
            }
            crate::screens::form::Purpose::Inventory { app, .. } => {
                let id = *app;
                self.open_app_at(id, AppTab::Inventory);
            }
            crate::screens::form::Purpose::Passport(id) => {
                let id = *id;
                self.open_registry(Some(id));
            }
            crate::screens::form::Purpose::Template { .. } => self.leave_template_line(),
            _ => {
                self.screen = Screen::Main;
                self.reload();
            }
        }
    }
}

/// An answer's tree as the card's label–value lines: each level indented, and first, when it
/// is not a valid answer, why.
fn answer_lines(a: &volost_api::view::AnswerView) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(p) = &a.problem {
        out.push((text::ANSWER_PROBLEM.into(), p.clone()));
    }
    out.extend(a.lines.iter().map(|l| {
        (
            format!("{}{}", "  ".repeat(usize::from(l.depth)), l.label),
            l.value.clone(),
        )
    }));
    out
}

/// The call `what` asks for, signed with `pin` or in the web page (`browser`), and what the
/// banner says when it is done.
fn signed_call(
    conn: &mut crate::conn::Conn,
    what: &PinFor,
    pin: Option<Pin>,
    browser: bool,
    answer: Option<std::collections::BTreeMap<String, String>>,
) -> Result<&'static str, ClientError> {
    match what {
        PinFor::Submit(id, _) => conn
            .ask(call::SubmitOutgoing {
                id: *id,
                pin,
                browser,
            })
            .map(|_| text::REQUEST_QUEUED),
        PinFor::Regional(id, _) => conn
            .ask(call::SendRegional {
                id: *id,
                pin,
                browser,
            })
            .map(|_| text::REGIONAL_QUEUED),
        PinFor::Answer(id) => conn
            .ask(call::AnswerIncoming {
                id: *id,
                answer: answer.unwrap_or_default(),
                pin,
                browser,
            })
            .map(|_| text::ANSWER_SAVED),
    }
}
