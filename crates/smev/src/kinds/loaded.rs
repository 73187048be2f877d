//! The packages the node keeps, ready to write requests with ([`Kinds`], the core's
//! [`Packages`]): each written out under a folder of its own for libxml2, which compiles
//! schemas from files, opened with all its checks, and kept by kind code. libxml2's contexts
//! are not shared between threads, so a thread compiles its own copy of a package's schema
//! the first time it validates with it.

use super::answer::Labels;
use super::mapping::{Body, Context, new_guid};
use super::package::{DESCRIPTION, Package, RenderError};
use super::{intake, packet};
use crate::xml::Element;
use sha2::Digest;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use volost_api::view::{AnswerLine, AnswerView};
use volost_core::service::{Outgoing, Packages, PortalResult, RequestContext, RequestError};
use volost_domain::received::AnswerCheck;
use volost_domain::received::PortalApplication;
use volost_domain::{Org, PackageFile, PackageInfo, Packet, PacketDocument};
use volost_xsd::Schema;

/// A package opened and checked, with its mapping parsed.
pub struct Loaded {
    pub package: Package,
    pub info: PackageInfo,
    template: Option<Element>,
    /// The packet documents' mappings, in the spec's order (empty without a packet).
    packet: Vec<Element>,
    /// An intake package's status reply mapping.
    status_template: Option<Element>,
    /// The answer mapping, where the node answers this ВС's requests.
    answer_template: Option<Element>,
    /// The schema's labels, read on the first answer shown.
    labels: OnceLock<Labels>,
}

impl Loaded {
    /// Validates `xml` against the package's schema (this thread's compiled copy).
    pub fn validate(&self, xml: &[u8]) -> Result<(), String> {
        with_main(&self.package, |s| {
            s.validate(xml).map_err(|e| e.to_string())
        })?
    }

    /// Validates the packet document named `file` in its archive against that document's
    /// schema; an error names a file the packet does not have.
    pub fn validate_document(&self, file: &str, xml: &[u8]) -> Result<(), String> {
        let d = packet::spec(&self.package)
            .and_then(|s| s.documents.iter().find(|d| d.file == file))
            .ok_or_else(|| format!("в пакете вида нет документа {file}"))?;
        with_schema(&self.package, &d.schema, |s| {
            s.validate(xml).map_err(|e| e.to_string())
        })?
    }

    /// The package's sample answer, where it has one.
    pub fn sample_answer(&self) -> Option<Vec<u8>> {
        self.package
            .description
            .files
            .contains_key(super::package::SAMPLE_ANSWER)
            .then(|| std::fs::read(self.package.dir.join(super::package::SAMPLE_ANSWER)).ok())
            .flatten()
    }
}

impl Drop for Loaded {
    /// Its folder goes with it: a replaced package's files are not needed once no one
    /// holds it (threads keep their compiled schemas, not the files).
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.package.dir);
    }
}

/// The node's loaded packages by kind code.
pub struct Kinds {
    dir: PathBuf,
    by_code: RwLock<HashMap<String, Arc<Loaded>>>,
    /// One load at a time: loads are rare, and each writes a folder.
    loading: Mutex<()>,
    next: AtomicU64,
}

thread_local! {
    /// This thread's compiled schemas, by the package folder they were compiled from.
    static SCHEMAS: RefCell<HashMap<PathBuf, Schema>> = RefCell::new(HashMap::new());
}

/// Compiled schemas a thread keeps at most; past it the cache starts again (packages
/// replaced over months would otherwise stay compiled in every long-lived thread).
const MAX_COMPILED: usize = 64;

impl Kinds {
    /// Packages are written out under `dir`, which is emptied first: it is this process's
    /// alone (the daemon's, under its data directory, or a CLI command's on a stopped node).
    pub fn new(dir: &Path) -> std::io::Result<Kinds> {
        match std::fs::remove_dir_all(dir) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        std::fs::create_dir_all(dir)?;
        Ok(Kinds {
            dir: dir.to_path_buf(),
            by_code: RwLock::new(HashMap::new()),
            loading: Mutex::new(()),
            next: AtomicU64::new(1),
        })
    }

    /// The package whose request root is `{ns}root`.
    pub fn for_request(&self, ns: &str, root: &str) -> Option<Arc<Loaded>> {
        self.by_code.read().ok().and_then(|m| {
            m.values()
                .find(|l| l.info.namespace == ns && l.info.request_root == root)
                .cloned()
        })
    }

