//! «Межведомственный запрос» on paper: an outgoing request printed from its template, for
//! when SMEV is down and the request goes by post or by hand. There is no federal form; the
//! content is set by 210-ФЗ ст. 7.2 ч. 1 (the bodies, the service and its registry number,
//! the act, the data, contacts for the answer, the date, who prepared it). Rendered outside
//! any transaction and kept on the request's «Файлы» once.

use super::{Actor, Node, Printed, Result};
use volost_domain::*;

impl Node {
    /// The paper form of outgoing request `id`, kept on its files (the same bytes once).
    pub fn print_request(&self, actor: Actor, id: OutReqId) -> Result<Printed> {
        const OP: &str = "outgoing.print";
        let kind = DocumentKind::Request;
        let today = self.now().date(self.options().utc_offset);
        let (data, number, template) = self.read(actor, |r| {
            r.who.require(OP, Right::Interagency)?;
            let req: OutgoingRequest = r.load(id.0)?;
            let k: RequestKind = r.load(req.kind.0)?;
            let by = super::doc_data::user(r, r.who.user_id())?;
            let data = super::doc_data::paper_request(r, &req, &k, today, by)?;
            let template = self.template_text(&r.rx, r.who.org, kind)?;
            Ok((data, req.number, template))
        })?;
        let (pdf, name) = self.render_doc(kind, &template, &data, today, &number)?;
        let max = self.options().max_file_bytes;
        let file = self.write(actor, OP, |w| {
            w.who.require(OP, Right::Interagency)?;
            w.target("outgoing", id);
            let owner = FileOwner::Outgoing(id);
            if let Some(f) = super::documents::kept_already(w, owner, &pdf)? {
                return Ok(f);
            }
            Ok(super::files::store(w, Some(owner), &name, &pdf, max)?.id)
        })?;
        Ok(Printed {
            name,
            data: pdf,
            file: Some(file),
        })
    }
}
