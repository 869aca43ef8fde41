//! Upstream mode over real HTTP: a whole checkout through a server pointed at another server's
//! `/conomy`, and a recording fake Conomy for headers, token caching, retries and sanitizing.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use checkout_core::checkout::CallError;
use checkout_core::model::ApiError;
use checkout_core::retry::{retry_delay, Call};
use serde_json::{json, Value};

use crate::gateway_support::*;

#[tokio::test]
async fn a_whole_checkout_runs_through_an_upstream_mode_server() {
    let sandbox = start_sandbox(missing_dist()).await;
    let credentials = sandbox.sandbox_config.clone().expect("demo credentials");
    let gateway = start_upstream(
        format!("http://{}/conomy", sandbox.addr),
        &credentials.api_key,
        &credentials.client_id,
        &credentials.client_secret,
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(gateway.mode, "upstream");
    let http = client();

    let (status, session) = send(
        http.post(url(&gateway, "/api/payment-links/token/demo-brl/checkout-sessions"))
            .json(&json!({})),
    )
    .await;
    assert_eq!(status, 201, "{session}");
    let id = session["id"].as_str().expect("id").to_string();
    let capability = capability_of(&session);
    assert_eq!(
        gateway_capabilities().verify(&capability),
        Some(id.as_str()),
        "signed with the configured secret"
    );
    assert_eq!(
        session["successUrl"],
        json!(format!("{}/sandbox/merchant/success", sandbox.public_url))
    );
    assert!(session["destinations"][0]["account"].get("accountNumber").is_none());
    assert!(session["owner"].get("documentNumber").is_none());

    let submission = pix_payment(&format!("{}/demo-brl", gateway.public_url));
    let (status, payment) = send(with_capability(
        http.post(url(&gateway, &format!("/api/checkout-sessions/{id}/payments")))
            .json(&submission),
        &capability,
    ))
    .await;
    assert_eq!(status, 200, "{payment}");
    let payment_id = payment["id"].as_str().expect("payment id").to_string();

    let read_session = || {
        with_capability(
            http.get(url(&gateway, &format!("/api/checkout-sessions/{id}"))),
            &capability,
        )
    };
    let (status, waiting) = send(read_session()).await;
    assert_eq!(status, 200);
    assert_eq!(waiting["status"], "PROCESSING_PAYMENT");

    // The payer approves on the (sandbox) provider page.
    let approved = http
        .post(url(&sandbox, &format!("/sandbox/provider/{payment_id}/approve")))
        .send()
        .await
        .expect("approve");
    assert!(approved.status().is_redirection() || approved.status().is_success());

    let (status, finished) = send(read_session()).await;
    assert_eq!(status, 200);
    assert_eq!(finished["status"], "FINISHED", "{finished}");
    let (status, page) = send(with_capability(
        http.get(url(&gateway, &format!("/api/payments?checkoutSessionId={id}"))),
        &capability,
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(page["results"][0]["id"], json!(payment_id));
    let (status, banks) = send(http.get(url(&gateway, "/api/payments/banks/COL"))).await;
    assert_eq!(status, 200);
    assert!(banks.as_array().is_some_and(|b| !b.is_empty()));

    assert_eq!(gateway.backend.auth_calls(), 1, "one token served every call");
    // Upstream mode exposes neither the simulator nor its pages.
    for path in ["/conomy/payment-links", "/sandbox/demo-links.json"] {
        let status = http.get(url(&gateway, path)).send().await.expect("get").status();
        assert_eq!(status.as_u16(), 404, "{path}");
    }
    let health: Value = http
        .get(url(&gateway, "/healthz"))
        .send()
        .await
        .expect("health")
        .json()
        .await
        .expect("json");
    assert_eq!(health, json!({"status": "ok", "mode": "upstream"}));
}

// ---- a recording fake Conomy ----------------------------------------------------------------

const KEY: &str = "key-Zq8w";
const CLIENT_ID: &str = "client-Hx41";
const SECRET: &str = "secret-Pw93";
const ACCESS_TOKEN: &str = "tok-Vb27";

#[derive(Clone, Debug)]
struct Recorded {
    method: Method,
    path: String,
    headers: HeaderMap,
    body: Bytes,
}

type Log = Arc<Mutex<Vec<Recorded>>>;

fn count(log: &Log, method: &Method, path: &str) -> usize {
    log.lock()
        .expect("log")
        .iter()
        .filter(|r| r.method == method && r.path == path)
        .count()
}

async fn fake_conomy(State(log): State<Log>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let path = uri.path().to_string();
    log.lock().expect("log").push(Recorded {
        method: method.clone(),
        path: path.clone(),
        headers,
        body,
    });
    match (method.as_str(), path.as_str()) {
        ("POST", "/auth") => {
            axum::Json(json!({"accessToken": ACCESS_TOKEN, "tokenType": "Bearer", "expiresIn": 3600})).into_response()
        }
        ("GET", "/checkout-sessions/s_ok") => axum::Json(payable_session("s_ok")).into_response(),
        ("GET", "/checkout-sessions/s_odd") => axum::Json(odd_session("s_odd", true)).into_response(),
        ("GET", "/checkout-sessions/s_tokenless") => axum::Json(odd_session("s_tokenless", false)).into_response(),
        ("POST", "/checkout-sessions/s_odd/payments") => {
            axum::Json(json!({"id": "pay_odd", "status": "CREATED", "origins": [], "fees": null, "destinations": 7}))
                .into_response()
        }
        ("GET", "/payments") => axum::Json(json!({
            "pagination": {"count": 1, "next": null, "previous": null, "total": 1},
            "results": [{"id": "pay_odd", "status": "CREATED", "identityId": 12, "accountNumber": null, "origins": []}]
        }))
        .into_response(),
        ("GET", "/checkout-sessions/s_payboom") => axum::Json(payable_session("s_payboom")).into_response(),
        ("GET", "/payment-links/lnk_1") => axum::Json(json!({
            "id": "lnk_1", "successUrl": "https://shop.example/ok", "failedUrl": "https://shop.example/ko"
        }))
        .into_response(),
        ("POST", "/checkout-sessions/s_ok/payments") => {
            axum::Json(json!({"id": "pay_1", "status": "CREATED", "origins": []})).into_response()
        }
        ("GET", "/checkout-sessions/s_boom")
        | ("POST", "/checkout-sessions/s_payboom/payments")
        | ("POST", "/payment-links/token/shop-boom/checkout-sessions") => (
            StatusCode::INTERNAL_SERVER_ERROR,
            axum::Json(json!({"status": 500, "type": "serverError",
                "detail": "NullPointerException at com.conomy.ledger.Internal:42", "traceId": "trace-77"})),
        )
            .into_response(),
        ("GET", "/checkout-sessions/s_locked") => (
            StatusCode::UNPROCESSABLE_ENTITY,
            axum::Json(json!({"status": 422, "code": "21", "type": "failedPrecondition",
                "detail": "row lock held by tx 9912 on ledger_entries"})),
        )
            .into_response(),
        ("GET", "/checkout-sessions/s_html") => (StatusCode::OK, "<html>Welcome to nginx</html>").into_response(),
        ("GET", "/checkout-sessions/s_busy") => (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", "7")],
            axum::Json(json!({"status": 429})),
        )
            .into_response(),
        ("GET", "/checkout-sessions/s_slow") => {
            tokio::time::sleep(Duration::from_secs(3)).await;
            axum::Json(json!({"id": "s_slow"})).into_response()
        }
        _ => (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"status": 404, "type": "notFound", "detail": "no route"})),
        )
            .into_response(),
    }
}

