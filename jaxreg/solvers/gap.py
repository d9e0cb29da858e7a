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
columns).

Coordinates that a non-convex penalty's majorant leaves unpenalized only at this point (MCP and SCAD beyond ``γλ``)
are not in the static block: with it they form one decrement over their union, with the Hessian at the point and
their coupling (:func:`masked_decrement`, by conjugate gradients on Hessian-vector products, so that no shape depends
on how many there are). Only coordinates outside any block with a convex penalty (an unpenalized column of an inner
working-set problem) enter by their diagonal term ``v_j²/(2 H_jj)``, with ``loss.diag()``.
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
                profile: Profile | None = None, tol_abs: jax.Array | None = None) -> GapInfo:
    """Return the primal value and the duality gap at ``beta``, or at ``beta`` profiled (see the module docstring).

    ``GapInfo.beta`` is the point the gap refers to. ``tol_abs`` (optional) only saves work for a non-convex
    penalty: where the rest of the gap exceeds it already, the decrement of the coordinates its majorant leaves
    unpenalized is estimated by diagonal terms instead of solved for (the gap is above ``tol_abs`` either way).
    """
    block = profile is not None and profile.idx.shape[0] > 0
    if block:
        beta = profile_out(loss, beta, profile)
    # a non-convex penalty (MCP, SCAD) is certified by the gap of its convex majorant at beta, exact there
    # (jaxreg.penalties.concave): zero exactly at a stationary point
    concave = callable(getattr(penalty, "majorize", None))
    convex = penalty.majorize(beta, lam) if concave else penalty
    f, grad, aux = loss.dual_parts(beta)
    v = -grad
    s = convex.dual_scale(v, lam)
    primal = f + penalty.value(beta, lam)
    # A profiled coordinate's Fenchel–Young term g_j + g_j^*(s v_j) − s v_j b_j is taken as 0 (its conjugate as
    # s v_j b_j) and replaced by its Newton decrement, which is second order in v_j.
    profiled = convex.profiled(v, lam)
    dual = loss.dual_value(s, aux) - convex.conjugate(s * v, lam) - jnp.sum(jnp.where(profiled, s * v * beta, 0.0))
    gap = jnp.maximum(f + convex.value(beta, lam) - dual, 0.0)  # primal − dual for a convex penalty
    in_block = jnp.zeros(v.shape, bool)
    decrement = jnp.zeros((), v.dtype)
    if block:
        in_block = in_block.at[profile.idx].max(profile.valid)
        decrement = block_decrement(loss, beta, v, profile)
    others = profiled & ~in_block
    diag = loss.diag()
    decrement = decrement + jnp.sum(jnp.where(others & (diag > 0), v**2 / (2.0 * jnp.where(diag > 0, diag, 1.0)), 0.0))
    if concave:
        # the coordinates beyond γλ join the block with their coupling; the diagonal terms reported a quarter of
        # what one majorize–minimize step could still gain on a logistic MCP path (tests/test_concave.py)
        room = jnp.inf if tol_abs is None else tol_abs - gap
        needed = jnp.any(others) & (room >= 0)
        decrement = jnp.where(needed, masked_decrement(loss, beta, v, profiled | in_block, needed, room), decrement)
    return GapInfo(primal, f, gap + decrement, grad, beta)


#: :func:`masked_decrement`'s conjugate gradients stop when ``r_kᵀM⁻¹r_k`` has fallen by this factor: on the
#: 1,000 × 100 logistic MCP path of ``benchmarks.concave`` the decrements then agree with those at 1e-12 to 1e-6,
#: in 941 iterations instead of 1,708.
CG_RTOL = 1e-6


def masked_decrement(loss: Loss, beta: jax.Array, v: jax.Array, mask: jax.Array,
                     run: bool | jax.Array = True, room: float | jax.Array = jnp.inf) -> jax.Array:
    """The Newton decrement ``λ² = gᵀH_SS⁻¹g`` of the coordinates ``S`` in ``mask`` (``g = −v`` there, ``H`` the
    Hessian at ``beta``), by conjugate gradients preconditioned with ``loss.diag()``.

    Each iteration is one Hessian-vector product (:func:`jax.linearize` of the gradient: about a gradient's cost),
    and shapes do not depend on ``|S|``, so the same code runs under ``vmap`` (the loop then runs as long as its
    neediest member). ``λ²`` is the sum of the steps' gains ``α_k r_kᵀz_k``, which only grows; CG stops once it
    exceeds ``room`` (the gap cannot meet its target then), when ``r_kᵀz_k`` has fallen below :data:`CG_RTOL`
    times its start (what is left, ``r_kᵀH⁻¹r_k``, is then at most ``κ · CG_RTOL`` of ``λ²``, with ``κ`` the
    preconditioned condition number), or after ``|S| + 16`` iterations (``|S|`` suffice in exact arithmetic). A
    direction without curvature ends it with what was gathered. ``run`` false (may be traced): no iteration, 0.
    """
    _, hvp = jax.linearize(loss.grad, beta)
    diag = loss.diag()
    inv_m = jnp.where(mask & (diag > 0), 1.0 / jnp.where(diag > 0, diag, 1.0), 0.0)
    r = jnp.where(mask, v, 0.0)
    z = inv_m * r
    rz0 = r @ z
    floor = CG_RTOL * rz0
    cap = jnp.count_nonzero(mask) + 16

    def cond(st: tuple[jax.Array, ...]) -> jax.Array:
        _, _, _, rz, total, k, curved = st
        return run & curved & (rz > floor) & (k < cap) & (total <= room)

    def body(st: tuple[jax.Array, ...]) -> tuple[jax.Array, ...]:
        r, z, d, rz, total, k, _ = st
        hd = jnp.where(mask, hvp(d), 0.0)
        dhd = d @ hd
        curved = dhd > 0
        alpha = jnp.where(curved, rz / jnp.where(curved, dhd, 1.0), 0.0)
        r = r - alpha * hd
        z = inv_m * r
        rz_next = r @ z
        d = z + (rz_next / rz) * d
        return r, z, d, rz_next, total + alpha * rz, k + 1, curved

    zero = jnp.zeros((), v.dtype)
    st = (r, z, z, rz0, zero, jnp.zeros((), jnp.int32), rz0 > 0)
    return lax.while_loop(cond, body, st)[4]


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
    if h.shape[0] == 1:  # the intercept alone (most paths): a division, not a LAPACK call
        return jnp.where(h[0] > 0, g / jnp.where(h[0] > 0, h[0], 1.0), 0.0)
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
