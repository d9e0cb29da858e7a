"""Agreement with R glmnet 4.1-6 for family="mgaussian" on glmnet's MultiGaussianExample.

References: ``tests/reference/make_glmnet_mgaussian_reference.R`` (R is not needed to run this). jaxreg runs at its
default tolerance and must reproduce glmnet's λ grid, where its default path stops, and, at every λ, the coefficients,
intercepts and deviance ratios to better than 1e-3 relative, against glmnet's tight (``thresh = 1e-22``) fit. The
script also checks glmnet's own fits against the KKT conditions of jaxreg's objective: unlike the single-response
gaussian family, glmnet's mgaussian does not rescale ``y``, so the two objectives are the same for every α.
"""

import json
import pathlib

import numpy as np
import pytest

import jaxreg
from reference_np import assert_coef_close_per_lambda

REF = pathlib.Path(__file__).parent / "reference"
CASES = sorted(p.stem.removeprefix("glmnet_mgaussian_") for p in REF.glob("glmnet_mgaussian_*.json"))


@pytest.fixture(scope="module", params=CASES)
def case(request):
    d = json.loads((REF / f"glmnet_mgaussian_{request.param}.json").read_text())
    X, Y = np.asarray(d["x"], float), np.asarray(d["y"], float)
    kwargs = dict(family="mgaussian", l1_ratio=float(d["alpha"]), fit_intercept=bool(d["intercept"]),
                  standardize=bool(d["standardize"]), standardize_response=bool(d["standardize_response"]))
    for key, name in (("weights", "sample_weight"), ("penalty_factor", "penalty_factor"), ("offset", "offset")):
        if d.get(key) is not None:
            kwargs[name] = np.asarray(d[key], float)
    if d["user_lambda"]:
        kwargs["lambdas"] = np.asarray(d["lambda"], float)
    return request.param, d, X, Y, jaxreg.path(X, Y, **kwargs)


def test_all_cases_are_present():
    assert {"default", "enet", "offset", "std_response_enet"} <= set(CASES) and len(CASES) >= 5


def test_lambda_grid_and_early_stop_match_glmnet(case):
    name, d, _, _, fit = case
    lam = np.asarray(d["lambda"], float)
    assert fit.n_lambdas == lam.size, "default path length (glmnet's early stop) differs"
    # with unpenalized features glmnet's λmax comes from its own (thresh-limited) fit of them
    rtol = 1e-5 if d["penalty_factor"] is not None else 1e-9
    np.testing.assert_allclose(fit.lambdas, lam, rtol=rtol)


def test_coefficients_intercepts_and_deviance_match_glmnet(case):
    name, d, X, _, fit = case
    assert fit.converged.all()
    beta = np.asarray(d["beta_tight"], float)  # (L, p, K)
    a0 = np.asarray(d["a0_tight"], float)  # (L, K)
    assert fit.coef.shape == beta.shape and fit.intercept.shape == a0.shape
    big = assert_coef_close_per_lambda(fit.coef, beta, name)
    for k in range(fit.n_lambdas):
        assert np.abs(fit.intercept[k] - a0[k]).max() <= 1e-3 * max(big[k], np.abs(a0[k]).max()), (name, k)
    np.testing.assert_allclose(fit.dev_ratio, np.asarray(d["dev_ratio_tight"], float), rtol=1e-3, atol=1e-6)
    np.testing.assert_array_equal(fit.df, (beta != 0).any(axis=2).sum(axis=1))


def test_glmnet_fits_satisfy_jaxregs_optimality_conditions(case):
    """The committed fits certify that jaxreg's objective is glmnet's (no y-rescaling trap for mgaussian)."""
    _, d, _, _, _ = case
    assert d["kkt_max_violation_rel_tight"] < 1e-7 and d["kkt_intercept_max_tight"] < 1e-10
