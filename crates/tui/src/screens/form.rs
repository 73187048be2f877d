//! Forms generated from templates: a new application (the applicant first, then the
//! service's fields), an outgoing request (its kind's fields) and the answer to an incoming
//! one (the kind's answer fields). Each field is checked when the user leaves it, with the same
//! validators the daemon uses (СНИЛС checksum, ИНН, dates ...), and the message stands next to
//! it; the daemon checks everything again on saving.

use crate::app::Dialog;
use crate::effect::Effect;
use crate::effect::Pending;
use crate::keymap::Cmd;
use crate::text;
use crate::widgets::TextInput;
use crossterm::event::{KeyCode, KeyEvent};
use std::collections::BTreeMap;
use volost_api::{ApplicantRef, FieldError, NewApplication};
use volost_domain::{
    AppId, ApplicantId, ApplicantInput, ApplicantKind, Field, FieldType, FileId, InReqId,
    RequestKind, Service, validate,
};

/// Which part of the applicant an input holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Name,
    Snils,
    Inn,
    Passport,
    Phone,
    Address,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Applicant(Part),
    /// Where the application came from: «Личный приём» or «МФЦ», chosen with ←/→ (the
    /// portals' applications come over SMEV, never through this form).
    Origin,
    /// Index into the service's fields.
    Field(usize),
}

/// What is known of an applicant, from the registry or typed in the form's applicant part.
struct Known {
    person: bool,
    name: String,
    snils: Option<String>,
    inn: Option<String>,
    ogrn: Option<String>,
    passport: Option<String>,
    phone: Option<String>,
    birth_date: Option<time::Date>,
    address: String,
}

/// One line to type.
#[derive(Clone, Debug)]
pub struct Input {
    pub label: String,
    pub value: TextInput,
    pub required: bool,
    pub hint: Option<String>,
    pub error: Option<String>,
    pub source: Source,
}

/// What the form is filled for, and what saving it does.
pub enum Purpose {
    /// «Новая заявка»: a draft of the service.
    Application(Service),
    /// «Новый запрос»: an outgoing interagency request, for an application or on its own.
    Outgoing {
        kind: RequestKind,
        application: Option<AppId>,
    },
    /// «Сформировать ответ» to an incoming request.
    Answer { id: InReqId, kind: RequestKind },
    /// «Изменить черновик»: the form's data of a draft application (its applicant stays).
    Draft(AppId),
    /// «Изменить паспорт» of a service in «Реестр услуг».
    Passport(volost_domain::ServiceId),
    /// One line of a template being edited (a step, a field, a kind's head); the editor
    /// waits inside, unchanged until the form is saved.
    Template {
        editor: Box<crate::screens::template::TemplateView>,
        line: crate::screens::template::LineRef,
    },
}

pub struct DataForm {
    pub purpose: Purpose,
    /// The form's title: what is being filled, and for which service or kind.
    pub title: String,
    /// The template's fields the inputs after the applicant part hold.
    pub fields: Vec<Field>,
    pub inputs: Vec<Input>,
    /// Where the applicant part ends (the template's fields follow); 0 for a request.
    pub applicant_len: usize,
    pub focus: usize,
    /// An applicant found by СНИЛС or ИНН: the application refers to that record.
    pub existing: Option<(ApplicantId, String)>,
    pub message: Option<String>,
    /// Paths of file fields already uploaded, with the node's id for each: a second save
    /// (after a refusal) does not send them again.
    pub uploads: BTreeMap<String, FileId>,
    /// The values the form opened with: leaving asks first only when they were changed.
    pub initial: Vec<String>,
}

/// A one-line text field of a form the TUI makes itself (a passport, a line of a template),
/// as long as a registry's text may be.
pub fn text_field(key: &str, label: &str, required: bool, hint: Option<&str>) -> Field {
    Field {
        key: key.into(),
        label: label.into(),
        ftype: FieldType::Text,
        required,
        choices: Vec::new(),
        max_len: Some(volost_domain::PASSPORT_TEXT_MAX as u32),
        min: None,
        max: None,
        hint: hint.map(str::to_string),
    }
}

fn input(label: &str, required: bool, source: Source) -> Input {
    Input {
        label: label.into(),
        value: TextInput::default(),
        required,
        hint: None,
        error: None,
        source,
    }
}

