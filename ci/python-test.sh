#!/usr/bin/env bash
# The Python package's CI step: a fresh virtual environment with pinned
# build and test dependencies, the package built from python/ (release, the
# shared target directory, so the root build's dependencies are reused),
# then its pytest suite, which compares the package's files with the release
# CLI's (built by `cargo test --release` before this step).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=$(mktemp -d /tmp/tariffsim-venv.XXXXXX)
trap 'rm -rf "$venv"' EXIT
python3 -m venv "$venv"
# shellcheck disable=SC1091
. "$venv/bin/activate"
pip install --quiet --disable-pip-version-check \
    maturin==1.16.0 numpy==2.4.6 pandas==3.1.1 pytest==9.2.0 SALib==1.6.0 ema-workbench==2.5.3
# The root build's target directory: the library and its dependencies are
# compiled once for both.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
pip install --quiet --disable-pip-version-check --no-build-isolation ./python
test -x "$CARGO_TARGET_DIR/release/tariffsim" || cargo build --release
python -m pytest -q -p no:cacheprovider python/tests
