//! The checkout server: the SPA's static files, the narrow `/api`, and in sandbox mode the
//! in-memory Conomy simulator, each group of routes under the limits stated for it, all behind
//! one set of security and logging layers; and the accept loop that serves them.
//!
//! Hostile clients cannot freeze it: headers must arrive within `header_read_timeout`, a body
//! within `request_body_timeout`, a whole answer within a bound derived from the upstream
//! timeout, and requests beyond `max_concurrent_requests` are refused at once (503) instead of
//! queueing; `/healthz` sits outside that limit.

pub mod admin;
pub mod allow_list;
pub mod api_error;
pub mod backend;
pub mod capability;
pub mod client_addr;
pub mod config;
pub mod embedding;
pub mod headers;
pub mod hosts;
pub mod merchant_demo;
pub mod observe;
pub mod one_time;
pub mod public_api;
pub mod rate_limit;
pub mod request_limits;
pub mod sandbox;
pub mod static_files;

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{middleware, Extension, Json, Router};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tower::Layer;
use tower_http::limit::RequestBodyLimitLayer;

use crate::backend::{Backend, ClientBuildError, Credentials};
use crate::config::{Config, Mode};
use crate::headers::{InvalidCsp, SecurityHeaders};
use crate::hosts::{require_own_host, OwnHosts};
use crate::one_time::SpentCodes;
use crate::public_api::ApiState;
use crate::rate_limit::{RateLimits, RedisSetupError, SharedLimits};
use crate::sandbox::{conomy_router, sandbox_router, DemoLink, Sandbox, SandboxConfig};
use crate::static_files::StaticFiles;

pub use request_limits::RequestLimits;

