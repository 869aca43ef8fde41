//! A real sandbox server on 127.0.0.1:0 and a small authenticated client, shared by the
//! sandbox API and conformance tests.
#![allow(dead_code)]

use std::sync::Arc;

use axum::Router;
use checkout_server::sandbox::clock::{Clock, SystemClock};
use checkout_server::sandbox::{conomy_router, sandbox_router, Sandbox, SandboxConfig};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

pub struct Server {
    /// `http://127.0.0.1:<port>`: the checkout base URL the sandbox knows itself by.
    pub base: String,
    pub sandbox: Arc<Sandbox>,
    pub http: reqwest::Client,
    pub token: String,
}

/// The `User-Agent` the test client sends (Conomy requires one on every call but `/auth`).
pub const USER_AGENT: &str = "checkout-server-tests";

/// Starts a seeded sandbox exactly as the gateway mounts it and signs in with the demo
/// credentials.
pub async fn start() -> Server {
    start_with_clock(Arc::new(SystemClock)).await
}

/// [`start`] on another clock (a `ManualClock` moves time instead of sleeping).
pub async fn start_with_clock(clock: Arc<dyn Clock>) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let sandbox = Sandbox::with_clock(SandboxConfig::demo(&base), clock);
    sandbox.seed_demo_links();
    let app = Router::new()
        .nest("/conomy", conomy_router(sandbox.clone()))
        .merge(sandbox_router(sandbox.clone()));
    // With the peer address, as the gateway serves it: the test controls answer loopback only.
    let service = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await });
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(USER_AGENT)
        .build()
        .expect("client");
    let mut server = Server {
        base,
        sandbox,
        http,
        token: String::new(),
    };
    server.sign_in().await;
    server
}

impl Server {
    /// A fresh bearer token from `POST /auth` (tokens live an hour, also on a manual clock).
    pub async fn sign_in(&mut self) {
        let (status, body) = self
            .send_with(
                Method::POST,
                "/conomy/auth",
                Some(json!({"clientId": "sandbox-client", "clientSecret": "sandbox-secret"})),
                "sandbox-api-key",
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        self.token = body["accessToken"].as_str().expect("accessToken").to_string();
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A request with explicit credentials; the body is decoded as JSON (Null when empty).
    pub async fn send_with(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        api_key: &str,
        bearer: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut request = self.http.request(method, self.url(path)).header("x-api-key", api_key);
        if let Some(token) = bearer {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        let text = response.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// An authenticated call to the Conomy API (`path` without the `/conomy` prefix).
    pub async fn api(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        self.send_with(
            method,
            &format!("/conomy{path}"),
            body,
            "sandbox-api-key",
            Some(&self.token),
        )
        .await
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.api(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.api(Method::POST, path, Some(body)).await
    }

    /// Creates a link and returns it (asserting 201).
    pub async fn create_link(&self, body: Value) -> Value {
        let (status, link) = self.post("/payment-links", body).await;
        assert_eq!(status, StatusCode::CREATED, "{link}");
        link
    }

    /// Opens a session from a link token (asserting 201).
    pub async fn open(&self, token: &str) -> Value {
        let (status, session) = self
            .post(&format!("/payment-links/token/{token}/checkout-sessions"), json!({}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{session}");
        session
    }

    /// `body` (a payment) with its rail node's successUrl/failedUrl pointing into this
    /// checkout, the only place the provider page returns to.
    pub fn returning_here(&self, body: Value) -> Value {
        let mut body = body;
        let key = checkout_core::model::Rail::from(body["origins"][0]["type"].as_str().unwrap_or_default()).node_key();
        for (field, outcome) in [("successUrl", "success"), ("failedUrl", "failed")] {
            body["origins"][0][key.as_str()][field] = json!(format!("{}/t?return={outcome}", self.base));
        }
        body
    }

    /// Clicks Approve or Decline on the sandbox provider page; returns status and Location.
    pub async fn provider(&self, payment_id: &str, decision: &str) -> (StatusCode, Option<String>) {
        let response = self
            .http
            .post(self.url(&format!("/sandbox/provider/{payment_id}/{decision}")))
            .send()
            .await
            .expect("provider");
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        (response.status(), location)
    }
}

/// A valid create-checkout-session body (CLP, one item, ETPAY and WEBPAY, 30 minutes) with a
/// checkout token of its own.
pub fn link_body(owner: &str) -> Value {
    json!({
        "checkoutToken": format!("{owner}-{:016x}", rand::random::<u64>()),
        "items": [{"description": "Libro", "preTaxAmount": "10000"}],
        "currency": "CLP",
        "paymentMethodsAllowed": ["ETPAY", "WEBPAY"],
        "destinations": [{"type": "ACCOUNT", "amount": "10000", "name": "Librería",
            "metadata": {"image": "https://checkout.conomy.test/logo.png", "description": "Libros", "category": "books"},
            "account": {"type": "CHECKING", "currency": "CLP", "accountNumber": "acct-1", "accountHolder": "Librería SpA"}}],
        "duration": 1800,
        "owner": {"identityId": owner, "name": "Librería"},
        "successUrl": "https://merchant.example/ok",
        "failedUrl": "https://merchant.example/ko"
    })
}

/// The pinned §4 body for a rail node.
pub fn payment(rail: &str, currency: &str, node_key: &str, node: Value) -> Value {
    let mut node = node;
    node["successUrl"] = json!("http://127.0.0.1:1/t?return=success");
    node["failedUrl"] = json!("http://127.0.0.1:1/t?return=failed");
    json!({"description": "Pedido 1001", "origins": [{"type": rail, "currency": currency, node_key: node}]})
}

pub fn etpay_payment() -> Value {
    payment(
        "ETPAY",
        "CLP",
        "etpay",
        json!({"customer": {"firstName": "Ana", "email": "ana@example.cl"}}),
    )
}
