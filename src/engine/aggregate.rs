//! Streaming aggregation of Monte Carlo outputs with memory that does not
//! grow with the number of runs, and partial results that merge exactly in
//! any order (threads, shards).
//!
//! Per series and month a `Cell` keeps:
//! - the count and sums of x and x^2 in 2^-32 fixed point (i128): integer
//!   sums are exact and associative, so the mean and sd do not depend on
//!   the order runs were added or merged;
//! - a log-bucketed histogram (the DDSketch idea, with buckets read off the
//!   bits of the f64): bucket k holds values whose top 7 mantissa bits and
//!   exponent give k. A quantile is the midpoint of the bucket holding the
//!   requested rank, clamped to the exact min and max, so it is within
//!   0.39 % (2^-8) of the exact order statistic's magnitude. Values of
//!   magnitude below 1e-6 (in the metric's unit: pp, USD bn, shares) count
//!   as zero, which also bounds how far the histograms reach toward zero.
//!
//! Memory per cell grows only with the logarithm of the range of values seen,
//! never with the number of runs; bucket counts take two bytes (with rare
//! carries kept aside).

/// Mantissa bits used for bucket indices: relative accuracy 2^-(M+1).
const M: u32 = 7;

crate::message_error!(
    /// Why a shard's `aggregate.bin` cannot be read (truncated, corrupted, or of another scenario).
    DecodeError
);

/// Guaranteed relative accuracy of reported quantiles.
pub const QUANTILE_RELATIVE_ACCURACY: f64 = 1.0 / (1u64 << (M + 1)) as f64;
/// Paired differences smaller than this (in the metric's unit) are ties.
pub const TIE: f64 = 1e-6;
/// Magnitudes below this count as exactly zero.
pub const ZERO_THRESHOLD: f64 = 1e-6;
const FIX: f64 = 4_294_967_296.0; // 2^32

/// Largest magnitude a cell accepts. Larger values (no meaningful output
/// comes near: world GDP is about 1e5 USD bn) count with the non-finite ones
/// and fail the run, because x^2 in 2^-32 fixed point summed over 2^32 runs
/// must stay inside i128 (2^32 * 1e18 * 2^32 < 2^127).
pub const MAX_MAGNITUDE: f64 = 1e9;

/// Dense counts over a window of bucket indices. Counts are kept as their
/// low 16 bits, with the rare multiples of 65,536 carried into a side list:
/// half the bytes of u32 counts, and the histograms are what the
/// aggregation's cache misses are made of.
#[derive(Debug, Clone, Default)]
struct Store {
    offset: i32,
    counts: Vec<u16>,
    /// (bucket index, multiples of 65,536), sorted by index.
    carries: Vec<(i32, u64)>,
}

impl Store {
    /// Add one value to bucket `idx`.
    #[inline]
    fn add1(&mut self, idx: i32) {
        // Fast path: inside the current window and no carry (almost every
        // value once warm).
        let k = idx.wrapping_sub(self.offset) as u32 as usize;
        if let Some(c) = self.counts.get_mut(k)
            && *c < u16::MAX
        {
            *c += 1;
            return;
        }
        self.add(idx, 1);
    }

    /// Add `n` values to bucket `idx`, growing the window as needed.
    #[cold]
    fn add(&mut self, idx: i32, n: u64) {
        if self.counts.is_empty() {
            self.offset = idx;
            self.counts.push(0);
        }
        if idx < self.offset {
            let grow = (self.offset - idx) as usize + 8;
            let mut v = vec![0u16; grow];
            v.extend_from_slice(&self.counts);
            self.counts = v;
            self.offset -= grow as i32;
        }
        let k = (idx - self.offset) as usize;
        if k >= self.counts.len() {
            self.counts.resize(k + 9, 0);
        }
        let total = u64::from(self.counts[k]) + n;
        self.counts[k] = (total & 0xffff) as u16;
        let carry = total >> 16;
        if carry > 0 {
            match self.carries.binary_search_by_key(&idx, |c| c.0) {
                Ok(p) => self.carries[p].1 += carry,
                Err(p) => self.carries.insert(p, (idx, carry)),
            }
        }
    }

