//! Command-line flags and environment variables, resolved into the server's `Config`.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

use crate::capability::Secret;
use crate::rate_limit::{Limit, RateLimitConfig};
use crate::sandbox::faults::FaultPlan;
use crate::sandbox::ControlToken;

/// The flags as the operator types them; `into_config` checks them.
#[derive(Debug, Parser)]
#[command(
    name = "checkout-server",
    version,
    about = "Serves the Conomy hosted checkout (the SPA in --dist) and its narrow same-origin /api.",
    long_about = "Serves the Conomy hosted checkout: the built SPA from --dist and a narrow \
same-origin /api that forwards the six calls the checkout needs.\n\n\
Mode: SANDBOX (default) simulates the Conomy API in memory under /conomy, with demo links, \
demo credentials and a fake provider page under /sandbox. UPSTREAM mode is chosen by setting \
all four of CONOMY_API_BASE, CONOMY_API_KEY, CONOMY_CLIENT_ID and CONOMY_CLIENT_SECRET; /api is \
then forwarded to that base with a cached bearer token. Setting only some of them is an error.\n\n\
Rate limits: opening or refreshing a session and submitting a payment are limited per client \
address (token buckets; 429 with Retry-After). RATE_LIMIT_SESSIONS_PER_MIN=0 and \
RATE_LIMIT_PAYMENTS_PER_MIN=0 disable them, e.g. for a load test. Behind a reverse proxy, pass \
--trust-proxy so the client address is taken from X-Forwarded-For. Several instances behind one \
load balancer share their buckets with --rate-limit-redis (each falls back to its own while Redis \
does not answer).\n\n\
Operators: --admin-port serves Prometheus metrics (/metrics) and readiness (/readyz: upstream \
credentials and Redis) on a separate, loopback-bound listener; /healthz on the public port is \
liveness only.\n\n\
Fault injection (sandbox mode): SANDBOX_FAULTS='[{\"endpoint\":\"getSession\",\"status\":503,\"count\":2}]' \
installs faults at start; POST, GET and DELETE /sandbox/control/faults change them while running \
(see docs/sandbox.md). The sandbox listens on loopback addresses only unless \
--sandbox-public is given, and its test controls answer loopback clients only unless a request \
carries SANDBOX_CONTROL_TOKEN in x-sandbox-control-token.\n\n\
Logging is controlled with RUST_LOG (default: info), e.g. RUST_LOG=checkout_server=debug."
)]
pub struct Cli {
    /// TCP port to listen on (0 picks a free one).
    #[arg(long, env = "PORT", default_value_t = 8080)]
    pub port: u16,

    /// Address to bind to. Use 0.0.0.0 to listen on every interface.
    #[arg(long, env = "BIND_ADDRESS", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind: IpAddr,

    /// Directory with the built SPA (trunk's dist/).
    #[arg(long, env = "DIST_DIR", default_value = "dist")]
    pub dist: PathBuf,

    /// Public origin of this checkout, used for session urls and provider return links
    /// [default: http://<bind>:<port>].
    #[arg(long, env = "PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Conomy API base for upstream mode, e.g. https://api.conomyhq.com/sandbox.
    #[arg(long, env = "CONOMY_API_BASE", hide_env_values = true)]
    pub conomy_api_base: Option<String>,

    /// Conomy API key (upstream mode; sent as x-api-key, never to the browser).
    #[arg(long, env = "CONOMY_API_KEY", hide_env_values = true)]
    pub conomy_api_key: Option<String>,

    /// Conomy client id (upstream mode; exchanged for a bearer token at POST /auth).
    #[arg(long, env = "CONOMY_CLIENT_ID", hide_env_values = true)]
    pub conomy_client_id: Option<String>,

    /// Conomy client secret (upstream mode).
    #[arg(long, env = "CONOMY_CLIENT_SECRET", hide_env_values = true)]
    pub conomy_client_secret: Option<String>,

    /// Timeout of one upstream call, in milliseconds.
    #[arg(long, env = "UPSTREAM_TIMEOUT_MS", default_value_t = 10_000)]
    pub upstream_timeout_ms: u64,

    /// CSP frame-ancestors sources: who may embed the checkout in a frame
    /// (space separated, e.g. "'self' https://shop.example").
    #[arg(long, env = "CHECKOUT_FRAME_ANCESTORS", default_value = "'self'")]
    pub frame_ancestors: String,

