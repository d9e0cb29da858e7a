"""family="multinomial": softmax regression paths, ungrouped and grouped (glmnet's ``type.multinomial``)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxreg
from jaxreg.losses import Multinomial
from reference_np import resolve_options, standardization

K = 3


def make_multinomial(n=150, p=8, *, seed=0, k=K):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 2.0, p) + rng.normal(0, 1, p)
    B = np.zeros((p, k))
    B[:3] = rng.normal(0, 1.2, (3, k))
    eta = (X - X.mean(0)) / X.std(0) @ B
    prob = np.exp(eta - eta.max(1, keepdims=True))
    prob /= prob.sum(1, keepdims=True)
    y = np.array([rng.choice(k, p=row) for row in prob])
    return X, y


def softmax(eta, axis):
    e = np.exp(eta - eta.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def centred(eta):
    return eta - eta.mean(axis=1, keepdims=True)


# -- the loss ---------------------------------------------------------------------------------------------------
def _loss(seed=0, offset=True):
    rng = np.random.default_rng(seed)
    n, q = 40, 5
    x = jnp.asarray(rng.standard_normal((n, q)))
    y = jax.nn.one_hot(rng.integers(0, K, n), K, dtype=x.dtype)
    omega = jnp.asarray(rng.uniform(0.2, 2.0, n))
    omega = omega / omega.sum()
    off = jnp.asarray(rng.normal(0, 0.5, (n, K))) if offset else None
    beta = jnp.asarray(rng.normal(0, 0.5, q * K))
    return Multinomial.from_data(x, y, omega, off), beta


def test_loss_value_gradient_and_hessian_blocks():
    loss, beta = _loss()
    eta = np.asarray(loss.x @ beta.reshape(-1, K) + loss.offset)
    p = softmax(eta, 1)
    expected = np.sum(np.asarray(loss.omega) * (np.log(np.exp(eta).sum(1)) - (np.asarray(loss.y) * eta).sum(1)))
    np.testing.assert_allclose(loss.value(beta), expected, rtol=1e-12)
    np.testing.assert_allclose(loss.grad(beta), jax.grad(loss.value)(beta), rtol=1e-10, atol=1e-14)
    hess = jax.hessian(loss.value)(beta)
    idx = jnp.array([0, 4, 5, 11, 13])
    np.testing.assert_allclose(loss.hess_block(beta, idx), hess[np.ix_(idx, idx)], rtol=1e-10, atol=1e-14)
    # the curvature bound dominates the Hessian, and its diagonal the Hessian's diagonal
    rng = np.random.default_rng(1)
    for _ in range(5):
        v = jnp.asarray(rng.standard_normal(beta.shape[0]))
        assert v @ loss.hess_matvec(v) >= v @ hess @ v - 1e-12
    assert np.all(np.asarray(loss.diag()) >= np.diag(hess) - 1e-12)
    assert p.shape == (40, K)


def test_loss_dual_is_the_fenchel_young_equality():
    """At s = 1 the dual value is ``f(β) − ⟨u, Xβ⟩`` with ``u`` the gradient in ``η``: the Fenchel–Young equality
    for ``η ↦ φ(η + o)``, whose conjugate is ``φ^*(u) − ⟨o, u⟩``."""
    loss, beta = _loss()
    f, _, prob = loss.dual_parts(beta)
    u = np.asarray(loss.omega)[:, None] * (np.asarray(prob) - np.asarray(loss.y))
    xb = np.asarray(loss.x @ beta.reshape(-1, K))
    np.testing.assert_allclose(loss.dual_value(1.0, prob), f - np.sum(u * xb), rtol=1e-12)


def test_restricted_loss_matches_the_full_one():
    loss, beta = _loss()
    idx = jnp.array([1, 2, 7, 14])
    sub = loss.restrict(idx, beta)
    z = jnp.asarray(np.random.default_rng(2).normal(0, 0.3, idx.shape[0]))
    full = beta.at[idx].set(z)
    np.testing.assert_allclose(sub.value(z), loss.value(full), rtol=1e-12)
    np.testing.assert_allclose(sub.grad(z), loss.grad(full)[idx], rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(sub.hess_block(z, jnp.arange(4)), loss.hess_block(full, idx), rtol=1e-10,
                               atol=1e-14)
    np.testing.assert_allclose(sub.restrict(jnp.array([0, 3]), z).value(z[jnp.array([0, 3])]), loss.value(full),
                               rtol=1e-12)


# -- paths ------------------------------------------------------------------------------------------------------
def kkt_multinomial(X, y, fit, k, *, alpha, w=None, pf=None, grouped=False, standardize=True, lower=None):
    """Largest violation (relative to λ) of the optimality conditions at λ_k, on glmnet's standardized scale."""
    n, p = X.shape
    w, mean, scale = standardization(X, w, standardize=standardize)
    pf = np.ones(p) if pf is None else np.asarray(pf, float) * p / np.sum(pf)
    lam, b, b0 = fit.lambdas[k], fit.coef[k], fit.intercept[k]
    yk = np.eye(K)[y]
    prob = softmax(X @ b + b0, 1)
    g = ((X - mean) / scale).T @ (w[:, None] * (yk - prob)) / n  # −∇ on the standardized scale, (p, K)
    assert np.abs(w @ (yk - prob) / n).max() < 1e-7  # intercepts
    bs = b * scale[:, None]
    smooth = -g + lam * pf[:, None] * (1 - alpha) * bs
    c1 = lam * pf[:, None] * alpha
    if grouped:
        norm = np.linalg.norm(bs, axis=1, keepdims=True)
        at = smooth + c1 * bs / np.where(norm > 0, norm, 1.0)
        viol = np.where(norm[:, 0] > 0, np.linalg.norm(at, axis=1),
                        np.maximum(np.linalg.norm(smooth, axis=1) - c1[:, 0], 0.0))
        return viol.max() / lam
    lo = np.where(b > 0, smooth + c1, smooth - c1)
    hi = np.where(b < 0, smooth - c1, smooth + c1)
    if lower is not None:
        lo = np.where(np.abs(b - lower) <= 1e-12, -np.inf, lo)
    return np.maximum(0.0, np.maximum(lo, -hi)).max() / lam


