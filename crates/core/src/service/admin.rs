//! Bodies, departments, groups and roles; and `init`, which makes the
//! first body and its administrator.

use super::auth::{NewUser, add_user};
use super::{Actor, Error, Node, Options, Result, W};
use crate::catalog::Starter;
use crate::clock::Clock;
use std::path::Path;
use std::sync::Arc;
pub use volost_api::view::{NewOrg, OrgDetails};
use volost_domain::*;
use volost_store::{Read, Record, Store};

/// What `init` made: the body, its administrator and the administrator's one-time password.
pub struct InitResult {
    pub node: Node,
    pub org: OrgId,
    pub admin: User,
    pub password: String,
}

pub(crate) fn check_org(o: &NewOrg) -> Result<()> {
    let mut errs = Vec::new();
    if o.name.trim().is_empty() {
        errs.push(super::FieldError {
            field: "Наименование".into(),
            message: "Требуется".into(),
        });
    }
    if !o.ogrn.is_empty()
        && let Err(m) = validate::ogrn(&o.ogrn)
    {
        errs.push(super::FieldError {
            field: "ОГРН".into(),
            message: m,
        });
    }
    if !o.inn.is_empty()
        && let Err(m) = validate::inn(&o.inn)
    {
        errs.push(super::FieldError {
            field: "ИНН".into(),
            message: m,
        });
    }
    if !o.kpp.is_empty()
        && let Err(m) = validate::kpp(&o.kpp)
    {
        errs.push(super::FieldError {
            field: "КПП".into(),
            message: m,
        });
    }
    let oktmo_ok =
        (o.oktmo.len() == 8 || o.oktmo.len() == 11) && o.oktmo.chars().all(|c| c.is_ascii_digit());
    if !o.oktmo.is_empty() && !oktmo_ok {
        errs.push(super::FieldError {
            field: "ОКТМО".into(),
            message: "8 или 11 цифр".into(),
        });
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(errs))
    }
}

/// The longest line of a body's contacts, in characters.
const MAX_CONTACTS: usize = 500;

pub(crate) fn create_org(w: &mut W, o: &NewOrg) -> Result<Org> {
    check_org(o)?;
    let org = Org {
        id: OrgId(w.tx.next_id(Org::KIND)?),
        name: o.name.trim().to_string(),
        short_name: if o.short_name.trim().is_empty() {
            o.name.trim().to_string()
        } else {
            o.short_name.trim().to_string()
        },
        oktmo: o.oktmo.clone(),
        ogrn: o.ogrn.clone(),
        inn: o.inn.clone(),
        kpp: o.kpp.trim().to_string(),
        registered: o.registered,
        contacts: String::new(),
    };
    w.tx.put(&org)?;
    w.target("org", org.id);
    Ok(org)
}

impl Node {
    /// Creates a node in `dir`: the database, the first body with a default group, the
    /// starter catalog (roles, calendar, services, request kinds) and an administrator whose
    /// one-time password is returned once.
    pub fn init(
        dir: &Path,
        org: &NewOrg,
        admin_login: &str,
        clock: Arc<dyn Clock>,
        opts: Options,
    ) -> Result<InitResult> {
        check_org(org)?;
        std::fs::create_dir_all(dir).map_err(|e| {
            Error::Storage(volost_store::StoreError::Io(format!(
                "{}: {e}",
                dir.display()
            )))
        })?;
        let store = Store::create(&super::db_path(dir))?;
        Node::init_in(store, org, admin_login, clock, opts)
    }

    /// `init` on a store already made (a database on another storage backend).
    pub fn init_in(
        store: Store,
        org: &NewOrg,
        admin_login: &str,
        clock: Arc<dyn Clock>,
        opts: Options,
    ) -> Result<InitResult> {
        check_org(org)?;
        let node = Node::new(store, clock, opts.clone());
        let starter =
            Starter::builtin().map_err(|e| Error::Conflict(format!("starter catalog: {e}")))?;
        // Bootstrapping: there is no user yet, so the body's system actor does it all, in one
        // transaction: a node is either fully initialised or not at all.
        let secret = super::auth::Secret::generate(&opts)?;
        let (org_id, admin) = node.write(Actor::System(OrgId(0)), "node.init", |w| {
            let o = create_org(w, org)?;
            w.who.org = o.id;
            let group = Group {
                id: GroupId(w.tx.next_id(Group::KIND)?),
                org: o.id,
                name: "Основная группа".into(),
            };
            w.tx.put(&group)?;
            super::catalog::install(&starter, w, o.id)?;
            let admin = add_user(
                w,
                o.id,
                &NewUser {
                    login: admin_login.into(),
                    full_name: "Администратор".into(),
                    dept: None,
                    roles: vec!["admin".into()],
                    groups: vec![group.id],
                },
                &secret,
            )?;
            Ok((o.id, admin))
        })?;
        let password = secret.password;
        Ok(InitResult {
            node,
            org: org_id,
            admin,
            password,
        })
    }

    /// Adds another body to the node, with its own group and copy of the starter catalog.
    pub fn add_org(&self, actor: Actor, org: &NewOrg) -> Result<OrgId> {
        let starter =
            Starter::builtin().map_err(|e| Error::Conflict(format!("starter catalog: {e}")))?;
        self.write(actor, "org.add", |w| {
            w.who.require("org.add", Right::Administer)?;
            let o = create_org(w, org)?;
            let group = Group {
                id: GroupId(w.tx.next_id(Group::KIND)?),
                org: o.id,
                name: "Основная группа".into(),
            };
            w.tx.put(&group)?;
            super::catalog::install_services(&starter, w, o.id)?;
            Ok(o.id)
        })
    }

