//! The starter catalog shipped with the node (`starter.toml`): roles, services and request
//! kinds (the production calendar is `domain::calendar`'s). It is data: a body adds its own services and kinds
//! the same way, through [`ServiceSpec`] and [`KindSpec`].

use crate::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

const STARTER: &str = include_str!("starter.toml");

/// Bounds of a template, far above any real regulation, so that a typo cannot make a form
/// nobody can fill.
pub const MAX_STEPS: usize = 50;
pub const MAX_FIELDS: usize = 200;

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RoleSpec {
    pub code: String,
    pub name: String,
    pub rights: Vec<Right>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StepSpec {
    pub name: String,
    pub roles: Vec<String>,
    pub days: u32,
}

/// A service as written in a catalog file: roles by code, no ids.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceSpec {
    pub code: String,
    pub name: String,
    pub deadline_days: u32,
    #[serde(default)]
    pub fee: String,
    /// The act that approved the administrative regulation.
    #[serde(default)]
    pub regulation: String,
    #[serde(default)]
    pub places: Vec<String>,
    #[serde(default)]
    pub documents: Vec<String>,
    #[serde(default)]
    pub results: Vec<String>,
    #[serde(rename = "step")]
    pub steps: Vec<StepSpec>,
    #[serde(rename = "field")]
    pub fields: Vec<Field>,
}

/// A request kind as written in a catalog file.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KindSpec {
    pub code: String,
    pub name: String,
    pub agency: String,
    pub namespace: String,
    pub root: String,
    pub answer_root: String,
    #[serde(default)]
    pub sign_personal: bool,
    #[serde(rename = "field")]
    pub fields: Vec<Field>,
    #[serde(rename = "answer_field", default)]
    pub answer_fields: Vec<Field>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Starter {
    #[serde(rename = "role")]
    pub roles: Vec<RoleSpec>,
    #[serde(rename = "service")]
    pub services: Vec<ServiceSpec>,
    #[serde(rename = "request_kind")]
    pub kinds: Vec<KindSpec>,
}

/// Problems in a catalog file, each with where it is.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("{0}")]
    Toml(String),
    #[error("{0}")]
    Invalid(String),
}

/// Checks a form template: keys unique and well-formed, choices only where they belong,
/// bounds in order.
pub fn check_fields(owner: &str, fields: &[Field], allow_files: bool) -> Result<(), String> {
    if fields.len() > MAX_FIELDS {
        return Err(format!("{owner}: не больше {MAX_FIELDS} полей формы"));
    }
    let mut keys = BTreeSet::new();
    for f in fields {
        let at = format!("{owner}, поле «{}»", f.key);
        if f.key.is_empty()
            || !f
                .key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(format!("{at}: ключ — строчные латинские буквы, цифры и _"));
        }
        if !keys.insert(f.key.as_str()) {
            return Err(format!("{at}: ключ повторяется"));
        }
        if f.label.trim().is_empty() {
            return Err(format!("{at}: нет подписи"));
        }
        if (f.ftype == FieldType::Choice) == f.choices.is_empty() {
            return Err(format!(
                "{at}: варианты выбора задаются только и обязательно для типа «Выбор»"
            ));
        }
        if f.ftype == FieldType::File && !allow_files {
            return Err(format!("{at}: файлы здесь не допускаются"));
        }
        if let (Some(a), Some(b)) = (f.min, f.max)
            && a > b
        {
            return Err(format!("{at}: минимум больше максимума"));
        }
    }
    Ok(())
}

impl ServiceSpec {
    pub fn check(&self, roles: &[Role]) -> Result<(), String> {
        let at = format!("Услуга «{}»", self.code);
        self.passport()
            .check()
            .map_err(|(_, m)| format!("{at}: {m}"))?;
        if self.steps.is_empty() {
            return Err(format!("{at}: в регламенте нет шагов"));
        }
        if self.steps.len() > MAX_STEPS {
            return Err(format!("{at}: не больше {MAX_STEPS} шагов"));
        }
        for s in &self.steps {
            if s.name.trim().is_empty() {
                return Err(format!("{at}: шаг без названия"));
            }
            if !(1..=365).contains(&s.days) {
                return Err(format!(
                    "{at}, шаг «{}»: срок шага — от 1 до 365 рабочих дней",
                    s.name
                ));
            }
            for r in &s.roles {
                if !roles.iter().any(|x| &x.code == r) {
                    return Err(format!("{at}, шаг «{}»: нет роли «{r}»", s.name));
                }
            }
        }
        check_fields(&at, &self.fields, true)
    }

    pub fn passport(&self) -> ServicePassport {
        ServicePassport {
            code: self.code.clone(),
            name: self.name.clone(),
            deadline_days: self.deadline_days,
            fee: self.fee.clone(),
            regulation: self.regulation.clone(),
            places: self.places.clone(),
            documents: self.documents.clone(),
            results: self.results.clone(),
        }
    }

    /// Takes the passport's values as they are (the node trims them when it stores them).
    pub fn set_passport(&mut self, p: ServicePassport) {
        self.code = p.code;
        self.name = p.name;
        self.deadline_days = p.deadline_days;
        self.fee = p.fee;
        self.regulation = p.regulation;
        self.places = p.places;
        self.documents = p.documents;
        self.results = p.results;
    }

