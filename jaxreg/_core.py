"""The jit-compiled core of :func:`jaxreg.path`: raw arrays in, path on the original scale out.

Everything here is traced once per (shapes, dtype, static configuration); the λ grid, ``l1_ratio``, ``tol``,
weights, penalty factors and bounds are ordinary array arguments, so changing them never recompiles, and the whole
function can be ``vmap``-ped over weights (folds) or ``l1_ratio``.
"""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax import lax

from jaxreg.losses import Binomial, GaussianGram, GaussianX, Poisson
from jaxreg.penalties import ElasticNet
from jaxreg.preprocessing import normalize_weights, prepare, to_original_scale, to_solver_bounds
from jaxreg.solvers import EarlyStop, Profile, SolveResult, fista, lipschitz_constant, solve_path, working_set_solve
from jaxreg.solvers.newton import POLISH_MAX_SIZE


class CoreConfig(NamedTuple):
    """Static (hashable) options: each distinct value compiles its own version of :func:`fit_path`."""

    family: str = "gaussian"
    fit_intercept: bool = True
    standardize: bool = True
    gram: bool = True
    relative_grid: bool = True
    early_stop: EarlyStop | None = EarlyStop()
    has_unpenalized: bool = False
    n_profiled: int = 0  # unpenalized, unbounded coordinates (intercept column included) profiled out for the gap
    max_iter: int = 10_000
    check_every: int = 10
    working_set: tuple[int, ...] = ()  # working-set bucket sizes, increasing; () = always iterate on all features


class CoreResult(NamedTuple):
    """Arrays returned by :func:`fit_path` (λ axis first)."""

    lambdas: jax.Array
    coef: jax.Array
    intercept: jax.Array
    gap: jax.Array  # relative to the null objective P(0)
    converged: jax.Array
    n_iter: jax.Array
    dev_ratio: jax.Array
    active: jax.Array
    lambda_max: jax.Array
    null_loss: jax.Array


@partial(jax.jit, static_argnames=("config",))
def fit_path(
    x: jax.Array,
    y: jax.Array,
    weights: jax.Array,
    penalty_factor: jax.Array,
    lower: jax.Array,
    upper: jax.Array,
    lambdas: jax.Array,
    l1_ratio: jax.Array,
    tol: jax.Array,
    config: CoreConfig,
) -> CoreResult:
    """Elastic-net path for a GLM family; see :func:`jaxreg.path` for the maths and the conventions.

    ``lambdas`` are absolute values, or multiples of λmax when ``config.relative_grid``; all arrays must share one
    floating dtype.
    """
    n, p = x.shape
    dtype = x.dtype
    w = normalize_weights(weights)
    pf = penalty_factor * (p / jnp.sum(penalty_factor))
    least_squares = config.family == "gaussian"
    prep = prepare(x, y, w, fit_intercept=config.fit_intercept, standardize=config.standardize,
                   least_squares=least_squares)
    lo, hi = to_solver_bounds(prep, lower, upper)
    # Least squares profiles the intercept out by centring. Other losses carry it as a last, unpenalized column.
    free_intercept = config.fit_intercept and not least_squares
    if least_squares:
        loss = (GaussianGram if config.gram else GaussianX).from_data(prep.x, prep.y)
        beta_null = jnp.zeros(p, dtype)
    else:
        xs = jnp.concatenate([prep.x, jnp.ones((n, 1), dtype)], axis=1) if free_intercept else prep.x
        loss = (Poisson if config.family == "poisson" else Binomial).from_data(xs, prep.y, w / n)
        beta_null = jnp.zeros(xs.shape[1], dtype)
        if free_intercept:
            ybar = w @ prep.y / n  # the intercept-only fit: logit(ȳ_w) (binomial), log(ȳ_w) (poisson)
            b_null = jnp.log(ybar) if config.family == "poisson" else jnp.log(ybar) - jnp.log1p(-ybar)
            beta_null = beta_null.at[p].set(b_null)
            pf = jnp.append(pf, 0.0)
            lo, hi = jnp.append(lo, -jnp.inf), jnp.append(hi, jnp.inf)
    penalty = ElasticNet(l1_ratio, pf, lo, hi)
    m = beta_null.shape[0]

    null_loss = loss.value(beta_null)  # P(0): every coefficient zero, the intercept fitted
    tol_abs = tol * null_loss
    step = 1.0 / lipschitz_constant(loss, m, dtype)
    # Static count from path(); constant columns (bounds [0, 0] here) may leave some slots unused.
    unpenalized = (pf == 0) & jnp.isneginf(lo) & jnp.isposinf(hi)
    (idx,) = jnp.nonzero(unpenalized, size=config.n_profiled, fill_value=0)
    profile = Profile(idx, jnp.arange(config.n_profiled) < jnp.count_nonzero(unpenalized))
    opts = dict(step=step, tol_abs=tol_abs, check_every=config.check_every, backtrack=not least_squares,
                profile=profile)
    solve = _bucketed(config.working_set, opts, p)

    beta0 = beta_null
    if config.has_unpenalized or free_intercept:
        # Fit the unpenalized features alone (penalized ones pinned at 0): λmax is measured from that residual.
        pinned = penalty._replace(lower=jnp.where(pf > 0, 0.0, lo), upper=jnp.where(pf > 0, 0.0, hi))
        beta0 = fista(loss, pinned, jnp.ones((), dtype), beta0, max_iter=config.max_iter, **opts).beta
    lambda_max = penalty.lambda_max(-loss.grad(beta0))
    # λmax = 0: no coefficient can leave zero (all fixed by bounds, constant, or y already fitted by the
    # unpenalized part), so every λ gives the same fit. Use a unit λmax so that the grid stays strictly decreasing.
    lambda_max = jnp.where(lambda_max > jnp.sqrt(jnp.finfo(dtype).tiny), lambda_max, 1.0)
    lams = lambdas * lambda_max if config.relative_grid else lambdas

    sol = solve_path(
        loss,
        penalty,
        lams,
        beta0,
        solve=solve,
        null_loss=null_loss,
        max_iter=config.max_iter,
        early_stop=config.early_stop,
    )
    b0 = sol.beta[:, p] if free_intercept else 0.0
    coef, intercept = to_original_scale(prep, sol.beta[:, :p], b0)
    safe_null = jnp.where(null_loss > 0, null_loss, 1.0)
    dev_ratio = jnp.where(null_loss > 0, 1.0 - sol.loss / safe_null, 0.0)
    return CoreResult(
        lams, coef, intercept, sol.gap / safe_null, sol.converged, sol.n_iter, dev_ratio, sol.active, lambda_max,
        null_loss,
    )


