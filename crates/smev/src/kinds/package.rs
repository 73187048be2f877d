//! Opening a kind's package: its description read, every file pinned by its hash, the
//! schema set compiled, the roots it names declared by it, its samples valid. Refusals are
//! in Russian: an administrator reads them when a package is added.

use super::answer::{self, Labels};
use super::mapping::{self, Body, Context, MappingError};
use crate::xml::Element;
use serde::Deserialize;
use sha2::Digest;
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use volost_xsd::{Invalid, Schema};

/// The description file at the package's root.
pub const DESCRIPTION: &str = "kind.toml";
/// A request in the schema's structure, which must validate.
pub const SAMPLE_REQUEST: &str = "samples/request.xml";
/// An answer in the schema's structure, which must validate where the package has one.
pub const SAMPLE_ANSWER: &str = "samples/answer.xml";
/// The staff form's values the mapping's sample request is made from (a JSON object).
pub const SAMPLE_FORM: &str = "samples/form.json";
/// The answer form's values the answer mapping's sample answer is made from (a JSON object).
pub const SAMPLE_ANSWER_FORM: &str = "samples/answer_form.json";
/// The staff form's fields, as the catalog writes them (`[[field]]`).
pub const FORM: &str = "form.toml";

/// No file of a package is larger; the agencies' largest schema documents are far smaller.
const MAX_FILE: u64 = 8 << 20;
/// Nor all of them together.
const MAX_TOTAL: u64 = 32 << 20;
const MAX_FILES: usize = 200;

/// `kind.toml`: what the kind is and what it speaks.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Description {
    /// The kind's code in the catalog (`sfr_snils`).
    pub code: String,
    pub name: String,
    /// The agency that answers.
    pub agency: String,
    /// The ВС's namespace: the request's and the answer's root elements are in it.
    pub namespace: String,
    /// The ВС's version, as the agency publishes it.
    pub version: String,
    /// The main schema document, a path in the package.
    pub schema: String,
    pub request_root: String,
    /// None where the agency has not published the answer's schema.
    #[serde(default)]
    pub answer_root: Option<String>,
    /// Whether the request carries the employee's signature (ЭП-СП). SMEV signs the element
    /// right under MessagePrimaryContent by its `Id`: the ВС must allow one on its root.
    #[serde(default)]
    pub personal_signature: bool,
    /// What staff and administrators should know of the package's sources (a version that
    /// differs from the one the agency names, an unpublished part).
    #[serde(default)]
    pub note: Option<String>,
    /// The mapping from the staff form to the request ([`super::mapping`]), a path in the
    /// package; with it, `samples/form.json` must map to a request the schema takes.
    #[serde(default)]
    pub mapping: Option<String>,
    /// The answer form's values read from an answer (answer form key → a text with
    /// `{PATH | CONV}` in it, the paths of [`super::intake`] from the answer's root): the
    /// summary the card and the application show, beside the whole answer.
    #[serde(default)]
    pub summary: BTreeMap<String, String>,
    /// The mapping from the answer form to the answer, where the node answers requests of
    /// this ВС as its provider; `samples/answer_form.json` must map to an answer the schema
    /// takes. Without one the node does not answer them (it writes no element of its own).
    #[serde(default)]
    pub answer_mapping: Option<String>,
    /// Documents the ВС takes zipped in one attachment beside the element (Росреестр's
    /// statement and its inventory), each on its own schema ([`super::packet`]).
    #[serde(default)]
    pub packet: Option<super::packet::PacketSpec>,
    /// What makes it a portal's intake rather than a kind the node asks for: applications
    /// delivered in this schema, and the statuses back ([`super::intake`]).
    #[serde(default)]
    pub intake: Option<super::intake::IntakeSpec>,
    /// Every file of the package but this one, with its SHA-256 in hex.
    pub files: BTreeMap<String, String>,
}

/// A package that was opened and checked.
#[derive(Debug)]
pub struct Package {
    pub dir: PathBuf,
    pub description: Description,
}

