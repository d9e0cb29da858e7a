"""Independent duality gaps for the families with a response axis (mgaussian, multinomial) and for Cox.

The same construction as :mod:`benchmarks.gap`: the primal objective at the returned coefficients, and the Fenchel
dual at a point built from the gradient of the loss, made feasible by a scale ``s`` (lasso) or measured through the
penalty's conjugate (elastic net). Penalties, for ``B`` (p, K) and α = ``l1_ratio``:

* mgaussian (glmnet's, grouped by feature): ``λ Σ_j [α ‖B_j‖₂ + (1−α)/2 ‖B_j‖₂²]``, ``B_j`` the K coefficients of
  feature j; its conjugate term is ``λ Σ_j (‖v_j‖₂ − α)₊² / (2(1−α))`` (α < 1), the indicator of
  ``max_j ‖v_j‖₂ ≤ 1`` (α = 1), at ``v = −Xᵀu / (nλ)``;
* multinomial (glmnet's default, ungrouped): ``λ Σ_jk [α |B_jk| + (1−α)/2 B_jk²]``, conjugate entrywise;
* cox (single response): the elastic net of :mod:`benchmarks.gap`.
"""

from __future__ import annotations

import numpy as np
from scipy.special import entr, logsumexp, softmax, xlogy

from benchmarks.problems import one_hot, risk_sets


def multi_penalty(B: np.ndarray, lam: np.ndarray, alpha: float, grouped: bool) -> np.ndarray:
    """The penalty of each λ for coefficients ``B`` (L, p, K); ``grouped``: the row norms ``‖B_j‖₂``."""
    l1 = np.linalg.norm(B, axis=2).sum(axis=1) if grouped else np.abs(B).sum(axis=(1, 2))
    return lam * (alpha * l1 + (1 - alpha) / 2 * (B**2).sum(axis=(1, 2)))


def dual_scaling(xtu: np.ndarray, n: int, lam: np.ndarray, alpha: float, grouped: bool
                 ) -> tuple[np.ndarray, np.ndarray]:
    """For ``Xᵀu`` (p, L, K) of a dual point with ``Σ_i u_i = 0``: the scale ``s`` (L,) that makes ``s u``
    feasible and the conjugate term ``λ g*(−Xᵀ s u / (nλ))`` (L,). ``grouped``: norms over the last axis."""
    norms = np.linalg.norm(xtu, axis=2) if grouped else np.abs(xtu)  # (p, L) or (p, L, K)
    norms = norms.reshape(norms.shape[0], norms.shape[1], -1)
    if alpha == 1.0:
        return np.minimum(1.0, n * lam / np.maximum(norms.max(axis=(0, 2)), 1e-300)), np.zeros_like(lam)
    excess = np.maximum(norms / (n * lam[None, :, None]) - alpha, 0.0)
    return np.ones_like(lam), lam * np.sum(excess**2, axis=(0, 2)) / (2 * (1 - alpha))


# ------------------------------------------------------------------------------------------------- mgaussian
def mgaussian_null(Y: np.ndarray) -> float:
    """``P(0) = 1/(2n) ‖Y − Ȳ‖_F²``."""
    return float(np.sum((Y - Y.mean(axis=0)) ** 2) / (2 * Y.shape[0]))


