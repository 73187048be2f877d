//! Файлы: attachments of applications and requests. The bytes are kept in the database, in
//! the same transaction as their row and the owner's history, so a backup holds them and a
//! crash cannot leave a row without its data.
//!
//! A file reaches an owner one of two ways: added on the card («Файлы», owner known), or
//! uploaded first and named by a form's file field; the form's save then binds it to the
//! new application or request. An upload nobody binds is removed after a day.

use super::applications::may_open;
use super::{Error, FieldError, Node, R, Result, W, Who, load_row as load};
use std::collections::BTreeMap;
use volost_domain::*;
use volost_store::keys::prefix_upper;
use volost_store::records::{file_loose_prefix, file_owner_prefix};
use volost_store::{Read, Record, sha256_hex, tables};

/// How long an upload waits for the form that names it.
pub const LOOSE_TTL_MS: i64 = 24 * 3600 * 1000;

/// The history entity and id of an owner.
fn entity(owner: FileOwner) -> (Entity, u64) {
    match owner {
        FileOwner::Application(id) => (Entity::Application, id.0),
        FileOwner::Outgoing(id) => (Entity::Outgoing, id.0),
        FileOwner::Incoming(id) => (Entity::Incoming, id.0),
        FileOwner::Regional(id) => (Entity::Regional, id.0),
    }
}

/// Checks that `who` may see the owner's files and, with `change`, add or remove them now.
/// Another body's owner is `NotFound`, as everywhere.
/// The archive shows a finished process's documents to whoever executed one of its tasks,
/// so they may read the application's files too.
fn in_archive_of(t: &impl Read, who: &Who, app: &Application) -> Result<bool> {
    let (Some(p), Some(me)) = (app.process, who.user_id()) else {
        return Ok(false);
    };
    Ok(t.get::<Process>(p.0)?
        .is_some_and(|p| p.finished.is_some() && p.executors.contains(&me)))
}

/// Whether `who` may change an application's files at all: the desk, the executor, the head.
pub(crate) fn may_change(who: &Who) -> bool {
    [
        Right::CreateApplications,
        Right::Decide,
        Right::Approve,
        Right::SuperRights,
        Right::AssignExecutors,
    ]
    .iter()
    .any(|r| who.rights.has(*r))
}

fn owner_access(t: &impl Read, who: &Who, owner: FileOwner, change: bool) -> Result<()> {
    let closed = |what: &str| {
        Err(Error::NotAllowed(format!(
            "{what}: файлы уже не изменяются"
        )))
    };
    match owner {
        FileOwner::Application(id) => {
            let app: Application = load(t, who, id.0)?;
            if !may_open(t, who, &app)? && (change || !in_archive_of(t, who, &app)?) {
                return Err(super::applications::no_rights(&app));
            }
            if change {
                if !may_change(who) {
                    return Err(Error::Forbidden {
                        op: "file.add",
                        right: Right::CreateApplications,
                    });
                }
                if app.status == Status::Closed {
                    return closed("Работа по заявке завершена");
                }
            }
        }
        FileOwner::Outgoing(id) => {
            who.require("file.outgoing", Right::Interagency)?;
            let q: OutgoingRequest = load(t, who, id.0)?;
            // Staff change files only while the request is being formed; the node itself
            // adds the answer's files when it arrives (the request has been sent by then).
            if change && q.status != OutStatus::Formed && who.user.is_some() {
                return closed(q.status.label());
            }
        }
        FileOwner::Incoming(id) => {
            who.require("file.incoming", Right::Interagency)?;
            let q: IncomingRequest = load(t, who, id.0)?;
            if change && q.status != InStatus::Received {
                return closed(q.status.label());
            }
        }
        FileOwner::Regional(id) => {
            who.require("file.regional", Right::Regional)?;
            let q: RegionalRequest = t
                .get(id.0)?
                .filter(|q: &RegionalRequest| q.org == who.org || q.provider_org == Some(who.org))
                .ok_or_else(|| Error::not_found("regional_request", id))?;
            if change && q.status != RegStatus::New {
                return closed(q.status.label());
            }
            // What was signed and sent stays as it went, until it is to be sent again.
            if let Some(r) = q.remote.as_ref().filter(|r| !r.incoming)
                && change
                && who.user.is_some()
                && !r.state.sendable()
            {
                return closed(r.state.label());
            }
        }
    }
    Ok(())
}

