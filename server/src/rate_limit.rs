//! Per-client rate limits for the `/api` calls that cost an upstream call (opening a session,
//! submitting a payment, reads), keyed by client address: GCRA buckets in this process
//! (`governor`, bounded memory), or shared by every instance in Redis (`--rate-limit-redis`),
//! with the local buckets as the fallback while Redis does not answer.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::keyed::ShrinkableKeyedStateStore;
use governor::state::StateStore;
use governor::Quota;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::Script;

use crate::client_addr::ClientAddr;

/// Clients tracked per limiter before idle buckets are swept; bounds memory under a flood of
/// distinct addresses.
const MAX_CLIENTS: usize = 10_000;

/// One limit: a sustained rate with a burst allowance. `per_minute == 0` disables it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub per_minute: u32,
    pub burst: u32,
}

impl Limit {
    pub const DISABLED: Limit = Limit {
        per_minute: 0,
        burst: 0,
    };

    pub fn is_disabled(&self) -> bool {
        self.per_minute == 0
    }
}

/// The limits the server enforces, as configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitConfig {
    /// `POST .../checkout-sessions` (from a link token) and `POST .../refresh`.
    pub sessions: Limit,
    /// `POST /checkout-sessions/{id}/payments`.
    pub payments: Limit,
    /// Reads: `GET` a session, its payments, a bank list. Generous (a waiting page polls, many
    /// payers can share one carrier-grade NAT address), but each read costs an upstream call.
    pub reads: Limit,
    /// Take the client address from `X-Forwarded-For` (only behind a proxy that sets it).
    pub trust_proxy: bool,
}

impl RateLimitConfig {
    pub const DEFAULT: RateLimitConfig = RateLimitConfig {
        sessions: Limit {
            per_minute: 20,
            burst: 10,
        },
        payments: Limit {
            per_minute: 10,
            burst: 5,
        },
        reads: Limit {
            per_minute: 600,
            burst: 120,
        },
        trust_proxy: false,
    };

    pub const DISABLED: RateLimitConfig = RateLimitConfig {
        sessions: Limit::DISABLED,
        payments: Limit::DISABLED,
        reads: Limit::DISABLED,
        trust_proxy: false,
    };
}

/// The limiters `/api` uses.
pub struct RateLimits {
    pub sessions: RateLimiter,
    pub payments: RateLimiter,
    pub reads: RateLimiter,
    trust_proxy: bool,
}

impl RateLimits {
    /// Limits kept in this process.
    pub fn new(config: RateLimitConfig) -> Self {
        Self::with_shared(config, None)
    }

    /// Limits kept in `shared` Redis when given (and answering), else in this process.
    pub fn with_shared(config: RateLimitConfig, shared: Option<Arc<SharedLimits>>) -> Self {
        let limiter = |name, limit| RateLimiter::build(name, limit, LimiterClock::default(), shared.clone());
        RateLimits {
            sessions: limiter("sessions", config.sessions),
            payments: limiter("payments", config.payments),
            reads: limiter("reads", config.reads),
            trust_proxy: config.trust_proxy,
        }
    }

    /// The bucket key of a request: the peer address, or with `trust_proxy` the address the
    /// proxy appended last to `X-Forwarded-For` (earlier entries are whatever the client sent).
    pub fn client_key(&self, client: &ClientAddr) -> IpAddr {
        let ip = match (self.trust_proxy, client.forwarded_for) {
            (true, Some(forwarded)) => forwarded,
            // No peer address (an in-process call): one shared bucket, never a free pass.
            _ => client.peer.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        };
        bucket_key(ip)
    }
}

/// IPv4 addresses as they are; IPv6 by /64, since one subscriber usually holds a whole /64
/// and could otherwise rotate addresses for fresh buckets.
fn bucket_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// The clock of the in-process limiters: the real monotonic clock, or one a test moves.
#[derive(Clone, Default)]
pub struct LimiterClock(Option<Arc<Mutex<Instant>>>);