/// Why a package is refused.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error("{path}: не удалось прочитать: {why}")]
    Unreadable { path: String, why: String },
    #[error("kind.toml: {0}")]
    Description(String),
    #[error("{0}: путь должен вести к файлу внутри пакета")]
    Outside(String),
    #[error("{path}: файл больше {limit} байт")]
    TooLarge { path: String, limit: u64 },
    #[error("в пакете больше {MAX_FILES} файлов или больше {MAX_TOTAL} байт")]
    TooMuch,
    #[error("{0}: файл изменён — его SHA-256 не тот, что указан в kind.toml")]
    Changed(String),
    #[error("{0}: файла нет в списке files в kind.toml")]
    Unlisted(String),
    #[error("схема не компилируется: {0}")]
    Schema(String),
    #[error("схема не объявляет корневой элемент {{{ns}}}{root}")]
    NoRoot { ns: String, root: String },
    #[error("{path} не соответствует схеме: {why}")]
    Sample { path: String, why: String },
    #[error("отображение формы {path}: {why}")]
    Mapping { path: String, why: String },
    #[error("форма (form.toml): {0}")]
    Form(String),
    #[error(
        "ЭП-СП невозможна для этого ВС: схема не допускает атрибут Id у корневого элемента \
         {0}, а СМЭВ подписывает его по Id"
    )]
    NoPersonalId(String),
}

fn read_limited(dir: &Path, rel: &str) -> Result<Vec<u8>, PackageError> {
    let path = inside(dir, rel).ok_or_else(|| PackageError::Outside(rel.to_string()))?;
    let unreadable = |e: std::io::Error| PackageError::Unreadable {
        path: rel.to_string(),
        why: e.to_string(),
    };
    let meta = std::fs::symlink_metadata(&path).map_err(unreadable)?;
    if !meta.is_file() {
        return Err(PackageError::Unreadable {
            path: rel.to_string(),
            why: "не обычный файл".into(),
        });
    }
    if meta.len() > MAX_FILE {
        return Err(PackageError::TooLarge {
            path: rel.to_string(),
            limit: MAX_FILE,
        });
    }
    std::fs::read(&path).map_err(unreadable)
}

/// `rel` as a path inside `dir`: relative, plain names, no `..`.
fn inside(dir: &Path, rel: &str) -> Option<PathBuf> {
    let p = Path::new(rel);
    let plain = !rel.is_empty()
        && !rel.contains('\\')
        && p.components().all(|c| matches!(c, Component::Normal(_)));
    plain.then(|| dir.join(p))
}

fn sha256_hex(data: &[u8]) -> String {
    sha2::Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every regular file under `dir`, as paths relative to it with `/`.
fn walk(dir: &Path, rel: &str, out: &mut Vec<String>) -> Result<(), PackageError> {
    let here = if rel.is_empty() {
        dir.to_path_buf()
    } else {
        dir.join(rel)
    };
    let entries = std::fs::read_dir(&here).map_err(|e| PackageError::Unreadable {
        path: rel.to_string(),
        why: e.to_string(),
    })?;
    for e in entries {
        let e = e.map_err(|e| PackageError::Unreadable {
            path: rel.to_string(),
            why: e.to_string(),
        })?;
        let name = e.file_name().to_string_lossy().into_owned();
        let path = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        let kind = e.file_type().map_err(|err| PackageError::Unreadable {
            path: path.clone(),
            why: err.to_string(),
        })?;
        if kind.is_dir() {
            walk(dir, &path, out)?;
        } else {
            out.push(path);
        }
        if out.len() > MAX_FILES {
            return Err(PackageError::TooMuch);
        }
    }
    Ok(())
}

fn ncname(s: &str) -> bool {
    let mut c = s.chars();
    c.next().is_some_and(|f| f.is_alphabetic() || f == '_')
        && c.all(|x| x.is_alphanumeric() || matches!(x, '_' | '-' | '.'))
}

impl Description {
    fn check(&self) -> Result<(), PackageError> {
        let bad = |m: &str| Err(PackageError::Description(m.to_string()));
        if self.code.is_empty()
            || self.code.len() > 64
            || !self
                .code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return bad("code: латинские строчные буквы, цифры и «_», до 64 знаков");
        }
        if self.name.trim().is_empty() || self.agency.trim().is_empty() {
            return bad("name и agency обязательны");
        }
        if self.namespace.trim().is_empty() || self.version.trim().is_empty() {
            return bad("namespace и version обязательны");
        }
        for root in std::iter::once(&self.request_root).chain(self.answer_root.iter()) {
            if !ncname(root) {
                return Err(PackageError::Description(format!(
                    "«{root}» не имя элемента XML"
                )));
            }
        }
        if !self.files.contains_key(&self.schema) {
            return bad("schema: главный документ схемы должен быть в списке files");
        }
        if let Some(m) = &self.mapping
            && [m.as_str(), FORM, SAMPLE_FORM]
                .iter()
                .any(|f| !self.files.contains_key(*f))
        {
            return bad(
                "mapping: отображение, form.toml и samples/form.json должны быть в списке files",
            );
        }
        if !self.files.contains_key(SAMPLE_REQUEST) {
            return bad("samples/request.xml: пример запроса обязателен и должен быть в files");
        }
        for (path, hash) in &self.files {
            if path == DESCRIPTION {
                return bad("kind.toml не указывают в files");
            }
            if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(PackageError::Description(format!(
                    "files.\"{path}\": SHA-256 — 64 шестнадцатеричные цифры"
                )));
            }
        }
        Ok(())
    }
}

