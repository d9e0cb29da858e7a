"""Logistic regression: mean weighted negative log-likelihood of 0/1 responses.

    f(b) = Σ_i ω_i [ log(1 + exp η_i) − y_i η_i ],   η = X b + offset,   ω = w / n (weights summing to 1),

with the intercept, when fitted, as a column of ones in ``X``. Its gradient is ``Xᵀ(ω ⊙ (σ(η) − y))`` and its
curvature is at most ``XᵀΩX / 4`` (``σ' ≤ 1/4``), which gives a global step size.

Dual: with ``σ = σ(η)`` and the dual point scaled by ``s``, the conjugate of the log-likelihood is the binary
negative entropy, so ``−f^*(−s·u) = Σ_i ω_i [H(q_i)]`` with ``q = (1 − s) y + s σ ∈ [0, 1]`` and
``H(q) = −q log q − (1 − q) log(1 − q)``; an offset adds ``Σ_i ω_i o_i θ_i`` at the dual point ``θ = s (σ − y)``
(the conjugate of ``η ↦ φ(η + o)`` is ``φ^*(θ) − o θ``).
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax import lax
from jax.scipy.special import entr


class Binomial(NamedTuple):
    """Logistic loss on ``X`` (intercept column included), 0/1 responses, weights ``ω`` summing to 1."""

    x: jax.Array  # (n, p)
    y: jax.Array  # (n,) in {0, 1}
    omega: jax.Array  # (n,) weights / n
    offset: jax.Array  # (n,)
    col_sq: jax.Array  # (p,)  Σ ω x_j² / 4: the curvature bound's diagonal

    @classmethod
    def from_data(cls, x: jax.Array, y: jax.Array, omega: jax.Array, offset: jax.Array | None = None) -> "Binomial":
        offset = jnp.zeros_like(y) if offset is None else offset
        # a matvec rather than sum(axis=0): column reductions are slow on XLA's CPU backend
        return cls(x, y, omega, offset, (0.25 * omega) @ (x * x))

    def _eta(self, beta: jax.Array) -> jax.Array:
        return self.x @ beta + self.offset

    def value(self, beta: jax.Array) -> jax.Array:
        eta = self._eta(beta)
        return self.omega @ (jax.nn.softplus(eta) - self.y * eta)

    def grad(self, beta: jax.Array) -> jax.Array:
        return (self.omega * (jax.nn.sigmoid(self._eta(beta)) - self.y)) @ self.x

    def hess_matvec(self, v: jax.Array) -> jax.Array:
        return (0.25 * self.omega * (self.x @ v)) @ self.x

    def diag(self) -> jax.Array:
        return self.col_sq

    def hess_block(self, beta: jax.Array, idx: jax.Array) -> jax.Array:
        prob = jax.nn.sigmoid(self._eta(beta))
        xb = self.x[:, idx]
        return xb.T @ ((self.omega * prob * (1.0 - prob))[:, None] * xb)

    def dual_parts(self, beta: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array]:
        eta = self._eta(beta)
        prob = jax.nn.sigmoid(eta)
        f = self.omega @ (jax.nn.softplus(eta) - self.y * eta)
        return f, (self.omega * (prob - self.y)) @ self.x, prob

    def dual_value(self, s: jax.Array, prob: jax.Array) -> jax.Array:
        q = (1.0 - s) * self.y + s * prob
        return self.omega @ (entr(q) + entr(1.0 - q) + s * self.offset * (prob - self.y))

    def restrict(self, idx: jax.Array, beta: jax.Array) -> "Binomial":
        """The loss as a function of ``beta[idx]`` alone, the other coefficients held at their values in ``beta``."""
        others = beta.at[idx].set(0.0)
        offset = lax.cond(jnp.any(others != 0), lambda: self.offset + self.x @ others, lambda: self.offset)
        return Binomial(self.x[:, idx], self.y, self.omega, offset, self.col_sq[idx])
