//! Which monthly series a run keeps (`--detail`): every series but the
//! per-flow detail by default, all of them, or none (sweeps).

use crate::model::Model;

/// Which monthly series an aggregate keeps. Horizon outcomes (`final.csv`,
/// `annual.csv`) are always kept, per flow too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Monthly {
    /// No monthly series (sweeps).
    #[value(skip)]
    None = 0,
    // The default: the per-flow series (`Slots::is_flow`) are 53 % of the
    // monthly rows and of the aggregation time of the shipped scenarios.
    /// Every series but the imports by partner and sector (the default)
    #[default]
    Aggregates = 1,
    /// Every series, the per-flow imports too
    Flows = 2,
}

impl Monthly {
    /// The monthly series kept, in catalogue order.
    pub fn slots(self, model: &Model) -> Vec<usize> {
        let sl = &model.slots;
        match self {
            Monthly::None => Vec::new(),
            Monthly::Aggregates => (0..sl.n_monthly).filter(|&k| !sl.is_flow(k)).collect(),
            Monthly::Flows => (0..sl.n_monthly).collect(),
        }
    }

    /// Every setting, in the order of their codes.
    const ALL: [Monthly; 3] = [Monthly::None, Monthly::Aggregates, Monthly::Flows];

    /// Its code in `aggregate.bin`.
    pub fn code(self) -> u64 {
        self as u64
    }

    pub fn from_code(c: u64) -> Option<Monthly> {
        usize::try_from(c)
            .ok()
            .and_then(|c| Self::ALL.get(c).copied())
    }

    /// The setting a manifest names (`name`).
    pub fn from_name(name: &str) -> Option<Monthly> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The manifest's name of the setting.
    pub fn name(self) -> &'static str {
        match self {
            Monthly::None => "none",
            Monthly::Aggregates => "aggregates",
            Monthly::Flows => "flows",
        }
    }
}
