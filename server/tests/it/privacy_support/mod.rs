//! What the payer-privacy tests share: gateways started with a known session secret,
//! a recording fake Conomy whose every answer fills each field of Conomy's `checkout-session`
//! and `payment` schemas (sentinels for everything the browser must never see), a fake that
//! authenticates and then goes away, and a log capture.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use checkout_server::capability::{Capabilities, Secret};
use checkout_server::config::{Config, Mode, UpstreamConfig};
use checkout_server::rate_limit::RateLimitConfig;
use checkout_server::RunningServer;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::gateway_support::{client, missing_dist, start_config, url};

/// The header the SPA sends its capability in.
pub const CAPABILITY: &str = checkout_server::capability::HEADER;
/// The gateway's public origin in upstream tests: return URLs must start with it.
pub const PUBLIC_URL: &str = "https://checkout.privacy.test";
/// The session secret every upstream test gateway shares (and the tests verify with).
pub const SESSION_SECRET: &str = "privacy-tests-session-secret-0123456789-abcdef";

const KEY: &str = "key-privacy-1";
const CLIENT_ID: &str = "client-privacy-1";
const CLIENT_SECRET: &str = "secret-privacy-1";
const ACCESS_TOKEN: &str = "tok-privacy-1";

/// Every value the browser must never receive starts with this.
pub const SENTINEL: &str = "SENTINEL-";
/// A fee amount: numeric, so that it is not caught by the prefix alone.
pub const FEE_AMOUNT: &str = "31337.42";
/// The fake's link token whose session was already paid by somebody else.
pub const PAID_TOKEN: &str = "shop-paid";
/// That previous payer's session.
pub const PAID_SESSION: &str = "cs_previouspayer_1";
/// What the fake's payment answers echo as the provider's page (redirect rails).
pub const PROVIDER_URL: &str = "https://provider.fake/etpay/";

pub fn secret() -> Secret {
    Secret::parse(SESSION_SECRET).expect("a long enough secret")
}

/// Verifies (and forges) capabilities exactly as the upstream test gateways do.
pub fn capabilities() -> Capabilities {
    Capabilities::new(secret(), None)
}

/// A sandbox-mode server without rate limits (the attacks below send many refused requests).
pub async fn start_sandbox_unlimited() -> RunningServer {
    let mut config = Config::sandbox(0, missing_dist());
    config.rate_limits = RateLimitConfig::DISABLED;
    start_config(config).await
}

/// An upstream-mode gateway pointed at `base`, with `SESSION_SECRET`, `PUBLIC_URL` and no rate limits.
pub async fn start_gateway(base: String) -> RunningServer {
    start_config(gateway_config(base)).await
}

/// What [`start_gateway`] starts.
pub fn gateway_config(base: String) -> Config {
    let mut config = Config::sandbox(0, missing_dist());
    config.mode = Mode::Upstream(UpstreamConfig {
        base,
        api_key: KEY.into(),
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
    });
    config.upstream_timeout = Duration::from_secs(5);
    config.public_url = Some(PUBLIC_URL.into());
    config.session_secret = Some(secret());
    config.rate_limits = RateLimitConfig::DISABLED;
    config
}

/// Opens a session for `token`: (status, answer text, answer JSON).
pub async fn open_raw(server: &RunningServer, token: &str, body: &Value) -> (u16, String, Value) {
    let response = client()
        .post(url(
            server,
            &format!("/api/payment-links/token/{token}/checkout-sessions"),
        ))
        .json(body)
        .send()
        .await
        .expect("open is answered");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    let value = serde_json::from_str(&text).unwrap_or(Value::Null);
    (status, text, value)
}

/// Opens a payable session for `token`; returns it and its capability.
pub async fn open(server: &RunningServer, token: &str) -> (Value, String) {
    let (status, _, session) = open_raw(server, token, &json!({})).await;
    assert_eq!(status, 201, "open {token}: {session}");
    let capability = session["capability"]
        .as_str()
        .unwrap_or_else(|| panic!("an opened payable session carries a capability: {session}"))
        .to_string();
    (session, capability)
}

