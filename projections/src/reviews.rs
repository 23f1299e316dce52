//! `humai_reviews_view`: Humai's reviews and endorsements, one row each,
//! for `reviews-list` and the leaderboard's scores. Folds the
//! `review-<contract>-<kind>-<reviewer>` streams.

use errand_aggregates::review::ReviewEvent;
use errand_aggregates::Event;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::rows::{AnyQuery, Record, Rows, ViewRow};
use crate::{micros, ProjectedEvent, Projection, ProjectionError};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reviews;

pub const HUMAI_REVIEWS_VIEW: &str = "humai_reviews_view";

/// One row of `humai_reviews_view`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRow {
    pub review_key: String,
    pub kind: String,
    pub contract_id: String,
    pub listing_id: String,
    pub mode: String,
    pub reviewer: String,
    pub reviewed: String,
    pub rating: i64,
    pub content: String,
    pub position: i64,
    pub created_at_us: i64,
}

impl Record for ReviewRow {
    const TABLE: &'static str = HUMAI_REVIEWS_VIEW;
    const COLUMNS: &'static [&'static str] = &[
        "review_key",
        "kind",
        "contract_id",
        "listing_id",
        "mode",
        "reviewer",
        "reviewed",
        "rating",
        "content",
        "position",
        "created_at_us",
    ];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.review_key.as_str())
            .bind(self.kind.as_str())
            .bind(self.contract_id.as_str())
            .bind(self.listing_id.as_str())
            .bind(self.mode.as_str())
            .bind(self.reviewer.as_str())
            .bind(self.reviewed.as_str())
            .bind(self.rating)
            .bind(self.content.as_str())
            .bind(self.position)
            .bind(self.created_at_us)
    }
}

impl ViewRow for ReviewRow {
    fn key(&self) -> &str {
        &self.review_key
    }

    fn decode(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(ReviewRow {
            review_key: row.try_get(0)?,
            kind: row.try_get(1)?,
            contract_id: row.try_get(2)?,
            listing_id: row.try_get(3)?,
            mode: row.try_get(4)?,
            reviewer: row.try_get(5)?,
            reviewed: row.try_get(6)?,
            rating: row.try_get(7)?,
            content: row.try_get(8)?,
            position: row.try_get(9)?,
            created_at_us: row.try_get(10)?,
        })
    }
}

impl Projection for Reviews {
    fn name(&self) -> &'static str {
        "humai_reviews"
    }

    fn tables(&self) -> &'static [&'static str] {
        &[HUMAI_REVIEWS_VIEW]
    }

    async fn apply_batch(
        &self,
        conn: &mut AnyConnection,
        events: &[ProjectedEvent],
    ) -> Result<(), ProjectionError> {
        let mut reviews = Rows::<ReviewRow>::default();
        for projected in events {
            let Event::Review(ReviewEvent::ReviewLeft {
                kind,
                contract_id,
                listing_id,
                mode,
                reviewer,
                reviewed,
                rating,
                content,
                at,
            }) = &projected.event
            else {
                continue;
            };
            reviews.put(ReviewRow {
                review_key: format!("{contract_id}:{}:{reviewer}", kind.as_str()),
                kind: kind.as_str().to_owned(),
                contract_id: contract_id.to_string(),
                listing_id: listing_id.to_string(),
                mode: mode.as_str().to_owned(),
                reviewer: reviewer.to_string(),
                reviewed: reviewed.to_string(),
                rating: i64::from(rating.stars()),
                content: content.clone(),
                position: projected.position,
                created_at_us: micros(*at),
            });
        }
        reviews.flush(conn).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;
    use errand_aggregates::ids::{ActorId, ContractId, ListingId};
    use errand_aggregates::mode::Mode;
    use errand_aggregates::review::{Rating, ReviewKind};

    fn left(
        position: i64,
        kind: ReviewKind,
        reviewer: ActorId,
        reviewed: ActorId,
    ) -> ProjectedEvent {
        let contract_id = ContractId(new_id());
        let event = ReviewEvent::ReviewLeft {
            kind,
            contract_id,
            listing_id: ListingId(new_id()),
            mode: Mode::Live,
            reviewer,
            reviewed,
            rating: Rating::parse(4).unwrap(),
            content: "Delivered early".into(),
            at: at(position),
        };
        ProjectedEvent {
            position,
            stream_id: errand_aggregates::review::review_stream(contract_id, kind, reviewer),
            event_type: "ReviewLeft".into(),
            event: Event::Review(event),
            recorded_at: at(position),
        }
    }

    #[tokio::test]
    async fn each_review_and_endorsement_is_a_row_of_its_kind() {
        let mut db = TestDb::new().await;
        let (buyer, seller) = (ActorId(new_id()), ActorId(new_id()));
        db.apply(
            &Reviews,
            &[
                left(1, ReviewKind::Review, buyer, seller),
                left(2, ReviewKind::Endorsement, buyer, seller),
                left(3, ReviewKind::Review, seller, buyer),
            ],
        )
        .await;
        let rows: Vec<ReviewRow> = all_rows(&mut db.conn).await;
        assert_eq!(rows.len(), 3);
        let of_seller: Vec<&ReviewRow> = rows
            .iter()
            .filter(|r| r.reviewed == seller.to_string())
            .collect();
        assert_eq!(of_seller.len(), 2);
        assert!(of_seller.iter().all(|r| r.rating == 4 && r.mode == "live"));
        let mut kinds: Vec<&str> = of_seller.iter().map(|r| r.kind.as_str()).collect();
        kinds.sort();
        assert_eq!(kinds, ["endorsement", "review"]);
    }
}