    /// The full count of bucket `idx` given its low 16 bits.
    #[inline]
    fn full(&self, idx: i32, low: u16) -> u64 {
        let carried = if self.carries.is_empty() {
            0
        } else {
            self.carries
                .binary_search_by_key(&idx, |c| c.0)
                .map_or(0, |p| self.carries[p].1)
        };
        u64::from(low) + (carried << 16)
    }

    fn merge(&mut self, other: &Store) {
        for (idx, c) in other.iter() {
            self.add(idx, c);
        }
    }

    /// (index, count) pairs of the non-empty buckets in increasing index order.
    fn iter(&self) -> impl DoubleEndedIterator<Item = (i32, u64)> + '_ {
        self.counts.iter().enumerate().filter_map(move |(k, &c)| {
            let idx = self.offset + k as i32;
            let n = self.full(idx, c);
            (n > 0).then_some((idx, n))
        })
    }

    fn heap_bytes(&self) -> usize {
        2 * self.counts.capacity() + 16 * self.carries.capacity()
    }
}

#[inline]
fn bucket(mag: f64) -> i32 {
    let bits = mag.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32 - 1023;
    let mant = ((bits >> (52 - M)) & ((1 << M) - 1)) as i32;
    (exp << M) | mant
}

#[inline]
fn bucket_mid(idx: i32) -> f64 {
    let exp = idx >> M;
    let mant = idx & ((1 << M) - 1);
    let lo = (1.0 + mant as f64 / (1 << M) as f64) * 2f64.powi(exp);
    let hi = (1.0 + (mant + 1) as f64 / (1 << M) as f64) * 2f64.powi(exp);
    0.5 * (lo + hi)
}

/// Summary statistics of one series-month.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    pub mean: f64,
    pub sd: f64,
    pub p05: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
}

#[derive(Debug, Clone, Default)]
pub struct Cell {
    m: Moments,
    pos: Store,
    neg: Store,
}

/// A cell's counts and exact fixed-point sums (the histograms aside).
#[derive(Debug, Clone, Copy)]
struct Moments {
    n: u64,
    s1: i128,
    s2: i128,
    min: f64,
    max: f64,
    zero: u64,
    nonfinite: u64,
}

impl Default for Moments {
    fn default() -> Self {
        Moments {
            n: 0,
            s1: 0,
            s2: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            zero: 0,
            nonfinite: 0,
        }
    }
}

impl Moments {
    /// Count `x`; `Some(x)` if it also goes into a histogram (finite, not
    /// zero).
    #[inline]
    fn push(&mut self, x: f64) -> Option<f64> {
        if x.is_nan() || x.abs() > MAX_MAGNITUDE {
            self.nonfinite += 1;
            return None;
        }
        self.n += 1;
        // Fixed point by truncation toward zero (deterministic). The i64 path
        // is a single instruction per sum; larger squares take the i128
        // path, and MAX_MAGNITUDE keeps every sum inside i128.
        let a = x * FIX;
        let b = x * x * FIX;
        if a.abs() < 9.0e18 && b < 9.0e18 {
            // SAFETY: a and b are finite (|x| <= MAX_MAGNITUDE) and of
            // magnitude below 9.0e18 < 2^63, so their truncations fit in an
            // i64 (what `as` gives, without its saturation checks).
            let (a, b) = unsafe { (a.to_int_unchecked::<i64>(), b.to_int_unchecked::<i64>()) };
            self.s1 += i128::from(a);
            self.s2 += i128::from(b);
        } else {
            self.s1 += a as i128;
            self.s2 += b as i128;
        }
        // -0.0 + 0.0 is +0.0: f64::min and max may return either zero of
        // a (-0.0, +0.0) pair, so without this a cell of zeros would report
        // the sign of whichever zero its thread or shard merged first.
        // Neither z nor the running min and max (from +-infinity) is NaN or
        // -0.0, so plain comparisons give f64::min and max's bits.
        let z = x + 0.0;
        if z < self.min {
            self.min = z;
        }
        if z > self.max {
            self.max = z;
        }
        if x.abs() < ZERO_THRESHOLD {
            self.zero += 1;
            None
        } else {
            Some(x)
        }
    }
}

