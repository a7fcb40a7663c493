"""The SALib and EMA Workbench adapters, against the real packages: the
problem is the scenario's sampled parameters, evaluations run on common
random numbers (the same point gives the same outcomes, whatever the rows
around it), and SALib's Sobol analysis and EMA's experiments run on them."""

import numpy as np
import pytest

import tariffsim
from conftest import LONDON

SALib = pytest.importorskip("SALib")
ema_workbench = pytest.importorskip("ema_workbench")


def test_problem_is_the_sampled_parameters():
    p = tariffsim.salib.problem(LONDON)
    params = tariffsim.params(LONDON)
    assert p["num_vars"] == len(params) == len(p["names"]) == len(p["bounds"]) == len(p["dists"])
    assert p["names"] == params["path"].tolist()
    assert all(b == [0.0, 1.0] for b in p["bounds"]) and set(p["dists"]) == {"unif"}


def test_salib_sobol_on_common_random_numbers(starter):
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    p = tariffsim.salib.problem(starter)
    assert p["num_vars"] == 5
    X = sample.sample(p, 64, calc_second_order=False, seed=1)
    Y = tariffsim.salib.evaluate(starter, X, outcome="gdp_dev:HOME", threads=2)
    assert Y.shape == (len(X),) and np.isfinite(Y).all() and Y.std() > 0
    # Common random numbers: a point's outcome does not depend on the other rows.
    again = tariffsim.salib.evaluate(starter, X[::-1][:7], outcome="gdp_dev:HOME", threads=1)
    np.testing.assert_array_equal(again, Y[::-1][:7])
    Si = analyze.analyze(p, Y, calc_second_order=False, seed=1)
    assert len(Si["ST"]) == 5 and np.isfinite(Si["ST"]).all()
    assert Si["ST"].max() > 0.05
    # All outcomes at once, as a DataFrame; the uniforms' values.
    df = tariffsim.salib.evaluate(starter, X[:4])
    assert "gdp_dev:HOME:horizon" in df.columns and len(df) == 4
    np.testing.assert_array_equal(df["gdp_dev:HOME:horizon"].to_numpy(), Y[:4])
    vals = tariffsim.salib.values(starter, X[:4])
    np.testing.assert_array_equal(
        tariffsim.salib.evaluate(starter, vals.to_numpy(), unit=False, outcome="gdp_dev:HOME"), Y[:4]
    )
    params = tariffsim.params(starter).set_index("path")
    for col in vals:
        assert vals[col].between(params.loc[col, "lo"], params.loc[col, "hi"]).all()
    with pytest.raises(ValueError, match="no outcome"):
        tariffsim.salib.evaluate(starter, X[:2], outcome="gdp_dev:MARS")
    with pytest.raises(ValueError, match="one column per sampled parameter"):
        tariffsim.salib.evaluate(starter, X[:, :3])


def test_ema_model_runs_experiments(starter):
    from ema_workbench import perform_experiments

    m = tariffsim.ema.model(starter)
    params = tariffsim.params(starter)
    assert [u.variable_name for u in m.uncertainties] == [[p] for p in params["path"]]
    for u, (lo, hi) in zip(m.uncertainties, zip(params["lo"], params["hi"])):
        assert (u.lower_bound, u.upper_bound) == (lo, hi)
    names = [o.name for o in m.outcomes]
    assert "gdp_dev_HOME" in names and all(n.isidentifier() for n in names)
    experiments, outcomes = perform_experiments(m, scenarios=12)
    assert len(experiments) == 12 and set(outcomes) == set(names)
    for u, p in zip(m.uncertainties, params["path"]):
        x = experiments[u.name].to_numpy()
        lo, hi = params.set_index("path").loc[p, ["lo", "hi"]]
        assert ((x >= lo) & (x <= hi)).all() and x.std() > 0
    # Each experiment is the adapter's evaluation of its values.
    X = experiments[[u.name for u in m.uncertainties]].to_numpy(dtype=float)
    Y = tariffsim.salib.evaluate(starter, X, unit=False, outcome="gdp_dev:HOME")
    np.testing.assert_allclose(outcomes["gdp_dev_HOME"], Y, rtol=0, atol=0)


def test_scipy_distribution_is_the_engines(starter):
    d = tariffsim.ema.distribution(starter, 1)  # triangular 2..5, mode 3
    assert (d.ppf(0.0), d.ppf(1.0)) == (2.0, 5.0)
    assert d.ppf(1 / 3) == pytest.approx(3.0)
