//! What the payer does after a payment is created ([`next_action`], read from the payment's rail
//! node): leave for the provider, scan or copy a QR, transfer to account details, or approve in an
//! app; and whether a desktop page offers to finish it on the phone ([`phone_link`]).

use crate::handle::SessionHandle;
use crate::model::{Payment, RailKind};
use crate::url::safe_redirect;

/// What the payer must do after a payment is created (§4 table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextAction {
    /// Leave for the provider's page (a URL that passed [`safe_redirect`]).
    Redirect { url: String },
    /// Scan or copy: `qr_text` is rendered as a QR code, `qr_image` is a ready `data:` URL.
    Qr {
        qr_text: Option<String>,
        qr_image: Option<String>,
        copy_code: Option<String>,
        expires_at: Option<String>,
    },
    /// Transfer to these account details.
    Transfer {
        clabe: Option<String>,
        cvu: Option<String>,
        bank: Option<String>,
    },
    /// Approve in the bank's app; nothing to show but a wait.
    ApproveInApp,
}

/// Base64 alphabet only (no whitespace, no `"`), so the value is safe inside a `data:` URL.
fn is_base64(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
}

/// A `pix.qrCode` that is an image, as a `data:` URL: raster `data:image/...;base64,` as is,
/// bare base64 PNG (`iVBOR…`) wrapped. SVG is refused (it can carry script).
fn qr_image(code: &str) -> Option<String> {
    const RASTER: [&str; 4] = [
        "data:image/png;base64,",
        "data:image/jpeg;base64,",
        "data:image/gif;base64,",
        "data:image/webp;base64,",
    ];
    let lower = code.to_ascii_lowercase();
    if let Some(prefix) = RASTER.iter().find(|p| lower.starts_with(*p)) {
        return is_base64(&code[prefix.len()..]).then(|| code.to_string());
    }
    (code.starts_with("iVBOR") && is_base64(code)).then(|| format!("data:image/png;base64,{code}"))
}

/// Reads `origins[0].<rail>`: a redirect rail's safe `url` means leave for it; otherwise the
/// rail kind's data (QR, account details); with nothing usable the payer approves in an app.
/// A `url` on a rail that is not a redirect rail (PIX, SPEI, NEQUI, ...) is never followed nor
/// shown: the trusted checkout page must not say "Go to your bank" with a link the rail never
/// gives.
pub fn next_action(payment: &Payment) -> NextAction {
    let Some(origin) = payment.origins.first() else {
        return NextAction::ApproveInApp;
    };
    let field = |name: &str| origin.str_field(name).map(str::to_string);
    if origin.rail.kind() == RailKind::Redirect {
        if let Some(url) = field("url").as_deref().and_then(safe_redirect) {
            return NextAction::Redirect { url };
        }
    }
    match origin.rail.kind() {
        RailKind::Qr => {
            let code = field("qrCode");
            let image = code.as_deref().and_then(qr_image);
            // A qrCode that looks like an image but is not an acceptable one is dropped.
            let text_code = code.filter(|c| !c.to_ascii_lowercase().starts_with("data:") && image.is_none());
            let copy_code = field("data").or_else(|| text_code.clone());
            let qr_text = text_code.or_else(|| copy_code.clone());
            let expires_at = field("expiredAt").or_else(|| field("expiresAt"));
            if qr_text.is_none() && image.is_none() {
                return NextAction::ApproveInApp;
            }
            NextAction::Qr {
                qr_text,
                qr_image: image,
                copy_code,
                expires_at,
            }
        }
        RailKind::Transfer => {
            let clabe = field("clabe");
            let cvu = field("code").or_else(|| field("cvu"));
            let bank = field("bankId").or_else(|| field("bank")).or_else(|| field("bankName"));
            if clabe.is_none() && cvu.is_none() {
                return NextAction::ApproveInApp;
            }
            NextAction::Transfer { clabe, cvu, bank }
        }
        RailKind::Redirect | RailKind::ApproveInApp => NextAction::ApproveInApp,
    }
}

/// Whether the payer finishes this next action in a phone app (scan or paste a PIX/PCT code,
/// approve a Nequi or other in-app request): then a desktop page offers to continue the same
/// session on the phone. Redirects already left the page; transfers work from any bank's web.
pub fn finished_on_phone(action: &NextAction) -> bool {
    matches!(action, NextAction::Qr { .. } | NextAction::ApproveInApp)
}

