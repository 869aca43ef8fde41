//! `checkout-server`: flags and environment → config → the app, with logs and graceful shutdown.

use std::io::IsTerminal;
use std::process::ExitCode;

use checkout_server::config::{Cli, Mode};
use checkout_server::{start, RunningServer};
use clap::Parser;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(&cli.log_format);
    let config = match cli.into_config() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("checkout-server: {error}");
            return ExitCode::from(2);
        }
    };
    if !config.dist.join("index.html").is_file() {
        tracing::warn!(
            dist = %config.dist.display(),
            "no index.html in the dist directory: SPA routes answer 503 until the SPA is built"
        );
    }
    let limits = config.rate_limits;
    tracing::info!(
        sessions_per_min = limits.sessions.per_minute,
        sessions_burst = limits.sessions.burst,
        payments_per_min = limits.payments.per_minute,
        payments_burst = limits.payments.burst,
        reads_per_min = limits.reads.per_minute,
        reads_burst = limits.reads.burst,
        trust_proxy = limits.trust_proxy,
        store = if config.rate_limit_redis.is_some() {
            "redis (shared), local while it does not answer"
        } else {
            "local"
        },
        "per-client rate limits (0 per minute = off)"
    );
    if config.sandbox_faults.is_some() {
        tracing::warn!("SANDBOX_FAULTS set: the sandbox injects faults from the start");
    }
    let sandbox = matches!(config.mode, Mode::Sandbox);
    if sandbox && !config.bind.is_loopback() {
        tracing::warn!(
            bind = %config.bind,
            "--sandbox-public: the demo credentials and the simulated Conomy API are open to every \
             client that reaches this address"
        );
    }
    let remote_controls = sandbox && config.sandbox_control_token.is_some();
    let server = match start(config, shutdown_signal()).await {
        Ok(server) => server,
        Err(error) => {
            eprintln!("checkout-server: {error}");
            return ExitCode::FAILURE;
        }
    };
    print_banner(&server, remote_controls);
    match server.task.await {
        Ok(Ok(())) => {
            tracing::info!("stopped");
            ExitCode::SUCCESS
        }
        Ok(Err(error)) => {
            eprintln!("checkout-server: {error}");
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("checkout-server: server task failed: {error}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(format: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    if format == "json" {
        builder.json().flatten_event(true).init();
    } else {
        builder.init();
    }
}

/// What an operator needs to start using the server, on stdout (never the control token).
fn print_banner(server: &RunningServer, remote_controls: bool) {
    println!(
        "checkout-server {} ({} mode) listening on http://{}",
        env!("CARGO_PKG_VERSION"),
        server.mode,
        server.addr
    );
    println!("public URL: {}", server.public_url);
    if let Some(admin) = server.admin_addr {
        println!("admin: http://{admin}/metrics (Prometheus), http://{admin}/readyz");
    }
    if let Some(sandbox) = &server.sandbox_config {
        println!("demo checkout links:");
        for link in &server.demo_links {
            println!("  {:<40} {}", link.name, link.url);
        }
        println!("sandbox Conomy API: {}/conomy", server.public_url);
        println!("  x-api-key:     {}", sandbox.api_key);
        println!("  clientId:      {}", sandbox.client_id);
        println!("  clientSecret:  {}", sandbox.client_secret);
        println!("  demo links as JSON: {}/sandbox/demo-links.json", server.public_url);
        let who = if remote_controls {
            "loopback clients, or header x-sandbox-control-token"
        } else {
            "loopback clients only"
        };
        println!("  test controls: {}/sandbox/control/... ({who})", server.public_url);
        if let Some(merchant) = &server.merchant_demo_url {
            println!("merchant demo page (embeds the checkout from another origin): {merchant}/");
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM, letting in-flight requests finish.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown signal received; draining requests");
}