/// A file `who` may read: an upload of their own, or a file of an owner they may see.
fn readable(t: &impl Read, who: &Who, id: FileId) -> Result<Attachment> {
    let f: Attachment = t.get(id.0)?.ok_or_else(|| Error::not_found("file", id))?;
    match f.owner {
        None if f.added_by.is_some() && f.added_by == who.user_id() => {}
        None => return Err(Error::not_found("file", id)),
        // A regional request's files come from both bodies; the owner decides who sees them.
        Some(o @ FileOwner::Regional(_)) => owner_access(t, who, o, false)?,
        Some(o) => {
            who.same_org(f.org, "file", id, ())?;
            owner_access(t, who, o, false)?;
        }
    }
    Ok(f)
}

/// The files of an owner, oldest first.
pub(crate) fn files_of(t: &impl Read, owner: FileOwner) -> Result<Vec<Attachment>> {
    let prefix = file_owner_prefix(owner).0;
    let ids = ids_in(t, &prefix, &prefix_upper(&prefix))?;
    Ok(t.get_many::<Attachment>(&ids)?
        .into_iter()
        .flatten()
        .collect())
}

pub(crate) fn store(
    w: &mut W,
    owner: Option<FileOwner>,
    name: &str,
    data: &[u8],
    max: u64,
) -> Result<Attachment> {
    let name = file_name(name).map_err(|m| Error::invalid("Имя файла", m))?;
    if data.is_empty() {
        return Err(Error::invalid("Файл", format!("Файл «{name}» пуст")));
    }
    if data.len() as u64 > max {
        return Err(Error::invalid(
            "Файл",
            format!(
                "Файл «{name}» ({}) больше допустимых {}",
                size_label(data.len() as u64),
                size_label(max)
            ),
        ));
    }
    if let Some(o) = owner {
        owner_access(&w.tx, &w.who, o, true)?;
        if files_of(&w.tx, o)?.len() >= MAX_FILES_PER_OWNER {
            return Err(Error::NotAllowed(format!(
                "Не более {MAX_FILES_PER_OWNER} файлов"
            )));
        }
    } else if w.who.user.is_some() {
        // The node itself stores loose files only for a form it saves in the same
        // transaction (an application from a portal); a person's upload is checked here.
        // An upload is for a form that saves something; a session that may save nothing
        // (read-only support) has no use for one.
        let may = [
            Right::CreateApplications,
            Right::Interagency,
            Right::Regional,
            Right::Decide,
        ]
        .iter()
        .any(|r| w.who.rights.has(*r));
        if !may {
            return Err(Error::Forbidden {
                op: "file.upload",
                right: Right::CreateApplications,
            });
        }
    }
    let f = Attachment {
        id: FileId(w.tx.next_id(Attachment::KIND)?),
        org: w.who.org,
        owner,
        field: None,
        name,
        size: data.len() as u64,
        sha256: sha256_hex(data),
        added_by: w.who.user_id(),
        added: w.now,
    };
    w.tx.put(&f)?;
    w.tx.put_raw(tables::FILE_DATA, f.id.0, data)?;
    w.target("file", f.id);
    if let Some(o) = owner {
        let (e, id) = entity(o);
        // The digest ties the history to the bytes: a file received over SMEV can be
        // compared with the sender's copy.
        w.history(
            e,
            id,
            format!("Добавлен файл «{}»", f.name),
            format!(
                "{}, SHA-256 {}…",
                size_label(f.size),
                f.sha256.get(..16).unwrap_or(&f.sha256)
            ),
        )?;
    }
    Ok(f)
}

