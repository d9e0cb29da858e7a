"""The λ grid: λmax, spacing, lambda_min_ratio, user grids and glmnet's early stop."""

import numpy as np
import pytest

import jaxreg
from reference_np import lambda_max, make_problem

X, Y = make_problem(50, 10, seed=2)


@pytest.mark.parametrize("alpha", [1.0, 0.5, 0.0])
def test_lambda_max_formula(alpha):
    w = np.linspace(0.5, 1.5, X.shape[0])
    pf = np.linspace(1.0, 2.0, X.shape[1])
    fit = jaxreg.path(X, Y, l1_ratio=alpha, sample_weight=w, penalty_factor=pf, n_lambdas=5)
    np.testing.assert_allclose(fit.lambdas[0], lambda_max(X, Y, alpha=alpha, w=w, pf=pf), rtol=1e-10)
    np.testing.assert_allclose(fit.lambda_max, fit.lambdas[0], rtol=1e-12)


def test_lambda_max_is_the_smallest_all_zero_lambda():
    lmax = lambda_max(X, Y)
    at = jaxreg.path(X, Y, lambdas=[lmax * (1 + 1e-9)])
    below = jaxreg.path(X, Y, lambdas=[lmax * (1 - 1e-3)])
    assert np.all(at.coef == 0)
    assert np.count_nonzero(below.coef) >= 1


def test_default_grid_spacing_and_ratio():
    fit = jaxreg.path(X, Y, n_lambdas=40)  # n > p: ratio 1e-4
    k = np.arange(fit.n_lambdas)
    np.testing.assert_allclose(fit.lambdas, fit.lambdas[0] * 1e-4 ** (k / 39), rtol=1e-10)
    Xw, Yw = make_problem(20, 40, seed=2)
    wide = jaxreg.path(Xw, Yw, n_lambdas=10, lambda_min_ratio=None)
    kw = np.arange(wide.n_lambdas)
    np.testing.assert_allclose(wide.lambdas, wide.lambdas[0] * 1e-2 ** (kw / 9), rtol=1e-10)
    custom = jaxreg.path(X, Y, n_lambdas=7, lambda_min_ratio=0.1)
    np.testing.assert_allclose(custom.lambdas[-1] / custom.lambdas[0], 0.1, rtol=1e-10)
    assert custom.n_lambdas == 7


def test_user_grid_sorted_and_never_shortened():
    grid = np.geomspace(1e-4, 10.0, 50)  # increasing on purpose; small values would trigger the early stop
    fit = jaxreg.path(X, Y, lambdas=grid)
    assert fit.n_lambdas == 50
    np.testing.assert_allclose(fit.lambdas, grid[::-1])


def test_single_lambda_grid():
    fit = jaxreg.path(X, Y, n_lambdas=1)
    assert fit.n_lambdas == 1 and np.all(fit.coef == 0)


def test_early_stop_when_deviance_saturates():
    Xs, _ = make_problem(60, 5, seed=4)
    ys = Xs @ np.array([1.0, -2.0, 0.5, 0.0, 3.0]) + 1e-3 * np.random.default_rng(0).standard_normal(60)
    fit = jaxreg.path(Xs, ys)
    assert fit.n_lambdas < 100
    assert fit.dev_ratio[-1] > 0.999
    assert fit.dev_ratio[-2] <= 0.999  # stops at the first λ past glmnet's devmax


def test_unpenalized_features_enter_at_lambda_max():
    pf = np.ones(X.shape[1])
    pf[3] = 0.0
    fit = jaxreg.path(X, Y, penalty_factor=pf, n_lambdas=10)
    assert fit.coef[0, 3] != 0
    assert np.count_nonzero(fit.coef[0]) == 1
    below = jaxreg.path(X, Y, penalty_factor=pf, lambdas=[fit.lambdas[0] * 0.99])
    assert np.count_nonzero(below.coef[0]) == 2