/// An ACTIVE CLP session of the fake, payable with ETPAY (which asks for the first name only),
/// carrying fields the browser must not see and one Conomy might add tomorrow.
fn payable_session(id: &str) -> Value {
    json!({
        "id": id, "paymentLinkId": "lnk_1", "checkoutToken": "shop-ok", "status": "ACTIVE", "currency": "CLP",
        "totalAmount": "1000", "futureField": "not for the browser",
        "items": [{"description": "Plan mensual", "preTaxAmount": "1000", "totalAmount": "1000"}],
        "paymentMethodsAllowed": ["ETPAY"],
        "paymentConfigs": [{"currency": "CLP", "product": "CLP:CLP", "paymentMethods": [
            {"id": "pm_1", "type": "ETPAY", "enabled": true, "requiredFields": ["etpay.customer.firstName"], "purchaseAmount": "1000"}
        ]}],
        "destinations": [{"name": "Shop", "account": {"type": "CHECKING", "accountNumber": "000123", "accountHolder": "Shop SpA"}}],
        "owner": {"nickname": "Shop", "identityId": "idn_9", "documentNumber": "76.123.456-K"},
        "customer": {"id": "cus_4", "firstName": "Ana"}
    })
}

/// [`payable_session`] where every field nothing reads has a value of another type than the
/// schema's (or `null`), and, unless `token`, no `checkoutToken` (the schema does not require one).
fn odd_session(id: &str, token: bool) -> Value {
    let mut session = payable_session(id);
    session["owner"]["identityId"] = json!(42);
    session["owner"]["documentNumber"] = json!({"number": 1});
    session["destinations"][0]["account"]["accountNumber"] = json!(["000123"]);
    session["destinations"][0]["externalId"] = json!(false);
    session["customer"]["id"] = json!({"internal": true});
    session["futureField"] = Value::Null;
    if !token {
        session.as_object_mut().expect("object").remove("checkoutToken");
    }
    session
}

