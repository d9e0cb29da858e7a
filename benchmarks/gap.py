"""Independent float64 duality gaps for a returned path: the certificate every solver is judged by.

Given the data, the λ grid, α and the ``(intercept, coef)`` a solver returned at each λ, this module recomputes the
primal objective and a dual-feasible point *from the coefficients alone* and reports ``(P − D) / P(0)``. It uses
no solver's code (jaxreg's included), so a solver that stops early, solves a different objective (a different
scaling of λ, a penalized intercept, …) or returns garbage gets a large gap instead of a good time.

Objectives (no weights, unit penalty factors, no standardization), α = ``l1_ratio`` ∈ (0, 1]:

* gaussian: ``P(b0, b) = 1/(2n) ‖y − b0 − Xb‖² + λ (α‖b‖₁ + (1−α)/2 ‖b‖²)``
* binomial (y ∈ {0, 1}): ``P(b0, b) = 1/n Σ [log(1 + e^{η_i}) − y_i η_i] + λ (…)``, ``η = b0 + Xb``
* poisson (counts y ≥ 0): ``P(b0, b) = 1/n Σ [e^{η_i} − y_i η_i − (y_i − y_i log y_i)] + λ (…)``, half the Poisson
  deviance (the constant makes ``P ≥ 0``; glmnet's objective, up to that constant)

``P(0)`` is the objective at ``b = 0`` with the intercept fitted: ``1/(2n)‖y − ȳ‖²``, resp. the binary entropy
``H(ȳ)``, resp. ``1/n Σ y_i log(y_i / ȳ)``. The multinomial, mgaussian and cox families are in
:mod:`benchmarks.gap_multi`; :func:`relative_gaps` dispatches on the family. Weak duality gives
``P(b0, b) − P* ≤ P(b0, b) − D(θ)`` for every dual-feasible θ, so a small gap is a certificate whatever the solver
did.
"""

from __future__ import annotations

import numpy as np
from scipy.special import entr, expit, xlogy

from benchmarks import gap_multi
from benchmarks.problems import BINOMIAL, COX, GAUSSIAN, MGAUSSIAN, MULTI_RESPONSE, MULTINOMIAL, POISSON


def penalty(coefs: np.ndarray, lam: np.ndarray, l1_ratio: float) -> np.ndarray:
    """``λ (α‖b‖₁ + (1−α)/2 ‖b‖²)`` per row of ``coefs`` (L, p)."""
    return lam * (l1_ratio * np.abs(coefs).sum(axis=1) + (1 - l1_ratio) / 2 * (coefs**2).sum(axis=1))


def null_objective(y: np.ndarray, family: str) -> float:
    """``P(0)``: the objective with all coefficients zero and the intercept fitted."""
    if family == GAUSSIAN:
        return float(np.mean((y - y.mean()) ** 2) / 2)
    if family == BINOMIAL:
        return float(entr(y.mean()) + entr(1 - y.mean()))
    if family == POISSON:
        return float(np.mean(xlogy(y, y) - y * np.log(y.mean())))
    if family == MULTINOMIAL:
        return gap_multi.multinomial_null(y)
    if family == MGAUSSIAN:
        return gap_multi.mgaussian_null(y)
    if family == COX:
        return gap_multi.cox_null(y)
    raise ValueError(f"unsupported family {family!r}")


def primal_objective(X: np.ndarray, y: np.ndarray, family: str, lambdas: np.ndarray, l1_ratio: float,
                     intercepts: np.ndarray, coefs: np.ndarray) -> np.ndarray:
    """``P(b0, b)`` at each λ for the returned intercepts (L,) and coefficients (L, p)."""
    eta = X @ coefs.T + intercepts  # (n, L)
    if family == GAUSSIAN:
        loss = np.mean((y[:, None] - eta) ** 2, axis=0) / 2
    elif family == POISSON:
        loss = np.mean(np.exp(eta) - y[:, None] * eta, axis=0) - np.mean(y - xlogy(y, y))
    else:
        loss = np.mean(np.logaddexp(0.0, eta) - y[:, None] * eta, axis=0)
    return loss + penalty(coefs, lambdas, l1_ratio)


