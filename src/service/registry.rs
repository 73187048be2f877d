//! «Реестр услуг» passed on and taken back: the body's passports as a file signed with the
//! node's key (ЭП-ОВ), and a signed file's passports taken into the body's services — all or
//! nothing, and only after the signature verifies.

use super::{Actor, Error, Node, Result};
use crate::domain::*;
use crate::registry::{self, Registry, RegistryBody};
use crate::smev::keys::NodeKey;
use crate::store::Read;
pub use volost_api::view::RegistryImport;

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
                exported: crate::smev::envelope::timestamp(now),
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

    /// The registry signed with `key`; with `None`, with the node's own (the daemon's
    /// `[smev]` key).
    pub fn registry_signed(&self, actor: Actor, key: Option<&NodeKey>) -> Result<String> {
        let profile = self.exchange.get().cloned();
        let key = match (key, &profile) {
            (Some(k), _) => k,
            (None, Some(p)) => &p.key,
            (None, None) => {
                return Err(Error::NotAllowed(
                    "Ключ ЭП-ОВ узла не настроен ([smev] key и cert или pkcs12): подписать \
                     реестр нечем. Обратитесь к администратору."
                        .into(),
                ));
            }
        };
        let reg = self.registry(actor)?;
        registry::signed_xml(&reg, key).map_err(|e| Error::Internal(e.to_string()))
    }

    /// Takes a signed registry's passports into the body's services of the same codes. The
    /// signature is checked first, and it must be made with the node's own key (`trusted`;
    /// `None`: the daemon's `[smev]` key), since anyone can sign with a key of their own; a
    /// file of another body, a code the body has no service of, or a passport that does not
    /// pass changes nothing.
    pub fn import_registry(
        &self,
        actor: Actor,
        text: &str,
        trusted: Option<&NodeKey>,
    ) -> Result<RegistryImport> {
        let profile = self.exchange.get().cloned();
        let trusted = match (trusted, &profile) {
            (Some(k), _) => k,
            (None, Some(p)) => &p.key,
            (None, None) => {
                return Err(Error::NotAllowed(
                    "Ключ ЭП-ОВ узла не настроен ([smev] key и cert или pkcs12): проверить, \
                     что реестр подписан этим узлом, нечем. Обратитесь к администратору."
                        .into(),
                ));
            }
        };
        // Outside the transaction: verifying is pure and may be slow on a large file.
        let (reg, signer) = registry::read_signed(text)
            .map_err(|e| Error::invalid("Файл реестра", e.to_string()))?;
        let ours = trusted
            .cert
            .to_der()
            .map_err(|e| Error::Internal(e.to_string()))?;
        if signer.cert_der != ours {
            return Err(Error::invalid(
                "Файл реестра",
                format!(
                    "Реестр подписан не ключом этого узла (подписал: {}): такой файл не \
                     принимается",
                    signer.name
                ),
            ));
        }
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
                signer: signer.name.clone(),
                updated,
            })
        })
    }
}
