//! Kinds of information as packages (issue 29): an administrator imports one, the node keeps
//! its files and makes its kind from it; at start every stored package is handed to the
//! adapter again. The core never reads a package: [`Packages`] does, outside any write.

use super::catalog::add_kind;
use super::formats::{Packages, reload};
use super::{Actor, Error, Node, Result, W};
use crate::catalog::KindSpec;
use std::sync::Arc;
use volost_api::view::{KindImport, PackageSummary};
use volost_domain::*;
use volost_store::records::{kind_code_key, package_code_key};
use volost_store::{Read, Record};

/// The description every package has; its digest pins the rest.
pub const DESCRIPTION: &str = "kind.toml";
pub use volost_api::view::{MAX_PACKAGE_BYTES, MAX_PACKAGE_FILES};

fn package_of(t: &impl Read, code: &str) -> Result<Option<KindPackage>> {
    let ids = super::list::ids_with_prefix(t, &package_code_key(code).0, 1)?;
    match ids.first() {
        Some(id) => Ok(t.get::<KindPackage>(*id)?),
        None => Ok(None),
    }
}

fn kind_of(t: &impl Read, org: OrgId, code: &str) -> Result<Option<RequestKind>> {
    let ids = super::list::ids_with_prefix(t, &kind_code_key(org, code).0, 1)?;
    match ids.first() {
        Some(id) => Ok(t.get::<RequestKind>(*id)?),
        None => Ok(None),
    }
}

/// Whether the node keeps a package for kind `code`: its requests and answers are the
/// package's.
pub(crate) fn has_package(t: &impl Read, code: &str) -> Result<bool> {
    Ok(!super::list::ids_with_prefix(t, &package_code_key(code).0, 1)?.is_empty())
}

/// The package's digest, or why its files cannot be a package.
fn digest(files: &[PackageFile]) -> Result<String> {
    let bad = |m: String| Error::invalid("Пакет", m);
    if files.len() > MAX_PACKAGE_FILES {
        return Err(bad(format!("больше {MAX_PACKAGE_FILES} файлов")));
    }
    if files.iter().map(|f| f.data.len() as u64).sum::<u64>() > MAX_PACKAGE_BYTES {
        return Err(bad(format!("больше {} МБ", MAX_PACKAGE_BYTES >> 20)));
    }
    let desc = files
        .iter()
        .find(|f| f.path == DESCRIPTION)
        .ok_or_else(|| bad(format!("нет файла {DESCRIPTION}")))?;
    Ok(volost_store::sha256_hex(&desc.data))
}

/// Keeps the package and makes the bodies' kinds of its code from it: each body that has the
/// kind gets the package's form (its answer form stays), the importer's body gets the kind
/// when it has none.
fn install(
    w: &mut W,
    info: &PackageInfo,
    digest: &str,
    files: &[PackageFile],
) -> Result<KindImport> {
    w.who.require("kind.import", Right::Administer)?;
    let old = package_of(&w.tx, &info.code)?;
    let mut done = KindImport {
        info: info.clone(),
        digest: digest.to_string(),
        replaced: old.as_ref().is_some_and(|o| o.digest != digest),
        unchanged: old.as_ref().is_some_and(|o| o.digest == digest),
        kinds_added: 0,
        kinds_updated: 0,
        services_bound: 0,
    };
    if !done.unchanged {
        let id = match &old {
            Some(o) => o.id,
            None => PackageId(w.tx.next_id(KindPackage::KIND)?),
        };
        let p = KindPackage {
            id,
            info: info.clone(),
            digest: digest.to_string(),
            files: files.to_vec(),
            installed: w.now,
            installed_by: w.who.user_id(),
        };
        w.tx.put(&p)?;
        w.target("kind_package", id.0);
    }
    if let Some(intake) = &info.intake {
        done.services_bound = bind_intake(w, &info.code, &intake.service)?;
        return Ok(done);
    }
    let orgs: Vec<Org> = w.tx.all()?;
    for org in orgs {
        match kind_of(&w.tx, org.id, &info.code)? {
            Some(k) => {
                let spec = KindSpec::from_package(info, k.answer_fields.clone());
                let mut new = spec.to_kind(k.id, k.org);
                new.active = k.active;
                if new != k {
                    spec.check()
                        .map_err(|m| Error::invalid("Вид сведений", m))?;
                    w.tx.put(&new)?;
                    w.target("request_kind", k.id);
                    done.kinds_updated += 1;
                }
            }
            None if org.id == w.who.org => {
                add_kind(w, org.id, &KindSpec::from_package(info, Vec::new()))?;
                done.kinds_added += 1;
            }
            None => {}
        }
    }
    Ok(done)
}

