//! The sandbox's demo merchant: a shop page on a second origin (`http://localhost:<port>`) that
//! embeds the checkout with `/embed.js` from the checkout's origin and lists the events it
//! receives, so a merchant sees the embedding (and a refused frame) working from `./run`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use checkout_core::embed_protocol::origin_of;
use checkout_core::i18n::Locale;
use checkout_core::model::is_valid_id;

use crate::sandbox::Sandbox;

const SCRIPT: &str = include_str!("merchant_demo/merchant.js");
const STYLE: &str = include_str!("merchant_demo/merchant.css");

/// The demo shop: its own origin, the checkout it embeds, and the sandbox's links to offer.
pub struct MerchantDemo {
    /// `http://localhost:<port>`: what browsers send as the page's origin.
    pub origin: String,
    /// The checkout's public origin, where `embed.js` and the frame come from.
    pub checkout_url: String,
    pub sandbox: Arc<Sandbox>,
}

/// `/` the shop page (`?token=&locale=&theme=`), `/merchant.js`, `/merchant.css`, and the
/// shop's own `/success` and `/failed` pages for links that return there.
pub fn router(demo: Arc<MerchantDemo>) -> Router {
    Router::new()
        .route("/", get(page))
        .route(
            "/merchant.js",
            get(|| async { asset(SCRIPT, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/merchant.css",
            get(|| async { asset(STYLE, "text/css; charset=utf-8") }),
        )
        .route("/success", get(|| async { outcome(true) }))
        .route("/failed", get(|| async { outcome(false) }))
        .fallback(|| async { html(StatusCode::NOT_FOUND, "<h1>Not found</h1>".into(), "'none'", "") })
        .with_state(demo)
}

async fn page(State(demo): State<Arc<MerchantDemo>>, Query(query): Query<HashMap<String, String>>) -> Response {
    let links = demo.sandbox.demo_links();
    let allowed = |token: &str| demo.sandbox.frame_ancestors_of(token).contains(&demo.origin);
    let requested = query.get("token").filter(|t| is_valid_id(t)).cloned();
    let token = requested
        .clone()
        .or_else(|| links.iter().find(|l| allowed(&l.token)).map(|l| l.token.clone()))
        .unwrap_or_default();
    let mut options = String::new();
    if requested.as_ref().is_some_and(|t| !links.iter().any(|l| &l.token == t)) {
        options.push_str(&format!("<option value=\"{0}\" selected>{0}</option>", escape(&token)));
    }
    for link in &links {
        let note = if allowed(&link.token) {
            ""
        } else {
            " — not allowed on this site: the frame is refused"
        };
        options.push_str(&format!(
            "<option value=\"{value}\"{selected}>{name}{note}</option>",
            value = escape(&link.token),
            selected = if link.token == token { " selected" } else { "" },
            name = escape(&link.name),
        ));
    }
    let choice = |name: &str, values: &[(&str, &str)]| {
        let current = query.get(name).map(String::as_str).unwrap_or("");
        values
            .iter()
            .map(|(value, label)| {
                let selected = if *value == current { " selected" } else { "" };
                format!("<option value=\"{value}\"{selected}>{label}</option>")
            })
            .collect::<String>()
    };
    let locales: Vec<(&str, &str)> = std::iter::once(("", "browser"))
        .chain(Locale::ALL.map(|locale| (locale.tag(), locale.native_name())))
        .collect();
    let locales = choice("locale", &locales);
    let themes = choice("theme", &[("", "system"), ("light", "light"), ("dark", "dark")]);
    let checkout = escape(&demo.checkout_url);
    let body = format!(
        "<header class=\"shop-header\"><h1>Tienda demo <small>(demo shop)</small></h1>\
         <p>This page comes from <code>{origin}</code>; the checkout inside it from <code>{checkout}</code>, \
         loaded with <code>{checkout}/embed.js</code>.</p></header>\n\
         <form class=\"picker\" method=\"get\" action=\"/\">\
         <label>Payment link <select id=\"token\" name=\"token\">{options}</select></label> \
         <label>Language <select id=\"locale\" name=\"locale\">{locales}</select></label> \
         <label>Theme <select id=\"theme\" name=\"theme\">{themes}</select></label> \
         <button type=\"submit\">Show checkout</button></form>\n\
         <main class=\"shop\">\
         <section class=\"checkout\" id=\"checkout\" data-testid=\"merchant-checkout\" data-checkout-url=\"{checkout}\"></section>\
         <aside class=\"events\"><h2>Events</h2><ol id=\"events\" data-testid=\"event-log\"></ol></aside></main>",
        origin = escape(&demo.origin),
    );
    let head =
        format!("<script src=\"{checkout}/embed.js\" defer></script>\n<script src=\"/merchant.js\" defer></script>");
    // The checkout's origin is the only other one this page may load scripts from or frame.
    let csp_sources = match origin_of(&demo.checkout_url) {
        Some(checkout) => format!("script-src 'self' {checkout}; frame-src {checkout}"),
        None => "script-src 'self'".to_string(),
    };
    html(StatusCode::OK, body, &csp_sources, &head)
}

fn outcome(success: bool) -> Response {
    let (testid, title) = if success {
        ("merchant-success", "¡Gracias por tu compra! (Thank you: order paid)")
    } else {
        ("merchant-failed", "El pago no se completó (Payment not completed)")
    };
    let body = format!(
        "<main class=\"shop-result\" data-testid=\"{testid}\"><h1>{title}</h1><p><a href=\"/\">Back to the demo shop</a></p></main>"
    );
    html(StatusCode::OK, body, "'none'", "")
}

/// A page of the shop with its own strict policy: no inline script or style anywhere.
fn html(status: StatusCode, body: String, sources: &str, head: &str) -> Response {
    let sources = if sources == "'none'" {
        String::new()
    } else {
        format!("{sources}; ")
    };
    let csp = format!(
        "default-src 'none'; {sources}style-src 'self'; img-src 'self' data:; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    );
    let page = format!(
        "<!doctype html>\n<html lang=\"es\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Tienda demo · Conomy checkout embed</title>\n<link rel=\"stylesheet\" href=\"/merchant.css\">\n{head}\n\
         </head>\n<body>\n{body}\n</body>\n</html>\n"
    );
    let mut response = (status, page).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // The frame learns the shop's origin (never its full URL) as a second witness of it.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if let Ok(value) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

fn asset(text: &'static str, content_type: &'static str) -> Response {
    let mut response = text.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        HeaderName::from_static("x-content-type-options"),
        HeaderValue::from_static("nosniff"),
    );
    response
}

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
