//! The exact state of an `Aggregator` as bytes: what a shard writes to
//! `aggregate.bin` and `merge` reads back, checked against the model's shape,
//! with the optional `run --split-by` section after it. A shard of `compare`
//! or `sweep` writes a `SetResult` instead: its scenarios' and paired
//! differences' aggregates, one after the other, in the same encoding.

use super::aggregate::{self, Cell};
use super::{Aggregator, Monthly, SetResult, Split};
use crate::model::Model;
use crate::sensitivity::spearman;

/// Version 2 records which monthly series are kept (`Monthly`) after the
/// magic; version 1 (every series) is refused with advice to rerun.
const AGG_MAGIC: &[u8; 8] = b"TSAGG\x00\x02\n";
const AGG_MAGIC_V1: &[u8; 8] = b"TSAGG\x00\x01\n";
/// Starts the optional split section after an aggregate: the rule index,
/// then the fired and the not-fired aggregates (without a split of their own).
const SPLIT_MAGIC: &[u8; 8] = b"TSSPLIT\n";
/// Starts a set of aggregates (compare, sweep): the counts of scenarios and
/// of differences, then the aggregates.
const SET_MAGIC: &[u8; 8] = b"TSSET\x00\x02\n";

impl SetResult {
    /// The exact state, for the `aggregate.bin` of a compare or sweep shard.
    /// Each aggregate records its monthly series (`Monthly`).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(SET_MAGIC);
        for x in [self.scenarios.len() as u64, self.diffs.len() as u64] {
            out.extend_from_slice(&x.to_le_bytes());
        }
        for a in self.scenarios.iter().chain(&self.diffs) {
            a.encode_into(&mut out);
        }
        out
    }

    /// Read a compare or sweep shard's aggregates, checking that they are
    /// those of `models` (difference k against model k + 1), keeping the
    /// `monthly` series.
    ///
    /// # Errors
    /// A message if the bytes are not such a set.
    pub fn decode(
        bytes: &[u8],
        models: &[&Model],
        monthly: Monthly,
    ) -> Result<SetResult, aggregate::DecodeError> {
        let mut r = aggregate::Reader::new(bytes);
        if r.bytes(8)? != SET_MAGIC {
            return Err("not the aggregates of a compare or sweep shard (wrong header)".into());
        }
        let (ns, nd) = (r.u64()?, r.u64()?);
        if ns != models.len() as u64 || nd + 1 != ns {
            return Err(aggregate::DecodeError(format!(
                "it holds {ns} scenario(s) and {nd} difference(s), not {} scenario(s)",
                models.len(),
            )));
        }
        let mut read = |m: &Model| -> Result<Aggregator, aggregate::DecodeError> {
            let a = Aggregator::decode_from(&mut r, m)?;
            if a.detail != monthly {
                return Err(aggregate::DecodeError(format!(
                    "its monthly series are `{}`, not `{}`",
                    a.detail.name(),
                    monthly.name()
                )));
            }
            Ok(a)
        };
        let scenarios = models
            .iter()
            .map(|m| read(m))
            .collect::<Result<Vec<_>, _>>()?;
        let diffs = models[1..]
            .iter()
            .map(|m| read(m))
            .collect::<Result<Vec<_>, _>>()?;
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
            self.detail.code(),
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
        let mut agg = Aggregator::decode_from(&mut r, model)?;
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
            let fired = Aggregator::decode_from(&mut r, model)?;
            let not_fired = Aggregator::decode_from(&mut r, model)?;
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
    ) -> Result<Aggregator, aggregate::DecodeError> {
        match r.bytes(8)? {
            m if m == AGG_MAGIC => {}
            m if m == AGG_MAGIC_V1 => {
                return Err(
                    "written by an earlier tariffsim (aggregate format 1); rerun the shard with this version"
                        .into(),
                );
            }
            _ => return Err("not a tariffsim aggregate (wrong header)".into()),
        }
        let detail = Monthly::from_code(r.u64()?)
            .ok_or_else(|| aggregate::DecodeError("unknown monthly detail code".into()))?;
        let months = r.u64()? as usize;
        let runs = r.u64()?;
        let (nm, nf, nr, ns) = (
            r.u64()? as usize,
            r.u64()? as usize,
            r.u64()? as usize,
            r.u64()? as usize,
        );
        let want = Aggregator::with(model, detail);
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
            runs,
            monthly,
            finals,
            first_fired,
            sample,
            split: None,
            ..want
        })
    }
}
