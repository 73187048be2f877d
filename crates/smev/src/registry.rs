//! «Реестр услуг» as a signed XML file for the summary registry (seed 004): the passports of a
//! body's services, signed with the node's organisation key (ЭП-ОВ) in SMEV's XMLDSig profile,
//! and read back only after the signature verifies.
//!
//! ```xml
//! <r:SignedServiceRegistry xmlns:r="urn://volost/registry/1.0">
//!   <r:ServiceRegistry Id="SERVICE_REGISTRY">
//!     <r:Exported>2026-12-04T14:00:00.000+07:00</r:Exported>
//!     <r:Body><r:Name>…</r:Name><r:Oktmo>…</r:Oktmo><r:Ogrn>…</r:Ogrn><r:Inn>…</r:Inn></r:Body>
//!     <r:Service><r:Code>…</r:Code><r:Name>…</r:Name><r:DeadlineDays>10</r:DeadlineDays>
//!       <r:Fee>…</r:Fee><r:Regulation>…</r:Regulation>
//!       <r:Place>…</r:Place>… <r:Document>…</r:Document>… <r:Result>…</r:Result>…
//!     </r:Service>…
//!   </r:ServiceRegistry>
//!   <ds:Signature>…</ds:Signature>
//! </r:SignedServiceRegistry>
//! ```
//!
//! Reading is strict: an element the schema does not name, a value out of a passport's
//! bounds or a signature that does not cover the registry refuses the whole file.

use crate::dsig::{self, SignatureError};
use crate::envelope::esc;
use crate::signer::Signer as NodeSigner;
use crate::xml::{self, Element};
use std::fmt::Write;
use volost_core::service::{self, Actor, Node, RegistryImport};
use volost_domain::ServicePassport;
pub use volost_domain::{Registry, RegistryBody};

pub const NS: &str = "urn://volost/registry/1.0";
const SIGNED_ID: &str = "SERVICE_REGISTRY";
/// The most services one file may carry.
const MAX_SERVICES: usize = 1000;

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("файл не является корректным XML: {0}")]
    Xml(String),
    #[error("это не подписанный реестр услуг ({0})")]
    Shape(String),
    #[error("подпись реестра не верна: {0}")]
    Signature(String),
    #[error("в реестре неизвестный элемент «{0}»")]
    Unknown(String),
    #[error("услуга {code}: {message}")]
    Passport { code: String, message: String },
    #[error("подписать реестр не удалось: {0}")]
    Sign(#[from] SignatureError),
}

fn put(s: &mut String, name: &str, value: &str) {
    let _ = write!(s, "<r:{name}>{}</r:{name}>", esc(value));
}

/// The registry element, declaring its namespace, with the `Id` its signature names.
fn element(r: &Registry) -> String {
    let mut s = format!("<r:ServiceRegistry xmlns:r=\"{NS}\" Id=\"{SIGNED_ID}\">");
    put(&mut s, "Exported", &r.exported);
    s.push_str("<r:Body>");
    put(&mut s, "Name", &r.body.name);
    put(&mut s, "Oktmo", &r.body.oktmo);
    put(&mut s, "Ogrn", &r.body.ogrn);
    put(&mut s, "Inn", &r.body.inn);
    s.push_str("</r:Body>");
    for p in &r.services {
        s.push_str("<r:Service>");
        put(&mut s, "Code", &p.code);
        put(&mut s, "Name", &p.name);
        put(&mut s, "DeadlineDays", &p.deadline_days.to_string());
        put(&mut s, "Fee", &p.fee);
        put(&mut s, "Regulation", &p.regulation);
        for (tag, items) in [
            ("Place", &p.places),
            ("Document", &p.documents),
            ("Result", &p.results),
        ] {
            for i in items {
                put(&mut s, tag, i);
            }
        }
        s.push_str("</r:Service>");
    }
    s.push_str("</r:ServiceRegistry>");
    s
}

/// The signed file: the registry and, beside it, the node's signature over it.
pub fn signed_xml(r: &Registry, key: &dyn NodeSigner) -> Result<String, RegistryError> {
    let el = element(r);
    let tree = xml::parse(&el).map_err(|e| RegistryError::Xml(e.to_string()))?;
    let sig = dsig::sign(&tree, SIGNED_ID, key)?;
    Ok(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <r:SignedServiceRegistry xmlns:r=\"{NS}\">{el}{sig}</r:SignedServiceRegistry>\n"
    ))
}

fn only_known(e: &Element, known: &[&str]) -> Result<(), RegistryError> {
    for c in e.elements() {
        if c.ns.as_deref() != Some(NS) || !known.contains(&c.local.as_str()) {
            return Err(RegistryError::Unknown(c.local.clone()));
        }
    }
    Ok(())
}

