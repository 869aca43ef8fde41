//! What the payer keeps after paying (the success screen's receipt, the `completed` event's
//! facts) and the reference a failed or expired screen can still give: read from the session
//! and its payments, nothing the payer typed.

use crate::model::{CheckoutSession, Payment, PaymentStatus, Rail};
use crate::screen::latest_payment;

/// A paid checkout, as the receipt shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The merchant as the page names it (`Owner::display_name`); empty when the owner has none.
    pub merchant: String,
    /// What was charged: the payment's own amount and currency (a USD card payment on a COP
    /// link is a USD receipt).
    pub amount: String,
    pub currency: String,
    /// The rail it was paid with.
    pub rail: Option<Rail>,
    /// The Conomy payment id: what the payer quotes to the merchant or to support.
    pub reference: String,
    /// RFC 3339 instant of the payment; the page writes it in the payer's own timezone.
    pub paid_at: String,
}

/// The receipt of the newest settled payment, if this browser can see one (a paid link opened
/// by someone else shows "already paid" without any payment of the previous payer).
pub fn receipt(session: &CheckoutSession, payments: &[Payment]) -> Option<Receipt> {
    let settled: Vec<Payment> = payments
        .iter()
        .filter(|p| p.status == PaymentStatus::Settled)
        .cloned()
        .collect();
    let paid = latest_payment(&settled)?;
    let origin = paid.origins.first();
    let currency = Some(paid.currency.trim())
        .filter(|c| !c.is_empty())
        .or_else(|| origin.map(|o| o.currency.trim()).filter(|c| !c.is_empty()))
        .unwrap_or(session.currency.trim());
    let amount = Some(paid.total_amount.trim())
        .filter(|a| !a.is_empty())
        .or_else(|| {
            origin
                .and_then(|o| o.amount.as_deref())
                .map(str::trim)
                .filter(|a| !a.is_empty())
        })
        .unwrap_or(session.total_amount.trim());
    Some(Receipt {
        merchant: session.owner.display_name(),
        amount: amount.to_string(),
        currency: currency.to_string(),
        rail: origin.map(|o| o.rail.clone()),
        reference: paid.id.clone(),
        paid_at: paid.created_at.clone(),
    })
}

/// The reference of the attempt a failed or expired screen is about: the newest payment's id,
/// when there was one.
pub fn attempt_reference(payments: &[Payment]) -> Option<String> {
    latest_payment(payments)
        .map(|p| p.id.clone())
        .filter(|id| !id.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{payment, session, session_with};
    use serde_json::json;

    #[test]
    fn the_receipt_is_the_newest_settled_payment() {
        let failed = payment("FAILED", "PSE", "pse", json!({}), "2025-04-24T12:01:00Z");
        let mut paid = payment("SETTLED", "PSE", "pse", json!({}), "2025-04-24T12:05:00Z");
        paid.total_amount = "29.03".into();
        paid.currency = "USD".into();
        let later_pending = payment("CREATED", "NEQUI", "nequi", json!({}), "2025-04-24T12:09:00Z");
        let got = receipt(&session(), &[failed.clone(), paid.clone(), later_pending]).unwrap();
        assert_eq!(
            got,
            Receipt {
                merchant: "Tienda Ana".into(),
                amount: "29.03".into(),
                currency: "USD".into(),
                rail: Some(Rail::Pse),
                reference: paid.id.clone(),
                paid_at: "2025-04-24T12:05:00Z".into(),
            }
        );
        assert_eq!(receipt(&session(), std::slice::from_ref(&failed)), None);
        assert_eq!(receipt(&session(), &[]), None);
        assert_eq!(attempt_reference(std::slice::from_ref(&failed)), Some(failed.id));
        assert_eq!(attempt_reference(&[]), None);
    }

    #[test]
    fn missing_amounts_fall_back_to_the_node_then_the_session() {
        let mut paid = payment("SETTLED", "PIX", "pix", json!({}), "2025-04-24T12:05:00Z");
        paid.total_amount = String::new();
        paid.currency = String::new();
        let nameless = session_with(json!({"owner": {}}));
        let got = receipt(&nameless, &[paid]).unwrap();
        assert_eq!(
            (got.amount.as_str(), got.currency.as_str(), got.merchant.as_str()),
            ("119000", "COP", "")
        );
    }
}
