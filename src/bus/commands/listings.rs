//! Humai's listings on the bus. A listing decides alone; what a bid implies
//! for it is decided with the bid (see `errand_aggregates::bid::listing_action`).

use crate::bus::{BusError, UnitOfWork};
use errand_aggregates::actor::Caller;
use errand_aggregates::ids::ListingId;
use errand_aggregates::listing::{Listing, ListingAction, ListingCommand, NewListing};
use errand_aggregates::mode::Mode;
use errand_aggregates::Timestamp;

pub fn listing_stream(listing_id: ListingId) -> String {
    format!("listing-{listing_id}")
}

/// The caller lists something to sell or asks for something to buy.
pub async fn create_listing(
    unit: &mut UnitOfWork<'_>,
    by: Caller,
    mode: Mode,
    new: NewListing,
    at: Timestamp,
) -> Result<Listing, BusError> {
    let stream = listing_stream(new.listing_id);
    unit.start_new::<Listing>(&stream);
    on_listing(
        unit,
        by,
        mode,
        &stream,
        ListingAction::Create(Box::new(new)),
        at,
    )
    .await
}

/// Any other action on an existing listing: its owner's, or an admin's.
pub async fn on_listing(
    unit: &mut UnitOfWork<'_>,
    by: Caller,
    mode: Mode,
    stream: &str,
    action: ListingAction,
    at: Timestamp,
) -> Result<Listing, BusError> {
    let command = ListingCommand {
        by,
        mode,
        at,
        action,
    };
    unit.decide::<Listing>(stream, &command).await?;
    unit.load::<Listing>(stream).await
}
