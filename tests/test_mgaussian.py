"""family="mgaussian": multi-response least squares with glmnet's row-wise group penalty."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxreg
from jaxreg.losses import MGaussianGram, MGaussianX
from reference_np import standardization

K = 3


def make_mgaussian(n=80, p=10, *, k=K, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 2.0, p) + rng.normal(0, 1, p)
    B = np.zeros((p, k))
    B[:3] = rng.normal(0, 1.0, (3, k))
    Y = X @ B + rng.standard_normal((n, k)) * rng.uniform(0.5, 2.0, k) + rng.normal(0, 2, k)
    return X, Y


# -- the losses -------------------------------------------------------------------------------------------------
def _losses(seed=0):
    rng = np.random.default_rng(seed)
    n, p = 30, 5
    x, y = jnp.asarray(rng.standard_normal((n, p))), jnp.asarray(rng.standard_normal((n, K)))
    beta = jnp.asarray(rng.normal(0, 0.5, p * K))
    return x, y, beta, (MGaussianGram.from_data(x, y), MGaussianX.from_data(x, y))


@pytest.mark.parametrize("form", [0, 1], ids=["gram", "x"])
def test_losses_value_gradient_hessian_and_dual(form):
    x, y, beta, losses = _losses()
    loss = losses[form]
    r = np.asarray(y - x @ beta.reshape(-1, K))
    n = x.shape[0]
    np.testing.assert_allclose(loss.value(beta), 0.5 * np.sum(r * r) / n, rtol=1e-12)
    np.testing.assert_allclose(loss.grad(beta), jax.grad(loss.value)(beta), rtol=1e-10, atol=1e-14)
    hess = np.asarray(jax.hessian(loss.value)(beta))
    v = jnp.asarray(np.random.default_rng(1).standard_normal(beta.shape[0]))
    np.testing.assert_allclose(loss.hess_matvec(v), hess @ np.asarray(v), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(loss.diag(), np.diag(hess), rtol=1e-12)
    idx = jnp.array([0, 4, 5, 11, 13])
    np.testing.assert_allclose(loss.hess_block(beta, idx), hess[np.ix_(idx, idx)], rtol=1e-10, atol=1e-14)
    # dual at s = 1: f(β) − ⟨U, XB⟩ with U = −R/n, the Fenchel–Young equality of the squared loss
    f, grad, aux = loss.dual_parts(beta)
    np.testing.assert_allclose(grad, loss.grad(beta), rtol=1e-10, atol=1e-14)
    xb = np.asarray(x @ beta.reshape(-1, K))
    np.testing.assert_allclose(loss.dual_value(1.0, aux), f + np.sum(r * xb) / n, rtol=1e-10)


@pytest.mark.parametrize("form", [0, 1], ids=["gram", "x"])
def test_restricted_loss_matches_the_full_one(form):
    _, _, beta, losses = _losses()
    loss = losses[form]
    idx = jnp.array([3, 4, 5, 12, 13, 14, 0, 1, 2])  # whole features 1, 4 and 0, as working sets take them
    sub = loss.restrict(idx, beta)
    z = jnp.asarray(np.random.default_rng(2).normal(0, 0.3, idx.shape[0]))
    full = beta.at[idx].set(z)
    np.testing.assert_allclose(sub.value(z), loss.value(full), rtol=1e-12)
    np.testing.assert_allclose(sub.grad(z), loss.grad(full)[idx], rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(sub.diag(), loss.diag()[idx], rtol=1e-12)
    np.testing.assert_allclose(sub.hess_block(z, jnp.arange(9)), loss.hess_block(full, idx), rtol=1e-10,
                               atol=1e-14)


# -- paths ------------------------------------------------------------------------------------------------------
def kkt_mgaussian(X, Y, fit, k, *, alpha, w=None, pf=None, standardize=True, offset=None):
    """Largest violation (relative to λ) of the optimality conditions at λ_k, on glmnet's standardized scale."""
    n, p = X.shape
    w, mean, scale = standardization(X, w, standardize=standardize)
    pf = np.ones(p) if pf is None else np.asarray(pf, float) * p / np.sum(pf)
    lam, b, b0 = fit.lambdas[k], fit.coef[k], fit.intercept[k]
    r = Y - X @ b - b0 - (0.0 if offset is None else offset)
    assert np.abs(w @ r / n).max() < 1e-8 * np.abs(Y).max()  # intercepts
    g = ((X - mean) / scale).T @ (w[:, None] * r) / n  # −∇ on the standardized scale, (p, K)
    bs = b * scale[:, None]
    smooth = -g + lam * pf[:, None] * (1 - alpha) * bs
    c1 = lam * pf * alpha
    norm = np.linalg.norm(bs, axis=1)
    at = smooth + c1[:, None] * bs / np.where(norm > 0, norm, 1.0)[:, None]
    viol = np.where(norm > 0, np.linalg.norm(at, axis=1), np.maximum(np.linalg.norm(smooth, axis=1) - c1, 0.0))
    return viol.max() / lam


