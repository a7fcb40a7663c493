//! The exact state of an `Aggregator` as bytes: what a shard writes to
//! `aggregate.bin` and `merge` reads back, checked against the model's shape,
//! with the optional `run --split-by` section after it. A shard of `compare`
//! or `sweep` writes a `SetResult` instead: its scenarios' and paired
//! differences' aggregates, one after the other, in the same encoding.

use super::aggregate::{self, Cell};
use super::{Aggregator, SetResult, Split};
use crate::model::Model;
use crate::sensitivity::spearman;

const AGG_MAGIC: &[u8; 8] = b"TSAGG\x00\x01\n";
/// Starts the optional split section after an aggregate: the rule index,
/// then the fired and the not-fired aggregates (without a split of their own).
const SPLIT_MAGIC: &[u8; 8] = b"TSSPLIT\n";
/// Starts a set of aggregates (compare, sweep): the counts of scenarios and
/// of differences and whether monthly series are held, then the aggregates.
const SET_MAGIC: &[u8; 8] = b"TSSET\x00\x01\n";

impl SetResult {
    /// The exact state, for the `aggregate.bin` of a compare or sweep shard.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(SET_MAGIC);
        let monthly = self
            .scenarios
            .first()
            .is_some_and(|a| !a.monthly.is_empty());
        for x in [
            self.scenarios.len() as u64,
            self.diffs.len() as u64,
            u64::from(monthly),
        ] {
            out.extend_from_slice(&x.to_le_bytes());
        }
        for a in self.scenarios.iter().chain(&self.diffs) {
            a.encode_into(&mut out);
        }
        out
    }

    /// Read a compare or sweep shard's aggregates, checking that they are
    /// those of `models` (difference k against model k + 1), with monthly
    /// series or not as `monthly` says.
    ///
    /// # Errors
    /// A message if the bytes are not such a set.
    pub fn decode(
        bytes: &[u8],
        models: &[&Model],
        monthly: bool,
    ) -> Result<SetResult, aggregate::DecodeError> {
        let mut r = aggregate::Reader::new(bytes);
        if r.bytes(8)? != SET_MAGIC {
            return Err("not the aggregates of a compare or sweep shard (wrong header)".into());
        }
        let (ns, nd, m) = (r.u64()?, r.u64()?, r.u64()?);
        if ns != models.len() as u64 || nd + 1 != ns || m != u64::from(monthly) {
            return Err(aggregate::DecodeError(format!(
                "it holds {ns} scenario(s) and {nd} difference(s){}, not {} scenario(s){}",
                if m == 1 { " with monthly series" } else { "" },
                models.len(),
                if monthly { " with monthly series" } else { "" }
            )));
        }
        let mut scenarios = Vec::with_capacity(models.len());
        for m in models {
            scenarios.push(Aggregator::decode_from(&mut r, m, monthly)?);
        }
        let mut diffs = Vec::with_capacity(models.len().saturating_sub(1));
        for m in &models[1..] {
            diffs.push(Aggregator::decode_from(&mut r, m, monthly)?);
        }
        if !r.done() {
            return Err("trailing bytes after the aggregates".into());
        }
        Ok(SetResult { scenarios, diffs })
    }
}

