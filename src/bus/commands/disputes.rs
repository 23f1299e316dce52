//! Humai's disputes on the bus. A dispute decides first (who may open it,
//! evidence, only an admin resolves); what its events imply for the
//! contract (`dispute::contract_command`) is decided with them, and through
//! `on_contract` what that implies for the buyer's account, in one append.

use super::actors::caller;
use super::contracts::{contract_stream, on_contract};
use crate::bus::{BusError, UnitOfWork};
use errand_aggregates::contract::Contract;
use errand_aggregates::dispute::{contract_command, Dispute, DisputeCommand, DisputedContract};
use errand_aggregates::ids::{ActorId, ContractId, DisputeId};
use errand_aggregates::mode::Mode;
use errand_aggregates::{DomainError, Timestamp};

pub fn dispute_stream(dispute_id: DisputeId) -> String {
    format!("dispute-{dispute_id}")
}

/// What a dispute is opened with.
#[derive(Debug, Clone)]
pub struct NewDispute {
    pub dispute_id: DisputeId,
    pub contract_id: ContractId,
    pub mode: Mode,
    /// The milestone disputed; none for the whole delivery, or whichever
    /// milestone awaits review.
    pub sequence: Option<u32>,
    pub reason: String,
    pub by: ActorId,
    pub at: Timestamp,
}

/// Opens a dispute over a contract's delivery: the contract's hold stays
/// until an admin resolves it.
pub async fn open_dispute(
    unit: &mut UnitOfWork<'_>,
    new: &NewDispute,
) -> Result<(Dispute, Contract), BusError> {
    let by = caller(unit, new.by).await?;
    let contract = unit
        .load::<Contract>(&contract_stream(new.contract_id))
        .await?;
    if contract.mode != new.mode {
        return Err(DomainError::NotFound("transaction").into());
    }
    let command = DisputeCommand::Open {
        dispute_id: new.dispute_id,
        contract: DisputedContract::of(&contract)?,
        sequence: new.sequence,
        reason: new.reason.clone(),
        by,
        at: new.at,
    };
    let stream = dispute_stream(new.dispute_id);
    unit.start_new::<Dispute>(&stream);
    on_dispute(unit, new.dispute_id, &command).await
}

/// [`on_dispute`] for a caller acting in `mode`: a dispute over a contract
/// of the other mode, like one that does not exist, is not found.
pub async fn on_dispute_in(
    unit: &mut UnitOfWork<'_>,
    dispute_id: DisputeId,
    mode: Mode,
    command: &DisputeCommand,
) -> Result<(Dispute, Contract), BusError> {
    let dispute = unit.load::<Dispute>(&dispute_stream(dispute_id)).await?;
    let contract_id = dispute
        .contract
        .map(|c| c.contract_id)
        .ok_or(DomainError::NotFound("dispute"))?;
    let contract = unit.load::<Contract>(&contract_stream(contract_id)).await?;
    if contract.mode != mode {
        return Err(DomainError::NotFound("dispute").into());
    }
    on_dispute(unit, dispute_id, command).await
}

/// Decides `command` on an existing dispute (evidence, resolution) and what
/// it implies for the contract.
pub async fn on_dispute(
    unit: &mut UnitOfWork<'_>,
    dispute_id: DisputeId,
    command: &DisputeCommand,
) -> Result<(Dispute, Contract), BusError> {
    let stream = dispute_stream(dispute_id);
    let (before, events) = unit.decide::<Dispute>(&stream, command).await?;
    let by = match command {
        DisputeCommand::Open { by, .. }
        | DisputeCommand::SubmitEvidence { by, .. }
        | DisputeCommand::Resolve { by, .. } => *by,
    };
    let contract = match contract_command(&before, &events, &by) {
        Some((contract_id, command)) => on_contract(unit, contract_id, &command).await?,
        None => {
            let contract_id = unit
                .load::<Dispute>(&stream)
                .await?
                .contract
                .map(|c| c.contract_id)
                .ok_or(DomainError::NotFound("dispute"))?;
            unit.load::<Contract>(&contract_stream(contract_id)).await?
        }
    };
    Ok((unit.load::<Dispute>(&stream).await?, contract))
}
