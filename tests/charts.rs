//! Charts and the report, end to end: run the real binary on the default
//! scenario and check the files a user gets.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(out: &Path, extra: &[&str]) {
    let status = Command::new(env!("CARGO_BIN_EXE_tariffsim"))
        .current_dir(root())
        .args([
            "run",
            "scenarios/london_framework.toml",
            "--runs",
            "300",
            "--quiet",
            "--out",
        ])
        .arg(out)
        .args(extra)
        .status()
        .expect("run tariffsim");
    assert!(status.success(), "tariffsim run failed: {status}");
}

/// One run with charts, shared by the tests (the folder lives for the process).
fn charted() -> &'static Path {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, p) = DIR.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        run(tmp.path(), &[]);
        let p = tmp.path().join("london-framework");
        (tmp, p)
    });
    p
}

fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    v.sort();
    v
}

fn texts(doc: &roxmltree::Document) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| {
            n.descendants()
                .filter(|t| t.is_text())
                .filter_map(|t| t.text())
                .collect::<String>()
                .trim()
                .to_string()
        })
        .collect()
}

/// Assert that `dir/charts/{name}.svg` has a `<text>` element equal to each
/// of `wants`.
fn assert_svg_texts(dir: &Path, name: &str, wants: &[&str]) {
    let svg = fs::read_to_string(dir.join(format!("charts/{name}.svg"))).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let t = texts(&doc);
    for want in wants {
        assert!(t.iter().any(|x| x == want), "{name}.svg lacks {want:?}");
    }
}

