//! The merchant-embedding protocol, pure: the messages the checkout posts to the page that frames
//! it, which origin it may post to, the commands it accepts back, and which events a change of
//! session or screen produces. The DOM glue (`src/embed.rs`) only delivers what this decides.
//!
//! Every message is `{"source": "conomy-checkout", "version": 1, "type", "payload"}`; payloads
//! carry ids, statuses and merchant URLs, never anything the payer typed.

use crate::model::CheckoutSession;
use crate::receipt::Receipt;
use crate::screen::Screen;
use crate::url::{redirect_target, Outcome};
use crate::wire::json::{Json, Object};

/// `source` of every message the checkout posts.
pub const SOURCE: &str = "conomy-checkout";
/// `source` of the commands a merchant page (embed.js) may send to the checkout.
pub const PARENT_SOURCE: &str = "conomy-merchant";
pub const VERSION: u32 = 1;

/// What the checkout tells the embedding page: a `type` (the variant in camelCase) and a
/// `payload` (its fields, camelCase keys).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The checkout is running in the frame and can talk.
    Ready {},
    /// The content's height in CSS pixels: the frame should be exactly this tall.
    Resize { height: u32 },
    /// The session's status changed (`ACTIVE`, `PROCESSING_PAYMENT`, `FINISHED`, …).
    Status { status: String },
    /// Payment confirmed. Posted when the success screen appears and again, with
    /// `navigate_parent`, when its countdown ends: the frame may not navigate the top window
    /// without a click, so the page does it. `receipt`: what was paid, when this browser saw the
    /// payment (posted without the merchant's name: an owner may be a person).
    Completed {
        session_id: String,
        redirect_url: Option<String>,
        navigate_parent: bool,
        receipt: Option<Receipt>,
    },
    /// The payment failed; `can_retry`: the payer may still pick another method in the frame.
    Failed {
        session_id: String,
        redirect_url: Option<String>,
        can_retry: bool,
        navigate_parent: bool,
    },
    /// The session's time ran out.
    Expired { session_id: String },
    /// The checkout could not open: `notFound`, `inactive`, `network`, `timeout`, `server`, `decode`.
    Error { kind: String },
}

impl Event {
    /// The wire form: `{"source", "version", "type", "payload"}`.
    pub fn message(&self) -> Json {
        let mut payload = Object::new();
        let kind = match self {
            Event::Ready {} => "ready",
            Event::Resize { height } => {
                payload.insert("height", *height);
                "resize"
            }
            Event::Status { status } => {
                payload.insert("status", status.as_str());
                "status"
            }
            Event::Completed {
                session_id,
                redirect_url,
                navigate_parent,
                receipt,
            } => {
                payload.insert("sessionId", session_id.as_str());
                payload.insert("redirectUrl", redirect_url.as_deref());
                payload.insert("navigateParent", *navigate_parent);
                match receipt {
                    Some(receipt) => {
                        let mut facts = Object::new();
                        facts.insert("paymentId", receipt.reference.as_str());
                        facts.insert("amount", receipt.amount.as_str());
                        facts.insert("currency", receipt.currency.as_str());
                        facts.insert("method", receipt.rail.as_ref().map(|r| r.as_str()));
                        facts.insert("paidAt", Some(receipt.paid_at.as_str()).filter(|at| !at.is_empty()));
                        payload.insert("receipt", facts);
                    }
                    None => {
                        payload.insert("receipt", None::<&str>);
                    }
                }
                "completed"
            }
            Event::Failed {
                session_id,
                redirect_url,
                can_retry,
                navigate_parent,
            } => {
                payload.insert("sessionId", session_id.as_str());
                payload.insert("redirectUrl", redirect_url.as_deref());
                payload.insert("canRetry", *can_retry);
                payload.insert("navigateParent", *navigate_parent);
                "failed"
            }
            Event::Expired { session_id } => {
                payload.insert("sessionId", session_id.as_str());
                "expired"
            }
            Event::Error { kind } => {
                payload.insert("kind", kind.as_str());
                "error"
            }
        };
        let mut message = Object::new();
        message.insert("type", kind);
        message.insert("payload", payload);
        message.insert("source", SOURCE);
        message.insert("version", VERSION);
        Json::Object(message)
    }

    /// The same outcome, now asking the page to leave for its redirect target.
    pub fn navigating(&self) -> Option<Event> {
        match self {
            Event::Completed {
                session_id,
                redirect_url: Some(url),
                receipt,
                ..
            } => Some(Event::Completed {
                session_id: session_id.clone(),
                redirect_url: Some(url.clone()),
                navigate_parent: true,
                receipt: receipt.clone(),
            }),
            Event::Failed {
                session_id,
                redirect_url: Some(url),
                can_retry,
                ..
            } => Some(Event::Failed {
                session_id: session_id.clone(),
                redirect_url: Some(url.clone()),
                can_retry: *can_retry,
                navigate_parent: true,
            }),
            _ => None,
        }
    }
}

