//! `POST /worker/tasks/:id/proof`: the worker's proof, as JSON
//! (`{"text", "result"?, "photo"|"video"|"audio": "data:…;base64,…"}`) or as
//! `multipart/form-data` (`text`, `result`, and one file part named `file`,
//! `photo`, `video` or `audio`). A file is checked (size, media type against
//! its kind), stored in the attachment store, and named in the proof as
//! `attachment:<sha256>`; its bytes never reach the journal. The proof is
//! `TaskCommand::Submit`. Agents read photos back as data URLs
//! ([`inline_photos`], for `GET /tasks/:id/proof`).
//!
//! A file stored for a proof the task then refuses stays stored: it is
//! content-addressed, named by no proof, and harmless.

use super::errors::{HumanPingError, HumanPingResult};
use super::extract::{HpPath, Worker};
use super::feed::worker_task;
use super::{ids, views};
use crate::attachments::{
    self, data_url, media_type_for, parse_data_url, AttachmentError, MediaKind, NewAttachment,
    ATTACHMENT_MAX_BYTES, ATTACHMENT_SCHEME,
};
use crate::bus::commands;
use crate::http::extract::{command_meta, parse_json};
use crate::http::respond;
use crate::http::state::AppState;
use axum::body::{Body as RequestBody, Bytes};
use axum::extract::multipart::MultipartError;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use errand_aggregates::ids::SubmissionId;
use errand_aggregates::task::{Attachment, Proof, TaskCommand};
use serde::Deserialize;
use serde_json::{json, Value};
use sqlx::AnyPool;
use uuid::Uuid;

/// A 10 MiB file as base64 in JSON is 13.4 MiB; the text (10,000
/// characters, at most 40 KB of UTF-8) and multipart framing fit in the
/// rest. Only this route takes more than the API's 1 MiB.
pub const PROOF_BODY_MAX_BYTES: usize = 14 * 1024 * 1024;
/// Photos inlined into one `GET /tasks/:id/proof` answer; past this, a
/// photo is listed by its `attachment:` name so one answer stays bounded.
pub const INLINE_PHOTOS_BYTES_MAX: usize = 32 * 1024 * 1024;

impl From<AttachmentError> for HumanPingError {
    fn from(error: AttachmentError) -> Self {
        match error {
            AttachmentError::TooLarge => HumanPingError::TooLarge(format!(
                "A file may be at most {ATTACHMENT_MAX_BYTES} bytes (10 MiB)."
            )),
            AttachmentError::Empty | AttachmentError::MediaType(_) => {
                HumanPingError::BadRequest(error.to_string())
            }
            AttachmentError::Database(error) => HumanPingError::Internal(error.into()),
        }
    }
}