    /// Sandbox mode: port of the demo merchant page that embeds the checkout from another
    /// origin (http://localhost:<port>) [default: --port + 1, a free one with --port 0; 0 disables].
    #[arg(long, env = "MERCHANT_DEMO_PORT")]
    pub merchant_demo_port: Option<u16>,

    /// Log line format on stderr: "text" (key=value) or "json". Filter with RUST_LOG.
    #[arg(long, env = "LOG_FORMAT", default_value = "text", value_parser = ["text", "json"])]
    pub log_format: String,

    /// Checkout sessions (open from a link token, refresh) one client may create per minute;
    /// 0 disables the limit.
    #[arg(long, env = "RATE_LIMIT_SESSIONS_PER_MIN", default_value_t = RateLimitConfig::DEFAULT.sessions.per_minute)]
    pub rate_limit_sessions_per_min: u32,

    /// Session creations one client may make in a burst before the per-minute rate applies.
    #[arg(long, env = "RATE_LIMIT_SESSIONS_BURST", default_value_t = RateLimitConfig::DEFAULT.sessions.burst)]
    pub rate_limit_sessions_burst: u32,

    /// Payment submissions one client may make per minute; 0 disables the limit.
    #[arg(long, env = "RATE_LIMIT_PAYMENTS_PER_MIN", default_value_t = RateLimitConfig::DEFAULT.payments.per_minute)]
    pub rate_limit_payments_per_min: u32,

    /// Payment submissions one client may make in a burst.
    #[arg(long, env = "RATE_LIMIT_PAYMENTS_BURST", default_value_t = RateLimitConfig::DEFAULT.payments.burst)]
    pub rate_limit_payments_burst: u32,

    /// Reads (a session, its payments, a bank list) one client may make per minute; 0 disables.
    #[arg(long, env = "RATE_LIMIT_READS_PER_MIN", default_value_t = RateLimitConfig::DEFAULT.reads.per_minute)]
    pub rate_limit_reads_per_min: u32,

    /// Reads one client may make in a burst.
    #[arg(long, env = "RATE_LIMIT_READS_BURST", default_value_t = RateLimitConfig::DEFAULT.reads.burst)]
    pub rate_limit_reads_burst: u32,

    /// Identify clients by the last X-Forwarded-For address (set only behind a reverse proxy
    /// that appends it; otherwise clients could pick their own rate-limit bucket).
    #[arg(long, env = "TRUST_PROXY", value_parser = clap::builder::BoolishValueParser::new())]
    pub trust_proxy: bool,

    /// Sandbox mode: faults to inject from the start, as JSON (the body of
    /// POST /sandbox/control/faults).
    #[arg(long, env = "SANDBOX_FAULTS")]
    pub sandbox_faults: Option<String>,

    /// Sandbox mode: allow a non-loopback --bind. The sandbox prints its demo credentials and
    /// serves a fake Conomy to whoever reaches it, so exposing it has to be deliberate.
    #[arg(long, env = "SANDBOX_PUBLIC", value_parser = clap::builder::BoolishValueParser::new())]
    pub sandbox_public: bool,

    /// Sandbox mode: a token (at least 24 characters) that opens /sandbox/control/* to clients
    /// on other machines, sent as header x-sandbox-control-token; without it only loopback
    /// clients may use the test controls.
    #[arg(long, env = "SANDBOX_CONTROL_TOKEN", hide_env_values = true)]
    pub sandbox_control_token: Option<String>,

    /// Key of the session capabilities (at least 32 bytes, e.g. `openssl rand -hex 32`). Every
    /// instance behind one load balancer needs the same one; required in upstream mode, random
    /// per start in sandbox mode when unset.
    #[arg(long, env = "CHECKOUT_SESSION_SECRET", hide_env_values = true)]
    pub session_secret: Option<String>,

    /// The previous key during a rotation: capabilities it signed are still accepted.
    #[arg(long, env = "CHECKOUT_SESSION_SECRET_PREVIOUS", hide_env_values = true)]
    pub session_secret_previous: Option<String>,

    /// Keep every per-client bucket (sessions, payments, reads) in this Redis, shared by all
    /// instances behind one load balancer (redis://[:password@]host[:port][/db]). While it does
    /// not answer, each instance limits on its own [default: in-process buckets].
    #[arg(long, env = "RATE_LIMIT_REDIS_URL", hide_env_values = true)]
    pub rate_limit_redis: Option<String>,

