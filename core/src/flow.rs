//! The checkout state machine: which screen a session shows, what the payer does after
//! submitting a payment, polling cadence, countdowns, and which URLs may be followed.

use crate::model::{CheckoutSession, Payment, PaymentStatus, RailKind, SessionStatus};

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
pub fn phone_link(origin: &str, token: &str, handle: &crate::handle::SessionHandle) -> String {
    format!("{}/{token}?session={}", origin.trim_end_matches('/'), handle.as_str())
}

/// What the checkout page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    /// Choose a method and pay.
    Pay,
    /// A payment is in flight: poll.
    Waiting,
    Success,
    /// `can_retry`: the session is still payable, so another method may be tried.
    Failed {
        can_retry: bool,
    },
    Expired,
    /// A session status this build does not know; shown as a neutral message.
    UnknownStatus(String),
}

/// The session's status decides; while it is payable, the latest payment refines it (a
/// payment in flight means wait, a failed one means offer a retry).
pub fn screen_for(session: &CheckoutSession, latest_payment: Option<&Payment>) -> Screen {
    match &session.status {
        SessionStatus::Finished => Screen::Success,
        SessionStatus::Failed => Screen::Failed { can_retry: false },
        SessionStatus::Expired => Screen::Expired,
        SessionStatus::ProcessingPayment => Screen::Waiting,
        SessionStatus::Unknown(status) => Screen::UnknownStatus(status.clone()),
        SessionStatus::Attempt | SessionStatus::Active => match latest_payment.map(|p| &p.status) {
            None | Some(PaymentStatus::Refunded) => Screen::Pay,
            Some(PaymentStatus::Settled) => Screen::Success,
            Some(PaymentStatus::Failed | PaymentStatus::Expired | PaymentStatus::Unsettled) => {
                Screen::Failed { can_retry: true }
            }
            // CREATED … RECEIVED, and statuses this build does not know: a payment may be
            // moving, and paying again could charge twice.
            Some(_) => Screen::Waiting,
        },
    }
}

/// The newest payment by `createdAt`; unparseable dates count as oldest, ties go to the later
/// list entry.
pub fn latest_payment(payments: &[Payment]) -> Option<&Payment> {
    payments
        .iter()
        .enumerate()
        .max_by_key(|(i, p)| (parse_rfc3339_ms(&p.created_at).unwrap_or(i64::MIN), *i))
        .map(|(_, p)| p)
}

/// Delay before poll number `attempt` (0-based): 1 s growing by half each time, capped at 10 s.
pub fn poll_delay_ms(attempt: u32) -> u32 {
    let mut delay: u32 = 1000;
    for _ in 0..attempt {
        delay = delay * 3 / 2;
        if delay >= 10_000 {
            return 10_000;
        }
    }
    delay
}

/// Scheme, host and whether the host is loopback, for a URL that passed the safety checks.
struct ParsedUrl {
    https: bool,
    loopback: bool,
}

/// A strict absolute-URL parse: `http(s)://host[:port][/?#…]` with no whitespace, control
/// characters, backslashes, non-ASCII, or userinfo (`https://good@evil`). Anything a browser
/// might read differently from us is refused.
fn parse_url(url: &str) -> Option<ParsedUrl> {
    if url.is_empty() || url.len() > 2048 {
        return None;
    }
    if !url.bytes().all(|b| b.is_ascii_graphic()) || url.contains('\\') {
        return None;
    }
    let (scheme, rest) = url.split_once(':')?;
    let https = if scheme.eq_ignore_ascii_case("https") {
        true
    } else if scheme.eq_ignore_ascii_case("http") {
        false
    } else {
        return None;
    };
    let rest = rest.strip_prefix("//")?;
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (host, port) = crate::url::split_authority(&rest[..authority_end])?;
    if let Some(port) = port {
        let ok = (1..=5).contains(&port.len())
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u32>().is_ok_and(|p| p <= 65_535);
        if !ok {
            return None;
        }
    }
    let loopback = host.eq_ignore_ascii_case("localhost") || host == "[::1]" || is_loopback_v4(host);
    if !host.starts_with('[') && !crate::url::host_labels_ok(host) {
        return None;
    }
    Some(ParsedUrl { https, loopback })
}

/// `127.a.b.c` with four decimal octets.
fn is_loopback_v4(host: &str) -> bool {
    let octets: Vec<&str> = host.split('.').collect();
    octets.len() == 4
        && octets[0] == "127"
        && octets
            .iter()
            .all(|o| (1..=3).contains(&o.len()) && o.parse::<u8>().is_ok())
}

