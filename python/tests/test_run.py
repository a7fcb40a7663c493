"""`tariffsim.run` and its result: DataFrames with the CSVs' columns, the
per-run records, the manifest, overrides and errors."""

import csv
import re

import numpy as np
import pandas as pd
import pytest

import tariffsim
from conftest import LONDON, run_cli


@pytest.fixture(scope="module")
def london():
    return tariffsim.run(LONDON, runs=300, seed=3, threads=2, charts=False, per_run=True)


def header(path):
    with open(path, newline="", encoding="utf-8") as f:
        return next(csv.reader(f))


@pytest.mark.parametrize("name", ["summary", "final", "annual", "events", "sensitivity", "runs"])
def test_tables_have_the_csv_columns_and_rows(london, name):
    path = london._folder / f"{name}.csv"
    df = london.runs if name == "runs" else getattr(london, name)
    assert list(df.columns) == header(path)
    with open(path, encoding="utf-8") as f:
        assert len(df) == sum(1 for _ in f) - 1
    assert len(df) > 0


def test_runs_are_the_engine_records_at_full_precision(london):
    runs = london.runs
    from_csv = pd.read_csv(london._folder / "runs.csv")
    assert runs["run"].tolist() == list(range(300))
    assert runs["run"].dtype == np.uint64
    numeric = [c for c in runs.columns if not c.startswith("fired:") and c != "run"]
    assert len(numeric) > 100
    # runs.csv keeps 7 significant digits; the records are the f64 values.
    np.testing.assert_allclose(
        runs[numeric].to_numpy(), from_csv[numeric].to_numpy(), rtol=1e-6, atol=1e-12
    )
    for col in [c for c in runs.columns if c.startswith("fired:")]:
        a = runs[col].where(runs[col].notna(), "")
        b = from_csv[col].where(from_csv[col].notna(), "")
        assert a.astype(str).tolist() == b.astype(str).tolist(), col
    # Some rule fires in some runs, as a YYYY-MM month.
    fired = runs.filter(like="fired:").stack().dropna()
    assert len(fired) > 0 and all(re.fullmatch(r"\d{4}-\d{2}", m) for m in fired)


def test_runs_without_per_run_are_the_same_records(london):
    r = tariffsim.run(LONDON, runs=300, seed=3, threads=1, charts=False)
    assert "runs.csv" not in r.files
    pd.testing.assert_frame_equal(r.runs, london.runs)
    pd.testing.assert_frame_equal(r.summary, london.summary)


def test_manifest_and_overrides():
    r = tariffsim.run(
        LONDON, runs=50, seed=9, charts=False, set={"economies.US.multiplier": 1.1}, months=12
    )
    m = r.manifest
    assert (m["runs"], m["seed"], m["months"]) == (50, 9, 12)
    assert m["overrides"] == ["economies.US.multiplier=1.1"]
    assert m["command"].startswith("tariffsim run ")
    assert "--set economies.US.multiplier=1.1" in m["command"]
    assert set(m["files"]) == set(r.files) - {"manifest.json"}
    assert r.summary["month"].nunique() == 12


def test_a_misspelt_key_raises_the_cli_message(cli, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        f'base = "{LONDON.as_posix()}"\n\n[scenario]\nname = "bad"\nrunz = 10\n',
        encoding="utf-8",
    )
    with pytest.raises(tariffsim.ScenarioError) as e:
        tariffsim.run(bad, runs=10)
    msg = str(e.value)
    assert isinstance(e.value, ValueError)
    # File, line and column, key, and the fix.
    assert f"{bad}:5:1: scenario.runz: unknown key `runz`" in msg, msg
    assert "did you mean `runs`?" in msg, msg
    cli_err = run_cli(cli, "run", bad, "--runs", "10", "--out", tmp_path / "o", check=False)
    assert cli_err.returncode == 2
    assert msg == cli_err.stderr.rstrip("\n")
    assert not (tmp_path / "o").exists()


def test_bad_set_and_options_raise():
    with pytest.raises(tariffsim.ScenarioError, match="tarifs"):
        tariffsim.run(LONDON, runs=10, set={"tarifs.us_on_cn.rate": 0.4})
    with pytest.raises(tariffsim.UsageError, match="--runs must be at least 1"):
        tariffsim.run(LONDON, runs=0)
    with pytest.raises(ValueError, match="detail"):
        tariffsim.run(LONDON, runs=10, detail="everything")


def test_params_are_the_runs_columns(london):
    p = tariffsim.params(LONDON)
    assert p["path"].tolist() == [
        c for c in london.runs.columns[1:] if not c.startswith("fired:") and ":" not in c
    ]
    assert (p["lo"] <= p["central"]).all() and (p["central"] <= p["hi"]).all()
