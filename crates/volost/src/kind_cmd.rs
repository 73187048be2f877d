//! `volost smev business`: the business XML the node would send for a kind, made by the
//! kind's package from its sample form or from form values in a JSON file, and validated
//! against the agency's schema (docs/design/kinds.md). A refusal is said in Russian and
//! ends with exit status 1.

use anyhow::{Context, Result, anyhow, bail};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use volost::smev::kinds::package::{SAMPLE_FORM, sample_body};
use volost::smev::kinds::{mapping, starter};

/// A form file is a few hundred bytes; no more than this is read.
const MAX_FORM: u64 = 64 << 10;

fn read_form(path: &Path) -> Result<BTreeMap<String, String>> {
    let f = std::fs::File::open(path)
        .with_context(|| format!("не удалось открыть {}", path.display()))?;
    let mut text = Vec::new();
    f.take(MAX_FORM + 1)
        .read_to_end(&mut text)
        .with_context(|| format!("не удалось прочитать {}", path.display()))?;
    if text.len() as u64 > MAX_FORM {
        bail!("{}: больше {MAX_FORM} байт", path.display());
    }
    parse_form(&text).map_err(|why| anyhow!("{}: {why}", path.display()))
}

fn parse_form(text: &[u8]) -> std::result::Result<BTreeMap<String, String>, String> {
    serde_json::from_slice(text)
        .map_err(|_| "ожидается объект JSON: ключи полей формы и их значения строками".into())
}

/// An answer's business element is read whole; SMEV's own limit on a message is far above
/// what a business answer holds, and its files travel apart.
const MAX_ANSWER: u64 = 16 << 20;

/// The package of `kind`, written out into `dir`.
fn package(kind: &str, dir: &Path) -> Result<volost::smev::kinds::Package> {
    starter::open(kind, dir)
        .map_err(|e| anyhow!("пакет вида сведений «{kind}»: {e}"))?
        .ok_or_else(|| {
            anyhow!(
                "вида сведений «{kind}» нет среди пакетов узла: {}",
                starter::codes().collect::<Vec<_>>().join(", ")
            )
        })
}

