"""Newton polish on the current face (jaxreg.solvers.newton) and the extrapolated warm start (warm_start)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxreg.losses import Binomial, GaussianGram, GaussianX
from jaxreg.penalties import ElasticNet
from jaxreg.solvers import duality_gap, fista, lipschitz_constant
from jaxreg.solvers.newton import newton_polish, polish_sizes
from jaxreg.solvers.warm_start import extrapolate
from reference_np import make_problem


def _gaussian(n=60, p=15, seed=4):
    X, y = make_problem(n, p, seed=seed)
    X = (X - X.mean(0)) / X.std(0)
    return jnp.asarray(X), jnp.asarray(y - y.mean())


def _penalty(p, alpha=1.0, lower=-np.inf, upper=np.inf, pf=None):
    pf = jnp.ones(p) if pf is None else jnp.asarray(pf, float)
    return ElasticNet(jnp.asarray(alpha), pf, jnp.full(p, lower, float), jnp.full(p, upper, float))


def _objective(loss, pen, b, lam):
    return float(loss.value(b) + pen.value(b, lam))


def _solve(loss, pen, lam, p, tol=1e-13):
    step = 1.0 / lipschitz_constant(loss, p, jnp.float64)
    return fista(loss, pen, lam, jnp.zeros(p), step=step, tol_abs=tol, max_iter=200_000, check_every=10)


def test_on_the_right_face_one_step_is_the_lasso_solution():
    """Least squares: a point with the optimum's signs polishes to the optimum b_S = G_SS⁻¹(c_S − λ s_S)."""
    X, y = _gaussian()
    p = X.shape[1]
    loss, pen, lam = GaussianGram.from_data(X, y), _penalty(p), jnp.asarray(0.3)
    best = np.asarray(_solve(loss, pen, lam, p).beta)
    support = best != 0
    assert 2 <= support.sum() < p
    # same signs, wrong values
    start = jnp.asarray(np.where(support, best * 1.7 + 0.05 * np.sign(best), 0.0))
    out = np.asarray(newton_polish(loss, pen, lam, start))
    np.testing.assert_allclose(out, best, atol=1e-10)
    gram, c = np.asarray(X.T @ X) / X.shape[0], np.asarray(X.T @ y) / X.shape[0]
    s = support
    closed = np.linalg.solve(gram[np.ix_(s, s)], c[s] - float(lam) * np.sign(best[s]))
    np.testing.assert_allclose(out[s], closed, rtol=1e-10)
    assert float(duality_gap(loss, pen, jnp.asarray(out), lam).gap) <= 1e-12


def test_ridge_from_zero_is_the_closed_form():
    """α = 0: every coordinate is on the face, so one Newton step solves (XᵀX/n + λI) b = Xᵀy/n."""
    X, y = _gaussian()
    n, p = X.shape
    loss, pen, lam = GaussianX.from_data(X, y), _penalty(p, alpha=0.0), jnp.asarray(0.3)
    out = np.asarray(newton_polish(loss, pen, lam, jnp.zeros(p)))
    closed = np.linalg.solve(np.asarray(X.T @ X) / n + 0.3 * np.eye(p), np.asarray(X.T @ y) / n)
    np.testing.assert_allclose(out, closed, rtol=1e-9)


