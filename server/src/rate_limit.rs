//! Per-client token buckets for the two `/api` calls that cost the most (opening a session,
//! submitting a payment), keyed by client address, with bounded memory.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

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
    pub const DISABLED: Limit = Limit { per_minute: 0, burst: 0 };

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
        sessions: Limit { per_minute: 20, burst: 10 },
        payments: Limit { per_minute: 10, burst: 5 },
        reads: Limit { per_minute: 600, burst: 120 },
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
    pub fn new(config: RateLimitConfig) -> Self {
        RateLimits {
            sessions: RateLimiter::new(config.sessions),
            payments: RateLimiter::new(config.payments),
            reads: RateLimiter::new(config.reads),
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

/// A client as seen by the server: the TCP peer and the last `X-Forwarded-For` entry.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr {
    pub peer: Option<IpAddr>,
    pub forwarded_for: Option<IpAddr>,
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip());
        // Several headers are read as one list, in order, like proxies append them.
        let forwarded_for = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .next_back()
            .and_then(parse_forwarded_entry);
        Ok(ClientAddr { peer, forwarded_for })
    }
}

/// One `X-Forwarded-For` entry: a bare address (`192.0.2.1`, `2001:db8::1`), or one with the
/// client's port as some proxies write it (`192.0.2.1:5555`, `[2001:db8::1]:443`, `[2001:db8::1]`).
/// Anything else (`unknown`, a host name) is no address.
fn parse_forwarded_entry(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    if let Ok(ip) = entry.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(addr) = entry.parse::<SocketAddr>() {
        return Some(addr.ip());
    }
    let bracketed = entry.strip_prefix('[')?.strip_suffix(']')?;
    bracketed.parse::<Ipv6Addr>().ok().map(IpAddr::V6)
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

struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// A token bucket per client: `burst` tokens, refilled at `per_minute / 60` per second.
pub struct RateLimiter {
    limit: Limit,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

impl RateLimiter {
    pub fn new(limit: Limit) -> Self {
        // A burst of 0 would refuse everything; a limit always lets one request through.
        let limit = Limit { burst: limit.burst.max(1), ..limit };
        RateLimiter { limit, buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes a token for `client`, or says how long until one is available.
    pub fn check(&self, client: IpAddr) -> Result<(), Duration> {
        self.check_at(client, Instant::now())
    }

    /// `check` at a given instant (tests move time instead of sleeping).
    pub fn check_at(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        if self.limit.is_disabled() {
            return Ok(());
        }
        let rate = f64::from(self.limit.per_minute) / 60.0;
        let burst = f64::from(self.limit.burst);
        let mut buckets = self.buckets.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if buckets.len() >= MAX_CLIENTS && !buckets.contains_key(&client) {
            self.sweep(&mut buckets, now);
        }
        let bucket = buckets.entry(client).or_insert(Bucket { tokens: burst, updated: now });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(burst);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / rate))
        }
    }

    /// Clients currently tracked (tests check the bound).
    pub fn tracked_clients(&self) -> usize {
        self.buckets.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).len()
    }

    /// Drops buckets that have refilled completely (forgetting them changes nothing); if every
    /// client is still active, drops the least recently seen half: they get a fresh burst,
    /// which is the price of a memory bound.
    fn sweep(&self, buckets: &mut HashMap<IpAddr, Bucket>, now: Instant) {
        let refill = Duration::from_secs_f64(f64::from(self.limit.burst) * 60.0 / f64::from(self.limit.per_minute));
        buckets.retain(|_, bucket| now.saturating_duration_since(bucket.updated) < refill);
        if buckets.len() >= MAX_CLIENTS {
            let mut seen: Vec<Instant> = buckets.values().map(|b| b.updated).collect();
            seen.sort_unstable();
            let cutoff = seen[seen.len() / 2];
            buckets.retain(|_, bucket| bucket.updated > cutoff);
        }
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

    #[test]
    fn burst_then_refill_at_the_rate() {
        let limiter = RateLimiter::new(Limit { per_minute: 60, burst: 2 });
        let start = Instant::now();
        let client = ip("192.0.2.1");
        assert!(limiter.check_at(client, start).is_ok());
        assert!(limiter.check_at(client, start).is_ok());
        let wait = limiter.check_at(client, start).expect_err("burst spent");
        assert!(wait > Duration::from_millis(900) && wait <= Duration::from_secs(1), "{wait:?}");
        assert!(limiter.check_at(client, start + Duration::from_millis(500)).is_err());
        assert!(limiter.check_at(client, start + Duration::from_millis(1_500)).is_ok());
        // Other clients have their own bucket.
        assert!(limiter.check_at(ip("192.0.2.2"), start).is_ok());
    }

    #[test]
    fn zero_per_minute_disables() {
        let limiter = RateLimiter::new(Limit::DISABLED);
        let now = Instant::now();
        assert!((0..1000).all(|_| limiter.check_at(ip("192.0.2.1"), now).is_ok()));
        assert_eq!(limiter.tracked_clients(), 0);
    }

    #[test]
    fn memory_stays_bounded_under_many_clients() {
        let limiter = RateLimiter::new(Limit { per_minute: 1, burst: 1 });
        let now = Instant::now();
        for n in 0..(MAX_CLIENTS as u32 * 3) {
            let _ = limiter.check_at(IpAddr::V4(Ipv4Addr::from(0x0A00_0000 + n)), now + Duration::from_micros(n.into()));
        }
        assert!(limiter.tracked_clients() <= MAX_CLIENTS, "{}", limiter.tracked_clients());
        // At the bound, buckets idle long enough to be full again are simply forgotten.
        let idle = RateLimiter::new(Limit { per_minute: 60, burst: 1 });
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
        let client = ClientAddr { peer: Some(ip("10.0.0.1")), forwarded_for: Some(ip("198.51.100.4")) };
        let direct = RateLimits::new(RateLimitConfig::DEFAULT);
        assert_eq!(direct.client_key(&client), ip("10.0.0.1"));
        let proxied = RateLimits::new(RateLimitConfig { trust_proxy: true, ..RateLimitConfig::DEFAULT });
        assert_eq!(proxied.client_key(&client), ip("198.51.100.4"));
    }

    /// The `ClientAddr` of a request with these `X-Forwarded-For` header values.
    fn forwarded(values: &[&str]) -> Option<IpAddr> {
        let mut request = axum::http::Request::builder();
        for value in values {
            request = request.header("x-forwarded-for", *value);
        }
        let (mut parts, ()) = request.body(()).expect("request").into_parts();
        let extract = ClientAddr::from_request_parts(&mut parts, &());
        let client = block_on(extract).expect("infallible");
        client.forwarded_for
    }

    /// Runs an extractor that never waits (`ClientAddr` reads headers only).
    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread().build().expect("runtime").block_on(future)
    }

    #[test]
    fn forwarded_entries_with_ports_are_parsed() {
        assert_eq!(forwarded(&["198.51.100.4"]), Some(ip("198.51.100.4")));
        assert_eq!(forwarded(&["198.51.100.4:5555"]), Some(ip("198.51.100.4")));
        assert_eq!(forwarded(&["[2001:db8::7]:443"]), Some(ip("2001:db8::7")));
        assert_eq!(forwarded(&["[2001:db8::8]"]), Some(ip("2001:db8::8")));
        assert_eq!(forwarded(&["2001:db8::9"]), Some(ip("2001:db8::9")));
        // The last entry of the last header is the one the proxy appended.
        assert_eq!(forwarded(&["10.9.9.9, 203.0.113.5:80", " 192.0.2.44:1234 "]), Some(ip("192.0.2.44")));
        assert_eq!(forwarded(&["192.0.2.1, [2001:db8::1]:8080"]), Some(ip("2001:db8::1")));
        for junk in ["", "unknown", "example.com:80", "[2001:db8::1", "2001:db8::1]:80", "1.2.3.4:", "1.2.3.4:x", "[1.2.3.4]:80"] {
            assert_eq!(forwarded(&[junk]), None, "{junk:?}");
        }
        assert_eq!(forwarded(&[]), None);
    }

    #[test]
    fn retry_after_rounds_up_and_is_never_zero() {
        assert_eq!(retry_after_seconds(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_seconds(Duration::from_millis(2_100)), 3);
        assert_eq!(retry_after_seconds(Duration::from_secs(6)), 6);
        assert_eq!(retry_after_seconds(Duration::ZERO), 1);
    }
}