impl LimiterClock {
    /// A clock standing at `start` until `set` moves it.
    pub fn manual(start: Instant) -> Self {
        LimiterClock(Some(Arc::new(Mutex::new(start))))
    }

    /// Moves a manual clock to `now` (no effect on the real clock).
    pub fn set(&self, now: Instant) {
        if let Some(at) = &self.0 {
            *at.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = now;
        }
    }
}

impl governor::clock::Clock for LimiterClock {
    type Instant = Instant;

    fn now(&self) -> Instant {
        match &self.0 {
            None => Instant::now(),
            Some(at) => *at.lock().unwrap_or_else(|poisoned| poisoned.into_inner()),
        }
    }
}

/// The buckets of one in-process limiter: each client's GCRA "theoretical arrival time"
/// (nanoseconds since the limiter started), as `governor` computes it. Kept in our own bounded
/// map, rather than governor's unbounded one, so a flood of distinct addresses can be swept.
#[derive(Clone, Default)]
struct Buckets(Arc<Mutex<HashMap<IpAddr, Nanos>>>);

impl Buckets {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, Nanos>> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether tracking `client` would take the map past `MAX_CLIENTS`.
    fn needs_room_for(&self, client: &IpAddr) -> bool {
        let buckets = self.lock();
        buckets.len() >= MAX_CLIENTS && !buckets.contains_key(client)
    }

    /// If every tracked client is still active, forgets the least recently active half (the
    /// smallest arrival times): they get a fresh burst, which is the price of a memory bound.
    fn drop_oldest_half_if_full(&self) {
        let mut buckets = self.lock();
        if buckets.len() < MAX_CLIENTS {
            return;
        }
        let mut arrivals: Vec<Nanos> = buckets.values().copied().collect();
        arrivals.sort_unstable();
        let cutoff = arrivals[arrivals.len() / 2];
        buckets.retain(|_, tat| *tat > cutoff);
    }
}

impl StateStore for Buckets {
    type Key = IpAddr;

    fn measure_and_replace<T, F, E>(&self, key: &IpAddr, f: F) -> Result<T, E>
    where
        F: Fn(Option<Nanos>) -> Result<(T, Nanos), E>,
    {
        let mut buckets = self.lock();
        let (outcome, tat) = f(buckets.get(key).copied())?;
        buckets.insert(*key, tat);
        Ok(outcome)
    }
}

impl ShrinkableKeyedStateStore<IpAddr> for Buckets {
    fn retain_recent(&self, drop_below: Nanos) {
        self.lock().retain(|_, tat| *tat > drop_below);
    }

    fn len(&self) -> usize {
        self.lock().len()
    }

    fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }
}

type Gcra = governor::RateLimiter<IpAddr, Buckets, LimiterClock, NoOpMiddleware<Instant>>;

/// One limit for every client: `burst` requests at once, then `per_minute / 60` per second
/// (GCRA, equivalent to a token bucket of `burst` tokens refilled at that rate). Per client in
/// this process with `governor`, or, when the limiter shares a Redis (`--rate-limit-redis`),
/// per client across every instance, falling back to this process's buckets while Redis does
/// not answer.
pub struct RateLimiter {
    /// `sessions`, `payments` or `reads`: the Redis key prefix and the metrics label.
    name: &'static str,
    limit: Limit,
    buckets: Buckets,
    local: Gcra,
    shared: Option<Arc<SharedLimits>>,
}

impl RateLimiter {
    /// An in-process limiter on the real clock.
    pub fn new(limit: Limit) -> Self {
        Self::build("limit", limit, LimiterClock::default(), None)
    }

    /// An in-process limiter on `clock` (tests move a manual one instead of sleeping).
    pub fn with_clock(limit: Limit, clock: LimiterClock) -> Self {
        Self::build("limit", limit, clock, None)
    }

