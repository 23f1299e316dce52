//! A HumanPing task as asked for (`POST /tasks` and the shorthands), parsed
//! at the edge into the ledger's `NewTask`: enums, the deadline (ISO 8601 or
//! relative, "30m"), the context object and the callback URL. The rules
//! (bounds on description, slots, budget) are the `Task` aggregate's.

use super::errors::HumanPingError;
use crate::http::auth::Principal;
use crate::http::native::{DEFAULT_ASSIGNMENT_TIME_LIMIT_S, DEFAULT_REVIEW_WINDOW_S};
use chrono::{DateTime, Duration, Utc};
use errand_aggregates::fee::FeePolicy;
use errand_aggregates::ids::{HoldId, TaskId};
use errand_aggregates::money::{Currency, Money};
use errand_aggregates::task::{AssignmentMode, NewTask, TITLE_MAX_CHARS};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use uuid::Uuid;

/// The context is extra detail for the worker, not a document: it shares the
/// task's 16 KiB of details with HumanPing's other fields.
pub const CONTEXT_MAX_BYTES: usize = 8 * 1024;
/// Browsers and proxies commonly cap URLs near this length.
pub const URL_MAX_CHARS: usize = 2_048;
/// A relative deadline further than a year out is a typo, not a plan.
pub const RELATIVE_DEADLINE_MAX_MINUTES: i64 = 365 * 24 * 60;

macro_rules! wire_enum {
    ($name:ident { $($variant:ident = $word:literal),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $word)] $variant),+
        }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }
        }
    };
}

wire_enum!(TaskType {
    Verification = "verification",
    VoiceProxy = "voice_proxy",
    GutCheck = "gut_check",
    FieldMission = "field_mission",
    EmpathyEscalation = "empathy_escalation",
    VibeReader = "vibe_reader",
    Custom = "custom",
});

wire_enum!(Urgency {
    Instant = "instant",
    Urgent = "urgent",
    Standard = "standard",
    Flex = "flex",
    Scheduled = "scheduled",
});

wire_enum!(ProofKind {
    Text = "text",
    Photo = "photo",
    Video = "video",
    Audio = "audio",
});

/// Everything a HumanPing task is made of, however it was asked for.
#[derive(Debug, Clone)]
pub struct TaskDraft {
    pub description: String,
    pub budget_cents: i64,
    pub kind: TaskType,
    pub urgency: Option<Urgency>,
    pub proof_required: Option<ProofKind>,
    pub deadline: Option<String>,
    pub context: Map<String, Value>,
    pub consensus_count: Option<u32>,
    pub callback_url: Option<String>,
}

impl TaskDraft {
    pub fn into_new_task(
        self,
        principal: &Principal,
        fee: FeePolicy,
        now: DateTime<Utc>,
    ) -> Result<NewTask, HumanPingError> {
        let description = self.description.trim();
        if description.is_empty() {
            return Err(HumanPingError::BadRequest(
                "description is required.".into(),
            ));
        }
        let context_bytes = serde_json::to_vec(&self.context).map_or(usize::MAX, |b| b.len());
        if context_bytes > CONTEXT_MAX_BYTES {
            return Err(HumanPingError::BadRequest(format!(
                "context must be at most {CONTEXT_MAX_BYTES} bytes of JSON."
            )));
        }
        let callback_url = self.callback_url.as_deref().map(parse_url).transpose()?;
        let deadline = self
            .deadline
            .as_deref()
            .map(|text| parse_deadline(text, now))
            .transpose()?;
        let mut details = json!({
            "dialect": "humanping",
            "urgency": self.urgency.unwrap_or(Urgency::Standard).as_str(),
            "proof_required": self.proof_required.unwrap_or(ProofKind::Text).as_str(),
            "context": Value::Object(self.context),
        });
        if let Some(url) = callback_url {
            details["callback_url"] = json!(url);
        }
        Ok(NewTask {
            task_id: TaskId(Uuid::now_v7()),
            hold_id: HoldId(Uuid::now_v7()),
            mode: principal.mode,
            // The ledger's title: the description's first line, shortened.
            title: description
                .lines()
                .next()
                .unwrap_or(description)
                .chars()
                .take(TITLE_MAX_CHARS)
                .collect(),
            description: description.to_owned(),
            kind: self.kind.as_str().to_owned(),
            details,
            reward: Money::positive_cents(self.budget_cents, Currency::USD)?,
            slots: self.consensus_count.unwrap_or(1),
            assignment: AssignmentMode::FirstAccept,
            fee,
            deadline,
            assignment_time_limit_s: Some(DEFAULT_ASSIGNMENT_TIME_LIMIT_S),
            review_window_s: Some(DEFAULT_REVIEW_WINDOW_S),
        })
    }
}

