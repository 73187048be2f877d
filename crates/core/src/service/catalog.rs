//! The catalog in the service layer: listing services and kinds, and adding new ones as data.

use super::{Actor, Error, Node, Result, W};
use crate::catalog::{KindSpec, ServiceSpec, Starter};
use volost_domain::*;
use volost_store::keys::{Key, prefix_end, prefix_upper};
use volost_store::records::{app_list_prefix, kind_code_key, service_code_key};
use volost_store::summary::{AppCol, AppScope, AppSummary, TaskCol, TaskSummary};
use volost_store::tables::Ix;
use volost_store::{Read, Record, codec};

/// A service renamed in its passport: its applications sort by the new name. It reads every
/// application summary of the body: a rename is a rare act of an administrator.
fn rename_in_applications(w: &mut W, s: &Service) -> Result<()> {
    let prefix = app_list_prefix(s.org, AppScope::All, AppCol::Created).0;
    let mut ids = Vec::new();
    w.tx.scan_index(&prefix, &prefix_upper(&prefix), false, &mut |k, v| {
        let (_, body) = codec::split(v)?;
        let sum: AppSummary = codec::body("application summary", body)?;
        if sum.service == s.id.0 {
            ids.extend(volost_store::keys::trailing_id(k));
        }
        Ok(true)
    })?;
    for id in ids {
        if let Some(mut a) = w.tx.get::<Application>(id)? {
            a.names.service.clone_from(&s.name);
            w.tx.put(&a)?;
        }
    }
    Ok(())
}

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

/// How many processes of `service` are unfinished: each has exactly one open task, in the
/// group queue or in someone's «Мои задачи», so the open queues (small next to the archive)
/// are what is counted.
fn unfinished_processes(t: &impl Read, service: ServiceId) -> Result<u64> {
    let mut n = 0;
    for q in [Queue::Group, Queue::Mine] {
        let from = Key::new(Ix::TaskList as u8).u8(q as u8).0;
        let to = prefix_end(&from).unwrap_or_default();
        // The scope is 8 bytes after [index][queue]; then the column.
        let col_at = from.len() + 8;
        t.scan_index(&from, &to, false, &mut |k, v| {
            if k.get(col_at) == Some(&(TaskCol::Created as u8)) {
                let (_, body) = codec::split(v)?;
                let sum: TaskSummary = codec::body("task summary", body)?;
                if sum.service == service.0 {
                    n += 1;
                }
            }
            Ok(true)
        })?;
    }
    Ok(n)
}

/// A template's new steps must line up with the old ones while processes run: a running
/// process knows its step by number.
fn check_steps_change(w: &W, old: &Service, new: &Service) -> Result<()> {
    let same_shape = old.steps.len() == new.steps.len()
        && old
            .steps
            .iter()
            .zip(&new.steps)
            .all(|(a, b)| a.name == b.name);
    if same_shape {
        return Ok(());
    }
    let n = unfinished_processes(&w.tx, old.id)?;
    if n > 0 {
        return Err(Error::Conflict(format!(
            "По услуге идут процессы ({n}): у шагов можно менять только сроки и роли"
        )));
    }
    Ok(())
}

/// A changed code must not be another template's; `key` is the new code's index prefix.
fn check_code_free(w: &W, old: &str, new: &str, key: Vec<u8>, what: &str) -> Result<()> {
    if old.trim() != new.trim() && code_taken(&w.tx, key)? {
        return Err(Error::Conflict(format!(
            "{what} с кодом {} уже есть",
            new.trim()
        )));
    }
    Ok(())
}

/// Installs the starter catalog: roles are node-wide; services and kinds belong to `org`. The
/// calendar needs nothing installed: the shipped decrees and the Labour Code give every year.
pub(crate) fn install(starter: &Starter, w: &mut W, org: OrgId) -> Result<()> {
    for r in &starter.roles {
        let role = Role {
            id: RoleId(w.tx.next_id(Role::KIND)?),
            code: r.code.clone(),
            name: r.name.clone(),
            rights: r.rights.iter().copied().collect(),
        };
        w.tx.put(&role)?;
    }
    install_services(starter, w, org)
}

pub(crate) fn install_services(starter: &Starter, w: &mut W, org: OrgId) -> Result<()> {
    for s in &starter.services {
        add_service(w, org, s)?;
    }
    for k in &starter.kinds {
        add_kind(w, org, k)?;
    }
    Ok(())
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

    /// Changes a service's passport (реестр услуг); its regulation and form stay.
    pub fn set_passport(&self, actor: Actor, id: ServiceId, p: &ServicePassport) -> Result<()> {
        self.write(actor, "service.set_passport", |w| {
            w.who.require("service.set_passport", Right::Administer)?;
            // Another body's service is absent before the input is looked at.
            let mut s: Service = w.load(id.0)?;
            p.check().map_err(|(f, m)| Error::invalid(f, m))?;
            let key = service_code_key(s.org, p.code.trim()).0;
            check_code_free(w, &s.code, &p.code, key, "Услуга")?;
            let renamed = s.name != p.name.trim();
            s.set_passport(p);
            w.tx.put(&s)?;
            if renamed {
                rename_in_applications(w, &s)?;
            }
            w.target("service", id);
            Ok(())
        })
    }

    /// Replaces a service's template (passport, regulation, form). Applications already made
    /// keep their data; running processes keep their step (see [`check_steps_change`]).
    pub fn update_service(&self, actor: Actor, id: ServiceId, spec: &ServiceSpec) -> Result<()> {
        self.write(actor, "service.update", |w| {
            w.who.require("service.update", Right::Administer)?;
            let roles: Vec<Role> = w.tx.all()?;
            spec.check(&roles)
                .map_err(|m| Error::invalid("Услуга", m))?;
            let old: Service = w.load(id.0)?;
            let key = service_code_key(old.org, spec.code.trim()).0;
            check_code_free(w, &old.code, &spec.code, key, "Услуга")?;
            let mut new = spec.to_service(id, old.org, &roles);
            new.active = old.active;
            // The template is not where the portal's intake is chosen: an intake package
            // binds the service of its code, which a new code leaves.
            if new.code == old.code {
                new.intake = old.intake.clone();
            }
            check_steps_change(w, &old, &new)?;
            w.tx.put(&new)?;
            if new.name != old.name {
                rename_in_applications(w, &new)?;
            }
            w.target("service", id);
            Ok(())
        })
    }

    /// Replaces a request kind's template. Requests already made keep their data.
    pub fn update_request_kind(&self, actor: Actor, id: KindId, spec: &KindSpec) -> Result<()> {
        self.write(actor, "request_kind.update", |w| {
            w.who.require("request_kind.update", Right::Administer)?;
            spec.check()
                .map_err(|m| Error::invalid("Вид сведений", m))?;
            let old: RequestKind = w.load(id.0)?;
            super::packages::check_kind_edit(&w.tx, spec)?;
            let key = kind_code_key(old.org, spec.code.trim()).0;
            check_code_free(w, &old.code, &spec.code, key, "Вид сведений")?;
            let mut new = spec.to_kind(id, old.org);
            new.active = old.active;
            w.tx.put(&new)?;
            w.target("request_kind", id);
            Ok(())
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