    fn build(name: &'static str, limit: Limit, clock: LimiterClock, shared: Option<Arc<SharedLimits>>) -> Self {
        // A burst of 0 would refuse everything; a limit always lets one request through.
        let limit = Limit {
            burst: limit.burst.max(1),
            ..limit
        };
        let buckets = Buckets::default();
        let local = Gcra::new(quota(limit), buckets.clone(), clock);
        RateLimiter {
            name,
            limit,
            buckets,
            local,
            shared,
        }
    }

    /// Takes a token for `client`, or says how long until one is available: from the shared
    /// buckets when Redis answers, else from this process's.
    pub async fn check(&self, client: IpAddr) -> Result<(), Duration> {
        if self.limit.is_disabled() {
            return Ok(());
        }
        let (outcome, store) = match &self.shared {
            Some(shared) => match shared.check(self.name, self.limit, client).await {
                Some(outcome) => (outcome, "redis"),
                None => (self.check_local(client), "local"),
            },
            None => (self.check_local(client), "local"),
        };
        if outcome.is_err() {
            metrics::counter!("checkout_rate_limit_rejections_total", "limit" => self.name, "store" => store)
                .increment(1);
        }
        outcome
    }

    /// `check` against this process's buckets only.
    pub fn check_local(&self, client: IpAddr) -> Result<(), Duration> {
        if self.limit.is_disabled() {
            return Ok(());
        }
        if self.buckets.needs_room_for(&client) {
            // Buckets that have refilled completely are forgotten first (that changes nothing).
            self.local.retain_recent();
            self.buckets.drop_oldest_half_if_full();
        }
        self.local.check_key(&client).map_err(|not_until| {
            use governor::clock::Clock;
            not_until.wait_time_from(self.local.clock().now())
        })
    }

    /// Clients currently tracked in this process (tests check the bound).
    pub fn tracked_clients(&self) -> usize {
        self.buckets.len()
    }
}

/// The GCRA parameters of a limit: one request every `60 s / per_minute`, `burst` at once.
fn quota(limit: Limit) -> Quota {
    let per_minute = limit.per_minute.max(1);
    let burst = NonZeroU32::new(limit.burst.max(1)).unwrap_or(NonZeroU32::MIN);
    let period = Duration::from_nanos(60_000_000_000 / u64::from(per_minute));
    Quota::with_period(period)
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MAX))
        .allow_burst(burst)
}

// ---- shared buckets in Redis ---------------------------------------------------------------

/// One GCRA check in one round trip, atomically (a script runs alone): the bucket is the
/// client's theoretical arrival time in microseconds of Redis's own clock (so the instances'
/// clocks never matter), and it expires when it would be full again, so nothing is left behind.
/// ARGV[1] is the emission interval T, ARGV[2] the tolerance T * (burst - 1), both in µs.
/// Answers `{1, 0}` (allowed) or `{0, µs to wait}`: the same arithmetic as `governor`'s.
const GCRA_SCRIPT: &str = r#"
local t = tonumber(ARGV[1])
local tau = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now) or now
if tat < now then tat = now end
local allow_at = tat - tau
if now < allow_at then
  return {0, allow_at - now}
end
local new_tat = tat + t
redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', string.format('%d', math.ceil((new_tat - now) / 1000)))
return {1, 0}
"#;

/// How long one limit check may wait for Redis before this request uses the local buckets.
pub const REDIS_CHECK_TIMEOUT: Duration = Duration::from_millis(500);
/// How often an unanswering Redis is tried again (and an answering one checked).
const REDIS_PROBE_DOWN: Duration = Duration::from_secs(1);
const REDIS_PROBE_UP: Duration = Duration::from_secs(5);

/// Whether the shared buckets are in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedisState {
    /// Not answered yet since start: limits are local meanwhile.
    Connecting,
    /// Limits are shared.
    Up,
    /// Not answering: limits are local, per instance, until it answers again.
    Down,
}