    /// The package loaded for kind `code`.
    pub fn get(&self, code: &str) -> Option<Arc<Loaded>> {
        self.by_code.read().ok().and_then(|m| m.get(code).cloned())
    }

    /// Writes `files` into a new folder and opens the package there.
    fn open(&self, files: &[PackageFile]) -> Result<Loaded, String> {
        let _one = self
            .loading
            .lock()
            .map_err(|_| "loader poisoned".to_string())?;
        let desc = files
            .iter()
            .find(|f| f.path == DESCRIPTION)
            .ok_or_else(|| format!("нет файла {DESCRIPTION}"))?;
        let digest = hex(&sha2::Sha256::digest(&desc.data));
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let dir = self.dir.join(format!("{}-{n}", &digest[..16]));
        let written = write_out(&dir, files).and_then(|()| {
            let package = Package::open(&dir).map_err(|e| e.to_string())?;
            let template = package.mapping().map_err(|e| e.to_string())?;
            let packet = packet::templates(&package).map_err(|e| e.to_string())?;
            let answer_template = package.answer_mapping().map_err(|e| e.to_string())?;
            let status_template = match &package.description.intake {
                Some(spec) => {
                    Some(intake::status_template(&package, spec).map_err(|e| e.to_string())?)
                }
                None => None,
            };
            let fields = package.form().map_err(|e| e.to_string())?;
            let d = &package.description;
            let info = PackageInfo {
                code: d.code.clone(),
                name: d.name.clone(),
                agency: d.agency.clone(),
                namespace: d.namespace.clone(),
                version: d.version.clone(),
                request_root: d.request_root.clone(),
                answer_root: d.answer_root.clone(),
                personal_signature: d.personal_signature,
                note: d.note.clone(),
                fields,
                intake: d.intake.as_ref().map(|i| volost_domain::IntakeInfo {
                    service: i.service.clone(),
                }),
            };
            Ok(Loaded {
                package,
                info,
                template,
                packet,
                status_template,
                answer_template,
                labels: OnceLock::new(),
            })
        });
        if written.is_err() {
            let _ = std::fs::remove_dir_all(&dir);
        }
        written
    }

    /// The request of kind `code` built from `form` and validated: what the node sends.
    pub fn request(
        &self,
        code: &str,
        form: &BTreeMap<String, String>,
        cx: &RequestContext<'_>,
        signed: bool,
    ) -> Result<Outgoing, RequestError> {
        let l = self.get(code).ok_or_else(|| {
            RequestError::Kind(format!(
                "на узле нет пакета схем ВС этого вида ({code}): администратор загружает его \
                 командой volost kind import"
            ))
        })?;
        let template = l.template.as_ref().ok_or_else(|| {
            RequestError::Kind(format!(
                "пакет {code} версии {} не задаёт, как составить запрос из формы (в нём нет \
                 отображения): узел не может составить такой запрос",
                l.info.version
            ))
        })?;
        let body = body_of(cx.body);
        let mut guid = new_guid;
        let mut mcx = Context {
            form,
            now: cx.now,
            body: &body,
            number: Some(cx.number),
            guid: &mut guid,
        };
        let refused = |e: RenderError| match e {
            RenderError::Package(p) => RequestError::Kind(p.to_string()),
            other => {
                tracing::info!(kind = code, error = %other, "a request refused by its schema");
                RequestError::Form(l.package.refusal(&other))
            }
        };
        let xml = with_main(&l.package, |schema| {
            l.package.render_with(template, schema, &mut mcx)
        })
        .map_err(RequestError::Kind)?
        .map_err(refused)?;
        let packet = match packet::spec(&l.package) {
            None => None,
            Some(spec) => {
                let mut documents = Vec::with_capacity(spec.documents.len());
                for (d, t) in spec.documents.iter().zip(&l.packet) {
                    let xml = with_schema(&l.package, &d.schema, |schema| {
                        l.package.render_with(t, schema, &mut mcx)
                    })
                    .map_err(RequestError::Kind)?
                    .map_err(refused)?;
                    documents.push(PacketDocument {
                        file: d.file.clone(),
                        xml,
                        signed: d.signed,
                    });
                }
                Some(Packet {
                    name: spec.name.clone(),
                    documents,
                })
            }
        };
        let business = if signed {
            // The package was checked to take an `Id` on its root when it asks for ЭП-СП.
            with_id(&xml, crate::personal::SIGNED_DATA_ID)
                .ok_or_else(|| RequestError::Kind("корневой элемент запроса не найден".into()))?
        } else {
            xml
        };
        Ok(Outgoing { business, packet })
    }
}

