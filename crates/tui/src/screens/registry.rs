//! «Реестр услуг»: the passports of the body's services (the registry the summary registry is
//! filled from), read by every member of staff and changed by an administrator. The regulation's
//! steps and the application form are templates, edited in «Администрирование».

use crate::keymap::Cmd;
use crate::screens::effect::Dialog;
use crate::screens::effect::Effect;
use crate::screens::effect::Pending;
use crate::screens::form::{DataForm, Purpose, text_field};
use crate::text;
use crate::widgets::Field as Input;
use volost_domain::{Field, FieldType, Org, Role, Service, ServicePassport};

/// The registry screen: the body, its services, and the one whose passport is shown.
pub struct RegistryView {
    pub org: Org,
    pub services: Vec<Service>,
    pub roles: Vec<Role>,
    pub sel: usize,
    /// Lines the passport is scrolled by (a long passport on a small terminal).
    pub scroll: u16,
}

impl RegistryView {
    pub fn selected(&self) -> Option<&Service> {
        self.services.get(self.sel)
    }
}

/// What a passport lacks for the summary registry, in the words of its form.
pub fn missing(s: &Service) -> Vec<&'static str> {
    let mut out = Vec::new();
    if s.regulation.trim().is_empty() {
        out.push(text::RG_REGULATION);
    }
    if s.fee.trim().is_empty() {
        out.push(text::RG_FEE);
    }
    if s.places.is_empty() {
        out.push(text::RG_PLACES);
    }
    if s.documents.is_empty() {
        out.push(text::RG_DOCUMENTS);
    }
    if s.results.is_empty() {
        out.push(text::RG_RESULTS);
    }
    out
}

/// The lines of a passport form: one per value, lists with their items joined by «;».
pub fn passport_fields() -> Vec<Field> {
    vec![
        Field {
            max_len: Some(volost_domain::PASSPORT_CODE_MAX as u32),
            ..text_field("code", text::RG_CODE, true, None)
        },
        text_field("name", text::RG_NAME, true, None),
        Field {
            ftype: FieldType::Number,
            min: Some(1),
            max: Some(365),
            max_len: None,
            ..text_field("deadline_days", text::RG_DEADLINE_DAYS, true, None)
        },
        text_field("fee", text::RG_FEE, false, Some(text::RG_FEE_HINT)),
        text_field(
            "regulation",
            text::RG_REGULATION,
            false,
            Some(text::RG_REGULATION_HINT),
        ),
        text_field("places", text::RG_PLACES, false, Some(text::RG_LIST_HINT)),
        text_field(
            "documents",
            text::RG_DOCUMENTS,
            false,
            Some(text::RG_LIST_HINT),
        ),
        text_field("results", text::RG_RESULTS, false, Some(text::RG_LIST_HINT)),
    ]
}

/// The values of [`passport_fields`], in order.
pub fn passport_values(p: &ServicePassport) -> Vec<String> {
    vec![
        p.code.clone(),
        p.name.clone(),
        p.deadline_days.to_string(),
        p.fee.clone(),
        p.regulation.clone(),
        p.places.join("; "),
        p.documents.join("; "),
        p.results.join("; "),
    ]
}

pub fn passport_form(s: &Service) -> DataForm {
    let title = format!("{} · {}", text::RG_EDIT, s.name);
    DataForm::prefilled(
        Purpose::Passport(s.id),
        title,
        passport_fields(),
        passport_values(&s.passport()),
    )
}

/// The passport a form of [`passport_fields`] holds; the daemon checks it again.
pub fn passport_of(form: &DataForm) -> ServicePassport {
    let d = form.data();
    let get = |k: &str| d.get(k).cloned().unwrap_or_default();
    let list = |k: &str| -> Vec<String> {
        get(k)
            .split(';')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    ServicePassport {
        code: get("code"),
        name: get("name"),
        // The form has checked the number; one that does not parse is refused as 0 days.
        deadline_days: get("deadline_days").parse().unwrap_or(0),
        fee: get("fee"),
        regulation: get("regulation"),
        places: list("places"),
        documents: list("documents"),
        results: list("results"),
    }
}

impl RegistryView {
    /// A command on «Реестр услуг»: moving and scrolling are its own; the passport form,
    /// the signed file's export and import are asked of the runner. `may_edit`: the user
    /// administers (the passports are theirs to change).
    pub fn handle(&mut self, cmd: Cmd, may_edit: bool) -> Option<Effect> {
        match cmd {
            Cmd::Back => return Some(Effect::OpenSection(0)),
            Cmd::Up => {
                self.sel = self.sel.saturating_sub(1);
                self.scroll = 0;
            }
            Cmd::Down => {
                self.sel = (self.sel + 1).min(self.services.len().saturating_sub(1));
                self.scroll = 0;
            }
            Cmd::PageDown => self.scroll = self.scroll.saturating_add(10),
            Cmd::PageUp => self.scroll = self.scroll.saturating_sub(10),
            Cmd::Top => self.scroll = 0,
            Cmd::Refresh => return Some(Effect::OpenRegistry(self.selected().map(|s| s.id))),
            Cmd::Edit | Cmd::ExportSigned | Cmd::Add if !may_edit => {
                return Some(Effect::Info(text::RG_ADMIN_ONLY));
            }
            Cmd::Edit => {
                return self
                    .selected()
                    .map(|s| Effect::Fill(Box::new(passport_form(s))));
            }
            // The node signs the registry with its key; the dialog asks where to write it.
            Cmd::ExportSigned => return Some(Effect::ExportRegistry),
            Cmd::Add => {
                return Some(Effect::Confirm(Box::new(Dialog::new(
                    text::RG_IMPORT_TITLE,
                    text::RG_IMPORT_TEXT,
                    vec![Input::new(text::FILE_PATH, false)],
                    Pending::ImportRegistry,
                ))));
            }
            _ => {}
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_gives_back_the_passport_it_was_made_from() {
        let s = crate::screens::form::tests::sample_service();
        let mut s = s;
        s.regulation = "Постановление № 5".into();
        s.places = vec!["Администрация".into(), "МФЦ".into()];
        let form = passport_form(&s);
        assert!(!form.changed());
        let p = passport_of(&form);
        assert_eq!(p, s.passport());
    }
}
