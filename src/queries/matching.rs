//! How a worker's skills and location are matched against tasks, for every
//! query that does it (HumanPing's feed ranks by it, the console's work board
//! filters by it): skills read as task kinds, a location read as its parts,
//! and text taken literally inside a LIKE pattern.

/// A location has a few parts ("Montreal, QC, Canada"); more is not a place.
pub const LOCATION_PARTS_MAX: usize = 5;
/// Shorter parts ("QC", "NY") match too much of any text to mean a place.
pub const LOCATION_PART_MIN_CHARS: usize = 3;

/// `field mission`, `Field-Mission` → `field_mission`, as kinds are written.
pub fn skill_as_kind(skill: &str) -> String {
    skill
        .trim()
        .to_lowercase()
        .split(|c: char| c.is_whitespace() || c == '-')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

/// A location's parts, split at commas, lowercased, of
/// `LOCATION_PART_MIN_CHARS` or more, at most `LOCATION_PARTS_MAX`.
pub fn location_parts(location: &str) -> Vec<String> {
    let mut parts: Vec<String> = location
        .split(',')
        .map(|part| part.trim().to_lowercase())
        .filter(|part| part.chars().count() >= LOCATION_PART_MIN_CHARS)
        .collect();
    parts.dedup();
    parts.truncate(LOCATION_PARTS_MAX);
    parts
}

/// `%part%` for LIKE, with LIKE's own characters escaped (by `\`); use it
/// with [`LIKE_ESCAPE`] so `%`, `_` and `\` in the text are taken literally.
pub fn contains_pattern(part: &str) -> String {
    let escaped: String = part
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    format!("%{escaped}%")
}

/// The clause after a LIKE whose pattern came from [`contains_pattern`]; both
/// backends read `'\'` as one backslash (PostgreSQL with its standard strings).
pub const LIKE_ESCAPE: &str = "ESCAPE '\\'";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skills_read_as_task_kinds() {
        assert_eq!(skill_as_kind(" Field Mission "), "field_mission");
        assert_eq!(skill_as_kind("gut-check"), "gut_check");
        assert_eq!(skill_as_kind("verification"), "verification");
    }

    #[test]
    fn a_location_counts_by_its_parts_of_three_characters_or_more() {
        assert_eq!(
            location_parts("Montréal, QC, Canada"),
            vec!["montréal".to_owned(), "canada".to_owned()]
        );
        assert!(location_parts("NY").is_empty());
        assert_eq!(
            location_parts(&"a,".repeat(50).replace('a', "abcd")).len(),
            1
        );
    }

    #[test]
    fn like_characters_in_a_location_are_taken_literally() {
        assert_eq!(contains_pattern("100%_x\\"), "%100\\%\\_x\\\\%");
    }
}
