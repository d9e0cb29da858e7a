"""family="poisson": log-linear regression paths (agreement with glmnet is in test_glmnet_reference.py)."""

import json
import pathlib

import numpy as np
import pytest

import jaxreg
from reference_np import resolve_options, standardization

REF = pathlib.Path(__file__).parent / "reference"


def make_poisson(n=80, p=8, *, seed=0, k=3):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 2.0, p) + rng.normal(0, 1, p)
    beta = np.zeros(p)
    beta[:k] = rng.choice([-1.0, 1.0], k) * rng.uniform(0.2, 0.6, k)
    eta = 0.5 + (X - X.mean(0)) / X.std(0) @ beta
    return X, rng.poisson(np.exp(eta)).astype(float)


def poisson_example():
    """glmnet's data(PoissonExample): x 500×20, y counts (stored in the reference file)."""
    d = json.loads((REF / "glmnet_poisson_default.json").read_text())
    return np.asarray(d["x"], float), np.asarray(d["y"], float)


def half_deviance(y, mu, w):
    """Σ w [y log(y/μ) − (y − μ)] / Σ w, with y log y = 0 at y = 0 (half glmnet's poisson deviance, per weight)."""
    ylog = np.where(y > 0, y * np.log(np.where(y > 0, y, 1.0) / mu), 0.0)
    return w @ (ylog - (y - mu)) / w.sum()


def objective(X, y, b0, b, lam, *, alpha, w, pf, scale):
    """The documented objective, measured from the saturated model (so that P(0) is half the null deviance)."""
    pf = pf * X.shape[1] / pf.sum()
    bs = b * scale
    return half_deviance(y, np.exp(b0 + X @ b), w) + lam * np.sum(pf * ((1 - alpha) / 2 * bs**2 + alpha * np.abs(bs)))


def reference_solution(X, y, lam, *, alpha, w, pf, scale, lower):
    """Independent solution: L-BFGS-B on the smooth split b = b⁺ − b⁻ (b± ≥ 0, b⁻ ≤ −lower)."""
    from scipy.optimize import minimize

    n, p = X.shape
    wn = w / w.sum()
    pfn = pf * p / pf.sum()
    a, c = lam * pfn * alpha * scale, lam * pfn * (1 - alpha) * scale**2

    def fun(z):
        b = z[:p] - z[p:2 * p]
        mu = np.exp(z[-1] + X @ b)
        gb = X.T @ (wn * (mu - y)) + c * b
        f = wn @ (mu - y * np.log(mu)) + a @ (z[:p] + z[p:2 * p]) + 0.5 * c @ b**2
        return f, np.concatenate([gb + a, -gb + a, [wn @ (mu - y)]])

    bounds = [(0, None)] * p + [(0, -lo if np.isfinite(lo) else None) for lo in lower] + [(None, None)]
    z0 = np.r_[np.zeros(2 * p), np.log(wn @ y)]
    res = minimize(fun, z0, jac=True, method="L-BFGS-B", bounds=bounds,
                   options={"maxiter": 100_000, "maxfun": 200_000, "ftol": 1e-16, "gtol": 1e-13})
    return res.x[-1], res.x[:p] - res.x[p:2 * p]


@pytest.mark.parametrize("alpha,weighted", [(1.0, False), (0.5, True)])
def test_reported_gap_bounds_the_suboptimality(alpha, weighted):
    # A loose tol, so that the reported gaps are large enough for a too-optimistic certificate to show.
    X, y = make_poisson(seed=1)
    n, p = X.shape
    rng = np.random.default_rng(2)
    w = rng.uniform(0.3, 2.0, n) if weighted else np.ones(n)
    pf = np.r_[0.0, rng.uniform(0.5, 2.0, p - 1)] if weighted else np.ones(p)
    lower = np.r_[np.full(p - 2, -np.inf), -0.05, -0.05] if weighted else np.full(p, -np.inf)
    kw = dict(l1_ratio=alpha, sample_weight=w, penalty_factor=pf, lower_bounds=lower)
    fit = jaxreg.path(X, y, family="poisson", n_lambdas=8, lambda_min_ratio=0.02, tol=1e-4, **kw)
    _, _, scale = standardization(X, w)
    null = half_deviance(y, np.full(n, w @ y / w.sum()), w)
    assert fit.converged.all() and np.all(fit.gap >= 0)
    for k, lam in enumerate(fit.lambdas):
        ref = objective(X, y, *reference_solution(X, y, lam, alpha=alpha, w=w, pf=pf, scale=scale, lower=lower),
                        lam, alpha=alpha, w=w, pf=pf, scale=scale)
        ours = objective(X, y, fit.intercept[k], fit.coef[k], lam, alpha=alpha, w=w, pf=pf, scale=scale)
        # P(ours) − P* ≥ P(ours) − P(ref): the certificate must cover it
        assert ours - ref <= fit.gap[k] * null + 1e-12 * null, (k, ours - ref, fit.gap[k] * null)
        assert ref - ours <= 1e-9 * null  # L-BFGS-B is not better than our point by more than its own accuracy


