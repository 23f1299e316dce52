//! Humai's contracts on the bus. Every contract command is appended with
//! what it implies, decided by the streams concerned in the same unit: the
//! buyer's hold and each settlement (`contract::account_commands`), the
//! parent's record of a subcontract (`contract::parent_command`) and, when
//! the contract completes, the listing's sale.

use super::actors::{actor_stream, caller};
use super::humai::market_profile_stream;
use super::listings::listing_stream;
use crate::bus::{BusError, UnitOfWork};
use errand_aggregates::account::Account;
use errand_aggregates::actor::{Actor, Role};
use errand_aggregates::contract::{
    account_commands, ensure_parent_named, parent_command, Contract, ContractCommand,
    ContractEvent, OpenContract, Owner, ParentLink, Party, PartyKind,
};
use errand_aggregates::fee::FeePolicy;
use errand_aggregates::humai::market_profile::ActorKind;
use errand_aggregates::humai::MarketProfile;
use errand_aggregates::ids::{ActorId, ContractId, ListingId};
use errand_aggregates::listing::{Listing, ListingAction, ListingCommand};
use errand_aggregates::mode::Mode;
use errand_aggregates::money::Money;
use errand_aggregates::DomainError;
use errand_aggregates::Timestamp;

pub fn contract_stream(contract_id: ContractId) -> String {
    format!("contract-{contract_id}")
}

/// Who `actor` is as a party to a contract: a delegated agent is owned by
/// the wallet that registered it; a person, an agent registered without a
/// wallet, or an actor from another dialect owns itself.
pub async fn party_of(unit: &mut UnitOfWork<'_>, actor: ActorId) -> Result<Party, BusError> {
    let profile = unit
        .load::<MarketProfile>(&market_profile_stream(actor))
        .await?;
    let agent = match profile.kind {
        Some(kind) => kind == ActorKind::DelegatedAgent,
        None => {
            let loaded = unit.load::<Actor>(&actor_stream(actor)).await?;
            if !loaded.exists() {
                return Err(DomainError::NotFound("actor").into());
            }
            loaded.role == Some(Role::Agent)
        }
    };
    match (agent, &profile.owner_wallet) {
        (true, Some(wallet)) => Ok(Party::agent(actor, wallet.as_str())?),
        (true, None) => Ok(Party {
            actor,
            kind: PartyKind::Agent,
            owner: Owner::Actor(actor),
        }),
        (false, _) => Ok(Party::human(actor)),
    }
}

/// Opens a contract: its escrow hold on the buyer's account and, for a
/// subcontract, the parent's record of it, in one append. The caller has
/// built `open` from the listing (and bid) it loaded in this unit, so a
/// listing changed meanwhile fails the append.
pub async fn open_contract(
    unit: &mut UnitOfWork<'_>,
    open: OpenContract,
) -> Result<Contract, BusError> {
    // The buyer spends: a frozen (or banned) buyer opens nothing. Loaded in
    // this unit, so a freeze that lands first fails the append.
    caller(unit, open.buyer.actor).await?.ensure_active()?;
    let contract_id = open.contract_id;
    unit.start_new::<Contract>(&contract_stream(contract_id));
    on_contract(unit, contract_id, &ContractCommand::Open(Box::new(open))).await
}

/// A purchase of a sell listing (Humai's `transactions-create` and
/// `subcontracts-create`).
#[derive(Debug, Clone)]
pub struct NewPurchase {
    pub contract_id: ContractId,
    pub buyer: ActorId,
    pub mode: Mode,
    pub listing_id: ListingId,
    /// The contract this one is part of: an agent buys for work it was hired for.
    pub parent: Option<ContractId>,
    /// The most the buyer means to pay, if it said.
    pub budget: Option<Money>,
    pub fee: FeePolicy,
    pub at: Timestamp,
}

/// Buys a sell listing: the listing's terms, the parties as they stand, the
/// parent's chain for a subcontract, then the contract opened with its hold
/// (and the parent's record of it) in one append. The listing and the parent
/// are loaded in this unit, so either changing meanwhile fails the append.
pub async fn buy_listing(
    unit: &mut UnitOfWork<'_>,
    purchase: &NewPurchase,
) -> Result<Contract, BusError> {
    caller(unit, purchase.buyer).await?.ensure_active()?;
    let listing = unit
        .load::<Listing>(&listing_stream(purchase.listing_id))
        .await?;
    let terms = listing.purchase(purchase.mode)?;
    if let Some(budget) = purchase.budget {
        terms.ensure_within(budget)?;
    }
    let buyer = party_of(unit, purchase.buyer).await?;
    ensure_parent_named(&buyer, purchase.parent)?;
    let parent = match purchase.parent {
        Some(parent_id) => {
            let parent = unit.load::<Contract>(&contract_stream(parent_id)).await?;
            if parent.mode != purchase.mode {
                return Err(DomainError::NotFound("parent transaction").into());
            }
            Some(ParentLink::of(&parent)?)
        }
        None => None,
    };
    let open = OpenContract {
        contract_id: purchase.contract_id,
        mode: purchase.mode,
        buyer,
        seller: party_of(unit, terms.seller).await?,
        listing_id: purchase.listing_id,
        bid_id: None,
        price: terms.price,
        sla_hours: terms.sla_hours,
        milestones: vec![],
        fee: purchase.fee,
        parent,
        at: purchase.at,
    };
    open_contract(unit, open).await
}

