//! Humai's deliverable files on local disk, content-addressed like proof
//! attachments: a file lives at `<dir>/<sha256>/<name>` and is named
//! `deliverables/<sha256>/<name>` (the seed's `storage_path`), so the same
//! bytes under the same name are stored once and a path cannot name other
//! bytes than it did. Like attachments, no journal event carries the bytes
//! and `errand replay` leaves the directory alone; a backup takes it with
//! the journal.

use super::ATTACHMENT_MAX_BYTES;
use sha2::{Digest, Sha256};
use std::path::Path;

/// A deliverable file is bounded like a proof's attachment (10 MiB): a
/// report or a sample; a dataset belongs at a URL in `output_data`.
pub const DELIVERABLE_MAX_BYTES: usize = ATTACHMENT_MAX_BYTES;
/// A file name is a name, not a path: this many characters at most.
pub const FILE_NAME_MAX_CHARS: usize = 200;
/// Where a storage path starts.
pub const STORAGE_PREFIX: &str = "deliverables/";

#[derive(Debug, thiserror::Error)]
pub enum DeliverableError {
    #[error("the file is empty")]
    Empty,
    #[error("a deliverable may be at most {DELIVERABLE_MAX_BYTES} bytes (10 MiB)")]
    TooLarge,
    #[error("{0}")]
    FileName(String),
    #[error("storing the deliverable: {0}")]
    Io(#[from] std::io::Error),
}

/// A stored file: its storage path, size and SHA-256 (hex).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDeliverable {
    pub storage_path: String,
    pub size_bytes: u64,
    pub sha256: String,
}

/// The file's name as sent, reduced to its last path segment: letters,
/// digits, `.`, `-` and `_` only (others become `_`), not hidden, bounded.
/// A client's name never chooses a directory.
pub fn file_name(declared: &str) -> Result<String, DeliverableError> {
    let base = declared.rsplit(['/', '\\']).next().unwrap_or("").trim();
    let name: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let name = name.trim_start_matches('.').to_owned();
    if name.is_empty() || name.chars().count() > FILE_NAME_MAX_CHARS {
        return Err(DeliverableError::FileName(format!(
            "a file name is 1 to {FILE_NAME_MAX_CHARS} characters, not starting with a dot"
        )));
    }
    Ok(name)
}

/// Stores `content` as `name` under `dir` (once: the same bytes under the
/// same name are already there), writing a temporary file and renaming it,
/// so a reader never sees half a file.
pub async fn store(
    dir: &Path,
    name: &str,
    content: &[u8],
) -> Result<StoredDeliverable, DeliverableError> {
    if content.is_empty() {
        return Err(DeliverableError::Empty);
    }
    if content.len() > DELIVERABLE_MAX_BYTES {
        return Err(DeliverableError::TooLarge);
    }
    let name = file_name(name)?;
    let sha256 = hex::encode(Sha256::digest(content));
    let folder = dir.join(&sha256);
    let path = folder.join(&name);
    if tokio::fs::metadata(&path).await.is_err() {
        tokio::fs::create_dir_all(&folder).await?;
        let partial = folder.join(format!(".{}.partial", uuid::Uuid::now_v7()));
        tokio::fs::write(&partial, content).await?;
        tokio::fs::rename(&partial, &path).await?;
    }
    Ok(StoredDeliverable {
        storage_path: format!("{STORAGE_PREFIX}{sha256}/{name}"),
        size_bytes: content.len() as u64,
        sha256,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_name_is_its_last_segment_in_safe_characters() {
        assert_eq!(file_name("report.pdf").unwrap(), "report.pdf");
        assert_eq!(file_name("../../etc/passwd").unwrap(), "passwd");
        assert_eq!(file_name("C:\\x\\my report.pdf").unwrap(), "my_report.pdf");
        assert_eq!(file_name(".hidden").unwrap(), "hidden");
        assert!(file_name("..").is_err());
        assert!(file_name("").is_err());
        assert!(file_name(&"a".repeat(FILE_NAME_MAX_CHARS + 1)).is_err());
    }

    #[tokio::test]
    async fn a_file_is_stored_under_its_hash_once() {
        let dir = tempfile::tempdir().unwrap();
        let stored = store(dir.path(), "report.pdf", b"abc").await.unwrap();
        assert_eq!(
            stored.storage_path,
            "deliverables/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad/report.pdf"
        );
        assert_eq!(stored.size_bytes, 3);
        let path = dir.path().join(&stored.sha256).join("report.pdf");
        assert_eq!(std::fs::read(&path).unwrap(), b"abc");
        assert_eq!(
            store(dir.path(), "report.pdf", b"abc").await.unwrap(),
            stored
        );
        assert!(matches!(
            store(dir.path(), "empty.txt", b"").await,
            Err(DeliverableError::Empty)
        ));
        assert!(matches!(
            store(dir.path(), "big.bin", &vec![0; DELIVERABLE_MAX_BYTES + 1]).await,
            Err(DeliverableError::TooLarge)
        ));
    }
}