impl Cell {
    #[inline]
    pub fn add(&mut self, x: f64) {
        if let Some(x) = self.m.push(x) {
            self.bin(x);
        }
    }

    /// A non-zero value's histogram bucket.
    #[inline]
    fn bin(&mut self, x: f64) {
        if x > 0.0 {
            self.pos.add1(bucket(x.abs()));
        } else {
            self.neg.add1(bucket(x.abs()));
        }
    }

    pub fn merge(&mut self, o: &Cell) {
        self.m.n += o.m.n;
        self.m.s1 += o.m.s1;
        self.m.s2 += o.m.s2;
        self.m.min = self.m.min.min(o.m.min);
        self.m.max = self.m.max.max(o.m.max);
        self.m.zero += o.m.zero;
        self.m.nonfinite += o.m.nonfinite;
        self.pos.merge(&o.pos);
        self.neg.merge(&o.neg);
    }

    /// Share of the values below `-tol`, from the histogram: a paired
    /// difference smaller than `tol` in the metric's unit is a tie, neither
    /// worse nor better. `tol` is at least `TIE` (solver tolerance,
    /// rounding); values are counted by bucket, so the threshold is exact to
    /// the histogram's accuracy at `tol`.
    pub fn fraction_below(&self, tol: f64) -> f64 {
        self.fraction_beyond(&self.neg, tol.max(TIE))
    }

    /// Share of the values above `tol` (at least `TIE`).
    pub fn fraction_above(&self, tol: f64) -> f64 {
        self.fraction_beyond(&self.pos, tol.max(TIE))
    }

    /// The mean (NaN when empty), as `stats` reports it: an exactly
    /// constant series reports its value; otherwise the fixed-point sum's
    /// mean, within [min, max].
    pub fn mean(&self) -> f64 {
        if self.m.n == 0 {
            f64::NAN
        } else if self.m.min == self.m.max {
            self.m.min
        } else {
            (self.m.s1 as f64 / FIX / self.m.n as f64).clamp(self.m.min, self.m.max)
        }
    }

    fn fraction_beyond(&self, st: &Store, tol: f64) -> f64 {
        if self.m.n == 0 {
            return f64::NAN;
        }
        // Buckets hold magnitudes; those from tol's bucket up are beyond it.
        let from = bucket(tol);
        let k: u64 = st
            .iter()
            .filter(|(idx, _)| *idx >= from)
            .map(|(_, c)| c)
            .sum();
        k as f64 / self.m.n as f64
    }

    pub fn count(&self) -> u64 {
        self.m.n
    }

    pub fn nonfinite(&self) -> u64 {
        self.m.nonfinite
    }

    /// Values at ranks `ks` (0-based, ascending) in sorted order, to the
    /// sketch's accuracy, in one pass over the buckets.
    fn at_ranks<const N: usize>(&self, ks: [u64; N]) -> [f64; N] {
        let (lo, hi) = (self.m.min, self.m.max);
        let mut out = [hi; N];
        let mut j = 0;
        let mut seen = 0u64;
        // Every rank below `seen` lies in the buckets passed: they take `v`.
        let mut fill = |seen: u64, v: f64, j: &mut usize| {
            while *j < N && seen > ks[*j] {
                out[*j] = v.clamp(lo, hi);
                *j += 1;
            }
            *j == N
        };
        for (idx, c) in self.neg.iter().rev() {
            seen += c;
            if fill(seen, -bucket_mid(idx), &mut j) {
                return out;
            }
        }
        seen += self.m.zero;
        if fill(seen, 0.0, &mut j) {
            return out;
        }
        for (idx, c) in self.pos.iter() {
            seen += c;
            if fill(seen, bucket_mid(idx), &mut j) {
                return out;
            }
        }
        out
    }

