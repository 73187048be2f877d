//! The template editor of «Администрирование»: a service's regulation (its steps) and
//! application form, or a request kind's head, request fields and answer fields. Each line is
//! changed in a form of its own, checked with the catalog's own rules as it is put back; the
//! whole template goes to the daemon on F2, which checks it again and keeps running processes
//! on their steps.

use crate::keymap::Cmd;
use crate::screens::effect::Dialog;
use crate::screens::effect::Effect;
use crate::screens::effect::Pending;
use crate::screens::form::{DataForm, Purpose, text_field};
use crate::text;
use volost_domain::spec::{KindSpec, ServiceSpec, StepSpec, check_fields};
use volost_domain::{Field, FieldType, KindId, RequestKind, Role, Service, ServiceId};

/// What is being edited; no id is a new template.
#[derive(Clone, Debug)]
pub enum Spec {
    Service(Option<ServiceId>, ServiceSpec),
    /// A kind is made by its package (`volost kind import`, «Загрузить пакет»): only an
    /// existing one is edited here.
    Kind(KindId, KindSpec),
}

/// The tabs of the editor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TplTab {
    /// «Шаги регламента».
    Steps,
    /// «Поля формы» (a service) or «Поля запроса» (a kind).
    Fields,
    /// «Паспорт» of a service; «Реквизиты» of a kind: addressee, namespace, root elements.
    Head,
    /// «Поля ответа» of a kind.
    Answer,
}

impl TplTab {
    pub fn label(self, service: bool) -> &'static str {
        match self {
            TplTab::Steps => text::TP_STEPS,
            TplTab::Fields if service => text::TP_FORM,
            TplTab::Fields => text::TP_REQUEST_FIELDS,
            TplTab::Head if service => text::RG_PASSPORT,
            TplTab::Head => text::TP_HEAD,
            TplTab::Answer => text::TP_ANSWER_FIELDS,
        }
    }
}

/// Which line a form edits; `None` is a new one, added after the selected line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineRef {
    Step(Option<usize>),
    Field { answer: bool, at: Option<usize> },
    Head,
}

#[derive(Clone, Debug)]
pub struct TemplateView {
    pub spec: Spec,
    pub tab: TplTab,
    pub row: usize,
    pub roles: Vec<Role>,
    /// Changed since it was read: leaving asks first.
    pub dirty: bool,
}

impl TemplateView {
    pub fn service(s: &Service, roles: Vec<Role>) -> TemplateView {
        TemplateView {
            spec: Spec::Service(Some(s.id), ServiceSpec::of(s, &roles)),
            tab: TplTab::Steps,
            row: 0,
            roles,
            dirty: false,
        }
    }

    pub fn kind(k: &RequestKind, roles: Vec<Role>) -> TemplateView {
        TemplateView {
            spec: Spec::Kind(k.id, KindSpec::of(k)),
            tab: TplTab::Head,
            row: 0,
            roles,
            dirty: false,
        }
    }

    /// A new service: its passport first, one step to start from, no form yet.
    pub fn new_service(roles: Vec<Role>) -> TemplateView {
        let spec = ServiceSpec {
            name: text::TP_NEW_SERVICE.into(),
            deadline_days: 10,
            steps: vec![StepSpec {
                name: text::TP_FIRST_STEP.into(),
                roles: Vec::new(),
                days: 10,
            }],
            ..ServiceSpec::default()
        };
        TemplateView {
            spec: Spec::Service(None, spec),
            tab: TplTab::Head,
            row: 0,
            roles,
            dirty: true,
        }
    }

    pub fn is_service(&self) -> bool {
        matches!(self.spec, Spec::Service(..))
    }

