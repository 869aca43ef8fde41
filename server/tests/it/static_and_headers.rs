//! Static files and headers over real HTTP: SPA fallback, asset caching, precompressed files,
//! a CSP that hashes index.html's inline script, security headers on every kind of answer.

use base64::Engine;
use checkout_server::config::Config;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::gateway_support::*;

const INLINE: &str =
    "\nimport init from '/checkout-0a1b2c3d4e5f6071.js';\nawait init('/checkout-0a1b2c3d4e5f6071_bg.wasm');\n";
const ASSET: &str = "/checkout-0a1b2c3d4e5f6071.js";

/// A dist like trunk's: index.html with the inline loader, hashed assets, one gzip sibling.
fn sample_dist(name: &str) -> std::path::PathBuf {
    let dist = temp_dir(name);
    let index = format!(
        "<!doctype html><html><head><link rel=\"stylesheet\" href=\"/style-00aa11bb22cc33dd.css\">\
         </head><body><script type=\"module\">{INLINE}</script></body></html>"
    );
    std::fs::write(dist.join("index.html"), index).expect("index");
    std::fs::write(
        dist.join("checkout-0a1b2c3d4e5f6071.js"),
        "export default function init() {}",
    )
    .expect("js");
    std::fs::write(dist.join("style-00aa11bb22cc33dd.css"), "body { color: black }").expect("css");
    std::fs::write(dist.join("style-00aa11bb22cc33dd.css.gz"), b"\x1f\x8bfake-gzip").expect("gz");
    std::fs::write(dist.join("embed.js"), "/* unhashed */").expect("embed");
    dist
}

fn inline_hash() -> String {
    let digest = Sha256::digest(INLINE.as_bytes());
    format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest))
}

fn assert_security_headers(response: &reqwest::Response, what: &str) {
    let headers = response.headers();
    let csp = headers
        .get("content-security-policy")
        .unwrap_or_else(|| panic!("CSP on {what}"));
    let csp = csp.to_str().expect("csp text");
    for directive in [
        "default-src 'none'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "style-src 'self'",
        "img-src 'self' data: https:",
        "connect-src 'self'",
        "font-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ] {
        assert!(csp.contains(directive), "{directive} missing on {what}: {csp}");
    }
    assert_eq!(headers["referrer-policy"], "no-referrer", "{what}");
    assert_eq!(headers["x-content-type-options"], "nosniff", "{what}");
    assert_eq!(
        headers["strict-transport-security"], "max-age=63072000; includeSubDomains",
        "{what}"
    );
    assert_eq!(
        headers["permissions-policy"], "camera=(), microphone=(), geolocation=(), payment=(self)",
        "{what}"
    );
    assert_eq!(
        headers["cross-origin-opener-policy"], "same-origin-allow-popups",
        "{what}"
    );
    assert!(headers.get("x-request-id").is_some(), "request id on {what}");
}

