//! The order summary's arithmetic, in exact decimals: the subtotal (the session's, else the sum
//! of its items'), the taxes as total − subtotal, and a percentage rate as it reads best. The
//! summary component only draws what this computes.

use crate::decimal::Decimal;
use crate::model::{CheckoutSession, Item, Tax, TaxType};

/// The amounts under the item list (decimal strings, as the API writes them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Totals {
    /// The session's pre-tax amount; when it gives none, the exact sum of its items'
    /// (`""` when one of those is not a decimal).
    pub subtotal: String,
    /// total − subtotal, only when both are exact decimals and the difference is not negative.
    pub taxes: Option<String>,
}

impl Totals {
    pub fn of(session: &CheckoutSession) -> Totals {
        Totals::new(&session.pre_tax_amount, &session.items, &session.total_amount)
    }

    /// From a session's `preTaxAmount`, `items` and `totalAmount`.
    pub fn new(pre_tax_amount: &str, items: &[Item], total_amount: &str) -> Totals {
        let subtotal = if pre_tax_amount.trim().is_empty() {
            crate::money::sum(&items.iter().map(|i| i.pre_tax_amount.as_str()).collect::<Vec<_>>()).unwrap_or_default()
        } else {
            pre_tax_amount.to_string()
        };
        let taxes = taxes(total_amount, &subtotal);
        Totals { subtotal, taxes }
    }
}

fn taxes(total: &str, subtotal: &str) -> Option<String> {
    let total = Decimal::parse(total.trim()).ok()?;
    let subtotal = Decimal::parse(subtotal.trim()).ok()?;
    let taxes = total.checked_sub(&subtotal)?;
    (!taxes.is_negative()).then(|| taxes.to_string())
}

/// A percentage tax's rate without trailing zeros (`"19.00"` → `"19"`, `"10.50"` → `"10.5"`),
/// to be formatted for the payer's language; `None` for a fixed amount.
pub fn percentage_rate(tax: &Tax) -> Option<String> {
    (tax.kind == TaxType::Percentage).then(|| {
        let value = tax.value.trim();
        if value.contains('.') {
            value.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            value.to_string()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::session_with;
    use serde_json::json;

    fn item(pre_tax: &str) -> Item {
        Item {
            description: String::new(),
            pre_tax_amount: pre_tax.into(),
            total_amount: pre_tax.into(),
            tax: None,
        }
    }

    #[test]
    fn the_session_subtotal_wins_and_taxes_are_the_exact_difference() {
        // (preTaxAmount, items' preTaxAmount, totalAmount, subtotal, taxes)
        type Row = (
            &'static str,
            &'static [&'static str],
            &'static str,
            &'static str,
            Option<&'static str>,
        );
        let rows: &[Row] = &[
            ("100000", &["1"], "119000", "100000", Some("19000")),
            ("10.05", &[], "11.66", "10.05", Some("1.61")),
            ("0.1", &[], "0.3", "0.1", Some("0.2")),
            ("100", &[], "100", "100", Some("0")),
            ("100.50", &[], "100.5", "100.50", Some("0.00")),
            ("1.123456", &[], "2", "1.123456", Some("0.876544")),
            (
                "99999999999999999.99",
                &[],
                "99999999999999999.99",
                "99999999999999999.99",
                Some("0.00"),
            ),
            // A total under the subtotal (a discount the API does not itemise) shows no taxes.
            ("120", &[], "100", "120", None),
            // Text that is not an exact decimal shows no taxes, and nothing is guessed.
            ("1,000", &[], "1200", "1,000", None),
            ("100", &[], "1e3", "100", None),
            ("100", &[], "", "100", None),
            (" 100 ", &[], " 119 ", " 100 ", Some("19")),
        ];
        for (pre_tax, items, total, subtotal, taxes) in rows {
            let items: Vec<Item> = items.iter().map(|a| item(a)).collect();
            let totals = Totals::new(pre_tax, &items, total);
            assert_eq!(totals.subtotal, *subtotal, "{pre_tax} {total}");
            assert_eq!(totals.taxes.as_deref(), *taxes, "{pre_tax} {total}");
        }
    }

    #[test]
    fn without_a_session_subtotal_the_items_are_summed_exactly() {
        let rows: &[(&[&str], &str, &str, Option<&str>)] = &[
            (&["0.1", "0.2"], "0.36", "0.3", Some("0.06")),
            (&["1.5", "2.25"], "4", "3.75", Some("0.25")),
            (&["15990"], "19028", "15990", Some("3038")),
            (&[], "10", "0", Some("10")),
            (&["1", "abc"], "10", "", None),
            (&["1", ""], "10", "", None),
        ];
        for (items, total, subtotal, taxes) in rows {
            let list: Vec<Item> = items.iter().map(|a| item(a)).collect();
            for pre_tax in ["", "  "] {
                let totals = Totals::new(pre_tax, &list, total);
                assert_eq!(totals.subtotal, *subtotal, "{items:?}");
                assert_eq!(totals.taxes.as_deref(), *taxes, "{items:?}");
            }
        }
    }

    #[test]
    fn a_session_gives_its_own_totals() {
        let totals = Totals::of(&session_with(
            json!({"preTaxAmount": "100000", "totalAmount": "119000"}),
        ));
        assert_eq!(
            totals,
            Totals {
                subtotal: "100000".into(),
                taxes: Some("19000".into())
            }
        );
        let totals = Totals::of(&session_with(json!({"preTaxAmount": "", "totalAmount": "119000"})));
        assert_eq!(
            totals,
            Totals {
                subtotal: "100000".into(),
                taxes: Some("19000".into())
            }
        );
    }

    #[test]
    fn percentage_rates_drop_trailing_zeros_and_fixed_taxes_have_none() {
        let tax = |kind: TaxType, value: &str| Tax {
            name: "IVA".into(),
            kind,
            value: value.into(),
            amount: "0".into(),
        };
        for (value, rate) in [
            ("19", "19"),
            ("19.00", "19"),
            ("10.50", "10.5"),
            (" 16.0 ", "16"),
            ("0.0", "0"),
            ("100", "100"),
            ("", ""),
        ] {
            assert_eq!(
                percentage_rate(&tax(TaxType::Percentage, value)).as_deref(),
                Some(rate),
                "{value:?}"
            );
        }
        assert_eq!(percentage_rate(&tax(TaxType::Fixed, "1900")), None);
    }
}
