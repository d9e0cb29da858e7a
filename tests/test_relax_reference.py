"""Relaxed fits (``relax=True``) against R glmnet 4.1-6's ``relax=TRUE``.

References: ``tests/reference/make_glmnet_relax_reference.R`` (R is not needed to run this) fits glmnet at
``thresh = 1e-30`` and checks each of its relaxed fits against an independent unpenalized fit in R (``glm.fit``,
``lm.wfit``, ``coxph``). jaxreg runs on glmnet's λ grid at its default tolerance and must select the same active
sets, leave out the same λ (more than ``maxp`` features), and reproduce the relaxed coefficients, intercepts and
deviance ratios, and glmnet's blended predictions at ``gamma = 0.5`` (interpolated in λ, with glmnet's rule for λ
left out of the relaxed fits).
"""

import json
import pathlib

import numpy as np
import pytest
from reference_np import assert_coef_close_per_lambda

import jaxreg

REF = pathlib.Path(__file__).parent / "reference"
CASES = sorted(p.stem.removeprefix("glmnet_relax_") for p in REF.glob("glmnet_relax_*.json"))


def _array(value):
    """A JSON number or list, with glmnet's "Inf"/"-Inf" strings, as floats (``None`` stays ``None``)."""
    if value is None:
        return None
    inf = {"Inf": np.inf, "-Inf": -np.inf}
    return np.vectorize(lambda v: inf.get(v, v) if isinstance(v, str) else v, otypes=[float])(
        np.asarray(value, dtype=object))


@pytest.fixture(scope="module", params=CASES)
def case(request):
    d = json.loads((REF / f"glmnet_relax_{request.param}.json").read_text())
    X, y = _array(d["x"]), _array(d["y"])
    kwargs = dict(family=d["family"], l1_ratio=float(d["alpha"]), standardize=bool(d["standardize"]),
                  fit_intercept=bool(d["intercept"]), lambdas=_array(d["lambda"]), relax=True,
                  relax_max_features=int(d["maxp"]))
    for key, name in (("weights", "sample_weight"), ("offset", "offset"), ("penalty_factor", "penalty_factor"),
                      ("lower", "lower_bounds"), ("upper", "upper_bounds")):
        if d[key] is not None:
            kwargs[name] = _array(d[key])
    return request.param, d, jaxreg.path(X, y, **kwargs)


def test_all_cases_are_present():
    assert {"gaussian", "gaussian_maxp", "gaussian_weights_pf_bounds", "binomial", "poisson_offset", "cox",
            "mgaussian"} <= set(CASES)


def _active(beta: np.ndarray) -> np.ndarray:
    return (beta.reshape(beta.shape[0], beta.shape[1], -1) != 0).any(axis=2)


def _same_sets(fit, d) -> np.ndarray:
    """The relaxed λ whose active set is glmnet's. A feature entering the path has a tiny coefficient near its
    entry λ, which the default tolerance may leave at 0 (or not): its relaxed fit then differs, as it should."""
    ours, theirs = _active(fit.coef), _active(_array(d["beta"]))
    return (ours == theirs).all(axis=1)[np.isin(fit.lambdas, fit.relaxed.lambdas)]


def test_same_active_sets_and_relaxed_lambdas_as_glmnet(case):
    name, d, fit = case
    assert fit.converged.all() and fit.relaxed.converged.all(), name
    beta = _array(d["beta"])
    differ = _active(fit.coef) != _active(beta)
    # at most 2 λ differ, and only in coefficients that glmnet has below 1e-4 of the λ's largest
    assert np.count_nonzero(differ.any(axis=1)) <= 2, name
    big = np.abs(beta.reshape(beta.shape[0], -1)).max(axis=1)
    tiny = np.abs(beta.reshape(beta.shape[0], beta.shape[1], -1)).max(axis=2) <= 1e-4 * big[:, None]
    assert np.all(tiny[differ]), name
    np.testing.assert_array_equal(fit.relaxed.lambdas, _array(d["relaxed_lambda"]), err_msg=name)


def test_relaxed_fits_match_glmnet(case):
    name, d, fit = case
    r, same = fit.relaxed, _same_sets(fit, d)
    beta = _array(d["relaxed_beta"])[same]
    big = assert_coef_close_per_lambda(r.coef[same], beta, name, rel=1e-6)
    a0 = _array(d["relaxed_a0"])[same]
    scale = np.maximum(big, np.abs(a0).reshape(a0.shape[0], -1).max(axis=1))
    assert np.all(np.abs(r.intercept[same] - a0).reshape(a0.shape[0], -1).max(axis=1) <= 1e-6 * scale), name
    np.testing.assert_allclose(r.dev_ratio[same], _array(d["relaxed_dev_ratio"])[same], rtol=1e-6, atol=1e-9,
                               err_msg=name)
    assert np.all(r.df == fit.df[np.isin(fit.lambdas, r.lambdas)])


def test_blended_predictions_match_glmnet(case):
    name, d, fit = case
    newx = _array(d["blend_newx"])
    offset = None if d["offset"] is None else _array(d["offset"])[: newx.shape[0]]
    link = fit.predict(newx, lambda_=_array(d["blend_s"]), gamma=float(d["blend_gamma"]), offset=offset)
    want = _array(d["blend_link"])
    assert link.shape == want.shape
    np.testing.assert_allclose(link, want, rtol=1e-4, atol=1e-4 * np.abs(want).max(), err_msg=name)


def test_glmnet_relaxed_fits_are_the_unpenalized_fits():
    """The script's own check: each glmnet relaxed fit agrees with R's unpenalized fit on its active set."""
    for name in CASES:
        d = json.loads((REF / f"glmnet_relax_{name}.json").read_text())
        assert d["relaxed_check_max_abs_diff"] < 1e-10, name
