"""Ridge (l1_ratio = 0) against its closed form."""

import numpy as np
import pytest

import jaxreg
from reference_np import make_problem, objective, ridge_closed_form, standardization


@pytest.mark.parametrize("n,p,weighted,pf_mixed", [(50, 10, False, False), (50, 10, True, True), (20, 60, True, False)])
def test_ridge_closed_form(n, p, weighted, pf_mixed):
    X, y = make_problem(n, p, seed=3)
    rng = np.random.default_rng(0)
    w = rng.uniform(0.2, 3.0, n) if weighted else None
    pf = rng.uniform(0.5, 2.0, p) if pf_mixed else None
    fit = jaxreg.path(X, y, l1_ratio=0.0, n_lambdas=20, sample_weight=w, penalty_factor=pf, tol=1e-14,
                      max_iter=100_000)
    wn, _, scale = standardization(X, w)
    for k, lam in enumerate(fit.lambdas):
        b0, beta = ridge_closed_form(X, y, lam, w=w, pf=pf)
        # the duality gap certifies the objective: P(b) − P(b*) ≤ tol · P(0)
        p_ours = objective(X, y, fit.intercept[k], fit.coef[k], lam, alpha=0.0, w=w, pf=pf, scale=scale)
        p_star = objective(X, y, b0, beta, lam, alpha=0.0, w=w, pf=pf, scale=scale)
        p_null = objective(X, y, wn @ y / n, np.zeros(p), lam, alpha=0.0, w=w, pf=pf, scale=scale)
        assert -1e-12 * p_null <= p_ours - p_star <= 1e-14 * p_null
        np.testing.assert_allclose(fit.coef[k], beta, rtol=1e-5, atol=1e-8 * np.abs(beta).max())
        np.testing.assert_allclose(fit.intercept[k], b0, rtol=1e-6, atol=1e-8)


def test_ridge_lambda_max_uses_glmnet_alpha():
    X, y = make_problem(50, 10, seed=3)
    ridge = jaxreg.path(X, y, l1_ratio=0.0, n_lambdas=5)
    lasso = jaxreg.path(X, y, l1_ratio=1.0, n_lambdas=5)
    np.testing.assert_allclose(ridge.lambdas[0], 1000 * lasso.lambdas[0], rtol=1e-12)
    assert np.all(ridge.coef[0] != 0)  # ridge never sets coefficients exactly to zero
