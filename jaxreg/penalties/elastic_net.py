"""Elastic-net penalty with per-feature penalty factors and box constraints.

For feature ``j`` with penalty factor ``pf_j`` and bounds ``l_j ≤ 0 ≤ u_j`` the penalty is

    λ g_j(b) = λ pf_j [ α |b| + (1 − α)/2 b² ] + ι_[l_j, u_j](b),

with ``α = l1_ratio``. Writing ``a = λ pf_j α`` and ``c = λ pf_j (1 − α)``:

* prox:  ``clip( S(z, step·a) / (1 + step·c), l_j, u_j )`` with ``S`` the soft-threshold (a one-dimensional convex
  problem, so clipping the unconstrained minimiser is exact);
* conjugate:  ``(λ g_j)^*(v) = v b* − a|b*| − c b*²/2`` with ``b* = clip(S(v, a)/c, l_j, u_j)`` when ``c > 0``, and
  ``max(0, u_j (v − a), l_j (v + a))`` when ``c = 0`` (infinite where the bound in the direction of ``v`` is infinite
  and ``|v| > a``).
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

#: glmnet defines λmax for ridge (α = 0) with this α instead, so that the default grid is finite.
RIDGE_ALPHA_FOR_LAMBDA_MAX = 1e-3


def soft_threshold(z: jax.Array, thresh: jax.Array) -> jax.Array:
    """``sign(z) · max(|z| − thresh, 0)``."""
    return jnp.sign(z) * jnp.maximum(jnp.abs(z) - thresh, 0.0)


def onto_kinked_face(beta: jax.Array, trial: jax.Array, kinked: jax.Array, lower: jax.Array,
                     upper: jax.Array) -> jax.Array:
    """``trial`` back on the closure of ``beta``'s face: a coordinate with a kink at zero (``kinked``) whose sign
    would change stops at zero; bounds clipped."""
    crossed = kinked & (jnp.sign(trial) != jnp.sign(beta))
    return jnp.clip(jnp.where(crossed, 0.0, trial), lower, upper)


class ElasticNet(NamedTuple):
    """Elastic net ``pf_j [α|b_j| + (1−α)/2 b_j²]`` restricted to ``[lower_j, upper_j]``.

    Attributes
    ----------
    alpha : scalar array
        The mixing parameter ``l1_ratio`` in ``[0, 1]``.
    penalty_factor : (p,) array
        Non-negative weights ``pf_j`` (0 = unpenalized).
    lower, upper : (p,) arrays
        Bounds on the coefficients in the scale the solver works in (``-inf``/``inf`` for none).
    """

    alpha: jax.Array
    penalty_factor: jax.Array
    lower: jax.Array
    upper: jax.Array

    def _weights(self, lam: jax.Array) -> tuple[jax.Array, jax.Array]:
        a = lam * self.penalty_factor * self.alpha
        c = lam * self.penalty_factor * (1.0 - self.alpha)
        return a, c

    def value(self, beta: jax.Array, lam: jax.Array) -> jax.Array:
        a, c = self._weights(lam)
        return jnp.sum(a * jnp.abs(beta) + 0.5 * c * beta**2)

    def prox(self, z: jax.Array, step: jax.Array, lam: jax.Array) -> jax.Array:
        a, c = self._weights(lam)
        b = soft_threshold(z, step * a) / (1.0 + step * c)
        return jnp.clip(b, self.lower, self.upper)

    def face(self, beta: jax.Array, lam: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array]:
        a, c = self._weights(lam)
        free = ((beta != 0) | (a == 0)) & (beta > self.lower) & (beta < self.upper)
        return jnp.where(free, a * jnp.sign(beta) + c * beta, 0.0), jnp.where(free, c, 0.0), free

    def onto_face(self, beta: jax.Array, trial: jax.Array) -> jax.Array:
        return onto_kinked_face(beta, trial, self.penalty_factor * self.alpha > 0, self.lower, self.upper)

    def priority(self, beta: jax.Array, v: jax.Array, lam: jax.Array) -> jax.Array:
        a, _ = self._weights(lam)
        pull = jnp.where(jnp.where(v > 0, self.upper > 0, self.lower < 0), jnp.abs(v), 0.0)
        ratio = pull / jnp.where(a > 0, a, 1.0)
        return jnp.where((beta != 0) | (a == 0), jnp.inf, ratio)

    def restrict(self, idx: jax.Array) -> "ElasticNet":
        return ElasticNet(self.alpha, self.penalty_factor[idx], self.lower[idx], self.upper[idx])

    def _unbounded_towards(self, v: jax.Array) -> jax.Array:
        return jnp.where(v > 0, jnp.isinf(self.upper), jnp.isinf(self.lower))

    def profiled(self, v: jax.Array, lam: jax.Array) -> jax.Array:
        a, c = self._weights(lam)
        return (a == 0) & (c == 0) & (v != 0) & self._unbounded_towards(v)

    def dual_scale(self, v: jax.Array, lam: jax.Array) -> jax.Array:
        a, c = self._weights(lam)
        at_risk = (c == 0) & (a > 0) & self._unbounded_towards(v) & (jnp.abs(v) > a)
        ratios = jnp.where(at_risk, a / jnp.where(at_risk, jnp.abs(v), 1.0), 1.0)
        return jnp.minimum(1.0, jnp.min(ratios, initial=1.0))

    def conjugate(self, v: jax.Array, lam: jax.Array) -> jax.Array:
        a, c = self._weights(lam)
        # Where c > 0 the conjugate is a smooth Huber-like function, finite everywhere.
        c_safe = jnp.where(c > 0, c, 1.0)
        b_star = jnp.clip(soft_threshold(v, a) / c_safe, self.lower, self.upper)
        h_smooth = v * b_star - a * jnp.abs(b_star) - 0.5 * c * b_star**2
        # Where c = 0 (pure L1 or unpenalized) it is piecewise linear; infinite bounds contribute nothing because
        # dual_scale has put |v| ≤ a there (or the coordinate is profiled).
        up = jnp.where(jnp.isfinite(self.upper), self.upper, 0.0)
        lo = jnp.where(jnp.isfinite(self.lower), self.lower, 0.0)
        h_l1 = jnp.where(v > a, up * (v - a), 0.0) + jnp.where(v < -a, lo * (v + a), 0.0)
        h = jnp.where(c > 0, h_smooth, h_l1)
        return jnp.sum(jnp.where(self.profiled(v, lam), 0.0, h))

    def lambda_max(self, v: jax.Array) -> jax.Array:
        alpha = jnp.maximum(self.alpha, RIDGE_ALPHA_FOR_LAMBDA_MAX)
        # Only the part of the gradient that a bound lets the coefficient follow can make it leave zero.
        free = jnp.where(v > 0, self.upper > 0, self.lower < 0)
        pull = jnp.where(free, jnp.abs(v), 0.0)
        penalized = self.penalty_factor > 0
        ratio = pull / jnp.where(penalized, alpha * self.penalty_factor, 1.0)
        return jnp.max(jnp.where(penalized, ratio, 0.0), initial=0.0)
