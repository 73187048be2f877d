//! «Реестр услуг» passed on and taken back: the body's passports as data, and a registry's
//! passports taken into the body's services, all or nothing. Its file and signature are
//! `crate::registry`'s, which verifies a file before it reaches [`Node::import_registry`].

use super::{Actor, Error, Node, Result};
pub use volost_api::view::RegistryImport;
use volost_domain::*;
use volost_store::Read;

/// A registry is this body's when it names this body's ИНН (a name proves nothing).
fn same_body(file: &RegistryBody, ours: &Org) -> bool {
    !ours.inn.is_empty() && file.inn == ours.inn
}

impl Node {
    /// The passports of the body's services, as the registry lists them.
    pub fn registry(&self, actor: Actor) -> Result<Registry> {
        let now = self
            .now()
            .to_datetime()
            .to_offset(self.options().utc_offset);
        self.read(actor, |r| {
            r.who.require("registry.export", Right::Administer)?;
            let org: Org = r.load(r.who.org.0)?;
            let mut services: Vec<Service> =
                r.rx.all::<Service>()?
                    .into_iter()
                    .filter(|s| s.org == r.who.org)
                    .collect();
            services.sort_by(|a, b| a.code.cmp(&b.code));
            Ok(Registry {
                exported: xml_datetime(now),
                body: RegistryBody {
                    name: org.name,
                    oktmo: org.oktmo,
                    ogrn: org.ogrn,
                    inn: org.inn,
                },
                services: services.iter().map(Service::passport).collect(),
            })
        })
    }

    /// Takes the passports of `reg`, a registry whose signature the caller verified (signed
    /// by `signer`), into the body's services of the same codes. A file of another body, a
    /// code the body has no service of, or a passport that does not pass changes nothing.
    pub fn import_registry(
        &self,
        actor: Actor,
        reg: &Registry,
        signer: &str,
    ) -> Result<RegistryImport> {
        self.write(actor, "registry.import", |w| {
            w.who.require("registry.import", Right::Administer)?;
            let org: Org = w.load(w.who.org.0)?;
            if !same_body(&reg.body, &org) {
                return Err(Error::invalid(
                    "Файл реестра",
                    format!(
                        "Реестр другого органа: «{}» (ИНН {})",
                        reg.body.name, reg.body.inn
                    ),
                ));
            }
            let services: Vec<Service> =
                w.tx.all::<Service>()?
                    .into_iter()
                    .filter(|s| s.org == org.id)
                    .collect();
            let mut updated = Vec::new();
            for p in &reg.services {
                let Some(s) = services.iter().find(|s| s.code == p.code.trim()) else {
                    return Err(Error::invalid(
                        "Файл реестра",
                        format!(
                            "Услуги с кодом {} в органе нет: паспорт можно принять только для \
                             существующей услуги",
                            p.code
                        ),
                    ));
                };
                let mut s = s.clone();
                s.set_passport(p);
                w.tx.put(&s)?;
                w.target("service", s.id);
                updated.push(s.code.clone());
            }
            Ok(RegistryImport {
                signer: signer.to_string(),
                updated,
            })
        })
    }
}
