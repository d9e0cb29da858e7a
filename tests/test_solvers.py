"""The solver pieces: duality gap, Lipschitz estimate, FISTA on a small problem."""

import jax.numpy as jnp
import numpy as np
import pytest

from jaxreg.losses import GaussianGram, GaussianX
from jaxreg.penalties import ElasticNet
from jaxreg.solvers import duality_gap, fista, lipschitz_constant
from reference_np import make_problem


def _problem(n=50, p=12, alpha=0.7):
    X, y = make_problem(n, p, seed=3)
    X = (X - X.mean(0)) / X.std(0)
    y = y - y.mean()
    pen = ElasticNet(jnp.asarray(alpha), jnp.ones(p), jnp.full(p, -jnp.inf), jnp.full(p, jnp.inf))
    return jnp.asarray(X), jnp.asarray(y), pen


@pytest.mark.parametrize("form", [GaussianGram, GaussianX])
def test_gram_and_x_forms_agree(form):
    X, y, _ = _problem()
    ref = GaussianX.from_data(X, y)
    loss = form.from_data(X, y)
    b = jnp.linspace(-1, 1, X.shape[1])
    np.testing.assert_allclose(loss.value(b), ref.value(b), rtol=1e-12)
    np.testing.assert_allclose(loss.grad(b), ref.grad(b), rtol=1e-10, atol=1e-12)
    f, g, aux = loss.dual_parts(b)
    np.testing.assert_allclose(f, ref.value(b), rtol=1e-12)
    np.testing.assert_allclose(loss.dual_value(0.7, aux), ref.dual_value(0.7, ref.dual_parts(b)[2]), rtol=1e-10)


def test_lipschitz_bounds_the_top_eigenvalue():
    X, y, _ = _problem()
    top = np.linalg.eigvalsh(np.asarray(X.T @ X) / X.shape[0]).max()
    est = float(lipschitz_constant(GaussianGram.from_data(X, y), X.shape[1], X.dtype))
    assert top <= est <= 1.1 * top


def test_gap_is_nonnegative_and_vanishes_at_the_optimum():
    X, y, pen = _problem()
    loss = GaussianGram.from_data(X, y)
    lam = jnp.asarray(0.05)
    step = 1.0 / lipschitz_constant(loss, X.shape[1], X.dtype)
    rng = np.random.default_rng(0)
    for _ in range(5):
        b = jnp.asarray(rng.standard_normal(X.shape[1]))
        assert float(duality_gap(loss, pen, b, lam).gap) > 0
    res = fista(loss, pen, lam, jnp.zeros(X.shape[1]), step=step, tol_abs=1e-14, max_iter=100_000, check_every=10)
    assert bool(res.converged) and float(res.gap) <= 1e-14
    # the certificate is honest: P(b) − P* ≤ gap, with P* from a much longer run
    best = fista(loss, pen, lam, res.beta, step=step, tol_abs=0.0, max_iter=20_000, check_every=10)
    p_res = duality_gap(loss, pen, res.beta, lam).primal
    p_best = duality_gap(loss, pen, best.beta, lam).primal
    assert float(p_res - p_best) <= float(res.gap) + 1e-15


def test_fista_respects_max_iter():
    X, y, pen = _problem()
    loss = GaussianX.from_data(X, y)
    res = fista(loss, pen, jnp.asarray(0.01), jnp.zeros(X.shape[1]), step=1e-3, tol_abs=0.0, max_iter=30,
                check_every=10)
    assert int(res.n_iter) == 30 and not bool(res.converged)
