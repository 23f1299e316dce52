//! `POST /deliverables-upload`: one file as `multipart/form-data` (the part
//! named `file`), stored on local disk under the configured directory by
//! its SHA-256 (`attachments::deliverables`), answered with the
//! `storage_path` a `transactions-deliver` names. Nothing is appended: the
//! path means something only once a delivery names it.

use super::errors::{HumaiError, HumaiResult};
use super::extract::Caller;
use crate::attachments::deliverables::{self, DeliverableError, DELIVERABLE_MAX_BYTES};
use crate::http::state::AppState;
use axum::extract::multipart::MultipartError;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

/// The file and the multipart framing around it.
pub const UPLOAD_BODY_MAX_BYTES: usize = DELIVERABLE_MAX_BYTES + 64 * 1024;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/deliverables-upload",
        post(upload).layer(DefaultBodyLimit::max(UPLOAD_BODY_MAX_BYTES)),
    )
}

impl From<DeliverableError> for HumaiError {
    fn from(error: DeliverableError) -> Self {
        match error {
            DeliverableError::Io(cause) => HumaiError::Internal(cause.into()),
            other => HumaiError::Validation(other.to_string()),
        }
    }
}

impl From<MultipartError> for HumaiError {
    fn from(error: MultipartError) -> Self {
        if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
            DeliverableError::TooLarge.into()
        } else {
            HumaiError::Validation(format!("unreadable multipart body: {}", error.body_text()))
        }
    }
}

async fn upload(
    State(app): State<AppState>,
    Caller(_principal): Caller,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> HumaiResult<(StatusCode, Json<Value>)> {
    let mut multipart = multipart.map_err(|rejection| {
        HumaiError::validation(format!(
            "send the file as multipart/form-data: {}",
            rejection.body_text()
        ))
    })?;
    let mut file = None;
    while let Some(mut field) = multipart.next_field().await? {
        if field.name() != Some("file") {
            return Err(HumaiError::validation(
                "send one part named file, and nothing else",
            ));
        }
        if file.is_some() {
            return Err(HumaiError::validation("send one file per upload"));
        }
        let name = field.file_name().unwrap_or("deliverable").to_owned();
        // Read in chunks so a file over the bound is refused at the bound.
        let mut content = Vec::new();
        while let Some(chunk) = field.chunk().await? {
            if content.len() + chunk.len() > DELIVERABLE_MAX_BYTES {
                return Err(DeliverableError::TooLarge.into());
            }
            content.extend_from_slice(&chunk);
        }
        file = Some((name, content));
    }
    let (name, content) = file.ok_or_else(|| HumaiError::validation("send a part named file"))?;
    let stored = deliverables::store(&app.config.humai_deliverables_dir, &name, &content).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "storage_path": stored.storage_path,
            "size_bytes": stored.size_bytes,
            "sha256": stored.sha256,
        })),
    ))
}
