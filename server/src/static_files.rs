//! The built SPA: hashed assets cached forever, every other route answered with index.html
//! (never cached), and a 503 page instead of a crash when the SPA has not been built.

use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use checkout_core::model::ApiErrorKind;
use tower::ServiceExt;
use tower_http::services::ServeDir;

use crate::api_error::{is_under, ApiFailure};
use crate::embedding::{self, FrameAncestors, LinkOrigins};
use crate::headers;

/// Path prefixes owned by other routers: an unmatched path under them is a 404, not the SPA.
const RESERVED: [&str; 4] = ["/api", "/conomy", "/sandbox", "/healthz"];

pub struct StaticFiles {
    dist: PathBuf,
    assets: ServeDir,
    frame_ancestors: FrameAncestors,
}

impl StaticFiles {
    pub fn new(dist: PathBuf, frame_ancestors: &str) -> Self {
        let assets = ServeDir::new(&dist)
            .precompressed_br()
            .precompressed_gzip()
            .append_index_html_on_directories(false);
        StaticFiles {
            dist,
            assets,
            frame_ancestors: FrameAncestors::new(frame_ancestors),
        }
    }

    /// Lets each link's page also be framed by the origins its link declares (sandbox mode).
    pub fn with_link_origins(mut self, lookup: LinkOrigins) -> Self {
        self.frame_ancestors = self.frame_ancestors.with_link_origins(lookup);
        self
    }

    /// `'sha256-…'` sources of index.html's inline scripts now (empty when there is no build).
    pub fn index_script_hashes(&self) -> Vec<String> {
        std::fs::read_to_string(self.dist.join("index.html"))
            .map(|html| headers::inline_script_hashes(&html))
            .unwrap_or_default()
    }
}

/// Fallback handler of the whole app.
pub async fn serve(files: Arc<StaticFiles>, request: Request) -> Response {
    let path = request.uri().path().to_string();
    if is_under(&path, "/api") {
        // `/api` itself is not inside the nested router; answer like the rest of the API.
        return ApiFailure::new(404, ApiErrorKind::NotFound, "No such API endpoint.").into_response();
    }
    if RESERVED.iter().any(|prefix| is_under(&path, prefix)) {
        return (StatusCode::NOT_FOUND, "Not found\n").into_response();
    }
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let mut response = (StatusCode::METHOD_NOT_ALLOWED, "Method not allowed\n").into_response();
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let file_name = path.rsplit('/').next().unwrap_or("");
    if file_name.contains('.') && file_name != "index.html" {
        return asset(&files, request, file_name.to_string()).await;
    }
    let gzip = accepts_gzip(request.headers());
    index(&files, &path, request.method() == Method::HEAD, gzip).await
}

async fn asset(files: &StaticFiles, request: Request, file_name: String) -> Response {
    let Ok(response) = files.assets.clone().oneshot(request).await;
    let mut response = response.map(Body::new);
    let status = response.status();
    if status.is_success() || status == StatusCode::NOT_MODIFIED {
        let policy = if is_hashed_name(&file_name) {
            "public, max-age=31536000, immutable"
        } else {
            // Unhashed files (early.js, the rail icons) may change under the same name: revalidate.
            // embed.js gets a short public cache instead (embedding::set_embed_script_headers).
            "no-cache"
        };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
        // ServeDir picks a .br/.gz sibling by Accept-Encoding without saying so; a shared cache
        // must not hand the brotli bytes of an immutable asset to a client that cannot decode them.
        response
            .headers_mut()
            .insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        if file_name == embedding::EMBED_SCRIPT {
            embedding::set_embed_script_headers(response.headers_mut());
        }
    }
    response
}