impl RedisState {
    pub fn as_str(self) -> &'static str {
        match self {
            RedisState::Connecting => "connecting",
            RedisState::Up => "up",
            RedisState::Down => "down",
        }
    }
}

/// The Redis every instance keeps its buckets in, with a reconnecting connection. A Redis that
/// does not answer never fails a request: the limiter falls back to the local buckets, logs
/// the degradation once, and goes back to Redis when a probe is answered again.
pub struct SharedLimits {
    connection: ConnectionManager,
    script: Script,
    state: AtomicU8,
    prefix: String,
}

impl SharedLimits {
    /// Parses `url` (`redis://[user:password@]host[:port][/db]`) and starts connecting in the
    /// background; must be called inside the tokio runtime. The URL may carry a password: it
    /// is never logged.
    pub fn connect(url: &str) -> Result<Arc<SharedLimits>, RedisSetupError> {
        let client = redis::Client::open(url).map_err(|e| RedisSetupError::Url(e.category().to_string()))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(1)))
            .set_response_timeout(Some(REDIS_CHECK_TIMEOUT))
            // One attempt per reconnect: the probe below is the retry loop, at its own pace.
            .set_number_of_retries(0);
        let connection = ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|e| RedisSetupError::Connection(e.category().to_string()))?;
        let shared = Arc::new(SharedLimits {
            connection,
            script: Script::new(GCRA_SCRIPT),
            state: AtomicU8::new(STATE_CONNECTING),
            prefix: "checkout:rl".into(),
        });
        metrics::gauge!("checkout_rate_limit_redis_up").set(0.0);
        tokio::spawn(probe(Arc::downgrade(&shared)));
        Ok(shared)
    }

    pub fn state(&self) -> RedisState {
        match self.state.load(Ordering::Acquire) {
            STATE_UP => RedisState::Up,
            STATE_DOWN => RedisState::Down,
            _ => RedisState::Connecting,
        }
    }

    /// A fresh `PING` (readiness), with the usual deadline; updates the state.
    pub async fn ping(&self) -> bool {
        let mut connection = self.connection.clone();
        let answered = tokio::time::timeout(
            REDIS_CHECK_TIMEOUT,
            redis::cmd("PING").query_async::<String>(&mut connection),
        )
        .await;
        let up = matches!(answered, Ok(Ok(_)));
        if up {
            self.mark_up();
        } else {
            self.mark_down(&describe_failure(answered));
        }
        up
    }

    /// The shared check, or `None` when Redis is not in use right now (the caller limits
    /// locally).
    async fn check(&self, name: &str, limit: Limit, client: IpAddr) -> Option<Result<(), Duration>> {
        if self.state() != RedisState::Up {
            return None;
        }
        let t = 60_000_000 / u64::from(limit.per_minute.max(1));
        let tau = t * u64::from(limit.burst.max(1) - 1);
        let key = format!("{}:{name}:{client}", self.prefix);
        let mut connection = self.connection.clone();
        let mut invocation = self.script.key(key);
        invocation.arg(t).arg(tau);
        let answered = tokio::time::timeout(
            REDIS_CHECK_TIMEOUT,
            invocation.invoke_async::<Vec<i64>>(&mut connection),
        )
        .await;
        match answered {
            Ok(Ok(answer)) if answer.first() == Some(&1) => Some(Ok(())),
            Ok(Ok(answer)) if answer.first() == Some(&0) => {
                let wait = answer.get(1).copied().unwrap_or(0).max(0) as u64;
                Some(Err(Duration::from_micros(wait)))
            }
            other => {
                metrics::counter!("checkout_rate_limit_redis_errors_total").increment(1);
                self.mark_down(&describe_failure(other));
                None
            }
        }
    }

    /// `SET key 1 NX EX ttl_seconds`: `Some(true)` when this call set it, `Some(false)` when it
    /// was already there, `None` when Redis is not in use right now (the caller decides alone).
    /// One-time capabilities are spent this way (`crate::one_time`).
    pub async fn set_once(&self, key: &str, ttl_seconds: u64) -> Option<bool> {
        if self.state() != RedisState::Up {
            return None;
        }
        let mut connection = self.connection.clone();
        let answered = tokio::time::timeout(
            REDIS_CHECK_TIMEOUT,
            redis::cmd("SET")
                .arg(key)
                .arg(1)
                .arg("NX")
                .arg("EX")
                .arg(ttl_seconds)
                .query_async::<Option<String>>(&mut connection),
        )
        .await;
        match answered {
            Ok(Ok(set)) => Some(set.is_some()),
            other => {
                metrics::counter!("checkout_rate_limit_redis_errors_total").increment(1);
                self.mark_down(&describe_failure(other));
                None
            }
        }
    }

    fn mark_up(&self) {
        let before = self.state.swap(STATE_UP, Ordering::AcqRel);
        if before != STATE_UP {
            metrics::gauge!("checkout_rate_limit_redis_up").set(1.0);
            if before == STATE_DOWN {
                tracing::warn!("rate-limit Redis answers again: per-client limits are shared across instances again");
            } else {
                tracing::info!("rate-limit Redis answers: per-client limits are shared across instances");
            }
        }
    }

    /// Logged once per outage, however many requests meet it.
    fn mark_down(&self, why: &str) {
        if self.state.swap(STATE_DOWN, Ordering::AcqRel) != STATE_DOWN {
            metrics::gauge!("checkout_rate_limit_redis_up").set(0.0);
            tracing::warn!(
                error = why,
                "rate-limit Redis unreachable: each instance limits clients on its own until it answers again"
            );
        }
    }
}

