"""EMA Workbench adapter: a scenario as an ``ema_workbench.Model``.

Its uncertainties are the scenario's sampled parameters with their own
distributions (``RealParameter.from_dist`` with a scipy distribution whose
inverse CDF is the engine's, so truncations, PERT shapes and choices are
exact); its outcomes are the headline horizon outcomes of ``runs.csv``
(GDP deviation, rare-earth shortfall, welfare) as ``ScalarOutcome``s. Each
experiment is evaluated on common random numbers (the monthly shocks and
rule draws of run 0 of the seed), as ``tariffsim.salib.evaluate`` does.

    from ema_workbench import perform_experiments
    m = tariffsim.ema.model("scenarios/london_framework.toml")
    experiments, outcomes = perform_experiments(m, scenarios=100)

EMA Workbench names must be Python identifiers, so a parameter's name is
its path with ``.`` and other symbols as ``_`` (its ``variable_name`` is
the path), and an outcome ``gdp_dev:US:horizon`` is named ``gdp_dev_US``.
"""

from __future__ import annotations

import os
import re

import numpy as np

from . import _native
from ._api import SetArg, sets_list


def identifier(text: str) -> str:
    """``text`` as a Python identifier (EMA Workbench's rule for names)."""
    name = re.sub(r"\W", "_", text.removesuffix(":horizon"))
    return name if name.isidentifier() else f"_{name}"


def distribution(scenario: str | os.PathLike, index: int, *, set: SetArg = None):
    """Sampled parameter ``index`` of the scenario as a frozen scipy
    distribution on its support whose ``ppf`` is the engine's quantile."""
    from scipy import stats

    scenario = os.fspath(scenario)
    sets = sets_list(set)
    p = _native.params(scenario, sets)[index]

    def ppf(self, q):
        q = np.asarray(q, dtype=np.float64)
        v = _native.quantiles(scenario, index, q.ravel().tolist(), sets)
        return np.asarray(v, dtype=np.float64).reshape(q.shape)

    cls = type(f"tariffsim_{identifier(p['path'])}", (stats.rv_continuous,), {"_ppf": ppf})
    return cls(a=p["lo"], b=p["hi"], name=identifier(p["path"]))()


def model(
    scenario: str | os.PathLike,
    *,
    name: str | None = None,
    set: SetArg = None,
    seed: int | None = None,
    months: int | None = None,
    threads: int | None = 1,
):
    """An ``ema_workbench.Model`` of the scenario (see the module's doc)."""
    from ema_workbench import Model, RealParameter, ScalarOutcome

    scenario = os.fspath(scenario)
    sets = sets_list(set)
    ps = _native.params(scenario, sets)
    paths = [p["path"] for p in ps]
    names, _ = _native.evaluate(scenario, b"", 0, sets=sets)
    out_names = [identifier(n) for n in names]

    def simulate(**values):
        x = np.array([[float(values[p]) for p in paths]], dtype=np.float64)
        _, y = _native.evaluate(
            scenario,
            x.tobytes(),
            1,
            unit=False,
            seed=seed,
            threads=threads,
            months=months,
            sets=sets,
        )
        return dict(zip(out_names, np.frombuffer(y, dtype=np.float64).tolist()))

    # EMA Workbench takes letters and digits only in a model's name.
    stem = re.sub(r"[^A-Za-z0-9]", "", os.path.splitext(os.path.basename(scenario))[0])
    m = Model(name or stem or "tariffsim", function=simulate)
    m.uncertainties = [
        RealParameter.from_dist(
            identifier(p), distribution(scenario, i, set=sets), variable_name=p
        )
        for i, p in enumerate(paths)
    ]
    m.outcomes = [ScalarOutcome(n) for n in out_names]
    return m
