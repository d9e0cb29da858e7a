"""Unit checks of the independent duality gap (run with ``python -m pytest benchmarks/test_gap.py``)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression, enet_path

from benchmarks.gap import null_objective, primal_objective, refit_intercept, relative_gaps
from benchmarks.problems import BINOMIAL, GAUSSIAN, SimSpec, lambda_grid, simulate


def _gaussian(n: int = 120, p: int = 30) -> tuple[np.ndarray, np.ndarray]:
    X, y = simulate(SimSpec("t", n, p, 0.5, 5, GAUSSIAN, 0, (n, p, 5), ""))
    return X + 3.0, y + 10.0  # nonzero means: the intercept matters


def _sklearn_path(X: np.ndarray, y: np.ndarray, lambdas: np.ndarray, l1_ratio: float, tol: float):
    xm, ym = X.mean(axis=0), y.mean()
    _, coefs, _ = enet_path(X - xm, y - ym, l1_ratio=l1_ratio, alphas=lambdas, tol=tol, max_iter=100_000)
    coefs = coefs.T
    return ym - coefs @ xm, coefs


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.1])
def test_gaussian_gap_vanishes_at_sklearn_solution(l1_ratio: float) -> None:
    X, y = _gaussian()
    lam = lambda_grid(X, y, l1_ratio)
    b0, B = _sklearn_path(X, y, lam, l1_ratio, tol=1e-12)
    gaps = relative_gaps(X, y, GAUSSIAN, lam, l1_ratio, b0, B)
    assert gaps.shape == lam.shape
    assert np.all(gaps >= -1e-12)
    assert gaps.max() < 1e-9


def test_gaussian_gap_catches_perturbations() -> None:
    X, y = _gaussian()
    lam = lambda_grid(X, y)
    b0, B = _sklearn_path(X, y, lam, 1.0, tol=1e-12)
    rng = np.random.default_rng(1)
    assert relative_gaps(X, y, GAUSSIAN, lam, 1.0, b0, B + 1e-2 * rng.standard_normal(B.shape)).min() > 1e-6
    assert relative_gaps(X, y, GAUSSIAN, lam, 1.0, b0 + 0.1, B).min() > 1e-4  # a wrong intercept is caught
    assert relative_gaps(X, y, GAUSSIAN, lam / 2, 1.0, b0, B)[-1] > 1e-3  # a different λ scaling is caught
    assert relative_gaps(X, y, GAUSSIAN, lam, 1.0, b0, B * np.nan).tolist() == [np.inf] * lam.size


def test_gaussian_gap_upper_bounds_suboptimality() -> None:
    """Weak duality: the gap at a point is at least its primal suboptimality."""
    X, y = _gaussian()
    lam = lambda_grid(X, y)
    b0, B = _sklearn_path(X, y, lam, 1.0, tol=1e-12)
    best = primal_objective(X, y, GAUSSIAN, lam, 1.0, b0, B)
    Bp = B + 1e-3 * np.random.default_rng(2).standard_normal(B.shape)
    sub = (primal_objective(X, y, GAUSSIAN, lam, 1.0, b0, Bp) - best) / null_objective(y, GAUSSIAN)
    assert np.all(relative_gaps(X, y, GAUSSIAN, lam, 1.0, b0, Bp) >= sub - 1e-12)


def _binomial(n: int = 200, p: int = 8) -> tuple[np.ndarray, np.ndarray]:
    X, y = simulate(SimSpec("t", n, p, 0.3, 3, BINOMIAL, 3, (n, p, 3), ""))
    return X + 1.0, y


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_binomial_gap_vanishes_at_tight_solution(l1_ratio: float) -> None:
    X, y = _binomial()
    n = X.shape[0]
    lam = lambda_grid(X, y, l1_ratio)[::10]
    b0, B = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for lmb in lam:
            m = LogisticRegression(C=1 / (n * lmb), l1_ratio=l1_ratio, solver="saga", tol=1e-12, max_iter=200_000,
                                   random_state=0)
            m.fit(X, y)
            b0.append(m.intercept_[0])
            B.append(m.coef_[0])
    gaps = relative_gaps(X, y, BINOMIAL, lam, l1_ratio, np.array(b0), np.array(B))
    assert np.all(gaps >= -1e-12)
    assert gaps.max() < 1e-7
    # perturbations are caught
    assert relative_gaps(X, y, BINOMIAL, lam, l1_ratio, np.array(b0) + 0.1, np.array(B)).min() > 1e-5
    assert relative_gaps(X, y, BINOMIAL, lam, l1_ratio, np.array(b0), np.array(B) * 1.1)[-1] > 1e-6


def test_binomial_null_model() -> None:
    X, y = _binomial()
    lam = lambda_grid(X, y)[:1]
    b0 = np.log(y.mean() / (1 - y.mean()))
    gaps = relative_gaps(X, y, BINOMIAL, lam, 1.0, np.array([b0]), np.zeros((1, X.shape[1])))
    assert abs(gaps[0]) < 1e-12  # at λmax the null model is optimal


def test_refit_intercept_solves_score_equation() -> None:
    rng = np.random.default_rng(0)
    y = (rng.uniform(size=50) < 0.3).astype(float)
    eta0 = 3 * rng.standard_normal((50, 4))
    c = refit_intercept(eta0, y, np.zeros(4))
    mu = 1 / (1 + np.exp(-(eta0 + c)))
    np.testing.assert_allclose(mu.mean(axis=0), y.mean(), atol=1e-14)


def test_elastic_net_gap_is_tight_near_the_optimum() -> None:
    """For α < 1 the Fenchel dual point makes the gap quadratic, not linear, in a small error on the support
    (here ~1e-7, where the dual point of conventions.md item 8 alone gives ~1e-4)."""
    X, y = _gaussian()
    lam = lambda_grid(X, y, 0.5)
    b0, B = _sklearn_path(X, y, lam, 0.5, tol=1e-13)
    Bp = B + 1e-5 * np.random.default_rng(3).standard_normal(B.shape) * (B != 0)
    gaps = relative_gaps(X, y, GAUSSIAN, lam, 0.5, b0, Bp)
    sub = (primal_objective(X, y, GAUSSIAN, lam, 0.5, b0, Bp) - primal_objective(X, y, GAUSSIAN, lam, 0.5, b0, B))
    assert gaps.max() < 1e-6
    assert np.all(gaps >= sub / null_objective(y, GAUSSIAN) - 1e-13)


def _poisson(n: int = 200, p: int = 6) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(4)
    X = rng.standard_normal((n, p)) + 0.5
    y = rng.poisson(np.exp(0.3 + X[:, :2] @ np.array([0.4, -0.3]))).astype(float)
    return X, y


def _poisson_lasso(X: np.ndarray, y: np.ndarray, lam: float, alpha: float, n_iter: int = 20_000):
    """A reference solution by proximal gradient with backtracking (intercept unpenalized), independent of every
    solver the harness compares."""
    n, p = X.shape
    A = np.column_stack([X, np.ones(n)])
    w = np.zeros(p + 1)
    w[p] = np.log(y.mean())

    def f(v):
        eta = A @ v
        return np.mean(np.exp(eta) - y * eta) + lam * (1 - alpha) / 2 * v[:p] @ v[:p]

    def prox(v, t):
        out = v.copy()
        out[:p] = np.sign(v[:p]) * np.maximum(np.abs(v[:p]) - t * lam * alpha, 0.0)
        return out

    step = 1.0
    for _ in range(n_iter):
        g = A.T @ (np.exp(A @ w) - y) / n
        g[:p] += lam * (1 - alpha) * w[:p]
        while True:
            new = prox(w - step * g, step)
            d = new - w
            if f(new) <= f(w) + g @ d + d @ d / (2 * step) + 1e-15:
                break
            step /= 2
        if np.max(np.abs(d)) < 1e-15:
            break
        w = new
        step *= 1.5
    return w[p], w[:p]


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_poisson_gap_vanishes_at_tight_solution(l1_ratio: float) -> None:
    from benchmarks.problems import POISSON

    X, y = _poisson()
    lam = lambda_grid(X, y, l1_ratio)[::20]
    sols = [_poisson_lasso(X, y, lmb, l1_ratio) for lmb in lam]
    b0, B = np.array([s[0] for s in sols]), np.array([s[1] for s in sols])
    gaps = relative_gaps(X, y, POISSON, lam, l1_ratio, b0, B)
    assert np.all(gaps >= -1e-12) and gaps.max() < 1e-7
    assert abs(gaps[0]) < 1e-12 and np.all(B[0] == 0)  # λmax: the null model, μ = ȳ
    # perturbations are caught
    assert relative_gaps(X, y, POISSON, lam, l1_ratio, b0 + 0.05, B).min() > 1e-5
    assert relative_gaps(X, y, POISSON, lam, l1_ratio, b0, B * 1.1)[-1] > 1e-6
    # weak duality: the gap bounds the suboptimality of a perturbed point
    Bp = B + 1e-3 * np.random.default_rng(5).standard_normal(B.shape)
    sub = primal_objective(X, y, POISSON, lam, l1_ratio, b0, Bp) - primal_objective(X, y, POISSON, lam, l1_ratio, b0, B)
    assert np.all(relative_gaps(X, y, POISSON, lam, l1_ratio, b0, Bp) >= sub / null_objective(y, POISSON) - 1e-12)
