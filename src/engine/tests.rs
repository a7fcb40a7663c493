//! Unit tests of the engine: the split of the runs by a rule, thread and
//! shard independence, and number formatting.

use super::*;

/// A two-economy world with one rule firing with a 10 % monthly hazard.
fn split_world() -> crate::scenario::Scenario {
    crate::model::testkit::world(
        r#"[rules.hike]
when = { between = ["2025-04", "2026-03"] }
probability = 0.1
then = [{ tariff = { by = "AA", on = "BB", rate = 0.3 } }]
"#,
    )
}

fn run(model: &Model, threads: usize, runs: Range<u64>, split: Option<usize>) -> Aggregator {
    run_with(model, threads, runs, split, Monthly::Flows)
}

fn run_with(
    model: &Model,
    threads: usize,
    runs: Range<u64>,
    split: Option<usize>,
    monthly: Monthly,
) -> Aggregator {
    let plan = RunPlan {
        seed: 7,
        runs,
        threads,
        split,
        monthly,
    };
    run_monte_carlo(
        model,
        &plan,
        PerRun::default(),
        &|_| {},
        &AtomicBool::new(false),
    )
    .unwrap()
}

/// Every cell's statistics as the CSVs write them, the run and firing
/// counts, of an aggregate and its split groups.
fn fingerprint(a: &Aggregator) -> Vec<String> {
    let one = |a: &Aggregator| -> Vec<String> {
        a.monthly_cells()
            .iter()
            .chain(&a.finals)
            .map(|c| {
                // As the CSVs write them (a zero mean's sign is not kept).
                let s = c.stats();
                [s.mean, s.sd, s.p05, s.p25, s.p50, s.p75, s.p95]
                    .map(fmt_num)
                    .join(",")
                    + &format!(" {}", c.count())
            })
            .chain([format!("{} {:?}", a.runs, a.first_fired)])
            .collect()
    };
    let mut out = one(a);
    if let Some(sp) = a.split.as_deref() {
        out.extend(one(&sp.fired));
        out.extend(one(&sp.not_fired));
    }
    out
}

/// The default keeps every monthly series but the per-flow detail, each
/// exactly as `--detail flows` aggregates it, and the same horizon outcomes.
#[test]
fn without_flow_detail_the_other_series_are_unchanged() {
    let sc = split_world();
    let model = Model::new(&sc, 12);
    let sl = &model.slots;
    let flows = run_with(&model, 2, 0..200, Some(0), Monthly::Flows);
    let lean = run_with(&model, 2, 0..200, Some(0), Monthly::Aggregates);
    let per_flow: Vec<usize> = (0..sl.n_monthly).filter(|&k| sl.is_flow(k)).collect();
    // Two economies, one partner each: ns per-flow series per importer.
    assert_eq!(per_flow.len(), 2 * sl.ns);
    for &k in &per_flow {
        let l = &sl.labels[k];
        assert!(
            l.metric == "imports" && l.partner != "ALL" && l.sector != "ALL",
            "{l:?}"
        );
    }
    assert_eq!(
        lean.monthly_cells().len(),
        (sl.n_monthly - per_flow.len()) * model.months
    );
    let text = |c: &Cell| format!("{:?} {}", c.stats(), c.count());
    for k in 0..sl.n_monthly {
        match (flows.series(k), lean.series(k)) {
            (Some(a), Some(b)) => {
                assert!(!sl.is_flow(k));
                assert_eq!(
                    a.iter().map(text).collect::<Vec<_>>(),
                    b.iter().map(text).collect::<Vec<_>>()
                );
            }
            (Some(_), None) => assert!(sl.is_flow(k)),
            other => panic!("slot {k}: {:?}", other.0.is_some()),
        }
    }
    assert_eq!(fingerprint_finals(&flows), fingerprint_finals(&lean));
    let (a, b) = (
        flows.split.as_deref().unwrap(),
        lean.split.as_deref().unwrap(),
    );
    assert_eq!(fingerprint_finals(&a.fired), fingerprint_finals(&b.fired));
    // The setting travels with a shard's aggregate.
    let back = Aggregator::decode(&lean.encode(), &model).unwrap();
    assert_eq!(back.detail, Monthly::Aggregates);
    assert_eq!(fingerprint(&back), fingerprint(&lean));
}

fn fingerprint_finals(a: &Aggregator) -> Vec<String> {
    a.finals
        .iter()
        .map(|c| format!("{:?} {}", c.stats(), c.count()))
        .collect()
}

