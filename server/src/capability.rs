//! Session capabilities: what proves that a browser may read or pay on a checkout session.
//!
//! The gateway issues one when it opens or refreshes a session for a browser, and requires it
//! (header [`HEADER`]) on every read of that session and every payment submission. It is
//! stateless, so any number of gateway instances sharing `CHECKOUT_SESSION_SECRET` verify each
//! other's: `<session id>.<expiry, unix seconds>.<HMAC-SHA256(secret, "v1|" id "|" expiry),
//! base64url>`. Session ids are `[A-Za-z0-9_-]`, so the whole text is URL-safe and splits on `.`.
//! Each capability has exactly one accepted spelling (no leading zeros, strict base64), so no
//! cache, log filter or comparison ever sees two texts for one grant.
//!
//! Two kinds, told apart by the parity of the (signed) expiry: a tab's capability (even), which a
//! browser keeps in `sessionStorage` or its frame's URL and sends on every call, and a one-time
//! one (odd), which the gateway puts only into the providers' return URLs. A top-level URL stays
//! in the browser's history for anyone who later has the profile, so a one-time capability grants
//! exactly one call (`crate::one_time`): the page trades it at once, by POST, for a capability
//! of its own, and the copy in the history is then worth nothing.
//! A capability is a bearer credential: it never goes into a log line (the access log prints
//! route templates only) and the browser keeps it in `sessionStorage` or its own frame URL.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use checkout_core::model::is_valid_id;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The request header that carries the capability (same-origin requests only: the SPA's).
pub const HEADER: &str = "x-checkout-capability";
/// The field added to an opened or refreshed session's answer.
pub const FIELD: &str = "capability";
/// How long a capability stays valid: long enough for a slow bank transfer's outcome to be
/// read after the return, short enough that an old screenshot of a URL is worthless.
pub const LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// How many odd expiries a one-time capability's is drawn from (the last twelve hours of its
/// lifetime, every other second).
const ONE_TIME_SPREAD: u64 = 21_600;
/// Shortest accepted secret, in bytes.
pub const MIN_SECRET_BYTES: usize = 32;
/// Longest capability text we look at (an id of 128 plus the rest), so a hostile header costs nothing.
const MAX_LEN: usize = 200;

type HmacSha256 = Hmac<Sha256>;

/// A server secret: never printed, not even by `{:?}`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// The operator's secret, checked for length.
    pub fn parse(text: &str) -> Result<Secret, SecretTooShort> {
        let bytes = text.trim().as_bytes().to_vec();
        if bytes.len() < MIN_SECRET_BYTES {
            return Err(SecretTooShort);
        }
        Ok(Secret(bytes))
    }

    /// 32 random bytes: a single instance that no other has to verify (sandbox mode, tests).
    pub fn random() -> Secret {
        Secret(rand::random::<[u8; 32]>().to_vec())
    }
}

/// A configured secret shorter than [`MIN_SECRET_BYTES`]: guessable.
#[derive(Debug, thiserror::Error)]
#[error("must be at least {MIN_SECRET_BYTES} bytes (e.g. `openssl rand -hex 32`)")]
pub struct SecretTooShort;

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// What a genuine capability grants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grant<'a> {
    pub session_id: &'a str,
    /// Unix seconds.
    pub expiry: u64,
    /// A return URL's: one call, then nothing.
    pub one_time: bool,
}

/// Issues and verifies capabilities with the current secret; a previous secret (during a
/// rotation) is still accepted for verification.
#[derive(Clone, Debug)]
pub struct Capabilities {
    current: Secret,
    previous: Option<Secret>,
}

impl Capabilities {
    pub fn new(current: Secret, previous: Option<Secret>) -> Self {
        Capabilities { current, previous }
    }

    /// A capability for `session_id`, valid for [`LIFETIME`] from now. `None` for an id that is
    /// not a Conomy id (nothing to bind to).
    pub fn issue(&self, session_id: &str) -> Option<String> {
        self.issue_at(session_id, unix_now())
    }

    pub fn issue_at(&self, session_id: &str, now: u64) -> Option<String> {
        // Even: a tab's capability (at most a second short of `LIFETIME`).
        self.sign_for(session_id, now.saturating_add(LIFETIME.as_secs()) & !1)
    }

    /// A one-time capability for `session_id` (a provider return URL's), valid until its first
    /// use, or for [`LIFETIME`] less up to twelve hours: its odd expiry is drawn from the last
    /// twelve hours, so two codes issued for one session in the same second (a second payment
    /// at once, another gateway) are two codes but for a 1-in-21600 chance.
    pub fn issue_one_time(&self, session_id: &str) -> Option<String> {
        self.issue_one_time_at(session_id, unix_now(), rand::random::<u64>())
    }

