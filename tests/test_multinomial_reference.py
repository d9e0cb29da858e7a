"""Agreement with R glmnet 4.1-6 for family="multinomial" (ungrouped and grouped), on glmnet's MultinomialExample.

References: ``tests/reference/make_glmnet_multinomial_reference.R`` (R is not needed to run this). jaxreg runs at
its default tolerance and must reproduce glmnet's λ grid, where its default path stops, and, at every λ, the
class-centred linear predictors (what the symmetric parametrization identifies) and the coefficients to better than
1e-3 relative, against glmnet's tight (``thresh = 1e-22``) fit.
"""

import json
import pathlib

import numpy as np
import pytest

import jaxreg

REF = pathlib.Path(__file__).parent / "reference"
CASES = sorted(p.stem.removeprefix("glmnet_multinomial_") for p in REF.glob("glmnet_multinomial_*.json"))


def _centred(eta):
    return eta - eta.mean(axis=-1, keepdims=True)


@pytest.fixture(scope="module", params=CASES)
def case(request):
    d = json.loads((REF / f"glmnet_multinomial_{request.param}.json").read_text())
    X, y = np.asarray(d["x"], float), np.asarray(d["y"], float)
    kwargs = dict(family="multinomial", multinomial_grouped=bool(d["grouped"]), l1_ratio=float(d["alpha"]),
                  fit_intercept=bool(d["intercept"]), standardize=bool(d["standardize"]))
    for key, name in (("weights", "sample_weight"), ("penalty_factor", "penalty_factor"), ("offset", "offset")):
        if d.get(key) is not None:
            kwargs[name] = np.asarray(d[key], float)
    if d["user_lambda"]:
        kwargs["lambdas"] = np.asarray(d["lambda"], float)
    return request.param, d, X, y, jaxreg.path(X, y, **kwargs)


def test_all_cases_are_present():
    assert {"default", "grouped", "offset"} <= set(CASES) and len(CASES) >= 5


def test_lambda_grid_and_early_stop_match_glmnet(case):
    name, d, _, _, fit = case
    lam = np.asarray(d["lambda"], float)
    assert fit.n_lambdas == lam.size, "default path length (glmnet's early stop) differs"
    # with unpenalized features glmnet's λmax comes from its own (thresh-limited) fit of them: ~4e-6 here
    rtol = 1e-5 if d["penalty_factor"] is not None else 1e-9
    np.testing.assert_allclose(fit.lambdas, lam, rtol=rtol)


def test_centred_predictors_and_coefficients_match_glmnet(case):
    name, d, X, _, fit = case
    assert fit.converged.all()
    beta = np.asarray(d["beta_tight"], float)  # (L, p, K)
    a0 = np.asarray(d["a0_tight"], float)  # (L, K)
    eta_ref = _centred(np.einsum("np,lpk->lnk", X, beta) + a0[:, None, :])
    eta = _centred(np.einsum("np,lpk->lnk", X, fit.coef) + fit.intercept[:, None, :])
    for k in range(fit.n_lambdas):
        scale = np.abs(eta_ref[k]).max()
        assert np.abs(eta[k] - eta_ref[k]).max() <= 1e-3 * scale, (name, k)
        big = np.abs(beta[k]).max()
        if big > 1e-8:  # glmnet leaves ~1e-11 where its first λ's solution is 0
            assert np.abs(fit.coef[k] - beta[k]).max() <= 1e-3 * big, (name, k)
        else:
            assert np.all(fit.coef[k] == 0)
    np.testing.assert_allclose(fit.dev_ratio, np.asarray(d["dev_ratio_tight"], float), rtol=1e-3, atol=1e-6)
    if d["intercept"]:
        np.testing.assert_allclose(fit.intercept, a0 - a0.mean(axis=1, keepdims=True), atol=1e-3)