/// The link that opens this checkout's session on another device: `<origin>/<token>?session=<handle>`.
/// It carries a one-time handle of the session (the gateway's handoff), which the other device
/// trades for its own: only whoever sees the screen can continue, and only once.
pub fn phone_link(origin: &str, token: &str, handle: &SessionHandle) -> String {
    format!("{}/{token}?session={}", origin.trim_end_matches('/'), handle.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::payment;
    use serde_json::json;

    const T: &str = "2025-04-24T12:00:00Z";

    #[test]
    fn app_rails_continue_on_the_phone_with_the_session_s_handle() {
        let pix = payment(
            "CREATED",
            "PIX",
            "pix",
            json!({"qrCode": "00020101021226", "expiredAt": T}),
            T,
        );
        let nequi = payment("CREATED", "NEQUI", "nequi", json!({}), T);
        let pct = payment("CREATED", "PCT", "pct", json!({"qrCode": "000201"}), T);
        let spei = payment("CREATED", "SPEI", "spei", json!({"clabe": "646180157000000004"}), T);
        let pse = payment("CREATED", "PSE", "pse", json!({"url": "https://bank.example/p"}), T);
        for (p, expected) in [
            (&pix, true),
            (&nequi, true),
            (&pct, true),
            (&spei, false),
            (&pse, false),
        ] {
            assert_eq!(finished_on_phone(&next_action(p)), expected, "{:?}", p.origins[0].rail);
        }
        let handle = SessionHandle::parse("cs_1.1900000000.abcdefghijklmnop").unwrap();
        assert_eq!(
            phone_link("http://127.0.0.1:8080/", "demo-brl", &handle),
            "http://127.0.0.1:8080/demo-brl?session=cs_1.1900000000.abcdefghijklmnop"
        );
    }

    #[test]
    fn redirect_rails_follow_only_safe_urls() {
        let p = payment(
            "CREATED",
            "ETPAY",
            "etpay",
            json!({"url": "https://pay.etpay.example/s/1", "expiresAt": T}),
            T,
        );
        assert_eq!(
            next_action(&p),
            NextAction::Redirect {
                url: "https://pay.etpay.example/s/1".into()
            }
        );
        let sandbox = payment(
            "CREATED",
            "PSE",
            "pse",
            json!({"url": "http://127.0.0.1:8080/sandbox/provider/p1"}),
            T,
        );
        assert_eq!(
            next_action(&sandbox),
            NextAction::Redirect {
                url: "http://127.0.0.1:8080/sandbox/provider/p1".into()
            }
        );
        let evil = payment("CREATED", "WEBPAY", "webpay", json!({"url": "javascript:alert(1)"}), T);
        assert_eq!(next_action(&evil), NextAction::ApproveInApp);
        let none = payment("CREATED", "FINTOC", "fintoc", json!({}), T);
        assert_eq!(next_action(&none), NextAction::ApproveInApp);
        // A card payment that comes back with a url is a redirect too.
        let card = payment("CREATED", "CARD", "card", json!({"url": "https://3ds.example/x"}), T);
        assert!(matches!(next_action(&card), NextAction::Redirect { .. }));
    }

    #[test]
    fn a_url_on_a_rail_that_does_not_redirect_is_never_followed() {
        // An echoed `url` (a hostile upstream, a payer-supplied node) must not turn the trusted
        // page into "Go to <bank>" with a link elsewhere.
        let nequi = payment(
            "CREATED",
            "NEQUI",
            "nequi",
            json!({"url": "https://evil.example/bank"}),
            T,
        );
        assert_eq!(next_action(&nequi), NextAction::ApproveInApp);
        let pix = payment(
            "CREATED",
            "PIX",
            "pix",
            json!({"url": "https://evil.example/bank", "data": "000201"}),
            T,
        );
        assert!(matches!(next_action(&pix), NextAction::Qr { .. }));
        let spei = payment(
            "CREATED",
            "SPEI",
            "spei",
            json!({"url": "https://evil.example/bank", "clabe": "646180157000000004"}),
            T,
        );
        assert!(matches!(next_action(&spei), NextAction::Transfer { .. }));
        let unknown = payment(
            "CREATED",
            "NEW_RAIL",
            "newRail",
            json!({"url": "https://evil.example/bank"}),
            T,
        );
        assert_eq!(next_action(&unknown), NextAction::ApproveInApp);
    }

    #[test]
    fn pix_shows_image_or_text_and_the_copy_code() {
        let png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
        let p = payment(
            "CREATED",
            "PIX",
            "pix",
            json!({"qrCode": png, "data": "00020126580014br.gov.bcb.pix", "expiredAt": T}),
            T,
        );
        assert_eq!(
            next_action(&p),
            NextAction::Qr {
                qr_text: Some("00020126580014br.gov.bcb.pix".into()),
                qr_image: Some(format!("data:image/png;base64,{png}")),
                copy_code: Some("00020126580014br.gov.bcb.pix".into()),
                expires_at: Some(T.into()),
            }
        );
        let text = payment("CREATED", "PIX", "pix", json!({"qrCode": "000201PIXTEXT"}), T);
        assert_eq!(
            next_action(&text),
            NextAction::Qr {
                qr_text: Some("000201PIXTEXT".into()),
                qr_image: None,
                copy_code: Some("000201PIXTEXT".into()),
                expires_at: None
            }
        );
        let data_url = payment(
            "CREATED",
            "PIX",
            "pix",
            json!({"qrCode": "data:image/png;base64,AAAA", "data": "000201"}),
            T,
        );
        assert!(
            matches!(next_action(&data_url), NextAction::Qr { qr_image: Some(ref u), .. } if u == "data:image/png;base64,AAAA")
        );
        // SVG (scriptable) and broken base64 are not shown as images, nor as QR text.
        let svg = payment(
            "CREATED",
            "PIX",
            "pix",
            json!({"qrCode": "data:image/svg+xml;base64,PHN2Zz4="}),
            T,
        );
        assert_eq!(next_action(&svg), NextAction::ApproveInApp);
        let broken = payment(
            "CREATED",
            "PIX",
            "pix",
            json!({"qrCode": "data:image/png;base64,<script>", "data": "000201"}),
            T,
        );
        assert!(matches!(
            next_action(&broken),
            NextAction::Qr {
                qr_image: None,
                qr_text: Some(_),
                ..
            }
        ));
    }

    #[test]
    fn pct_qr_text_doubles_as_copy_code() {
        let p = payment(
            "CREATED",
            "PCT",
            "pct",
            json!({"qrCode": "00020101021143650016com.mercadolibre"}),
            T,
        );
        assert_eq!(
            next_action(&p),
            NextAction::Qr {
                qr_text: Some("00020101021143650016com.mercadolibre".into()),
                qr_image: None,
                copy_code: Some("00020101021143650016com.mercadolibre".into()),
                expires_at: None,
            }
        );
    }

    #[test]
    fn transfers_show_account_details() {
        let spei = payment(
            "CREATED",
            "SPEI",
            "spei",
            json!({"clabe": "646180157000000004", "bankId": "STP"}),
            T,
        );
        assert_eq!(
            next_action(&spei),
            NextAction::Transfer {
                clabe: Some("646180157000000004".into()),
                cvu: None,
                bank: Some("STP".into())
            }
        );
        let cvu = payment("CREATED", "CVU", "cvu", json!({"code": "0000003100010000000001"}), T);
        assert_eq!(
            next_action(&cvu),
            NextAction::Transfer {
                clabe: None,
                cvu: Some("0000003100010000000001".into()),
                bank: None
            }
        );
        let empty = payment("CREATED", "SPEI", "spei", json!({"clabe": "  "}), T);
        assert_eq!(next_action(&empty), NextAction::ApproveInApp);
    }

    #[test]
    fn app_rails_and_odd_payments_wait_for_approval() {
        assert_eq!(
            next_action(&payment("CREATED", "NEQUI", "nequi", json!({}), T)),
            NextAction::ApproveInApp
        );
        assert_eq!(
            next_action(&payment("CREATED", "DAVIPLATA", "daviplata", json!({"otp": "1"}), T)),
            NextAction::ApproveInApp
        );
        assert_eq!(
            next_action(&payment("CREATED", "NEW_RAIL", "newRail", json!({}), T)),
            NextAction::ApproveInApp
        );
        let no_origin: Payment = serde_json::from_value(json!({"id": "p", "status": "CREATED"})).unwrap();
        assert_eq!(next_action(&no_origin), NextAction::ApproveInApp);
        // The node under the wrong key is not read.
        assert_eq!(
            next_action(&payment("CREATED", "PIX", "spei", json!({"qrCode": "x"}), T)),
            NextAction::ApproveInApp
        );
    }
}
