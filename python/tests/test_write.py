"""`.write(folder)` writes the files the command line writes, byte for byte,
for run, compare, sweep and sobol. The manifest's `command` (the command
line as typed) and `wall_seconds` are the only fields that may differ; the
manifest's hashes of every other file must match too."""

import json
from pathlib import Path

import pytest

import tariffsim
from conftest import LONDON, REPO, run_cli

GENEVA = REPO / "scenarios" / "geneva_truce.toml"


def files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def assert_same_folder(ours: Path, theirs: Path):
    a, b = files(ours), files(theirs)
    assert sorted(a) == sorted(b)
    assert len(a) >= 2 and "manifest.json" in a
    for name in a:
        if name == "manifest.json":
            continue
        assert a[name] == b[name], f"{name} differs from the CLI's"
    ma, mb = json.loads(a["manifest.json"]), json.loads(b["manifest.json"])
    for m in (ma, mb):
        del m["command"], m["wall_seconds"]
    assert ma == mb
    assert set(ma["files"]) == set(a) - {"manifest.json"}


def only_folder(out: Path) -> Path:
    [folder] = list(out.iterdir())
    return folder


def test_run_writes_the_cli_files(cli, tmp_path):
    r = tariffsim.run(LONDON, runs=200, seed=5, threads=2, per_run=True, split_by="framework_collapses")
    dest = r.write(tmp_path / "py")
    run_cli(
        cli, "run", LONDON, "--runs", "200", "--seed", "5", "--threads", "2", "--per-run",
        "--split-by", "framework_collapses", "--quiet", "--out", tmp_path / "cli",
    )
    theirs = only_folder(tmp_path / "cli")
    assert "report.html" in files(dest) and "runs.csv" in files(dest) and "split.csv" in files(dest)
    assert any(n.endswith(".png") for n in files(dest))
    assert_same_folder(dest, theirs)
    with pytest.raises(FileExistsError):
        r.write(tmp_path / "cli")


def test_compare_writes_the_cli_files(cli, tmp_path):
    r = tariffsim.compare([LONDON, GENEVA], runs=100, seed=2, threads=2, charts=False)
    assert len(r.comparison) > 0
    run_cli(
        cli, "compare", LONDON, GENEVA, "--runs", "100", "--seed", "2", "--threads", "2",
        "--no-charts", "--quiet", "--out", tmp_path / "cli",
    )
    assert_same_folder(r.write(tmp_path / "py"), only_folder(tmp_path / "cli"))


def test_sweep_writes_the_cli_files(cli, tmp_path):
    r = tariffsim.sweep(
        LONDON, "economies.US.multiplier", [0.9, 1.0, 1.1], runs=60, seed=2, threads=2, charts=False
    )
    assert len(r.tables) >= 1
    run_cli(
        cli, "sweep", LONDON, "--param", "economies.US.multiplier", "--values", "0.9,1,1.1",
        "--runs", "60", "--seed", "2", "--threads", "2", "--no-charts", "--quiet",
        "--out", tmp_path / "cli",
    )
    assert_same_folder(r.write(tmp_path / "py"), only_folder(tmp_path / "cli"))


def test_sobol_writes_the_cli_files(cli, starter, tmp_path):
    r = tariffsim.sobol(starter, samples=32, bootstrap=50, seed=4, threads=2)
    s = r.sobol
    assert list(s.columns[:3]) == ["parameter", "metric", "economy"]
    assert set(s["parameter"]) == set(tariffsim.params(starter)["path"])
    run_cli(
        cli, "sensitivity", starter, "--samples", "32", "--bootstrap", "50", "--seed", "4",
        "--threads", "2", "--quiet", "--out", tmp_path / "cli",
    )
    assert_same_folder(r.write(tmp_path / "py"), only_folder(tmp_path / "cli"))
