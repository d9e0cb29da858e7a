"""celer: ``celer_path`` (coordinate descent with working sets and dual extrapolation) for the Gaussian family,
``mtl_path`` (the multi-task lasso, block coordinate descent with the same machinery) for mgaussian."""

from __future__ import annotations

import importlib.util
import warnings

import numpy as np

from benchmarks.peers.base import InProcessPeer, Solution
from benchmarks.problems import BINOMIAL, COX, GAUSSIAN, MGAUSSIAN, MULTINOMIAL, PathSpec, Problem


class CelerPeer(InProcessPeer):
    """celer on centred data.

    * gaussian: ``celer_path(X − x̄, y − ȳ, pb="lasso", alphas=λ, l1_ratio=α)``. celer's elastic net is
      ``1/(2n)‖y − Xb‖² + λ(α‖b‖₁ + (1−α)/2‖b‖²)`` (the same objective) and its ``tol`` stops each λ at a duality
      gap ≤ ``tol·‖y_c‖²/n`` = ``2·tol·P(0)``; the intercept is ``ȳ − x̄ᵀb``.
    * mgaussian (α = 1): ``celer.homotopy.mtl_path(X − x̄, Y − Ȳ, alphas=λ)`` (what ``celer.MultiTaskLasso`` calls)
      solves ``1/(2n)‖Y_c − X_c B‖_F² + λ Σ_j ‖B_j‖₂`` — the benchmark objective with the intercepts ``Ȳ − x̄ᵀB``
      profiled out — and its ``tol`` stops each λ at a gap ≤ ``tol·‖Y_c‖_F²/n`` = ``2·tol·P(0)``. It has no L2
      term, so mgaussian paths with α < 1 are skipped.

    celer's logistic regression fits no intercept (``fit_intercept=True`` is not supported), so the binomial
    problems are skipped; it has no multinomial or Cox model.
    """

    name = "celer"
    families = (GAUSSIAN, MGAUSSIAN)
    start_tol = 1e-6  # celer_path's and mtl_path's default
    max_iter = 1_000  # outer (working-set) iterations per λ

    def unavailable(self) -> str | None:
        return None if importlib.util.find_spec("celer") else "celer is not installed (pip install celer)"

    def unsupported(self, problem: Problem) -> str | None:
        if problem.family == BINOMIAL:
            return "celer's logistic regression fits no intercept"
        if problem.family == MULTINOMIAL:
            return "celer has no multinomial model (its logistic regression is binary, without intercept)"
        if problem.family == COX:
            return "celer has no Cox proportional-hazards model"
        if problem.family == MGAUSSIAN and any(s.l1_ratio < 1.0 for s in problem.paths):
            return "celer's multi-task lasso has no L2 term (α < 1)"
        return super().unsupported(problem)

    def version(self) -> str:
        import celer

        return celer.__version__

    def solve_path(self, X: np.ndarray, y: np.ndarray, family: str, spec: PathSpec, tol: float) -> Solution:
        from celer import celer_path
        from celer.homotopy import mtl_path

        xm, ym = X.mean(axis=0), y.mean(axis=0)
        Xc = np.asfortranarray(X - xm)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if family == MGAUSSIAN:
                _, coefs, _ = mtl_path(Xc, np.asfortranarray(y - ym), alphas=spec.lambdas, tol=tol,
                                       max_iter=self.max_iter, max_epochs=1_000_000)
                coefs = np.ascontiguousarray(coefs.transpose(2, 1, 0))  # (K, p, L) -> (L, p, K)
                return Solution(ym - np.einsum("j,ljk->lk", xm, coefs), coefs)
            _, coefs, _ = celer_path(Xc, y - ym, pb="lasso", alphas=spec.lambdas, l1_ratio=spec.l1_ratio, tol=tol,
                                     max_iter=self.max_iter, max_epochs=1_000_000)
        coefs = coefs.T
        return Solution(ym - coefs @ xm, coefs)
