//! The simulator's in-memory state: links, sessions, payments and access tokens, with the
//! status transitions of a real session (lazy expiry, settlement) kept in one place.

use std::collections::{HashMap, HashSet};

use checkout_core::model::{LinkStatus, PaymentStatus, Rail, SessionStatus};
use serde_json::Value;
use time::{Duration, OffsetDateTime};

use super::order::Order;
use super::DemoLink;

/// Sessions kept at most; the oldest unpinned ones go first. The public `/api` can open
/// sessions, so without a bound anyone could grow the server's memory at will.
const MAX_SESSIONS: usize = 10_000;
const MAX_TOKENS: usize = 10_000;
/// Links kept at most; the oldest unpinned ones go first, like sessions. The sandbox's merchant
/// API is open to anyone holding the printed demo credentials, so it needs the same bound.
const MAX_LINKS: usize = 10_000;
/// The longest a checkout session opened from a link lives; it ends sooner when its link does.
/// A link's `duration` bounds the link (§8), so a session needs a time of its own.
pub const SESSION_LIFETIME: Duration = Duration::minutes(30);

#[derive(Debug, Clone)]
pub struct LinkRecord {
    pub id: String,
    pub token: String,
    pub status: LinkStatus,
    pub created_at: OffsetDateTime,
    /// When the link stops taking sessions: `duration` seconds after its creation, or after
    /// the `activate` that revived it (§8).
    pub expires_at: OffsetDateTime,
    pub order: Order,
    /// Demo links are never pruned.
    pub pinned: bool,
}

impl LinkRecord {
    /// A new link taking sessions for `order.duration` seconds from `now`.
    pub fn new(token: String, status: LinkStatus, order: Order, now: OffsetDateTime) -> LinkRecord {
        let expires_at = now + order.lifetime();
        LinkRecord {
            id: new_id("pl"),
            token,
            status,
            created_at: now,
            expires_at,
            order,
            pinned: false,
        }
    }

    /// When a session opened at `now` ends: [`SESSION_LIFETIME`] later, never after the link.
    pub fn session_expiry(&self, now: OffsetDateTime) -> OffsetDateTime {
        (now + SESSION_LIFETIME).min(self.expires_at)
    }
}

#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub id: String,
    pub link_id: Option<String>,
    pub token: String,
    pub status: SessionStatus,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    /// The link's order as it was when the session opened.
    pub order: Order,
    /// Demo fixtures are never pruned.
    pub pinned: bool,
}

#[derive(Debug, Clone)]
pub struct PaymentRecord {
    pub id: String,
    pub session_id: String,
    pub status: PaymentStatus,
    pub rail: Rail,
    pub purchase_currency: String,
    pub purchase_amount: String,
    pub product: String,
    pub description: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// `origins[0]` as returned: the submitted rail node plus the next action.
    pub origin: Value,
}

impl PaymentRecord {
    /// The rail node's `successUrl` / `failedUrl` as submitted by the payer's checkout.
    pub fn return_url(&self, approved: bool) -> Option<String> {
        let key = if approved { "successUrl" } else { "failedUrl" };
        self.origin
            .get(self.rail.node_key())?
            .get(key)?
            .as_str()
            .map(str::to_string)
    }
}

/// Why a provider-page decision could not be applied.
#[derive(Debug, Clone, PartialEq)]
pub enum SettleError {
    NotFound,
    /// The payment already left `CREATED` (settled, failed or expired with its session).
    AlreadyProcessed(PaymentStatus),
}

#[derive(Default)]
pub struct Store {
    pub links: Vec<LinkRecord>,
    pub sessions: Vec<SessionRecord>,
    pub payments: Vec<PaymentRecord>,
    /// Access token → expiry.
    pub tokens: HashMap<String, OffsetDateTime>,
    pub demo: Vec<DemoLink>,
}

/// `<prefix>_<20 hex digits>`: unique enough, and valid Conomy ids (`[A-Za-z0-9_-]`).
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{:016x}{:04x}", rand::random::<u64>(), rand::random::<u16>())
}

impl Store {
    pub fn link(&self, id: &str) -> Option<&LinkRecord> {
        self.links.iter().find(|l| l.id == id)
    }

    pub fn link_mut(&mut self, id: &str) -> Option<&mut LinkRecord> {
        self.links.iter_mut().find(|l| l.id == id)
    }

    pub fn link_by_token(&self, token: &str) -> Option<&LinkRecord> {
        self.links.iter().find(|l| l.token == token)
    }

    pub fn session(&self, id: &str) -> Option<&SessionRecord> {
        self.sessions.iter().find(|s| s.id == id)
    }