#[test]
fn writes_at_least_eight_charts_in_both_formats() {
    let charts = charted().join("charts");
    let png = files(&charts, "png");
    let svg = files(&charts, "svg");
    assert!(png.len() >= 8, "only {} PNG charts", png.len());
    assert!(svg.len() >= 8, "only {} SVG charts", svg.len());
    let stems = |v: &[PathBuf]| {
        v.iter()
            .map(|p| p.file_stem().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(stems(&png), stems(&svg), "every chart in both formats");
    for name in [
        "gdp_growth_world",
        "gdp_growth_by_economy",
        "imports_us_from_cn",
        "trade_diversion",
        "tariffs_effective",
        "rare_earth_stock",
        "rare_earth_shortfall",
        "output_loss",
        "rule_firings",
        "gdp_loss_cum",
        "welfare",
        "sensitivity_gdp_us",
        "sensitivity_gdp_cn",
        "sensitivity_re_shortfall_us",
    ] {
        assert!(
            charts.join(format!("{name}.png")).is_file(),
            "missing chart {name}"
        );
    }
}

/// A PNG decodes, is at least 1600x900 and is not a blank canvas (some
/// pixels are far from white).
fn check_png(p: &Path) {
    let decoder = png::Decoder::new(fs::File::open(p).unwrap());
    let mut reader = decoder
        .read_info()
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader
        .next_frame(&mut buf)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    assert!(
        info.width >= 1600 && info.height >= 900,
        "{}: {}x{}",
        p.display(),
        info.width,
        info.height
    );
    let dark = buf
        .chunks(3)
        .filter(|px| px.iter().all(|c| *c < 160))
        .count();
    assert!(dark > 5_000, "{} looks empty", p.display());
}

#[test]
fn pngs_decode_at_report_size() {
    for p in files(&charted().join("charts"), "png") {
        check_png(&p);
    }
    // Single charts are exactly 1600x900.
    let f = fs::File::open(charted().join("charts/gdp_growth_world.png")).unwrap();
    let info = png::Decoder::new(f).read_info().unwrap().info().clone();
    assert_eq!((info.width, info.height), (1600, 900));
    // 240 dpi recorded (pHYs, pixels per metre): 6.67 inches wide.
    let dims = info.pixel_dims.expect("pHYs chunk");
    assert_eq!(dims.unit, png::Unit::Meter);
    assert_eq!((dims.xppu, dims.yppu), (9449, 9449));
}

#[test]
fn svgs_parse_and_carry_title_axis_text_and_note() {
    for p in files(&charted().join("charts"), "svg") {
        let s = fs::read_to_string(&p).unwrap();
        let doc = roxmltree::Document::parse(&s).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let title = doc
            .descendants()
            .find(|n| n.has_tag_name("title"))
            .and_then(|n| n.text())
            .unwrap_or_else(|| panic!("{}: no <title>", p.display()))
            .to_string();
        let t = texts(&doc);
        assert!(
            t.contains(&title),
            "{}: the title {title:?} is not drawn",
            p.display()
        );
        assert!(
            t.iter()
                .any(|x| x.contains('(') && x.contains(')') && x != &title),
            "{}: no axis label with units",
            p.display()
        );
        assert!(
            t.iter().any(|x| x.starts_with("Source: tariffsim ")
                && x.contains(" | scenario london-framework | 300 runs | seed ")),
            "{}: no note",
            p.display()
        );
        // Font sizes of at least 16 px.
        for n in doc.descendants().filter(|n| n.has_tag_name("text")) {
            let size: f64 = n.attribute("font-size").unwrap_or("0").parse().unwrap();
            assert!(
                size >= 16.0,
                "{}: text {:?} at {size} px",
                p.display(),
                n.text()
            );
        }
    }
    // Specific axis text.
    let read =
        |name: &str| fs::read_to_string(charted().join(format!("charts/{name}.svg"))).unwrap();
    assert_svg_texts(
        charted(),
        "gdp_growth_world",
        &[
            "World GDP growth: monthly year on year, and by calendar year",
            "Monthly, year on year",
            "GDP growth y/y (%/yr)",
            "2025-01",
            "2026-01",
            "median",
            "baseline (no policy change)",
            // The calendar-year bars beside the monthly fan.
            "Calendar years",
            "GDP growth (%)",
            "2025",
            "2026",
            "2027",
        ],
    );
    // Dated measures: numbered lines on time charts, keyed in the notes.
    let level = read("gdp_level_world");
    let doc = roxmltree::Document::parse(&level).unwrap();
    let t = texts(&doc);
    assert!(
        t.iter()
            .any(|x| x.starts_with("Dotted lines: (1) 2025-02 US tariff on China ")),
        "no marker key in {t:?}"
    );
    assert!(t.iter().any(|x| x == "1") && t.iter().any(|x| x == "2"));
    // The author's events (`report.markers`) are keyed between the tariff
    // moves in date order (footer lines rejoin at the wrap).
    let key = t.join(" ");
    assert!(
        key.contains("(2) 2025-04-04 China licenses 7 rare earths (MOFCOM No. 18); (3) 2025-04 US tariff on China")
            && key.contains("2025-06-10 London framework on rare earths"),
        "author markers not keyed: {key}"
    );
    // Horizon outcomes: one ranked interval chart, numbers beside the rows.
    let welfare = read("welfare");
    let doc = roxmltree::Document::parse(&welfare).unwrap();
    let t = texts(&doc);
    assert!(t.iter().any(|x| x.starts_with("Ranked by the median.")));
    let rows = t
        .iter()
        .filter(|x| x.contains(" [") && x.ends_with(']'))
        .count();
    assert_eq!(rows, 9, "one row of numbers per economy: {t:?}");
    let imports = read("imports_us_from_cn");
    assert!(imports.contains("imports (USD bn/yr)"));
    let tornado = read("sensitivity_gdp_us");
    assert!(tornado.contains("Spearman rank correlation"));
    assert!(
        !tornado.contains("economies.US."),
        "parameter names are shortened"
    );
    assert!(
        read("rule_firings").contains("London framework ratified"),
        "rules are named by their labels"
    );
}

#[test]
fn report_is_self_contained_with_every_chart_inline() {
    let dir = charted();
    let html = fs::read_to_string(dir.join("report.html")).unwrap();
    for bad in [
        "http:", "https:", "<link", "@import", "<script", "url(", "<img", "<iframe",
    ] {
        assert!(!html.contains(bad), "report.html contains {bad:?}");
    }
    assert!(!html.contains(" src="), "report.html loads a file");
    assert!(html.starts_with("<!doctype html>"));
    for p in files(&dir.join("charts"), "svg") {
        let name = p.file_stem().unwrap().to_str().unwrap();
        assert!(
            html.contains(&format!("<figure id=\"{name}\">")),
            "chart {name} not in the report"
        );
        let svg = fs::read_to_string(&p).unwrap();
        let title = roxmltree::Document::parse(&svg)
            .unwrap()
            .descendants()
            .find(|n| n.has_tag_name("title"))
            .and_then(|n| n.text())
            .unwrap()
            .to_string();
        assert!(
            html.contains(&format!("<title>{}</title>", title.replace('\'', "&#39;"))),
            "chart {name} not inline"
        );
    }
    assert_eq!(
        html.matches("<svg").count(),
        files(&dir.join("charts"), "svg").len()
    );
    // Description, headline table and the explain timeline.
    assert!(html.contains("Default scenario."));
    assert!(html.contains("Headline outcomes") && html.contains("<table>"));
    assert!(html.contains("US imports from China"));
    assert!(
        html.contains(
            "<pre>Scheduled changes:\n  2025-02     announced: `us_fentanyl_cn` (US on CN)"
        ),
        "timeline as explain prints it"
    );
    assert!(html.contains("Scheduled changes:"));
}

#[test]
fn no_charts_writes_no_charts_and_no_report() {
    let tmp = tempfile::tempdir().unwrap();
    run(tmp.path(), &["--no-charts"]);
    let dir = tmp.path().join("london-framework");
    assert!(dir.join("summary.csv").is_file());
    assert!(
        !dir.join("charts").exists(),
        "--no-charts wrote a charts folder"
    );
    assert!(
        !dir.join("report.html").exists(),
        "--no-charts wrote a report"
    );
}

// ---------------------------------------------------------------------------
// compare, sweep and sensitivity --method sobol
// ---------------------------------------------------------------------------

/// Run the binary with `args` and `--out OUT --quiet`; return OUT's only folder.
fn tariffsim(out: &Path, args: &[&str]) -> PathBuf {
    let o = Command::new(env!("CARGO_BIN_EXE_tariffsim"))
        .current_dir(root())
        .args(args)
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .output()
        .expect("run tariffsim");
    assert!(
        o.status.success(),
        "tariffsim {args:?}: {}\n{}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    let dirs: Vec<PathBuf> = fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    dirs[0].clone()
}

/// Every chart in both formats, PNGs at report size and not blank, SVGs
/// that parse with a drawn title, the note, an axis label with units and
/// text of at least 16 px, and no NaN anywhere. Returns the chart names.
fn check_charts(dir: &Path, note_prefix: &str) -> Vec<String> {
    let charts = dir.join("charts");
    let png = files(&charts, "png");
    let svg = files(&charts, "svg");
    let stems = |v: &[PathBuf]| {
        v.iter()
            .map(|p| p.file_stem().unwrap().to_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(stems(&png), stems(&svg), "every chart in both formats");
    for p in &png {
        check_png(p);
    }
    for p in &svg {
        let s = fs::read_to_string(p).unwrap();
        assert!(!s.contains("NaN"), "{}: NaN in the drawing", p.display());
        let doc = roxmltree::Document::parse(&s).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let title = doc
            .descendants()
            .find(|n| n.has_tag_name("title"))
            .and_then(|n| n.text())
            .unwrap_or_else(|| panic!("{}: no <title>", p.display()))
            .to_string();
        let t = texts(&doc);
        assert!(t.contains(&title), "{}: title not drawn", p.display());
        assert!(
            t.iter()
                .any(|x| x.starts_with("Source: tariffsim ") && x.contains(note_prefix)),
            "{}: no source line with {note_prefix:?}",
            p.display()
        );
        assert!(
            t.iter()
                .any(|x| x.contains('(') && x.contains(')') && x != &title),
            "{}: no axis label with units",
            p.display()
        );
        for n in doc.descendants().filter(|n| n.has_tag_name("text")) {
            let size: f64 = n.attribute("font-size").unwrap_or("0").parse().unwrap();
            assert!(size >= 16.0, "{}: text at {size} px", p.display());
        }
    }
    stems(&png)
}

#[test]
fn compare_draws_overlaid_and_difference_fans_and_a_self_contained_report() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tariffsim(
        tmp.path(),
        &[
            "compare",
            "scenarios/london_framework.toml",
            "scenarios/escalation.toml",
            "--runs",
            "200",
        ],
    );
    assert!(dir.join("comparison.csv").is_file());
    let names = check_charts(
        &dir,
        "scenario london-framework vs escalation | 200 runs | seed ",
    );
    assert!(names.len() >= 4, "only {} charts: {names:?}", names.len());
    for name in [
        "compare_gdp_growth_world",
        "compare_gdp_growth_us",
        "compare_gdp_growth_cn",
        "compare_imports_us_from_cn",
        "compare_tariff_us_on_cn",
        "compare_re_shortfall_us",
        "diff_gdp_growth_us",
        "diff_imports_us_from_cn",
        "diff_re_shortfall_us",
    ] {
        assert!(names.iter().any(|n| n == name), "missing chart {name}");
    }
    let read = |name: &str| fs::read_to_string(dir.join(format!("charts/{name}.svg"))).unwrap();
    let overlay = read("compare_gdp_growth_us");
    for want in [
        "london-framework (reference), median",
        "escalation, median",
        "GDP growth y/y (%/yr)",
        "2026-01",
    ] {
        assert!(
            overlay.contains(want),
            "compare_gdp_growth_us lacks {want:?}"
        );
    }
    let diff = read("diff_gdp_growth_us");
    for want in [
        "escalation minus london-framework",
        "P(escalation is worse, i.e. lower)",
        "zero: no difference",
        "difference in GDP growth y/y (pp)",
    ] {
        assert!(diff.contains(want), "diff_gdp_growth_us lacks {want:?}");
    }

    let html = fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.starts_with("<!doctype html>"));
    for bad in [
        "http:", "https:", "<link", "@import", "<script", "url(", "<img", "<iframe", " src=",
    ] {
        assert!(!html.contains(bad), "report.html contains {bad:?}");
    }
    for name in &names {
        assert!(
            html.contains(&format!("<figure id=\"{name}\">")),
            "chart {name} not in the report"
        );
    }
    assert_eq!(html.matches("<svg").count(), names.len());
    assert!(html.contains("Headline differences") && html.contains("P(worse)"));
    assert!(html.contains("escalation minus london-framework"));
    assert!(html.contains("US GDP vs baseline, horizon average"));
    assert!(html.contains("How to read paired differences"));
    assert!(html.contains("common random numbers"));
    // Text is escaped: the descriptions quote with " and use '.
    assert!(!html.contains("\"over and above\""));
    assert!(html.contains("&quot;over and above&quot;"));
}

#[test]
fn a_scenario_compared_with_itself_draws_differences_of_exactly_zero() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tariffsim(
        tmp.path(),
        &[
            "compare",
            "scenarios/baseline.toml",
            "scenarios/baseline.toml",
            "--runs",
            "40",
            "--months",
            "14",
        ],
    );
    // The same file twice: told apart as `baseline` and `baseline-2`.
    let names = check_charts(&dir, "scenario baseline vs baseline-2 | 40 runs | seed ");
    assert!(names.iter().any(|n| n == "diff_gdp_growth_world"));
    let diff = fs::read_to_string(dir.join("charts/diff_gdp_growth_world.svg")).unwrap();
    assert!(diff.contains("0.00 in 2025-12, 0.00 in 2026-02, 0.00 for the horizon average"));
}

#[test]
fn sweep_draws_outcomes_against_the_swept_value() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tariffsim(
        tmp.path(),
        &[
            "sweep",
            "scenarios/baseline.toml",
            "--set",
            "tariffs.t.by=US",
            "--set",
            "tariffs.t.on=CN",
            "--set",
            "tariffs.t.from=2025-01",
            "--set",
            "tariffs.t.rate=0",
            "--param",
            "tariffs.t.rate",
            "--values",
            "0,0.25,0.5,1",
            "--runs",
            "60",
            "--months",
            "12",
        ],
    );
    assert!(dir.join("sweep.csv").is_file());
    // The footer says the sweep ran on overrides (`--set`), like a run's.
    let names = check_charts(&dir, "scenario baseline | 60 runs | seed ");
    let svg = fs::read_to_string(dir.join("charts/sweep_gdp_us.svg")).unwrap();
    assert!(
        svg.contains("| --set tariffs.t.by=US, tariffs.t.on=CN"),
        "no overrides in the footer"
    );
    for name in [
        "sweep_outcomes",
        "sweep_gdp_us",
        "sweep_gdp_cn",
        "sweep_gdp_world",
        "sweep_imports_us_from_cn",
        "sweep_tariff_us_on_cn",
    ] {
        assert!(names.iter().any(|n| n == name), "missing chart {name}");
    }
    assert_svg_texts(
        &dir,
        "sweep_gdp_us",
        &[
            "tariffs.t.rate (tariff rate, %)",
            "GDP vs baseline, horizon average (%)",
            "0",
            "25",
            "50",
            "100",
            "5-95 % of runs",
        ],
    );
}

#[test]
fn sobol_sensitivity_draws_indices_with_intervals() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tariffsim(
        tmp.path(),
        &[
            "sensitivity",
            "scenarios/london_framework.toml",
            "--method",
            "sobol",
            "--samples",
            "16",
            "--param",
            "sectors.electronics",
            "--months",
            "12",
            "--set",
            "report.licensing_importer=US",
        ],
    );
    assert!(dir.join("sobol.csv").is_file());
    let names = check_charts(&dir, "scenario london-framework | ");
    let svg = fs::read_to_string(dir.join("charts/sobol_gdp_us.svg")).unwrap();
    assert!(
        svg.contains("| --set report.licensing_importer=US |"),
        "no override in the footer"
    );
    for name in [
        "sobol_gdp_us",
        "sobol_gdp_cn",
        "sobol_gdp_world",
        "sobol_re_shortfall_us",
    ] {
        assert!(names.iter().any(|n| n == name), "missing chart {name}");
    }
    assert_svg_texts(
        &dir,
        "sobol_gdp_us",
        &[
            "Sobol index (share of the outcome's variance)",
            "total-order index (all effects)",
            "first-order index (alone)",
            "95 % interval",
        ],
    );
    let svg = fs::read_to_string(dir.join("charts/sobol_gdp_us.svg")).unwrap();
    // The note names the design (the default: scrambled Sobol' points);
    // the footer wraps, its lines drawn in any order.
    let footer = texts(&roxmltree::Document::parse(&svg).unwrap()).join(" ");
    assert!(
        footer.contains("Saltelli design N = 16") && footer.contains("(qmc), 11 parameter(s)"),
        "{footer}"
    );
    assert!(
        !svg.contains("sectors.electronics."),
        "parameter names are shortened"
    );
}