impl Kinds {
    /// The package whose answer root `{ns}root` is, and its verdict on `xml`; `None` when
    /// no loaded package answers with that root.
    pub fn check_answer(&self, e: &Element, xml: &[u8]) -> Option<AnswerCheck> {
        let (ns, root) = (e.ns.as_deref().unwrap_or(""), e.local.as_str());
        let l = self.by_code.read().ok().and_then(|m| {
            m.values()
                .find(|l| l.info.namespace == ns && l.info.answer_root.as_deref() == Some(root))
                .cloned()
        })?;
        let problem = match with_main(&l.package, |s| s.validate(xml)) {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(format!("ответ не соответствует схеме ВС: {e}")),
            Err(e) => Some(format!("схема ВС не компилируется: {e}")),
        };
        // A summary only of a valid answer: the schema vouches for what its paths read.
        let summary = match &problem {
            None => l.package.summary(e).unwrap_or_default(),
            Some(_) => BTreeMap::new(),
        };
        Some(AnswerCheck {
            code: l.info.code.clone(),
            problem,
            summary,
        })
    }

    /// An answer of kind `code` as staff see it: its tree named by the schema's labels, and
    /// why it is not a valid answer when it is not.
    pub fn answer_view(&self, code: &str, xml: &[u8]) -> Result<AnswerView, String> {
        let l = self
            .get(code)
            .ok_or_else(|| format!("на узле нет пакета схем ВС вида {code}"))?;
        let read = with_main(&l.package, |s| {
            let labels = l.labels.get_or_init(|| l.package.labels(s));
            l.package.read_answer_labelled(s, labels, xml)
        })??;
        Ok(AnswerView {
            lines: read
                .lines
                .into_iter()
                .map(|x| AnswerLine {
                    depth: u16::try_from(x.depth).unwrap_or(u16::MAX),
                    label: x.label,
                    value: x.value,
                })
                .collect(),
            problem: read.problem,
        })
    }
}

impl Kinds {
    /// An application a portal delivered in the schema of one of the intake packages:
    /// `None` when no intake package's root `e` is; else the application, or why it was not
    /// taken (the schema refused it, or it lacks what the package reads).
    pub fn intake(&self, e: &Element) -> Option<Result<PortalApplication, String>> {
        let ns = e.ns.as_deref().unwrap_or("");
        let l = self.by_code.read().ok().and_then(|m| {
            m.values()
                .find(|l| {
                    l.package.description.intake.is_some()
                        && l.info.namespace == ns
                        && l.info.request_root == e.local
                })
                .cloned()
        })?;
        let spec = l.package.description.intake.as_ref()?;
        Some((|| {
            // The canonical form stands alone: every namespace it uses is declared in it.
            let canonical = crate::c14n::canonical_text(e);
            with_main(&l.package, |s| s.validate(canonical.as_bytes()))?
                .map_err(|e| format!("заявление не соответствует схеме портала: {e}"))?;
            let mut app = spec.read(e)?;
            app.intake = l.info.code.clone();
            Ok(app)
        })())
    }

    /// The answer of kind `code` from the answer form's values `form`, validated against
    /// the ВС's schema; `None` when the node keeps no package of that code.
    pub fn answer(
        &self,
        code: &str,
        form: &BTreeMap<String, String>,
        signed: bool,
    ) -> Option<Result<String, String>> {
        let l = self.get(code)?;
        let Some(template) = l.answer_template.as_ref() else {
            return Some(Err(format!(
                "пакет {code} версии {} не задаёт, как составить ответ (в нём нет отображения \
                 ответа): узел не отвечает на такие запросы своим элементом — отклоните запрос",
                l.info.version
            )));
        };
        let xml = match render_reply(&l, template, form, None) {
            Ok(Ok(x)) => x,
            Ok(Err(e)) => return Some(Err(l.package.refusal(&e))),
            Err(e) => return Some(Err(e)),
        };
        Some(if signed {
            with_id(&xml, crate::personal::SIGNED_DATA_ID)
                .ok_or_else(|| "корневой элемент ответа не найден".to_string())
        } else {
            Ok(xml)
        })
    }

