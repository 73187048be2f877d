//! A form generated from a template's fields, with an applicant part before them where the
//! form has one. It knows nothing of what it is filled for: `purpose` is its screen's, and
//! the keys it does not take itself are given back as a [`FormKey`]. Each field is checked when the user leaves it, with the same
//! validators the daemon uses (СНИЛС checksum, ИНН, dates ...), and the message stands next to
//! it; the daemon checks everything again on saving.

use crate::keymap::Cmd;
use crate::text;
use crate::widgets::TextInput;
use crossterm::event::{KeyCode, KeyEvent};
use std::collections::BTreeMap;
use volost_api::FieldError;
use volost_domain::{ApplicantId, ApplicantKind, Field, FieldType, FileId, validate};

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

pub struct DataForm<P> {
    /// What the form is filled for: its screen's business, never looked into here.
    pub purpose: P,
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

pub(crate) fn input(label: &str, required: bool, source: Source) -> Input {
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
pub(crate) const ORIGINS: [volost_domain::Source; 2] =
    [volost_domain::Source::Manual, volost_domain::Source::Mfc];

/// A key the form gives back to its screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormKey {
    /// Esc: leave (the screen asks first if something was typed: [`DataForm::changed`]).
    Leave,
    /// F2.
    Save,
    /// «Найти по СНИЛС / ИНН».
    Lookup,
}

impl<P> DataForm<P> {
    pub fn with(purpose: P, title: String, fields: Vec<Field>, mut inputs: Vec<Input>) -> Self {
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
    pub fn prefilled(purpose: P, title: String, fields: Vec<Field>, values: Vec<String>) -> Self {
        let mut form = DataForm::with(purpose, title, fields, Vec::new());
        for (inp, v) in form.inputs.iter_mut().zip(values) {
            inp.value = v.into();
        }
        form.opened()
    }

    /// Notes the values as those the form opened with.
    pub fn opened(mut self) -> Self {
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
    /// turning a choice happen here; the rest is given back to the screen.
    pub fn on_key(&mut self, cmd: Option<Cmd>, key: &KeyEvent) -> Option<FormKey> {
        if self.edit(key) {
            return None;
        }
        match cmd? {
            Cmd::Back => return Some(FormKey::Leave),
            Cmd::Save => return Some(FormKey::Save),
            Cmd::Lookup => return Some(FormKey::Lookup),
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
        if leaving_applicant {
            self.prefill_from_applicant_part();
        }
        let n = self.inputs.len();
        self.focus = if forward {
            (self.focus + 1) % n
        } else {
            (self.focus + n - 1) % n
        };
    }

    pub fn part(&self, p: Part) -> String {
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
        let set = |form: &mut Self, p: Part, v: &str| {
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
