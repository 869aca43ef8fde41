//! Property tests: exact decimals round-trip, nothing panics on arbitrary or mutated input, and
//! check digits catch single-digit typos.

use checkout_core::decimal::Decimal;
use checkout_core::fields::{self, FieldKey, FormValues};
use checkout_core::model::{CheckoutSession, Payment};
use checkout_core::money;
use checkout_core::next_action::{next_action, NextAction};
use checkout_core::options;
use checkout_core::screen::{latest_payment, screen_for};
use checkout_core::small_map::SmallMap;
use checkout_core::submission;
use checkout_core::theme::https_logo;
use checkout_core::time::{countdown, parse_rfc3339_ms};
use checkout_core::url::{redirect_target, safe_redirect, Outcome};
use checkout_core::validate::{self, FieldError};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn config() -> ProptestConfig {
    ProptestConfig::with_cases(256)
}

const SESSION: &str = r#"{"id":"cs_1","checkoutToken":"tok","status":"ACTIVE","createdAt":"2025-04-24T12:00:00Z",
"expiresAt":"2025-04-24T12:30:00Z","currency":"COP","preTaxAmount":"100000","totalAmount":"119000",
"items":[{"description":"Plan","preTaxAmount":"100000","totalAmount":"119000","tax":{"name":"IVA","type":"PERCENTAGE","value":"19","amount":"19000"}}],
"paymentConfigs":[{"currency":"COP","product":"COP:COP","exchangeRate":"1","paymentMethods":[
{"id":"m1","type":"PSE","enabled":true,"purchaseAmount":"119000","requiredFields":["pse.bankId","pse.customer.documentNumber","pse.customer.phoneNumber","pse.customer.address"]}]},
{"currency":"USD","product":"USD:COP","exchangeRate":"4100.25","paymentMethods":[{"id":"m2","type":"ACH","enabled":true,"purchaseAmount":"29.03"}]}],
"paymentMethodsAllowed":["PSE","ACH"],"customer":{"firstName":"Ana","address":{"street":"Calle 10"}},
"customerRequirements":["firstName","email"],"destinations":[{"type":"ACCOUNT","amount":"119000"}],
"owner":{"nickname":"Tienda"},"url":"https://checkout.example/tok","successUrl":"https://shop.example/ok"}"#;

const PAYMENT: &str = r#"{"id":"p1","status":"CREATED","type":"PURCHASE","totalAmount":"119000","currency":"COP",
"createdAt":"2025-04-24T12:01:00Z","origins":[{"type":"PIX","currency":"BRL","pix":{"qrCode":"iVBORw0KGgo=","data":"000201","expiredAt":"2025-04-24T12:31:00Z"}}]}"#;

/// Exercises every function that reads a session or payment; they must not panic.
fn use_everything(session: &CheckoutSession, payment: Option<&Payment>) {
    let _ = screen_for(session, payment);
    let _ = redirect_target(session, Outcome::Success);
    let _ = countdown(0, &session.expires_at);
    for option in options::payment_options(session) {
        let config = &session.payment_configs[option.config_index];
        for &m in &option.methods {
            let method = &config.payment_methods[m];
            let specs = fields::fields_for(session, method);
            let values = fields::prefill(session.customer.as_ref());
            let country = fields::rail_country(&method.rail, &session.currency);
            let _ = fields::validate_form(&specs, &values, country);
            let _ = submission::payment_body(session, config, method, &values, "https://c.example/tok");
        }
    }
    if let Some(p) = payment {
        let _ = next_action(p);
        let _ = latest_payment(std::slice::from_ref(p));
    }
}

/// Replaces the digit at `pos` (counting only digits) with a different one.
fn change_digit(text: &str, pos: usize, bump: u32) -> String {
    let digit_count = text.chars().filter(char::is_ascii_digit).count();
    let target = pos % digit_count;
    let mut seen = 0;
    text.chars()
        .map(|c| match c.to_digit(10) {
            Some(d) => {
                let here = seen == target;
                seen += 1;
                if here {
                    char::from_digit((d + 1 + bump % 9) % 10, 10).unwrap_or(c)
                } else {
                    c
                }
            }
            None => c,
        })
        .collect()
}

