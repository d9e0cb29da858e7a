"""The jit-compiled core of :func:`jaxreg.path`: raw arrays in, path on the original scale out.

Everything here is traced once per (shapes, dtype, static configuration); the λ grid, ``l1_ratio``, ``tol``,
``max_iter``, weights, penalty factors and bounds are ordinary array arguments, so changing them never recompiles,
and the whole function can be ``vmap``-ped over weights (folds) or ``l1_ratio``.
"""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp

from jaxreg import _multinomial as mn
from jaxreg._bisect import bisect
from jaxreg._static import Static, merge_static
from jaxreg.losses import Binomial, Cox, GaussianGram, GaussianX, MGaussianGram, MGaussianX, Multinomial, Poisson
from jaxreg.penalties import ElasticNet, FoldedConcave, SparseGroup
from jaxreg.penalties.intercept import WithIntercept
from jaxreg.preprocessing import (
    normalize_weights,
    prepare,
    prepared_xty,
    response_scale,
    to_original_scale,
    to_solver_bounds,
)
from jaxreg.solvers import EarlyStop, Profile, fista, lipschitz_constant, solve_path
from jaxreg.solvers.buckets import bucketed_solve
from jaxreg.solvers.newton import has_coupled_curvature


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
    check_every: int = 10
    working_set: tuple[int, ...] = ()  # working-set bucket sizes, increasing; () = always iterate on all features
    penalty: str = "elastic_net"  # or "group_lasso", "sparse_group_lasso" (jaxreg.penalties.group), "mcp", "scad"
    gamma: float = 0.0  # "mcp", "scad": the concavity γ (jaxreg.penalties.concave)
    groups: tuple[int, ...] = ()  # group penalties: each feature's group, 0 … G − 1
    n_outputs: int = 0  # K: multinomial classes or mgaussian responses (0: one output)
    standardize_response: bool = False  # mgaussian: scale each response to unit (1/n) standard deviation
    multinomial_grouped: bool = False  # multinomial: a feature's K coefficients as one group (glmnet's "grouped")
    custom: Static | None = None  # penalty "custom": the static part of the penalty object (its arrays: `custom`)


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
    max_iter: jax.Array,
    offset: jax.Array | None = None,
    custom: list[jax.Array | None] | None = None,
    gram: jax.Array | None = None,
    *,
    config: CoreConfig,
) -> CoreResult:
    """Elastic-net (or group) path for a GLM family; see :func:`jaxreg.path` for the maths and the conventions.

    ``lambdas`` are absolute values, or multiples of λmax when ``config.relative_grid``; all arrays must share one
    floating dtype. ``offset`` (n,), when given, is added to the linear predictor (least squares: subtracted from
    ``y``). Multinomial: ``y`` holds class indices ``0 … K − 1`` as floats; mgaussian: ``y`` is ``(n, K)``; for both
    ``offset`` is ``(n, K)`` and the coefficients come back as ``(L, p, K)``, the intercepts as ``(L, K)``.
    ``custom``: the array leaves of a penalty object (``config.penalty == "custom"``), which replaces the penalty
    built from ``penalty_factor``, ``lower``, ``upper`` and ``l1_ratio`` (``penalty_factor`` then only marks its free
    coordinates with 0, and the bounds are infinite). ``gram``: least squares' ``XᵀX/n`` of the prepared design
    (:mod:`jaxreg._gram`), where not computed here.
    """
    n, p = x.shape
    dtype = x.dtype
    w = normalize_weights(weights)
    total_pf = jnp.sum(penalty_factor)  # 0 only in relaxed refits, where λ = 0 makes pf irrelevant
    pf = penalty_factor * (p / jnp.where(total_pf > 0, total_pf, p))
    k = config.n_outputs
    mgaussian = config.family == "mgaussian"
    least_squares = config.family == "gaussian" or mgaussian
    if least_squares and offset is not None:
        y, offset = y - offset, None
    y_scale = response_scale(y, w) if config.standardize_response else 1.0
    y = y / y_scale
    cox = config.family == "cox"
    if cox:  # (time, status[, stratum[, start]]); no intercept, but X is centred all the same (f is invariant to it)
        start = y[:, 3] if y.shape[1] > 3 else None
        y, status, strata = y[:, 0], y[:, 1], (y[:, 2] if y.shape[1] > 2 else None)
    prep = prepare(x, y, w, fit_intercept=config.fit_intercept or cox, standardize=config.standardize,
                   least_squares=least_squares)
    lo, hi = to_solver_bounds(prep, lower, upper)
    # Least squares profiles the intercept out by centring. Other losses carry it as a last, unpenalized column.
    free_intercept = config.fit_intercept and not least_squares and not cox
    multinomial = config.family == "multinomial"
    if mgaussian:
        loss = (MGaussianGram if config.gram else MGaussianX).from_data(prep.x, prep.y)
        pf, lo, hi = (jnp.repeat(a, k) for a in (pf, lo, hi))
        beta_null = jnp.zeros(p * k, dtype)
    elif least_squares:
        if gram is not None:  # XᵀX/n from the host (jaxreg._gram)
            # in float64 Xᵀy without a prepared copy of X; float32 centres X first, its rounding would show
            xty = prepared_xty(x, w, prep) if dtype == jnp.float64 else prep.y @ prep.x / n
            loss = GaussianGram(gram, xty, prep.y @ prep.y / n)
        else:
            loss = GaussianGram.from_data(prep.x, prep.y) if config.gram else GaussianX.from_data(prep.x, prep.y)
        beta_null = jnp.zeros(p, dtype)
    elif cox:
        loss = Cox.from_data(prep.x, y, status, w / n, offset, strata, start)
        beta_null = jnp.zeros(p, dtype)
    else:
        xs = jnp.concatenate([prep.x, jnp.ones((n, 1), dtype)], axis=1) if free_intercept else prep.x
        if multinomial:
            yk = jax.nn.one_hot(prep.y.astype(jnp.int32), k, dtype=dtype)
            loss = Multinomial.from_data(xs, yk, w / n, offset)
            pf, lo, hi = mn.expand(pf, lo, hi, k, free_intercept)
            beta_null = mn.null_coef(loss, w, xs.shape[1], free_intercept, offset is not None, tol)
        else:
            loss = (Poisson if config.family == "poisson" else Binomial).from_data(xs, prep.y, w / n, offset)
            beta_null = jnp.zeros(xs.shape[1], dtype)
            if free_intercept:
                beta_null = beta_null.at[p].set(null_intercept(config.family, prep.y, w, offset))
                pf = jnp.append(pf, 0.0)
                lo, hi = jnp.append(lo, -jnp.inf), jnp.append(hi, jnp.inf)

    if config.custom is not None:
        penalty = merge_static(custom, config.custom)
        if free_intercept:
            penalty = WithIntercept(penalty, jnp.asarray(p))
    else:
        penalty = make_penalty(config, l1_ratio, pf, lo, hi)
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
    # the row-wise group penalties keep a feature's K coefficients together in working sets
    block = k if config.multinomial_grouped or mgaussian else 1
    # Along the path the block starts from the last λ's optimum: one Newton step per measure instead of two (the gap
    # counts what is left; glmnet-poisson, breast-cancer 0.8-0.9x the time). The pinned solve below keeps two.
    path_opts = dict(opts, profile=profile._replace(steps=1))
    # Newton steps with a coupled penalty curvature (a group norm) pay for GLMs (binomial group lasso 7x, grouped
    # multinomial 5.5x faster) but not for least squares, whose iterations cost less than the system (mgaussian 2x)
    solve = bucketed_solve(config.working_set, path_opts, p * max(k, 1), pf > 0, block, polish_in_buckets=cox,
                           polish_first=config.family in ("binomial", "poisson"),
                           polish=not (least_squares and has_coupled_curvature(penalty)))

    beta0 = beta_null
    if config.has_unpenalized:
        # Fit the unpenalized features alone (penalized ones pinned at 0): λmax is measured from that residual. (A
        # GLM's intercept alone is fitted already: beta_null. A second solver here costs a fifth of the compile time.)
        pinned = ElasticNet(jnp.ones((), dtype), pf, jnp.where(pf > 0, 0.0, lo), jnp.where(pf > 0, 0.0, hi))
        beta0 = fista(loss, pinned, jnp.ones((), dtype), beta0, max_iter=max_iter, **opts).beta
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
        max_iter=max_iter,
        early_stop=config.early_stop,
    )
    if k:
        # multinomial: centre the free coefficients over the classes (see jaxreg._multinomial)
        centre = (penalty_factor == 0) & jnp.isneginf(lower) & jnp.isposinf(upper) & multinomial
        coef, intercept = mn.to_original(prep, sol.beta, p, k, free_intercept, centre)
        coef, intercept = coef * y_scale, intercept * y_scale
    else:
        b0 = sol.beta[:, p] if free_intercept else 0.0
        coef, intercept = to_original_scale(prep, sol.beta[:, :p], b0)
        if cox:
            intercept = jnp.zeros_like(intercept)
    safe_null = jnp.where(null_loss > 0, null_loss, 1.0)
    dev_ratio = jnp.where(null_loss > 0, 1.0 - sol.loss / safe_null, 0.0)
    return CoreResult(lams, coef, intercept, sol.gap / safe_null, sol.converged, sol.n_iter, dev_ratio, sol.active,
                      lambda_max, null_loss)