impl Package {
    /// Opens the package in `dir` and checks all of it; nothing of a refused package is used.
    pub fn open(dir: &Path) -> Result<Package, PackageError> {
        let text = read_limited(dir, DESCRIPTION)?;
        let text = String::from_utf8(text)
            .map_err(|_| PackageError::Description("не в кодировке UTF-8".into()))?;
        let description: Description =
            toml::from_str(&text).map_err(|e| PackageError::Description(e.to_string()))?;
        description.check()?;
        // Every file pinned, every file there listed.
        let mut total = 0u64;
        for (path, want) in &description.files {
            let data = read_limited(dir, path)?;
            total += data.len() as u64;
            if total > MAX_TOTAL {
                return Err(PackageError::TooMuch);
            }
            if !sha256_hex(&data).eq_ignore_ascii_case(want) {
                return Err(PackageError::Changed(path.clone()));
            }
        }
        let mut present = Vec::new();
        walk(dir, "", &mut present)?;
        if let Some(extra) = present
            .into_iter()
            .filter(|p| p != DESCRIPTION)
            .find(|p| !description.files.contains_key(p))
        {
            return Err(PackageError::Unlisted(extra));
        }
        let package = Package {
            dir: dir.to_path_buf(),
            description,
        };
        let mut schema = package.schema()?;
        let d = &package.description;
        for root in std::iter::once(&d.request_root).chain(d.answer_root.iter()) {
            if !schema.declares(&d.namespace, root) {
                return Err(PackageError::NoRoot {
                    ns: d.namespace.clone(),
                    root: root.clone(),
                });
            }
        }
        let request = package.sample(&mut schema, SAMPLE_REQUEST)?;
        if d.answer_root.is_some() && d.files.contains_key(SAMPLE_ANSWER) {
            package.sample(&mut schema, SAMPLE_ANSWER)?;
        }
        if d.mapping.is_some() {
            package.sample_mapping(&mut schema)?;
        }
        if d.packet.is_some() {
            super::packet::check(&package)?;
        }
        if !d.summary.is_empty() && d.files.contains_key(SAMPLE_ANSWER) {
            // The summary must read the sample answer without a fault in its paths.
            let text = String::from_utf8(read_limited(&package.dir, SAMPLE_ANSWER)?)
                .map_err(|_| PackageError::Description("samples/answer.xml: не UTF-8".into()))?;
            let root = crate::xml::parse(&text).map_err(|e| PackageError::Sample {
                path: SAMPLE_ANSWER.into(),
                why: e.to_string(),
            })?;
            package
                .summary(&root)
                .map_err(|e| PackageError::Description(format!("summary: {e}")))?;
        }
        if let Some(template) = package.answer_mapping()? {
            let text = read_limited(&package.dir, SAMPLE_ANSWER_FORM)?;
            let form: BTreeMap<String, String> =
                serde_json::from_slice(&text).map_err(|e| PackageError::Sample {
                    path: SAMPLE_ANSWER_FORM.into(),
                    why: e.to_string(),
                })?;
            render_sample(&template, &mut schema, &form, SAMPLE_ANSWER_FORM)?;
        }
        if let Some(spec) = &d.intake {
            super::intake::check_package(&package, spec, &mut schema)?;
        }
        if d.personal_signature && !takes_id(&mut schema, &request) {
            return Err(PackageError::NoPersonalId(d.request_root.clone()));
        }
        Ok(package)
    }

