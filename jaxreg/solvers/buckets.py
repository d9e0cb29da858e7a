"""One λ's solve for :func:`jaxreg.path`: working sets in static buckets of increasing size, then all features.

The buckets' sizes are static (each compiles once); which of them run is decided per λ at run time from the warm
start's nonzeros, and a bucket that fills up before the gap is reached hands over to the next one, the last to
:func:`~jaxreg.solvers.fista` on all features, so every λ is certified on the full problem either way.
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
from jax import lax

from jaxreg.solvers.driver import SolveResult
from jaxreg.solvers.fista import fista
from jaxreg.solvers.newton import POLISH_MAX_SIZE
from jaxreg.solvers.working_set import working_set_solve

#: A λ starts with the smallest working-set bucket holding this multiple of its warm start's nonzeros (plus
#: BUCKET_SLACK), else the largest one with room; a bucket that fills up before the gap is reached hands over to the
#: next one, the last to all features.
BUCKET_GROWTH = 1.5
BUCKET_SLACK = 16


#: With ``polish_in_buckets`` (the cox loss), the largest working-set bucket (``k`` features) takes a Newton step
#: every ``k // 4`` iterations (a step costs about k³ + n k², an iteration n k or k²; measured in docs/design.md).
POLISH_EVERY_FRACTION = 4


def bucketed_solve(sizes: tuple[int, ...], opts: dict, p: int, penalized: jax.Array, block: int = 1,
                   polish_in_buckets: bool = False, polish_first: bool = False, polish: bool = True):
    """One λ's solver (``p`` features, plus an intercept column for GLMs): working sets in static buckets of
    increasing size, then all features if still needed, with Newton polish when ``polish`` and ``p ≤
    POLISH_MAX_SIZE`` (the same rule that turns ``working_set="auto"`` off), and inside the buckets with
    ``polish_in_buckets``.

    ``polish_first``: on all features, an unmeasured warm start is polished before any iteration (binomial and
    poisson, whose Newton steps are cheap; measured in docs/design.md, "Newton polish").

    Each bucket's restricted solve compiles once, inside one outer loop (:func:`working_set_solve`); which ones
    run is decided per λ at run time (under ``vmap`` every bucket runs for the whole batch, which is correct but
    slower: vmapped batches pass the largest size only, see :func:`jaxreg._batch.batched_config`). ``penalized``:
    the coordinates with a penalty factor > 0.
    """
    def measure_first(b: jax.Array) -> bool | jax.Array:
        """Whether the polish on all features measures its warm start before iterating: always for least squares
        (a cheap measure, and warm starts along the path are often optimal already), for the other losses only
        while no penalized coefficient is nonzero (λ ≥ λmax keeps exact zeros; see jaxreg.solvers.driver)."""
        return True if not opts["backtrack"] else ~jnp.any((b != 0) & penalized)

    full = partial(fista, polish=polish and p <= POLISH_MAX_SIZE, **opts)
    if not sizes:
        return lambda f, g, lam, b, budget: full(f, g, lam, b, max_iter=budget, measure_first=measure_first(b),
                                                 polish_first=polish_first)
    buckets = partial(working_set_solve, sizes=sizes, block=block, **opts,
                      polish_every=sizes[-1] // POLISH_EVERY_FRACTION if polish_in_buckets else 0)

    def solve(f, g, lam, b, budget):
        nnz = jnp.count_nonzero(b)
        need = jnp.minimum(BUCKET_GROWTH * nnz + BUCKET_SLACK, sizes[-1])  # the largest bucket, if it has room
        fits = (jnp.asarray(sizes) >= need) & (nnz < jnp.asarray(sizes))
        level = jnp.where(jnp.any(fits), jnp.argmax(fits), len(sizes))
        none = SolveResult(b, jnp.full((), jnp.inf, b.dtype), jnp.zeros((), b.dtype), jnp.zeros((), jnp.int32),
                           jnp.zeros((), bool))
        res = lax.cond(level < len(sizes), lambda: buckets(f, g, lam, b, level=level, max_iter=budget), lambda: none)

        def rest(r: SolveResult) -> SolveResult:
            """All features from where the buckets left off, with the budget they left, counting their iterations."""
            out = full(f, g, lam, r.beta, max_iter=budget - r.n_iter)
            return out._replace(n_iter=out.n_iter + r.n_iter)

        return lax.cond(res.converged, lambda r: r, rest, res)

    return solve
