"""Poisson regression (log link): mean weighted negative log-likelihood, measured from the saturated model.

    f(b) = Σ_i ω_i [ μ_i − y_i η_i − (y_i − y_i log y_i) ],   μ = exp η,   η = X b + offset,

with ``ω = w / n`` (weights summing to 1), ``y ≥ 0``, ``0 log 0 = 0`` and the intercept, when fitted, as a column of
ones in ``X``. The constant makes ``f`` half the weighted Poisson deviance ``Σ ω [y log(y/μ) − (y − μ)]``: ``f ≥ 0``,
``f = 0`` at the saturated fit ``μ = y``, and ``1 − f(b)/f(b_null)`` is glmnet's ``dev.ratio``.

Curvature: ``∇²f = Xᵀ diag(ω μ) X`` is not globally bounded. The solvers use backtracking for this loss; the curvature
reported by :meth:`Poisson.hess_matvec` (which fixes the *smallest* step) is ``Xᵀ diag(ω (y + ȳ)) X`` — the Hessian
at a fit with ``μ_i = y_i + ȳ``, a little above what a well-fitting model reaches — and the exact Hessian is used
for the Newton steps on unpenalized coordinates (:meth:`Poisson.hess_block`).

Dual: with the per-sample conjugate ``φ*(t) = (t + y) log(t + y) − (t + y)`` of ``φ(η) = e^η − yη`` and the dual
point ``s·(μ − y)``, ``−f^*`` at that point is

    Σ_i ω_i [ H(q_i) + q_i − H(y_i) − y_i ],   q = (1 − s) y + s μ,   H(q) = −q log q,

plus ``Σ_i ω_i o_i θ_i`` at the dual point ``θ = s (μ − y)`` with an offset ``o`` (the conjugate of
``η ↦ φ(η + o)`` is ``φ^*(θ) − o θ``), finite for every ``s ∈ [0, 1]`` because ``q ≥ 0`` there (``y ≥ 0``,
``μ > 0``); the penalty's dual scaling never
exceeds 1.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax import lax
from jax.scipy.special import entr


class Poisson(NamedTuple):
    """Poisson loss on ``X`` (intercept column included), responses ``y ≥ 0``, weights ``ω`` summing to 1."""

    x: jax.Array  # (n, p)
    y: jax.Array  # (n,) ≥ 0
    omega: jax.Array  # (n,) weights / n
    offset: jax.Array  # (n,)
    sat: jax.Array  # (n,)  H(y) + y: the per-sample minimum of μ − yη (at μ = y)
    curv: jax.Array  # (n,)  ω (y + ȳ): the reference curvature weights (smallest step, Newton decrement)
    col_sq: jax.Array  # (p,)  Σ curv x_j²

    @classmethod
    def from_data(cls, x: jax.Array, y: jax.Array, omega: jax.Array, offset: jax.Array | None = None) -> "Poisson":
        offset = jnp.zeros_like(y) if offset is None else offset
        curv = omega * (y + omega @ y / jnp.sum(omega))
        # a matvec rather than sum(axis=0): column reductions are slow on XLA's CPU backend
        return cls(x, y, omega, offset, entr(y) + y, curv, curv @ (x * x))

    def _eta(self, beta: jax.Array) -> jax.Array:
        return self.x @ beta + self.offset

    def _value(self, eta: jax.Array) -> tuple[jax.Array, jax.Array]:
        mu = jnp.exp(eta)
        return self.omega @ ((mu - self.y * eta) - self.sat), mu

    def value(self, beta: jax.Array) -> jax.Array:
        return self._value(self._eta(beta))[0]

    def grad(self, beta: jax.Array) -> jax.Array:
        return (self.omega * (jnp.exp(self._eta(beta)) - self.y)) @ self.x

    def hess_matvec(self, v: jax.Array) -> jax.Array:
        return (self.curv * (self.x @ v)) @ self.x

    def diag(self) -> jax.Array:
        return self.col_sq

    def hess_block(self, beta: jax.Array, idx: jax.Array) -> jax.Array:
        mu = jnp.exp(self._eta(beta))
        xb = self.x[:, idx]
        return xb.T @ ((self.omega * mu)[:, None] * xb)

    def dual_parts(self, beta: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array]:
        f, mu = self._value(self._eta(beta))
        return f, (self.omega * (mu - self.y)) @ self.x, mu

    def dual_value(self, s: jax.Array, mu: jax.Array) -> jax.Array:
        q = (1.0 - s) * self.y + s * mu
        return self.omega @ ((entr(q) + q) - self.sat + s * self.offset * (mu - self.y))

    def restrict(self, idx: jax.Array, beta: jax.Array) -> "Poisson":
        """The loss as a function of ``beta[idx]`` alone, the other coefficients held at their values in ``beta``."""
        others = beta.at[idx].set(0.0)
        offset = lax.cond(jnp.any(others != 0), lambda: self.offset + self.x @ others, lambda: self.offset)
        return Poisson(self.x[:, idx], self.y, self.omega, offset, self.sat, self.curv, self.col_sq[idx])
