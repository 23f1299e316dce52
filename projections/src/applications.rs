//! `task_applications_view`: every application to an apply-select task, so
//! a person can list their own (with the task's context, joined from
//! `tasks_view` when read). Folds `TaskApplied` and the `TaskAssigned` that
//! selects one.

use errand_aggregates::task::TaskEvent;
use errand_aggregates::Event;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::rows::{AnyQuery, Record, Rows, ViewRow};
use crate::{micros, stream_suffix, ProjectedEvent, Projection, ProjectionError};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applications;

/// One row of `task_applications_view`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationRow {
    pub application_id: String,
    pub task_id: String,
    pub applicant: String,
    pub note: Option<String>,
    /// `pending` or `selected`.
    pub status: String,
    pub applied_at_us: i64,
    pub updated_at_us: i64,
}

impl Record for ApplicationRow {
    const TABLE: &'static str = "task_applications_view";
    const COLUMNS: &'static [&'static str] = &[
        "application_id",
        "task_id",
        "applicant",
        "note",
        "status",
        "applied_at_us",
        "updated_at_us",
    ];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.application_id.as_str())
            .bind(self.task_id.as_str())
            .bind(self.applicant.as_str())
            .bind(self.note.as_deref())
            .bind(self.status.as_str())
            .bind(self.applied_at_us)
            .bind(self.updated_at_us)
    }
}

impl ViewRow for ApplicationRow {
    fn key(&self) -> &str {
        &self.application_id
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(ApplicationRow {
            application_id: row.try_get(0)?,
            task_id: row.try_get(1)?,
            applicant: row.try_get(2)?,
            note: row.try_get(3)?,
            status: row.try_get(4)?,
            applied_at_us: row.try_get(5)?,
            updated_at_us: row.try_get(6)?,
        })
    }
}

impl Projection for Applications {
    fn name(&self) -> &'static str {
        "applications"
    }

    fn tables(&self) -> &'static [&'static str] {
        &["task_applications_view"]
    }

    async fn apply_batch(
        &self,
        conn: &mut AnyConnection,
        events: &[ProjectedEvent],
    ) -> Result<(), ProjectionError> {
        let mut applications = Rows::<ApplicationRow>::default();
        let selected = events.iter().filter_map(|e| match &e.event {
            Event::Task(TaskEvent::TaskAssigned {
                application_id: Some(application_id),
                ..
            }) => Some(application_id.to_string()),
            _ => None,
        });
        applications.prefetch(conn, selected).await?;
        for projected in events {
            let Event::Task(event) = &projected.event else {
                continue;
            };
            match event {
                TaskEvent::TaskApplied {
                    application_id,
                    applicant,
                    note,
                    at,
                } => applications.put(ApplicationRow {
                    application_id: application_id.to_string(),
                    task_id: stream_suffix(&projected.stream_id).to_owned(),
                    applicant: applicant.to_string(),
                    note: note.clone(),
                    status: "pending".to_owned(),
                    applied_at_us: micros(*at),
                    updated_at_us: micros(*at),
                }),
                TaskEvent::TaskAssigned {
                    application_id: Some(application_id),
                    at,
                    ..
                } => {
                    let row = applications
                        .get_mut(conn, &application_id.to_string())
                        .await?
                        .ok_or_else(|| {
                            ProjectionError::inconsistent(projected, "unknown application")
                        })?;
                    row.status = "selected".to_owned();
                    row.updated_at_us = micros(*at);
                }
                _ => {}
            }
        }
        applications.flush(conn).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;
    use errand_aggregates::ids::{ActorId, ApplicationId, AssignmentId};
    use errand_aggregates::task::TaskEvent;

    #[tokio::test]
    async fn applications_are_listed_and_the_selected_one_is_marked() {
        let task = "task-0190";
        let (first, second) = (ApplicationId(new_id()), ApplicationId(new_id()));
        let (ada, bob) = (ActorId(new_id()), ActorId(new_id()));
        let applied = |position, application_id, applicant| {
            projected(
                position,
                task,
                Event::Task(TaskEvent::TaskApplied {
                    application_id,
                    applicant,
                    note: Some("I live nearby".into()),
                    at: at(position),
                }),
            )
        };
        let events = [
            applied(1, first, ada),
            applied(2, second, bob),
            projected(
                3,
                task,
                Event::Task(TaskEvent::TaskAssigned {
                    assignment_id: AssignmentId(new_id()),
                    worker: bob,
                    application_id: Some(second),
                    expires_at: None,
                    at: at(3),
                }),
            ),
        ];
        let mut db = TestDb::new().await;
        db.apply(&Applications, &events[..1]).await;
        db.apply(&Applications, &events[1..]).await;
        let mut rows: Vec<ApplicationRow> = all_rows(&mut db.conn).await;
        rows.sort_by_key(|row| row.applied_at_us);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].applicant, ada.to_string());
        assert_eq!(rows[0].status, "pending");
        assert_eq!(rows[0].task_id, "0190");
        assert_eq!(rows[0].note.as_deref(), Some("I live nearby"));
        assert_eq!(rows[1].status, "selected");
        assert_eq!(rows[1].updated_at_us, micros(at(3)));
    }
}