/// Why `--rate-limit-redis` cannot be used, by the error's category only: the URL may carry a
/// password, and no message of ours repeats it.
#[derive(Debug, thiserror::Error)]
pub enum RedisSetupError {
    #[error("--rate-limit-redis is not a usable Redis URL: {0}")]
    Url(String),
    #[error("cannot set up the Redis connection: {0}")]
    Connection(String),
}

const STATE_CONNECTING: u8 = 0;
const STATE_UP: u8 = 1;
const STATE_DOWN: u8 = 2;

/// What went wrong with a Redis call, for a log line (the error kind, never the URL).
fn describe_failure<T>(answered: Result<redis::RedisResult<T>, tokio::time::error::Elapsed>) -> String {
    match answered {
        Ok(Ok(_)) => "unexpected answer".into(),
        Ok(Err(error)) if error.is_connection_refusal() => "connection refused".into(),
        Ok(Err(error)) if error.is_timeout() => "timed out".into(),
        Ok(Err(error)) if error.is_io_error() => "connection lost".into(),
        Ok(Err(error)) => error.category().to_string(),
        Err(_) => "timed out".into(),
    }
}

/// Pings Redis now and then while the limiter lives: often while it does not answer (so
/// limits are shared again soon after it is back), rarely while it does.
async fn probe(shared: Weak<SharedLimits>) {
    loop {
        let Some(limits) = shared.upgrade() else { return };
        let up = limits.ping().await;
        drop(limits);
        tokio::time::sleep(if up { REDIS_PROBE_UP } else { REDIS_PROBE_DOWN }).await;
    }
}