/// Requests served at once by default (`Config::max_concurrent_requests`); more are shed.
pub const MAX_CONCURRENT_REQUESTS: usize = 512;
/// Default `Config::header_read_timeout`: a browser sends its headers in one packet, so 10 s
/// only ever cuts a stalled or hostile client (and an idle kept-alive connection).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Default `Config::request_body_timeout`: `/api` bodies are under 16 KB, so 10 s is
/// generous on any network a payer can pay on.
pub const REQUEST_BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest request body anywhere (the sandbox's merchant API included); `/api` allows 16 KB.
pub const MAX_REQUEST_BYTES: usize = 256 * 1024;

/// Why the server did not start: what `main` prints before it exits.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot listen on {bind}:{port}: {source}")]
    Listen {
        bind: IpAddr,
        port: u16,
        source: std::io::Error,
    },
    #[error("no local address: {0}")]
    LocalAddr(std::io::Error),
    #[error("cannot listen on {bind}:{port} for the merchant demo: {source}")]
    MerchantDemo {
        bind: IpAddr,
        port: u16,
        source: std::io::Error,
    },
    #[error("cannot listen on {addr} for the admin listener: {source}")]
    Admin { addr: SocketAddr, source: std::io::Error },
    #[error(transparent)]
    Client(#[from] ClientBuildError),
    #[error(transparent)]
    Csp(#[from] InvalidCsp),
    #[error(transparent)]
    Redis(#[from] RedisSetupError),
}

/// Everything the router is built from.
pub struct AppState {
    pub mode: &'static str,
    pub api: Arc<ApiState>,
    /// Present in sandbox mode only.
    pub sandbox: Option<SandboxParts>,
    pub security: Arc<SecurityHeaders>,
    pub static_files: Arc<StaticFiles>,
    pub limits: RequestLimits,
    /// The Redis the per-client buckets are shared in (`--rate-limit-redis`).
    pub shared_limits: Option<Arc<SharedLimits>>,
    /// The host names the sandbox's `/conomy` and `/sandbox` answer (DNS rebinding).
    pub own_hosts: Arc<OwnHosts>,
}

/// The simulator and what the banner prints about it.
pub struct SandboxParts {
    pub sandbox: Arc<Sandbox>,
    pub config: SandboxConfig,
    pub demo_links: Vec<DemoLink>,
}

impl AppState {
    /// Builds the state for a server reachable at `public_url`: in sandbox mode this creates
    /// the simulator and its demo links, which `embed_origins` (the merchant demo page's) may frame.
    pub fn build(config: &Config, public_url: &str, embed_origins: &[String]) -> Result<AppState, StartError> {
        let (backend, sandbox) = match &config.mode {
            Mode::Sandbox => {
                // One copy for the simulator, one for the banner.
                let mut sandbox_config = SandboxConfig::demo(public_url);
                sandbox_config.embed_origins = embed_origins.to_vec();
                sandbox_config.control_token = config.sandbox_control_token.clone();
                let sandbox = Sandbox::new(sandbox_config.clone());
                let demo_links = sandbox.seed_demo_links();
                if let Some(plan) = &config.sandbox_faults {
                    sandbox.set_faults(plan.clone());
                }
                // The same credential-injecting client as upstream mode, minus the socket.
                let credentials = Credentials {
                    api_key: sandbox_config.api_key.clone(),
                    client_id: sandbox_config.client_id.clone(),
                    client_secret: sandbox_config.client_secret.clone(),
                };
                let backend = Backend::in_process(conomy_router(sandbox.clone()), credentials, config.upstream_timeout);
                (
                    backend,
                    Some(SandboxParts {
                        sandbox,
                        config: sandbox_config,
                        demo_links,
                    }),
                )
            }
            Mode::Upstream(upstream) => {
                let credentials = Credentials {
                    api_key: upstream.api_key.clone(),
                    client_id: upstream.client_id.clone(),
                    client_secret: upstream.client_secret.clone(),
                };
                (
                    Backend::http(&upstream.base, credentials, config.upstream_timeout)?,
                    None,
                )
            }
        };
        let mut static_files = StaticFiles::new(config.dist.clone(), &config.frame_ancestors);
        if let Some(parts) = &sandbox {
            // Each link's page may also be framed by the origins the link declares.
            let store = parts.sandbox.clone();
            static_files = static_files.with_link_origins(Arc::new(move |token: &str| store.frame_ancestors_of(token)));
        }
        let security = SecurityHeaders::new(&static_files.index_script_hashes(), &config.frame_ancestors)?;
        // Connects in the background: a Redis that is down at start delays nothing.
        let shared_limits = config
            .rate_limit_redis
            .as_ref()
            .map(|url| SharedLimits::connect(&url.0))
            .transpose()?;
        let limits = RateLimits::with_shared(config.rate_limits, shared_limits.clone());
        Ok(AppState {
            mode: config.mode.name(),
            api: Arc::new(ApiState::new(
                Arc::new(backend),
                limits,
                capabilities(config),
                SpentCodes::new(shared_limits.clone()),
                public_url,
            )),
            sandbox,
            security: Arc::new(security),
            static_files: Arc::new(static_files),
            limits: RequestLimits::new(config),
            shared_limits,
            own_hosts: Arc::new(OwnHosts::new(config.bind, public_url)),
        })
    }
}

/// The session capabilities' keys: the operator's secret (upstream mode requires one, shared
/// by every instance), else a random one that lives as long as this process (sandbox mode).
fn capabilities(config: &Config) -> capability::Capabilities {
    let current = config.session_secret.clone().unwrap_or_else(capability::Secret::random);
    capability::Capabilities::new(current, config.session_secret_previous.clone())
}

/// The whole application: groups of routes, each under the limits that apply to it, merged,
/// then the layers every answer passes through. A group's layers wrap its own routes and
/// nothing else, so the order groups are merged in decides nothing.
pub fn app(state: &AppState) -> Router {
    let mode = state.mode;
    // Liveness, under no limit: a load balancer must tell a busy gateway from a dead one, so it
    // is never shed and has no deadline. It takes no body.
    let health = Router::new().route("/healthz", get(move || healthz(mode)));
    // `/api` bounds its bodies itself (16 KB, `public_api::MAX_BODY_BYTES`), streaming, and
    // answers 413 in Conomy's error shape, which the page reads: the 256 KB layer below would
    // answer plain text, and later.
    let api = Router::new().nest("/api", public_api::router(state.api.clone()));
    let files = state.static_files.clone();
    // Pages and files, and whatever no other group matched (a bare `/api` included).
    let pages = Router::new()
        .fallback(move |request: Request| static_files::serve(files.clone(), request))
        .layer(RequestBodyLimitLayer::new(MAX_REQUEST_BYTES));
    let mut app = health
        .merge(request_limits::apply(api, &state.limits))
        .merge(request_limits::apply(pages, &state.limits));
    if let Some(parts) = &state.sandbox {
        app = app.merge(request_limits::apply(
            sandbox_routes(parts, &state.own_hosts),
            &state.limits,
        ));
    }
    // Every answer, shed ones and `/healthz` included, from the innermost out: a path that
    // smells of traversal is refused before any handler decodes it, security headers are set,
    // the request id and the access log line are made, and the metrics count and time it.
    let app = app
        .layer(middleware::from_fn(observe::reject_traversal))
        .layer(middleware::from_fn_with_state(
            state.security.clone(),
            headers::add_security_headers,
        ));
    observe::with_request_ids_and_log(app).layer(middleware::from_fn(admin::track_request))
}

/// The simulator (sandbox mode): Conomy's API under `/conomy` and the `/sandbox` pages, for
/// this machine's host names only (a rebinding page must not read the demo keys' answers),
/// with the same 256 KB body limit as the pages (the merchant API takes the largest bodies).
fn sandbox_routes(parts: &SandboxParts, own_hosts: &Arc<OwnHosts>) -> Router {
    let own_host = middleware::from_fn_with_state(own_hosts.clone(), require_own_host);
    Router::new()
        .nest("/conomy", conomy_router(parts.sandbox.clone()).layer(own_host.clone()))
        // `route_layer`: its routes only; its unknown paths have a route of their own.
        .merge(sandbox_router(parts.sandbox.clone()).route_layer(own_host))
        .layer(RequestBodyLimitLayer::new(MAX_REQUEST_BYTES))
}

async fn healthz(mode: &'static str) -> Response {
    let mut response = Json(serde_json::json!({ "status": "ok", "mode": mode })).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A server started by `start`.
pub struct RunningServer {
    pub addr: SocketAddr,
    pub public_url: String,
    pub mode: &'static str,
    /// Demo links (sandbox mode), as seeded at start.
    pub demo_links: Vec<DemoLink>,
    /// The sandbox configuration, including the demo credentials (sandbox mode).
    pub sandbox_config: Option<SandboxConfig>,
    pub sandbox: Option<Arc<Sandbox>>,
    /// The Conomy client; tests read its call counters.
    pub backend: Arc<Backend>,
    /// The demo merchant page embedding the checkout (sandbox mode, unless disabled).
    pub merchant_demo_url: Option<String>,
    /// The admin listener (metrics, readiness), when configured.
    pub admin_addr: Option<SocketAddr>,
    /// The shared rate-limit store, when configured.
    pub shared_limits: Option<Arc<SharedLimits>>,
    pub task: JoinHandle<std::io::Result<()>>,
}

/// Binds `config.bind:config.port` (port 0 picks a free one), builds the app and serves it
/// until `shutdown` completes, then drains in-flight requests.
pub async fn start(
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<RunningServer, StartError> {
    let listener = tokio::net::TcpListener::bind((config.bind, config.port))
        .await
        .map_err(|source| StartError::Listen {
            bind: config.bind,
            port: config.port,
            source,
        })?;
    let addr = listener.local_addr().map_err(StartError::LocalAddr)?;
    let public_url = config.public_url_for(addr);
    let merchant_listener = bind_merchant_demo(&config, addr).await?;
    // `localhost` against the checkout's `127.0.0.1`: two real origins on one machine.
    let merchant_origin = merchant_listener
        .as_ref()
        .and_then(|l| l.local_addr().ok())
        .map(|a| format!("http://localhost:{}", a.port()));
    let admin_listener = match config.admin {
        Some(addr) => Some(admin::bind(addr).await?),
        None => None,
    };
    let admin_addr = admin_listener.as_ref().and_then(|l| l.local_addr().ok());
    // Installed before the app is built, so the first requests are counted.
    let prometheus = admin_listener.as_ref().and_then(|_| admin::recorder());
    let state = AppState::build(&config, &public_url, merchant_origin.as_slice())?;
    let router = app(&state);
    let (stopped, stop_watch) = tokio::sync::watch::channel(());
    let header_read_timeout = config.header_read_timeout;
    if let (Some(listener), Some(admin_addr)) = (admin_listener, admin_addr) {
        let readiness = admin::Readiness::new(state.mode, state.api.backend.clone(), state.shared_limits.clone());
        let own_hosts = Arc::new(OwnHosts::new(admin_addr.ip(), &public_url));
        let admin_router = admin::router(Arc::new(readiness), prometheus.clone())
            .layer(middleware::from_fn_with_state(own_hosts, require_own_host));
        let mut stop_admin = stop_watch.clone();
        tokio::spawn(async move {
            let stop = async move {
                let _ = stop_admin.changed().await;
            };
            serve(listener, admin_router, header_read_timeout, stop).await
        });
        if let Some(handle) = prometheus {
            let mut stop_upkeep = stop_watch.clone();
            tokio::spawn(async move {
                loop {
                    tokio::select! {
                        _ = tokio::time::sleep(admin::UPKEEP_INTERVAL) => handle.run_upkeep(),
                        _ = stop_upkeep.changed() => return,
                    }
                }
            });
        }
    }
    if let (Some(listener), Some(origin), Some(parts)) = (merchant_listener, &merchant_origin, &state.sandbox) {
        let demo = merchant_demo::MerchantDemo {
            origin: origin.clone(),
            checkout_url: public_url.clone(),
            sandbox: parts.sandbox.clone(),
        };
        let mut stop_watch = stop_watch;
        tokio::spawn(async move {
            let stop = async move {
                let _ = stop_watch.changed().await;
            };
            serve(
                listener,
                merchant_demo::router(Arc::new(demo)),
                header_read_timeout,
                stop,
            )
            .await
        });
    }
    let task = tokio::spawn(async move {
        let result = serve(listener, router, header_read_timeout, shutdown).await;
        // The demo page goes with the checkout it shows.
        drop(stopped);
        result
    });
    let (demo_links, sandbox_config, sandbox) = match state.sandbox {
        Some(parts) => (parts.demo_links, Some(parts.config), Some(parts.sandbox)),
        None => (Vec::new(), None, None),
    };
    Ok(RunningServer {
        addr,
        public_url,
        mode: state.mode,
        demo_links,
        sandbox_config,
        sandbox,
        backend: state.api.backend.clone(),
        merchant_demo_url: merchant_origin,
        admin_addr,
        shared_limits: state.shared_limits,
        task,
    })
}

/// The demo merchant page's listener (sandbox mode): on the configured port, else the
/// checkout's port + 1 (a free one when the checkout's was picked by the OS). An automatic
/// port that is taken only costs the demo, with a warning; an explicit one is an error.
async fn bind_merchant_demo(
    config: &Config,
    checkout: SocketAddr,
) -> Result<Option<tokio::net::TcpListener>, StartError> {
    if !matches!(config.mode, Mode::Sandbox) {
        return Ok(None);
    }
    let (port, explicit) = match config.merchant_demo_port {
        Some(0) => return Ok(None),
        Some(port) => (port, true),
        None if config.port == 0 => (0, false),
        None => match checkout.port().checked_add(1) {
            Some(port) => (port, false),
            None => return Ok(None),
        },
    };
    match tokio::net::TcpListener::bind((config.bind, port)).await {
        Ok(listener) => Ok(Some(listener)),
        Err(source) if explicit => Err(StartError::MerchantDemo {
            bind: config.bind,
            port,
            source,
        }),
        Err(e) => {
            tracing::warn!(port, error = %e, "merchant demo page not started (set --merchant-demo-port)");
            Ok(None)
        }
    }
}

/// `axum::serve`, plus a deadline on request headers (which axum does not expose), for every
/// listener (public, admin, merchant demo), so none holds a silent client's socket: accepts
/// until `shutdown` completes, then lets every connection finish the request it is serving
/// (idle ones close at once) and returns when the last one has closed.
///
/// HTTP/1.1 only: axum's HTTP/2 sniffing waits for a first 24 bytes with no deadline, so a
/// client that sends nothing would hold its socket forever, and no browser speaks cleartext
/// HTTP/2 anyway (TLS and HTTP/2 end at the proxy in front).
async fn serve(
    mut listener: tokio::net::TcpListener,
    router: Router,
    header_read_timeout: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut builder = hyper::server::conn::http1::Builder::new();
    // The clock starts when hyper waits for a request's first byte, so this also closes a
    // silent connection and a kept-alive one left idle that long.
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout);
    // Every connection holds a receiver: a send asks them to finish, `closed` is their end.
    let (draining, connections) = watch::channel(());
    let mut shutdown = pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            // axum's accept: retries, and backs off when out of file descriptors.
            accepted = axum::serve::Listener::accept(&mut listener) => accepted,
            () = &mut shutdown => break,
        };
        // The peer address is what per-client rate limits key on (`ConnectInfo`, as
        // `into_make_service_with_connect_info` would insert it).
        let service = TowerToHyperService::new(Extension(ConnectInfo(peer)).layer(router.clone()));
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let mut drain = connections.clone();
        tokio::spawn(async move {
            let mut connection = pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => return,
                _ = drain.changed() => connection.as_mut().graceful_shutdown(),
            }
            let _ = connection.await;
        });
    }
    drop(listener);
    drop(connections);
    let _ = draining.send(());
    draining.closed().await;
    Ok(())
}
