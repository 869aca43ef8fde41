//! Fault plans: the rules as configured (parsed and checked, so a typo is an error rather than
//! no fault), and the decision they make for one call (latency, then at most one effect).

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Map, Value};

/// Longest delay or hang a rule can cause: long enough to outlast any client timeout, short
/// enough that a forgotten rule cannot pin connections for ever.
pub const MAX_DELAY: Duration = Duration::from_secs(60);
/// Rules per plan; a plan is a test fixture, not a program.
const MAX_RULES: usize = 100;

/// The six calls of the checkout, as rules name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    CreateSession,
    Refresh,
    GetSession,
    SubmitPayment,
    ListPayments,
    Banks,
}

impl Endpoint {
    const ALL: [(&'static str, Endpoint); 6] = [
        ("createSession", Endpoint::CreateSession),
        ("refresh", Endpoint::Refresh),
        ("getSession", Endpoint::GetSession),
        ("submitPayment", Endpoint::SubmitPayment),
        ("listPayments", Endpoint::ListPayments),
        ("banks", Endpoint::Banks),
    ];

    pub fn as_str(&self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, e)| e == self)
            .map(|(name, _)| *name)
            .unwrap_or("?")
    }
}

/// What a rule does to the answer (at most one per rule; `latencyMs` combines with any).
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Answer this 5xx in Conomy's error shape; nothing is applied.
    Error { status: u16 },
    /// Answer 429 with `Retry-After`; nothing is applied.
    TooManyRequests { retry_after: u64 },
    /// Apply the call, then cut the JSON answer in half.
    TruncatedBody,
    /// Answer 200 with a body that is not JSON; nothing is applied.
    MalformedBody,
    /// Create the payment, then answer 500 (or, with `hang`, nothing until `MAX_DELAY`).
    AmbiguousPayment { hang: bool },
    /// Create the payment, then expire its session at once.
    ExpireMidPayment,
    /// Create the payment; the provider page's Approve/Decline then do nothing.
    RailNeverAnswers,
    /// Answer nothing until `MAX_DELAY` (the client's timeout fires first).
    Hang,
}

impl Effect {
    pub fn name(&self) -> &'static str {
        match self {
            Effect::Error { .. } => "status",
            Effect::TooManyRequests { .. } => "tooManyRequests",
            Effect::TruncatedBody => "truncatedBody",
            Effect::MalformedBody => "malformedBody",
            Effect::AmbiguousPayment { .. } => "ambiguousPayment",
            Effect::ExpireMidPayment => "expireMidPayment",
            Effect::RailNeverAnswers => "railNeverAnswers",
            Effect::Hang => "hang",
        }
    }

    /// Effects about a created payment make sense on payment submission only.
    fn payment_only(&self) -> bool {
        matches!(
            self,
            Effect::AmbiguousPayment { .. } | Effect::ExpireMidPayment | Effect::RailNeverAnswers
        )
    }
}

/// One rule as configured, plus how many more times it may fire.
#[derive(Debug, Clone)]
pub struct FaultRule {
    /// `None`: every endpoint (`"*"`).
    endpoint: Option<Endpoint>,
    latency: Duration,
    /// Chance the rule fires on a matching call; `None` is always.
    error_rate: Option<f64>,
    effect: Option<Effect>,
    /// `count`: fires this many more times, then is spent.
    remaining: Option<u32>,
    /// The rule as given, echoed by `GET /sandbox/control/faults`.
    source: Map<String, Value>,
}

impl FaultRule {
    fn matches(&self, endpoint: Endpoint) -> bool {
        self.endpoint.is_none_or(|e| e == endpoint)
            && self
                .effect
                .as_ref()
                .is_none_or(|effect| !effect.payment_only() || endpoint == Endpoint::SubmitPayment)
            && self.remaining != Some(0)
    }
}

/// A set of rules and the seed of its random draws (`errorRate`), so runs repeat exactly.
#[derive(Debug, Clone, Default)]
pub struct FaultPlan {
    seed: u64,
    rules: Vec<FaultRule>,
}

/// Why a plan was refused: the JSON path of the culprit and the reason.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultError {
    pub field: String,
    pub why: String,
}

impl std::fmt::Display for FaultError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.why)
    }
}

fn fault_error(field: impl Into<String>, why: impl Into<String>) -> FaultError {
    FaultError {
        field: field.into(),
        why: why.into(),
    }
}

