//! `init`: a commented starter scenario (and its small trade data file) that
//! validates and runs as written, for users to copy and extend.

use crate::commands::CommandError;

/// The starter scenario; `{DATA}` is replaced by the data file's name and
/// `{NAME}` by the scenario's (the file's stem, made a valid folder name).
pub const STARTER_TOML: &str = r#"# A starter tariffsim scenario: three economies, two sectors, one tariff,
# one retaliation rule. Run it with `tariffsim run THIS_FILE`, read the
# timeline with `tariffsim explain THIS_FILE`, and see docs/scenario-format.md
# for every key. To build on the shipped world instead, start a file with
#   base = "path/to/scenarios/world_2024.toml"
# and add only the tables below [trade].

[scenario]
name = "{NAME}"
description = "Home raises a 25 % tariff on Partner's manufactures in April 2025; Partner may retaliate."
start = "2025-01"
months = 24
runs = 2000
seed = 1

# Economies: GDP in USD bn, baseline real growth in % per year.
[economies.HOME]
name = "Home"
gdp_usd_bn = 20000
growth_pct = 2.0
revenue_recycled = 0.5
demand_burden = 0.5
multiplier = { dist = "uniform", min = 0.8, max = 1.2 }

[economies.PARTNER]
name = "Partner"
gdp_usd_bn = 15000
growth_pct = 4.0

[economies.ROW]
name = "Rest of world"
gdp_usd_bn = 60000
growth_pct = 3.0

# Sectors: Armington elasticities (any number may be a distribution).
[sectors.food]
name = "Food"
sigma_import = { dist = "triangular", min = 2, mode = 3, max = 5 }
sigma_domestic = { dist = "triangular", min = 1, mode = 1.5, max = 2.5 }
eta = 0.5
va_share = 0.35
half_life_months = 4
epsilon = 3
noise_sd = 0.03

[sectors.manufactures]
name = "Manufactures"
sigma_import = { dist = "uniform", min = 4, max = 8 }
sigma_domestic = { dist = "uniform", min = 2, max = 4 }
eta = 1.0
va_share = 0.3
half_life_months = 5
epsilon = inf
noise_sd = 0.04
frontload = 0.3

[trade]
flows = "{DATA}"

# A scheduled tariff: Home on Partner's manufactures, announced a week ahead.
[tariffs.home_on_partner]
by = "HOME"
on = "PARTNER"
sectors = ["manufactures"]
announced = "2025-03-25"
rate = 0.25
from = "2025-04-02"

# Retaliation: Partner matches Home's increases, at most 25 %, a month later.
[rules.partner_retaliates]
description = "Partner matches Home's tariff increases"
when = { tariff_raised = { by = "HOME", on = "PARTNER", at_least = 0.05 } }
probability = 0.7
lag_months = 1
then = [{ tariff = { by = "PARTNER", on = "HOME", match = 1.0, cap = 0.25 } }]
"#;

pub const STARTER_CSV: &str = "exporter,importer,sector,value_usd_bn,source
HOME,HOME,food,900,illustrative
HOME,PARTNER,food,40,illustrative
HOME,ROW,food,120,illustrative
PARTNER,HOME,food,30,illustrative
PARTNER,PARTNER,food,1200,illustrative
PARTNER,ROW,food,90,illustrative
ROW,HOME,food,110,illustrative
ROW,PARTNER,food,150,illustrative
ROW,ROW,food,5000,illustrative
HOME,HOME,manufactures,5000,illustrative
HOME,PARTNER,manufactures,150,illustrative
HOME,ROW,manufactures,900,illustrative
PARTNER,HOME,manufactures,450,illustrative
PARTNER,PARTNER,manufactures,9000,illustrative
PARTNER,ROW,manufactures,2500,illustrative
ROW,HOME,manufactures,1800,illustrative
ROW,PARTNER,manufactures,1500,illustrative
ROW,ROW,manufactures,30000,illustrative
";

/// The scenario name for a file stem: letters, digits, `-` and `_` kept,
/// anything else `-`, at most 80 characters ("starter" if nothing is left).
pub fn scenario_name(stem: &str) -> String {
    let name: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(80)
        .collect();
    if name.trim_matches('-').is_empty() {
        "starter".into()
    } else {
        name
    }
}

/// Write the starter scenario at `path` and its data file beside it
/// (`<stem>_trade.csv`); never over an existing file. Returns the data
/// file's path.
///
/// # Errors
/// `Usage` if either file exists, `Failed` if writing fails.
pub fn write_starter(path: &std::path::Path) -> Result<std::path::PathBuf, CommandError> {
    let taken = |p: &std::path::Path| {
        CommandError::Usage(format!(
            "{} already exists; choose a new file name",
            p.display()
        ))
    };
    if std::fs::symlink_metadata(path).is_ok() {
        return Err(taken(path));
    }
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("starter");
    let data_name = format!("{stem}_trade.csv");
    let data_path = path.with_file_name(&data_name);
    if std::fs::symlink_metadata(&data_path).is_ok() {
        return Err(taken(&data_path));
    }
    let toml = STARTER_TOML
        .replace("{DATA}", &data_name)
        .replace("{NAME}", &scenario_name(stem));
    // `create_new` so that a file appearing meanwhile is never overwritten.
    let write_new = |p: &std::path::Path, text: &str| {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(p)
            .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
            .map_err(|e| CommandError::Failed(format!("cannot write {}: {e}", p.display())))
    };
    write_new(path, &toml)?;
    if let Err(e) = write_new(&data_path, STARTER_CSV) {
        // Only the file written a moment ago by this call is removed.
        let _ = std::fs::remove_file(path);
        return Err(e);
    }
    Ok(data_path)
}
