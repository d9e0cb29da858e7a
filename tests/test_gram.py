"""The Gram matrix computed by NumPy on a CPU (``jaxreg._gram``) is the one the compiled core would compute, and
paths through it are the paths without it."""

import numpy as np
import pytest

import jaxreg
from jaxreg import _gram
from jaxreg._gram import host_gram, use_host_gram


def _data(n=60, p=8, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) * rng.uniform(0.5, 3.0, p) + rng.normal(size=p) * 4.0
    X[:, 3] = 2.5  # a constant column: excluded (zero in the prepared design)
    y = X[:, 0] - 2.0 * X[:, 1] + rng.normal(size=n)
    w = rng.uniform(0.2, 2.0, n)
    w[:5] = 0.0
    return X, y, w


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("standardize", [True, False])
def test_host_gram_is_the_prepared_designs_gram(fit_intercept, standardize):
    X, _, w = _data()
    n = X.shape[0]
    wn = w * n / w.sum()  # weights summing to n
    mean = wn @ X / n
    xc = X - mean if fit_intercept else X.copy()
    sd = np.sqrt(wn @ (X - mean) ** 2 / n)
    constant = np.all(X[w > 0] == X[w > 0][0], axis=0)
    scale = np.where(constant, 1.0, sd) if standardize else np.ones(X.shape[1])
    xp = np.sqrt(wn)[:, None] * np.where(constant, 0.0, xc) / scale
    expected = xp.T @ xp / n
    got = host_gram(X, w, fit_intercept=fit_intercept, standardize=standardize)
    assert got.shape == (X.shape[1],) * 2
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    assert np.all(got[3] == 0.0)


@pytest.mark.parametrize(("dtype", "fit_intercept", "standardize"),
                         [("float64", True, True), ("float64", False, True), ("float64", True, False),
                          ("float64", False, False), ("float32", True, True)])
def test_path_through_host_gram_is_the_same_path(monkeypatch, dtype, fit_intercept, standardize):
    X, y, w = _data(n=80, p=12, seed=1)
    kw = dict(sample_weight=w, l1_ratio=0.7, lower_bounds=-0.5, dtype=dtype, tol=1e-9 if dtype == "float64" else 1e-5,
              fit_intercept=fit_intercept, standardize=standardize, offset=np.linspace(-1.0, 1.0, X.shape[0]))
    calls = []

    def spy(*args, **kwargs):
        calls.append(args[0].shape)
        return host_gram(*args, **kwargs)

    monkeypatch.setattr(_gram, "host_gram", spy)
    without = jaxreg.path(X, y, **kw)
    assert calls == []  # too small
    monkeypatch.setattr(_gram, "HOST_GRAM_MIN_WORK", 0)
    with_host = jaxreg.path(X, y, **kw)
    assert calls == [X.shape]
    rtol = 1e-8 if dtype == "float64" else 2e-3
    # glmnet's early stop (deviance explained changing by < 1e-5) may fall one λ apart in float32 rounding
    m = min(len(with_host.lambdas), len(without.lambdas))
    assert abs(len(with_host.lambdas) - len(without.lambdas)) <= (0 if dtype == "float64" else 1) and m > 50
    np.testing.assert_allclose(with_host.lambdas[:m], without.lambdas[:m], rtol=rtol)
    np.testing.assert_allclose(with_host.coef[:m], without.coef[:m], rtol=rtol, atol=rtol * np.abs(without.coef).max())
    np.testing.assert_allclose(with_host.intercept[:m], without.intercept[:m], rtol=rtol, atol=rtol)
    assert with_host.converged.all()


def test_which_calls_take_the_host_gram():
    big = (5_000, 1_000)
    assert use_host_gram(*big, "gaussian", True, False)
    assert not use_host_gram(1_000, 500, "gaussian", True, False)  # small: the product costs a few ms
    assert not use_host_gram(*big, "gaussian", False, False)  # iterations on X: no Gram matrix
    assert not use_host_gram(*big, "gaussian", True, True)  # rows split over a mesh
    assert not use_host_gram(*big, "mgaussian", True, False)
    assert not use_host_gram(*big, "binomial", True, False)
