//! Handing in proof from the console: text and, optionally, one file, sent as
//! a multipart form. The file goes the native attachments' way (stored
//! content-addressed in the `attachments` table, named `attachment:<sha256>`
//! in the proof), then `tasks::submit` hands in the proof as
//! `POST /v1/tasks/{id}/submissions` does. Stored files are shown back only to
//! those who may see the submission that names them.

use super::layout::csrf_field;
use super::session::Session;
use super::{command_meta, ConsoleError, ConsoleResult};
use crate::attachments::{self, media_type_for, MediaKind, NewAttachment, ATTACHMENT_MAX_BYTES};
use crate::http::errors::ApiError;
use crate::http::native::tasks::{self, SubmitRequest};
use crate::http::native::views::TaskView;
use crate::http::state::AppState;
use axum::extract::{Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use errand_aggregates::task::{Attachment, Proof};
use maud::{html, Markup};
use uuid::Uuid;

/// A proof's form: 10,000 characters of text and one 10 MiB file, with room
/// for the multipart framing (the HumanPing proof route's bound).
pub const PROOF_FORM_MAX_BYTES: usize = 14 * 1024 * 1024;
/// The text field and the CSRF token are small; a larger one is not a proof.
const TEXT_FIELD_MAX_BYTES: usize = 64 * 1024;

pub fn form(session: &Session, task: &TaskView) -> Markup {
    html! {
        section aria-labelledby="proof-heading" {
            h2 #proof-heading { "Hand in proof" }
            form.proof method="post" enctype="multipart/form-data"
                action={ "/console/tasks/" (task.id) "/submissions" } {
                (csrf_field(session))
                label for="proof-text" { "What you did" }
                textarea #proof-text name="text" maxlength="10000" rows="4" {}
                label for="proof-file" { "A photo, video or audio file (optional, up to 10 MiB)" }
                input #proof-file type="file" name="file" accept="image/*,video/*,audio/*"
                    data-preview="proof-preview";
                div #proof-preview .preview aria-live="polite" {}
                button type="submit" { "Submit proof" }
            }
        }
    }
}

/// How a stored file shows on a submission: images inline, others as a link.
pub fn attachment_preview(task_id: Uuid, url: &str, media_type: &str) -> Markup {
    let Some(id) = url.strip_prefix(attachments::ATTACHMENT_SCHEME) else {
        return html! { p { a href=(url) rel="noopener noreferrer" { (url) } } };
    };
    let href = format!("/console/tasks/{task_id}/attachments/{id}");
    html! {
        @if media_type.starts_with("image/") {
            figure { img.proof-image src=(href) alt="The proof's photo"; figcaption { (media_type) } }
        } @else {
            p { a href=(href) { "The proof's file (" (media_type) ")" } }
        }
    }
}

struct ProofForm {
    csrf: String,
    text: Option<String>,
    file: Option<NewAttachment>,
}

fn invalid(detail: impl Into<String>) -> ConsoleError {
    ApiError::Invalid(detail.into()).into()
}

async fn read_form(mut multipart: Multipart) -> ConsoleResult<ProofForm> {
    let bad = |error: axum::extract::multipart::MultipartError| {
        ConsoleError::from(ApiError::BadRequest {
            code: "invalid_body",
            detail: error.body_text(),
        })
    };
    let mut form = ProofForm {
        csrf: String::new(),
        text: None,
        file: None,
    };
    while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "csrf" | "text" => {
                let mut value = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(bad)? {
                    if value.len() + chunk.len() > TEXT_FIELD_MAX_BYTES {
                        return Err(invalid(format!("{name} is too long")));
                    }
                    value.extend_from_slice(&chunk);
                }
                let value = String::from_utf8(value)
                    .map_err(|_| invalid(format!("{name} must be UTF-8 text")))?;
                if name == "csrf" {
                    form.csrf = value;
                } else if !value.trim().is_empty() {
                    form.text = Some(value);
                }
            }
            "file" => {
                // A form sends an empty part when no file was chosen.
                if field.file_name().is_none_or(str::is_empty) {
                    continue;
                }
                let declared = field.content_type().unwrap_or_default().to_owned();
                let kind = MediaKind::of(&declared).ok_or_else(|| {
                    invalid(format!(
                        "a file must be image/*, video/* or audio/*, not {declared:?}"
                    ))
                })?;
                let media_type =
                    media_type_for(&declared, kind).map_err(|e| invalid(e.to_string()))?;
                let mut content = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(bad)? {
                    if content.len() + chunk.len() > ATTACHMENT_MAX_BYTES {
                        return Err(invalid(attachments::AttachmentError::TooLarge.to_string()));
                    }
                    content.extend_from_slice(&chunk);
                }
                form.file = Some(
                    NewAttachment::new(media_type, content).map_err(|e| invalid(e.to_string()))?,
                );
            }
            other => return Err(invalid(format!("unknown field {other:?}"))),
        }
    }
    Ok(form)
}

pub async fn submit(
    State(app): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    multipart: Multipart,
) -> ConsoleResult<Response> {
    let form = read_form(multipart).await?;
    session.check_csrf(&form.csrf)?;
    // Only someone who may see the task stores a file for it.
    let task = tasks::get(&app, &session.principal, &id).await?;
    let mut proof_attachments = Vec::new();
    if let Some(file) = &form.file {
        attachments::store(app.bus.journal().pool(), file)
            .await
            .map_err(|error| match error {
                attachments::AttachmentError::Database(error) => ApiError::internal(error),
                other => ApiError::Invalid(other.to_string()),
            })?;
        proof_attachments.push(Attachment {
            url: file.url(),
            media_type: file.media_type.clone(),
        });
    }
    let proof = Proof {
        text: form.text,
        attachments: proof_attachments,
        result: None,
    };
    tasks::submit(
        &app,
        &session.principal,
        &command_meta(),
        &id,
        SubmitRequest { proof },
    )
    .await?;
    Ok(Redirect::to(&format!("/console/tasks/{}", task.id)).into_response())
}

/// A stored file named by a submission the caller may see on this task.
pub async fn attachment(
    State(app): State<AppState>,
    session: Session,
    Path((id, attachment_id)): Path<(String, String)>,
) -> ConsoleResult<Response> {
    let task = tasks::get(&app, &session.principal, &id).await?;
    let url = format!("{}{attachment_id}", attachments::ATTACHMENT_SCHEME);
    let named = task
        .submissions
        .iter()
        .flat_map(|s| &s.proof.attachments)
        .any(|a| a.url == url);
    let not_found = || ConsoleError::from(ApiError::NotFound("attachment".into()));
    if !named {
        return Err(not_found());
    }
    let stored = attachments::fetch(app.bus.journal().pool(), &url)
        .await?
        .ok_or_else(not_found)?;
    Ok((
        [
            (header::CONTENT_TYPE, stored.media_type),
            // A file someone uploaded is shown, never run as a page of ours.
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox".to_owned(),
            ),
            (header::CACHE_CONTROL, "private, max-age=3600".to_owned()),
        ],
        stored.content,
    )
        .into_response())
}
