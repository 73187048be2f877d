//! The catalog in the service layer: listing services and kinds, and adding new ones as data.

use super::{Actor, Error, Node, Result, W};
use crate::catalog::{KindSpec, ServiceSpec, Starter};
use crate::domain::*;
use crate::store::records::{kind_code_key, service_code_key};
use crate::store::{Read, Record, codec};

fn code_taken(t: &impl Read, prefix: Vec<u8>) -> Result<bool> {
    Ok(!super::list::ids_with_prefix(t, &prefix, 1)?.is_empty())
}

pub(crate) fn add_service(w: &mut W, org: OrgId, spec: &ServiceSpec) -> Result<Service> {
    let roles: Vec<Role> = w.tx.all()?;
    spec.check(&roles)
        .map_err(|m| Error::invalid("Услуга", m))?;
    if code_taken(&w.tx, service_code_key(org, &spec.code).0)? {
        return Err(Error::Conflict(format!(
            "Услуга с кодом {} уже есть",
            spec.code
        )));
    }
    let svc = spec.to_service(ServiceId(w.tx.next_id(Service::KIND)?), org, &roles);
    w.tx.put(&svc)?;
    w.target("service", svc.id);
    Ok(svc)
}

pub(crate) fn add_kind(w: &mut W, org: OrgId, spec: &KindSpec) -> Result<RequestKind> {
    spec.check()
        .map_err(|m| Error::invalid("Вид сведений", m))?;
    if code_taken(&w.tx, kind_code_key(org, &spec.code).0)? {
        return Err(Error::Conflict(format!(
            "Вид сведений с кодом {} уже есть",
            spec.code
        )));
    }
    let k = spec.to_kind(KindId(w.tx.next_id(RequestKind::KIND)?), org);
    w.tx.put(&k)?;
    w.target("request_kind", k.id);
    Ok(k)
}

impl Starter {
    /// Roles and the calendar are node-wide; services and kinds belong to `org`.
    pub(crate) fn install(&self, w: &mut W, org: OrgId) -> Result<()> {
        for r in &self.roles {
            let role = Role {
                id: RoleId(w.tx.next_id(Role::KIND)?),
                code: r.code.clone(),
                name: r.name.clone(),
                rights: r.rights.iter().copied().collect(),
            };
            w.tx.put(&role)?;
        }
        let cal = self
            .calendar()
            .map_err(|m| Error::invalid("Календарь", m))?;
        w.tx.meta_put("calendar", &codec::encode(1, &cal)?)?;
        self.install_services(w, org)
    }

    pub(crate) fn install_services(&self, w: &mut W, org: OrgId) -> Result<()> {
        for s in &self.services {
            add_service(w, org, s)?;
        }
        for k in &self.kinds {
            add_kind(w, org, k)?;
        }
        Ok(())
    }
}

impl Node {
    /// Services of the actor's body (active ones unless `all`).
    pub fn services(&self, actor: Actor, all: bool) -> Result<Vec<Service>> {
        self.read(actor, |r| {
            Ok(r.rx
                .all::<Service>()?
                .into_iter()
                .filter(|s| s.org == r.who.org && (all || s.active))
                .collect())
        })
    }

    pub fn service(&self, actor: Actor, id: ServiceId) -> Result<Service> {
        self.read(actor, |r| r.load(id.0))
    }

    pub fn request_kinds(&self, actor: Actor) -> Result<Vec<RequestKind>> {
        self.read(actor, |r| {
            Ok(r.rx
                .all::<RequestKind>()?
                .into_iter()
                .filter(|k| k.org == r.who.org)
                .collect())
        })
    }

    /// Adds a service described as data (the same shape as in `starter.toml`).
    pub fn add_service(&self, actor: Actor, spec: &ServiceSpec) -> Result<ServiceId> {
        self.write(actor, "service.add", |w| {
            w.who.require("service.add", Right::Administer)?;
            let org = w.who.org;
            Ok(add_service(w, org, spec)?.id)
        })
    }

    /// Adds a request kind described as data.
    pub fn add_request_kind(&self, actor: Actor, spec: &KindSpec) -> Result<KindId> {
        self.write(actor, "request_kind.add", |w| {
            w.who.require("request_kind.add", Right::Administer)?;
            let org = w.who.org;
            Ok(add_kind(w, org, spec)?.id)
        })
    }

    /// Switches a service on or off; an inactive service takes no new applications.
    pub fn set_service_active(&self, actor: Actor, id: ServiceId, active: bool) -> Result<()> {
        self.write(actor, "service.set_active", |w| {
            w.who.require("service.set_active", Right::Administer)?;
            let mut s: Service = w.load(id.0)?;
            s.active = active;
            w.tx.put(&s)?;
            w.target("service", id);
            Ok(())
        })
    }
}
