//! `/sandbox/control/faults`: the global plan, installed, shown with its remaining counts, or
//! cleared (which also lets the rail of every stranded payment answer again).

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde_json::Value;

use super::{FaultPlan, FaultSet};
use crate::sandbox::errors::{Answer, Failure};
use crate::sandbox::extract::{json_body, BodyBytes};
use crate::sandbox::Sandbox;

impl Sandbox {
    /// Replaces the global faults.
    pub fn set_faults(&self, plan: FaultPlan) {
        self.faults().global = Some(FaultSet::new(plan));
    }

    /// Clears the global faults and releases stranded payments (the rail finally answers).
    /// Link faults stay: they are part of the link.
    pub fn clear_faults(&self) {
        let mut faults = self.faults();
        faults.global = None;
        faults.stranded.clear();
        faults.stranded_order.clear();
    }

    /// The global plan with remaining counts.
    pub fn faults_json(&self) -> Value {
        match &self.faults().global {
            Some(set) => set.plan.to_json(),
            None => FaultPlan::default().to_json(),
        }
    }
}

/// `POST /sandbox/control/faults`: replaces the global faults; answers them as installed.
pub async fn install(State(sandbox): State<Arc<Sandbox>>, body: BodyBytes) -> Answer<Json<Value>> {
    let plan = FaultPlan::parse(&json_body(body)?, "faults").map_err(|e| Failure::invalid(&e.field, &e.why))?;
    sandbox.set_faults(plan);
    Ok(Json(sandbox.faults_json()))
}

/// `GET /sandbox/control/faults`: the global faults with remaining counts.
pub async fn show(State(sandbox): State<Arc<Sandbox>>) -> Json<Value> {
    Json(sandbox.faults_json())
}

/// `DELETE /sandbox/control/faults`: no global faults; stranded payments are released.
pub async fn clear(State(sandbox): State<Arc<Sandbox>>) -> Json<Value> {
    sandbox.clear_faults();
    Json(sandbox.faults_json())
}