/// Whole seconds for `Retry-After`, never 0 (a client would retry at once).
pub fn retry_after_seconds(wait: Duration) -> u64 {
    (wait.as_secs_f64().ceil() as u64).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("ip")
    }

    /// An in-process limiter whose clock each check first moves to the given instant, so tests
    /// move time instead of sleeping.
    struct Timed {
        limiter: RateLimiter,
        clock: LimiterClock,
    }

    impl Timed {
        fn new(limit: Limit) -> Self {
            let clock = LimiterClock::manual(Instant::now());
            Timed {
                limiter: RateLimiter::with_clock(limit, clock.clone()),
                clock,
            }
        }

        fn check_at(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
            self.clock.set(now);
            self.limiter.check_local(client)
        }

        fn tracked_clients(&self) -> usize {
            self.limiter.tracked_clients()
        }
    }

    #[test]
    fn burst_then_refill_at_the_rate() {
        let limiter = Timed::new(Limit {
            per_minute: 60,
            burst: 2,
        });
        let start = Instant::now();
        let client = ip("192.0.2.1");
        assert!(limiter.check_at(client, start).is_ok());
        assert!(limiter.check_at(client, start).is_ok());
        let wait = limiter.check_at(client, start).expect_err("burst spent");
        assert!(
            wait > Duration::from_millis(900) && wait <= Duration::from_secs(1),
            "{wait:?}"
        );
        assert!(limiter.check_at(client, start + Duration::from_millis(500)).is_err());
        assert!(limiter.check_at(client, start + Duration::from_millis(1_500)).is_ok());
        // Other clients have their own bucket.
        assert!(limiter.check_at(ip("192.0.2.2"), start).is_ok());
    }

    #[test]
    fn zero_per_minute_disables() {
        let limiter = Timed::new(Limit::DISABLED);
        let now = Instant::now();
        assert!((0..1000).all(|_| limiter.check_at(ip("192.0.2.1"), now).is_ok()));
        assert_eq!(limiter.tracked_clients(), 0);
    }

    #[test]
    fn memory_stays_bounded_under_many_clients() {
        let limiter = Timed::new(Limit {
            per_minute: 1,
            burst: 1,
        });
        let now = Instant::now();
        for n in 0..(MAX_CLIENTS as u32 * 3) {
            let _ = limiter.check_at(
                IpAddr::V4(Ipv4Addr::from(0x0A00_0000 + n)),
                now + Duration::from_micros(n.into()),
            );
        }
        assert!(
            limiter.tracked_clients() <= MAX_CLIENTS,
            "{}",
            limiter.tracked_clients()
        );
        // At the bound, buckets idle long enough to be full again are simply forgotten.
        let idle = Timed::new(Limit {
            per_minute: 60,
            burst: 1,
        });
        for n in 0..MAX_CLIENTS as u32 {
            let _ = idle.check_at(IpAddr::V4(Ipv4Addr::from(0x0A00_0000 + n)), now);
        }
        assert_eq!(idle.tracked_clients(), MAX_CLIENTS);
        let _ = idle.check_at(ip("192.0.2.9"), now + Duration::from_secs(5));
        assert_eq!(idle.tracked_clients(), 1);
    }

    #[test]
    fn keys_ipv6_by_prefix_and_trusts_forwarded_only_when_told() {
        assert_eq!(bucket_key(ip("2001:db8:1:2:3:4:5:6")), ip("2001:db8:1:2::"));
        assert_eq!(bucket_key(ip("::ffff:192.0.2.7")), ip("192.0.2.7"));
        let client = ClientAddr {
            peer: Some(ip("10.0.0.1")),
            forwarded_for: Some(ip("198.51.100.4")),
        };
        let direct = RateLimits::new(RateLimitConfig::DEFAULT);
        assert_eq!(direct.client_key(&client), ip("10.0.0.1"));
        let proxied = RateLimits::new(RateLimitConfig {
            trust_proxy: true,
            ..RateLimitConfig::DEFAULT
        });
        assert_eq!(proxied.client_key(&client), ip("198.51.100.4"));
    }

    #[test]
    fn retry_after_rounds_up_and_is_never_zero() {
        assert_eq!(retry_after_seconds(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_seconds(Duration::from_millis(2_100)), 3);
        assert_eq!(retry_after_seconds(Duration::from_secs(6)), 6);
        assert_eq!(retry_after_seconds(Duration::ZERO), 1);
    }
}