#[tokio::test]
async fn spa_routes_fall_back_to_index_and_assets_are_cached_by_hash() {
    let dist = sample_dist("spa");
    let server = start_sandbox(dist.clone()).await;
    let http = client();
    let index = std::fs::read_to_string(dist.join("index.html")).expect("index");

    for path in [
        "/",
        "/demo-clp",
        "/anything",
        "/demo-clp?return=success",
        "/a/b/c",
        "/index.html",
    ] {
        let response = http.get(url(&server, path)).send().await.expect("get");
        assert_eq!(response.status().as_u16(), 200, "{path}");
        assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
        assert!(response.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/html"));
        let csp = response.headers()["content-security-policy"]
            .to_str()
            .expect("csp")
            .to_string();
        assert!(
            csp.contains(&format!("script-src 'self' 'wasm-unsafe-eval' {}", inline_hash())),
            "{csp}"
        );
        assert_security_headers(&response, path);
        assert_eq!(response.text().await.expect("body"), index, "{path}");
    }

    let response = http.get(url(&server, ASSET)).send().await.expect("asset");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(response.headers()["content-type"]
        .to_str()
        .expect("type")
        .contains("javascript"));
    assert_security_headers(&response, "asset");

    let response = http.get(url(&server, "/embed.js")).send().await.expect("embed");
    assert_eq!(response.status().as_u16(), 200);
    // Unhashed, loaded by merchant pages: a short public cache, never immutable (embedding.rs).
    assert_eq!(
        response.headers()["cache-control"],
        "public, max-age=300",
        "unhashed embed script"
    );

    for missing in ["/x.js", "/checkout-ffffffffffffffff.js", "/demo-clp/logo.png"] {
        let response = http.get(url(&server, missing)).send().await.expect("missing");
        assert_eq!(response.status().as_u16(), 404, "{missing}");
        assert!(response
            .headers()
            .get("cache-control")
            .is_none_or(|v| v != "public, max-age=31536000, immutable"));
        assert_security_headers(&response, missing);
    }
}

#[tokio::test]
async fn precompressed_siblings_are_served_to_clients_that_accept_them() {
    let server = start_sandbox(sample_dist("precompressed")).await;
    let http = client();
    let path = url(&server, "/style-00aa11bb22cc33dd.css");
    let gzipped = http
        .get(&path)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .expect("gz");
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");
    assert_eq!(
        gzipped.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(
        gzipped.headers()["vary"],
        "accept-encoding",
        "shared caches must key on the encoding"
    );
    assert_eq!(gzipped.bytes().await.expect("body").as_ref(), b"\x1f\x8bfake-gzip");
    let plain = http.get(&path).send().await.expect("plain");
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.text().await.expect("body"), "body { color: black }");
}

/// The page itself is the first thing a payer on a slow link waits for, and every byte of it
/// comes before the wasm: it is gzipped for every client that accepts gzip, with the same CSP.
#[tokio::test]
async fn index_html_is_gzipped_for_clients_that_accept_it() {
    use std::io::Read;
    let dist = sample_dist("index-gzip");
    let server = start_sandbox(dist.clone()).await;
    let http = client();
    let index = std::fs::read_to_string(dist.join("index.html")).expect("index");
    let csp = format!("script-src 'self' 'wasm-unsafe-eval' {}", inline_hash());
    let page = |accept: &str| {
        http.get(url(&server, "/demo-clp"))
            .header("accept-encoding", accept.to_string())
            .send()
    };

    for accept in ["gzip, deflate, br, zstd", "gzip", "br;q=1.0, gzip;q=0.8", "*"] {
        let response = page(accept).await.expect("get");
        assert_eq!(response.status().as_u16(), 200, "{accept}");
        assert_eq!(response.headers()["content-encoding"], "gzip", "{accept}");
        assert_eq!(response.headers()["vary"], "accept-encoding", "{accept}");
        assert_eq!(response.headers()["cache-control"], "no-store", "{accept}");
        assert!(response.headers()["content-security-policy"]
            .to_str()
            .expect("csp")
            .contains(&csp));
        assert_security_headers(&response, accept);
        let body = response.bytes().await.expect("body");
        assert!(body.len() < index.len(), "{accept}: {} bytes", body.len());
        let mut unzipped = String::new();
        flate2::read::GzDecoder::new(body.as_ref())
            .read_to_string(&mut unzipped)
            .expect("gunzip");
        assert_eq!(unzipped, index, "{accept}");
    }

    for accept in ["identity", "br", "gzip;q=0", "gzip;q=0.000, br", "*;q=0", "x-gzipped"] {
        let response = page(accept).await.expect("get");
        assert!(response.headers().get("content-encoding").is_none(), "{accept}");
        assert_eq!(response.headers()["vary"], "accept-encoding", "{accept}");
        assert_eq!(response.text().await.expect("body"), index, "{accept}");
    }

    let head = http
        .head(url(&server, "/demo-clp"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .expect("head");
    assert_eq!(head.status().as_u16(), 200);
    assert_eq!(head.headers()["content-encoding"], "gzip");
    assert!(head.bytes().await.expect("body").is_empty());
}

#[tokio::test]
async fn every_kind_of_answer_carries_the_security_headers() {
    let server = start_sandbox(sample_dist("headers")).await;
    let http = client();
    let requests = [
        ("healthz", http.get(url(&server, "/healthz"))),
        ("api 200", http.get(url(&server, "/api/payments/banks/COL"))),
        ("api 404", http.get(url(&server, "/api/checkout-sessions"))),
        ("api 400", http.get(url(&server, "/api/checkout-sessions/a%00"))),
        ("api 405", http.delete(url(&server, "/api/payments"))),
        (
            "api 413",
            http.post(url(&server, "/api/checkout-sessions/x/payments"))
                .json(&json!({"p": "x".repeat(20_000)})),
        ),
        ("traversal 400", http.get(url(&server, "/..%2F..%2Fetc%2Fpasswd"))),
        ("conomy 401", http.get(url(&server, "/conomy/payment-links"))),
        (
            "conomy 413",
            http.post(url(&server, "/conomy/payment-links"))
                .json(&json!({"p": "x".repeat(300_000)})),
        ),
        ("sandbox json", http.get(url(&server, "/sandbox/demo-links.json"))),
        ("spa", http.get(url(&server, "/demo-clp"))),
    ];
    for (what, request) in requests {
        let response = request.send().await.expect(what);
        assert_security_headers(&response, what);
        if what.ends_with("413") {
            assert_eq!(response.status().as_u16(), 413, "{what}: the global body limit");
        }
        if what.starts_with("api") {
            assert_eq!(response.headers()["cache-control"], "no-store", "{what}");
        }
    }
    // The policy computed at start hashes the inline loader for every response, not only index.
    let health = http.get(url(&server, "/healthz")).send().await.expect("health");
    let csp = health.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_string();
    assert!(csp.contains(&inline_hash()), "{csp}");
    assert_eq!(health.headers()["cache-control"], "no-store");
    assert_eq!(
        health.json::<Value>().await.expect("json"),
        json!({"status": "ok", "mode": "sandbox"})
    );
}

#[tokio::test]
async fn request_ids_are_echoed_or_generated() {
    let server = start_sandbox(missing_dist()).await;
    let http = client();
    let echoed = http
        .get(url(&server, "/healthz"))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .expect("get");
    assert_eq!(echoed.headers()["x-request-id"], "abc-123");
    // Junk is not echoed back (it would end up in logs and headers): a fresh id replaces it.
    let junk = http
        .get(url(&server, "/healthz"))
        .header("x-request-id", "a b<script>")
        .send()
        .await
        .expect("get");
    let generated = junk.headers()["x-request-id"].to_str().expect("id");
    assert!(
        generated.len() == 32 && generated.bytes().all(|b| b.is_ascii_hexdigit()),
        "{generated}"
    );
}

#[tokio::test]
async fn a_missing_build_is_a_503_page_not_a_crash() {
    let server = start_sandbox(missing_dist()).await;
    let http = client();
    let response = http.get(url(&server, "/demo-clp")).send().await.expect("get");
    assert_eq!(response.status().as_u16(), 503);
    assert_security_headers(&response, "503 page");
    assert!(response.text().await.expect("body").contains("not built"));
    assert_eq!(
        http.get(url(&server, "/app.js"))
            .send()
            .await
            .expect("asset")
            .status()
            .as_u16(),
        404
    );
    // The API keeps working without the SPA.
    assert_eq!(
        http.get(url(&server, "/healthz"))
            .send()
            .await
            .expect("health")
            .status()
            .as_u16(),
        200
    );
}

#[tokio::test]
async fn frame_ancestors_follow_the_configuration() {
    let mut config = Config::sandbox(0, sample_dist("frames"));
    config.frame_ancestors = "'self' https://shop.example".into();
    let server = start_config(config).await;
    for path in ["/demo-clp", "/healthz"] {
        let response = client().get(url(&server, path)).send().await.expect("get");
        let csp = response.headers()["content-security-policy"]
            .to_str()
            .expect("csp")
            .to_string();
        assert!(
            csp.ends_with("frame-ancestors 'self' https://shop.example"),
            "{path}: {csp}"
        );
    }
}

#[tokio::test]
async fn unknown_paths_under_reserved_prefixes_are_not_the_spa() {
    let server = start_sandbox(sample_dist("reserved")).await;
    let http = client();
    for path in ["/sandbox/nothing", "/conomy", "/healthz/x"] {
        let response = http.get(url(&server, path)).send().await.expect("get");
        assert_eq!(response.status().as_u16(), 404, "{path}");
        let body = response.text().await.expect("body");
        assert!(!body.contains(INLINE), "{path} must not be index.html");
    }
    // Non-GET to an SPA route.
    let response = http.post(url(&server, "/demo-clp")).send().await.expect("post");
    assert_eq!(response.status().as_u16(), 405);
}

/// `/api` answers are for the checkout's own page: `Cross-Origin-Resource-Policy: same-origin`
/// keeps another site from pulling one into its process with a `no-cors` request (a Spectre-style
/// read needs no CORS), whatever produced the answer: a handler, a refusal, a fallback.
#[tokio::test]
async fn every_api_answer_is_same_origin_only() {
    let server = start_sandbox(missing_dist()).await;
    let http = client();
    let (id, capability) = open_session(&server, "demo-clp").await;
    let answers = [
        (
            "an open",
            http.post(url(&server, "/api/payment-links/token/demo-clp/checkout-sessions"))
                .json(&json!({})),
        ),
        (
            "a read",
            with_capability(
                http.get(url(&server, &format!("/api/checkout-sessions/{id}"))),
                &capability,
            ),
        ),
        (
            "a refused read",
            http.get(url(&server, &format!("/api/checkout-sessions/{id}"))),
        ),
        ("banks", http.get(url(&server, "/api/payments/banks/COL"))),
        (
            "a refused body",
            http.post(url(&server, "/api/payment-links/token/demo-clp/checkout-sessions"))
                .header("content-type", "text/plain")
                .body("{}"),
        ),
        ("an unknown call", http.get(url(&server, "/api/nothing-here"))),
        ("the bare prefix", http.get(url(&server, "/api"))),
    ];
    for (what, request) in answers {
        let response = request.send().await.expect("answered");
        assert_eq!(
            response
                .headers()
                .get("cross-origin-resource-policy")
                .and_then(|v| v.to_str().ok()),
            Some("same-origin"),
            "{what} ({})",
            response.status()
        );
    }
}