@pytest.mark.parametrize("grouped,alpha,kwargs", [
    (False, 1.0, {}),
    (False, 0.6, {"sample_weight": "random", "penalty_factor": "mixed", "lower_bounds": -0.25}),
    (True, 1.0, {"sample_weight": "random"}),
    (True, 0.5, {"penalty_factor": "mixed", "standardize": False}),
])
def test_kkt_at_every_lambda(grouped, alpha, kwargs):
    X, y = make_multinomial(seed=1)
    kwargs = resolve_options(kwargs, *X.shape)
    fit = jaxreg.path(X, y, family="multinomial", multinomial_grouped=grouped, l1_ratio=alpha, n_lambdas=15,
                      lambda_min_ratio=0.02, tol=1e-13, max_iter=100_000, **kwargs)
    assert fit.converged.all() and fit.coef.shape == (fit.n_lambdas, X.shape[1], K)
    assert fit.df[0] == (0 if "penalty_factor" not in kwargs else 1) and fit.df[-1] > 2
    np.testing.assert_allclose(fit.intercept.sum(axis=1), 0.0, atol=1e-10)  # centred, as glmnet's
    if "penalty_factor" in kwargs and "lower_bounds" not in kwargs:  # an unpenalized free feature is centred too
        np.testing.assert_allclose(fit.coef[:, 0].sum(axis=1), 0.0, atol=1e-10)
    for k in range(fit.n_lambdas):
        viol = kkt_multinomial(X, y, fit, k, alpha=alpha, w=kwargs.get("sample_weight"),
                               pf=kwargs.get("penalty_factor"), grouped=grouped,
                               standardize=kwargs.get("standardize", True), lower=kwargs.get("lower_bounds"))
        assert viol < 1e-5, (k, viol)
    if grouped:  # whole rows enter together
        nz = fit.coef != 0
        assert np.all(nz.all(axis=2) == nz.any(axis=2))
    if "lower_bounds" in kwargs:
        assert fit.coef.min() >= -0.25 - 1e-12


