"""Lipschitz constant of the loss gradient by power iteration."""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
from jax import lax

from jaxreg.losses.base import Loss

#: Power iteration approaches the top eigenvalue from below; this margin keeps the step 1/L safe.
SAFETY = 1.05


def top_eigenvector(matvec: Callable[[jax.Array], jax.Array], p: int, dtype: jnp.dtype, n_iter: int) -> jax.Array:
    """``n_iter`` power iterations on the symmetric operator ``matvec``: a unit vector near its top eigenvector.

    The start vector is deterministic (all ones plus a ramp) so that results are reproducible.
    """
    v0 = jnp.ones(p, dtype) + jnp.linspace(0.0, 1.0, p, dtype=dtype)
    v0 = v0 / jnp.linalg.norm(v0)

    def body(_: int, v: jax.Array) -> jax.Array:
        w = matvec(v)
        norm = jnp.linalg.norm(w)
        return jnp.where(norm > 0, w / jnp.where(norm > 0, norm, 1.0), v)

    return lax.fori_loop(0, n_iter, body, v0)


def lipschitz_constant(loss: Loss, p: int, dtype: jnp.dtype, n_iter: int = 64) -> jax.Array:
    """Estimate ``‖∇²f‖₂`` (the loss's reference curvature) by power iteration, inflated by :data:`SAFETY`."""
    v = top_eigenvector(loss.hess_matvec, p, dtype, n_iter)
    top = v @ loss.hess_matvec(v)
    tiny = jnp.finfo(dtype).tiny
    return SAFETY * jnp.maximum(top, tiny)