fn text(e: &Element, name: &str) -> String {
    e.child(NS, name)
        .map(|c| c.text().trim().to_string())
        .unwrap_or_default()
}

fn all(e: &Element, name: &str) -> Vec<String> {
    e.elements()
        .filter(|c| c.is(NS, name))
        .map(|c| c.text().trim().to_string())
        .collect()
}

/// Who signed a registry file: as the certificate names them, and the certificate itself
/// (DER), for the importer to compare with the one it trusts.
#[derive(Clone, Debug)]
pub struct Signer {
    pub name: String,
    pub cert_der: Vec<u8>,
}

/// Verifies the file's signature and reads the registry it covers; returns it with its
/// signer. That the signature verifies says only that the file is whole: whose key made it
/// is for the caller to judge.
pub fn read_signed(text_in: &str) -> Result<(Registry, Signer), RegistryError> {
    crate::gost::init().map_err(|e| RegistryError::Signature(e.to_string()))?;
    let doc = xml::parse(text_in).map_err(|e| RegistryError::Xml(e.to_string()))?;
    if !doc.is(NS, "SignedServiceRegistry") {
        return Err(RegistryError::Shape(format!(
            "корневой элемент {}",
            doc.local
        )));
    }
    let reg = doc
        .child(NS, "ServiceRegistry")
        .ok_or_else(|| RegistryError::Shape("нет ServiceRegistry".into()))?;
    let sig = doc
        .child(dsig::DS, "Signature")
        .ok_or_else(|| RegistryError::Signature("подписи нет".into()))?;
    if doc.elements().count() != 2 {
        return Err(RegistryError::Shape(
            "лишние элементы рядом с реестром".into(),
        ));
    }
    let v =
        dsig::verify(&doc, sig).map_err(|e| RegistryError::Signature(crate::inspect::why(&e)))?;
    if reg.attr("Id") != Some(v.reference.as_str()) {
        return Err(RegistryError::Signature(format!(
            "подпись относится к #{}, а не к реестру",
            v.reference
        )));
    }
    only_known(reg, &["Exported", "Body", "Service"])?;
    let body = reg
        .child(NS, "Body")
        .ok_or_else(|| RegistryError::Shape("нет сведений об органе".into()))?;
    only_known(body, &["Name", "Oktmo", "Ogrn", "Inn"])?;
    let mut services = Vec::new();
    for s in reg.elements().filter(|c| c.is(NS, "Service")) {
        if services.len() == MAX_SERVICES {
            return Err(RegistryError::Shape(format!("больше {MAX_SERVICES} услуг")));
        }
        only_known(
            s,
            &[
                "Code",
                "Name",
                "DeadlineDays",
                "Fee",
                "Regulation",
                "Place",
                "Document",
                "Result",
            ],
        )?;
        let code = text(s, "Code");
        let days = text(s, "DeadlineDays");
        let p = ServicePassport {
            code: code.clone(),
            name: text(s, "Name"),
            deadline_days: days.parse().map_err(|_| RegistryError::Passport {
                code: code.clone(),
                message: format!("срок «{days}» — не число дней"),
            })?,
            fee: text(s, "Fee"),
            regulation: text(s, "Regulation"),
            places: all(s, "Place"),
            documents: all(s, "Document"),
            results: all(s, "Result"),
        };
        p.check().map_err(|(_, message)| RegistryError::Passport {
            code: code.clone(),
            message,
        })?;
        services.push(p);
    }
    Ok((
        Registry {
            exported: text(reg, "Exported"),
            body: RegistryBody {
                name: text(body, "Name"),
                oktmo: text(body, "Oktmo"),
                ogrn: text(body, "Ogrn"),
                inn: text(body, "Inn"),
            },
            services,
        },
        Signer {
            name: v.signer(),
            cert_der: v
                .cert
                .to_der()
                .map_err(|e| RegistryError::Signature(e.to_string()))?,
        },
    ))
}

/// The node's key, or the refusal that says it is not configured and what cannot be done.
fn node_key<'k>(
    key: Option<&'k dyn NodeSigner>,
    cannot: &str,
) -> service::Result<&'k dyn NodeSigner> {
    key.ok_or_else(|| {
        service::Error::NotAllowed(format!(
            "Ключ ЭП-ОВ узла не настроен ([smev] key и cert или pkcs12, или cert и \
             sign_command): {cannot}. Обратитесь к администратору."
        ))
    })
}