def test_two_classes_match_the_binomial_lasso():
    """With K = 2 the lasso splits ``b`` into ``(B₁, B₂)`` of opposite signs (``|B₁| + |B₂| = |B₂ − B₁|``), so the
    class-2-minus-class-1 predictor is the binomial one, at the same λ grid. (A tight tol: the deviance of a
    solution certified to a gap ε may be off by O(√ε), and the two solvers stop at different points.)"""
    X, y = make_multinomial(seed=4, k=2)
    multi = jaxreg.path(X, y, family="multinomial", n_lambdas=30, tol=1e-13)
    binom = jaxreg.path(X, y, family="binomial", n_lambdas=30, tol=1e-13)
    assert multi.n_lambdas == binom.n_lambdas
    np.testing.assert_allclose(multi.lambdas, binom.lambdas, rtol=1e-10)
    eta = multi.predict(X)
    np.testing.assert_allclose(eta[:, 1] - eta[:, 0], binom.predict(X), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(multi.dev_ratio, binom.dev_ratio, rtol=1e-6, atol=1e-8)


def test_ridge_matches_scikit_learn():
    """α = 0 without standardization is scikit-learn's L2 multinomial logistic regression with ``C = 1/(nλ)``."""
    linear_model = pytest.importorskip("sklearn.linear_model")
    X, y = make_multinomial(seed=2)
    lam = 0.02
    fit = jaxreg.path(X, y, family="multinomial", l1_ratio=0.0, lambdas=[lam], standardize=False,
                      tol=1e-15)
    ref = linear_model.LogisticRegression(C=1.0 / (X.shape[0] * lam), tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(fit.coef[0], ref.coef_.T, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(fit.intercept[0], ref.intercept_ - ref.intercept_.mean(), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(fit.predict(X, lam, type="response"), ref.predict_proba(X), atol=1e-7)


def test_offset_shifts_the_linear_predictor():
    X, y = make_multinomial(seed=3)
    off = np.random.default_rng(5).normal(0, 0.7, (X.shape[0], K))
    fit = jaxreg.path(X, y, family="multinomial", offset=off, n_lambdas=10)
    assert fit.has_offset and fit.df[0] == 0
    # the first λ is the intercept-only fit with the offset: the intercepts' optimality condition holds
    prob = fit.predict(X, fit.lambdas[0], type="response", offset=off)
    np.testing.assert_allclose(prob.mean(0), np.bincount(y, minlength=K) / y.size, atol=1e-9)
    with pytest.raises(ValueError, match="offset"):
        fit.predict(X)
    with pytest.raises(ValueError, match=r"offset: expected shape \(150, 3\)"):
        fit.predict(X, offset=off[:, :2])


def test_labels_predict_shapes_and_float32():
    X, y = make_multinomial(seed=6)
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    fit = jaxreg.path(X, labels, family="multinomial", n_lambdas=12)
    assert fit.classes == ("setosa", "versicolor", "virginica")
    n, L = X.shape[0], fit.n_lambdas
    assert fit.predict(X).shape == (n, K, L)
    assert fit.predict(X, 0.01).shape == (n, K)
    assert fit.predict(X, [0.01, 0.02]).shape == (n, K, 2)
    cls = fit.predict(X, type="class")
    assert cls.shape == (n, L) and set(np.unique(cls)) <= set(fit.classes)
    prob = fit.predict(X, type="response")
    np.testing.assert_allclose(prob.sum(axis=1), 1.0)
    np.testing.assert_array_equal(cls, np.asarray(fit.classes)[prob.argmax(axis=1)])
    b0, coef = fit.coef_at(0.01)
    assert b0.shape == (K,) and coef.shape == (X.shape[1], K)
    f32 = jaxreg.path(X, labels, family="multinomial", n_lambdas=12, dtype="float32")
    assert f32.converged.all() and f32.n_lambdas == L
    np.testing.assert_allclose(f32.coef, fit.coef, atol=2e-3 * np.abs(fit.coef).max())


def test_cv_path_scores_and_stratified_folds():
    X, y = make_multinomial(n=120, seed=7)
    for scoring in ("deviance", "class", "mse", "mae"):
        cv = jaxreg.cv_path(X, y, family="multinomial", n_folds=4, random_state=0, scoring=scoring, n_lambdas=15)
        assert np.isfinite(cv.cv_mean).all() and cv.lambda_1se >= cv.lambda_min
    for k in range(4):  # stratified: each fold holds each class in proportion
        counts = np.bincount(y[cv.foldid == k], minlength=K)
        assert np.all(np.abs(counts - np.bincount(y) / 4) <= 1)
    # the misclassification rate by hand, at the full-data grid, for fold 0's path
    fold0 = jaxreg.path(X[cv.foldid != 0], y[cv.foldid != 0], family="multinomial", n_lambdas=15)
    pred = fold0.predict(X[cv.foldid == 0], cv.lambdas, type="class")
    wrong = (pred != y[cv.foldid == 0, None]).mean(axis=0)
    cv_class = jaxreg.cv_path(X, y, family="multinomial", foldid=cv.foldid, scoring="class", n_lambdas=15)
    np.testing.assert_allclose(cv_class.cv_folds[0], wrong, atol=1e-12)


def test_bad_multinomial_input():
    X, y = make_multinomial(n=60, seed=8)
    with pytest.raises(ValueError, match="at least two classes"):
        jaxreg.path(X, np.zeros(60), family="multinomial")
    with pytest.raises(ValueError, match="multinomial_grouped: only for family='multinomial'"):
        jaxreg.path(X, y > 0, family="binomial", multinomial_grouped=True)
    with pytest.raises(TypeError, match="multinomial_grouped"):
        jaxreg.path(X, y, family="multinomial", multinomial_grouped="yes")
    with pytest.raises(ValueError, match="penalty: family='multinomial'"):
        jaxreg.path(X, y, family="multinomial", penalty="group_lasso", groups=np.arange(X.shape[1]))
    with pytest.raises(ValueError, match=r"offset: .*shape \(60, 3\)"):
        jaxreg.path(X, y, family="multinomial", offset=np.zeros(60))
    with pytest.raises(ValueError, match="sample_weight: class"):
        jaxreg.path(X, y, family="multinomial", sample_weight=(y != 1).astype(float))
    with pytest.raises(ValueError, match="lower_bounds/upper_bounds"):
        jaxreg.path(X, y, family="multinomial", multinomial_grouped=True, lower_bounds=-1.0)
    with pytest.raises(ValueError, match="working_set"):
        jaxreg.path(X, y, family="multinomial", multinomial_grouped=True, working_set=-1)
    with pytest.raises(ValueError, match="foldid: .*lacks class"):
        jaxreg.cv_path(X, y, family="multinomial", foldid=np.where(y == 2, 0, np.arange(60) % 3 + 1))
    with pytest.raises(ValueError, match="scoring"):
        jaxreg.cv_path(X, y, family="multinomial", scoring="auc")


@pytest.mark.parametrize("grouped", [False, True])
def test_working_sets_on_many_coefficients_agree_with_all_features(grouped):
    """p·K > 256 coefficients: working sets of (feature, class) coefficients (the restricted loss in its expanded
    form; grouped: whole features), certified on all of them, give the path of plain iterations on all of them."""
    X, y = make_multinomial(n=90, p=100, seed=9)
    opts = dict(family="multinomial", n_lambdas=12, lambda_min_ratio=0.05, tol=1e-12, max_iter=100_000,
                multinomial_grouped=grouped)
    auto = jaxreg.path(X, y, **opts)
    full = jaxreg.path(X, y, **opts, working_set=None)
    assert auto.converged.all() and full.converged.all() and auto.df[-1] > 3
    np.testing.assert_allclose(auto.lambdas, full.lambdas, rtol=1e-12)
    eta_a, eta_f = centred(auto.predict(X)), centred(full.predict(X))
    np.testing.assert_allclose(eta_a, eta_f, atol=1e-5 * np.abs(eta_f).max())
    for k in range(auto.n_lambdas):
        assert kkt_multinomial(X, y, auto, k, alpha=1.0, grouped=grouped) < 1e-5, k
