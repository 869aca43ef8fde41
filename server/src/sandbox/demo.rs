//! The demo links created at start: one per currency and rail family, plus links already
//! expired, paid, prefilled, inactive and with unsafe return URLs, each with a readable token.

use checkout_core::model::{LinkStatus, PaymentStatus, Rail, SessionStatus};
use serde_json::{json, Value};
use time::Duration;

use super::links::insert_link;
use super::order::Order;
use super::store::{new_id, PaymentRecord, SESSION_LIFETIME};
use super::{DemoLink, Sandbox};

/// Demo links take sessions for a year, so they stay payable through any `./test` run or long
/// `./run`; each session still gives the payer `SESSION_LIFETIME` (30 minutes).
/// `POST /sandbox/control/reset` restores them as seeded.
const DURATION: i64 = 365 * 24 * 3600;

/// Demo links the merchant demo page may embed (`SandboxConfig::embed_origins`).
const EMBEDDABLE: [&str; 5] = ["demo-clp", "demo-brl", "demo-cop", "demo-ars", "demo-prefilled"];

/// What state a demo starts in beyond its link status.
enum Fixture {
    Fresh,
    /// One session whose time ran out.
    ExpiredSession,
    /// One FINISHED session with a SETTLED ETPAY payment.
    Paid,
}

struct Demo {
    token: &'static str,
    name: &'static str,
    description: &'static str,
    status: LinkStatus,
    fixture: Fixture,
    body: Value,
}

fn merchant(identity: &str, name: &str, currency: &str, holder: &str) -> (Value, Value) {
    let owner = json!({"identityId": identity, "name": name, "nickname": name, "entityType": "COMPANY"});
    let destinations = json!([{
        "name": name,
        "type": "ACCOUNT",
        "amount": "0",
        "metadata": {"image": "https://checkout.conomy.test/logo.png", "description": name, "category": "retail"},
        "account": {"type": "CHECKING", "currency": currency, "accountNumber": format!("{identity}-001"), "accountHolder": holder}
    }]);
    (owner, destinations)
}

fn body(base: &str, currency: &str, (owner, destinations): (Value, Value), items: Value, rails: &[&str]) -> Value {
    json!({
        "items": items,
        "currency": currency,
        "paymentMethodsAllowed": rails,
        "destinations": destinations,
        "duration": DURATION,
        "owner": owner,
        "successUrl": format!("{base}/sandbox/merchant/success"),
        "failedUrl": format!("{base}/sandbox/merchant/failed"),
        // Demo links stay payable for every visitor (and every test run) after a payment.
        "metadata": {"reusable": true},
    })
}

