"""skglm: ``AndersonCD`` (working sets + Anderson-accelerated coordinate descent) for the Gaussian family,
``ProxNewton`` for the binomial family, both fitting the intercept."""

from __future__ import annotations

import importlib.util
import warnings

import numpy as np

from benchmarks.peers.base import InProcessPeer, Solution
from benchmarks.problems import GAUSSIAN, PathSpec


class SkglmPeer(InProcessPeer):
    """skglm on the raw data with ``fit_intercept=True``.

    Datafits: ``Quadratic`` (``1/(2n)‖y − Xb − b0‖²``) and ``Logistic`` (mean log-loss, labels mapped to ±1);
    penalty ``L1(λ)`` for α = 1, ``L1_plus_L2(λ, α)`` (``λ(α‖b‖₁ + (1−α)/2‖b‖²)``) otherwise — the benchmark
    objective. ``AndersonCD.path`` warm-starts along the grid; for ``ProxNewton``, which has no ``path``, the same
    warm-started loop is written here. Its ``tol`` bounds the violation of the optimality conditions (a KKT
    residual), not a gap. The first call of the process compiles skglm's numba kernels; the harness's warm-up call
    absorbs it.
    """

    name = "skglm"
    families = ("gaussian", "binomial")
    start_tol = 1e-4  # AndersonCD's and ProxNewton's default

    def unavailable(self) -> str | None:
        return None if importlib.util.find_spec("skglm") else "skglm is not installed (pip install skglm)"

    def version(self) -> str:
        import skglm

        return skglm.__version__

    @staticmethod
    def _penalty(spec: PathSpec, lam: float):
        from skglm.penalties import L1, L1_plus_L2

        return L1(lam) if spec.l1_ratio == 1.0 else L1_plus_L2(lam, spec.l1_ratio)

    def solve_path(self, X: np.ndarray, y: np.ndarray, family: str, spec: PathSpec, tol: float) -> Solution:
        from skglm.datafits import Logistic, Quadratic
        from skglm.solvers import AndersonCD, ProxNewton

        Xf = np.asfortranarray(X)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if family == GAUSSIAN:
                solver = AndersonCD(tol=tol, fit_intercept=True, max_iter=1_000, max_epochs=1_000_000)
                _, coefs, _ = solver.path(Xf, y, Quadratic(), self._penalty(spec, spec.lambdas[0]),
                                          alphas=spec.lambdas)
                coefs = coefs.T  # (L, p + 1), intercept last
            else:
                solver = ProxNewton(tol=tol, fit_intercept=True, max_iter=1_000, max_pn_iter=10_000)
                ypm = 2.0 * y - 1.0
                w = np.zeros(X.shape[1] + 1)
                coefs = np.empty((len(spec.lambdas), X.shape[1] + 1))
                for i, lam in enumerate(spec.lambdas):
                    xw = Xf @ w[:-1] + w[-1]
                    w = solver.solve(Xf, ypm, Logistic(), self._penalty(spec, lam), w_init=w.copy(), Xw_init=xw)[0]
                    coefs[i] = w
        return Solution(coefs[:, -1].copy(), coefs[:, :-1].copy())