    /// The bodies on this node other than the user's own: a regional request to one of them
    /// is delivered inside the node.
    pub fn bodies(&self, actor: Actor) -> Result<Vec<Org>> {
        self.read(actor, |r| {
            r.who.require("regional.bodies", Right::Regional)?;
            Ok(r.rx
                .all::<Org>()?
                .into_iter()
                .filter(|o| o.id != r.who.org)
                .collect())
        })
    }

    pub fn org(&self, actor: Actor) -> Result<Org> {
        self.read(actor, |r| r.load::<Org>(r.who.org.0))
    }

    /// Sets the body's codes that agencies' statements name it by (Росреестр's declarant:
    /// ОГРН, ИНН, КПП, the date of state registration); an empty code clears it.
    pub fn set_org_details(&self, actor: Actor, d: &OrgDetails) -> Result<Org> {
        let (ogrn, inn, kpp) = (d.ogrn.trim(), d.inn.trim(), d.kpp.trim());
        let mut errs = Vec::new();
        type Check = fn(&str) -> std::result::Result<String, String>;
        let checks: [(&str, &str, Check); 3] = [
            ("ОГРН", ogrn, validate::ogrn),
            ("ИНН", inn, validate::inn),
            ("КПП", kpp, validate::kpp),
        ];
        for (field, v, check) in checks {
            if let Err(m) = (!v.is_empty()).then(|| check(v)).transpose() {
                errs.push(super::FieldError {
                    field: field.into(),
                    message: m,
                });
            }
        }
        let contacts = d.contacts.trim();
        if contacts.chars().count() > MAX_CONTACTS || contacts.chars().any(char::is_control) {
            errs.push(super::FieldError {
                field: "Адрес и контакты".into(),
                message: format!("Одна строка, не длиннее {MAX_CONTACTS} знаков"),
            });
        }
        if !errs.is_empty() {
            return Err(Error::Invalid(errs));
        }
        self.write(actor, "org.set_details", |w| {
            w.who.require("org.set_details", Right::Administer)?;
            let mut o: Org = w.load(w.who.org.0)?;
            o.ogrn = ogrn.to_string();
            o.inn = inn.to_string();
            o.kpp = kpp.to_string();
            o.registered = d.registered;
            o.contacts = contacts.to_string();
            w.tx.put(&o)?;
            w.target("org", o.id);
            Ok(o)
        })
    }

    /// Adds a department, optionally under a parent of the same body.
    pub fn add_department(
        &self,
        actor: Actor,
        name: &str,
        parent: Option<DeptId>,
    ) -> Result<DeptId> {
        self.write(actor, "department.add", |w| {
            w.who.require("department.add", Right::Administer)?;
            if name.trim().is_empty() {
                return Err(Error::invalid("Наименование", "Требуется"));
            }
            if let Some(p) = parent {
                let _: Department = w.load(p.0)?;
            }
            let d = Department {
                id: DeptId(w.tx.next_id(Department::KIND)?),
                org: w.who.org,
                parent,
                name: name.trim().into(),
            };
            w.tx.put(&d)?;
            w.target("department", d.id);
            Ok(d.id)
        })
    }

    pub fn departments(&self, actor: Actor) -> Result<Vec<Department>> {
        self.read(actor, |r| {
            Ok(r.rx
                .all::<Department>()?
                .into_iter()
                .filter(|d| d.org == r.who.org)
                .collect())
        })
    }

    /// A department and every department under it («учитывать подчинённые подразделения»).
    pub fn department_subtree(&self, actor: Actor, root: DeptId) -> Result<Vec<DeptId>> {
        let all = self.departments(actor)?;
        if !all.iter().any(|d| d.id == root) {
            return Err(Error::not_found("department", root));
        }
        Ok(subtree(&all, root))
    }

    pub fn add_group(&self, actor: Actor, name: &str) -> Result<GroupId> {
        self.write(actor, "group.add", |w| {
            w.who.require("group.add", Right::Administer)?;
            if name.trim().is_empty() {
                return Err(Error::invalid("Наименование", "Требуется"));
            }
            let g = Group {
                id: GroupId(w.tx.next_id(Group::KIND)?),
                org: w.who.org,
                name: name.trim().into(),
            };
            w.tx.put(&g)?;
            w.target("group", g.id);
            Ok(g.id)
        })
    }

    pub fn groups(&self, actor: Actor) -> Result<Vec<Group>> {
        self.read(actor, |r| {
            Ok(r.rx
                .all::<Group>()?
                .into_iter()
                .filter(|g| g.org == r.who.org)
                .collect())
        })
    }

    pub fn roles(&self, actor: Actor) -> Result<Vec<Role>> {
        self.read(actor, |r| Ok(r.rx.all::<Role>()?))
    }
}

pub(crate) fn subtree(all: &[Department], root: DeptId) -> Vec<DeptId> {
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let cur = out[i];
        out.extend(all.iter().filter(|d| d.parent == Some(cur)).map(|d| d.id));
        i += 1;
    }
    out
}
