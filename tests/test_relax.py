"""Relaxed fits (``relax=True``): independent references (weighted least squares, scikit-learn's unpenalized
multinomial fit), glmnet's blending rules, errors. Agreement with R glmnet is in ``test_relax_reference.py``."""

import warnings

import jax
import numpy as np
import pytest

import jaxreg
from jaxreg import ConvergenceWarning


@pytest.fixture(scope="module")
def problem():
    rng = np.random.default_rng(3)
    n, p = 80, 12
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 3.0, p)
    y = X[:, :4] @ np.array([1.0, -2.0, 0.5, 1.5]) + rng.standard_normal(n)
    w = rng.uniform(0.2, 2.0, n)
    return X, y, w


def wls(X, y, w, cols):
    """Weighted least squares with an intercept on the columns ``cols``: (intercept, coefficients)."""
    Z = np.column_stack([np.ones(len(y)), X[:, cols]])
    sw = np.sqrt(w)
    sol = np.linalg.lstsq(Z * sw[:, None], y * sw, rcond=None)[0]
    return sol[0], sol[1:]


@pytest.mark.parametrize("dtype, rel", [("float64", 1e-9), ("float32", 2e-4)])
def test_gaussian_relaxed_fits_are_weighted_least_squares(problem, dtype, rel):
    X, y, w = problem
    fit = jaxreg.path(X, y, sample_weight=w, relax=True, dtype=dtype)
    r = fit.relaxed
    assert r.n_lambdas == fit.n_lambdas and r.converged.all()  # n - 3 = 77 > p: no λ left out
    for k in range(1, fit.n_lambdas, 7):
        cols = np.flatnonzero(fit.coef[k])
        b0, b = wls(X, y, w, cols)
        scale = np.abs(b).max()
        np.testing.assert_allclose(r.coef[k, cols], b, atol=rel * scale)
        assert np.all(np.delete(r.coef[k], cols) == 0)
        np.testing.assert_allclose(r.intercept[k], b0, atol=rel * max(scale, abs(b0)))
        resid = y - b0 - X[:, cols] @ b
        null = y - np.average(y, weights=w)
        np.testing.assert_allclose(r.dev_ratio[k], 1 - (w @ resid**2) / (w @ null**2), atol=rel)
    # the first λ has no active feature: the null model, as in glmnet
    assert np.all(r.coef[0] == 0) and r.intercept[0] == fit.intercept[0]


def test_each_active_set_is_fitted_once_and_reused(problem):
    X, y, w = problem
    fit = jaxreg.path(X, y, sample_weight=w, relax=True)
    active = fit.coef != 0
    for k in range(1, fit.n_lambdas):
        if (active[k] == active[k - 1]).all():
            assert np.array_equal(fit.relaxed.coef[k], fit.relaxed.coef[k - 1])
            assert fit.relaxed.n_iter[k] == fit.relaxed.n_iter[k - 1]


