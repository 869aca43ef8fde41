//! What operators read, on a listener of its own (`--admin-port`, loopback by default), never
//! on the public port: Prometheus text at `/metrics` and readiness at `/readyz`.
//!
//! Metrics (`metrics` facade, `metrics-exporter-prometheus` recorder, installed once per
//! process when an admin listener is configured; without one every `metrics::` call is a no-op):
//! * `checkout_http_requests_total{route, status}` and `checkout_http_request_duration_seconds{route}`:
//!   by route template (`/api/checkout-sessions/{id}`, `<static>`, `<spa-route>`), never a path,
//!   so no checkout token or session id becomes a label; status by class (`2xx` ... `5xx`);
//! * `checkout_http_requests_in_flight`, `checkout_http_requests_shed_total` (503 at the limit);
//! * `checkout_upstream_requests_total{operation, outcome}` and
//!   `checkout_upstream_request_duration_seconds{operation}`: every call to Conomy, `/auth` included;
//! * `checkout_rate_limit_rejections_total{limit, store}` (`store`: `redis` or `local`),
//!   `checkout_rate_limit_redis_up` (1/0), `checkout_rate_limit_redis_errors_total`.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use serde_json::json;

use crate::backend::{Backend, BackendError};
use crate::rate_limit::{RedisState, SharedLimits};
use crate::StartError;

/// Latency buckets (seconds): loopback answers in a millisecond, Conomy in tens to hundreds,
/// a stuck call is cut at the upstream timeout.
const LATENCY_BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];
/// How long one upstream credentials check (`POST /auth`) is reused by `/readyz`, so a probe
/// every second does not become an `/auth` every second.
const CREDENTIALS_CHECK_TTL: Duration = Duration::from_secs(10);
/// How often histogram samples are folded into the registry (they queue until then).
pub const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

/// The process's Prometheus recorder, installed on first use. One per process: several test
/// servers in one process share it (their counters add up).
pub fn recorder() -> Option<PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new().set_buckets(&LATENCY_BUCKETS).ok()?;
            match builder.install_recorder() {
                Ok(handle) => Some(handle),
                Err(error) => {
                    tracing::warn!(error = %error, "metrics recorder not installed");
                    None
                }
            }
        })
        .clone()
}

/// What `/readyz` looks at.
pub struct Readiness {
    pub mode: &'static str,
    pub backend: Arc<Backend>,
    pub shared_limits: Option<Arc<SharedLimits>>,
    /// The last credentials check: when, and its error (for the operator; no secret in it).
    last_check: Mutex<Option<(Instant, Result<(), BackendError>)>>,
}

impl Readiness {
    pub fn new(mode: &'static str, backend: Arc<Backend>, shared_limits: Option<Arc<SharedLimits>>) -> Self {
        Readiness {
            mode,
            backend,
            shared_limits,
            last_check: Mutex::new(None),
        }
    }

    /// Whether Conomy accepts our credentials, from a fresh `POST /auth` at most every
    /// `CREDENTIALS_CHECK_TTL`.
    async fn credentials(&self) -> Result<(), BackendError> {
        if let Some((at, result)) = self.last_check.lock().ok().and_then(|last| last.clone()) {
            if at.elapsed() < CREDENTIALS_CHECK_TTL {
                return result;
            }
        }
        let result = self.backend.check_credentials().await;
        if let Ok(mut last) = self.last_check.lock() {
            *last = Some((Instant::now(), result.clone()));
        }
        result
    }
}

/// The admin router: `/metrics`, `/readyz`, `/healthz`.
pub fn router(readiness: Arc<Readiness>, metrics: Option<PrometheusHandle>) -> Router {
    Router::new()
        .route("/metrics", get(move || render_metrics(metrics.clone())))
        .route("/readyz", get(readyz))
        .route(
            "/healthz",
            get(|| async { no_store(Json(json!({ "status": "ok" })).into_response()) }),
        )
        .with_state(readiness)
}

async fn render_metrics(handle: Option<PrometheusHandle>) -> Response {
    let Some(handle) = handle else {
        return (StatusCode::SERVICE_UNAVAILABLE, "metrics recorder not installed\n").into_response();
    };
    handle.run_upkeep();
    let mut response = handle.render().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    no_store(response)
}

/// `200` when this instance can serve payers: the upstream credentials work (a Redis that does
/// not answer only makes it `degraded`: limits are local meanwhile, payers keep paying, so a
/// load balancer must not drain every instance for it); `503` when they do not.
async fn readyz(State(readiness): State<Arc<Readiness>>) -> Response {
    let upstream = readiness.credentials().await;
    let redis = match &readiness.shared_limits {
        None => None,
        Some(shared) => {
            // A fresh answer, not the last probe's.
            shared.ping().await;
            Some(shared.state())
        }
    };
    let redis_ok = redis.is_none_or(|state| state == RedisState::Up);
    let (status, word) = match (&upstream, redis_ok) {
        (Err(_), _) => (StatusCode::SERVICE_UNAVAILABLE, "not ready"),
        (Ok(()), false) => (StatusCode::OK, "degraded"),
        (Ok(()), true) => (StatusCode::OK, "ready"),
    };
    let body = json!({
        "status": word,
        "mode": readiness.mode,
        "upstream": match &upstream {
            Ok(()) => json!({ "credentials": "ok" }),
            Err(why) => json!({ "credentials": "failing", "error": why.to_string() }),
        },
        "rateLimits": match redis {
            None => json!({ "store": "local" }),
            Some(state) => json!({
                "store": if state == RedisState::Up { "redis" } else { "local (redis unreachable)" },
                "redis": state.as_str(),
            }),
        },
    });
    no_store((status, Json(body)).into_response())
}

fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Binds the admin listener; its address is reported by `start`.
pub async fn bind(addr: SocketAddr) -> Result<tokio::net::TcpListener, StartError> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Admin { addr, source })
}

/// Middleware on the public app: requests in flight, and per route template and status class
/// a count and a latency histogram.
pub async fn track_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = crate::observe::route_label(&request);
    metrics::gauge!("checkout_http_requests_in_flight").increment(1.0);
    // Decremented however the request ends, a dropped (cancelled) future included.
    let _in_flight = InFlight;
    let response = next.run(request).await;
    let status = match response.status().as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    };
    metrics::counter!("checkout_http_requests_total", "route" => route.clone(), "status" => status).increment(1);
    metrics::histogram!("checkout_http_request_duration_seconds", "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

struct InFlight;

impl Drop for InFlight {
    fn drop(&mut self) {
        metrics::gauge!("checkout_http_requests_in_flight").decrement(1.0);
    }
}