    pub fn session_mut(&mut self, id: &str) -> Option<&mut SessionRecord> {
        self.sessions.iter_mut().find(|s| s.id == id)
    }

    pub fn payment(&self, id: &str) -> Option<&PaymentRecord> {
        self.payments.iter().find(|p| p.id == id)
    }

    /// Stores a link, dropping the oldest unpinned ones beyond [`MAX_LINKS`]. Their sessions
    /// stay (bounded on their own) and can still be read and paid; the token no longer opens any.
    pub fn add_link(&mut self, link: LinkRecord) {
        self.links.push(link);
        while self.links.len() > MAX_LINKS {
            let Some(index) = self.links.iter().position(|l| !l.pinned) else {
                return;
            };
            self.links.remove(index);
        }
    }

    /// Whether a payment of the link, in any of its sessions, is waiting for the provider or
    /// settled: a single-use link (not `metadata.reusable`) then takes no further session or
    /// payment, so one link cannot be paid twice by two visitors.
    pub fn link_is_being_paid(&self, link_id: &str) -> bool {
        let sessions: HashSet<&str> = self
            .sessions
            .iter()
            .filter(|s| s.link_id.as_deref() == Some(link_id))
            .map(|s| s.id.as_str())
            .collect();
        !sessions.is_empty()
            && self.payments.iter().any(|p| {
                (is_pending(&p.status) || p.status == PaymentStatus::Settled)
                    && sessions.contains(p.session_id.as_str())
            })
    }

    /// Whether a checkout token is taken (by a link or a directly created session).
    pub fn token_in_use(&self, token: &str) -> bool {
        self.links.iter().any(|l| l.token == token) || self.sessions.iter().any(|s| s.token == token)
    }

    /// The newest session of a link, optionally only with the given status.
    pub fn latest_session_of(&self, link_id: &str, status: Option<&SessionStatus>) -> Option<&SessionRecord> {
        self.sessions
            .iter()
            .rev()
            .find(|s| s.link_id.as_deref() == Some(link_id) && status.is_none_or(|want| &s.status == want))
    }

    /// Opens an ACTIVE session of `link` at `now`, ending with [`LinkRecord::session_expiry`].
    pub fn open_link_session(&mut self, link: &LinkRecord, now: OffsetDateTime) -> SessionRecord {
        let expires_at = link.session_expiry(now);
        self.push_session(
            Some(link.id.clone()),
            link.token.clone(),
            link.order.clone(),
            now,
            expires_at,
        )
    }

    /// Opens an ACTIVE session without a link, living `order.duration` seconds from `now`.
    pub fn open_direct_session(&mut self, token: String, order: Order, now: OffsetDateTime) -> SessionRecord {
        let expires_at = now + order.lifetime();
        self.push_session(None, token, order, now, expires_at)
    }

