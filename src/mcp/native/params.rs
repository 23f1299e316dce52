//! The native tools' arguments: snake_case, JSON-schema'd for the agent, unknown
//! fields refused (a misspelt argument is a JSON-RPC invalid-params error, not
//! silently dropped), and converted by hand into the native API's request types, so
//! the REST handler's function does every check that follows.

use crate::http::native::events::EventsQuery;
use crate::http::native::funds::{AccountQuery, PostingsQuery};
use crate::http::native::tasks::{ApplyRequest, ListTasksQuery, PostTaskRequest, SubmitRequest};
use chrono::{DateTime, Utc};
use errand_aggregates::task::{AssignmentMode, Attachment, Proof};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Assignment {
    /// The first people to accept get the slots.
    FirstAccept,
    /// People apply; the poster selects whom to assign.
    ApplySelect,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PostTask {
    /// 1 to 200 characters.
    pub title: String,
    /// What to do, for the worker.
    #[serde(default)]
    pub description: Option<String>,
    /// Paid per slot on approval, in cents (USD); the poster's account holds
    /// reward × slots in escrow from now on.
    pub reward_cents: i64,
    /// 1 to 500 workers; default 1.
    #[serde(default)]
    pub slots: Option<u32>,
    /// first_accept (default) or apply_select.
    #[serde(default)]
    pub assignment: Option<Assignment>,
    /// A label for the kind of work; default "general".
    #[serde(default)]
    pub kind: Option<String>,
    /// Free-form JSON object for the worker: at most 16 KiB.
    #[serde(default)]
    pub details: Option<serde_json::Map<String, serde_json::Value>>,
    /// RFC 3339; the task expires unpaid work after it.
    #[serde(default)]
    pub deadline: Option<DateTime<Utc>>,
    /// Seconds a worker has to submit after taking a slot; default a day.
    #[serde(default)]
    pub assignment_time_limit_s: Option<u32>,
    /// Seconds the poster has to review before work is approved; default 3 days.
    #[serde(default)]
    pub review_window_s: Option<u32>,
    /// 1 to 255 visible ASCII characters: retrying with the same key does the
    /// command once and answers as the first time (other arguments are refused).
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

impl PostTask {
    pub fn into_request(self) -> PostTaskRequest {
        PostTaskRequest {
            title: self.title,
            description: self.description.unwrap_or_default(),
            reward_cents: self.reward_cents,
            slots: self.slots,
            assignment: self.assignment.map(|assignment| match assignment {
                Assignment::FirstAccept => AssignmentMode::FirstAccept,
                Assignment::ApplySelect => AssignmentMode::ApplySelect,
            }),
            kind: self.kind,
            details: self.details.map(serde_json::Value::Object),
            deadline: self.deadline,
            assignment_time_limit_s: self.assignment_time_limit_s,
            review_window_s: self.review_window_s,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListTasks {
    /// open | paused | stopped | cancelled | expired | completed
    #[serde(default)]
    pub status: Option<String>,
    /// Only tasks posted by this actor.
    #[serde(default)]
    pub poster: Option<Uuid>,
    /// Only tasks this actor works or worked on.
    #[serde(default)]
    pub worker: Option<Uuid>,
    /// The `next` of the previous page.
    #[serde(default)]
    pub cursor: Option<String>,
    /// 1 to 100; default 20.
    #[serde(default)]
    pub limit: Option<i64>,
}

impl ListTasks {
    pub fn into_query(self) -> ListTasksQuery {
        ListTasksQuery {
            status: self.status,
            poster: self.poster,
            worker: self.worker,
            cursor: self.cursor,
            limit: self.limit,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetTask {
    pub task_id: String,
}

/// A command on a task that takes nothing else (accept).
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskAction {
    pub task_id: String,
    /// 1 to 255 visible ASCII characters: retrying with the same key does the
    /// command once and answers as the first time (other arguments are refused).
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyTask {
    pub task_id: String,
    /// Up to 2000 characters for the poster.
    #[serde(default)]
    pub note: Option<String>,
    /// 1 to 255 visible ASCII characters: retrying with the same key does the
    /// command once and answers as the first time (other arguments are refused).
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

impl ApplyTask {
    pub fn request(&self) -> ApplyRequest {
        ApplyRequest {
            note: self.note.clone(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SelectApplicant {
    pub task_id: String,
    /// The `application_id` that `apply_task` answered the applicant.
    pub application_id: String,
    /// 1 to 255 visible ASCII characters: retrying with the same key does the
    /// command once and answers as the first time (other arguments are refused).
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachmentArgument {
    /// `https://…`, `http://…`, or `attachment:<id>`; at most 2,048 characters.
    pub url: String,
    /// e.g. image/jpeg
    pub media_type: String,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitWork {
    pub task_id: String,
    /// The proof: at most 10,000 characters. Text, attachments, or both.
    #[serde(default)]
    pub text: Option<String>,
    /// At most 10.
    #[serde(default)]
    pub attachments: Vec<AttachmentArgument>,
    /// 1 to 255 visible ASCII characters: retrying with the same key does the
    /// command once and answers as the first time (other arguments are refused).
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

impl SubmitWork {
    pub fn request(&self) -> SubmitRequest {
        SubmitRequest {
            proof: Proof {
                text: self.text.clone(),
                attachments: self
                    .attachments
                    .iter()
                    .map(|attachment| Attachment {
                        url: attachment.url.clone(),
                        media_type: attachment.media_type.clone(),
                    })
                    .collect(),
                // As over REST: the native proof's text is its answer.
                result: None,
            },
        }
    }
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveSubmission {
    /// The `submission_id` that `submit_work` answered the worker.
    pub submission_id: String,
    /// 1 to 255 visible ASCII characters: retrying with the same key does the
    /// command once and answers as the first time (other arguments are refused).
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

/// Rejecting or disputing a submission.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewWithReason {
    pub submission_id: String,
    /// 1 to 2000 characters, shown to the worker.
    pub reason: String,
    /// 1 to 255 visible ASCII characters: retrying with the same key does the
    /// command once and answers as the first time (other arguments are refused).
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetBalance {
    /// Admins only: another actor's account.
    #[serde(default)]
    pub actor_id: Option<Uuid>,
}

impl GetBalance {
    pub fn into_query(self) -> AccountQuery {
        AccountQuery {
            actor_id: self.actor_id,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListPostings {
    /// Admins only: another actor's postings.
    #[serde(default)]
    pub actor_id: Option<Uuid>,
    /// The `next` of the previous page.
    #[serde(default)]
    pub cursor: Option<String>,
    /// 1 to 100; default 50.
    #[serde(default)]
    pub limit: Option<i64>,
}

impl ListPostings {
    pub fn into_query(self) -> PostingsQuery {
        PostingsQuery {
            actor_id: self.actor_id,
            cursor: self.cursor,
            limit: self.limit,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListEvents {
    /// Events after this journal position; default 0 (from the start).
    #[serde(default)]
    pub after: Option<i64>,
    /// 1 to 1000; default 100.
    #[serde(default)]
    pub limit: Option<i64>,
}

impl ListEvents {
    pub fn into_query(self) -> EventsQuery {
        EventsQuery {
            after: self.after,
            limit: self.limit,
        }
    }
}