impl FaultPlan {
    /// Reads a plan: `[rule, ...]`, `{"faults": [rule, ...], "seed": n}` or a single rule.
    /// `prefix` names where it came from in error messages (`metadata.faults`).
    pub fn parse(value: &Value, prefix: &str) -> Result<FaultPlan, FaultError> {
        let (rules, seed, rules_path) = match value {
            Value::Array(rules) => (rules.as_slice(), 0, prefix.to_string()),
            Value::Object(obj) if obj.contains_key("faults") => {
                if let Some(stray) = obj.keys().find(|k| !matches!(k.as_str(), "faults" | "seed")) {
                    return Err(fault_error(
                        format!("{prefix}.{stray}"),
                        "unknown key (use faults and seed)",
                    ));
                }
                let seed = match obj.get("seed") {
                    None | Some(Value::Null) => 0,
                    Some(seed) => seed
                        .as_u64()
                        .ok_or_else(|| fault_error(format!("{prefix}.seed"), "must be a non-negative integer"))?,
                };
                let rules = obj
                    .get("faults")
                    .and_then(Value::as_array)
                    .ok_or_else(|| fault_error(format!("{prefix}.faults"), "must be an array of rules"))?;
                (rules.as_slice(), seed, format!("{prefix}.faults"))
            }
            Value::Object(_) => (std::slice::from_ref(value), 0, String::new()),
            _ => {
                return Err(fault_error(
                    prefix,
                    "must be a rule, an array of rules or {faults, seed}",
                ))
            }
        };
        if rules.len() > MAX_RULES {
            return Err(fault_error(rules_path, format!("at most {MAX_RULES} rules")));
        }
        let rules = rules
            .iter()
            .enumerate()
            .map(|(i, rule)| {
                let path = if rules_path.is_empty() {
                    prefix.to_string()
                } else {
                    format!("{rules_path}[{i}]")
                };
                parse_rule(rule, &path)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(FaultPlan { seed, rules })
    }

    /// `parse` of a JSON text (the `SANDBOX_FAULTS` variable).
    pub fn parse_str(text: &str) -> Result<FaultPlan, FaultError> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| fault_error("faults", format!("not valid JSON ({e})")))?;
        Self::parse(&value, "faults")
    }

    /// The plan as `GET /sandbox/control/faults` shows it: each rule with its `remaining` count.
    pub fn to_json(&self) -> Value {
        let rules: Vec<Value> = self
            .rules
            .iter()
            .map(|rule| {
                let mut shown = rule.source.clone();
                if let Some(remaining) = rule.remaining {
                    shown.insert("remaining".into(), json!(remaining));
                }
                Value::Object(shown)
            })
            .collect();
        json!({"seed": self.seed, "faults": rules})
    }
}

const RULE_KEYS: [&str; 13] = [
    "endpoint",
    "count",
    "latencyMs",
    "errorRate",
    "status",
    "tooManyRequests",
    "retryAfter",
    "truncatedBody",
    "malformedBody",
    "ambiguousPayment",
    "expireMidPayment",
    "railNeverAnswers",
    "hang",
];

