//! Shared helpers of the gateway's HTTP tests: start real servers on 127.0.0.1:0, talk to them.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::Duration;

use checkout_server::capability::{self, Capabilities, Secret};
use checkout_server::config::{Config, Mode, UpstreamConfig};
use checkout_server::{start, RunningServer};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A sandbox-mode server with `dist` (need not exist).
pub async fn start_sandbox(dist: PathBuf) -> RunningServer {
    start_config(Config::sandbox(0, dist)).await
}

pub async fn start_config(config: Config) -> RunningServer {
    start(config, std::future::pending()).await.expect("server starts")
}

/// The session secret of every `start_upstream` gateway (upstream mode requires one).
pub const GATEWAY_SESSION_SECRET: &str = "gateway-tests-session-secret-0123456789-abcdef";

/// Issues and verifies capabilities exactly as a `start_upstream` gateway does: for ids a fake
/// Conomy knows but no open answered, and to check the capabilities the gateway hands out.
pub fn gateway_capabilities() -> Capabilities {
    Capabilities::new(
        Secret::parse(GATEWAY_SESSION_SECRET).expect("a long enough secret"),
        None,
    )
}

/// An upstream-mode server pointed at `base` with the given credentials and
/// `GATEWAY_SESSION_SECRET`.
pub async fn start_upstream(
    base: String,
    api_key: &str,
    client_id: &str,
    client_secret: &str,
    timeout: Duration,
) -> RunningServer {
    let mut config = Config::sandbox(0, missing_dist());
    config.mode = Mode::Upstream(UpstreamConfig {
        base,
        api_key: api_key.into(),
        client_id: client_id.into(),
        client_secret: client_secret.into(),
    });
    config.upstream_timeout = timeout;
    config.session_secret = Some(Secret::parse(GATEWAY_SESSION_SECRET).expect("a long enough secret"));
    start_config(config).await
}

/// A dist directory that does not exist (API-only tests).
pub fn missing_dist() -> PathBuf {
    std::env::temp_dir().join("checkout-gateway-tests-no-dist")
}

/// A fresh, empty directory for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("checkout-gateway-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A client that, like a test should, sees redirects instead of following them.
/// It names itself in `User-Agent`, which `/conomy` requires (§8).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("checkout-gateway-tests")
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client")
}

pub fn url(server: &RunningServer, path: &str) -> String {
    format!("http://{}{path}", server.addr)
}

/// Status and JSON body (Null when the body is not JSON).
pub async fn send(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.expect("request is answered");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The capability an opened (payable) session's answer carries.
pub fn capability_of(session: &Value) -> String {
    session[capability::FIELD]
        .as_str()
        .unwrap_or_else(|| panic!("a payable session's answer carries its capability: {session}"))
        .to_string()
}

/// Opens a session for `token` through `/api` as the SPA does; asserts 201 and returns the
/// session's id and capability.
pub async fn open_session(server: &RunningServer, token: &str) -> (String, String) {
    let (status, session) = send(
        client()
            .post(url(
                server,
                &format!("/api/payment-links/token/{token}/checkout-sessions"),
            ))
            .json(&json!({})),
    )
    .await;
    assert_eq!(status, 201, "open {token}: {session}");
    let id = session["id"]
        .as_str()
        .unwrap_or_else(|| panic!("an id in {session}"))
        .to_string();
    (id, capability_of(&session))
}

/// `request` carrying a session's capability, as the SPA sends it on reads and payments.
pub fn with_capability(request: reqwest::RequestBuilder, capability: &str) -> reqwest::RequestBuilder {
    request.header(capability::HEADER, capability)
}

/// A valid PIX submission for the `demo-brl` link (§4 shape).
pub fn pix_payment(return_base: &str) -> Value {
    json!({
        "description": "Curso online",
        "origins": [{
            "type": "PIX",
            "currency": "BRL",
            "pix": {
                "customer": {"firstName": "Ana", "lastName": "Souza", "email": "ana@example.com",
                             "documentType": "CPF", "documentNumber": "52998224725"},
                "successUrl": format!("{return_base}?return=success"),
                "failedUrl": format!("{return_base}?return=failed")
            }
        }]
    })
}

/// Sends `request_head` verbatim over TCP (for paths an HTTP client would normalise) and
/// returns the status code and body.
pub async fn raw_request(addr: std::net::SocketAddr, request_head: &str) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request_head.as_bytes()).await.expect("write");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("read");
    let text = String::from_utf8_lossy(&answer).to_string();
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// Asserts a body is Conomy's error shape with this status and type.
pub fn assert_error(body: &Value, status: u16, kind: &str) {
    assert_eq!(body["status"], json!(status), "status in {body}");
    assert_eq!(body["statusCode"], json!(status), "statusCode in {body}");
    assert_eq!(body["type"], json!(kind), "type in {body}");
    assert!(
        body["detail"].is_string() && body["traceId"].is_string(),
        "shape of {body}"
    );
}

