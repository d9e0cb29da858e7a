"""The certificate's profiled block (jaxreg.solvers.gap): unpenalized, unbounded coordinates of a GLM.

The reference optimum comes from Newton's method in NumPy on the smooth loss, independent of jaxreg's solvers.
"""

import jax.numpy as jnp
import numpy as np
import pytest

from jaxreg.losses import Binomial, GaussianX, Poisson
from jaxreg.penalties import ElasticNet
from jaxreg.solvers import Profile, duality_gap, fista, lipschitz_constant
from jaxreg.solvers.gap import masked_decrement


def _sigmoid(e: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-e))


def _glm(family: str, seed: int, n: int = 200, p: int = 5):
    """A GLM loss on ``p`` features and an intercept column, its unpenalized optimum (NumPy's Newton iterations)
    and the optimal value."""
    rng = np.random.default_rng(seed)
    X = np.hstack([rng.standard_normal((n, p)), np.ones((n, 1))])
    eta = X[:, :p] @ rng.standard_normal(p) * 0.7 - 1.5
    if family == "binomial":
        y = (rng.random(n) < _sigmoid(eta)).astype(float)
        loss = Binomial.from_data(jnp.asarray(X), jnp.asarray(y), jnp.full(n, 1.0 / n))
        mean, curv = _sigmoid, (lambda e: _sigmoid(e) * _sigmoid(-e))
        nll = lambda e: np.mean(np.logaddexp(0.0, e) - y * e)  # noqa: E731
    elif family == "poisson":
        y = rng.poisson(np.exp(eta)).astype(float)
        loss = Poisson.from_data(jnp.asarray(X), jnp.asarray(y), jnp.full(n, 1.0 / n))
        mean = curv = np.exp
        nll = lambda e: np.mean(np.exp(e) - y * e)  # noqa: E731
    else:
        y = eta + rng.standard_normal(n)
        loss = GaussianX.from_data(jnp.asarray(X), jnp.asarray(y))
        mean, curv = (lambda e: e), np.ones_like  # noqa: E731
        nll = lambda e: np.mean((e - y) ** 2) / 2  # noqa: E731
    b = np.zeros(p + 1)
    for _ in range(60):  # damped Newton: quadratic convergence to the optimum, far below the tests' tolerances
        e = X @ b
        g = X.T @ (mean(e) - y) / n
        d = np.linalg.solve(X.T @ (curv(e)[:, None] * X) / n, g)
        t = 1.0
        while nll(X @ (b - t * d)) > nll(e) and t > 1e-8:
            t /= 2
        b = b - t * d
    assert np.abs(X.T @ (mean(X @ b) - y) / n).max() < 1e-12
    return loss, b, float(loss.value(jnp.asarray(b)))


def _free(m: int) -> tuple[ElasticNet, Profile]:
    """No penalty and no bound on any of ``m`` coordinates: all of them profiled."""
    pen = ElasticNet(jnp.ones(()), jnp.zeros(m), jnp.full(m, -jnp.inf), jnp.full(m, jnp.inf))
    return pen, Profile(jnp.arange(m), jnp.ones(m, bool))


@pytest.mark.parametrize("family", ["binomial", "poisson"])
@pytest.mark.parametrize("distance", [0.1, 0.5])
def test_gap_bounds_the_suboptimality_of_the_profiled_block(family, distance):
    """P(b') − P* ≤ gap at the profiled point b' (after the block's two Newton steps). The earlier diagonal
    decrement, with the loss's global curvature bound (σ' ≤ 1/4) in place of the block's Hessian, reported 0.1–0.6×
    the true suboptimality on these logistic problems."""
    rng = np.random.default_rng(7)
    for seed in range(4):
        loss, opt, best = _glm(family, seed)
        pen, profile = _free(opt.shape[0])
        start = jnp.asarray(opt + distance * rng.standard_normal(opt.shape[0]))
        info = duality_gap(loss, pen, start, jnp.asarray(0.1), profile)
        excess = float(info.primal) - best
        assert excess <= float(info.gap), (seed, excess, float(info.gap))
        # and it is no wild overestimate near the optimum: the quadratic model's decrease is half of λ²
        if distance == 0.1:
            assert float(info.gap) <= 3.0 * max(excess, 1e-15), (seed, excess, float(info.gap))


def test_least_squares_block_is_exact():
    """One Newton step profiles least squares exactly: what is left of the gap is rounding."""
    loss, opt, best = _glm("gaussian", 0)
    pen, profile = _free(opt.shape[0])
    info = duality_gap(loss, pen, jnp.zeros(opt.shape[0]), jnp.asarray(0.1), profile)
    np.testing.assert_allclose(np.asarray(info.beta), opt, atol=1e-8)
    assert float(info.gap) <= 1e-12 * float(loss.value(jnp.zeros(opt.shape[0])))


@pytest.mark.parametrize("family", ["binomial", "poisson"])
def test_unpenalized_fit_from_far_away_reaches_the_optimum(family):
    """FISTA on a problem that is all profiled block, started at zero (a relaxed refit's situation without its
    pinned solve): the certificate must not stop it before the coefficients are right."""
    loss, opt, best = _glm(family, 3)
    m = opt.shape[0]
    pen, profile = _free(m)
    step = 1.0 / lipschitz_constant(loss, m, jnp.float64)
    f0 = float(loss.value(jnp.zeros(m)))
    res = fista(loss, pen, jnp.asarray(1.0), jnp.zeros(m), step=step, tol_abs=1e-12 * f0, max_iter=20_000,
                check_every=10, backtrack=True, profile=profile)
    assert bool(res.converged)
    np.testing.assert_allclose(np.asarray(res.beta), opt, atol=1e-5)
    assert float(loss.value(res.beta)) - best <= 1e-12 * f0