/// The sources a clerk may give a new application.
const ORIGINS: [volost_domain::Source; 2] =
    [volost_domain::Source::Manual, volost_domain::Source::Mfc];

impl DataForm {
    pub fn application(service: Service) -> DataForm {
        let mut origin = input(text::F_ORIGIN, true, Source::Origin);
        origin.value = ORIGINS[0].label().into();
        origin.hint = Some(format!(
            "{}: {}",
            text::CHOICES,
            ORIGINS.map(|o| o.label()).join(" / ")
        ));
        // The source comes after the applicant: the clerk starts with the name.
        let inputs = vec![
            input(text::F_NAME, true, Source::Applicant(Part::Name)),
            input(text::F_SNILS, false, Source::Applicant(Part::Snils)),
            input(text::F_INN, false, Source::Applicant(Part::Inn)),
            input(text::F_PASSPORT, false, Source::Applicant(Part::Passport)),
            input(text::F_PHONE, false, Source::Applicant(Part::Phone)),
            input(text::F_ADDRESS, false, Source::Applicant(Part::Address)),
            origin,
        ];
        let title = format!("{} · {}", text::NEW_APP, service.name);
        let fields = service.fields.clone();
        DataForm::with(Purpose::Application(service), title, fields, inputs)
    }

    pub fn outgoing(kind: RequestKind, application: Option<AppId>) -> DataForm {
        let title = format!("{} · {} · {}", text::NEW_REQUEST, kind.name, kind.agency);
        let fields = kind.fields.clone();
        DataForm::with(
            Purpose::Outgoing { kind, application },
            title,
            fields,
            Vec::new(),
        )
    }

    pub fn answer(id: InReqId, number: &str, kind: RequestKind) -> DataForm {
        let title = format!("{} · {number} · {}", text::MAKE_ANSWER, kind.name);
        let fields = kind.answer_fields.clone();
        DataForm::with(Purpose::Answer { id, kind }, title, fields, Vec::new())
    }

    /// The draft's data, to change and save again. A file field shows its file by name and
    /// keeps it unless another path is typed.
    pub fn draft(
        app: &volost_domain::Application,
        service: &Service,
        files: &crate::widgets::files::FilesTab,
    ) -> DataForm {
        let title = format!("{} · {} · {}", text::EDIT_DRAFT, app.number, service.name);
        let mut form = DataForm::with(
            Purpose::Draft(app.id),
            title,
            service.fields.clone(),
            Vec::new(),
        );
        for inp in &mut form.inputs {
            let Source::Field(i) = inp.source else {
                continue;
            };
            let Some(f) = service.fields.get(i) else {
                continue;
            };
            let Some(v) = app.data.get(&f.key) else {
                continue;
            };
            match (f.ftype, v.parse::<u64>()) {
                (FieldType::File, Ok(id)) => {
                    let shown = files.name_of(v).unwrap_or_else(|| v.clone());
                    form.uploads.insert(shown.clone(), FileId(id));
                    inp.value = shown.into();
                }
                _ => inp.value = v.as_str().into(),
            }
        }
        form.opened()
    }

    fn with(purpose: Purpose, title: String, fields: Vec<Field>, mut inputs: Vec<Input>) -> Self {
        let applicant_len = inputs.len();
        for (i, f) in fields.iter().enumerate() {
            let mut inp = input(&f.label, f.required, Source::Field(i));
            inp.hint = match f.ftype {
                FieldType::Choice => Some(format!("{}: {}", text::CHOICES, f.choices.join(" / "))),
                FieldType::Date => Some(text::DATE_HINT.into()),
                // A file field takes a path on this computer; saving uploads the file.
                FieldType::File => Some(text::FILE_HINT.into()),
                _ => f.hint.clone(),
            };
            inputs.push(inp);
        }
        DataForm {
            purpose,
            title,
            fields,
            inputs,
            applicant_len,
            focus: 0,
            existing: None,
            message: None,
            uploads: BTreeMap::new(),
            initial: Vec::new(),
        }
        .opened()
    }

    /// A form of `fields` with their values filled in, in order.
    pub fn prefilled(
        purpose: Purpose,
        title: String,
        fields: Vec<Field>,
        values: Vec<String>,
    ) -> DataForm {
        let mut form = DataForm::with(purpose, title, fields, Vec::new());
        for (inp, v) in form.inputs.iter_mut().zip(values) {
            inp.value = v.into();
        }
        form.opened()
    }