    /// [`Capabilities::issue_one_time`] at `now`, with `draw` choosing the expiry.
    pub fn issue_one_time_at(&self, session_id: &str, now: u64, draw: u64) -> Option<String> {
        let latest = now.saturating_add(LIFETIME.as_secs()) | 1;
        self.sign_for(session_id, latest.saturating_sub(2 * (draw % ONE_TIME_SPREAD)))
    }

    fn sign_for(&self, session_id: &str, expiry: u64) -> Option<String> {
        if !is_valid_id(session_id) {
            return None;
        }
        let mac = URL_SAFE_NO_PAD.encode(sign(&self.current, session_id, expiry));
        Some(format!("{session_id}.{expiry}.{mac}"))
    }

    /// What a capability grants, if it is genuine and not expired.
    pub fn grant<'a>(&self, capability: &'a str) -> Option<Grant<'a>> {
        self.grant_at(capability, unix_now())
    }

    pub fn grant_at<'a>(&self, capability: &'a str, now: u64) -> Option<Grant<'a>> {
        let session_id = self.verify_at(capability, now)?;
        let expiry = capability.split('.').nth(1)?.parse::<u64>().ok()?;
        Some(Grant {
            session_id,
            expiry,
            one_time: expiry % 2 == 1,
        })
    }

    /// The session id a capability grants, if it is genuine and not expired.
    pub fn verify<'a>(&self, capability: &'a str) -> Option<&'a str> {
        self.verify_at(capability, unix_now())
    }

    pub fn verify_at<'a>(&self, capability: &'a str, now: u64) -> Option<&'a str> {
        if capability.len() > MAX_LEN {
            return None;
        }
        let mut parts = capability.split('.');
        let (id, expiry, mac) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || !is_valid_id(id) {
            return None;
        }
        // One spelling per capability: the MAC covers the number, so the text must be the one
        // `issue` writes (no leading zero, no sign); the MAC's base64 is strict (no padding,
        // unused low bits zero: `URL_SAFE_NO_PAD`'s defaults).
        if !is_canonical_number(expiry) {
            return None;
        }
        let expiry: u64 = expiry.parse().ok()?;
        if expiry < now {
            return None;
        }
        let mac = URL_SAFE_NO_PAD.decode(mac).ok()?;
        let genuine = std::iter::once(&self.current)
            .chain(self.previous.as_ref())
            .any(|secret| verify(secret, id, expiry, &mac));
        genuine.then_some(id)
    }

    /// Whether `capability` grants exactly `session_id`.
    pub fn grants(&self, capability: Option<&str>, session_id: &str) -> bool {
        capability
            .and_then(|c| self.verify(c))
            .is_some_and(|granted| granted == session_id)
    }
}

/// A positive decimal as `u64::to_string` writes it, at most 12 digits.
pub fn is_canonical_number(text: &str) -> bool {
    (1..=12).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()) && !text.starts_with('0')
}

fn mac_for(secret: &Secret, id: &str, expiry: u64) -> HmacSha256 {
    // HMAC takes keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = HmacSha256::new_from_slice(&secret.0).unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(b"v1|");
    mac.update(id.as_bytes());
    mac.update(b"|");
    mac.update(expiry.to_string().as_bytes());
    mac
}

fn sign(secret: &Secret, id: &str, expiry: u64) -> Vec<u8> {
    mac_for(secret, id, expiry).finalize().into_bytes().to_vec()
}

