"""Group lasso and sparse-group lasso paths (penalty=, groups=): optimality conditions, closed forms, equivalences
with the lasso and the elastic net, and argument checks."""

import numpy as np
import pytest
from reference_np import make_problem, resolve_options, standardization

import jaxreg

GROUPS = np.array([3, 3, 1, 1, 1, 0, 0, 7, 7, 7, 7, 5])  # non-contiguous labels, sizes 2, 3, 2, 4, 1


def _data(family, n=70, seed=3):
    X, y = make_problem(n, GROUPS.size, seed=seed)
    if family == "binomial":
        y = (y > np.median(y)).astype(float)
    elif family == "poisson":
        eta = 0.4 * (y - y.mean()) / y.std()
        y = np.random.default_rng(seed).poisson(np.exp(eta)).astype(float)
    return X, y


def _gradient(X, y, b0, coef, family, w):
    """∇ of the mean weighted loss with respect to the coefficients, on the original scale."""
    eta = b0 + X @ coef
    mu = {"gaussian": eta, "binomial": 1 / (1 + np.exp(-eta)), "poisson": np.exp(eta)}[family]
    return X.T @ (w * (mu - y)) / w.sum(), np.sum(w * (mu - y)) / w.sum()


def group_kkt(g, b, lam, ids, pf, *, alpha, tau):
    """Largest violation, over groups, of the optimality conditions of
    ``f + λ Σ_g pf_g [α(τ‖b_g‖₁ + (1−τ)√|g| ‖b_g‖) + (1−α)/2 ‖b_g‖²]`` given ``g = ∇f(b)``, divided by λ."""
    worst = 0.0
    for k in np.unique(ids):
        m = ids == k
        gg, bg, p = g[m], b[m], pf[m][0]
        l1, grp, ridge = lam * p * alpha * tau, lam * p * alpha * (1 - tau) * np.sqrt(m.sum()), lam * p * (1 - alpha)
        r = gg + ridge * bg
        if np.any(bg != 0):
            r = r + grp * bg / np.linalg.norm(bg)
            nz = bg != 0
            viol = max(np.max(np.abs(r[nz] + l1 * np.sign(bg[nz]))), np.max(np.abs(r[~nz]), initial=0.0) - l1)
        else:
            viol = np.linalg.norm(np.maximum(np.abs(r) - l1, 0.0)) - grp
        worst = max(worst, viol / lam)
    return worst


CASES = [  # family, penalty, l1_ratio, options
    ("gaussian", "group_lasso", 0.6, {"sample_weight": "random"}),
    ("gaussian", "sparse_group_lasso", 0.5, {"penalty_factor": "grouped"}),
    ("gaussian", "sparse_group_lasso", 0.2, {"fit_intercept": False, "standardize": False}),
    ("binomial", "group_lasso", 1.0, {"sample_weight": "random"}),
    ("binomial", "sparse_group_lasso", 0.5, {}),
    ("poisson", "group_lasso", 0.8, {"penalty_factor": "grouped"}),
]


@pytest.mark.parametrize("family,penalty,l1_ratio,options", CASES)
def test_kkt_at_every_lambda(family, penalty, l1_ratio, options):
    X, y = _data(family)
    n, p = X.shape
    kw = resolve_options(options, n, p)
    if kw.get("penalty_factor") == "grouped":
        per_group = {0: 0.0, 1: 2.0, 3: 0.5, 5: 1.0, 7: 1.5}  # group 0 unpenalized
        kw["penalty_factor"] = np.array([per_group[g] for g in GROUPS])
    fit = jaxreg.path(X, y, family=family, penalty=penalty, groups=GROUPS, l1_ratio=l1_ratio, n_lambdas=20,
                      tol=1e-13 if family == "gaussian" else 1e-12, max_iter=500_000, **kw)
    assert fit.converged.all() and fit.penalty == penalty
    w, _, scale = standardization(X, kw.get("sample_weight"), fit_intercept=kw.get("fit_intercept", True),
                                  standardize=kw.get("standardize", True))
    pf = np.ones(p) if "penalty_factor" not in kw else kw["penalty_factor"] * p / kw["penalty_factor"].sum()
    alpha, tau = (l1_ratio, 0.0) if penalty == "group_lasso" else (1.0, l1_ratio)
    for k, lam in enumerate(fit.lambdas):
        g, g0 = _gradient(X, y, fit.intercept[k], fit.coef[k], family, w)
        assert group_kkt(g / scale, fit.coef[k] * scale, lam, GROUPS, pf, alpha=alpha, tau=tau) < 1e-4
        if kw.get("fit_intercept", True):
            assert abs(g0) < 1e-6 * max(1.0, np.abs(y).max())
    # whole groups enter together under the group lasso; a group's first coefficient is nonzero iff the group is
    if penalty == "group_lasso":
        for coef in fit.coef:
            for k in np.unique(GROUPS):
                nz = coef[GROUPS == k] != 0
                assert nz.all() or not nz.any()