    /// Port of the admin listener: Prometheus metrics at /metrics, readiness at /readyz. Never
    /// the public port; unset or 0: no admin listener.
    #[arg(long, env = "ADMIN_PORT")]
    pub admin_port: Option<u16>,

    /// Address the admin listener binds to (keep it off the public network).
    #[arg(long, env = "ADMIN_BIND", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub admin_bind: IpAddr,
}

/// Credentials and base of the real Conomy API.
#[derive(Clone)]
pub struct UpstreamConfig {
    pub base: String,
    pub api_key: String,
    pub client_id: String,
    pub client_secret: String,
}

// Hand-written so a `{:?}` in a log line can never print a secret.
impl fmt::Debug for UpstreamConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UpstreamConfig")
            .field("base", &self.base)
            .field("api_key", &"<redacted>")
            .field("client_id", &"<redacted>")
            .field("client_secret", &"<redacted>")
            .finish()
    }
}

/// The Redis URL of the shared rate limits; it may carry a password, so `{:?}` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct RedisUrl(pub String);

impl fmt::Debug for RedisUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RedisUrl(<redacted>)")
    }
}

/// Where `/api` calls go.
#[derive(Debug, Clone)]
pub enum Mode {
    /// The in-memory Conomy simulator, mounted under `/conomy`.
    Sandbox,
    /// The real Conomy API (or another checkout server's `/conomy`).
    Upstream(UpstreamConfig),
}

impl Mode {
    pub fn name(&self) -> &'static str {
        match self {
            Mode::Sandbox => "sandbox",
            Mode::Upstream(_) => "upstream",
        }
    }
}

/// The checked configuration the server runs with.
#[derive(Debug, Clone)]
pub struct Config {
    pub bind: IpAddr,
    pub port: u16,
    pub dist: PathBuf,
    /// `None`: derived from the bound address once the port is known.
    pub public_url: Option<String>,
    pub mode: Mode,
    pub upstream_timeout: Duration,
    pub frame_ancestors: String,
    /// Sandbox mode: the demo merchant page's port. `None`: automatic (port + 1, or a free
    /// one when `port` is 0), `Some(0)`: off.
    pub merchant_demo_port: Option<u16>,
    pub rate_limits: RateLimitConfig,
    /// Faults the sandbox starts with (sandbox mode only).
    pub sandbox_faults: Option<FaultPlan>,
    /// Opens the sandbox's test controls to non-loopback clients that show it.
    pub sandbox_control_token: Option<ControlToken>,
    /// Key of the session capabilities; `None`: a random one per start (sandbox mode only).
    pub session_secret: Option<Secret>,
    /// Still accepted for verification (a key rotation in progress).
    pub session_secret_previous: Option<Secret>,
    /// Requests served at once; more are refused at once (503), never queued.
    pub max_concurrent_requests: usize,
    /// How long a client may take to send a request's headers, or leave a kept-alive
    /// connection idle.
    pub header_read_timeout: Duration,
    /// How long a request body may take to arrive once its headers have.
    pub request_body_timeout: Duration,
    /// Shared per-client buckets in Redis; `None`: in this process only.
    pub rate_limit_redis: Option<RedisUrl>,
    /// The admin listener (metrics, readiness); `None`: off. Port 0 picks a free one (tests).
    pub admin: Option<SocketAddr>,
}

impl Config {
    /// Sandbox mode on 127.0.0.1 with defaults: what tests and `./run` start from.
    pub fn sandbox(port: u16, dist: impl Into<PathBuf>) -> Self {
        Config {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port,
            dist: dist.into(),
            public_url: None,
            mode: Mode::Sandbox,
            upstream_timeout: Duration::from_secs(10),
            frame_ancestors: "'self'".into(),
            // Tests opt in; a second listener per test server would be noise.
            merchant_demo_port: Some(0),
            rate_limits: RateLimitConfig::DEFAULT,
            sandbox_faults: None,
            sandbox_control_token: None,
            session_secret: None,
            session_secret_previous: None,
            max_concurrent_requests: crate::MAX_CONCURRENT_REQUESTS,
            header_read_timeout: crate::HEADER_READ_TIMEOUT,
            request_body_timeout: crate::REQUEST_BODY_TIMEOUT,
            rate_limit_redis: None,
            admin: None,
        }
    }

