//! Payment configs and methods offered by a session: which rails, in which currencies, for how
//! much, and which fields each rail needs (§5 of the contract).

use checkout_core::decimal::Decimal;
use checkout_core::model::{PaymentConfig, PaymentMethod, Rail};
use checkout_core::money::minor_units;

use super::errors::{Answer, Failure};
use super::faults::FaultPlan;

/// Dot paths into the rail node the payer must fill (§5): the sandbox columns of the rail's row
/// of `checkout_core::rails`.
pub fn required_fields(rail: &Rail) -> Vec<String> {
    let sandbox = rail.spec().sandbox;
    let key = rail.node_key();
    let mut paths = Vec::new();
    if sandbox.bank_id {
        paths.push(format!("{key}.bankId"));
    }
    paths.extend(
        sandbox
            .customer_fields
            .iter()
            .map(|field| format!("{key}.customer.{field}")),
    );
    paths
}

/// Our options read from `metadata` (see `order::parse_options`): which payment configs sessions
/// get, and how the link and its sessions react to payments.
#[derive(Debug, Clone, Default)]
pub struct MetadataOptions {
    pub configs: Vec<PlannedConfig>,
    /// Rails listed but `enabled: false` (to exercise the client's filtering).
    pub disabled: Vec<Rail>,
    /// A declined payment fails the session for good instead of allowing a retry.
    pub single_attempt: bool,
    /// The link stays ACTIVE after a payment (each visitor pays their own session) instead of
    /// becoming FINISHED. Demo links use it so they stay payable for every visitor.
    pub reusable: bool,
    /// Faults injected into this link's calls (`metadata.faults`, see `faults/plan.rs`).
    pub faults: Option<FaultPlan>,
    /// Origins allowed to frame this link's checkout (`metadata.frameAncestors`, see
    /// `crate::embedding`), each exactly `scheme://host[:port]`.
    pub frame_ancestors: Vec<String>,
}

/// One payment config the sessions will get: a currency, its rate and its rails.
#[derive(Debug, Clone)]
pub struct PlannedConfig {
    pub currency: String,
    /// Session-currency units per one unit of this config's currency (`"4000"` for USD on a
    /// COP session); `1` for the session's own currency.
    pub exchange_rate: Decimal,
    pub rails: Vec<Rail>,
}

/// Method ids: `pm_<rail>` in the session currency, `pm_<rail>_<currency>` in the others, so
/// ids stay unique across configs.
fn method_id(rail: &Rail, currency: &str, primary: bool) -> String {
    let rail = rail.as_str().to_ascii_lowercase();
    if primary {
        format!("pm_{rail}")
    } else {
        format!("pm_{rail}_{}", currency.to_ascii_lowercase())
    }
}

/// The `paymentConfigs` of a session whose total is `total` in `currency`.
pub fn payment_configs(currency: &str, total: &str, plan: &MetadataOptions) -> Answer<Vec<PaymentConfig>> {
    let total = Decimal::parse(total).map_err(|_| Failure::invalid("items", "total is not a decimal"))?;
    let mut configs = Vec::with_capacity(plan.configs.len());
    for (index, planned) in plan.configs.iter().enumerate() {
        let primary = index == 0;
        let scale = minor_units(&planned.currency);
        let purchase = if primary {
            total
        } else {
            divide(&total, &planned.exchange_rate, scale).ok_or_else(|| {
                Failure::invalid(
                    &format!("metadata.paymentConfigs[{index}].exchangeRate"),
                    "gives an amount out of range",
                )
            })?
        };
        let purchase = purchase.round(scale).to_string();
        configs.push(PaymentConfig {
            currency: planned.currency.clone(),
            product: format!("{}:{currency}", planned.currency),
            exchange_rate: planned.exchange_rate.to_string(),
            payment_methods: planned
                .rails
                .iter()
                .map(|rail| PaymentMethod {
                    id: method_id(rail, &planned.currency, primary),
                    rail: rail.clone(),
                    enabled: !plan.disabled.contains(rail),
                    required_fields: required_fields(rail),
                    purchase_amount: purchase.clone(),
                })
                .collect(),
        });
    }
    Ok(configs)
}