def _gaussian_gaps(X: np.ndarray, y: np.ndarray, lambdas: np.ndarray, alpha: float, b0: np.ndarray,
                   B: np.ndarray) -> np.ndarray:
    """Absolute gaps ``P − D``, with D the better of two dual-feasible points built from the residual.

    The intercept is profiled out by centring: ``r = y_c − X_c b`` sums to zero over the observations (the
    intercept's dual constraint). The primal uses the *returned* intercept, so a wrong intercept shows up as a
    larger gap: ``‖y − b0 − Xb‖² = ‖r‖² + n (ȳ − x̄ᵀb − b0)²``.

    1. conventions.md item 8 — the elastic net as a lasso on augmented data ``X̃ = [X_c; √(nλ(1−α)) I]``,
       ``ỹ = [y_c; 0]``, ``r̃ = [r; −√(nλ(1−α)) b]``: ``θ = r̃ / max(nλα, ‖X̃ᵀ r̃‖∞)``,
       ``D₁ = (‖ỹ‖² − ‖ỹ − nλαθ‖²)/(2n)``.
    2. For α < 1, the Fenchel dual of the elastic net itself, at the unscaled residual:
       ``D₂ = (2 r·y_c − ‖r‖²)/(2n) − λ Σ_j (|x_jᵀr|/(nλ) − α)₊² / (2(1−α))``. The elastic-net conjugate is finite
       everywhere, so no rescaling is needed; near the optimum this point is much tighter than (1), whose
       rescaling by ``nλα / ‖X̃ᵀ r̃‖∞`` makes its gap only linear in the error of ``b`` (a path that is within
       1e-7·P(0) of optimal can show a gap of 1e-4 with (1) alone). For α = 1, (2) is the same point as (1).

    Both are valid lower bounds on the optimal value, so ``P − max(D₁, D₂)`` still bounds ``P − P*``.
    """
    n = X.shape[0]
    xm, ym = X.mean(axis=0), y.mean()
    Xc, yc = X - xm, y - ym
    R = yc[:, None] - Xc @ B.T  # (n, L) residuals with the optimal intercept
    shift = ym - B @ xm - b0  # (L,) how far the returned intercept is from the optimal one
    rss = np.sum(R**2, axis=0)
    ridge = n * lambdas * (1 - alpha)  # (L,) squared weight of the augmented rows
    bsq = np.sum(B**2, axis=1)
    primal = (rss + n * shift**2) / (2 * n) + penalty(B, lambdas, alpha)
    xtr = Xc.T @ R  # (p, L)
    corr = xtr - ridge * B.T  # X̃ᵀ r̃
    l1 = n * lambdas * alpha
    kappa = l1 / np.maximum(l1, np.max(np.abs(corr), axis=0))  # nλα θ = κ r̃
    dual = (yc @ yc - np.sum((yc[:, None] - kappa * R) ** 2, axis=0) - kappa**2 * ridge * bsq) / (2 * n)
    if alpha < 1.0:
        excess = np.maximum(np.abs(xtr) / (n * lambdas) - alpha, 0.0)
        fenchel = (2 * (yc @ R) - rss) / (2 * n) - lambdas * np.sum(excess**2, axis=0) / (2 * (1 - alpha))
        dual = np.maximum(dual, fenchel)
    return primal - dual


def refit_intercept(eta0: np.ndarray, y: np.ndarray, start: np.ndarray, n_iter: int = 100) -> np.ndarray:
    """For each column of ``eta0`` (n, L), the intercept ``c`` with ``mean σ(eta0 + c) = ȳ`` (score equation of
    the unpenalized intercept), by Newton's method safeguarded with bisection (vectorized over columns)."""
    ybar = y.mean()
    logit = np.log(ybar / (1 - ybar))
    lo = logit - eta0.max(axis=0) - 1.0  # there mean σ(eta0 + c) < ȳ
    hi = logit - eta0.min(axis=0) + 1.0  # there mean σ(eta0 + c) > ȳ
    c = np.clip(np.nan_to_num(start, nan=logit), lo, hi)
    for _ in range(n_iter):
        mu = expit(eta0 + c)
        f = mu.mean(axis=0) - ybar
        lo = np.where(f < 0, c, lo)
        hi = np.where(f > 0, c, hi)
        slope = np.mean(mu * (1 - mu), axis=0)
        newton = c - f / np.maximum(slope, 1e-300)
        inside = (newton > lo) & (newton < hi)
        c_new = np.where(inside, newton, (lo + hi) / 2)
        if np.all(np.abs(c_new - c) <= 1e-15 * (1 + np.abs(c))):
            return c_new
        c = c_new
    return c


