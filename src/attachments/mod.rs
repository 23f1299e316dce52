//! Files handed in as proof (photos, video, audio), content-addressed: a
//! file's id is the SHA-256 of its bytes, so the same bytes are stored once
//! and an id cannot name other bytes than it did. A proof in the journal
//! names a file as `attachment:<id>` with its media type; the bytes live in
//! the `attachments` table (migration 0006), never in the journal.
//!
//! The table, not a directory, because several instances may share one
//! PostgreSQL: what one stored, another must read back. It is no read model
//! (`errand replay` leaves it alone), and a backup needs it beside the journal.

mod data_url;
pub mod deliverables;

pub use data_url::{data_url, parse_data_url};

use chrono::Utc;
use sha2::{Digest, Sha256};
use sqlx::{AnyPool, Row};

/// One photo from a phone is a few MiB; a short clip or voice note fits in
/// this too. Longer media belongs at a URL the worker hosts.
pub const ATTACHMENT_MAX_BYTES: usize = 10 * 1024 * 1024;
/// Media types are short (`image/jpeg`); anything longer is not one.
pub const MEDIA_TYPE_MAX_CHARS: usize = 100;
/// How a stored file is named in a proof.
pub const ATTACHMENT_SCHEME: &str = "attachment:";

/// What a proof's file is, and which media types each kind takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    Photo,
    Video,
    Audio,
}

impl MediaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Photo => "photo",
            MediaKind::Video => "video",
            MediaKind::Audio => "audio",
        }
    }

    /// The top-level media type this kind takes (`image` for a photo).
    fn top_level(self) -> &'static str {
        match self {
            MediaKind::Photo => "image",
            MediaKind::Video => "video",
            MediaKind::Audio => "audio",
        }
    }

    /// The kind a media type is, if it is one a proof takes.
    pub fn of(media_type: &str) -> Option<MediaKind> {
        [MediaKind::Photo, MediaKind::Video, MediaKind::Audio]
            .into_iter()
            .find(|kind| media_type.split('/').next() == Some(kind.top_level()))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AttachmentError {
    #[error("the file is empty")]
    Empty,
    #[error("a file may be at most {ATTACHMENT_MAX_BYTES} bytes (10 MiB)")]
    TooLarge,
    #[error("{0}")]
    MediaType(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// A media type as sent (`Image/JPEG; charset=…` reads as `image/jpeg`),
/// checked to be a `type/subtype` of the kind expected.
pub fn media_type_for(declared: &str, kind: MediaKind) -> Result<String, AttachmentError> {
    let essence = declared
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let well_formed = essence.chars().count() <= MEDIA_TYPE_MAX_CHARS
        && matches!(essence.split_once('/'), Some((top, sub))
            if !top.is_empty() && !sub.is_empty()
                && (top.chars().chain(sub.chars())).all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)));
    if !well_formed {
        return Err(AttachmentError::MediaType(format!(
            "{declared:?} is not a media type like image/jpeg"
        )));
    }
    if MediaKind::of(&essence) != Some(kind) {
        return Err(AttachmentError::MediaType(format!(
            "a {} must be {}/*, not {essence}",
            kind.as_str(),
            kind.top_level()
        )));
    }
    Ok(essence)
}

/// A file ready to store: its bytes, bounded, and its checked media type.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub media_type: String,
    pub content: Vec<u8>,
}

impl NewAttachment {
    pub fn new(media_type: String, content: Vec<u8>) -> Result<NewAttachment, AttachmentError> {
        if content.is_empty() {
            return Err(AttachmentError::Empty);
        }
        if content.len() > ATTACHMENT_MAX_BYTES {
            return Err(AttachmentError::TooLarge);
        }
        Ok(NewAttachment {
            media_type,
            content,
        })
    }

    /// Hex SHA-256 of the bytes.
    pub fn id(&self) -> String {
        hex::encode(Sha256::digest(&self.content))
    }

    /// How a proof names this file.
    pub fn url(&self) -> String {
        format!("{ATTACHMENT_SCHEME}{}", self.id())
    }
}

/// A stored file read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAttachment {
    pub media_type: String,
    pub content: Vec<u8>,
}

/// Stores the file (once: the same bytes again are already there) and
/// returns how a proof names it.
pub async fn store(pool: &AnyPool, attachment: &NewAttachment) -> Result<String, AttachmentError> {
    let size_bytes =
        i64::try_from(attachment.content.len()).map_err(|_| AttachmentError::TooLarge)?;
    sqlx::query(
        "INSERT INTO attachments (attachment_id, media_type, size_bytes, content, stored_at_us) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (attachment_id) DO NOTHING",
    )
    .bind(attachment.id())
    .bind(attachment.media_type.clone())
    .bind(size_bytes)
    .bind(attachment.content.clone())
    .bind(Utc::now().timestamp_micros())
    .execute(pool)
    .await?;
    Ok(attachment.url())
}

/// The file a proof's `attachment:<id>` names, if it is stored here.
pub async fn fetch(pool: &AnyPool, url: &str) -> Result<Option<StoredAttachment>, sqlx::Error> {
    let Some(id) = url.strip_prefix(ATTACHMENT_SCHEME) else {
        return Ok(None);
    };
    let row = sqlx::query("SELECT media_type, content FROM attachments WHERE attachment_id = $1")
        .bind(id.to_owned())
        .fetch_optional(pool)
        .await?;
    row.map(|row| {
        Ok(StoredAttachment {
            media_type: row.try_get(0)?,
            content: row.try_get(1)?,
        })
    })
    .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_must_fit_the_kind() {
        assert_eq!(
            media_type_for("Image/JPEG; q=1", MediaKind::Photo).unwrap(),
            "image/jpeg"
        );
        assert_eq!(
            media_type_for("audio/mpeg", MediaKind::Audio).unwrap(),
            "audio/mpeg"
        );
        for (declared, kind) in [
            ("video/mp4", MediaKind::Photo),
            ("application/pdf", MediaKind::Photo),
            ("image/", MediaKind::Photo),
            ("image", MediaKind::Photo),
            ("image/jp eg", MediaKind::Photo),
            ("", MediaKind::Video),
        ] {
            assert!(media_type_for(declared, kind).is_err(), "{declared}");
        }
    }

    #[test]
    fn a_file_is_named_by_the_sha256_of_its_bytes_and_bounded() {
        let file = NewAttachment::new("image/png".into(), b"abc".to_vec()).unwrap();
        assert_eq!(
            file.url(),
            "attachment:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(matches!(
            NewAttachment::new("image/png".into(), Vec::new()),
            Err(AttachmentError::Empty)
        ));
        assert!(matches!(
            NewAttachment::new("image/png".into(), vec![0; ATTACHMENT_MAX_BYTES + 1]),
            Err(AttachmentError::TooLarge)
        ));
    }
}