/// `request` with a capability for `session_id`, signed with the gateway's secret: these are
/// sessions of the fake, which no open through the gateway handed out.
fn granted(request: reqwest::RequestBuilder, session_id: &str) -> reqwest::RequestBuilder {
    with_capability(request, &gateway_capabilities().issue(session_id).expect("a valid id"))
}

async fn start_fake_conomy() -> (std::net::SocketAddr, Log) {
    let log: Log = Arc::default();
    let app = Router::new().fallback(fake_conomy).with_state(log.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, log)
}

#[tokio::test]
async fn upstream_receives_credentials_and_the_browser_never_does() {
    let (fake, log) = start_fake_conomy().await;
    let gateway = start_upstream(format!("http://{fake}"), KEY, CLIENT_ID, SECRET, Duration::from_secs(5)).await;
    let http = client();
    let mut answers = Vec::new();
    for _ in 0..3 {
        let response = granted(http.get(url(&gateway, "/api/checkout-sessions/s_ok")), "s_ok")
            .send()
            .await
            .expect("get");
        answers.push(response);
    }
    let payment_body = json!({"description": "x", "origins": [{"type": "ETPAY", "currency": "CLP", "etpay": {
        "customer": {"firstName": "Ana"},
        "successUrl": "https://shop.example/elsewhere?return=success", "failedUrl": "https://shop.example/elsewhere?return=failed"}}]});
    answers.push(
        granted(
            http.post(url(&gateway, "/api/checkout-sessions/s_ok/payments"))
                .json(&payment_body),
            "s_ok",
        )
        .send()
        .await
        .expect("post"),
    );

    let mut session = Value::Null;
    for response in answers {
        assert!(response.status().is_success());
        let headers = format!("{:?}", response.headers());
        let body = response.text().await.expect("body");
        for secret in [KEY, CLIENT_ID, SECRET, ACCESS_TOKEN] {
            assert!(!headers.contains(secret) && !body.contains(secret), "{secret} leaked");
        }
        if body.contains("s_ok") {
            session = serde_json::from_str(&body).expect("json");
        }
    }
    assert_eq!(session["successUrl"], "https://shop.example/ok");
    assert_eq!(session["failedUrl"], "https://shop.example/ko");
    assert!(
        session.get("futureField").is_none(),
        "unknown fields stay on the server (allow-list): {session}"
    );
    assert_eq!(session["destinations"][0]["account"], json!({"type": "CHECKING"}));
    assert_eq!(session["owner"], json!({"nickname": "Shop"}));
    assert_eq!(session["customer"], json!({"firstName": "Ana"}));

    assert_eq!(count(&log, &Method::POST, "/auth"), 1, "the token is cached");
    assert_eq!(
        count(&log, &Method::GET, "/payment-links/lnk_1"),
        1,
        "link URLs are cached"
    );
    let recorded = log.lock().expect("log").clone();
    let auth = recorded.iter().find(|r| r.path == "/auth").expect("auth call");
    assert_eq!(auth.headers["x-api-key"], KEY);
    let credentials: Value = serde_json::from_slice(&auth.body).expect("auth body");
    assert_eq!(credentials, json!({"clientId": CLIENT_ID, "clientSecret": SECRET}));
    for call in recorded.iter().filter(|r| r.path != "/auth") {
        assert_eq!(call.headers["x-api-key"], KEY, "{}", call.path);
        assert_eq!(call.headers["authorization"], format!("Bearer {ACCESS_TOKEN}"));
        assert_eq!(call.headers["conomyhq-api-version"], "24-04-2025");
        let agent = call.headers["user-agent"].to_str().expect("agent");
        assert!(agent.starts_with("conomy-checkout/"), "{agent}");
    }
    let forwarded = recorded
        .iter()
        .find(|r| r.method == Method::POST && r.path.ends_with("/payments"))
        .expect("payment");
    let mut forwarded: Value = serde_json::from_slice(&forwarded.body).expect("json");
    // Rebuilt from the contract: the session's description, the fields the method asks for,
    // and return URLs to this checkout carrying the session's capability (not the browser's).
    let node = &mut forwarded["origins"][0]["etpay"];
    for (key, outcome) in [("successUrl", "success"), ("failedUrl", "failed")] {
        let url = node[key]
            .as_str()
            .unwrap_or_else(|| panic!("{key} in {node}"))
            .to_string();
        let rest = url
            .strip_prefix(&format!("{}/shop-ok?session=", gateway.public_url))
            .unwrap_or_else(|| panic!("{url}"));
        let capability = rest
            .strip_suffix(&format!("&return={outcome}"))
            .unwrap_or_else(|| panic!("{url}"));
        assert_eq!(gateway_capabilities().verify(capability), Some("s_ok"), "{url}");
        node[key] = json!("<return url>");
    }
    assert_eq!(
        forwarded,
        json!({"description": "Plan mensual", "origins": [{"type": "ETPAY", "currency": "CLP", "etpay": {
            "customer": {"firstName": "Ana"}, "successUrl": "<return url>", "failedUrl": "<return url>"}}]}),
        "the payment body is rebuilt from the session, not forwarded as is"
    );
}