fn demos(base: &str) -> Vec<Demo> {
    let andes = || merchant("sbx-merchant-cl", "Tienda Andes", "CLP", "Tienda Andes SpA");
    let one_clp_item = || json!([{"description": "Suscripción mensual", "preTaxAmount": "15990"}]);
    let mut prefilled = body(base, "CLP", andes(), one_clp_item(), &["ETPAY", "WEBPAY"]);
    prefilled["customer"] = json!({
        "firstName": "Ana", "lastName": "Rojas", "email": "ana.rojas@example.cl",
        "phoneNumberPrefix": "+56", "phoneNumber": "912345678",
        "documentType": "RUT", "documentNumber": "12.345.678-5"
    });
    prefilled["customerRequirements"] = json!([
        "firstName",
        "lastName",
        "email",
        "phoneNumberPrefix",
        "phoneNumber",
        "documentType",
        "documentNumber"
    ]);
    let mut cop = body(
        base,
        "COP",
        merchant("sbx-merchant-co", "Café de Altura", "COP", "Café de Altura SAS"),
        json!([
            {"description": "Plan anual de café", "preTaxAmount": "450000",
             "tax": {"name": "IVA", "type": "PERCENTAGE", "value": "19"}},
            {"description": "Envío", "preTaxAmount": "12000"}
        ]),
        &["PSE", "NEQUI", "CARD"],
    );
    cop["metadata"] = json!({"reusable": true, "paymentConfigs": [
        {"currency": "COP", "paymentMethods": ["PSE", "NEQUI"]},
        {"currency": "USD", "exchangeRate": "4000", "paymentMethods": ["CARD"]}
    ]});
    // PIX's own teal as the merchant's accent: too light for white text, so the checkout must
    // pick dark text on its buttons and darken it for links (`checkout_core::theme`'s contrast rule, visible here).
    let mut brl = body(
        base,
        "BRL",
        merchant(
            "sbx-merchant-br",
            "Escola Online São João",
            "BRL",
            "Escola São João LTDA",
        ),
        json!([{"description": "Curso online de fotografia", "preTaxAmount": "197.90"}]),
        &["PIX"],
    );
    brl["metadata"]["accentColor"] = json!("#32bcad");
    let mut unsafe_redirect = body(base, "CLP", andes(), one_clp_item(), &["ETPAY", "WEBPAY"]);
    unsafe_redirect["successUrl"] = json!("javascript:alert(1)");
    unsafe_redirect["failedUrl"] = json!("data:text/html,<h1>x</h1>");
    vec![
        Demo {
            token: "demo-clp",
            name: "CLP · ETPAY, Webpay",
            description: "Un ítem sin impuesto (one item, no tax)",
            status: LinkStatus::Active,
            fixture: Fixture::Fresh,
            body: body(base, "CLP", andes(), one_clp_item(), &["ETPAY", "WEBPAY"]),
        },
        Demo {
            token: "demo-mxn",
            name: "MXN · SPEI",
            description: "Varios ítems con IVA 16 % y un cargo fijo (several items, percentage and fixed taxes)",
            status: LinkStatus::Active,
            fixture: Fixture::Fresh,
            body: body(
                base,
                "MXN",
                merchant("sbx-merchant-mx", "Mercado Azteca", "MXN", "Mercado Azteca SA de CV"),
                json!([
                    {"description": "Audífonos inalámbricos", "preTaxAmount": "1299.00",
                     "tax": {"name": "IVA", "type": "PERCENTAGE", "value": "16"}},
                    {"description": "Funda protectora", "preTaxAmount": "249.50",
                     "tax": {"name": "IVA", "type": "PERCENTAGE", "value": "16"}},
                    {"description": "Envío express", "preTaxAmount": "99.00",
                     "tax": {"name": "Cargo por servicio", "type": "FIXED", "value": "15.00"}}
                ]),
                &["SPEI"],
            ),
        },
        Demo {
            token: "demo-cop",
            name: "COP/USD · PSE, Nequi, tarjeta",
            description: "Dos monedas: COP (PSE con banco y documento, Nequi) o USD (tarjeta) (two payment configs)",
            status: LinkStatus::Active,
            fixture: Fixture::Fresh,
            body: cop,
        },
        Demo {
            token: "demo-brl",
            name: "BRL · PIX",
            description: "QR y código copia e cola (QR and copy-paste code)",
            status: LinkStatus::Active,
            fixture: Fixture::Fresh,
            body: brl,
        },
        Demo {
            token: "demo-ars",
            name: "ARS · QR (PCT), CVU",
            description: "Transferencia por QR o CVU (QR transfer or CVU)",
            status: LinkStatus::Active,
            fixture: Fixture::Fresh,
            body: body(
                base,
                "ARS",
                merchant("sbx-merchant-ar", "Teatro Colón Entradas", "ARS", "Entradas Colón SRL"),
                json!([{"description": "Entrada platea", "preTaxAmount": "25000.00",
                        "tax": {"name": "IVA", "type": "PERCENTAGE", "value": "21"}}]),
                &["PCT", "CVU"],
            ),
        },
        Demo {
            token: "demo-prefilled",
            name: "CLP · datos precargados",
            description: "El comercio ya envió los datos del pagador (payer prefilled through customer)",
            status: LinkStatus::Active,
            fixture: Fixture::Fresh,
            body: prefilled,
        },
        Demo {
            token: "demo-expired",
            name: "CLP · sesión expirada",
            description: "El tiempo para pagar terminó (session already expired)",
            status: LinkStatus::Expired,
            fixture: Fixture::ExpiredSession,
            body: body(base, "CLP", andes(), one_clp_item(), &["ETPAY", "WEBPAY"]),
        },
        Demo {
            token: "demo-paid",
            name: "CLP · ya pagado",
            description: "Este link ya fue pagado (already paid)",
            status: LinkStatus::Finished,
            fixture: Fixture::Paid,
            body: body(base, "CLP", andes(), one_clp_item(), &["ETPAY", "WEBPAY"]),
        },
        Demo {
            token: "demo-inactive",
            name: "CLP · link inactivo",
            description: "El comercio aún no activa este link (link not active)",
            status: LinkStatus::Attempt,
            fixture: Fixture::Fresh,
            body: body(base, "CLP", andes(), one_clp_item(), &["ETPAY", "WEBPAY"]),
        },
        Demo {
            token: "demo-unsafe-redirect",
            name: "CLP · URLs de retorno inseguras",
            description:
                "successUrl javascript: y failedUrl data: que nunca se siguen (unsafe return URLs, never followed)",
            status: LinkStatus::Active,
            fixture: Fixture::Fresh,
            body: unsafe_redirect,
        },
    ]
}

