"""Linear maps shared by the losses with ``K`` outputs per sample (multinomial, mgaussian).

Coefficients are flattened feature-major, ``b[j·K + k] = B[j, k]``, so a feature's ``K`` coefficients are neighbours
(a group for the grouped penalties). Working sets need the loss of any subset of them: the *expanded* form keeps one
column of ``X`` per coefficient with that coefficient's output in ``cls``.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp


def columns(idx: jax.Array, cls: jax.Array | None, k: int) -> tuple[jax.Array, jax.Array]:
    """Column of ``X`` and output of the coefficients ``idx``."""
    if cls is None:
        return idx // k, idx % k
    return idx, cls[idx]


def xmap(x: jax.Array, cls: jax.Array | None, k: int, beta: jax.Array) -> jax.Array:
    """``X B`` (n, K) of flat coefficients."""
    if cls is None:
        return x @ beta.reshape(-1, k)
    return (x * beta) @ jax.nn.one_hot(cls, k, dtype=x.dtype)


def xtmap(x: jax.Array, cls: jax.Array | None, r: jax.Array) -> jax.Array:
    """The adjoint of :func:`xmap`: ``Xᵀ R`` flattened, for ``R`` (n, K)."""
    if cls is None:
        return (r.T @ x).T.ravel()
    return jnp.einsum("ns,ns->s", x, r[:, cls])
