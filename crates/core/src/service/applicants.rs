//! Реестр заявителей: people and organisations seen before, found by СНИЛС, ИНН or name.

use super::{Actor, Error, FieldError, Node, Result, W};
pub use volost_api::view::ApplicantQuery;
use volost_domain::*;
use volost_store::Record;
use volost_store::records::{applicant_inn_key, applicant_name_prefix, applicant_snils_key};

/// Validates what staff typed; every wrong field is reported at once.
pub fn check_applicant(input: &ApplicantInput) -> Result<Applicant> {
    let mut errs = Vec::new();
    let mut opt = |label: &str,
                   raw: &str,
                   f: fn(&str) -> std::result::Result<String, String>|
     -> Option<String> {
        if raw.trim().is_empty() {
            return None;
        }
        match f(raw) {
            Ok(v) => Some(v),
            Err(m) => {
                errs.push(FieldError {
                    field: label.into(),
                    message: m,
                });
                None
            }
        }
    };
    let snils = opt("СНИЛС", &input.snils, validate::snils);
    let inn = opt("ИНН", &input.inn, validate::inn);
    let ogrn = opt("ОГРН", &input.ogrn, validate::ogrn);
    let passport = opt("Паспорт", &input.passport, validate::passport);
    let phone = opt("Телефон", &input.phone, validate::phone);
    let kind = input.kind.unwrap_or(ApplicantKind::Person);
    let name = input.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        errs.push(FieldError {
            field: "ФИО / наименование".into(),
            message: "Требуется".into(),
        });
    }
    let birth_date = if input.birth_date.trim().is_empty() {
        None
    } else {
        let d = parse_date(&input.birth_date);
        if d.is_none() {
            errs.push(FieldError {
                field: "Дата рождения".into(),
                message: "Дата в формате ДД.ММ.ГГГГ".into(),
            });
        }
        d
    };
    match kind {
        ApplicantKind::Person
            if snils.is_none()
                && passport.is_none()
                && input.snils.trim().is_empty()
                && input.passport.trim().is_empty() =>
        {
            errs.push(FieldError {
                field: "СНИЛС".into(),
                message: "Укажите СНИЛС или паспорт".into(),
            });
        }
        ApplicantKind::Organisation | ApplicantKind::Entrepreneur
            if input.inn.trim().is_empty() =>
        {
            errs.push(FieldError {
                field: "ИНН".into(),
                message: "Требуется".into(),
            });
        }
        ApplicantKind::Organisation if inn.as_ref().is_some_and(|i| i.len() != 10) => {
            errs.push(FieldError {
                field: "ИНН".into(),
                message: "ИНН организации — 10 цифр".into(),
            });
        }
        _ => {}
    }
    if !errs.is_empty() {
        return Err(Error::Invalid(errs));
    }
    Ok(Applicant {
        id: ApplicantId(0),
        org: OrgId(0),
        kind,
        name,
        snils,
        inn,
        ogrn,
        passport,
        birth_date,
        address: input.address.trim().to_string(),
        phone,
        created: Ts(0),
    })
}

pub(crate) fn create_applicant(w: &mut W, input: &ApplicantInput) -> Result<Applicant> {
    let mut a = check_applicant(input)?;
    a.id = ApplicantId(w.tx.next_id(Applicant::KIND)?);
    a.org = w.who.org;
    a.created = w.now;
    w.tx.put(&a)?;
    w.target("applicant", a.id);
    Ok(a)
}

/// The index prefix under which the applicants `q` asks for lie.
pub(crate) fn applicant_prefix(org: OrgId, q: &ApplicantQuery) -> Result<Vec<u8>> {
    Ok(match q {
        ApplicantQuery::Snils(s) => {
            let v = validate::snils(s).map_err(|m| Error::invalid("СНИЛС", m))?;
            applicant_snils_key(org, &v).0
        }
        ApplicantQuery::Inn(s) => {
            let v = validate::inn(s).map_err(|m| Error::invalid("ИНН", m))?;
            applicant_inn_key(org, &v).0
        }
        ApplicantQuery::Name(s) => {
            if validate::normalize_name(s).chars().count() < 2 {
                return Err(Error::invalid("ФИО", "Введите не меньше двух букв"));
            }
            applicant_name_prefix(org, s)
        }
    })
}

impl Node {
    pub fn create_applicant(&self, actor: Actor, input: &ApplicantInput) -> Result<Applicant> {
        self.write(actor, "applicant.create", |w| {
            w.who
                .require("applicant.create", Right::CreateApplications)?;
            create_applicant(w, input)
        })
    }

    /// Finds applicants of the actor's body (at most `limit`). Several records may match one
    /// СНИЛС; staff then choose («Выбрать»).
    pub fn find_applicants(
        &self,
        actor: Actor,
        q: &ApplicantQuery,
        limit: usize,
    ) -> Result<Vec<Applicant>> {
        self.read(actor, |r| {
            let prefix = applicant_prefix(r.who.org, q)?;
            super::list::ids_with_prefix(&r.rx, &prefix, limit)?
                .into_iter()
                .map(|id| r.load::<Applicant>(id))
                .collect()
        })
    }

    pub fn applicant(&self, actor: Actor, id: ApplicantId) -> Result<Applicant> {
        self.read(actor, |r| r.load(id.0))
    }
}