    /// The public origin for an actually bound address: the configured one, else
    /// `http://<addr>` (an unspecified bind address becomes loopback, which a browser can open).
    pub fn public_url_for(&self, addr: SocketAddr) -> String {
        if let Some(url) = &self.public_url {
            return url.trim_end_matches('/').to_string();
        }
        let ip = match addr.ip() {
            IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        format!("http://{}", SocketAddr::new(ip, addr.port()))
    }
}

/// A configuration the server refuses to start with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

impl Cli {
    pub fn into_config(self) -> Result<Config, ConfigError> {
        let upstream = [
            ("CONOMY_API_BASE", self.conomy_api_base),
            ("CONOMY_API_KEY", self.conomy_api_key),
            ("CONOMY_CLIENT_ID", self.conomy_client_id),
            ("CONOMY_CLIENT_SECRET", self.conomy_client_secret),
        ]
        .map(|(name, value)| (name, value.filter(|v| !v.trim().is_empty())));
        let missing: Vec<&str> = upstream
            .iter()
            .filter(|(_, v)| v.is_none())
            .map(|(name, _)| *name)
            .collect();
        let mode = match missing.len() {
            4 => Mode::Sandbox,
            0 => {
                let [base, api_key, client_id, client_secret] = upstream.map(|(_, v)| v.unwrap_or_default());
                let base = base.trim().trim_end_matches('/').to_string();
                if !(base.starts_with("https://") || base.starts_with("http://")) {
                    return Err(ConfigError(format!(
                        "CONOMY_API_BASE must be an http(s) URL, got {base:?}"
                    )));
                }
                // The API key, client secret, bearer token and payer data travel on it.
                if base
                    .strip_prefix("http://")
                    .is_some_and(|rest| !is_loopback_authority(rest))
                {
                    return Err(ConfigError(
                        "CONOMY_API_BASE may use plain http:// only for a loopback host \
                         (127.x.x.x, [::1], localhost); use https:// for any other"
                            .into(),
                    ));
                }
                Mode::Upstream(UpstreamConfig {
                    base,
                    api_key,
                    client_id,
                    client_secret,
                })
            }
            _ => {
                return Err(ConfigError(format!(
                    "upstream mode needs all of CONOMY_API_BASE, CONOMY_API_KEY, CONOMY_CLIENT_ID \
                     and CONOMY_CLIENT_SECRET; missing: {}. Unset them all for sandbox mode.",
                    missing.join(", ")
                )))
            }
        };
        if matches!(mode, Mode::Sandbox) && !is_loopback(self.bind) && !self.sandbox_public {
            return Err(ConfigError(format!(
                "sandbox mode refuses to listen on {}: it prints its demo credentials and serves a \
                 fake Conomy API to anyone who can reach it. Bind a loopback address (127.0.0.1, \
                 ::1), or pass --sandbox-public (SANDBOX_PUBLIC=1) to expose it on purpose",
                self.bind
            )));
        }
        let sandbox_control_token = match self.sandbox_control_token.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(_) if !matches!(mode, Mode::Sandbox) => {
                return Err(ConfigError("SANDBOX_CONTROL_TOKEN only applies in sandbox mode".into()))
            }
            Some(text) => {
                Some(ControlToken::parse(text).map_err(|why| ConfigError(format!("SANDBOX_CONTROL_TOKEN {why}")))?)
            }
        };
        if self.upstream_timeout_ms == 0 {
            return Err(ConfigError("--upstream-timeout-ms must be positive".into()));
        }
        // The value goes verbatim into a header: refuse anything that could end the directive.
        let frame_ancestors = self.frame_ancestors.trim().to_string();
        if frame_ancestors.is_empty()
            || frame_ancestors
                .chars()
                .any(|c| matches!(c, ';' | ',' | '\r' | '\n') || c.is_control())
        {
            return Err(ConfigError(
                "CHECKOUT_FRAME_ANCESTORS must be space-separated CSP sources".into(),
            ));
        }
        let public_url = match self.public_url.map(|u| u.trim().trim_end_matches('/').to_string()) {
            Some(url) if url.starts_with("https://") || url.starts_with("http://") => Some(url),
            Some(url) if url.is_empty() => None,
            Some(url) => return Err(ConfigError(format!("PUBLIC_URL must be an http(s) URL, got {url:?}"))),
            None => None,
        };
        let sandbox_faults = match self.sandbox_faults.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(_) if !matches!(mode, Mode::Sandbox) => {
                return Err(ConfigError("SANDBOX_FAULTS only applies in sandbox mode".into()))
            }
            Some(text) => {
                Some(FaultPlan::parse_str(text).map_err(|why| ConfigError(format!("SANDBOX_FAULTS: {why}")))?)
            }
        };
        let secret = |name: &str, value: Option<String>| match value.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(text) => Secret::parse(text)
                .map(Some)
                .map_err(|why| ConfigError(format!("{name} {why}"))),
        };
        let session_secret = secret("CHECKOUT_SESSION_SECRET", self.session_secret)?;
        let session_secret_previous = secret("CHECKOUT_SESSION_SECRET_PREVIOUS", self.session_secret_previous)?;
        if session_secret.is_none() && matches!(mode, Mode::Upstream(_)) {
            return Err(ConfigError(
                "upstream mode needs CHECKOUT_SESSION_SECRET (at least 32 bytes, the same on every instance)".into(),
            ));
        }
        let rate_limit_redis = match self.rate_limit_redis.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(url)
                if ["redis://", "redis+unix://", "unix://"]
                    .iter()
                    .any(|scheme| url.starts_with(scheme)) =>
            {
                Some(RedisUrl(url.to_string()))
            }
            // Never echo it: it may carry a password.
            Some(_) => {
                return Err(ConfigError(
                    "RATE_LIMIT_REDIS_URL must be a redis:// (or redis+unix://) URL".into(),
                ))
            }
        };
        let admin = match self.admin_port {
            None | Some(0) => None,
            Some(port) if port == self.port => {
                return Err(ConfigError(format!(
                    "--admin-port {port} is the public port: metrics and readiness are for operators, \
                     never served to payers; pick another port"
                )))
            }
            Some(port) => Some(SocketAddr::new(self.admin_bind, port)),
        };
        let rate_limits = RateLimitConfig {
            sessions: Limit {
                per_minute: self.rate_limit_sessions_per_min,
                burst: self.rate_limit_sessions_burst,
            },
            payments: Limit {
                per_minute: self.rate_limit_payments_per_min,
                burst: self.rate_limit_payments_burst,
            },
            reads: Limit {
                per_minute: self.rate_limit_reads_per_min,
                burst: self.rate_limit_reads_burst,
            },
            trust_proxy: self.trust_proxy,
        };
        Ok(Config {
            bind: self.bind,
            port: self.port,
            dist: self.dist,
            public_url,
            mode,
            upstream_timeout: Duration::from_millis(self.upstream_timeout_ms),
            frame_ancestors,
            merchant_demo_port: self.merchant_demo_port,
            rate_limits,
            sandbox_faults,
            sandbox_control_token,
            session_secret,
            session_secret_previous,
            max_concurrent_requests: crate::MAX_CONCURRENT_REQUESTS,
            header_read_timeout: crate::HEADER_READ_TIMEOUT,
            request_body_timeout: crate::REQUEST_BODY_TIMEOUT,
            rate_limit_redis,
            admin,
        })
    }
}

