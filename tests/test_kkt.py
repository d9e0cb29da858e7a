"""Optimality (KKT) conditions checked independently at every λ of returned paths."""

import numpy as np
import pytest

import jaxreg
from reference_np import kkt_violation, make_problem, standardization


@pytest.mark.parametrize(
    "n,p,alpha,kwargs",
    [
        (60, 15, 1.0, {}),
        (60, 15, 0.5, {"sample_weight": "random"}),
        (60, 15, 1.0, {"penalty_factor": "mixed"}),
        (60, 15, 0.8, {"lower_bounds": -0.3, "upper_bounds": 0.4}),
        (30, 80, 1.0, {"fit_intercept": False}),
        (30, 80, 0.9, {"standardize": False, "penalty_factor": "mixed"}),
    ],
)
def test_kkt_at_every_lambda(n, p, alpha, kwargs):
    X, y = make_problem(n, p, seed=7)
    rng = np.random.default_rng(1)
    kwargs = dict(kwargs)
    if kwargs.get("sample_weight") == "random":
        kwargs["sample_weight"] = rng.uniform(0.1, 2.0, n)
    if kwargs.get("penalty_factor") == "mixed":
        pf = rng.uniform(0.5, 2.0, p)
        pf[:2] = 0.0
        kwargs["penalty_factor"] = pf
    fit = jaxreg.path(X, y, l1_ratio=alpha, n_lambdas=25, tol=1e-13, max_iter=200_000, **kwargs)
    assert fit.converged.all()
    _, _, scale = standardization(
        X, kwargs.get("sample_weight"), fit_intercept=kwargs.get("fit_intercept", True),
        standardize=kwargs.get("standardize", True),
    )
    for k, lam in enumerate(fit.lambdas):
        viol = kkt_violation(
            X, y, fit.intercept[k], fit.coef[k], lam, alpha=alpha, w=kwargs.get("sample_weight"),
            pf=kwargs.get("penalty_factor"), scale=scale, lower=kwargs.get("lower_bounds"),
            upper=kwargs.get("upper_bounds"),
        )
        assert viol < 1e-4, (k, lam, viol)


def test_kkt_detects_a_wrong_solution():
    """The check itself can fail: a perturbed coefficient violates it."""
    X, y = make_problem(60, 15, seed=7)
    fit = jaxreg.path(X, y, n_lambdas=10)
    _, _, scale = standardization(X)
    coef = fit.coef[5].copy()
    coef[np.flatnonzero(coef)[0]] *= 1.1
    assert kkt_violation(X, y, fit.intercept[5], coef, fit.lambdas[5], scale=scale) > 1e-2
