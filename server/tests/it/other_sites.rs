//! What another web page can do to a server on the developer's machine: nothing. The sandbox
//! controls take `application/json` only and refuse cross-site requests (a page's `no-cors`
//! post carries `Origin` and `Sec-Fetch-Site`), and the sandbox's merchant API, its controls and
//! provider page, and the admin listener answer only their own host names, so a DNS-rebinding
//! page (its own name resolved to 127.0.0.1) reads neither `/conomy` with the printed demo
//! keys nor `/metrics`. Over real HTTP, as a browser would send it.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use checkout_server::config::Config;
use checkout_server::RunningServer;
use serde_json::{json, Value};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

use crate::gateway_support::*;

/// A sandbox with an admin listener and a merchant demo page, on loopback.
async fn start_with_listeners(public_url: Option<&str>) -> RunningServer {
    let mut config = Config::sandbox(0, missing_dist());
    config.admin = Some(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
    config.merchant_demo_port = None;
    config.public_url = public_url.map(str::to_string);
    config.header_read_timeout = Duration::from_secs(1);
    start_config(config).await
}

async fn faults(server: &RunningServer) -> Value {
    let (status, shown) = send(client().get(url(server, "/sandbox/control/faults"))).await;
    assert_eq!(status, 200, "{shown}");
    shown
}

async fn session_status(server: &RunningServer, id: &str) -> Value {
    let sandbox = server.sandbox_config.as_ref().expect("sandbox mode");
    let (status, session) = send(
        client()
            .get(url(server, &format!("/conomy/checkout-sessions/{id}")))
            .header("x-api-key", &sandbox.api_key)
            .bearer_auth(merchant_token(server).await),
    )
    .await;
    assert_eq!(status, 200, "{session}");
    session["status"].clone()
}

#[tokio::test]
async fn sandbox_controls_take_json_only_and_refuse_other_sites() {
    let server = start_sandbox(missing_dist()).await;
    let origin = server.public_url.clone();
    let plan = r#"[{"endpoint": "banks", "status": 500}]"#;
    let no_faults = faults(&server).await;

    // What `fetch(url, {method: 'POST', mode: 'no-cors', body})` sends from another page.
    let (status, body) = send(
        client()
            .post(url(&server, "/sandbox/control/faults"))
            .header("content-type", "text/plain;charset=UTF-8")
            .body(plan),
    )
    .await;
    assert_eq!(status, 415, "a text/plain body: {body}");
    let (status, body) = send(client().post(url(&server, "/sandbox/control/faults")).body(plan)).await;
    assert_eq!(status, 415, "a body without a type: {body}");
    assert_eq!(faults(&server).await, no_faults, "no fault was installed");

    // The same with a JSON type but from another site, however it says so.
    let (_, id) = {
        let (id, _) = open_session(&server, "demo-clp").await;
        ((), id)
    };
    let other_sites: [&[(&str, &str)]; 5] = [
        &[("origin", "https://attacker.example"), ("sec-fetch-site", "cross-site")],
        &[("origin", "null")],
        &[("origin", "http://localhost:1")],
        &[("sec-fetch-site", "same-site")],
        &[("sec-fetch-site", "cross-site")],
    ];
    for headers in other_sites {
        let with = |request: reqwest::RequestBuilder| {
            headers
                .iter()
                .fold(request, |request, (name, value)| request.header(*name, *value))
        };
        let (status, body) = send(with(
            client()
                .post(url(&server, "/sandbox/control/faults"))
                .header("content-type", "application/json")
                .body(plan),
        ))
        .await;
        assert_eq!(status, 403, "faults from {headers:?}: {body}");
        assert_error(&body, 403, "forbiddenOperation");
        let (status, _) = send(with(
            client().post(url(&server, &format!("/sandbox/control/sessions/{id}/expire"))),
        ))
        .await;
        assert_eq!(status, 403, "expire from {headers:?}");
        let (status, _) = send(with(client().post(url(&server, "/sandbox/control/reset")))).await;
        assert_eq!(status, 403, "reset from {headers:?}");
        let (status, _) = send(with(client().delete(url(&server, "/sandbox/control/faults")))).await;
        assert_eq!(status, 403, "clear from {headers:?}");
    }
    assert_eq!(faults(&server).await, no_faults);
    assert_eq!(session_status(&server, &id).await, json!("ACTIVE"), "not expired");

    // The developer's own tools (curl, node, a test) and the server's own pages still work.
    let (status, body) = send(
        client()
            .post(url(&server, "/sandbox/control/faults"))
            .header("content-type", "application/json")
            .header("origin", &origin)
            .header("sec-fetch-site", "same-origin")
            .body(plan),
    )
    .await;
    assert_eq!(status, 200, "same origin: {body}");
    let (status, _) = send(client().delete(url(&server, "/sandbox/control/faults"))).await;
    assert_eq!(status, 200);
    let (status, _) = send(
        client()
            .post(url(&server, &format!("/sandbox/control/sessions/{id}/expire")))
            .header("sec-fetch-site", "none"),
    )
    .await;
    assert_eq!(status, 200, "typed into the address bar: no site at all");
    assert_eq!(session_status(&server, &id).await, json!("EXPIRED"));
    let (status, _) = send(client().post(url(&server, "/sandbox/control/reset"))).await;
    assert_eq!(status, 200, "a body-less post without a type, as curl -X POST sends it");
}

/// `GET`/`POST` `path` on `base` with this `Host`: the status.
async fn with_host(base: &str, method: reqwest::Method, path: &str, host: &str, api_key: Option<&str>) -> (u16, Value) {
    let mut request = client().request(method, format!("{base}{path}")).header("host", host);
    if let Some(key) = api_key {
        request = request
            .header("x-api-key", key)
            .json(&json!({"clientId": "sandbox-client", "clientSecret": "sandbox-secret"}));
    }
    send(request).await
}

#[tokio::test]
async fn the_sandbox_and_the_admin_listener_answer_their_own_host_names_only() {
    let server = start_with_listeners(Some("http://checkout.sandbox.test:8080")).await;
    let port = server.addr.port();
    let admin = server.admin_addr.expect("admin listener");
    let (public_base, admin_base) = (format!("http://{}", server.addr), format!("http://{admin}"));
    let key = server.sandbox_config.as_ref().expect("sandbox").api_key.clone();
    let post = reqwest::Method::POST;
    let get = reqwest::Method::GET;

    for host in [
        format!("rebind.attacker.example:{port}"),
        "rebind.attacker.example".to_string(),
        format!("127.0.0.1.attacker.example:{port}"),
        format!("localhost.attacker.example:{port}"),
    ] {
        let (status, body) = with_host(&public_base, post.clone(), "/conomy/auth", &host, Some(&key)).await;
        assert_eq!(status, 421, "{host}: /conomy/auth answered {body}");
        assert!(body.get("accessToken").is_none(), "{body}");
        assert_error(&body, 421, "forbiddenOperation");
        for path in [
            "/conomy/payment-links",
            "/sandbox/demo-links.json",
            "/sandbox/provider/pay_1",
            "/sandbox/control/faults",
        ] {
            let (status, body) = with_host(&public_base, get.clone(), path, &host, None).await;
            assert_eq!(status, 421, "{host}: {path} answered {body}");
        }
        for path in ["/metrics", "/readyz"] {
            let (status, body) = with_host(&admin_base, get.clone(), path, &host, None).await;
            assert_eq!(status, 421, "{host}: admin {path} answered {body}");
        }
    }

    // Its own names: loopback, the bind address, the public URL's host.
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
        "checkout.sandbox.test:8080".to_string(),
        "CHECKOUT.SANDBOX.TEST".to_string(),
    ] {
        let (status, body) = with_host(&public_base, post.clone(), "/conomy/auth", &host, Some(&key)).await;
        assert_eq!(status, 200, "{host}: {body}");
        let (status, _) = with_host(&public_base, get.clone(), "/sandbox/demo-links.json", &host, None).await;
        assert_eq!(status, 200, "{host}");
    }
    for host in [
        format!("127.0.0.1:{}", admin.port()),
        format!("localhost:{}", admin.port()),
    ] {
        let (status, _) = with_host(&admin_base, get.clone(), "/readyz", &host, None).await;
        assert_eq!(status, 200, "admin as {host}");
    }
    // The checkout itself is for every host name a proxy or CDN may use.
    let (status, _) = with_host(&public_base, get.clone(), "/healthz", "pay.shop.example", None).await;
    assert_eq!(status, 200);
}

/// The admin and merchant-demo listeners cut a client that sends nothing, as the public one
/// does: plain `axum::serve` has no header deadline, so one idle socket per client was held
/// forever.
#[tokio::test]
async fn the_admin_and_merchant_demo_listeners_cut_a_silent_client() {
    let server = start_with_listeners(None).await;
    let admin = server.admin_addr.expect("admin listener");
    let demo: SocketAddr = server
        .merchant_demo_url
        .as_deref()
        .and_then(|u| u.strip_prefix("http://localhost:"))
        .and_then(|port| port.parse::<u16>().ok())
        .map(|port| SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
        .expect("a merchant demo listener");
    for (what, addr) in [("admin", admin), ("merchant demo", demo)] {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        let started = Instant::now();
        let mut rest = Vec::new();
        let closed = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut rest)).await;
        assert!(closed.is_ok(), "{what}: still connected after 5 s");
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{what}: {:?}",
            started.elapsed()
        );
    }
}
