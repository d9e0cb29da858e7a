"""Working sets: solve each λ on a fixed-size subset of the features, certified on all of them.

For ``p`` much larger than the support, an iteration on all ``p`` features wastes most of its work. At each outer
step the ``size`` features with the highest :meth:`priority` (every nonzero coefficient first, then the features
whose gradient pulls hardest against the penalty) form the working set ``W``; the same :func:`fista` loop solves
the problem restricted to ``W`` (other coefficients held fixed), and the duality gap of the *full* problem decides
whether the λ is done. A violating feature outside ``W`` has a high priority, so it enters at the next outer step.

A group penalty gives every coordinate of a group with a nonzero coefficient priority ``inf`` (see
:meth:`jaxreg.penalties.group.SparseGroup.priority`), so such groups enter ``W`` whole, whatever their sizes, and
the outer loop stops when those coordinates fill ``W``. A zero group may be cut at the end of ``W``: its other
coordinates are held at zero, so the restricted group norm is the full one, and the restricted problem is the full
problem on a subspace. Each step is therefore exact for groups of any sizes.

``size`` is static, so shapes never change; should the working set stop making progress (e.g. more nonzeros than
``size``), the result comes back unconverged (``converged`` is exact: the full gap against ``tol_abs``), and the
caller continues from it with a larger working set or on all features (``jaxreg._core`` chains buckets of
increasing size, then :func:`fista` on all features, so the path is certified either way).
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


class _Outer(NamedTuple):
    beta: jax.Array
    gap: jax.Array
    loss: jax.Array
    n_iter: jax.Array
    n_outer: jax.Array
    prio: jax.Array  # each block's priority at beta (inf: it must stay in the working set)


def working_set_solve(
    loss: Loss,
    penalty: Penalty,
    lam: jax.Array,
    beta0: jax.Array,
    *,
    size: int,
    step: jax.Array,
    tol_abs: jax.Array,
    max_iter: int | jax.Array,
    check_every: int,
    backtrack: bool = False,
    max_outer: int = 20,
    profile: Profile | None = None,
    block: int = 1,
    polish_every: int = 0,
) -> SolveResult:
    """Solve ``min f + λ g`` from ``beta0`` with working sets of ``size`` features (see the module docstring).

    ``step`` is the full problem's step ``1/L``; each restricted problem estimates its own (larger) step, capped by
    the full one's curvature bound. ``max_iter`` bounds the total number of proximal-gradient iterations.
    ``profile`` applies to the gaps of the full problem (see :mod:`jaxreg.solvers.gap`). The result may be
    unconverged when the working set fills up or stalls; the caller then continues from it (see the module docstring).
    ``block`` (static, dividing ``size``): coefficients are taken ``block`` consecutive ones at a time, by their
    highest priority (mgaussian's and grouped multinomial's groups of ``K`` coefficients: fewer, larger top-k
    candidates; groups of any sizes also work with ``block=1``, see the module docstring).
    ``polish_every`` (static): > 0 takes a Newton step on the face every that many iterations of the restricted
    problem (see :func:`jaxreg.solvers.fista`).
    """
    dtype = beta0.dtype
    budget = jnp.asarray(max_iter, jnp.int32)

    def priority(beta: jax.Array, grad: jax.Array) -> jax.Array:
        # only the ranking matters; top_k is ~30× faster in float32 on XLA's CPU backend
        return penalty.priority(beta, -grad, lam).astype(jnp.float32).reshape(-1, block).max(axis=1)

    def cond(st: _Outer) -> jax.Array:
        # a working set filled with what must stay (nonzero coefficients, busy groups) cannot take in a new feature
        room = jnp.count_nonzero(jnp.isposinf(st.prio)) < size // block
        return (st.gap > tol_abs) & (st.n_iter < budget) & (st.n_outer < max_outer) & room

    def body(st: _Outer) -> _Outer:
        _, top = lax.top_k(st.prio, size // block)
        idx = (top[:, None] * block + jnp.arange(block)).ravel()
        sub_loss = loss.restrict(idx, st.beta)
        sub_pen = penalty.restrict(idx)
        sub_step = jnp.maximum(step, 1.0 / lipschitz_constant(sub_loss, size, dtype, n_iter=24))
        sub = fista(sub_loss, sub_pen, lam, st.beta[idx], step=sub_step, tol_abs=INNER_TOL_FRACTION * tol_abs,
                    max_iter=budget - st.n_iter, check_every=check_every, backtrack=backtrack,
                    polish=polish_every > 0, polish_every=polish_every)
        beta = st.beta.at[idx].set(sub.beta)
        info = duality_gap(loss, penalty, beta, lam, profile, tol_abs)
        return _Outer(info.beta, info.gap, info.loss, st.n_iter + sub.n_iter, st.n_outer + 1, next_priority(info))

    def next_priority(info: GapInfo) -> jax.Array:
        # not needed once the gap is reached (a group penalty's costs a bisection)
        skip = jnp.zeros(beta0.shape[0] // block, jnp.float32)
        return lax.cond(info.gap > tol_abs, priority, lambda *_: skip, info.beta, info.grad)

    info0 = duality_gap(loss, penalty, beta0, lam, profile, tol_abs)
    zero = jnp.zeros((), jnp.int32)
    st = lax.while_loop(cond, body, _Outer(info0.beta, info0.gap, info0.loss, zero, zero, next_priority(info0)))

    return SolveResult(st.beta, st.gap, st.loss, st.n_iter, st.gap <= tol_abs)
