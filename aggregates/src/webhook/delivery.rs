//! `WebhookDelivery` (`delivery-<id>`): what became of sending one journal
//! event to one endpoint. Each attempt's outcome is an event, so a rebuilt
//! outbox knows what was delivered and does not send it again. The retry
//! rule lives here: a 2xx answer delivers; anything else is tried again
//! after an exponentially growing wait, until the policy's last attempt.
//! Each endpoint format has its policy (its dialect documents one):
//! [`RetryPolicy::HUMANS2AI`]; native and HumanPing deliveries follow the
//! server's configured one.

use crate::aggregate::{Aggregate, DomainEvent};
use crate::error::{Decided, DomainError};
use crate::ids::{DeliveryId, WebhookId};
use crate::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A recorded error is cut to this many characters: enough for a
/// connection error's chain, and a receiver cannot bloat the journal.
pub const ERROR_MAX_CHARS: usize = 500;

/// The delivery of the event at `position` to `webhook_id`: a name-based
/// UUID (v5) in the endpoint's namespace, so a rebuild of the outbox names
/// every delivery as before and its recorded attempts still apply.
pub fn delivery_id(webhook_id: WebhookId, position: i64) -> DeliveryId {
    DeliveryId(Uuid::new_v5(&webhook_id.0, &position.to_be_bytes()))
}

/// How often and how patiently a delivery is tried. Comes in the command
/// (from configuration), so tests can retry in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; the last failure is final.
    pub attempts_max: u32,
    /// The wait after the first failed attempt.
    pub first_delay_ms: u64,
    /// Each wait is this many times the one before.
    pub backoff_factor: u32,
    /// No wait is longer than this.
    pub last_delay_ms: u64,
}

impl RetryPolicy {
    /// Humans2AI's documented policy: "3 attempts with exponential backoff
    /// (5 s → 10 s → 20 s)". Three attempts in all: the first at once, the
    /// first retry 5 s after it failed, the second (the last attempt) 10 s
    /// after that; 20 s is the longest wait, reached only by a policy
    /// allowing a fourth attempt (tests scale the waits down, see the
    /// server's `WebhookSettings`).
    pub const HUMANS2AI: RetryPolicy = RetryPolicy {
        attempts_max: 3,
        first_delay_ms: 5_000,
        backoff_factor: 2,
        last_delay_ms: 20_000,
    };

    /// The wait after failed attempt `attempt` (1-based): `first_delay_ms`
    /// times `backoff_factor^(attempt - 1)`, at most `last_delay_ms`.
    pub fn delay_ms(&self, attempt: u32) -> u64 {
        let growth = u64::from(self.backoff_factor).saturating_pow(attempt.saturating_sub(1));
        self.first_delay_ms
            .saturating_mul(growth)
            .min(self.last_delay_ms)
    }
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// The receiver answered with this HTTP status.
    Answered { status_code: u16 },
    /// No answer: refused destination, connection error, timeout.
    Unanswered { error: String },
}