/// A request, with the capability header when given; returns status and text.
pub async fn call(
    server: &RunningServer,
    method: Method,
    path: &str,
    capability: Option<&str>,
    body: Option<&Value>,
) -> (u16, String) {
    let mut request = client().request(method, url(server, path));
    if let Some(capability) = capability {
        request = request.header(CAPABILITY, capability);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.expect("request is answered");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

pub fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

/// Capabilities that must not grant `id`: `(what, header or None)`. `own` is id's real
/// capability, `other` a genuine one for another session.
pub fn forgeries(id: &str, own: &str, other: &str) -> Vec<(&'static str, Option<String>)> {
    let mut parts = own.splitn(3, '.');
    let (_, expiry, mac) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    let mut other_parts = other.splitn(3, '.');
    let (_, other_expiry, other_mac) = (
        other_parts.next().unwrap_or(""),
        other_parts.next().unwrap_or(""),
        other_parts.next().unwrap_or(""),
    );
    let flipped = {
        let mut chars: Vec<char> = mac.chars().collect();
        if let Some(first) = chars.first_mut() {
            *first = if *first == 'A' { 'B' } else { 'A' };
        }
        chars.into_iter().collect::<String>()
    };
    let later = expiry.parse::<u64>().map(|e| e + 1).unwrap_or(0);
    vec![
        ("no capability", None),
        ("the bare session id", Some(id.to_string())),
        ("another session's capability", Some(other.to_string())),
        ("a tampered MAC", Some(format!("{id}.{expiry}.{flipped}"))),
        ("a later expiry under the same MAC", Some(format!("{id}.{later}.{mac}"))),
        (
            "another session's signature spliced onto this id",
            Some(format!("{id}.{other_expiry}.{other_mac}")),
        ),
        ("the capability with a suffix", Some(format!("{own}.x"))),
        ("an empty header", Some(String::new())),
    ]
}

// ---- the recording fake Conomy ---------------------------------------------------------------

#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: Method,
    pub path: String,
    pub query: String,
    pub body: Bytes,
}

impl Recorded {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

#[derive(Default)]
pub struct Fake {
    log: Mutex<Vec<Recorded>>,
    /// Session id → checkout token, for every session the fake handed out.
    sessions: Mutex<HashMap<String, String>>,
    next: AtomicU32,
    /// Distinguishes ids across fakes of one test binary (logs are shared).
    nonce: u32,
    /// Session id → the payments created on it (what `GET /payments` lists).
    payments: Mutex<HashMap<String, Vec<String>>>,
    /// A session every open and refresh hands back, as Conomy may for a token.
    handed_back: Mutex<Option<String>>,
}

impl Fake {
    pub fn records(&self) -> Vec<Recorded> {
        self.log.lock().expect("log").clone()
    }

    /// Calls (other than `/auth`) whose path or query mention `needle`.
    pub fn calls_mentioning(&self, needle: &str) -> Vec<String> {
        self.records()
            .iter()
            .filter(|r| r.path.contains(needle) || r.query.contains(needle))
            .map(|r| format!("{} {}?{}", r.method, r.path, r.query))
            .collect()
    }

    pub fn bodies(&self, method: &Method, path: &str) -> Vec<Value> {
        self.records()
            .iter()
            .filter(|r| r.method == *method && r.path == path)
            .map(Recorded::json)
            .collect()
    }

    pub fn count(&self, method: &Method, path: &str) -> usize {
        self.records()
            .iter()
            .filter(|r| r.method == *method && r.path == path)
            .count()
    }

    fn new_session(&self, token: &str) -> String {
        let n = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let id = format!("cs_fake{}n{n}", self.nonce);
        self.sessions
            .lock()
            .expect("sessions")
            .insert(id.clone(), token.to_string());
        id
    }

    /// From now on every open and refresh answers this session (ACTIVE).
    pub fn hand_back(&self, id: &str) {
        *self.handed_back.lock().expect("handed back") = Some(id.to_string());
    }

    fn handed_back(&self) -> Option<String> {
        self.handed_back.lock().expect("handed back").clone()
    }

    fn token_of(&self, id: &str) -> Option<String> {
        self.sessions.lock().expect("sessions").get(id).cloned()
    }

    fn payment_id(&self) -> String {
        let n = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        format!("pay_fake{}n{n}", self.nonce)
    }
}

/// Starts the recording fake Conomy on 127.0.0.1:0.
pub async fn start_fake_conomy() -> (SocketAddr, Arc<Fake>) {
    let fake = Arc::new(Fake {
        nonce: rand_nonce(),
        ..Fake::default()
    });
    let app = Router::new().fallback(handle).with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, fake)
}

/// A fake and an upstream-mode gateway pointed at it.
pub async fn start_fake_and_gateway() -> (Arc<Fake>, RunningServer) {
    let (addr, fake) = start_fake_conomy().await;
    let gateway = start_gateway(format!("http://{addr}")).await;
    (fake, gateway)
}

fn rand_nonce() -> u32 {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    std::process::id()
        .wrapping_mul(7919)
        .wrapping_add(NEXT.fetch_add(1, Ordering::Relaxed))
        % 100_000
}

async fn handle(State(fake): State<Arc<Fake>>, method: Method, uri: Uri, body: Bytes) -> Response {
    let path = uri.path().to_string();
    let query = uri.query().unwrap_or("").to_string();
    fake.log.lock().expect("log").push(Recorded {
        method: method.clone(),
        path: path.clone(),
        query: query.clone(),
        body: body.clone(),
    });
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (method.as_str(), segments.as_slice()) {
        ("POST", ["auth"]) => {
            axum::Json(json!({"accessToken": ACCESS_TOKEN, "tokenType": "Bearer", "expiresIn": 3600})).into_response()
        }
        ("POST", ["payment-links", "token", token, "checkout-sessions"]) => {
            if *token == PAID_TOKEN {
                fake.sessions
                    .lock()
                    .expect("sessions")
                    .insert(PAID_SESSION.into(), PAID_TOKEN.into());
                return (
                    StatusCode::CREATED,
                    axum::Json(session_json(PAID_SESSION, PAID_TOKEN, "FINISHED")),
                )
                    .into_response();
            }
            let id = fake.handed_back().unwrap_or_else(|| fake.new_session(token));
            (StatusCode::CREATED, axum::Json(session_json(&id, token, "ACTIVE"))).into_response()
        }
        ("POST", ["checkout-sessions", "token", token, "refresh"]) => {
            let id = fake.handed_back().unwrap_or_else(|| fake.new_session(token));
            (StatusCode::CREATED, axum::Json(session_json(&id, token, "ACTIVE"))).into_response()
        }
        ("GET", ["checkout-sessions", id]) => match fake.token_of(id) {
            Some(token) => {
                let status = if *id == PAID_SESSION { "FINISHED" } else { "ACTIVE" };
                axum::Json(session_json(id, &token, status)).into_response()
            }
            None => not_found(),
        },
        ("POST", ["checkout-sessions", id, "payments"]) => {
            if fake.token_of(id).is_none() {
                return not_found();
            }
            let submitted: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let rail = submitted["origins"][0]["type"].as_str().unwrap_or("ETPAY").to_string();
            let payment_id = fake.payment_id();
            fake.payments
                .lock()
                .expect("payments")
                .entry(id.to_string())
                .or_default()
                .push(payment_id.clone());
            axum::Json(payment_json(&payment_id, &rail)).into_response()
        }
        ("GET", ["payments"]) => {
            let session = query
                .split('&')
                .find_map(|pair| pair.strip_prefix("checkoutSessionId="))
                .unwrap_or("")
                .to_string();
            let made = fake
                .payments
                .lock()
                .expect("payments")
                .get(&session)
                .cloned()
                .unwrap_or_default();
            if fake.token_of(&session).is_none() || made.is_empty() {
                return axum::Json(json!({"pagination": {"count": 0, "total": 0}, "results": []})).into_response();
            }
            let results: Vec<Value> = made.iter().map(|id| payment_json(id, "ETPAY")).collect();
            axum::Json(json!({
                "pagination": {"count": results.len(), "next": null, "previous": null, "total": results.len()},
                "results": results
            }))
            .into_response()
        }
        ("GET", ["payment-links", _]) => axum::Json(json!({
            "id": "lnk_fake_1", "successUrl": "https://shop.example/ok", "failedUrl": "https://shop.example/ko",
            "accountNumber": "SENTINEL-linkAccountNumber"
        }))
        .into_response(),
        _ => not_found(),
    }
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        axum::Json(json!({"status": 404, "type": "notFound", "detail": "no such thing", "traceId": "t-fake"})),
    )
        .into_response()
}

