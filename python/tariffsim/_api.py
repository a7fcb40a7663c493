"""The commands of ``tariffsim`` as Python functions: ``run``, ``compare``,
``sweep`` and ``sobol`` take the command line's options as keyword
arguments, run the library (the GIL released; Ctrl-C stops the run and
raises KeyboardInterrupt, leaving nothing behind) and return result
objects with pandas DataFrames."""

from __future__ import annotations

import os
import shlex
import shutil
import tempfile
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

from . import _native
from ._results import Result, RunResult

SetArg = Mapping[str, Any] | Iterable[str] | None


def _set_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def sets_list(set: SetArg) -> list[str]:
    """``set={"key": value}`` (or ``["key=value", ...]``) as the CLI's
    ``--set KEY=VALUE`` overrides, in order."""
    if set is None:
        return []
    if isinstance(set, Mapping):
        return [f"{k}={_set_value(v)}" for k, v in set.items()]
    if isinstance(set, str):
        return [set]
    return [str(s) for s in set]


def _number(v: float) -> str:
    """A sweep value as the shortest text that reads back as it (1.0 as 1)."""
    text = repr(float(v))
    return text[:-2] if text.endswith(".0") else text


def _command(words: list[str], **opts: Any) -> str:
    """The equivalent command line, for the manifest's ``command``."""
    out = ["tariffsim", *words]
    for k, v in opts.items():
        if v is None or v is False:
            continue
        flag = "--" + k.replace("_", "-")
        if v is True:
            out.append(flag)
        elif isinstance(v, list):
            for x in v:
                out += [flag, str(x)]
        else:
            out += [flag, str(v)]
    return " ".join(shlex.quote(w) for w in out)


def _call(fn, *args, **kwargs) -> tuple[dict, str]:
    """Run a native command into a new temporary folder; remove it on failure
    (a Ctrl-C included)."""
    tmp = tempfile.mkdtemp(prefix="tariffsim-")
    try:
        res = fn(*args, out=tmp, **kwargs)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    for note in res["notes"]:
        if note.startswith("warning:"):
            warnings.warn(note, stacklevel=3)
    return res, tmp


def run(
    scenario: str | os.PathLike,
    *,
    runs: int | None = None,
    seed: int | None = None,
    set: SetArg = None,
    threads: int | None = None,
    months: int | None = None,
    detail: str = "aggregates",
    per_run: bool = False,
    charts: bool = True,
    split_by: str | None = None,
    chart_size: str = "report",
    max_memory_mb: int | None = None,
) -> RunResult:
    """Run a scenario's Monte Carlo simulation, as ``tariffsim run``.

    ``runs``, ``seed``, ``months`` default to the scenario's; ``threads`` to
    all cores (results do not depend on it); ``set`` overrides values by
    dotted path. ``detail="flows"`` keeps the per-flow monthly series;
    ``per_run`` also writes runs.csv (``result.runs`` is there either way);
    ``charts=False`` skips charts and report (``--no-charts``).
    """
    sets = sets_list(set)
    scenario = os.fspath(scenario)
    command = _command(
        ["run", scenario],
        runs=runs,
        seed=seed,
        threads=threads,
        months=months,
        set=sets,
        per_run=per_run,
        no_charts=not charts,
        split_by=split_by,
        detail=None if detail == "aggregates" else detail,
        chart_size=None if chart_size == "report" else chart_size,
        max_memory_mb=max_memory_mb,
    )
    res, tmp = _call(
        _native.run,
        scenario,
        name="result",
        command=command,
        runs=runs,
        seed=seed,
        threads=threads,
        months=months,
        sets=sets,
        per_run=per_run,
        charts=charts,
        detail=detail,
        split_by=split_by,
        chart_size=chart_size,
        max_memory_mb=max_memory_mb,
    )
    return RunResult(res, tmp)