/// index.html with a CSP hashing the inline scripts of exactly this copy, so a rebuilt SPA
/// keeps working without a restart. Gzipped here rather than precompressed like the assets: the
/// hashes and the body then come from one read of the file, whatever a rebuild does meanwhile.
/// On a slow link every byte of the page comes before the wasm's (docs/performance.md).
async fn index(files: &StaticFiles, path: &str, head_only: bool, gzip: bool) -> Response {
    let html = match tokio::fs::read_to_string(files.dist.join("index.html")).await {
        Ok(html) => html,
        Err(error) => {
            // Reported once at start (main); per request it would flood the log.
            tracing::debug!(dist = %files.dist.display(), error = %error, "index.html unavailable");
            return not_built();
        }
    };
    let csp = headers::content_security_policy(
        &headers::inline_script_hashes(&html),
        &files.frame_ancestors.for_path(path),
    );
    let gzipped = if gzip { gzipped(&html) } else { None };
    let encoded = gzipped.is_some();
    let body = match (head_only, gzipped) {
        (true, _) => Body::empty(),
        (false, Some(bytes)) => Body::from(bytes),
        (false, None) => Body::from(html),
    };
    let mut response = (StatusCode::OK, body).into_response();
    let map = response.headers_mut();
    if encoded {
        map.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    map.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    map.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    map.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(csp) = HeaderValue::from_str(&csp) {
        map.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    response
}

/// `html` gzipped, when that is shorter (a page this small is never worth a slower level).
fn gzipped(html: &str) -> Option<Vec<u8>> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(html.as_bytes()).ok()?;
    let bytes = encoder.finish().ok()?;
    (bytes.len() < html.len()).then_some(bytes)
}

/// Whether `Accept-Encoding` lets the answer be gzip (RFC 9110 12.5.3): `gzip` (or its alias
/// `x-gzip`) with a non-zero weight, or else `*` with one. No header: identity only.
fn accepts_gzip(headers: &axum::http::HeaderMap) -> bool {
    let mut gzip = None;
    let mut any = None;
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for entry in value.split(',') {
            let mut parts = entry.split(';');
            let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let weight = parts
                .filter_map(|param| {
                    let (name, value) = param.split_once('=')?;
                    (name.trim().eq_ignore_ascii_case("q")).then(|| value.trim().parse::<f32>().unwrap_or(0.0))
                })
                .next()
                .unwrap_or(1.0);
            let accepted = weight > 0.0;
            match coding.as_str() {
                "gzip" | "x-gzip" => gzip = Some(accepted),
                "*" => any = Some(accepted),
                _ => {}
            }
        }
    }
    gzip.or(any).unwrap_or(false)
}

fn not_built() -> Response {
    let page = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
                <title>Checkout not built</title></head><body><h1>The checkout is not built yet</h1>\
                <p>Build the SPA first (<code>trunk build --release</code>, or <code>./run</code>), \
                or point <code>--dist</code> / <code>DIST_DIR</code> at its output.</p></body></html>";
    let mut response = (StatusCode::SERVICE_UNAVAILABLE, page).into_response();
    let map = response.headers_mut();
    map.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    map.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Whether a file name carries trunk's content hash: `<stem>-<hex>.<ext>` or
/// `<stem>-<hex>_bg.wasm`. trunk prints the hash with `{:x}`, so it can be shorter than 16
/// digits; 12 keeps ordinary names like `logo-dark.svg` out.
pub fn is_hashed_name(file_name: &str) -> bool {
    let stem = file_name.split('.').next().unwrap_or("");
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    match stem.rsplit_once('-') {
        Some((name, hash)) => {
            !name.is_empty()
                && (12..=16).contains(&hash.len())
                && hash.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(values: &[&str]) -> bool {
        let mut headers = axum::http::HeaderMap::new();
        for value in values {
            headers.append(header::ACCEPT_ENCODING, HeaderValue::from_str(value).expect("value"));
        }
        accepts_gzip(&headers)
    }

    #[test]
    fn reads_accept_encoding_weights() {
        assert!(accept(&["gzip, deflate, br, zstd"]));
        assert!(accept(&["GZIP"]));
        assert!(accept(&["x-gzip"]));
        assert!(accept(&["br", "gzip;q=0.5"]), "several header lines");
        assert!(accept(&["*"]));
        assert!(accept(&["gzip ; q=1", "*;q=0"]), "gzip named beats the wildcard");
        assert!(!accept(&[]));
        assert!(!accept(&["identity"]));
        assert!(!accept(&["gzip;q=0"]));
        assert!(!accept(&["gzip;q=0.000, *"]), "named gzip refused beats the wildcard");
        assert!(!accept(&["*;q=0"]));
        assert!(!accept(&["gzip;q=nonsense"]), "an unreadable weight refuses");
        assert!(!accept(&["x-gzipped, gzipx"]));
    }

    #[test]
    fn recognises_trunk_hashes() {
        assert!(is_hashed_name("checkout-3fa2b1c4d5e6f708.js"));
        assert!(is_hashed_name("checkout-3fa2b1c4d5e6f708_bg.wasm"));
        assert!(is_hashed_name("checkout-3fa2b1c4d5e6f708_bg.wasm.br"));
        assert!(
            is_hashed_name("base-fa2b1c4d5e6f708.css"),
            "15 digits: leading zero dropped"
        );
        assert!(!is_hashed_name("embed.js"));
        assert!(!is_hashed_name("logo-dark.svg"));
        assert!(!is_hashed_name("-3fa2b1c4d5e6f708.js"));
        assert!(!is_hashed_name("x-3FA2B1C4D5E6F708.js"));
    }
}