#[test]
fn no_charts_skips_the_charts_of_compare_sweep_and_sobol() {
    for args in [
        &[
            "compare",
            "scenarios/baseline.toml",
            "scenarios/london_framework.toml",
            "--runs",
            "20",
            "--months",
            "6",
            "--no-charts",
        ][..],
        &[
            "sweep",
            "scenarios/london_framework.toml",
            "--param",
            "economies.US.multiplier",
            "--values",
            "0.5,1",
            "--runs",
            "20",
            "--months",
            "6",
            "--no-charts",
        ][..],
        &[
            "sensitivity",
            "scenarios/london_framework.toml",
            "--samples",
            "8",
            "--param",
            "economies.US.multiplier",
            "--months",
            "3",
            "--no-charts",
        ][..],
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tariffsim(tmp.path(), args);
        assert!(dir.join("manifest.json").is_file(), "{args:?}");
        assert!(!dir.join("charts").exists(), "{args:?} wrote charts");
        assert!(!dir.join("report.html").exists(), "{args:?} wrote a report");
    }
}

#[test]
fn thousands_of_rules_keep_the_charts_and_report_small() {
    let tmp = tempfile::tempdir().unwrap();
    let world = root().join("scenarios/world_2024.toml");
    let mut text = format!(
        "base = \"{}\"\n[scenario]\nname = \"many-rules\"\nmonths = 6\n",
        world.display()
    );
    let n = 3000;
    for k in 0..n {
        text.push_str(&format!(
            "[rules.r{k:04}]\nwhen = {{ between = [\"2025-02\", \"2025-06\"] }}\nprobability = 0.02\nthen = [{{ tariff = {{ by = \"US\", on = \"CN\", sectors = [\"electronics\"], rate = 0.001 }} }}]\n"
        ));
    }
    let file = tmp.path().join("many_rules.toml");
    fs::write(&file, text).unwrap();
    let out = tmp.path().join("out");
    let dir = tariffsim(&out, &["run", file.to_str().unwrap(), "--runs", "40"]);
    // Ten rules drawn one by one, the rest as one line.
    assert_svg_texts(
        &dir,
        "rule_firings",
        &[&format!("the other {} rules (the highest of them)", n - 10)],
    );
    let size = |p: &Path| fs::metadata(p).unwrap().len();
    let charts: u64 = fs::read_dir(dir.join("charts"))
        .unwrap()
        .map(|e| size(&e.unwrap().path()))
        .sum();
    assert!(charts < 4 << 20, "charts take {charts} bytes");
    let report = size(&dir.join("report.html"));
    assert!(report < 1 << 20, "report.html is {report} bytes");
    let html = fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("more lines: <code>tariffsim explain</code> prints the whole timeline"));
}

