"""Fixtures of the Python package's tests: the repository's scenarios, the
release CLI binary (to compare the package's files with the command's),
and a small starter scenario (``tariffsim init``: five sampled parameters)
for the adapter tests."""

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LONDON = REPO / "scenarios" / "london_framework.toml"


def _cli() -> Path:
    if os.environ.get("TARIFFSIM_BIN"):
        return Path(os.environ["TARIFFSIM_BIN"])
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    if not target.is_absolute():
        target = REPO / target
    return target / "release" / "tariffsim"


@pytest.fixture(scope="session")
def cli() -> Path:
    """The release `tariffsim` binary (TARIFFSIM_BIN, or CARGO_TARGET_DIR's)."""
    path = _cli()
    if not path.is_file():
        pytest.fail(f"{path} is missing: run `cargo build --release` at the repository root first")
    return path


def run_cli(cli: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(cli), *map(str, args)], cwd=REPO, capture_output=True, text=True, check=check
    )


@pytest.fixture(scope="session")
def starter(cli, tmp_path_factory) -> Path:
    """`tariffsim init`'s starter scenario (five sampled parameters)."""
    d = tmp_path_factory.mktemp("starter")
    run_cli(cli, "init", d / "starter.toml")
    return d / "starter.toml"
