//! Applications as a portal delivers them, read through a package (issue 29): ЕПГУ's
//! «концентратор» sends each service in a schema of its own, rooted at `FormData`, and
//! takes the body's statuses back as `FormDataResponse/changeOrderInfo` with the portal's
//! status codes; a region's portal may have a per-service schema of its own. Either is a
//! package with an `[intake]` section: which of the node's services its applications are
//! for, where in the delivered document the order number, the applicant and each form
//! field are, the mapping that writes the status reply, and the status table (the node's
//! status → the portal's code).
//!
//! Paths name elements by their local names from the root (`ApplicantInfo/SNILS`, the
//! first of each name), an attribute last (`@oktmo`, `IdentityDocInfo/@code`). A value is a
//! text with `{PATH | CONV | …}` in it, the conversions of [`super::mapping`] (`ru_date`
//! makes an `xs:date` a date as staff type it); whitespace is collapsed, so an absent
//! middle name leaves no gap. Like the mapping, this is the node's own configuration
//! language, not a format: the portal's schema decides what a document is, and every
//! delivered document is validated against it before it is read.

use super::mapping;
use super::package::{Package, PackageError, SAMPLE_REQUEST, render_sample};
use crate::xml::Element;
use serde::Deserialize;
use std::collections::BTreeMap;
use volost_domain::received::PortalApplication;
use volost_domain::{ApplicantInput, ApplicantKind, Source, Status};
use volost_xsd::Schema;

/// `[intake]` in `kind.toml`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntakeSpec {
    /// The registry code of the node's service these applications are for.
    pub service: String,
    /// The portal's own number of the application (`{orderId}`).
    pub order: String,
    /// ОКТМО of the place of provision, where the document has it.
    #[serde(default)]
    pub oktmo: Option<String>,
    /// The mapping that writes the status reply, a path in the package; it takes
    /// `form.order_id`, `form.number` (the node's), `form.status_code` and `form.comment`.
    pub status_mapping: String,
    /// The applicant: `name` (required), `snils`, `inn`, `ogrn`, `passport`, `birth_date`,
    /// `address`, `phone`, `kind` (`person`, `entrepreneur`, `organisation`).
    pub applicant: BTreeMap<String, String>,
    /// The service form's values by key.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    /// The portal's code of each status it is told of, by the node's status
    /// ([`status_key`]); a status not here is not reported.
    pub statuses: BTreeMap<String, i64>,
}

const APPLICANT_KEYS: [&str; 9] = [
    "kind",
    "name",
    "snils",
    "inn",
    "ogrn",
    "passport",
    "birth_date",
    "address",
    "phone",
];

/// A status's name in a package's status table.
pub fn status_key(s: Status) -> &'static str {
    s.stable_name()
}

/// No value read from a delivered document is longer (the form's own limits check more).
const MAX_VALUE: usize = 4000;

impl IntakeSpec {
    /// What is wrong with the spec itself (its keys), before any document is read.
    pub fn check(&self) -> Result<(), String> {
        if self.service.trim().is_empty() {
            return Err("intake.service: код услуги узла обязателен".into());
        }
        if let Some(k) = self
            .applicant
            .keys()
            .find(|k| !APPLICANT_KEYS.contains(&k.as_str()))
        {
            return Err(format!(
                "intake.applicant.{k}: нет такого сведения о заявителе ({})",
                APPLICANT_KEYS.join(", ")
            ));
        }
        if !self.applicant.contains_key("name") {
            return Err("intake.applicant.name обязателен".into());
        }
        if let Some(k) = self
            .statuses
            .keys()
            .find(|k| !Status::ALL.iter().any(|s| status_key(*s) == k.as_str()))
        {
            return Err(format!(
                "intake.statuses.{k}: нет такого статуса ({})",
                Status::ALL.map(status_key).join(", ")
            ));
        }
        if self.statuses.is_empty() {
            return Err("intake.statuses: таблица статусов пуста".into());
        }
        Ok(())
    }

    /// Reads a delivered document (already valid against the portal's schema) into an
    /// application for the core; what the values mean is checked later against the
    /// service's form, like any form.
    pub fn read(&self, root: &Element) -> Result<PortalApplication, String> {
        let value = |expr: &str| extract(root, expr);
        let order_id = value(&self.order)?;
        if order_id.is_empty() {
            return Err("нет номера заявления портала".into());
        }
        let mut a = ApplicantInput::default();
        for (k, expr) in &self.applicant {
            let v = value(expr)?;
            match k.as_str() {
                "kind" => {
                    a.kind = Some(match v.as_str() {
                        "" | "person" => ApplicantKind::Person,
                        "entrepreneur" => ApplicantKind::Entrepreneur,
                        "organisation" => ApplicantKind::Organisation,
                        other => return Err(format!("неизвестный вид заявителя «{other}»")),
                    })
                }
                "name" => a.name = v,
                "snils" => a.snils = v,
                "inn" => a.inn = v,
                "ogrn" => a.ogrn = v,
                "passport" => a.passport = v,
                "birth_date" => a.birth_date = v,
                "address" => a.address = v,
                "phone" => a.phone = v,
                other => return Err(format!("intake.applicant.{other}")),
            }
        }
        if a.name.is_empty() {
            return Err("нет имени заявителя".into());
        }
        let mut fields = BTreeMap::new();
        for (k, expr) in &self.fields {
            let v = value(expr)?;
            if !v.is_empty() {
                fields.insert(k.clone(), v);
            }
        }
        Ok(PortalApplication {
            portal: Source::Epgu,
            intake: String::new(),
            order_id,
            service_code: self.service.clone(),
            oktmo: match &self.oktmo {
                Some(e) => value(e)?,
                None => String::new(),
            },
            applicant: a,
            fields,
            files: Vec::new(),
        })
    }

