"""Working sets: solve each λ on a fixed-size subset of the features, certified on all of them.

For ``p`` much larger than the support, an iteration on all ``p`` features wastes most of its work. At each outer
step the current bucket's ``size`` features with the highest :meth:`priority` (every nonzero coefficient first,
then the features whose gradient pulls hardest against the penalty) form the working set ``W``; the same
:func:`fista` loop solves the problem restricted to ``W`` (other coefficients held fixed), and the duality gap of
the *full* problem decides whether the λ is done. A violating feature outside ``W`` has a high priority, so it
enters at the next outer step.

A group penalty gives every coordinate of a group with a nonzero coefficient priority ``inf`` (see
:meth:`jaxreg.penalties.group.SparseGroup.priority`), so such groups enter ``W`` whole, whatever their sizes, and
the outer loop stops when those coordinates fill ``W``. A zero group may be cut at the end of ``W``: its other
coordinates are held at zero, so the restricted group norm is the full one, and the restricted problem is the full
problem on a subspace. Each step is therefore exact for groups of any sizes.

Sizes are static, so shapes never change; they come in *buckets* of increasing size, and a working set that stops
making progress (e.g. more nonzeros than its size) moves on to the next bucket. After the last, the result comes
back unconverged (``converged`` is exact: the full gap against ``tol_abs``), and the caller continues from it on
all features (:mod:`jaxreg.solvers.buckets`), so the path is certified either way.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax import lax

from jaxreg.losses.base import Loss
from jaxreg.penalties.base import Penalty
from jaxreg.solvers.driver import SolveResult
from jaxreg.solvers.fista import fista
from jaxreg.solvers.gap import GapInfo, Profile, duality_gap
from jaxreg.solvers.lipschitz import lipschitz_constant

#: The restricted problems are solved to this fraction of the target gap, so that one outer step usually suffices.
INNER_TOL_FRACTION = 0.3

#: A restricted solve whose gap is within the full problem's target ``tol`` stops after this many iterations even
#: short of its own target ``INNER_TOL_FRACTION · tol``, and the full gap decides: in float32 the restricted gap can
#: stall between the two, and the solve then spent the whole budget (`wider` at tol 1e-6: 236,210 iterations, 1.6 s;
#: with this rule 35,390, 0.45 s). Float64 paths take the same iterations either way on the benchmark problems.
INNER_SETTLE_ITER = 1000


class _Outer(NamedTuple):
    beta: jax.Array
    gap: jax.Array
    loss: jax.Array
    n_iter: jax.Array
    n_outer: jax.Array  # outer steps taken in the current bucket
    level: jax.Array  # the current bucket (an index into sizes; len(sizes): none left)
    prio: jax.Array  # each block's priority at beta (inf: it must stay in the working set)


def working_set_solve(
    loss: Loss,
    penalty: Penalty,
    lam: jax.Array,
    beta0: jax.Array,
    *,
    sizes: int | tuple[int, ...],
    step: jax.Array,
    tol_abs: jax.Array,
    max_iter: int | jax.Array,
    check_every: int,
    level: int | jax.Array = 0,
    backtrack: bool = False,
    max_outer: int = 20,
    profile: Profile | None = None,
    block: int = 1,
    polish_every: int = 0,
) -> SolveResult:
    """Solve ``min f + λ g`` from ``beta0`` with working sets of ``sizes`` features (see the module docstring).

    ``sizes`` (static, increasing): the buckets; the solve starts in the first one from ``level`` on (may be traced)
    with room for the coefficients that must stay, and moves to the next when that one fills up or has taken
    ``max_outer`` outer steps. One outer loop serves every bucket: only the restricted solve is compiled per size,
    the full problem's gap and priorities once. ``step`` is the full problem's step ``1/L``; each restricted problem
    estimates its own (larger) step, capped by the full one's curvature bound. ``max_iter`` bounds the total number
    of proximal-gradient iterations. ``profile`` applies to the gaps of the full problem (see
    :mod:`jaxreg.solvers.gap`). The result may be unconverged when the last bucket fills up or stalls; the caller
    then continues from it (see the module docstring). ``block`` (static, dividing every size): coefficients are
    taken ``block`` consecutive ones at a time, by their highest priority (mgaussian's and grouped multinomial's
    groups of ``K`` coefficients: fewer, larger top-k candidates; groups of any sizes also work with ``block=1``,
    see the module docstring). ``polish_every`` (static): > 0 takes a Newton step on the face every that many
    iterations of the restricted problem in the largest bucket (see :func:`jaxreg.solvers.fista`).
    """
    sizes = (sizes,) if isinstance(sizes, int) else tuple(sizes)
    dtype = beta0.dtype
    budget = jnp.asarray(max_iter, jnp.int32)
    caps = jnp.asarray([s // block for s in sizes], jnp.int32)

    def priority(beta: jax.Array, grad: jax.Array) -> jax.Array:
        # only the ranking matters; top_k is ~30× faster in float32 on XLA's CPU backend
        return penalty.priority(beta, -grad, lam).astype(jnp.float32).reshape(-1, block).max(axis=1)

    def settle(lowest: jax.Array, prio: jax.Array) -> jax.Array:
        """The first bucket from ``lowest`` on with room for what must stay (nonzero coefficients, busy groups)."""
        ok = (jnp.arange(len(sizes)) >= lowest) & (jnp.count_nonzero(jnp.isposinf(prio)) < caps)
        return jnp.where(jnp.any(ok), jnp.argmax(ok), len(sizes)).astype(jnp.int32)

    def restricted(size: int, every: int):
        """The restricted solve of one bucket: its top-priority features, the same FISTA loop on them."""
        def run(st: _Outer) -> tuple[jax.Array, jax.Array]:
            _, top = lax.top_k(st.prio, size // block)
            idx = (top[:, None] * block + jnp.arange(block)).ravel()
            sub_loss = loss.restrict(idx, st.beta)
            sub_step = jnp.maximum(step, 1.0 / lipschitz_constant(sub_loss, size, dtype, n_iter=24))
            sub = fista(sub_loss, penalty.restrict(idx), lam, st.beta[idx], step=sub_step,
                        tol_abs=INNER_TOL_FRACTION * tol_abs, max_iter=budget - st.n_iter, check_every=check_every,
                        backtrack=backtrack, polish=every > 0, polish_every=every,
                        settle=(tol_abs, INNER_SETTLE_ITER))
            return st.beta.at[idx].set(sub.beta), sub.n_iter
        return run

    solves = [restricted(s, polish_every if i == len(sizes) - 1 else 0) for i, s in enumerate(sizes)]

    def cond(st: _Outer) -> jax.Array:
        return (st.gap > tol_abs) & (st.n_iter < budget) & (st.level < len(sizes))

    def body(st: _Outer) -> _Outer:
        beta, n_iter = lax.switch(st.level, solves, st)  # one bucket: a plain call
        info = duality_gap(loss, penalty, beta, lam, profile, tol_abs)
        prio = next_priority(info)
        n_outer = st.n_outer + 1
        level = settle(st.level + (n_outer >= max_outer), prio)
        return _Outer(info.beta, info.gap, info.loss, st.n_iter + n_iter, jnp.where(level == st.level, n_outer, 0),
                      level, prio)

    def next_priority(info: GapInfo) -> jax.Array:
        # not needed once the gap is reached (a group penalty's costs a bisection)
        skip = jnp.zeros(beta0.shape[0] // block, jnp.float32)
        return lax.cond(info.gap > tol_abs, priority, lambda *_: skip, info.beta, info.grad)

    info0 = duality_gap(loss, penalty, beta0, lam, profile, tol_abs)
    prio0 = next_priority(info0)
    zero = jnp.zeros((), jnp.int32)
    st = lax.while_loop(cond, body, _Outer(info0.beta, info0.gap, info0.loss, zero, zero,
                                           settle(jnp.asarray(level, jnp.int32), prio0), prio0))

    return SolveResult(st.beta, st.gap, st.loss, st.n_iter, st.gap <= tol_abs)
