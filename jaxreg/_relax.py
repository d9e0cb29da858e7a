"""Relaxed fits (glmnet's ``relax=TRUE``): at each λ, the unpenalized fit on the features that λ's path selected.

The refit of an active set ``A`` is the problem of :func:`jaxreg.path` at λ = 0 with the features outside ``A``
fixed at 0 (both bounds 0) and those in ``A`` keeping their bounds; it is solved by the same compiled core, one
problem per distinct active set, one after the other (``lax.map``; on CPU this beats ``vmap``, whose batched loops
run until the slowest set is done). With λ = 0 every free coordinate is unpenalized
and unbounded, so the duality gap profiles it out (Newton steps on the active block, exact in one step for least
squares) and certifies the refit to the path's ``tol`` like any other fit.

Only the columns that some active set uses are passed to the core, padded with zero columns (always fixed at 0) to
a power of two, and the sets are padded to a power of two as well, so that paths of similar size share one compiled
refit.
"""

from __future__ import annotations

import dataclasses
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from jaxreg import _validation as v
from jaxreg._convergence import warn_unconverged
from jaxreg._core import fit_path
from jaxreg._setup import Setup, profiled_count, x64
from jaxreg._sharding import to_numpy
from jaxreg.result import Path


def check_relax(relax: Any, max_features: Any, n: int, penalty_object: bool = False) -> int | None:
    """The largest active set to refit (glmnet's ``maxp``, default ``n − 3``), or ``None`` without ``relax``.

    Not with a penalty object: its constraints live in its prox, which the refits (an elastic net at λ = 0 with
    the path's bounds) would drop."""
    if not isinstance(relax, (bool, np.bool_)):
        raise TypeError(f"relax: expected True or False, got {relax!r}.")
    if not relax:
        if max_features is not None:
            raise ValueError("relax_max_features: only used with relax=True.")
        return None
    if penalty_object:
        raise ValueError("relax: relaxed fits are not supported with a penalty object (its constraints would be "
                         "dropped by the unpenalized refits); use a named penalty with bounds.")
    if max_features is None:
        return max(n - 3, 0)
    return v.check_int(max_features, "relax_max_features", low=0)


def _bucket(k: int, low: int = 8) -> int:
    """The power of two ≥ ``max(k, low)``."""
    return 1 << (max(k, low, 1) - 1).bit_length()


@partial(jax.jit, static_argnames=("config",))
def _refit(x, y, w, pf, lower, upper, tol, max_iter, offset, *, config):
    """The core at λ = 0 for each row of ``pf``, ``lower``, ``upper`` (one active set each)."""
    lam0 = jnp.zeros(1, x.dtype)
    one = jnp.ones((), x.dtype)

    def one_set(args):
        r = fit_path(x, y, w, *args, lam0, one, tol, max_iter, offset, config=config)
        return r.coef[0], r.intercept[0], r.gap[0], r.converged[0], r.n_iter[0], r.dev_ratio[0]

    return lax.map(one_set, (pf, lower, upper))


def _refit_sets(s: Setup, cols: np.ndarray, sets: np.ndarray) -> tuple[np.ndarray, ...]:
    """Refit each active set (a row of ``sets``, over the columns ``cols``); results per set, on ``p`` features."""
    n, p = s.x.shape
    n_sets, m = sets.shape[0], _bucket(cols.size)
    u = _bucket(n_sets, 1)
    x = np.zeros((n, m))
    x[:, : cols.size] = s.x[:, cols]
    act = np.zeros((u, m), bool)
    act[:n_sets, : cols.size] = sets
    # padding sets (rows n_sets:) fix every feature at 0: the null model, certified before any iteration
    lo = np.zeros(m)
    hi = np.zeros(m)
    lo[: cols.size], hi[: cols.size] = s.lower[cols], s.upper[cols]
    lower, upper = np.where(act, lo, 0.0), np.where(act, hi, 0.0)
    pf = np.where(act, 0.0, 1.0)
    free = int((act & np.isneginf(lower) & np.isposinf(upper)).sum(axis=1).max())
    # A GLM's or cox refit first solves its unpenalized problem alone (has_unpenalized: the core's pinned solve),
    # which is the whole refit: every active feature is in the profiled block, so that solve is Newton's method on it
    # (two steps per measure) and ends at the maximum-likelihood fit to rounding. The λ = 0 path solve from the null
    # model alone (one step per measure) stops once the gap meets tol (binomial reference: coefficients 2·10⁻⁴ off
    # at tol 1e-8, certified; glmnet's are exact). Least squares profiles exactly in one step.
    config = s.config._replace(
        relative_grid=False, early_stop=None, working_set=(), penalty="elastic_net",
        has_unpenalized=s.family not in ("gaussian", "mgaussian"),
        groups=(), gram=s.family in ("gaussian", "mgaussian") and m <= n, multinomial_grouped=False,
        n_profiled=_bucket(profiled_count(free, s.family, s.config.fit_intercept, s.config.n_outputs), 1),
    )
    with x64(s.dtype == np.float64):
        args = [a.astype(s.dtype) for a in (x, s.y, s.weights, pf, lower, upper)]
        offset = None if s.offset is None else s.offset.astype(s.dtype)
        out = to_numpy(_refit(*args, np.asarray(s.tol, s.dtype), np.asarray(s.max_iter, np.int32), offset,
                                  config=config))
    coef = np.zeros((n_sets, p, *out[0].shape[2:]))
    coef[:, cols] = out[0][:n_sets, : cols.size]
    return (coef, *(a[:n_sets] for a in out[1:]))


def relaxed_path(fit: Path, s: Setup, max_features: int, warn: bool = True) -> Path:
    """The relaxed fits of ``fit`` (glmnet's ``fit$relaxed``): a :class:`Path` over the λ whose active set has at
    most ``max_features`` features (others are left out, as glmnet does), each the unpenalized refit on that set;
    λ with no active feature keep the null model of ``fit``."""
    n_lam, p = fit.coef.shape[:2]
    active = fit.coef.reshape(n_lam, p, -1).any(axis=2)
    size = active.sum(axis=1)
    keep = size <= max_features
    refit = keep & (size > 0)
    arrays = {name: getattr(fit, name)[keep].copy() for name in ("coef", "intercept", "gap", "converged",
                                                                   "n_iter", "dev_ratio")}
    if refit.any():
        cols = np.flatnonzero(active[refit].any(axis=0))
        sets, which = np.unique(active[refit][:, cols], axis=0, return_inverse=True)
        results = _refit_sets(s, cols, sets)
        rows = refit[keep]
        for name, res in zip(arrays, results):
            arrays[name][rows] = res[which.ravel()]
    relaxed = dataclasses.replace(fit, lambdas=fit.lambdas[keep], df=fit.df[keep], **arrays)
    if warn and not relaxed.converged.all():
        warn_unconverged(relaxed.lambdas[~relaxed.converged], relaxed.n_lambdas, float(relaxed.gap.max()), s,
                         " (relaxed fits)")
    return relaxed
