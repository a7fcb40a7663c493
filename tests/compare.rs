//! Paired comparisons and sweeps through the real binary: a scenario
//! against itself differs by exactly zero, pairing removes most of the noise
//! of a difference, and a tariff sweep moves outcomes the way economics says.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_tariffsim"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("binary runs");
    assert!(
        out.status.success(),
        "tariffsim {args:?}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn only_folder(dir: &Path) -> PathBuf {
    let v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(v.len(), 1, "{v:?}");
    v[0].clone()
}

/// Rows of a CSV as maps from column name to value.
fn rows(path: &Path) -> Vec<HashMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    lines
        .map(|l| {
            header
                .iter()
                .cloned()
                .zip(l.split(',').map(String::from))
                .collect()
        })
        .collect()
}

fn num(r: &HashMap<String, String>, k: &str) -> f64 {
    r[k].parse().unwrap_or_else(|_| panic!("{k} = {}", r[k]))
}

#[test]
fn a_scenario_compared_with_itself_differs_by_exactly_zero() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().to_str().unwrap();
    run(&[
        "compare",
        "scenarios/escalation.toml",
        "scenarios/escalation.toml",
        "--runs",
        "120",
        "--seed",
        "3",
        "--out",
        out,
        "--quiet",
    ]);
    let d = only_folder(tmp.path());
    let rs = rows(&d.join("comparison.csv"));
    assert!(rs.len() > 10_000);
    for r in &rs {
        for k in [
            "diff_mean",
            "diff_sd",
            "diff_p05",
            "diff_p50",
            "diff_p95",
            "p_diff_negative",
        ] {
            assert_eq!(r[k], "0", "{k} in {r:?}");
        }
    }
}

#[test]
fn pairing_removes_most_of_the_noise_of_a_difference() {
    let tmp = tempfile::tempdir().unwrap();
    let b = tmp.path().join("b.toml");
    let base = root().join("scenarios/london_framework.toml");
    std::fs::write(
        &b,
        format!(
            "base = \"{}\"\n[scenario]\nname = \"plus-one-tariff\"\n[tariffs.extra_us_on_cn]\nby = \"US\"\non = \"CN\"\nrate = 0.25\nfrom = \"2025-06\"\n",
            base.display()
        ),
    )
    .unwrap();
    let out_dir = tmp.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    run(&[
        "compare",
        "scenarios/london_framework.toml",
        b.to_str().unwrap(),
        "--runs",
        "400",
        "--seed",
        "8",
        "--out",
        out_dir.to_str().unwrap(),
        "--quiet",
    ]);
    let rs = rows(&only_folder(&out_dir).join("comparison.csv"));
    // Each (scenario, series, month) once: the last month is not written
    // again as a horizon outcome (issue 15).
    let mut keys = std::collections::HashSet::new();
    for r in &rs {
        let key = [
            "scenario", "metric", "economy", "partner", "sector", "month",
        ]
        .map(|c| r[c].clone());
        assert!(keys.insert(key.clone()), "duplicate key {key:?}");
    }
    let pick = |scenario: &str| {
        rs.iter()
            .find(|r| {
                r["scenario"] == scenario
                    && r["metric"] == "gdp_growth_yoy"
                    && r["economy"] == "US"
                    && r["month"] == "2025-12"
            })
            .unwrap()
            .clone()
    };
    let a = pick("london-framework");
    let b = pick("plus-one-tariff");
    let paired = num(&b, "diff_sd");
    // Independent runs of the two scenarios would have sd sqrt(sd_a^2 + sd_b^2).
    let unpaired = (num(&a, "sd").powi(2) + num(&b, "sd").powi(2)).sqrt();
    eprintln!(
        "US GDP growth at 2025-12: paired sd {paired:.4}, unpaired sd {unpaired:.4}, ratio {:.3}",
        paired / unpaired
    );
    assert!(paired > 0.0, "the extra tariff changes US growth");
    assert!(
        paired / unpaired < 0.5,
        "paired sd {paired} vs unpaired {unpaired}"
    );
}

