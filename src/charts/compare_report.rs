//! The self-contained report of `tariffsim compare`: the scenarios, each
//! one's headline levels, what differs between their files, the headline
//! paired differences with P(worse), how to read them, and every chart.

use std::fmt::Write as _;

use crate::engine::SetResult;
use crate::model::Model;

use super::ChartFile;
use super::compare::names;
use super::report::{CSS, charts_section, esc};

/// A headline line of `compare::headlines`, split into its parts:
/// (comparison, outcome, median, interval, P(worse) with its tie tolerance).
fn split_headline(line: &str) -> Option<[String; 5]> {
    let (pair, rest) = line.split_once(": ")?;
    let (body, tail) = rest.rsplit_once(", P(worse by more than ")?;
    let (tie, p) = tail.rsplit_once(") ")?;
    let worse = format!("{p} (ties: within {tie})");
    let (lv, interval) = body.rsplit_once(" [")?;
    let interval = interval.strip_suffix(']')?;
    let (label, value) = lv.rsplit_once(", ")?;
    let minus = |s: &str| s.replace('-', "\u{2212}");
    Some([
        pair.to_string(),
        label.to_string(),
        minus(value),
        format!("[{}]", minus(interval)),
        worse,
    ])
}

/// Each scenario's own levels of the headline outcomes, beside which the
/// differences below are read: median [5-95 %] of its runs.
fn levels_table(models: &[&Model], res: &SetResult, html: &mut String) {
    let picks = crate::analysis::compare::headline_picks(models);
    if picks.is_empty() || res.scenarios.len() != models.len() {
        return;
    }
    html.push_str("<section>\n<h2>Headline levels</h2>\n<table>\n<thead><tr><th>outcome</th>");
    for m in models {
        let _ = write!(html, "<th>{}</th>", esc(&m.sc.meta.name));
    }
    html.push_str("</tr></thead>\n<tbody>\n");
    for p in &picks {
        // Levels of a growth rate are in %, differences in pp.
        let unit = if p.unit == "pp" { "%" } else { p.unit };
        let _ = write!(html, "<tr><td>{} ({unit})</td>", esc(&p.label));
        for agg in &res.scenarios {
            let text = p.cell(agg, models[0].months).map_or_else(
                || "n/a".to_string(),
                |c| {
                    let s = c.stats();
                    format!(
                        "{} <span class=\"band\">[{}, {}]</span>",
                        super::report::num(s.p50, 2),
                        super::report::num(s.p05, 2),
                        super::report::num(s.p95, 2)
                    )
                },
            );
            let _ = write!(html, "<td>{text}</td>");
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody></table>\n<p class=\"note\">Each scenario's median and, in brackets, the 5-95 % range of its runs; the differences below are taken run by run.</p>\n</section>\n");
}

/// Most differences listed per scenario pair and side.
const MAX_DIFF_LINES: usize = 12;

/// What differs between the reference's file and each other scenario's:
/// the lines of their resolved timelines and parameter lists (`explain`,
/// `explain --params`) found in one and not the other.
fn file_differences(models: &[&Model], html: &mut String) {
    let Some(a) = models.first() else {
        return;
    };
    // Items: a line of the timeline after the description, with the more
    // deeply indented lines under it (a rule and its conditions), so a
    // changed rule reads as one item; and each sampled parameter's line.
    let lines = |m: &Model| -> Vec<String> {
        let timeline = crate::explain::explain(m.sc);
        let body = timeline
            .find("\nWorld: ")
            .map_or(timeline.as_str(), |at| &timeline[at..]);
        let indent = |l: &str| l.len() - l.trim_start().len();
        let mut items: Vec<(usize, String)> = Vec::new();
        for l in body.lines().filter(|l| !l.trim().is_empty()) {
            match items.last_mut() {
                Some((depth, item)) if indent(l) > *depth && *depth > 0 => {
                    item.push_str(" / ");
                    item.push_str(l.trim());
                }
                _ => items.push((indent(l), l.trim().to_string())),
            }
        }
        let params = crate::explain::params(m.sc);
        items
            .into_iter()
            .map(|i| i.1)
            .filter(|l| !l.starts_with("Uncertain parameters sampled each run"))
            .chain(params.lines().skip(2).map(|l| {
                format!(
                    "parameter {}",
                    l.split_whitespace().collect::<Vec<_>>().join(" ")
                )
            }))
            .collect()
    };
    let ref_lines = lines(a);
    html.push_str("<section>\n<h2>What differs between the scenario files</h2>\n");
    for m in models.iter().skip(1) {
        let other = lines(m);
        let only = |x: &[String], y: &[String]| -> Vec<String> {
            x.iter().filter(|l| !y.contains(l)).cloned().collect()
        };
        let (gone, new) = (only(&ref_lines, &other), only(&other, &ref_lines));
        let _ = writeln!(
            html,
            "<h3>{} against {}</h3>",
            esc(&m.sc.meta.name),
            esc(&a.sc.meta.name)
        );
        if gone.is_empty() && new.is_empty() {
            html.push_str(
                "<p class=\"note\">The resolved timelines and parameters are the same.</p>\n",
            );
            continue;
        }
        for (what, list) in [
            (format!("Only in {}", m.sc.meta.name), &new),
            (format!("Only in {}", a.sc.meta.name), &gone),
        ] {
            if list.is_empty() {
                continue;
            }
            let _ = writeln!(
                html,
                "<p class=\"note\"><strong>{}</strong> ({} lines):</p>\n<ul class=\"diff\">",
                esc(&what),
                list.len()
            );
            for l in list.iter().take(MAX_DIFF_LINES) {
                let _ = writeln!(html, "<li><code>{}</code></li>", esc(l));
            }
            if list.len() > MAX_DIFF_LINES {
                let _ = writeln!(
                    html,
                    "<li>... and {} more (<code>tariffsim explain</code> on each file)</li>",
                    list.len() - MAX_DIFF_LINES
                );
            }
            html.push_str("</ul>\n");
        }
    }
    html.push_str("</section>\n");
}

const EXTRA_CSS: &str = r#"
ul.diff { font-size: 13px; margin: 2px 0 10px; padding-left: 20px; }
ul.diff code { white-space: pre-wrap; overflow-wrap: anywhere; }
td.wrap { white-space: normal; text-align: left; }
tr.group td { font-weight: bold; background: #f7f9fb; text-align: left; }
h3 { font-size: 18px; margin: 18px 0 4px; }
"#;

/// The self-contained comparison report: scenarios, headline differences,
/// how to read paired differences, and every chart inline as SVG.
pub fn report_html(
    models: &[&Model],
    res: &SetResult,
    seed: u64,
    charts: &[ChartFile],
    tie_rel: f64,
    overrides: &[String],
) -> String {
    let mut html =
        String::with_capacity(charts.iter().map(|c| c.svg.len()).sum::<usize>() + 32 * 1024);
    let names = names(models);
    let title = esc(&names.join(" vs "));
    let _ = write!(
        html,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>tariffsim comparison: {title}</title>\n<style>{CSS}{EXTRA_CSS}</style>\n</head>\n<body>\n"
    );
    let runs = res.scenarios.first().map_or(0, |g| g.runs);
    let span = models
        .first()
        .filter(|a| a.months > 0)
        .map(|a| {
            format!(
                "{} to {} ({} months) | ",
                esc(&a.sc.month_label(0)),
                esc(&a.sc.month_label(a.months - 1)),
                a.months
            )
        })
        .unwrap_or_default();
    let _ = writeln!(
        html,
        "<header>\n<h1>Comparison: {title}</h1>\n<p class=\"meta\">{span}{runs} runs per scenario on common random numbers | seed {seed} | tariffsim {}</p>\n</header>",
        env!("CARGO_PKG_VERSION")
    );
    html.push_str(&super::report::overrides_html(overrides));

    html.push_str("<section>\n<h2>Scenarios</h2>\n");
    for (k, m) in models.iter().enumerate() {
        let role = if k == 0 { " (reference)" } else { "" };
        let _ = writeln!(html, "<h3>{}{role}</h3>", esc(&m.sc.meta.name));
        let d = m.sc.meta.description.trim();
        if d.is_empty() {
            html.push_str("<p class=\"desc\"><em>The scenario has no description.</em></p>\n");
        } else {
            for para in d.split("\n\n").filter(|p| !p.trim().is_empty()) {
                let _ = writeln!(html, "<p class=\"desc\">{}</p>", esc(para.trim()));
            }
        }
    }
    html.push_str("</section>\n");

    levels_table(models, res, &mut html);
    file_differences(models, &mut html);
    html.push_str("<section>\n<h2>Headline differences</h2>\n");
    let lines = if models.len() >= 2 && res.diffs.len() + 1 == models.len() {
        crate::analysis::compare::headlines(models, res, tie_rel)
    } else {
        Vec::new()
    };
    if lines.is_empty() {
        html.push_str(
            "<p class=\"note\">No headline outcome is reported by these scenarios.</p>\n",
        );
    } else {
        html.push_str("<table>\n<thead><tr><th>outcome</th><th>median difference</th><th>5-95 %</th><th>P(worse)</th></tr></thead>\n<tbody>\n");
        let mut group = String::new();
        for line in &lines {
            match split_headline(line) {
                Some([pair, label, value, interval, worse]) => {
                    if pair != group {
                        let shown = pair.replacen(" vs ", " minus ", 1);
                        let _ = writeln!(
                            html,
                            "<tr class=\"group\"><td colspan=\"4\">{}</td></tr>",
                            esc(&shown)
                        );
                        group = pair;
                    }
                    let _ = writeln!(
                        html,
                        "<tr><td>{}</td><td>{}</td><td class=\"band\">{}</td><td>{}</td></tr>",
                        esc(&label),
                        esc(&value),
                        esc(&interval),
                        esc(&worse)
                    );
                }
                None => {
                    let _ = writeln!(
                        html,
                        "<tr><td class=\"wrap\" colspan=\"4\">{}</td></tr>",
                        esc(line)
                    );
                }
            }
        }
        html.push_str("</tbody></table>\n");
        let t12 = models[0].months.min(12);
        let _ = writeln!(
            html,
            "<p class=\"note\">Scenario minus {reference}, run by run: median and 5-95 % band of the {runs} paired differences. GDP growth is read in month {t12}; the other outcomes are horizon averages. \"Share\" is a fraction of normal supply (0.10 = 10 % of need). P(worse): the share of runs in which the scenario is worse than {reference} by more than the stated tie: lower GDP growth, GDP or imports; a higher rare-earth shortfall.</p>",
            reference = esc(&names[0]),
        );
    }
    html.push_str("</section>\n");

    let _ = writeln!(
        html,
        "<section>\n<h2>How to read paired differences</h2>\n\
<p class=\"desc\">Every scenario was run on the same {runs} run indices with the same seed ({seed}): \
run <em>r</em> of each scenario draws the same values for every parameter and random shock the \
scenarios have in common (common random numbers). The difference is therefore taken run by run, \
scenario minus reference, and its spread is what the policy difference itself leaves uncertain, \
without the noise of the uncertainty the scenarios share.</p>\n\
<p class=\"desc\">So the two kinds of chart answer different questions. The overlaid fans show \
where each scenario may go; they can overlap widely even when one scenario is worse than the \
other in almost every run. The difference fans show how much worse or better a scenario is, and \
how sure that is: the median and the 25-75 % and 5-95 % bands are quantiles of the run-by-run \
differences (not differences of the scenarios' quantiles), and a band that stays clear of the \
zero line means the sign of the effect holds in at least that share of runs.</p>\n\
<p class=\"desc\">P(worse) is the share of runs in which the scenario is worse than the reference \
by more than a tie: lower GDP growth, GDP or imports; a higher tariff or rare-earth shortfall. A \
difference smaller than 0.1 % of the reference's level (<code>compare --tie</code>; the column \
<code>tie</code> of <code>comparison.csv</code> gives it for every series and month) counts as neither \
worse nor better. All numbers, for every series and month, are in <code>comparison.csv</code> in \
this folder.</p>\n</section>"
    );

    charts_section(&mut html, charts);
    html.push_str("</body>\n</html>\n");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headline_lines_split_into_columns() {
        let l = "escalation vs london-framework: US GDP vs baseline, horizon average, -0.54 pp [-1.06, -0.05], P(worse by more than 0.00054 pp) 0.97";
        let s = split_headline(l).unwrap();
        assert_eq!(s[0], "escalation vs london-framework");
        assert_eq!(s[1], "US GDP vs baseline, horizon average");
        assert_eq!(s[2], "\u{2212}0.54 pp");
        assert_eq!(s[3], "[\u{2212}1.06, \u{2212}0.05]");
        assert_eq!(s[4], "0.97 (ties: within 0.00054 pp)");
        assert!(split_headline("something else").is_none());
    }
}
