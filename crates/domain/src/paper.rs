//! Документы на бумаге: the kinds of document the node prints from templates (issue 30,
//! docs/design/paper.md).

use super::ids::{OrgId, Ts, UserId};
use serde::{Deserialize, Serialize};

/// Вид документа, печатаемого по шаблону.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// Расписка в получении документов: what the applicant leaves the desk with.
    Receipt,
    /// Журнал регистрации заявлений за период (not one application's).
    Journal,
    /// Уведомление об отказе в приёме документов: the desk does not accept what was brought,
    /// and says why.
    Refusal,
    /// Межведомственный запрос на бумаге: an outgoing request printed, for when SMEV is down.
    Request,
    /// Документ о результате предоставления услуги whose form no federal act sets (each
    /// regulation's appendix does): one template for all such results, the result's name
    /// and the text the executor typed in its data.
    Result,
    /// Результаты whose form a federal act sets: each has a kind of its own, and the node
    /// prints it only after an administrator put the act's form into its template (the
    /// node does not ship the forms' text: see [`DocumentKind::federal_form`]).
    AddressRefusal,
    HouseholdLand,
    Redevelopment,
    HousingCommission,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 9] = [
        DocumentKind::Receipt,
        DocumentKind::Refusal,
        DocumentKind::Request,
        DocumentKind::Journal,
        DocumentKind::Result,
        DocumentKind::AddressRefusal,
        DocumentKind::HouseholdLand,
        DocumentKind::Redevelopment,
        DocumentKind::HousingCommission,
    ];

    /// The code on the command line and in the template catalog.
    pub fn code(self) -> &'static str {
        match self {
            DocumentKind::Receipt => "receipt",
            DocumentKind::Journal => "journal",
            DocumentKind::Refusal => "refusal",
            DocumentKind::Request => "request",
            DocumentKind::Result => "result",
            DocumentKind::AddressRefusal => "address_refusal",
            DocumentKind::HouseholdLand => "household_land",
            DocumentKind::Redevelopment => "redevelopment",
            DocumentKind::HousingCommission => "housing_commission",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            DocumentKind::Receipt => "Расписка в получении документов",
            DocumentKind::Journal => "Журнал регистрации заявлений",
            DocumentKind::Refusal => "Уведомление об отказе в приёме документов",
            DocumentKind::Request => "Межведомственный запрос",
            DocumentKind::Result => "Документ о результате предоставления услуги",
            DocumentKind::AddressRefusal => {
                "Решение об отказе в присвоении объекту адресации адреса или аннулировании его адреса"
            }
            DocumentKind::HouseholdLand => {
                "Выписка из похозяйственной книги о наличии у гражданина права на земельный участок"
            }
            DocumentKind::Redevelopment => {
                "Решение о согласовании переустройства и (или) перепланировки помещения"
            }
            DocumentKind::HousingCommission => "Заключение межведомственной комиссии",
        }
    }

    /// The start of the PDF's file name on the card, before the application's number.
    pub fn file_stem(self) -> &'static str {
        match self {
            DocumentKind::Receipt => "Расписка",
            DocumentKind::Journal => "Журнал регистрации заявлений",
            DocumentKind::Refusal => "Отказ в приёме документов",
            DocumentKind::Request => "Межведомственный запрос",
            DocumentKind::Result => "Результат",
            DocumentKind::AddressRefusal => "Отказ в присвоении адреса",
            DocumentKind::HouseholdLand => "Выписка из похозяйственной книги",
            DocumentKind::Redevelopment => "Решение о согласовании переустройства",
            DocumentKind::HousingCommission => "Заключение межведомственной комиссии",
        }
    }

    /// A document of one application (printed from its card), not of a period or a request.
    pub fn of_application(self) -> bool {
        !matches!(self, DocumentKind::Journal | DocumentKind::Request)
    }

    /// A document of a service's result (printed from a card in examination or after).
    pub fn of_result(self) -> bool {
        self == DocumentKind::Result || self.federal_form().is_some()
    }

    /// The federal act that sets this document's form, as it is cited. The node ships no
    /// stand-in for such a form: until the body's administrator has put the act's form into
    /// the kind's template, the document is refused with this act named.
    pub fn federal_form(self) -> Option<&'static str> {
        match self {
            DocumentKind::AddressRefusal => Some(
                "приказом Министерства финансов Российской Федерации от 11.12.2014 № 146н \
                 (приложение № 2)",
            ),
            DocumentKind::HouseholdLand => Some(
                "приказом Федеральной службы государственной регистрации, кадастра и \
                      картографии от 25.08.2021 № П/0368",
            ),
            DocumentKind::Redevelopment => {
                Some("постановлением Правительства Российской Федерации от 28.04.2005 № 266")
            }
            DocumentKind::HousingCommission => Some(
                "постановлением Правительства Российской Федерации от 28.01.2006 № 47 \
                 (приложение № 1 к Положению)",
            ),
            _ => None,
        }
    }

    /// The kind a service's result of this name prints as: the federal form's where the
    /// name is that form's document, the common result document otherwise. Names are the
    /// registry's (ФРГУ) and vary between regulations, so the match is on the words that
    /// make the document what it is.
    pub fn for_result(name: &str) -> DocumentKind {
        let n = name.to_lowercase().replace('ё', "е");
        let has = |w: &str| n.contains(w);
        if has("отказ") && has("адрес") && (has("присвоени") || has("аннулирова"))
        {
            DocumentKind::AddressRefusal
        } else if has("похозяйственн") && has("земельн") && has("прав") {
            DocumentKind::HouseholdLand
        } else if has("согласовани") && has("переустройств") && !has("отказ")
        {
            DocumentKind::Redevelopment
        } else if has("заключение межведомственной комиссии") {
            DocumentKind::HousingCommission
        } else {
            DocumentKind::Result
        }
    }

    pub fn from_code(code: &str) -> Option<DocumentKind> {
        DocumentKind::ALL
            .into_iter()
            .find(|k| k.code() == code.trim())
    }
}

