"""SALib cross-check of tariffsim's Sobol indices on the Ishigami function.

Computes first-order and total indices of Ishigami (a = 7, b = 0.1) with
SALib's Saltelli/Sobol' sampler (scrambled Sobol' points, SciPy's LMS+shift)
and analyzer at the same N as tariffsim's estimator (`examples/ishigami.rs`,
qmc and random designs), over several seeds, and prints the mean estimates,
their RMSE against the closed form and the mean 95 % interval widths.

Not part of CI. Run from the repository root:

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install SALib numpy
    cargo build --release --example ishigami
    /tmp/venv/bin/python benches/crosscheck/ishigami_salib.py [N] [SEEDS]
"""

import json
import os
import subprocess
import sys

import numpy as np
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample
from SALib.test_functions import Ishigami

S1_TRUE = np.array([0.3139, 0.4424, 0.0])
ST_TRUE = np.array([0.5576, 0.4424, 0.2437])
EXAMPLE = os.path.join(
    os.environ.get("CARGO_TARGET_DIR", "target"), "release", "examples", "ishigami"
)
PROBLEM = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}


def salib(n, seed):
    x = sobol_sample.sample(PROBLEM, n, calc_second_order=False, seed=seed)
    y = Ishigami.evaluate(x)
    r = sobol_analyze.analyze(
        PROBLEM, y, calc_second_order=False, num_resamples=1000, seed=seed
    )
    # SALib's *_conf is the half-width of a normal-approximation interval.
    return r["S1"], r["ST"], 2 * r["S1_conf"], 2 * r["ST_conf"]


def tariffsim(n, seed, design):
    out = subprocess.run(
        [EXAMPLE, str(n), str(seed), design],
        check=True,
        capture_output=True,
        text=True,
    )
    r = json.loads(out.stdout)
    s1, st = np.array(r["S1"]), np.array(r["ST"])
    w1 = np.array(r["S1_hi"]) - np.array(r["S1_lo"])
    wt = np.array(r["ST_hi"]) - np.array(r["ST_lo"])
    return s1, st, w1, wt


def summary(name, results):
    s1 = np.array([r[0] for r in results])
    st = np.array([r[1] for r in results])
    err = np.concatenate([(s1 - S1_TRUE).ravel(), (st - ST_TRUE).ravel()])
    width = np.mean([np.mean(np.r_[r[2], r[3]]) for r in results])
    fmt = lambda v: "(" + ", ".join(f"{x:.4f}" for x in v) + ")"
    print(
        f"{name:<16} S1 {fmt(s1.mean(0))}  ST {fmt(st.mean(0))}  "
        f"RMSE {np.sqrt(np.mean(err**2)):.4f}  mean 95% width {width:.4f}"
    )


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1024
    seeds = range(1, 1 + (int(sys.argv[2]) if len(sys.argv) > 2 else 16))
    print(f"Ishigami, N = {n} ({5 * n} model runs), {len(seeds)} seeds; "
          f"closed form S1 {S1_TRUE.tolist()} ST {ST_TRUE.tolist()}")
    summary("SALib sobol", [salib(n, s) for s in seeds])
    summary("tariffsim qmc", [tariffsim(n, s, "qmc") for s in seeds])
    summary("tariffsim random", [tariffsim(n, s, "random") for s in seeds])


if __name__ == "__main__":
    main()