def _unequal_groups(p, seed):
    """Labels for ``p`` features in groups of 1 to 9 features, shuffled (so no group is contiguous)."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 10, size=p)
    sizes = sizes[: np.searchsorted(np.cumsum(sizes), p) + 1]
    sizes[-1] -= sizes.sum() - p
    return rng.permutation(np.repeat(np.arange(sizes.size), sizes))


@pytest.mark.parametrize("family,penalty,l1_ratio,working_set", [
    ("gaussian", "group_lasso", 1.0, 24),
    ("gaussian", "sparse_group_lasso", 0.5, 24),
    ("gaussian", "sparse_group_lasso", 0.5, "auto"),
    ("binomial", "group_lasso", 0.8, 24),
])
def test_working_sets_with_groups_of_unequal_sizes(family, penalty, l1_ratio, working_set):
    """Working sets hold every nonzero group whole, whatever its size; the path is the one iterated on all features.
    With 24 slots the support outgrows the working set (the fallback on all features finishes those λ); "auto"
    gives buckets of 64 and 128 here."""
    n, p = 60, 300
    groups = _unequal_groups(p, seed=1)
    X, y = make_problem(n, p, k=12, seed=6)
    if family == "binomial":
        y = (y > np.median(y)).astype(float)
    opts = dict(family=family, penalty=penalty, groups=groups, l1_ratio=l1_ratio, n_lambdas=20, max_iter=500_000,
                tol=1e-13 if family == "gaussian" else 1e-12)
    full = jaxreg.path(X, y, working_set=None, **opts)
    ws = jaxreg.path(X, y, working_set=working_set, **opts)
    assert ws.converged.all() and full.converged.all()
    if working_set == 24:
        assert ws.df.max() > 24
    np.testing.assert_allclose(ws.coef, full.coef, atol=1e-5 * np.abs(full.coef).max())
    np.testing.assert_allclose(ws.intercept, full.intercept, atol=1e-5 * max(1.0, np.abs(full.intercept).max()))
    w, _, scale = standardization(X)
    alpha, tau = (l1_ratio, 0.0) if penalty == "group_lasso" else (1.0, l1_ratio)
    for k in range(0, ws.n_lambdas, 4):
        g, _ = _gradient(X, y, ws.intercept[k], ws.coef[k], family, w)
        assert group_kkt(g / scale, ws.coef[k] * scale, ws.lambdas[k], groups, np.ones(p), alpha=alpha,
                         tau=tau) < 1e-4


def test_a_working_set_alone_certifies_groups_it_cuts():
    """The working-set solver by itself (no fallback) reaches the full problem's gap with 38 of 300 coordinates,
    groups of 1 to 9 features, when the zero groups at its end are cut (their other coordinates stay zero)."""
    import jax.numpy as jnp

    from jaxreg.losses import GaussianX
    from jaxreg.penalties import SparseGroup
    from jaxreg.solvers import fista, lipschitz_constant, working_set_solve

    n, p = 60, 300
    groups = _unequal_groups(p, seed=2)
    X, y = make_problem(n, p, k=6, seed=3)
    x = jnp.asarray((X - X.mean(axis=0)) / X.std(axis=0))
    loss = GaussianX.from_data(x, jnp.asarray(y - y.mean()))
    one, zero, inf = jnp.asarray(1.0), jnp.asarray(0.0), jnp.full(p, jnp.inf)
    pen = SparseGroup(one, zero, jnp.ones(p), jnp.sqrt(jnp.bincount(groups)), jnp.asarray(groups), -inf, inf)
    lam = 0.5 * pen.lambda_max(-loss.grad(jnp.zeros(p)))
    # the first working set (from zero) ends inside a group: that group is cut
    first = np.argsort(-np.asarray(pen.priority(jnp.zeros(p), -loss.grad(jnp.zeros(p)), lam)), kind="stable")
    assert set(groups[first[:38]]) & set(groups[first[38:]])
    opts = dict(step=1.0 / lipschitz_constant(loss, p, jnp.float64), tol_abs=1e-12 * loss.value(jnp.zeros(p)),
                max_iter=100_000, check_every=10)
    ws = working_set_solve(loss, pen, lam, jnp.zeros(p), sizes=38, **opts)
    full = fista(loss, pen, lam, jnp.zeros(p), **opts)
    busy = np.isin(groups, groups[np.asarray(ws.beta) != 0])
    assert bool(ws.converged) and 0 < busy.sum() < 38
    np.testing.assert_allclose(ws.beta, full.beta, atol=1e-5 * float(jnp.abs(full.beta).max()))


def test_orthonormal_design_closed_form():
    """Standardized orthogonal columns: each group is the group soft-threshold of z = Xᵀy / n, shrunk by ridge."""
    n, groups = 60, np.array([0, 0, 1, 1, 1, 2, 3, 3])
    rng = np.random.default_rng(5)
    q, _ = np.linalg.qr(rng.standard_normal((n, groups.size + 1)) - 0.0)
    X = q[:, 1:] - q[:, 1:].mean(axis=0)
    X, _ = np.linalg.qr(X - X.mean(axis=0))  # centred orthogonal columns
    X *= np.sqrt(n)
    y = X @ rng.normal(0, 1, groups.size) * 0.3 + rng.standard_normal(n)
    z = X.T @ (y - y.mean()) / n
    for alpha in (1.0, 0.5):
        fit = jaxreg.path(X, y, penalty="group_lasso", groups=groups, l1_ratio=alpha, n_lambdas=15, tol=1e-14)
        for lam, coef in zip(fit.lambdas, fit.coef):
            expect = np.zeros_like(z)
            for k in range(4):
                m = groups == k
                shrink = max(0.0, 1 - lam * alpha * np.sqrt(m.sum()) / np.linalg.norm(z[m]))
                expect[m] = z[m] * shrink / (1 + lam * (1 - alpha))
            np.testing.assert_allclose(coef, expect, atol=1e-9)
        assert fit.lambda_max == pytest.approx(max(np.linalg.norm(z[groups == k]) / (alpha * np.sqrt(
            np.sum(groups == k))) for k in range(4)), rel=1e-10)


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
def test_singleton_groups_are_the_elastic_net(family):
    """One feature per group: the group lasso is the lasso, and with a ridge part the elastic net."""
    X, y = _data(family)
    p = X.shape[1]
    tol = dict(tol=1e-13, max_iter=500_000)
    lasso = jaxreg.path(X, y, family=family, n_lambdas=15, **tol)
    grid = dict(lambdas=lasso.lambdas, **tol)
    single = jaxreg.path(X, y, family=family, penalty="group_lasso", groups=np.arange(p), **grid)
    np.testing.assert_allclose(single.coef, lasso.coef, atol=1e-6)
    np.testing.assert_allclose(single.intercept, lasso.intercept, atol=1e-6)
    if family == "gaussian":
        enet = jaxreg.path(X, y, l1_ratio=0.4, **grid)
        single_enet = jaxreg.path(X, y, penalty="group_lasso", groups=np.arange(p), l1_ratio=0.4, **grid)
        np.testing.assert_allclose(single_enet.coef, enet.coef, atol=1e-6)


def test_sparse_group_lasso_limits():
    """The sparse-group lasso at l1_ratio 1 is the lasso, at 0 the group lasso."""
    X, y = _data("gaussian")
    lasso = jaxreg.path(X, y, n_lambdas=15, tol=1e-13)
    grid = dict(lambdas=lasso.lambdas, tol=1e-13)
    sgl1 = jaxreg.path(X, y, penalty="sparse_group_lasso", groups=GROUPS, l1_ratio=1.0, **grid)
    np.testing.assert_allclose(sgl1.coef, lasso.coef, atol=1e-6)
    gl = jaxreg.path(X, y, penalty="group_lasso", groups=GROUPS, **grid)
    sgl0 = jaxreg.path(X, y, penalty="sparse_group_lasso", groups=GROUPS, l1_ratio=0.0, **grid)
    np.testing.assert_allclose(sgl0.coef, gl.coef, atol=1e-6)
    np.testing.assert_allclose(sgl0.intercept, gl.intercept, atol=1e-6)


def test_labels_defaults_and_constant_columns():
    X, y = _data("gaussian")
    X[:, 3] = 2.5  # a constant column inside group "b"
    labels = np.array(["a", "a", "b", "b", "b", "c", "c", "d", "d", "d", "d", "e"])
    fit = jaxreg.path(X, y, penalty="sparse_group_lasso", groups=labels, n_lambdas=10)
    assert fit.l1_ratio == 0.5 and fit.penalty == "sparse_group_lasso"
    np.testing.assert_array_equal(fit.groups, np.repeat([0, 1, 2, 3, 4], [2, 3, 2, 4, 1]))
    assert fit.converged.all() and np.all(fit.coef[:, 3] == 0) and np.any(fit.coef[-1, [2, 4]] != 0)
    assert np.all(fit.coef[0] == 0) and fit.df[-1] > 0


def test_float32_agrees_with_float64():
    X, y = _data("gaussian")
    f64 = jaxreg.path(X, y, penalty="group_lasso", groups=GROUPS, n_lambdas=12)
    f32 = jaxreg.path(X, y, penalty="group_lasso", groups=GROUPS, lambdas=f64.lambdas, dtype="float32")
    assert f32.converged.all() and f32.coef.dtype == np.float32
    np.testing.assert_allclose(f32.coef, f64.coef, atol=2e-3 * np.abs(f64.coef).max())


def test_cv_path_with_groups():
    X, y = _data("gaussian", n=90)
    cv = jaxreg.cv_path(X, y, penalty="sparse_group_lasso", groups=GROUPS, n_folds=4, random_state=0,
                        n_lambdas=15)
    assert cv.l1_ratio == 0.5 and cv.path.penalty == "sparse_group_lasso" and cv.fold_converged.all()
    assert cv.lambda_1se >= cv.lambda_min and np.all(np.isfinite(cv.cv_mean))


@pytest.mark.parametrize("kwargs,match", [
    (dict(penalty="group_lasso"), "groups: penalty='group_lasso' needs"),
    (dict(groups=GROUPS), "groups: only used by the group penalties"),
    (dict(penalty="group_lasso", groups=GROUPS[:-1]), "groups: expected one label per feature"),
    (dict(penalty="group_lasso", groups=GROUPS + 0.5), "groups: expected integer"),
    (dict(penalty="group_lasso", groups=GROUPS, penalty_factor=np.arange(1.0, 13.0)), "penalty_factor: with a group"),
    (dict(penalty="group_lasso", groups=GROUPS, lower_bounds=-1.0), "lower_bounds/upper_bounds"),
    (dict(penalty="lasso"), "penalty: unknown penalty 'lasso'"),
    (dict(penalty=None), "penalty: expected one of"),
])
def test_bad_arguments(kwargs, match):
    X, y = _data("gaussian", n=20)
    with pytest.raises((ValueError, TypeError), match=match):
        jaxreg.path(X, y, **kwargs)