    /// The package's schema set, compiled (once per thread that validates with it: libxml2's
    /// contexts are not shared).
    pub fn schema(&self) -> Result<Schema, PackageError> {
        self.schema_at(&self.description.schema)
    }

    /// The schema set whose main document is `path` in the package (the ВС's, or a packet
    /// document's), compiled.
    pub fn schema_at(&self, path: &str) -> Result<Schema, PackageError> {
        let d = &self.description;
        let schema = Schema::compile(&self.dir, path)
            .map_err(|e| PackageError::Schema(format!("{path}: {e}")))?;
        // What the set reads is what the hashes pin.
        let root = self
            .dir
            .canonicalize()
            .map_err(|e| PackageError::Unreadable {
                path: ".".into(),
                why: e.to_string(),
            })?;
        for f in schema.files() {
            let rel = f
                .strip_prefix(&root)
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            if !d.files.contains_key(&rel) {
                return Err(PackageError::Unlisted(rel));
            }
        }
        Ok(schema)
    }

    /// The mapping, parsed.
    pub fn mapping(&self) -> Result<Option<Element>, PackageError> {
        let d = &self.description;
        d.mapping
            .as_ref()
            .map(|path| self.read_mapping(path, Some(&d.request_root)))
            .transpose()
    }

    /// A mapping of the package (`path`) parsed; with `root`, its root must be that element
    /// of the ВС's namespace (a packet document's mapping is on another schema).
    pub fn read_mapping(&self, path: &str, root: Option<&str>) -> Result<Element, PackageError> {
        let bad = |why: String| PackageError::Mapping {
            path: path.to_string(),
            why,
        };
        let text = String::from_utf8(read_limited(&self.dir, path)?)
            .map_err(|_| bad("не в кодировке UTF-8".into()))?;
        let e = crate::xml::parse(&text).map_err(|e| bad(e.to_string()))?;
        let ns = &self.description.namespace;
        match root {
            Some(root) if !e.is(ns, root) => Err(bad(format!("корень не {{{ns}}}{root}"))),
            _ => Ok(e),
        }
    }

    /// The answer form's values the package's summary reads from the answer `root`.
    pub fn summary(&self, root: &Element) -> Result<BTreeMap<String, String>, String> {
        let mut out = BTreeMap::new();
        for (key, expr) in &self.description.summary {
            let v = super::intake::extract(root, expr)?;
            if !v.is_empty() {
                out.insert(key.clone(), v);
            }
        }
        Ok(out)
    }

    /// The answer mapping, parsed; its root must be the ВС's answer root.
    pub fn answer_mapping(&self) -> Result<Option<Element>, PackageError> {
        let d = &self.description;
        let Some(path) = &d.answer_mapping else {
            return Ok(None);
        };
        let bad = |why: String| PackageError::Mapping {
            path: path.clone(),
            why,
        };
        let root = d
            .answer_root
            .as_deref()
            .ok_or_else(|| bad("у ВС нет опубликованной схемы ответа".into()))?;
        if !d.files.contains_key(SAMPLE_ANSWER_FORM) {
            return Err(bad(format!("нужен {SAMPLE_ANSWER_FORM} в списке files")));
        }
        self.read_mapping(path, Some(root)).map(Some)
    }

    /// The request made from `form` through the mapping, validated against the schema: what
    /// the node would send. `Ok(None)` for a package with no mapping.
    pub fn render(
        &self,
        schema: &mut Schema,
        cx: &mut Context<'_>,
    ) -> Result<Option<String>, RenderError> {
        let Some(template) = self.mapping().map_err(RenderError::Package)? else {
            return Ok(None);
        };
        render_template(&template, schema, cx).map(Some)
    }

    /// The packet's documents made from the form, each validated against its own schema
    /// set (compiled here: for the command line and tests; the node keeps compiled sets),
    /// as (its name in the archive, the document). Empty without a packet.
    pub fn render_documents(
        &self,
        cx: &mut Context<'_>,
    ) -> Result<Vec<(String, String)>, RenderError> {
        let templates = super::packet::templates(self).map_err(RenderError::Package)?;
        let docs = self.description.packet.iter().flat_map(|s| &s.documents);
        let mut out = Vec::new();
        for (d, t) in docs.zip(&templates) {
            let mut schema = self.schema_at(&d.schema).map_err(RenderError::Package)?;
            out.push((d.file.clone(), render_template(t, &mut schema, cx)?));
        }
        Ok(out)
    }

