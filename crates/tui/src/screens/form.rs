//! The form screen: a [`DataForm`] (the widget) filled for a purpose — a new application (the
//! applicant first, then the service's fields), an outgoing request (its kind's fields), the
//! answer to an incoming one (the kind's answer fields), a draft's data, a passport, a line
//! of a template. Each field is checked when the user leaves it, with the same validators
//! the daemon uses (СНИЛС checksum, ИНН, dates ...), and the message stands next to it; the
//! daemon checks everything again on saving.

use crate::keymap::Cmd;
use crate::screens::effect::Dialog;
use crate::screens::effect::{Effect, Pending};
use crate::text;
use crate::widgets::form::{FormKey, ORIGINS, Part, Source, input};
use crossterm::event::KeyEvent;
use volost_api::{ApplicantRef, NewApplication};
use volost_domain::{
    AppId, ApplicantInput, ApplicantKind, FieldType, FileId, InReqId, RequestKind, Service,
};

pub use crate::widgets::form::{Input, text_field};

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
    /// A line of an application's «Опись принятых документов» (`line` `None`: a new one);
    /// saving sends the whole inventory with it.
    Inventory {
        app: AppId,
        items: Vec<volost_domain::Received>,
        line: Option<usize>,
    },
    /// «Изменить паспорт» of a service in «Реестр услуг».
    Passport(volost_domain::ServiceId),
    /// One line of a template being edited (a step, a field, a kind's head); the editor
    /// waits inside, unchanged until the form is saved.
    Template {
        editor: Box<crate::screens::template::TemplateView>,
        line: crate::screens::template::LineRef,
    },
}

/// The form on the screen: the widget, filled for a [`Purpose`].
pub type DataForm = crate::widgets::form::DataForm<Purpose>;

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

    /// A key on the form: editing keys are the focused field's; moving between fields and
    /// turning a choice happen here; leaving, saving and the applicant lookup are asked of
    /// the runner (leaving a changed form asks first).
    pub fn handle(&mut self, cmd: Option<Cmd>, key: &KeyEvent) -> Option<Effect> {
        match self.on_key(cmd, key)? {
            FormKey::Leave if self.changed() => {
                let text = if matches!(self.purpose, Purpose::Application(_)) {
                    text::LEAVE_TEXT
                } else {
                    text::LEAVE_REQUEST_TEXT
                };
                Some(Effect::Confirm(Box::new(Dialog::new(
                    text::LEAVE_TITLE,
                    text,
                    Vec::new(),
                    Pending::LeaveForm,
                ))))
            }
            FormKey::Leave => Some(Effect::LeaveForm),
            FormKey::Save => Some(Effect::SaveForm),
            FormKey::Lookup => Some(Effect::LookupApplicant),
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
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use volost_domain::Field;
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
            intake: None,
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
            inventory: Vec::new(),
            handed: None,
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