/// The published CPF rule, written independently of the library: a differential oracle for
/// the rare substitutions CPF's digit folding (remainder 10 → 0) cannot detect.
fn cpf_oracle(cpf: &str) -> bool {
    let d: Vec<u32> = cpf.chars().filter_map(|c| c.to_digit(10)).collect();
    let dv = |n: usize| {
        let sum: u32 = (0..n).map(|i| d[i] * (n as u32 + 1 - i as u32)).sum();
        let r = sum * 10 % 11;
        if r == 10 {
            0
        } else {
            r
        }
    };
    d.len() == 11 && !d.iter().all(|x| *x == d[0]) && dv(9) == d[9] && dv(10) == d[10]
}

/// The DIAN NIT rule, independent of the library (remainders 1 and 10 both give 1).
fn nit_oracle(body: &str, dv: u32) -> bool {
    const W: [u32; 15] = [3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71];
    let sum: u32 = body
        .chars()
        .rev()
        .zip(W)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    let r = sum % 11;
    (if r > 1 { 11 - r } else { r }) == dv
}

/// One step of the map model test: insert, remove, or extend with several entries.
#[derive(Debug, Clone)]
enum MapOp {
    Insert(u8, u8),
    Remove(u8),
    Extend(Vec<(u8, u8)>),
}

fn map_op() -> impl Strategy<Value = MapOp> {
    // Keys from a small range so that replacing and removing present keys is common.
    prop_oneof![
        (0u8..12, any::<u8>()).prop_map(|(k, v)| MapOp::Insert(k, v)),
        (0u8..12).prop_map(MapOp::Remove),
        prop::collection::vec((0u8..12, any::<u8>()), 0..8).prop_map(MapOp::Extend),
    ]
}