    /// Notes the values as those the form opened with.
    fn opened(mut self) -> DataForm {
        self.initial = self.inputs.iter().map(|i| i.value.to_string()).collect();
        self
    }

    /// Was anything typed since the form opened?
    pub fn changed(&self) -> bool {
        self.inputs
            .iter()
            .map(|i| i.value.trim())
            .ne(self.initial.iter().map(|v| v.trim()))
    }

    fn field(&self, src: Source) -> Option<&Field> {
        match src {
            Source::Field(i) => self.fields.get(i),
            Source::Applicant(_) | Source::Origin => None,
        }
    }

    /// Checks the input `i` as the daemon will; the message goes next to it.
    pub fn check(&mut self, i: usize) {
        let Some(inp) = self.inputs.get(i) else {
            return;
        };
        let v = inp.value.trim();
        let err = match inp.source {
            Source::Field(_) => match self.field(inp.source) {
                // A file already on the node (a draft's) is kept as it is.
                Some(f) if f.ftype == FieldType::File && self.uploads.contains_key(v) => None,
                Some(f) if f.ftype == FieldType::File && !v.is_empty() => {
                    crate::local::local_problem(v)
                }
                f => f.and_then(|f| validate::field(f, v).err()),
            },
            Source::Origin => None,
            Source::Applicant(p) if v.is_empty() => {
                (p == Part::Name && self.existing.is_none()).then(|| text::REQUIRED.to_string())
            }
            Source::Applicant(p) => match p {
                Part::Snils => validate::snils(v).err(),
                Part::Inn => validate::inn(v).err(),
                Part::Passport => validate::passport(v).err(),
                Part::Phone => validate::phone(v).err(),
                Part::Name | Part::Address => None,
            },
        };
        if let Some(inp) = self.inputs.get_mut(i) {
            inp.error = err;
        }
        // «Исправьте поля…» goes once the last wrong field is put right.
        if self.message.as_deref() == Some(text::FIX_FIELDS)
            && self.inputs.iter().all(|i| i.error.is_none())
        {
            self.message = None;
        }
    }

    /// Checks every input; on a failure the first wrong field gets the focus and the form
    /// says what to do.
    pub fn validate(&mut self) -> bool {
        for i in 0..self.inputs.len() {
            self.check(i);
        }
        match self.inputs.iter().position(|i| i.error.is_some()) {
            Some(i) => {
                self.focus = i;
                self.message = Some(text::FIX_FIELDS.into());
                false
            }
            None => true,
        }
    }

    /// A key on the form: editing keys are the focused field's; moving between fields and
    /// turning a choice happen here; leaving, saving and the applicant lookup are asked of
    /// the runner (leaving a changed form asks first).
    pub fn handle(&mut self, cmd: Option<Cmd>, key: &KeyEvent) -> Option<Effect> {
        if self.edit(key) {
            return None;
        }
        match cmd? {
            Cmd::Back if self.changed() => {
                let text = if matches!(self.purpose, Purpose::Application(_)) {
                    text::LEAVE_TEXT
                } else {
                    text::LEAVE_REQUEST_TEXT
                };
                return Some(Effect::Confirm(Box::new(Dialog::new(
                    text::LEAVE_TITLE,
                    text,
                    Vec::new(),
                    Pending::LeaveForm,
                ))));
            }
            Cmd::Back => return Some(Effect::LeaveForm),
            Cmd::Save => return Some(Effect::SaveForm),
            Cmd::Lookup => return Some(Effect::LookupApplicant),
            Cmd::NextField => self.move_focus(true),
            Cmd::PrevField => self.move_focus(false),
            Cmd::NextChoice => self.cycle_choice(true),
            Cmd::PrevChoice => self.cycle_choice(false),
            _ => {}
        }
        None
    }

    /// A key of editing in the focused field (`TextInput::edit`); whether it took the key.
    /// ←/→ in a field with a choice are the choice's, not the text's.
    pub fn edit(&mut self, key: &KeyEvent) -> bool {
        let choice = self.focused_choice();
        let Some(inp) = self
            .inputs
            .get_mut(self.focus)
            .filter(|i| i.source != Source::Origin)
        else {
            return false;
        };
        if choice && matches!(key.code, KeyCode::Left | KeyCode::Right) {
            return false;
        }
        let took = inp.value.edit(key);
        if took {
            inp.error = None;
        }
        took
    }