/// `127.0.0.0/8`, `::1` and `::ffff:127.x.x.x`: this machine only.
fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()),
    }
}

/// Whether a URL's text after `scheme://` names a loopback host: `localhost`, `127.x.x.x` or
/// `[::1]`, with an optional numeric port and no user info (`127.0.0.1@evil.example` is not it).
fn is_loopback_authority(rest: &str) -> bool {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return false;
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(bracketed) => match bracketed.split_once(']') {
            Some((host, after)) => (host, after),
            None => return false,
        },
        None => authority.split_at(authority.find(':').unwrap_or(authority.len())),
    };
    let port_ok = port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()));
    let host_ok = host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(is_loopback);
    port_ok && host_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cli(args: &[&str]) -> Cli {
        let mut all = vec!["checkout-server"];
        all.extend_from_slice(args);
        Cli::try_parse_from(all).expect("flags parse")
    }

    #[test]
    fn partial_upstream_configuration_is_refused() {
        let mut partial = cli(&[]);
        partial.conomy_api_base = Some("https://api.conomyhq.com/sandbox".into());
        partial.conomy_api_key = Some("key".into());
        partial.conomy_client_id = None;
        partial.conomy_client_secret = None;
        let error = partial.into_config().expect_err("must refuse");
        assert!(error.0.contains("CONOMY_CLIENT_ID") && error.0.contains("CONOMY_CLIENT_SECRET"));
        assert!(!error.0.contains("key\""), "never echo secrets");
    }

    #[test]
    fn all_four_select_upstream_and_debug_hides_secrets() {
        let mut full = cli(&["--port", "0"]);
        full.conomy_api_base = Some("http://127.0.0.1:9/conomy/".into());
        full.conomy_api_key = Some("the-key".into());
        full.conomy_client_id = Some("the-id".into());
        full.conomy_client_secret = Some("the-secret".into());
        full.session_secret = Some("the-session-secret-of-32-bytes-or-more".into());
        let config = full.into_config().expect("valid");
        let Mode::Upstream(upstream) = &config.mode else {
            panic!("expected upstream")
        };
        assert_eq!(upstream.base, "http://127.0.0.1:9/conomy");
        let debug = format!("{config:?}");
        assert!(!debug.contains("the-key") && !debug.contains("the-secret") && !debug.contains("the-id"));
    }

    #[test]
    fn upstream_mode_requires_a_long_session_secret() {
        let upstream = || {
            let mut full = cli(&[]);
            full.conomy_api_base = Some("http://127.0.0.1:9/conomy".into());
            full.conomy_api_key = Some("k".into());
            full.conomy_client_id = Some("i".into());
            full.conomy_client_secret = Some("s".into());
            full
        };
        assert!(upstream()
            .into_config()
            .expect_err("no secret")
            .0
            .contains("CHECKOUT_SESSION_SECRET"));
        let mut short = upstream();
        short.session_secret = Some("too-short".into());
        assert!(short.into_config().expect_err("short").0.contains("32 bytes"));
        let mut sandbox = cli(&[]);
        sandbox.session_secret_previous = Some("x".repeat(32));
        assert!(sandbox
            .into_config()
            .expect("sandbox needs none")
            .session_secret
            .is_none());
    }

    #[test]
    fn sandbox_refuses_a_public_bind_unless_told() {
        for public in ["0.0.0.0", "::", "192.0.2.10", "2001:db8::1"] {
            let error = cli(&["--bind", public]).into_config().expect_err(public);
            assert!(
                error.0.contains("--sandbox-public") && error.0.contains(public),
                "{public}: {error}"
            );
        }
        for local in ["127.0.0.1", "127.0.0.2", "::1"] {
            assert!(cli(&["--bind", local]).into_config().is_ok(), "{local}");
        }
        let config = cli(&["--bind", "0.0.0.0", "--sandbox-public"])
            .into_config()
            .expect("told");
        assert!(config.bind.is_unspecified());
        // Upstream mode serves no simulator: any bind is the operator's call.
        let mut upstream = cli(&["--bind", "0.0.0.0"]);
        upstream.conomy_api_base = Some("https://api.conomyhq.com/sandbox".into());
        upstream.conomy_api_key = Some("k".into());
        upstream.conomy_client_id = Some("i".into());
        upstream.conomy_client_secret = Some("s".into());
        upstream.session_secret = Some("x".repeat(32));
        assert!(upstream.into_config().is_ok());
    }

    #[test]
    fn the_sandbox_control_token_is_long_and_never_printed() {
        let token = "a-control-token-long-enough-0123456789";
        let config = cli(&["--sandbox-control-token", token]).into_config().expect("valid");
        assert!(config.sandbox_control_token.as_ref().is_some_and(|t| t.matches(token)));
        assert!(!format!("{config:?}").contains(token));
        assert!(cli(&[]).into_config().expect("valid").sandbox_control_token.is_none());
        let error = cli(&["--sandbox-control-token", "short"])
            .into_config()
            .expect_err("short");
        assert!(
            error.0.contains("SANDBOX_CONTROL_TOKEN") && !error.0.contains("short\""),
            "{error}"
        );
    }

    #[test]
    fn plain_http_upstream_is_for_loopback_only() {
        let with_base = |base: &str| {
            let mut full = cli(&[]);
            full.conomy_api_base = Some(base.into());
            full.conomy_api_key = Some("k".into());
            full.conomy_client_id = Some("i".into());
            full.conomy_client_secret = Some("s".into());
            full.session_secret = Some("x".repeat(32));
            full.into_config()
        };
        for fine in [
            "https://api.conomyhq.com/sandbox",
            "https://10.0.0.5:8443/conomy",
            "http://127.0.0.1:9/conomy",
            "http://127.10.0.1/conomy",
            "http://localhost:8080/conomy",
            "http://LOCALHOST/conomy",
            "http://[::1]:9/conomy",
            "http://localhost",
        ] {
            assert!(with_base(fine).is_ok(), "{fine}");
        }
        for refused in [
            "http://api.conomyhq.com/sandbox",
            "http://10.0.0.5:8080/conomy",
            "http://127.0.0.1.evil.example/conomy",
            "http://localhost.evil.example/conomy",
            "http://127.0.0.1@evil.example/conomy",
            "http://[2001:db8::1]:9/conomy",
            "http://[::ffff:10.0.0.1]/conomy",
            "http://0.0.0.0:9/conomy",
            "http://",
            "ftp://127.0.0.1/conomy",
        ] {
            let error = with_base(refused).expect_err(refused);
            assert!(error.0.contains("CONOMY_API_BASE"), "{refused}: {error}");
        }
    }

    #[test]
    fn frame_ancestors_cannot_inject_directives() {
        let mut bad = cli(&[]);
        bad.frame_ancestors = "'self'; script-src *".into();
        assert!(bad.into_config().is_err());
    }

    #[test]
    fn rate_limits_come_from_flags_and_zero_disables() {
        let config = cli(&[]).into_config().expect("defaults");
        assert_eq!(config.rate_limits, RateLimitConfig::DEFAULT);
        let config = cli(&[
            "--rate-limit-sessions-per-min",
            "0",
            "--rate-limit-payments-per-min",
            "0",
            "--trust-proxy",
        ])
        .into_config()
        .expect("valid");
        assert!(config.rate_limits.sessions.is_disabled() && config.rate_limits.payments.is_disabled());
        assert!(config.rate_limits.trust_proxy);
    }

    #[test]
    fn redis_and_admin_flags_are_checked_and_never_printed() {
        let config = cli(&[
            "--rate-limit-redis",
            "redis://:hunter2@127.0.0.1:6379/0",
            "--admin-port",
            "9100",
        ])
        .into_config()
        .expect("valid");
        assert_eq!(
            config.rate_limit_redis,
            Some(RedisUrl("redis://:hunter2@127.0.0.1:6379/0".into()))
        );
        assert_eq!(config.admin, Some("127.0.0.1:9100".parse().expect("addr")));
        assert!(!format!("{config:?}").contains("hunter2"));
        let error = cli(&["--rate-limit-redis", "http://:hunter2@x"])
            .into_config()
            .expect_err("scheme");
        assert!(
            error.0.contains("RATE_LIMIT_REDIS_URL") && !error.0.contains("hunter2"),
            "{error}"
        );
        // Off by default and with 0; never the public port.
        assert_eq!(cli(&[]).into_config().expect("valid").admin, None);
        assert_eq!(cli(&["--admin-port", "0"]).into_config().expect("valid").admin, None);
        assert!(cli(&["--port", "8080", "--admin-port", "8080"])
            .into_config()
            .expect_err("same")
            .0
            .contains("public port"));
        assert!(cli(&[]).into_config().expect("valid").rate_limit_redis.is_none());
    }

    #[test]
    fn sandbox_faults_are_checked_at_start() {
        let mut good = cli(&[]);
        good.sandbox_faults = Some(r#"[{"endpoint":"banks","status":503}]"#.into());
        assert!(good.into_config().expect("valid").sandbox_faults.is_some());
        let mut typo = cli(&[]);
        typo.sandbox_faults = Some(r#"[{"endpoint":"banks","statuss":503}]"#.into());
        assert!(typo.into_config().expect_err("unknown key").0.contains("statuss"));
    }

    #[test]
    fn default_public_url_uses_a_browsable_address() {
        let config = Config::sandbox(0, "dist");
        let addr: SocketAddr = "0.0.0.0:8080".parse().expect("addr");
        assert_eq!(config.public_url_for(addr), "http://127.0.0.1:8080");
    }
}
