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

import os as _os

import pandas as _pd

from . import _native, ema, salib
from ._api import SetArg, compare, run, sets_list, sobol, sweep
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

_PARAM_COLUMNS = ["path", "label", "distribution", "central", "lo", "hi", "integer", "kind", "args"]


def params(scenario: str | _os.PathLike, *, set: SetArg = None) -> _pd.DataFrame:
    """The scenario's sampled parameters, one row each in the order of
    ``RunResult.runs`` and of the Sobol design's dimensions: ``path`` (for
    ``set=``), ``label``, ``distribution`` (as ``tariffsim explain
    --params`` words it), ``central`` value, support ``lo`` and ``hi``,
    ``integer``, and the family ``kind`` with its ``args``."""
    rows = _native.params(_os.fspath(scenario), sets_list(set))
    return _pd.DataFrame(rows, columns=_PARAM_COLUMNS)
