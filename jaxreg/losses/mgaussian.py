"""Multi-response least squares ``f(B) = ‖Y − X B‖²_F / (2n)`` on prepared data (glmnet's ``"mgaussian"``).

As for :mod:`jaxreg.losses.gaussian`, ``X`` and ``Y`` (n, K) arrive centred, scaled and multiplied row-wise by ``√w``.
``B`` is ``(p, K)``, flattened feature-major for the solvers (``b[j·K + k] = B[j, k]``, see
:mod:`jaxreg.losses._multi`), so that a feature's ``K`` coefficients form the group glmnet penalizes with
``‖B_j‖₂``. The Hessian is ``G ⊗ I_K`` with ``G = XᵀX/n``: the outputs only share the design. Working sets restrict
the loss to whole features, so the restricted loss keeps this compact form.

The dual is the least-squares one with Frobenius inner products: at the dual point ``U = s·R/n`` with
``R = Y − XB``, ``−f^*(−U) = s·A − s²·B/2`` with ``A = ⟨R, Y⟩/n`` and ``B = ‖R‖²/n``.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax import lax

from jaxreg.losses._multi import columns, xmap, xtmap
from jaxreg.losses.gaussian import gaussian_dual_value


class MGaussianGram(NamedTuple):
    """Gram form, ``O(p²K)`` per iteration: ``f(B) = (yᵀy/n − 2⟨C, B⟩ + ⟨B, G B⟩) / 2``."""

    gram: jax.Array  # (p, p)  XᵀX / n
    xty: jax.Array  # (p, K)  XᵀY / n
    yty: jax.Array  # ()      ‖Y‖² / n

    @classmethod
    def from_data(cls, x: jax.Array, y: jax.Array) -> "MGaussianGram":
        n = x.shape[0]
        return cls(x.T @ x / n, x.T @ y / n, jnp.sum(y * y) / n)

    def _gb(self, beta: jax.Array) -> jax.Array:
        return (self.gram @ beta.reshape(self.xty.shape)).ravel()

    def value(self, beta: jax.Array) -> jax.Array:
        return 0.5 * (self.yty - 2.0 * self.xty.ravel() @ beta + beta @ self._gb(beta))

    def grad(self, beta: jax.Array) -> jax.Array:
        return self._gb(beta) - self.xty.ravel()

    def hess_matvec(self, v: jax.Array) -> jax.Array:
        return self._gb(v)

    def diag(self) -> jax.Array:
        return jnp.repeat(jnp.diagonal(self.gram), self.xty.shape[1])

    def hess_block(self, beta: jax.Array, idx: jax.Array) -> jax.Array:
        col, k = columns(idx, None, self.xty.shape[1])
        return jnp.where(k[:, None] == k[None, :], self.gram[col][:, col], 0.0)

    def dual_parts(self, beta: jax.Array) -> tuple[jax.Array, jax.Array, tuple[jax.Array, jax.Array]]:
        g_beta = self._gb(beta)
        cross = self.xty.ravel() @ beta
        rss = self.yty - 2.0 * cross + beta @ g_beta
        return 0.5 * rss, g_beta - self.xty.ravel(), (self.yty - cross, rss)

    def dual_value(self, s: jax.Array, aux: tuple[jax.Array, jax.Array]) -> jax.Array:
        return gaussian_dual_value(s, aux)

    def restrict(self, idx: jax.Array, beta: jax.Array) -> "MGaussianGram":
        """The loss of ``beta[idx]`` alone, the others held at their values in ``beta``; ``idx`` holds whole
        features (``K`` consecutive coefficients each, as the working sets of the row-wise group penalty take them)."""
        k = self.xty.shape[1]
        others = beta.at[idx].set(0.0)
        g_others = self._gb(others)
        yty = self.yty - 2.0 * self.xty.ravel() @ others + others @ g_others
        feat = idx[::k] // k
        return MGaussianGram(self.gram[feat][:, feat], (self.xty.ravel() - g_others)[idx].reshape(-1, k), yty)


class MGaussianX(NamedTuple):
    """On the design itself, ``O(npK)`` per iteration."""

    x: jax.Array  # (n, p)
    y: jax.Array  # (n, K)
    col_sq: jax.Array  # (p·K,)  ‖x_j‖² / n, the Hessian's diagonal

    @classmethod
    def from_data(cls, x: jax.Array, y: jax.Array) -> "MGaussianX":
        # a matvec rather than sum(axis=0): column reductions are slow on XLA's CPU backend
        return cls(x, y, jnp.repeat((jnp.ones(x.shape[0], x.dtype) @ (x * x)) / x.shape[0], y.shape[1]))

    def _residual(self, beta: jax.Array) -> jax.Array:
        return self.y - xmap(self.x, None, self.y.shape[1], beta)

    def value(self, beta: jax.Array) -> jax.Array:
        r = self._residual(beta)
        return 0.5 * jnp.sum(r * r) / self.x.shape[0]

    def grad(self, beta: jax.Array) -> jax.Array:
        return -xtmap(self.x, None, self._residual(beta)) / self.x.shape[0]

    def hess_matvec(self, v: jax.Array) -> jax.Array:
        return xtmap(self.x, None, xmap(self.x, None, self.y.shape[1], v)) / self.x.shape[0]

    def diag(self) -> jax.Array:
        return self.col_sq

    def hess_block(self, beta: jax.Array, idx: jax.Array) -> jax.Array:
        col, k = columns(idx, None, self.y.shape[1])
        xb = self.x[:, col]
        return jnp.where(k[:, None] == k[None, :], xb.T @ xb, 0.0) / self.x.shape[0]

    def dual_parts(self, beta: jax.Array) -> tuple[jax.Array, jax.Array, tuple[jax.Array, jax.Array]]:
        n = self.x.shape[0]
        r = self._residual(beta)
        rss = jnp.sum(r * r) / n
        return 0.5 * rss, -xtmap(self.x, None, r) / n, (jnp.sum(r * self.y) / n, rss)

    def dual_value(self, s: jax.Array, aux: tuple[jax.Array, jax.Array]) -> jax.Array:
        return gaussian_dual_value(s, aux)

    def restrict(self, idx: jax.Array, beta: jax.Array) -> "MGaussianX":
        """The loss of ``beta[idx]`` alone, the others held at their values in ``beta``; ``idx`` holds whole
        features (``K`` consecutive coefficients each, as the working sets of the row-wise group penalty take them)."""
        k = self.y.shape[1]
        others = beta.at[idx].set(0.0)
        y = lax.cond(jnp.any(others != 0), lambda: self._residual(others), lambda: self.y)
        return MGaussianX(self.x[:, idx[::k] // k], y, self.col_sq[idx])
