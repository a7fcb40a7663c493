//! The self-contained HTML report: inline CSS, inline SVG charts, no
//! scripts, fonts or images loaded from anywhere.

use std::fmt::Write as _;

use super::ChartFile;
use super::data::{ChartData, RuleFiring};

/// Escape text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub(super) const CSS: &str = r#"
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", Verdana, "Segoe UI", Arial, sans-serif; color: #111; background: #fff;
       max-width: 1240px; margin: 0 auto; padding: 24px 32px 48px; line-height: 1.45; font-size: 16px; }
h1 { font-size: 30px; margin: 0 0 4px; }
h2 { font-size: 22px; margin: 36px 0 10px; border-bottom: 2px solid #0072B2; padding-bottom: 4px; }
.meta { color: #444; margin: 0 0 16px; }
.desc { text-align: left; }
table { border-collapse: collapse; margin: 8px 0 6px; font-size: 15px; }
th, td { padding: 5px 12px; border-bottom: 1px solid #ddd; text-align: right; white-space: nowrap; }
th { background: #f2f6fa; border-bottom: 2px solid #9ab; vertical-align: bottom; }
th:first-child, td:first-child { text-align: left; }
td.band { color: #555; }
tr.world td { font-weight: bold; border-top: 2px solid #9ab; }
.note { color: #444; font-size: 14px; }
nav ol { columns: 2; column-gap: 48px; margin: 4px 0; padding-left: 22px; font-size: 15px; }
nav li { break-inside: avoid; margin-bottom: 2px; }
nav a { color: #0072B2; }
figure { margin: 22px 0 30px; break-inside: avoid; page-break-inside: avoid; }
figure svg { display: block; width: 100%; height: auto; border: 1px solid #e3e3e3; }
figcaption { color: #444; font-size: 14px; margin-top: 4px; }
pre { background: #f7f7f7; border: 1px solid #e3e3e3; padding: 12px; font-size: 12.5px; line-height: 1.35;
      white-space: pre-wrap; overflow-wrap: anywhere; }
aside.limits { border: 1px solid #c9b27c; background: #fdf8ec; padding: 8px 16px; margin: 18px 0; font-size: 14.5px; }
aside.limits h3 { margin: 4px 0; font-size: 16px; }
aside.limits ul { margin: 4px 0; padding-left: 20px; }
table.assume { width: 100%; table-layout: fixed; }
table.assume td, table.assume th { white-space: normal; text-align: left; vertical-align: top; font-size: 13.5px; }
table.assume th:nth-child(1) { width: 24%; } table.assume th:nth-child(2) { width: 40%; }
table.assume code { overflow-wrap: anywhere; }
td.wrap { white-space: normal; }
p, li { orphans: 3; widows: 3; }
tr, aside, ul.messages li { break-inside: avoid; page-break-inside: avoid; }
@page { size: A4; margin: 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  h1 { font-size: 18pt; }
  h2 { font-size: 13pt; margin-top: 18pt; break-after: avoid; page-break-after: avoid; }
  table { font-size: 9pt; }
  th, td { padding: 2pt 6pt; }
  nav { display: none; }
  /* An inline-block is never split across pages (Chrome fragments a
     block figure whatever its break-inside says), so a caption stays
     with its chart. */
  figure { margin: 8pt 0 14pt; display: inline-block; width: 100%; }
  figcaption { font-size: 8.5pt; }
  h2, h3, figcaption { break-after: avoid; page-break-after: avoid; }
  figcaption { break-before: avoid; page-break-before: avoid; }
  aside.limits { font-size: 9pt; }
  table.assume td, table.assume th { font-size: 8pt; }
  /* A grid shrinks so that it fits on a page below a single chart: no
     page left half empty before a tall figure. */
  figure svg { border: none; max-height: 125mm; width: auto; max-width: 100%; margin: 0 auto; }
  /* Figures are inline-blocks, so each is a line of its section: with the
     default orphans and widows of 2, Chrome moved two figures at a time to
     a new page and left half pages empty. */
  section.charts { orphans: 1; widows: 1; }
  pre { font-size: 7.5pt; background: none; }
}
"#;

pub(super) fn num(v: f64, dec: usize) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    let v = if v.abs() < 0.5 * 10f64.powi(-(dec as i32)) {
        0.0
    } else {
        v
    };
    format!("{v:.dec$}").replace('-', "\u{2212}")
}

fn band(p50: f64, p05: f64, p95: f64, dec: usize) -> (String, String) {
    (
        num(p50, dec),
        format!("[{}, {}]", num(p05, dec), num(p95, dec)),
    )
}

/// Inline form of a chart's SVG: no XML namespace URL (not needed inside
/// HTML) so the report holds no address of any kind.
pub(super) fn inline_svg(svg: &str) -> String {
    svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
}

fn headline(d: &ChartData, html: &mut String) {
    let last = d.months.len().saturating_sub(1);
    let end = d.months.last().cloned().unwrap_or_default();
    let mut econ: Vec<String> = d
        .series
        .iter()
        .filter(|s| s.metric == "gdp_growth_yoy" && s.economy != "WORLD")
        .map(|s| s.economy.clone())
        .collect();
    econ.push("WORLD".into());
    html.push_str("<table>\n<thead><tr><th>economy</th>");
    let _ = writeln!(
        html,
        "<th colspan=\"2\">GDP vs baseline,<br>horizon average (%)</th><th colspan=\"2\">GDP growth y/y,<br>{} (%/yr)</th><th colspan=\"2\">cumulative GDP loss,<br>horizon (USD bn)</th></tr>",
        esc(&end)
    );
    html.push_str("<tr><th></th><th>median</th><th>5-95 %</th><th>median</th><th>5-95 %</th><th>median</th><th>5-95 %</th></tr></thead>\n<tbody>\n");
    for e in &econ {
        let dev = d
            .final_dist("gdp_dev", e, "horizon")
            .map(|f| band(f.q(50), f.q(5), f.q(95), 2));
        let g = d.series("gdp_growth_yoy", e, "", "").and_then(|s| {
            Some(band(
                *s.band.p50.get(last)?,
                *s.band.p05.get(last)?,
                *s.band.p95.get(last)?,
                2,
            ))
        });
        let loss = d
            .final_dist("gdp_loss_cum", e, "total")
            .map(|f| band(f.q(50), f.q(5), f.q(95), 0));
        let class = if e == "WORLD" { " class=\"world\"" } else { "" };
        let _ = write!(html, "<tr{class}><td>{} ({})</td>", esc(&d.name(e)), esc(e));
        for cell in [dev, g, loss] {
            match cell {
                Some((m, b)) => {
                    let _ = write!(html, "<td>{m}</td><td class=\"band\">{b}</td>");
                }
                None => html.push_str("<td>n/a</td><td></td>"),
            }
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody></table>\n");

    // Other headline outcomes.
    let mut rows: Vec<(String, String, String, String)> = Vec::new();
    let (fa, fb) = (d.focus.economies.first(), d.focus.economies.get(1));
    if let (Some(fa), Some(fb)) = (fa, fb)
        && let Some(s) = d.series("imports", fa, fb, "ALL")
        && let (Some(m), Some(lo), Some(hi)) = (
            s.band.p50.get(last),
            s.band.p05.get(last),
            s.band.p95.get(last),
        )
    {
        let (m, b) = band(*m, *lo, *hi, 0);
        let base = s
            .baseline
            .get(last)
            .map(|v| num(*v, 0))
            .unwrap_or_else(|| "n/a".into());
        rows.push((
            format!(
                "{} imports from {}, {} (USD bn/yr, annualised)",
                esc(&d.short(fa)),
                esc(&d.name(fb)),
                esc(&end)
            ),
            m,
            b,
            base,
        ));
    }
    let lic = d.focus.licensing_importer.clone().unwrap_or_default();
    let who = format!("{} {}", d.short(&lic), d.focus.input);
    if let Some(s) = d
        .series
        .iter()
        .find(|s| s.metric == "re_shortfall" && s.economy == lic)
    {
        // The month where the median shortfall peaks (the first such month);
        // if the median never leaves zero, where the upper band peaks.
        let peak = match first_peak(&s.band.p50) {
            Some((t, v)) if v > 0.0 => Some((t, v)),
            _ => first_peak(&s.band.p95),
        };
        if let Some((t, _)) = peak {
            let (m, b) = band(
                100.0 * s.band.p50[t],
                100.0 * s.band.p05[t],
                100.0 * s.band.p95[t],
                1,
            );
            let base = s
                .baseline
                .get(t)
                .map(|v| num(100.0 * v, 1))
                .unwrap_or_else(|| "n/a".into());
            rows.push((
                format!(
                    "{} shortfall at its peak month, {} (% of need)",
                    esc(&who),
                    esc(d.months.get(t).map(String::as_str).unwrap_or(""))
                ),
                m,
                b,
                base,
            ));
        }
        if let Some(f) = d.final_dist("re_shortfall", &lic, "horizon") {
            let (m, b) = band(100.0 * f.q(50), 100.0 * f.q(5), 100.0 * f.q(95), 1);
            let base = s
                .baseline
                .iter()
                .copied()
                .filter(|v| v.is_finite())
                .sum::<f64>()
                / s.baseline.len().max(1) as f64;
            rows.push((
                format!("{} shortfall, horizon average (% of need)", esc(&who)),
                m,
                b,
                num(100.0 * base, 1),
            ));
        }
    }
    if !rows.is_empty() {
        html.push_str("<table>\n<thead><tr><th>outcome</th><th>median</th><th>5-95 %</th><th>baseline</th></tr></thead>\n<tbody>\n");
        for (label, m, b, base) in rows {
            let _ = writeln!(
                html,
                "<tr><td>{label}</td><td>{m}</td><td class=\"band\">{b}</td><td>{base}</td></tr>"
            );
        }
        html.push_str("</tbody></table>\n");
    }
    let _ = writeln!(
        html,
        "<p class=\"note\">Median and 5-95 % band across {} runs. GDP vs baseline: % deviation of the GDP level from the no-policy-change path, averaged over the horizon. Baseline: the deterministic path with no policy change.</p>",
        d.runs
    );
}

/// The whole report.
/// The charts section of a report: a numbered contents list, then each chart
/// inlined as SVG with its file names.
pub fn charts_section(html: &mut String, charts: &[ChartFile]) {
    if charts.is_empty() {
        return;
    }
    html.push_str("<section class=\"charts\">\n<h2>Charts</h2>\n<nav>\n<ol>\n");
    for c in charts {
        let _ = writeln!(
            html,
            "<li><a href=\"#{}\">{}</a></li>",
            esc(&c.name),
            esc(&c.title)
        );
    }
    html.push_str("</ol>\n</nav>\n");
    for c in charts {
        let _ = writeln!(
            html,
            "<figure id=\"{id}\">\n{svg}\n<figcaption>{title}.{caption} Files: charts/{id}.png, charts/{id}.svg</figcaption>\n</figure>",
            id = esc(&c.name),
            svg = inline_svg(&c.svg),
            title = esc(&c.title),
            caption = if c.caption.is_empty() {
                String::new()
            } else {
                format!(" {}", c.caption)
            }
        );
    }
    html.push_str("</section>\n");
}

pub fn report(d: &ChartData, charts: &[ChartFile]) -> String {
    let mut html =
        String::with_capacity(charts.iter().map(|c| c.svg.len()).sum::<usize>() + 64 * 1024);
    let name = esc(&d.scenario);
    let _ = write!(
        html,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>tariffsim report: {name}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
    );
    let span = match (d.months.first(), d.months.last()) {
        (Some(a), Some(b)) => format!("{} to {} ({} months)", esc(a), esc(b), d.months.len()),
        _ => String::new(),
    };
    let _ = writeln!(
        html,
        "<header>\n<h1>Scenario {name}</h1>\n<p class=\"meta\">{span} | {} runs | seed {} | tariffsim {}</p>\n</header>",
        d.runs,
        d.seed,
        env!("CARGO_PKG_VERSION")
    );
    html.push_str(&overrides_html(&d.overrides));
    let messages = key_messages(d);
    if !messages.is_empty() {
        html.push_str("<section>\n<h2>Key messages</h2>\n<ul class=\"messages\">\n");
        for m in &messages {
            let _ = writeln!(html, "<li>{m}</li>");
        }
        html.push_str("</ul>\n<p class=\"note\">Medians of the runs, with the 5-95 % range of the runs in brackets; generated from the results below.</p>\n</section>\n");
    }
    html.push_str("<section>\n<h2>Description</h2>\n");
    if d.description.trim().is_empty() {
        html.push_str("<p class=\"desc\"><em>The scenario has no description.</em></p>\n");
    } else {
        for para in d.description.split("\n\n").filter(|p| !p.trim().is_empty()) {
            let _ = writeln!(html, "<p class=\"desc\">{}</p>", esc(para.trim()));
        }
    }
    html.push_str("</section>\n<section>\n<h2>Headline outcomes</h2>\n");
    headline(d, &mut html);
    rules_table(d, &mut html);
    html.push_str("</section>\n");
    limitations_box(&mut html);
    // What a reader must know before quoting a number (docs/model.md,
    // section 11; docs/validation.md).
    let _ = writeln!(
        html,
        "<section>\n<h2>Reading these numbers</h2>\n<p class=\"note\">Model version {}. GDP effects are reduced form: the \
         uncertainty channel, calibrated on 2018-19, carries most of them. {} \
         <code>trade_balance</code> is exports less imports with no saving-investment closure: it is not a forecast \
         of the external balance. How the model fares against 2018-19 and 2025: docs/validation.md.</p>\n</section>",
        crate::model::MODEL_VERSION,
        if d.fx_on {
            "Exchange rates offset part of the tariffs here (<code>macro.fx_offset</code>): the textbook response, \
             which 2025 did not show (the dollar fell), and which US import prices, set in dollars, pass on only in part."
        } else {
            "Exchange rates stay at their baseline (<code>macro.fx_offset</code> = 0)."
        }
    );
    charts_section(&mut html, charts);
    assumptions_section(d, &mut html);
    // The timeline grows with the scenario (a rule a paragraph): keep the
    // report small whatever the input, and say where the rest is.
    // It starts at the schedule: the description and the world are above.
    let timeline = d
        .timeline
        .find("Scheduled changes:")
        .map_or(d.timeline.as_str(), |at| &d.timeline[at..]);
    let lines: Vec<&str> = timeline.trim_end().lines().collect();
    let shown = lines[..lines.len().min(MAX_TIMELINE_LINES)].join("\n");
    let more = match lines.len().saturating_sub(MAX_TIMELINE_LINES) {
        0 => String::new(),
        n => format!(
            "\n<p class=\"note\">... {n} more lines: <code>tariffsim explain</code> prints the whole timeline.</p>"
        ),
    };
    let _ = writeln!(
        html,
        "<section>\n<h2>Resolved timeline</h2>\n<p class=\"note\">As <code>tariffsim explain</code> prints it, from the schedule on.</p>\n<pre>{}</pre>{more}\n</section>",
        esc(&shown)
    );
    html.push_str("</body>\n</html>\n");
    html
}

/// What the model should not be used for, from docs/validation.md.
fn limitations_box(html: &mut String) {
    let items = super::assumptions::limitations();
    if items.is_empty() {
        return;
    }
    html.push_str("<aside class=\"limits\">\n<h3>Limitations: what these results should not be used for</h3>\n<ul>\n");
    for i in &items {
        let _ = writeln!(html, "<li>{}</li>", esc(i));
    }
    html.push_str("</ul>\n<p class=\"note\">From docs/validation.md, which also reports where the model misses the 2018-19 and 2025 outcomes.</p>\n</aside>\n");
}

/// Every sampled parameter, grouped by kind and distribution, with the
/// source of its shipped values (docs/model.md).
fn assumptions_section(d: &ChartData, html: &mut String) {
    let rows = super::assumptions::table(&d.params);
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(
        html,
        "<section class=\"assumptions\">\n<h2>Assumptions</h2>\n<p class=\"note\">The {} parameters drawn anew in every run, grouped where several share a distribution; any of them can be fixed with <code>--set PATH=VALUE</code> (<code>tariffsim explain --params</code> lists every path). Sources: the parameter tables of docs/model.md.</p>\n<table class=\"assume\">\n<thead><tr><th>parameter</th><th>distribution</th><th>source of the values</th></tr></thead>\n<tbody>",
        d.params.len()
    );
    for r in &rows {
        let _ = writeln!(
            html,
            "<tr><td><code>{}</code></td><td class=\"wrap\">{}</td><td class=\"wrap\">{}</td></tr>",
            esc(&r.what),
            esc(&r.distribution),
            if r.source.is_empty() {
                "<em>scenario file</em>".to_string()
            } else {
                esc(&r.source)
            }
        );
    }
    html.push_str("</tbody>\n</table>\n</section>\n");
}

/// The first month with the highest finite value, and the value.
/// The `--set` overrides of a run under a report's title ("" without any):
/// an override run must not read as the scenario's default.
pub(super) fn overrides_html(overrides: &[String]) -> String {
    if overrides.is_empty() {
        return String::new();
    }
    let list: Vec<String> = overrides
        .iter()
        .map(|o| format!("<code>--set {}</code>", esc(o)))
        .collect();
    format!(
        "<p class=\"meta overrides\"><strong>Overrides of the scenario file:</strong> {}</p>\n",
        list.join(", ")
    )
}

/// "below" or "above" for a deviation, with its magnitude.
fn below_above(v: f64, dec: usize) -> String {
    if v < 0.0 {
        format!("{} % below", num(-v, dec))
    } else {
        format!("{} % above", num(v, dec))
    }
}

/// The key messages at the top of the report, in words, from the results
/// (HTML-escaped): the world's GDP level against its baseline, where the
/// losses are largest, consumer prices of the first featured economy, and
/// the rules most likely to fire. Each number is a median with its 5-95 %
/// range.
fn key_messages(d: &ChartData) -> Vec<String> {
    let mut out = Vec::new();
    let span = match (d.months.first(), d.months.last()) {
        (Some(a), Some(b)) => format!("{} to {}", esc(a), esc(b)),
        _ => String::new(),
    };
    if let Some(f) = d.final_dist("gdp_dev", "WORLD", "horizon") {
        let mut m = format!(
            "World GDP is {} its baseline path on average from {span} [{} to {} %]",
            below_above(f.q(50), 2),
            num(f.q(5), 2),
            num(f.q(95), 2)
        );
        if let Some(s) = d.series("gdp_dev", "WORLD", "", "")
            && let Some((t, v)) = first_peak(&s.band.p50.iter().map(|x| -x).collect::<Vec<_>>())
            && v > 0.0
        {
            let _ = write!(
                m,
                "; the level is furthest below it in {}, at {} %",
                esc(&d.months[t]),
                num(-v, 2)
            );
        }
        m.push('.');
        out.push(m);
    }
    let mut losses: Vec<(String, f64)> = d
        .finals
        .iter()
        .filter(|f| f.metric == "gdp_dev" && f.kind == "horizon" && f.economy != "WORLD")
        .map(|f| (f.economy.clone(), f.q(50)))
        .filter(|(_, v)| v.is_finite() && *v < 0.0)
        .collect();
    losses.sort_by(|a, b| a.1.total_cmp(&b.1));
    if !losses.is_empty() {
        let list: Vec<String> = losses
            .iter()
            .take(3)
            .map(|(e, v)| format!("{} ({} %)", esc(&d.name(e)), num(*v, 2)))
            .collect();
        out.push(format!(
            "The largest average GDP losses against the baseline are in {}.",
            list.join(", ")
        ));
    }
    if let Some(e) = d.focus.economies.first()
        && let Some(s) = d.series("consumer_prices", e, "", "")
        && let Some((t, v)) = first_peak(&s.band.p50)
        && v > 0.0
    {
        let cost = d
            .series("cost_per_household", e, "", "")
            .and_then(|c| c.band.p50.get(t).copied())
            .map(|c| format!(", about USD {} per household per year", num(c, 0)))
            .unwrap_or_default();
        out.push(format!(
            "Consumer prices in {} rise most in {}, by {} % [{} to {}]{cost}.",
            esc(&d.name(e)),
            esc(&d.months[t]),
            num(v, 2),
            num(s.band.p05[t], 2),
            num(s.band.p95[t], 2)
        ));
    }
    let mut fired: Vec<&RuleFiring> = d.rules.iter().filter(|r| r.p_end() >= 0.05).collect();
    fired.sort_by(|a, b| b.p_end().total_cmp(&a.p_end()));
    if !fired.is_empty() {
        let list: Vec<String> = fired
            .iter()
            .take(3)
            .map(|r| {
                format!(
                    "{} in {} % of runs",
                    rule_name(r),
                    num(100.0 * r.p_end(), 0)
                )
            })
            .collect();
        out.push(format!(
            "By {}, the rules most likely to have fired: {}.",
            esc(d.months.last().map_or("the end", String::as_str)),
            list.join(", ")
        ));
    }
    out
}

/// A rule as the report names it: its label, with its id (events.csv's
/// name) when they differ.
fn rule_name(r: &RuleFiring) -> String {
    if r.label == r.id {
        format!("<code>{}</code>", esc(&r.id))
    } else {
        format!("{} <code>{}</code>", esc(&r.label), esc(&r.id))
    }
}

/// The probability that each rule has fired by the end of the first year
/// and of the horizon (events.csv), most likely first.
fn rules_table(d: &ChartData, html: &mut String) {
    if d.rules.is_empty() {
        return;
    }
    let t12 = 11.min(d.months.len().saturating_sub(1));
    let mut rules: Vec<&RuleFiring> = d.rules.iter().collect();
    rules.sort_by(|a, b| {
        b.p_end()
            .total_cmp(&a.p_end())
            .then_with(|| a.id.cmp(&b.id))
    });
    let _ = writeln!(
        html,
        "<h3>Rules: probability of having fired</h3>\n<table>\n<thead><tr><th>rule</th><th>by {}</th><th>by {}</th></tr></thead>\n<tbody>",
        esc(d.months.get(t12).map_or("", String::as_str)),
        esc(d.months.last().map_or("", String::as_str))
    );
    for r in rules.iter().take(MAX_RULE_ROWS) {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{} %</td><td>{} %</td></tr>",
            rule_name(r),
            num(100.0 * r.p_by_month.get(t12).copied().unwrap_or(0.0), 0),
            num(100.0 * r.p_end(), 0)
        );
    }
    html.push_str("</tbody></table>\n");
    if rules.len() > MAX_RULE_ROWS {
        let _ = writeln!(
            html,
            "<p class=\"note\">{} more rules in events.csv.</p>",
            rules.len() - MAX_RULE_ROWS
        );
    }
}

/// Rows of the rules table (the rest are in events.csv).
const MAX_RULE_ROWS: usize = 30;

fn first_peak(xs: &[f64]) -> Option<(usize, f64)> {
    xs.iter()
        .enumerate()
        .filter(|(_, v)| v.is_finite())
        .fold(None, |acc, (t, v)| match acc {
            Some((_, best)) if best >= *v => acc,
            _ => Some((t, *v)),
        })
}

/// Lines of the resolved timeline shown in a report.
pub const MAX_TIMELINE_LINES: usize = 100;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn inline_svg_drops_namespace_url() {
        let s = inline_svg(
            "<svg width=\"1\" xmlns=\"http://www.w3.org/2000/svg\"><title>t</title></svg>",
        );
        assert!(!s.contains("http"));
    }
}
