//! Hostile clients over real TCP: slow clients cannot freeze the gateway. Headers that never
//! end are cut by the header read timeout, a trickling body by the body timeout, load beyond
//! the concurrency limit is shed at once (503 + Retry-After), and `/healthz` answers
//! throughout; each group of routes bounds bodies with its own limit. Loopback only; 600 slow
//! clients need about 1 300 file descriptors.

use std::time::{Duration, Instant};

use checkout_server::config::Config;
use checkout_server::RunningServer;
use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::gateway_support::*;

/// The head of a session opening that promises a 1000-byte JSON body.
const SLOW_HEAD: &str = "POST /api/payment-links/token/demo-clp/checkout-sessions HTTP/1.1\r\n\
    host: localhost\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n";

/// A slow client: the head, one byte of the body, then nothing (the caller holds the socket).
async fn slow_client(server: &RunningServer) -> TcpStream {
    let mut stream = TcpStream::connect(server.addr).await.expect("connect");
    stream.write_all(SLOW_HEAD.as_bytes()).await.expect("head");
    stream.write_all(b"{").await.expect("one byte");
    stream
}

/// Reads one HTTP/1.1 response (head, then a `content-length` body) without waiting for the
/// connection to close: status, lower-cased head, body.
async fn read_response(stream: &mut (impl AsyncRead + Unpin)) -> (u16, String, String) {
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let n = stream.read(&mut chunk).await.expect("read");
        assert!(
            n > 0,
            "connection closed before a response: {:?}",
            String::from_utf8_lossy(&bytes)
        );
        bytes.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&bytes[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while bytes.len() < head_end + length {
        let n = stream.read(&mut chunk).await.expect("read body");
        assert!(n > 0, "connection closed inside the body");
        bytes.extend_from_slice(&chunk[..n]);
    }
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (
        status,
        head,
        String::from_utf8_lossy(&bytes[head_end..head_end + length]).to_string(),
    )
}

/// A client that gives up after one second: "answers within a second" made into an assertion.
fn impatient() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(1))
        .build()
        .expect("client")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_answers_within_a_second_with_600_slow_clients_connected() {
    let server = start_sandbox(missing_dist()).await;
    let mut held = Vec::new();
    for _ in 0..600 {
        held.push(slow_client(&server).await);
    }
    // Let the server read every head and start every handler.
    tokio::time::sleep(Duration::from_millis(500)).await;

    let started = Instant::now();
    let health = impatient()
        .get(url(&server, "/healthz"))
        .send()
        .await
        .expect("/healthz answers within 1 s");
    assert_eq!(health.status(), 200);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "took {:?}",
        started.elapsed()
    );
    // Every other route answers at once too, if only to say it is busy.
    let api = impatient()
        .get(url(&server, "/api/checkout-sessions/some-id"))
        .send()
        .await
        .expect("/api answers within 1 s");
    assert!(matches!(api.status().as_u16(), 404 | 503), "{}", api.status());
    drop(held);
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    let mut config = Config::sandbox(0, missing_dist());
    config.header_read_timeout = Duration::from_secs(1);
    let server = start_config(config).await;
    let mut stream = TcpStream::connect(server.addr).await.expect("connect");

    // Keep-alive still works: a complete request is answered and the connection stays open.
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: localhost\r\n\r\n")
        .await
        .expect("write");
    let (status, head, _) = read_response(&mut stream).await;
    assert_eq!(status, 200);
    assert!(!head.contains("connection: close"), "{head}");

    // The next request's headers never end.
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: localhost\r\n")
        .await
        .expect("write");
    let started = Instant::now();
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut rest)).await;
    assert!(closed.is_ok(), "still connected after 5 s");
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(900) && elapsed < Duration::from_secs(3),
        "closed after {elapsed:?}"
    );
    let rest = String::from_utf8_lossy(&rest);
    assert!(rest.is_empty() || rest.starts_with("HTTP/1.1 408"), "{rest}");
}

#[tokio::test]
async fn a_client_that_sends_nothing_is_disconnected() {
    let mut config = Config::sandbox(0, missing_dist());
    config.header_read_timeout = Duration::from_secs(1);
    let server = start_config(config).await;
    // Not even a first byte, and then only a prefix of HTTP/2's preface: neither may hold a
    // socket past the header timeout.
    for opening in ["", "PRI * HTTP/2.0"] {
        let mut stream = TcpStream::connect(server.addr).await.expect("connect");
        stream.write_all(opening.as_bytes()).await.expect("write");
        let mut rest = Vec::new();
        let closed = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut rest)).await;
        assert!(closed.is_ok(), "{opening:?}: still connected after 5 s");
    }
}