    fn push_session(
        &mut self,
        link_id: Option<String>,
        token: String,
        order: Order,
        created_at: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> SessionRecord {
        let session = SessionRecord {
            id: new_id("cs"),
            link_id,
            token,
            status: SessionStatus::Active,
            created_at,
            expires_at,
            order,
            pinned: false,
        };
        self.sessions.push(session.clone());
        self.prune_sessions();
        session
    }

    fn prune_sessions(&mut self) {
        while self.sessions.len() > MAX_SESSIONS {
            let Some(index) = self.sessions.iter().position(|s| !s.pinned) else {
                return;
            };
            let removed = self.sessions.remove(index);
            self.payments.retain(|p| p.session_id != removed.id);
        }
    }

    /// Lazy expiry, run before every read: a link past its time that is not FINISHED becomes
    /// EXPIRED; a session past `expiresAt` that is not FINISHED or FAILED becomes EXPIRED, and a
    /// payment still waiting on it expires too. (A session ends no later than its link, so the
    /// link's sessions need no separate pass.)
    pub fn expire_due(&mut self, now: OffsetDateTime) {
        for link in self.links.iter_mut().filter(|l| now > l.expires_at) {
            if matches!(link.status, LinkStatus::Active | LinkStatus::Attempt) {
                link.status = LinkStatus::Expired;
            }
        }
        let due: Vec<String> = self
            .sessions
            .iter()
            .filter(|s| now > s.expires_at && is_open(&s.status))
            .map(|s| s.id.clone())
            .collect();
        for id in due {
            self.expire_session(&id, now);
        }
    }

    /// Forces a session to EXPIRED now (sandbox control, lazy expiry). `false` if unknown.
    pub fn expire_session(&mut self, id: &str, now: OffsetDateTime) -> bool {
        let Some(session) = self.session_mut(id) else {
            return false;
        };
        if is_open(&session.status) {
            session.status = SessionStatus::Expired;
            session.expires_at = session.expires_at.min(now);
        }
        for payment in self.payments.iter_mut().filter(|p| p.session_id == id) {
            if is_pending(&payment.status) {
                payment.status = PaymentStatus::Expired;
                payment.updated_at = now;
            }
        }
        true
    }

    /// Applies the sandbox provider's decision on a pending payment. Approve: payment SETTLED,
    /// session FINISHED, link FINISHED (unless `reusable`). Decline: payment FAILED; the session is payable again
    /// (ACTIVE) so the payer can try another method, unless the link allows a single attempt.
    pub fn settle(
        &mut self,
        payment_id: &str,
        approve: bool,
        now: OffsetDateTime,
    ) -> Result<PaymentRecord, SettleError> {
        let payment = self
            .payments
            .iter_mut()
            .find(|p| p.id == payment_id)
            .ok_or(SettleError::NotFound)?;
        if !is_pending(&payment.status) {
            return Err(SettleError::AlreadyProcessed(payment.status.clone()));
        }
        payment.status = if approve {
            PaymentStatus::Settled
        } else {
            PaymentStatus::Failed
        };
        payment.updated_at = now;
        let payment = payment.clone();
        let mut finished_link = None;
        if let Some(session) = self.sessions.iter_mut().find(|s| s.id == payment.session_id) {
            session.status = match (approve, session.order.options.single_attempt) {
                (true, _) => SessionStatus::Finished,
                (false, true) => SessionStatus::Failed,
                (false, false) => SessionStatus::Active,
            };
            if approve && !session.order.options.reusable {
                finished_link = session.link_id.clone();
            }
        }
        if let Some(link) = finished_link.and_then(|id| self.link_mut(&id)) {
            link.status = LinkStatus::Finished;
        }
        Ok(payment)
    }

    /// Remembers an access token until `expires_at`, dropping expired ones.
    pub fn issue_token(&mut self, token: String, now: OffsetDateTime, expires_at: OffsetDateTime) {
        self.tokens.retain(|_, expiry| *expiry > now);
        if self.tokens.len() >= MAX_TOKENS {
            if let Some(oldest) = self
                .tokens
                .iter()
                .min_by_key(|(_, expiry)| **expiry)
                .map(|(t, _)| t.clone())
            {
                self.tokens.remove(&oldest);
            }
        }
        self.tokens.insert(token, expires_at);
    }

    pub fn token_is_valid(&self, token: &str, now: OffsetDateTime) -> bool {
        self.tokens.get(token).is_some_and(|expiry| *expiry > now)
    }
}

/// Statuses a session can still leave by time running out.
fn is_open(status: &SessionStatus) -> bool {
    matches!(
        status,
        SessionStatus::Attempt | SessionStatus::Active | SessionStatus::ProcessingPayment
    )
}

/// Payment statuses still waiting for the provider.
pub fn is_pending(status: &PaymentStatus) -> bool {
    matches!(
        status,
        PaymentStatus::Created | PaymentStatus::Pending | PaymentStatus::Authorized | PaymentStatus::RequiresReview
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn link(n: usize, order: &Order, pinned: bool) -> LinkRecord {
        LinkRecord {
            id: format!("pl_{n}"),
            token: format!("ct_{n}"),
            status: LinkStatus::Active,
            created_at: OffsetDateTime::UNIX_EPOCH,
            expires_at: OffsetDateTime::UNIX_EPOCH + Duration::seconds(60),
            order: order.clone(),
            pinned,
        }
    }

    #[test]
    fn links_are_capped_and_demo_links_are_never_dropped() {
        let order = Order::from_json(&json!({
            "checkoutToken": "t", "items": [{"description": "A", "preTaxAmount": "1"}], "currency": "CLP",
            "paymentMethodsAllowed": ["ETPAY"], "duration": 60, "owner": {"identityId": "o"},
            "destinations": [{"type": "ACCOUNT", "amount": "1",
                "account": {"type": "CHECKING", "currency": "CLP", "accountNumber": "1", "accountHolder": "X"}}]
        }))
        .expect("valid order");
        let mut store = Store::default();
        store.add_link(link(0, &order, true));
        for n in 1..=MAX_LINKS + 5 {
            store.add_link(link(n, &order, false));
        }
        assert_eq!(store.links.len(), MAX_LINKS);
        assert!(store.link("pl_0").is_some(), "the pinned demo link stays");
        assert!(
            (1..=6).all(|n| store.link(&format!("pl_{n}")).is_none()),
            "the oldest others go first"
        );
        assert!(store.link("pl_7").is_some() && store.link(&format!("pl_{}", MAX_LINKS + 5)).is_some());
    }
}
