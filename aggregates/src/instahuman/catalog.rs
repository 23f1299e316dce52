//! InstaHuman's catalogs: the job categories, participant filters, interests
//! and equipment a job may ask for. Operators may replace the default
//! (`catalog.json`, compiled in) with a document of their own in the same
//! shape (`Catalog::parse`); loading the file is the server's business, the
//! rule — a job asks only for what the catalog lists — is this module's.

use crate::error::DomainError;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The default catalog, compiled in.
const DEFAULT_DOCUMENT: &str = include_str!("catalog.json");

/// A catalog is configuration, not data: these bound what a typo in an
/// operator's file can cost every job posted and every catalog served.
pub const ENTRIES_MAX: usize = 500;
pub const ID_MAX_CHARS: usize = 64;
pub const NAME_MAX_CHARS: usize = 100;
pub const DESCRIPTION_MAX_CHARS: usize = 500;
/// A job's choices of one list (options of a filter, equipment, interests):
/// never more than a catalog list holds.
pub const CHOICES_MAX: usize = ENTRIES_MAX;

/// One item of a list: a category, an interest, a device, a filter's option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A participant filter: a number range (age) or a choice among options (country).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Filter {
    Range {
        id: String,
        name: String,
        min: i64,
        max: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unit: Option<String>,
    },
    Choice {
        id: String,
        name: String,
        options: Vec<Entry>,
    },
}

impl Filter {
    pub fn id(&self) -> &str {
        match self {
            Filter::Range { id, .. } | Filter::Choice { id, .. } => id,
        }
    }

    fn name(&self) -> &str {
        match self {
            Filter::Range { name, .. } | Filter::Choice { name, .. } => name,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub categories: Vec<Entry>,
    pub filters: Vec<Filter>,
    pub interests: Vec<Entry>,
    pub equipment: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    #[error("not a catalog document: {0}")]
    Shape(String),
    #[error("{0}")]
    Bounds(String),
}

/// What one participant filter of a job asks: a range within the filter's
/// bounds, or some of its options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FilterChoice {
    Range { min: i64, max: i64 },
    Options(Vec<String>),
}

/// What a job asks of its testers, checked against the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Requirements {
    pub category: String,
    /// By filter id.
    pub filters: BTreeMap<String, FilterChoice>,
    pub equipment: Vec<String>,
    pub interests: Vec<String>,
}

impl Default for Catalog {
    fn default() -> Self {
        // The default document is ours and tested; failing to read it is a bug.
        Catalog::parse(DEFAULT_DOCUMENT).expect("the default InstaHuman catalog is valid")
    }
}

impl Catalog {
    /// An operator's catalog document (the shape `GET /api/…` serves).
    pub fn parse(document: &str) -> Result<Catalog, CatalogError> {
        let catalog: Catalog =
            serde_json::from_str(document).map_err(|e| CatalogError::Shape(e.to_string()))?;
        check_entries("categories", &catalog.categories)?;
        check_entries("interests", &catalog.interests)?;
        check_entries("equipment", &catalog.equipment)?;
        if catalog.filters.len() > ENTRIES_MAX {
            return Err(CatalogError::Bounds(format!(
                "filters: at most {ENTRIES_MAX}"
            )));
        }
        let mut ids = BTreeSet::new();
        for filter in &catalog.filters {
            check_text("filters", "id", filter.id(), ID_MAX_CHARS)?;
            check_text("filters", "name", filter.name(), NAME_MAX_CHARS)?;
            if !ids.insert(filter.id()) {
                return Err(CatalogError::Bounds(format!(
                    "filters: the id {:?} appears twice",
                    filter.id()
                )));
            }
            match filter {
                Filter::Range { id, min, max, .. } if min > max => {
                    return Err(CatalogError::Bounds(format!(
                        "filter {id:?}: min must not exceed max"
                    )));
                }
                Filter::Choice { id, options, .. } => {
                    check_entries(&format!("filter {id:?}"), options)?;
                    if options.is_empty() {
                        return Err(CatalogError::Bounds(format!(
                            "filter {id:?}: a choice needs options"
                        )));
                    }
                }
                Filter::Range { .. } => {}
            }
        }
        Ok(catalog)
    }

