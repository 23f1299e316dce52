//! The project tools: each calls the function of its REST twin
//! (`/api/projects[/:id[/archive|unarchive|testers[/:testerId]]]`) and
//! answers its JSON; `assign_job_to_project` links or unlinks a job, which
//! REST does at the job's creation (`projectId`).

use super::params::*;
use super::{executed, meta, reply, rest_caller, InstaHumanTools};
use crate::http::instahuman::projects;
use crate::http::instahuman::Body;
use crate::mcp::caller::ToolCaller;
use crate::mcp::outcome::ToolResult;
use axum::http::request::Parts;
use errand_aggregates::project::ProjectAction;
use rmcp::handler::server::tool::Extension;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::{tool, tool_router};

impl InstaHumanTools {
    /// Archive, unarchive or delete, as `POST /api/projects/:id/<action>`
    /// (`DELETE` for a deletion).
    async fn transition(
        &self,
        parts: &Parts,
        tool: &'static str,
        arguments: &ProjectCommand,
        action: ProjectAction,
    ) -> ToolResult {
        let caller = ToolCaller::of(parts)?;
        executed(caller, async {
            let key = arguments.idempotency_key.as_deref();
            let meta = meta(caller, tool, key, arguments)?;
            let caller = rest_caller(caller);
            projects::transition(&self.app, &caller, &arguments.project_id, meta, action).await
        })
        .await
    }
}

#[tool_router(router = project_tools, vis = "pub(super)")]
impl InstaHumanTools {
    #[tool(
        description = "Create a new project: a name (and a description) to group jobs under and keep the testers you work with."
    )]
    async fn create_project(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<CreateProject>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        executed(caller, async {
            let key = arguments.idempotency_key.as_deref();
            let meta = meta(caller, "create_project", key, &arguments)?;
            let body = Body {
                body: arguments.request(),
                meta,
            };
            projects::create(&self.app, &rest_caller(caller), body).await
        })
        .await
    }

    #[tool(
        description = "Update project name/description; what you leave out stays. An archived project must be unarchived first."
    )]
    async fn update_project(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<UpdateProject>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        executed(caller, async {
            let key = arguments.idempotency_key.as_deref();
            let meta = meta(caller, "update_project", key, &arguments)?;
            let body = Body {
                body: arguments.request(),
                meta,
            };
            let caller = rest_caller(caller);
            projects::update(&self.app, &caller, &arguments.project_id, body).await
        })
        .await
    }

    #[tool(
        description = "Delete a project, for good: it is gone from your lists and refuses every change; its jobs go on."
    )]
    async fn delete_project(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<ProjectCommand>,
    ) -> ToolResult {
        self.transition(&parts, "delete_project", &arguments, ProjectAction::Delete)
            .await
    }

    #[tool(
        description = "Get project details: name, description, status, tester and job counts, and its jobs."
    )]
    async fn get_project(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<OnProject>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        reply(caller, async {
            projects::get(&self.app, &rest_caller(caller), &arguments.project_id).await
        })
        .await
    }

    #[tool(
        description = "List owner's projects, newest first, a page at a time: {\"data\": [...], \"next\"}; pass next as cursor for the page after."
    )]
    async fn list_projects(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<ListPage>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        reply(caller, async {
            projects::list(&self.app, &rest_caller(caller), &arguments.query()).await
        })
        .await
    }

    #[tool(
        description = "Archive a project: it keeps its jobs and testers but refuses changes until unarchived."
    )]
    async fn archive_project(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<ProjectCommand>,
    ) -> ToolResult {
        self.transition(
            &parts,
            "archive_project",
            &arguments,
            ProjectAction::Archive,
        )
        .await
    }

    #[tool(description = "Unarchive a project: it takes changes again.")]
    async fn unarchive_project(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<ProjectCommand>,
    ) -> ToolResult {
        self.transition(
            &parts,
            "unarchive_project",
            &arguments,
            ProjectAction::Unarchive,
        )
        .await
    }

    #[tool(
        description = "Link/unlink a job to a project: project_id puts your job in that project of yours (moving it from any other); leaving it out takes the job out of its project."
    )]
    async fn assign_job_to_project(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<AssignJobToProject>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        executed(caller, async {
            let key = arguments.idempotency_key.as_deref();
            let meta = meta(caller, "assign_job_to_project", key, &arguments)?;
            let project = arguments.project_id.as_deref();
            let caller = rest_caller(caller);
            projects::assign_job(&self.app, &caller, &arguments.job_id, project, meta).await
        })
        .await
    }

    #[tool(
        description = "Manually add a tester to a project: a person on the platform, named by the email they registered with or by their id, with optional flags (favorite, trusted, blocked)."
    )]
    async fn add_project_tester(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<AddProjectTester>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        executed(caller, async {
            let key = arguments.idempotency_key.as_deref();
            let meta = meta(caller, "add_project_tester", key, &arguments)?;
            let body = Body {
                body: arguments.request(),
                meta,
            };
            let caller = rest_caller(caller);
            projects::add(&self.app, &caller, &arguments.project_id, body).await
        })
        .await
    }

    #[tool(
        description = "List testers in a project, in the order they were added, with their flags, a page at a time; pass next as cursor for the page after."
    )]
    async fn list_project_testers(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<ListProjectTesters>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        reply(caller, async {
            let caller = rest_caller(caller);
            let query = arguments.query();
            projects::testers(&self.app, &caller, &arguments.project_id, &query).await
        })
        .await
    }

    #[tool(
        description = "Update tester flags (favorite, trusted, blocked); the flags you leave out stay as they are."
    )]
    async fn update_project_tester(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<UpdateProjectTester>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        executed(caller, async {
            let key = arguments.idempotency_key.as_deref();
            let meta = meta(caller, "update_project_tester", key, &arguments)?;
            let body = Body {
                body: arguments.request(),
                meta,
            };
            let caller = rest_caller(caller);
            let (project, tester) = (&arguments.project_id, &arguments.tester_id);
            projects::flag(&self.app, &caller, project, tester, body).await
        })
        .await
    }

    #[tool(description = "Remove a tester from a project.")]
    async fn remove_project_tester(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(arguments): Parameters<RemoveProjectTester>,
    ) -> ToolResult {
        let caller = ToolCaller::of(&parts)?;
        executed(caller, async {
            let key = arguments.idempotency_key.as_deref();
            let meta = meta(caller, "remove_project_tester", key, &arguments)?;
            let caller = rest_caller(caller);
            let (project, tester) = (&arguments.project_id, &arguments.tester_id);
            projects::remove(&self.app, &caller, project, tester, meta).await
        })
        .await
    }
}
