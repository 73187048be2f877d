//! What `volost smev verify` tells a person debugging an exchange: every signature of a
//! message, whether it verifies, and whether it signs the element its place in the message
//! says it must (a valid signature over the wrong element is as bad as a forged one).

use super::dsig::{self, SignatureError};
use super::xml::Element;

/// One signature of a message and what became of its check.
#[derive(Debug)]
pub struct SignatureCheck {
    /// The element that holds the `ds:Signature`: `CallerInformationSystemSignature`,
    /// `SMEVSignature`, `PersonalSignature`, or `ds:Signature` itself when bare.
    pub container: String,
    /// The element it should sign, by its place in the message (`None`: not known).
    pub expected: Option<String>,
    pub outcome: Result<Signed, String>,
}

/// A signature that verified: what it signs and who signed it.
#[derive(Debug)]
pub struct Signed {
    pub reference: String,
    pub signer: String,
    pub not_after: String,
    /// The certificate the signature carries, for the trust check.
    pub cert: openssl::x509::X509,
}

/// Why a signature fails, for staff and support, in Russian; the English detail follows.
pub fn why(e: &SignatureError) -> String {
    let ru = match e {
        SignatureError::Missing => "подписи нет".to_string(),
        SignatureError::Incomplete(x) => format!("в подписи нет элемента ds:{x}"),
        SignatureError::Unsupported(a) => format!(
            "алгоритм {a} не поддерживается (нужны ГОСТ Р 34.10-2012/34.11-2012, \
             exc-c14n и трансформация СМЭВ)"
        ),
        SignatureError::BadReference(r) => {
            format!("ссылка #{r} не указывает ровно на один элемент сообщения")
        }
        SignatureError::DigestMismatch => {
            "хэш подписанного элемента не совпадает: данные изменены после подписи".into()
        }
        SignatureError::Invalid => {
            "значение подписи не сходится с сертификатом в подписи: подпись подделана \
             или сделана другим ключом"
                .into()
        }
        SignatureError::Certificate(_) => "сертификат в подписи не читается".into(),
        SignatureError::Xml(_) => "подписанный элемент не разобран".into(),
        SignatureError::Transform(_) => "трансформация СМЭВ невозможна".into(),
        SignatureError::Gost(_) => "ошибка ГОСТ-криптографии OpenSSL".into(),
        SignatureError::Sign(s) => return s.russian(),
    };
    format!("{ru} ({e})")
}

/// The element a signature held by `container` (a child of `parent`) must sign.
fn expected<'a>(parent: &'a Element, container: &Element) -> Option<&'a Element> {
    match container.local.as_str() {
        // ЭП-СП: the business element, the first child of MessagePrimaryContent beside it.
        "PersonalSignature" => parent
            .elements()
            .find(|e| e.local == "MessagePrimaryContent")
            .and_then(|p| p.elements().next()),
        // ЭП-ОВ: what each call signs (brief §2).
        "CallerInformationSystemSignature" => parent.elements().find(|e| {
            matches!(
                e.local.as_str(),
                "SenderProvidedRequestData"
                    | "SenderProvidedResponseData"
                    | "MessageTypeSelector"
                    | "AckTargetMessage"
                    | "Timestamp"
            )
        }),
        // SMEV signs the element beside its signature that carries an Id.
        "SMEVSignature" => parent
            .elements()
            .find(|e| e.local != container.local && e.attr("Id").is_some()),
        _ => None,
    }
}

fn check(
    doc: &Element,
    sig: &Element,
    holder: Option<&Element>,
    above: Option<&Element>,
) -> SignatureCheck {
    let want = match (holder, above) {
        (Some(h), Some(a)) => expected(a, h),
        _ => None,
    };
    let outcome = match dsig::verify(doc, sig) {
        Err(e) => Err(why(&e)),
        Ok(v) => match want {
            Some(w) if w.attr("Id") != Some(v.reference.as_str()) => Err(format!(
                "подписан не тот элемент: на этом месте подписывают {}, а подпись ссылается \
                 на #{}",
                w.local, v.reference
            )),
            _ => Ok(Signed {
                signer: v.signer(),
                not_after: v.cert.not_after().to_string(),
                reference: v.reference,
                cert: v.cert,
            }),
        },
    };
    SignatureCheck {
        container: holder.map_or_else(|| "ds:Signature".into(), |h| h.local.clone()),
        expected: want.map(|w| w.local.clone()),
        outcome,
    }
}