#[tokio::test]
async fn upstream_failures_reach_the_browser_sanitized() {
    let (fake, log) = start_fake_conomy().await;
    let gateway = start_upstream(
        format!("http://{fake}"),
        KEY,
        CLIENT_ID,
        SECRET,
        Duration::from_millis(500),
    )
    .await;
    let http = client();

    // 5xx on a read: retried once, then a sanitized 502 that keeps only the trace id.
    let response = granted(http.get(url(&gateway, "/api/checkout-sessions/s_boom")), "s_boom")
        .send()
        .await
        .expect("get");
    assert_eq!(response.status().as_u16(), 502);
    let text = response.text().await.expect("body");
    assert!(!text.contains("NullPointer") && !text.contains("ledger"), "{text}");
    let body: Value = serde_json::from_str(&text).expect("json");
    assert_error(&body, 502, "serverError");
    assert_eq!(body["traceId"], "trace-77");
    assert_eq!(
        count(&log, &Method::GET, "/checkout-sessions/s_boom"),
        2,
        "a read is retried once"
    );

    // 5xx on a payment: never re-sent.
    let payment =
        json!({"origins": [{"type": "ETPAY", "currency": "CLP", "etpay": {"customer": {"firstName": "Ana"}}}]});
    let request = http
        .post(url(&gateway, "/api/checkout-sessions/s_payboom/payments"))
        .json(&payment);
    let response = granted(request, "s_payboom").send().await.expect("post");
    assert_eq!(response.status().as_u16(), 502);
    let text = response.text().await.expect("body");
    assert!(!text.contains("NullPointer") && !text.contains("ledger"), "{text}");
    assert_eq!(
        count(&log, &Method::POST, "/checkout-sessions/s_payboom/payments"),
        1,
        "a payment is not retried"
    );

    // A business error keeps its status and type, not its text.
    let response = granted(http.get(url(&gateway, "/api/checkout-sessions/s_locked")), "s_locked")
        .send()
        .await
        .expect("get");
    assert_eq!(response.status().as_u16(), 422);
    let text = response.text().await.expect("body");
    assert!(!text.contains("row lock") && !text.contains("9912"), "{text}");
    assert_error(&serde_json::from_str(&text).expect("json"), 422, "failedPrecondition");

    // A non-JSON body is a bad gateway.
    let (status, body) = send(granted(
        http.get(url(&gateway, "/api/checkout-sessions/s_html")),
        "s_html",
    ))
    .await;
    assert_eq!(status, 502);
    assert_error(&body, 502, "serverError");

    // 429 keeps its Retry-After.
    let response = granted(http.get(url(&gateway, "/api/checkout-sessions/s_busy")), "s_busy")
        .send()
        .await
        .expect("get");
    assert_eq!(response.status().as_u16(), 429);
    assert_eq!(response.headers()["retry-after"], "7");

    // A hung upstream becomes a prompt 504.
    let started = Instant::now();
    let (status, body) = send(granted(
        http.get(url(&gateway, "/api/checkout-sessions/s_slow")),
        "s_slow",
    ))
    .await;
    assert_eq!(status, 504);
    assert_error(&body, 504, "serverError");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "timed out at the upstream timeout"
    );
}

