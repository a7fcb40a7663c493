//! Generic readers of the located TOML tree: tables, keys, numbers,
//! strings, dates, arrays, ids. Each records a located problem and returns
//! `None` (or a placeholder) so one pass reports everything.

use super::*;

impl Compiler {
    pub(super) fn table<'n>(
        &mut self,
        node: &'n Node,
        path: &str,
        help: &str,
    ) -> Option<&'n Table> {
        match &node.value {
            Value::Table(t) => Some(t),
            v => {
                self.c.err(
                    Some(node.loc),
                    path,
                    format!("expected a table, found {} ({})", v.type_name(), v.show()),
                    help,
                );
                None
            }
        }
    }

    /// A table of exactly one entry (a condition or an action: `what`), with
    /// `fix` as the advice when it has more or fewer.
    pub(super) fn single_entry<'n>(
        &mut self,
        node: &'n Node,
        path: &str,
        help: &str,
        what: &str,
        fix: &str,
    ) -> Option<&'n crate::scenario::tree::Entry> {
        let t = self.table(node, path, help)?;
        if t.entries.len() != 1 {
            self.c.err(
                Some(node.loc),
                path,
                format!("{what} has exactly one key, found {}", t.entries.len()),
                fix,
            );
            return None;
        }
        Some(&t.entries[0])
    }

    pub(super) fn check_keys(&mut self, t: &Table, path: &str, allowed: &[&str]) {
        for e in &t.entries {
            if !allowed.contains(&e.key.as_str()) {
                let help = if e.key == "base" {
                    "`base` belongs at the top of the file, before the first [table] header (here it is read as a key of this table)".to_string()
                } else {
                    unknown_help(&e.key, "key", allowed)
                };
                self.c.err(
                    Some(e.key_loc),
                    &join(path, &e.key),
                    format!("unknown key `{}`", e.key),
                    help,
                );
            }
        }
    }

    pub(super) fn required<'n>(
        &mut self,
        t: &'n Table,
        tloc: Loc,
        path: &str,
        key: &str,
        help: &str,
    ) -> Option<&'n Node> {
        match t.get(key) {
            Some(e) => Some(&e.node),
            None => {
                self.c.err(
                    Some(tloc),
                    &join(path, key),
                    format!("missing required key `{key}`"),
                    help,
                );
                None
            }
        }
    }

    pub(super) fn number(&mut self, node: &Node, path: &str, b: Bounds) -> Option<f64> {
        let (v, percent_string) = match &node.value {
            Value::Int(i) => (*i as f64, false),
            Value::Float(f) => (*f, false),
            Value::Str(s) if b.fraction() => match percent(s) {
                Some(x) => (x, true),
                None => {
                    self.c.err(
                        Some(node.loc),
                        path,
                        format!("`{}` is not a number or a percent string", clip(s, 60)),
                        format!(
                            "write {}, or a percent string such as \"25%\"",
                            b.describe()
                        ),
                    );
                    return None;
                }
            },
            v => {
                self.c.err(
                    Some(node.loc),
                    path,
                    format!("expected a number, found {} ({})", v.type_name(), v.show()),
                    format!("write {}", b.describe()),
                );
                return None;
            }
        };
        if b.is_rate()
            && !percent_string
            && let Some((msg, help)) = bare_rate_problem(v)
        {
            self.c.err(Some(node.loc), path, msg, help);
            return None;
        }
        if !b.ok(v) {
            let mut help = format!("use {}", b.describe());
            if b.what == "a share" && !percent_string && (5.0..=100.0).contains(&v) {
                help.push_str(&format!(
                    "; if you meant {} %, write {} or \"{}%\"",
                    num(v),
                    num(v / 100.0),
                    num(v)
                ));
            }
            self.c.err(
                Some(node.loc),
                path,
                format!("value {} is out of range", num(v)),
                help,
            );
            return None;
        }
        Some(v)
    }

    pub(super) fn opt_number(
        &mut self,
        t: &Table,
        path: &str,
        key: &str,
        b: Bounds,
    ) -> Option<f64> {
        let e = t.get(key)?;
        self.number(&e.node, &join(path, key), b)
    }

    pub(super) fn string(&mut self, node: &Node, path: &str) -> Option<String> {
        match &node.value {
            Value::Str(s) => Some(s.clone()),
            v => {
                self.c.err(
                    Some(node.loc),
                    path,
                    format!("expected a string, found {} ({})", v.type_name(), v.show()),
                    "put the text in double quotes",
                );
                None
            }
        }
    }

    pub(super) fn opt_string(&mut self, t: &Table, path: &str, key: &str) -> Option<String> {
        let e = t.get(key)?;
        self.string(&e.node, &join(path, key))
    }

    /// An optional `label`: a short human name shown in charts and the
    /// report, one line of text that is not blank.
    pub(super) fn label(&mut self, t: &Table, path: &str) -> Option<String> {
        let e = t.get("label")?;
        let p = join(path, "label");
        let s = self.string(&e.node, &p)?;
        let help = "write a short name on one line, e.g. label = \"Framework ratified\" (about 40 characters fit a chart legend), or remove the key to use the default";
        if s.trim().is_empty() {
            self.c.err(Some(e.node.loc), &p, "the label is empty", help);
            return None;
        }
        if s.chars().any(char::is_control) {
            self.c.err(
                Some(e.node.loc),
                &p,
                "the label has a line break or another control character",
                help,
            );
            return None;
        }
        Some(s.trim().to_string())
    }

    pub(super) fn integer(&mut self, node: &Node, path: &str, lo: i64, hi: i64) -> Option<i64> {
        match &node.value {
            Value::Int(i) if (lo..=hi).contains(i) => Some(*i),
            Value::Int(i) => {
                self.c.err(
                    Some(node.loc),
                    path,
                    format!("value {i} is out of range"),
                    format!("use a whole number from {lo} to {hi}"),
                );
                None
            }
            v => {
                self.c.err(
                    Some(node.loc),
                    path,
                    format!(
                        "expected a whole number, found {} ({})",
                        v.type_name(),
                        v.show()
                    ),
                    format!("use a whole number from {lo} to {hi}"),
                );
                None
            }
        }
    }

    pub(super) fn boolean(&mut self, node: &Node, path: &str) -> Option<bool> {
        match &node.value {
            Value::Bool(b) => Some(*b),
            v => {
                self.c.err(
                    Some(node.loc),
                    path,
                    format!(
                        "expected true or false, found {} ({})",
                        v.type_name(),
                        v.show()
                    ),
                    "write true or false (no quotes)",
                );
                None
            }
        }
    }

    pub(super) fn date(&mut self, node: &Node, path: &str) -> Option<Date> {
        let s = match &node.value {
            Value::Str(s) => s.clone(),
            Value::Date(d) => d.clone(),
            v => {
                self.c.err(
                    Some(node.loc),
                    path,
                    format!("expected a date, found {} ({})", v.type_name(), v.show()),
                    "write \"YYYY-MM\" or \"YYYY-MM-DD\"",
                );
                return None;
            }
        };
        match parse_date(&s) {
            Ok(d) => Some(d),
            Err(e) => {
                self.c.err(
                    Some(node.loc),
                    path,
                    format!("invalid date: {e}"),
                    "write \"YYYY-MM\" or \"YYYY-MM-DD\" with a real calendar day",
                );
                None
            }
        }
    }

    pub(super) fn array<'n>(
        &mut self,
        node: &'n Node,
        path: &str,
        help: &str,
    ) -> Option<&'n [Node]> {
        match &node.value {
            Value::Array(a) => Some(a),
            v => {
                self.c.err(
                    Some(node.loc),
                    path,
                    format!("expected an array, found {} ({})", v.type_name(), v.show()),
                    help,
                );
                None
            }
        }
    }

    pub(super) fn id_ref(
        &mut self,
        node: &Node,
        path: &str,
        ids: &[String],
        what: &str,
    ) -> Option<usize> {
        let s = self.string(node, path)?;
        match ids.iter().position(|x| *x == s) {
            Some(i) => Some(i),
            None => {
                let cands: Vec<&str> = ids.iter().map(String::as_str).collect();
                let help = unknown_help(&s, what, &cands);
                self.c
                    .err(Some(node.loc), path, format!("unknown {what} `{s}`"), help);
                None
            }
        }
    }

    /// A list of ids, or a single id; `ALL` expands to every id except `except`.
    pub(super) fn id_list(
        &mut self,
        node: &Node,
        path: &str,
        ids: &[String],
        what: &str,
        except: Option<usize>,
    ) -> Option<Vec<usize>> {
        match &node.value {
            Value::Str(s) if s == "ALL" => {
                Some((0..ids.len()).filter(|i| Some(*i) != except).collect())
            }
            Value::Str(_) => self.id_ref(node, path, ids, what).map(|i| vec![i]),
            Value::Array(items) => {
                let mut out = Vec::new();
                let mut ok = true;
                for (k, it) in items.iter().enumerate() {
                    match self.id_ref(it, &format!("{path}[{k}]"), ids, what) {
                        Some(i) if !out.contains(&i) => out.push(i),
                        Some(_) => {}
                        None => ok = false,
                    }
                }
                if out.is_empty() && ok {
                    self.c.err(
                        Some(node.loc),
                        path,
                        "the list is empty",
                        format!("list at least one {what}"),
                    );
                    return None;
                }
                ok.then_some(out)
            }
            v => {
                self.c.err(
                    Some(node.loc),
                    path,
                    format!(
                        "expected a {what} id or a list of them, found {} ({})",
                        v.type_name(),
                        v.show()
                    ),
                    "write \"ID\" or [\"ID1\", \"ID2\"]".to_string(),
                );
                None
            }
        }
    }

    pub(super) fn named_tables<'n>(
        &mut self,
        root: &'n Table,
        key: &str,
        help: &str,
    ) -> Vec<(&'n str, Loc, Loc, &'n Table)> {
        let mut out = Vec::new();
        let Some(e) = root.get(key) else { return out };
        let Some(t) = self.table(&e.node, key, help) else {
            return out;
        };
        for entry in &t.entries {
            let path = join(key, &entry.key);
            if let Some(inner) = self.table(&entry.node, &path, help) {
                out.push((entry.key.as_str(), entry.key_loc, entry.node.loc, inner));
            }
        }
        out
    }

    /// Whether `loc` is in a `--set` argument rather than a scenario file.
    pub(super) fn in_set_arg(&self, loc: Loc) -> bool {
        self.c.sources.get(loc.src).name.starts_with("--set")
    }

    pub(super) fn enabled(&mut self, t: &Table, path: &str) -> bool {
        t.get("enabled")
            .and_then(|e| self.boolean(&e.node, &join(path, "enabled")))
            .unwrap_or(true)
    }

    pub(super) fn check_horizon(
        &mut self,
        node: &Node,
        path: &str,
        d: Date,
        horizon_end: YearMonth,
    ) {
        if d.ym >= horizon_end {
            // When the horizon comes from another file (an overlay or --set
            // that shortened it), say where: that is the likely cause.
            let mut help =
                "move the date inside the horizon or extend `scenario.months`".to_string();
            if let Some(m) = self.months_loc
                && self.more_derived(m, node.loc)
            {
                let (line, _) = self.c.sources.line_col(m);
                help.push_str(&format!(
                    " (the horizon is set by `scenario.months` in {} line {line})",
                    self.c.sources.get(m.src).name
                ));
            }
            self.c.err(
                Some(node.loc),
                path,
                format!(
                    "date {d} is after the end of the horizon ({} is the last month)",
                    horizon_end.plus(-1)
                ),
                help,
            );
        }
    }

    /// Whether `a` was written in a more derived layer than `b`: a `--set`
    /// over any file, a scenario over its base (files are numbered in the
    /// order they are read, the scenario first).
    pub(super) fn more_derived(&self, a: Loc, b: Loc) -> bool {
        let is_set = |l: Loc| self.c.sources.get(l.src).name.starts_with("--set");
        match (is_set(a), is_set(b)) {
            (true, false) => true,
            (false, true) => false,
            _ => a.src < b.src,
        }
    }

    /// The economy a table key names (`[licensing.importers.US]`), or an
    /// error at the key with the closest ids.
    pub(super) fn econ_key(
        &mut self,
        id: &str,
        key_loc: Loc,
        path: &str,
        econ_ids: &[String],
    ) -> Option<usize> {
        let i = econ_ids.iter().position(|x| x == id);
        if i.is_none() {
            let c: Vec<&str> = econ_ids.iter().map(String::as_str).collect();
            let help = unknown_help(id, "economy", &c);
            self.c
                .err(Some(key_loc), path, format!("unknown economy `{id}`"), help);
        }
        i
    }

    pub(super) fn check_id(&mut self, id: &str, key_loc: Loc, path: &str) {
        let ok = !id.is_empty()
            && id.len() <= 64
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !ok {
            self.c.err(
                Some(key_loc),
                path,
                format!("`{id}` is not a valid id"),
                "use letters, digits, `_` or `-` (at most 64)",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit;

    #[test]
    fn a_misspelt_key_gets_a_suggestion_and_a_wrong_type_says_what_was_found() {
        let p = testkit::problems("[sectors.goods]\nsigma_imprt = 3\nva_share = \"half\"\n");
        assert!(
            p.iter()
                .any(|m| m == "sectors.goods.sigma_imprt: unknown key `sigma_imprt`"),
            "{p:?}"
        );
        assert!(
            p.iter()
                .any(|m| m.starts_with("sectors.goods.va_share: `half` is not a number")),
            "{p:?}"
        );
    }
}
