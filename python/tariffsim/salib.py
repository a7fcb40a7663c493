"""SALib adapter: a scenario's sampled parameters as a SALib problem, and
the evaluation of a SALib sample matrix on common random numbers.

The problem is posed on the unit cube, one dimension per sampled parameter
(in the order of ``tariffsim.params``), exactly as ``tariffsim sensitivity``
poses its Sobol design: a point's uniforms go through each parameter's own
inverse CDF (truncated normals and lognormals, PERT, choices: the
scenario's distributions, which SALib's ``dists`` do not all cover), and
every point gets the monthly shocks and rule draws of run 0 of the seed,
so the outcomes are a deterministic function of the parameters.

    from SALib.sample import sobol as sample
    from SALib.analyze import sobol as analyze
    p = tariffsim.salib.problem("scenarios/london_framework.toml")
    X = sample.sample(p, 256)
    Y = tariffsim.salib.evaluate("scenarios/london_framework.toml", X, outcome="gdp_dev:US")
    Si = analyze.analyze(p, Y)
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from . import _native
from ._api import SetArg, sets_list


def problem(scenario: str | os.PathLike, *, set: SetArg = None) -> dict:
    """The SALib problem dict of the scenario's sampled parameters:
    ``num_vars``, ``names`` (their ``--set`` paths), ``bounds`` ([0, 1]
    each) and ``dists`` ("unif" each): the unit cube that ``evaluate``
    maps through the parameters' distributions."""
    ps = _native.params(os.fspath(scenario), sets_list(set))
    k = len(ps)
    return {
        "num_vars": k,
        "names": [p["path"] for p in ps],
        "bounds": [[0.0, 1.0]] * k,
        "dists": ["unif"] * k,
    }


def outcomes(scenario: str | os.PathLike, *, set: SetArg = None) -> list[str]:
    """Names of the outcomes ``evaluate`` returns (``METRIC:ECONOMY:horizon``)."""
    names, _ = _native.evaluate(os.fspath(scenario), b"", 0, sets=sets_list(set))
    return list(names)


def _matrix(X, k: int) -> np.ndarray:
    x = np.ascontiguousarray(np.asarray(X, dtype=np.float64))
    if x.ndim == 1:
        x = x.reshape(1, -1)
    if x.ndim != 2 or x.shape[1] != k:
        raise ValueError(f"X must have one column per sampled parameter ({k}); got shape {x.shape}")
    return x


def _pick(names: list[str], outcome: str) -> int:
    for i, n in enumerate(names):
        if outcome in (n, n.removesuffix(":horizon")):
            return i
    raise ValueError(f"no outcome {outcome!r}; the outcomes are: {', '.join(names)}")


def evaluate(
    scenario: str | os.PathLike,
    X,
    *,
    outcome: str | None = None,
    unit: bool = True,
    seed: int | None = None,
    set: SetArg = None,
    threads: int | None = None,
    months: int | None = None,
):
    """The key outcomes at each row of ``X`` (one column per sampled
    parameter, uniforms in (0, 1) when ``unit``, else parameter values),
    on common random numbers. With ``outcome`` (e.g. ``"gdp_dev:US"``) a
    1-D array for ``SALib.analyze``; without, a DataFrame of every outcome."""
    scenario = os.fspath(scenario)
    sets = sets_list(set)
    k = len(_native.params(scenario, sets))
    x = _matrix(X, k)
    names, y = _native.evaluate(
        scenario,
        x.tobytes(),
        x.shape[0],
        unit=unit,
        seed=seed,
        threads=threads,
        months=months,
        sets=sets,
    )
    Y = np.frombuffer(y, dtype=np.float64).reshape(x.shape[0], len(names))
    if outcome is not None:
        return Y[:, _pick(list(names), outcome)].copy()
    return pd.DataFrame(Y, columns=list(names))


def values(scenario: str | os.PathLike, X, *, set: SetArg = None) -> pd.DataFrame:
    """The parameter values of the unit-cube rows ``X`` (what ``evaluate``
    simulates), by parameter path."""
    scenario = os.fspath(scenario)
    sets = sets_list(set)
    ps = _native.params(scenario, sets)
    x = _matrix(X, len(ps))
    return pd.DataFrame(
        {p["path"]: _native.quantiles(scenario, i, x[:, i].tolist(), sets) for i, p in enumerate(ps)}
    )
