//! The report's assumptions table and limitations box, taken from the
//! project's own documents at build time so they cannot drift from them:
//! the source of every parameter from the parameter tables of
//! docs/model.md (`| scenario key | ... | source |`), the limitations from
//! the "What the model should not be used for" list of docs/validation.md.

static MODEL_MD: &str = include_str!("../../docs/model.md");
static VALIDATION_MD: &str = include_str!("../../docs/validation.md");

/// The heading of the limitations list in docs/validation.md.
const LIMITS_HEADING: &str = "## What the model should not be used for";

/// One row of the assumptions table: parameters of one kind with one
/// distribution (e.g. `demand_burden` of nine economies).
#[derive(Debug, Clone, PartialEq)]
pub struct Assumption {
    /// The path with the ids of the grouped entries in braces:
    /// `economies.{US, CN}.multiplier`.
    pub what: String,
    pub distribution: String,
    /// How many sampled parameters the row stands for.
    pub count: usize,
    /// From docs/model.md; empty when the table gives none.
    pub source: String,
}

/// A documented key: its segments (placeholders such as `ID` or `NAME` in
/// capitals) and the source column of its row.
fn documented() -> Vec<(Vec<String>, String)> {
    let mut out = Vec::new();
    for line in MODEL_MD.lines() {
        let Some(row) = line.strip_prefix("| `") else {
            continue;
        };
        let cells: Vec<&str> = row.split(" | ").map(str::trim).collect();
        let Some(source) = cells
            .last()
            .map(|s| s.trim_matches(|c: char| c == '|' || c.is_whitespace()))
        else {
            continue;
        };
        if cells.len() < 3 {
            continue;
        }
        // Rows without a source still define a key (their shipped values
        // may be documented on a row of their parent, e.g. a regime).
        let source = if source == "-" { "" } else { source };
        // The first cell lists keys: "`a.ID.x`, `.y`" (the second relative
        // to the first) or "`a.ID.x` (`beta`)".
        let first = format!("`{}", cells[0]);
        let mut base: Vec<String> = Vec::new();
        for key in first.split(',').filter_map(|k| {
            let k = k.trim();
            let k = k.strip_prefix('`')?;
            Some(&k[..k.find('`')?])
        }) {
            let segs: Vec<String> = if let Some(rel) = key.strip_prefix('.') {
                let mut s = base[..base.len().saturating_sub(1)].to_vec();
                s.push(rel.to_string());
                s
            } else {
                key.split('.').map(String::from).collect()
            };
            base = segs.clone();
            out.push((segs, source.to_string()));
        }
    }
    out
}

fn is_placeholder(seg: &str) -> bool {
    !seg.is_empty() && seg.chars().all(|c| c.is_ascii_uppercase())
}

fn matches(segs: &[String], path: &[&str]) -> bool {
    segs.iter()
        .zip(path)
        .all(|(s, p)| s == p || is_placeholder(s))
}

/// The documented pattern a parameter path matches, and its source: the
/// row's own, else that of the longest documented prefix with one (the
/// shipped values of `licensing.regimes.licensing.capacity` are on the
/// `licensing.regimes.licensing` row).
fn source_of(path: &[&str], docs: &[(Vec<String>, String)]) -> Option<(Vec<String>, String)> {
    let (pattern, own) = docs
        .iter()
        .find(|(segs, _)| segs.len() == path.len() && matches(segs, path))?;
    if !own.is_empty() {
        return Some((pattern.clone(), own.clone()));
    }
    let parent = docs
        .iter()
        .filter(|(segs, src)| segs.len() < path.len() && !src.is_empty() && matches(segs, path))
        .max_by_key(|(segs, _)| segs.len())
        .map(|(_, src)| src.clone())
        .unwrap_or_default();
    Some((pattern.clone(), parent))
}