    /// The job's requirements if the catalog offers everything they name:
    /// lists without repeats, in the order given.
    pub fn check(&self, requirements: Requirements) -> Result<Requirements, DomainError> {
        if !self
            .categories
            .iter()
            .any(|c| c.id == requirements.category)
        {
            return Err(DomainError::invalid(format!(
                "unknown category {:?}; GET /api/categories lists them",
                requirements.category
            )));
        }
        let mut filters = BTreeMap::new();
        for (id, choice) in requirements.filters {
            let filter = self.filters.iter().find(|f| f.id() == id).ok_or_else(|| {
                DomainError::invalid(format!(
                    "unknown participant filter {id:?}; GET /api/filters lists them"
                ))
            })?;
            let choice = check_choice(filter, choice)?;
            filters.insert(id, choice);
        }
        Ok(Requirements {
            category: requirements.category,
            filters,
            equipment: known("equipment", &self.equipment, requirements.equipment)?,
            interests: known("interests", &self.interests, requirements.interests)?,
        })
    }
}

fn check_choice(filter: &Filter, choice: FilterChoice) -> Result<FilterChoice, DomainError> {
    match (filter, choice) {
        (
            Filter::Range { id, min, max, .. },
            FilterChoice::Range {
                min: low,
                max: high,
            },
        ) => {
            if low > high || low < *min || high > *max {
                return Err(DomainError::invalid(format!(
                    "participant filter {id:?} takes a range within {min} to {max}, min not above max"
                )));
            }
            Ok(FilterChoice::Range {
                min: low,
                max: high,
            })
        }
        (Filter::Choice { id, options, .. }, FilterChoice::Options(chosen)) => {
            if chosen.is_empty() {
                return Err(DomainError::invalid(format!(
                    "participant filter {id:?} needs at least one option"
                )));
            }
            Ok(FilterChoice::Options(known(
                &format!("participant filter {id:?}"),
                options,
                chosen,
            )?))
        }
        (Filter::Range { id, .. }, FilterChoice::Options(_)) => Err(DomainError::invalid(format!(
            "participant filter {id:?} takes {{\"min\", \"max\"}}"
        ))),
        (Filter::Choice { id, .. }, FilterChoice::Range { .. }) => Err(DomainError::invalid(
            format!("participant filter {id:?} takes a list of option ids"),
        )),
    }
}

/// `chosen` without repeats, if every id is one of `entries`.
fn known(list: &str, entries: &[Entry], chosen: Vec<String>) -> Result<Vec<String>, DomainError> {
    if chosen.len() > CHOICES_MAX {
        return Err(DomainError::invalid(format!(
            "{list}: at most {CHOICES_MAX} choices"
        )));
    }
    let mut seen = BTreeSet::new();
    let mut kept = Vec::with_capacity(chosen.len());
    for id in chosen {
        if !entries.iter().any(|e| e.id == id) {
            return Err(DomainError::invalid(format!(
                "{list}: unknown id {id:?}; the catalog lists the ids it takes"
            )));
        }
        if seen.insert(id.clone()) {
            kept.push(id);
        }
    }
    Ok(kept)
}

fn check_entries(list: &str, entries: &[Entry]) -> Result<(), CatalogError> {
    if entries.len() > ENTRIES_MAX {
        return Err(CatalogError::Bounds(format!(
            "{list}: at most {ENTRIES_MAX} entries"
        )));
    }
    let mut ids = BTreeSet::new();
    for entry in entries {
        check_text(list, "id", &entry.id, ID_MAX_CHARS)?;
        check_text(list, "name", &entry.name, NAME_MAX_CHARS)?;
        if let Some(description) = &entry.description {
            check_text(list, "description", description, DESCRIPTION_MAX_CHARS)?;
        }
        if !ids.insert(entry.id.as_str()) {
            return Err(CatalogError::Bounds(format!(
                "{list}: the id {:?} appears twice",
                entry.id
            )));
        }
    }
    Ok(())
}