/// [`on_contract`] for a caller acting in `mode`: a contract of the other
/// mode (live or test), like one that does not exist, is not found.
pub async fn on_contract_in(
    unit: &mut UnitOfWork<'_>,
    contract_id: ContractId,
    mode: Mode,
    command: &ContractCommand,
) -> Result<Contract, BusError> {
    let contract = unit.load::<Contract>(&contract_stream(contract_id)).await?;
    if contract.id.is_none() || contract.mode != mode {
        return Err(DomainError::NotFound("transaction").into());
    }
    on_contract(unit, contract_id, command).await
}

/// Decides `command` on the contract and everything its events imply.
pub async fn on_contract(
    unit: &mut UnitOfWork<'_>,
    contract_id: ContractId,
    command: &ContractCommand,
) -> Result<Contract, BusError> {
    let stream = contract_stream(contract_id);
    let (before, events) = unit.decide::<Contract>(&stream, command).await?;
    for (account, command) in account_commands(&before, &events) {
        unit.decide::<Account>(&account.stream_id(), &command)
            .await?;
    }
    if let Some((parent, command)) = parent_command(&events) {
        unit.decide::<Contract>(&contract_stream(parent), &command)
            .await?;
    }
    let contract = unit.load::<Contract>(&stream).await?;
    for event in &events {
        if let ContractEvent::ContractCompleted {
            listing_id,
            buyer,
            at,
            ..
        } = event
        {
            // The sale is the contract's fact; the listing records it for
            // its sales count and price suggestions, in the same append.
            let command = ListingCommand {
                by: caller(unit, *buyer).await?,
                mode: contract.mode,
                at: *at,
                action: ListingAction::RecordSale {
                    contract: contract_id.0,
                },
            };
            unit.decide::<Listing>(&listing_stream(*listing_id), &command)
                .await?;
        }
    }
    Ok(contract)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::commands::{create_listing, grant_credit, register_actor};
    use crate::bus::{CommandBus, CommandContext};
    use crate::journal::tests::{on_both_backends, TestDatabase};
    use errand_aggregates::account::AccountId;
    use errand_aggregates::actor::{Caller, Standing};
    use errand_aggregates::contract::{ContractStatus, Deliverable, ReviewWindow};
    use errand_aggregates::fee::FeePolicy;
    use errand_aggregates::ids::{FundingId, ListingId};
    use errand_aggregates::listing::{
        CategoryTags, Description, Direction, ListingDetails, ListingType, NewListing, SlaHours,
        SubscriptionPlans, Tier, Title,
    };
    use errand_aggregates::mode::Mode;
    use errand_aggregates::money::{Currency, Money};
    use uuid::Uuid;

    fn active(actor: ActorId, role: Role) -> Caller {
        Caller {
            actor,
            role,
            standing: Standing::Active,
        }
    }

    fn usd(owner: ActorId) -> AccountId {
        AccountId {
            owner,
            mode: Mode::Live,
            currency: Currency::USD,
        }
    }

    fn sell_listing(listing_id: ListingId) -> NewListing {
        NewListing {
            listing_id,
            direction: Direction::Sell,
            listing_type: ListingType::parse("task_execution").expect("a type"),
            details: ListingDetails {
                title: Title::parse("Competitive analysis report").expect("a title"),
                description: Description::parse("Three competitors, compared").expect("text"),
                category_tags: CategoryTags::parse(&["research".to_owned()]).expect("tags"),
                price: Some(Money::usd(7_500)),
                budget_ceiling: None,
                sla_hours: Some(SlaHours::parse(48).expect("hours")),
                input_schema: None,
                output_schema: None,
                evaluation_rubric: None,
                subscription_plans: SubscriptionPlans::default(),
                tool_meta: None,
                sla_config: None,
                negotiation_permitted: false,
                min_seller_tier: Tier::default(),
            },
        }
    }

    /// A bought listing: the price held on opening, the seller paid less
    /// the fee on acceptance, and the listing's sale recorded with it.
    async fn a_contract_holds_on_opening_and_pays_and_records_the_sale_on_acceptance(
        database: &TestDatabase,
    ) {
        let bus = CommandBus::new(database.open().await);
        let (buyer, seller, admin) = (
            ActorId(Uuid::now_v7()),
            ActorId(Uuid::now_v7()),
            ActorId(Uuid::now_v7()),
        );
        let (listing_id, contract_id) = (ListingId(Uuid::now_v7()), ContractId(Uuid::now_v7()));
        let context = CommandContext::system("tests", "Setup");
        crate::execute!(bus, &context, |unit| {
            let at = chrono::Utc::now();
            register_actor(unit, buyer, Role::Human, "buyer".into(), None, at).await?;
            register_actor(unit, seller, Role::Human, "seller".into(), None, at).await?;
            let funding = FundingId(Uuid::now_v7());
            let grant = Money::usd(10_000);
            let admin = active(admin, Role::Admin);
            grant_credit(unit, admin, usd(buyer), funding, grant, "test".into(), at).await?;
            let seller_caller = active(seller, Role::Human);
            create_listing(
                unit,
                seller_caller,
                Mode::Live,
                sell_listing(listing_id),
                at,
            )
            .await?;
            Ok(())
        })
        .expect("set up");

        let context = CommandContext::system("tests", "OpenContract");
        crate::execute!(bus, &context, |unit| {
            let open = OpenContract {
                contract_id,
                mode: Mode::Live,
                buyer: party_of(unit, buyer).await?,
                seller: party_of(unit, seller).await?,
                listing_id,
                bid_id: None,
                price: Money::usd(7_500),
                sla_hours: 48,
                milestones: vec![],
                fee: FeePolicy::percent("10").expect("a rate"),
                parent: None,
                at: chrono::Utc::now(),
            };
            open_contract(unit, open).await?;
            Ok(())
        })
        .expect("opened");
        let (account, _) = bus.load::<Account>(&usd(buyer).stream_id()).await.unwrap();
        assert_eq!(
            (account.available_cents, account.held_cents),
            (2_500, 7_500)
        );

        let steps = [
            ContractCommand::Assign {
                by: active(seller, Role::Human),
                at: chrono::Utc::now(),
            },
            ContractCommand::Deliver {
                by: active(seller, Role::Human),
                deliverable: Deliverable::parse(serde_json::json!({"report": "done"}), None)
                    .expect("a deliverable"),
                review_window: ReviewWindow::default(),
                at: chrono::Utc::now(),
            },
            ContractCommand::Accept {
                by: active(buyer, Role::Human),
                at: chrono::Utc::now(),
            },
        ];
        for step in steps {
            let context = CommandContext::system("tests", "ContractStep");
            crate::execute!(bus, &context, |unit| {
                on_contract(unit, contract_id, &step).await?;
                Ok(())
            })
            .expect("stepped");
        }
        let (contract, _) = bus
            .load::<Contract>(&contract_stream(contract_id))
            .await
            .unwrap();
        assert_eq!(contract.status, ContractStatus::Completed);
        let (paid, _) = bus.load::<Account>(&usd(seller).stream_id()).await.unwrap();
        assert_eq!(paid.available_cents, 6_750);
        let (account, _) = bus.load::<Account>(&usd(buyer).stream_id()).await.unwrap();
        assert_eq!((account.available_cents, account.held_cents), (2_500, 0));
        let (listing, _) = bus
            .load::<Listing>(&listing_stream(listing_id))
            .await
            .unwrap();
        assert_eq!(listing.total_sales, 1);
    }

    /// A seller cannot buy its own listing: nothing is held, nothing appended.
    async fn buying_from_oneself_is_refused_and_holds_nothing(database: &TestDatabase) {
        let bus = CommandBus::new(database.open().await);
        let seller = ActorId(Uuid::now_v7());
        let (listing_id, contract_id) = (ListingId(Uuid::now_v7()), ContractId(Uuid::now_v7()));
        let context = CommandContext::system("tests", "Setup");
        crate::execute!(bus, &context, |unit| {
            let at = chrono::Utc::now();
            register_actor(unit, seller, Role::Human, "seller".into(), None, at).await?;
            let seller_caller = active(seller, Role::Human);
            create_listing(
                unit,
                seller_caller,
                Mode::Live,
                sell_listing(listing_id),
                at,
            )
            .await?;
            Ok(())
        })
        .expect("set up");
        let head = bus.journal().head().await.unwrap();
        let context = CommandContext::system("tests", "OpenContract");
        let refused = crate::execute!(bus, &context, |unit| {
            let party = party_of(unit, seller).await?;
            let open = OpenContract {
                contract_id,
                mode: Mode::Live,
                buyer: party.clone(),
                seller: party,
                listing_id,
                bid_id: None,
                price: Money::usd(7_500),
                sla_hours: 48,
                milestones: vec![],
                fee: FeePolicy::percent("10").expect("a rate"),
                parent: None,
                at: chrono::Utc::now(),
            };
            open_contract(unit, open).await?;
            Ok(())
        });
        assert!(refused.is_err());
        assert_eq!(bus.journal().head().await.unwrap(), head);
    }

    on_both_backends!(
        a_contract_holds_on_opening_and_pays_and_records_the_sale_on_acceptance,
        buying_from_oneself_is_refused_and_holds_nothing,
    );
}