POISSON_CASES = [
    (1.0, {}),
    (0.5, {"sample_weight": "random", "penalty_factor": "mixed"}),
    (1.0, {"lower_bounds": -0.1, "upper_bounds": 0.3}),
    (0.8, {"standardize": False}),
    (1.0, {"fit_intercept": False}),
]


@pytest.mark.parametrize("alpha,kwargs", POISSON_CASES)
def test_kkt_at_every_lambda(alpha, kwargs):
    X, y = make_poisson(seed=3)
    n, p = X.shape
    kwargs = resolve_options(kwargs, n, p)
    fit = jaxreg.path(X, y, family="poisson", l1_ratio=alpha, n_lambdas=12, lambda_min_ratio=0.01, tol=1e-13,
                      max_iter=200_000, **kwargs)
    assert fit.converged.all()
    intercept = kwargs.get("fit_intercept", True)
    w = np.ones(n) if kwargs.get("sample_weight") is None else kwargs["sample_weight"]
    wn = w / w.sum()
    pf = np.ones(p) if kwargs.get("penalty_factor") is None else kwargs["penalty_factor"]
    pf = pf * p / pf.sum()
    _, mean, scale = standardization(X, w, fit_intercept=intercept, standardize=kwargs.get("standardize", True))
    lo = np.broadcast_to(kwargs.get("lower_bounds", -np.inf), p)
    hi = np.broadcast_to(kwargs.get("upper_bounds", np.inf), p)
    assert fit.coef.min() >= lo.min() - 1e-12 and fit.coef.max() <= hi.max() + 1e-12
    null_mu = np.full(n, wn @ y) if intercept else np.ones(n)
    null = half_deviance(y, null_mu, w)
    xs = (X - mean) / scale
    for k, lam in enumerate(fit.lambdas):
        mu = np.exp(fit.intercept[k] + X @ fit.coef[k])
        g = xs.T @ (wn * (mu - y))  # gradient w.r.t. the standardized coefficients
        beta = fit.coef[k] * scale
        a, c = lam * pf * alpha, lam * pf * (1 - alpha)
        d = g + c * beta
        viol = np.where(beta != 0, np.abs(d + a * np.sign(beta)), np.maximum(np.abs(d) - a, 0.0))
        at_bound = (np.isclose(fit.coef[k], lo, rtol=1e-12, atol=0) & (d + a * np.sign(beta) > 0)) | \
                   (np.isclose(fit.coef[k], hi, rtol=1e-12, atol=0) & (d + a * np.sign(beta) < 0))
        blocked = (beta == 0) & (((d > a) & (lo == 0)) | ((d < -a) & (hi == 0)))
        viol = np.where(at_bound | blocked, 0.0, viol)
        # The gap ε bounds each coordinate's residual d_j by about sqrt(2 H_jj ε) (H_jj its local curvature; the
        # move that would gain d_j²/(2 H_jj) is tiny, so μ barely changes along it: a factor 2 covers that).
        curvature = 2 * (wn * mu) @ xs**2 + c
        gap = max(fit.gap[k], 1e-15) * null
        allowed = np.maximum(2 * np.sqrt(2 * curvature * gap), 1e-7 * lam)
        assert np.all(viol <= allowed), (k, viol, allowed)
        if intercept:
            assert abs(wn @ (mu - y)) <= 1e-6 * (wn @ y)
    if not intercept:
        assert np.all(fit.intercept == 0)


def test_null_model_lambda_max_and_dev_ratio():
    X, y = make_poisson(seed=4)
    n = len(y)
    w = np.random.default_rng(1).uniform(0.5, 2.0, n)
    fit = jaxreg.path(X, y, family="poisson", sample_weight=w, n_lambdas=6, lambda_min_ratio=0.05)
    _, mean, scale = standardization(X, w)
    ybar = w @ y / w.sum()
    lam_max = np.abs(((X - mean) / scale).T @ (w * (y - ybar))).max() / w.sum()
    np.testing.assert_allclose(fit.lambdas[0], lam_max, rtol=1e-10)
    assert np.all(fit.coef[0] == 0)
    np.testing.assert_allclose(fit.intercept[0], np.log(ybar), rtol=1e-10)
    null = half_deviance(y, np.full(n, ybar), w)
    for k in range(fit.n_lambdas):
        mu = np.exp(fit.intercept[k] + X @ fit.coef[k])
        np.testing.assert_allclose(fit.dev_ratio[k], 1 - half_deviance(y, mu, w) / null, rtol=1e-9, atol=1e-12)
    # non-integer responses are allowed (as in glmnet); predictions
    frac = jaxreg.path(X, 0.37 * y, family="poisson", n_lambdas=6, lambda_min_ratio=0.05)
    assert frac.converged.all()
    link = frac.predict(X[:5])
    np.testing.assert_allclose(frac.predict(X[:5], type="response"), np.exp(link), rtol=1e-14)
    np.testing.assert_allclose(frac.predict(X[:5], lambda_=frac.lambdas[2], type="response"), np.exp(link[:, 2]),
                               rtol=1e-12)
    with pytest.raises(ValueError, match="type: 'class' needs family='binomial'"):
        frac.predict(X[:5], type="class")


