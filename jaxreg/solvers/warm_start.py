"""The regularization path: one ``lax.scan`` over decreasing λ, each solve warm-started at the previous solution.

The optional early stop reproduces glmnet's rule for its default grid: after at least ``min_lambdas`` values, the
path ends at the first λ where the fraction of deviance explained exceeds ``dev_max`` or has grown, since ``lag`` λ
before, by less than ``dev_change · dev`` (gaussian, poisson; for binomial glmnet compares the absolute change with
``dev_change``, for mgaussian the relative decrease of the residual sum of squares, ``dev_change · (1 − dev)``); later
λ are skipped (zero iterations) and marked inactive, so shapes stay static.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax import lax

from jaxreg.losses.base import Loss
from jaxreg.penalties.base import Penalty
from jaxreg.solvers.driver import SolveResult
from jaxreg.solvers.newton import has_faces

#: ``solve(loss, penalty, lam, beta0, max_iter) -> SolveResult``: one λ, e.g. :func:`~jaxreg.solvers.fista` or
#: :func:`~jaxreg.solvers.working_set_solve` with their other arguments bound.
Solve = Callable[[Loss, Penalty, jax.Array, jax.Array, jax.Array], SolveResult]


class EarlyStop(NamedTuple):
    """glmnet's defaults (``glmnet.control()``: ``fdev``, ``devmax``, ``mnlam``)."""

    dev_change: float = 1e-5
    dev_max: float = 0.999
    min_lambdas: int = 5
    #: the change is compared with dev_change times: "dev" (gaussian, poisson), "one" (binomial, multinomial) or
    #: "residual", 1 − dev (mgaussian: glmnet stops when the residual sum of squares falls by less than fdev,
    #: relatively)
    relative_to: str = "dev"
    lag: int = 1  # the change is measured from the λ this many steps back (poisson: mnlam − 1)


class PathSolution(NamedTuple):
    """Per-λ results of :func:`solve_path`, each with a leading λ axis."""

    beta: jax.Array  # (L, p)
    gap: jax.Array  # (L,)  absolute duality gap
    loss: jax.Array  # (L,)  loss value f(beta)
    n_iter: jax.Array  # (L,)
    converged: jax.Array  # (L,)
    active: jax.Array  # (L,)  False for λ after an early stop


def extrapolate(loss: Loss, penalty: Penalty, lam: jax.Array, beta: jax.Array, lam_beta: jax.Array,
                beta_prev: jax.Array, lam_prev: jax.Array, loss_beta: jax.Array | None = None) -> jax.Array:
    """The warm start for ``lam``: the solutions at the two previous λ extrapolated linearly in λ, if that is better.

    Between two changes of its support the lasso path is linear in λ, so the extrapolation is exact there; the
    elastic net and GLM paths are smooth, so it is second-order accurate. The guess is put back on the face of
    ``beta`` when the penalty describes its faces (``onto_face``: a lasso coefficient whose extrapolation crosses
    zero starts at zero; bounds), else projected onto the penalty's domain (its prox with step 0: bounds, fixed
    coordinates), and it is kept only when its objective at ``lam`` is below that of ``beta`` (the plain warm start;
    ``loss_beta``, the loss at ``beta`` if known, saves evaluating it).
    """
    gap = lam_beta - lam_prev
    r = jnp.where(gap != 0, (lam - lam_beta) / jnp.where(gap != 0, gap, 1.0), 0.0)
    guess = beta + r * (beta - beta_prev)
    if has_faces(penalty):
        guess = penalty.onto_face(beta, guess)
    else:
        guess = penalty.prox(guess, jnp.zeros((), beta.dtype), lam)

    def objective(b: jax.Array) -> jax.Array:
        return loss.value(b) + penalty.value(b, lam)

    current = objective(beta) if loss_beta is None else loss_beta + penalty.value(beta, lam)
    return jnp.where(objective(guess) < current, guess, beta)


def solve_path(
    loss: Loss,
    penalty: Penalty,
    lambdas: jax.Array,
    beta0: jax.Array,
    *,
    solve: Solve,
    null_loss: jax.Array,
    max_iter: int | jax.Array,
    early_stop: EarlyStop | None,
) -> PathSolution:
    """Solve ``min_b f(b) + λ g(b)`` for each ``λ`` in ``lambdas`` (decreasing), warm-starting along the path.

    ``solve`` solves one λ; ``null_loss`` is the loss of the intercept-only model, from which the deviance explained
    is computed.
    """

    def one(carry: tuple[jax.Array, ...], lam: jax.Array):
        # history: dev at the last `lag` λ, oldest first; beta_prev: the solution before beta's; loss_beta: f(beta),
        # from its solve. Before the second λ both are beta0 at lambdas[0], so the extrapolation is a plain warm start.
        beta, beta_prev, loss_beta, history, stopped, index = carry
        budget = jnp.where(stopped, 0, max_iter)
        lam_beta, lam_prev = lambdas[jnp.maximum(index - 1, 0)], lambdas[jnp.maximum(index - 2, 0)]
        start = extrapolate(loss, penalty, lam, beta, lam_beta, beta_prev, lam_prev, loss_beta)
        res = solve(loss, penalty, lam, start, budget)
        active = ~stopped
        if early_stop is None:
            now_stopped = stopped
        else:
            dev = 1.0 - res.loss / null_loss
            enough = index + 1 >= early_stop.min_lambdas
            scale = {"dev": dev, "one": 1.0, "residual": 1.0 - dev}[early_stop.relative_to]
            threshold = early_stop.dev_change * scale
            flat = (dev - history[0]) < threshold
            now_stopped = stopped | (enough & (flat | (dev > early_stop.dev_max)))
            history = jnp.append(history[1:], dev)
        out = PathSolution(res.beta, res.gap, res.loss, res.n_iter, res.converged | stopped, active)
        return (res.beta, beta, res.loss, history, now_stopped, index + 1), out

    history = jnp.zeros(1 if early_stop is None else early_stop.lag, beta0.dtype)
    init = (beta0, beta0, loss.value(beta0), history, jnp.zeros((), bool), jnp.zeros((), jnp.int32))
    _, sol = lax.scan(one, init, lambdas)
    return sol
