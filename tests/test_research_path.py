"""jaxreg.solve_path: pytree problems reproduce jaxreg.path, closed forms and KKT conditions."""

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from research_helpers import WeightedL1

import jaxreg


def _data(n=80, p=12, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    X[:, 1] = X[:, 0] + 0.3 * rng.standard_normal(n)
    beta = np.zeros(p)
    beta[:4] = [2.0, -1.5, 1.0, 0.5]
    y = X @ beta + 1.0 + rng.standard_normal(n)
    return X, y


def _least_squares(X, y, weights=None):
    Xj, yj = jnp.asarray(X), jnp.asarray(y)
    w = jnp.ones(len(y)) if weights is None else jnp.asarray(weights)

    def loss(params):
        r = yj - params["intercept"] - Xj @ params["coef"]
        return 0.5 * jnp.sum(w * r**2) / jnp.sum(w)

    return loss


def _init(p):
    return {"coef": jnp.zeros(p), "intercept": jnp.zeros(())}


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_least_squares_reproduces_path(l1_ratio):
    X, y = _data()
    w = np.random.default_rng(1).uniform(0.5, 2.0, len(y))
    pf = np.ones(X.shape[1])
    pf[2] = 0.0
    pf[3] = 2.0
    fit = jaxreg.path(X, y, standardize=False, l1_ratio=l1_ratio, sample_weight=w, penalty_factor=pf,
                      lower_bounds=fit_lower(X.shape[1]), n_lambdas=30, tol=1e-14)
    # jaxreg.path rescales penalty factors to sum to p, as glmnet does.
    pf_used = pf * X.shape[1] / pf.sum()
    penalty = "l1" if l1_ratio == 1.0 else "elastic_net"
    sp = jaxreg.solve_path(_least_squares(X, y, w), _init(X.shape[1]), fit.lambdas, penalty=penalty,
                           l1_ratio=None if l1_ratio == 1.0 else l1_ratio,
                           penalty_factor={"coef": pf_used, "intercept": 0.0},
                           lower={"coef": fit_lower(X.shape[1]), "intercept": -np.inf}, tol=1e-13)
    assert bool(sp.converged.all())
    scale = np.abs(fit.coef).max()
    np.testing.assert_allclose(sp.params["coef"], fit.coef, atol=1e-6 * scale)
    np.testing.assert_allclose(sp.params["intercept"], fit.intercept, atol=1e-6 * scale)
    # At λmax itself the first coefficient to enter sits exactly on the threshold: count from the next λ on.
    np.testing.assert_array_equal(sp.n_nonzero[1:], (np.abs(fit.coef) > 0).sum(axis=1)[1:])
    assert np.all(np.asarray(sp.params["coef"])[:, 1] >= -0.5)


@pytest.mark.parametrize(("penalty", "gamma", "l1_ratio"), [("mcp", None, None), ("scad", 3.0, 0.8)])
def test_named_concave_penalties_reproduce_path(penalty, gamma, l1_ratio):
    """``penalty="mcp"``/``"scad"`` by name: ncvreg's parametrisation, as jaxreg.path's (a design whose MCP/SCAD
    objective is convex here, n ≫ p with weakly correlated columns, so the stationary point is unique)."""
    rng = np.random.default_rng(3)
    X = rng.standard_normal((200, 5))
    y = X @ np.array([2.0, -1.0, 0.5, 0.0, 0.0]) + rng.standard_normal(200)
    opts = {k: v for k, v in dict(gamma=gamma, l1_ratio=l1_ratio).items() if v is not None}
    fit = jaxreg.path(X, y, standardize=False, penalty=penalty, n_lambdas=15, tol=1e-14, **opts)
    sp = jaxreg.solve_path(_least_squares(X, y), _init(5), fit.lambdas, penalty=penalty, tol=1e-12, **opts)
    assert bool(sp.converged.all())
    np.testing.assert_allclose(sp.params["coef"], fit.coef, atol=1e-6 * np.abs(fit.coef).max())
    if penalty == "mcp":  # jaxreg.solve takes the names too, and differentiates through them
        def size(lam):
            return jnp.sum(jaxreg.solve(_least_squares(X, y), _init(5), lam, penalty="mcp", tol=1e-12).params[
                "coef"] ** 2)

        h = 1e-5
        assert float(jax.grad(size)(0.3)) == pytest.approx(float((size(0.3 + h) - size(0.3 - h)) / (2 * h)),
                                                           rel=1e-4)
    with pytest.raises(ValueError, match="gamma must lie in"):
        jaxreg.solve_path(_least_squares(X, y), _init(5), fit.lambdas, penalty=penalty, gamma=0.5)
    with pytest.raises(ValueError, match="gamma applies to penalty='mcp' or 'scad' only"):
        jaxreg.solve_path(_least_squares(X, y), _init(5), fit.lambdas, penalty="l1", gamma=3.0)


def fit_lower(p):
    return np.r_[-np.inf, -0.5, np.full(p - 2, -np.inf)]


def test_bounds_that_exclude_zero():
    """Unlike jaxreg.path (glmnet's limits must admit 0), solve_path takes any box: the L1 prox then the clip is
    the exact prox on it. Checked against L-BFGS-B on the same objective (|b| = b on b ≥ 0.2)."""
    from scipy.optimize import minimize

    X, y = _data(n=60, p=5)
    lo = np.array([0.2, 0.2, -np.inf, -np.inf, -np.inf])
    hi = np.array([np.inf, np.inf, -0.3, np.inf, np.inf])
    lambdas = np.array([0.5, 0.1, 0.01])
    sp = jaxreg.solve_path(_least_squares(X, y), _init(5), lambdas, lower={"coef": lo, "intercept": -np.inf},
                           upper={"coef": hi, "intercept": np.inf}, tol=1e-13)
    assert bool(sp.converged.all())
    for k, lam in enumerate(lambdas):
        def objective(z, lam=lam):
            return 0.5 * np.mean((y - z[5] - X @ z[:5]) ** 2) + lam * np.abs(z[:5]).sum()

        # split the free coefficients into positive and negative parts so that L-BFGS-B sees a smooth problem
        def smooth(u, lam=lam):
            z = np.r_[u[:2], u[2], u[3:5] - u[5:7], u[7]]
            return objective(z, lam)

        bounds = [(0.2, None)] * 2 + [(None, -0.3)] + [(0, None)] * 4 + [(None, None)]
        res = minimize(smooth, np.r_[0.2, 0.2, -0.3, np.zeros(4), 0.0], method="L-BFGS-B", bounds=bounds,
                       options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 10_000})
        ref = np.r_[res.x[:3], res.x[3:5] - res.x[5:7]]
        np.testing.assert_allclose(np.asarray(sp.params["coef"])[k], ref, atol=1e-5)
        assert np.all(np.asarray(sp.params["coef"])[k, :2] >= 0.2) and sp.params["coef"][k, 2] <= -0.3


