//! What the node tells people who are not staff: an applicant looking up their application
//! with the access code from the receipt. Nothing personal is in the answer.

use super::{Error, Node, Result};
use serde::{Deserialize, Serialize};
use volost_domain::*;
use volost_store::records::app_number_key;
use volost_store::{Read, Record};

/// The answer to «Узнать статус заявления»: the number, the service and where it stands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublicStatus {
    pub number: String,
    pub service: String,
    /// The status as staff see it (`Зарегистрировано`).
    pub status: String,
    /// Stable English code of the status, for programs (`registered`).
    pub status_code: String,
    /// Dates as `ДД.ММ.ГГГГ`.
    pub submitted: String,
    pub due: Option<String>,
    pub decided: Option<String>,
    pub updated: String,
}

fn status_code(s: Status) -> &'static str {
    s.stable_name()
}

/// Compares in time independent of where the strings differ, so the time of a wrong guess
/// does not tell how many leading digits were right.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl Node {
    /// The status of application `number`, if `code` is its access code. A wrong code and an
    /// unknown number give the same answer, so numbers cannot be probed. Drafts are not shown:
    /// the applicant has no receipt for one.
    pub fn public_status(&self, number: &str, code: &str) -> Result<PublicStatus> {
        let Some(number) = canonical_number(number) else {
            return Err(Error::invalid("number", "Неверный номер заявления"));
        };
        let Some(code) = normalize_access_code(code) else {
            return Err(Error::invalid(
                "code",
                "Код доступа — 12 цифр из расписки о приёме заявления",
            ));
        };
        let (number, code) = (number.as_str(), code.as_str());
        let rx = self.store().read()?;
        let offset = self.options().utc_offset;
        let orgs: Vec<Org> = rx.all()?;
        for org in orgs {
            let prefix = app_number_key(org.id, number).0;
            let Some(id) = super::list::ids_with_prefix(&rx, &prefix, 1)?
                .first()
                .copied()
            else {
                continue;
            };
            let Some(app) = rx.get::<Application>(id)? else {
                continue;
            };
            if !same_secret(&app.access_code, code) || app.status == Status::Draft {
                break;
            }
            let service = rx
                .get::<Service>(app.service.0)?
                .map(|s| s.name)
                .unwrap_or_default();
            return Ok(PublicStatus {
                number: app.number.clone(),
                service,
                status: app.status.label().into(),
                status_code: status_code(app.status).into(),
                submitted: display_date(app.registered.unwrap_or(app.created).date(offset)),
                due: app.due.map(display_date),
                decided: app
                    .decision
                    .as_ref()
                    .map(|d| display_date(d.at.date(offset))),
                updated: display_date(app.updated.date(offset)),
            });
        }
        Err(Error::not_found(Application::KIND, number))
    }
}

#[cfg(test)]
mod tests {
    use super::same_secret;

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("01234567", "01234567"));
        assert!(!same_secret("01234567", "01234568"));
        assert!(!same_secret("0123456", "01234567"));
        assert!(!same_secret("", "0"));
    }
}