#[test]
fn a_tariff_sweep_moves_imports_and_the_target_economy_monotonically() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().to_str().unwrap();
    run(&[
        "sweep",
        "scenarios/baseline.toml",
        "--set",
        "tariffs.sweep_us_cn.by=US",
        "--set",
        "tariffs.sweep_us_cn.on=CN",
        "--set",
        "tariffs.sweep_us_cn.from=2025-01",
        "--set",
        "tariffs.sweep_us_cn.rate=0",
        "--param",
        "tariffs.sweep_us_cn.rate",
        "--values",
        "0:1.2:0.3",
        "--runs",
        "200",
        "--out",
        out,
        "--quiet",
    ]);
    let rs = rows(&only_folder(tmp.path()).join("sweep.csv"));
    let series = |metric: &str, economy: &str, partner: &str| -> Vec<(String, f64)> {
        rs.iter()
            .filter(|r| {
                r["metric"] == metric
                    && r["economy"] == economy
                    && r["partner"] == partner
                    && r["month"] == "horizon"
                    && (partner.is_empty() || r["sector"] == "ALL")
            })
            .map(|r| (r["value"].clone(), num(r, "p50")))
            .collect()
    };
    let imports = series("imports", "US", "CN");
    assert_eq!(
        imports.iter().map(|x| x.0.as_str()).collect::<Vec<_>>(),
        ["0.0", "0.3", "0.6", "0.9", "1.2"]
    );
    // Higher tariffs: fewer US imports from China, lower Chinese GDP, higher US import prices.
    for w in imports.windows(2) {
        assert!(w[1].1 < w[0].1, "imports not falling: {imports:?}");
    }
    let cn = series("gdp_dev", "CN", "");
    for w in cn.windows(2) {
        assert!(w[1].1 < w[0].1, "CN GDP not falling: {cn:?}");
    }
    let eff = series("tariff_effective", "US", "CN");
    for w in eff.windows(2) {
        assert!(w[1].1 > w[0].1, "effective tariff not rising: {eff:?}");
    }
}

#[test]
fn sobol_sensitivity_writes_indices_with_intervals() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().to_str().unwrap();
    run(&[
        "sensitivity",
        "scenarios/london_framework.toml",
        "--method",
        "sobol",
        "--samples",
        "24",
        "--bootstrap",
        "50",
        "--param",
        "sectors.electronics",
        "--months",
        "12",
        "--out",
        out,
        "--quiet",
    ]);
    let d = only_folder(tmp.path());
    let text = std::fs::read_to_string(d.join("sobol.csv")).unwrap();
    assert_eq!(
        text.lines().next(),
        Some(
            "parameter,metric,economy,first_order,first_order_lo,first_order_hi,total,total_lo,total_hi"
        )
    );
    let rs = rows(&d.join("sobol.csv"));
    assert!(
        rs.iter()
            .all(|r| r["parameter"].starts_with("sectors.electronics."))
    );
    for r in &rs {
        let (t, lo, hi) = (num(r, "total"), num(r, "total_lo"), num(r, "total_hi"));
        assert!(t.is_finite() && lo <= hi, "{r:?}");
        assert!(t >= -1e-12, "a total index is a mean of squares: {r:?}");
    }
}

/// The Sobol design's files are the same on 1 and 2 threads, for both
/// designs; the manifest says which design produced them, with its
/// convergence; the two designs give different indices; and
/// sobol_convergence.csv has one row per outcome of sobol.csv.
#[test]
fn sobol_designs_are_recorded_and_independent_of_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let go = |design: &str, threads: &str| -> PathBuf {
        let out = tmp.path().join(format!("{design}-{threads}"));
        run(&[
            "sensitivity",
            "scenarios/london_framework.toml",
            "--samples",
            "16",
            "--bootstrap",
            "30",
            "--design",
            design,
            "--param",
            "sectors.electronics",
            "--months",
            "12",
            "--threads",
            threads,
            "--no-charts",
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ]);
        only_folder(&out)
    };
    let read = |d: &Path, f: &str| std::fs::read(d.join(f)).unwrap();
    let mut sobol = Vec::new();
    for design in ["qmc", "random"] {
        let (one, two) = (go(design, "1"), go(design, "2"));
        for f in ["sobol.csv", "sobol_convergence.csv"] {
            assert!(read(&one, f) == read(&two, f), "{design}: {f} differs");
        }
        let m: serde_json::Value = serde_json::from_slice(&read(&one, "manifest.json")).unwrap();
        assert_eq!(m["sobol"]["design"], design, "{m}");
        assert_eq!(m["sobol"]["samples"], 16);
        let widest = m["sobol"]["total_width_max"].as_f64().unwrap();
        assert_eq!(m["sobol"]["converged"], widest <= 0.1);
        let conv = rows(&one.join("sobol_convergence.csv"));
        let outcomes: std::collections::BTreeSet<(String, String)> = rows(&one.join("sobol.csv"))
            .iter()
            .map(|r| (r["metric"].clone(), r["economy"].clone()))
            .collect();
        assert_eq!(conv.len(), outcomes.len());
        let max = conv
            .iter()
            .map(|r| num(r, "total_width_max"))
            .fold(0.0, f64::max);
        assert!(
            (max - widest).abs() <= 1e-6 * widest.max(1.0),
            "{max} {widest}"
        );
        sobol.push(read(&one, "sobol.csv"));
    }
    assert!(
        sobol[0] != sobol[1],
        "qmc and random designs gave the same indices"
    );
}