def test_blend_follows_glmnet(problem):
    X, y, w = problem
    fit = jaxreg.path(X, y, sample_weight=w, relax=True, relax_max_features=4)
    r = fit.relaxed
    size = (fit.coef != 0).sum(axis=1)
    kept = size <= 4
    np.testing.assert_array_equal(r.lambdas, fit.lambdas[kept])
    assert not kept.all()  # some λ have more than 4 features: left out of the relaxed fits
    plain = fit.blend(1.0)
    assert plain.relaxed is None and np.array_equal(plain.coef, fit.coef)
    half = fit.blend(0.25)
    # λ left out take the relaxed fit of the last λ that has one (glmnet's extend)
    last = np.flatnonzero(kept).max()
    which = np.where(kept, np.cumsum(kept) - 1, np.flatnonzero(kept).size - 1)
    assert which[last] == r.n_lambdas - 1
    np.testing.assert_allclose(half.coef, 0.25 * fit.coef + 0.75 * r.coef[which], rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(half.intercept, 0.25 * fit.intercept + 0.75 * r.intercept[which], rtol=1e-14)
    np.testing.assert_allclose(half.dev_ratio, 0.25 * fit.dev_ratio + 0.75 * r.dev_ratio[which], rtol=1e-14)
    assert np.array_equal(half.df, fit.df)
    # coef_at and predict with gamma: the blend, interpolated in λ like the penalized path
    s = 0.5 * (fit.lambdas[3] + fit.lambdas[4])
    b0, b = fit.coef_at(s, gamma=0.25)
    np.testing.assert_allclose(b, 0.5 * (half.coef[3] + half.coef[4]), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(fit.predict(X[:3], s, gamma=0.25), b0 + X[:3] @ b, rtol=1e-12)
    zero = fit.blend(0.0)
    np.testing.assert_array_equal(zero.coef[kept], r.coef)


def test_multinomial_relaxed_fit_is_the_unpenalized_maximum_likelihood():
    sklearn = pytest.importorskip("sklearn.linear_model")
    rng = np.random.default_rng(1)
    n, p = 150, 6
    X = rng.standard_normal((n, p))
    eta = X[:, :3] @ rng.standard_normal((3, 3))
    y = np.array([rng.choice(3, p=np.exp(e) / np.exp(e).sum()) for e in eta])
    fit = jaxreg.path(X, y, family="multinomial", relax=True, n_lambdas=20)
    assert fit.relaxed.converged.all()
    k = fit.n_lambdas - 1
    cols = np.flatnonzero((fit.coef[k] != 0).any(axis=1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sklearn.LogisticRegression(C=np.inf, tol=1e-12, max_iter=100_000).fit(X[:, cols], y)
    coef = ref.coef_.T - ref.coef_.T.mean(axis=1, keepdims=True)  # centred over the classes, as jaxreg's
    np.testing.assert_allclose(fit.relaxed.coef[k][cols], coef, atol=1e-6 * np.abs(coef).max())
    b0 = ref.intercept_ - ref.intercept_.mean()
    np.testing.assert_allclose(fit.relaxed.intercept[k], b0, atol=1e-6 * np.abs(coef).max())


def test_separable_binomial_refits_are_flagged_not_nan():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 5))
    y = (X[:, 0] + 0.3 * X[:, 1] > 0).astype(float)  # separable by the first two features
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = jaxreg.path(X, y, family="binomial", relax=True, max_iter=2_000)
    r = fit.relaxed
    assert np.all(np.isfinite(r.coef)) and np.all(np.isfinite(r.dev_ratio))
    bad = ~r.converged
    # an unpenalized logistic fit on separable data has no minimiser: either flagged and named, or pushed so far
    # that the likelihood is saturated (deviance explained ≈ 1)
    assert np.all(r.dev_ratio[~bad & (r.df >= 2)] > 0.999) or bad.any()
    if bad.any():
        assert any(issubclass(c.category, ConvergenceWarning) and "relaxed" in str(c.message) for c in caught)


def test_relaxed_path_is_a_pytree(problem):
    X, y, w = problem
    fit = jaxreg.path(X, y, relax=True, n_lambdas=10)
    leaves = jax.tree_util.tree_leaves(fit)
    assert len(leaves) == 2 * 8  # the path's arrays and the relaxed path's
    doubled = jax.tree_util.tree_map(lambda a: a * 2, fit)
    np.testing.assert_array_equal(doubled.relaxed.coef, 2 * fit.relaxed.coef)


def test_relax_errors(problem):
    X, y, _ = problem
    with pytest.raises(TypeError, match="relax"):
        jaxreg.path(X, y, relax="yes")
    with pytest.raises(ValueError, match="relax_max_features"):
        jaxreg.path(X, y, relax_max_features=5)
    with pytest.raises(ValueError, match="relax_max_features"):
        jaxreg.path(X, y, relax=True, relax_max_features=-1)
    fit = jaxreg.path(X, y, n_lambdas=10)
    with pytest.raises(ValueError, match="gamma.*relax=True"):
        fit.coef_at(fit.lambdas[2], gamma=0.5)
    relaxed = jaxreg.path(X, y, relax=True, n_lambdas=10)
    for bad in (1.5, -0.1, "half", np.nan):
        with pytest.raises(ValueError, match="gamma"):
            relaxed.predict(X, gamma=bad)