/// `url` if the browser may be sent there: absolute `https:`, or `http:` only to this machine
/// (the sandbox). `javascript:`, `data:`, relative and protocol-relative URLs are refused.
pub fn safe_redirect(url: &str) -> Option<String> {
    let parsed = parse_url(url)?;
    (parsed.https || parsed.loopback).then(|| url.to_string())
}

/// How the checkout ended, for choosing where to send the payer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failed,
}

/// The merchant page for the outcome (`successUrl`/`failedUrl`, else `redirectUrl`), if safe.
/// A configured but unsafe URL yields `None` rather than falling back: the payer stays on the
/// result page instead of being sent somewhere the merchant did not choose for this outcome.
pub fn redirect_target(session: &CheckoutSession, outcome: Outcome) -> Option<String> {
    let specific = match outcome {
        Outcome::Success => &session.success_url,
        Outcome::Failed => &session.failed_url,
    };
    let non_empty = |u: &Option<String>| {
        u.as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(str::to_string)
    };
    let candidate = non_empty(specific).or_else(|| non_empty(&session.redirect_url))?;
    safe_redirect(&candidate)
}

fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    // Howard Hinnant's algorithm: days since 1970-01-01 in the proleptic Gregorian calendar.
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Milliseconds since the Unix epoch of an RFC 3339 date-time (`2025-04-24T12:00:00.123Z`,
/// `…-05:00`); fractions beyond milliseconds are truncated. `None` for anything else.
pub fn parse_rfc3339_ms(text: &str) -> Option<i64> {
    let b = text.trim().as_bytes();
    let num = |from: usize, to: usize| -> Option<i64> {
        let digits = b.get(from..to)?;
        digits
            .iter()
            .all(u8::is_ascii_digit)
            .then(|| digits.iter().fold(0, |acc, d| acc * 10 + i64::from(d - b'0')))
    };
    let sep = |at: usize, allowed: &[u8]| b.get(at).is_some_and(|c| allowed.contains(c));
    if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"Tt ") && sep(13, b":") && sep(16, b":")) {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (hour, minute, second) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    if !(1..=12).contains(&month)
        || !(1..=days_in_month(year, month)).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut i = 19;
    let mut millis = 0;
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        i = start;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
        let frac = &b[start..i.min(start + 3)];
        millis = frac.iter().fold(0, |acc, d| acc * 10 + i64::from(d - b'0')) * 10_i64.pow(3 - frac.len() as u32);
    }
    let offset_minutes = match &b[i..] {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (oh, om) = (num(i + 1, i + 3)?, num(i + 4, i + 6)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let minutes = oh * 60 + om;
            if *sign == b'+' {
                minutes
            } else {
                -minutes
            }
        }
        _ => return None,
    };
    let seconds = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    Some(seconds * 1000 + millis)
}

/// Time left until a deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Countdown {
    pub seconds_left: i64,
    /// Under two minutes: the page may draw attention to it.
    pub urgent: bool,
}

/// Whole seconds left (rounded up, never negative), or `None` if `expires_at` is not a date.
pub fn countdown(now_ms: i64, expires_at: &str) -> Option<Countdown> {
    let left_ms = parse_rfc3339_ms(expires_at)?.saturating_sub(now_ms).max(0);
    let seconds_left = left_ms / 1000 + i64::from(left_ms % 1000 != 0);
    Some(Countdown {
        seconds_left,
        urgent: seconds_left < 120,
    })
}

