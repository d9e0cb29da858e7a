"""``offset=``: a known term in the linear predictor (glmnet's offset), for every family, in paths, CV and predict."""

import numpy as np
import pytest
from reference_np import standardization

import jaxreg


def _data(family, n=150, p=8, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 2, p) + rng.normal(0, 1, p)
    b = np.zeros(p)
    b[:3] = [0.5, -0.4, 0.3]
    offset = np.log(rng.uniform(0.5, 3.0, n))
    eta = 0.2 + X @ b + offset
    if family == "poisson":
        y = rng.poisson(np.exp(eta)).astype(float)
    elif family == "binomial":
        y = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(float)
    else:
        y = eta + rng.standard_normal(n)
    return X, y, offset


def _mean(eta, family):
    return {"gaussian": eta, "binomial": 1 / (1 + np.exp(-eta)), "poisson": np.exp(eta)}[family]


@pytest.mark.parametrize("family", ["gaussian", "binomial", "poisson"])
def test_kkt_and_null_model_with_offset(family):
    """Optimality at every λ with η = offset + b0 + Xb; at λmax the intercept is the intercept-only fit with the
    offset, and λmax is measured from its residual."""
    X, y, offset = _data(family)
    n, p = X.shape
    w = np.random.default_rng(1).uniform(0.5, 2.0, n)
    fit = jaxreg.path(X, y, family=family, offset=offset, sample_weight=w, n_lambdas=20, tol=1e-13,
                      max_iter=200_000)
    assert fit.converged.all() and fit.has_offset
    _, _, scale = standardization(X, w)
    for k, lam in enumerate(fit.lambdas):
        r = w * (_mean(offset + fit.intercept[k] + X @ fit.coef[k], family) - y) / w.sum()
        assert abs(r.sum()) < 1e-8  # the intercept's gradient
        g, b = (X.T @ r) / scale, fit.coef[k] * scale  # on the standardized scale
        viol = np.where(b != 0, np.abs(g + lam * np.sign(b)), np.maximum(np.abs(g) - lam, 0.0))
        assert viol.max() < 1e-5 * lam, (k, viol.max() / lam)
    assert np.all(fit.coef[0] == 0)
    r0 = w * (_mean(offset + fit.intercept[0], family) - y) / w.sum()
    assert fit.lambda_max == pytest.approx(np.max(np.abs(X.T @ r0) / scale), rel=1e-8)


def test_gaussian_offset_is_subtracted_from_y():
    X, y, offset = _data("gaussian")
    with_offset = jaxreg.path(X, y, offset=offset)
    shifted = jaxreg.path(X, y - offset)
    np.testing.assert_allclose(with_offset.coef, shifted.coef, atol=1e-12)
    np.testing.assert_allclose(with_offset.intercept, shifted.intercept, atol=1e-12)
    np.testing.assert_allclose(with_offset.predict(X, offset=offset), shifted.predict(X) + offset[:, None],
                               atol=1e-10)


@pytest.mark.parametrize("family", ["binomial", "poisson"])
def test_constant_offset_moves_only_the_intercept(family):
    """With an intercept, offset = c everywhere is absorbed by it: same coefficients, intercept − c, same
    predictions, deviance explained and cross-validation curve."""
    X, y, _ = _data(family)
    c = 0.7
    base = jaxreg.path(X, y, family=family, n_lambdas=15, tol=1e-12)
    moved = jaxreg.path(X, y, family=family, offset=np.full(y.size, c), n_lambdas=15, tol=1e-12)
    np.testing.assert_allclose(moved.lambdas, base.lambdas, rtol=1e-9)
    np.testing.assert_allclose(moved.coef, base.coef, atol=1e-6)
    np.testing.assert_allclose(moved.intercept, base.intercept - c, atol=1e-6)
    np.testing.assert_allclose(moved.dev_ratio, base.dev_ratio, atol=1e-9)
    folds = np.arange(y.size) % 4
    cv0 = jaxreg.cv_path(X, y, family=family, foldid=folds, n_lambdas=15, tol=1e-12)
    cv1 = jaxreg.cv_path(X, y, family=family, foldid=folds, offset=np.full(y.size, c), n_lambdas=15, tol=1e-12)
    np.testing.assert_allclose(cv1.cv_mean, cv0.cv_mean, rtol=1e-6)


def test_poisson_offset_without_intercept_and_rates():
    """No intercept: the null model is η = offset. Log exposure as offset fits rates: a doubled exposure doubles μ."""
    X, y, offset = _data("poisson")
    fit = jaxreg.path(X, y, family="poisson", offset=offset, fit_intercept=False, n_lambdas=10)
    assert fit.converged.all() and np.all(fit.intercept == 0)
    mu = fit.predict(X[:5], offset=offset[:5], type="response")
    mu2 = fit.predict(X[:5], offset=offset[:5] + np.log(2.0), type="response")
    np.testing.assert_allclose(mu2, 2 * mu, rtol=1e-12)


def test_offset_errors():
    X, y, offset = _data("poisson", n=40)
    fit = jaxreg.path(X, y, family="poisson", offset=offset, n_lambdas=5)
    with pytest.raises(ValueError, match="offset: this path was fitted with an offset"):
        fit.predict(X)
    with pytest.raises(ValueError, match="offset: expected a vector of length 3"):
        fit.predict(X[:3], offset=offset[:4])
    with pytest.raises(ValueError, match="offset: this path was fitted without an offset"):
        jaxreg.path(X, y, family="poisson", n_lambdas=5).predict(X, offset=offset)
    for bad, match in [(offset[:-1], "offset: expected a vector of length 40"), (np.full(40, np.nan), "offset: "
                       "contains NaN"), (np.full(40, "a"), "offset: expected a numeric")]:
        with pytest.raises((ValueError, TypeError), match=match):
            jaxreg.path(X, y, family="poisson", offset=bad)