/// `amount / divisor` rounded half away from zero to `scale` decimals; `None` on a zero divisor
/// or overflow. Core's `Decimal` has no division (money rarely needs it); exchange rates do.
pub fn divide(amount: &Decimal, divisor: &Decimal, scale: u32) -> Option<Decimal> {
    let (a, a_scale) = units(amount)?;
    let (b, b_scale) = units(divisor)?;
    if b == 0 {
        return None;
    }
    // amount/divisor = (a / 10^as) / (b / 10^bs); scaled by 10^scale:
    // q = a * 10^(bs + scale) / (b * 10^as)
    let numerator = a.checked_mul(10i128.checked_pow(b_scale + scale)?)?;
    let denominator = b.checked_mul(10i128.checked_pow(a_scale)?)?;
    let quotient = numerator / denominator;
    let remainder = (numerator % denominator).unsigned_abs();
    let half_up = remainder >= denominator.unsigned_abs() - remainder;
    let negative = (numerator < 0) != (denominator < 0);
    let q = if half_up {
        quotient + if negative { -1 } else { 1 }
    } else {
        quotient
    };
    Decimal::parse(&with_scale(q, scale)).ok()
}

/// The exact `(units, scale)` of a decimal, read back from its canonical text.
fn units(value: &Decimal) -> Option<(i128, u32)> {
    let text = value.to_string();
    let scale = text.split_once('.').map_or(0, |(_, frac)| frac.len() as u32);
    let digits: String = text.chars().filter(|c| *c != '.').collect();
    Some((digits.parse().ok()?, scale))
}

/// `12345, 2` → `"123.45"`.
fn with_scale(units: i128, scale: u32) -> String {
    let negative = units < 0;
    let digits = units.unsigned_abs().to_string();
    let scale = scale as usize;
    let padded = if digits.len() <= scale {
        format!("{}{digits}", "0".repeat(scale + 1 - digits.len()))
    } else {
        digits
    };
    let (int, frac) = padded.split_at(padded.len() - scale);
    let sign = if negative { "-" } else { "" };
    if scale == 0 {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        Decimal::parse(text).unwrap()
    }

    #[test]
    fn divides_with_half_up_rounding() {
        assert_eq!(divide(&d("535500"), &d("4000"), 2).unwrap().to_string(), "133.88");
        assert_eq!(divide(&d("1"), &d("3"), 2).unwrap().to_string(), "0.33");
        assert_eq!(divide(&d("2"), &d("3"), 2).unwrap().to_string(), "0.67");
        assert_eq!(divide(&d("0.05"), &d("1"), 1).unwrap().to_string(), "0.1");
        assert_eq!(divide(&d("10"), &d("0.25"), 0).unwrap().to_string(), "40");
        assert!(divide(&d("1"), &d("0"), 2).is_none());
    }

    #[test]
    fn configs_carry_purchase_amounts_per_currency() {
        let plan = MetadataOptions {
            configs: vec![
                PlannedConfig {
                    currency: "COP".into(),
                    exchange_rate: d("1"),
                    rails: vec![Rail::Pse, Rail::Nequi],
                },
                PlannedConfig {
                    currency: "USD".into(),
                    exchange_rate: d("4000"),
                    rails: vec![Rail::Card],
                },
            ],
            disabled: vec![Rail::Nequi],
            single_attempt: false,
            reusable: false,
            faults: None,
            frame_ancestors: Vec::new(),
        };
        let configs = payment_configs("COP", "535500", &plan).unwrap();
        assert_eq!(configs[0].product, "COP:COP");
        assert_eq!(configs[0].payment_methods[0].id, "pm_pse");
        assert_eq!(configs[0].payment_methods[0].purchase_amount, "535500");
        assert!(configs[0].payment_methods[0]
            .required_fields
            .contains(&"pse.bankId".to_string()));
        assert!(!configs[0].payment_methods[1].enabled);
        assert_eq!(configs[1].product, "USD:COP");
        assert_eq!(configs[1].payment_methods[0].id, "pm_card_usd");
        assert_eq!(configs[1].payment_methods[0].purchase_amount, "133.88");
    }

    #[test]
    fn required_fields_follow_the_contract() {
        assert_eq!(
            required_fields(&Rail::Etpay),
            vec!["etpay.customer.firstName", "etpay.customer.email"]
        );
        assert_eq!(required_fields(&Rail::Pse).len(), 7);
        assert!(required_fields(&Rail::Pix).contains(&"pix.customer.documentNumber".to_string()));
    }
}
