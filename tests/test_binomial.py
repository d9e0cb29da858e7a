"""family="binomial": logistic regression paths."""

import numpy as np
import pytest

import jaxreg
from reference_np import kkt_violation, logistic_objective, logistic_reference, resolve_options, standardization


def make_logistic(n, p, *, seed=0, k=4):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 3.0, p) + rng.normal(0, 1, p)
    beta = np.zeros(p)
    beta[:k] = rng.choice([-1.0, 1.0], k) * rng.uniform(0.3, 1.0, k)
    eta = 0.3 + (X - X.mean(0)) / X.std(0) @ beta
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(float)
    return X, y


@pytest.mark.parametrize(
    "alpha,kwargs",
    [(1.0, {}), (0.5, {"sample_weight": "random"}), (1.0, {"penalty_factor": "mixed", "lower_bounds": -0.3}),
     (0.8, {"standardize": False}), (1.0, {"fit_intercept": False})],
)
def test_kkt_at_every_lambda(alpha, kwargs):
    X, y = make_logistic(80, 12, seed=3)
    kwargs = resolve_options(kwargs, *X.shape)
    fit = jaxreg.path(X, y, family="binomial", l1_ratio=alpha, n_lambdas=20, lambda_min_ratio=0.02, tol=1e-14,
                      max_iter=200_000, **kwargs)
    assert fit.converged.all()
    _, _, scale = standardization(X, kwargs.get("sample_weight"), fit_intercept=kwargs.get("fit_intercept", True),
                                  standardize=kwargs.get("standardize", True))
    for k, lam in enumerate(fit.lambdas):
        viol = kkt_violation(X, y, fit.intercept[k], fit.coef[k], lam, alpha=alpha, w=kwargs.get("sample_weight"),
                             pf=kwargs.get("penalty_factor"), scale=scale, lower=kwargs.get("lower_bounds"),
                             family="binomial")
        assert viol < 1e-4, (k, viol)
    if kwargs.get("fit_intercept", True) is False:
        assert np.all(fit.intercept == 0)


@pytest.mark.parametrize("alpha", [1.0, 0.5])
def test_objective_matches_an_independent_solver(alpha):
    X, y = make_logistic(60, 6, seed=5)
    fit = jaxreg.path(X, y, family="binomial", l1_ratio=alpha, n_lambdas=8, lambda_min_ratio=0.05)
    assert fit.converged.all()
    _, _, scale = standardization(X)
    for k, lam in enumerate(fit.lambdas):
        b0, b, ref = logistic_reference(X, y, lam, alpha=alpha, scale=scale)
        ours = logistic_objective(X, y, fit.intercept[k], fit.coef[k], lam, alpha=alpha, scale=scale)
        assert ours <= ref * (1 + 1e-6), (k, ours, ref)  # never worse than L-BFGS-B by more than 1e-6
        assert abs(ours - ref) <= 1e-6 * ref
        if np.abs(b).max() > 1e-3:
            assert np.abs(fit.coef[k] - b).max() <= 2e-3 * np.abs(b).max()


def test_lambda_max_and_null_model():
    X, y = make_logistic(70, 9, seed=2)
    fit = jaxreg.path(X, y, family="binomial", n_lambdas=5)
    _, mean, scale = standardization(X)
    xs = (X - mean) / scale
    np.testing.assert_allclose(fit.lambdas[0], np.abs(xs.T @ (y - y.mean())).max() / 70, rtol=1e-10)
    assert np.all(fit.coef[0] == 0)
    np.testing.assert_allclose(fit.intercept[0], np.log(y.mean() / (1 - y.mean())), rtol=1e-8)
    assert fit.dev_ratio[0] == pytest.approx(0.0, abs=1e-10)
    assert np.all(np.diff(fit.dev_ratio) >= -1e-9)


def test_labels_classes_and_predict_types():
    X, y = make_logistic(50, 5, seed=1)
    labels = np.where(y > 0, "spam", "ham")
    fit = jaxreg.path(X, labels, family="binomial", n_lambdas=10)
    ref = jaxreg.path(X, y, family="binomial", n_lambdas=10)
    assert fit.classes == ("ham", "spam")
    np.testing.assert_allclose(fit.coef, ref.coef)
    eta = fit.predict(X, lambda_=fit.lambdas[5])
    prob = fit.predict(X, lambda_=fit.lambdas[5], type="response")
    np.testing.assert_allclose(prob, 1 / (1 + np.exp(-eta)), rtol=1e-12)
    cls = fit.predict(X, lambda_=fit.lambdas[5], type="class")
    assert set(np.unique(cls)) <= {"ham", "spam"}
    np.testing.assert_array_equal(cls == "spam", eta > 0)
    with pytest.raises(ValueError, match="type"):
        jaxreg.path(X, y, n_lambdas=3).predict(X, type="class")


def test_bad_binomial_input():
    X, y = make_logistic(30, 3, k=2)
    with pytest.raises(ValueError, match="y: family='binomial' needs exactly two classes, got 3"):
        jaxreg.path(X, np.arange(30) % 3, family="binomial")
    with pytest.raises(ValueError, match="got 1"):
        jaxreg.path(X, np.ones(30), family="binomial")
    with pytest.raises(ValueError, match="y: length"):
        jaxreg.path(X, y[:-1], family="binomial")


def test_breast_cancer_default_path_certified():
    sk = pytest.importorskip("sklearn.datasets")
    X, y = sk.load_breast_cancer(return_X_y=True)
    fit = jaxreg.path(X, y, family="binomial")
    assert fit.converged.all() and fit.gap.max() <= 1e-7
    assert fit.dev_ratio[-1] > 0.9


def test_perfect_separation_stops_like_glmnet_and_never_returns_nan():
    # y is a threshold of the first feature: the unpenalized MLE does not exist
    rng = np.random.default_rng(5)
    X = rng.standard_normal((60, 4))
    y = (X[:, 0] > 0.1).astype(float)
    fit = jaxreg.path(X, y, family="binomial")
    assert np.isfinite(fit.coef).all() and np.isfinite(fit.intercept).all()
    assert fit.converged.all()
    # glmnet's devmax rule: the default path ends once 99.9 % of the deviance is explained
    assert fit.n_lambdas < 100 and fit.dev_ratio[-1] > 0.999 and np.all(fit.dev_ratio[:-1] <= 0.999)
    # a user grid is never shortened: tiny λ give large but finite coefficients, and the flags tell the truth
    tiny = jaxreg.path(X, y, family="binomial", lambdas=[1e-1, 1e-3, 1e-6], max_iter=20_000)
    assert np.isfinite(tiny.coef).all() and tiny.coef[-1, 0] > tiny.coef[1, 0] > tiny.coef[0, 0] > 0
    np.testing.assert_array_equal(tiny.converged, tiny.gap <= tiny.tol)