    /// The template of a stored service, with roles by code: what an editor starts from.
    pub fn of(s: &Service, roles: &[Role]) -> ServiceSpec {
        let mut spec = ServiceSpec {
            steps: s
                .steps
                .iter()
                .map(|st| StepSpec {
                    name: st.name.clone(),
                    roles: st
                        .roles
                        .iter()
                        .filter_map(|id| roles.iter().find(|r| r.id == *id).map(|r| r.code.clone()))
                        .collect(),
                    days: st.days,
                })
                .collect(),
            fields: s.fields.clone(),
            ..ServiceSpec::default()
        };
        spec.set_passport(s.passport());
        spec
    }

    pub fn to_service(&self, id: ServiceId, org: OrgId, roles: &[Role]) -> Service {
        let mut svc = Service {
            id,
            org,
            code: String::new(),
            name: String::new(),
            deadline_days: 0,
            fee: String::new(),
            regulation: String::new(),
            places: Vec::new(),
            documents: Vec::new(),
            results: Vec::new(),
            steps: self
                .steps
                .iter()
                .map(|s| Step {
                    name: s.name.clone(),
                    roles: s
                        .roles
                        .iter()
                        .filter_map(|c| roles.iter().find(|r| &r.code == c).map(|r| r.id))
                        .collect(),
                    days: s.days,
                })
                .collect(),
            fields: self.fields.clone(),
            active: true,
            intake: None,
        };
        svc.set_passport(&self.passport());
        svc
    }
}

impl KindSpec {
    pub fn check(&self) -> Result<(), String> {
        let at = format!("Вид сведений «{}»", self.code);
        if self.code.trim().is_empty()
            || self.name.trim().is_empty()
            || self.agency.trim().is_empty()
        {
            return Err(format!("{at}: нужны код, наименование и ведомство"));
        }
        if !(self.namespace.starts_with("urn:") || self.namespace.starts_with("http")) {
            return Err(format!("{at}: пространство имён должно быть URI"));
        }
        let ncname = |s: &str| {
            s.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        };
        // An empty answer root: the agency has not published its answer's schema.
        if !ncname(&self.root) || !(self.answer_root.is_empty() || ncname(&self.answer_root)) {
            return Err(format!("{at}: корневые элементы должны быть именами XML"));
        }
        check_fields(&at, &self.fields, false)?;
        check_fields(&format!("{at}, ответ"), &self.answer_fields, true)
    }

    /// The kind a package makes: its description and staff form; the answer's form
    /// (`answer_fields`) stays the kind's own.
    pub fn from_package(p: &PackageInfo, answer_fields: Vec<Field>) -> KindSpec {
        KindSpec {
            code: p.code.clone(),
            name: p.name.clone(),
            agency: p.agency.clone(),
            namespace: p.namespace.clone(),
            root: p.request_root.clone(),
            answer_root: p.answer_root.clone().unwrap_or_default(),
            sign_personal: p.personal_signature,
            fields: p.fields.clone(),
            answer_fields,
        }
    }

    /// The template of a stored kind: what an editor starts from.
    pub fn of(k: &RequestKind) -> KindSpec {
        KindSpec {
            code: k.code.clone(),
            name: k.name.clone(),
            agency: k.agency.clone(),
            namespace: k.namespace.clone(),
            root: k.root.clone(),
            answer_root: k.answer_root.clone(),
            sign_personal: k.sign_personal,
            fields: k.fields.clone(),
            answer_fields: k.answer_fields.clone(),
        }
    }

    pub fn to_kind(&self, id: KindId, org: OrgId) -> RequestKind {
        RequestKind {
            id,
            org,
            code: self.code.trim().into(),
            name: self.name.trim().into(),
            agency: self.agency.trim().into(),
            namespace: self.namespace.clone(),
            root: self.root.clone(),
            answer_root: self.answer_root.clone(),
            sign_personal: self.sign_personal,
            fields: self.fields.clone(),
            answer_fields: self.answer_fields.clone(),
            active: true,
        }
    }
}

impl Starter {
    pub fn parse(text: &str) -> Result<Starter, CatalogError> {
        let s: Starter = toml::from_str(text).map_err(|e| CatalogError::Toml(e.to_string()))?;
        // Role ids do not exist yet; check step roles by code against the file's own roles.
        let roles: Vec<Role> = s
            .roles
            .iter()
            .map(|r| Role {
                id: RoleId(0),
                code: r.code.clone(),
                name: r.name.clone(),
                rights: r.rights.iter().copied().collect(),
            })
            .collect();
        for svc in &s.services {
            svc.check(&roles).map_err(CatalogError::Invalid)?;
        }
        for k in &s.kinds {
            k.check().map_err(CatalogError::Invalid)?;
        }
        Ok(s)
    }

    pub fn builtin() -> Result<Starter, CatalogError> {
        Starter::parse(STARTER)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalog_is_valid_and_big_enough() {
        let s = Starter::builtin().expect("starter.toml parses and validates");
        assert!(s.services.len() >= 10, "at least 10 services");
        assert!(s.kinds.len() >= 8, "at least 8 request kinds");
        let codes: BTreeSet<_> = s.services.iter().map(|x| &x.code).collect();
        assert_eq!(codes.len(), s.services.len(), "service codes unique");
    }

    #[test]
    fn unknown_keys_and_bad_fields_are_refused() {
        let bad = "[[role]]\ncode='a'\nname='А'\nrights=[]\nextra=1\n";
        assert!(Starter::parse(bad).is_err());
        let f = Field {
            key: "x".into(),
            label: "Икс".into(),
            ftype: FieldType::Choice,
            required: true,
            choices: vec![],
            max_len: None,
            min: None,
            max: None,
            hint: None,
        };
        assert!(check_fields("t", &[f], true).is_err());
    }
}
