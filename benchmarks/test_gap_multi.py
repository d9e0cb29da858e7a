"""Unit checks of the mgaussian, multinomial and cox gaps (``python -m pytest benchmarks/test_gap_multi.py``).

References are independent of every solver the harness compares: scikit-learn's multi-task ``enet_path`` for
mgaussian; for multinomial and cox, losses written here in the most direct form (an O(n²) risk-set mask for Cox),
minimized by L-BFGS-B on the split ``b = b⁺ − b⁻``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.special import logsumexp, softmax
from sklearn.linear_model import enet_path

from benchmarks.gap import null_objective, relative_gaps
from benchmarks.problems import COX, MGAUSSIAN, MULTINOMIAL, cox_null_gradient, lambda_grid, one_hot


def _prox_grad(value: Callable, grad: Callable, w: np.ndarray, penalized: np.ndarray, lam: float, alpha: float
               ) -> np.ndarray:
    """Minimize ``value(w) + λ Σ_{penalized} [α|w| + (1−α)/2 w²]`` to high accuracy: L-BFGS-B on the smooth split
    ``w = w⁺ − w⁻`` (``w± ≥ 0`` where penalized), whose optimum puts ``w⁺ w⁻ = 0``."""
    m = w.size
    lower = [0.0 if pen else None for pen in penalized] * 2

    def split(z):
        return z[:m] - z[m:]

    def fun(z):
        v = split(z)
        f = value(v) + lam * np.sum(penalized * (alpha * (z[:m] + z[m:]) + (1 - alpha) / 2 * v**2))
        g = grad(v) + lam * (1 - alpha) * penalized * v
        return f, np.concatenate([g + lam * alpha * penalized, -g + lam * alpha * penalized])

    z0 = np.concatenate([np.maximum(w, 0.0), np.maximum(-w, 0.0)])
    res = minimize(fun, z0, jac=True, method="L-BFGS-B", bounds=[(lo, None) for lo in lower],
                   options={"ftol": 0.0, "gtol": 1e-13, "maxiter": 50_000, "maxcor": 30})
    return split(res.x)


# ------------------------------------------------------------------------------------------------- mgaussian
def _mgaussian(n: int = 80, p: int = 12, k: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, p)) + 2.0
    Y = X[:, :3] @ rng.standard_normal((3, k)) + rng.standard_normal((n, k)) + 5.0
    return X, Y


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_mgaussian_gap_vanishes_at_sklearn_solution(l1_ratio: float) -> None:
    X, Y = _mgaussian()
    lam = lambda_grid(X, Y, l1_ratio, family=MGAUSSIAN)[::10]
    xm, ym = X.mean(axis=0), Y.mean(axis=0)
    _, W, _ = enet_path(X - xm, Y - ym, l1_ratio=l1_ratio, alphas=lam, tol=1e-13, max_iter=100_000)  # (K, p, L)
    B = np.transpose(W, (2, 1, 0))  # (L, p, K)
    b0 = ym - np.einsum("p,lpk->lk", xm, B)
    gaps = relative_gaps(X, Y, MGAUSSIAN, lam, l1_ratio, b0, B)
    assert np.all(gaps >= -1e-12) and gaps.max() < 1e-9
    assert abs(gaps[0]) < 1e-12 and np.all(B[0] == 0)  # λmax: the grouped null gradient's largest row norm
    assert relative_gaps(X, Y, MGAUSSIAN, lam, l1_ratio, b0 + 0.1, B).min() > 1e-4  # wrong intercepts
    assert relative_gaps(X, Y, MGAUSSIAN, lam, l1_ratio, b0, B * 1.05)[-1] > 1e-6
    # the ungrouped (per-entry) penalty has a different optimum: its solution is not certified
    rng = np.random.default_rng(1)
    Bp = B + 1e-3 * rng.standard_normal(B.shape)
    P = (np.sum((Y - b0[:, None, :] - np.einsum("np,lpk->lnk", X, Bp)) ** 2, axis=(1, 2)) / (2 * len(Y))
         + lam * (l1_ratio * np.linalg.norm(Bp, axis=2).sum(axis=1) + (1 - l1_ratio) / 2 * np.sum(Bp**2, axis=(1, 2))))
    P0 = (np.sum((Y - b0[:, None, :] - np.einsum("np,lpk->lnk", X, B)) ** 2, axis=(1, 2)) / (2 * len(Y))
          + lam * (l1_ratio * np.linalg.norm(B, axis=2).sum(axis=1) + (1 - l1_ratio) / 2 * np.sum(B**2, axis=(1, 2))))
    sub = (P - P0) / null_objective(Y, MGAUSSIAN)
    assert np.all(relative_gaps(X, Y, MGAUSSIAN, lam, l1_ratio, b0, Bp) >= sub - 1e-12)  # weak duality


# ------------------------------------------------------------------------------------------------- multinomial
def _multinomial(n: int = 150, p: int = 5, k: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(2)
    X = rng.standard_normal((n, p)) + 0.5
    eta = X[:, :2] @ rng.standard_normal((2, k))
    y = np.array([rng.choice(k, p=pr) for pr in softmax(eta, axis=1)], dtype=float)
    return X, y


def _multinomial_solution(X: np.ndarray, y: np.ndarray, lam: float, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    n, p = X.shape
    Y = one_hot(y)
    k = Y.shape[1]
    A = np.column_stack([X, np.ones(n)])

    def value(w):
        eta = A @ w.reshape(p + 1, k)
        return np.mean(logsumexp(eta, axis=1) - np.sum(Y * eta, axis=1))

    def grad(w):
        eta = A @ w.reshape(p + 1, k)
        return (A.T @ (softmax(eta, axis=1) - Y) / n).ravel()

    penalized = np.arange((p + 1) * k) < p * k
    start = np.zeros((p + 1, k))
    start[p] = np.log(Y.mean(axis=0))  # the null model
    w = _prox_grad(value, grad, start.ravel(), penalized, lam, alpha).reshape(p + 1, k)
    return w[p], w[:p]


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_multinomial_gap_vanishes_at_tight_solution(l1_ratio: float) -> None:
    X, y = _multinomial()
    lam = lambda_grid(X, y, l1_ratio, family=MULTINOMIAL)[::25]
    sols = [_multinomial_solution(X, y, lmb, l1_ratio) for lmb in lam]
    b0, B = np.array([s[0] for s in sols]), np.array([s[1] for s in sols])
    gaps = relative_gaps(X, y, MULTINOMIAL, lam, l1_ratio, b0, B)
    assert np.all(gaps >= -1e-12) and gaps.max() < 1e-7
    assert abs(gaps[0]) < 1e-12 and np.all(B[0] == 0)
    # the intercepts are identified up to a common shift only; anything else is caught
    assert relative_gaps(X, y, MULTINOMIAL, lam, l1_ratio, b0 + 0.3, B).max() < 1e-7
    assert relative_gaps(X, y, MULTINOMIAL, lam, l1_ratio, b0 + [0.1, 0.0, 0.0], B).min() > 1e-5
    assert relative_gaps(X, y, MULTINOMIAL, lam, l1_ratio, b0, B * 1.1)[-1] > 1e-6
    # a common shift of a feature's coefficients changes the penalty (the symmetric parametrization), so the
    # gap sees it
    shifted = B + np.where(np.abs(B).sum(axis=2, keepdims=True) > 0, 0.05, 0.0)
    assert relative_gaps(X, y, MULTINOMIAL, lam, l1_ratio, b0, shifted)[-1] > 1e-6


# ------------------------------------------------------------------------------------------------- cox
def _cox_direct(eta: np.ndarray, time: np.ndarray, status: np.ndarray) -> tuple[float, np.ndarray]:
    """Breslow partial likelihood / n and its gradient in η, with an explicit risk-set mask."""
    n = eta.size
    at_risk = time[None, :] >= time[:, None]  # row i: the risk set of time t_i
    logits = np.where(at_risk, eta[None, :], -np.inf)
    value = np.sum(status * (logsumexp(logits, axis=1) - eta)) / n
    pi = softmax(logits, axis=1)
    return value, (status @ pi - status) / n


def _cox(n: int = 120, p: int = 4, ties: bool = False) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    X = rng.standard_normal((n, p)) + 1.0
    time = rng.exponential(np.exp(-X[:, :2] @ np.array([0.5, -0.4])))
    if ties:
        time = np.ceil(time * 4) / 4
    status = (rng.uniform(size=n) < 0.7).astype(float)
    return X, np.column_stack([time, status])


@pytest.mark.parametrize(("l1_ratio", "ties"), [(1.0, False), (0.5, False), (1.0, True)])
def test_cox_gap_vanishes_at_tight_solution(l1_ratio: float, ties: bool) -> None:
    X, y = _cox(ties=ties)
    time, status = y[:, 0], y[:, 1]
    if ties:
        assert len(np.unique(time)) < len(time) / 2

    def value(w):
        return _cox_direct(X @ w, time, status)[0]

    def grad(w):
        return X.T @ _cox_direct(X @ w, time, status)[1]

    lam = lambda_grid(X, y, l1_ratio, family=COX)[::25]
    assert np.allclose(X.T @ _cox_direct(np.zeros(len(y)), time, status)[1], cox_null_gradient(X, y))
    B = np.array([_prox_grad(value, grad, np.zeros(X.shape[1]), np.ones(X.shape[1], bool), lmb, l1_ratio)
                  for lmb in lam])
    zeros = np.zeros(len(lam))
    gaps = relative_gaps(X, y, COX, lam, l1_ratio, zeros, B)
    assert np.all(gaps >= -1e-12) and gaps.max() < 1e-7
    assert abs(gaps[0]) < 1e-12 and np.abs(B[0]).max() < 1e-12  # λmax (up to its rounding)
    np.testing.assert_allclose(null_objective(y, COX), value(np.zeros(X.shape[1])), rtol=1e-13)
    assert relative_gaps(X, y, COX, lam, l1_ratio, zeros, B * 1.1)[-1] > 1e-6
    Bp = B + 1e-3 * np.random.default_rng(4).standard_normal(B.shape)
    pen = lam * (l1_ratio * np.abs(Bp).sum(axis=1) + (1 - l1_ratio) / 2 * np.sum(Bp**2, axis=1))
    pen0 = lam * (l1_ratio * np.abs(B).sum(axis=1) + (1 - l1_ratio) / 2 * np.sum(B**2, axis=1))
    sub = np.array([value(a) - value(b) for a, b in zip(Bp, B)]) + pen - pen0
    assert np.all(relative_gaps(X, y, COX, lam, l1_ratio, zeros, Bp) >= sub / null_objective(y, COX) - 1e-12)
