"""The JSON Schema that `tariffsim schema` prints, checked with a real JSON
Schema validator (the `jsonschema` package, Draft 7): every shipped scenario
and the `init` starter validate, and misspelt keys and wrong types are
refused, as `tariffsim validate` refuses them.

TOML is turned into JSON the way taplo (Even Better TOML) does before it
validates: dates become strings and non-finite floats (`inf`) become null.

Run after a release build: `python -m pytest tests/schema` (the binary is
$TARIFFSIM_BIN, default target/release/tariffsim under the repository).
"""

import datetime
import json
import math
import os
import pathlib
import shutil
import subprocess
import tomllib

import jsonschema
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(
    os.environ.get("TARIFFSIM_BIN", ROOT / "target" / "release" / "tariffsim")
)
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))


def tariffsim(*args, cwd=None):
    return subprocess.run(
        [str(BIN), *args], capture_output=True, text=True, cwd=cwd, check=False
    )


@pytest.fixture(scope="module")
def validator():
    out = tariffsim("schema")
    assert out.returncode == 0, out.stderr
    schema = json.loads(out.stdout)
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def as_json(value):
    """A TOML value as taplo hands it to its JSON Schema validator."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    return value


def errors(validator, text):
    """Every problem the schema finds, as `dotted.path: message`."""
    found = validator.iter_errors(as_json(tomllib.loads(text)))
    return [".".join(map(str, e.absolute_path)) + ": " + e.message for e in found]


def test_the_shipped_scenarios_are_all_there():
    names = {p.name for p in SCENARIOS}
    assert {"world_2024.toml", "escalation.toml", "london_framework.toml"} <= names
    assert len(SCENARIOS) >= 9


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_every_shipped_scenario_validates(validator, path):
    assert errors(validator, path.read_text(encoding="utf-8")) == []


def test_the_init_starter_validates(validator, tmp_path):
    target = tmp_path / "starter.toml"
    out = tariffsim("init", str(target))
    assert out.returncode == 0, out.stderr
    assert errors(validator, target.read_text(encoding="utf-8")) == []


# A tariff appended to the 2024 world; each case changes one thing.
GOOD = """
[tariffs.extra_us_on_cn]
by = "US"
on = "CN"
rate = {rate}
from = "2025-06"
{extra}
"""

CASES = {
    # name: (text appended to world_2024.toml, what the schema must refuse)
    "control": (GOOD.format(rate="0.1", extra=""), None),
    "control_dist": (
        GOOD.format(rate='{ dist = "uniform", min = "5%", max = 0.2 }', extra=""),
        None,
    ),
    "misspelt_table": ('[tarrifs.extra]\nby = "US"\n', "tarrifs"),
    "misspelt_key_in_table": (GOOD.format(rate="0.1", extra="rat = 0.2"), "rat"),
    "misspelt_key_in_distribution": (
        GOOD.format(rate='{ dist = "uniform", min = 0.1, maxx = 0.2 }', extra=""),
        "maxx",
    ),
    "unknown_distribution": (
        GOOD.format(rate='{ dist = "gaussian", mean = 0.1, sd = 0.01 }', extra=""),
        "gaussian",
    ),
    "wrong_type_bool_for_number": (GOOD.format(rate="true", extra=""), "True"),
    "wrong_type_string_for_bool": (
        GOOD.format(rate="0.1", extra='enabled = "yes"'),
        "yes",
    ),
    "wrong_word": (GOOD.format(rate="0.1", extra='mode = "replace"'), "replace"),
}


def world_with(tmp_path, appended, replace=None):
    """A copy of scenarios/ (data paths are relative) with world_2024.toml
    changed; returns the changed file."""
    folder = tmp_path / "scenarios"
    shutil.copytree(ROOT / "scenarios", folder)
    path = folder / "world_2024.toml"
    text = path.read_text(encoding="utf-8")
    if replace:
        old, new = replace
        assert old in text
        text = text.replace(old, new, 1)
    path.write_text(text + appended, encoding="utf-8")
    return path


@pytest.mark.parametrize("case", list(CASES))
def test_the_schema_and_the_validator_refuse_the_same_mistakes(validator, tmp_path, case):
    appended, word = CASES[case]
    path = world_with(tmp_path, appended)
    found = errors(validator, path.read_text(encoding="utf-8"))
    checked = tariffsim("validate", str(path))
    if word is None:
        assert found == [], found
        assert checked.returncode == 0, checked.stderr
    else:
        assert found, f"the schema accepted {case}"
        assert any(word in m for m in found), found
        assert checked.returncode == 2, checked.stdout


@pytest.mark.parametrize(
    "old, new, word, message",
    [
        ("months = 36", "month = 36", "month", "unknown key `month`"),
        ("[macro]\n", "[macro]\ntpu_rule_weight = 1\n", "tpu_rule_weight", "was removed"),
    ],
    ids=["misspelt_key_in_scenario", "removed_key_in_macro"],
)
def test_a_key_of_an_existing_table_is_refused(validator, tmp_path, old, new, word, message):
    path = world_with(tmp_path, "", replace=(old, new))
    found = errors(validator, path.read_text(encoding="utf-8"))
    assert any(word in m for m in found), found
    checked = tariffsim("validate", str(path))
    assert checked.returncode == 2
    assert message in checked.stderr


def test_a_file_without_base_needs_the_core_tables(validator):
    found = errors(validator, '[scenario]\nname = "x"\nstart = "2025-01"\n')
    assert any("economies" in m for m in found), found
    # An overlay (with base) may set a single value.
    assert errors(validator, 'base = "world_2024.toml"\n[macro]\nfx_offset = 0.5\n') == []
