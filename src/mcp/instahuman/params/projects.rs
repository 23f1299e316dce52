//! The project tools' arguments.

use crate::http::instahuman::cursor::PageQuery;
use crate::http::instahuman::projects::{
    AddTesterRequest, CreateProjectRequest, UpdateProjectRequest, UpdateTesterRequest,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateProject {
    /// 1 to 200 characters.
    pub name: String,
    /// What the project tests; at most 5,000 characters.
    #[serde(default)]
    pub description: Option<String>,
    /// 1 to 255 visible ASCII characters: retrying with the same key does the
    /// command once and answers as the first time (other arguments are refused).
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

impl CreateProject {
    pub fn request(&self) -> CreateProjectRequest {
        CreateProjectRequest {
            name: self.name.clone(),
            description: self.description.clone().unwrap_or_default(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProject {
    pub project_id: String,
    /// The new name; leave it out to keep it.
    #[serde(default)]
    pub name: Option<String>,
    /// The new description; leave it out to keep it.
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

impl UpdateProject {
    pub fn request(&self) -> UpdateProjectRequest {
        UpdateProjectRequest {
            name: self.name.clone(),
            description: self.description.clone(),
        }
    }
}

/// A tool that reads one project.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OnProject {
    /// The project's id, as create_project or list_projects answered.
    pub project_id: String,
}

/// A tool that acts on one project and takes nothing else.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectCommand {
    /// The project's id, as create_project or list_projects answered.
    pub project_id: String,
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignJobToProject {
    /// One of your jobs.
    pub job_id: String,
    /// One of your projects to put the job in; null or left out takes the job
    /// out of its project.
    #[serde(default)]
    pub project_id: Option<String>,
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddProjectTester {
    pub project_id: String,
    /// The email address the person registered with; or give tester_id.
    #[serde(default)]
    pub email: Option<String>,
    /// The person's id (a tester of one of your jobs); or give email.
    #[serde(default)]
    pub tester_id: Option<String>,
    #[serde(default)]
    pub favorite: Option<bool>,
    #[serde(default)]
    pub trusted: Option<bool>,
    #[serde(default)]
    pub blocked: Option<bool>,
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

impl AddProjectTester {
    pub fn request(&self) -> AddTesterRequest {
        AddTesterRequest {
            email: self.email.clone(),
            tester_id: self.tester_id.clone(),
            favorite: self.favorite.unwrap_or(false),
            trusted: self.trusted.unwrap_or(false),
            blocked: self.blocked.unwrap_or(false),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListProjectTesters {
    pub project_id: String,
    /// The next of the previous page.
    #[serde(default)]
    pub cursor: Option<String>,
    /// 1 to 100; default 20.
    #[serde(default)]
    pub limit: Option<u32>,
}

impl ListProjectTesters {
    pub fn query(&self) -> PageQuery {
        PageQuery {
            cursor: self.cursor.clone(),
            limit: self.limit,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProjectTester {
    pub project_id: String,
    /// The tester's id, as list_project_testers answered.
    pub tester_id: String,
    /// Leave a flag out to keep it; at least one.
    #[serde(default)]
    pub favorite: Option<bool>,
    #[serde(default)]
    pub trusted: Option<bool>,
    #[serde(default)]
    pub blocked: Option<bool>,
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

impl UpdateProjectTester {
    pub fn request(&self) -> UpdateTesterRequest {
        UpdateTesterRequest {
            favorite: self.favorite,
            trusted: self.trusted,
            blocked: self.blocked,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoveProjectTester {
    pub project_id: String,
    /// The tester's id, as list_project_testers answered.
    pub tester_id: String,
    #[serde(default)]
    pub idempotency_key: Option<String>,
}