/// An intake package delivers the applications of the services of code `service`: each
/// body's service of that code takes it (the importer's must have one); returns how many
/// changed.
fn bind_intake(w: &mut W, package: &str, service: &str) -> Result<u32> {
    let all: Vec<Service> = w.tx.all()?;
    let same: Vec<Service> = all.into_iter().filter(|s| s.code == service).collect();
    if !same.iter().any(|s| s.org == w.who.org) {
        return Err(Error::invalid(
            "Пакет",
            format!(
                "пакет приёма заявлений {package} — для услуги с кодом {service}, а в каталоге \
                 органа такой услуги нет"
            ),
        ));
    }
    let mut changed = 0;
    for mut s in same {
        if s.intake.as_deref() != Some(package) {
            s.intake = Some(package.to_string());
            w.tx.put(&s)?;
            w.target("service", s.id);
            changed += 1;
        }
    }
    Ok(changed)
}

/// A kind's template may change what the package does not fix: its answer form. The form,
/// the namespace, the roots and ЭП-СП are the package's.
pub(crate) fn check_kind_edit(t: &impl Read, spec: &KindSpec) -> Result<()> {
    let Some(p) = package_of(t, spec.code.trim())? else {
        return Ok(());
    };
    let fixed = KindSpec::from_package(&p.info, spec.answer_fields.clone());
    let same = spec.namespace == fixed.namespace
        && spec.root == fixed.root
        && spec.answer_root == fixed.answer_root
        && spec.sign_personal == fixed.sign_personal
        && spec.fields == fixed.fields;
    if same {
        return Ok(());
    }
    Err(Error::invalid(
        "Вид сведений",
        format!(
            "форма запроса вида «{}» задана пакетом ВС версии {}: чтобы изменить её, \
             загрузите новую версию пакета",
            p.info.name, p.info.version
        ),
    ))
}

impl Node {
    /// The adapter that reads packages; the daemon and the CLI set it at start.
    pub fn set_packages(&self, p: Arc<dyn Packages>) {
        let _ = self.packages.set(p);
    }

    pub(super) fn packages(&self) -> Result<&Arc<dyn Packages>> {
        self.packages.get().ok_or_else(|| {
            Error::NotAllowed("Пакеты видов сведений на этом узле не подключены".into())
        })
    }

    /// Every stored package handed to the adapter again (at start). A package that fails is
    /// named with why; its kind refuses to send until a good one is imported.
    pub fn load_packages(&self) -> Result<Vec<(String, String)>> {
        let p = self.packages()?;
        let all: Vec<KindPackage> = self.store().read()?.all()?;
        Ok(all
            .iter()
            .filter_map(|k| reload(&**p, k).err().map(|why| (k.info.code.clone(), why)))
            .collect())
    }

    /// «Загрузить пакет»: checks a package (its schemas compile, its samples validate, its
    /// form maps), keeps it and makes its kind from it. A package of a code the node has
    /// replaces that one; requests already made keep their data.
    pub fn import_kind(&self, actor: Actor, files: &[PackageFile]) -> Result<KindImport> {
        // Refused before the milliseconds of a check are spent on it.
        self.read(actor, |r| r.who.require("kind.import", Right::Administer))?;
        let digest = digest(files)?;
        let p = self.packages()?;
        let info = p.load(files).map_err(|why| Error::invalid("Пакет", why))?;
        let done = self.write(actor, "kind.import", |w| install(w, &info, &digest, files));
        if done.is_err() {
            // The adapter took the new package before the write failed: back to the kept one.
            let kept = package_of(&self.store().read()?, &info.code)?;
            match kept {
                Some(k) if reload(&**p, &k).is_ok() => {}
                _ => p.unload(&info.code),
            }
        }
        done
    }

    /// A package the node ships (the starter catalog), imported by the node itself when it
    /// keeps none of `code`: a new node gets it, an upgraded one gets those it lacks, and one
    /// an administrator imported is never replaced. `None` when there was one already, or
    /// when the node has no body yet to make the kind for.
    pub fn import_shipped_kind(
        &self,
        code: &str,
        files: &[PackageFile],
    ) -> Result<Option<KindImport>> {
        let rx = self.store().read()?;
        if package_of(&rx, code)?.is_some() {
            return Ok(None);
        }
        let Some(first) = rx.all::<Org>()?.into_iter().map(|o| o.id).min() else {
            return Ok(None);
        };
        drop(rx);
        self.import_kind(Actor::System(first), files).map(Some)
    }

    /// The packages the node keeps, by code.
    pub fn kind_packages(&self, actor: Actor) -> Result<Vec<PackageSummary>> {
        self.read(actor, |r| {
            let mut all: Vec<KindPackage> = r.rx.all()?;
            all.sort_by(|a, b| a.info.code.cmp(&b.info.code));
            all.into_iter()
                .map(|p| {
                    let by = match p.installed_by {
                        Some(u) => {
                            r.rx.get::<User>(u.0)?
                                .map_or_else(|| u.to_string(), |u| u.login)
                        }
                        None => String::new(),
                    };
                    Ok(PackageSummary {
                        files: u32::try_from(p.files.len()).unwrap_or(u32::MAX),
                        bytes: p.size(),
                        info: p.info,
                        digest: p.digest,
                        installed: p.installed,
                        installed_by: by,
                    })
                })
                .collect()
        })
    }
}