#[tokio::test]
async fn a_trickling_body_is_cut_by_the_body_timeout() {
    let mut config = Config::sandbox(0, missing_dist());
    config.request_body_timeout = Duration::from_secs(1);
    let server = start_config(config).await;
    let stream = TcpStream::connect(server.addr).await.expect("connect");
    let (mut read, mut write) = stream.into_split();
    // One byte every 100 ms: never idle for long, but 1000 bytes would take 100 s.
    let trickle = tokio::spawn(async move {
        write.write_all(SLOW_HEAD.as_bytes()).await?;
        for _ in 0..1000 {
            write.write_all(b" ").await?;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok::<_, std::io::Error>(())
    });

    let started = Instant::now();
    let answer = tokio::time::timeout(Duration::from_secs(5), read_response(&mut read)).await;
    let (status, _, body) = answer.expect("answered within 5 s");
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(900) && elapsed < Duration::from_secs(3),
        "answered after {elapsed:?}"
    );
    assert_eq!(status, 408, "{body}");
    assert_error(
        &serde_json::from_str::<Value>(&body).unwrap_or(Value::Null),
        408,
        "invalidParam",
    );
    trickle.abort();
}

#[tokio::test]
async fn requests_over_the_concurrency_limit_are_shed_at_once() {
    let mut config = Config::sandbox(0, missing_dist());
    config.max_concurrent_requests = 4;
    let server = start_config(config).await;
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(slow_client(&server).await);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;

    let started = Instant::now();
    let shed = impatient()
        .get(url(&server, "/api/checkout-sessions/some-id"))
        .send()
        .await
        .expect("answered at once, not queued");
    assert_eq!(shed.status(), 503);
    assert_eq!(
        shed.headers().get("retry-after").and_then(|v| v.to_str().ok()),
        Some("1")
    );
    let body: Value = shed.json().await.expect("json");
    assert_error(&body, 503, "serverError");
    let page = impatient()
        .get(url(&server, "/some-token"))
        .send()
        .await
        .expect("answered at once");
    assert_eq!(page.status(), 503);
    assert!(page.headers().contains_key("retry-after"));
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "took {:?}",
        started.elapsed()
    );
    // Health checks are not load: a busy gateway is not a dead one.
    let health = impatient().get(url(&server, "/healthz")).send().await.expect("health");
    assert_eq!(health.status(), 200);

    // Once the slow clients hang up, their slots are free again.
    drop(held);
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let status = impatient()
            .get(url(&server, "/api/checkout-sessions/some-id"))
            .send()
            .await
            .expect("answered")
            .status();
        if status != 503 {
            break;
        }
        assert!(Instant::now() < deadline, "still shedding after the slow clients left");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Each group of routes bounds request bodies with its own limit, whatever the order the
/// groups are merged in: the simulator and the pages 256 KB (a 413 before any handler runs),
/// `/api` 16 KB, answered in Conomy's error shape however large the body.
#[tokio::test]
async fn each_group_of_routes_bounds_bodies_with_its_own_limit() {
    let server = start_sandbox(missing_dist()).await;
    let http = client();
    let body = |kb: usize| json!({ "padding": "x".repeat(kb * 1024) });
    for path in ["/sandbox/control/faults", "/conomy/payment-links", "/demo-clp"] {
        let response = http.post(url(&server, path)).json(&body(300)).send().await.expect(path);
        assert_eq!(response.status(), 413, "{path}: the 256 KB limit");
    }
    // Under 256 KB the simulator's control reads the body and judges it itself.
    let (status, answer) = send(http.post(url(&server, "/sandbox/control/faults")).json(&body(200))).await;
    assert_eq!(status, 400, "a body the 256 KB limit lets through: {answer}");
    let open = url(&server, "/api/payment-links/token/demo-clp/checkout-sessions");
    for kb in [20, 300] {
        let (status, answer) = send(http.post(&open).json(&body(kb))).await;
        assert_eq!(status, 413, "/api at {kb} KB");
        assert_error(&answer, 413, "invalidParam");
    }
}