    /// The portal's code of status `s`, when the table reports it.
    pub fn code(&self, s: Status) -> Option<i64> {
        self.statuses.get(status_key(s)).copied()
    }
}

/// The status mapping of `p`'s intake, parsed.
pub fn status_template(p: &Package, spec: &IntakeSpec) -> Result<Element, PackageError> {
    let root = p.description.answer_root.as_deref().unwrap_or_default();
    p.read_mapping(&spec.status_mapping, Some(root))
}

/// Checks an intake package when it opens: its spec, the sample document read through it,
/// and the status reply mapped for every code of its table and valid against the schema.
pub fn check_package(
    p: &Package,
    spec: &IntakeSpec,
    schema: &mut Schema,
) -> Result<(), PackageError> {
    let d = &p.description;
    let bad = |m: String| PackageError::Description(m);
    spec.check().map_err(bad)?;
    if d.mapping.is_some() || d.packet.is_some() {
        return Err(bad(
            "intake: пакет приёма заявлений не составляет запросов (mapping и packet не нужны)"
                .into(),
        ));
    }
    if d.answer_root.is_none() || !d.files.contains_key(&spec.status_mapping) {
        return Err(bad(
            "intake: нужны answer_root (ответ о статусе) и status_mapping в списке files".into(),
        ));
    }
    let sample =
        std::fs::read(p.dir.join(SAMPLE_REQUEST)).map_err(|e| PackageError::Unreadable {
            path: SAMPLE_REQUEST.into(),
            why: e.to_string(),
        })?;
    let sample_bad = |why: String| PackageError::Sample {
        path: SAMPLE_REQUEST.into(),
        why,
    };
    let text = String::from_utf8(sample).map_err(|_| sample_bad("не в кодировке UTF-8".into()))?;
    let root = crate::xml::parse(&text).map_err(|e| sample_bad(e.to_string()))?;
    let app = spec.read(&root).map_err(sample_bad)?;
    let template = status_template(p, spec)?;
    for (status, code) in &spec.statuses {
        let form = reply_form(
            &app.order_id,
            "2026-000001",
            *code,
            "Комментарий для заявителя",
        );
        render_sample(
            &template,
            schema,
            &form,
            &format!("{} ({status})", spec.status_mapping),
        )?;
    }
    Ok(())
}

/// The values a status reply's mapping takes.
pub fn reply_form(
    order_id: &str,
    number: &str,
    code: i64,
    comment: &str,
) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("order_id".to_string(), order_id.to_string()),
        ("number".to_string(), number.to_string()),
        ("status_code".to_string(), code.to_string()),
        ("comment".to_string(), comment.to_string()),
    ])
}

/// The text `expr` with each `{PATH | CONV …}` replaced by what `root` holds there.
pub fn extract(root: &Element, expr: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = expr;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| format!("«{expr}»: нет закрывающей «}}»"))?;
        let mut parts = mapping::split_pipes(&after[..close]).into_iter();
        let path = parts.next().unwrap_or_default();
        let mut v = resolve(root, &path)?;
        if !v.is_empty() {
            for conv in parts {
                v = mapping::convert(&conv, v, &path).map_err(|e| e.to_string())?;
            }
        }
        out.push_str(&v);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    let v = out.split_whitespace().collect::<Vec<_>>().join(" ");
    if v.chars().count() > MAX_VALUE {
        return Err(format!("«{expr}»: значение длиннее {MAX_VALUE} знаков"));
    }
    Ok(v)
}

/// The text at `path` under `root` (empty when it is not there).
fn resolve(root: &Element, path: &str) -> Result<String, String> {
    let mut e = root;
    let steps: Vec<&str> = path.split('/').map(str::trim).collect();
    for (i, step) in steps.iter().enumerate() {
        if let Some(attr) = step.strip_prefix('@') {
            if i + 1 != steps.len() {
                return Err(format!("«{path}»: атрибут — только последний шаг пути"));
            }
            return Ok(e.attr(attr).unwrap_or("").trim().to_string());
        }
        if step.is_empty() {
            return Err(format!("«{path}»: пустой шаг пути"));
        }
        match e.elements().find(|c| c.local == *step) {
            Some(c) => e = c,
            None => return Ok(String::new()),
        }
    }
    Ok(e.text().trim().to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn paths_read_elements_attributes_and_convert() {
        let root = crate::xml::parse(
            r#"<f:FormData xmlns:f="urn:x" oktmo="01612420"><f:A><f:Surname>Петрова</f:Surname><f:FirstName>Анна</f:FirstName><f:Bithday>1980-05-01</f:Bithday></f:A></f:FormData>"#,
        )
        .unwrap();
        assert_eq!(
            extract(&root, "{A/Surname} {A/FirstName} {A/MiddleName}").unwrap(),
            "Петрова Анна"
        );
        assert_eq!(
            extract(&root, "{A/Bithday | ru_date}").unwrap(),
            "01.05.1980"
        );
        assert_eq!(extract(&root, "{@oktmo}").unwrap(), "01612420");
        assert_eq!(extract(&root, "{A/Missing/Deeper}").unwrap(), "");
        assert!(extract(&root, "{A/@x/B}").is_err());
        assert!(extract(&root, "{A/Surname").is_err());
    }
}