proptest! {
    #![proptest_config(config())]

    /// `SmallMap` (the form's values and errors) means what the `BTreeMap` it replaced meant:
    /// same answers, same key order, the last of repeated keys wins, in collect and extend too.
    #[test]
    fn small_map_behaves_like_btree_map(start in prop::collection::vec((0u8..12, any::<u8>()), 0..12), ops in prop::collection::vec(map_op(), 0..40)) {
        let mut model: BTreeMap<u8, u8> = start.iter().copied().collect();
        let mut map: SmallMap<u8, u8> = start.into_iter().collect();
        for op in ops {
            match op {
                MapOp::Insert(k, v) => prop_assert_eq!(map.insert(k, v), model.insert(k, v)),
                MapOp::Remove(k) => prop_assert_eq!(map.remove(&k), model.remove(&k)),
                MapOp::Extend(entries) => {
                    map.extend(entries.iter().copied());
                    model.extend(entries);
                }
            }
            prop_assert_eq!(map.len(), model.len());
            prop_assert!(map.iter().eq(model.iter()));
            for k in 0u8..12 {
                prop_assert_eq!(map.get(&k), model.get(&k));
                prop_assert_eq!(map.contains_key(&k), model.contains_key(&k));
            }
        }
        prop_assert!(map.clone().into_iter().eq(model.clone()));
        prop_assert!(map.keys().eq(model.keys()) && map.values().eq(model.values()));
    }

    #[test]
    fn decimal_display_round_trips(negative: bool, int in "[0-9]{1,15}", frac in proptest::option::of("[0-9]{1,12}")) {
        let text = format!("{}{}{}", if negative { "-" } else { "" }, int, frac.as_ref().map(|f| format!(".{f}")).unwrap_or_default());
        let value = Decimal::parse(&text).unwrap();
        let shown = value.to_string();
        prop_assert_eq!(Decimal::parse(&shown).unwrap(), value);
        prop_assert_eq!(Decimal::parse(&shown).unwrap().to_string(), shown.clone());
        prop_assert_eq!(value.scale() as usize, frac.as_ref().map_or(0, String::len));
        // Canonical: leading zeros of the integer part go, the sign only on non-zero values.
        let int_canonical = int.trim_start_matches('0');
        let int_canonical = if int_canonical.is_empty() { "0" } else { int_canonical };
        let magnitude = format!("{}{}", int_canonical, frac.as_ref().map(|f| format!(".{f}")).unwrap_or_default());
        let expected = if negative && !value.is_zero() { format!("-{magnitude}") } else { magnitude };
        prop_assert_eq!(shown, expected);
    }

    #[test]
    fn decimal_arithmetic_matches_integers(a in -1_000_000_000i64..1_000_000_000, b in -1_000_000_000i64..1_000_000_000) {
        let (x, y) = (Decimal::from_int(a), Decimal::from_int(b));
        prop_assert_eq!(x.checked_add(&y).unwrap().to_string(), (a + b).to_string());
        prop_assert_eq!(x.checked_sub(&y).unwrap().to_string(), (a - b).to_string());
        prop_assert_eq!(x.checked_mul(&y).unwrap().to_string(), (i128::from(a) * i128::from(b)).to_string());
        prop_assert_eq!(x.cmp(&y), a.cmp(&b));
    }

    #[test]
    fn decimal_parse_never_panics(text in ".{0,40}") {
        if let Ok(value) = Decimal::parse(&text) {
            prop_assert_eq!(Decimal::parse(&value.to_string()).unwrap(), value);
        }
    }

    #[test]
    fn money_never_panics(amount in ".{0,40}", currency in "(CLP|COP|MXN|USDC|BRL|.{0,5})", locale in "(es|pt-BR|en|.{0,6})") {
        if let Ok(normal) = money::normalize(&amount, &currency) {
            let parsed = Decimal::parse(&normal).unwrap();
            prop_assert_eq!(parsed.scale(), money::minor_units(&currency));
        }
        let _ = money::format_fallback(&amount, &currency, &locale);
        let _ = money::sum(&[&amount, "1.5", &amount]);
    }

    #[test]
    fn money_keeps_every_digit(int in "[1-9][0-9]{0,20}", frac in "[0-9]{2}") {
        let amount = format!("{int}.{frac}");
        let shown = money::format_fallback(&amount, "MXN", "en").unwrap();
        let digits: String = shown.chars().filter(char::is_ascii_digit).collect();
        prop_assert_eq!(digits, format!("{int}{frac}"));
    }

    #[test]
    fn validators_never_panic(text in ".{0,60}", other in ".{0,10}", doc in "(RUT|CPF|CURP|RFC|CUIT|CUIL|NIT|DNI|CC|CE|RUC|PASSPORT|CED_CIU|.{0,8})", country in "(CHL|MEX|COL|ARG|PER|BRA|.{0,4})") {
        let _ = validate::email(&text);
        let _ = validate::phone_prefix(&text);
        let _ = validate::phone(&other, &text);
        let _ = validate::document(&doc, &text);
        let _ = validate::document_in(&country, &doc, &text);
        let _ = validate::normalize_document(&doc, &text);
        let _ = validate::phone_prefix_for(&text);
        let _ = safe_redirect(&text);
        let _ = https_logo(&text);
        let _ = parse_rfc3339_ms(&text);
        let _ = fields::parse_required_path(&text);
        let key = FieldKey::from_id(&text);
        prop_assert_eq!(FieldKey::from_id(&key.id()), key.clone());
        let values: FormValues = [(key.id(), other.clone()), ("documentType".to_string(), doc.clone())].into_iter().collect();
        let _ = fields::validate_field(&key, &values, &country, true);
        let _ = fields::validate_field(&FieldKey::DocumentNumber, &values, &country, true);
    }

    #[test]
    fn rut_typos_are_caught(body in 1_000_000u32..99_999_999, pos: usize, bump: u32) {
        let dv = validate::rut_check_digit(&body.to_string()).unwrap();
        let rut = format!("{body}-{dv}");
        prop_assert_eq!(validate::document("RUT", &rut), Ok(()));
        let typo = change_digit(&rut, pos, bump);
        prop_assert_eq!(validate::document("RUT", &typo), Err(FieldError::DocumentCheckDigit), "{} -> {}", rut, typo);
    }

    #[test]
    fn cuit_typos_are_caught(prefix in prop::sample::select(vec!["20", "23", "27", "30", "33"]), body in 10_000_000u32..99_999_999, pos: usize, bump: u32) {
        let first10 = format!("{prefix}{body}");
        prop_assume!(validate::cuit_check_digit(&first10).is_some());
        let cuit = format!("{prefix}-{body}-{}", validate::cuit_check_digit(&first10).unwrap());
        prop_assert_eq!(validate::document("CUIT", &cuit), Ok(()));
        // Changing the first two digits may leave the known prefixes: a format error then.
        let typo = change_digit(&cuit, pos, bump);
        prop_assert!(validate::document("CUIT", &typo).is_err(), "{} -> {}", cuit, typo);
    }

    #[test]
    fn cpf_typos_are_caught(base in 100_000_000u32..999_999_999, pos: usize, bump: u32) {
        let base = base.to_string();
        let (a, b) = validate::cpf_check_digits(&base).unwrap();
        let cpf = format!("{}.{}.{}-{a}{b}", &base[..3], &base[3..6], &base[6..]);
        prop_assume!(cpf_oracle(&cpf)); // excludes the all-same-digit numbers
        prop_assert_eq!(validate::document("CPF", &cpf), Ok(()));
        let typo = change_digit(&cpf, pos, bump);
        // Check-digit typos are always caught; body typos unless the published rule itself
        // folds them onto the same check digits.
        let expected_valid = cpf_oracle(&typo);
        prop_assert!(pos % 11 < 9 || !expected_valid);
        prop_assert_eq!(validate::document("CPF", &typo).is_ok(), expected_valid, "{} -> {}", cpf, typo);
    }

    #[test]
    fn nit_typos_are_caught(body in 800_000_000u32..999_999_999, pos: usize, bump: u32) {
        let body = body.to_string();
        let dv = validate::nit_check_digit(&body).unwrap();
        let nit = format!("{body}-{dv}");
        prop_assert!(nit_oracle(&body, dv));
        prop_assert_eq!(validate::document("NIT", &nit), Ok(()));
        let typo = change_digit(&nit, pos, bump);
        let (typo_body, typo_dv) = typo.split_once('-').unwrap();
        let expected_valid = nit_oracle(typo_body, typo_dv.parse().unwrap());
        prop_assert!(pos % 10 < 9 || !expected_valid);
        prop_assert_eq!(validate::document("NIT", &typo).is_ok(), expected_valid, "{} -> {}", nit, typo);
    }

    #[test]
    fn arbitrary_json_text_never_panics(text in ".{0,200}") {
        if let Ok(session) = serde_json::from_str::<CheckoutSession>(&text) {
            use_everything(&session, None);
        }
        if let Ok(payment) = serde_json::from_str::<Payment>(&text) {
            let _ = next_action(&payment);
        }
    }

    #[test]
    fn mutated_session_and_payment_json_never_panics(cut in 0usize..2000, len in 0usize..40, insert in ".{0,4}") {
        for base in [SESSION, PAYMENT] {
            let chars: Vec<char> = base.chars().collect();
            let start = cut % chars.len();
            let end = (start + len).min(chars.len());
            let mutated: String = chars[..start].iter().chain(insert.chars().collect::<Vec<_>>().iter()).chain(chars[end..].iter()).collect();
            let session = serde_json::from_str::<CheckoutSession>(&mutated).ok();
            let payment = serde_json::from_str::<Payment>(&mutated).ok();
            let fixture: CheckoutSession = serde_json::from_str(SESSION).unwrap();
            use_everything(session.as_ref().unwrap_or(&fixture), payment.as_ref());
        }
    }

    #[test]
    fn decoded_arbitrary_payments_never_panic(
        status in "(CREATED|PENDING|SETTLED|FAILED|EXPIRED|.{0,8})",
        rail in "(PIX|PCT|SPEI|CVU|ETPAY|PSE|NEQUI|CARD|.{0,8})",
        node in arb_json(),
        session_status in "(ACTIVE|ATTEMPT|EXPIRED|FINISHED|FAILED|PROCESSING_PAYMENT|.{0,8})",
    ) {
        let key = checkout_core::model::Rail::from(rail.as_str()).node_key();
        let payment: Payment = serde_json::from_value(json!({"id": "p", "status": status, "createdAt": "x",
            "origins": [{"type": rail, key: node}]})).unwrap();
        let mut session: CheckoutSession = serde_json::from_str(SESSION).unwrap();
        session.status = session_status.as_str().into();
        use_everything(&session, Some(&payment));
        if let NextAction::Redirect { url } = next_action(&payment) {
            prop_assert_eq!(safe_redirect(&url), Some(url.clone()));
        }
    }
}

/// Arbitrary JSON, biased towards the keys rail nodes use.
fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        ".{0,30}".prop_map(Value::from),
        "(https://|http://127.0.0.1|javascript:|data:image/png;base64,|iVBOR)[a-zA-Z0-9/.:=]{0,20}"
            .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(
                "(url|qrCode|data|expiredAt|expiresAt|clabe|bankId|bank|code|cvu|.{0,6})",
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}