/// An `http(s)://` URL without spaces, of bounded length.
pub fn parse_url(text: &str) -> Result<String, HumanPingError> {
    let text = text.trim();
    let valid = (text.starts_with("https://") || text.starts_with("http://"))
        && text.len() > "https://".len()
        && text.chars().count() <= URL_MAX_CHARS
        && !text.chars().any(|c| c.is_whitespace() || c.is_control());
    if valid {
        Ok(text.to_owned())
    } else {
        Err(HumanPingError::BadRequest(format!(
            "{text:?} is not an http(s) URL of at most {URL_MAX_CHARS} characters."
        )))
    }
}

/// A webhook destination the server may send to: `parse_url`'s URL whose
/// host is not internal (the SSRF guard, unless private destinations are
/// allowed for local testing). Names are checked again when sending.
pub fn parse_destination(text: &str, allow_private: bool) -> Result<String, HumanPingError> {
    let url = parse_url(text)?;
    let parsed = reqwest::Url::parse(&url)
        .map_err(|error| HumanPingError::BadRequest(format!("{url:?} is not a URL: {error}.")))?;
    crate::webhooks::destination::check_url(&parsed, allow_private)
        .map_err(|why| HumanPingError::BadRequest(format!("{why}.")))?;
    Ok(url)
}

/// ISO 8601 with an offset (`2026-01-15T14:30:00Z`) or relative to now:
/// minutes, hours or days (`30m`, `2h`, `1d`). Always in the future.
pub fn parse_deadline(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, HumanPingError> {
    let text = text.trim();
    let invalid = || {
        HumanPingError::BadRequest(format!(
            "deadline {text:?} is neither an ISO 8601 datetime nor a duration like \"30m\", \"2h\" or \"1d\"."
        ))
    };
    let deadline = if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        at.with_timezone(&Utc)
    } else {
        let unit_minutes = match text.chars().last() {
            Some('m') => 1,
            Some('h') => 60,
            Some('d') => 24 * 60,
            _ => return Err(invalid()),
        };
        let digits = &text[..text.len() - 1];
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(invalid());
        }
        let minutes = digits
            .parse::<i64>()
            .ok()
            .and_then(|n| n.checked_mul(unit_minutes))
            .filter(|m| *m <= RELATIVE_DEADLINE_MAX_MINUTES)
            .ok_or_else(|| {
                HumanPingError::BadRequest(format!(
                    "a relative deadline is at most {} days away.",
                    RELATIVE_DEADLINE_MAX_MINUTES / (24 * 60)
                ))
            })?;
        now + Duration::minutes(minutes)
    };
    if deadline <= now {
        return Err(HumanPingError::BadRequest(
            "deadline must be in the future.".into(),
        ));
    }
    Ok(deadline)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 15, 14, 0, 0).unwrap()
    }

    #[test]
    fn relative_deadlines_count_from_now() {
        assert_eq!(
            parse_deadline("30m", now()).unwrap(),
            now() + Duration::minutes(30)
        );
        assert_eq!(
            parse_deadline("2h", now()).unwrap(),
            now() + Duration::hours(2)
        );
        assert_eq!(
            parse_deadline("1d", now()).unwrap(),
            now() + Duration::days(1)
        );
    }

    #[test]
    fn absolute_deadlines_are_iso_8601_with_an_offset() {
        assert_eq!(
            parse_deadline("2026-01-15T16:30:00+02:00", now()).unwrap(),
            now() + Duration::minutes(30)
        );
    }

    #[test]
    fn past_zero_far_or_garbled_deadlines_are_refused() {
        for text in [
            "0m",
            "2026-01-15T13:59:59Z",
            "366d",
            "99999999999999999999d",
            "m",
            "-5m",
            "5 m",
            "soon",
            "2026-01-15",
            "",
        ] {
            assert!(parse_deadline(text, now()).is_err(), "{text}");
        }
    }

    #[test]
    fn urls_are_http_and_bounded() {
        assert!(parse_url("https://agent.example.com/hook").is_ok());
        for text in [
            "ftp://x.example",
            "https://",
            "https://a b",
            "javascript:alert(1)",
        ] {
            assert!(parse_url(text).is_err(), "{text}");
        }
        assert!(parse_url(&format!("https://{}", "a".repeat(URL_MAX_CHARS))).is_err());
    }
}