impl Aggregator {
    /// The exact state, for a shard's `aggregate.bin`. Without a split the
    /// bytes are those of earlier versions.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + 200 * (self.monthly.len() + self.finals.len()));
        self.encode_into(&mut out);
        if let Some(s) = &self.split {
            out.extend_from_slice(SPLIT_MAGIC);
            out.extend_from_slice(&(s.rule as u64).to_le_bytes());
            s.fired.encode_into(&mut out);
            s.not_fired.encode_into(&mut out);
        }
        out
    }

    /// The aggregate itself, without its split.
    fn encode_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(AGG_MAGIC);
        for x in [
            self.months as u64,
            self.runs,
            self.monthly.len() as u64,
            self.finals.len() as u64,
            self.first_fired.len() as u64,
            self.sample.len() as u64,
        ] {
            out.extend_from_slice(&x.to_le_bytes());
        }
        for c in self.monthly.iter().chain(&self.finals) {
            c.encode(out);
        }
        for x in &self.first_fired {
            out.extend_from_slice(&x.to_le_bytes());
        }
        for (run, params, outcomes) in &self.sample {
            out.extend_from_slice(&run.to_le_bytes());
            out.extend_from_slice(&(params.len() as u64).to_le_bytes());
            out.extend_from_slice(&(outcomes.len() as u64).to_le_bytes());
            for x in params.iter().chain(outcomes) {
                out.extend_from_slice(&x.to_le_bytes());
            }
        }
    }

    /// Read a shard's aggregate, checking it fits `model`.
    ///
    /// # Errors
    /// A message if the bytes are not an aggregate of this model's shape.
    pub fn decode(bytes: &[u8], model: &Model) -> Result<Aggregator, aggregate::DecodeError> {
        let mut r = aggregate::Reader::new(bytes);
        let mut agg = Aggregator::decode_from(&mut r, model, true)?;
        if !r.done() {
            if r.bytes(8)? != SPLIT_MAGIC {
                return Err("trailing bytes after the aggregate".into());
            }
            let rule = r.u64()?;
            if rule >= model.sc.rules.len() as u64 {
                return Err(aggregate::DecodeError(format!(
                    "its split is by rule {rule}, but the scenario has {} rules",
                    model.sc.rules.len()
                )));
            }
            let fired = Aggregator::decode_from(&mut r, model, true)?;
            let not_fired = Aggregator::decode_from(&mut r, model, true)?;
            if fired.runs + not_fired.runs != agg.runs {
                return Err(aggregate::DecodeError(format!(
                    "its split groups hold {} + {} runs, not its {}",
                    fired.runs, not_fired.runs, agg.runs
                )));
            }
            agg.split = Some(Box::new(Split {
                rule: rule as usize,
                fired,
                not_fired,
            }));
        }
        if !r.done() {
            return Err("trailing bytes after the aggregate".into());
        }
        Ok(agg)
    }

    /// One aggregate (without its split) from `r`; `monthly`: whether it
    /// holds monthly series (sweeps aggregate horizon outcomes only).
    fn decode_from(
        r: &mut aggregate::Reader<'_>,
        model: &Model,
        monthly: bool,
    ) -> Result<Aggregator, aggregate::DecodeError> {
        if r.bytes(8)? != AGG_MAGIC {
            return Err("not a tariffsim aggregate (wrong header)".into());
        }
        let months = r.u64()? as usize;
        let runs = r.u64()?;
        let (nm, nf, nr, ns) = (
            r.u64()? as usize,
            r.u64()? as usize,
            r.u64()? as usize,
            r.u64()? as usize,
        );
        let want = Aggregator::with(model, monthly);
        if months != want.months
            || nm != want.monthly.len()
            || nf != want.finals.len()
            || nr != want.first_fired.len()
        {
            return Err(aggregate::DecodeError(format!(
                "its shape ({months} months, {nm} monthly cells, {nf} horizon cells, {nr} rule-months) does not match the scenario ({} months, {} monthly cells, {} horizon cells)",
                want.months,
                want.monthly.len(),
                want.finals.len()
            )));
        }
        let mut monthly = Vec::with_capacity(nm);
        for _ in 0..nm {
            monthly.push(Cell::decode(r)?);
        }
        let mut finals = Vec::with_capacity(nf);
        for _ in 0..nf {
            finals.push(Cell::decode(r)?);
        }
        let mut first_fired = Vec::with_capacity(nr);
        for _ in 0..nr {
            first_fired.push(r.u64()?);
        }
        if ns > spearman::SAMPLE_RUNS as usize {
            return Err("implausible sample size".into());
        }
        let mut sample = Vec::with_capacity(ns);
        for _ in 0..ns {
            let run = r.u64()?;
            let (np, no) = (r.u64()? as usize, r.u64()? as usize);
            if np > 1 << 20 || no > 1 << 20 {
                return Err("implausible sample row".into());
            }
            let mut params = Vec::with_capacity(np);
            for _ in 0..np {
                params.push(r.f64()?);
            }
            let mut outcomes = Vec::with_capacity(no);
            for _ in 0..no {
                outcomes.push(r.f64()?);
            }
            sample.push((run, params, outcomes));
        }
        Ok(Aggregator {
            months,
            runs,
            monthly,
            finals,
            first_fired,
            sample,
            split: None,
        })
    }
}