@pytest.mark.parametrize("alpha,precompute", [(1.0, True), (0.3, False)])
def test_matches_scikit_learn_multitask_elastic_net(alpha, precompute):
    sklearn = pytest.importorskip("sklearn.linear_model")
    X, Y = make_mgaussian()
    fit = jaxreg.path(X, Y, family="mgaussian", l1_ratio=alpha, standardize=False, precompute=precompute,
                      n_lambdas=20, tol=1e-14)
    assert fit.coef.shape == (fit.n_lambdas, X.shape[1], K) and fit.intercept.shape == (fit.n_lambdas, K)
    assert fit.converged.all() and np.all(fit.coef[0] == 0) and fit.df[-1] > 3
    for k in (2, 8, fit.n_lambdas - 1):
        ref = sklearn.MultiTaskElasticNet(alpha=fit.lambdas[k], l1_ratio=alpha, tol=1e-14,
                                          max_iter=1_000_000).fit(X, Y)
        scale = np.abs(ref.coef_).max()
        # the gap certifies the objective; coefficients follow as its square root (no Newton polish for groups)
        np.testing.assert_allclose(fit.coef[k], ref.coef_.T, atol=1e-5 * scale)
        np.testing.assert_allclose(fit.intercept[k], ref.intercept_, atol=1e-5 * np.abs(Y).max())


def test_kkt_with_weights_penalty_factors_and_offset():
    X, Y = make_mgaussian(seed=3)
    rng = np.random.default_rng(4)
    w = rng.uniform(0.2, 3.0, X.shape[0])
    pf = np.r_[0.0, np.ones(X.shape[1] - 2), 2.0]
    off = rng.normal(0, 0.5, Y.shape)
    fit = jaxreg.path(X, Y, family="mgaussian", l1_ratio=0.6, sample_weight=w, penalty_factor=pf, offset=off,
                      precompute=False, tol=1e-13)
    assert fit.converged.all() and np.all(fit.coef[:, 0] != 0)  # the unpenalized feature is always in
    for k in range(0, fit.n_lambdas, 7):
        assert kkt_mgaussian(X, Y, fit, k, alpha=0.6, w=w, pf=pf, offset=off) < 1e-4


def test_ridge_matches_the_closed_form():
    X, Y = make_mgaussian(seed=5)
    n, p = X.shape
    lams = np.array([3.0, 0.5, 0.05])
    fit = jaxreg.path(X, Y, family="mgaussian", l1_ratio=0.0, standardize=False, lambdas=lams, tol=1e-14)
    xc, yc = X - X.mean(0), Y - Y.mean(0)
    for k, lam in enumerate(lams):
        b = np.linalg.solve(xc.T @ xc / n + lam * np.eye(p), xc.T @ yc / n)
        np.testing.assert_allclose(fit.coef[k], b, atol=1e-6 * np.abs(b).max())
        np.testing.assert_allclose(fit.intercept[k], Y.mean(0) - X.mean(0) @ b, atol=1e-6 * np.abs(Y).max())


