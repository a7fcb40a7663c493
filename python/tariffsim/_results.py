"""Result objects of the tariffsim Python API.

A command runs into a private temporary folder (the files ``tariffsim``
writes, byte for byte); a result object reads its CSVs as pandas DataFrames
on first use, copies the folder with ``write``, and removes it when the
object is garbage-collected. ``RunResult.runs`` is built from the engine's
per-run records in memory (numpy arrays), not from runs.csv.
"""

from __future__ import annotations

import json
import os
import shutil
import weakref
from pathlib import Path

import numpy as np
import pandas as pd


class Result:
    """The files of one command. Every CSV of the folder is a DataFrame,
    by file name without ``.csv`` (``r.tables["summary"]``, or
    ``r.summary``); ``manifest`` is manifest.json as a dict; ``write``
    copies the folder."""

    def __init__(self, folder: str | os.PathLike, cleanup: str | None, notes: list[str]):
        self._folder = Path(folder)
        self._tables: dict[str, pd.DataFrame] = {}
        self.notes = list(notes)
        if cleanup is not None:
            self._finalizer = weakref.finalize(self, shutil.rmtree, cleanup, True)

    @property
    def files(self) -> list[str]:
        """Paths of the folder's files, relative to it, sorted."""
        return sorted(
            str(p.relative_to(self._folder)).replace(os.sep, "/")
            for p in self._folder.rglob("*")
            if p.is_file()
        )

    @property
    def manifest(self) -> dict:
        """manifest.json: the inputs, settings and file hashes of the result."""
        return json.loads((self._folder / "manifest.json").read_text(encoding="utf-8"))

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every CSV of the folder as a DataFrame, by name without ``.csv``."""
        for p in sorted(self._folder.glob("*.csv")):
            self.table(p.stem)
        return dict(self._tables)

    def table(self, name: str) -> pd.DataFrame:
        """The DataFrame of ``name``.csv (its columns are the CSV's header)."""
        if name not in self._tables:
            path = self._folder / f"{name}.csv"
            if not path.is_file():
                have = ", ".join(p.stem for p in sorted(self._folder.glob("*.csv")))
                raise AttributeError(f"this result has no {name}.csv (it has: {have})")
            self._tables[name] = pd.read_csv(path)
        return self._tables[name]

    def __getattr__(self, name: str) -> pd.DataFrame:
        if name.startswith("_"):
            raise AttributeError(name)
        return self.table(name)

    def write(self, folder: str | os.PathLike) -> Path:
        """Write the result's files into ``folder`` (created; it must not
        exist or be empty): the files ``tariffsim`` writes for the same
        inputs, byte-identical (the manifest's ``command`` and
        ``wall_seconds`` excepted). Returns the folder."""
        dest = Path(folder)
        if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
            raise FileExistsError(
                f"{dest} exists and is not an empty folder; choose a new folder "
                "(tariffsim never writes over files it did not create)"
            )
        shutil.copytree(self._folder, dest, dirs_exist_ok=True)
        return dest

    def __repr__(self) -> str:
        m = self.manifest
        return (
            f"<{type(self).__name__} {m.get('scenario')}: {m.get('runs')} runs x "
            f"{m.get('months')} months, seed {m.get('seed')}; "
            f"tables: {', '.join(p.stem for p in sorted(self._folder.glob('*.csv')))}>"
        )


class RunResult(Result):
    """The result of ``tariffsim.run``: ``summary``, ``final``, ``annual``,
    ``events``, ``sensitivity`` (and ``split`` with ``split_by``) as
    DataFrames with the CSVs' columns; ``runs`` one row per run."""

    def __init__(self, native: dict, cleanup: str | None):
        super().__init__(native["folder"], cleanup, native["notes"])
        self._records = native
        self._runs: pd.DataFrame | None = None

    summary = property(lambda self: self.table("summary"), doc="summary.csv")
    final = property(lambda self: self.table("final"), doc="final.csv")
    annual = property(lambda self: self.table("annual"), doc="annual.csv")
    events = property(lambda self: self.table("events"), doc="events.csv")
    sensitivity = property(lambda self: self.table("sensitivity"), doc="sensitivity.csv")

    @property
    def runs(self) -> pd.DataFrame:
        """One row per run, the columns of runs.csv (``run``, the sampled
        parameters by path, the key outcomes ``METRIC:ECONOMY:horizon``,
        and ``fired:RULE``, the month each rule first fired, missing if it
        never did), from the engine's records at full precision (runs.csv
        rounds to 7 significant digits)."""
        if self._runs is None:
            self._runs = _runs_frame(self._records)
        return self._runs


def _runs_frame(rec: dict) -> pd.DataFrame:
    runs = np.frombuffer(rec["runs"], dtype=np.uint64)
    n = len(runs)
    params = np.frombuffer(rec["params"], dtype=np.float64).reshape(n, len(rec["param_names"]))
    outcomes = np.frombuffer(rec["outcomes"], dtype=np.float64).reshape(
        n, len(rec["outcome_names"])
    )
    fired = np.frombuffer(rec["first_fired"], dtype=np.uint32).reshape(n, len(rec["rule_names"]))
    months = np.array(list(rec["months"]) + [None], dtype=object)
    cols: dict[str, np.ndarray] = {"run": runs}
    for k, name in enumerate(rec["param_names"]):
        cols[name] = params[:, k]
    for k, name in enumerate(rec["outcome_names"]):
        cols[name] = outcomes[:, k]
    never = len(rec["months"])
    for k, rule in enumerate(rec["rule_names"]):
        idx = np.minimum(fired[:, k].astype(np.int64), never)
        cols[f"fired:{rule}"] = months[idx]
    return pd.DataFrame(cols)