/// How many checkout sessions the sandbox holds, read through its merchant API (`/conomy`).
pub async fn sandbox_session_total(server: &RunningServer) -> u64 {
    let sandbox = server.sandbox_config.as_ref().expect("sandbox mode");
    let http = client();
    let token = merchant_token(server).await;
    let page: Value = http
        .get(url(server, "/conomy/checkout-sessions?limit=1"))
        .header("x-api-key", &sandbox.api_key)
        .bearer_auth(token)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("list json");
    page["pagination"]["total"].as_u64().expect("total")
}

/// Creates a payment link through the sandbox's merchant API; returns status and body.
pub async fn create_link(server: &RunningServer, body: &Value) -> (u16, Value) {
    let sandbox = server.sandbox_config.as_ref().expect("sandbox mode");
    let token = merchant_token(server).await;
    send(
        client()
            .post(url(server, "/conomy/payment-links"))
            .header("x-api-key", &sandbox.api_key)
            .bearer_auth(token)
            .json(body),
    )
    .await
}

/// A CLP link paid with ETPAY (the §4 body of `etpay_payment`), with `metadata`.
pub fn clp_link(token: &str, metadata: Value) -> Value {
    json!({
        "checkoutToken": token,
        "currency": "CLP",
        "items": [{"description": "Libro", "preTaxAmount": "10000"}],
        "paymentMethodsAllowed": ["ETPAY"],
        "destinations": [{"type": "ACCOUNT", "amount": "10000", "name": "Librería",
            "account": {"type": "CHECKING", "currency": "CLP", "accountNumber": "acct-1", "accountHolder": "Librería SpA"}}],
        "owner": {"identityId": "merchant-1", "name": "Librería"},
        "duration": 1800,
        "metadata": metadata
    })
}

/// A valid ETPAY submission for a CLP session.
pub fn etpay_payment(return_base: &str) -> Value {
    json!({
        "description": "Libro",
        "origins": [{"type": "ETPAY", "currency": "CLP", "etpay": {
            "customer": {"firstName": "Ana", "email": "ana@example.cl"},
            "successUrl": format!("{return_base}?return=success"),
            "failedUrl": format!("{return_base}?return=failed")
        }}]
    })
}

/// A bearer token for the sandbox's merchant API.
pub async fn merchant_token(server: &RunningServer) -> String {
    let sandbox = server.sandbox_config.as_ref().expect("sandbox mode");
    let auth: Value = client()
        .post(url(server, "/conomy/auth"))
        .header("x-api-key", &sandbox.api_key)
        .json(&json!({"clientId": sandbox.client_id, "clientSecret": sandbox.client_secret}))
        .send()
        .await
        .expect("auth")
        .json()
        .await
        .expect("auth json");
    auth["accessToken"].as_str().expect("token").to_string()
}