    /// A pasted text into the focused field at its cursor: a text field keeps the line
    /// breaks (the form's text fields may hold several lines), others take them as spaces.
    pub fn paste(&mut self, s: &str) {
        let multiline = self
            .inputs
            .get(self.focus)
            .and_then(|i| self.field(i.source))
            .is_some_and(|f| f.ftype == FieldType::Text);
        if let Some(inp) = self
            .inputs
            .get_mut(self.focus)
            .filter(|i| i.source != Source::Origin)
        {
            inp.value.paste(s, multiline);
            inp.error = None;
        }
    }

    pub fn type_char(&mut self, c: char) {
        self.edit(&KeyEvent::from(KeyCode::Char(c)));
    }

    pub fn backspace(&mut self) {
        self.edit(&KeyEvent::from(KeyCode::Backspace));
    }

    /// Whether the focused field is a choice (its value is one of a list).
    fn focused_choice(&self) -> bool {
        self.inputs.get(self.focus).is_some_and(|i| {
            i.source == Source::Origin
                || self
                    .field(i.source)
                    .is_some_and(|f| f.ftype == FieldType::Choice)
        })
    }

    /// In a field with a choice, the next (or previous) of its variants.
    pub fn cycle_choice(&mut self, forward: bool) {
        let Some(inp) = self.inputs.get(self.focus) else {
            return;
        };
        if inp.source == Source::Origin {
            let at = ORIGINS.iter().position(|o| o.label() == inp.value);
            let next = match at {
                Some(i) => (i + 1) % ORIGINS.len(),
                None => 0,
            };
            if let Some(inp) = self.inputs.get_mut(self.focus) {
                inp.value = ORIGINS[next].label().into();
            }
            return;
        }
        let Some(f) = self
            .field(inp.source)
            .filter(|f| f.ftype == FieldType::Choice)
        else {
            return;
        };
        let n = f.choices.len();
        if n == 0 {
            return;
        }
        let at = f.choices.iter().position(|c| *c == inp.value);
        let next = match (at, forward) {
            (None, true) => 0,
            (None, false) => n - 1,
            (Some(i), true) => (i + 1) % n,
            (Some(i), false) => (i + n - 1) % n,
        };
        let v = f.choices[next].clone();
        if let Some(inp) = self.inputs.get_mut(self.focus) {
            inp.value = v.into();
            inp.error = None;
        }
    }

    pub fn move_focus(&mut self, forward: bool) {
        self.check(self.focus);
        let leaving_applicant = matches!(
            self.inputs.get(self.focus).map(|i| i.source),
            Some(Source::Applicant(_))
        );
        if leaving_applicant && matches!(self.purpose, Purpose::Application(_)) {
            self.prefill_from_applicant_part();
        }
        let n = self.inputs.len();
        self.focus = if forward {
            (self.focus + 1) % n
        } else {
            (self.focus + n - 1) % n
        };
    }

    fn part(&self, p: Part) -> String {
        self.inputs
            .iter()
            .find(|i| i.source == Source::Applicant(p))
            .map(|i| i.value.trim().to_string())
            .unwrap_or_default()
    }

    /// What to look the applicant up by: СНИЛС if typed, else ИНН.
    pub fn lookup_key(&self) -> Option<volost_api::ApplicantQuery> {
        use volost_api::ApplicantQuery;
        let snils = self.part(Part::Snils);
        let inn = self.part(Part::Inn);
        if !snils.is_empty() {
            Some(ApplicantQuery::Snils(snils))
        } else if !inn.is_empty() {
            Some(ApplicantQuery::Inn(inn))
        } else {
            None
        }
    }

    /// Fills the applicant part from a record found in the registry.
    pub fn fill_applicant(&mut self, a: &volost_domain::Applicant) {
        let set = |form: &mut DataForm, p: Part, v: &str| {
            if let Some(i) = form
                .inputs
                .iter_mut()
                .find(|i| i.source == Source::Applicant(p))
            {
                i.value = v.into();
                i.error = None;
            }
        };
        set(self, Part::Name, &a.name);
        set(self, Part::Snils, a.snils.as_deref().unwrap_or(""));
        set(self, Part::Inn, a.inn.as_deref().unwrap_or(""));
        set(self, Part::Passport, a.passport.as_deref().unwrap_or(""));
        set(self, Part::Phone, a.phone.as_deref().unwrap_or(""));
        set(self, Part::Address, &a.address);
        self.existing = Some((a.id, a.name.clone()));
    }