def _binomial_gaps(X: np.ndarray, y: np.ndarray, lambdas: np.ndarray, alpha: float, b0: np.ndarray,
                   B: np.ndarray) -> np.ndarray:
    """Absolute gaps for the penalized logistic regression, through the Fenchel dual of the log-loss.

    With ``f_i(η) = log(1 + e^η) − y_i η`` the conjugate is ``f_i*(u) = −H(y_i + u)`` (H: binary entropy in nats,
    domain ``y_i + u ∈ [0, 1]``), and the dual reads
    ``D(u) = 1/n Σ H(y_i + u_i) − λ g*(−Xᵀu / (nλ))`` subject to ``Σ u_i = 0`` — the constraint comes from the
    unpenalized intercept — where ``g*`` is the conjugate of ``g(b) = α‖b‖₁ + (1−α)/2 ‖b‖²``:
    ``g*(v) = Σ_j (|v_j| − α)₊² / (2(1−α))`` for α < 1, the indicator of ``‖v‖∞ ≤ 1`` for α = 1.

    The dual point is the residual of the returned coefficients, ``u = σ(η) − y``, with two fixes. (1) The returned
    intercept need not satisfy ``Σ u = 0`` exactly, and projecting ``u`` onto ``Σ u = 0`` could push ``y + u`` out
    of [0, 1]; instead the intercept is *re-fitted* for the given ``b`` (a 1-D score equation), which makes
    ``Σ u = 0`` hold exactly and keeps ``y + u = σ(η)`` inside [0, 1]. (2) For the lasso ``u`` is scaled by
    ``s = min(1, nλα / ‖Xᵀu‖∞)``; ``y + s u = (1−s) y + s σ(η)`` stays in [0, 1] and ``Σ s u = 0`` still holds.
    The primal keeps the returned intercept, so the re-fit never hides a wrong intercept.
    """
    primal = primal_objective(X, y, BINOMIAL, lambdas, alpha, b0, B)
    eta0 = X @ B.T  # (n, L) without intercept
    c = refit_intercept(eta0, y, b0)
    eta = eta0 + c
    mu = expit(eta)
    s, conj = _dual_scaling(X, mu - y[:, None], lambdas, alpha)
    # q = y + s u = (1−s) y + s σ(η) and 1 − q = (1−s)(1−y) + s σ(−η), both without cancellation
    yy = y[:, None]
    q = (1 - s) * yy + s * mu
    q1 = (1 - s) * (1 - yy) + s * expit(-eta)
    dual = np.mean(entr(q) + entr(q1), axis=0) - conj
    return primal - dual