fn fee() -> Value {
    json!({"name": "SENTINEL-feeName", "type": "SENTINEL-feeType", "value": "SENTINEL-feeValue",
           "amount": FEE_AMOUNT, "currency": "CLP"})
}

/// Every field of Conomy's `checkout-session` schema. Allowed values are plain; what the
/// browser must not see is a sentinel (owner and account secrets, ids, unknown fields), and a
/// FINISHED session carries its previous payer's data as sentinels.
pub fn session_json(id: &str, token: &str, status: &str) -> Value {
    let customer = if status == "FINISHED" {
        json!({"id": "SENTINEL-previousCustomerId", "firstName": "SENTINEL-previousFirstName",
               "lastName": "SENTINEL-previousLastName", "email": "SENTINEL-previous@example.cl",
               "phoneNumber": "SENTINEL-previousPhone", "phoneNumberPrefix": "+56", "documentType": "RUT",
               "documentNumber": "SENTINEL-previousDocument",
               "address": {"street": "SENTINEL-previousStreet", "country": "CHL"}})
    } else {
        json!({"id": "SENTINEL-customerId", "firstName": "Prefilled", "lastName": "Merchant",
               "email": "prefilled@shop.example", "phoneNumberPrefix": "+56", "phoneNumber": "911111111",
               "futureCustomerField": "SENTINEL-customerFuture"})
    };
    let method = |id: &str, rail: &str, enabled: bool, required: &[&str], amount: &str| {
        json!({"id": id, "type": rail, "enabled": enabled, "requiredFields": required, "purchaseAmount": amount,
               "futureMethodField": "SENTINEL-methodFuture"})
    };
    json!({
        "id": id,
        "paymentLinkId": "lnk_fake_1",
        "checkoutToken": token,
        "paymentConfigs": [
            {"currency": "CLP", "product": "CLP:CLP", "exchangeRate": "1", "futureConfigField": "SENTINEL-configFuture",
             "paymentMethods": [
                method("pm_etpay", "ETPAY", true, &["etpay.customer.firstName", "etpay.customer.email"], "15990"),
                method("pm_webpay", "WEBPAY", true,
                       &["webpay.customer.firstName", "webpay.customer.lastName", "webpay.customer.email"], "15990"),
                method("pm_fintoc", "FINTOC", false, &["fintoc.customer.email"], "15990")
             ]},
            {"currency": "BRL", "product": "CLP:BRL", "exchangeRate": "0.0058",
             "paymentMethods": [method("pm_pix", "PIX", true,
                &["pix.customer.firstName", "pix.customer.lastName", "pix.customer.email", "pix.customer.documentNumber"], "92.74")]},
            {"currency": "MXN", "product": "CLP:MXN", "exchangeRate": "0.019",
             "paymentMethods": [method("pm_spei", "SPEI", true, &["spei.customer.firstName", "spei.customer.lastName"], "303.81")]}
        ],
        "createdAt": "2025-05-01T10:00:00.000Z",
        "status": status,
        "items": [{"preTaxAmount": "13437", "totalAmount": "15990", "description": "Suscripción mensual",
                   "tax": {"name": "IVA", "type": "PERCENTAGE", "value": "19", "amount": "2553",
                           "futureTaxField": "SENTINEL-taxFuture"},
                   "futureItemField": "SENTINEL-itemFuture"}],
        "currency": "CLP",
        "preTaxAmount": "13437",
        "totalAmount": "15990",
        "url": format!("https://checkout.fake/{token}"),
        "paymentMethodsAllowed": ["ETPAY", "WEBPAY", "FINTOC", "PIX", "SPEI"],
        "customer": customer,
        "redirectUrl": "https://shop.example/back",
        "destinations": [{
            "name": "Tienda Andes", "type": "ACCOUNT", "externalId": "SENTINEL-destinationExternalId", "amount": "15990",
            "metadata": {"image": "https://shop.example/logo.png", "description": "Tienda Andes", "category": "retail",
                         "futureMetadataField": "SENTINEL-metadataFuture"},
            "account": {"type": "CHECKING", "currency": "CLP", "accountNumber": "SENTINEL-accountNumber",
                        "accountHolder": "SENTINEL-accountHolder", "identityId": "SENTINEL-accountIdentityId",
                        "balance": "SENTINEL-balance"}
        }],
        "customerRequirements": ["lastName"],
        "expiresAt": "2099-01-01T00:00:00.000Z",
        "owner": {"identityId": "SENTINEL-identityId", "name": "Tienda Andes", "lastname": "SpA", "nickname": "tienda",
                  "documentNumber": "SENTINEL-ownerDocumentNumber", "entityType": "COMPANY"},
        "identityExternalId": "SENTINEL-sessionIdentityExternalId",
        "futureField": "SENTINEL-sessionFuture"
    })
}