/// A command from the embedding page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Switch the checkout's language (a locale tag; unknown tags are ignored by the caller).
    SetLocale(String),
}

/// Reads a command: `{"source": "conomy-merchant", "version": 1, "type": "setLocale",
/// "payload": {"locale": "en"}}`. Anything else is `None`.
pub fn parse_command(data: &Json) -> Option<Command> {
    if data.get("source")?.as_str()? != PARENT_SOURCE || data.get("version")?.as_u64()? != u64::from(VERSION) {
        return None;
    }
    match data.get("type")?.as_str()? {
        "setLocale" => {
            let locale = data.get("payload")?.get("locale")?.as_str()?;
            (locale.len() <= 16 && locale.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
                .then(|| Command::SetLocale(locale.to_string()))
        }
        _ => None,
    }
}

/// The origin `scheme://host[:port]` of an absolute http(s) URL or origin, as browsers
/// serialize it: lowercase scheme and host, default port dropped. No user info, and nothing
/// but a path, query or fragment after the authority. `None` for anything else (`null`,
/// relative URLs, other schemes).
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => "80",
        "https" => "443",
        _ => return None,
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (host, port) = crate::url::split_authority(&rest[..end])?;
    if !host.starts_with('[') && (host.len() > 253 || !crate::url::host_labels_ok(host)) {
        return None;
    }
    let host = host.to_ascii_lowercase();
    let port = match port {
        None => None,
        Some(p) => {
            let number: u16 = if !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()) {
                p.parse().ok()?
            } else {
                return None;
            };
            if number == 0 {
                return None;
            }
            (p.trim_start_matches('0') != default_port).then(|| number.to_string())
        }
    };
    Some(match port {
        Some(port) => format!("{scheme}://{host}:{port}"),
        None => format!("{scheme}://{host}"),
    })
}

/// Whether `text` is exactly a serialized origin (what a CSP `frame-ancestors` source or a
/// `parentOrigin` must be): `https://shop.example`, `http://localhost:8081`.
pub fn is_origin(text: &str) -> bool {
    origin_of(text).as_deref() == Some(text)
}

/// The origin the checkout may post to, or `None` (then it posts nothing).
///
/// `claimed` is the `parentOrigin` the embed script put in the frame's URL: anyone can write
/// it, so it only counts when the browser confirms it: `ancestor` (`location.ancestorOrigins[0]`,
/// authoritative where the browser has it) must equal it; without it, the origin of `referrer`
/// (`document.referrer`, the framing page's URL or origin) must.
pub fn verified_parent_origin(claimed: Option<&str>, ancestor: Option<&str>, referrer: Option<&str>) -> Option<String> {
    let claimed = claimed.filter(|c| is_origin(c))?;
    let witness = match ancestor {
        Some(ancestor) => origin_of(ancestor)?,
        None => origin_of(referrer.filter(|r| !r.is_empty())?)?,
    };
    (witness == claimed).then(|| claimed.to_string())
}

/// Whether a message event reaching the checkout comes from the page it verified: the parent
/// window itself (`from_parent`) with exactly the verified origin.
pub fn accepts_inbound(event_origin: &str, verified: Option<&str>, from_parent: bool) -> bool {
    from_parent && verified.is_some_and(|v| v == event_origin)
}

/// Turns what the page shows into events, each reported once: a status when the session's
/// status changes, an outcome when a result screen appears (again after the payer moved past
/// it and it came back).
#[derive(Debug, Default, Clone)]
pub struct Reporter {
    status: Option<String>,
    outcome: Option<Event>,
}