def _dual_scaling(X: np.ndarray, u: np.ndarray, lambdas: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """For a GLM's dual point ``u`` (n, L) with ``Σ u = 0``: the scale ``s`` that makes ``s u`` feasible and the
    penalty's conjugate term ``λ g*(−Xᵀ s u / (nλ))`` (see :func:`_binomial_gaps`)."""
    xtu = (X - X.mean(axis=0)).T @ u  # = Xᵀu since Σu = 0; centring reduces cancellation
    return gap_multi.dual_scaling(xtu[:, :, None], X.shape[0], lambdas, alpha, grouped=False)


def _poisson_gaps(X: np.ndarray, y: np.ndarray, lambdas: np.ndarray, alpha: float, b0: np.ndarray,
                  B: np.ndarray) -> np.ndarray:
    """Absolute gaps for the penalized Poisson regression, as :func:`_binomial_gaps` with the Poisson conjugate.

    With ``f_i(η) = e^η − y_i η − (y_i − y_i log y_i)``, ``f_i*(u) = q log q − q + (y_i − y_i log y_i)`` with
    ``q = y_i + u ≥ 0``, so ``D(u) = 1/n Σ [H(q_i) + q_i − H(y_i) − y_i] − λ g*(−Xᵀu / (nλ))`` subject to
    ``Σ u = 0`` (``H(q) = −q log q``). The dual point is ``u = μ − y`` with the intercept re-fitted for the returned
    ``b`` (in closed form, ``Σ μ = Σ y``), scaled by ``s`` for the lasso: ``q = (1 − s) y + s μ ≥ 0`` stays in the
    domain. The primal keeps the returned intercept."""
    primal = primal_objective(X, y, POISSON, lambdas, alpha, b0, B)
    eta0 = X @ B.T  # (n, L) without intercept
    shift = eta0.max(axis=0)  # e^{η0 − shift} ≤ 1: no overflow
    c = np.log(y.sum()) - np.log(np.sum(np.exp(eta0 - shift), axis=0)) - shift
    mu = np.exp(eta0 + c)
    s, conj = _dual_scaling(X, mu - y[:, None], lambdas, alpha)
    q = (1 - s) * y[:, None] + s * mu
    dual = np.mean(entr(q) + q, axis=0) - np.mean(entr(y) + y) - conj
    return primal - dual


def relative_gaps(X: np.ndarray, y: np.ndarray, family: str, lambdas: np.ndarray, l1_ratio: float,
                  intercepts: np.ndarray, coefs: np.ndarray) -> np.ndarray:
    """Duality gap relative to ``P(0)`` at each λ, in float64.

    ``intercepts`` (L,) and ``coefs`` (L, p) are what a solver returned for the decreasing grid ``lambdas`` (L,);
    (L, K) and (L, p, K) for multinomial and mgaussian; cox ignores the intercepts (the model has none).
    Non-finite coefficients give an infinite gap.
    """
    if not 0.0 < l1_ratio <= 1.0:
        raise ValueError("l1_ratio must be in (0, 1]")
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    lambdas = np.asarray(lambdas, dtype=np.float64)
    L, p = len(lambdas), X.shape[1]
    if family in MULTI_RESPONSE:
        B = np.asarray(coefs, dtype=np.float64).reshape(L, p, -1)
        b0 = np.asarray(intercepts, dtype=np.float64).reshape(L, B.shape[2])
    else:
        B = np.asarray(coefs, dtype=np.float64).reshape(L, p)
        b0 = np.zeros(L) if family == COX else np.asarray(intercepts, dtype=np.float64).reshape(-1)
    flat = B.reshape(L, -1)
    bad = ~(np.isfinite(flat).all(axis=1) & np.isfinite(b0.reshape(L, -1)).all(axis=1))
    B = np.where(bad.reshape((L,) + (1,) * (B.ndim - 1)), 0.0, B)
    b0 = np.where(bad.reshape((L,) + (1,) * (b0.ndim - 1)), 0.0, b0)
    if family == GAUSSIAN:
        gaps = _gaussian_gaps(X, y, lambdas, l1_ratio, b0, B)
    elif family == BINOMIAL:
        gaps = _binomial_gaps(X, y, lambdas, l1_ratio, b0, B)
    elif family == POISSON:
        gaps = _poisson_gaps(X, y, lambdas, l1_ratio, b0, B)
    elif family == MGAUSSIAN:
        gaps = gap_multi.mgaussian_gaps(X, y, lambdas, l1_ratio, b0, B)
    elif family == MULTINOMIAL:
        gaps = gap_multi.multinomial_gaps(X, y, lambdas, l1_ratio, b0, B)
    elif family == COX:
        gaps = gap_multi.cox_gaps(X, y, lambdas, l1_ratio, B)
    else:
        raise ValueError(f"unsupported family {family!r}")
    rel = gaps / null_objective(y, family)
    return np.where(bad, np.inf, rel)
