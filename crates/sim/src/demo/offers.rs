//! What the demo's simulated exchanges send the node when it starts, so that a new user sees
//! requests arrive over SMEV as well as go out. The portal sends nothing: ЕПГУ delivers each
//! service in a schema of its own, none of a council's services has a published one, and the
//! demo does not invent one (an intake package added for a service makes its applications
//! arrive: docs/design/kinds.md). Nor does an agency: the one kind a council provides, the
//! extract from the household book, has no published ВС schema.

use crate::simulator::{AgencyRequest, Sim};
use volost_domain::RegionalBody;

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
