//! The hash chain: `hash(n) = SHA-256(hash(n - 1) ‖ canonical_bytes(event n))`, starting from
//! the genesis hash (32 zero bytes) seeded in `journal_head`. Editing, inserting or removing
//! any event after the fact changes every later hash, which `verify_chain` recomputes.

use sha2::{Digest, Sha256};

/// A SHA-256 digest.
pub(crate) type Hash = [u8; 32];

/// The hash before the first event; the migrations seed `journal_head` with its hex form.
pub(crate) const GENESIS_HASH: Hash = [0; 32];

/// The stored fields of one event, exactly as written to (or read from) the `events` table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ChainedFields<'a> {
    pub position: i64,
    pub stream_id: &'a str,
    pub stream_version: i64,
    /// The stored text (lowercase hyphenated uuid), not a re-formatted parse of it, so an edit
    /// of the stored text is caught.
    pub event_id: &'a str,
    pub event_type: &'a str,
    pub event_version: i32,
    pub payload: &'a str,
    pub metadata: &'a str,
    pub recorded_at_us: i64,
}

/// The bytes an event's hash covers. Version 1 of the encoding, in this order:
///
/// | field            | encoding                         |
/// |------------------|----------------------------------|
/// | position         | i64, 8 bytes big-endian          |
/// | stream_id        | text                             |
/// | stream_version   | i64, 8 bytes big-endian          |
/// | event_id         | text (lowercase hyphenated uuid) |
/// | event_type       | text                             |
/// | event_version    | i32, 4 bytes big-endian          |
/// | payload          | text                             |
/// | metadata         | text                             |
/// | recorded_at_us   | i64, 8 bytes big-endian          |
///
/// where text is its UTF-8 length as a u64 (8 bytes big-endian) followed by its bytes.
/// Fixed-width integers and length-prefixed text make the encoding unambiguous: two different
/// events never share bytes. Changing it invalidates every stored chain.
pub(crate) fn canonical_bytes(event: &ChainedFields<'_>) -> Vec<u8> {
    let texts = [
        event.stream_id,
        event.event_id,
        event.event_type,
        event.payload,
        event.metadata,
    ];
    let text_bytes: usize = texts.iter().map(|text| 8 + text.len()).sum();
    let mut bytes = Vec::with_capacity(8 + 8 + 4 + 8 + text_bytes);
    bytes.extend_from_slice(&event.position.to_be_bytes());
    push_text(&mut bytes, event.stream_id);
    bytes.extend_from_slice(&event.stream_version.to_be_bytes());
    push_text(&mut bytes, event.event_id);
    push_text(&mut bytes, event.event_type);
    bytes.extend_from_slice(&event.event_version.to_be_bytes());
    push_text(&mut bytes, event.payload);
    push_text(&mut bytes, event.metadata);
    bytes.extend_from_slice(&event.recorded_at_us.to_be_bytes());
    bytes
}

fn push_text(bytes: &mut Vec<u8>, text: &str) {
    bytes.extend_from_slice(&(text.len() as u64).to_be_bytes());
    bytes.extend_from_slice(text.as_bytes());
}

/// The hash of `event`, chained to the hash of the event before it.
pub(crate) fn chain_hash(previous: &Hash, event: &ChainedFields<'_>) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update(previous);
    hasher.update(canonical_bytes(event));
    hasher.finalize().into()
}

/// Parses a stored hex hash.
pub(crate) fn parse_hash(hex_text: &str) -> Option<Hash> {
    let mut hash = [0; 32];
    hex::decode_to_slice(hex_text, &mut hash).ok()?;
    Some(hash)
}

#[cfg(test)]
mod unit {
    use super::*;

    fn fields<'a>(stream_id: &'a str, event_type: &'a str) -> ChainedFields<'a> {
        ChainedFields {
            position: 1,
            stream_id,
            stream_version: 1,
            event_id: "0190a0c2-7f4e-7b3c-9d1a-2b3c4d5e6f70",
            event_type,
            event_version: 1,
            payload: "{}",
            metadata: "{}",
            recorded_at_us: 0,
        }
    }

    #[test]
    fn moving_bytes_between_adjacent_texts_changes_the_encoding() {
        // Without length prefixes "ab"+"c" and "a"+"bc" would encode alike.
        let left = canonical_bytes(&fields("task-ab", "cTaskPosted"));
        let right = canonical_bytes(&fields("task-abc", "TaskPosted"));
        assert_ne!(left, right);
    }

    #[test]
    fn the_same_event_after_another_predecessor_hashes_differently() {
        let event = fields("task-1", "TaskPosted");
        assert_ne!(
            chain_hash(&GENESIS_HASH, &event),
            chain_hash(&[1; 32], &event)
        );
    }

    #[test]
    fn the_genesis_hash_round_trips_through_its_stored_hex_form() {
        let stored = "0".repeat(64);
        assert_eq!(parse_hash(&stored), Some(GENESIS_HASH));
        assert_eq!(parse_hash("not hex"), None);
    }
}