pub fn business(kind: &str, form: Option<&Path>, documents: Option<&Path>) -> Result<()> {
    let dir = tempfile::tempdir().context("не удалось создать временную папку")?;
    let package = package(kind, dir.path())?;
    let d = &package.description;
    if d.mapping.is_none() {
        bail!(
            "у вида сведений «{kind}» ещё нет отображения формы в запрос{}",
            d.note
                .as_ref()
                .map(|n| format!(": {n}"))
                .unwrap_or_default()
        );
    }
    let values = match form {
        Some(path) => read_form(path)?,
        None => parse_form(&std::fs::read(package.dir.join(SAMPLE_FORM))?)
            .map_err(|why| anyhow!("{SAMPLE_FORM}: {why}"))?,
    };
    let mut schema = package.schema()?;
    let body = sample_body();
    let mut guid = mapping::new_guid;
    let mut cx = mapping::Context {
        form: &values,
        now: time::OffsetDateTime::now_utc(),
        body: &body,
        // The sample body's request number, as the sample body stands for the node's.
        number: Some("2026-000001"),
        guid: &mut guid,
    };
    // The form's own labels for staff; what the schema said, for support.
    let refused = |e: volost::smev::kinds::package::RenderError| match &e {
        volost::smev::kinds::package::RenderError::Invalid(detail) => {
            anyhow!("{}\n(схема ВС: {detail})", package.refusal(&e))
        }
        _ => anyhow!("{}", package.refusal(&e)),
    };
    let xml = match package.render(&mut schema, &mut cx) {
        Ok(Some(xml)) => xml,
        Ok(None) => bail!("у вида сведений «{kind}» нет отображения формы"),
        Err(e) => return Err(refused(e)),
    };
    let documents_dir = documents;
    let documents = package.render_documents(&mut cx).map_err(refused)?;
    println!("{xml}");
    // What travels zipped beside the element, where the ВС takes documents so; the node
    // signs those that say so when it sends.
    if let Some(p) = &d.packet {
        let Some(dir) = documents_dir else {
            eprintln!(
                "Во вложении {}: {} (--documents ПАПКА запишет их)",
                p.name,
                p.documents
                    .iter()
                    .map(|x| x.file.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            return Ok(());
        };
        std::fs::create_dir_all(dir)
            .with_context(|| format!("не удалось создать {}", dir.display()))?;
        for (file, xml) in &documents {
            let path = dir.join(file);
            std::fs::write(&path, format!("{}{xml}", volost::smev::packet::DECLARATION))
                .with_context(|| format!("не удалось записать {}", path.display()))?;
            eprintln!("{}: записан (во вложении {})", path.display(), p.name);
        }
    }
    Ok(())
}

/// `volost smev answer`: an answer's business element as staff see it, labelled by the
/// agency's schema; exit 1 (after the lines) when it is not a valid answer of this kind.
pub fn answer(kind: &str, file: &Path) -> Result<()> {
    let dir = tempfile::tempdir().context("не удалось создать временную папку")?;
    let package = package(kind, dir.path())?;
    let f = std::fs::File::open(file)
        .with_context(|| format!("не удалось открыть {}", file.display()))?;
    let mut xml = Vec::new();
    f.take(MAX_ANSWER + 1)
        .read_to_end(&mut xml)
        .with_context(|| format!("не удалось прочитать {}", file.display()))?;
    if xml.len() as u64 > MAX_ANSWER {
        bail!("{}: больше {MAX_ANSWER} байт", file.display());
    }
    let mut schema = package.schema()?;
    let read = package
        .read_answer(&mut schema, &xml)
        .map_err(|why| anyhow!("{}: {why}", file.display()))?;
    for l in &read.lines {
        let indent = "  ".repeat(l.depth);
        if l.value.is_empty() {
            println!("{indent}{}", l.label);
        } else {
            println!("{indent}{}: {}", l.label, l.value);
        }
    }
    match read.problem {
        Some(why) => bail!("{why}"),
        None => Ok(()),
    }
}

/// `volost kind import DIR`: the package read from its folder, checked by the node and kept.
pub fn import(config: Option<&Path>, login: &str, dir: &Path) -> Result<()> {
    let files = volost::smev::kinds::loaded::read_dir(dir)
        .map_err(|why| anyhow!("{}: {why}", dir.display()))?;
    let mut seat = crate::cli::Seat::open(config, login)?;
    let call = volost::api::call::ImportKind {
        files: files
            .iter()
            .map(|f| (f.path.clone(), volost::api::Bytes(f.data.clone())))
            .collect(),
    };
    let r: volost::api::view::KindImport = seat.ask(call, |n, a| n.import_kind(a, &files))?;
    let i = &r.info;
    if r.unchanged {
        println!(
            "Пакет {} версии {} уже загружен, ничего не изменилось",
            i.code, i.version
        );
    } else {
        println!(
            "{} пакет {} «{}» версии {} ({})",
            if r.replaced {
                "Заменён"
            } else {
                "Загружен"
            },
            i.code,
            i.name,
            i.version,
            i.agency
        );
    }
    println!("ВС: {{{}}}{}", i.namespace, i.request_root);
    if let Some(intake) = &i.intake {
        println!(
            "Приём заявлений портала для услуги {}: подключён к услугам: {}",
            intake.service, r.services_bound
        );
    }
    if r.kinds_added + r.kinds_updated > 0 {
        println!(
            "Виды сведений: добавлено {}, обновлено {}",
            r.kinds_added, r.kinds_updated
        );
    }
    Ok(())
}

/// `volost kind list`: each package the node keeps with its ВС namespace, root and version.
pub fn list(config: Option<&Path>, login: &str) -> Result<()> {
    let mut seat = crate::cli::Seat::open(config, login)?;
    let all: Vec<volost::api::view::PackageSummary> =
        seat.ask(volost::api::call::KindPackages, |n, a| n.kind_packages(a))?;
    if all.is_empty() {
        println!("Пакетов видов сведений на узле нет");
    }
    for p in all {
        let i = &p.info;
        println!("{}\t{}\t{}", i.code, i.version, i.name);
        println!("  ВС: {{{}}}{}", i.namespace, i.request_root);
        if let Some(intake) = &i.intake {
            println!("  приём заявлений портала для услуги {}", intake.service);
        }
        match &i.answer_root {
            Some(a) => println!("  ответ: {a}"),
            None => println!("  ответ: схема не опубликована"),
        }
        println!(
            "  ЭП-СП: {}; файлов {}, {} байт; загружен {}{}",
            if i.personal_signature {
                "да"
            } else {
                "нет"
            },
            p.files,
            p.bytes,
            volost::domain::display_date(p.installed.date(time::UtcOffset::UTC)),
            if p.installed_by.is_empty() {
                String::new()
            } else {
                format!(" ({})", p.installed_by)
            }
        );
        if let Some(n) = &i.note {
            println!("  {n}");
        }
    }
    Ok(())
}