    pub fn tabs(&self) -> &'static [TplTab] {
        if self.is_service() {
            &[TplTab::Head, TplTab::Steps, TplTab::Fields]
        } else {
            &[TplTab::Head, TplTab::Fields, TplTab::Answer]
        }
    }

    pub fn title(&self) -> String {
        let (what, name) = match &self.spec {
            Spec::Service(_, s) => (text::TP_SERVICE, s.name.as_str()),
            Spec::Kind(_, k) => (text::TP_KIND, k.name.as_str()),
        };
        if self.dirty {
            format!(" {what} · {name} · {} ", text::TP_UNSAVED)
        } else {
            format!(" {what} · {name} ")
        }
    }

    pub fn steps(&self) -> &[StepSpec] {
        match &self.spec {
            Spec::Service(_, s) => &s.steps,
            Spec::Kind(..) => &[],
        }
    }

    /// The fields of the current tab (the form's, the request's or the answer's).
    pub fn fields(&self) -> &[Field] {
        match (&self.spec, self.tab) {
            (Spec::Service(_, s), TplTab::Fields) => &s.fields,
            (Spec::Kind(_, k), TplTab::Fields) => &k.fields,
            (Spec::Kind(_, k), TplTab::Answer) => &k.answer_fields,
            _ => &[],
        }
    }

    /// The passport of a service or the head of a kind as (label, value) lines.
    pub fn head(&self) -> Vec<(&'static str, String)> {
        let k = match &self.spec {
            Spec::Service(_, s) => {
                // The labels of `registry::passport_fields`, in its order.
                let labels = [
                    text::RG_CODE,
                    text::RG_NAME,
                    text::RG_DEADLINE_DAYS,
                    text::RG_FEE,
                    text::RG_REGULATION,
                    text::RG_PLACES,
                    text::RG_DOCUMENTS,
                    text::RG_RESULTS,
                ];
                let values = crate::screens::registry::passport_values(&s.passport());
                return labels.into_iter().zip(values).collect();
            }
            Spec::Kind(_, k) => k,
        };
        vec![
            (text::TP_CODE, k.code.clone()),
            (text::TP_NAME, k.name.clone()),
            (text::TP_AGENCY, k.agency.clone()),
            (text::TP_NAMESPACE, k.namespace.clone()),
            (text::TP_ROOT, k.root.clone()),
            (text::TP_ANSWER_ROOT, k.answer_root.clone()),
            (
                text::TP_SIGN,
                if k.sign_personal {
                    text::TP_YES
                } else {
                    text::TP_NO
                }
                .into(),
            ),
        ]
    }

    pub fn rows(&self) -> usize {
        match self.tab {
            TplTab::Steps => self.steps().len(),
            TplTab::Head => self.head().len(),
            TplTab::Fields | TplTab::Answer => self.fields().len(),
        }
    }

    fn line(&self, at: Option<usize>) -> LineRef {
        match self.tab {
            TplTab::Steps => LineRef::Step(at),
            TplTab::Head => LineRef::Head,
            t => LineRef::Field {
                answer: t == TplTab::Answer,
                at,
            },
        }
    }

    fn steps_mut(&mut self) -> Option<&mut Vec<StepSpec>> {
        match &mut self.spec {
            Spec::Service(_, s) => Some(&mut s.steps),
            Spec::Kind(..) => None,
        }
    }

    fn fields_mut(&mut self, answer: bool) -> Option<&mut Vec<Field>> {
        match (&mut self.spec, answer) {
            (Spec::Service(_, s), false) => Some(&mut s.fields),
            (Spec::Kind(_, k), false) => Some(&mut k.fields),
            (Spec::Kind(_, k), true) => Some(&mut k.answer_fields),
            (Spec::Service(..), true) => None,
        }
    }

    /// Removes the selected step or field.
    fn remove(&mut self) -> Result<(), &'static str> {
        let row = self.row;
        let answer = self.tab == TplTab::Answer;
        match self.tab {
            TplTab::Head => return Err(text::TP_HEAD_STAYS),
            TplTab::Steps => {
                let steps = self.steps_mut().ok_or(text::TP_HEAD_STAYS)?;
                if steps.len() <= 1 {
                    return Err(text::TP_LAST_STEP);
                }
                if row < steps.len() {
                    steps.remove(row);
                }
            }
            TplTab::Fields | TplTab::Answer => {
                let fields = self.fields_mut(answer).ok_or(text::TP_HEAD_STAYS)?;
                if row < fields.len() {
                    fields.remove(row);
                }
            }
        }
        self.row = self.row.min(self.rows().saturating_sub(1));
        self.dirty = true;
        Ok(())
    }

    /// Moves the selected line up or down.
    fn shift(&mut self, down: bool) {
        let row = self.row;
        let answer = self.tab == TplTab::Answer;
        let len = self.rows();
        let to = if down { row + 1 } else { row.wrapping_sub(1) };
        if to >= len {
            return;
        }
        match self.tab {
            TplTab::Steps => {
                if let Some(s) = self.steps_mut() {
                    s.swap(row, to);
                }
            }
            TplTab::Fields | TplTab::Answer => {
                if let Some(f) = self.fields_mut(answer) {
                    f.swap(row, to);
                }
            }
            TplTab::Head => return,
        }
        self.row = to;
        self.dirty = true;
    }

    fn role_names(&self, codes: &[String]) -> String {
        codes
            .iter()
            .map(|c| {
                self.roles
                    .iter()
                    .find(|r| &r.code == c)
                    .map_or(c.clone(), |r| r.name.clone())
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Role codes from names or codes separated by «;».
    fn role_codes(&self, typed: &str) -> Result<Vec<String>, String> {
        let mut out = Vec::new();
        for part in typed.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            let lower = part.to_lowercase();
            let r = self
                .roles
                .iter()
                .find(|r| r.code == part || r.name.to_lowercase() == lower)
                .ok_or_else(|| format!("{}: {part}", text::TP_NO_ROLE))?;
            if !out.contains(&r.code) {
                out.push(r.code.clone());
            }
        }
        Ok(out)
    }

    /// Where one line is edited.
    pub fn form(self: Box<Self>, line: LineRef) -> DataForm {
        let (title, fields, values) = match line {
            LineRef::Step(at) => {
                let s = at.and_then(|i| self.steps().get(i)).cloned();
                let names: Vec<String> = self.roles.iter().map(|r| r.name.clone()).collect();
                let fields = vec![
                    text_field("name", text::TP_STEP_NAME, true, None),
                    text_field("roles", text::TP_ROLES, false, Some(&names.join("; "))),
                    number("days", text::TP_DAYS, 1, 365),
                ];
                let values = match &s {
                    Some(s) => vec![
                        s.name.clone(),
                        self.role_names(&s.roles),
                        s.days.to_string(),
                    ],
                    None => vec![String::new(), String::new(), "1".into()],
                };
                (text::TP_STEP, fields, values)
            }
            LineRef::Field { at, .. } => {
                let f = at.and_then(|i| self.fields().get(i)).cloned();
                (
                    text::TP_FIELD,
                    field_form_fields(),
                    field_values(f.as_ref()),
                )
            }
            LineRef::Head if self.is_service() => {
                let values = self.head().into_iter().map(|(_, v)| v).collect();
                (
                    text::RG_PASSPORT,
                    crate::screens::registry::passport_fields(),
                    values,
                )
            }
            LineRef::Head => {
                let fields = vec![
                    text_field("code", text::TP_CODE, true, None),
                    text_field("name", text::TP_NAME, true, None),
                    text_field("agency", text::TP_AGENCY, true, None),
                    text_field("namespace", text::TP_NAMESPACE, true, Some("urn:…")),
                    text_field("root", text::TP_ROOT, true, None),
                    text_field("answer_root", text::TP_ANSWER_ROOT, true, None),
                    yes_no("sign_personal", text::TP_SIGN),
                ];
                let values = self.head().into_iter().map(|(_, v)| v).collect();
                (text::TP_HEAD, fields, values)
            }
        };
        let title = format!("{} · {}", title, self.title().trim());
        DataForm::prefilled(
            Purpose::Template { editor: self, line },
            title,
            fields,
            values,
        )
    }

    /// Puts the form's line into the template if the catalog's rules allow it; else the
    /// message for the form.
    pub fn apply(&mut self, line: LineRef, form: &DataForm) -> Result<(), String> {
        let d = form.data();
        let get = |k: &str| d.get(k).cloned().unwrap_or_default();
        match line {
            LineRef::Step(at) => {
                let step = StepSpec {
                    name: get("name"),
                    roles: self.role_codes(&get("roles"))?,
                    days: get("days")
                        .parse()
                        .map_err(|_| text::TP_BAD_DAYS.to_string())?,
                };
                let row = self.row;
                let steps = self
                    .steps_mut()
                    .ok_or_else(|| text::TP_HEAD_STAYS.to_string())?;
                let at = put(steps, at, row, step);
                self.row = at;
            }
            LineRef::Field { answer, at } => {
                let field = field_of(&d)?;
                let owner = self.title().trim().to_string();
                let files = self.is_service() || answer;
                let row = self.row;
                let mut fields = self
                    .fields_mut(answer)
                    .ok_or_else(|| text::TP_HEAD_STAYS.to_string())?
                    .clone();
                let at = put(&mut fields, at, row, field);
                check_fields(&owner, &fields, files)?;
                if let Some(f) = self.fields_mut(answer) {
                    *f = fields;
                }
                self.row = at;
            }
            LineRef::Head => {
                let k = match &mut self.spec {
                    Spec::Service(_, s) => {
                        let p = crate::screens::registry::passport_of(form);
                        p.check().map_err(|(_, m)| m)?;
                        s.set_passport(p);
                        self.dirty = true;
                        return Ok(());
                    }
                    Spec::Kind(_, k) => k,
                };
                let mut k = k.clone();
                k.code = get("code");
                k.name = get("name");
                k.agency = get("agency");
                k.namespace = get("namespace");
                k.root = get("root");
                k.answer_root = get("answer_root");
                k.sign_personal = get("sign_personal") == text::TP_YES;
                k.check()?;
                if let Spec::Kind(_, old) = &mut self.spec {
                    *old = k;
                }
            }
        }
        self.dirty = true;
        Ok(())
    }
}

/// Replaces line `at`, or inserts a new one after `row`; returns where it is.
fn put<T>(list: &mut Vec<T>, at: Option<usize>, row: usize, item: T) -> usize {
    match at {
        Some(i) if i < list.len() => {
            list[i] = item;
            i
        }
        _ => {
            let i = if list.is_empty() {
                0
            } else {
                (row + 1).min(list.len())
            };
            list.insert(i, item);
            i
        }
    }
}

fn number(key: &str, label: &str, min: i64, max: i64) -> Field {
    Field {
        ftype: FieldType::Number,
        min: Some(min),
        max: Some(max),
        max_len: None,
        ..text_field(key, label, true, None)
    }
}

fn yes_no(key: &str, label: &str) -> Field {
    Field {
        ftype: FieldType::Choice,
        choices: vec![text::TP_YES.into(), text::TP_NO.into()],
        max_len: None,
        ..text_field(key, label, true, None)
    }
}

/// The form that describes one field of a template.
fn field_form_fields() -> Vec<Field> {
    vec![
        text_field("key", text::TP_KEY, true, Some(text::TP_KEY_HINT)),
        text_field("label", text::TP_LABEL, true, None),
        Field {
            ftype: FieldType::Choice,
            choices: FieldType::ALL
                .iter()
                .map(|t| t.label().to_string())
                .collect(),
            max_len: None,
            ..text_field("type", text::TP_TYPE, true, None)
        },
        yes_no("required", text::REQUIRED),
        text_field(
            "choices",
            text::TP_CHOICES,
            false,
            Some(text::TP_CHOICES_HINT),
        ),
        Field {
            required: false,
            ..number("max_len", text::TP_MAX_LEN, 1, 100_000)
        },
        Field {
            required: false,
            ..number("min", text::TP_MIN, i64::MIN, i64::MAX)
        },
        Field {
            required: false,
            ..number("max", text::TP_MAX, i64::MIN, i64::MAX)
        },
        text_field("hint", text::TP_HINT, false, None),
    ]
}

fn field_values(f: Option<&Field>) -> Vec<String> {
    let opt = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    match f {
        Some(f) => vec![
            f.key.clone(),
            f.label.clone(),
            f.ftype.label().into(),
            if f.required {
                text::TP_YES
            } else {
                text::TP_NO
            }
            .into(),
            f.choices.join("; "),
            opt(f.max_len.map(i64::from)),
            opt(f.min),
            opt(f.max),
            f.hint.clone().unwrap_or_default(),
        ],
        None => vec![
            String::new(),
            String::new(),
            FieldType::Text.label().into(),
            text::TP_NO.into(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ],
    }
}

fn field_of(d: &std::collections::BTreeMap<String, String>) -> Result<Field, String> {
    let get = |k: &str| d.get(k).cloned().unwrap_or_default();
    let num = |k: &str| -> Result<Option<i64>, String> {
        match d.get(k) {
            None => Ok(None),
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|_| format!("{}: {v}", text::TP_BAD_NUMBER)),
        }
    };
    let ftype = FieldType::ALL
        .into_iter()
        .find(|t| t.label() == get("type"))
        .ok_or_else(|| text::TP_BAD_TYPE.to_string())?;
    let choices = get("choices")
        .split(';')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let hint = get("hint");
    Ok(Field {
        key: get("key"),
        label: get("label"),
        ftype,
        required: get("required") == text::TP_YES,
        choices,
        max_len: num("max_len")?.and_then(|n| u32::try_from(n).ok()),
        min: num("min")?,
        max: num("max")?,
        hint: (!hint.is_empty()).then_some(hint),
    })
}

impl TemplateView {
    /// A command in the template editor: moving, reordering and removing lines are its own;
    /// a line's form, saving and leaving are asked of the runner.
    pub fn handle(&mut self, cmd: Cmd) -> Option<Effect> {
        match cmd {
            Cmd::Back if self.dirty => {
                return Some(Effect::Confirm(Box::new(Dialog::new(
                    text::LEAVE_TITLE,
                    text::TP_LEAVE_TEXT,
                    Vec::new(),
                    Pending::LeaveTemplate,
                ))));
            }
            Cmd::Back => return Some(Effect::LeaveTemplate),
            Cmd::Up => self.row = self.row.saturating_sub(1),
            Cmd::Down => self.row = (self.row + 1).min(self.rows().saturating_sub(1)),
            Cmd::NextTab => {
                let tabs = self.tabs();
                let i = tabs.iter().position(|t| *t == self.tab).unwrap_or(0);
                self.tab = tabs[(i + 1) % tabs.len()];
                self.row = 0;
            }
            Cmd::MoveUp => self.shift(false),
            Cmd::MoveDown => self.shift(true),
            Cmd::Remove => return self.remove().err().map(Effect::Info),
            Cmd::Add if self.tab == TplTab::Head => {
                return Some(Effect::Info(text::TP_HEAD_STAYS));
            }
            Cmd::Edit | Cmd::Add => {
                let at = (cmd == Cmd::Edit && self.rows() > 0).then_some(self.row);
                return Some(Effect::EditTemplateLine(self.line(at)));
            }
            Cmd::Save => return Some(Effect::SaveTemplate),
            _ => {}
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use volost_domain::{RoleId, Step};

    fn view() -> TemplateView {
        let mut s = crate::screens::form::tests::sample_service();
        for f in &mut s.fields {
            if f.ftype != FieldType::Choice {
                f.choices.clear();
            }
        }
        s.steps = vec![
            Step {
                name: "Рассмотрение".into(),
                roles: vec![RoleId(1)],
                days: 3,
            },
            Step {
                name: "Решение".into(),
                roles: vec![RoleId(2)],
                days: 2,
            },
        ];
        let roles = vec![
            Role {
                id: RoleId(1),
                code: "specialist".into(),
                name: "Специалист".into(),
                rights: Default::default(),
            },
            Role {
                id: RoleId(2),
                code: "head".into(),
                name: "Руководитель".into(),
                rights: Default::default(),
            },
        ];
        TemplateView::service(&s, roles)
    }

    fn typed(form: &mut DataForm, key: &str, value: &str) {
        let i = form
            .inputs
            .iter()
            .position(|i| match i.source {
                crate::widgets::form::Source::Field(n) => form.fields[n].key == key,
                _ => false,
            })
            .expect("field");
        form.inputs[i].value = value.into();
    }

    #[test]
    fn a_step_is_edited_with_roles_by_name_and_put_back() {
        let v = Box::new(view());
        let line = LineRef::Step(Some(1));
        let mut form = v.clone().form(line);
        assert_eq!(form.inputs[1].value, "Руководитель");
        typed(&mut form, "roles", "специалист; head");
        typed(&mut form, "days", "4");
        let mut v = *v;
        v.apply(line, &form).expect("applies");
        assert_eq!(v.steps()[1].roles, vec!["specialist", "head"]);
        assert_eq!(v.steps()[1].days, 4);
        assert!(v.dirty);
        typed(&mut form, "roles", "Бухгалтер");
        assert!(
            v.apply(line, &form)
                .expect_err("refused")
                .contains("Бухгалтер")
        );
    }

    #[test]
    fn a_new_field_goes_after_the_selected_one_and_bad_ones_are_refused() {
        let mut v = view();
        v.tab = TplTab::Fields;
        v.row = 0;
        let line = LineRef::Field {
            answer: false,
            at: None,
        };
        let mut form = Box::new(v.clone()).form(line);
        typed(&mut form, "key", "phone2");
        typed(&mut form, "label", "Второй телефон");
        typed(&mut form, "type", "Телефон");
        v.apply(line, &form).expect("applies");
        assert_eq!(v.fields()[1].key, "phone2");
        assert_eq!(v.fields()[1].ftype, FieldType::Phone);
        assert_eq!(v.row, 1);
        // The same key again, and a choice without variants, are the catalog's errors.
        assert!(
            v.apply(line, &form)
                .expect_err("refused")
                .contains("повторяется")
        );
        typed(&mut form, "key", "kind");
        typed(&mut form, "type", "Выбор");
        assert!(v.apply(line, &form).is_err());
        assert_eq!(v.fields().len(), 4);
        v.shift(true);
        assert_eq!((v.row, v.fields()[2].key.as_str()), (2, "phone2"));
        v.remove().expect("removes");
        assert_eq!(v.fields().len(), 3);
    }

    #[test]
    fn the_last_step_stays() {
        let mut v = view();
        v.remove().expect("first goes");
        assert_eq!(v.remove(), Err(text::TP_LAST_STEP));
    }
}