/// Each `ds:Signature` under `e`, with the element that holds it and the one above that.
fn walk<'a>(
    e: &'a Element,
    holder: Option<&'a Element>,
    above: Option<&'a Element>,
    out: &mut Vec<(&'a Element, Option<&'a Element>, Option<&'a Element>)>,
) {
    if e.is(dsig::DS, "Signature") {
        out.push((e, holder, above));
        return;
    }
    for c in e.elements() {
        walk(c, Some(e), holder, out);
    }
}

/// Every signature of `doc`, in document order.
pub fn signatures(doc: &Element) -> Vec<SignatureCheck> {
    let mut found = Vec::new();
    walk(doc, None, None, &mut found);
    found
        .into_iter()
        .map(|(sig, holder, above)| check(doc, sig, holder, above))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::{self, RequestData};
    use crate::personal::{self, SIGNED_DATA_ID};
    use crate::xml::parse;

    fn signed(business: &str, personal_sig: Option<&str>) -> String {
        envelope::send_request(
            envelope::Version::V1_1,
            &RequestData {
                message_id: &envelope::new_message_id(),
                reference: None,
                node_id: "",
                business,
                personal_signature: personal_sig,
                attachments: &[],
                test: false,
            },
            &envelope::tests::test_key(),
        )
        .expect("envelope")
    }

    #[test]
    fn every_signature_is_named_by_its_place_and_a_change_is_explained() {
        let c = personal::test_container("Иванова Анна Петровна", "Сельсовет", 30, "2468")
            .expect("container");
        let key = personal::open(&c, "2468").expect("key");
        let body = format!("<a:Q xmlns:a=\"urn://q\" Id=\"{SIGNED_DATA_ID}\"><a:n>1</a:n></a:Q>");
        let sig = personal::sign(&body, &key).expect("sign");
        let env = signed(&body, Some(&sig));
        let checks = signatures(&parse(&env).expect("xml"));
        let names: Vec<&str> = checks.iter().map(|c| c.container.as_str()).collect();
        assert_eq!(
            names,
            ["PersonalSignature", "CallerInformationSystemSignature"]
        );
        assert!(checks.iter().all(|c| c.outcome.is_ok()), "{checks:?}");
        assert_eq!(checks[0].expected.as_deref(), Some("Q"));
        assert!(
            checks[0]
                .outcome
                .as_ref()
                .is_ok_and(|s| s.signer.contains("Иванова"))
        );

        // The business data changed after signing: both signatures say so, in words.
        let forged = env.replace("<a:n>1</a:n>", "<a:n>2</a:n>");
        let checks = signatures(&parse(&forged).expect("xml"));
        for c in &checks {
            let e = c.outcome.as_ref().expect_err("a changed copy");
            assert!(e.contains("данные изменены после подписи"), "{e}");
        }
    }

    #[test]
    fn a_valid_signature_over_the_wrong_element_is_refused() {
        let c = personal::test_container("Петров", "Сельсовет", 30, "2468").expect("container");
        let key = personal::open(&c, "2468").expect("key");
        // The personal signature signs an element of its own beside the business data.
        let other = format!("<a:X xmlns:a=\"urn://q\" Id=\"{SIGNED_DATA_ID}\"/>");
        let sig = personal::sign(&other, &key).expect("sign");
        let body = format!("<a:Q xmlns:a=\"urn://q\">{other}</a:Q>");
        let env = signed(&body, Some(&sig));
        let checks = signatures(&parse(&env).expect("xml"));
        let e = checks[0].outcome.as_ref().expect_err("wrong target");
        assert!(e.contains("подписан не тот элемент"), "{e}");
        assert!(checks[1].outcome.is_ok());
    }
}
