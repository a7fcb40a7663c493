//! The keys of `[rules.ID]`: the rule table, its conditions (`when`) and
//! its actions (`then`).

use super::*;

/// `[rules.ID]`.
pub const RULE: &[Key] = &[
    key("description", Kind::Text, "what the rule represents"),
    key(
        "label",
        Kind::Label,
        "a short name for charts and the report (default: the description, else the id)",
    ),
    key("when", Kind::Condition, "the condition (one key per table)"),
    key(
        "probability",
        Kind::Param(SHARE),
        "chance of firing in a month when the condition holds (default 1)",
    ),
    key(
        "lag_months",
        Kind::IntParam(Bounds {
            hi: 120.0,
            ..MONTHS
        }),
        "months from firing to effect (default 1)",
    ),
    key("once", Kind::Bool, "fire at most once (default true)"),
    key(
        "cooldown_months",
        Kind::Integer(0, 600),
        "with once = false: months before it may fire again (default 0)",
    ),
    key(
        "max_firings",
        Kind::Integer(1, 600),
        "with once = false: cap on firings per run (default 12)",
    ),
    key(
        "priority",
        Kind::Integer(-1000, 1000),
        "evaluation order within a month: ascending priority, then id (default 0)",
    ),
    key(
        "then",
        Kind::List {
            item: &Kind::OneOf(ACTION),
            min: 1,
            max: None,
        },
        "the actions, one key per table",
    ),
    key(
        "enabled",
        Kind::Bool,
        "false switches the rule off (default true)",
    ),
];

/// A rule condition: a table of exactly one of these keys.
pub const CONDITION: &[Key] = &[
    key(
        "tariff_raised",
        Kind::Table(TARIFF_RAISED),
        "the additional tariff by -> on rose by at least `at_least` this month",
    ),
    key(
        "tariff_above",
        Kind::Table(TARIFF_ABOVE),
        "the additional tariff by -> on is at least `level`",
    ),
    key(
        "shortfall_above",
        Kind::Table(SHORTFALL_ABOVE),
        "a licensing importer's shortfall is at least `level` for `months` months",
    ),
    key("between", Kind::DatePair, "a month window [from, to]"),
    key("fired", Kind::Ref, "another rule (its id) has fired"),
    key(
        "all",
        Kind::List {
            item: &Kind::Condition,
            min: 1,
            max: None,
        },
        "every condition of the list holds",
    ),
    key(
        "any",
        Kind::List {
            item: &Kind::Condition,
            min: 1,
            max: None,
        },
        "at least one condition of the list holds",
    ),
];

/// `tariff_raised = { ... }`.
pub const TARIFF_RAISED: &[Key] = &[
    key("by", Kind::Ref, "the importer (economy id)"),
    key("on", Kind::Ref, "the exporter (economy id)"),
    key(
        "sector",
        Kind::Ref,
        "one sector (default: trade-weighted over all)",
    ),
    key(
        "at_least",
        Kind::Number(RATE),
        "the smallest rise that counts (0.05 = 5 points)",
    ),
];

/// `tariff_above = { ... }`.
pub const TARIFF_ABOVE: &[Key] = &[
    key("by", Kind::Ref, "the importer (economy id)"),
    key("on", Kind::Ref, "the exporter (economy id)"),
    key(
        "sector",
        Kind::Ref,
        "one sector (default: trade-weighted over all)",
    ),
    key("level", Kind::Number(RATE), "the tariff level"),
];

/// `shortfall_above = { ... }`.
pub const SHORTFALL_ABOVE: &[Key] = &[
    key("importer", Kind::Ref, "a licensing importer (economy id)"),
    key("level", Kind::Number(SHARE), "the shortfall share"),
    key(
        "months",
        Kind::Integer(1, 600),
        "consecutive months (default 1)",
    ),
];

/// A rule action: a table of exactly one of these keys.
pub const ACTION: &[Key] = &[
    key(
        "tariff",
        Kind::Table(ACTION_TARIFF),
        "impose a tariff: a fixed rate, or match = factor x the triggering increase",
    ),
    key(
        "licensing",
        Kind::Table(ACTION_LICENSING),
        "change the licensing regime, or one importer's approval and capacity",
    ),
    key(
        "revert",
        Kind::List {
            item: &Kind::Ref,
            min: 1,
            max: None,
        },
        "end named scheduled measures, or the tariffs created by named rules",
    ),
];

/// `tariff = { ... }` in `then`.
pub const ACTION_TARIFF: &[Key] = &[
    key("by", Kind::Ref, "the importer imposing it (economy id)"),
    key(
        "on",
        Kind::RefList,
        "the targeted exporters: an economy id, a list, or \"ALL\"",
    ),
    key(
        "sectors",
        Kind::RefList,
        "sector ids covered (default: all sectors)",
    ),
    key("rate", Kind::Param(RATE), "a fixed rate"),
    key(
        "match",
        Kind::Number(Bounds { hi: 10.0, ..NONNEG }),
        "the triggering increase times this factor",
    ),
    key(
        "cap",
        Kind::Number(RATE),
        "the highest additional tariff the action reaches",
    ),
    key(
        "mode",
        Kind::Word(MODES),
        "add (default) stacks; set replaces the pair's additional tariff",
    ),
];

/// `licensing = { ... }` in `then`.
pub const ACTION_LICENSING: &[Key] = &[
    key("regime", Kind::Ref, "switch to this regime (its name)"),
    key(
        "importer",
        Kind::Ref,
        "apply the factors to this licensing importer only",
    ),
    key(
        "approval_factor",
        Kind::Number(Bounds {
            hi: 100.0,
            ..NONNEG
        }),
        "multiplies the approval share",
    ),
    key(
        "capacity_factor",
        Kind::Number(Bounds {
            hi: 100.0,
            ..NONNEG
        }),
        "multiplies processing capacity (0 = embargo)",
    ),
];
