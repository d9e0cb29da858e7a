"""Weights, centring, scaling and the way back to the original scale."""

import jax.numpy as jnp
import numpy as np
import pytest

from jaxreg.preprocessing import constant_columns, normalize_weights, prepare, prepared_xty, to_original_scale
from reference_np import make_problem, standardization


def test_weighted_population_standardization():
    X, y = make_problem(30, 5, seed=0)
    w = np.linspace(0.1, 2.0, 30)
    wn = np.asarray(normalize_weights(jnp.asarray(w)))
    assert np.isclose(wn.sum(), 30)
    prep = prepare(jnp.asarray(X), jnp.asarray(y), jnp.asarray(wn), fit_intercept=True, standardize=True)
    _, mean, scale = standardization(X, w)
    np.testing.assert_allclose(prep.x_mean, mean, rtol=1e-12)
    np.testing.assert_allclose(prep.x_scale, scale, rtol=1e-12)
    # prepared columns have unit mean square (weights folded in as √w)
    np.testing.assert_allclose(np.mean(np.asarray(prep.x) ** 2, axis=0), 1.0, rtol=1e-12)
    beta = jnp.arange(1.0, 6.0)
    coef, b0 = to_original_scale(prep, beta)
    np.testing.assert_allclose(coef, np.arange(1.0, 6.0) / scale)
    np.testing.assert_allclose(b0, wn @ y / 30 - mean @ np.asarray(coef))


def test_no_intercept_scales_by_sd_but_does_not_centre():
    X, y = make_problem(30, 5, seed=0)
    prep = prepare(jnp.asarray(X), jnp.asarray(y), jnp.ones(30), fit_intercept=False, standardize=True)
    np.testing.assert_allclose(prep.x_scale, X.std(axis=0), rtol=1e-12)  # glmnet 4.1-6: sd about the mean
    np.testing.assert_allclose(prep.x, X / X.std(axis=0), rtol=1e-12)  # ... but columns are not centred
    assert float(prep.y_mean) == 0.0
    ones = np.c_[X, np.ones(30)]
    prep1 = prepare(jnp.asarray(ones), jnp.asarray(y), jnp.ones(30), fit_intercept=False, standardize=True)
    assert bool(prep1.excluded[-1])  # a constant column is excluded with or without an intercept


def test_constant_columns_ignore_zero_weight_rows():
    X = np.array([[1.0, 2.0], [1.0, 3.0], [5.0, 4.0]])
    w = jnp.asarray([1.0, 1.0, 0.0])
    np.testing.assert_array_equal(constant_columns(jnp.asarray(X), w), [True, False])
    prep = prepare(jnp.asarray(X), jnp.zeros(3), w * 1.5, fit_intercept=True, standardize=True)
    assert np.all(np.asarray(prep.x)[:, 0] == 0) and float(prep.x_scale[0]) == 1.0


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("standardize", [True, False])
def test_prepared_xty_is_the_prepared_designs_product(fit_intercept, standardize):
    """Xᵀy/n of the prepared data, computed from the original X (the host-Gram route), is the product of the
    prepared design with the prepared response: weights, a constant column, a column far from zero, 1 or K y."""
    rng = np.random.default_rng(3)
    n, p = 40, 6
    X = rng.normal(size=(n, p)) * rng.uniform(0.5, 3.0, p)
    X[:, 2] = 7.0  # constant: excluded
    X[:, 4] += 1e4  # a mean far from zero: the uncentred product must not lose it to rounding
    y = rng.normal(size=n) + 3.0
    w = normalize_weights(jnp.asarray(rng.uniform(0.0, 2.0, n)))
    prep = prepare(jnp.asarray(X), jnp.asarray(y), w, fit_intercept=fit_intercept, standardize=standardize)
    expected = np.asarray(prep.x).T @ np.asarray(prep.y) / n
    got = np.asarray(prepared_xty(jnp.asarray(X), w, prep))
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9 * np.abs(expected).max())
    assert np.all(got[2] == 0.0)