/// The merchant logo URL, only when absolute `https:` (no mixed content, no tracking over
/// `http:`, no `data:`/`javascript:`).
pub fn https_logo(url: &str) -> Option<String> {
    let url = url.trim();
    parse_url(url).filter(|p| p.https).map(|_| url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{payment, session_with};
    use serde_json::json;

    const T: &str = "2025-04-24T12:00:00Z";

    fn session_status(status: &str) -> CheckoutSession {
        session_with(json!({"status": status}))
    }

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
        let handle = crate::handle::SessionHandle::parse("cs_1.1900000000.abcdefghijklmnop").unwrap();
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

    #[test]
    fn every_session_status_has_a_screen() {
        assert_eq!(screen_for(&session_status("FINISHED"), None), Screen::Success);
        assert_eq!(
            screen_for(&session_status("FAILED"), None),
            Screen::Failed { can_retry: false }
        );
        assert_eq!(screen_for(&session_status("EXPIRED"), None), Screen::Expired);
        assert_eq!(screen_for(&session_status("PROCESSING_PAYMENT"), None), Screen::Waiting);
        assert_eq!(screen_for(&session_status("ATTEMPT"), None), Screen::Pay);
        assert_eq!(screen_for(&session_status("ACTIVE"), None), Screen::Pay);
        assert_eq!(
            screen_for(&session_status("ON_HOLD"), None),
            Screen::UnknownStatus("ON_HOLD".into())
        );
    }

    #[test]
    fn a_payable_session_follows_its_latest_payment() {
        let active = session_status("ACTIVE");
        let with = |status: &str| screen_for(&active, Some(&payment(status, "PSE", "pse", json!({}), T)));
        for moving in [
            "CREATED",
            "PENDING",
            "AUTHORIZED",
            "REQUIRES_REVIEW",
            "CAPTURED",
            "RECEIVED",
            "SOMETHING_NEW",
        ] {
            assert_eq!(with(moving), Screen::Waiting, "{moving}");
        }
        for failed in ["FAILED", "EXPIRED", "UNSETTLED"] {
            assert_eq!(with(failed), Screen::Failed { can_retry: true }, "{failed}");
        }
        assert_eq!(with("SETTLED"), Screen::Success);
        assert_eq!(with("REFUNDED"), Screen::Pay);
    }

    #[test]
    fn expiry_while_waiting_shows_expired() {
        let pending = payment("PENDING", "PIX", "pix", json!({"data": "000201"}), T);
        assert_eq!(
            screen_for(&session_status("PROCESSING_PAYMENT"), Some(&pending)),
            Screen::Waiting
        );
        assert_eq!(screen_for(&session_status("EXPIRED"), Some(&pending)), Screen::Expired);
        // The session's verdict wins over a stale payment.
        let settled = payment("SETTLED", "PIX", "pix", json!({}), T);
        assert_eq!(
            screen_for(&session_status("FAILED"), Some(&settled)),
            Screen::Failed { can_retry: false }
        );
    }

    #[test]
    fn latest_payment_is_the_newest() {
        let older = payment("FAILED", "PSE", "pse", json!({}), "2025-04-24T12:00:00Z");
        let newer = payment("CREATED", "PSE", "pse", json!({}), "2025-04-24T07:30:00.5-05:00");
        let broken = payment("SETTLED", "PSE", "pse", json!({}), "yesterday");
        let list = vec![newer.clone(), older.clone(), broken];
        assert_eq!(latest_payment(&list).map(|p| &p.id), Some(&newer.id));
        assert!(latest_payment(&[]).is_none());
        // Equal times: the later entry wins.
        let twin = payment("SETTLED", "PSE", "pse", json!({}), "2025-04-24T12:00:00Z");
        let pair = [older, twin];
        assert_eq!(latest_payment(&pair).map(|p| &p.status), Some(&PaymentStatus::Settled));
    }

    #[test]
    fn polling_backs_off_to_ten_seconds() {
        let delays: Vec<u32> = (0..8).map(poll_delay_ms).collect();
        assert_eq!(delays, [1000, 1500, 2250, 3375, 5062, 7593, 10_000, 10_000]);
        assert_eq!(poll_delay_ms(u32::MAX), 10_000);
    }

    #[test]
    fn redirect_safety() {
        for ok in [
            "https://merchant.example/thanks",
            "https://merchant.example:8443/a?b=c#d",
            "HTTPS://Merchant.Example",
            "http://localhost:3000/ok",
            "http://127.0.0.1:8080/tok?return=success",
            "http://[::1]:8080/",
            "https://[2001:db8::1]/x",
        ] {
            assert_eq!(safe_redirect(ok).as_deref(), Some(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "/relative",
            "relative/path",
            "//evil.example",
            "http://merchant.example/",
            "http://127.0.0.1.evil.example/",
            "https://merchant.example@evil.example/",
            "https://user:pw@merchant.example/",
            "https://evil.example\\@merchant.example",
            "https:\\\\evil.example",
            "https:/evil.example",
            "https:///evil.example",
            "https://",
            "https://evil .example",
            "https://evil.example/\n",
            "https://ev\til.example",
            "https://évil.example",
            "https://evil..example",
            "https://-evil.example",
            "https://evil.example:99999/",
            "https://evil.example:/",
            "https://evil.example:80a/",
            "https://[::1/",
            "https://[::1]x/",
            "https://%65vil.example",
            "ftp://merchant.example",
            "",
        ] {
            assert_eq!(safe_redirect(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn redirect_target_prefers_the_outcome_url_and_never_follows_unsafe_ones() {
        let s = session_with(
            json!({"successUrl": "https://shop.example/ok", "failedUrl": "https://shop.example/ko", "redirectUrl": "https://shop.example/back"}),
        );
        assert_eq!(
            redirect_target(&s, Outcome::Success).as_deref(),
            Some("https://shop.example/ok")
        );
        assert_eq!(
            redirect_target(&s, Outcome::Failed).as_deref(),
            Some("https://shop.example/ko")
        );
        let fallback = session_with(json!({"successUrl": "", "redirectUrl": "https://shop.example/back"}));
        assert_eq!(
            redirect_target(&fallback, Outcome::Success).as_deref(),
            Some("https://shop.example/back")
        );
        assert_eq!(
            redirect_target(&fallback, Outcome::Failed).as_deref(),
            Some("https://shop.example/back")
        );
        let evil =
            session_with(json!({"successUrl": "javascript:alert(1)", "redirectUrl": "https://shop.example/back"}));
        assert_eq!(redirect_target(&evil, Outcome::Success), None);
        let nothing = session_with(json!({}));
        assert_eq!(redirect_target(&nothing, Outcome::Success), None);
    }

    #[test]
    fn parses_rfc3339() {
        assert_eq!(parse_rfc3339_ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339_ms("2025-04-24T12:00:00Z"), Some(1_745_496_000_000));
        assert_eq!(parse_rfc3339_ms("2025-04-24T12:00:00.123Z"), Some(1_745_496_000_123));
        assert_eq!(parse_rfc3339_ms("2025-04-24T12:00:00.1Z"), Some(1_745_496_000_100));
        assert_eq!(
            parse_rfc3339_ms("2025-04-24T12:00:00.123456789Z"),
            Some(1_745_496_000_123)
        );
        assert_eq!(parse_rfc3339_ms("2025-04-24T07:00:00-05:00"), Some(1_745_496_000_000));
        assert_eq!(parse_rfc3339_ms("2025-04-24T14:30:00+02:30"), Some(1_745_496_000_000));
        assert_eq!(parse_rfc3339_ms("2024-02-29t00:00:00z"), Some(1_709_164_800_000));
        assert_eq!(parse_rfc3339_ms("1969-12-31T23:59:59Z"), Some(-1000));
        for bad in [
            "",
            "2025-04-24",
            "2025-04-24T12:00:00",
            "2025-04-24T12:00Z",
            "2025-13-01T00:00:00Z",
            "2025-02-29T00:00:00Z",
            "2025-04-31T00:00:00Z",
            "2025-04-24T24:00:00Z",
            "2025-04-24T12:60:00Z",
            "2025-04-24T12:00:00.Z",
            "2025-04-24T12:00:00+0500",
            "2025-04-24T12:00:00+25:00",
            "2025-04-24T12:00:00ZZ",
            "2025/04/24T12:00:00Z",
            "+025-04-24T12:00:00Z",
            "2025-04-24T12:00:00 Z",
        ] {
            assert_eq!(parse_rfc3339_ms(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn countdown_rounds_up_and_flags_the_last_two_minutes() {
        let exp = "2025-04-24T12:30:00Z";
        let at = |s: &str| parse_rfc3339_ms(s).unwrap();
        assert_eq!(
            countdown(at("2025-04-24T12:00:00Z"), exp),
            Some(Countdown {
                seconds_left: 1800,
                urgent: false
            })
        );
        assert_eq!(
            countdown(at("2025-04-24T12:28:00Z"), exp),
            Some(Countdown {
                seconds_left: 120,
                urgent: false
            })
        );
        assert_eq!(
            countdown(at("2025-04-24T12:28:00.5Z"), exp),
            Some(Countdown {
                seconds_left: 120,
                urgent: false
            })
        );
        assert_eq!(
            countdown(at("2025-04-24T12:28:01Z"), exp),
            Some(Countdown {
                seconds_left: 119,
                urgent: true
            })
        );
        assert_eq!(
            countdown(at("2025-04-24T13:00:00Z"), exp),
            Some(Countdown {
                seconds_left: 0,
                urgent: true
            })
        );
        assert_eq!(countdown(0, "soon"), None);
        assert_eq!(countdown(i64::MIN, exp).map(|c| c.seconds_left > 0), Some(true));
    }

    #[test]
    fn logos_only_over_https() {
        assert_eq!(
            https_logo("https://cdn.example/logo.png").as_deref(),
            Some("https://cdn.example/logo.png")
        );
        assert_eq!(https_logo("http://cdn.example/logo.png"), None);
        assert_eq!(https_logo("http://127.0.0.1/logo.png"), None);
        assert_eq!(https_logo("data:image/png;base64,AAAA"), None);
        assert_eq!(https_logo("javascript:alert(1)"), None);
        assert_eq!(https_logo(""), None);
    }
}
