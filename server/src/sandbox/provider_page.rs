//! The simulated payment provider: a page per payment with Approve and Decline, the settlement
//! it triggers, and the sandbox merchant's success and failure pages.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use checkout_core::i18n::{negotiate, Locale};
use checkout_core::money::format_fallback;

use super::payments::merchant_name;
use super::store::{is_pending, SettleError};
use super::Sandbox;

/// Every text of these pages, per locale; a struct so a missing translation cannot compile.
struct Text {
    title: &'static str,
    heading: &'static str,
    merchant: &'static str,
    amount: &'static str,
    rail: &'static str,
    status: &'static str,
    approve: &'static str,
    decline: &'static str,
    processed: &'static str,
    not_found: &'static str,
    no_answer: &'static str,
    approved: &'static str,
    declined: &'static str,
    merchant_success: &'static str,
    merchant_failed: &'static str,
    /// The link from an outcome page back into the checkout.
    back: &'static str,
}

const ES: Text = Text {
    title: "Proveedor de pagos de prueba",
    heading: "Proveedor de pagos de prueba",
    merchant: "Comercio",
    amount: "Monto",
    rail: "Medio de pago",
    status: "Estado",
    approve: "Aprobar",
    decline: "Rechazar",
    processed: "Este pago ya fue procesado.",
    not_found: "Pago no encontrado",
    no_answer: "El medio de pago no respondió",
    approved: "Pago aprobado",
    declined: "Pago rechazado",
    merchant_success: "Comercio: pago recibido",
    merchant_failed: "Comercio: el pago falló",
    back: "Volver al pago",
};

const PT_BR: Text = Text {
    title: "Provedor de pagamentos de teste",
    heading: "Provedor de pagamentos de teste",
    merchant: "Loja",
    amount: "Valor",
    rail: "Forma de pagamento",
    status: "Status",
    approve: "Aprovar",
    decline: "Recusar",
    processed: "Este pagamento já foi processado.",
    not_found: "Pagamento não encontrado",
    no_answer: "A forma de pagamento não respondeu",
    approved: "Pagamento aprovado",
    declined: "Pagamento recusado",
    merchant_success: "Loja: pagamento recebido",
    merchant_failed: "Loja: o pagamento falhou",
    back: "Voltar ao pagamento",
};

const EN: Text = Text {
    title: "Sandbox payment provider",
    heading: "Sandbox payment provider",
    merchant: "Merchant",
    amount: "Amount",
    rail: "Payment method",
    status: "Status",
    approve: "Approve",
    decline: "Decline",
    processed: "This payment was already processed.",
    not_found: "Payment not found",
    no_answer: "The payment method did not answer",
    approved: "Payment approved",
    declined: "Payment declined",
    merchant_success: "Merchant: payment received",
    merchant_failed: "Merchant: payment failed",
    back: "Back to the checkout",
};

fn text(locale: Locale) -> &'static Text {
    match locale {
        Locale::Es => &ES,
        Locale::PtBr => &PT_BR,
        Locale::En => &EN,
    }
}

/// `?locale=`, else the `locale` the checkout put in the payment's return URL (the payer's
/// choice there), else `Accept-Language` in preference order, else Spanish.
fn choose_locale(query: &HashMap<String, String>, return_url: Option<&str>, headers: &HeaderMap) -> Locale {
    let from_return = return_url.and_then(|url| {
        let query = url.split_once('?')?.1.split('#').next()?;
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix("locale="))
            .map(str::to_string)
    });
    let requested = query.get("locale").cloned().or(from_return);
    let accepted = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    negotiate(requested.as_deref(), &accept_language(accepted))
}

/// `Accept-Language` tags, highest `q` first (ties keep their order; `q=0` means "not this").
fn accept_language(header: &str) -> Vec<String> {
    let mut tags: Vec<(String, u32)> = header
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.split(';');
            let tag = pieces.next()?.trim();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1000), |q| {
                    q.trim()
                        .parse::<f32>()
                        .ok()
                        .map(|q| (q.clamp(0.0, 1.0) * 1000.0) as u32)
                })?;
            (!tag.is_empty() && q > 0).then(|| (tag.to_string(), q))
        })
        .collect();
    tags.sort_by_key(|tag| std::cmp::Reverse(tag.1));
    tags.into_iter().map(|(tag, _)| tag).collect()
}

