"""Invariances a correct implementation of glmnet's conventions must have."""

import numpy as np

import jaxreg
from reference_np import make_problem

X, Y = make_problem(40, 8, seed=11)
OPTS = dict(n_lambdas=15, tol=1e-13, max_iter=100_000)


def _close(a, b, rtol=1e-6):
    np.testing.assert_allclose(a.lambdas, b.lambdas, rtol=1e-10)
    scale = np.abs(a.coef).max()
    np.testing.assert_allclose(a.coef, b.coef, rtol=rtol, atol=rtol * scale)
    np.testing.assert_allclose(a.intercept, b.intercept, rtol=rtol, atol=rtol * np.abs(a.intercept).max())


def test_penalty_factor_scale_invariance():
    pf = np.linspace(0.5, 2.0, X.shape[1])
    _close(jaxreg.path(X, Y, penalty_factor=pf, **OPTS), jaxreg.path(X, Y, penalty_factor=3 * pf, **OPTS))
    _close(jaxreg.path(X, Y, **OPTS), jaxreg.path(X, Y, penalty_factor=2 * np.ones(X.shape[1]), **OPTS))


def test_weight_scale_invariance_and_duplicated_row():
    w = np.linspace(0.5, 2.0, X.shape[0])
    _close(jaxreg.path(X, Y, sample_weight=w, **OPTS), jaxreg.path(X, Y, sample_weight=5 * w, **OPTS))
    w2 = np.ones(X.shape[0])
    w2[0] = 2.0
    dup = jaxreg.path(np.vstack([X, X[:1]]), np.append(Y, Y[0]), **OPTS)
    _close(jaxreg.path(X, Y, sample_weight=w2, **OPTS), dup)


def test_zero_weight_equals_dropping_the_row():
    w = np.ones(X.shape[0])
    w[3] = 0.0
    _close(jaxreg.path(X, Y, sample_weight=w, **OPTS), jaxreg.path(np.delete(X, 3, 0), np.delete(Y, 3), **OPTS))


def test_column_rescaling_with_standardization():
    c = np.array([10.0, 0.1, 1, 1, 1, 1, 1, 3.0])
    a = jaxreg.path(X, Y, **OPTS)
    b = jaxreg.path(X * c, Y, **OPTS)
    np.testing.assert_allclose(a.lambdas, b.lambdas, rtol=1e-10)
    np.testing.assert_allclose(a.coef, b.coef * c, rtol=1e-6, atol=1e-9)


def test_constant_added_to_y_moves_only_the_intercept():
    a = jaxreg.path(X, Y, **OPTS)
    b = jaxreg.path(X, Y + 100.0, **OPTS)
    np.testing.assert_allclose(a.coef, b.coef, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(b.intercept - a.intercept, 100.0, rtol=1e-9)


def test_feature_permutation():
    perm = np.random.default_rng(0).permutation(X.shape[1])
    a = jaxreg.path(X, Y, **OPTS)
    b = jaxreg.path(X[:, perm], Y, **OPTS)
    np.testing.assert_allclose(a.coef[:, perm], b.coef, rtol=1e-6, atol=1e-9)


def test_precompute_choices_agree():
    a = jaxreg.path(X, Y, precompute=True, **OPTS)
    b = jaxreg.path(X, Y, precompute=False, **OPTS)
    _close(a, b)
