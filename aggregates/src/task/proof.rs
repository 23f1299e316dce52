//! Proof of work: text, or references to attachments with their media type,
//! and for a consensus task the worker's answer (`result`). Attachment bytes
//! never enter the journal; only a URL or stored reference does.

use super::consensus::RESULT_MAX_CHARS;
use crate::error::DomainError;
use serde::{Deserialize, Serialize};

pub const PROOF_TEXT_MAX_CHARS: usize = 10_000;
/// Enough for a photo set; more belongs in one archive.
pub const ATTACHMENTS_MAX: usize = 10;
/// Browsers and proxies commonly cap URLs near this length.
pub const ATTACHMENT_URL_MAX_CHARS: usize = 2_048;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// `https://…`, or `attachment:<id>` for a file stored by Errand.
    pub url: String,
    pub media_type: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Proof {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    /// The answer a consensus compares, when the worker gives one apart from
    /// their text ("open" beside "The sign says open until 6"); without it
    /// the text is the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
}

impl Proof {
    pub fn text(text: &str) -> Proof {
        Proof {
            text: Some(text.to_owned()),
            attachments: Vec::new(),
            result: None,
        }
    }

    /// What a consensus compares: the result if given, else the text.
    pub fn answer(&self) -> Option<&str> {
        self.result.as_deref().or(self.text.as_deref())
    }

    pub fn validate(&self) -> Result<(), DomainError> {
        let text = self.text.as_deref().map(str::trim).unwrap_or("");
        if text.is_empty() && self.attachments.is_empty() {
            return Err(DomainError::invalid(
                "proof needs text or at least one attachment",
            ));
        }
        if text.chars().count() > PROOF_TEXT_MAX_CHARS {
            return Err(DomainError::invalid(format!(
                "proof text is longer than {PROOF_TEXT_MAX_CHARS} characters"
            )));
        }
        if let Some(result) = &self.result {
            let result = result.trim();
            if result.is_empty() || result.chars().count() > RESULT_MAX_CHARS {
                return Err(DomainError::invalid(format!(
                    "result must be 1 to {RESULT_MAX_CHARS} characters"
                )));
            }
        }
        if self.attachments.len() > ATTACHMENTS_MAX {
            return Err(DomainError::invalid(format!(
                "at most {ATTACHMENTS_MAX} attachments"
            )));
        }
        for attachment in &self.attachments {
            let url = attachment.url.as_str();
            let known_scheme = ["https://", "http://", "attachment:"]
                .iter()
                .any(|scheme| url.starts_with(scheme));
            if !known_scheme || url.len() > ATTACHMENT_URL_MAX_CHARS {
                return Err(DomainError::invalid(format!(
                    "attachment url must be http(s):// or attachment: and at most {ATTACHMENT_URL_MAX_CHARS} characters"
                )));
            }
            let media_type = attachment.media_type.as_str();
            let well_formed = matches!(media_type.split_once('/'), Some((kind, sub)) if !kind.is_empty() && !sub.is_empty())
                && media_type.len() <= 100
                && !media_type.contains(char::is_whitespace);
            if !well_formed {
                return Err(DomainError::invalid(format!(
                    "{media_type:?} is not a media type like image/jpeg"
                )));
            }
        }
        Ok(())
    }
}
