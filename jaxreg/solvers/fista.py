"""Proximal gradient with Nesterov momentum (FISTA) and adaptive restart: the one inner loop of jaxreg.

Solves ``min_b f(b) + λ g(b)`` for any loss ``f`` and penalty ``g`` satisfying the contracts in
:mod:`jaxreg.losses.base` and :mod:`jaxreg.penalties.base`:

    y_k     = b_k + (t_k − 1)/t_{k+1} · (b_k − b_{k−1})
    b_{k+1} = prox_{step·λg}( y_k − step · ∇f(y_k) )

with ``t_{k+1} = (1 + √(1 + 4 t_k²))/2`` and the gradient restart of O'Donoghue & Candès (2015): momentum is reset
whenever ``(y_k − b_{k+1})ᵀ(b_{k+1} − b_k) > 0``.

With ``backtrack=True`` (non-quadratic losses, whose global curvature bound can be far above the local curvature)
the step adapts: each iteration first tries a step :data:`GROW` times longer than the last accepted one, and halves
it until the sufficient-decrease condition ``f(b⁺) ≤ f(y) + ∇f(y)ᵀ(b⁺ − y) + ‖b⁺ − y‖² / (2·step)`` holds. The step
never falls below the safe ``step`` argument. Every ``check_every`` iterations the duality gap is computed and
the loop stops once it is at most ``tol_abs`` — the gap is also checked *before* the first iteration, so a warm start
that is already optimal costs one gradient. Losses without a Fenchel conjugate (any ``loss_fn`` of
:func:`jaxreg.solve_path`) stop on another measure through ``certify``, e.g. the proximal-gradient residual.
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
from jax import lax

from jaxreg.losses.base import Loss
from jaxreg.penalties.base import Penalty
from jaxreg.solvers.driver import SolveResult, drive
from jaxreg.solvers.gap import GapInfo, Profile, duality_gap, rounding_slack
from jaxreg.solvers.newton import has_faces, newton_polish

#: ``certify(loss, penalty, beta, lam, step) -> GapInfo``: the optimality measure the loop stops on (``GapInfo.gap``),
#: e.g. :func:`~jaxreg.solvers.prox_residual` for losses without a conjugate; default: the duality gap.
Certify = Callable[[Loss, Penalty, jax.Array, jax.Array, jax.Array], GapInfo]

#: With backtracking, each iteration first tries a step this much longer than the last accepted one.
GROW = 1.25
#: Most halvings of the step in one iteration (the safe step always satisfies the condition).
MAX_HALVINGS = 40


def fista(
    loss: Loss,
    penalty: Penalty,
    lam: jax.Array,
    beta0: jax.Array,
    *,
    step: jax.Array,
    tol_abs: jax.Array,
    max_iter: int | jax.Array,
    check_every: int,
    backtrack: bool = False,
    profile: Profile | None = None,
    min_step: jax.Array | None = None,
    certify: Certify | None = None,
    polish: bool = False,
    polish_every: int = 0,
    measure_first: bool | jax.Array = True,
    polish_first: bool = False,
    settle: tuple[jax.Array, int] | None = None,
) -> SolveResult:
    """Run restarted FISTA from ``beta0`` until ``gap ≤ tol_abs`` or ``max_iter`` iterations.

    Parameters
    ----------
    loss, penalty
        Pytrees following the jaxreg contracts.
    lam
        The regularization strength ``λ``.
    beta0
        Warm start, shape ``(p,)``.
    step
        Step size, at most ``1/L`` with ``L`` the Lipschitz constant of ``∇f``.
    tol_abs
        Absolute duality-gap target.
    max_iter
        Largest number of proximal-gradient iterations (may be a traced value, e.g. 0 to skip a λ).
    check_every
        Iterations between two duality-gap evaluations (static).
    backtrack
        Adapt the step by backtracking (static); ``step`` is then the smallest step used.
    profile
        Unpenalized, unbounded coordinates to profile out before each gap evaluation (see
        :mod:`jaxreg.solvers.gap`); the result is then the profiled point.
    min_step
        With backtracking, the smallest step tried (default ``step``, then known to be safe); ``step`` is then only
        the first step tried.
    certify
        The optimality measure compared with ``tol_abs`` (default: the duality gap, with ``profile``); it is given
        the current step.
    polish
        Before each measure, take a Newton step on the current face (static; :mod:`jaxreg.solvers.newton`, for
        penalties that describe their faces and small problems: it solves a dense system on the free coordinates),
        restarting the momentum if it moved the point. Each polish counts as one iteration.
    polish_every
        With ``polish``: > 0 polishes only every that many iterations (static; rounded to the measures, which come
        every ``check_every``), for problems where a Newton step costs many iterations; its system then has the
        problem's full size (one compiled system, :func:`~jaxreg.solvers.newton.newton_polish`).
    measure_first
        With ``polish`` (and ``polish_every`` 0): ``False`` (may be traced) skips the measure of ``beta0``; see
        :func:`~jaxreg.solvers.driver.drive`.
    polish_first
        With ``polish`` and ``measure_first`` ``False``: polish ``beta0`` before the first iteration (static; see
        :func:`~jaxreg.solvers.driver.drive`).
    settle
        ``(loose_tol_abs, after)``: also stop at ``gap ≤ loose_tol_abs`` after ``after`` iterations (see
        :func:`~jaxreg.solvers.driver.drive`).
    """
    safe_step = step if min_step is None else min_step

    def measure(beta: jax.Array, h: jax.Array) -> GapInfo:
        if certify is None:
            return duality_gap(loss, penalty, beta, lam, profile, tol_abs)
        return certify(loss, penalty, beta, lam, h)

    def prox_step(y: jax.Array, grad: jax.Array, h: jax.Array) -> jax.Array:
        return penalty.prox(y - h * grad, h, lam)

    def adaptive(y: jax.Array, h0: jax.Array) -> tuple[jax.Array, jax.Array]:
        f_y, g_y, _ = loss.dual_parts(y)
        # Rounding in f can make the test pass by noise near the optimum. A step longer than the last accepted one
        # must pass it strictly; the slack only protects steps no longer than that, so steps never grow on noise.
        slack = rounding_slack(f_y)

        def too_long(c: tuple[jax.Array, jax.Array, jax.Array]) -> jax.Array:
            h, b, k = c
            d = b - y
            excess = loss.value(b) - (f_y + g_y @ d + (d @ d) / (2 * h))
            ok = (excess <= 0) | ((excess <= slack) & (h <= h0))
            return ~ok & (h > safe_step) & (k < MAX_HALVINGS)

        def halve(c: tuple[jax.Array, jax.Array, jax.Array]) -> tuple[jax.Array, jax.Array, jax.Array]:
            h = jnp.maximum(0.5 * c[0], safe_step)
            return h, prox_step(y, g_y, h), c[2] + 1

        h = jnp.maximum(GROW * h0, safe_step)
        h, b, _ = lax.while_loop(too_long, halve, (h, prox_step(y, g_y, h), jnp.zeros((), jnp.int32)))
        return b, h

    def iteration(beta: jax.Array, carry: tuple[jax.Array, ...]) -> tuple[jax.Array, tuple[jax.Array, ...]]:
        beta_prev, t, h = carry
        t_next = 0.5 * (1.0 + jnp.sqrt(1.0 + 4.0 * t * t))
        y = beta + ((t - 1.0) / t_next) * (beta - beta_prev)
        if backtrack:
            beta_new, h = adaptive(y, h)
        else:
            beta_new = prox_step(y, loss.grad(y), h)
        restart = jnp.vdot(y - beta_new, beta_new - beta) > 0
        return beta_new, (beta, jnp.where(restart, jnp.ones_like(t), t_next), h)

    def newton(beta: jax.Array, carry: tuple[jax.Array, ...]) -> tuple[jax.Array, tuple[jax.Array, ...]]:
        polished = newton_polish(loss, penalty, lam, beta, compact=polish_every == 0)
        # momentum restarts only if the point moved: resetting it every check_every iterations cripples FISTA
        # where the Newton step is refused (ill-conditioned faces)
        moved = jnp.any(polished != beta)
        return polished, (jnp.where(moved, polished, carry[0]), jnp.where(moved, 1.0, carry[1]), carry[2])

    # With t = 1 the first momentum term is exactly 0, so beta_prev's first value does not matter.
    carry0 = (beta0, jnp.ones((), beta0.dtype), jnp.asarray(step, beta0.dtype))
    return drive(iteration, lambda beta, carry: measure(beta, carry[2]), beta0, carry0, tol_abs=tol_abs,
                 max_iter=max_iter, check_every=check_every,
                 polish=newton if polish and has_faces(penalty) else None, polish_every=polish_every,
                 measure_first=measure_first, polish_first=polish_first, settle=settle)
