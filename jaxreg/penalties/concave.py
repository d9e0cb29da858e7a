r"""Folded concave penalties: MCP and SCAD (with an optional ridge part), per feature, with box constraints.

For feature ``j`` with ``λ_j = λ pf_j α`` (``α = l1_ratio``) and ``c_j = λ pf_j (1 − α)``, the penalty is

.. math::

    \rho_\gamma(b; \lambda_j) + \frac{c_j}{2} b^2 + \iota_{[l_j, u_j]}(b),

where ``ρ`` is Zhang's (2010) minimax concave penalty,
``ρ(b) = λ_j|b| − b²/(2γ)`` for ``|b| ≤ γλ_j`` and ``γλ_j²/2`` beyond (``γ > 1``), or Fan & Li's (2001) SCAD,
``λ_j|b|`` for ``|b| ≤ λ_j``, ``(2γλ_j|b| − b² − λ_j²) / (2(γ − 1))`` up to ``γλ_j`` and ``(γ + 1)λ_j²/2`` beyond
(``γ > 2``). This is ncvreg's parametrisation (Breheny & Huang 2011): ``γ`` is measured in the solver's (standardized)
scale, and ``α < 1`` adds the ridge part. Both are piecewise quadratic in ``u = |b|`` on three pieces
``[0, t₁]``, ``[t₁, t₂]``, ``[t₂, ∞)`` with slopes ``ρ'(u) = λ_j``, ``k₁ − k₂u`` and ``0``:

* MCP: ``t₁ = 0``, ``t₂ = γλ_j``, ``k₁ = λ_j``, ``k₂ = 1/γ``;
* SCAD: ``t₁ = λ_j``, ``t₂ = γλ_j``, ``k₁ = γλ_j/(γ − 1)``, ``k₂ = 1/(γ − 1)``.

**Prox.** The minimiser of ``½(b − z)² + h·(ρ(b) + c b²/2)`` over ``[l, u]`` has the sign of ``z`` (or is 0), so it is
a one-dimensional problem in ``|b|`` on ``[0, B]``: on each piece the objective is a quadratic, minimised at its
stationary point clipped to the piece when it is convex, else at an end. The prox evaluates these few candidates
(the pieces' clipped stationary points, their ends, ``B``) and keeps the best: exact for any step ``h``, also
where a long step makes the middle piece concave.

**Certificate.** The penalty is not convex, so there is no duality gap; but it is a difference of convex functions,
``ρ(b) = λ_j|b| − q(b)`` with ``q`` convex and smooth (``q'(b) = sign(b)(λ_j − ρ'(|b|))``, ``|q'| ≤ λ_j``).
Linearizing ``q`` at the current point ``b̄`` gives a convex majorant of the objective, exact at ``b̄``:
``f(b) + Σ_j [λ_j|b_j| + c_j b_j²/2 − q'(b̄_j) b_j] + const`` (:meth:`FoldedConcave.majorize`). Its duality gap at
``b̄`` (computed by :func:`jaxreg.solvers.gap.duality_gap` as for any convex penalty) is zero exactly when ``b̄``
is a stationary point (the KKT conditions ``∇_j f + ρ'(b_j) + c_j b_j = 0`` on nonzero coefficients,
``|∇_j f| ≤ λ_j`` on zero ones), and bounds how much one majorize–minimize step could still lower the objective:
the solvers stop on it exactly as on a convex problem's gap. Which stationary point is reached depends on the start
(warm starts along the path, as ncvreg); it is the global minimum where the objective is locally convex.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from jaxreg.penalties.elastic_net import ElasticNet

#: ``penalty=`` names and their default ``γ`` (ncvreg's).
DEFAULT_GAMMA = {"mcp": 3.0, "scad": 3.7}
#: The smallest ``γ`` each admits (exclusive): below it the penalty is not the one its authors defined.
MIN_GAMMA = {"mcp": 1.0, "scad": 2.0}


class _Pieces(NamedTuple):
    l1: jax.Array  # λ_j
    ridge: jax.Array  # c_j
    t1: jax.Array
    t2: jax.Array
    k1: jax.Array
    k2: jax.Array


class Majorant(NamedTuple):
    """The convex penalty ``λ g(b) − shiftᵀb``, with ``g`` an elastic net: a folded concave penalty with its concave
    part linearized (:meth:`FoldedConcave.majorize`), up to a constant. Enough of the :class:`~jaxreg.penalties.Penalty`
    contract for the duality gap."""

    base: ElasticNet
    shift: jax.Array

    def value(self, beta: jax.Array, lam: jax.Array) -> jax.Array:
        return self.base.value(beta, lam) - jnp.vdot(self.shift, beta)

    def prox(self, z: jax.Array, step: jax.Array, lam: jax.Array) -> jax.Array:
        return self.base.prox(z + step * self.shift, step, lam)

    def _room(self, v: jax.Array, lam: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array]:
        """``a``, ``c`` and the room ``a − sign(v) shift ≥ 0`` the L1 part leaves in the direction of ``v``."""
        a, c = self.base._weights(lam)
        return a, c, a - jnp.sign(v) * self.shift

    def profiled(self, v: jax.Array, lam: jax.Array) -> jax.Array:
        """Coordinates the majorant leaves unpenalized in the direction of ``v`` (unpenalized features, and
        coefficients beyond ``γλ_j``, where the concave part cancels the L1 part): measured by their Newton
        decrement, like the intercept (:mod:`jaxreg.solvers.gap`)."""
        _, c, room = self._room(v, lam)
        return (c == 0) & (room <= 0) & (v != 0) & self.base._unbounded_towards(v)

    def conjugate(self, v: jax.Array, lam: jax.Array) -> jax.Array:
        # profiled coordinates add nothing: unbounded towards v with c = 0, the L1 conjugate is 0 or infinite
        return self.base.conjugate(v + self.shift, lam)

    def dual_scale(self, v: jax.Array, lam: jax.Array) -> jax.Array:
        """The largest ``s ∈ (0, 1]`` with ``|s v_j + shift_j| ≤ a_j`` where the L1 part alone bounds the conjugate,
        profiled coordinates aside (``|shift_j| ≤ a_j``, so such an ``s`` exists)."""
        a, c, room = self._room(v, lam)
        at_risk = (c == 0) & (room > 0) & self.base._unbounded_towards(v) & (jnp.abs(v + self.shift) > a)
        ratios = jnp.where(at_risk, room / jnp.where(at_risk, jnp.abs(v), 1.0), 1.0)
        return jnp.minimum(1.0, jnp.min(ratios, initial=1.0))


class FoldedConcave(NamedTuple):
    """MCP (``scad`` false) or SCAD (``scad`` true) with a ridge part, per feature (see the module docstring).

    Attributes
    ----------
    alpha : scalar array
        ``l1_ratio``: the share of the concave part (1 − α goes to ridge).
    penalty_factor : (p,) array
        Non-negative ``pf_j`` (0 = unpenalized).
    lower, upper : (p,) arrays
        Bounds in the solver's scale (``-inf``/``inf`` for none).
    gamma : scalar array
        The concavity ``γ`` (``> 1`` for MCP, ``> 2`` for SCAD).
    scad : scalar bool array
        SCAD rather than MCP.
    """

    alpha: jax.Array
    penalty_factor: jax.Array
    lower: jax.Array
    upper: jax.Array
    gamma: jax.Array
    scad: jax.Array

    def _elastic_net(self) -> ElasticNet:
        return ElasticNet(self.alpha, self.penalty_factor, self.lower, self.upper)

    def _pieces(self, lam: jax.Array) -> _Pieces:
        l1 = lam * self.penalty_factor * self.alpha
        ridge = lam * self.penalty_factor * (1.0 - self.alpha)
        g = self.gamma
        return _Pieces(l1, ridge, jnp.where(self.scad, l1, 0.0), g * l1, jnp.where(self.scad, g * l1 / (g - 1.0), l1),
                       jnp.where(self.scad, 1.0 / (g - 1.0), 1.0 / g) * jnp.ones_like(l1))

    @staticmethod
    def _rho(u: jax.Array, pc: _Pieces) -> jax.Array:
        """``ρ(u) + c u²/2`` for ``u ≥ 0``."""
        m = jnp.clip(u, pc.t1, pc.t2)
        return pc.l1 * jnp.minimum(u, pc.t1) + pc.k1 * (m - pc.t1) - 0.5 * pc.k2 * (m * m - pc.t1 * pc.t1) \
            + 0.5 * pc.ridge * u * u

    def value(self, beta: jax.Array, lam: jax.Array) -> jax.Array:
        return jnp.sum(self._rho(jnp.abs(beta), self._pieces(lam)))

    def prox(self, z: jax.Array, step: jax.Array, lam: jax.Array) -> jax.Array:
        pc = self._pieces(lam)
        u = jnp.abs(z)
        cap = jnp.where(z >= 0, self.upper, -self.lower)  # room on the side of z (≥ 0)
        hc = 1.0 + step * pc.ridge
        d2 = hc - step * pc.k2  # curvature of the middle piece
        middle = jnp.where(d2 > 0, jnp.clip((u - step * pc.k1) / jnp.where(d2 > 0, d2, 1.0), pc.t1, pc.t2), pc.t1)
        candidates = jnp.stack([jnp.zeros_like(u), pc.t1, pc.t2, jnp.clip((u - step * pc.l1) / hc, 0.0, pc.t1),
                                middle, jnp.maximum(u / hc, pc.t2)])
        candidates = jnp.minimum(candidates, cap)
        objective = 0.5 * (candidates - u) ** 2 + step * self._rho(candidates, pc)
        best = jnp.take_along_axis(candidates, jnp.argmin(objective, axis=0)[None], axis=0)[0]
        return jnp.sign(z) * best

    def concave_grad(self, beta: jax.Array, lam: jax.Array) -> jax.Array:
        """``q'(b) = sign(b)(λ_j − ρ'(|b|))``, the gradient of the convex part subtracted from ``λ_j|b|``."""
        pc = self._pieces(lam)
        u = jnp.abs(beta)
        slope = jnp.where(u <= pc.t1, pc.l1, jnp.maximum(pc.k1 - pc.k2 * u, 0.0))
        return jnp.sign(beta) * (pc.l1 - slope)

    def majorize(self, beta: jax.Array, lam: jax.Array) -> Majorant:
        """The convex majorant's penalty at ``beta`` (module docstring): its duality gap certifies stationarity."""
        return Majorant(self._elastic_net(), self.concave_grad(beta, lam))

    def priority(self, beta: jax.Array, v: jax.Array, lam: jax.Array) -> jax.Array:
        # at zero the subdifferential is that of λ_j|b|, as for the lasso
        return self._elastic_net().priority(beta, v, lam)

    def restrict(self, idx: jax.Array) -> FoldedConcave:
        return self._replace(penalty_factor=self.penalty_factor[idx], lower=self.lower[idx], upper=self.upper[idx])

    def lambda_max(self, v: jax.Array) -> jax.Array:
        return self._elastic_net().lambda_max(v)