    /// The rank of quantile q among n values: round(q (n - 1)).
    fn rank(&self, q: f64) -> u64 {
        ((q * (self.m.n - 1) as f64).round() as u64).min(self.m.n - 1)
    }

    /// Nearest-rank quantile: the value of rank round(q (n - 1)).
    pub fn quantile(&self, q: f64) -> f64 {
        if self.m.n == 0 {
            return f64::NAN;
        }
        self.at_ranks([self.rank(q)])[0]
    }

    pub fn stats(&self) -> Stats {
        if self.m.n == 0 {
            return Stats {
                mean: f64::NAN,
                sd: f64::NAN,
                p05: f64::NAN,
                p25: f64::NAN,
                p50: f64::NAN,
                p75: f64::NAN,
                p95: f64::NAN,
            };
        }
        let n = self.m.n as f64;
        let mean = self.m.s1 as f64 / FIX / n;
        let sd = if self.m.n > 1 {
            let var = (self.m.s2 as f64 / FIX / n - mean * mean).max(0.0) * n / (n - 1.0);
            // A constant series has zero spread whatever the rounding.
            if self.m.min == self.m.max {
                0.0
            } else {
                var.sqrt()
            }
        } else {
            0.0
        };
        // An exactly constant series reports its value.
        let mean = self.mean();
        let [p05, p25, p50, p75, p95] =
            self.at_ranks([0.05, 0.25, 0.50, 0.75, 0.95].map(|q| self.rank(q)));
        Stats {
            mean,
            sd,
            p05,
            p25,
            p50,
            p75,
            p95,
        }
    }