#: A λ starts with the smallest working-set bucket holding this multiple of its warm start's nonzeros (plus
#: BUCKET_SLACK), else the largest one with room; a bucket that fills up before the gap is reached hands over to the
#: next one, the last to all features.
BUCKET_GROWTH = 1.5
BUCKET_SLACK = 16


def _bucketed(sizes: tuple[int, ...], opts: dict, p: int):
    """One λ's solver (``p`` features, plus an intercept column for GLMs): working sets in static buckets of
    increasing size, then all features if still needed, with Newton polish when ``p ≤ POLISH_MAX_SIZE`` (the same
    rule that turns ``working_set="auto"`` off).

    Each bucket compiles once; which ones run is decided per λ at run time (under ``vmap`` every bucket runs for
    the whole batch, which is correct but slower).
    """
    full = partial(fista, polish=p <= POLISH_MAX_SIZE, **opts)
    if not sizes:
        return lambda f, g, lam, b, budget: full(f, g, lam, b, max_iter=budget)
    buckets = [partial(working_set_solve, size=s, **opts) for s in sizes]

    def solve(f, g, lam, b, budget):
        def resume(solver):
            """Continue from a previous result with the budget it left, counting its iterations too."""
            def run(r: SolveResult) -> SolveResult:
                out = solver(f, g, lam, r.beta, max_iter=budget - r.n_iter)
                return out._replace(n_iter=out.n_iter + r.n_iter)
            return run

        nnz = jnp.count_nonzero(b)
        need = jnp.minimum(BUCKET_GROWTH * nnz + BUCKET_SLACK, sizes[-1])  # the largest bucket, if it has room
        res = SolveResult(b, jnp.full((), jnp.inf, b.dtype), jnp.zeros((), b.dtype), jnp.zeros((), jnp.int32),
                          jnp.zeros((), bool))
        for size, bucket in zip(sizes, buckets):
            go = ~res.converged & (size >= need) & (nnz < size) & (res.n_iter < budget)
            res = lax.cond(go, resume(bucket), lambda r: r, res)
        return lax.cond(res.converged, lambda r: r, resume(full), res)

    return solve
