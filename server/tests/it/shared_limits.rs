//! Rate limits shared in Redis (`--rate-limit-redis`) over real HTTP, with a real Debian
//! `redis-server` on a free loopback port per test: two instances limit one client as one
//! would; a Redis that stops never fails a request (local buckets meanwhile, readiness says
//! so) and, once it answers again, the limits are shared again; the admin listener's metrics
//! show the traffic. Skipped, saying so, where `redis-server` is not installed
//! (`scripts/install-tools --cluster` installs it).

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use checkout_server::config::{Config, RedisUrl};
use checkout_server::rate_limit::{Limit, RateLimitConfig, RedisState};
use checkout_server::{start, RunningServer};
use serde_json::{json, Value};
use std::process::{Child, Command};

/// A `redis-server` on `port`, without persistence, ended when dropped.
struct Redis {
    port: u16,
    child: Child,
}

impl Redis {
    async fn start(port: u16) -> Option<Redis> {
        let child = Command::new("redis-server")
            .args([
                "--bind",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let redis = Redis { port, child };
        let deadline = Instant::now() + Duration::from_secs(10);
        while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            assert!(Instant::now() < deadline, "redis-server did not listen on {port}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Some(redis)
    }

    fn url(&self) -> RedisUrl {
        RedisUrl(format!("redis://127.0.0.1:{}/", self.port))
    }

    async fn stop(self) {
        drop(self);
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// A Redis for one test, or `None` (the test then returns) where Debian's `redis-server` is
/// missing.
async fn redis() -> Option<Redis> {
    let installed = std::process::Command::new("redis-server")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        eprintln!("SKIPPED: no redis-server (scripts/install-tools --cluster installs it)");
        return None;
    }
    Redis::start(free_port()).await
}

fn missing_dist() -> PathBuf {
    std::env::temp_dir().join("checkout-shared-limits-tests-no-dist")
}

/// A sandbox server whose session limit is `sessions` and whose buckets live in `redis`, with
/// an admin listener on a free loopback port.
async fn instance(redis: &Redis, sessions: Limit) -> RunningServer {
    let mut config = Config::sandbox(0, missing_dist());
    config.rate_limits = RateLimitConfig {
        sessions,
        ..RateLimitConfig::DEFAULT
    };
    config.rate_limit_redis = Some(redis.url());
    config.admin = Some(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
    start(config, std::future::pending()).await.expect("server starts")
}

async fn until_redis_is(server: &RunningServer, want: RedisState) {
    let shared = server.shared_limits.as_ref().expect("shared limits configured");
    let deadline = Instant::now() + Duration::from_secs(10);
    while shared.state() != want {
        assert!(
            Instant::now() < deadline,
            "redis state stayed {:?}, wanted {want:?}",
            shared.state()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent("shared-limits-tests")
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client")
}

async fn open(server: &RunningServer) -> u16 {
    let url = format!(
        "http://{}/api/payment-links/token/demo-clp/checkout-sessions",
        server.addr
    );
    http()
        .post(url)
        .json(&json!({}))
        .send()
        .await
        .expect("answered")
        .status()
        .as_u16()
}

async fn admin(server: &RunningServer, path: &str) -> (u16, String) {
    let url = format!("http://{}{path}", server.admin_addr.expect("admin listener"));
    let response = http().get(url).send().await.expect("answered");
    (response.status().as_u16(), response.text().await.expect("body"))
}

#[tokio::test]
async fn two_instances_limit_one_client_as_one_instance_would() {
    let Some(redis) = redis().await else { return };
    let limit = Limit {
        per_minute: 6,
        burst: 3,
    };
    let (a, b) = (instance(&redis, limit).await, instance(&redis, limit).await);
    until_redis_is(&a, RedisState::Up).await;
    until_redis_is(&b, RedisState::Up).await;
    // The burst of 3, spent across both instances, then 429 on either: one bucket.
    assert_eq!([open(&a).await, open(&b).await, open(&a).await], [201, 201, 201]);
    assert_eq!([open(&b).await, open(&a).await], [429, 429]);

    let (status, ready) = admin(&a, "/readyz").await;
    assert_eq!(status, 200, "{ready}");
    let ready: Value = serde_json::from_str(&ready).expect("json");
    assert_eq!(
        (ready["status"].as_str(), ready["rateLimits"]["redis"].as_str()),
        (Some("ready"), Some("up")),
        "{ready}"
    );

    let (status, metrics) = admin(&a, "/metrics").await;
    assert_eq!(status, 200);
    for expected in [
        r#"checkout_http_requests_total{route="/api/payment-links/token/{token}/checkout-sessions",status="2xx"}"#,
        r#"checkout_rate_limit_rejections_total{limit="sessions",store="redis"}"#,
        r#"checkout_upstream_requests_total{operation="create_session",outcome="2xx"}"#,
        "checkout_http_request_duration_seconds_bucket",
        "checkout_rate_limit_redis_up",
    ] {
        assert!(metrics.contains(expected), "{expected} missing from:\n{metrics}");
    }
    assert!(!metrics.contains("demo-clp"), "a checkout token became a label");
    // The admin listener is not the public one, and the public one serves no metrics.
    let public = http()
        .get(format!("http://{}/metrics", a.addr))
        .send()
        .await
        .expect("answered");
    assert!(!public
        .text()
        .await
        .expect("body")
        .contains("checkout_http_requests_total"));
}

#[tokio::test]
async fn a_redis_outage_never_fails_a_request_and_limits_are_shared_again_after_it() {
    let Some(redis) = redis().await else { return };
    let port = redis.port;
    let limit = Limit {
        per_minute: 6,
        burst: 2,
    };
    let (a, b) = (instance(&redis, limit).await, instance(&redis, limit).await);
    until_redis_is(&a, RedisState::Up).await;
    until_redis_is(&b, RedisState::Up).await;
    redis.stop().await;

    // Each instance now limits on its own: the client gets each one's burst, never an error.
    assert_eq!([open(&a).await, open(&a).await, open(&a).await], [201, 201, 429]);
    assert_eq!([open(&b).await, open(&b).await, open(&b).await], [201, 201, 429]);
    until_redis_is(&a, RedisState::Down).await;
    let (status, ready) = admin(&a, "/readyz").await;
    let ready: Value = serde_json::from_str(&ready).expect("json");
    assert_eq!(status, 200, "a Redis outage must not drain the instance: {ready}");
    assert_eq!(
        (ready["status"].as_str(), ready["rateLimits"]["redis"].as_str()),
        (Some("degraded"), Some("down")),
        "{ready}"
    );

    // Back on the same address (empty: a restart without persistence).
    let redis = Redis::start(port).await.expect("redis restarts");
    until_redis_is(&a, RedisState::Up).await;
    until_redis_is(&b, RedisState::Up).await;
    assert_eq!([open(&a).await, open(&b).await, open(&a).await], [201, 201, 429]);
    let (_, ready) = admin(&b, "/readyz").await;
    assert!(ready.contains(r#""redis":"up""#), "{ready}");
    drop(redis);
}

/// A provider return's one-time capability, taken on one gateway, is refused by every other
/// one that shares the Redis: the payer may land on any instance, the history's copy on none.
#[tokio::test]
async fn a_one_time_capability_taken_on_one_gateway_is_refused_by_the_others() {
    use crate::privacy_support::{gateway_config, open, start_fake_conomy, CAPABILITY};
    let Some(redis) = redis().await else { return };
    let (fake, conomy) = start_fake_conomy().await;
    let mut gateways = Vec::new();
    for _ in 0..2 {
        let mut config = gateway_config(format!("http://{fake}"));
        config.rate_limit_redis = Some(redis.url());
        let gateway = start(config, std::future::pending()).await.expect("starts");
        let shared = gateway.shared_limits.clone().expect("redis configured");
        let deadline = Instant::now() + Duration::from_secs(10);
        while shared.state() != RedisState::Up {
            assert!(Instant::now() < deadline, "Redis never answered");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        gateways.push(gateway);
    }
    let (a, b) = (&gateways[0], &gateways[1]);
    let (session, tab) = open(a, "shop-1").await;
    let id = session["id"].as_str().expect("id").to_string();
    let http = reqwest::Client::new();
    let paid = http
        .post(format!("http://{}/api/checkout-sessions/{id}/payments", a.addr))
        .header(CAPABILITY, &tab)
        .json(
            &json!({"description": "x", "origins": [{"type": "ETPAY", "currency": "CLP", "etpay": {
            "customer": {"firstName": "Ana", "lastName": "Rojas", "email": "ana@example.cl"}}}]}),
        )
        .send()
        .await
        .expect("paid");
    assert_eq!(paid.status().as_u16(), 200);
    let forwarded = conomy.bodies(&axum::http::Method::POST, &format!("/checkout-sessions/{id}/payments"));
    let back = forwarded[0]["origins"][0]["etpay"]["successUrl"]
        .as_str()
        .expect("return URL")
        .to_string();
    let code = reqwest::Url::parse(&back)
        .expect("URL")
        .query_pairs()
        .find(|(k, _)| k == "session")
        .map(|(_, v)| v.into_owned())
        .expect("session=");
    let trade = |gateway: &RunningServer| {
        http.post(format!("http://{}/api/checkout-sessions/{id}/capability", gateway.addr))
            .header(CAPABILITY, &code)
            .json(&json!({}))
            .send()
    };
    assert_eq!(trade(b).await.expect("traded").status().as_u16(), 200, "taken on b");
    assert_eq!(
        trade(a).await.expect("answered").status().as_u16(),
        404,
        "then refused on a"
    );
    assert_eq!(trade(b).await.expect("answered").status().as_u16(), 404, "and on b");
    redis.stop().await;
}
