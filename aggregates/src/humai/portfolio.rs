//! Portfolio items: completed work an actor shows on its profile. Each part
//! is bounded, since profiles are public and read by anyone.

use crate::error::DomainError;
use serde::{Deserialize, Serialize};

/// A showcase, not an archive.
pub const PORTFOLIO_ITEMS_MAX: usize = 50;
pub const TITLE_MAX_CHARS: usize = 200;
pub const DESCRIPTION_MAX_CHARS: usize = 2000;
/// A sample, not the deliverable: a few kilobytes of JSON.
pub const SAMPLE_OUTPUT_MAX_BYTES: usize = 8 * 1024;
/// Humai's listing types, which a portfolio item may say it is an example of.
pub const LISTING_TYPES: [&str; 6] = [
    "task_execution",
    "data_product",
    "compute_access",
    "knowledge_artifact",
    "agent_template",
    "evaluation_service",
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortfolioItem {
    pub title: String,
    pub description: Option<String>,
    pub listing_type: Option<String>,
    pub sample_output: Option<serde_json::Value>,
}

impl PortfolioItem {
    pub fn parse(
        title: &str,
        description: Option<&str>,
        listing_type: Option<&str>,
        sample_output: Option<serde_json::Value>,
    ) -> Result<PortfolioItem, DomainError> {
        let title = bounded(title, "title", TITLE_MAX_CHARS)?;
        let description = description
            .map(|text| bounded(text, "description", DESCRIPTION_MAX_CHARS))
            .transpose()?;
        if let Some(kind) = listing_type {
            if !LISTING_TYPES.contains(&kind) {
                return Err(DomainError::invalid(format!(
                    "listing_type must be one of {}",
                    LISTING_TYPES.join(", ")
                )));
            }
        }
        if let Some(sample) = &sample_output {
            let size = serde_json::to_vec(sample).map_or(usize::MAX, |bytes| bytes.len());
            if size > SAMPLE_OUTPUT_MAX_BYTES {
                return Err(DomainError::invalid(format!(
                    "sample_output must be at most {SAMPLE_OUTPUT_MAX_BYTES} bytes of JSON"
                )));
            }
        }
        Ok(PortfolioItem {
            title,
            description,
            listing_type: listing_type.map(str::to_owned),
            sample_output,
        })
    }
}

/// Trimmed, 1 to `max_chars` characters, no NUL.
pub(crate) fn bounded(text: &str, what: &str, max_chars: usize) -> Result<String, DomainError> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > max_chars || text.contains('\0') {
        return Err(DomainError::invalid(format!(
            "{what} must be 1 to {max_chars} characters"
        )));
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_seeds_item_parses() {
        let item = PortfolioItem::parse(
            "Market Analysis: Acme Corp",
            Some("Comprehensive competitive analysis with 50 data points"),
            Some("task_execution"),
            Some(json!({"summary": "..."})),
        )
        .unwrap();
        assert_eq!(item.title, "Market Analysis: Acme Corp");
    }

    #[test]
    fn empty_titles_unknown_types_and_large_samples_are_refused() {
        assert!(PortfolioItem::parse(" ", None, None, None).is_err());
        assert!(PortfolioItem::parse("t", None, Some("poetry"), None).is_err());
        let large = json!("x".repeat(SAMPLE_OUTPUT_MAX_BYTES));
        assert!(PortfolioItem::parse("t", None, None, Some(large)).is_err());
        let long = "x".repeat(DESCRIPTION_MAX_CHARS + 1);
        assert!(PortfolioItem::parse("t", Some(&long), None, None).is_err());
    }
}
