//! Users and passwords: argon2id hashes, the forced first-login change, administration.

use super::guard::Source;
pub(crate) use super::passwords::{hash_password, verify_password};
use super::{Actor, Error, Node, Options, Result, W, resolve};
pub use volost_api::view::{NewUser, UserView};
use volost_domain::*;
use volost_store::records::login_key;
use volost_store::{Read, Record, StoreError};

pub const MIN_PASSWORD_LEN: usize = 8;

/// A one-time password and its hash, made before the write transaction: argon2 is slow on
/// purpose, and nothing slow may run while a group of writes is open.
pub(crate) struct Secret {
    pub password: String,
    pub hash: String,
}

impl Secret {
    pub fn generate(opts: &Options) -> Result<Secret> {
        let password = generate_password();
        let hash = hash_password(opts, &password)?;
        Ok(Secret { password, hash })
    }
}

/// Checks a new password: long enough, not only digits, not the login.
pub fn check_password_strength(login: &str, password: &str) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(Error::invalid(
            "Пароль",
            format!("Не короче {MIN_PASSWORD_LEN} символов"),
        ));
    }
    if password.chars().all(|c| c.is_ascii_digit()) {
        return Err(Error::invalid(
            "Пароль",
            "Пароль не может состоять только из цифр",
        ));
    }
    if password.eq_ignore_ascii_case(login) {
        return Err(Error::invalid(
            "Пароль",
            "Пароль не должен совпадать с именем пользователя",
        ));
    }
    Ok(())
}

/// A random one-time password: 12 characters from an alphabet without look-alikes.
pub fn generate_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..12)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

pub(crate) fn find_login(t: &impl Read, login: &str) -> Result<Option<User>> {
    let p = login_key(login).0;
    match super::list::ids_with_prefix(t, &p, 1)?.first().copied() {
        Some(id) => Ok(t.get::<User>(id)?),
        None => Ok(None),
    }
}

