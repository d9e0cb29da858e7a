"""Newton polish: solve the problem on the face of the current point exactly (or nearly), between prox-gradient steps.

Proximal gradient finds *which* coefficients are nonzero (and which sit at a bound) quickly, then converges on
their values only linearly. On the face ``F`` of the current point ``b`` — the coefficients ``S`` that are free
(nonzero where the penalty has a kink at zero, strictly inside their bounds), with the signs of ``b`` and the
others held where they are — the objective ``f + λg`` is smooth. One Newton step on it,

    (∇²f(b)_SS + diag(λ g''_S)) d_S = −(∇f(b)_S + λ g'_S),        d = 0 off S,

lands on the face's minimizer for least squares (and converges quadratically for smooth GLM losses). The step is
projected back onto the closure of the face (a coefficient whose sign would flip stops at zero, bounds are clipped)
and halved until the objective decreases (up to its rounding); if it never does (e.g. a singular ``∇²f_SS`` when
``|S| > n``), ``b`` is kept, so polishing can only help. Whether the face was the right one is for the duality
gap to say: if it was, the polished point certifies at once; if not, the next prox-gradient steps move to another
face.

A penalty takes part by providing ``face(beta, lam) -> (grad, curvature, free)`` (``λg``'s derivative and diagonal
second derivative on the face, and the mask ``S``) and ``onto_face(beta, trial)``; one whose second derivative on
the face is not diagonal (a group norm) also provides ``face_hessian(beta, lam, idx)``, which then replaces
``diag(λ g''_S)`` above. The Hessian block is
``loss.hess_block`` of the free coordinates, gathered into a static size ≥ ``|S|`` (:func:`polish_sizes`), and the
solve is dense: callers use it only for small problems (:data:`POLISH_MAX_SIZE`).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax import lax

from jaxreg.losses.base import Loss
from jaxreg.penalties.base import Penalty
from jaxreg.solvers.gap import rounding_slack

#: :func:`jaxreg.path` polishes when all its coefficients number at most this many, and then uses no working sets.
#: Measured: ``breast-cancer`` (569 × 30, logistic) 3.6× faster, ``glmnet-binomial`` 1.3×; a simulated 100 × 200
#: lasso 1.7× faster than with 64/128 working sets. Inside working sets the polish cost more than it saved
#: (``square``, ``wider``, ``logit-wide``: the Cholesky of a 128-block costs as much as ~20 iterations on it).
POLISH_MAX_SIZE = 256

#: Most halvings of the Newton step before it is given up.
MAX_HALVINGS = 4


def has_faces(penalty: object) -> bool:
    """Whether ``penalty`` describes its faces (see the module docstring)."""
    return callable(getattr(penalty, "face", None)) and callable(getattr(penalty, "onto_face", None))


def has_coupled_curvature(penalty: object) -> bool:
    """Whether ``penalty``'s second derivative on a face couples coordinates (it has ``face_hessian``, e.g. a group
    norm); otherwise it is the diagonal ``curvature`` of ``face``."""
    return callable(getattr(penalty, "face_hessian", None))


def polish_sizes(m: int) -> tuple[int, ...]:
    """Static sizes of the compact Newton system: powers of two from 8 up to the first one ≥ ``m``, capped at ``m``."""
    sizes = []
    k = 8
    while k < m:
        sizes.append(k)
        k *= 2
    return (*sizes, m)


def newton_polish(loss: Loss, penalty: Penalty, lam: jax.Array, beta: jax.Array, compact: bool = True) -> jax.Array:
    """One safeguarded Newton step on the face of ``beta`` (see the module docstring); never raises the objective
    by more than its rounding.

    The free coordinates are gathered into the smallest of :func:`polish_sizes` that holds them, so the dense
    solve costs ``O(|S|³)``, not ``O(m³)``; ``compact=False`` (static) always solves at size ``m``, which compiles
    one system instead of one per size.
    """
    m = beta.shape[0]
    pen_grad, pen_curv, free = penalty.face(beta, lam)
    f0, grad, _ = loss.dual_parts(beta)
    obj0 = f0 + penalty.value(beta, lam)
    rhs = jnp.where(free, -(grad + pen_grad), 0.0)
    # Near the optimum a step's decrease drowns in the rounding of the objective; within that noise it is accepted,
    # or the polish could not get closer than ~√eps.
    bar = obj0 + rounding_slack(obj0)
    sizes = polish_sizes(m) if compact else (m,)
    coupled = has_coupled_curvature(penalty)

    def direction(k: int):
        def solve(_: None) -> jax.Array:
            (idx,) = jnp.nonzero(free, size=k, fill_value=0)
            valid = jnp.arange(k) < jnp.count_nonzero(free)
            pair = valid[:, None] & valid[None, :]
            hess = loss.hess_block(beta, idx) + (penalty.face_hessian(beta, lam, idx) if coupled
                                                 else jnp.diag(pen_curv[idx]))
            hess = jnp.where(pair, hess, jnp.eye(k, dtype=beta.dtype))
            chol = jnp.linalg.cholesky(hess)
            d = jax.scipy.linalg.cho_solve((chol, True), jnp.where(valid, rhs[idx], 0.0))
            return jnp.zeros_like(beta).at[idx].add(jnp.where(valid, d, 0.0))
        return solve

    n_free = jnp.count_nonzero(free)
    which = jnp.searchsorted(jnp.asarray(sizes), n_free)  # the first size ≥ n_free
    d = lax.switch(jnp.minimum(which, len(sizes) - 1), [direction(k) for k in sizes], None)

    def objective(b: jax.Array) -> jax.Array:
        return loss.value(b) + penalty.value(b, lam)

    def trial(t: jax.Array) -> tuple[jax.Array, jax.Array]:
        b = penalty.onto_face(beta, beta + t * d)
        return b, objective(b)

    def worse(c: tuple[jax.Array, jax.Array, jax.Array, jax.Array]) -> jax.Array:
        _, _, obj, k = c
        return ~(obj <= bar) & (k < MAX_HALVINGS)

    def halve(c: tuple[jax.Array, jax.Array, jax.Array, jax.Array]):
        t = 0.5 * c[0]
        b, obj = trial(t)
        return t, b, obj, c[3] + 1

    one = jnp.ones((), beta.dtype)
    b1, obj1 = trial(one)
    _, b, obj, _ = lax.while_loop(worse, halve, (one, b1, obj1, jnp.zeros((), jnp.int32)))
    ok = (obj <= bar) & jnp.all(jnp.isfinite(b))
    return jnp.where(ok, b, beta)
