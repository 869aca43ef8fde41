//! Merchant embedding over real HTTP: per-link `frame-ancestors`, the `/embed.js` headers, and
//! the sandbox's demo merchant page on its second origin.

use checkout_server::config::Config;
use serde_json::json;

use crate::gateway_support::*;

fn dist(name: &str) -> std::path::PathBuf {
    let dist = temp_dir(name);
    std::fs::write(dist.join("index.html"), "<!doctype html><html><body></body></html>").expect("index");
    std::fs::write(dist.join("embed.js"), "/* embed */").expect("embed");
    dist
}

async fn frame_ancestors(server: &checkout_server::RunningServer, path: &str) -> String {
    let response = client().get(url(server, path)).send().await.expect("get");
    assert_eq!(response.status().as_u16(), 200, "{path}");
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_string();
    csp.rsplit_once("frame-ancestors ")
        .map(|(_, sources)| sources.to_string())
        .expect("frame-ancestors")
}

#[tokio::test]
async fn each_link_page_may_be_framed_by_the_origins_its_link_declares() {
    let mut config = Config::sandbox(0, dist("embed-links"));
    config.frame_ancestors = "'self' https://global.example".into();
    let server = start_config(config).await;

    let (status, _) = create_link(
        &server,
        &clp_link(
            "embed-shop",
            json!({"frameAncestors": ["https://shop.example", "http://localhost:9000"]}),
        ),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(
        frame_ancestors(&server, "/embed-shop").await,
        "'self' https://global.example https://shop.example http://localhost:9000"
    );
    // Another link, unknown tokens and other pages keep the global setting only.
    let (status, _) = create_link(&server, &clp_link("embed-none", json!({}))).await;
    assert_eq!(status, 201);
    for path in ["/embed-none", "/no-such-token", "/"] {
        assert_eq!(
            frame_ancestors(&server, path).await,
            "'self' https://global.example",
            "{path}"
        );
    }

    // Anything but exact origins is refused when the link is created: nothing reaches a header.
    for bad in [
        json!(["*"]),
        json!(["https://shop.example/"]),
        json!(["https://a.example; script-src *"]),
        json!("https://shop.example"),
        json!(["'unsafe-inline'"]),
    ] {
        let (status, body) = create_link(&server, &clp_link("embed-bad", json!({"frameAncestors": bad}))).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(
            body["detail"]
                .as_str()
                .unwrap_or("")
                .contains("metadata.frameAncestors"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn the_embed_script_is_cacheable_briefly_and_loadable_cross_origin() {
    let server = start_sandbox(dist("embed-script")).await;
    let response = client().get(url(&server, "/embed.js")).send().await.expect("embed.js");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["cache-control"], "public, max-age=300");
    assert_eq!(response.headers()["cross-origin-resource-policy"], "cross-origin");
    assert!(response.headers()["content-type"]
        .to_str()
        .expect("type")
        .contains("javascript"));
}

#[tokio::test]
async fn the_merchant_demo_frames_the_checkout_from_a_second_origin() {
    let mut config = Config::sandbox(0, dist("embed-demo"));
    config.merchant_demo_port = None;
    let server = start_config(config).await;
    let merchant = server.merchant_demo_url.clone().expect("merchant demo started");
    let port = merchant.strip_prefix("http://localhost:").expect("a localhost origin");
    assert_ne!(port.parse::<u16>().expect("port"), server.addr.port());

    // The demo links it offers may be framed by it; others may not.
    assert_eq!(
        frame_ancestors(&server, "/demo-clp").await,
        format!("'self' {merchant}")
    );
    assert_eq!(
        frame_ancestors(&server, "/demo-brl").await,
        format!("'self' {merchant}")
    );
    assert_eq!(frame_ancestors(&server, "/demo-mxn").await, "'self'");

    let page_url = format!("http://127.0.0.1:{port}/?token=demo-brl");
    let response = client().get(&page_url).send().await.expect("merchant page");
    assert_eq!(response.status().as_u16(), 200);
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_string();
    let checkout = &server.public_url;
    assert!(csp.contains(&format!("script-src 'self' {checkout};")), "{csp}");
    assert!(csp.contains(&format!("frame-src {checkout};")), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let html = response.text().await.expect("html");
    assert!(
        html.contains(&format!("<script src=\"{checkout}/embed.js\" defer></script>")),
        "{html}"
    );
    assert!(html.contains("<option value=\"demo-brl\" selected>"), "{html}");
    assert!(
        html.contains("not allowed on this site"),
        "demo-mxn is offered as the refused example"
    );
    assert!(!html.contains("<script>"), "no inline script");
    // A token from the query is escaped, never markup.
    let response = client()
        .get(format!("http://127.0.0.1:{port}/?token=%22%3E%3Cb%3E"))
        .send()
        .await
        .expect("page");
    assert!(!response.text().await.expect("html").contains("\"><b>"));

    let script = client()
        .get(format!("http://127.0.0.1:{port}/merchant.js"))
        .send()
        .await
        .expect("js");
    assert!(script.headers()["content-type"]
        .to_str()
        .expect("type")
        .contains("javascript"));
    assert!(script.text().await.expect("js").contains("ConomyCheckout.mount"));
    let success = client()
        .get(format!("http://127.0.0.1:{port}/success"))
        .send()
        .await
        .expect("success");
    assert!(success.text().await.expect("html").contains("merchant-success"));
}

#[tokio::test]
async fn the_merchant_demo_is_optional() {
    let server = start_sandbox(dist("embed-off")).await;
    assert_eq!(server.merchant_demo_url, None, "Config::sandbox leaves it off");
    assert_eq!(
        frame_ancestors(&server, "/demo-clp").await,
        "'self'",
        "no merchant origin, no extra source"
    );
}