    /// Ask the CPU to start loading this cell's histograms (up to 2 KiB of
    /// each) so that a later `add_all` finds them in cache: the aggregation
    /// is otherwise bound by cache misses on scattered histogram buckets.
    #[inline]
    pub fn prefetch(&self) {
        #[cfg(target_arch = "x86_64")]
        for st in [&self.pos, &self.neg] {
            let n = st.counts.len();
            let p = st.counts.as_ptr();
            // 32 two-byte counts per 64-byte line.
            for k in (0..n).step_by(32) {
                // SAFETY: k < len, so the address is inside the allocation;
                // a prefetch has no architectural effect.
                unsafe {
                    std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T1 }>(
                        p.add(k).cast(),
                    );
                }
            }
        }
    }

    /// Add a batch of values (the same series-month from consecutive runs):
    /// the cell stays in cache while its values go in.
    #[inline]
    pub fn add_all(&mut self, xs: &[f64]) {
        // The same arithmetic as `add`, with the running totals kept in
        // registers for the whole batch (this is the aggregation hot loop).
        let mut m = self.m;
        for &x in xs {
            if let Some(x) = m.push(x) {
                self.bin(x);
            }
        }
        self.m = m;
    }

    /// Append the cell's exact state to `out` (little-endian), for shards.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.m.n.to_le_bytes());
        out.extend_from_slice(&self.m.s1.to_le_bytes());
        out.extend_from_slice(&self.m.s2.to_le_bytes());
        out.extend_from_slice(&self.m.min.to_le_bytes());
        out.extend_from_slice(&self.m.max.to_le_bytes());
        out.extend_from_slice(&self.m.zero.to_le_bytes());
        out.extend_from_slice(&self.m.nonfinite.to_le_bytes());
        for st in [&self.pos, &self.neg] {
            // Only the occupied window: the slack of growth is not state.
            // Counts are written in full, as u32.
            let mut used = st.iter();
            match (used.next(), used.next_back()) {
                (Some((a, _)), last) => {
                    let b = last.map_or(a, |(b, _)| b);
                    out.extend_from_slice(&a.to_le_bytes());
                    out.extend_from_slice(&((b - a + 1) as u32).to_le_bytes());
                    for idx in a..=b {
                        let c = st.full(idx, st.counts[(idx - st.offset) as usize]);
                        // A bucket cannot pass 2^32 values within one shard
                        // before the run count (u64) makes the shard absurd.
                        let c = u32::try_from(c).unwrap_or(u32::MAX);
                        out.extend_from_slice(&c.to_le_bytes());
                    }
                }
                _ => {
                    out.extend_from_slice(&0i32.to_le_bytes());
                    out.extend_from_slice(&0u32.to_le_bytes());
                }
            }
        }
    }

    /// Read a cell written by `encode`.
    ///
    /// # Errors
    /// If the bytes end early or are inconsistent.
    pub fn decode(r: &mut Reader<'_>) -> Result<Cell, DecodeError> {
        let mut c = Cell {
            m: Moments {
                n: r.u64()?,
                s1: r.i128()?,
                s2: r.i128()?,
                min: r.f64()?,
                max: r.f64()?,
                zero: r.u64()?,
                nonfinite: r.u64()?,
            },
            ..Cell::default()
        };
        for k in 0..2 {
            let offset = r.i32()?;
            let len = r.u32()? as usize;
            // Bucket indices of finite magnitudes lie within +-2^18.
            if len > 1 << 20 || offset.unsigned_abs() > 1 << 18 {
                return Err(DecodeError("implausible histogram size or offset".into()));
            }
            let mut st = Store::default();
            for k in 0..len {
                let c = r.u32()?;
                if c > 0 {
                    st.add(offset.saturating_add(k as i32), u64::from(c));
                }
            }
            if k == 0 {
                c.pos = st;
            } else {
                c.neg = st;
            }
        }
        let total: u64 = c.m.zero
            + c.pos
                .iter()
                .chain(c.neg.iter())
                .map(|(_, x)| x)
                .sum::<u64>();
        if total != c.m.n {
            return Err(DecodeError(format!(
                "histogram counts ({total}) do not match the count ({})",
                c.m.n
            )));
        }
        Ok(c)
    }

    /// Bytes of heap memory held (for the memory estimate).
    pub fn heap_bytes(&self) -> usize {
        self.pos.heap_bytes() + self.neg.heap_bytes()
    }
}

/// A little-endian reader over bytes, for decoding shard aggregates.
pub struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, at: 0 }
    }

    fn take<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let end = self.at + N;
        let slice = self
            .bytes
            .get(self.at..end)
            .ok_or_else(|| format!("the file ends early (at byte {})", self.at))?;
        self.at = end;
        let mut a = [0u8; N];
        a.copy_from_slice(slice);
        Ok(a)
    }

    pub fn u64(&mut self) -> Result<u64, DecodeError> {
        self.take::<8>().map(u64::from_le_bytes)
    }
    pub fn u32(&mut self) -> Result<u32, DecodeError> {
        self.take::<4>().map(u32::from_le_bytes)
    }
    pub fn i32(&mut self) -> Result<i32, DecodeError> {
        self.take::<4>().map(i32::from_le_bytes)
    }
    pub fn i128(&mut self) -> Result<i128, DecodeError> {
        self.take::<16>().map(i128::from_le_bytes)
    }
    pub fn f64(&mut self) -> Result<f64, DecodeError> {
        self.take::<8>().map(f64::from_le_bytes)
    }
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self.at.checked_add(n).ok_or("size overflow")?;
        let s = self
            .bytes
            .get(self.at..end)
            .ok_or_else(|| format!("the file ends early (at byte {})", self.at))?;
        self.at = end;
        Ok(s)
    }
    pub fn done(&self) -> bool {
        self.at == self.bytes.len()
    }
}

#[cfg(test)]
#[path = "aggregate_tests.rs"]
mod tests;
