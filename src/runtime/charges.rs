//! The charge sweep: asks the payment provider again about the charges of
//! saved methods (at an owner's request or by auto-reload) still `pending`
//! some time after their request, oldest first, while the lease is held. A
//! crash between the deposit's request and the provider's answer, or a
//! provider that did not answer, leaves the deposit pending; nothing else
//! asks again. Charging is idempotent on the deposit's id, so asking again
//! charges at most once and credits the account once.
//!
//! Checkout deposits are not swept: the provider cannot be asked about a
//! checkout (`PaymentProvider` has no such call); its payer completes it.
//! Like the timers, the sweep never resolves a row itself: the deposit's
//! `DepositCompleted` or `DepositFailed` does, through the `deposits` projection.

use std::future::Future;
use std::time::Duration;

use chrono::Utc;
use errand_projections::deposits::DepositRow;
use sqlx::AnyPool;

use super::lease::Lease;
use super::leased_poller::{self, DueWork, PollerHandle};
use super::sweep::SweepOptions;
use crate::queries::deposits::pending_charges_requested_before;

pub struct ChargeSweeper;

impl ChargeSweeper {
    /// Every `options.interval`, while `lease` is held, hands each charge
    /// pending past `options.grace` to `charge`. `Ok` means the deposit was
    /// settled (completed or failed); `Err`, that it is still pending and is
    /// asked about again after a back-off.
    pub fn start_leased<F, Fut>(
        pool: AnyPool,
        lease: Lease,
        options: SweepOptions,
        charge: F,
    ) -> PollerHandle
    where
        F: Fn(DepositRow) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), String>> + Send + 'static,
    {
        let work = PendingCharges {
            pool,
            options,
            charge,
        };
        leased_poller::start("charge sweep", lease, options.polling(), work)
    }
}

/// `deposits_view`'s pending charges requested before `grace` ago, oldest first.
struct PendingCharges<F> {
    pool: AnyPool,
    options: SweepOptions,
    charge: F,
}

impl<F, Fut> DueWork for PendingCharges<F>
where
    F: Fn(DepositRow) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    type Item = DepositRow;
    const READS: &'static str = "pending charges";

    fn due(&self, limit: i64) -> impl Future<Output = Result<Vec<DepositRow>, sqlx::Error>> + Send {
        let requested_before = self.options.requested_before(Utc::now());
        pending_charges_requested_before(&self.pool, requested_before, limit)
    }

    fn id(deposit: &DepositRow) -> &str {
        &deposit.funding_id
    }

    fn run(&self, deposit: DepositRow) -> impl Future<Output = Result<(), String>> + Send {
        (self.charge)(deposit)
    }

    fn ran(deposit: &DepositRow) {
        tracing::info!(deposit = %deposit.funding_id, "the sweep settled a pending charge");
    }

    fn failed(deposit: &DepositRow, reason: &str, retry_in: Duration) {
        tracing::info!(
            deposit = %deposit.funding_id, %reason, retry_in_s = retry_in.as_secs(),
            "a pending charge is still pending; asking again later"
        );
    }
}
