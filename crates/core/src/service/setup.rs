//! «Первоначальная настройка» of the appliance, as far as the database holds it: the body's
//! name and codes and the administrator's password. The machine's operator sets them from the
//! setup screen on the console (`volost setup`), at the first boot and again when an
//! administrator asks for it; staff sessions cannot.

use super::admin::check_org;
use super::auth::{NewUser, Secret, add_user, check_password_strength, find_login, hash_password};
use super::{Actor, Error, Node, Result};
pub use volost_api::view::{NodeSetup, SetupInfo};
use volost_domain::*;
use volost_store::Read;

impl Node {
    fn require_operator(actor: Actor) -> Result<()> {
        match actor {
            Actor::System(_) => Ok(()),
            Actor::User(_) => Err(Error::NotAllowed(
                "Первоначальную настройку выполняет оператор узла на его консоли".into(),
            )),
        }
    }

    pub fn setup_info(&self, actor: Actor) -> Result<SetupInfo> {
        Self::require_operator(actor)?;
        self.read(actor, |r| {
            let org: Org = r.load(r.who.org.0)?;
            let admin =
                r.rx.all::<User>()?
                    .into_iter()
                    .filter(|u| u.org == org.id && u.rights.has(Right::Administer))
                    .min_by_key(|u| u.id.0);
            Ok(SetupInfo {
                org,
                admin_login: admin.as_ref().map_or("admin".into(), |u| u.login.clone()),
                done: admin.is_some_and(|u| !u.must_change_password),
            })
        })
    }

    /// An administrator asks for the setup screen on the console; the daemon then leaves the
    /// marker the console watches for. Only the audit log changes here.
    pub fn request_setup(&self, actor: Actor) -> Result<()> {
        self.write(actor, "node.setup_request", |w| {
            w.who.require("node.setup_request", Right::Administer)
        })
    }

    /// Saves the body's details and the administrator's password in one transaction: either
    /// all of it holds or nothing changed.
    pub fn setup(&self, actor: Actor, s: &NodeSetup) -> Result<()> {
        Self::require_operator(actor)?;
        check_org(&s.org)?;
        let login = s.admin_login.trim();
        check_password_strength(login, &s.admin_password)?;
        // Slow on purpose, so before the write transaction opens.
        let hash = hash_password(self.options(), &s.admin_password)?;
        self.write(actor, "node.setup", |w| {
            let mut org: Org = w.load(w.who.org.0)?;
            let name = s.org.name.trim().to_string();
            if org.short_name == org.name {
                org.short_name = name.clone();
            }
            org.name = name;
            org.oktmo = s.org.oktmo.clone();
            org.ogrn = s.org.ogrn.clone();
            org.inn = s.org.inn.clone();
            w.tx.put(&org)?;
            w.target("org", org.id);
            let mut admin = match find_login(&w.tx, login)? {
                Some(u) if u.org != org.id || !u.rights.has(Right::Administer) => {
                    return Err(Error::invalid(
                        "Администратор",
                        format!("Пользователь {login} не администратор этого органа"),
                    ));
                }
                Some(u) => u,
                None => {
                    let groups =
                        w.tx.all::<Group>()?
                            .into_iter()
                            .filter(|g| g.org == org.id)
                            .map(|g| g.id)
                            .take(1)
                            .collect();
                    let secret = Secret {
                        password: String::new(),
                        hash: hash.clone(),
                    };
                    let new = NewUser {
                        login: login.into(),
                        full_name: "Администратор".into(),
                        dept: None,
                        roles: vec!["admin".into()],
                        groups,
                    };
                    add_user(w, org.id, &new, &secret)?
                }
            };
            admin.password_hash = hash.clone();
            admin.must_change_password = false;
            admin.active = true;
            admin.failed_logins = 0;
            admin.locked_until = None;
            w.tx.put(&admin)?;
            w.target("user", admin.id);
            Ok(())
        })
    }
}