def test_logistic_loss_reproduces_binomial_path():
    X, y = _data(seed=3)
    yb = (y > np.median(y)).astype(float)
    fit = jaxreg.path(X, yb, family="binomial", standardize=False, n_lambdas=20, tol=1e-14)
    Xj, yj = jnp.asarray(X), jnp.asarray(yb)

    def loss(params):
        eta = params["intercept"] + Xj @ params["coef"]
        return jnp.mean(jnp.logaddexp(0.0, eta) - yj * eta)

    sp = jaxreg.solve_path(loss, _init(X.shape[1]), fit.lambdas, tol=1e-12)
    assert bool(sp.converged.all())
    np.testing.assert_allclose(sp.params["coef"], fit.coef, atol=1e-6 * np.abs(fit.coef).max())


def test_l2_matches_closed_form_and_no_penalty_on_bias():
    X, y = _data()
    lambdas = np.array([3.0, 0.3, 0.03])
    sp = jaxreg.solve_path(_least_squares(X, y), _init(X.shape[1]), lambdas, penalty="l2", tol=1e-13)
    Xc, yc = X - X.mean(0), y - y.mean()
    n = len(y)
    for k, lam in enumerate(lambdas):
        b = np.linalg.solve(Xc.T @ Xc / n + lam * np.eye(X.shape[1]), Xc.T @ yc / n)
        np.testing.assert_allclose(sp.params["coef"][k], b, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(sp.params["intercept"][k], y.mean() - X.mean(0) @ b, rtol=1e-8)
        np.testing.assert_allclose(sp.objective[k], sp.loss[k] + lam / 2 * np.sum(b**2), rtol=1e-10)


def test_default_mask_spares_biases_only():
    params = {"dense": {"kernel": jnp.ones((2, 3)), "bias": jnp.ones(3)}, "intercept": jnp.ones(()),
              "w": jnp.ones(4)}
    mask = jaxreg.research.default_mask(params)
    assert mask == {"dense": {"kernel": True, "bias": False}, "intercept": False, "w": True}
    assert jax.tree_util.tree_leaves(jaxreg.research.default_mask((jnp.ones(2), jnp.ones(3)))) == [True, True]


class GroupLasso(NamedTuple):
    """A non-separable user penalty: λ Σ_g √|g| ‖θ_g‖₂ over consecutive groups of equal size."""

    size: int

    def value(self, beta, lam):
        groups = beta.reshape(-1, self.size)
        return lam * np.sqrt(self.size) * jnp.sum(jnp.linalg.norm(groups, axis=1))

    def prox(self, z, step, lam):
        groups = z.reshape(-1, self.size)
        norms = jnp.linalg.norm(groups, axis=1, keepdims=True)
        shrink = jnp.maximum(1.0 - step * lam * np.sqrt(self.size) / jnp.where(norms > 0, norms, 1.0), 0.0)
        return (groups * shrink).ravel()


def test_user_group_penalty_satisfies_group_kkt():
    X, y = _data(p=12)
    loss = _least_squares(X, y)
    lambdas = np.geomspace(1.0, 0.01, 8)
    sp = jaxreg.solve_path(loss, _init(12), lambdas, penalty=GroupLasso(3), tol=1e-12)
    assert bool(sp.converged.all())
    for k, lam in enumerate(lambdas):
        params = sp.at(k)
        grad = jax.grad(loss)(params)
        assert abs(float(grad["intercept"])) < 1e-8
        g = np.asarray(grad["coef"]).reshape(4, 3)
        b = np.asarray(params["coef"]).reshape(4, 3)
        for gg, bg in zip(g, b):
            norm = np.linalg.norm(bg)
            if norm > 0:
                np.testing.assert_allclose(gg, -lam * np.sqrt(3) * bg / norm, atol=1e-7)
            else:
                assert np.linalg.norm(gg) <= lam * np.sqrt(3) + 1e-7
    assert int(sp.n_nonzero[0]) < int(sp.n_nonzero[-1])


def test_user_penalty_equals_named_penalty_with_factors():
    X, y = _data()
    pf = np.linspace(0.5, 2.0, X.shape[1])
    lambdas = np.geomspace(0.5, 0.005, 6)
    named = jaxreg.solve_path(_least_squares(X, y), _init(X.shape[1]), lambdas, penalty_factor={"coef": pf,
                              "intercept": 0.0}, tol=1e-12)
    user = jaxreg.solve_path(_least_squares(X, y), _init(X.shape[1]), lambdas, penalty=WeightedL1(jnp.asarray(pf)),
                             tol=1e-12)
    np.testing.assert_allclose(user.params["coef"], named.params["coef"], atol=1e-8)


def test_fixed_parameters_and_mask_prefix():
    X, y = _data()
    init = {"coef": jnp.full(X.shape[1], 0.25), "intercept": jnp.asarray(0.0)}
    fixed = {"coef": np.arange(X.shape[1]) == 5, "intercept": False}
    sp = jaxreg.solve_path(_least_squares(X, y), init, [0.1, 0.01], fixed=fixed, mask={"coef": True,
                           "intercept": False})
    np.testing.assert_array_equal(np.asarray(sp.params["coef"])[:, 5], 0.25)
    assert bool(sp.converged.all())
    # Optimal for the others given the fixed one: the lasso KKT conditions on the free coefficients.
    for k, lam in enumerate([0.1, 0.01]):
        g = np.asarray(jax.grad(_least_squares(X, y))(sp.at(k))["coef"])
        b = np.asarray(sp.params["coef"][k])
        free = np.arange(X.shape[1]) != 5
        nz = free & (b != 0)
        np.testing.assert_allclose(g[nz], -lam * np.sign(b[nz]), atol=1e-6)
        assert np.all(np.abs(g[free & (b == 0)]) <= lam + 1e-6)


def test_small_mlp_l1_path_switches_weights_off():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 5))
    y = np.tanh(X[:, 0]) - 0.5 * X[:, 1]
    Xj, yj = jnp.asarray(X), jnp.asarray(y)

    def loss(params):
        hidden = jnp.tanh(Xj @ params["w1"] + params["bias1"])
        return 0.5 * jnp.mean((hidden @ params["w2"] + params["bias2"] - yj) ** 2)

    init = {"w1": jnp.asarray(0.5 * rng.standard_normal((5, 8))), "bias1": jnp.zeros(8),
            "w2": jnp.asarray(0.5 * rng.standard_normal(8)), "bias2": jnp.zeros(())}
    # λ increasing from a trained network (from λ large, all weights 0 is a stationary point the path keeps).
    lambdas = np.geomspace(1e-5, 0.3, 10)
    sp = jaxreg.solve_path(loss, init, lambdas, tol=1e-6, max_iter=20_000)
    assert bool(sp.converged.all())
    nnz = np.asarray(sp.n_nonzero)
    assert nnz[0] >= 12 and nnz[-1] <= 3 and np.all(np.diff(nnz) <= 1)
    assert np.all(np.diff(np.asarray(sp.loss)) > -1e-9)  # a larger λ never fits the training data better
    assert abs(float(sp.params["bias2"][-1])) > 0  # the biases are not penalized
    # Stationarity of the unpenalized output bias at every λ.
    for k in range(len(lambdas)):
        assert abs(float(jax.grad(loss)(sp.at(k))["bias2"])) <= sp.tol


