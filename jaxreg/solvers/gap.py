"""Duality gap of ``min_b f(b) + λ g(b)`` for any loss/penalty pair of jaxreg.

With ``v = −∇f(b)`` and the dual point scaled by ``s = penalty.dual_scale(v, λ)`` so that it is feasible,

    gap(b) = f(b) + λ g(b) − [ loss.dual_value(s) − (λg)^*(s·v) − Σ_{j profiled} s v_j b_j ]
             + Σ_{j profiled} v_j² / (2 H_jj).

The dual is finite only where the gradient of an unpenalized, unbounded coordinate (like the intercept) vanishes
exactly. Such coordinates are therefore *profiled* first: given their indices (:class:`Profile`), Newton steps on
that block (exact in one step for least squares) move ``b`` to ``b'`` where their gradient is zero, which can only
lower the objective. The gap is then measured at ``b'``, and the solvers return ``b'``: ``P(b') − P* ≤ gap``. The last
sum, the diagonal Newton decrement of whatever gradient is left on such coordinates (rounding, or a non-quadratic
loss after its Newton steps), keeps the estimate honest where the block is not zeroed exactly.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax import lax

from jaxreg.losses.base import Loss
from jaxreg.penalties.base import Penalty


class GapInfo(NamedTuple):
    """Primal objective, loss value, duality gap and loss gradient at the point ``beta``."""

    primal: jax.Array
    loss: jax.Array
    gap: jax.Array
    grad: jax.Array
    beta: jax.Array


class Profile(NamedTuple):
    """The unpenalized, unbounded coordinates to profile out: ``idx`` (static length) where ``valid``."""

    idx: jax.Array
    valid: jax.Array


def rounding_slack(value: jax.Array) -> jax.Array:
    """How much a computed objective ``value`` may rise by rounding alone (``16·eps·|value|``): safeguarded steps
    (backtracking, Newton) accept a point no worse than that, so that they are not refused on noise near the
    optimum."""
    return 16 * jnp.finfo(value.dtype).eps * jnp.abs(value)


#: Newton steps on the profiled block (one is exact for least squares; logistic losses converge quadratically).
NEWTON_STEPS = 2


def profile_out(loss: Loss, beta: jax.Array, profile: Profile) -> jax.Array:
    """Minimize ``f`` over ``beta[profile.idx]`` by safeguarded Newton steps, the other coordinates fixed."""
    k = profile.idx.shape[0]
    pair = profile.valid[:, None] & profile.valid[None, :]

    def step(_: int, b: jax.Array) -> jax.Array:
        g = jnp.where(profile.valid, loss.grad(b)[profile.idx], 0.0)
        h = jnp.where(pair, loss.hess_block(b, profile.idx), jnp.eye(k, dtype=b.dtype))
        trial = b.at[profile.idx].add(-jnp.linalg.solve(h, g))
        f_b = loss.value(b)
        ok = jnp.all(jnp.isfinite(trial)) & (loss.value(trial) <= f_b + rounding_slack(f_b))
        return jnp.where(ok, trial, b)

    return lax.fori_loop(0, NEWTON_STEPS, step, beta)


def duality_gap(loss: Loss, penalty: Penalty, beta: jax.Array, lam: jax.Array,
                profile: Profile | None = None) -> GapInfo:
    """Return the primal value and the duality gap at ``beta``, or at ``beta`` profiled (see the module docstring).

    ``GapInfo.beta`` is the point the gap refers to.
    """
    if profile is not None and profile.idx.shape[0] > 0:
        beta = profile_out(loss, beta, profile)
    # a non-convex penalty (MCP, SCAD) is certified by the gap of its convex majorant at beta, exact there
    # (jaxreg.penalties.concave): zero exactly at a stationary point
    convex = penalty.majorize(beta, lam) if callable(getattr(penalty, "majorize", None)) else penalty
    f, grad, aux = loss.dual_parts(beta)
    v = -grad
    s = convex.dual_scale(v, lam)
    primal = f + penalty.value(beta, lam)
    # A profiled coordinate's Fenchel–Young term g_j + g_j^*(s v_j) − s v_j b_j is taken as 0 (its conjugate as
    # s v_j b_j) and replaced by its Newton decrement, which is second order in v_j.
    profiled = convex.profiled(v, lam)
    dual = loss.dual_value(s, aux) - convex.conjugate(s * v, lam) - jnp.sum(jnp.where(profiled, s * v * beta, 0.0))
    diag = loss.diag()
    newton = jnp.where(profiled & (diag > 0), v**2 / (2.0 * jnp.where(diag > 0, diag, 1.0)), 0.0)
    gap = f + convex.value(beta, lam) - dual  # the same as primal − dual for a convex penalty (XLA computes it once)
    return GapInfo(primal, f, jnp.maximum(gap, 0.0) + jnp.sum(newton), grad, beta)


def prox_residual(loss: Loss, penalty: Penalty, beta: jax.Array, lam: jax.Array, step: jax.Array) -> GapInfo:
    """The proximal-gradient residual ``max_j |G_j|`` with ``G = (b − prox_{h·λg}(b − h ∇f(b))) / h``, in ``gap``.

    ``G = 0`` exactly at the stationary points of ``f + λg`` (for any step ``h > 0``); unlike the duality gap it
    needs no conjugate, so it certifies any smooth loss, convex or not. On unpenalized, unbounded coordinates ``G``
    is the gradient itself. ``loss`` needs ``dual_parts`` only for its value and gradient.
    """
    f, grad, _ = loss.dual_parts(beta)
    residual = (beta - penalty.prox(beta - step * grad, step, lam)) / step
    return GapInfo(f + penalty.value(beta, lam), f, jnp.max(jnp.abs(residual), initial=0.0), grad, beta)