def compare(
    scenarios: Iterable[str | os.PathLike],
    *,
    runs: int | None = None,
    seed: int | None = None,
    set: SetArg = None,
    threads: int | None = None,
    months: int | None = None,
    detail: str = "aggregates",
    tie: float = 0.001,
    charts: bool = True,
    chart_size: str = "report",
    max_memory_mb: int | None = None,
) -> Result:
    """Run scenarios on the same draws and compare them with the first, as
    ``tariffsim compare``: ``result.comparison`` and the folder's other
    CSVs as DataFrames."""
    paths = [os.fspath(s) for s in scenarios]
    if len(paths) < 2:
        raise ValueError("compare needs at least two scenarios; the first is the reference")
    sets = sets_list(set)
    command = _command(
        ["compare", *paths],
        runs=runs,
        seed=seed,
        threads=threads,
        months=months,
        set=sets,
        no_charts=not charts,
        tie=None if tie == 0.001 else tie,
        detail=None if detail == "aggregates" else detail,
        chart_size=None if chart_size == "report" else chart_size,
        max_memory_mb=max_memory_mb,
    )
    res, tmp = _call(
        _native.compare,
        paths,
        name="result",
        command=command,
        runs=runs,
        seed=seed,
        threads=threads,
        months=months,
        sets=sets,
        charts=charts,
        tie=tie,
        detail=detail,
        chart_size=chart_size,
        max_memory_mb=max_memory_mb,
    )
    return Result(res["folder"], tmp, res["notes"])


def sweep(
    scenario: str | os.PathLike,
    param: str,
    values: str | Iterable[float],
    *,
    runs: int | None = None,
    seed: int | None = None,
    set: SetArg = None,
    threads: int | None = None,
    months: int | None = None,
    tie: float = 0.001,
    charts: bool = True,
    chart_size: str = "report",
    max_memory_mb: int | None = None,
) -> Result:
    """Run one scenario per value of ``param`` on common random numbers, as
    ``tariffsim sweep``. ``values``: a list of numbers, or the CLI's
    ``"V1,V2,..."`` / ``"start:stop:step"``."""
    if not isinstance(values, str):
        values = ",".join(_number(v) for v in values)
    scenario = os.fspath(scenario)
    sets = sets_list(set)
    command = _command(
        ["sweep", scenario],
        param=param,
        values=values,
        runs=runs,
        seed=seed,
        threads=threads,
        months=months,
        set=sets,
        no_charts=not charts,
        tie=None if tie == 0.001 else tie,
        chart_size=None if chart_size == "report" else chart_size,
        max_memory_mb=max_memory_mb,
    )
    res, tmp = _call(
        _native.sweep,
        scenario,
        param,
        values,
        name="result",
        command=command,
        runs=runs,
        seed=seed,
        threads=threads,
        months=months,
        sets=sets,
        charts=charts,
        tie=tie,
        chart_size=chart_size,
        max_memory_mb=max_memory_mb,
    )
    return Result(res["folder"], tmp, res["notes"])


def sobol(
    scenario: str | os.PathLike,
    *,
    samples: int = 256,
    design: str = "qmc",
    bootstrap: int = 200,
    params: Iterable[str] = (),
    seed: int | None = None,
    set: SetArg = None,
    threads: int | None = None,
    months: int | None = None,
    charts: bool = True,
    chart_size: str = "report",
    max_memory_mb: int | None = None,
) -> Result:
    """Sobol indices of the key outcomes, as ``tariffsim sensitivity
    --method sobol``: ``result.sobol`` (and the folder's other CSVs)."""
    scenario = os.fspath(scenario)
    sets = sets_list(set)
    params = [str(p) for p in params]
    command = _command(
        ["sensitivity", scenario],
        samples=None if samples == 256 else samples,
        design=None if design == "qmc" else design,
        bootstrap=None if bootstrap == 200 else bootstrap,
        param=params,
        seed=seed,
        threads=threads,
        months=months,
        set=sets,
        no_charts=not charts,
        chart_size=None if chart_size == "report" else chart_size,
        max_memory_mb=max_memory_mb,
    )
    res, tmp = _call(
        _native.sobol,
        scenario,
        name="result",
        command=command,
        samples=samples,
        design=design,
        bootstrap=bootstrap,
        params=params,
        seed=seed,
        threads=threads,
        months=months,
        sets=sets,
        charts=charts,
        chart_size=chart_size,
        max_memory_mb=max_memory_mb,
    )
    return Result(res["folder"], tmp, res["notes"])