/// Escapes text for HTML content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The pages' stylesheet: readable, big enough targets, both colour schemes. A file, not an
/// inline `<style>`: the CSP's `style-src 'self'` forbids those.
pub const STYLESHEET: &str = "\
:root { color-scheme: light dark; font: 16px/1.5 system-ui, sans-serif; }
body { margin: 0; background: #f4f5f7; color: #14171c; }
main { max-width: 32rem; margin: 0 auto; padding: 1.5rem 1rem; }
h1 { font-size: 1.375rem; line-height: 1.25; }
dl { display: grid; grid-template-columns: auto 1fr; gap: 0.25rem 1rem; }
dt { font-weight: 600; } dd { margin: 0; overflow-wrap: anywhere; }
.actions { display: flex; flex-wrap: wrap; gap: 0.75rem; }
form { margin: 0; }
button { min-height: 44px; min-width: 44px; padding: 0.5rem 1.25rem; font: inherit; font-weight: 600;
  border-radius: 8px; border: 1px solid #6b7482; background: #ffffff; color: #14171c; cursor: pointer; }
button#approve { background: #0a58a8; border-color: #0a58a8; color: #ffffff; }
:focus-visible { outline: 3px solid #0a58a8; outline-offset: 2px; }
@media (prefers-color-scheme: dark) {
  body { background: #0f1216; color: #eef1f5; }
  button { background: #1a1f26; color: #eef1f5; border-color: #8893a2; }
  button#approve { background: #8cc2ff; border-color: #8cc2ff; color: #0b1a2e; }
  :focus-visible { outline-color: #8cc2ff; }
}
";

/// `GET /sandbox/provider.css`.
pub async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLESHEET).into_response()
}

/// A minimal page: no scripts, no inline styles (the checkout's CSP forbids both).
fn page(status: StatusCode, locale: Locale, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<link rel=\"stylesheet\" href=\"/sandbox/provider.css\">\n</head>\n\
         <body>\n<main>\n{body}\n</main>\n</body>\n</html>\n",
        lang = locale.tag(),
        title = escape(title)
    );
    (status, Html(html)).into_response()
}

/// A page whose body is one heading with `id`.
fn heading_page(status: StatusCode, locale: Locale, id: &str, heading: &str) -> Response {
    page(
        status,
        locale,
        heading,
        &format!("<h1 id=\"{id}\">{}</h1>", escape(heading)),
    )
}

fn not_found(locale: Locale) -> Response {
    heading_page(StatusCode::NOT_FOUND, locale, "not-found", text(locale).not_found)
}

type PaymentId = Result<Path<String>, PathRejection>;
type Params = Query<HashMap<String, String>>;

/// `GET /sandbox/provider/{paymentId}`.
pub async fn show(
    State(sandbox): State<Arc<Sandbox>>,
    payment_id: PaymentId,
    Query(query): Params,
    headers: HeaderMap,
) -> Response {
    let Ok(Path(payment_id)) = payment_id else {
        return not_found(choose_locale(&query, None, &headers));
    };
    let (store, _) = sandbox.current();
    let Some(payment) = store.payment(&payment_id) else {
        return not_found(choose_locale(&query, None, &headers));
    };
    let locale = choose_locale(&query, payment.return_url(true).as_deref(), &headers);
    let t = text(locale);
    let merchant = store
        .session(&payment.session_id)
        .map(merchant_name)
        .unwrap_or_default();
    let id = escape(&payment.id);
    let lang = locale.tag();
    let actions = if is_pending(&payment.status) {
        format!(
            "<div class=\"actions\">\n<form method=\"post\" action=\"/sandbox/provider/{id}/approve?locale={lang}\">\
             <button id=\"approve\" type=\"submit\">{approve}</button></form>\n\
             <form method=\"post\" action=\"/sandbox/provider/{id}/decline?locale={lang}\">\
             <button id=\"decline\" type=\"submit\">{decline}</button></form>\n</div>",
            approve = t.approve,
            decline = t.decline,
        )
    } else {
        format!("<p id=\"processed\">{}</p>", t.processed)
    };
    // The amount as this locale writes it, with the ISO code: the rail's currency is not
    // always the one a "$" would suggest.
    let currency = &payment.purchase_currency;
    let amount = match format_fallback(&payment.purchase_amount, currency, lang) {
        Ok(text) if text.contains(currency.as_str()) => text,
        Ok(text) => format!("{text} {currency}"),
        Err(_) => format!("{} {currency}", payment.purchase_amount),
    };
    let body = format!(
        "<h1>{heading}</h1>\n\
         <dl>\n<dt>{merchant_label}</dt><dd id=\"merchant\">{merchant}</dd>\n\
         <dt>{amount_label}</dt><dd id=\"amount\">{amount}</dd>\n\
         <dt>{rail_label}</dt><dd id=\"rail\">{rail}</dd>\n\
         <dt>{status_label}</dt><dd id=\"status\">{status}</dd>\n</dl>\n{actions}",
        heading = t.heading,
        merchant_label = t.merchant,
        amount_label = t.amount,
        rail_label = t.rail,
        status_label = t.status,
        merchant = escape(&merchant),
        amount = escape(&amount),
        rail = escape(payment.rail.as_str()),
        status = escape(payment.status.as_str()),
    );
    page(StatusCode::OK, locale, t.title, &body)
}

pub async fn approve(
    State(sandbox): State<Arc<Sandbox>>,
    payment_id: PaymentId,
    Query(query): Params,
    headers: HeaderMap,
) -> Response {
    let locale = choose_locale(&query, None, &headers);
    match payment_id {
        Ok(Path(id)) => decide(&sandbox, &id, true, locale),
        Err(_) => not_found(locale),
    }
}

pub async fn decline(
    State(sandbox): State<Arc<Sandbox>>,
    payment_id: PaymentId,
    Query(query): Params,
    headers: HeaderMap,
) -> Response {
    let locale = choose_locale(&query, None, &headers);
    match payment_id {
        Ok(Path(id)) => decide(&sandbox, &id, false, locale),
        Err(_) => not_found(locale),
    }
}

/// Settles the payment, then sends the payer back the way a provider would: a 303 to the rail
/// node's successUrl/failedUrl when it leads into this checkout, else an outcome page here with
/// a link to the checkout's own page for the link. Whoever submits a payment chooses its return
/// URLs, so following any other would make this page an open redirect under the checkout's name.
fn decide(sandbox: &Sandbox, payment_id: &str, approve: bool, locale: Locale) -> Response {
    let t = text(locale);
    // A `railNeverAnswers` fault: the provider takes the click and the rail stays silent.
    if sandbox.payment_is_stranded(payment_id) {
        return heading_page(StatusCode::ACCEPTED, locale, "no-answer", t.no_answer);
    }
    let result = {
        let (mut store, now) = sandbox.current();
        store.settle(payment_id, approve, now).map(|payment| {
            let token = store.session(&payment.session_id).map(|session| session.token.clone());
            (payment, token)
        })
    };
    match result {
        Ok((payment, token)) => {
            let target = payment
                .return_url(approve)
                .and_then(|url| redirect_target(&url, &sandbox.base_url()));
            if let Some(location) = target {
                return (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response();
            }
            let (id, heading) = if approve {
                ("approved", t.approved)
            } else {
                ("declined", t.declined)
            };
            let back = token.map(|token| {
                format!(
                    "\n<p><a id=\"back\" href=\"{}\">{}</a></p>",
                    escape(&sandbox.checkout_url(&token)),
                    t.back
                )
            });
            let body = format!("<h1 id=\"{id}\">{}</h1>{}", escape(heading), back.unwrap_or_default());
            page(StatusCode::OK, locale, heading, &body)
        }
        Err(SettleError::NotFound) => not_found(locale),
        Err(SettleError::AlreadyProcessed(status)) => page(
            StatusCode::CONFLICT,
            locale,
            t.processed,
            &format!(
                "<h1>{}</h1>\n<p>{}: <span id=\"status\">{}</span></p>",
                t.processed,
                t.status,
                escape(status.as_str())
            ),
        ),
    }
}

/// A URL under `checkout_base` (`http(s)://host[:port]`, no trailing slash) that is also a
/// valid header value; anything else is not followed. The `/` after the base is required, so
/// `https://checkout.example.evil.example` or `https://checkout.example@evil.example` are not it.
fn redirect_target(url: &str, checkout_base: &str) -> Option<HeaderValue> {
    let url = url.trim();
    let inside = url
        .strip_prefix(checkout_base)
        .is_some_and(|rest| rest.starts_with('/'));
    if !inside || url.len() > 2048 || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    HeaderValue::from_str(url).ok()
}

/// `GET /sandbox/merchant/success`: where demo links send the payer after paying.
pub async fn merchant_success(Query(query): Params, headers: HeaderMap) -> Response {
    let locale = choose_locale(&query, None, &headers);
    heading_page(
        StatusCode::OK,
        locale,
        "merchant-success",
        text(locale).merchant_success,
    )
}

/// `GET /sandbox/merchant/failed`.
pub async fn merchant_failed(Query(query): Params, headers: HeaderMap) -> Response {
    let locale = choose_locale(&query, None, &headers);
    heading_page(StatusCode::OK, locale, "merchant-failed", text(locale).merchant_failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn follows_only_urls_into_the_checkout() {
        let base = "http://127.0.0.1:8080";
        assert!(redirect_target("http://127.0.0.1:8080/demo-clp?return=success", base).is_some());
        assert!(redirect_target(" http://127.0.0.1:8080/sandbox/merchant/success ", base).is_some());
        for refused in [
            "https://shop.example/ok",
            "https://evil.example/x",
            "http://127.0.0.1:8080",
            "http://127.0.0.1:80800/x",
            "http://127.0.0.1:8080.evil.example/x",
            "http://127.0.0.1:8080@evil.example/x",
            "javascript:alert(1)",
            "/relative",
            "http://127.0.0.1:8080/a b",
            "http://127.0.0.1:8080/a\nLocation: x",
            "data:text/html,hi",
        ] {
            assert!(redirect_target(refused, base).is_none(), "{refused}");
        }
    }

    #[test]
    fn speaks_the_payers_language() {
        let headers = |value: &str| {
            let mut map = HeaderMap::new();
            map.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_str(value).expect("header"));
            map
        };
        let none = HashMap::new();
        let query = |tag: &str| HashMap::from([("locale".to_string(), tag.to_string())]);
        assert_eq!(choose_locale(&none, None, &HeaderMap::new()), Locale::Es);
        assert_eq!(
            choose_locale(&none, None, &headers("pt-PT,pt;q=0.9,en;q=0.8")),
            Locale::PtBr
        );
        assert_eq!(
            choose_locale(&none, None, &headers("fr;q=0.9, en;q=0.8, es;q=0.7")),
            Locale::En
        );
        // Preference order, not header order; q=0 is a refusal.
        assert_eq!(choose_locale(&none, None, &headers("es;q=0.2, en-US")), Locale::En);
        assert_eq!(
            choose_locale(&none, None, &headers("en;q=0, pt-BR;q=0.5")),
            Locale::PtBr
        );
        // The checkout's choice, carried in the return URL, beats the browser's.
        let back = "http://127.0.0.1:8080/tok?locale=en&return=success";
        assert_eq!(choose_locale(&none, Some(back), &headers("es-CL")), Locale::En);
        assert_eq!(
            choose_locale(&query("pt-BR"), Some(back), &headers("es-CL")),
            Locale::PtBr
        );
    }

    #[test]
    fn every_locale_has_every_text() {
        for locale in Locale::ALL {
            let t = text(locale);
            let all = [
                t.title,
                t.heading,
                t.merchant,
                t.amount,
                t.rail,
                t.status,
                t.approve,
                t.decline,
                t.processed,
                t.not_found,
                t.no_answer,
                t.approved,
                t.declined,
                t.merchant_success,
                t.merchant_failed,
                t.back,
            ];
            assert!(all.iter().all(|s| !s.trim().is_empty()), "{locale:?}");
        }
        assert_ne!(text(Locale::Es).approve, text(Locale::En).approve);
    }
}