def test_one_response_is_the_gaussian_path():
    """With K = 1 the group norm is |b_j|: the gaussian elastic net, same grid, same coefficients."""
    X, Y = make_mgaussian(seed=6, k=1)
    lams = np.geomspace(2.0, 0.01, 15)
    multi = jaxreg.path(X, Y, family="mgaussian", l1_ratio=0.7, lambdas=lams, tol=1e-13)
    single = jaxreg.path(X, Y[:, 0], l1_ratio=0.7, lambdas=lams, tol=1e-13)
    np.testing.assert_allclose(multi.coef[:, :, 0], single.coef, atol=1e-6 * np.abs(single.coef).max())
    np.testing.assert_allclose(multi.intercept[:, 0], single.intercept, atol=1e-6 * np.abs(Y).max())
    np.testing.assert_allclose(multi.dev_ratio, single.dev_ratio, rtol=1e-7)


def test_standardize_response_is_a_fit_on_scaled_responses():
    X, Y = make_mgaussian(seed=7)
    sd = Y.std(axis=0)
    lams = np.geomspace(1.0, 0.01, 12)
    fit = jaxreg.path(X, Y, family="mgaussian", standardize_response=True, lambdas=lams, l1_ratio=0.5)
    ref = jaxreg.path(X, Y / sd, family="mgaussian", lambdas=lams, l1_ratio=0.5)
    np.testing.assert_allclose(fit.coef, ref.coef * sd, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(fit.intercept, ref.intercept * sd, rtol=1e-6, atol=1e-9)
    # the default grid follows: λmax of the scaled responses
    assert jaxreg.path(X, Y, family="mgaussian", standardize_response=True).lambda_max == pytest.approx(
        jaxreg.path(X, Y / sd, family="mgaussian").lambda_max, rel=1e-12)


def test_permuting_responses_permutes_the_fit():
    X, Y = make_mgaussian(seed=8)
    perm = [2, 0, 1]
    a = jaxreg.path(X, Y, family="mgaussian", n_lambdas=20)
    b = jaxreg.path(X, Y[:, perm], family="mgaussian", n_lambdas=20)
    np.testing.assert_allclose(b.lambdas, a.lambdas, rtol=1e-12)
    np.testing.assert_allclose(b.coef, a.coef[:, :, perm], rtol=1e-6, atol=1e-9)


def test_predict_and_coef_at_have_a_response_axis():
    X, Y = make_mgaussian(seed=9)
    off = np.random.default_rng(0).normal(0, 1, Y.shape)
    fit = jaxreg.path(X, Y, family="mgaussian", offset=off, n_lambdas=10)
    eta = fit.predict(X, offset=off)
    assert eta.shape == (X.shape[0], K, fit.n_lambdas)
    np.testing.assert_allclose(eta[:, :, 4], X @ fit.coef[4] + fit.intercept[4] + off, rtol=1e-12)
    np.testing.assert_array_equal(fit.predict(X, type="response", offset=off), eta)
    b0, coef = fit.coef_at(fit.lambdas[3])
    assert b0.shape == (K,) and coef.shape == (X.shape[1], K)
    assert fit.predict(X, [fit.lambdas[2], fit.lambdas[5]], offset=off).shape == (X.shape[0], K, 2)
    with pytest.raises(ValueError, match="offset: expected shape"):
        fit.predict(X, offset=off[:, :2])
    with pytest.raises(ValueError, match="type: 'class'"):
        fit.predict(X, type="class", offset=off)


def test_float32_agrees_with_float64():
    X, Y = make_mgaussian(seed=10)
    f64 = jaxreg.path(X, Y, family="mgaussian", l1_ratio=0.8, n_lambdas=30)
    f32 = jaxreg.path(X, Y, family="mgaussian", l1_ratio=0.8, n_lambdas=30, dtype="float32")
    assert f32.converged.all() and f32.coef.dtype == np.float32
    np.testing.assert_allclose(f32.lambdas, f64.lambdas[:f32.n_lambdas], rtol=1e-5)
    np.testing.assert_allclose(f32.coef, f64.coef[:f32.n_lambdas], atol=2e-3 * np.abs(f64.coef).max())


@pytest.mark.parametrize("kwargs,match", [
    (dict(y=np.zeros(80)), "y: family='mgaussian' needs a matrix"),
    (dict(y=np.zeros((79, K))), "with 80 rows"),
    (dict(y=np.full((80, K), np.nan)), "y: contains NaN"),
    (dict(penalty="group_lasso", groups=np.arange(10) // 2), "penalty: family='mgaussian'"),
    (dict(offset=np.zeros(80)), r"offset: family='mgaussian' needs one offset per sample and response"),
    (dict(lower_bounds=-1.0), "lower_bounds/upper_bounds"),
    (dict(working_set="some"), "working_set"),
    (dict(standardize_response="yes"), "standardize_response: expected True or False"),
])
def test_bad_arguments(kwargs, match):
    X, Y = make_mgaussian()
    y = kwargs.pop("y", Y)
    with pytest.raises((ValueError, TypeError), match=match):
        jaxreg.path(X, y, family="mgaussian", **kwargs)


def test_standardize_response_needs_mgaussian():
    X, Y = make_mgaussian()
    with pytest.raises(ValueError, match="standardize_response: only for family='mgaussian'"):
        jaxreg.path(X, Y[:, 0], standardize_response=True)


def test_cross_validation_folds_equal_separate_fits():
    X, Y = make_mgaussian(seed=11)
    foldid = np.arange(X.shape[0]) % 4
    lams = np.geomspace(1.0, 0.01, 10)
    cv = jaxreg.cv_path(X, Y, family="mgaussian", foldid=foldid, lambdas=lams, scoring="mae")
    for k in range(4):
        train, test = foldid != k, foldid == k
        fit = jaxreg.path(X[train], Y[train], family="mgaussian", lambdas=lams)
        mae = np.abs(Y[test, :, None] - fit.predict(X[test])).sum(axis=1).mean(axis=0)
        np.testing.assert_allclose(cv.cv_folds[k], mae, rtol=1e-7)
    with pytest.raises(ValueError, match="stratify"):
        jaxreg.cv_path(X, Y, family="mgaussian", stratify=True)


def test_plot_draws_one_response():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    X, Y = make_mgaussian(seed=12)
    fit = jaxreg.path(X, Y, family="mgaussian", n_lambdas=10)
    ax = fit.plot(class_=2)
    assert ax.get_ylabel() == "coefficients of response 2"
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), fit.coef[:, 0, 2])
    with pytest.raises(ValueError, match="class_: expected a response index"):
        fit.plot(class_=K)


@pytest.mark.parametrize("precompute", [False, True])
def test_working_sets_of_whole_features_agree_with_all_features(precompute):
    """p·K > 256 coefficients: working sets take whole features (K coefficients, the penalty's groups), restricted
    in the compact form, certified on all of them; same path as plain iterations on all coefficients."""
    X, Y = make_mgaussian(n=120, p=100, seed=13)
    opts = dict(family="mgaussian", n_lambdas=15, lambda_min_ratio=0.05, tol=1e-13, precompute=precompute)
    auto = jaxreg.path(X, Y, **opts)
    full = jaxreg.path(X, Y, **opts, working_set=None)
    assert auto.converged.all() and full.converged.all() and auto.df[-1] > 10
    np.testing.assert_allclose(auto.coef, full.coef, atol=1e-5 * np.abs(full.coef).max())
    for k in range(0, auto.n_lambdas, 3):
        assert kkt_mgaussian(X, Y, auto, k, alpha=1.0) < 1e-4, k
