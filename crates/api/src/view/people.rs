//! The views of the people calls: what the daemon answers and the inputs it takes.

#[allow(unused_imports)]
use super::*;

/// Days before the end of a certificate from which staff are warned.
pub const WARN_DAYS: i64 = 30;

/// A user as shown in lists: no password hash.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserView {
    pub id: UserId,
    pub login: String,
    pub full_name: String,
    pub dept: Option<DeptId>,
    pub roles: Vec<String>,
    pub groups: Vec<GroupId>,
    pub must_change_password: bool,
    pub active: bool,
    /// Должность and the official phone or e-mail, as documents name the person.
    #[serde(default)]
    pub position: String,
    #[serde(default)]
    pub phone: String,
}

/// What an administrator enters to create a user.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub login: String,
    pub full_name: String,
    pub dept: Option<DeptId>,
    /// Role codes.
    pub roles: Vec<String>,
    pub groups: Vec<GroupId>,
}

/// The first body of a new node.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NewOrg {
    pub name: String,
    pub short_name: String,
    pub oktmo: String,
    pub ogrn: String,
    pub inn: String,
    /// КПП, where the installer gives it (an administrator can later: `volost org set`).
    pub kpp: String,
    pub registered: Option<time::Date>,
}

/// The body's codes an administrator keeps up to date (`volost org set`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgDetails {
    pub ogrn: String,
    pub inn: String,
    pub kpp: String,
    pub registered: Option<time::Date>,
    /// Postal address, phone and e-mail for answers, one line.
    #[serde(default)]
    pub contacts: String,
}

/// A personal certificate as staff and administrators see it: everything but the container.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CertView {
    pub login: String,
    pub subject: String,
    pub serial: String,
    pub not_before: Ts,
    pub not_after: Ts,
    /// Whole days left (negative once it has ended).
    pub days_left: i64,
    pub blocked: bool,
    /// The key is on the employee's own token, not in a container the node keeps: they sign
    /// in the web page («Подпись токеном»), never with a PIN typed here.
    #[serde(default)]
    pub on_token: bool,
}

impl CertView {
    /// The warning's short form, for a narrow status line.
    pub fn short_warning(&self) -> String {
        if self.blocked {
            "ЭП-СП заблок.".into()
        } else if self.days_left < 0 {
            "ЭП-СП истекла".into()
        } else {
            format!("ЭП-СП: {} дн.", self.days_left)
        }
    }

    /// What the status line says when the certificate needs attention, if it does.
    pub fn warning(&self) -> Option<String> {
        if self.blocked {
            Some("ЭП-СП заблокирована".into())
        } else if self.days_left < 0 {
            Some("ЭП-СП: срок сертификата истёк".into())
        } else if self.days_left < WARN_DAYS {
            Some(format!("ЭП-СП: осталось {} дн.", self.days_left))
        } else {
            None
        }
    }
}

/// What the setup screen saves into the database.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeSetup {
    /// The body: its full name and ОКТМО, ОГРН, ИНН (its short name follows the full one
    /// unless an administrator gave it another).
    pub org: NewOrg,
    /// The administrator whose password is set; made if there is no such user yet.
    pub admin_login: String,
    pub admin_password: String,
}

impl std::fmt::Debug for NodeSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the password, not even in a debug print.
        f.debug_struct("NodeSetup")
            .field("org", &self.org)
            .field("admin_login", &self.admin_login)
            .finish_non_exhaustive()
    }
}

/// What the setup screen starts from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SetupInfo {
    pub org: Org,
    /// The first administrator of the body.
    pub admin_login: String,
    /// The administrator has a password of their own: the setup has been done once, and may
    /// be left without saving.
    pub done: bool,
}

/// What an import did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegistryImport {
    /// Who signed the file, as the certificate names them.
    pub signer: String,
    /// The codes of the services whose passports were replaced.
    pub updated: Vec<String>,
}

/// A signature the staff web page is asked to make with the employee's own token: the
/// Streebog-256 digest to hand the CryptoPro plug-in (hex), and what is signed, in words.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SigningView {
    pub id: String,
    pub hash: String,
    pub what: String,
    /// Seconds left before the operation waiting for it gives up.
    pub seconds_left: u64,
}