@pytest.mark.parametrize("alpha,lower,upper", [(1.0, -np.inf, np.inf), (0.6, -0.2, 0.5), (1.0, 0.0, np.inf)])
def test_never_raises_the_objective_and_respects_bounds(alpha, lower, upper):
    X, y = _gaussian(40, 12, seed=7)
    p = X.shape[1]
    yb = jnp.asarray((np.asarray(y) > 0).astype(float))
    losses = [GaussianGram.from_data(X, y), Binomial.from_data(X, yb, jnp.full(X.shape[0], 1.0 / X.shape[0]))]
    pen, lam = _penalty(p, alpha, lower, upper), jnp.asarray(0.05)
    rng = np.random.default_rng(1)
    for loss in losses:
        for _ in range(5):
            b = jnp.asarray(np.clip(rng.standard_normal(p) * (rng.uniform(size=p) < 0.5), lower, upper))
            out = newton_polish(loss, pen, lam, b)
            assert np.all(np.isfinite(out))
            before = _objective(loss, pen, b, lam)
            assert _objective(loss, pen, out, lam) <= before + 1e-14 * abs(before)
            assert np.all((np.asarray(out) >= lower) & (np.asarray(out) <= upper))
            # a coefficient never changes sign in one polish (it stops at zero)
            assert np.all(np.asarray(out) * np.asarray(b) >= 0)


