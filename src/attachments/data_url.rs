//! `data:<media type>;base64,<bytes>` (RFC 2397): how a file travels inside
//! JSON, in a proof handed in and in the proof an agent reads back.

use base64::Engine;

/// The media type as written and the decoded bytes; only base64 data URLs
/// (a photo is binary, and percent-encoding it would be absurd).
pub fn parse_data_url(text: &str) -> Result<(String, Vec<u8>), String> {
    let invalid = || "expected a data URL like data:image/jpeg;base64,…".to_owned();
    let rest = text.trim().strip_prefix("data:").ok_or_else(invalid)?;
    let (header, payload) = rest.split_once(',').ok_or_else(invalid)?;
    let media_type = header.strip_suffix(";base64").ok_or_else(invalid)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(payload.trim())
        .map_err(|_| "the data URL's base64 does not decode".to_owned())?;
    Ok((media_type.to_owned(), bytes))
}

pub fn data_url(media_type: &str, content: &[u8]) -> String {
    format!(
        "data:{media_type};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(content)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_data_url_reads_back_what_was_written() {
        let url = data_url("image/png", b"\x89PNG");
        assert_eq!(url, "data:image/png;base64,iVBORw==");
        assert_eq!(
            parse_data_url(&url).unwrap(),
            ("image/png".to_owned(), b"\x89PNG".to_vec())
        );
    }

    #[test]
    fn other_shapes_are_refused() {
        for text in [
            "image/png;base64,iVBORw==",
            "data:image/png,iVBORw==",
            "data:image/png;base64",
            "data:image/png;base64,***",
            "https://example.com/a.png",
        ] {
            assert!(parse_data_url(text).is_err(), "{text}");
        }
    }
}