def test_ridge_matches_scikit_learn_poisson_regressor():
    from sklearn.linear_model import PoissonRegressor

    X, y = make_poisson(seed=5)
    lams = np.array([0.3, 0.03, 0.003])
    # PoissonRegressor: (1/(2n)) Σ deviance + alpha/2 ‖b‖², i.e. jaxreg's objective with l1_ratio=0, no scaling
    fit = jaxreg.path(X, y, family="poisson", l1_ratio=0.0, standardize=False, lambdas=lams, tol=1e-13,
                      max_iter=200_000)
    assert fit.converged.all()
    for k, lam in enumerate(lams):
        ref = PoissonRegressor(alpha=lam, solver="newton-cholesky", tol=1e-12, max_iter=1000).fit(X, y)
        np.testing.assert_allclose(fit.coef[k], ref.coef_, rtol=1e-6, atol=1e-8)
        assert abs(fit.intercept[k] - ref.intercept_) <= 1e-6 * max(1.0, abs(ref.intercept_))


def test_float32_agrees_loosely_with_glmnet():
    d = json.loads((REF / "glmnet_poisson_default.json").read_text())
    X, y = np.asarray(d["x"], float), np.asarray(d["y"], float)
    f32 = jaxreg.path(X, y, family="poisson", dtype="float32")  # default path: grid and early stop as glmnet's
    assert f32.coef.dtype == np.float32 and f32.converged.all() and f32.n_lambdas == d["L"]
    np.testing.assert_allclose(f32.lambdas, d["lambda"], rtol=1e-5)
    b_ref = np.asarray(d["beta_tight"])
    scale = np.abs(b_ref).max(axis=1, keepdims=True) + 1e-3
    assert np.all(np.abs(f32.coef - b_ref) <= 1e-2 * scale)
    np.testing.assert_allclose(f32.intercept, d["a0_tight"], rtol=1e-3, atol=1e-3)


def test_bad_poisson_input():
    X, y = make_poisson(n=20, p=3, seed=6)
    with pytest.raises(ValueError, match="y: family='poisson' needs non-negative responses"):
        jaxreg.path(X, np.r_[-1.0, y[1:]], family="poisson")
    with pytest.raises(ValueError, match="y: contains NaN"):
        jaxreg.path(X, np.r_[np.nan, y[1:]], family="poisson")
    with pytest.raises(ValueError, match="y: family='poisson' needs some positive response"):
        jaxreg.path(X, np.zeros(20), family="poisson")
    with pytest.raises(ValueError, match="scoring: expected one of"):
        jaxreg.cv_path(X, y, family="poisson", scoring="auc")


# cv.glmnet(x, y, family="poisson", foldid=rep(1:5, length.out=500), type.measure=m, thresh=1e-20, maxit=1e7) on
# PoissonExample (glmnet 4.1-6): cvm and cvsd at λ indices 1, 10, 30, 50, 68 (1-based), lambda.min, lambda.1se.
CV_GLMNET = {
    "deviance": ([28.93454284, 15.25681898, 2.003291669, 1.013762473, 1.021297605],
                 [8.541307173, 4.312320575, 0.3625727721, 0.02834083919, 0.01941945236],
                 (0.09689203717, 0.1858302324)),
    "mse": ([905.8206796, 730.7213094, 150.3736091, 30.73099846, 28.51449728],
            [479.3909903, 414.3310653, 104.3780087, 15.76451689, 11.16881135], (0.02634095531, 0.2039484506)),
    "mae": ([10.51579278, 8.021768788, 2.69518193, 1.719293396, 1.710478024],
            [1.180110179, 1.188426279, 0.5886525116, 0.2360720583, 0.1583631183], (0.02634095531, 0.269607849)),
}


@pytest.mark.parametrize("scoring", ["deviance", "mse", "mae"])
def test_cv_scores_match_cv_glmnet(scoring):
    X, y = poisson_example()
    cv = jaxreg.cv_path(X, y, family="poisson", foldid=np.arange(500) % 5,
                        scoring=None if scoring == "deviance" else scoring)
    assert cv.scoring == scoring and cv.lambdas.size == 68
    idx = [0, 9, 29, 49, 67]
    cvm, cvsd, (lam_min, lam_1se) = CV_GLMNET[scoring]
    np.testing.assert_allclose(cv.cv_mean[idx], cvm, rtol=1e-4)
    np.testing.assert_allclose(cv.cv_std[idx], cvsd, rtol=1e-3)
    np.testing.assert_allclose([cv.lambda_min, cv.lambda_1se], [lam_min, lam_1se], rtol=1e-8)
    np.testing.assert_allclose(cv.predict(X[:4], type="response"), np.exp(cv.predict(X[:4])), rtol=1e-14)
