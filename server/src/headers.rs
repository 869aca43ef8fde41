//! Security headers on every response: CSP (with hashes of index.html's inline scripts),
//! referrer, sniffing, HSTS, permissions and opener policies.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use sha2::{Digest, Sha256};

/// The headers added to every response that does not already set them.
pub struct SecurityHeaders {
    csp: HeaderValue,
}

impl SecurityHeaders {
    /// `script_hashes` are CSP sources like `'sha256-…'`; `frame_ancestors` comes from the
    /// (already validated) configuration.
    pub fn new(script_hashes: &[String], frame_ancestors: &str) -> Result<Self, InvalidCsp> {
        let csp = content_security_policy(script_hashes, frame_ancestors);
        let csp = HeaderValue::from_str(&csp).map_err(|_| InvalidCsp)?;
        Ok(SecurityHeaders { csp })
    }
}

/// A policy that cannot be sent as a header (a character no header value may hold).
#[derive(Debug, thiserror::Error)]
#[error("the CSP is not a valid header value")]
pub struct InvalidCsp;

/// The policy text. `'wasm-unsafe-eval'` lets the page compile its own wasm (nothing else);
/// `img-src https:` admits merchant logos; `form-action 'self'` covers the sandbox provider page.
pub fn content_security_policy(script_hashes: &[String], frame_ancestors: &str) -> String {
    let mut script_src = String::from("'self' 'wasm-unsafe-eval'");
    for hash in script_hashes {
        script_src.push(' ');
        script_src.push_str(hash);
    }
    format!(
        "default-src 'none'; script-src {script_src}; style-src 'self'; img-src 'self' data: https:; \
         connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; \
         frame-ancestors {frame_ancestors}"
    )
}

/// `'sha256-…'` sources for every inline `<script>` (one without `src`) in an HTML document,
/// in document order. trunk injects such a script to load the wasm; hashing what is really
/// there keeps the CSP right whatever trunk emits.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut hashes = Vec::new();
    let mut from = 0;
    while let Some(start) = lower[from..].find("<script").map(|i| i + from) {
        let Some(open_end) = lower[start..].find('>').map(|i| i + start) else {
            break;
        };
        let Some(close) = lower[open_end..].find("</script").map(|i| i + open_end) else {
            break;
        };
        let open_tag = &lower[start..open_end];
        let has_src = open_tag
            .split(|c: char| c.is_ascii_whitespace())
            .any(|attribute| attribute.starts_with("src=") || attribute == "src");
        if !has_src {
            // `lower` only changed ASCII letters, so byte offsets match the original text.
            let content = &html[open_end + 1..close];
            let digest = Sha256::digest(content.as_bytes());
            let encoded = base64::engine::general_purpose::STANDARD.encode(digest);
            hashes.push(format!("'sha256-{encoded}'"));
        }
        from = close + "</script".len();
    }
    hashes
}

/// Middleware: adds the security headers. A response that set its own CSP (index.html, whose
/// inline scripts are hashed as served) keeps it. API answers are per payer and change by the
/// second: `no-store` and `Cross-Origin-Resource-Policy: same-origin`, whichever layer produced
/// them. Pages carry no resource policy: a merchant page isolated with
/// `Cross-Origin-Embedder-Policy` must still be able to frame the checkout.
pub async fn add_security_headers(
    State(headers): State<Arc<SecurityHeaders>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let is_api = path == "/api" || path.starts_with("/api/");
    let mut response = next.run(request).await;
    let map = response.headers_mut();
    if is_api {
        map.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        // For the checkout's own page only: no other site may load one into its process, even
        // with a `no-cors` request whose answer it cannot read through the API.
        map.insert(
            HeaderName::from_static("cross-origin-resource-policy"),
            HeaderValue::from_static("same-origin"),
        );
    }
    map.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert_with(|| headers.csp.clone());
    let fixed: [(HeaderName, &'static str); 5] = [
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::STRICT_TRANSPORT_SECURITY, "max-age=63072000; includeSubDomains"),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), payment=(self)",
        ),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin-allow-popups",
        ),
    ];
    for (name, value) in fixed {
        map.insert(name, HeaderValue::from_static(value));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_only_inline_scripts_of_the_exact_content() {
        let html = "<html><head><script type=\"module\" src=\"/a.js\"></script>\
                    <SCRIPT type=\"module\">\nimport init from '/c-1.js';\n</SCRIPT></head></html>";
        let hashes = inline_script_hashes(html);
        assert_eq!(hashes.len(), 1);
        let expected = base64::engine::general_purpose::STANDARD
            .encode(Sha256::digest("\nimport init from '/c-1.js';\n".as_bytes()));
        assert_eq!(hashes[0], format!("'sha256-{expected}'"));
    }

    #[test]
    fn unterminated_scripts_do_not_panic() {
        assert!(inline_script_hashes("<script>alert(1)").is_empty());
        assert!(inline_script_hashes("<script").is_empty());
    }

    #[test]
    fn policy_lists_the_hashes_in_script_src() {
        let csp = content_security_policy(&["'sha256-abc'".into()], "'self' https://shop.example");
        assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-abc';"));
        assert!(csp.ends_with("frame-ancestors 'self' https://shop.example"));
    }
}
