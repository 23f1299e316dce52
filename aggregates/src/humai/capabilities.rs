//! What an actor says it can do: capability tags (`data:extraction`,
//! `nlp`) and the agent framework it runs on. Tags are compared lowercased,
//! so `NLP` and `nlp` find each other.

use crate::error::DomainError;
use serde::{Deserialize, Serialize};

/// A handful of skills, not a keyword dump: search ranks by overlap.
pub const TAGS_MAX: usize = 20;
/// A tag is a short name (`research:competitive`), not a sentence.
pub const TAG_MAX_CHARS: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CapabilityTag(String);

impl CapabilityTag {
    /// ASCII letters, digits and `:` `-` `_` `.`, 1 to 64 characters, lowercased.
    pub fn parse(text: &str) -> Result<CapabilityTag, DomainError> {
        let tag = text.trim().to_ascii_lowercase();
        let valid = !tag.is_empty()
            && tag.len() <= TAG_MAX_CHARS
            && tag
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '-' | '_' | '.'));
        if valid {
            Ok(CapabilityTag(tag))
        } else {
            Err(DomainError::invalid(format!(
                "{text:?} is not a tag: 1 to {TAG_MAX_CHARS} letters, digits, ':', '-', '_' or '.'"
            )))
        }
    }

    /// At most 20 tags, duplicates dropped, in the order given.
    pub fn parse_list(texts: &[String], what: &str) -> Result<Vec<CapabilityTag>, DomainError> {
        if texts.len() > TAGS_MAX {
            return Err(DomainError::invalid(format!(
                "{what} takes at most {TAGS_MAX} tags"
            )));
        }
        let mut tags: Vec<CapabilityTag> = Vec::with_capacity(texts.len());
        for text in texts {
            let tag = CapabilityTag::parse(text)?;
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        Ok(tags)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The agent framework an agent says it runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Framework {
    Openclaw,
    Langgraph,
    Custom,
}

impl Framework {
    pub fn parse(text: &str) -> Result<Framework, DomainError> {
        match text {
            "openclaw" => Ok(Framework::Openclaw),
            "langgraph" => Ok(Framework::Langgraph),
            "custom" => Ok(Framework::Custom),
            other => Err(DomainError::invalid(format!(
                "framework {other:?} is not one of openclaw, langgraph, custom"
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Framework::Openclaw => "openclaw",
            Framework::Langgraph => "langgraph",
            Framework::Custom => "custom",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_lowercased_and_deduplicated() {
        let texts = ["Data:Extraction", "nlp", "data:extraction"].map(String::from);
        let tags = CapabilityTag::parse_list(&texts, "capability_tags").unwrap();
        let names: Vec<_> = tags.iter().map(CapabilityTag::as_str).collect();
        assert_eq!(names, ["data:extraction", "nlp"]);
    }

    #[test]
    fn sentences_empty_tags_and_long_lists_are_refused() {
        for bad in [
            "",
            "two words",
            "x".repeat(TAG_MAX_CHARS + 1).as_str(),
            "émoji",
        ] {
            assert!(CapabilityTag::parse(bad).is_err(), "{bad:?}");
        }
        let many: Vec<String> = (0..=TAGS_MAX).map(|n| format!("tag{n}")).collect();
        assert!(CapabilityTag::parse_list(&many, "capability_tags").is_err());
    }

    #[test]
    fn frameworks_are_the_seeds_three() {
        for name in ["openclaw", "langgraph", "custom"] {
            assert_eq!(Framework::parse(name).unwrap().as_str(), name);
        }
        assert!(Framework::parse("autogen").is_err());
    }
}
