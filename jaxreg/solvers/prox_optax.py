"""Proximal steps after an optax update: any optax optimizer makes the smooth step, the penalty's prox follows.

    (u_k, s_{k+1}) = optimizer.update(∇f(b_k), s_k, b_k)
    b_{k+1}        = prox_{h_k·λg}(b_k + u_k),     h_k = −u_k / ∇f(b_k)  (per coordinate; η where undefined)

``h_k`` is the step the optimizer actually took on each coordinate — ``η`` for ``optax.sgd(η)`` (then this is ISTA,
proximal gradient without momentum), ``η/√v`` for Adam near convergence. Shrinking by the optimizer's own step
(a diagonally preconditioned prox, exact for separable penalties) makes a fixed point ``b = prox_{h·λg}(b − h∘∇f(b))``
a stationary point whatever the preconditioning; a prox with the learning rate alone would stop short of it
wherever Adam rescales the gradient. It runs in the same driver as :func:`~jaxreg.solvers.fista` and stops on the
same kind of measure (by default the proximal-gradient residual at step ``η``, which certifies stationarity
whatever the optimizer did).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import optax

from jaxreg.losses.base import Loss
from jaxreg.penalties.base import ProxPenalty
from jaxreg.solvers.driver import SolveResult, drive
from jaxreg.solvers.fista import Certify
from jaxreg.solvers.gap import prox_residual


def optax_prox(
    loss: Loss,
    penalty: ProxPenalty,
    lam: jax.Array,
    beta0: jax.Array,
    *,
    optimizer: optax.GradientTransformation,
    learning_rate: jax.Array,
    tol_abs: jax.Array,
    max_iter: int | jax.Array,
    check_every: int,
    certify: Certify = prox_residual,
    per_coordinate: bool = True,
) -> SolveResult:
    """Run ``optimizer`` + prox from ``beta0`` (fresh optimizer state) until the measure is at most ``tol_abs``.

    ``per_coordinate=False`` gives the prox the scalar step ``learning_rate`` instead of the optimizer's steps: for
    penalties whose prox takes a scalar step only (non-separable ones); its fixed points are then stationary only
    for optimizers that step by ``learning_rate · gradient`` at convergence (``optax.sgd`` without momentum).
    """
    def iterate(beta: jax.Array, state: Any) -> tuple[jax.Array, Any]:
        grad = loss.grad(beta)
        updates, state = optimizer.update(grad, state, beta)
        # The step the optimizer took on each coordinate (−u_j/g_j: lr/√v_j for Adam near convergence), so that a
        # fixed point b = prox_{h·λg}(b − h∘∇f(b)) is a stationary point whatever the preconditioning.
        ratio = -updates / jnp.where(grad != 0, grad, 1.0)
        step = jnp.where((grad != 0) & (ratio > 0), ratio, learning_rate) if per_coordinate else learning_rate
        return penalty.prox(beta + updates, step, lam), state

    def measure(beta: jax.Array, _: Any):  # noqa: ANN202 - GapInfo
        return certify(loss, penalty, beta, lam, learning_rate)

    return drive(iterate, measure, beta0, optimizer.init(beta0), tol_abs=tol_abs, max_iter=max_iter,
                 check_every=check_every)
