"""tariffsim: Monte Carlo simulation of tariffs, export licensing and
retaliation, from Python.

    import tariffsim
    r = tariffsim.run("scenarios/london_framework.toml", runs=2000, seed=1)
    r.summary        # summary.csv as a DataFrame (also final, annual, events, sensitivity)
    r.runs           # one row per run: sampled parameters, key outcomes, rule firings
    r.write("out/london")   # the files `tariffsim run` writes, byte for byte

``compare``, ``sweep`` and ``sobol`` mirror the other commands;
``tariffsim.salib`` and ``tariffsim.ema`` adapt a scenario to SALib and
to the EMA Workbench. Errors raise ``tariffsim.ScenarioError`` and its
siblings (``tariffsim.errors``) with the command line's messages.
"""

from . import ema, salib
from ._api import compare, run, sets_list, sobol, sweep
from ._native import __version__
from ._results import Result, RunResult
from .errors import RunError, ScenarioError, TariffsimError, UsageError

__all__ = [
    "Result",
    "RunError",
    "RunResult",
    "ScenarioError",
    "TariffsimError",
    "UsageError",
    "__version__",
    "compare",
    "ema",
    "params",
    "run",
    "salib",
    "sets_list",
    "sobol",
    "sweep",
]


def params(scenario, *, set=None):
    """The scenario's sampled parameters as a DataFrame (one row each, in
    the order of ``RunResult.runs`` and of the Sobol design): path, label,
    distribution, central value, support (lo, hi), integer."""
    import os

    import pandas as pd

    rows = _native.params(os.fspath(scenario), sets_list(set))
    return pd.DataFrame(rows, columns=["path", "label", "distribution", "central", "lo", "hi", "integer", "kind", "args"])


from . import _native  # noqa: E402  (used by params)