    /// The status reply of intake package `code` for `r`; `None` when its status table
    /// does not report `r.status`.
    pub fn portal_reply(&self, code: &str, r: &PortalResult) -> Result<Option<String>, String> {
        let l = self
            .get(code)
            .ok_or_else(|| format!("на узле нет пакета приёма заявлений {code}"))?;
        let (Some(spec), Some(template)) = (
            l.package.description.intake.as_ref(),
            l.status_template.as_ref(),
        ) else {
            return Err(format!("{code} — не пакет приёма заявлений"));
        };
        let Some(status_code) = spec.code(r.status) else {
            return Ok(None);
        };
        // Before a decision the applicant reads the step and the node's number.
        let comment = if r.message.is_empty() {
            format!(
                "{}. Номер заявления в органе: {}",
                r.status.label(),
                r.number
            )
        } else {
            r.message.to_string()
        };
        let form = intake::reply_form(r.order, r.number, status_code, &comment);
        render_reply(&l, template, &form, Some(r.number))?
            .map(Some)
            .map_err(|e| e.to_string())
    }
}

/// What the node writes back through a package's mapping (an answer, a status reply):
/// the mapping's values are `form`'s and no body's, validated against the ВС's schema.
fn render_reply(
    l: &Loaded,
    template: &Element,
    form: &BTreeMap<String, String>,
    number: Option<&str>,
) -> Result<Result<String, RenderError>, String> {
    let body = Body::default();
    let mut guid = new_guid;
    let mut cx = Context {
        form,
        now: time::OffsetDateTime::now_utc(),
        body: &body,
        number,
        guid: &mut guid,
    };
    with_main(&l.package, |s| l.package.render_with(template, s, &mut cx))
}

impl Packages for Kinds {
    fn read_answer(&self, code: &str, xml: &[u8]) -> Result<AnswerView, String> {
        self.answer_view(code, xml)
    }

    fn load(&self, files: &[PackageFile]) -> Result<PackageInfo, String> {
        let l = self.open(files)?;
        let info = l.info.clone();
        // Compiled here, so that the first request on this thread does not wait on it.
        with_main(&l.package, |_| ())?;
        self.by_code
            .write()
            .map_err(|_| "packages poisoned".to_string())?
            .insert(info.code.clone(), Arc::new(l));
        Ok(info)
    }

    fn unload(&self, code: &str) {
        if let Ok(mut m) = self.by_code.write() {
            m.remove(code);
        }
    }
}

/// Runs `f` with this thread's compiled copy of the package's schema set whose main
/// document is `path` (the ВС's, or a packet document's).
fn with_schema<T>(p: &Package, path: &str, f: impl FnOnce(&mut Schema) -> T) -> Result<T, String> {
    let key = p.dir.join(path);
    SCHEMAS.with(|cell| {
        let mut cache = cell.borrow_mut();
        if !cache.contains_key(&key) {
            if cache.len() >= MAX_COMPILED {
                cache.clear();
            }
            let s = p.schema_at(path).map_err(|e| e.to_string())?;
            cache.insert(key.clone(), s);
        }
        let s = cache
            .get_mut(&key)
            .ok_or_else(|| "schema cache lost its entry".to_string())?;
        Ok(f(s))
    })
}

/// [`with_schema`] with the ВС's own schema set.
fn with_main<T>(p: &Package, f: impl FnOnce(&mut Schema) -> T) -> Result<T, String> {
    with_schema(p, &p.description.schema, f)
}

fn body_of(o: &Org) -> Body {
    Body {
        name: o.name.clone(),
        oktmo: o.oktmo.clone(),
        inn: o.inn.clone(),
        ogrn: o.ogrn.clone(),
        kpp: o.kpp.clone(),
        registered: o
            .registered
            .map(|d| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()))
            .unwrap_or_default(),
    }
}

/// `xml` with `Id="id"` on its root element.
fn with_id(xml: &str, id: &str) -> Option<String> {
    let start = xml.find('<')?;
    let rest = &xml[start..];
    let end = rest.find([' ', '>', '/', '\n', '\t', '\r'])?;
    let at = start + end;
    Some(format!("{} Id=\"{id}\"{}", &xml[..at], &xml[at..]))
}