/// Group the sampled parameters `(path, distribution)` by documented kind
/// (`sectors.ID.sigma_import`), in order of first appearance, with their
/// sources; within a kind, entries sharing a distribution are named
/// together.
pub fn table(params: &[(String, String)]) -> Vec<Assumption> {
    let docs = documented();
    // pattern -> (source, [(distribution, ids)], count)
    type Group = (Vec<String>, String, Vec<(String, Vec<String>)>, usize);
    let mut groups: Vec<Group> = Vec::new();
    for (path, dist) in params {
        let segs: Vec<&str> = path.split('.').collect();
        let (pattern, id, source) = match source_of(&segs, &docs) {
            Some((pat, src)) => {
                let ids: Vec<&str> = pat
                    .iter()
                    .zip(&segs)
                    .filter(|(s, _)| is_placeholder(s))
                    .map(|(_, p)| *p)
                    .collect();
                (pat, ids.join("."), src)
            }
            None => (
                segs.iter().map(|s| (*s).to_string()).collect(),
                String::new(),
                String::new(),
            ),
        };
        let g = match groups.iter().position(|g| g.0 == pattern) {
            Some(k) => &mut groups[k],
            None => {
                groups.push((pattern, source, Vec::new(), 0));
                groups.last_mut().expect("just pushed")
            }
        };
        g.3 += 1;
        match g.2.iter_mut().find(|d| d.0 == *dist) {
            Some(d) => d.1.push(id),
            None => g.2.push((dist.clone(), vec![id])),
        }
    }
    let braces = |ids: &[String]| match ids {
        [one] => one.clone(),
        _ => format!("{{{}}}", ids.join(", ")),
    };
    groups
        .into_iter()
        .map(|(pattern, source, dists, count)| {
            let all: Vec<String> = dists.iter().flat_map(|d| d.1.clone()).collect();
            if all.iter().all(String::is_empty) {
                // Undocumented: the path as it is.
                return Assumption {
                    what: pattern.join("."),
                    distribution: dists
                        .into_iter()
                        .map(|d| d.0)
                        .collect::<Vec<_>>()
                        .join("; "),
                    count,
                    source: source.replace('`', ""),
                };
            }
            // Name the entries in the first placeholder's place.
            let mut filled = false;
            let what: Vec<String> = pattern
                .iter()
                .map(|s| {
                    if is_placeholder(s) && !filled {
                        filled = true;
                        if dists.len() == 1 {
                            braces(&all)
                        } else {
                            "*".into()
                        }
                    } else if is_placeholder(s) {
                        "*".to_string()
                    } else {
                        s.clone()
                    }
                })
                .collect();
            let distribution = if dists.len() == 1 {
                dists[0].0.clone()
            } else {
                dists
                    .iter()
                    .map(|(d, ids)| format!("{}: {d}", braces(ids)))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            Assumption {
                what: what.join("."),
                distribution,
                count,
                source: source.replace('`', ""),
            }
        })
        .collect()
}

/// The bullets of the limitations list in docs/validation.md, as plain text.
pub fn limitations() -> Vec<String> {
    let Some(start) = VALIDATION_MD.find(LIMITS_HEADING) else {
        return Vec::new();
    };
    let body = &VALIDATION_MD[start + LIMITS_HEADING.len()..];
    let body = body.find("\n#").map_or(body, |end| &body[..end]);
    let mut out: Vec<String> = Vec::new();
    for line in body.lines() {
        if let Some(item) = line.strip_prefix("- ") {
            out.push(item.trim().to_string());
        } else if line.starts_with("  ")
            && let Some(last) = out.last_mut()
        {
            last.push(' ');
            last.push_str(line.trim());
        }
    }
    out.into_iter().map(|s| s.replace('`', "")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One row per documented kind: entries sharing a distribution are
    /// named together, the source is that of `economies.ID.multiplier` in
    /// docs/model.md, and a regime's values take its row's source.
    #[test]
    fn parameters_group_by_kind_with_their_source() {
        let p = |a: &str, b: &str| (a.to_string(), b.to_string());
        let rows = table(&[
            p("economies.US.multiplier", "beta A"),
            p("economies.CN.multiplier", "beta A"),
            p("economies.US.growth_pct", "normal"),
            p("licensing.regimes.licensing.capacity", "tri"),
            p("something.UNDOCUMENTED", "uniform"),
        ]);
        assert_eq!(rows.len(), 4, "{rows:?}");
        assert_eq!(rows[3].what, "something.UNDOCUMENTED");
        assert_eq!(rows[0].what, "economies.{US, CN}.multiplier");
        assert_eq!(rows[0].distribution, "beta A");
        assert_eq!(rows[0].count, 2);
        assert!(
            rows[0].source.contains("Ramey (2019)"),
            "{}",
            rows[0].source
        );
        assert_eq!(rows[2].what, "licensing.regimes.licensing.capacity");
        assert!(
            rows[2].source.contains("2023-24 analogues"),
            "{}",
            rows[2].source
        );
        assert_eq!(rows[3].source, "");
        let rows = table(&[
            p("economies.US.multiplier", "beta A"),
            p("economies.MX.multiplier", "beta B"),
            p("economies.CN.multiplier", "beta A"),
        ]);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].what, "economies.*.multiplier");
        assert_eq!(rows[0].distribution, "{US, CN}: beta A; MX: beta B");
        assert_eq!(rows[0].count, 3);
    }

    /// Every bullet of the docs' list, continuation lines joined.
    #[test]
    fn limitations_are_the_bullets_of_validation_md() {
        let l = limitations();
        let in_doc = VALIDATION_MD
            .split(LIMITS_HEADING)
            .nth(1)
            .and_then(|b| b.split("\n#").next())
            .map_or(0, |b| b.lines().filter(|x| x.starts_with("- ")).count());
        assert!(in_doc >= 5);
        assert_eq!(l.len(), in_doc);
        assert!(l.iter().all(|x| !x.contains("\n") && !x.contains('`')));
        assert!(
            l.iter()
                .any(|x| x.starts_with("Point predictions: read the bands"))
        );
    }
}