def mgaussian_gaps(X: np.ndarray, Y: np.ndarray, lam: np.ndarray, alpha: float, b0: np.ndarray,
                   B: np.ndarray) -> np.ndarray:
    """Absolute gaps of ``1/(2n) ‖Y − 1b0ᵀ − XB‖_F² + penalty`` (grouped), ``b0`` (L, K), ``B`` (L, p, K).

    As the Gaussian gap: the intercepts are profiled out by centring (``R = Y_c − X_c B`` sums to zero over the
    rows), the primal keeps the returned intercepts (``‖Y − 1b0ᵀ − XB‖² = ‖R‖² + n‖Ȳ − Bᵀx̄ − b0‖²``), and
    ``D = (‖Y_c‖² − ‖Y_c − sR‖²)/(2n) − conjugate term`` at ``u = −R``: scaled for the lasso, unscaled (the Fenchel
    dual of the elastic net) for α < 1."""
    n = X.shape[0]
    xm, ym = X.mean(axis=0), Y.mean(axis=0)
    Xc, Yc = X - xm, Y - ym
    R = Yc[None] - np.einsum("np,lpk->lnk", Xc, B)  # (L, n, K)
    shift = ym[None] - np.einsum("p,lpk->lk", xm, B) - b0  # (L, K)
    primal = (np.sum(R**2, axis=(1, 2)) + n * np.sum(shift**2, axis=1)) / (2 * n)
    primal = primal + multi_penalty(B, lam, alpha, grouped=True)
    s, conj = dual_scaling(np.einsum("np,lnk->plk", Xc, R), n, lam, alpha, grouped=True)
    dual = (np.sum(Yc**2) - np.sum((Yc[None] - s[:, None, None] * R) ** 2, axis=(1, 2))) / (2 * n) - conj
    return primal - dual


# ------------------------------------------------------------------------------------------------- multinomial
def multinomial_null(y: np.ndarray) -> float:
    """``P(0)``: the entropy of the class shares."""
    return float(entr(one_hot(y).mean(axis=0)).sum())