/// One call made the way the page makes it: sent again for as long as the page's own rule
/// (`checkout_core::retry`, which the SPA's `api` module runs) says so. The waits are skipped:
/// they change when the tries happen, not how many there are. Returns the last status.
async fn as_the_page_would(call: Call, request: impl Fn() -> reqwest::RequestBuilder) -> u16 {
    let mut tries = 1;
    loop {
        let (status, error, retry_after) = match request().send().await {
            Ok(response) if response.status().is_success() => return response.status().as_u16(),
            Ok(response) => {
                let status = response.status().as_u16();
                let retry_after = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<u32>().ok())
                    .map(|seconds| seconds * 1_000);
                let body = response.text().await.unwrap_or_default();
                (status, CallError::Api(ApiError::from_body(status, &body)), retry_after)
            }
            Err(error) if error.is_timeout() => (0, CallError::Timeout, None),
            Err(_) => (0, CallError::Network, None),
        };
        if retry_delay(call, tries, &error, retry_after).is_none() {
            return status;
        }
        tries += 1;
    }
}

#[tokio::test]
async fn one_failing_call_costs_a_stated_number_of_conomy_calls() {
    let (fake, log) = start_fake_conomy().await;
    let gateway = start_upstream(
        format!("http://{fake}"),
        KEY,
        CLIENT_ID,
        SECRET,
        Duration::from_millis(500),
    )
    .await;
    let http = client();

    // A read Conomy keeps failing (5xx): the gateway's try and its one retry. The page does not
    // try a 502 again: the gateway already did.
    let status = as_the_page_would(Call::Read, || {
        granted(http.get(url(&gateway, "/api/checkout-sessions/s_boom")), "s_boom")
    })
    .await;
    assert_eq!(status, 502);
    assert_eq!(
        count(&log, &Method::GET, "/checkout-sessions/s_boom"),
        2,
        "one failing read costs two Conomy calls"
    );

    // A read Conomy does not answer: the gateway's timeout already spent the wait; one call.
    let status = as_the_page_would(Call::Read, || {
        granted(http.get(url(&gateway, "/api/checkout-sessions/s_slow")), "s_slow")
    })
    .await;
    assert_eq!(status, 504);
    assert_eq!(count(&log, &Method::GET, "/checkout-sessions/s_slow"), 1);

    // Conomy's own 429 says when to come back: honoured, at most MAX_TRIES times.
    let status = as_the_page_would(Call::Read, || {
        granted(http.get(url(&gateway, "/api/checkout-sessions/s_busy")), "s_busy")
    })
    .await;
    assert_eq!(status, 429);
    assert_eq!(
        count(&log, &Method::GET, "/checkout-sessions/s_busy") as u32,
        checkout_core::retry::MAX_TRIES
    );

    // Opening a session is a POST, which the gateway never repeats: the page's tries only.
    let status = as_the_page_would(Call::Open, || {
        http.post(url(&gateway, "/api/payment-links/token/shop-boom/checkout-sessions"))
            .json(&json!({}))
    })
    .await;
    assert_eq!(status, 502);
    assert_eq!(
        count(&log, &Method::POST, "/payment-links/token/shop-boom/checkout-sessions") as u32,
        checkout_core::retry::MAX_TRIES
    );

    // A payment is sent once by the page and once by the gateway, whatever the answer.
    let payment =
        json!({"origins": [{"type": "ETPAY", "currency": "CLP", "etpay": {"customer": {"firstName": "Ana"}}}]});
    let status = as_the_page_would(Call::Payment, || {
        granted(
            http.post(url(&gateway, "/api/checkout-sessions/s_payboom/payments"))
                .json(&payment),
            "s_payboom",
        )
    })
    .await;
    assert_eq!(status, 502);
    assert_eq!(count(&log, &Method::POST, "/checkout-sessions/s_payboom/payments"), 1);
}

