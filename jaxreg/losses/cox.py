"""Cox proportional hazards: glmnet's Breslow partial likelihood, measured from the saturated model.

With samples sorted by time, death weights ``c_i = ω_i δ_i`` (``ω = w / n``, summing to 1; ``δ`` the event
indicator), the risk set ``R(i) = {j : t_j ≥ t_i}`` and ``S_i = Σ_{j ∈ R(i)} ω_j e^{η_j}``,

    f(b) = Σ_i c_i [ log S_i − η_i ] − Σ_k d_k log d_k,   η = X b + offset,

where ``d_k`` is the death weight at the k-th distinct death time (Breslow's tie handling: tied deaths share one
risk set). The constant is the saturated model's value, so ``f ≥ 0`` and ``1 − f(b)/f(0)`` is glmnet's
``dev.ratio``. There is no intercept: ``f`` does not change when a constant is added to ``η``.

Derivatives in ``η``: ``∇ = e ⊙ A − c`` with ``e_j = ω_j e^{η_j}`` and ``A_j = Σ_{i : t_i ≤ t_j} c_i / S_i`` (the
weighted Nelson–Aalen cumulative hazard); the Hessian ``diag(e ⊙ A) − Σ_k d_k π_k π_kᵀ`` (``π_k = e 1_{R_k} / S_k``)
is at most ``diag(e ⊙ A)``. That bound at the null fit, ``Xᵀ diag(e⁰ ⊙ A⁰) X``, is the reference curvature for the
smallest step (backtracking adapts it, as for poisson); :meth:`Cox.hess_block` is exact. Sums over risk sets are
reverse cumulative sums, so everything is ``O(n)`` beyond the products with ``X``; ties use the first (risk sets) and
last (cumulative hazards) position of each time.

Dual: ``f = Σ_k g_k(η) − cᵀ(η + o) − Σ_k d_k log d_k`` with ``g_k = d_k log S_k`` a log-sum-exp over ``R_k``, whose
conjugate is a relative entropy. At the dual point ``s·∇``, ``s·∇ + c = Σ_k u_k`` with
``u_k = s d_k π_k + (1 − s) c^{(k)}`` (``c^{(k)}`` the deaths at time ``k``): each ``u_k ≥ 0`` lives on ``R_k``
and sums to ``d_k``, so

    f^*(s ∇) ≤ Σ_k Σ_{j ∈ R_k} u_kj [ log(u_kj / (d_k ω_j)) − o_j ] + cᵀo + Σ_k d_k log d_k,

an upper bound whose negative is a valid dual value (exact at ``s = 1``: Fenchel–Young holds for each ``g_k``, so
the gap vanishes at the optimum). Only the deaths' own terms mix the two parts; the rest are risk-set sums.

**Strata** (glmnet's ``stratifySurv``): each stratum has its own baseline hazard, so ``f`` is the sum of the
strata's partial likelihoods. Rows are sorted by (stratum, time) and every risk set and cumulative hazard stops at
its stratum's end: the cumulative sums above become segmented ones, restarting at each stratum (the formulas,
including the dual, hold stratum by stratum).

**Start–stop data** (glmnet's ``Surv(start, stop, status)``, counting-process form): a row is at risk on
``(start, stop]`` and ``t`` is its stop time, so ``R(i) = {j : start_j < t_i ≤ t_j}`` (same stratum). Rows are still
sorted by (stratum, stop); a risk-set sum is the one above less the sum over the rows that have not entered yet
(``start_j ≥ t_i``), a reverse cumulative sum in (stratum, start) order read at each time's entry position, and a
row's cumulative hazard is the one at its stop less the one at its start. Nothing else changes: the dual bound holds
for any risk sets that contain their own deaths.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax import lax
from jax.scipy.special import xlogy


class CoxAux(NamedTuple):
    """What :meth:`Cox.dual_value` needs from :meth:`Cox.dual_parts` (sorted order)."""

    eta: jax.Array  # X b (without the offset)
    log_s: jax.Array  # log S at each sample's risk set
    rho: jax.Array  # e_i / S_i
    risk_mean: jax.Array  # Σ_{R(i)} e η / S_i: the mean of η over the risk set


class CoxEntry(NamedTuple):
    """Start–stop data, rows in (stratum, stop) order: ``order`` sorts them by (stratum, start); ``later[i]`` counts
    the rows before (stratum_i, t_i) in that order (those of earlier strata or entering before ``t_i``) and ``end[i]``
    those of strata up to row i's, so the rows not yet at risk at ``t_i`` are positions ``later[i] … end[i] − 1``;
    ``seen[i]`` is the last row (in stop order, same stratum) with ``t ≤ start_i``, −1 if none."""

    order: jax.Array
    later: jax.Array
    end: jax.Array
    seen: jax.Array


def _count_before(stratum_a: jax.Array, time_a: jax.Array, stratum_b: jax.Array, time_b: jax.Array,
                  ties_first: bool) -> jax.Array:
    """For each item of ``b``: how many items of ``a`` sort before it by (stratum, time), counting ``a``'s items at
    an equal (stratum, time) too when ``ties_first``. A stable sort of both together, so comparisons are exact."""
    na = stratum_a.shape[0]
    kind = jnp.concatenate([jnp.zeros(na, jnp.int32), jnp.ones(stratum_b.shape[0], jnp.int32)])
    # at equal (stratum, time), the a-items sort first when ties count, else last
    order = jnp.lexsort((kind if ties_first else -kind, jnp.concatenate([time_a, time_b]),
                         jnp.concatenate([stratum_a, stratum_b])))
    is_a = order < na
    before = (jnp.cumsum(is_a) - is_a).astype(jnp.int32)  # a-items strictly before each position
    nb = stratum_b.shape[0]
    return jnp.zeros(nb, jnp.int32).at[jnp.where(is_a, nb, order - na)].set(before, mode="drop")


class Cox(NamedTuple):
    """Breslow partial likelihood on rows sorted by time (see the module docstring); weights ``ω`` sum to 1."""

    x: jax.Array  # (n, p) rows sorted by time
    death: jax.Array  # (n,) c = ω δ
    omega: jax.Array  # (n,)
    offset: jax.Array  # (n,)
    first: jax.Array  # (n,) int: first position of each sample's time (its risk set starts there)
    last: jax.Array  # (n,) int: last position of each sample's time
    tied: jax.Array  # (n,) d: the death weight at each sample's time
    sat: jax.Array  # Σ_k d_k log d_k
    curv: jax.Array  # (n,) e⁰ A⁰: the reference curvature weights
    col_sq: jax.Array  # (p,) Σ curv x_j²
    starts: jax.Array | None = None  # (n,) bool: first row of a stratum (None: one stratum)
    entry: CoxEntry | None = None  # start–stop data: where each row enters (None: every row at risk from time 0)

    @classmethod
    def from_data(cls, x: jax.Array, time: jax.Array, status: jax.Array, omega: jax.Array,
                  offset: jax.Array | None = None, strata: jax.Array | None = None,
                  start: jax.Array | None = None) -> "Cox":
        """The loss of ``(time, status)`` with weights ``omega`` summing to 1 (rows are sorted here, stably, by
        stratum then time; ``strata``: a stratum label per row, or None for one; ``start``: start–stop data, each
        row at risk on ``(start, time]``)."""
        order = jnp.argsort(time, stable=True)
        if strata is not None:
            order = order[jnp.argsort(strata[order], stable=True)]
        t = time[order]
        omega = omega[order]
        offset = jnp.zeros_like(t) if offset is None else offset[order]
        death = omega * status[order]
        idx = jnp.arange(t.shape[0])
        starts = None if strata is None else jnp.concatenate([jnp.ones(1, bool), jnp.diff(strata[order]) != 0])
        # tied times: positions of the first and last row with the same (stratum, time)
        new = jnp.concatenate([jnp.ones(1, bool), jnp.diff(t) != 0]) | (False if starts is None else starts)
        first = lax.cummax(jnp.where(new, idx, 0))
        ends = jnp.append(new[1:], True)
        last = lax.cummin(jnp.where(ends, idx, t.shape[0]), reverse=True)
        cum = jnp.cumsum(death)
        tied = cum[last] - cum[first] + death[first]
        sat = jnp.sum(xlogy(death, jnp.where(death > 0, tied, 1.0)))
        entry = None
        if start is not None:
            group = jnp.zeros(t.shape[0], jnp.int32) if strata is None else strata[order].astype(jnp.int32)
            begin = start[order]
            by_start = jnp.lexsort((begin, group))
            later = _count_before(group, begin, group, t, ties_first=False)  # entered strictly before t
            seen = _count_before(group, t, group, begin, ties_first=True) - 1
            # rows are in (stratum, stop) order: each stratum's rows are one run of positions
            first_of_group = jnp.searchsorted(group, group, side="left")
            end = jnp.searchsorted(group, group, side="right")
            entry = CoxEntry(by_start, later, end, jnp.where(seen >= first_of_group, seen, -1))
        loss = cls(x[order], death, omega, offset, first, last, tied, sat, omega, omega @ (x * x), starts, entry)
        curv = loss._grad_eta(jnp.zeros_like(t))[1]
        return loss._replace(curv=curv, col_sq=curv @ (loss.x * loss.x))

    def _cumsum(self, v: jax.Array, reverse: bool = False) -> jax.Array:
        """Cumulative sums along the rows (from the end with ``reverse``), restarting at each stratum."""
        if self.starts is None:
            return jnp.cumsum(v[::-1], axis=0)[::-1] if reverse else jnp.cumsum(v, axis=0)
        reset = self.starts if not reverse else jnp.append(self.starts[1:], True)
        reset = reset.reshape(reset.shape + (1,) * (v.ndim - 1))

        def add(a: tuple[jax.Array, jax.Array], b: tuple[jax.Array, jax.Array]) -> tuple[jax.Array, jax.Array]:
            return jnp.where(b[1], b[0], a[0] + b[0]), a[1] | b[1]

        return lax.associative_scan(add, (v, jnp.broadcast_to(reset, v.shape)), reverse=reverse)[0]

    def _risk_sum(self, v: jax.Array) -> jax.Array:
        """``Σ_{j ∈ R(i)} v_j`` for each row ``i``: the reverse cumulative sum at the first row of its time, less,
        for start–stop data, the rows of its stratum that enter at or after its time."""
        total = self._cumsum(v, reverse=True)[self.first]
        if self.entry is None:
            return total
        tail = jnp.cumsum(v[self.entry.order][::-1], axis=0)[::-1]
        tail = jnp.concatenate([tail, jnp.zeros_like(tail[:1])])  # position n: nothing left
        return total - (tail[self.entry.later] - tail[self.entry.end])

    def _hazard(self, s: jax.Array) -> jax.Array:
        """Each row's cumulative hazard ``Σ c_i / S_i`` over the deaths ``i`` whose risk sets hold it."""
        cum = self._cumsum(self.death / s)
        hazard = cum[self.last]
        if self.entry is None:
            return hazard
        return hazard - jnp.where(self.entry.seen >= 0, cum[jnp.maximum(self.entry.seen, 0)], 0.0)

    def _risk(self, eta: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array]:
        """``e`` (shifted by the largest ``η`` for safety), ``S`` at each sample's risk set and ``log S``."""
        z = eta + self.offset
        top = lax.stop_gradient(jnp.max(jnp.where(self.omega > 0, z, -jnp.inf)))
        top = jnp.where(jnp.isfinite(top), top, 0.0)
        e = self.omega * jnp.exp(z - top)
        s = self._risk_sum(e)
        s = jnp.where(s > 0, s, 1.0)
        return e, s, jnp.log(s) + top

    def _value(self, eta: jax.Array) -> tuple[jax.Array, tuple[jax.Array, jax.Array, jax.Array]]:
        e, s, log_s = self._risk(eta)
        return self.death @ (log_s - eta - self.offset) - self.sat, (e, s, log_s)

    def _grad_eta(self, eta: jax.Array) -> tuple[jax.Array, jax.Array]:
        """The gradient in ``η`` and the curvature bound ``e ⊙ A``."""
        e, s, _ = self._risk(eta)
        bound = e * self._hazard(s)
        return bound - self.death, bound

    def value(self, beta: jax.Array) -> jax.Array:
        return self._value(self.x @ beta)[0]

    def grad(self, beta: jax.Array) -> jax.Array:
        return self._grad_eta(self.x @ beta)[0] @ self.x

    def hess_matvec(self, v: jax.Array) -> jax.Array:
        return (self.curv * (self.x @ v)) @ self.x

    def diag(self) -> jax.Array:
        return self.col_sq

    def hess_block(self, beta: jax.Array, idx: jax.Array) -> jax.Array:
        eta = self.x @ beta
        e, s, _ = self._risk(eta)
        bound = e * self._hazard(s)
        xb = self.x[:, idx]
        # the risk-set means of the chosen columns, one row per sample
        means = self._risk_sum(e[:, None] * xb) / s[:, None]
        return xb.T @ (bound[:, None] * xb) - means.T @ (self.death[:, None] * means)

    def dual_parts(self, beta: jax.Array) -> tuple[jax.Array, jax.Array, CoxAux]:
        eta = self.x @ beta
        f, (e, s, log_s) = self._value(eta)
        grad = (e * self._hazard(s) - self.death) @ self.x
        risk_mean = self._risk_sum(e * eta) / s
        return f, grad, CoxAux(eta, log_s, e / s, risk_mean)

    def dual_value(self, s: jax.Array, aux: CoxAux) -> jax.Array:
        c, d = self.death, self.tied
        is_death = c > 0
        safe_d = jnp.where(is_death, d, 1.0)
        slog = xlogy(s, s)
        # every risk set's share s d_k π_k, with the non-death formula log(s π / ω) − o = log s + η − log S
        spread = c @ (slog - s * aux.log_s + s * aux.risk_mean)
        # the deaths' own entries: replace s d π by u = s d π + (1 − s) ω
        sdp = s * d * aux.rho
        u = sdp + (1.0 - s) * c
        ratio = jnp.where(is_death, s * aux.rho / jnp.where(is_death, self.omega, 1.0) + (1.0 - s) / safe_d, 1.0)
        own = -(sdp * (slog / jnp.where(s > 0, s, 1.0) + aux.eta - aux.log_s)) + xlogy(u, ratio) - u * self.offset
        return -(spread + jnp.sum(jnp.where(is_death, own, 0.0))) - c @ self.offset - self.sat

    def restrict(self, idx: jax.Array, beta: jax.Array) -> "Cox":
        """The loss as a function of ``beta[idx]`` alone, the other coefficients held at their values in ``beta``."""
        others = beta.at[idx].set(0.0)
        offset = lax.cond(jnp.any(others != 0), lambda: self.offset + self.x @ others, lambda: self.offset)
        return self._replace(x=self.x[:, idx], offset=offset, col_sq=self.col_sq[idx])