fn valid_login(login: &str) -> bool {
    !login.is_empty()
        && login.len() <= 64
        && login
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

pub(crate) fn resolve_roles(w: &W, codes: &[String]) -> Result<(Vec<RoleId>, Rights)> {
    let roles: Vec<Role> = w.tx.all()?;
    let mut ids = Vec::new();
    let mut rights = Rights::default();
    for code in codes {
        let role = roles
            .iter()
            .find(|r| &r.code == code)
            .ok_or_else(|| Error::invalid("Роль", format!("Нет роли «{code}»")))?;
        ids.push(role.id);
        rights = rights.union(role.rights);
    }
    Ok((ids, rights))
}

/// Creates a user with a one-time password; returns the user and that password.
pub(crate) fn add_user(w: &mut W, org: OrgId, u: &NewUser, secret: &Secret) -> Result<User> {
    if !valid_login(&u.login) {
        return Err(Error::invalid(
            "Имя пользователя",
            "Латинские буквы, цифры, точка, дефис, подчёркивание",
        ));
    }
    if u.full_name.trim().is_empty() {
        return Err(Error::invalid("ФИО", "Требуется"));
    }
    if find_login(&w.tx, &u.login)?.is_some() {
        return Err(Error::Conflict(format!(
            "Пользователь «{}» уже существует",
            u.login
        )));
    }
    if let Some(d) = u.dept {
        let dept: Department =
            w.tx.get(d.0)?
                .ok_or_else(|| Error::not_found("department", d))?;
        if dept.org != org {
            return Err(Error::not_found("department", d));
        }
    }
    for g in &u.groups {
        let group: Group = w.tx.get(g.0)?.ok_or_else(|| Error::not_found("group", g))?;
        if group.org != org {
            return Err(Error::not_found("group", g));
        }
    }
    let (roles, rights) = resolve_roles(w, &u.roles)?;
    let user = User {
        id: UserId(w.tx.next_id(User::KIND)?),
        org,
        dept: u.dept,
        login: u.login.clone(),
        full_name: u.full_name.trim().to_string(),
        password_hash: secret.hash.clone(),
        must_change_password: true,
        roles,
        rights,
        groups: u.groups.clone(),
        active: true,
        created: w.now,
        failed_logins: 0,
        locked_until: None,
        position: String::new(),
        phone: String::new(),
    };
    w.tx.put(&user)?;
    w.target("user", user.id);
    Ok(user)
}

/// The longest position or phone line of a user, in characters.
pub const MAX_CONTACT: usize = 200;

impl Node {
    /// Logs a user in from inside the process (command-line tools, tests).
    pub fn login(&self, login: &str, password: &str) -> Result<User> {
        self.login_from(login, password, Source::Direct)
    }

    /// Logs a user in. The password is checked outside any transaction (argon2 is slow on
    /// purpose); then the outcome is written. Wrong passwords are counted per login and
    /// `from` ([`super::guard`]): they lock that login from that source only, for unknown
    /// logins as for real ones. Successes, failures and lockouts go to the audit log.
    pub fn login_from(&self, login: &str, password: &str, from: Source) -> Result<User> {
        let now = self.now();
        let offset = self.options().utc_offset;
        let locked = |until: Ts| Error::LockedOut {
            until: until.display(offset),
        };
        self.guard.admit(login, from, now).map_err(|u| {
            tracing::warn!(
                login,
                ?from,
                "login refused: too many wrong passwords from here"
            );
            locked(u)
        })?;
        let found = find_login(&self.store().read()?, login)?;
        let Some(user) = found else {
            // The same argon2 work as for a real user, so timing does not tell which
            // logins exist.
            let dummy = self
                .dummy_hash
                .get_or_init(|| hash_password(self.options(), "no such user").unwrap_or_default());
            verify_password(dummy, password)?;
            tracing::warn!(login, ?from, "login refused: unknown user name");
            return match self.guard.miss(login, from, now, self.options()) {
                Some(until) => Err(locked(until)),
                None => Err(Error::BadCredentials),
            };
        };
        let right = verify_password(&user.password_hash, password)?;
        if !user.active {
            tracing::warn!(login, "login refused: account blocked");
            return Err(Error::BadCredentials);
        }
        if right {
            self.guard.hit(login, from);
            let r = self.grouped(Actor::User(user.id), "auth.login", true, |w| {
                let u = w.who.user.clone().ok_or(Error::Unauthenticated)?;
                w.target("user", u.id);
                Ok(u)
            });
            // On a read-only data directory staff may still log in to look things up; the
            // login cannot go into the audit log, so the journal keeps it.
            if let Err(Error::Storage(StoreError::ReadOnly)) = &r {
                tracing::warn!(
                    login,
                    "login not in the audit log: the data directory is read-only"
                );
                return Ok(user);
            }
            return r;
        }
        self.wrong_password(&user, from, now, "auth.failed")
    }

    /// Counts a wrong password of `user` from `from` and writes it to the audit log (and the
    /// lockout, when this one locks); the error to answer with.
    fn wrong_password(&self, user: &User, from: Source, now: Ts, op: &'static str) -> Result<User> {
        let until = self.guard.miss(&user.login, from, now, self.options());
        let r = self.write(Actor::System(user.org), op, |w| {
            w.target("user", user.id);
            if until.is_some() {
                super::history::audit(w, "auth.locked")?;
            }
            Ok(())
        });
        // A read-only disk cannot take the audit line; the refusal stands all the same.
        if let Err(e) = r {
            tracing::warn!(login = %user.login, "a wrong password not audited: {e}");
        }
        match until {
            Some(until) => {
                tracing::warn!(login = %user.login, ?from, "login locked from this source");
                Err(Error::LockedOut {
                    until: until.display(self.options().utc_offset),
                })
            }
            None => Err(Error::BadCredentials),
        }
    }

    /// Ends a staff session: the audit log records when the user left.
    pub fn logout(&self, actor: Actor) -> Result<()> {
        self.grouped(actor, "auth.logout", true, |w| {
            let id = w.who.person()?;
            w.target("user", id);
            Ok(())
        })
    }

    /// A user changes their own password (also the forced change at first login). Both
    /// argon2 runs happen before the write, against the hash read here; the write refuses if
    /// another session changed the password in between.
    pub fn change_password(&self, actor: Actor, old: &str, new: &str) -> Result<()> {
        self.change_password_from(actor, old, new, Source::Direct)
    }

    /// As [`Node::change_password`]; a wrong current password counts as a wrong password
    /// at login does, so this is no way round the lockout.
    pub fn change_password_from(
        &self,
        actor: Actor,
        old: &str,
        new: &str,
        from: Source,
    ) -> Result<()> {
        let current = {
            let rx = self.store().read()?;
            resolve(&rx, actor, true)?
                .user
                .ok_or(Error::Unauthenticated)?
        };
        let now = self.now();
        self.guard
            .admit(&current.login, from, now)
            .map_err(|u| Error::LockedOut {
                until: u.display(self.options().utc_offset),
            })?;
        if !verify_password(&current.password_hash, old)? {
            return match self.wrong_password(&current, from, now, "user.change_password.failed") {
                Err(Error::BadCredentials) => {
                    Err(Error::invalid("Текущий пароль", "Неверный пароль"))
                }
                other => other.map(|_| ()),
            };
        }
        self.guard.hit(&current.login, from);
        if old == new {
            return Err(Error::invalid(
                "Новый пароль",
                "Новый пароль должен отличаться от текущего",
            ));
        }
        check_password_strength(&current.login, new)?;
        let hash = hash_password(self.options(), new)?;
        self.grouped(actor, "user.change_password", true, |w| {
            let mut user = w.who.user.clone().ok_or(Error::Unauthenticated)?;
            if user.password_hash != current.password_hash {
                return Err(Error::Conflict(
                    "Пароль уже изменён в другом сеансе: войдите заново".into(),
                ));
            }
            user.password_hash = hash.clone();
            user.must_change_password = false;
            w.tx.put(&user)?;
            w.target("user", user.id);
            Ok(())
        })
    }

    /// An administrator creates a user of their own body.
    pub fn add_user(&self, actor: Actor, u: &NewUser) -> Result<(User, String)> {
        let secret = Secret::generate(self.options())?;
        let user = self.write(actor, "user.add", |w| {
            w.who.require("user.add", Right::Administer)?;
            let org = w.who.org;
            add_user(w, org, u, &secret)
        })?;
        Ok((user, secret.password))
    }

    /// An administrator resets a password: a new one-time password that must be changed.
    pub fn reset_password(&self, actor: Actor, login: &str) -> Result<String> {
        let secret = Secret::generate(self.options())?;
        self.write(actor, "user.reset_password", |w| {
            w.who.require("user.reset_password", Right::Administer)?;
            let user = find_login(&w.tx, login)?.ok_or_else(|| Error::not_found("user", login))?;
            let mut user = w.who.same_org(user.org, "user", login, user)?;
            user.password_hash = secret.hash.clone();
            user.must_change_password = true;
            user.active = true;
            user.failed_logins = 0;
            user.locked_until = None;
            w.tx.put(&user)?;
            w.target("user", user.id);
            Ok(())
        })?;
        self.guard.forgive(login);
        Ok(secret.password)
    }

    /// Blocks or unblocks a user.
    pub fn set_user_active(&self, actor: Actor, user: UserId, active: bool) -> Result<()> {
        self.write(actor, "user.set_active", |w| {
            w.who.require("user.set_active", Right::Administer)?;
            let mut u: User = w.load(user.0)?;
            if Some(u.id) == w.who.user_id() && !active {
                return Err(Error::NotAllowed("Нельзя заблокировать самого себя".into()));
            }
            u.active = active;
            w.tx.put(&u)?;
            w.target("user", u.id);
            Ok(())
        })
    }

    /// A user's position and official phone or e-mail (each one line, at most
    /// [`MAX_CONTACT`] characters; empty clears it).
    pub fn set_user_contacts(
        &self,
        actor: Actor,
        user: UserId,
        position: &str,
        phone: &str,
    ) -> Result<()> {
        let (position, phone) = (position.trim(), phone.trim());
        let mut errs = Vec::new();
        for (field, v) in [("Должность", position), ("Телефон, e-mail", phone)] {
            if v.chars().count() > MAX_CONTACT || v.chars().any(char::is_control) {
                errs.push(super::FieldError {
                    field: field.into(),
                    message: format!("Одна строка, не длиннее {MAX_CONTACT} знаков"),
                });
            }
        }
        if !errs.is_empty() {
            return Err(Error::Invalid(errs));
        }
        self.write(actor, "user.set_contacts", |w| {
            w.who.require("user.set_contacts", Right::Administer)?;
            let mut u: User = w.load(user.0)?;
            u.position = position.to_string();
            u.phone = phone.to_string();
            w.tx.put(&u)?;
            w.target("user", u.id);
            Ok(())
        })
    }

    /// Gives a user a new set of roles and groups.
    pub fn set_user_roles(
        &self,
        actor: Actor,
        user: UserId,
        roles: &[String],
        groups: &[GroupId],
    ) -> Result<()> {
        self.write(actor, "user.set_roles", |w| {
            w.who.require("user.set_roles", Right::Administer)?;
            let mut u: User = w.load(user.0)?;
            for g in groups {
                let _: Group = w.load(g.0)?;
            }
            let (ids, rights) = resolve_roles(w, roles)?;
            u.roles = ids;
            u.rights = rights;
            u.groups = groups.to_vec();
            w.tx.put(&u)?;
            w.target("user", u.id);
            Ok(())
        })
    }

    /// The users of the actor's body.
    pub fn list_users(&self, actor: Actor) -> Result<Vec<UserView>> {
        self.read(actor, |r| {
            let roles: Vec<Role> = r.rx.all()?;
            let users: Vec<User> = r.rx.all()?;
            Ok(users
                .into_iter()
                .filter(|u| u.org == r.who.org)
                .map(|u| UserView {
                    id: u.id,
                    roles: u
                        .roles
                        .iter()
                        .filter_map(|id| roles.iter().find(|r| r.id == *id).map(|r| r.name.clone()))
                        .collect(),
                    login: u.login,
                    full_name: u.full_name,
                    dept: u.dept,
                    groups: u.groups,
                    must_change_password: u.must_change_password,
                    active: u.active,
                    position: u.position,
                    phone: u.phone,
                })
                .collect())
        })
    }

    /// The acting user as stored, if the actor may act at all (even with a pending change).
    pub fn whoami(&self, actor: Actor) -> Result<User> {
        let rx = self.store().read()?;
        resolve(&rx, actor, true)?
            .user
            .ok_or(Error::Unauthenticated)
    }

    /// Finds a user by login (for the CLI, which acts as the node's administrator).
    pub fn user_by_login(&self, login: &str) -> Result<Option<User>> {
        find_login(&self.store().read()?, login)
    }
}
