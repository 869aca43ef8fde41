//! The checkout server: the SPA's static files, the narrow `/api`, and in sandbox mode the
//! in-memory Conomy simulator, behind one set of security, limit and logging layers.

pub mod allow_list;
pub mod backend;
pub mod capability;
pub mod config;
pub mod embedding;
pub mod headers;
pub mod merchant_demo;
pub mod observe;
pub mod public_api;
pub mod rate_limit;
pub mod sandbox;
pub mod static_files;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{middleware, Json, Router};
use tokio::task::JoinHandle;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower_http::limit::RequestBodyLimitLayer;

use crate::backend::{Backend, Credentials};
use crate::config::{Config, Mode};
use crate::headers::SecurityHeaders;
use crate::public_api::ApiState;
use crate::sandbox::{conomy_router, sandbox_router, DemoLink, Sandbox, SandboxConfig};
use crate::static_files::StaticFiles;

/// Requests served at once; more wait their turn instead of exhausting memory.
pub const MAX_CONCURRENT_REQUESTS: usize = 512;
/// Largest request body anywhere (the sandbox's merchant API included); `/api` allows 16 KB.
pub const MAX_REQUEST_BYTES: usize = 256 * 1024;

/// Everything the router is built from.
pub struct AppState {
    pub mode: &'static str,
    pub api: Arc<ApiState>,
    /// Present in sandbox mode only.
    pub sandbox: Option<SandboxParts>,
    pub security: Arc<SecurityHeaders>,
    pub static_files: Arc<StaticFiles>,
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
    pub fn build(config: &Config, public_url: &str, embed_origins: &[String]) -> Result<AppState, String> {
        let (backend, sandbox) = match &config.mode {
            Mode::Sandbox => {
                // One copy for the simulator, one for the banner.
                let mut sandbox_config = SandboxConfig::demo(public_url);
                sandbox_config.embed_origins = embed_origins.to_vec();
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
                let backend =
                    Backend::in_process(conomy_router(sandbox.clone()), credentials, config.upstream_timeout);
                (backend, Some(SandboxParts { sandbox, config: sandbox_config, demo_links }))
            }
            Mode::Upstream(upstream) => {
                let credentials = Credentials {
                    api_key: upstream.api_key.clone(),
                    client_id: upstream.client_id.clone(),
                    client_secret: upstream.client_secret.clone(),
                };
                (Backend::http(&upstream.base, credentials, config.upstream_timeout)?, None)
            }
        };
        let mut static_files = StaticFiles::new(config.dist.clone(), &config.frame_ancestors);
        if let Some(parts) = &sandbox {
            // Each link's page may also be framed by the origins the link declares.
            let store = parts.sandbox.clone();
            static_files = static_files.with_link_origins(Arc::new(move |token: &str| store.frame_ancestors_of(token)));
        }
        let security = SecurityHeaders::new(&static_files.index_script_hashes(), &config.frame_ancestors)?;
        Ok(AppState {
            mode: config.mode.name(),
            api: Arc::new(ApiState::new(Arc::new(backend), config.rate_limits, capabilities(config), public_url)),
            sandbox,
            security: Arc::new(security),
            static_files: Arc::new(static_files),
        })
    }
}

/// The session capabilities' keys: the operator's secret (upstream mode requires one, shared
/// by every instance), else a random one that lives as long as this process (sandbox mode).
fn capabilities(config: &Config) -> capability::Capabilities {
    let current = config.session_secret.clone().unwrap_or_else(capability::Secret::random);
    capability::Capabilities::new(current, config.session_secret_previous.clone())
}

/// The whole application.
pub fn app(state: &AppState) -> Router {
    let mode = state.mode;
    let files = state.static_files.clone();
    let mut router = Router::new().route("/healthz", get(move || healthz(mode)));
    if let Some(parts) = &state.sandbox {
        router = router
            .nest("/conomy", conomy_router(parts.sandbox.clone()))
            .merge(sandbox_router(parts.sandbox.clone()));
    }
    router
        .fallback(move |request: Request| static_files::serve(files.clone(), request))
        // Everything above; `/api`, nested after it, streams bodies with its own 16 KB limit
        // and answers 413 in Conomy's error shape.
        .layer(RequestBodyLimitLayer::new(MAX_REQUEST_BYTES))
        .nest("/api", public_api::router(state.api.clone()))
        // Layers wrap every route and the fallback; the last one added runs first.
        .layer(middleware::from_fn(observe::reject_traversal))
        .layer(middleware::from_fn_with_state(state.security.clone(), headers::add_security_headers))
        .layer(GlobalConcurrencyLimitLayer::new(MAX_CONCURRENT_REQUESTS))
        .layer(middleware::from_fn(observe::request_log))
}

async fn healthz(mode: &'static str) -> Response {
    let mut response = Json(serde_json::json!({ "status": "ok", "mode": mode })).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
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
    pub task: JoinHandle<std::io::Result<()>>,
}

/// Binds `config.bind:config.port` (port 0 picks a free one), builds the app and serves it
/// until `shutdown` completes, then drains in-flight requests.
pub async fn start(
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<RunningServer, String> {
    let listener = tokio::net::TcpListener::bind((config.bind, config.port))
        .await
        .map_err(|e| format!("cannot listen on {}:{}: {e}", config.bind, config.port))?;
    let addr = listener.local_addr().map_err(|e| format!("no local address: {e}"))?;
    let public_url = config.public_url_for(addr);
    let merchant_listener = bind_merchant_demo(&config, addr).await?;
    // `localhost` against the checkout's `127.0.0.1`: two real origins on one machine.
    let merchant_origin = merchant_listener
        .as_ref()
        .and_then(|l| l.local_addr().ok())
        .map(|a| format!("http://localhost:{}", a.port()));
    let state = AppState::build(&config, &public_url, merchant_origin.as_slice())?;
    let router = app(&state);
    let (stopped, stop_watch) = tokio::sync::watch::channel(());
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
            axum::serve(listener, merchant_demo::router(Arc::new(demo))).with_graceful_shutdown(stop).await
        });
    }
    let task = tokio::spawn(async move {
        // The peer address is what per-client rate limits key on.
        let result = axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown)
            .await;
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
        task,
    })
}

/// The demo merchant page's listener (sandbox mode): on the configured port, else the
/// checkout's port + 1 (a free one when the checkout's was picked by the OS). An automatic
/// port that is taken only costs the demo, with a warning; an explicit one is an error.
async fn bind_merchant_demo(config: &Config, checkout: SocketAddr) -> Result<Option<tokio::net::TcpListener>, String> {
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
        Err(e) if explicit => Err(format!("cannot listen on {}:{port} for the merchant demo: {e}", config.bind)),
        Err(e) => {
            tracing::warn!(port, error = %e, "merchant demo page not started (set --merchant-demo-port)");
            Ok(None)
        }
    }
}