def test_singular_face_keeps_the_point_or_improves_it():
    """p > n with duplicated columns: the Hessian on the face is singular; the result stays finite and no worse."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((6, 5))
    X = jnp.asarray(np.hstack([x, x]))  # every column twice
    y = jnp.asarray(rng.standard_normal(6))
    loss, pen, lam = GaussianX.from_data(X, y), _penalty(10), jnp.asarray(0.01)
    b = jnp.asarray(rng.standard_normal(10))
    out = newton_polish(loss, pen, lam, b)
    assert np.all(np.isfinite(out))
    before = _objective(loss, pen, b, lam)
    assert _objective(loss, pen, out, lam) <= before + 1e-14 * abs(before)


def test_unpenalized_coordinates_may_cross_zero():
    """The intercept column of a GLM (penalty factor 0) is smooth everywhere: Newton moves it through zero."""
    X, y = _gaussian(80, 6, seed=5)
    n, p = X.shape
    xs = jnp.concatenate([X, jnp.ones((n, 1))], axis=1)
    yb = jnp.asarray((np.asarray(y) > 1.0).astype(float))  # mostly 0: the fitted intercept is negative
    loss = Binomial.from_data(xs, yb, jnp.full(n, 1.0 / n))
    pen = _penalty(p + 1, pf=np.append(np.ones(p), 0.0))
    lam = jnp.asarray(10.0)  # every feature at zero: only the intercept moves
    b = jnp.zeros(p + 1).at[p].set(0.5)
    out = np.asarray(newton_polish(loss, pen, lam, b))
    for _ in range(5):
        out = np.asarray(newton_polish(loss, pen, lam, jnp.asarray(out)))
    ybar = float(jnp.mean(yb))
    np.testing.assert_allclose(out[p], np.log(ybar / (1 - ybar)), rtol=1e-12)
    assert np.all(out[:p] == 0)


def test_fista_with_polish_reaches_the_same_certified_solution():
    X, y = _gaussian(70, 20, seed=9)
    n, p = X.shape
    yb = jnp.asarray((np.asarray(y) > 0).astype(float))
    loss = Binomial.from_data(X, yb, jnp.full(n, 1.0 / n))
    pen, lam = _penalty(p, alpha=0.8), jnp.asarray(0.02)
    step = 1.0 / lipschitz_constant(loss, p, jnp.float64)
    kw = dict(step=step, tol_abs=1e-12, max_iter=100_000, check_every=10, backtrack=True)
    plain = fista(loss, pen, lam, jnp.zeros(p), **kw)
    polished = fista(loss, pen, lam, jnp.zeros(p), polish=True, **kw)
    assert bool(plain.converged) and bool(polished.converged)
    np.testing.assert_allclose(polished.beta, plain.beta, atol=1e-5)
    assert int(polished.n_iter) < int(plain.n_iter)


def test_a_feature_entering_the_support_costs_one_iteration_and_one_polish():
    """From the solution at one λ, the next λ's solution has one more nonzero: one proximal-gradient step lets it
    in, and the Newton step on that face lands on the solution (the polish on the old face could not find it)."""
    X, y = _gaussian(80, 12, seed=3)
    p = X.shape[1]
    loss, pen = GaussianGram.from_data(X, y), _penalty(p)
    step = 1.0 / lipschitz_constant(loss, p, jnp.float64)
    kw = dict(step=step, tol_abs=1e-13, max_iter=100_000, check_every=10)
    lams = float(jnp.max(jnp.abs(loss.xty))) * np.geomspace(0.999, 0.05, 60)
    reference = jax.jit(jax.vmap(lambda lam: fista(loss, pen, lam, jnp.zeros(p), **kw).beta))
    sols = np.asarray(reference(jnp.asarray(lams)))
    polished = jax.jit(lambda lam, b: fista(loss, pen, lam, b, polish=True, **kw))
    checked = 0
    for k in range(len(lams) - 1):
        old, new = sols[k] != 0, sols[k + 1] != 0
        # the features the gradient at the old solution pulls off zero at the new λ are exactly the ones entering
        pulled = (np.abs(np.asarray(loss.grad(jnp.asarray(sols[k])))) > lams[k + 1]) & ~old
        if np.all(new >= old) and new.sum() == old.sum() + 1 and np.array_equal(pulled, new & ~old):
            res = polished(jnp.asarray(lams[k + 1]), jnp.asarray(sols[k]))
            assert bool(res.converged) and int(res.n_iter) == 2
            np.testing.assert_allclose(res.beta, sols[k + 1], atol=1e-9)
            checked += 1
    assert checked >= 3


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
def test_skipping_the_first_measure_changes_the_cost_not_the_answer(family):
    """measure_first=False (the path's choice for GLMs, whose warm starts are rarely optimal and whose measure is
    dear): an optimal start costs one iteration and one polish instead of one measure, and stays where it is; with
    max_iter=0 the start is measured all the same (its true gap, not inf). The flag may be traced."""
    X, y = _gaussian(80, 12, seed=3)
    p = X.shape[1]
    if family == "gaussian":
        loss = GaussianGram.from_data(X, y)
    else:
        loss = Binomial.from_data(X, (y > jnp.median(y)).astype(X.dtype), jnp.full(X.shape[0], 1.0 / X.shape[0]),
                                  None)
    pen, lam = _penalty(p), jnp.asarray(0.02)
    kw = dict(step=1.0 / lipschitz_constant(loss, p, jnp.float64), tol_abs=1e-12, max_iter=100_000, check_every=10,
              backtrack=family == "binomial", polish=True)
    run = jax.jit(lambda b, first, budget: fista(loss, pen, lam, b, measure_first=first, **{**kw, "max_iter": budget}))
    zero = jnp.zeros(p)
    eager, lazy = run(zero, True, 100_000), run(zero, False, 100_000)
    assert bool(eager.converged) and bool(lazy.converged) and 0 < np.count_nonzero(eager.beta) < p
    np.testing.assert_allclose(lazy.beta, eager.beta, atol=1e-7)
    again_eager, again_lazy = run(eager.beta, True, 100_000), run(eager.beta, False, 100_000)
    assert int(again_eager.n_iter) == 0 and int(again_lazy.n_iter) == 2 and bool(again_lazy.converged)
    np.testing.assert_allclose(again_lazy.beta, eager.beta, atol=1e-9)
    untouched = run(zero, False, 0)
    assert int(untouched.n_iter) == 0 and not bool(untouched.converged)
    np.testing.assert_allclose(untouched.gap, duality_gap(loss, pen, zero, lam).gap, rtol=1e-12)


def test_polishing_the_warm_start_first_changes_the_cost_not_the_answer():
    """polish_first (the path's choice for binomial and poisson): an unmeasured warm start is polished before any
    iteration. An optimal start costs that one polish; a start on its solution's face (the previous λ's solution)
    takes fewer iterations; a start off it (zero) still reaches the same solution; max_iter=0 leaves it alone."""
    X, y = _gaussian(80, 12, seed=3)
    p = X.shape[1]
    loss = Binomial.from_data(X, (y > jnp.median(y)).astype(X.dtype), jnp.full(X.shape[0], 1.0 / X.shape[0]), None)
    pen = _penalty(p)
    kw = dict(step=1.0 / lipschitz_constant(loss, p, jnp.float64), tol_abs=1e-12, check_every=10, backtrack=True,
              polish=True, measure_first=False)
    run = jax.jit(lambda b, lam, budget, first: fista(loss, pen, lam, b, max_iter=budget, polish_first=first, **kw),
                  static_argnums=3)
    lam, near = jnp.asarray(0.02), jnp.asarray(0.019)
    ref = run(jnp.zeros(p), lam, 100_000, False)
    assert bool(ref.converged) and 0 < np.count_nonzero(ref.beta) < p
    again = run(ref.beta, lam, 100_000, True)
    assert int(again.n_iter) == 1 and bool(again.converged)
    np.testing.assert_allclose(again.beta, ref.beta, atol=1e-9)
    plain, first = run(ref.beta, near, 100_000, False), run(ref.beta, near, 100_000, True)
    assert np.array_equal(plain.beta != 0, ref.beta != 0)  # the same face: the Newton step heads for the solution
    assert bool(plain.converged) and bool(first.converged) and int(first.n_iter) < int(plain.n_iter)
    np.testing.assert_allclose(first.beta, plain.beta, atol=1e-7)
    cold = run(jnp.zeros(p), lam, 100_000, True)
    assert bool(cold.converged)
    np.testing.assert_allclose(cold.beta, ref.beta, atol=1e-7)
    untouched = run(ref.beta, near, 0, True)
    assert int(untouched.n_iter) == 0 and not bool(untouched.converged)
    np.testing.assert_array_equal(untouched.beta, ref.beta)


def test_polish_sizes_are_static_powers_of_two_up_to_m():
    assert polish_sizes(5) == (5,)
    assert polish_sizes(8) == (8,)
    assert polish_sizes(31) == (8, 16, 31)
    assert polish_sizes(64) == (8, 16, 32, 64)


def test_extrapolation_is_exact_on_a_linear_piece_of_the_lasso_path():
    X, y = _gaussian()
    p = X.shape[1]
    loss, pen = GaussianGram.from_data(X, y), _penalty(p)
    lams = [0.060, 0.058, 0.056]
    sols = [np.asarray(_solve(loss, pen, jnp.asarray(lam), p).beta) for lam in lams]
    assert all(np.array_equal(sols[0] != 0, s != 0) for s in sols)  # one linear piece
    guess = extrapolate(loss, pen, jnp.asarray(lams[2]), jnp.asarray(sols[1]), jnp.asarray(lams[1]),
                        jnp.asarray(sols[0]), jnp.asarray(lams[0]))
    np.testing.assert_allclose(guess, sols[2], atol=1e-9)


def test_extrapolation_falls_back_to_the_warm_start_when_worse():
    X, y = _gaussian()
    p = X.shape[1]
    loss, pen = GaussianGram.from_data(X, y), _penalty(p)
    b = np.asarray(_solve(loss, pen, jnp.asarray(0.05), p).beta)
    wild = jnp.asarray(b + 50.0 * np.sign(b))  # a "previous solution" that makes the extrapolation absurd
    guess = extrapolate(loss, pen, jnp.asarray(0.049), jnp.asarray(b), jnp.asarray(0.05), wild, jnp.asarray(0.051))
    np.testing.assert_array_equal(guess, b)
    # the first λ of a path (no previous λ) starts where it is
    same = extrapolate(loss, pen, jnp.asarray(0.049), jnp.asarray(b), jnp.asarray(0.05), jnp.asarray(b),
                       jnp.asarray(0.05))
    np.testing.assert_array_equal(same, b)
