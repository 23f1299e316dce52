//! The job tools' arguments.

use crate::http::instahuman::jobs::{self, CreateJobRequest, FilterInput};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Number;
use std::collections::BTreeMap;

/// Dollars, exact to the cent: a number (12.5) or a decimal string ("12.50").
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Dollars {
    Number(Number),
    Text(String),
}

impl Dollars {
    fn request(&self) -> jobs::Dollars {
        match self {
            Dollars::Number(number) => jobs::Dollars::Number(number.clone()),
            Dollars::Text(text) => jobs::Dollars::Text(text.clone()),
        }
    }
}

/// What a job asks of one participant filter.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum FilterChoice {
    /// A range filter (age): both bounds within the filter's.
    Range { min: i64, max: i64 },
    /// A choice filter (country): some of its option ids.
    Options(Vec<String>),
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateJob {
    /// What the testers test, in a line (1 to 200 characters).
    pub title: String,
    /// What testers are to do and report on, step by step.
    pub instructions: String,
    /// A category id, as GET /api/categories lists them.
    pub category: String,
    /// How many testers: one slot each (1 to 500).
    pub tester_count: u32,
    /// Dollars paid to each tester who finishes, before the platform fee;
    /// tester_count x reward_per_tester is held from your balance at once.
    pub reward_per_tester: Dollars,
    /// By filter id (GET /api/filters): {"min", "max"} for a range, a list of
    /// option ids for a choice. Example: {"age": {"min": 18, "max": 35},
    /// "country": ["us", "ca"]}.
    #[serde(default)]
    pub participant_filters: BTreeMap<String, FilterChoice>,
    /// Device ids testers must have (GET /api/equipment).
    #[serde(default)]
    pub equipment: Vec<String>,
    /// Interest ids to match testers on (GET /api/interests).
    #[serde(default)]
    pub interests: Vec<String>,
    /// A project of yours to file the job under.
    #[serde(default)]
    pub project_id: Option<String>,
    /// 1 to 255 visible ASCII characters: retrying with the same key does the
    /// command once and answers as the first time (other arguments are refused).
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

impl CreateJob {
    pub fn request(&self) -> CreateJobRequest {
        CreateJobRequest {
            title: self.title.clone(),
            instructions: self.instructions.clone(),
            category: self.category.clone(),
            tester_count: self.tester_count,
            reward_per_tester: self.reward_per_tester.request(),
            participant_filters: self
                .participant_filters
                .iter()
                .map(|(id, choice)| {
                    let choice = match choice {
                        FilterChoice::Range { min, max } => FilterInput::Range {
                            min: *min,
                            max: *max,
                        },
                        FilterChoice::Options(options) => FilterInput::Options(options.clone()),
                    };
                    (id.clone(), choice)
                })
                .collect(),
            equipment: self.equipment.clone(),
            interests: self.interests.clone(),
            project_id: self.project_id.clone(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaitJob {
    /// The job's id, as create_job answered.
    pub job_id: String,
    /// How long to wait at most, in seconds: 1 to 300; default 60.
    #[serde(default)]
    pub timeout_seconds: Option<u64>,
}

/// A tool that reads one job.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OnJob {
    /// The job's id, as create_job or list_jobs answered.
    pub job_id: String,
}

/// A tool that acts on one job and takes nothing else.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JobCommand {
    /// The job's id, as create_job or list_jobs answered.
    pub job_id: String,
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResizeJob {
    pub job_id: String,
    /// The new number of tester slots: not below the testers already taken.
    pub tester_count: u32,
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitDispute {
    pub job_id: String,
    /// Why the settlement is refused: what was wrong with the testers' work.
    pub reason: String,
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

/// The arguments of a tool that acts on one job as its owner.
pub trait JobActionArguments: Serialize {
    fn job_id(&self) -> &str;
    fn idempotency_key(&self) -> Option<&str>;
}

macro_rules! job_action_arguments {
    ($($arguments:ty),*) => {$(
        impl JobActionArguments for $arguments {
            fn job_id(&self) -> &str {
                &self.job_id
            }

            fn idempotency_key(&self) -> Option<&str> {
                self.idempotency_key.as_deref()
            }
        }
    )*};
}

job_action_arguments!(JobCommand, ResizeJob, SubmitDispute);
