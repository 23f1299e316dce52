//! A listing's fields as parsed values: each type's `parse` is the only way
//! to build it from what a client sent, so a command never carries a title
//! too long or a tag list without tags.

use crate::error::DomainError;
use serde::{Deserialize, Serialize};

/// The seed's bound: 1 to 200 characters.
pub const TITLE_MAX_CHARS: usize = 200;
/// The seed's bound: 1 to 2,000 characters.
pub const DESCRIPTION_MAX_CHARS: usize = 2_000;
/// Tags a listing carries: enough for a few categories and their facets,
/// few enough that the tag table stays a small multiple of the listings.
pub const TAGS_MAX: usize = 20;
/// A tag is a short label such as `research:competitive`.
pub const TAG_MAX_CHARS: usize = 64;
/// The seed's delivery deadline: 1 hour to a week.
pub const SLA_HOURS_MAX: u32 = 168;
/// Tiers run 0 to 2 in the seed's reputation model.
pub const TIER_MAX: u8 = 2;
/// A schema, rubric or tool description is a document's outline, not the
/// document: 16 KiB of JSON, as a task's details.
pub const JSON_OBJECT_MAX_BYTES: usize = 16 * 1024;

/// Trimmed text of 1 to `max_chars` characters with no control characters
/// but line breaks and tabs (which descriptions use).
fn bounded_text(text: &str, what: &str, max_chars: usize) -> Result<String, DomainError> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > max_chars {
        return Err(DomainError::invalid(format!(
            "{what} must be 1 to {max_chars} characters"
        )));
    }
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(DomainError::invalid(format!(
            "{what} cannot contain control characters"
        )));
    }
    Ok(text.to_owned())
}

/// What a client may send as `direction`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// An offer: the owner sells work, data or a tool.
    Sell,
    /// A request: the owner buys work and takes bids on it.
    Buy,
}

impl Direction {
    pub fn parse(text: &str) -> Result<Direction, DomainError> {
        match text {
            "sell" => Ok(Direction::Sell),
            "buy" => Ok(Direction::Buy),
            _ => Err(DomainError::invalid("direction is \"sell\" or \"buy\"")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Sell => "sell",
            Direction::Buy => "buy",
        }
    }
}

/// The seed's six kinds of listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListingType {
    TaskExecution,
    DataProduct,
    ComputeAccess,
    KnowledgeArtifact,
    AgentTemplate,
    EvaluationService,
}

impl ListingType {
    const ALL: [ListingType; 6] = [
        ListingType::TaskExecution,
        ListingType::DataProduct,
        ListingType::ComputeAccess,
        ListingType::KnowledgeArtifact,
        ListingType::AgentTemplate,
        ListingType::EvaluationService,
    ];