impl Reporter {
    /// `receipt`: the success screen's receipt, when it has one.
    pub fn observe(&mut self, session: &CheckoutSession, screen: &Screen, receipt: Option<&Receipt>) -> Vec<Event> {
        let mut events = Vec::new();
        let status = session.status.as_str().to_string();
        if self.status.as_deref() != Some(status.as_str()) {
            self.status = Some(status.clone());
            events.push(Event::Status { status });
        }
        let session_id = session.id.clone();
        let outcome = match screen {
            Screen::Success => Some(Event::Completed {
                session_id,
                redirect_url: redirect_target(session, Outcome::Success),
                navigate_parent: false,
                receipt: receipt.cloned(),
            }),
            Screen::Failed { can_retry } => Some(Event::Failed {
                session_id,
                // While a retry is offered the payer stays; only a final failure leaves.
                redirect_url: if *can_retry {
                    None
                } else {
                    redirect_target(session, Outcome::Failed)
                },
                can_retry: *can_retry,
                navigate_parent: false,
            }),
            Screen::Expired => Some(Event::Expired { session_id }),
            Screen::Pay | Screen::Waiting | Screen::UnknownStatus(_) => None,
        };
        // A receipt that turns up later is the same outcome: kept for the navigation, not re-posted.
        let without_receipt = |event: &Option<Event>| match event {
            Some(Event::Completed {
                session_id,
                redirect_url,
                navigate_parent,
                ..
            }) => Some(Event::Completed {
                session_id: session_id.clone(),
                redirect_url: redirect_url.clone(),
                navigate_parent: *navigate_parent,
                receipt: None,
            }),
            other => other.clone(),
        };
        if without_receipt(&outcome) != without_receipt(&self.outcome) {
            if let Some(event) = &outcome {
                events.push(event.clone());
            }
        }
        self.outcome = outcome;
        events
    }

