"""Multinomial (softmax) regression: mean weighted negative log-likelihood of one-hot responses.

    f(B) = Σ_i ω_i [ log Σ_k exp η_ik − Σ_k y_ik η_ik ],   η = X B + offset,   ω = w / n (weights summing to 1),

with ``B`` of shape ``(q, K)`` (one coefficient vector per class: glmnet's symmetric parametrization; the intercept,
when fitted, is a column of ones in ``X``). The solvers see ``B`` flattened feature-major, ``b[j·K + k] = B[j, k]``,
so that a feature's ``K`` coefficients are neighbours (a group, for glmnet's grouped multinomial).

Gradient ``Xᵀ Ω (P − Y)`` with ``P`` the softmax of ``η``. Curvature: per sample the Hessian in ``η`` is
``diag(p) − p pᵀ ≼ I/2`` (Böhning's bound, without the ``−11ᵀ/2K`` part), which gives the smallest step through
``½ XᵀΩX ⊗ I``; its diagonal is at most ``¼ Σ ω x_j²`` (``p_k(1 − p_k) ≤ ¼``).

Dual: the conjugate of ``η ↦ log Σ exp η − yᵀη`` at ``θ`` is the negative entropy of ``q = θ + y`` on the simplex, so
at the dual point scaled by ``s``, ``θ = s (p − y)``, ``−f^*`` is ``Σ_i ω_i Σ_k H(q_ik)`` with
``q = (1 − s) y + s p`` and ``H(q) = −q log q``; an offset adds ``Σ_i ω_i o_iᵀ θ_i``.

Working sets need the loss of any subset of coefficients: :meth:`Multinomial.restrict` returns the same loss in the
*expanded* form of :mod:`jaxreg.losses._multi`, one column of ``X`` per coefficient with its class in ``cls``.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax import lax
from jax.scipy.special import entr

from jaxreg.losses._multi import columns, xmap, xtmap


class Multinomial(NamedTuple):
    """Softmax loss; ``cls is None``: ``x`` is ``(n, q)`` and the coefficients are ``B.ravel()`` (``q·K``); else
    ``x`` holds one column per coefficient and ``cls`` its class."""

    x: jax.Array  # (n, q) or (n, m) expanded
    y: jax.Array  # (n, K) one-hot (or class proportions)
    omega: jax.Array  # (n,) weights / n
    offset: jax.Array  # (n, K)
    col_sq: jax.Array  # (q·K,) or (m,)  ¼ Σ ω x_j²: the curvature bound's diagonal, per coefficient
    cls: jax.Array | None = None  # (m,) int: each coefficient's class (expanded form)

    @classmethod
    def from_data(cls, x: jax.Array, y: jax.Array, omega: jax.Array, offset: jax.Array | None = None
                  ) -> "Multinomial":
        offset = jnp.zeros_like(y) if offset is None else offset
        # a matvec rather than sum(axis=0): column reductions are slow on XLA's CPU backend
        return cls(x, y, omega, offset, jnp.repeat((0.25 * omega) @ (x * x), y.shape[1]))

    @property
    def n_classes(self) -> int:
        return self.y.shape[1]

    def _xmap(self, beta: jax.Array) -> jax.Array:
        return xmap(self.x, self.cls, self.n_classes, beta)

    def _xtmap(self, r: jax.Array) -> jax.Array:
        return xtmap(self.x, self.cls, r)

    def _eta(self, beta: jax.Array) -> jax.Array:
        return self._xmap(beta) + self.offset

    def _nll(self, eta: jax.Array) -> jax.Array:
        return self.omega @ (jax.nn.logsumexp(eta, axis=1) - jnp.sum(self.y * eta, axis=1))

    def value(self, beta: jax.Array) -> jax.Array:
        return self._nll(self._eta(beta))

    def grad(self, beta: jax.Array) -> jax.Array:
        return self._xtmap(self.omega[:, None] * (jax.nn.softmax(self._eta(beta), axis=1) - self.y))

    def hess_matvec(self, v: jax.Array) -> jax.Array:
        return self._xtmap(0.5 * self.omega[:, None] * self._xmap(v))

    def diag(self) -> jax.Array:
        return self.col_sq

    def hess_block(self, beta: jax.Array, idx: jax.Array) -> jax.Array:
        """``Σ_i ω_i x_ia x_ib (p_ia δ_ab − p_ia p_ib)`` over coefficient pairs (classes ``a, b``)."""
        prob = jax.nn.softmax(self._eta(beta), axis=1)
        col, k = columns(idx, self.cls, self.n_classes)
        xb = self.x[:, col]
        pk = prob[:, k]
        wxp = (self.omega[:, None] * pk) * xb
        same = k[:, None] == k[None, :]
        return jnp.where(same, wxp.T @ xb, 0.0) - wxp.T @ (pk * xb)

    def dual_parts(self, beta: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array]:
        eta = self._eta(beta)
        prob = jax.nn.softmax(eta, axis=1)
        return self._nll(eta), self._xtmap(self.omega[:, None] * (prob - self.y)), prob

    def dual_value(self, s: jax.Array, prob: jax.Array) -> jax.Array:
        q = (1.0 - s) * self.y + s * prob
        return self.omega @ jnp.sum(entr(q) + s * self.offset * (prob - self.y), axis=1)

    def restrict(self, idx: jax.Array, beta: jax.Array) -> "Multinomial":
        """The loss of ``beta[idx]`` alone (expanded form), the other coefficients held at their values in ``beta``."""
        others = beta.at[idx].set(0.0)
        offset = lax.cond(jnp.any(others != 0), lambda: self.offset + self._xmap(others), lambda: self.offset)
        col, k = columns(idx, self.cls, self.n_classes)
        return Multinomial(self.x[:, col], self.y, self.omega, offset, self.col_sq[idx], k)
