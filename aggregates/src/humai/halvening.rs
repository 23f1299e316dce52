//! The halvening: founding slots are numbered 1 to 1000 in the order they
//! are claimed, in four tiers of 250; each tier's grant is half the one
//! before (128, 64, 32, 16 RC).

/// How many founding slots there are. A deployment may open fewer (tests
/// do, through `Config`); never more, since the schedule ends here.
pub const FOUNDING_SLOTS: u32 = 1000;
/// Slots per tier.
pub const SLOTS_PER_TIER: u32 = 250;
/// The first tier's grant, in whole RC.
pub const FIRST_GRANT_RC: i64 = 128;
/// The last tier (0-based).
pub const LAST_TIER: u8 = ((FOUNDING_SLOTS - 1) / SLOTS_PER_TIER) as u8;

/// The tier of founding slot `slot` (1-based), `None` outside 1..=1000.
pub fn tier_of_slot(slot: u32) -> Option<u8> {
    if slot == 0 || slot > FOUNDING_SLOTS {
        return None;
    }
    Some(((slot - 1) / SLOTS_PER_TIER) as u8)
}

/// The RC a tier's founders are granted: 128 halved once per tier.
pub fn grant_of_tier(tier: u8) -> i64 {
    FIRST_GRANT_RC >> tier.min(LAST_TIER)
}

/// The RC granted with founding slot `slot`, `None` outside the schedule.
pub fn grant_of_slot(slot: u32) -> Option<i64> {
    tier_of_slot(slot).map(grant_of_tier)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_tier_of_250_slots_grants_half_the_one_before() {
        let cases = [
            (1, 0, 128),
            (250, 0, 128),
            (251, 1, 64),
            (500, 1, 64),
            (501, 2, 32),
            (750, 2, 32),
            (751, 3, 16),
            (1000, 3, 16),
        ];
        for (slot, tier, grant) in cases {
            assert_eq!(tier_of_slot(slot), Some(tier), "slot {slot}");
            assert_eq!(grant_of_slot(slot), Some(grant), "slot {slot}");
        }
    }

    #[test]
    fn there_is_no_slot_zero_and_none_after_the_thousandth() {
        assert_eq!(tier_of_slot(0), None);
        assert_eq!(tier_of_slot(1001), None);
        assert_eq!(grant_of_slot(1001), None);
    }

    #[test]
    fn the_grants_of_all_slots_add_up_to_the_schedule() {
        let total: i64 = (1..=FOUNDING_SLOTS).filter_map(grant_of_slot).sum();
        assert_eq!(total, 250 * (128 + 64 + 32 + 16));
    }
}