    /// Fills the empty fields that the applicant's record answers: ФИО (whole or in parts),
    /// date of birth, address, СНИЛС, ИНН, ОГРН, passport. The form's own validators then
    /// check them as if typed.
    pub fn prefill(&mut self, a: &volost_domain::Applicant) {
        self.fill_known(&Known {
            person: a.kind == ApplicantKind::Person,
            name: a.name.clone(),
            snils: a.snils.clone(),
            inn: a.inn.clone(),
            ogrn: a.ogrn.clone(),
            passport: a.passport.clone(),
            phone: a.phone.clone(),
            birth_date: a.birth_date,
            address: a.address.clone(),
        });
    }

    /// The applicant part of a new application, typed or found, fills the service's own
    /// fields that ask the same (many templates ask ФИО and СНИЛС again), so nothing is
    /// typed twice.
    fn prefill_from_applicant_part(&mut self) {
        let some = |v: String| (!v.is_empty()).then_some(v);
        let inn = self.part(Part::Inn);
        self.fill_known(&Known {
            person: inn.len() != 10,
            name: self.part(Part::Name),
            snils: some(self.part(Part::Snils)),
            inn: some(inn),
            ogrn: None,
            passport: some(self.part(Part::Passport)),
            phone: some(self.part(Part::Phone)),
            birth_date: None,
            address: self.part(Part::Address),
        });
    }

    fn fill_known(&mut self, a: &Known) {
        let words: Vec<&str> = a.name.split_whitespace().collect();
        let person = a.person;
        for i in 0..self.inputs.len() {
            let Some(f) = self.field(self.inputs[i].source) else {
                continue;
            };
            if !self.inputs[i].value.trim().is_empty() {
                continue;
            }
            let v = match (f.ftype, f.key.as_str()) {
                (FieldType::Snils, _) => a.snils.clone(),
                (FieldType::Inn, _) => a.inn.clone(),
                (FieldType::Ogrn, _) => a.ogrn.clone(),
                (FieldType::Passport, _) => a.passport.clone(),
                (FieldType::Phone, _) => a.phone.clone(),
                (FieldType::Date, "birth_date") => a.birth_date.map(volost_domain::display_date),
                (FieldType::Text, "full_name") if !a.name.is_empty() => Some(a.name.clone()),
                (FieldType::Text, k) if k.contains("address") && !a.address.is_empty() => {
                    Some(a.address.clone())
                }
                (FieldType::Text, "surname" | "last_name" | "family_name") if person => {
                    words.first().map(|w| w.to_string())
                }
                (FieldType::Text, "first_name") if person => words.get(1).map(|w| w.to_string()),
                (FieldType::Text, "patronymic" | "middle_name") if person && words.len() > 2 => {
                    Some(words[2..].join(" "))
                }
                _ => None,
            };
            if let Some(v) = v {
                self.inputs[i].value = v.into();
                self.check(i);
            }
        }
    }

    /// The typed values of the template's fields, by field key; empty ones left out. A file
    /// field gives the id of its upload (see `App::upload_form_files`).
    pub fn data(&self) -> BTreeMap<String, String> {
        self.inputs
            .iter()
            .filter_map(|i| match (i.source, self.field(i.source)) {
                (Source::Field(_), Some(f)) if !i.value.trim().is_empty() => {
                    let v = i.value.trim().to_string();
                    let v = match (f.ftype, self.uploads.get(&v)) {
                        (FieldType::File, Some(id)) => id.to_string(),
                        _ => v,
                    };
                    Some((f.key.clone(), v))
                }
                _ => None,
            })
            .collect()
    }

    /// The file fields with a path typed: `(input index, path)`.
    pub fn file_inputs(&self) -> Vec<(usize, String)> {
        self.inputs
            .iter()
            .enumerate()
            .filter(|(_, i)| {
                self.field(i.source)
                    .is_some_and(|f| f.ftype == FieldType::File)
                    && !i.value.trim().is_empty()
            })
            .map(|(n, i)| (n, i.value.trim().to_string()))
            .collect()
    }