/// The result a decision calls for by default: the service's first for an approval, its
/// last refusal for a refusal (1-based). What the TUI offers first.
pub fn default_result(results: &[String], decision: Option<super::application::Verdict>) -> usize {
    let refusal = |r: &String| r.to_lowercase().contains("отказ");
    match decision {
        Some(super::application::Verdict::Refuse) => {
            results.iter().rposition(refusal).map_or(1, |i| i + 1)
        }
        _ => results
            .iter()
            .position(|r| !refusal(r))
            .map_or(1, |i| i + 1),
    }
}

/// A template's id in the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TemplateId(pub u64);

/// Шаблон документа as a body's administrator edited it: typst markup. A kind without one
/// prints with the starter template the catalog ships.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocTemplate {
    pub id: TemplateId,
    pub org: OrgId,
    pub kind: DocumentKind,
    pub text: String,
    pub updated: Ts,
    pub by: Option<UserId>,
}

#[cfg(test)]
mod tests {
    use super::DocumentKind as K;

    #[test]
    fn results_of_the_starter_catalog_print_as_their_forms() {
        let cases = [
            ("Выписка из похозяйственной книги", K::Result),
            (
                "Выписка из похозяйственной книги о наличии у гражданина права на земельный участок",
                K::HouseholdLand,
            ),
            (
                "Постановление администрации сельсовета о присвоении (изменении, аннулировании) адреса объекту адресации",
                K::Result,
            ),
            (
                "Решение об отказе в присвоении объекту адресации адреса или аннулировании его адреса",
                K::AddressRefusal,
            ),
            (
                "Решение о согласовании переустройства и (или) перепланировки помещения",
                K::Redevelopment,
            ),
            (
                "Решение об отказе в согласовании переустройства и (или) перепланировки помещения",
                K::Result,
            ),
            (
                "Заключение межведомственной комиссии и постановление администрации о признании (непризнании) помещения",
                K::HousingCommission,
            ),
            (
                "Мотивированный отказ в выдаче порубочного билета",
                K::Result,
            ),
        ];
        for (name, kind) in cases {
            assert_eq!(K::for_result(name), kind, "{name}");
        }
    }

    #[test]
    fn codes_are_unique_and_read_back() {
        for k in K::ALL {
            assert_eq!(K::from_code(k.code()), Some(k));
            assert_eq!(k.of_result(), k.federal_form().is_some() || k == K::Result);
        }
        let mut codes: Vec<_> = K::ALL.iter().map(|k| k.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), K::ALL.len());
    }
}
