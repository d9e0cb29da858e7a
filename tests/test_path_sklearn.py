"""jaxreg.path against scikit-learn's enet_path (coordinate descent, run to a tight tolerance)."""

import numpy as np
import pytest
from sklearn.linear_model import enet_path

import jaxreg
from reference_np import make_problem, objective, standardization

CASES = [  # (n, p, l1_ratio, fit_intercept, standardize)
    (80, 20, 1.0, True, True),
    (80, 20, 0.5, True, True),
    (80, 20, 0.3, False, True),
    (80, 20, 1.0, True, False),
    (40, 120, 1.0, True, True),
    (40, 120, 0.7, True, True),
]


def _sklearn_path(X, y, lambdas, alpha, fit_intercept, standardize):
    w, mean, scale = standardization(X, fit_intercept=fit_intercept, standardize=standardize)
    yc = y - (y.mean() if fit_intercept else 0.0)
    xs = (X - mean) / scale
    _, coefs, _ = enet_path(xs, yc, l1_ratio=alpha, alphas=lambdas, tol=1e-14, max_iter=200_000, precompute=False)
    b = coefs.T / scale
    b0 = (y.mean() - b @ mean) if fit_intercept else np.zeros(len(lambdas))
    return b0, b, scale


@pytest.mark.parametrize("n,p,alpha,fit_intercept,standardize", CASES)
def test_objective_and_coefficients_match_sklearn(n, p, alpha, fit_intercept, standardize):
    X, y = make_problem(n, p, seed=n + p)
    fit = jaxreg.path(X, y, l1_ratio=alpha, fit_intercept=fit_intercept, standardize=standardize, n_lambdas=30)
    assert fit.converged.all()
    b0_ref, b_ref, scale = _sklearn_path(X, y, fit.lambdas, alpha, fit_intercept, standardize)
    for k, lam in enumerate(fit.lambdas):
        ours = objective(X, y, fit.intercept[k], fit.coef[k], lam, alpha=alpha, scale=scale)
        ref = objective(X, y, b0_ref[k], b_ref[k], lam, alpha=alpha, scale=scale)
        # never worse than the reference by more than 1e-6 relative
        assert ours <= ref * (1 + 1e-6), (k, ours, ref)
        assert abs(ours - ref) <= 1e-6 * ref
        big = np.abs(b_ref[k] * scale).max()
        if big > 0:
            assert np.abs((fit.coef[k] - b_ref[k]) * scale).max() <= 1e-3 * big, k
        else:
            assert np.all(fit.coef[k] == 0)
    np.testing.assert_allclose(fit.intercept, b0_ref, rtol=1e-3, atol=1e-3 * np.abs(y).mean())


def test_diabetes_lasso_matches_sklearn():
    X, y, _ = jaxreg.datasets.load_diabetes()
    fit = jaxreg.path(X, y)
    b0_ref, b_ref, scale = _sklearn_path(X, y, fit.lambdas, 1.0, True, True)
    rel = np.abs((fit.coef - b_ref) * scale).max(1) / np.maximum(np.abs(b_ref * scale).max(1), 1e-300)
    assert rel[1:].max() < 1e-3
    assert np.all(fit.coef[0] == 0)