#[tokio::test]
async fn an_unreachable_upstream_is_a_502_not_a_hang() {
    // A port nobody listens on: bind, note it, close.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind")
        .local_addr()
        .expect("addr");
    let gateway = start_upstream(
        format!("http://{closed}"),
        KEY,
        CLIENT_ID,
        SECRET,
        Duration::from_secs(2),
    )
    .await;
    let (status, body) = send(granted(
        client().get(url(&gateway, "/api/checkout-sessions/s_ok")),
        "s_ok",
    ))
    .await;
    assert_eq!(status, 502);
    assert_error(&body, 502, "serverError");
}

/// A fake whose tokens live 61 s (so are renewed after 1 s) and which rejects ARG with 401.
async fn start_short_token_conomy() -> (std::net::SocketAddr, Log) {
    async fn handle(State(log): State<Log>, method: Method, uri: Uri, headers: HeaderMap) -> Response {
        let path = uri.path().to_string();
        log.lock().expect("log").push(Recorded {
            method,
            path: path.clone(),
            headers,
            body: Bytes::new(),
        });
        match path.as_str() {
            "/auth" => axum::Json(json!({"accessToken": ACCESS_TOKEN, "expiresIn": 61})).into_response(),
            "/payments/banks/ARG" => (
                StatusCode::UNAUTHORIZED,
                axum::Json(json!({"status": 401, "type": "unauthorized"})),
            )
                .into_response(),
            _ => axum::Json(json!([])).into_response(),
        }
    }
    let log: Log = Arc::default();
    let app = Router::new().fallback(handle).with_state(log.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, log)
}

#[tokio::test]
async fn tokens_are_renewed_before_expiry_and_after_a_401() {
    let (fake, log) = start_short_token_conomy().await;
    let gateway = start_upstream(format!("http://{fake}"), KEY, CLIENT_ID, SECRET, Duration::from_secs(5)).await;
    let http = client();
    for _ in 0..2 {
        assert_eq!(send(http.get(url(&gateway, "/api/payments/banks/COL"))).await.0, 200);
    }
    assert_eq!(count(&log, &Method::POST, "/auth"), 1);
    // 61 s lifetime minus the 60 s safety margin: renewed after a second.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(send(http.get(url(&gateway, "/api/payments/banks/COL"))).await.0, 200);
    assert_eq!(count(&log, &Method::POST, "/auth"), 2, "renewed before expiry");

    // A 401 drops the token and tries once more with a fresh one; the payer sees a 502.
    let (status, body) = send(http.get(url(&gateway, "/api/payments/banks/ARG"))).await;
    assert_eq!(status, 502);
    assert_error(&body, 502, "serverError");
    assert_eq!(count(&log, &Method::GET, "/payments/banks/ARG"), 2);
    assert_eq!(count(&log, &Method::POST, "/auth"), 3);
}

/// Decode what you read, and only that: a schema-valid session whose unread fields hold other
/// types is paid on, a payment list with `pagination.next: null` is answered, and a session the
/// gateway cannot build return URLs for (no `checkoutToken`) is the gateway's own 422, never a
/// 502 that blames Conomy.
#[tokio::test]
async fn fields_nothing_reads_never_fail_an_answer() {
    let (fake, log) = start_fake_conomy().await;
    let gateway = start_upstream(format!("http://{fake}"), KEY, CLIENT_ID, SECRET, Duration::from_secs(5)).await;
    let http = client();
    let payment = json!({"description": "x", "origins": [{"type": "ETPAY", "currency": "CLP", "etpay": {
        "customer": {"firstName": "Ana"}}}]});
    let (status, paid) = send(granted(
        http.post(url(&gateway, "/api/checkout-sessions/s_odd/payments"))
            .json(&payment),
        "s_odd",
    ))
    .await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["id"], "pay_odd");
    assert_eq!(count(&log, &Method::POST, "/checkout-sessions/s_odd/payments"), 1);

    let (status, list) = send(granted(
        http.get(url(&gateway, "/api/payments?checkoutSessionId=s_odd")),
        "s_odd",
    ))
    .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(
        list["results"][0],
        json!({"id": "pay_odd", "status": "CREATED", "origins": []})
    );

    let (status, refused) = send(granted(
        http.post(url(&gateway, "/api/checkout-sessions/s_tokenless/payments"))
            .json(&payment),
        "s_tokenless",
    ))
    .await;
    assert_eq!(status, 422, "{refused}");
    assert_error(&refused, 422, "failedPrecondition");
    assert_eq!(count(&log, &Method::POST, "/checkout-sessions/s_tokenless/payments"), 0);
}
