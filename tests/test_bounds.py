"""Box constraints (glmnet's lower.limits / upper.limits) on the original scale."""

import numpy as np
from sklearn.linear_model import enet_path

import jaxreg
from reference_np import make_problem, objective

X, Y = make_problem(60, 12, seed=5)


def test_bounds_hold_on_the_original_scale():
    lo, hi = -0.2, 0.3
    fit = jaxreg.path(X, Y, lower_bounds=lo, upper_bounds=hi, n_lambdas=20)
    assert fit.converged.all()
    assert fit.coef.min() >= lo - 1e-12 and fit.coef.max() <= hi + 1e-12
    assert np.isclose(fit.coef, lo).any() or np.isclose(fit.coef, hi).any()  # some bound is active


def test_nonnegative_lasso_matches_sklearn_positive():
    fit = jaxreg.path(X, Y, lower_bounds=0.0, standardize=False, n_lambdas=20)
    xc, yc = X - X.mean(0), Y - Y.mean()
    _, coefs, _ = enet_path(xc, yc, l1_ratio=1.0, alphas=fit.lambdas, positive=True, tol=1e-14, max_iter=100_000)
    b0_ref = Y.mean() - coefs.T @ X.mean(0)
    for k, lam in enumerate(fit.lambdas):
        ours = objective(X, Y, fit.intercept[k], fit.coef[k], lam)
        ref = objective(X, Y, b0_ref[k], coefs[:, k], lam)
        assert abs(ours - ref) <= 1e-6 * ref
    assert fit.coef.min() >= 0


def test_feature_fixed_at_zero_stays_out():
    lo = np.full(X.shape[1], -np.inf)
    hi = np.full(X.shape[1], np.inf)
    lo[0] = hi[0] = 0.0
    fit = jaxreg.path(X, Y, lower_bounds=lo, upper_bounds=hi, n_lambdas=15, tol=1e-13, max_iter=100_000)
    assert np.all(fit.coef[:, 0] == 0)
    # same as dropping the column, up to the penalty-factor normalization (which sums over all p features)
    ref = jaxreg.path(X[:, 1:], Y, lambdas=fit.lambdas, penalty_factor=np.full(X.shape[1] - 1, X.shape[1] / (X.shape[1] - 1)),
                      tol=1e-13, max_iter=100_000)
    np.testing.assert_allclose(fit.coef[:, 1:], ref.coef, rtol=1e-6, atol=1e-9)