def test_float32_agrees_with_float64():
    X, y = _data()
    lambdas = np.geomspace(0.5, 0.01, 5)
    sp64 = jaxreg.solve_path(_least_squares(X, y), _init(X.shape[1]), lambdas, tol=1e-12)
    with jax.enable_x64(False):
        X32, y32 = X.astype(np.float32), y.astype(np.float32)
        init = {"coef": jnp.zeros(X.shape[1], jnp.float32), "intercept": jnp.zeros((), jnp.float32)}
        sp32 = jaxreg.solve_path(_least_squares(X32, y32), init, lambdas)
        assert sp32.params["coef"].dtype == jnp.float32
        assert bool(sp32.converged.all())
    # The default float32 tol (1e-4 of the initial gradient) on this collinear design (corr 0.96): ~0.5% of max|b|.
    np.testing.assert_allclose(sp32.params["coef"], sp64.params["coef"], atol=1e-2 * np.abs(sp64.params["coef"]).max())


def test_unconverged_lambdas_warn():
    X, y = _data()
    with pytest.warns(jaxreg.ConvergenceWarning, match="did not reach"):
        sp = jaxreg.solve_path(_least_squares(X, y), _init(X.shape[1]), [0.01, 0.001], max_iter=10, tol=1e-14)
    assert not bool(sp.converged.any())


