#!/usr/bin/env python3
"""Statistical equivalence of two tariffsim runs of the same scenario, seed
and run count (e.g. before and after an engine change that may move results
by rounding): for every key outcome of runs.csv (`--per-run`),

- the paired difference run by run (the runs share their draws): largest
  absolute and relative difference;
- the two-sample Kolmogorov-Smirnov statistic D and its asymptotic p-value;
- the paired t statistic of the mean difference;
- the difference of the 5, 50 and 95 % quantiles against their Monte Carlo
  standard error (order-statistic binomial interval, in units of the
  outcome).

Usage: benches/equivalence.py BEFORE/runs.csv AFTER/runs.csv
Exit 1 if any outcome fails: KS p < 0.01 or a quantile moving by more than
two Monte Carlo standard errors. Standard library only.
"""
import csv
import math
import sys


def ks_p(d, n, m):
    """Asymptotic p-value of the two-sample KS statistic (Kolmogorov)."""
    en = math.sqrt(n * m / (n + m))
    lam = (en + 0.12 + 0.11 / en) * d
    if lam < 1e-3:
        return 1.0
    s = sum(2 * (-1) ** (k - 1) * math.exp(-2 * k * k * lam * lam) for k in range(1, 101))
    return max(0.0, min(1.0, s))


def ks(a, b):
    a, b = sorted(a), sorted(b)
    i = j = 0
    d = 0.0
    while i < len(a) and j < len(b):
        x = min(a[i], b[j])
        while i < len(a) and a[i] <= x:
            i += 1
        while j < len(b) and b[j] <= x:
            j += 1
        d = max(d, abs(i / len(a) - j / len(b)))
    return d


def quantile_se(sorted_x, q):
    """Half the width of the ~68 % order-statistic interval of quantile q."""
    n = len(sorted_x)
    s = math.sqrt(n * q * (1 - q))
    lo = sorted_x[max(0, int(math.floor(n * q - s)))]
    hi = sorted_x[min(n - 1, int(math.ceil(n * q + s)))]
    return (hi - lo) / 2


def read(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    head, body = rows[0], rows[1:]
    cols = [k for k, h in enumerate(head) if h.endswith(":horizon")]
    return head, {r[0]: r for r in body}, cols


def main():
    head_a, a, cols = read(sys.argv[1])
    head_b, b, _ = read(sys.argv[2])
    if head_a != head_b or a.keys() != b.keys():
        sys.exit("the two files hold different columns or runs")
    runs = sorted(a, key=int)
    fail = 0
    print(f"{len(runs)} runs, {len(cols)} key outcomes")
    print(f"{'outcome':<28} {'max |d|':>10} {'max rel':>9} {'paired t':>9} {'KS D':>7} {'KS p':>6}  quantile moves / MC se (p05 p50 p95)")
    for c in cols:
        x = [float(a[r][c]) for r in runs]
        y = [float(b[r][c]) for r in runs]
        d = [v - u for u, v in zip(x, y)]
        n = len(d)
        mad = max(abs(v) for v in d)
        rel = max(abs(v) / max(abs(u), 1e-12) for u, v in zip(x, d))
        mean = sum(d) / n
        sd = math.sqrt(sum((v - mean) ** 2 for v in d) / max(n - 1, 1))
        t = 0.0 if sd == 0 else mean / (sd / math.sqrt(n))
        dks = ks(x, y)
        p = ks_p(dks, n, n)
        sx, sy = sorted(x), sorted(y)
        moves = []
        for q in (0.05, 0.5, 0.95):
            k = min(n - 1, int(round(q * (n - 1))))
            se = quantile_se(sx, q)
            moves.append(0.0 if se == 0 else abs(sy[k] - sx[k]) / se)
        bad = p < 0.01 or max(moves) > 2.0
        fail += bad
        print(f"{head_a[c]:<28} {mad:>10.2e} {rel:>9.1e} {t:>9.2f} {dks:>7.4f} {p:>6.3f}  "
              + " ".join(f"{m:.2f}" for m in moves) + ("  FAIL" if bad else ""))
    print("equivalent" if fail == 0 else f"{fail} outcome(s) not equivalent")
    sys.exit(1 if fail else 0)


if __name__ == "__main__":
    main()