impl From<MultipartError> for HumanPingError {
    fn from(error: MultipartError) -> Self {
        if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
            HumanPingError::TooLarge(format!(
                "A proof may be at most {PROOF_BODY_MAX_BYTES} bytes."
            ))
        } else {
            HumanPingError::BadRequest(format!("Unreadable multipart body: {}", error.body_text()))
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProofRequest {
    pub text: Option<String>,
    /// The answer a consensus task compares; without it, the text is.
    pub result: Option<String>,
    pub photo: Option<String>,
    pub video: Option<String>,
    pub audio: Option<String>,
}

/// What a proof request said, however it came.
#[derive(Default)]
struct ProofParts {
    text: Option<String>,
    result: Option<String>,
    file: Option<NewAttachment>,
}

impl ProofParts {
    fn add_file(&mut self, file: NewAttachment) -> HumanPingResult<()> {
        if self.file.is_some() {
            return Err(HumanPingError::BadRequest(
                "Send one file per proof (one of photo, video, audio).".into(),
            ));
        }
        self.file = Some(file);
        Ok(())
    }
}

fn from_json(request: ProofRequest) -> HumanPingResult<ProofParts> {
    let mut parts = ProofParts {
        text: request.text,
        result: request.result,
        file: None,
    };
    for (kind, value) in [
        (MediaKind::Photo, request.photo),
        (MediaKind::Video, request.video),
        (MediaKind::Audio, request.audio),
    ] {
        let Some(value) = value else { continue };
        let (declared, content) = parse_data_url(&value)
            .map_err(|why| HumanPingError::BadRequest(format!("{}: {why}.", kind.as_str())))?;
        let media_type = media_type_for(&declared, kind)?;
        parts.add_file(NewAttachment::new(media_type, content)?)?;
    }
    Ok(parts)
}

async fn from_multipart(mut multipart: Multipart) -> HumanPingResult<ProofParts> {
    let mut parts = ProofParts::default();
    while let Some(mut field) = multipart.next_field().await? {
        let name = field.name().unwrap_or("").to_owned();
        let kind = match name.as_str() {
            "text" | "result" => {
                let value = field.text().await?;
                if name == "text" {
                    parts.text = Some(value);
                } else {
                    parts.result = Some(value);
                }
                continue;
            }
            "photo" => Some(MediaKind::Photo),
            "video" => Some(MediaKind::Video),
            "audio" => Some(MediaKind::Audio),
            "file" => None,
            other => {
                return Err(HumanPingError::BadRequest(format!(
                    "Unknown part {other:?}: send text, result and one file (file, photo, video or audio)."
                )))
            }
        };
        let declared = field.content_type().unwrap_or("").to_owned();
        let kind = match kind.or_else(|| MediaKind::of(&declared.to_ascii_lowercase())) {
            Some(kind) => kind,
            None => {
                return Err(HumanPingError::BadRequest(format!(
                    "A file must be image/*, video/* or audio/*, not {declared:?}."
                )))
            }
        };
        let media_type = media_type_for(&declared, kind)?;
        // Read in chunks so a file over the bound is refused at the bound.
        let mut content = Vec::new();
        while let Some(chunk) = field.chunk().await? {
            if content.len() + chunk.len() > ATTACHMENT_MAX_BYTES {
                return Err(AttachmentError::TooLarge.into());
            }
            content.extend_from_slice(&chunk);
        }
        parts.add_file(NewAttachment::new(media_type, content)?)?;
    }
    Ok(parts)
}

pub async fn submit_proof(
    State(app): State<AppState>,
    Worker(principal): Worker,
    HpPath(id): HpPath<String>,
    request: Request,
) -> HumanPingResult<Response> {
    let (head, body) = request.into_parts();
    let bytes = Bytes::from_request(Request::from_parts(head.clone(), body), &app)
        .await
        .map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                HumanPingError::TooLarge(format!(
                    "A proof may be at most {PROOF_BODY_MAX_BYTES} bytes."
                ))
            } else {
                HumanPingError::BadRequest(rejection.body_text())
            }
        })?;
    let meta = command_meta(&head, &bytes)?;
    let is_multipart = head
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    let parts = if is_multipart {
        let request = Request::from_parts(head, RequestBody::from(bytes));
        let multipart = Multipart::from_request(request, &app)
            .await
            .map_err(|rejection| HumanPingError::BadRequest(rejection.body_text()))?;
        from_multipart(multipart).await?
    } else {
        from_json(parse_json::<ProofRequest>(&head.headers, &bytes).map_err(HumanPingError::from)?)?
    };
    let task_id = worker_task(&app, &principal, &id).await?;
    let mut attachments = Vec::new();
    if let Some(file) = &parts.file {
        // A dry run appends nothing, so it stores nothing either.
        if !meta.dry_run {
            attachments::store(app.bus.journal().pool(), file).await?;
        }
        attachments.push(Attachment {
            url: file.url(),
            media_type: file.media_type.clone(),
        });
    }
    let proof = Proof {
        text: parts.text,
        attachments,
        result: parts.result,
    };
    let submission_id = SubmissionId(Uuid::now_v7());
    let context = meta.context(&principal, "SubmitWork", 201);
    let executed = crate::execute!(app.bus, &context, |unit| {
        let by = commands::caller(unit, principal.actor_id).await?;
        let command = TaskCommand::Submit {
            submission_id,
            proof: proof.clone(),
            by,
            at: Utc::now(),
        };
        let task = commands::on_task(unit, task_id, &command).await?;
        let own = views::task_for_worker(&task, principal.actor_id);
        let proof_view = own
            .get("proofs")
            .and_then(Value::as_array)
            .and_then(|proofs| {
                proofs
                    .iter()
                    .find(|p| p["id"] == json!(ids::format("proof", submission_id.0)))
            })
            .cloned()
            .unwrap_or(Value::Null);
        Ok(json!({ "proof": proof_view, "task": own }))
    })?;
    Ok(respond::executed(executed, StatusCode::CREATED))
}

/// Replaces each proof's stored photos (`attachment:<id>`) by data URLs read
/// from the store, up to [`INLINE_PHOTOS_BYTES_MAX`] in all.
pub async fn inline_photos(pool: &AnyPool, proofs: &mut [Value]) -> HumanPingResult<()> {
    let mut budget = INLINE_PHOTOS_BYTES_MAX;
    for proof in proofs {
        let Some(photos) = proof.get_mut("photos").and_then(Value::as_array_mut) else {
            continue;
        };
        for photo in photos {
            let Some(url) = photo.as_str().filter(|u| u.starts_with(ATTACHMENT_SCHEME)) else {
                continue;
            };
            let Some(stored) = attachments::fetch(pool, url).await? else {
                continue;
            };
            if stored.content.len() > budget {
                continue;
            }
            budget -= stored.content.len();
            *photo = json!(data_url(&stored.media_type, &stored.content));
        }
    }
    Ok(())
}