/// The payer's data as the provider echoes it in a payment: all sentinels.
fn payer() -> Value {
    json!({"id": "SENTINEL-payerId", "firstName": "SENTINEL-payerFirstName", "lastName": "SENTINEL-payerLastName",
           "email": "SENTINEL-payer@example.cl", "phoneNumber": "SENTINEL-payerPhone", "phoneNumberPrefix": "+56",
           "documentType": "RUT", "documentNumber": "SENTINEL-payerDocument",
           "address": {"street": "SENTINEL-payerStreet", "streetNumber": "SENTINEL-payerStreetNumber", "country": "CHL"}})
}

/// Every field of Conomy's `payment` schema, with the rail node of `rail` carrying the
/// next action (plausible values) beside the payer's data and provider secrets (sentinels).
pub fn payment_json(id: &str, rail: &str) -> Value {
    let (key, currency, node) = match rail {
        "PIX" => (
            "pix",
            "BRL",
            json!({
                "customer": payer(),
                "qrCode": "00020101021226880014br.gov.bcb.pix2566qr.fake/pix/v2/cobv/1",
                "data": "00020101021226880014br.gov.bcb.pix2566qr.fake/pix/v2/cobv/1520400005303986",
                "expiredAt": "2099-01-01T00:30:00.000Z",
                "instructions": "Pague com o app do seu banco",
                "successUrl": "https://checkout.fake/echoed-success", "failedUrl": "https://checkout.fake/echoed-failed",
                "futureNodeField": "SENTINEL-nodeFuture"
            }),
        ),
        "SPEI" => (
            "spei",
            "MXN",
            json!({
                "customer": payer(),
                "clabe": "646180157000000004",
                "bankId": "STP",
                "accountHolder": "SENTINEL-speiAccountHolder",
                "futureNodeField": "SENTINEL-nodeFuture"
            }),
        ),
        _ => (
            "etpay",
            "CLP",
            json!({
                "customer": payer(),
                "url": format!("{PROVIDER_URL}{id}"),
                "expiresAt": "2099-01-01T00:30:00.000Z",
                "token": "SENTINEL-etpayToken",
                "signatureToken": "SENTINEL-signatureToken",
                "redirectUrl": "https://checkout.fake/echoed-redirect",
                "successUrl": "https://checkout.fake/echoed-success", "failedUrl": "https://checkout.fake/echoed-failed",
                "futureNodeField": "SENTINEL-nodeFuture"
            }),
        ),
    };
    let mut origin = json!({
        "type": rail, "currency": currency, "amount": "15990", "name": "SENTINEL-originName",
        "externalId": "SENTINEL-originExternalId", "settlement": "T+1", "fee": fee(), "amountOut": "SENTINEL-amountOut",
        "identity": {"name": "SENTINEL-originIdentityName", "documentNumber": "SENTINEL-originIdentityDocument",
                     "externalId": "SENTINEL-originIdentityExternalId", "lastname": "SENTINEL-originIdentityLastname"},
        "metadata": {"image": "SENTINEL-originImage", "description": "SENTINEL-originDescription", "category": "SENTINEL-originCategory"},
        "futureOriginField": "SENTINEL-originFuture"
    });
    origin[key] = node;
    json!({
        "id": id,
        "externalId": "SENTINEL-paymentExternalId",
        "identityId": "SENTINEL-identityId",
        "identityExternalId": "SENTINEL-identityExternalId",
        "accountNumber": "SENTINEL-accountNumber",
        "totalAmount": "15990",
        "currency": "CLP",
        "description": "Suscripción mensual",
        "product": "CLP:CLP",
        "status": "CREATED",
        "type": "PURCHASE",
        "purchaseAmount": "15990",
        "purchaseCurrency": "CLP",
        "fees": [fee()],
        "createdAt": "2025-05-01T10:01:00.000Z",
        "updatedAt": "2025-05-01T10:01:00.000Z",
        "expiresAt": "2025-05-01T10:31:00.000Z",
        "capturedAt": "2025-05-01T10:02:00.000Z",
        "authorizedAt": "2025-05-01T10:02:00.000Z",
        "refundedAt": "2025-05-01T10:03:00.000Z",
        "origins": [origin],
        "destinations": [{
            "type": "ACCOUNT", "currency": "CLP", "amount": "15990", "name": "SENTINEL-destinationName",
            "fee": fee(),
            "account": {"identityId": "SENTINEL-destinationIdentityId", "type": "CHECKING", "balance": "SENTINEL-balance",
                        "availableFunds": "SENTINEL-availableFunds", "currency": "CLP", "name": "SENTINEL-accountName",
                        "accountNumber": "SENTINEL-destinationAccountNumber", "accountHolder": "SENTINEL-destinationAccountHolder"}
        }],
        "settlement": "T+1",
        "futurePaymentField": "SENTINEL-paymentFuture"
    })
}

