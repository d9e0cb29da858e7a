"""skglm: ``AndersonCD`` (working sets + Anderson-accelerated coordinate descent) for the Gaussian family,
``ProxNewton`` for the binomial and Cox families, ``MultiTaskBCD`` (block coordinate descent) for mgaussian."""

from __future__ import annotations

import importlib.util
import warnings

import numpy as np

from benchmarks.peers.base import InProcessPeer, Solution
from benchmarks.problems import BINOMIAL, COX, GAUSSIAN, MGAUSSIAN, MULTINOMIAL, PathSpec, Problem


class SkglmPeer(InProcessPeer):
    """skglm on the benchmark objective.

    * gaussian, binomial: the raw data with ``fit_intercept=True``. Datafits ``Quadratic``
      (``1/(2n)‖y − Xb − b0‖²``) and ``Logistic`` (mean log-loss, labels mapped to ±1); penalty ``L1(λ)`` for
      α = 1, ``L1_plus_L2(λ, α)`` (``λ(α‖b‖₁ + (1−α)/2‖b‖²)``) otherwise — the benchmark objective.
      ``AndersonCD.path`` warm-starts along the grid; for ``ProxNewton``, which has no ``path``, the same
      warm-started loop is written here.
    * mgaussian (α = 1): ``MultiTaskBCD.path`` on centred data (``fit_intercept=False``) with the datafit
      ``QuadraticMultiTask`` and the penalty ``L2_1(λ)``: ``1/(2n)‖Y_c − X_c B‖_F² + λ Σ_j ‖B_j‖₂``, the benchmark
      objective with the intercepts ``Ȳ − x̄ᵀB`` profiled out. skglm has no multi-task L2 term: α < 1 is skipped.
    * cox (α = 1): ``ProxNewton(fit_intercept=False)`` with ``Cox(use_efron=False)`` and ``L1(λ)``, warm-started
      along the grid. skglm's Breslow datafit is ``(−Σ s_i η_i + Σ s_i log Σ_{j: t_j ≥ t_i} e^{η_j}) / n``
      (tied times share one risk set), the benchmark's partial likelihood / n; the returned intercepts are zeros.

    ``tol`` bounds the violation of the optimality conditions (a KKT residual: for ``MultiTaskBCD`` the distance of
    each row's gradient to the row's subdifferential, in the Euclidean norm), not a gap. The first call of the
    process compiles skglm's numba kernels; the harness's warm-up call absorbs it. skglm has no multinomial
    datafit.
    """

    name = "skglm"
    families = (GAUSSIAN, BINOMIAL, MGAUSSIAN, COX)
    start_tol = 1e-4  # AndersonCD's and ProxNewton's default (MultiTaskBCD's is 1e-6)

    def unavailable(self) -> str | None:
        return None if importlib.util.find_spec("skglm") else "skglm is not installed (pip install skglm)"

    def unsupported(self, problem: Problem) -> str | None:
        if problem.family == MULTINOMIAL:
            return "skglm has no multinomial datafit"
        if problem.family == MGAUSSIAN and any(s.l1_ratio < 1.0 for s in problem.paths):
            return "skglm's multi-task penalty L2_1 has no L2 term (α < 1)"
        if problem.family == COX and any(s.l1_ratio < 1.0 for s in problem.paths):
            return "the Cox elastic net (α < 1) is not checked against the benchmark objective"
        return super().unsupported(problem)

    def version(self) -> str:
        import skglm

        return skglm.__version__

    @staticmethod
    def _penalty(spec: PathSpec, lam: float):
        from skglm.penalties import L1, L1_plus_L2

        return L1(lam) if spec.l1_ratio == 1.0 else L1_plus_L2(lam, spec.l1_ratio)

    def solve_path(self, X: np.ndarray, y: np.ndarray, family: str, spec: PathSpec, tol: float) -> Solution:
        from skglm.datafits import Cox, Logistic, Quadratic
        from skglm.solvers import AndersonCD, ProxNewton

        if family == MGAUSSIAN:
            return self._multitask(X, y, spec, tol)
        Xf = np.asfortranarray(X)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if family == GAUSSIAN:
                solver = AndersonCD(tol=tol, fit_intercept=True, max_iter=1_000, max_epochs=1_000_000)
                _, coefs, _ = solver.path(Xf, y, Quadratic(), self._penalty(spec, spec.lambdas[0]),
                                          alphas=spec.lambdas)
                coefs = coefs.T  # (L, p + 1), intercept last
            else:
                cox = family == COX
                solver = ProxNewton(tol=tol, fit_intercept=not cox, max_iter=1_000, max_pn_iter=10_000)
                datafit = Cox(use_efron=False) if cox else Logistic()
                target = np.asfortranarray(y) if cox else 2.0 * y - 1.0
                m = X.shape[1] + (not cox)  # coefficients (+ intercept last)
                w = np.zeros(m)
                coefs = np.zeros((len(spec.lambdas), X.shape[1] + 1))
                for i, lam in enumerate(spec.lambdas):
                    xw = Xf @ w[:X.shape[1]] + (0.0 if cox else w[-1])
                    w = solver.solve(Xf, target, datafit, self._penalty(spec, lam), w_init=w.copy(), Xw_init=xw)[0]
                    coefs[i, :m] = w
        return Solution(coefs[:, -1].copy(), coefs[:, :-1].copy())

    def _multitask(self, X: np.ndarray, Y: np.ndarray, spec: PathSpec, tol: float) -> Solution:
        """Multi-task lasso path on centred data; intercepts ``Ȳ − x̄ᵀB``."""
        from skglm.datafits import QuadraticMultiTask
        from skglm.penalties import L2_1
        from skglm.solvers import MultiTaskBCD

        xm, ym = X.mean(axis=0), Y.mean(axis=0)
        solver = MultiTaskBCD(tol=tol, fit_intercept=False, max_iter=1_000, max_epochs=1_000_000)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _, coefs, _ = solver.path(np.asfortranarray(X - xm), np.asfortranarray(Y - ym), QuadraticMultiTask(),
                                      L2_1(spec.lambdas[0]), alphas=spec.lambdas)
        coefs = np.ascontiguousarray(coefs.transpose(2, 1, 0))  # (K, p, L) -> (L, p, K)
        return Solution(ym - np.einsum("j,ljk->lk", xm, coefs), coefs)