    /// A message next to input `i`, which gets the focus.
    pub fn refuse(&mut self, i: usize, msg: String) {
        if let Some(inp) = self.inputs.get_mut(i) {
            inp.error = Some(msg);
            self.focus = i;
            self.message = Some(text::FIX_FIELDS.into());
        }
    }

    /// The request to create the draft, when the form is an application's.
    pub fn request(&self) -> Option<NewApplication> {
        let Purpose::Application(service) = &self.purpose else {
            return None;
        };
        let applicant = match &self.existing {
            Some((id, _)) => ApplicantRef::Existing(*id),
            None => ApplicantRef::New(ApplicantInput {
                kind: Some(if self.part(Part::Inn).len() == 10 {
                    ApplicantKind::Organisation
                } else {
                    ApplicantKind::Person
                }),
                name: self.part(Part::Name),
                snils: self.part(Part::Snils),
                inn: self.part(Part::Inn),
                passport: self.part(Part::Passport),
                phone: self.part(Part::Phone),
                address: self.part(Part::Address),
                ..ApplicantInput::default()
            }),
        };
        Some(NewApplication {
            service: service.id,
            dept: None,
            applicant,
            data: self.data(),
            source: self
                .inputs
                .iter()
                .find(|i| i.source == Source::Origin)
                .and_then(|i| ORIGINS.into_iter().find(|o| o.label() == i.value))
                .unwrap_or(volost_domain::Source::Manual),
        })
    }