@pytest.mark.parametrize("family", ["gaussian", "binomial", "poisson"])
def test_duplicated_unpenalized_columns(family):
    """Two copies of an unpenalized column make the profiled block singular: the path still converges (the block's
    Newton step and decrement use its pseudo-inverse, not NaN) and matches the path with one copy, whose
    coefficient the copies share."""
    import jaxreg

    rng = np.random.default_rng(0)
    X = rng.standard_normal((100, 5))
    y = rng.standard_normal(100) if family == "gaussian" else (rng.random(100) < 0.3).astype(float)
    pf = np.array([0.0, 1, 1, 1, 1])
    one = jaxreg.path(X, y, family=family, penalty_factor=pf, n_lambdas=10)
    # penalty factors are rescaled to sum to the number of features (glmnet): one more column scales them by 6/5
    two = jaxreg.path(np.hstack([X, X[:, :1]]), y, family=family, penalty_factor=np.append(pf, 0.0),
                      lambdas=one.lambdas * 5 / 6)
    assert two.converged.all() and np.isfinite(two.gap).all()
    np.testing.assert_allclose(two.coef[:, 0] + two.coef[:, 5], one.coef[:, 0], atol=1e-5)
    np.testing.assert_allclose(two.coef[:, 1:5], one.coef[:, 1:5], atol=1e-5)
    np.testing.assert_allclose(two.intercept, one.intercept, atol=1e-5)


@pytest.mark.parametrize("family", ["gaussian", "binomial", "poisson"])
def test_masked_decrement_is_the_newton_decrement_of_the_masked_coordinates(family):
    """``gᵀ H_SS⁻¹ g`` on the masked coordinates S, with the Hessian at the point (NumPy's solve), for masks of any
    size; 0 for an empty mask or with ``run`` false; stopped early once above ``room``."""
    loss, opt, _ = _glm(family, seed=5, p=20)
    X, n = np.asarray(loss.x), loss.x.shape[0]
    b = opt + np.random.default_rng(6).normal(scale=0.2, size=opt.shape)
    e = X @ b
    weights = {"gaussian": np.ones(n), "binomial": _sigmoid(e) * _sigmoid(-e), "poisson": np.exp(e)}[family] / n
    g = np.asarray(loss.grad(jnp.asarray(b)))
    for count in (0, 1, 3, 17, 21):
        mask = np.zeros(21, bool)
        mask[np.random.default_rng(count).permutation(21)[:count]] = True
        hess = X[:, mask].T @ (weights[:, None] * X[:, mask])
        want = g[mask] @ np.linalg.solve(hess, g[mask]) if count else 0.0
        got = float(masked_decrement(loss, jnp.asarray(b), -jnp.asarray(g), jnp.asarray(mask)))
        # conjugate gradients approach it from below, stopped at CG_RTOL (here within 2e-4)
        assert want * (1 - 1e-3) <= got <= want * (1 + 1e-10), (count, got, want)
    skipped = masked_decrement(loss, jnp.asarray(b), -jnp.asarray(g), jnp.ones(21, bool), run=False)
    assert float(skipped) == 0.0
    full = float(masked_decrement(loss, jnp.asarray(b), -jnp.asarray(g), jnp.ones(21, bool)))
    early = float(masked_decrement(loss, jnp.asarray(b), -jnp.asarray(g), jnp.ones(21, bool), room=1e-3 * full))
    assert 1e-3 * full < early < full


def test_masked_decrement_on_duplicated_columns_is_finite():
    """A singular Hessian (a duplicated column in the mask): the gradient lies in its range, and conjugate
    gradients give the pseudo-inverse's decrement, as :func:`~jaxreg.solvers.gap.psd_solve` would."""
    loss, opt, _ = _glm("binomial", seed=2, p=6)
    X = np.asarray(loss.x)
    X2 = np.hstack([X, X[:, :1]])
    loss2 = Binomial.from_data(jnp.asarray(X2), loss.y, loss.omega)
    b = np.append(opt, 0.0) + 0.3
    e = X2 @ b
    hess = X2.T @ ((_sigmoid(e) * _sigmoid(-e) / X.shape[0])[:, None] * X2)
    g = np.asarray(loss2.grad(jnp.asarray(b)))
    want = g @ np.linalg.pinv(hess) @ g
    got = float(masked_decrement(loss2, jnp.asarray(b), -jnp.asarray(g), jnp.ones(8, bool)))
    np.testing.assert_allclose(got, want, rtol=1e-6)


@pytest.mark.parametrize("h", [[[2.5]], [[0.0]], [[1e-300]], [[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 2.0]]])
def test_psd_solve_is_the_pseudo_inverse(h):
    """``H⁺g`` for the 1 × 1 block of an intercept alone (a division) and a larger singular block (eigh)."""
    from jaxreg.solvers.gap import psd_solve

    h = np.asarray(h)
    g = np.arange(1.0, h.shape[0] + 1.0)
    expected = np.linalg.pinv(h, rcond=h.shape[0] * np.finfo(float).eps) @ g
    np.testing.assert_allclose(np.asarray(psd_solve(jnp.asarray(h), jnp.asarray(g))), expected, rtol=1e-10)
