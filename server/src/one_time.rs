//! One-time capabilities, spent: the only state the gateway keeps about a session, and only for
//! the capabilities it put into a provider's return URL (`crate::capability`). The first call
//! that presents one spends it; every later one is refused like a forgery.
//!
//! Spent codes are kept in this process (until their expiry), and, with `--rate-limit-redis`,
//! in that Redis too (`SET checkout:spent:<digest> 1 NX EX <seconds to expiry>`), so any
//! instance refuses a code another one took. While Redis does not answer, each instance keeps
//! its own list (a code could then be taken once per instance), as the rate limits do. Keys are
//! a digest of the code, never the code.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use crate::rate_limit::SharedLimits;

/// Above this many remembered codes, expired ones are dropped before adding one. Only genuine
/// codes get here (the MAC is checked first), and those come one per payment.
const PRUNE_ABOVE: usize = 10_000;

/// The codes already taken.
pub struct SpentCodes {
    local: Mutex<HashMap<[u8; 16], u64>>,
    shared: Option<Arc<SharedLimits>>,
}

impl SpentCodes {
    pub fn new(shared: Option<Arc<SharedLimits>>) -> Self {
        SpentCodes {
            local: Mutex::new(HashMap::new()),
            shared,
        }
    }

    /// Takes `code` (genuine, valid until `expiry`, unix seconds): `true` the first time only.
    pub async fn spend(&self, code: &str, expiry: u64, now: u64) -> bool {
        let digest: [u8; 16] = Sha256::digest(code.as_bytes())[..16]
            .try_into()
            .unwrap_or_else(|_| unreachable!("a SHA-256 digest has 32 bytes"));
        // Here first: this instance never accepts a code twice, whatever Redis says.
        if !self.spend_here(digest, expiry, now) {
            return false;
        }
        let Some(shared) = &self.shared else {
            return true;
        };
        let key = format!("checkout:spent:{}", hex(&digest));
        // `None`: Redis is not in use right now; this instance's list decides.
        shared
            .set_once(&key, expiry.saturating_sub(now).max(1))
            .await
            .unwrap_or(true)
    }

    fn spend_here(&self, digest: [u8; 16], expiry: u64, now: u64) -> bool {
        let mut spent = self.local.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if spent.len() > PRUNE_ABOVE {
            spent.retain(|_, until| *until >= now);
        }
        spent.insert(digest, expiry).is_none()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_code_is_taken_once() {
        let spent = SpentCodes::new(None);
        assert!(spent.spend("cs_1.11.mac", 11, 5).await);
        assert!(!spent.spend("cs_1.11.mac", 11, 6).await);
        assert!(spent.spend("cs_1.13.mac", 13, 6).await, "another code");
    }

    #[tokio::test]
    async fn expired_codes_are_forgotten_only_when_many() {
        let spent = SpentCodes::new(None);
        for i in 0..=PRUNE_ABOVE as u64 {
            assert!(spent.spend(&format!("c{i}"), 10, 1).await);
        }
        // Past their expiry: pruned on the next insert, which still refuses nothing genuine.
        assert!(spent.spend("fresh", 100, 50).await);
        assert_eq!(spent.local.lock().expect("lock").len(), 1);
    }
}
