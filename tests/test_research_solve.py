"""jaxreg.solve: implicit derivatives against closed forms and finite differences; input validation."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from research_helpers import WeightedL1

import jaxreg


def _data(n=60, p=8, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = X[:, :3] @ np.array([1.5, -1.0, 0.7]) + 0.5 + rng.standard_normal(n)
    return X, y


def _loss(X, y):
    def loss(params):
        r = y - params["intercept"] - X @ params["coef"]
        return 0.5 * jnp.mean(r**2)
    return loss


def _init(p):
    return {"coef": jnp.zeros(p), "intercept": jnp.zeros(())}


def _central(fun, x, h):
    return (fun(x + h) - fun(x - h)) / (2 * h)


def test_lambda_gradient_matches_lasso_closed_form_and_finite_differences():
    X, y = _data()
    loss = _loss(jnp.asarray(X), jnp.asarray(y))
    v = np.linspace(-1.0, 1.0, X.shape[1])

    @jax.jit
    def outer(lam):
        return jaxreg.solve(loss, _init(X.shape[1]), lam, tol=1e-13).params["coef"] @ v

    lam = 0.1
    grad = float(jax.grad(outer)(lam))
    b = np.asarray(jaxreg.solve(loss, _init(X.shape[1]), lam, tol=1e-13).params["coef"])
    support = b != 0
    assert 0 < support.sum() < X.shape[1]
    Xc = X - X.mean(0)
    # On a fixed active set: (X_Sᵀ X_S / n) db_S/dλ = −sign(b_S).
    db = -np.linalg.solve(Xc[:, support].T @ Xc[:, support] / len(y), np.sign(b[support]))
    np.testing.assert_allclose(grad, db @ v[support], rtol=1e-9)
    np.testing.assert_allclose(grad, _central(outer, lam, 1e-4), rtol=1e-5)


def test_gradient_with_respect_to_closed_over_data_matches_ridge_closed_form():
    X, y = _data()
    v = np.linspace(1.0, 2.0, X.shape[1])
    lam = 0.3

    def through_solve(Xd):
        sol = jaxreg.solve(_loss(Xd, jnp.asarray(y)), _init(X.shape[1]), lam, penalty="l2", tol=1e-13)
        return sol.params["coef"] @ v

    def closed_form(Xd):
        Xc, yc = Xd - Xd.mean(0), y - y.mean()
        return jnp.linalg.solve(Xc.T @ Xc / len(y) + lam * jnp.eye(X.shape[1]), Xc.T @ yc / len(y)) @ v

    Xj = jnp.asarray(X)
    np.testing.assert_allclose(through_solve(Xj), closed_form(Xj), rtol=1e-10)
    np.testing.assert_allclose(jax.grad(through_solve)(Xj), jax.grad(closed_form)(Xj), rtol=1e-7, atol=1e-10)


def test_penalty_factor_and_user_penalty_gradients_agree_with_finite_differences():
    X, y = _data(seed=2)
    loss = _loss(jnp.asarray(X), jnp.asarray(y))
    p = X.shape[1]

    @jax.jit
    def val_pf(pf):
        sol = jaxreg.solve(loss, _init(p), 0.05, penalty_factor={"coef": pf, "intercept": 0.0}, tol=1e-13)
        return jnp.sum(sol.params["coef"] ** 2)

    def val_user(w):
        return jnp.sum(jaxreg.solve(loss, _init(p), 0.05, penalty=WeightedL1(w), tol=1e-13).params["coef"] ** 2)

    pf = jnp.linspace(0.5, 1.5, p)
    g_pf = np.asarray(jax.grad(val_pf)(pf))
    np.testing.assert_allclose(np.asarray(jax.grad(val_user)(pf)), g_pf, rtol=1e-8, atol=1e-12)
    e = np.eye(p)
    fd = np.array([_central(lambda t, k=k: val_pf(pf + t * e[k]), 0.0, 1e-5) for k in range(p)])
    np.testing.assert_allclose(g_pf, fd, rtol=1e-5, atol=1e-7)
    b = np.asarray(jaxreg.solve(loss, _init(p), 0.05, penalty_factor={"coef": pf, "intercept": 0.0}).params["coef"])
    np.testing.assert_array_equal(g_pf[b == 0], 0.0)  # the active set is held fixed


def test_logistic_validation_hypergradient():
    X, y = _data(n=120, seed=4)
    yb = (y > np.median(y)).astype(float)
    Xt, yt, Xv, yv = (jnp.asarray(a) for a in (X[:80], yb[:80], X[80:], yb[80:]))

    def train(params):
        eta = params["intercept"] + Xt @ params["coef"]
        return jnp.mean(jnp.logaddexp(0.0, eta) - yt * eta)

    @jax.jit
    def validation(lam):
        params = jaxreg.solve(train, _init(X.shape[1]), lam, penalty="elastic_net", l1_ratio=0.5, tol=1e-13).params
        eta = params["intercept"] + Xv @ params["coef"]
        return jnp.mean(jnp.logaddexp(0.0, eta) - yv * eta)

    lam = 0.02
    np.testing.assert_allclose(jax.grad(validation)(lam), _central(validation, lam, 1e-5), rtol=1e-5)


def test_bound_held_coefficients_have_zero_derivative_and_vmap_over_lambda():
    X, y = _data(seed=5)
    loss = _loss(jnp.asarray(X), jnp.asarray(y))
    p = X.shape[1]
    upper = {"coef": np.r_[0.2, np.full(p - 1, np.inf)], "intercept": np.inf}

    def coef(lam):
        return jaxreg.solve(loss, _init(p), lam, upper=upper, tol=1e-13).params["coef"]

    assert float(coef(0.01)[0]) == pytest.approx(0.2)
    jac = jax.jacrev(coef)(0.01)
    assert float(jac[0]) == 0.0 and np.any(np.asarray(jac[1:]) != 0)
    lams = jnp.array([0.2, 0.05, 0.01])
    batched = jax.jit(jax.vmap(coef))(lams)
    for k in range(3):
        np.testing.assert_allclose(batched[k], coef(lams[k]), atol=1e-10)


def _fails(exc, match, **kwargs):
    X, y = _data()
    args = {"loss_fn": _loss(jnp.asarray(X), jnp.asarray(y)), "init_params": _init(X.shape[1]), "lam": 0.1}
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        jaxreg.solve(args.pop("loss_fn"), args.pop("init_params"), args.pop("lam"), **args)


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"lam": -1.0}, ValueError, "lam"),
    ({"lam": np.nan}, ValueError, "lam"),
    ({"lam": [0.1, 0.2]}, ValueError, "lam"),
    ({"loss_fn": lambda p: p["coef"]}, TypeError, "loss_fn"),
    ({"loss_fn": 3}, TypeError, "loss_fn"),
    ({"init_params": {"coef": jnp.zeros(8, int), "intercept": jnp.zeros(())}}, TypeError, "init_params"),
    ({"init_params": {"coef": jnp.full(8, jnp.nan), "intercept": jnp.zeros(())}}, ValueError, "init_params"),
    ({"init_params": {}}, ValueError, "init_params"),
    ({"penalty": "l3"}, ValueError, "penalty"),
    ({"penalty": object()}, TypeError, "penalty"),
    ({"penalty": "elastic_net"}, ValueError, "l1_ratio"),
    ({"penalty": "l1", "l1_ratio": 0.5}, ValueError, "l1_ratio"),
    ({"penalty": "elastic_net", "l1_ratio": 1.5}, ValueError, "l1_ratio"),
    ({"penalty": WeightedL1(jnp.ones(8)), "penalty_factor": 2.0}, ValueError, "penalty_factor"),
    ({"mask": {"coef": True}}, ValueError, "mask"),
    ({"mask": {"coef": np.ones(3, bool), "intercept": False}}, ValueError, "mask"),
    ({"penalty_factor": -1.0}, ValueError, "penalty_factor"),
    ({"lower": 1.0, "upper": 0.0}, ValueError, "lower"),
    ({"tol": 0.0}, ValueError, "tol"),
    ({"max_iter": 0}, ValueError, "max_iter"),
])
def test_bad_input_names_the_argument(kwargs, exc, match):
    _fails(exc, match, **kwargs)


def test_solve_path_rejects_bad_lambdas():
    X, y = _data()
    for bad in ([], [[0.1]], [0.1, -0.1], [np.inf]):
        with pytest.raises(ValueError, match="lambdas"):
            jaxreg.solve_path(_loss(jnp.asarray(X), jnp.asarray(y)), _init(X.shape[1]), bad)


def test_singular_hessian_on_the_support_gives_nan_not_a_wrong_gradient():
    X0, y = _data()
    X = np.c_[X0[:, :1], X0[:, :1], X0[:, 1:]]  # a duplicated column: both copies nonzero, their Hessian singular
    loss = _loss(jnp.asarray(X), jnp.asarray(y))

    def coef(lam):
        return jaxreg.solve(loss, _init(X.shape[1]), lam, tol=1e-12).params["coef"]

    b = np.asarray(coef(0.05))
    assert b[0] != 0 and b[1] != 0
    # Only the copies' sum is determined by the problem (it is the coefficient of the column without its twin):
    # its derivative exists and is right; the derivative of one copy does not exist, and comes out NaN.
    single = jax.grad(lambda lam: jaxreg.solve(_loss(jnp.asarray(X0), jnp.asarray(y)), _init(X0.shape[1]), lam,
                                               tol=1e-12).params["coef"][0])(0.05)
    np.testing.assert_allclose(jax.grad(lambda lam: jnp.sum(coef(lam)[:2]))(0.05), single, rtol=1e-6)
    assert np.isnan(float(jax.grad(lambda lam: coef(lam)[0])(0.05)))