/// Threads take chunks in any order: three threads, several times,
/// give the statistics of one as the CSVs write them.
#[test]
fn three_threads_give_the_statistics_of_one() {
    let sc = split_world();
    let model = Model::new(&sc, 12);
    let whole = run(&model, 1, 0..300, None);
    for _ in 0..10 {
        let a = fingerprint(&run(&model, 3, 0..300, None));
        let b = fingerprint(&whole);
        let d: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
        assert!(
            d.is_empty(),
            "{} differ, first {:?} {:?}",
            d.len(),
            a[d[0]],
            b[d[0]]
        );
    }
}

#[test]
fn a_split_partitions_the_runs_and_merges_exactly() {
    let sc = split_world();
    let model = Model::new(&sc, 12);
    let whole = run(&model, 1, 0..300, Some(0));
    let sp = whole.split.as_deref().unwrap();
    assert_eq!(sp.fired.runs + sp.not_fired.runs, 300);
    assert!(sp.fired.runs > 0 && sp.not_fired.runs > 0);
    // The fired share is the probability of having fired by the last month.
    let p = whole.p_fired_by(0)[11];
    assert!((sp.p_fired() - p).abs() < 1e-12, "{} vs {p}", sp.p_fired());
    // Every run where the rule fired is in the fired group: its own
    // firing counts sum to the group's runs, and the other group has none.
    assert_eq!(sp.fired.first_fired.iter().sum::<u64>(), sp.fired.runs);
    assert_eq!(sp.not_fired.first_fired.iter().sum::<u64>(), 0);
    // Threads and shards give the same statistics (what every output is
    // written from; the encoded histogram windows may be padded
    // differently by the order of merges), and the bytes read back.
    let bytes = whole.encode();
    assert_eq!(
        fingerprint(&run(&model, 3, 0..300, Some(0))),
        fingerprint(&whole)
    );
    let mut merged = run(&model, 1, 0..170, Some(0));
    merged.merge(run(&model, 2, 170..300, Some(0)));
    merged.sample.sort_by_key(|r| r.0);
    assert_eq!(fingerprint(&merged), fingerprint(&whole));
    let back = Aggregator::decode(&bytes, &model).unwrap();
    assert!(back.encode() == bytes);
    // Without a split, aggregate.bin is the split one's first part, unchanged.
    let plain = run(&model, 1, 0..300, None).encode();
    assert!(plain.len() < bytes.len() && bytes.starts_with(&plain));
    // A damaged split section is refused, not misread.
    for cut in [plain.len() + 4, plain.len() + 20, bytes.len() - 1] {
        assert!(
            Aggregator::decode(&bytes[..cut], &model).is_err(),
            "cut at {cut}"
        );
    }
}

#[test]
fn records_in_memory_are_the_rows_of_runs_csv_at_full_precision() {
    let sc = split_world();
    let model = Model::new(&sc, 24);
    // Runs 100..420 on 3 threads: several chunks, finishing in any order.
    let plan = RunPlan {
        seed: 7,
        runs: 100..420,
        threads: 3,
        split: None,
        monthly: Monthly::Aggregates,
    };
    let mut csv: Vec<u8> = Vec::new();
    let mut rec = RunRecords::new(&model);
    let per_run = PerRun {
        csv: Some(&mut csv),
        records: Some(&mut rec),
    };
    run_monte_carlo(&model, &plan, per_run, &|_| {}, &AtomicBool::new(false)).unwrap();
    let (np, no, nr) = (
        rec.columns.params.len(),
        rec.columns.outcomes.len(),
        rec.columns.rules.len(),
    );
    assert!(no > 0 && nr == 1, "{np} {no} {nr}");
    assert_eq!(
        per_run_header(&model).trim_end(),
        std::iter::once("run".to_string())
            .chain(rec.columns.params.iter().cloned())
            .chain(rec.columns.outcomes.iter().cloned())
            .chain(rec.columns.rules.iter().map(|r| format!("fired:{r}")))
            .collect::<Vec<_>>()
            .join(",")
    );
    let text = String::from_utf8(csv).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 320);
    assert_eq!(rec.runs, (100..420).collect::<Vec<u64>>());
    let mut fired = 0;
    for (r, line) in lines.iter().enumerate() {
        let mut row = vec![rec.runs[r].to_string()];
        row.extend(rec.params[r * np..(r + 1) * np].iter().map(|x| fmt_num(*x)));
        row.extend(
            rec.outcomes[r * no..(r + 1) * no]
                .iter()
                .map(|x| fmt_num(*x)),
        );
        let t = rec.first_fired[r] as usize;
        fired += usize::from(t < rec.months.len());
        row.push(rec.months.get(t).cloned().unwrap_or_default());
        assert_eq!(*line, row.join(","), "run {}", rec.runs[r]);
    }
    // The rule fires in some runs and not in others (both cells tested).
    assert!(fired > 0 && fired < 320, "{fired}");
}