def multinomial_loss(eta: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Mean negative log-likelihood of linear predictors ``eta`` (L, n, K) for one-hot ``Y`` (n, K)."""
    return np.mean(logsumexp(eta, axis=2) - np.sum(Y[None] * eta, axis=2), axis=1)


def refit_intercepts(eta0: np.ndarray, Y: np.ndarray, start: np.ndarray, n_iter: int = 100) -> np.ndarray:
    """For each λ, intercepts ``c`` (L, K) with ``mean_i softmax(eta0_i + c) = Ȳ`` (the score equations of the
    unpenalized intercepts): damped Newton on the convex ``mean_i lse(eta0_i + c) − Ȳᵀc`` over the first K − 1
    classes (the last is fixed: the loss is invariant to a common shift), vectorized over λ."""
    ybar = Y.mean(axis=0)
    c = np.nan_to_num(start - start[:, -1:], nan=0.0)

    def objective(c: np.ndarray) -> np.ndarray:
        return np.mean(logsumexp(eta0 + c[:, None, :], axis=2), axis=1) - c @ ybar

    f = objective(c)
    for _ in range(n_iter):
        mu = softmax(eta0 + c[:, None, :], axis=2)  # (L, n, K)
        g = (mu.mean(axis=1) - ybar)[:, :-1]
        if np.max(np.abs(g)) <= 1e-15:
            break
        m = mu[:, :, :-1]
        eye = np.eye(m.shape[2])
        H = m.mean(axis=1)[:, :, None] * eye - np.einsum("lnk,lnj->lkj", m, m) / m.shape[1]  # mean diag(μ) − μμᵀ
        step = np.zeros_like(c)
        step[:, :-1] = np.linalg.solve(H, g[:, :, None])[:, :, 0]
        t = np.ones(c.shape[0])
        for _ in range(30):  # halve the step of the λ whose objective would increase
            trial = c - t[:, None] * step
            f_new = objective(trial)
            worse = f_new > f + 1e-16 * np.abs(f)
            if not worse.any():
                break
            t = np.where(worse, t / 2, t)
        c, f = np.where(worse[:, None], c, trial), np.where(worse, f, f_new)
    return c


def multinomial_gaps(X: np.ndarray, y: np.ndarray, lam: np.ndarray, alpha: float, b0: np.ndarray,
                     B: np.ndarray) -> np.ndarray:
    """Absolute gaps of the ungrouped multinomial lasso / elastic net, ``b0`` (L, K), ``B`` (L, p, K).

    With ``f_i(η) = lse(η) − Y_iᵀη`` the conjugate is ``f_i*(u) = Σ_k q_k log q_k`` on the simplex
    ``q = Y_i + u``, so ``D(u) = 1/n Σ_i Σ_k H(q_ik) − λ g*(−Xᵀu / (nλ))`` subject to ``Σ_i u_i = 0`` (the
    intercepts). The dual point is ``u = softmax(η) − Y`` with the intercepts re-fitted for the returned ``B``
    (which makes ``Σ_i u_i = 0``), scaled by ``s`` for the lasso: ``q = (1 − s) Y + s softmax(η)`` stays in the
    simplex. The primal keeps the returned intercepts."""
    n = X.shape[0]
    Y = one_hot(y)
    Y = np.pad(Y, ((0, 0), (0, B.shape[2] - Y.shape[1])))  # a class absent from y
    eta0 = np.einsum("np,lpk->lnk", X, B)
    primal = multinomial_loss(eta0 + b0[:, None, :], Y) + multi_penalty(B, lam, alpha, grouped=False)
    c = refit_intercepts(eta0, Y, b0)
    mu = softmax(eta0 + c[:, None, :], axis=2)
    s, conj = dual_scaling(np.einsum("np,lnk->plk", X - X.mean(axis=0), mu - Y[None]), n, lam, alpha, grouped=False)
    q = (1 - s[:, None, None]) * Y[None] + s[:, None, None] * mu
    dual = np.sum(entr(q), axis=(1, 2)) / n - conj
    return primal - dual


# ------------------------------------------------------------------------------------------------- cox
def cox_null(y: np.ndarray) -> float:
    """``P(0) = 1/n Σ_{events} log |R_i|``."""
    _, last = risk_sets(y[:, 0])
    return float(np.sum(y[:, 1] * np.log(last + 1.0)) / y.shape[0])


def cox_gaps(X: np.ndarray, y: np.ndarray, lam: np.ndarray, alpha: float, B: np.ndarray) -> np.ndarray:
    """Absolute gaps of the Cox elastic net (Breslow, no intercept), ``B`` (L, p).

    The loss is a sum over events of ``ℓ_i(η) = (lse_{R_i}(η) − η_i)/n``, and ``ℓ_i*((π − e_i)/n) = 1/n Σ_j π_j
    log π_j`` for ``π`` in the simplex on the risk set ``R_i``. A sum's conjugate is the infimal convolution of the
    conjugates, so for ``v = Σ_i (π_i − e_i)/n`` any such ``π_i`` give ``L*(v) ≤ 1/n Σ_i Σ_j π_ij log π_ij``.
    At ``π_i = softmax_{R_i}(η)`` (then ``v = ∇L(η)``) this holds with equality; for the lasso the point ``s v``
    is reached with ``π'_i = (1 − s) e_i + s π_i``, still in the simplex on ``R_i`` since ``i ∈ R_i``. Then
    ``D = −L*(s v) − λ g*(−Xᵀ s v / λ)`` bounds the optimum from below (no constraint: there is no intercept)."""
    n = X.shape[0]
    time, status = y[:, 0], y[:, 1]
    eta = X @ B.T  # (n, L)
    order, last = risk_sets(time)
    m = eta.max(axis=0)
    e = np.exp(eta - m)
    W = np.cumsum(e[order], axis=0)[last]  # Σ_{R_i} e_j, e_j = e^{η_j − m}
    # the Breslow partial likelihood / n, plus the penalty
    primal = np.sum(status[:, None] * (np.log(W) + m - eta), axis=0) / n + multi_penalty(B[:, :, None], lam, alpha,
                                                                                         grouped=False)
    A = np.cumsum((e * eta)[order], axis=0)[last] / W - m - np.log(W)  # Σ_{R_i} π_ij log π_ij
    pii = e / W
    # u = n v: u_j = e_j Σ_{events i: t_i ≤ t_j} 1/W_i − δ_j
    asc = np.argsort(time, kind="stable")
    upto = np.searchsorted(time[asc], time, side="right") - 1
    u = e * np.cumsum((status[:, None] / W)[asc], axis=0)[upto] - status[:, None]
    s, conj = dual_scaling(((X - X.mean(axis=0)).T @ u)[:, :, None], n, lam, alpha, grouped=False)
    a = 1 - s + s * pii
    ent = xlogy(a, a) + xlogy(s, s) + s * A - xlogy(s * pii, s * pii)  # Σ_j π'_ij log π'_ij
    dual = -np.sum(status[:, None] * ent, axis=0) / n - conj
    return primal - dual
