"""Sensitivity and exploratory analysis of a tariffsim scenario with SALib
and the EMA Workbench.

    pip install ./python SALib ema-workbench
    python python/examples/salib_and_ema.py [scenario.toml]

Runs a SALib Sobol analysis of US GDP (horizon average deviation from the
baseline) over the scenario's sampled parameters restricted to its top
rank correlations, then 50 EMA Workbench experiments over all of them.
"""

import sys
from pathlib import Path

import numpy as np
from ema_workbench import perform_experiments
from SALib.analyze import sobol as analyze
from SALib.sample import sobol as sample

import tariffsim

REPO = Path(__file__).resolve().parents[2]
scenario = sys.argv[1] if len(sys.argv) > 1 else REPO / "scenarios" / "london_framework.toml"

# 1. A Monte Carlo run; its sensitivity.csv ranks the parameters.
r = tariffsim.run(scenario, runs=1000, seed=1, charts=False)
print(r)
outcome = "gdp_dev:US:horizon"
ranked = r.runs.drop(columns=["run"]).filter(regex=r"^[^:]+$").corrwith(
    r.runs[outcome], method="spearman"
).abs().sort_values(ascending=False)
top = list(ranked.index[:6])
print("strongest rank correlations with", outcome, ":", ", ".join(top))

# 2. SALib on the unit cube of every sampled parameter, keeping the others at
#    the centre of their distributions (uniform 0.5 is the median).
p = tariffsim.salib.problem(scenario)
sub = {"num_vars": len(top), "names": top, "bounds": [[0.0, 1.0]] * len(top)}
X_sub = sample.sample(sub, 64, calc_second_order=False, seed=1)
X = np.full((len(X_sub), p["num_vars"]), 0.5)
for j, name in enumerate(top):
    X[:, p["names"].index(name)] = X_sub[:, j]
Y = tariffsim.salib.evaluate(scenario, X, outcome=outcome)
Si = analyze.analyze(sub, Y, calc_second_order=False, seed=1)
for name, s1, st in sorted(zip(top, Si["S1"], Si["ST"]), key=lambda t: -t[2]):
    print(f"  {name:45s} S1 {s1:6.3f}  ST {st:6.3f}")

# 3. EMA Workbench: the scenario's distributions as uncertainties.
m = tariffsim.ema.model(scenario, threads=None)
experiments, outcomes = perform_experiments(m, scenarios=50)
us = outcomes["gdp_dev_US"]
print(f"EMA: {len(experiments)} experiments; US GDP vs baseline, horizon average: "
      f"median {np.median(us):.2f} %, 5-95 % [{np.percentile(us, 5):.2f}, {np.percentile(us, 95):.2f}]")