/// Binds the files a form's file fields name to the owner the form just saved. A field holds
/// a file id: an upload of this user's not yet bound, or a file this owner already has.
pub(crate) fn bind_form_files(
    w: &mut W,
    fields: &[Field],
    data: &BTreeMap<String, String>,
    owner: FileOwner,
) -> Result<()> {
    let mut errs = Vec::new();
    let mut bound = Vec::new();
    for f in fields.iter().filter(|f| f.ftype == FieldType::File) {
        let Some(v) = data.get(&f.key) else { continue };
        let file = v
            .parse::<u64>()
            .ok()
            .map(|id| w.tx.get::<Attachment>(id))
            .transpose()?
            .flatten()
            .filter(|a| a.org == w.who.org);
        let usable = file.filter(|a| match a.owner {
            // Loose files of this actor: a person's uploads, or the node's own for a form
            // it fills from a message (no person can make a loose file with no uploader).
            None => a.added_by == w.who.user_id(),
            Some(o) => o == owner,
        });
        match usable {
            Some(a) => bound.push((a, f.key.clone())),
            None => errs.push(FieldError {
                field: f.label.clone(),
                message: "Файл не найден: приложите его заново".into(),
            }),
        }
    }
    if !errs.is_empty() {
        return Err(Error::Invalid(errs));
    }
    let (e, id) = entity(owner);
    // A file a field named before and names no more (replaced in the form) stays attached
    // as an ordinary file, which its uploader may remove.
    for mut a in files_of(&w.tx, owner)? {
        if let Some(k) = a.field.clone()
            && !bound
                .iter()
                .any(|(b, bk): &(Attachment, String)| b.id == a.id && *bk == k)
        {
            a.field = None;
            w.tx.put(&a)?;
        }
    }
    for (mut a, key) in bound {
        if a.owner == Some(owner) && a.field.as_deref() == Some(&key) {
            continue;
        }
        a.owner = Some(owner);
        a.field = Some(key);
        w.tx.put(&a)?;
        w.history(e, id, format!("Добавлен файл «{}»", a.name), "")?;
    }
    Ok(())
}

/// A file's row and bytes, for «Сохранить файл».
#[derive(Clone, Debug, PartialEq)]
pub struct FileData {
    pub file: Attachment,
    pub data: Vec<u8>,
}

impl Node {
    /// Adds a file to an application or request («Добавить файл»), or uploads one for a form
    /// (`owner` `None`).
    pub fn add_file(
        &self,
        actor: super::Actor,
        owner: Option<FileOwner>,
        name: &str,
        data: &[u8],
    ) -> Result<Attachment> {
        let max = self.options().max_file_bytes;
        // Counted before the write, so that a crowd of uploads cannot all pass the check at
        // once; given back if the file is refused after all.
        let counted = match actor {
            super::Actor::User(u) if (data.len() as u64) <= max => {
                let day = self.now().date(self.options().utc_offset).to_julian_day() as i64;
                let o = self.options();
                self.uploads.take(
                    u,
                    day,
                    data.len() as u64,
                    o.upload_bytes_per_day,
                    o.reserve_bytes,
                    self.store().free_bytes(),
                )?;
                Some((u, day))
            }
            _ => None,
        };
        let r = self.write(actor, "file.add", |w| store(w, owner, name, data, max));
        if let (Err(_), Some((u, day))) = (&r, counted) {
            self.uploads.refund(u, day, data.len() as u64);
        }
        r
    }

    /// The files of an application or request.
    pub fn files(&self, actor: super::Actor, owner: FileOwner) -> Result<Vec<Attachment>> {
        self.read(actor, |r| {
            owner_access(&r.rx, &r.who, owner, false)?;
            files_of(&r.rx, owner)
        })
    }

    /// One file with its bytes, taken off the node (saved from the TUI, downloaded from the
    /// web page): the audit log says who took which.
    pub fn file(&self, actor: super::Actor, id: FileId) -> Result<FileData> {
        let f = self.read(actor, |r: &R| {
            let file = readable(&r.rx, &r.who, id)?;
            let data =
                r.rx.get_raw(tables::FILE_DATA, id.0)?
                    .ok_or_else(|| Error::Internal(format!("file {id} has no data")))?;
            Ok(FileData { file, data })
        })?;
        // A node whose disk is full or read-only still hands out its files: the entry is
        // missed then, and the log says so.
        if let Err(e) = self.write(actor, "file.download", |w| {
            w.target("file", id);
            Ok(())
        }) {
            tracing::warn!(file = id.0, "download not written to the audit log: {e}");
        }
        Ok(f)
    }