/// Writes a package's files under `dir`; a path that would leave it is refused.
fn write_out(dir: &Path, files: &[PackageFile]) -> Result<(), String> {
    for f in files {
        let rel = Path::new(&f.path);
        let plain =
            !f.path.is_empty() && rel.components().all(|c| matches!(c, Component::Normal(_)));
        if !plain {
            return Err(format!(
                "{}: путь должен вести к файлу внутри пакета",
                f.path
            ));
        }
        let p = dir.join(rel);
        p.parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&p, &f.data))
            .map_err(|e| format!("{}: не удалось записать: {e}", f.path))?;
    }
    Ok(())
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A package's files read from a folder, as `volost kind import DIR` sends them: every
/// regular file under it, by its path inside it; symbolic links and other files are refused.
pub fn read_dir(dir: &Path) -> Result<Vec<PackageFile>, String> {
    fn walk(
        root: &Path,
        rel: &Path,
        out: &mut Vec<PackageFile>,
        total: &mut u64,
    ) -> Result<(), String> {
        let here = root.join(rel);
        let rd = std::fs::read_dir(&here).map_err(|e| format!("{}: {e}", here.display()))?;
        let mut entries: Vec<_> = rd.collect::<Result<_, _>>().map_err(|e| e.to_string())?;
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for e in entries {
            let name = e.file_name();
            let rel = rel.join(&name);
            let t = e.file_type().map_err(|e| e.to_string())?;
            let shown = rel.to_string_lossy().replace('\\', "/");
            if t.is_dir() {
                walk(root, &rel, out, total)?;
            } else if t.is_file() {
                if out.len() >= volost_core::service::MAX_PACKAGE_FILES {
                    return Err(format!(
                        "в пакете больше {} файлов",
                        volost_core::service::MAX_PACKAGE_FILES
                    ));
                }
                let data = std::fs::read(root.join(&rel)).map_err(|e| format!("{shown}: {e}"))?;
                *total += data.len() as u64;
                if *total > volost_core::service::MAX_PACKAGE_BYTES {
                    return Err(format!(
                        "пакет больше {} МБ",
                        volost_core::service::MAX_PACKAGE_BYTES >> 20
                    ));
                }
                let path = rel
                    .to_str()
                    .ok_or_else(|| format!("{shown}: имя файла не в UTF-8"))?
                    .replace('\\', "/");
                out.push(PackageFile { path, data });
            } else {
                return Err(format!("{shown}: не обычный файл (ссылка или устройство)"));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    let mut total = 0;
    walk(dir, Path::new(""), &mut out, &mut total)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn an_answer_is_the_package_s_or_none_at_all() {
        let tmp = std::env::temp_dir().join(format!("volost-loaded-{}", std::process::id()));
        let kinds = Kinds::new(&tmp).unwrap();
        for code in ["sfr_snils", "fns_egrul"] {
            let (_, files) = super::super::starter::PACKAGES
                .iter()
                .find(|(c, _)| *c == code)
                .unwrap();
            kinds
                .load(&super::super::starter::package_files(files))
                .unwrap();
        }
        let form: BTreeMap<String, String> = [
            ("snils", "112-233-445 95"),
            ("family_name", "Петрова"),
            ("first_name", "Анна"),
            ("birth_date", "01.05.1980"),
            ("gender", "Женский"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let xml = kinds.answer("sfr_snils", &form, false).unwrap().unwrap();
        assert!(xml.contains("<tns:Snils>11223344595</tns:Snils>"), "{xml}");
        // A value the schema needs, missing: refused in the form's words.
        let mut short = form.clone();
        short.remove("gender");
        let e = kinds
            .answer("sfr_snils", &short, false)
            .unwrap()
            .unwrap_err();
        assert!(e.contains("«Пол»"), "{e}");
        // A package with no answer mapping: the node writes no answer of its own.
        let e = kinds
            .answer("fns_egrul", &form, false)
            .unwrap()
            .unwrap_err();
        assert!(e.contains("не задаёт, как составить ответ"), "{e}");
        // No package at all: the kind's own (pre-package) writer decides.
        assert!(kinds.answer("household_book", &form, false).is_none());
        drop(kinds);
        let _ = std::fs::remove_dir_all(&tmp);
    }
}