    /// The shown outcome as a request to navigate the page (`None` without a redirect target).
    pub fn navigation(&self) -> Option<Event> {
        self.outcome.as_ref()?.navigating()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SessionStatus;
    use serde_json::{json, Value};

    fn paid_receipt() -> Receipt {
        Receipt {
            merchant: "Ana Rojas".into(),
            amount: "15990".into(),
            currency: "CLP".into(),
            rail: Some(crate::model::Rail::Etpay),
            reference: "pay_7".into(),
            paid_at: "2025-04-24T12:05:00Z".into(),
        }
    }

    /// The message as serde_json sees it, to compare with `json!` literals.
    fn wire(event: &Event) -> Value {
        serde_json::to_value(event.message()).expect("serializes")
    }

    fn session(status: SessionStatus, success_url: Option<&str>, failed_url: Option<&str>) -> CheckoutSession {
        let mut value = json!({
            "id": "cs_1", "status": "ACTIVE", "currency": "CLP", "totalAmount": "100",
            "items": [], "paymentConfigs": []
        });
        if let Some(url) = success_url {
            value["successUrl"] = json!(url);
        }
        if let Some(url) = failed_url {
            value["failedUrl"] = json!(url);
        }
        let mut session: CheckoutSession = serde_json::from_value(value).expect("session");
        session.status = status;
        session
    }

    #[test]
    fn messages_have_the_versioned_envelope() {
        assert_eq!(
            wire(&Event::Resize { height: 612 }),
            json!({"source": "conomy-checkout", "version": 1, "type": "resize", "payload": {"height": 612}})
        );
        assert_eq!(wire(&Event::Ready {})["payload"], json!({}));
        let completed = Event::Completed {
            session_id: "cs_1".into(),
            redirect_url: Some("https://shop.example/ok".into()),
            navigate_parent: false,
            receipt: None,
        };
        assert_eq!(
            wire(&completed),
            json!({"source": "conomy-checkout", "version": 1, "type": "completed",
                   "payload": {"sessionId": "cs_1", "redirectUrl": "https://shop.example/ok", "navigateParent": false,
                               "receipt": null}})
        );
        let with_receipt = Event::Completed {
            session_id: "cs_1".into(),
            redirect_url: None,
            navigate_parent: false,
            receipt: Some(paid_receipt()),
        };
        assert_eq!(
            wire(&with_receipt)["payload"]["receipt"],
            json!({"paymentId": "pay_7", "amount": "15990", "currency": "CLP", "method": "ETPAY",
                   "paidAt": "2025-04-24T12:05:00Z"})
        );
        let failed = Event::Failed {
            session_id: "cs_1".into(),
            redirect_url: None,
            can_retry: true,
            navigate_parent: false,
        };
        assert_eq!(
            wire(&failed)["payload"],
            json!({"sessionId": "cs_1", "redirectUrl": null, "canRetry": true, "navigateParent": false})
        );
        assert_eq!(
            wire(&Event::Error {
                kind: "notFound".into()
            })["payload"],
            json!({"kind": "notFound"})
        );
        // The text posted is the same document.
        for event in [
            Event::Ready {},
            Event::Resize { height: 1 },
            completed,
            failed,
            Event::Expired {
                session_id: "cs_1".into(),
            },
        ] {
            let text = event.message().to_string();
            assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), wire(&event), "{text}");
        }
    }

    #[test]
    fn origins_are_serialized_like_browsers_do() {
        assert_eq!(
            origin_of("https://Shop.Example/pay?x=1").as_deref(),
            Some("https://shop.example")
        );
        assert_eq!(
            origin_of("HTTP://localhost:8081/").as_deref(),
            Some("http://localhost:8081")
        );
        assert_eq!(origin_of("http://localhost:80/x").as_deref(), Some("http://localhost"));
        assert_eq!(origin_of("https://a.example:443").as_deref(), Some("https://a.example"));
        assert_eq!(origin_of("http://[::1]:9000/").as_deref(), Some("http://[::1]:9000"));
        assert_eq!(
            origin_of("http://127.0.0.1:8080#top").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        for bad in [
            "null",
            "",
            "/relative",
            "javascript:alert(1)",
            "data:text/html,x",
            "ftp://host",
            "https://user:pw@shop.example",
            "https://shop.example:99999",
            "https://shop.example:0",
            "https://shop..example",
            "https://-shop.example",
            "https://shop.example:8a",
            "https://",
            "https://sh op.example",
            "https://[zz]:1",
            "https://shop.example:",
        ] {
            assert_eq!(origin_of(bad), None, "{bad}");
        }
    }

    #[test]
    fn only_exact_origins_are_origins() {
        assert!(is_origin("http://localhost:8081"));
        assert!(is_origin("https://shop.example"));
        for not in [
            "https://shop.example/",
            "https://Shop.example",
            "https://shop.example:443",
            "'self'",
            "*",
            "https://*.shop.example",
        ] {
            assert!(!is_origin(not), "{not}");
        }
    }

    #[test]
    fn the_claimed_parent_needs_the_browser_to_agree() {
        let shop = Some("http://localhost:8081");
        // ancestorOrigins decides where the browser has it.
        assert_eq!(
            verified_parent_origin(shop, Some("http://localhost:8081"), None).as_deref(),
            shop
        );
        assert_eq!(
            verified_parent_origin(shop, Some("https://evil.example"), Some("http://localhost:8081/")),
            None
        );
        // Otherwise the referrer's origin.
        assert_eq!(
            verified_parent_origin(shop, None, Some("http://localhost:8081/checkout?o=1")).as_deref(),
            shop
        );
        assert_eq!(verified_parent_origin(shop, None, Some("http://localhost:8082/")), None);
        // Nothing to check against, a missing or malformed claim, or a wildcard: post nothing.
        assert_eq!(verified_parent_origin(shop, None, None), None);
        assert_eq!(verified_parent_origin(shop, None, Some("")), None);
        assert_eq!(verified_parent_origin(None, Some("http://localhost:8081"), None), None);
        assert_eq!(verified_parent_origin(Some("*"), Some("*"), None), None);
        assert_eq!(verified_parent_origin(Some("null"), Some("null"), None), None);
        assert_eq!(
            verified_parent_origin(Some("http://localhost:8081/"), Some("http://localhost:8081"), None),
            None
        );
    }

    #[test]
    fn inbound_needs_the_parent_window_and_its_verified_origin() {
        let verified = Some("http://localhost:8081");
        assert!(accepts_inbound("http://localhost:8081", verified, true));
        assert!(
            !accepts_inbound("http://localhost:8081", verified, false),
            "a sibling frame of the same origin"
        );
        assert!(!accepts_inbound("http://evil.example", verified, true));
        assert!(
            !accepts_inbound("http://localhost:8081", None, true),
            "unverified parent"
        );
    }

    #[test]
    fn commands_are_parsed_strictly() {
        let ok =
            json!({"source": "conomy-merchant", "version": 1, "type": "setLocale", "payload": {"locale": "pt-BR"}});
        assert_eq!(
            parse_command(&Json::parse(&ok.to_string()).unwrap()),
            Some(Command::SetLocale("pt-BR".into()))
        );
        for bad in [
            json!({"source": "conomy-checkout", "version": 1, "type": "setLocale", "payload": {"locale": "en"}}),
            json!({"source": "conomy-merchant", "version": 2, "type": "setLocale", "payload": {"locale": "en"}}),
            json!({"source": "conomy-merchant", "version": 1, "type": "navigate", "payload": {"url": "https://x"}}),
            json!({"source": "conomy-merchant", "version": 1, "type": "setLocale", "payload": {"locale": "<img>"}}),
            json!({"source": "conomy-merchant", "version": 1, "type": "setLocale"}),
            json!("setLocale"),
            Value::Null,
        ] {
            assert_eq!(parse_command(&Json::parse(&bad.to_string()).unwrap()), None, "{bad}");
        }
    }

    #[test]
    fn reporter_sends_each_change_once() {
        let mut reporter = Reporter::default();
        let active = session(
            SessionStatus::Active,
            Some("https://shop.example/ok"),
            Some("https://shop.example/ko"),
        );
        assert_eq!(
            reporter.observe(&active, &Screen::Pay, None),
            vec![Event::Status {
                status: "ACTIVE".into()
            }]
        );
        assert!(reporter.observe(&active, &Screen::Pay, None).is_empty());
        assert!(reporter.observe(&active, &Screen::Waiting, None).is_empty());
        assert_eq!(reporter.navigation(), None);

        // A declined payment with a retry: no redirect target, nothing to navigate to.
        let failed = reporter.observe(&active, &Screen::Failed { can_retry: true }, None);
        assert_eq!(
            failed,
            vec![Event::Failed {
                session_id: "cs_1".into(),
                redirect_url: None,
                can_retry: true,
                navigate_parent: false
            }]
        );
        assert_eq!(reporter.navigation(), None);
        // The payer tries again and fails again: reported again.
        assert!(reporter.observe(&active, &Screen::Pay, None).is_empty());
        assert_eq!(
            reporter
                .observe(&active, &Screen::Failed { can_retry: true }, None)
                .len(),
            1
        );

        let finished = session(SessionStatus::Finished, Some("https://shop.example/ok"), None);
        let events = reporter.observe(&finished, &Screen::Success, None);
        let completed = Event::Completed {
            session_id: "cs_1".into(),
            redirect_url: Some("https://shop.example/ok".into()),
            navigate_parent: false,
            receipt: None,
        };
        assert_eq!(
            events,
            vec![
                Event::Status {
                    status: "FINISHED".into()
                },
                completed
            ]
        );
        assert!(reporter.observe(&finished, &Screen::Success, None).is_empty());
        // The payment read a moment later completes the receipt without a second `completed`.
        let paid = paid_receipt();
        assert!(reporter.observe(&finished, &Screen::Success, Some(&paid)).is_empty());
        assert_eq!(
            reporter.navigation(),
            Some(Event::Completed {
                session_id: "cs_1".into(),
                redirect_url: Some("https://shop.example/ok".into()),
                navigate_parent: true,
                receipt: Some(paid),
            })
        );
    }

    #[test]
    fn final_failures_and_expiry_carry_what_the_page_needs() {
        let mut reporter = Reporter::default();
        let failed = session(SessionStatus::Failed, None, Some("https://shop.example/ko"));
        let events = reporter.observe(&failed, &Screen::Failed { can_retry: false }, None);
        assert_eq!(
            events[1],
            Event::Failed {
                session_id: "cs_1".into(),
                redirect_url: Some("https://shop.example/ko".into()),
                can_retry: false,
                navigate_parent: false,
            }
        );
        assert!(matches!(
            reporter.navigation(),
            Some(Event::Failed {
                navigate_parent: true,
                ..
            })
        ));

        // An unsafe target is never handed to the page.
        let mut reporter = Reporter::default();
        let unsafe_target = session(SessionStatus::Finished, Some("javascript:alert(1)"), None);
        let events = reporter.observe(&unsafe_target, &Screen::Success, None);
        assert!(matches!(&events[1], Event::Completed { redirect_url: None, .. }));
        assert_eq!(reporter.navigation(), None);

        let mut reporter = Reporter::default();
        let expired = session(SessionStatus::Expired, None, None);
        assert_eq!(
            reporter.observe(&expired, &Screen::Expired, None)[1],
            Event::Expired {
                session_id: "cs_1".into()
            }
        );
    }

    #[test]
    fn no_message_carries_payer_data() {
        // The session below has a prefilled payer; nothing of it may reach a message.
        let mut value = json!({
            "id": "cs_9", "status": "FINISHED", "currency": "CLP", "totalAmount": "100", "items": [],
            "paymentConfigs": [], "successUrl": "https://shop.example/ok",
            "customer": {"firstName": "Ana", "lastName": "Rojas", "email": "ana@example.cl", "documentNumber": "12345678-5"}
        });
        value["customer"]["phoneNumber"] = json!("912345678");
        let session: CheckoutSession = serde_json::from_value(value).expect("session");
        let mut reporter = Reporter::default();
        // An owner who is a person: the receipt names them on screen, never in a message.
        let paid = paid_receipt();
        let mut wire = String::new();
        for event in reporter
            .observe(&session, &Screen::Success, Some(&paid))
            .into_iter()
            .chain(reporter.navigation())
        {
            wire.push_str(&event.message().to_string());
        }
        for secret in ["Ana", "Rojas", "ana@example.cl", "12345678", "912345678"] {
            assert!(!wire.contains(secret), "{secret} in {wire}");
        }
    }
}
