//! What the payer can choose: each payment config (a currency) with its payable methods.

use crate::model::CheckoutSession;

/// A payment config the payer can pay with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentOption {
    /// Index into `session.payment_configs`.
    pub config_index: usize,
    pub currency: String,
    /// The config's exchange rate, only when its currency differs from the session's (it is
    /// noise otherwise).
    pub exchange_rate: Option<String>,
    /// Indexes into the config's `payment_methods`: enabled and in `paymentMethodsAllowed`.
    pub methods: Vec<usize>,
}

/// The configs in API order, each with its payable methods; configs with none are dropped.
pub fn payment_options(session: &CheckoutSession) -> Vec<PaymentOption> {
    session
        .payment_configs
        .iter()
        .enumerate()
        .filter_map(|(config_index, config)| {
            let methods: Vec<usize> = config
                .payment_methods
                .iter()
                .enumerate()
                .filter(|(_, m)| m.enabled && session.payment_methods_allowed.contains(&m.rail))
                .map(|(i, _)| i)
                .collect();
            if methods.is_empty() {
                return None;
            }
            let foreign = !config.currency.trim().eq_ignore_ascii_case(session.currency.trim());
            let rate = config.exchange_rate.trim();
            Some(PaymentOption {
                config_index,
                currency: config.currency.clone(),
                exchange_rate: (foreign && !rate.is_empty()).then(|| rate.to_string()),
                methods,
            })
        })
        .collect()
}

/// Every currency the page shows amounts in: the session's own first (its summary), then each
/// payable config's (their option rows), without repeats. What
/// [`crate::money::currency_display`] decides from.
pub fn shown_currencies(session: &CheckoutSession) -> Vec<String> {
    let mut shown = vec![session.currency.trim().to_ascii_uppercase()];
    for option in payment_options(session) {
        let code = option.currency.trim().to_ascii_uppercase();
        if !shown.contains(&code) {
            shown.push(code);
        }
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{session, session_with};
    use serde_json::json;

    #[test]
    fn offers_enabled_and_allowed_methods_per_config() {
        let options = payment_options(&session());
        assert_eq!(
            options,
            [
                // NEQUI is disabled, CARD is not allowed.
                PaymentOption {
                    config_index: 0,
                    currency: "COP".into(),
                    exchange_rate: None,
                    methods: vec![0]
                },
                PaymentOption {
                    config_index: 1,
                    currency: "USD".into(),
                    exchange_rate: Some("4100.25".into()),
                    methods: vec![0]
                },
            ]
        );
    }

    #[test]
    fn drops_configs_with_nothing_payable() {
        let only_pse = session_with(json!({"paymentMethodsAllowed": ["PSE"]}));
        let options = payment_options(&only_pse);
        assert_eq!(options.len(), 1);
        assert_eq!(options[0].config_index, 0);
        let nothing = session_with(json!({"paymentMethodsAllowed": ["PIX"]}));
        assert!(payment_options(&nothing).is_empty());
    }

    #[test]
    fn shown_currencies_are_the_session_s_then_the_payable_configs() {
        assert_eq!(shown_currencies(&session()), ["COP", "USD"]);
        // USD offers nothing payable here: only COP is shown.
        let only_pse = session_with(json!({"paymentMethodsAllowed": ["PSE"]}));
        assert_eq!(shown_currencies(&only_pse), ["COP"]);
    }
}