    pub fn parse(text: &str) -> Result<ListingType, DomainError> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
            .ok_or_else(|| {
                DomainError::invalid(
                    "listing_type is one of task_execution, data_product, compute_access, \
                     knowledge_artifact, agent_template, evaluation_service",
                )
            })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ListingType::TaskExecution => "task_execution",
            ListingType::DataProduct => "data_product",
            ListingType::ComputeAccess => "compute_access",
            ListingType::KnowledgeArtifact => "knowledge_artifact",
            ListingType::AgentTemplate => "agent_template",
            ListingType::EvaluationService => "evaluation_service",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Title(String);

impl Title {
    pub fn parse(text: &str) -> Result<Title, DomainError> {
        bounded_text(text, "title", TITLE_MAX_CHARS).map(Title)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Description(String);

impl Description {
    pub fn parse(text: &str) -> Result<Description, DomainError> {
        bounded_text(text, "description", DESCRIPTION_MAX_CHARS).map(Description)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// At least one tag, at most `TAGS_MAX`, each lowercased (a filter by
/// `Data:Extraction` should find `data:extraction`), without whitespace
/// inside (a tag is one token), duplicates dropped, in the order given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CategoryTags(Vec<String>);

impl CategoryTags {
    pub fn parse(tags: &[String]) -> Result<CategoryTags, DomainError> {
        if tags.is_empty() || tags.len() > TAGS_MAX {
            return Err(DomainError::invalid(format!(
                "category_tags holds 1 to {TAGS_MAX} tags"
            )));
        }
        let mut parsed: Vec<String> = Vec::with_capacity(tags.len());
        for tag in tags {
            let tag = bounded_text(tag, "a category tag", TAG_MAX_CHARS)?.to_lowercase();
            if tag.chars().any(char::is_whitespace) {
                return Err(DomainError::invalid("a category tag cannot contain spaces"));
            }
            if !parsed.contains(&tag) {
                parsed.push(tag);
            }
        }
        Ok(CategoryTags(parsed))
    }

    pub fn as_slice(&self) -> &[String] {
        &self.0
    }
}

/// A delivery deadline in whole hours, 1 to `SLA_HOURS_MAX`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SlaHours(u32);

impl SlaHours {
    pub fn parse(hours: i64) -> Result<SlaHours, DomainError> {
        match u32::try_from(hours) {
            Ok(hours) if (1..=SLA_HOURS_MAX).contains(&hours) => Ok(SlaHours(hours)),
            _ => Err(DomainError::invalid(format!(
                "sla_hours is 1 to {SLA_HOURS_MAX}"
            ))),
        }
    }

    pub fn hours(self) -> u32 {
        self.0
    }
}

/// A reputation tier, 0 to `TIER_MAX`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Tier(u8);

impl Tier {
    pub fn parse(tier: i64) -> Result<Tier, DomainError> {
        match u8::try_from(tier) {
            Ok(tier) if tier <= TIER_MAX => Ok(Tier(tier)),
            _ => Err(DomainError::invalid(format!("a tier is 0 to {TIER_MAX}"))),
        }
    }

    pub fn value(self) -> u8 {
        self.0
    }
}

/// A JSON object (a schema, a rubric, a tool's description) of at most
/// `JSON_OBJECT_MAX_BYTES` serialized. Kept as given: Errand stores these
/// for the parties and later tools; it does not interpret them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JsonObject(serde_json::Value);

impl JsonObject {
    pub fn parse(value: serde_json::Value, what: &str) -> Result<JsonObject, DomainError> {
        if !value.is_object() {
            return Err(DomainError::invalid(format!(
                "{what} must be a JSON object"
            )));
        }
        let size = serde_json::to_vec(&value).map_or(usize::MAX, |bytes| bytes.len());
        if size > JSON_OBJECT_MAX_BYTES {
            return Err(DomainError::invalid(format!(
                "{what} must be at most {JSON_OBJECT_MAX_BYTES} bytes of JSON"
            )));
        }
        Ok(JsonObject(value))
    }

    pub fn value(&self) -> &serde_json::Value {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(tags: &[&str]) -> Result<CategoryTags, DomainError> {
        CategoryTags::parse(&tags.iter().map(|t| (*t).to_owned()).collect::<Vec<_>>())
    }

    #[test]
    fn titles_and_descriptions_are_bounded_by_characters_not_bytes() {
        assert!(Title::parse(&"é".repeat(TITLE_MAX_CHARS)).is_ok());
        assert!(Title::parse(&"a".repeat(TITLE_MAX_CHARS + 1)).is_err());
        assert!(Title::parse("   ").is_err());
        assert!(Title::parse("a\0b").is_err());
        assert!(Description::parse("line one\nline two").is_ok());
        assert!(Description::parse(&"d".repeat(DESCRIPTION_MAX_CHARS + 1)).is_err());
    }

    #[test]
    fn tags_are_lowercased_deduplicated_and_bounded() {
        let parsed = tags(&["Data:Extraction", "data:extraction", " api:web "]).unwrap();
        assert_eq!(parsed.as_slice(), ["data:extraction", "api:web"]);
        assert!(tags(&[]).is_err());
        assert!(tags(&["two words"]).is_err());
        assert!(tags(&[&"t".repeat(TAG_MAX_CHARS + 1)]).is_err());
        let many: Vec<String> = (0..=TAGS_MAX).map(|i| format!("t{i}")).collect();
        assert!(CategoryTags::parse(&many).is_err());
    }

    #[test]
    fn hours_tiers_and_objects_have_their_ranges() {
        assert_eq!(SlaHours::parse(168).unwrap().hours(), 168);
        for hours in [0, 169, -1, i64::MAX] {
            assert!(SlaHours::parse(hours).is_err(), "{hours}");
        }
        assert_eq!(Tier::parse(2).unwrap().value(), 2);
        assert!(Tier::parse(3).is_err() && Tier::parse(-1).is_err());
        assert!(JsonObject::parse(serde_json::json!({"a": 1}), "input_schema").is_ok());
        assert!(JsonObject::parse(serde_json::json!([1]), "input_schema").is_err());
        let big = serde_json::json!({ "a": "x".repeat(JSON_OBJECT_MAX_BYTES) });
        assert!(JsonObject::parse(big, "input_schema").is_err());
        assert_eq!(
            ListingType::parse("agent_template").unwrap().as_str(),
            "agent_template"
        );
        assert!(ListingType::parse("tool").is_err());
        assert!(Direction::parse("Sell").is_err());
    }
}