    /// [`Package::render`] with the mapping parsed already (a loaded package keeps it).
    pub fn render_with(
        &self,
        template: &Element,
        schema: &mut Schema,
        cx: &mut Context<'_>,
    ) -> Result<String, RenderError> {
        render_template(template, schema, cx)
    }

    /// What staff read when a form is refused: the form's own labels, not the XML's names.
    /// A value the agency's schema refuses is traced back to the field the mapping put in
    /// the element libxml2 names; libxml2's own words stay for the log.
    pub fn refusal(&self, e: &RenderError) -> String {
        let fields = self.form().unwrap_or_default();
        let label = |key: &str| {
            fields
                .iter()
                .find(|f| f.key == key)
                .map_or_else(|| key.to_string(), |f| f.label.clone())
        };
        match e {
            RenderError::Mapping(MappingError::Missing { field }) => match body_detail(field) {
                Some(what) => format!(
                    "в сведениях об органе нет: {what}, а ведомство их требует; администратор \
                     вносит их командой volost org set"
                ),
                None => format!("«{}»: ведомство требует заполнить", label(field)),
            },
            RenderError::Mapping(MappingError::Date { field, value }) => {
                format!("«{}»: «{value}» — не дата ДД.ММ.ГГГГ", label(field))
            }
            RenderError::Mapping(MappingError::NotAChoice {
                field,
                value,
                allowed,
            }) => format!(
                "«{}»: значение «{value}» не из списка ({allowed})",
                label(field)
            ),
            RenderError::Invalid(Invalid::Schema(problems)) => {
                let mut templates: Vec<Element> =
                    self.mapping().ok().flatten().into_iter().collect();
                templates.extend(super::packet::templates(self).unwrap_or_default());
                let mut keys = Vec::new();
                for p in problems {
                    let Some(local) = named_element(&p.message) else {
                        continue;
                    };
                    for e in templates.iter().flat_map(|t| t.descendants()) {
                        if e.local == local {
                            for k in element_keys(e) {
                                if !keys.contains(&k) {
                                    keys.push(k);
                                }
                            }
                        }
                    }
                }
                if keys.is_empty() {
                    return e.to_string();
                }
                let names: Vec<String> = keys.iter().map(|k| format!("«{}»", label(k))).collect();
                format!(
                    "ведомство не примет {}: {}; проверьте {}",
                    if names.len() == 1 {
                        "значение поля"
                    } else {
                        "значения полей"
                    },
                    names.join(", "),
                    if names.len() == 1 { "его" } else { "их" }
                )
            }
            other => other.to_string(),
        }
    }