#[derive(Debug, Clone, PartialEq)]
pub enum DeliveryCommand {
    RecordAttempt {
        webhook_id: WebhookId,
        position: i64,
        /// 1 for the first attempt: must follow the last one recorded, so a
        /// stale sender's report is refused rather than counted twice.
        attempt: u32,
        outcome: AttemptOutcome,
        duration_ms: u64,
        policy: RetryPolicy,
        at: Timestamp,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum DeliveryEvent {
    /// Answered 2xx: done.
    DeliverySucceeded {
        webhook_id: WebhookId,
        position: i64,
        attempt: u32,
        status_code: u16,
        duration_ms: u64,
        at: Timestamp,
    },
    /// Not delivered this time; tried again at `retry_at`.
    DeliveryAttemptFailed {
        webhook_id: WebhookId,
        position: i64,
        attempt: u32,
        status_code: Option<u16>,
        error: Option<String>,
        duration_ms: u64,
        at: Timestamp,
        retry_at: Timestamp,
    },
    /// Not delivered on the last attempt the policy allows: given up.
    DeliveryFailed {
        webhook_id: WebhookId,
        position: i64,
        attempt: u32,
        status_code: Option<u16>,
        error: Option<String>,
        duration_ms: u64,
        at: Timestamp,
    },
}

impl DomainEvent for DeliveryEvent {
    fn event_type(&self) -> &'static str {
        match self {
            DeliveryEvent::DeliverySucceeded { .. } => "DeliverySucceeded",
            DeliveryEvent::DeliveryAttemptFailed { .. } => "DeliveryAttemptFailed",
            DeliveryEvent::DeliveryFailed { .. } => "DeliveryFailed",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    #[default]
    Pending,
    Delivered,
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WebhookDelivery {
    pub attempts: u32,
    pub status: DeliveryStatus,
    pub retry_at: Option<Timestamp>,
}

impl Aggregate for WebhookDelivery {
    const STREAM_PREFIX: &'static str = "delivery";
    type Command = DeliveryCommand;
    type Event = DeliveryEvent;

    fn decide(&self, command: &DeliveryCommand) -> Decided<DeliveryEvent> {
        let DeliveryCommand::RecordAttempt {
            webhook_id,
            position,
            attempt,
            outcome,
            duration_ms,
            policy,
            at,
        } = command;
        match self.status {
            DeliveryStatus::Pending => {}
            DeliveryStatus::Delivered => {
                return Err(DomainError::conflict("delivery already delivered"))
            }
            DeliveryStatus::Failed => return Err(DomainError::conflict("delivery already failed")),
        }
        if *attempt != self.attempts + 1 {
            return Err(DomainError::conflict(format!(
                "attempt {attempt} does not follow the {} recorded",
                self.attempts
            )));
        }
        let (webhook_id, position, attempt, duration_ms, at) =
            (*webhook_id, *position, *attempt, *duration_ms, *at);
        let (status_code, error) = match outcome {
            AttemptOutcome::Answered { status_code } if (200..300).contains(status_code) => {
                return Ok(vec![DeliveryEvent::DeliverySucceeded {
                    webhook_id,
                    position,
                    attempt,
                    status_code: *status_code,
                    duration_ms,
                    at,
                }]);
            }
            AttemptOutcome::Answered { status_code } => (Some(*status_code), None),
            AttemptOutcome::Unanswered { error } => {
                (None, Some(error.chars().take(ERROR_MAX_CHARS).collect()))
            }
        };
        if attempt >= policy.attempts_max {
            return Ok(vec![DeliveryEvent::DeliveryFailed {
                webhook_id,
                position,
                attempt,
                status_code,
                error,
                duration_ms,
                at,
            }]);
        }
        let wait = i64::try_from(policy.delay_ms(attempt)).unwrap_or(i64::MAX);
        let retry_at = at
            .checked_add_signed(chrono::Duration::milliseconds(wait))
            .unwrap_or(at);
        Ok(vec![DeliveryEvent::DeliveryAttemptFailed {
            webhook_id,
            position,
            attempt,
            status_code,
            error,
            duration_ms,
            at,
            retry_at,
        }])
    }

    fn apply(&mut self, event: &DeliveryEvent) {
        match event {
            DeliveryEvent::DeliverySucceeded { attempt, .. } => {
                self.attempts = *attempt;
                self.status = DeliveryStatus::Delivered;
                self.retry_at = None;
            }
            DeliveryEvent::DeliveryAttemptFailed {
                attempt, retry_at, ..
            } => {
                self.attempts = *attempt;
                self.retry_at = Some(*retry_at);
            }
            DeliveryEvent::DeliveryFailed { attempt, .. } => {
                self.attempts = *attempt;
                self.status = DeliveryStatus::Failed;
                self.retry_at = None;
            }
        }
    }
}

crate::cqrs_aggregate!(WebhookDelivery);

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use cqrs_es::test::TestFramework;

    type DeliveryTest = TestFramework<WebhookDelivery>;

    const HOOK: WebhookId = WebhookId(Uuid::from_u128(0x4007));
    const POSITION: i64 = 42;
    const POLICY: RetryPolicy = RetryPolicy {
        attempts_max: 3,
        first_delay_ms: 1_000,
        backoff_factor: 4,
        last_delay_ms: 10_000,
    };

    fn at(seconds: i64) -> Timestamp {
        chrono::Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap()
            + chrono::Duration::seconds(seconds)
    }

    fn attempt(number: u32, outcome: AttemptOutcome) -> DeliveryCommand {
        DeliveryCommand::RecordAttempt {
            webhook_id: HOOK,
            position: POSITION,
            attempt: number,
            outcome,
            duration_ms: 12,
            policy: POLICY,
            at: at(0),
        }
    }

    fn answered(status_code: u16) -> AttemptOutcome {
        AttemptOutcome::Answered { status_code }
    }

    fn failed_attempt(number: u32, retry_in_ms: i64) -> DeliveryEvent {
        DeliveryEvent::DeliveryAttemptFailed {
            webhook_id: HOOK,
            position: POSITION,
            attempt: number,
            status_code: Some(500),
            error: None,
            duration_ms: 12,
            at: at(0),
            retry_at: at(0) + chrono::Duration::milliseconds(retry_in_ms),
        }
    }

    #[test]
    fn a_2xx_answer_delivers() {
        DeliveryTest::with(())
            .given_no_previous_events()
            .when(attempt(1, answered(204)))
            .then_expect_events(vec![DeliveryEvent::DeliverySucceeded {
                webhook_id: HOOK,
                position: POSITION,
                attempt: 1,
                status_code: 204,
                duration_ms: 12,
                at: at(0),
            }]);
    }

    #[test]
    fn any_other_answer_is_retried_after_a_growing_wait() {
        DeliveryTest::with(())
            .given_no_previous_events()
            .when(attempt(1, answered(500)))
            .then_expect_events(vec![failed_attempt(1, 1_000)]);
        DeliveryTest::with(())
            .given(vec![failed_attempt(1, 1_000)])
            .when(attempt(2, answered(500)))
            .then_expect_events(vec![failed_attempt(2, 4_000)]);
        for redirect in [301, 302, 404, 410] {
            let events = WebhookDelivery::default()
                .decide(&attempt(1, answered(redirect)))
                .unwrap();
            assert_eq!(events[0].event_type(), "DeliveryAttemptFailed");
        }
    }

    #[test]
    fn the_last_allowed_attempt_fails_for_good() {
        DeliveryTest::with(())
            .given(vec![failed_attempt(1, 1_000), failed_attempt(2, 4_000)])
            .when(attempt(
                3,
                AttemptOutcome::Unanswered {
                    error: "connection refused".to_owned(),
                },
            ))
            .then_expect_events(vec![DeliveryEvent::DeliveryFailed {
                webhook_id: HOOK,
                position: POSITION,
                attempt: 3,
                status_code: None,
                error: Some("connection refused".to_owned()),
                duration_ms: 12,
                at: at(0),
            }]);
    }

    #[test]
    fn waits_grow_fourfold_up_to_the_last_delay() {
        let waits: Vec<u64> = (1..=5).map(|n| POLICY.delay_ms(n)).collect();
        assert_eq!(waits, [1_000, 4_000, 10_000, 10_000, 10_000]);
        let patient = RetryPolicy {
            attempts_max: 100,
            first_delay_ms: u64::MAX / 2,
            backoff_factor: 4,
            last_delay_ms: u64::MAX,
        };
        assert_eq!(patient.delay_ms(99), u64::MAX);
    }

    #[test]
    fn an_attempt_out_of_turn_is_refused() {
        DeliveryTest::with(())
            .given(vec![failed_attempt(1, 1_000)])
            .when(attempt(1, answered(200)))
            .then_expect_error(DomainError::Conflict(
                "attempt 1 does not follow the 1 recorded".to_owned(),
            ));
        DeliveryTest::with(())
            .given_no_previous_events()
            .when(attempt(2, answered(200)))
            .then_expect_error(DomainError::Conflict(
                "attempt 2 does not follow the 0 recorded".to_owned(),
            ));
    }

    #[test]
    fn nothing_is_recorded_after_the_end() {
        let delivered = DeliveryEvent::DeliverySucceeded {
            webhook_id: HOOK,
            position: POSITION,
            attempt: 1,
            status_code: 200,
            duration_ms: 3,
            at: at(0),
        };
        DeliveryTest::with(())
            .given(vec![delivered])
            .when(attempt(2, answered(200)))
            .then_expect_error(DomainError::Conflict(
                "delivery already delivered".to_owned(),
            ));
        let given_up = DeliveryEvent::DeliveryFailed {
            webhook_id: HOOK,
            position: POSITION,
            attempt: 1,
            status_code: Some(500),
            error: None,
            duration_ms: 3,
            at: at(0),
        };
        DeliveryTest::with(())
            .given(vec![given_up])
            .when(attempt(2, answered(200)))
            .then_expect_error(DomainError::Conflict("delivery already failed".to_owned()));
    }

    #[test]
    fn long_errors_are_cut_short() {
        let events = WebhookDelivery::default()
            .decide(&attempt(
                1,
                AttemptOutcome::Unanswered {
                    error: "é".repeat(ERROR_MAX_CHARS + 10),
                },
            ))
            .unwrap();
        let DeliveryEvent::DeliveryAttemptFailed {
            error: Some(error), ..
        } = &events[0]
        else {
            panic!("{events:?}");
        };
        assert_eq!(error.chars().count(), ERROR_MAX_CHARS);
    }

    fn attempt_under(policy: RetryPolicy, number: u32, at_s: i64) -> DeliveryCommand {
        DeliveryCommand::RecordAttempt {
            webhook_id: HOOK,
            position: POSITION,
            attempt: number,
            outcome: AttemptOutcome::Unanswered {
                error: "timed out after 30 s".to_owned(),
            },
            duration_ms: 30_000,
            policy,
            at: at(at_s),
        }
    }

    fn timed_out(number: u32, at_s: i64, retry_in_s: i64) -> DeliveryEvent {
        DeliveryEvent::DeliveryAttemptFailed {
            webhook_id: HOOK,
            position: POSITION,
            attempt: number,
            status_code: None,
            error: Some("timed out after 30 s".to_owned()),
            duration_ms: 30_000,
            at: at(at_s),
            retry_at: at(at_s + retry_in_s),
        }
    }

    #[test]
    fn humans2ai_retries_first_after_5_s_then_after_10_s() {
        let policy = RetryPolicy::HUMANS2AI;
        DeliveryTest::with(())
            .given_no_previous_events()
            .when(attempt_under(policy, 1, 0))
            .then_expect_events(vec![timed_out(1, 0, 5)]);
        DeliveryTest::with(())
            .given(vec![timed_out(1, 0, 5)])
            .when(attempt_under(policy, 2, 35))
            .then_expect_events(vec![timed_out(2, 35, 10)]);
    }

    #[test]
    fn humans2ai_gives_up_after_its_third_attempt() {
        DeliveryTest::with(())
            .given(vec![timed_out(1, 0, 5), timed_out(2, 35, 10)])
            .when(attempt_under(RetryPolicy::HUMANS2AI, 3, 75))
            .then_expect_events(vec![DeliveryEvent::DeliveryFailed {
                webhook_id: HOOK,
                position: POSITION,
                attempt: 3,
                status_code: None,
                error: Some("timed out after 30 s".to_owned()),
                duration_ms: 30_000,
                at: at(75),
            }]);
    }

    #[test]
    fn humans2ai_waits_double_from_5_s_to_at_most_20_s() {
        let waits: Vec<u64> = (1..=4)
            .map(|n| RetryPolicy::HUMANS2AI.delay_ms(n))
            .collect();
        assert_eq!(waits, [5_000, 10_000, 20_000, 20_000]);
    }

    #[test]
    fn delivery_ids_depend_on_the_endpoint_and_the_position_only() {
        let other = WebhookId(Uuid::from_u128(0x4008));
        assert_eq!(delivery_id(HOOK, 7), delivery_id(HOOK, 7));
        assert_ne!(delivery_id(HOOK, 7), delivery_id(HOOK, 8));
        assert_ne!(delivery_id(HOOK, 7), delivery_id(other, 7));
    }
}
