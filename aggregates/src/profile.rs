//! A person's profile: what they can do, where they are, how they like to
//! work. Every part is bounded, since profiles are shown to anyone who asks.

use crate::error::DomainError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Enough to describe a worker without turning the profile into a CV.
pub const SKILLS_MAX: usize = 30;
/// A skill is a tag ("photography", "spanish"), not a sentence.
pub const SKILL_MAX_CHARS: usize = 50;
/// A city and district, or a street address.
pub const LOCATION_TEXT_MAX_CHARS: usize = 200;
/// Preferences are a handful of settings, not a document store.
pub const PREFERENCES_MAX: usize = 20;
pub const PREFERENCE_KEY_MAX_CHARS: usize = 50;
pub const PREFERENCE_VALUE_MAX_CHARS: usize = 200;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub skills: Vec<String>,
    pub location: Option<Location>,
    pub preferences: BTreeMap<String, String>,
}

/// Where a person works from: free text, and coordinates if they share them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub text: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

fn bounded_text(text: &str, what: &str, max_chars: usize) -> Result<String, DomainError> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > max_chars || text.contains('\0') {
        return Err(DomainError::invalid(format!(
            "{what} must be 1 to {max_chars} characters"
        )));
    }
    Ok(text.to_owned())
}

impl Profile {
    /// A profile from what a person sent: trimmed, duplicates of a skill dropped,
    /// every bound checked.
    pub fn parse(
        skills: &[String],
        location: Option<Location>,
        preferences: &BTreeMap<String, String>,
    ) -> Result<Profile, DomainError> {
        if skills.len() > SKILLS_MAX {
            return Err(DomainError::invalid(format!("at most {SKILLS_MAX} skills")));
        }
        let mut parsed: Vec<String> = Vec::with_capacity(skills.len());
        for skill in skills {
            let skill = bounded_text(skill, "a skill", SKILL_MAX_CHARS)?;
            if !parsed.iter().any(|s| s.eq_ignore_ascii_case(&skill)) {
                parsed.push(skill);
            }
        }
        let location = location.map(Location::parse).transpose()?;
        if preferences.len() > PREFERENCES_MAX {
            return Err(DomainError::invalid(format!(
                "at most {PREFERENCES_MAX} preferences"
            )));
        }
        let mut kept = BTreeMap::new();
        for (key, value) in preferences {
            let key = bounded_text(key, "a preference's name", PREFERENCE_KEY_MAX_CHARS)?;
            if value.chars().count() > PREFERENCE_VALUE_MAX_CHARS || value.contains('\0') {
                return Err(DomainError::invalid(format!(
                    "a preference's value must be at most {PREFERENCE_VALUE_MAX_CHARS} characters"
                )));
            }
            kept.insert(key, value.trim().to_owned());
        }
        Ok(Profile {
            skills: parsed,
            location,
            preferences: kept,
        })
    }
}

impl Location {
    fn parse(location: Location) -> Result<Location, DomainError> {
        let text = bounded_text(&location.text, "location text", LOCATION_TEXT_MAX_CHARS)?;
        match (location.lat, location.lon) {
            (None, None) => {}
            (Some(lat), Some(lon))
                if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) => {}
            (Some(_), Some(_)) => {
                return Err(DomainError::invalid(
                    "lat must be -90 to 90 and lon -180 to 180",
                ))
            }
            _ => {
                return Err(DomainError::invalid(
                    "lat and lon come together or not at all",
                ))
            }
        }
        Ok(Location {
            text,
            lat: location.lat,
            lon: location.lon,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skills(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn skills_are_trimmed_and_kept_once() {
        let profile = Profile::parse(
            &skills(&[" photography ", "Photography", "spanish"]),
            None,
            &BTreeMap::new(),
        )
        .unwrap();
        assert_eq!(profile.skills, skills(&["photography", "spanish"]));
    }

    #[test]
    fn too_many_or_too_long_skills_are_refused() {
        let many = vec!["x".to_owned(); SKILLS_MAX + 1];
        assert!(Profile::parse(&many, None, &BTreeMap::new()).is_err());
        let long = vec!["x".repeat(SKILL_MAX_CHARS + 1)];
        assert!(Profile::parse(&long, None, &BTreeMap::new()).is_err());
        assert!(Profile::parse(&skills(&["  "]), None, &BTreeMap::new()).is_err());
        let most = vec!["x".repeat(SKILL_MAX_CHARS)];
        assert!(Profile::parse(&most, None, &BTreeMap::new()).is_ok());
    }

    #[test]
    fn coordinates_come_in_pairs_and_within_the_globe() {
        let at = |lat, lon| Location {
            text: "Lisbon".into(),
            lat,
            lon,
        };
        let parse = |location| Profile::parse(&[], Some(location), &BTreeMap::new());
        assert!(parse(at(Some(38.7), Some(-9.1))).is_ok());
        assert!(parse(at(None, None)).is_ok());
        assert!(parse(at(Some(38.7), None)).is_err());
        assert!(parse(at(Some(91.0), Some(0.0))).is_err());
        assert!(parse(at(Some(0.0), Some(-180.5))).is_err());
        assert!(parse(Location {
            text: " ".into(),
            lat: None,
            lon: None
        })
        .is_err());
    }

    #[test]
    fn preferences_are_bounded() {
        let many: BTreeMap<String, String> = (0..=PREFERENCES_MAX)
            .map(|i| (format!("k{i}"), "v".to_owned()))
            .collect();
        assert!(Profile::parse(&[], None, &many).is_err());
        let long = BTreeMap::from([("k".to_owned(), "v".repeat(PREFERENCE_VALUE_MAX_CHARS + 1))]);
        assert!(Profile::parse(&[], None, &long).is_err());
        let fine = BTreeMap::from([("radius_km".to_owned(), "5".to_owned())]);
        assert_eq!(Profile::parse(&[], None, &fine).unwrap().preferences, fine);
    }
}
