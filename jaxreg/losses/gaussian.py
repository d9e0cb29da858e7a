"""Least squares ``f(b) = ‖y − X b‖² / (2n)`` on prepared data.

The data reaching these classes is already centred, scaled and multiplied row-wise by ``√w`` (weights summing to
``n``), so the weighted objective ``Σ w_i (y_i − b0 − x_iᵀ b)² / (2 Σ w)`` becomes the unweighted one above.

Two representations of the same loss:

* :class:`GaussianGram` keeps ``G = XᵀX/n``, ``c = Xᵀy/n`` and ``yᵀy/n``: an iteration costs ``O(p²)``
  (best when ``n ≥ p``);
* :class:`GaussianX` keeps ``X`` and ``y``: an iteration costs ``O(np)`` (best when ``p > n``).

For the dual, with residual ``r = y − Xb`` and dual point ``u = s·r/n``, ``−f^*(−u) = s·A − s²·B/2`` where
``A = rᵀy/n`` and ``B = rᵀr/n``.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax import lax


def gaussian_dual_value(s: jax.Array, aux: tuple[jax.Array, jax.Array]) -> jax.Array:
    a, b = aux
    return s * a - 0.5 * s * s * b


class GaussianGram(NamedTuple):
    """Least squares in Gram form: ``f(b) = (yᵀy/n − 2 cᵀb + bᵀGb) / 2``."""

    gram: jax.Array  # (p, p)  XᵀX / n
    xty: jax.Array  # (p,)    Xᵀy / n
    yty: jax.Array  # ()      yᵀy / n

    @classmethod
    def from_data(cls, x: jax.Array, y: jax.Array) -> "GaussianGram":
        n = x.shape[0]
        # One copy of the prepared X feeds both products: without the barrier XLA fuses the preparation into each
        # of them and materializes it twice, once transposed (5,000 × 1,000 on CPU: 25 ms and one X more).
        x = lax.optimization_barrier(x)
        return cls(x.T @ x / n, y @ x / n, y @ y / n)

    def value(self, beta: jax.Array) -> jax.Array:
        return 0.5 * (self.yty - 2.0 * self.xty @ beta + beta @ (self.gram @ beta))

    def grad(self, beta: jax.Array) -> jax.Array:
        return self.gram @ beta - self.xty

    def hess_matvec(self, v: jax.Array) -> jax.Array:
        return self.gram @ v

    def diag(self) -> jax.Array:
        return jnp.diagonal(self.gram)

    def hess_block(self, beta: jax.Array, idx: jax.Array) -> jax.Array:
        return self.gram[idx][:, idx]

    def dual_parts(self, beta: jax.Array) -> tuple[jax.Array, jax.Array, tuple[jax.Array, jax.Array]]:
        g_beta = self.gram @ beta
        cross = self.xty @ beta
        rss = self.yty - 2.0 * cross + beta @ g_beta
        return 0.5 * rss, g_beta - self.xty, (self.yty - cross, rss)

    def dual_value(self, s: jax.Array, aux: tuple[jax.Array, jax.Array]) -> jax.Array:
        return gaussian_dual_value(s, aux)

    def restrict(self, idx: jax.Array, beta: jax.Array) -> "GaussianGram":
        """The loss as a function of ``beta[idx]`` alone, the other coefficients held at their values in ``beta``."""
        others = beta.at[idx].set(0.0)
        # usually every nonzero is in idx: skip the p × p product then (a cold read of the Gram matrix, 0.1 ms at
        # p = 1,000, once per working set)
        g_others = lax.cond(jnp.any(others != 0), lambda: self.gram @ others, lambda: jnp.zeros_like(others))
        yty = self.yty - 2.0 * self.xty @ others + others @ g_others
        return GaussianGram(self.gram[idx][:, idx], self.xty[idx] - g_others[idx], yty)


class GaussianX(NamedTuple):
    """Least squares on the design itself: ``f(b) = ‖y − Xb‖² / (2n)``."""

    x: jax.Array  # (n, p)
    y: jax.Array  # (n,)
    col_sq: jax.Array  # (p,)  ‖x_j‖² / n, the Hessian's diagonal

    @classmethod
    def from_data(cls, x: jax.Array, y: jax.Array) -> "GaussianX":
        # A matvec rather than sum(axis=0): column reductions are ~15× slower on XLA's CPU backend.
        return cls(x, y, (jnp.ones(x.shape[0], x.dtype) @ (x * x)) / x.shape[0])

    def value(self, beta: jax.Array) -> jax.Array:
        r = self.y - self.x @ beta
        return 0.5 * (r @ r) / self.x.shape[0]

    def grad(self, beta: jax.Array) -> jax.Array:
        # r @ X rather than X.T @ r: XLA on CPU materializes the transpose in every iteration (≈9× slower).
        return -((self.y - self.x @ beta) @ self.x) / self.x.shape[0]

    def hess_matvec(self, v: jax.Array) -> jax.Array:
        return ((self.x @ v) @ self.x) / self.x.shape[0]

    def diag(self) -> jax.Array:
        return self.col_sq

    def hess_block(self, beta: jax.Array, idx: jax.Array) -> jax.Array:
        xb = self.x[:, idx]
        return (xb.T @ xb) / self.x.shape[0]

    def dual_parts(self, beta: jax.Array) -> tuple[jax.Array, jax.Array, tuple[jax.Array, jax.Array]]:
        n = self.x.shape[0]
        r = self.y - self.x @ beta
        rss = (r @ r) / n
        return 0.5 * rss, -(r @ self.x) / n, ((r @ self.y) / n, rss)

    def dual_value(self, s: jax.Array, aux: tuple[jax.Array, jax.Array]) -> jax.Array:
        return gaussian_dual_value(s, aux)

    def restrict(self, idx: jax.Array, beta: jax.Array) -> "GaussianX":
        """The loss as a function of ``beta[idx]`` alone, the other coefficients held at their values in ``beta``."""
        others = beta.at[idx].set(0.0)
        # usually every nonzero is in idx: skip the O(np) product then
        y = lax.cond(jnp.any(others != 0), lambda: self.y - self.x @ others, lambda: self.y)
        return GaussianX(self.x[:, idx], y, self.col_sq[idx])