/// Creates the demo links once; later calls return the same list.
pub fn seed(sandbox: &Sandbox) -> Vec<DemoLink> {
    if !sandbox.lock().demo.is_empty() {
        return sandbox.demo_links();
    }
    let mut created = Vec::new();
    for mut demo in demos(&sandbox.base_url()) {
        demo.body["checkoutToken"] = json!(demo.token);
        // The merchant demo page (another origin) may frame these; the others stay `'self'`
        // only, so the demo can also show a refused frame.
        if EMBEDDABLE.contains(&demo.token) && !sandbox.config.embed_origins.is_empty() {
            demo.body["metadata"]["frameAncestors"] = json!(sandbox.config.embed_origins);
        }
        // The bodies above are fixed and valid; a failure here is a bug, reported, not a panic.
        let link = match Order::from_json(&demo.body).and_then(|order| insert_link(sandbox, order, demo.status.clone()))
        {
            Ok(link) => link,
            Err(failure) => {
                tracing::error!(token = demo.token, error = %failure.0, "demo link not created");
                continue;
            }
        };
        let (mut store, now) = sandbox.current();
        if let Some(stored) = store.link_mut(&link.id) {
            stored.pinned = true;
        }
        match demo.fixture {
            Fixture::Fresh => {}
            Fixture::ExpiredSession => {
                let opened = now - SESSION_LIFETIME - Duration::minutes(1);
                let session = store.open_link_session(&link, opened);
                store.expire_session(&session.id, now);
                if let Some(s) = store.session_mut(&session.id) {
                    s.pinned = true;
                }
            }
            Fixture::Paid => {
                let opened = now - Duration::minutes(10);
                let session = store.open_link_session(&link, opened);
                let amount = link.order.total_amount.clone();
                store.payments.push(PaymentRecord {
                    id: new_id("pay"),
                    session_id: session.id.clone(),
                    status: PaymentStatus::Settled,
                    rail: Rail::Etpay,
                    purchase_currency: link.order.currency.clone(),
                    purchase_amount: amount.clone(),
                    product: format!("{0}:{0}", link.order.currency),
                    description: "Suscripción mensual".into(),
                    created_at: opened + Duration::minutes(2),
                    updated_at: opened + Duration::minutes(3),
                    origin: json!({"type": "ETPAY", "currency": link.order.currency, "amount": amount,
                        "etpay": {"customer": {"firstName": "Diego", "email": "diego@example.cl"}}}),
                });
                if let Some(s) = store.session_mut(&session.id) {
                    s.status = SessionStatus::Finished;
                    s.pinned = true;
                }
            }
        }
        let entry = DemoLink {
            name: demo.name.into(),
            description: demo.description.into(),
            token: demo.token.into(),
            url: sandbox.checkout_url(demo.token),
        };
        store.demo.push(entry.clone());
        created.push(entry);
    }
    created
}
