//! The simulated payment provider: a page per payment with Approve and Decline, the settlement
//! it triggers, and the sandbox merchant's success and failure pages.

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use super::payments::merchant_name;
use super::store::{is_pending, SettleError};
use super::Sandbox;

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

/// A minimal page: no scripts, no inline styles (the checkout's CSP forbids both).
fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"es\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n",
        title = escape(title)
    );
    (status, Html(html)).into_response()
}

fn not_found() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "Pago no encontrado (Payment not found)",
        "<h1>Pago no encontrado (Payment not found)</h1>",
    )
}

/// `GET /sandbox/provider/{paymentId}`.
pub async fn show(State(sandbox): State<Arc<Sandbox>>, payment_id: PaymentId) -> Response {
    let Ok(Path(payment_id)) = payment_id else { return not_found() };
    let (store, _) = sandbox.current();
    let Some(payment) = store.payment(&payment_id) else { return not_found() };
    let merchant = store.session(&payment.session_id).map(merchant_name).unwrap_or_default();
    let id = escape(&payment.id);
    let actions = if is_pending(&payment.status) {
        format!(
            "<form method=\"post\" action=\"/sandbox/provider/{id}/approve\">\
             <button id=\"approve\" type=\"submit\">Aprobar (Approve)</button></form>\n\
             <form method=\"post\" action=\"/sandbox/provider/{id}/decline\">\
             <button id=\"decline\" type=\"submit\">Rechazar (Decline)</button></form>"
        )
    } else {
        "<p id=\"processed\">Este pago ya fue procesado (This payment was already processed).</p>".to_string()
    };
    let body = format!(
        "<h1>Proveedor de pagos de prueba (Sandbox payment provider)</h1>\n\
         <dl>\n<dt>Comercio (Merchant)</dt><dd id=\"merchant\">{merchant}</dd>\n\
         <dt>Monto (Amount)</dt><dd id=\"amount\">{amount} {currency}</dd>\n\
         <dt>Medio de pago (Rail)</dt><dd id=\"rail\">{rail}</dd>\n\
         <dt>Estado (Status)</dt><dd id=\"status\">{status}</dd>\n</dl>\n{actions}",
        merchant = escape(&merchant),
        amount = escape(&payment.purchase_amount),
        currency = escape(&payment.purchase_currency),
        rail = escape(payment.rail.as_str()),
        status = escape(payment.status.as_str()),
    );
    page(StatusCode::OK, "Sandbox provider", &body)
}

type PaymentId = Result<Path<String>, PathRejection>;

pub async fn approve(State(sandbox): State<Arc<Sandbox>>, payment_id: PaymentId) -> Response {
    match payment_id {
        Ok(Path(id)) => decide(&sandbox, &id, true),
        Err(_) => not_found(),
    }
}

pub async fn decline(State(sandbox): State<Arc<Sandbox>>, payment_id: PaymentId) -> Response {
    match payment_id {
        Ok(Path(id)) => decide(&sandbox, &id, false),
        Err(_) => not_found(),
    }
}

/// Settles the payment, then sends the payer back the way a provider would: a 303 to the rail
/// node's successUrl/failedUrl when it is an absolute http(s) URL, else a result page here.
fn decide(sandbox: &Sandbox, payment_id: &str, approve: bool) -> Response {
    // A `railNeverAnswers` fault: the provider takes the click and the rail stays silent.
    if sandbox.payment_is_stranded(payment_id) {
        return page(
            StatusCode::ACCEPTED,
            "Sin respuesta (No answer)",
            "<h1 id=\"no-answer\">El medio de pago no respondió (The rail did not answer)</h1>",
        );
    }
    let result = {
        let (mut store, now) = sandbox.current();
        store.settle(payment_id, approve, now)
    };
    match result {
        Ok(payment) => {
            let target = payment.return_url(approve).and_then(|url| redirect_target(&url));
            match target {
                Some(location) => (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response(),
                None => outcome_page(approve),
            }
        }
        Err(SettleError::NotFound) => not_found(),
        Err(SettleError::AlreadyProcessed(status)) => page(
            StatusCode::CONFLICT,
            "Pago ya procesado (Payment already processed)",
            &format!(
                "<h1>Este pago ya fue procesado (This payment was already processed)</h1>\n\
                 <p>Estado (Status): <span id=\"status\">{}</span></p>",
                escape(status.as_str())
            ),
        ),
    }
}

/// An absolute http(s) URL that is also a valid header value; anything else is not followed.
fn redirect_target(url: &str) -> Option<HeaderValue> {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    let absolute = lower.starts_with("https://") || lower.starts_with("http://");
    if !absolute || url.len() > 2048 || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    HeaderValue::from_str(url).ok()
}

fn outcome_page(approved: bool) -> Response {
    let (title, id) = if approved {
        ("Pago aprobado (Payment approved)", "approved")
    } else {
        ("Pago rechazado (Payment declined)", "declined")
    };
    page(StatusCode::OK, title, &format!("<h1 id=\"{id}\">{title}</h1>"))
}

/// `GET /sandbox/merchant/success`: where demo links send the payer after paying.
pub async fn merchant_success() -> Response {
    page(
        StatusCode::OK,
        "Merchant: payment received",
        "<h1 id=\"merchant-success\">Comercio: pago recibido (Merchant: payment received)</h1>",
    )
}

/// `GET /sandbox/merchant/failed`.
pub async fn merchant_failed() -> Response {
    page(
        StatusCode::OK,
        "Merchant: payment failed",
        "<h1 id=\"merchant-failed\">Comercio: el pago falló (Merchant: payment failed)</h1>",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    }

    #[test]
    fn follows_only_absolute_http_urls() {
        assert!(redirect_target("http://127.0.0.1:8080/demo-clp?return=success").is_some());
        assert!(redirect_target("https://shop.example/ok").is_some());
        assert!(redirect_target("javascript:alert(1)").is_none());
        assert!(redirect_target("/relative").is_none());
        assert!(redirect_target("https://x.example/a b").is_none());
        assert!(redirect_target("data:text/html,hi").is_none());
    }
}