fn check_text(list: &str, field: &str, text: &str, max: usize) -> Result<(), CatalogError> {
    if text.trim().is_empty() || text.chars().count() > max {
        return Err(CatalogError::Bounds(format!(
            "{list}: every {field} must be 1 to {max} characters"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn requirements(category: &str) -> Requirements {
        Requirements {
            category: category.to_owned(),
            ..Requirements::default()
        }
    }

    #[test]
    fn the_default_catalog_parses_and_lists_every_kind() {
        let catalog = Catalog::default();
        assert!(catalog.categories.len() >= 10);
        assert!(catalog.filters.iter().any(|f| f.id() == "age"));
        assert!(catalog.filters.iter().any(|f| f.id() == "country"));
        assert!(!catalog.interests.is_empty());
        assert!(catalog.equipment.iter().any(|e| e.id == "iphone"));
    }

    #[test]
    fn a_job_may_ask_only_for_what_the_catalog_lists() {
        let catalog = Catalog::default();
        assert!(catalog.check(requirements("usability")).is_ok());
        assert!(matches!(
            catalog.check(requirements("weapons")),
            Err(DomainError::Invalid(message)) if message.contains("unknown category")
        ));
        let mut asks = requirements("usability");
        asks.equipment = vec!["iphone".into(), "toaster".into()];
        assert!(catalog.check(asks).is_err());
        let mut asks = requirements("usability");
        asks.interests = vec!["gaming".into(), "gaming".into(), "travel".into()];
        let checked = catalog.check(asks).expect("known interests");
        assert_eq!(checked.interests, vec!["gaming", "travel"]);
    }

    #[test]
    fn a_filter_takes_its_own_kind_of_choice_within_its_bounds() {
        let catalog = Catalog::default();
        let with = |id: &str, choice: FilterChoice| {
            let mut asks = requirements("survey");
            asks.filters.insert(id.to_owned(), choice);
            catalog.check(asks)
        };
        assert!(with("age", FilterChoice::Range { min: 25, max: 40 }).is_ok());
        assert!(with("age", FilterChoice::Range { min: 40, max: 25 }).is_err());
        assert!(with("age", FilterChoice::Range { min: 10, max: 40 }).is_err());
        assert!(with("age", FilterChoice::Options(vec!["25".into()])).is_err());
        assert!(with(
            "country",
            FilterChoice::Options(vec!["US".into(), "CA".into()])
        )
        .is_ok());
        assert!(with("country", FilterChoice::Options(vec!["XX".into()])).is_err());
        assert!(with("country", FilterChoice::Options(Vec::new())).is_err());
        assert!(with("country", FilterChoice::Range { min: 1, max: 2 }).is_err());
        assert!(with("shoe_size", FilterChoice::Range { min: 1, max: 2 }).is_err());
    }

    #[test]
    fn an_operators_catalog_is_checked_for_shape_and_bounds() {
        let minimal = r#"{"categories": [{"id": "a", "name": "A"}], "filters": [],
            "interests": [], "equipment": []}"#;
        assert!(Catalog::parse(minimal).is_ok());
        assert!(matches!(Catalog::parse("{"), Err(CatalogError::Shape(_))));
        let twice = r#"{"categories": [{"id": "a", "name": "A"}, {"id": "a", "name": "B"}],
            "filters": [], "interests": [], "equipment": []}"#;
        assert!(matches!(
            Catalog::parse(twice),
            Err(CatalogError::Bounds(_))
        ));
        let inverted = r#"{"categories": [], "interests": [], "equipment": [],
            "filters": [{"type": "range", "id": "age", "name": "Age", "min": 9, "max": 1}]}"#;
        assert!(matches!(
            Catalog::parse(inverted),
            Err(CatalogError::Bounds(_))
        ));
        let unknown_field = r#"{"categories": [{"id": "a", "name": "A", "colour": "red"}],
            "filters": [], "interests": [], "equipment": []}"#;
        assert!(Catalog::parse(unknown_field).is_err());
    }
}