fn parse_rule(value: &Value, path: &str) -> Result<FaultRule, FaultError> {
    let obj = value
        .as_object()
        .ok_or_else(|| fault_error(path, "must be an object"))?;
    let field = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    // A typo must not silently become "no fault": tests would pass for the wrong reason.
    if let Some(stray) = obj.keys().find(|k| !RULE_KEYS.contains(&k.as_str())) {
        return Err(fault_error(
            field(stray),
            format!("unknown key; rules take {}", RULE_KEYS.join(", ")),
        ));
    }
    let int = |key: &str, range: std::ops::RangeInclusive<u64>| -> Result<Option<u64>, FaultError> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v.as_u64().filter(|n| range.contains(n)).map(Some).ok_or_else(|| {
                fault_error(
                    field(key),
                    format!("must be an integer in {}..={}", range.start(), range.end()),
                )
            }),
        }
    };
    let flag = |key: &str| -> Result<bool, FaultError> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(fault_error(field(key), "must be true or false")),
        }
    };

    let endpoint = match obj.get("endpoint") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s == "*" => None,
        Some(Value::String(s)) => Some(
            Endpoint::ALL
                .iter()
                .find(|(name, _)| name == s)
                .map(|(_, e)| *e)
                .ok_or_else(|| fault_error(field("endpoint"), endpoint_names()))?,
        ),
        Some(_) => return Err(fault_error(field("endpoint"), endpoint_names())),
    };
    let remaining = int("count", 1..=1_000_000)?.map(|n| n as u32);
    let latency = Duration::from_millis(int("latencyMs", 0..=MAX_DELAY.as_millis() as u64)?.unwrap_or(0));
    let error_rate = match obj.get("errorRate") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_f64()
                .filter(|r| (0.0..=1.0).contains(r))
                .ok_or_else(|| fault_error(field("errorRate"), "must be a number from 0 to 1"))?,
        ),
    };

    let mut effects = Vec::new();
    if let Some(status) = int("status", 500..=599)? {
        effects.push(Effect::Error { status: status as u16 });
    }
    let retry_after = int("retryAfter", 0..=3600)?;
    if flag("tooManyRequests")? {
        effects.push(Effect::TooManyRequests {
            retry_after: retry_after.unwrap_or(1),
        });
    } else if retry_after.is_some() {
        return Err(fault_error(field("retryAfter"), "goes with \"tooManyRequests\": true"));
    }
    for (key, effect) in [
        ("truncatedBody", Effect::TruncatedBody),
        ("malformedBody", Effect::MalformedBody),
        ("expireMidPayment", Effect::ExpireMidPayment),
        ("railNeverAnswers", Effect::RailNeverAnswers),
        ("hang", Effect::Hang),
    ] {
        if flag(key)? {
            effects.push(effect);
        }
    }
    match obj.get("ambiguousPayment") {
        None | Some(Value::Null) | Some(Value::Bool(false)) => {}
        Some(Value::Bool(true)) => effects.push(Effect::AmbiguousPayment { hang: false }),
        Some(Value::String(mode)) if mode == "error" => effects.push(Effect::AmbiguousPayment { hang: false }),
        Some(Value::String(mode)) if mode == "hang" => effects.push(Effect::AmbiguousPayment { hang: true }),
        Some(_) => {
            return Err(fault_error(
                field("ambiguousPayment"),
                "must be true, \"error\" or \"hang\"",
            ))
        }
    }
    if effects.len() > 1 {
        let names: Vec<&str> = effects.iter().map(Effect::name).collect();
        return Err(fault_error(
            path,
            format!("one effect per rule, got {}; use two rules", names.join(" and ")),
        ));
    }
    let mut effect = effects.pop();
    // `errorRate` alone means "fail this often": with a 500 unless a status says otherwise.
    if effect.is_none() && error_rate.is_some() {
        effect = Some(Effect::Error { status: 500 });
    }
    if effect.is_none() && latency.is_zero() {
        return Err(fault_error(path, "a rule needs latencyMs or an effect (status, tooManyRequests, truncatedBody, malformedBody, ambiguousPayment, expireMidPayment, railNeverAnswers, hang)"));
    }
    if let Some(effect) = effect.as_ref().filter(|e| e.payment_only()) {
        if endpoint.is_some_and(|e| e != Endpoint::SubmitPayment) {
            return Err(fault_error(
                field("endpoint"),
                format!("{} applies to submitPayment only", effect.name()),
            ));
        }
    }
    Ok(FaultRule {
        endpoint,
        latency,
        error_rate,
        effect,
        remaining,
        source: obj.clone(),
    })
}

fn endpoint_names() -> String {
    let names: Vec<&str> = Endpoint::ALL.iter().map(|(name, _)| *name).collect();
    format!("must be \"*\" or one of {}", names.join(", "))
}

/// What happens to one call: a delay, then an effect (or the normal answer).
#[derive(Debug, Default, PartialEq)]
pub struct Decision {
    pub delay: Duration,
    pub effect: Option<Effect>,
}

/// A plan in use: its rules with their counts, and its random stream.
pub struct FaultSet {
    pub(super) plan: FaultPlan,
    rng: StdRng,
}

impl FaultSet {
    pub fn new(plan: FaultPlan) -> Self {
        let rng = StdRng::seed_from_u64(plan.seed);
        FaultSet { plan, rng }
    }