/// Constant-time comparison (`Mac::verify_slice`).
fn verify(secret: &Secret, id: &str, expiry: u64, tag: &[u8]) -> bool {
    mac_for(secret, id, expiry).verify_slice(tag).is_ok()
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Capabilities {
        Capabilities::new(Secret::parse(&"k".repeat(32)).expect("secret"), None)
    }

    #[test]
    fn a_capability_grants_its_session_until_it_expires() {
        let keys = keys();
        let cap = keys.issue_at("cs_123", 1_000).expect("issued");
        assert!(
            cap.starts_with("cs_123.") && !cap.contains(['/', '+', '=', '%']),
            "{cap}"
        );
        assert_eq!(keys.verify_at(&cap, 1_000), Some("cs_123"));
        assert_eq!(keys.verify_at(&cap, 1_000 + LIFETIME.as_secs()), Some("cs_123"));
        assert_eq!(keys.verify_at(&cap, 1_001 + LIFETIME.as_secs()), None, "expired");
    }

    #[test]
    fn forgeries_are_refused() {
        let keys = keys();
        let cap = keys.issue_at("cs_123", 1_000).expect("issued");
        let (_, rest) = cap.split_once('.').expect("dot");
        let (expiry, mac) = rest.split_once('.').expect("dot");
        // Another session's id with this MAC, a later expiry, a bare id, garbage.
        for forged in [
            format!("cs_124.{rest}"),
            format!("cs_123.{}.{mac}", expiry.parse::<u64>().unwrap() + 1),
            "cs_123".to_string(),
            format!("cs_123.{expiry}."),
            format!("cs_123.{expiry}.{mac}.x"),
            format!("../x.{rest}"),
            "x".repeat(500),
        ] {
            assert_eq!(keys.verify_at(&forged, 1_000), None, "{forged}");
        }
        // Another server's secret.
        let other = Capabilities::new(Secret::random(), None);
        assert_eq!(other.verify_at(&cap, 1_000), None);
        assert!(keys.issue_at("not an id", 1_000).is_none());
    }

    #[test]
    fn a_capability_has_exactly_one_spelling() {
        let keys = keys();
        let cap = keys.issue_at("cs_123", 1_000).expect("issued");
        let (_, rest) = cap.split_once('.').expect("dot");
        let (expiry, mac) = rest.split_once('.').expect("dot");
        // The MAC's last character holds 2 bits and 4 zero bits: the same bytes under other
        // low bits would be a second spelling of the same MAC.
        let last = mac.chars().last().expect("a MAC");
        let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let index = alphabet.find(last).expect("base64url");
        let sibling = alphabet.chars().nth(index | 1).expect("in range");
        let other_bits = format!("{}{sibling}", &mac[..mac.len() - 1]);
        for spelling in [
            format!("cs_123.0{expiry}.{mac}"),
            format!("cs_123.00{expiry}.{mac}"),
            format!("cs_123.+{expiry}.{mac}"),
            format!("cs_123.{expiry}.{mac}="),
            other_bits,
        ] {
            assert_eq!(keys.verify_at(&spelling, 1_000), None, "{spelling}");
        }
        assert_eq!(keys.verify_at(&cap, 1_000), Some("cs_123"));
    }

    #[test]
    fn one_time_capabilities_are_told_apart_by_their_signed_expiry() {
        let keys = keys();
        for now in [1_000, 1_001] {
            let tab = keys.issue_at("cs_1", now).expect("issued");
            let once = keys.issue_one_time_at("cs_1", now, 0).expect("issued");
            let (tab, once) = (
                keys.grant_at(&tab, now).expect("genuine"),
                keys.grant_at(&once, now).expect("genuine"),
            );
            assert_eq!((tab.session_id, tab.one_time), ("cs_1", false));
            assert_eq!((once.session_id, once.one_time), ("cs_1", true));
            assert!(tab.expiry.abs_diff(now + LIFETIME.as_secs()) <= 1);
            assert!(once.expiry.abs_diff(now + LIFETIME.as_secs()) <= 1);
        }
        // The parity is under the MAC: a one-time capability cannot be re-spelled as a tab's.
        let once = keys.issue_one_time_at("cs_1", 1_000, 7).expect("issued");
        assert_ne!(
            once,
            keys.issue_one_time_at("cs_1", 1_000, 8).expect("issued"),
            "another draw, another code"
        );
        let earliest = keys
            .issue_one_time_at("cs_1", 1_000, ONE_TIME_SPREAD - 1)
            .expect("issued");
        let earliest = keys.grant_at(&earliest, 1_000).expect("genuine");
        assert!(earliest.one_time && earliest.expiry + 12 * 3600 >= 1_000 + LIFETIME.as_secs());
        let (_, rest) = once.split_once('.').expect("dot");
        let (expiry, mac) = rest.split_once('.').expect("dot");
        let even = expiry.parse::<u64>().expect("number") - 1;
        assert_eq!(keys.grant_at(&format!("cs_1.{even}.{mac}"), 1_000), None);
    }

    #[test]
    fn the_previous_secret_still_verifies_during_a_rotation() {
        let old = Secret::parse(&"o".repeat(40)).expect("secret");
        let before = Capabilities::new(old.clone(), None)
            .issue_at("cs_1", 5)
            .expect("issued");
        let rotated = Capabilities::new(Secret::random(), Some(old));
        assert_eq!(rotated.verify_at(&before, 5), Some("cs_1"));
        assert!(rotated.grants(Some(&rotated.issue("cs_2").expect("issued")), "cs_2"));
        assert!(!rotated.grants(Some(&rotated.issue("cs_2").expect("issued")), "cs_3"));
        assert!(!rotated.grants(None, "cs_2"));
    }

    #[test]
    fn short_secrets_are_refused_and_secrets_never_print() {
        assert!(Secret::parse("short").is_err());
        let secret = Secret::parse(&"s3cr3t".repeat(8)).expect("long enough");
        assert!(!format!("{secret:?}").contains("s3cr3t"));
    }
}