/// `registry export`: the body's registry signed with the node's key (`None`: none is
/// configured, and staff are told so).
pub fn export(node: &Node, actor: Actor, key: Option<&dyn NodeSigner>) -> service::Result<String> {
    let key = node_key(key, "подписать реестр нечем")?;
    let reg = node.registry(actor)?;
    signed_xml(&reg, key).map_err(|e| match e {
        // The signer refused (an ended certificate, a failing tool): the staff member's words.
        RegistryError::Sign(SignatureError::Sign(s)) => service::Error::Conflict(s.russian()),
        other => service::Error::Internal(other.to_string()),
    })
}

/// `registry import`: a signed file's passports into the body's services. The signature is
/// checked first, outside any transaction, and it must be made with the node's own key
/// (`trusted`), since anyone can sign with a key of their own.
pub fn import(
    node: &Node,
    actor: Actor,
    text: &str,
    trusted: Option<&dyn NodeSigner>,
) -> service::Result<RegistryImport> {
    let trusted = node_key(trusted, "проверить, что реестр подписан этим узлом, нечем")?;
    let (reg, signer) =
        read_signed(text).map_err(|e| service::Error::invalid("Файл реестра", e.to_string()))?;
    let ours = trusted
        .cert()
        .to_der()
        .map_err(|e| service::Error::Internal(e.to_string()))?;
    if signer.cert_der != ours {
        return Err(service::Error::invalid(
            "Файл реестра",
            format!(
                "Реестр подписан не ключом этого узла (подписал: {}): такой файл не \
                 принимается",
                signer.name
            ),
        ));
    }
    node.import_registry(actor, &reg, &signer.name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::NodeKey;

    fn key() -> NodeKey {
        crate::gost::init().expect("gost");
        let key = crate::gost::generate_key().expect("key");
        let cert = crate::gost::self_signed(&key, "Узел", "Сельсовет", 30).expect("cert");
        NodeKey { key, cert }
    }

    fn sample() -> Registry {
        Registry {
            exported: "2026-12-04T14:00:00.000+07:00".into(),
            body: RegistryBody {
                name: "Администрация <Петропавловского> сельсовета".into(),
                oktmo: "01634412".into(),
                ogrn: "1022200000019".into(),
                inn: "2234000017".into(),
            },
            services: vec![ServicePassport {
                code: "2200000000161234567".into(),
                name: "Выдача выписки из похозяйственной книги".into(),
                deadline_days: 10,
                fee: "Бесплатно".into(),
                regulation: "Постановление № 12 от 01.02.2024 & изменения".into(),
                places: vec!["Администрация сельсовета".into(), "МФЦ".into()],
                documents: vec!["Паспорт".into()],
                results: vec!["Выписка".into()],
            }],
        }
    }

    #[test]
    fn a_signed_registry_reads_back_and_a_changed_one_is_refused() {
        let k = key();
        let file = signed_xml(&sample(), &k).expect("sign");
        let (back, signer) = read_signed(&file).expect("verifies");
        assert_eq!(back, sample());
        assert!(signer.name.contains("Узел"), "{}", signer.name);
        assert_eq!(signer.cert_der, k.cert.to_der().expect("der"));

        let changed = file.replace("<r:DeadlineDays>10<", "<r:DeadlineDays>1<");
        let e = read_signed(&changed).expect_err("tampered");
        assert!(
            e.to_string().contains("данные изменены после подписи"),
            "{e}"
        );

        let unsigned = file
            .split("<ds:Signature")
            .next()
            .map(|head| format!("{head}</r:SignedServiceRegistry>"))
            .expect("head");
        assert!(matches!(
            read_signed(&unsigned),
            Err(RegistryError::Signature(_))
        ));
        assert!(matches!(read_signed("<x/>"), Err(RegistryError::Shape(_))));
    }

    #[test]
    fn unknown_elements_and_bad_passports_are_refused_even_when_signed() {
        let k = key();
        // Signed as they are: only the reading refuses them.
        let extra = element(&sample()).replace("<r:Fee>", "<r:Discount>5</r:Discount><r:Fee>");
        let tree = xml::parse(&extra).expect("xml");
        let sig = dsig::sign(&tree, SIGNED_ID, &k).expect("sign");
        let file = format!(
            "<r:SignedServiceRegistry xmlns:r=\"{NS}\">{extra}{sig}</r:SignedServiceRegistry>"
        );
        assert!(matches!(read_signed(&file), Err(RegistryError::Unknown(n)) if n == "Discount"));

        let mut bad = sample();
        bad.services[0].name = String::new();
        let file = signed_xml(&bad, &k).expect("sign");
        let e = read_signed(&file).expect_err("no name");
        assert!(e.to_string().contains("Требуется наименование"), "{e}");
    }
}
