//! The Humans2AI tools' arguments: snake_case, JSON-schema'd for the agent,
//! unknown fields refused, and converted by hand into the Humans2AI REST
//! request types, so the REST handler's function does every check that follows.

use crate::http::humans2ai::tasks::{CreateTaskRequest, ListQuery};
use crate::http::humans2ai::wallet::TransactionsQuery;
use crate::http::humans2ai::work::{AttachmentInput, ReasonRequest, SelectRequest, SubmitRequest};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Number;
use uuid::Uuid;

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTask {
    /// What to do, in a line.
    pub title: String,
    /// What to do, for the person.
    #[serde(default)]
    pub description: Option<String>,
    /// A label for the kind of work; default "general".
    #[serde(default)]
    pub category: Option<String>,
    /// Dollars, exact, at most two decimals (150 or 149.99): held in escrow
    /// from your wallet at once.
    pub budget: Number,
    /// RFC 3339.
    #[serde(default)]
    pub deadline: Option<String>,
    /// An address or a neighbourhood, at most 200 characters.
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub remote: Option<bool>,
    /// low, medium (default), high or urgent.
    #[serde(default)]
    pub urgency: Option<String>,
    /// 1 to 255 visible ASCII characters: retrying with the same key does the
    /// command once and answers as the first time (other arguments are refused).
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

impl CreateTask {
    pub fn request(&self) -> CreateTaskRequest {
        CreateTaskRequest {
            title: self.title.clone(),
            description: self.description.clone().unwrap_or_default(),
            category: self.category.clone(),
            budget: self.budget.clone(),
            deadline: self.deadline.clone(),
            location: self.location.clone(),
            remote: self.remote,
            urgency: self.urgency.clone(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListTasks {
    /// open, assigned, submitted, completed, disputed or expired.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub remote: Option<bool>,
    #[serde(default)]
    pub urgency: Option<String>,
    /// From 1; default 1.
    #[serde(default)]
    pub page: Option<i64>,
    /// 1 to 100; default 20.
    #[serde(default)]
    pub limit: Option<i64>,
}

impl ListTasks {
    pub fn query(self) -> ListQuery {
        ListQuery {
            status: self.status,
            category: self.category,
            remote: self.remote.map(|remote| remote.to_string()),
            urgency: self.urgency,
            page: self.page,
            limit: self.limit,
        }
    }
}

/// A tool that names one task.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OnTask {
    /// `task_…`, as create_task or list_tasks answered.
    pub task_id: String,
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SelectApplicant {
    /// `task_…`.
    pub task_id: String,
    /// `app_…`, from list_applications.
    pub application_id: String,
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

impl SelectApplicant {
    pub fn request(&self) -> SelectRequest {
        SelectRequest {
            application_id: self.application_id.clone(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WithReason {
    /// `task_…`.
    pub task_id: String,
    /// Why: a rejection needs 50 characters or more, for the person to redo it.
    pub reason: String,
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

impl WithReason {
    pub fn request(&self) -> ReasonRequest {
        ReasonRequest {
            reason: self.reason.clone(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    pub url: String,
    /// image/jpeg, application/pdf, …
    pub media_type: String,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitWork {
    /// `task_…` you were selected for.
    pub task_id: String,
    /// What was done, in words.
    pub proof: String,
    /// Photos or files by URL.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

impl SubmitWork {
    pub fn request(&self) -> SubmitRequest {
        SubmitRequest {
            proof: self.proof.clone(),
            attachments: self
                .attachments
                .iter()
                .map(|attachment| AttachmentInput {
                    url: attachment.url.clone(),
                    media_type: attachment.media_type.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetMessages {
    /// `task_…` you take part in.
    pub task_id: String,
    /// The `next` of the previous page.
    #[serde(default)]
    pub cursor: Option<String>,
    /// 1 to 100; default 50.
    #[serde(default)]
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SendMessage {
    /// `task_…` you take part in.
    pub task_id: String,
    /// 1 to 2,000 characters.
    pub body: String,
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListTransactions {
    /// deposit, credit, escrow_hold, escrow_release, payment, earning,
    /// withdrawal or withdrawal_returned.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub page: Option<i64>,
    #[serde(default)]
    pub limit: Option<i64>,
}

impl ListTransactions {
    pub fn query(self) -> TransactionsQuery {
        TransactionsQuery {
            kind: self.kind,
            page: self.page,
            limit: self.limit,
        }
    }
}

#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListNotifications {
    /// Only those not read yet.
    #[serde(default)]
    pub unread: Option<bool>,
    #[serde(default)]
    pub cursor: Option<String>,
    /// 1 to 100; default 20.
    #[serde(default)]
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkNotificationsRead {
    /// 1 to 100 of your notifications' ids; or leave it out and send all.
    #[serde(default)]
    pub ids: Option<Vec<Uuid>>,
    /// true: everything listed so far.
    #[serde(default)]
    pub all: Option<bool>,
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

/// Tools without arguments still take an object.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoArguments {}