#[test]
fn a_world_without_the_us_or_china_gets_trade_and_tariff_charts() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(
        tmp.path().join("flows.csv"),
        "exporter,importer,sector,value_usd_bn,source
DE,DE,cars,500,test
DE,FR,cars,60,test
DE,IT,cars,40,test
FR,FR,cars,300,test
FR,DE,cars,30,test
IT,IT,cars,200,test
IT,DE,cars,20,test
IT,FR,cars,10,test
",
    )
    .unwrap();
    let file = tmp.path().join("europe.toml");
    fs::write(
        &file,
        r#"[scenario]
name = "europe"
start = "2025-01"
months = 12
[economies.DE]
name = "Germany"
gdp_usd_bn = 4500
growth_pct = 1.0
[economies.FR]
name = "France"
gdp_usd_bn = 3100
growth_pct = 1.0
[economies.IT]
name = "Italy"
gdp_usd_bn = 2300
growth_pct = 1.0
[sectors.cars]
sigma_import = { dist = "uniform", min = 3, max = 6 }
sigma_domestic = 2
eta = 1
va_share = 0.3
half_life_months = 3
epsilon = inf
[trade]
flows = "flows.csv"
[tariffs.fr_on_de]
by = "FR"
on = "DE"
rate = 0.25
from = "2025-03"
"#,
    )
    .unwrap();
    let dir = tariffsim(
        &tmp.path().join("out"),
        &["run", file.to_str().unwrap(), "--runs", "50"],
    );
    // The largest flow is DE -> FR: France's imports from Germany lead.
    for name in [
        "imports_fr_from_de",
        "trade_diversion",
        "tariffs_effective",
        "sensitivity_gdp_fr",
    ] {
        assert!(
            dir.join(format!("charts/{name}.png")).is_file(),
            "{name} missing: {:?}",
            fs::read_dir(dir.join("charts"))
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect::<Vec<_>>()
        );
    }
    assert_svg_texts(
        &dir,
        "imports_fr_from_de",
        &["France imports from Germany, all sectors (annualised)"],
    );
    assert_svg_texts(
        &dir,
        "tariffs_effective",
        &["France on imports from Germany"],
    );
    let html = fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("France imports from Germany"));
}