/// Every sentinel of `text` (none is the only acceptable answer).
pub fn leaks(text: &str) -> Vec<String> {
    let mut found: Vec<String> = text
        .match_indices(SENTINEL)
        .map(|(at, _)| {
            text[at..]
                .chars()
                .take_while(|c| !matches!(c, '"' | ',' | '}' | ']'))
                .collect()
        })
        .collect();
    if text.contains(FEE_AMOUNT) {
        found.push(FEE_AMOUNT.to_string());
    }
    found
}

// ---- an upstream that authenticates, then is gone ---------------------------------------------

/// A Conomy that answers one `POST /auth` (with `Connection: close`) and then closes its port, so
/// the next call (a path with an id) fails to connect.
pub async fn start_auth_then_gone() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let Ok((mut stream, _)) = listener.accept().await else {
            return;
        };
        drop(listener);
        let mut request = Vec::new();
        let mut buffer = [0u8; 4096];
        // Headers, then the declared body.
        loop {
            let Ok(n) = stream.read(&mut buffer).await else { return };
            if n == 0 {
                return;
            }
            request.extend_from_slice(&buffer[..n]);
            let text = String::from_utf8_lossy(&request).to_string();
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let length = head
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().to_string())
                    })
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(0);
                if body.len() >= length {
                    break;
                }
            }
        }
        let body = json!({"accessToken": ACCESS_TOKEN, "tokenType": "Bearer", "expiresIn": 3600}).to_string();
        let answer = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = stream.write_all(answer.as_bytes()).await;
        let _ = stream.shutdown().await;
    });
    addr
}

// ---- log capture ----------------------------------------------------------------------------

/// Everything `checkout_server` logs at debug and above in this test binary, from the first
/// call on. Installed once; shared by every test of the binary (each checks its own values).
pub fn captured_logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer: Arc<Mutex<Vec<u8>>> = Arc::default();
        let sink = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("checkout_server=debug"))
            .with_ansi(false)
            .with_writer(move || LogWriter(sink.clone()))
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber of this binary");
        buffer
    })
    .clone()
}

pub fn log_text(logs: &Arc<Mutex<Vec<u8>>>) -> String {
    String::from_utf8_lossy(&logs.lock().expect("logs")).to_string()
}

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("logs").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
