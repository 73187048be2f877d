//! The runner's side of registry: the daemon calls its effects ask for.

use crate::app::{App, Banner, Dialog, Screen};
use crate::screens::effect::Pending;
use crate::screens::registry::*;
use crate::text;
use crate::widgets::Field as Input;
use volost_api::call;
use volost_domain::ServiceId;

impl App {
    /// Opens «Реестр услуг», keeping the selection when it is open already.
    pub(crate) fn open_registry(&mut self, keep: Option<ServiceId>) {
        let read = |app: &mut App| -> Result<RegistryView, volost_api::ClientError> {
            Ok(RegistryView {
                org: app.conn.ask(call::Org)?,
                services: app.conn.ask(call::Services { all: true })?,
                roles: app.conn.ask(call::Roles)?,
                sel: 0,
                scroll: 0,
            })
        };
        match read(self) {
            Ok(mut v) => {
                v.sel = keep
                    .and_then(|id| v.services.iter().position(|s| s.id == id))
                    .unwrap_or(0);
                self.screen = Screen::Registry(Box::new(v));
            }
            Err(e) => self.failed(&e),
        }
    }

    /// The node signs the registry with its key; the dialog asks where to write it.
    pub(crate) fn export_registry(&mut self) {
        match self.conn.ask(call::RegistryExport) {
            Ok(xml) => {
                let name = format!(
                    "Реестр услуг {}.xml",
                    volost_domain::display_date(self.today())
                );
                let mut path = Input::new(text::SAVE_TO, false);
                path.value = format!("~/{name}").into();
                self.dialog = Some(Dialog::new(
                    text::RG_EXPORT_TITLE,
                    text::RG_EXPORT_TEXT,
                    vec![path],
                    Pending::SaveExport(Box::new(volost_api::ExportReply {
                        name,
                        data: volost_api::Bytes(xml.into_bytes()),
                    })),
                ));
            }
            Err(e) => self.failed(&e),
        }
    }

    /// The path of a signed registry was typed: the node checks the signature and takes the
    /// passports, or says why not; the dialog stays open on a refusal.
    pub(crate) fn import_registry(&mut self, mut d: Dialog) {
        let text = match crate::local::read_local(&d.value(0), 16 << 20)
            .and_then(|(_, b)| String::from_utf8(b).map_err(|_| text::RG_NOT_TEXT.to_string()))
        {
            Ok(t) => t,
            Err(msg) => {
                d.refuse(0, msg);
                self.dialog = Some(d);
                return;
            }
        };
        match self.conn.ask(call::RegistryImport { text }) {
            Ok(r) => {
                self.banner = Some(Banner::Info(format!(
                    "{} {} ({}: {})",
                    text::RG_IMPORTED,
                    r.updated.len(),
                    text::RG_SIGNED_BY,
                    r.signer
                )));
                self.open_registry(None);
            }
            Err(e) => self.keep_dialog(d, &e),
        }
    }

    /// F2 in the passport form.
    pub(crate) fn save_passport(&mut self, id: ServiceId) {
        let Screen::Fill(form) = &self.screen else {
            return;
        };
        let passport = passport_of(form);
        match self.conn.ask(call::SetPassport { id, passport }) {
            Ok(_) => {
                self.banner = Some(Banner::Info(text::RG_SAVED.into()));
                self.open_registry(Some(id));
            }
            Err(e) => self.form_refused(&e),
        }
    }
}
