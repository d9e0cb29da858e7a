"""Duality gap of ``min_b f(b) + λ g(b)`` for any loss/penalty pair of jaxreg.

With ``v = −∇f(b)`` and the dual point scaled by ``s = penalty.dual_scale(v, λ)`` so that it is feasible,

    gap(b) = f(b) + λ g(b) − [ loss.dual_value(s) − (λg)^*(s·v) − Σ_{j profiled} s v_j b_j ]
             + v_Bᵀ H_BB⁺ v_B + Σ_{j profiled, j ∉ B} v_j² / (2 H_jj).

The dual is finite only where the gradient of an unpenalized, unbounded coordinate (like the intercept) vanishes
exactly. Such coordinates are therefore *profiled* first: given their indices ``B`` (:class:`Profile`), Newton steps
on that block (exact in one step for least squares) move ``b`` to ``b'`` where their gradient is zero, which can only
lower the objective. The gap is then measured at ``b'``, and the solvers return ``b'``: ``P(b') − P* ≤ gap``.

The last two terms keep the estimate honest where the gradient is not zeroed exactly (rounding, or a non-quadratic
loss after its Newton steps). On the block it is the Newton decrement ``λ² = v_Bᵀ H_BB⁺ v_B`` with the block's
Hessian *at* ``b'`` (:func:`block_decrement`): twice the decrease the quadratic model promises, a margin for
non-quadratic losses (for a self-concordant function ``f − f* ≤ λ²`` once ``λ ≤ 0.68``; Boyd & Vandenberghe,
*Convex Optimization*, §9.6.3). The pseudo-inverse keeps it finite for a singular block (duplicated unpenalized
columns). A coordinate that the penalty leaves unpenalized only at this point (MCP and SCAD beyond ``γλ``) is not in
the block and enters by its diagonal term, with ``loss.diag()``.
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
    """The unpenalized, unbounded coordinates to profile out: ``idx`` (static length) where ``valid``, by ``steps``
    Newton steps (a static int; keep it out of the arrays that cross a transformation)."""

    idx: jax.Array
    valid: jax.Array
    steps: int = 2


def rounding_slack(value: jax.Array) -> jax.Array:
    """How much a computed objective ``value`` may rise by rounding alone (``16·eps·|value|``): safeguarded steps
    (backtracking, Newton) accept a point no worse than that, so that they are not refused on noise near the
    optimum."""
    return 16 * jnp.finfo(value.dtype).eps * jnp.abs(value)


def profile_out(loss: Loss, beta: jax.Array, profile: Profile) -> jax.Array:
    """Minimize ``f`` over ``beta[profile.idx]`` by ``profile.steps`` safeguarded Newton steps, the other coordinates
    fixed. One is exact for least squares; GLMs converge quadratically, and whatever gradient is left enters the gap
    through the block's decrement, so a block that starts close to its optimum (a warm-started path) needs one."""

    def step(_: int, b: jax.Array) -> jax.Array:
        g = jnp.where(profile.valid, loss.grad(b)[profile.idx], 0.0)
        trial = b.at[profile.idx].add(-psd_solve(_block_hessian(loss, b, profile), g))
        f_b = loss.value(b)
        ok = jnp.all(jnp.isfinite(trial)) & (loss.value(trial) <= f_b + rounding_slack(f_b))
        return jnp.where(ok, trial, b)

    return lax.fori_loop(0, profile.steps, step, beta)


def duality_gap(loss: Loss, penalty: Penalty, beta: jax.Array, lam: jax.Array,
                profile: Profile | None = None) -> GapInfo:
    """Return the primal value and the duality gap at ``beta``, or at ``beta`` profiled (see the module docstring).

    ``GapInfo.beta`` is the point the gap refers to.
    """
    block = profile is not None and profile.idx.shape[0] > 0
    if block:
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
    decrement = jnp.zeros((), v.dtype)
    if block:
        decrement = block_decrement(loss, beta, v, profile)
        profiled = profiled & ~jnp.zeros(v.shape, bool).at[profile.idx].max(profile.valid)
    newton = jnp.where(profiled & (diag > 0), v**2 / (2.0 * jnp.where(diag > 0, diag, 1.0)), 0.0)
    gap = f + convex.value(beta, lam) - dual  # the same as primal − dual for a convex penalty (XLA computes it once)
    return GapInfo(primal, f, jnp.maximum(gap, 0.0) + jnp.sum(newton) + decrement, grad, beta)


def block_decrement(loss: Loss, beta: jax.Array, v: jax.Array, profile: Profile) -> jax.Array:
    """The Newton decrement ``λ² = gᵀH⁺g`` of the profiled block at ``beta`` (``g = −v``, ``H`` its Hessian there)."""
    g = jnp.where(profile.valid, v[profile.idx], 0.0)
    return g @ psd_solve(_block_hessian(loss, beta, profile), g)


def _block_hessian(loss: Loss, beta: jax.Array, profile: Profile) -> jax.Array:
    """The profiled block's Hessian at ``beta``, the identity on its padding slots."""
    pair = profile.valid[:, None] & profile.valid[None, :]
    return jnp.where(pair, loss.hess_block(beta, profile.idx), jnp.eye(profile.idx.shape[0], dtype=beta.dtype))


def psd_solve(h: jax.Array, g: jax.Array) -> jax.Array:
    """``H⁺g`` for a symmetric positive semidefinite ``H``: the pseudo-inverse, so that a singular block (duplicated
    unpenalized columns) gets the minimum-norm Newton step and a finite decrement, not NaN."""
    w, u = jnp.linalg.eigh(h)
    keep = w > h.shape[0] * jnp.finfo(h.dtype).eps * jnp.max(w, initial=0.0)
    return u @ jnp.where(keep, (g @ u) / jnp.where(keep, w, 1.0), 0.0)


def prox_residual(loss: Loss, penalty: Penalty, beta: jax.Array, lam: jax.Array, step: jax.Array) -> GapInfo:
    """The proximal-gradient residual ``max_j |G_j|`` with ``G = (b − prox_{h·λg}(b − h ∇f(b))) / h``, in ``gap``.

    ``G = 0`` exactly at the stationary points of ``f + λg`` (for any step ``h > 0``); unlike the duality gap it
    needs no conjugate, so it certifies any smooth loss, convex or not. On unpenalized, unbounded coordinates ``G``
    is the gradient itself. ``loss`` needs ``dual_parts`` only for its value and gradient.
    """
    f, grad, _ = loss.dual_parts(beta)
    residual = (beta - penalty.prox(beta - step * grad, step, lam)) / step
    return GapInfo(f + penalty.value(beta, lam), f, jnp.max(jnp.abs(residual), initial=0.0), grad, beta)