    /// The staff form's fields (empty for a package with no mapping).
    pub fn form(&self) -> Result<Vec<volost_domain::Field>, PackageError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct FormFile {
            #[serde(rename = "field", default)]
            fields: Vec<volost_domain::Field>,
        }
        if self.description.mapping.is_none() {
            return Ok(Vec::new());
        }
        let text = String::from_utf8(read_limited(&self.dir, FORM)?)
            .map_err(|_| PackageError::Form("не в кодировке UTF-8".into()))?;
        let f: FormFile = toml::from_str(&text).map_err(|e| PackageError::Form(e.to_string()))?;
        volost_domain::spec::check_fields(&self.description.code, &f.fields, false)
            .map_err(PackageError::Form)?;
        Ok(f.fields)
    }

    /// The form's fields and the mapping agree: the mapping takes only the form's fields
    /// and every one of them.
    fn check_form(
        &self,
        template: &Element,
        fields: &[volost_domain::Field],
    ) -> Result<(), PackageError> {
        // Values and conditions only: the template's comments are not read. A packet's
        // documents take the form's fields as the element does.
        let packet = super::packet::templates(self)?;
        let used: std::collections::BTreeSet<String> = std::iter::once(template)
            .chain(packet.iter())
            .flat_map(Element::descendants)
            .flat_map(element_keys)
            .collect();
        if let Some(k) = used.iter().find(|k| !fields.iter().any(|f| &f.key == *k)) {
            return Err(PackageError::Form(format!(
                "отображение берёт поле {k}, которого в форме нет"
            )));
        }
        if let Some(f) = fields.iter().find(|f| !used.contains(&f.key)) {
            return Err(PackageError::Form(format!(
                "поле {} («{}») отображение никуда не ставит",
                f.key, f.label
            )));
        }
        Ok(())
    }

    /// The sample form, mapped for a sample body, must make a valid request — with each
    /// value of every choice field, so that the mapping knows them all.
    fn sample_mapping(&self, schema: &mut Schema) -> Result<(), PackageError> {
        let Some(template) = self.mapping()? else {
            return Ok(());
        };
        let fields = self.form()?;
        self.check_form(&template, &fields)?;
        let text = read_limited(&self.dir, SAMPLE_FORM)?;
        let bad = |why: String| PackageError::Sample {
            path: SAMPLE_FORM.into(),
            why,
        };
        let form: BTreeMap<String, String> =
            serde_json::from_slice(&text).map_err(|e| bad(e.to_string()))?;
        for f in &fields {
            let v = form.get(&f.key).map_or("", String::as_str);
            volost_domain::validate::field(f, v)
                .map_err(|why| bad(format!("поле {} («{}»): {why}", f.key, f.label)))?;
        }
        if let Some(k) = form.keys().find(|k| !fields.iter().any(|f| &f.key == *k)) {
            return Err(bad(format!("поля {k} в форме нет")));
        }
        render_sample(&template, schema, &form, SAMPLE_FORM)?;
        for f in fields.iter().filter(|f| !f.choices.is_empty()) {
            for c in &f.choices {
                let mut other = form.clone();
                other.insert(f.key.clone(), c.clone());
                render_sample(&template, schema, &other, SAMPLE_FORM)
                    .map_err(|e| bad(format!("поле {} со значением «{c}»: {e}", f.key)))?;
            }
        }
        Ok(())
    }

    /// The labels the schema set gives its elements and attributes.
    pub fn labels(&self, schema: &Schema) -> Labels {
        let texts: Vec<String> = schema
            .files()
            .iter()
            .filter_map(|f| std::fs::read_to_string(f).ok())
            .collect();
        Labels::from_schemas(texts.iter().map(String::as_str))
    }

    /// An answer as staff see it: its lines, labelled by the schema; `problem` says why it is
    /// not a valid answer of this kind, when it is not (it is shown all the same, and kept).
    pub fn read_answer(&self, schema: &mut Schema, xml: &[u8]) -> Result<ReadAnswer, String> {
        let labels = self.labels(schema);
        self.read_answer_labelled(schema, &labels, xml)
    }

    /// [`Package::read_answer`] with the schema's labels read already.
    pub fn read_answer_labelled(
        &self,
        schema: &mut Schema,
        labels: &Labels,
        xml: &[u8],
    ) -> Result<ReadAnswer, String> {
        let text =
            std::str::from_utf8(xml).map_err(|_| "ответ не в кодировке UTF-8".to_string())?;
        let root = crate::xml::parse(text).map_err(|e| format!("ответ не XML: {e}"))?;
        let d = &self.description;
        let problem = match &d.answer_root {
            Some(r) if !root.is(&d.namespace, r) => Some(format!(
                "корневой элемент не {{{}}}{r}, а {{{}}}{}",
                d.namespace,
                root.ns.as_deref().unwrap_or(""),
                root.local
            )),
            None => Some("схема ответа этого ВС не опубликована: ответ не проверен".into()),
            Some(_) => schema
                .validate(xml)
                .err()
                .map(|e| format!("ответ не соответствует схеме ВС: {e}")),
        };
        Ok(ReadAnswer {
            lines: answer::lines(&root, labels),
            problem,
        })
    }

    /// Reads a sample and validates it.
    fn sample(&self, schema: &mut Schema, path: &str) -> Result<String, PackageError> {
        let data = read_limited(&self.dir, path)?;
        schema.validate(&data).map_err(|e| PackageError::Sample {
            path: path.to_string(),
            why: e.to_string(),
        })?;
        String::from_utf8(data).map_err(|_| PackageError::Sample {
            path: path.to_string(),
            why: "не в кодировке UTF-8".into(),
        })
    }
}

/// An answer read for staff.
#[derive(Debug)]
pub struct ReadAnswer {
    pub lines: Vec<answer::Line>,
    /// Why it is not a valid answer of this kind, when it is not.
    pub problem: Option<String>,
}

