//! Fault injection: rules, per link (`metadata.faults`) or global (`/sandbox/control/faults`,
//! `SANDBOX_FAULTS`), that delay, fail, garble or strand the simulator's answers on the
//! checkout's six calls, so tests can drive every kind of upstream trouble through the gateway.
//!
//! `plan` reads rules and decides what they do to one call, `injection` applies that to the
//! call a request's route template names, `control` serves `/sandbox/control/faults`; this
//! module holds the state they share.

mod control;
mod injection;
mod plan;

use std::collections::{HashMap, HashSet, VecDeque};

pub use control::{clear, install, show};
pub use injection::inject;
pub use plan::{Decision, Effect, Endpoint, FaultError, FaultPlan, FaultRule, FaultSet, MAX_DELAY};

use super::Sandbox;

/// Link fault states and stranded payments remembered at most.
const MAX_TRACKED: usize = 10_000;

/// The simulator's fault state: the global set, each link's set (built on first use from its
/// `metadata.faults`), and payments a `railNeverAnswers` rule stranded.
#[derive(Default)]
pub struct FaultState {
    global: Option<FaultSet>,
    per_owner: HashMap<String, FaultSet>,
    stranded: HashSet<String>,
    stranded_order: VecDeque<String>,
}

impl FaultState {
    fn strand(&mut self, payment_id: String) {
        if self.stranded.insert(payment_id.clone()) {
            self.stranded_order.push_back(payment_id);
        }
        while self.stranded_order.len() > MAX_TRACKED {
            if let Some(oldest) = self.stranded_order.pop_front() {
                self.stranded.remove(&oldest);
            }
        }
    }
}

impl Sandbox {
    fn faults(&self) -> std::sync::MutexGuard<'_, FaultState> {
        self.faults.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether a `railNeverAnswers` rule holds this payment.
    pub(in crate::sandbox) fn payment_is_stranded(&self, payment_id: &str) -> bool {
        self.faults().stranded.contains(payment_id)
    }
}