def null_intercept(family: str, y: jax.Array, w: jax.Array, offset: jax.Array | None) -> jax.Array:
    """The intercept-only fit ``b``: ``log(Σ w y / Σ w e^offset)`` for poisson; for binomial ``logit(ȳ_w)`` without
    an offset, else the root of the increasing ``Σ w (σ(b + offset) − y)``, which lies between ``logit(ȳ_w) − max
    offset`` and ``logit(ȳ_w) − min offset`` (found by bisection, to the last bit)."""
    ybar = w @ y / jnp.sum(w)
    if family == "poisson":
        return jnp.log(ybar) - (0.0 if offset is None else jnp.log(w @ jnp.exp(offset) / jnp.sum(w)))
    logit = jnp.log(ybar) - jnp.log1p(-ybar)
    if offset is None:
        return logit

    def below_root(b: jax.Array) -> jax.Array:
        return ~(w @ (jax.nn.sigmoid(b + offset) - y) > 0)

    lo, hi = bisect(below_root, logit - jnp.max(offset), logit - jnp.min(offset), 64)
    return 0.5 * (lo + hi)


def make_penalty(config: CoreConfig, l1_ratio: jax.Array, pf: jax.Array, lo: jax.Array,
                 hi: jax.Array) -> ElasticNet | SparseGroup | FoldedConcave:
    """The solver's penalty for ``config.penalty`` on ``m ≥ p`` coordinates (a GLM's intercept column, beyond the
    ``p`` features, is a group of its own, unpenalized).

    ``"group_lasso"``: ``α = l1_ratio`` mixes the group norm with ridge, ``τ = 0``; ``"sparse_group_lasso"``:
    ``α = 1``, ``τ = l1_ratio`` is the share of the L1 part. Group weights are ``√|g|``. ``"mcp"``, ``"scad"``: the
    concave part has weight ``l1_ratio``, the concavity is ``config.gamma``.
    """
    if config.multinomial_grouped or config.family == "mgaussian":
        return mn.grouped_penalty(l1_ratio, pf, lo, hi, config.n_outputs)
    if config.penalty == "elastic_net":
        return ElasticNet(l1_ratio, pf, lo, hi)
    if config.penalty in ("mcp", "scad"):
        gamma = jnp.asarray(config.gamma, pf.dtype)
        return FoldedConcave(l1_ratio, pf, lo, hi, gamma, jnp.asarray(config.penalty == "scad"))
    groups = jnp.asarray(config.groups, jnp.int32)
    sizes = jnp.bincount(groups, length=max(config.groups) + 1).astype(pf.dtype)
    group_weight, m = jnp.sqrt(sizes), pf.shape[0]
    if m > groups.shape[0]:  # the intercept column
        groups = jnp.append(groups, sizes.shape[0])
        group_weight = jnp.append(group_weight, 0.0)
    one, zero = jnp.ones((), pf.dtype), jnp.zeros((), pf.dtype)
    alpha, tau = (l1_ratio, zero) if config.penalty == "group_lasso" else (one, l1_ratio)
    return SparseGroup(alpha, tau, pf, group_weight, groups, lo, hi)
