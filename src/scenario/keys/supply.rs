//! The keys of `[licensing]` (its regimes and importers) and
//! `[rerouting]` (its hubs): the supply-side sections.

use super::*;

/// `[licensing]`.
pub const LICENSING: &[Key] = &[
    key("supplier", Kind::Ref, "the licensing economy (economy id)"),
    key("input", Kind::Ref, "the controlled input (sector id)"),
    key(
        "regime",
        Kind::Dated(&Kind::Ref),
        "regime path [[date, NAME], ...]; before the first entry the regime is `free`",
    ),
    key(
        "efficiency",
        Kind::Param(Bounds { hi: 100.0, ..POS }),
        "multiplies every regime's capacity (default 1)",
    ),
    key(
        "noise_sd",
        Kind::Param(NOISE),
        "monthly lognormal noise on capacity (default 0)",
    ),
    key(
        "refile_months",
        Kind::Param(Bounds {
            lo: 1.0,
            hi: 24.0,
            ..MONTHS
        }),
        "months until a rejected application is filed again (default 1)",
    ),
    key(
        "refile_share",
        Kind::Param(SHARE),
        "share of rejected volume filed again (default 1)",
    ),
    key(
        "prioritisation",
        Kind::Param(Bounds {
            lo: 0.0,
            hi: 1.0,
            lo_open: true,
            ..SHARE
        }),
        "exponent of output in the input: 1 = proportional (default 1)",
    ),
    key(
        "price_cap",
        Kind::Param(Bounds {
            lo: 1.0,
            hi: 100.0,
            ..NONNEG
        }),
        "highest multiple of its normal price the input reaches when short (default 1)",
    ),
    key(
        "regimes",
        Kind::Named(Ids::Name, REGIME),
        "the licensing regimes, one table each; a `free` regime must be defined",
    ),
    key(
        "importers",
        Kind::Named(Ids::Economy, LICENSING_IMPORTER),
        "the importers of the input, one table each: [licensing.importers.US]",
    ),
];

/// `[licensing.regimes.NAME]`.
pub const REGIME: &[Key] = &[
    key(
        "capacity",
        Kind::Param(NONNEG_OR_INF),
        "share of the normal monthly controlled volume processed per month (inf: no limit)",
    ),
    key(
        "approval",
        Kind::Param(SHARE),
        "share of applications approved",
    ),
    key(
        "capacity_end",
        Kind::Param(NONNEG_OR_INF),
        "capacity after the ramp (needs ramp_midpoint_months)",
    ),
    key(
        "approval_end",
        Kind::Param(SHARE),
        "approval after the ramp (needs ramp_midpoint_months)",
    ),
    key(
        "ramp_midpoint_months",
        Kind::Param(Bounds { hi: 120.0, ..POS }),
        "months from the regime's start to the middle of its logistic ramp",
    ),
    key(
        "delay_months",
        Kind::Param(Bounds { hi: 24.0, ..MONTHS }),
        "review delay of controlled shipments, months (default 0)",
    ),
    key(
        "inspection_months",
        Kind::Param(Bounds { hi: 24.0, ..MONTHS }),
        "customs hold on the uncontrolled share, months (default 0)",
    ),
];

/// `[licensing.importers.ID]`.
pub const LICENSING_IMPORTER: &[Key] = &[
    key(
        "controlled",
        Kind::Param(SHARE),
        "share of the importer's flow from the supplier that needs a licence (default 1)",
    ),
    key(
        "transit_months",
        Kind::Param(Bounds { hi: 6.0, ..MONTHS }),
        "months between leaving the supplier and arriving (default 0)",
    ),
    key(
        "dependence",
        Kind::Param(SHARE),
        "share of the requirement that comes from the supplier",
    ),
    key(
        "stock_months",
        Kind::Param(Bounds {
            hi: 120.0,
            ..NONNEG
        }),
        "initial stock, months of requirement",
    ),
    key(
        "priority",
        Kind::Number(Bounds { hi: 1e6, ..POS }),
        "weight in capacity sharing (default 1)",
    ),
    key(
        "alt_supply",
        Kind::Dated(&Kind::Number(Bounds { hi: 10.0, ..NONNEG })),
        "[[date, share], ...]: extra non-supplier supply as a share of requirement, linear between points",
    ),
    key(
        "exposure",
        Kind::Map(Ids::Sector, &Kind::Number(SHARE)),
        "sector id -> share of the sector's output that needs the input",
    ),
    key(
        "substitution",
        Kind::Dated(&Kind::Number(SHARE)),
        "[[date, share], ...]: share of the exposure substituted away, linear between points",
    ),
];

/// `[rerouting]`.
pub const REROUTING: &[Key] = &[
    key("origin", Kind::Ref, "whose goods are rerouted (economy id)"),
    key(
        "destination",
        Kind::Ref,
        "whose tariffs they avoid (economy id)",
    ),
    key(
        "half_life_months",
        Kind::Param(HALF_LIFE),
        "months to reach half the target rerouted share (default 6)",
    ),
    key(
        "hubs",
        Kind::Named(Ids::Economy, HUB),
        "the hub economies, one table each: [rerouting.hubs.VN]",
    ),
];

/// `[rerouting.hubs.ID]`.
pub const HUB: &[Key] = &[
    key(
        "per_gap",
        Kind::Param(Bounds {
            hi: 100.0,
            ..NONNEG
        }),
        "share of the hub's base-year exports to the destination rerouted per unit of tariff gap",
    ),
    key("cap", Kind::Param(SHARE), "the largest rerouted share"),
];
