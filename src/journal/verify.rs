//! Proving the log was not edited after the fact: recompute every hash from the genesis hash,
//! and check that positions run 1..N without gaps up to the head.

use sqlx::AnyPool;

use super::chain::{chain_hash, Hash, GENESIS_HASH};
use super::error::JournalError;
use super::limits::READ_ALL_LIMIT_MAX;
use super::lock::{read_head, Head};
use super::reads::read_stored_page;

/// The outcome of `verify_chain`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    /// Events whose position and hash checked out before the first break (all, if none).
    pub events_checked: i64,
    /// The head when verification started; later appends are not checked.
    pub head_position: i64,
    pub first_break: Option<ChainBreak>,
}

/// Where the chain first fails to verify. Everything after it is unverifiable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// The first position that fails: a missing one, or one whose hash does not match.
    pub position: i64,
    pub reason: String,
}

pub(crate) async fn verify_chain(pool: &AnyPool) -> Result<ChainReport, JournalError> {
    let head = read_head(pool).await?;
    let mut previous: Hash = GENESIS_HASH;
    let mut last_position = 0;
    loop {
        let page = read_stored_page(pool, last_position, head.position, READ_ALL_LIMIT_MAX).await?;
        for event in &page {
            let expected_position = last_position + 1;
            if event.position != expected_position {
                return Ok(broken(
                    &head,
                    last_position,
                    expected_position,
                    format!(
                        "position {expected_position} is missing; the next event is at {}",
                        event.position
                    ),
                ));
            }
            let hash = chain_hash(&previous, &event.chained_fields());
            if hex::encode(hash) != event.hash {
                return Ok(broken(
                    &head,
                    last_position,
                    event.position,
                    "the stored hash does not match the event's contents and its predecessor"
                        .to_owned(),
                ));
            }
            previous = hash;
            last_position = event.position;
        }
        if page.len() < READ_ALL_LIMIT_MAX as usize {
            break;
        }
    }
    if last_position != head.position {
        return Ok(broken(
            &head,
            last_position,
            last_position + 1,
            format!(
                "the head is at position {} but the events end at {last_position}",
                head.position
            ),
        ));
    }
    if previous != head.hash {
        return Ok(broken(
            &head,
            last_position,
            head.position,
            "the head's hash differs from the last event's hash".to_owned(),
        ));
    }
    Ok(ChainReport {
        events_checked: last_position,
        head_position: head.position,
        first_break: None,
    })
}

/// A report of a chain that verified up to `last_good_position` and broke at `position`.
fn broken(head: &Head, last_good_position: i64, position: i64, reason: String) -> ChainReport {
    ChainReport {
        events_checked: last_good_position,
        head_position: head.position,
        first_break: Some(ChainBreak { position, reason }),
    }
}
