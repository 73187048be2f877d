//! What the demo's simulated portal and agencies send the node when it starts, so that a new
//! user sees applications and requests arrive over SMEV as well as go out.

use super::{person, value_for};
use crate::simulator::{AgencyRequest, OfferedFile, PortalOrder, Sim};
use base64::Engine;
use rand::SeedableRng;
use rand::rngs::StdRng;
use volost_core::catalog::Starter;
use volost_domain::{FieldType, RegionalBody};

/// A one-page PDF, enough for a viewer to open.
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n\
2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n\
3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n\
trailer<</Root 1 0 R>>\n%%EOF\n";

/// Queues an application from ЕПГУ for a starter service with a required file. Returns how
/// many were queued. (No agency's request: the one kind a council provides, the extract from
/// the household book, has no published ВС schema, and the demo does not invent one.)
pub fn queue(sim: &Sim) -> usize {
    let Ok(st) = Starter::builtin() else {
        return 0;
    };
    let mut rng = StdRng::from_entropy();
    let today = time::OffsetDateTime::now_utc().date();
    let mut queued = 0;
    let svc = st.services.iter().find(|s| {
        s.fields
            .iter()
            .any(|f| f.ftype == FieldType::File && f.required)
    });
    if let Some(svc) = svc {
        let p = person(&mut rng);
        let mut order = PortalOrder {
            portal: "EPGU".into(),
            order_id: String::new(),
            service_code: svc.code.clone(),
            oktmo: String::new(),
            applicant: p.input(),
            fields: Default::default(),
            files: Vec::new(),
        };
        for f in &svc.fields {
            if f.ftype == FieldType::File {
                if f.required {
                    order.files.push(OfferedFile {
                        id: format!("file{}", order.files.len() + 1),
                        key: f.key.clone(),
                        name: format!("{}.pdf", f.label),
                        mime: "application/pdf".into(),
                        base64: base64::engine::general_purpose::STANDARD.encode(PDF),
                    });
                }
            } else {
                order
                    .fields
                    .insert(f.key.clone(), value_for(f, &p, &mut rng, today));
            }
        }
        queued += usize::from(sim.offer_portal(&order).is_ok());
    }
    queued
}

/// ИНН of the demo's council: what the regional exchange addresses it by.
pub const DEMO_INN: &str = "2234000017";

/// The bodies of the demo's region on other nodes, reached over the simulated РСМЭВ.
pub fn regional_bodies() -> Vec<RegionalBody> {
    [
        (
            "Комитет по земельным отношениям Заречного района",
            "2234000024",
            "zarechny-land",
        ),
        (
            "Управление социальной защиты населения по Заречному району",
            "2234000031",
            "zarechny-uszn",
        ),
    ]
    .into_iter()
    .map(|(name, inn, node)| RegionalBody {
        name: name.into(),
        inn: inn.into(),
        node: node.into(),
    })
    .collect()
}

/// Queues a regional request from a body of the region to the demo's council, for the
/// simulated РСМЭВ to deliver. Returns how many were queued.
pub fn queue_regional(sim: &Sim) -> usize {
    let Some(from) = regional_bodies().into_iter().next() else {
        return 0;
    };
    let fields = [
        ("SenderName", from.name.as_str()),
        ("SenderINN", from.inn.as_str()),
        ("RecipientName", "Петропавловский сельсовет"),
        ("RecipientINN", DEMO_INN),
        ("RecipientNode", "petropavlovsk"),
        (
            "Subject",
            "Сведения о неиспользуемых земельных участках сельхозназначения",
        ),
        (
            "Comment",
            "Для инвентаризации земель: кадастровые номера и площади, по состоянию на 1 декабря",
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let r = AgencyRequest {
        namespace: volost_smev::regional::NS.into(),
        root: volost_smev::regional::REQUEST.into(),
        fields,
        sender: "РСМЭВ Алтайского края".into(),
        ..Default::default()
    };
    usize::from(sim.offer_request(&r).is_ok())
}