    /// Applies the rules in order to a call: every firing rule adds its latency; the first
    /// firing rule with an effect decides it, and later effect rules are not consulted (nor
    /// their counts spent).
    pub fn decide(&mut self, endpoint: Endpoint, decision: &mut Decision) {
        for rule in self.plan.rules.iter_mut() {
            if !rule.matches(endpoint) || (rule.effect.is_some() && decision.effect.is_some()) {
                continue;
            }
            if let Some(rate) = rule.error_rate {
                if self.rng.gen::<f64>() >= rate {
                    continue;
                }
            }
            if let Some(remaining) = rule.remaining.as_mut() {
                *remaining -= 1;
            }
            decision.delay += rule.latency;
            if rule.effect.is_some() {
                decision.effect = rule.effect.clone();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(value: Value) -> FaultPlan {
        FaultPlan::parse(&value, "faults").expect("valid plan")
    }

    fn decide(set: &mut FaultSet, endpoint: Endpoint) -> Decision {
        let mut decision = Decision::default();
        set.decide(endpoint, &mut decision);
        decision
    }

    #[test]
    fn count_spends_the_rule_then_calls_pass() {
        let mut set = FaultSet::new(plan(json!({"endpoint": "getSession", "status": 503, "count": 2})));
        assert_eq!(decide(&mut set, Endpoint::Banks), Decision::default());
        for _ in 0..2 {
            assert_eq!(
                decide(&mut set, Endpoint::GetSession).effect,
                Some(Effect::Error { status: 503 })
            );
        }
        assert_eq!(decide(&mut set, Endpoint::GetSession), Decision::default());
        assert_eq!(set.plan.to_json()["faults"][0]["remaining"], json!(0));
    }

    #[test]
    fn latency_adds_up_and_the_first_effect_wins() {
        let mut set = FaultSet::new(plan(json!([
            {"latencyMs": 100},
            {"endpoint": "submitPayment", "latencyMs": 50, "malformedBody": true, "count": 1},
            {"endpoint": "submitPayment", "status": 502, "count": 1},
        ])));
        let first = decide(&mut set, Endpoint::SubmitPayment);
        assert_eq!(
            first,
            Decision {
                delay: Duration::from_millis(150),
                effect: Some(Effect::MalformedBody)
            }
        );
        // The 502 rule was not consulted the first time, so it still has its one call.
        let second = decide(&mut set, Endpoint::SubmitPayment);
        assert_eq!(
            second,
            Decision {
                delay: Duration::from_millis(100),
                effect: Some(Effect::Error { status: 502 })
            }
        );
        assert_eq!(decide(&mut set, Endpoint::SubmitPayment).effect, None);
    }

    #[test]
    fn error_rate_is_seeded_and_roughly_right() {
        let draws = |seed: u64| {
            let mut set = FaultSet::new(plan(
                json!({"seed": seed, "faults": [{"errorRate": 0.3, "status": 502}]}),
            ));
            (0..1000)
                .map(|_| decide(&mut set, Endpoint::GetSession).effect.is_some())
                .collect::<Vec<bool>>()
        };
        let first = draws(7);
        assert_eq!(first, draws(7), "same seed, same failures");
        assert_ne!(first, draws(8));
        let failures = first.iter().filter(|f| **f).count();
        assert!((220..380).contains(&failures), "{failures}");
        let mut never = FaultSet::new(plan(json!({"errorRate": 0})));
        assert!((0..100).all(|_| decide(&mut never, Endpoint::Banks).effect.is_none()));
    }

    #[test]
    fn payment_effects_only_touch_payment_submission() {
        let mut set = FaultSet::new(plan(json!({"endpoint": "*", "expireMidPayment": true})));
        assert_eq!(decide(&mut set, Endpoint::GetSession).effect, None);
        assert_eq!(
            decide(&mut set, Endpoint::SubmitPayment).effect,
            Some(Effect::ExpireMidPayment)
        );
        assert_eq!(
            plan(json!({"ambiguousPayment": "hang"})).rules[0].effect,
            Some(Effect::AmbiguousPayment { hang: true })
        );
    }

    #[test]
    fn bad_rules_are_refused_with_their_path() {
        let refused = |value: Value| FaultPlan::parse(&value, "faults").expect_err("refused");
        assert_eq!(
            refused(json!([{"status": 503}, {"statu": 500}])).field,
            "faults[1].statu"
        );
        assert_eq!(
            refused(json!({"endpoint": "payments", "status": 500})).field,
            "faults.endpoint"
        );
        assert_eq!(refused(json!({"status": 404})).field, "faults.status");
        assert_eq!(refused(json!({"endpoint": "banks"})).field, "faults");
        assert!(refused(json!({"status": 500, "hang": true})).why.contains("one effect"));
        assert_eq!(
            refused(json!({"endpoint": "getSession", "railNeverAnswers": true})).field,
            "faults.endpoint"
        );
        assert_eq!(refused(json!({"retryAfter": 3})).field, "faults.retryAfter");
        assert_eq!(refused(json!({"errorRate": 1.5})).field, "faults.errorRate");
        assert_eq!(refused(json!({"faults": [], "sede": 1})).field, "faults.sede");
        assert_eq!(refused(json!("hang")).field, "faults");
    }
}