def test_optax_optimizer_then_prox_reaches_the_fista_solution():
    import optax

    X, y = _data()
    lambdas = np.geomspace(0.5, 0.02, 4)
    loss = _least_squares(X, y)
    fista = jaxreg.solve_path(loss, _init(X.shape[1]), lambdas, tol=1e-10)
    Xc = np.c_[np.ones(len(y)), X]
    rate = 1.0 / np.linalg.eigvalsh(Xc.T @ Xc / len(y)).max()
    ista = jaxreg.solve_path(loss, _init(X.shape[1]), lambdas, optimizer=optax.sgd, learning_rate=rate, tol=1e-10,
                             max_iter=200_000)
    assert bool(ista.converged.all())
    assert int(ista.n_iter.sum()) > int(fista.n_iter.sum())  # no momentum: slower, same answer
    np.testing.assert_allclose(ista.params["coef"], fista.params["coef"], atol=1e-7)
    # Adam, then the prox with Adam's per-coordinate steps: its fixed points are the stationary points too.
    adam = jaxreg.solve_path(loss, _init(X.shape[1]), lambdas, optimizer=optax.adam(1e-2), learning_rate=1e-2,
                             tol=1e-7, max_iter=50_000)
    assert bool(adam.converged.all())
    np.testing.assert_allclose(adam.params["coef"], fista.params["coef"], atol=1e-4)
    # A penalty object's prox gets the scalar learning rate (a group prox takes no per-coordinate steps).
    group = jaxreg.solve_path(loss, _init(X.shape[1]), lambdas, penalty=GroupLasso(3), tol=1e-10)
    group_sgd = jaxreg.solve_path(loss, _init(X.shape[1]), lambdas, penalty=GroupLasso(3), optimizer=optax.sgd,
                                  learning_rate=rate, tol=1e-10, max_iter=200_000)
    assert bool(group_sgd.converged.all())
    np.testing.assert_allclose(group_sgd.params["coef"], group.params["coef"], atol=1e-7)


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"learning_rate": 0.1}, ValueError, "learning_rate"),
    ({"optimizer": "adam", "learning_rate": 0.1}, TypeError, "optimizer"),
    ({"optimizer": 3, "learning_rate": 0.1}, TypeError, "optimizer"),
    ({"optimizer": lambda lr: lr, "learning_rate": 0.1}, TypeError, "optimizer"),
])
def test_bad_optimizer_names_the_argument(kwargs, exc, match):
    import optax  # noqa: F401 - optax is a run-time dependency

    X, y = _data()
    if kwargs.get("optimizer") == "adam":
        kwargs = {**kwargs, "optimizer": None, "learning_rate": None}
        with pytest.raises(ValueError, match="learning_rate"):
            jaxreg.solve_path(_least_squares(X, y), _init(X.shape[1]), [0.1], learning_rate=-1.0,
                              optimizer=lambda lr: None)
        return
    with pytest.raises(exc, match=match):
        jaxreg.solve_path(_least_squares(X, y), _init(X.shape[1]), [0.1], **kwargs)