    /// Puts the daemon's messages next to the fields they name (by label), and focuses the
    /// first of them.
    pub fn show_errors(&mut self, errs: &[FieldError]) {
        let mut first = None;
        for e in errs {
            let at = self.inputs.iter().position(|i| {
                i.label == e.field
                    || self.field(i.source).is_some_and(|f| f.key == e.field)
                    || matches!(
                        (i.source, e.field.as_str()),
                        (Source::Applicant(Part::Name), "ФИО / наименование")
                            | (Source::Applicant(Part::Snils), "СНИЛС")
                            | (Source::Applicant(Part::Inn), "ИНН")
                            | (Source::Applicant(Part::Passport), "Паспорт")
                            | (Source::Applicant(Part::Phone), "Телефон")
                    )
            });
            if let Some(i) = at {
                self.inputs[i].error = Some(e.message.clone());
                first.get_or_insert(i);
            }
        }
        if let Some(i) = first {
            self.focus = i;
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use volost_domain::{OrgId, ServiceId};

    pub(crate) fn sample_service() -> Service {
        service()
    }

    fn service() -> Service {
        let f = |key: &str, label: &str, ftype, required| Field {
            key: key.into(),
            label: label.into(),
            ftype,
            required,
            choices: vec!["Да".into(), "Нет".into()],
            max_len: None,
            min: None,
            max: None,
            hint: None,
        };
        Service {
            id: ServiceId(1),
            org: OrgId(1),
            code: "s".into(),
            name: "Услуга".into(),
            deadline_days: 10,
            fee: String::new(),
            regulation: String::new(),
            places: Vec::new(),
            documents: Vec::new(),
            results: Vec::new(),
            steps: Vec::new(),
            fields: vec![
                f("birth", "Дата рождения", FieldType::Date, true),
                f("scan", "Скан", FieldType::File, false),
                f("ok", "Согласие", FieldType::Choice, false),
            ],
            active: true,
        }
    }

    #[test]
    fn the_form_moves_and_types_itself_and_asks_to_leave_save_or_look_up() {
        use crossterm::event::KeyCode;
        let mut form = DataForm::application(service());
        let key = |c| KeyEvent::from(c);
        let none = key(KeyCode::Null);
        // Untouched: Esc leaves at once.
        assert!(matches!(
            form.handle(Some(Cmd::Back), &key(KeyCode::Esc)),
            Some(Effect::LeaveForm)
        ));
        assert!(
            form.handle(Some(Cmd::NextField), &key(KeyCode::Tab))
                .is_none()
        );
        assert_eq!(form.focus, 1);
        form.focus = 0;
        assert!(form.handle(None, &key(KeyCode::Char('С'))).is_none());
        assert_eq!(form.inputs[0].value, "С");
        // Typed into: Esc asks first.
        assert!(matches!(
            form.handle(Some(Cmd::Back), &key(KeyCode::Esc)),
            Some(Effect::Confirm(d)) if d.title == text::LEAVE_TITLE
        ));
        assert!(matches!(
            form.handle(Some(Cmd::Save), &key(KeyCode::F(2))),
            Some(Effect::SaveForm)
        ));
        assert!(matches!(
            form.handle(Some(Cmd::Lookup), &key(KeyCode::F(3))),
            Some(Effect::LookupApplicant)
        ));
        assert!(form.handle(None, &none).is_none());
    }

    #[test]
    fn the_applicant_part_fills_the_service_fields_that_ask_the_same() {
        let f = |key: &str, ftype| Field {
            key: key.into(),
            label: key.into(),
            ftype,
            required: true,
            choices: Vec::new(),
            max_len: None,
            min: None,
            max: None,
            hint: None,
        };
        let mut s = service();
        s.fields = vec![
            f("surname", FieldType::Text),
            f("first_name", FieldType::Text),
            f("patronymic", FieldType::Text),
            f("snils", FieldType::Snils),
            f("purpose", FieldType::Text),
        ];
        let mut form = DataForm::application(s);
        let typed = |form: &mut DataForm, i: usize, v: &str| {
            form.focus = i;
            v.chars().for_each(|c| form.type_char(c));
        };
        // Typed by hand before the applicant: kept.
        typed(&mut form, 8, "Ольга");
        typed(&mut form, 0, "Смирнова Анна Петровна");
        typed(&mut form, 1, "112-233-445 95");
        form.move_focus(true);
        let v: Vec<&str> = form.inputs[7..].iter().map(|i| i.value.as_str()).collect();
        assert_eq!(
            v,
            ["Смирнова", "Ольга", "Петровна", "112-233-445 95", ""],
            "empty fields filled, typed ones kept, unrelated ones left alone"
        );
        assert!(form.inputs[7..].iter().all(|i| i.error.is_none()));
    }

    #[test]
    fn fields_are_checked_on_leaving_them_with_the_daemons_validators() {
        let mut form = DataForm::application(service());
        // The applicant's six and the source, then the date, the file's path and the choice.
        assert_eq!(form.inputs.len(), 7 + 3);
        form.focus = 8;
        for c in "/нет/такого/файла.pdf".chars() {
            form.type_char(c);
        }
        form.move_focus(true);
        assert!(
            form.inputs[8]
                .error
                .as_deref()
                .is_some_and(|e| e.starts_with(text::FILE_NOT_FOUND)),
            "a path that is not there is caught: {:?}",
            form.inputs[8].error
        );
        form.focus = 1;
        for c in "112-233-445 96".chars() {
            form.type_char(c);
        }
        form.move_focus(true);
        assert!(
            form.inputs[1].error.is_some(),
            "a wrong СНИЛС checksum is caught"
        );
        form.focus = 7;
        for c in "31.02.1980".chars() {
            form.type_char(c);
        }
        form.move_focus(true);
        assert!(form.inputs[7].error.is_some(), "31 February is caught");
        form.focus = 0;
        form.move_focus(true);
        assert_eq!(form.inputs[0].error.as_deref(), Some(text::REQUIRED));
        // A choice is picked, not typed.
        form.focus = 9;
        form.cycle_choice(true);
        assert_eq!(form.inputs[9].value, "Да");
        form.cycle_choice(true);
        assert_eq!(form.inputs[9].value, "Нет");
        form.cycle_choice(false);
        assert_eq!(form.inputs[9].value, "Да");
        // So is the source: «Личный приём» or «МФЦ», nothing typed.
        form.focus = 6;
        assert_eq!(form.inputs[6].value, "Личный приём");
        form.type_char('x');
        assert_eq!(form.inputs[6].value, "Личный приём");
        form.cycle_choice(true);
        assert_eq!(form.inputs[6].value, "МФЦ");
        assert_eq!(
            form.request().map(|r| r.source),
            Some(volost_domain::Source::Mfc)
        );
    }

    #[test]
    fn a_draft_opens_with_its_data_and_keeps_its_file_unless_another_path_is_typed() {
        use volost_domain::*;
        let svc = service();
        let app = Application {
            id: AppId(7),
            org: OrgId(1),
            dept: None,
            number: "2026-000007".into(),
            service: svc.id,
            applicant: ApplicantId(1),
            source: volost_domain::Source::Manual,
            status: Status::Draft,
            data: [("birth", "01.02.1980"), ("scan", "42")]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            created_by: None,
            created: Ts(0),
            registered: None,
            assignee: None,
            decision: None,
            due: None,
            process: None,
            updated: Ts(0),
            access_code: String::new(),
            names: Default::default(),
        };
        let files = crate::widgets::files::FilesTab {
            owner: FileOwner::Application(AppId(7)),
            files: Some(vec![Attachment {
                id: FileId(42),
                org: OrgId(1),
                owner: Some(FileOwner::Application(AppId(7))),
                field: Some("scan".into()),
                name: "скан.pdf".into(),
                size: 2048,
                sha256: String::new(),
                added_by: None,
                added: Ts(0),
            }]),
            row: 0,
            max_bytes: 10 << 20,
        };
        let mut form = DataForm::draft(&app, &svc, &files);
        assert_eq!(form.applicant_len, 0, "the applicant is not edited here");
        assert_eq!(form.inputs[0].value, "01.02.1980");
        assert_eq!(form.inputs[1].value, "скан.pdf (2 КБ)");
        assert!(form.validate(), "{:?}", form.inputs);
        assert_eq!(form.data().get("scan").map(String::as_str), Some("42"));
        form.inputs[1].value = "/нет/другого.pdf".into();
        assert!(!form.validate(), "a new path is checked");
    }

    #[test]
    fn a_request_form_is_prefilled_from_the_applicant_and_keeps_what_was_typed() {
        use volost_domain::*;
        let f = |key: &str, ftype| Field {
            key: key.into(),
            label: key.into(),
            ftype,
            required: false,
            choices: Vec::new(),
            max_len: None,
            min: None,
            max: None,
            hint: None,
        };
        let kind = RequestKind {
            fields: vec![
                f("surname", FieldType::Text),
                f("first_name", FieldType::Text),
                f("patronymic", FieldType::Text),
                f("birth_date", FieldType::Date),
                f("snils", FieldType::Snils),
                f("address", FieldType::Text),
                f("cadastral_number", FieldType::Text),
            ],
            id: KindId(1),
            org: OrgId(1),
            code: "k".into(),
            name: "Вид".into(),
            agency: "Ведомство".into(),
            namespace: "urn://x".into(),
            root: "Request".into(),
            answer_root: "Response".into(),
            sign_personal: false,
            answer_fields: Vec::new(),
            active: true,
        };
        let a = Applicant {
            id: ApplicantId(1),
            org: OrgId(1),
            kind: ApplicantKind::Person,
            name: "Семёнов Пётр Ильич".into(),
            snils: Some("112-233-445 95".into()),
            inn: None,
            ogrn: None,
            passport: None,
            birth_date: time::Date::from_calendar_date(1980, time::Month::February, 1).ok(),
            address: "с. Петропавловское, ул. Ленина, 5".into(),
            phone: None,
            created: Ts(0),
        };
        let mut form = DataForm::outgoing(kind, Some(AppId(7)));
        form.inputs[1].value = "Павел".into();
        form.prefill(&a);
        let got: Vec<&str> = form.inputs.iter().map(|i| i.value.as_str()).collect();
        assert_eq!(
            got,
            [
                "Семёнов",
                "Павел",
                "Ильич",
                "01.02.1980",
                "112-233-445 95",
                "с. Петропавловское, ул. Ленина, 5",
                "",
            ]
        );
        assert!(form.inputs.iter().all(|i| i.error.is_none()));
    }

    #[test]
    fn the_request_carries_typed_values_by_field_key() {
        let mut form = DataForm::application(service());
        form.inputs[0].value = "Семёнов Пётр Ильич".into();
        form.inputs[7].value = "01.02.1980".into();
        form.inputs[8].value = "~/скан.pdf".into();
        form.uploads.insert("~/скан.pdf".into(), FileId(42));
        let r = form.request().expect("an application form");
        assert_eq!(r.data.get("birth").map(String::as_str), Some("01.02.1980"));
        assert_eq!(
            r.data.get("scan").map(String::as_str),
            Some("42"),
            "the upload's id"
        );
        assert!(!r.data.contains_key("ok"));
        assert_eq!(r.source, volost_domain::Source::Manual);
        match r.applicant {
            ApplicantRef::New(a) => assert_eq!(a.name, "Семёнов Пётр Ильич"),
            other => panic!("{other:?}"),
        }
    }
}