/// A sweep says before it starts how many model runs it will make and about
/// how long they take.
#[test]
fn a_sweep_announces_its_model_runs_and_a_time_estimate() {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tariffsim"))
        .args([
            "sweep",
            "scenarios/baseline.toml",
            "--param",
            "macro.tpu_sensitivity",
            "--values",
            "40,70,100",
            "--runs",
            "30",
            "--months",
            "6",
            "--no-charts",
            "--out",
        ])
        .arg(tmp.path())
        .current_dir(root())
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("3 values x 30 runs = 90 model runs") && err.contains("; about "),
        "{err}"
    );
}

/// compare's results.xlsx read back (calamine): the Headline lines and the
/// Comparison sheet with as many rows as comparison.csv, a unit column after
/// the month, and the CSV's numbers.
#[test]
fn compare_writes_a_workbook_with_the_comparison() {
    use calamine::{DataType, Reader, Xlsx, open_workbook};
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().to_str().unwrap();
    run(&[
        "compare",
        "scenarios/london_framework.toml",
        "scenarios/escalation.toml",
        "--runs",
        "80",
        "--months",
        "12",
        "--no-charts",
        "--out",
        out,
        "--quiet",
    ]);
    let d = only_folder(tmp.path());
    let rs = rows(&d.join("comparison.csv"));
    let mut wb: Xlsx<_> = open_workbook(d.join("results.xlsx")).unwrap();
    assert_eq!(wb.sheet_names(), ["Headline", "Comparison"]);
    let h = wb.worksheet_range("Headline").unwrap();
    assert!(
        h.get((3, 0))
            .and_then(|c| c.get_string())
            .is_some_and(|s| s.contains("P(worse")),
        "a headline line"
    );
    let c = wb.worksheet_range("Comparison").unwrap();
    assert_eq!(c.height() - 1, rs.len());
    let cell = |r: usize, k: usize| c.get((r, k)).and_then(|d| d.get_string()).unwrap_or("");
    assert_eq!(cell(0, 7), "unit");
    assert_eq!(cell(0, 13), "diff_mean");
    // Row 1 of the sheet is the CSV's first row: same text and numbers.
    assert_eq!(cell(1, 2), rs[0]["metric"]);
    assert!(!cell(1, 7).is_empty(), "a unit");
    let diff: f64 = c.get((1, 13)).and_then(|d| d.as_f64()).unwrap();
    assert_eq!(diff, num(&rs[0], "diff_mean"));
}

/// A compare run with `--set` shows the overrides under the report's title
/// and in every chart's footer.
#[test]
fn a_compare_with_overrides_is_labelled() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().to_str().unwrap();
    run(&[
        "compare",
        "scenarios/london_framework.toml",
        "scenarios/escalation.toml",
        "--runs",
        "60",
        "--months",
        "6",
        "--set",
        "macro.tpu_sensitivity=50",
        "--out",
        out,
        "--quiet",
    ]);
    let d = only_folder(tmp.path());
    let html = std::fs::read_to_string(d.join("report.html")).unwrap();
    assert!(html.contains("<code>--set macro.tpu_sensitivity=50</code>"));
    let svgs: Vec<String> = std::fs::read_dir(d.join("charts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "svg"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert!(!svgs.is_empty());
    assert!(
        svgs.iter()
            .all(|s| s.contains("--set macro.tpu_sensitivity=50"))
    );
}