/// Maps the sample form `form` for the sample body; a refusal is said of `path`, the
/// sample it came from.
pub(super) fn render_sample(
    template: &Element,
    schema: &mut Schema,
    form: &BTreeMap<String, String>,
    path: &str,
) -> Result<(), PackageError> {
    let bad = |why: String| PackageError::Sample {
        path: path.to_string(),
        why,
    };
    let body = sample_body();
    let mut n = 0u32;
    let mut guid = || {
        n += 1;
        format!("00000000-0000-4000-8000-{n:012}")
    };
    let mut cx = Context {
        form,
        now: time::macros::datetime!(2026-01-15 10:30 +7),
        body: &body,
        number: Some("2026-000001"),
        guid: &mut guid,
    };
    render_template(template, schema, &mut cx).map_err(|e| bad(e.to_string()))?;
    Ok(())
}

/// Maps a form through `template` and validates the result against the schema.
pub(super) fn render_template(
    template: &Element,
    schema: &mut Schema,
    cx: &mut Context<'_>,
) -> Result<String, RenderError> {
    let xml = mapping::render(template, cx).map_err(RenderError::Mapping)?;
    schema
        .validate(xml.as_bytes())
        .map_err(RenderError::Invalid)?;
    Ok(xml)
}

/// The form keys an element's own values name (its attributes and text, not its children's).
fn element_keys(e: &Element) -> std::collections::BTreeSet<String> {
    let texts = e.children.iter().filter_map(|c| match c {
        crate::xml::Node::Text(t) => Some(t.as_str()),
        _ => None,
    });
    e.attrs
        .iter()
        .map(|a| a.value.as_str())
        .chain(texts)
        .flat_map(form_keys)
        .collect()
}

/// What staff call a detail of the body a mapping takes (`body.kpp`), when it is one.
fn body_detail(source: &str) -> Option<&'static str> {
    Some(match source {
        "body.kpp" => "КПП",
        "body.registered" => "дата государственной регистрации",
        "body.inn" => "ИНН",
        "body.ogrn" => "ОГРН",
        "body.oktmo" => "ОКТМО",
        "body.name" => "наименование",
        _ => return None,
    })
}

/// The local name of the element a libxml2 message is about: `Element '{ns}Local': …`.
fn named_element(message: &str) -> Option<String> {
    let rest = message.strip_prefix("Element '")?;
    let name = rest.split('\'').next()?;
    Some(name.rsplit('}').next().unwrap_or(name).to_string())
}

/// The form keys a mapping's text names (`form.KEY`, in values and in `v:if`).
fn form_keys(text: &str) -> std::collections::BTreeSet<String> {
    text.match_indices("form.")
        .map(|(i, _)| {
            text[i + "form.".len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect::<String>()
        })
        .filter(|k| !k.is_empty())
        .collect()
}

/// Why a form did not make a request the agency takes.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("{0}")]
    Package(PackageError),
    #[error("{0}")]
    Mapping(MappingError),
    #[error("запрос не соответствует схеме ВС: {0}")]
    Invalid(Invalid),
}

/// The body a package's sample is made for: codes of the right shape, no real body's.
pub fn sample_body() -> Body {
    Body {
        name: "Администрация Петропавловского сельсовета".into(),
        oktmo: "01612420".into(),
        inn: "2235001234".into(),
        ogrn: "1022201234567".into(),
        kpp: "223501001".into(),
        registered: "2002-11-20".into(),
    }
}

/// Whether the sample request still validates with an `Id` on its root, as the employee's
/// signature needs.
fn takes_id(schema: &mut Schema, request: &str) -> bool {
    let body = request.trim_start();
    let body = match body.strip_prefix("<?xml") {
        Some(rest) => rest.split_once("?>").map_or("", |(_, b)| b).trim_start(),
        None => body,
    };
    // The root's start tag: its name ends at the first space, `/` or `>`.
    let Some(end) = body.find([' ', '>', '/', '\n', '\t', '\r']) else {
        return false;
    };
    let with_id = format!("{} Id=\"PERSONAL_SIGNATURE\"{}", &body[..end], &body[end..]);
    schema.validate(with_id.as_bytes()).is_ok()
}

#[cfg(test)]
mod tests;