/// The report leads with the GDP level against the baseline (growth alone
/// misleads after a shock), then growth.
#[test]
fn the_report_leads_with_the_gdp_level_fan() {
    let html = fs::read_to_string(charted().join("report.html")).unwrap();
    let figures: Vec<&str> = html
        .split("<figure id=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .take(3)
        .collect();
    assert_eq!(
        figures,
        [
            "gdp_level_world",
            "gdp_level_by_economy",
            "gdp_growth_world"
        ]
    );
}

/// The report opens with key messages in words whose numbers are the
/// results': the world's horizon-average GDP median of final.csv, to two
/// decimals; and a table of rule firing probabilities equal to events.csv's.
#[test]
fn key_messages_quote_the_results() {
    let dir = charted();
    let html = fs::read_to_string(dir.join("report.html")).unwrap();
    let at = html.find("<h2>Key messages</h2>").expect("key messages");
    assert!(
        at < html.find("<h2>Description</h2>").unwrap(),
        "messages lead"
    );
    let mut f = csv::Reader::from_path(dir.join("final.csv")).unwrap();
    let p50: f64 = f
        .records()
        .map(|r| r.unwrap())
        .find(|r| &r[0] == "gdp_dev" && &r[1] == "WORLD" && &r[4] == "horizon")
        .map(|r| r[9].parse().unwrap())
        .unwrap();
    let word = if p50 < 0.0 { "below" } else { "above" };
    let want = format!("World GDP is {:.2} % {word} its baseline path", p50.abs());
    assert!(html.contains(&want), "{want}");
    // The likeliest rules are named by their labels (the shipped rules all
    // have one), each followed by its id.
    let messages = &html[at..html.find("<h2>Description</h2>").unwrap()];
    let rules = messages
        .split("the rules most likely to have fired: ")
        .nth(1)
        .and_then(|s| s.split('.').next())
        .expect("a sentence on the rules");
    for item in rules.split(", ") {
        assert!(
            !item.starts_with("<code>")
                && item.contains("</code> in ")
                && item.ends_with(" % of runs"),
            "{item}"
        );
    }
    // Every rule's probability by the last month, as events.csv has it.
    let mut e = csv::Reader::from_path(dir.join("events.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = e.records().map(|r| r.unwrap()).collect();
    let last = rows.iter().map(|r| r[1].to_string()).max().unwrap();
    for r in rows.iter().filter(|r| r[1] == *last) {
        let p: f64 = r[2].parse().unwrap();
        // The table names a rule by its label, then its id.
        let cell = format!("<code>{}</code></td><td>", &r[0]);
        let row = html
            .split(&cell)
            .nth(1)
            .unwrap_or_else(|| panic!("row of {}", &r[0]));
        let want = format!("<td>{:.0} %</td></tr>", 100.0 * p);
        assert!(
            row.split('\n').next().unwrap().ends_with(&want),
            "{} {want}",
            &r[0]
        );
    }
}

/// The report carries an assumptions table standing for every sampled
/// parameter (as many as `explain --params` lists), with sources from
/// docs/model.md, and the limitations list of docs/validation.md in a box
/// before the charts.
#[test]
fn the_report_states_its_assumptions_and_limitations() {
    let html = fs::read_to_string(charted().join("report.html")).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_tariffsim"))
        .args(["explain", "--params", "scenarios/london_framework.toml"])
        .output()
        .unwrap();
    let listing = String::from_utf8(o.stdout).unwrap();
    let n: usize = listing
        .split_whitespace()
        .next()
        .and_then(|w| w.parse().ok())
        .expect("count of parameters");
    let at = html.find("<h2>Assumptions</h2>").expect("assumptions");
    let section = &html[at..html[at..].find("</section>").unwrap() + at];
    assert!(section.contains(&format!("The {n} parameters drawn anew in every run")));
    // Sources come from docs/model.md's parameter tables.
    assert!(section.contains("Ramey (2019)"), "multiplier source");
    assert!(section.contains("GTAP ESUBM"), "elasticity source");
    // Every documented kind of the scenario is named.
    for kind in [
        "growth_pct",
        "sigma_import",
        "stock_months",
        "tpu_sensitivity",
    ] {
        assert!(section.contains(kind), "{kind}");
    }
    let limits = html
        .find("<aside class=\"limits\">")
        .expect("limitations box");
    assert!(limits < html.find("<h2>Charts</h2>").unwrap());
    let docs = fs::read_to_string("docs/validation.md").unwrap();
    let list = docs
        .split("## What the model should not be used for")
        .nth(1)
        .unwrap()
        .split("\n#")
        .next()
        .unwrap();
    let bullets = list.lines().filter(|l| l.starts_with("- ")).count();
    let aside = &html[limits..html[limits..].find("</aside>").unwrap() + limits];
    assert_eq!(aside.matches("<li>").count(), bullets);
    // Descriptions cite sources, not files outside the project.
    assert!(!html.contains("calibration.md"));
}

/// Three scenarios: each overlay chart becomes small multiples on one
/// scale (one panel per scenario, the reference dashed in the others); the
/// report shows each scenario's levels beside the differences and lists
/// what differs between the files.
#[test]
fn three_scenarios_compare_as_small_multiples_with_levels_and_file_differences() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tariffsim(
        tmp.path(),
        &[
            "compare",
            "scenarios/london_framework.toml",
            "scenarios/escalation.toml",
            "scenarios/geneva_truce.toml",
            "--runs",
            "60",
        ],
    );
    let svg = fs::read_to_string(dir.join("charts/compare_gdp_growth_us.svg")).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let t = texts(&doc);
    for caption in ["london-framework (reference)", "escalation", "geneva-truce"] {
        assert!(t.iter().any(|x| x == caption), "no panel {caption}: {t:?}");
    }
    assert!(t.iter().any(|x| x.ends_with("(one scale)")));
    let html = fs::read_to_string(dir.join("report.html")).unwrap();
    let at = html.find("<h2>Headline levels</h2>").expect("levels");
    let levels = &html[at..html[at..].find("</section>").unwrap() + at];
    assert!(levels.contains("<th>london-framework</th><th>escalation</th><th>geneva-truce</th>"));
    assert!(levels.contains("US GDP vs baseline, horizon average (%)"));
    let at = html
        .find("<h2>What differs between the scenario files</h2>")
        .expect("file differences");
    let diffs = &html[at..html[at..].find("</section>").unwrap() + at];
    assert!(diffs.contains("<h3>escalation against london-framework</h3>"));
    // escalation adds the +100 % rule; geneva_truce schedules streamlined licensing.
    assert!(diffs.contains("<li><code>us_plus_100 "), "{diffs}");
    assert!(diffs.contains("regime `streamlined`"));
}

/// `--chart-size column` draws every chart 1560 px wide at 240 dpi (6.5
/// inches); `slides` draws 1920 x 1080 at 144 dpi (13.33 x 7.5 inches).
#[test]
fn chart_size_presets_set_canvas_and_resolution() {
    let tmp = tempfile::tempdir().unwrap();
    for (preset, want_w, want_h, ppm) in [
        ("column", 1560, None, 9449),
        ("slides", 1920, Some(1080), 5669),
    ] {
        let out = tmp.path().join(preset);
        let dir = tariffsim(
            &out,
            &[
                "run",
                "scenarios/london_framework.toml",
                "--runs",
                "40",
                "--chart-size",
                preset,
            ],
        );
        let pngs = files(&dir.join("charts"), "png");
        assert!(pngs.len() >= 10);
        for p in &pngs {
            let info = png::Decoder::new(fs::File::open(p).unwrap())
                .read_info()
                .unwrap()
                .info()
                .clone();
            assert_eq!(info.width, want_w, "{}", p.display());
            if let Some(h) = want_h {
                assert_eq!(info.height, h, "{}", p.display());
            }
            let dims = info.pixel_dims.expect("pHYs chunk");
            assert_eq!((dims.xppu, dims.yppu), (ppm, ppm), "{}", p.display());
        }
        // The single 1600 x 900 chart keeps its aspect in a column.
        if preset == "column" {
            let info =
                png::Decoder::new(fs::File::open(dir.join("charts/gdp_level_world.png")).unwrap())
                    .read_info()
                    .unwrap()
                    .info()
                    .clone();
            assert_eq!(info.height, 878);
        }
    }
}

/// Rules and sampled parameters are shown by their labels (issue 15): the
/// rule-firing legend, the report's rule table (with the id events.csv
/// uses) and the tornado bars, whose strongest parameter appears under the
/// label `explain --params` gives it.
#[test]
fn charts_and_the_rule_table_show_labels() {
    let dir = charted();
    assert_svg_texts(
        dir,
        "rule_firings",
        &["London framework ratified", "Truce collapses"],
    );
    let html = fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(
        html.contains("<tr><td>London framework ratified <code>framework_ratified</code></td>"),
        "rule table row"
    );
    // The parameter most correlated with US GDP, by sensitivity.csv.
    let mut r = csv::Reader::from_path(dir.join("sensitivity.csv")).unwrap();
    let top = r
        .records()
        .map(|x| x.unwrap())
        .filter(|x| &x[1] == "gdp_dev" && &x[2] == "US")
        .filter(|x| x[3].parse::<f64>().is_ok_and(f64::is_finite))
        .max_by(|a, b| {
            let v = |x: &csv::StringRecord| x[3].parse::<f64>().unwrap().abs();
            v(a).total_cmp(&v(b))
        })
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tariffsim"))
        .current_dir(root())
        .args(["explain", "scenarios/london_framework.toml", "--params"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let header = text.lines().nth(1).unwrap();
    let (from, to) = (
        header.find("label").unwrap(),
        header.find("central").unwrap(),
    );
    let line = text
        .lines()
        .find(|l| l.split_whitespace().next() == Some(&top[0]))
        .unwrap();
    let label = line[from..to].trim();
    assert_ne!(label, &top[0], "a label, not the path");
    assert_svg_texts(dir, "sensitivity_gdp_us", &[label]);
}