    /// «Удалить файл»: by whoever added it, the head (who approves) or a specialist with
    /// super-rights, while the owner still changes.
    /// A file a form field names is replaced through the form, not removed here.
    pub fn remove_file(&self, actor: super::Actor, id: FileId) -> Result<()> {
        self.write(actor, "file.remove", |w| {
            let f = readable(&w.tx, &w.who, id)?;
            // A regional request's files are seen by both bodies; each removes only its own.
            w.who.same_org(f.org, "file", id, ())?;
            let mine = f.added_by.is_some() && f.added_by == w.who.user_id();
            let senior = w.who.rights.has(Right::SuperRights) || w.who.rights.has(Right::Approve);
            if !mine && !senior {
                return Err(Error::NotAllowed(
                    "Удалить файл может тот, кто его добавил, руководитель или специалист с \
                     суперправами"
                        .into(),
                ));
            }
            if f.field.is_some() {
                return Err(Error::NotAllowed(
                    "Этот файл — поле формы; замените его в форме".into(),
                ));
            }
            if f.added_by.is_none() {
                return Err(Error::NotAllowed(
                    "Файл получен по каналам обмена и входит в дело: удалить его нельзя".into(),
                ));
            }
            if let Some(o) = f.owner {
                owner_access(&w.tx, &w.who, o, true)?;
            }
            if let Some(FileOwner::Application(app)) = f.owner {
                let app: Application = w.load(app.0)?;
                if app
                    .decision
                    .is_some_and(|d| d.files.contains(&id.0.to_string()))
                {
                    return Err(Error::NotAllowed(
                        "Файл приложен к решению по заявке: удалить его нельзя".into(),
                    ));
                }
            }
            w.tx.delete::<Attachment>(id.0)?;
            w.tx.delete_raw(tables::FILE_DATA, id.0)?;
            w.target("file", id);
            if let Some(o) = f.owner {
                let (e, oid) = entity(o);
                w.history(e, oid, format!("Удалён файл «{}»", f.name), "")?;
            }
            Ok(())
        })
    }

    /// Removes uploads no form bound within a day, for every body. Returns how many.
    pub fn purge_uploads(&self) -> Result<u64> {
        let cutoff = self.now().0 - LOOSE_TTL_MS;
        // Looked for in a snapshot first, so that a run with nothing to do writes nothing
        // (not even an audit entry).
        let mut stale: Vec<(OrgId, Vec<u64>)> = Vec::new();
        {
            let rx = self.store().read()?;
            for org in rx.all::<Org>()? {
                let ids = ids_in(
                    &rx,
                    &file_loose_prefix(org.id).0,
                    &file_loose_prefix(org.id).i64(cutoff).0,
                )?;
                if !ids.is_empty() {
                    stale.push((org.id, ids));
                }
            }
        }
        let mut total = 0;
        for (org, ids) in stale {
            total += self.write(super::Actor::System(org), "file.purge", |w| {
                let mut n = 0u64;
                for id in &ids {
                    // Bound by a form since the snapshot: kept.
                    if w.tx
                        .get::<Attachment>(*id)?
                        .is_some_and(|a| a.owner.is_none())
                    {
                        w.tx.delete::<Attachment>(*id)?;
                        w.tx.delete_raw(tables::FILE_DATA, *id)?;
                        n += 1;
                    }
                }
                w.target("files", n);
                Ok(n)
            })?;
        }
        Ok(total)
    }
}

/// The ids ending the index keys in `[from, to)`, at most a thousand.
fn ids_in(t: &impl Read, from: &[u8], to: &[u8]) -> Result<Vec<u64>> {
    let mut ids = Vec::new();
    t.scan_index(from, to, false, &mut |k, _| {
        if let Some(id) = k
            .get(k.len().saturating_sub(8)..)
            .and_then(|b| b.try_into().ok())
        {
            ids.push(u64::from_be_bytes(id));
        }
        Ok(ids.len() < 1000)
    })?;
    Ok(ids)
}
