"""celer: ``celer_path`` (coordinate descent with working sets and dual extrapolation)."""

from __future__ import annotations

import importlib.util
import warnings

import numpy as np

from benchmarks.peers.base import InProcessPeer, Solution
from benchmarks.problems import PathSpec, Problem


class CelerPeer(InProcessPeer):
    """celer on centred data: ``celer_path(X − x̄, y − ȳ, pb="lasso", alphas=λ, l1_ratio=α)``.

    celer's elastic net is ``1/(2n)‖y − Xb‖² + λ(α‖b‖₁ + (1−α)/2‖b‖²)`` (the same objective) and its ``tol`` stops
    each λ at a duality gap ≤ ``tol·‖y_c‖²/n`` = ``2·tol·P(0)``. celer's logistic regression fits no intercept
    (``fit_intercept=True`` is not supported), so the binomial problems are skipped.
    """

    name = "celer"
    families = ("gaussian",)
    start_tol = 1e-6  # celer_path's default
    max_iter = 1_000  # outer (working-set) iterations per λ

    def unavailable(self) -> str | None:
        return None if importlib.util.find_spec("celer") else "celer is not installed (pip install celer)"

    def unsupported(self, problem: Problem) -> str | None:
        if problem.family == "binomial":
            return "celer's logistic regression fits no intercept"
        return super().unsupported(problem)

    def version(self) -> str:
        import celer

        return celer.__version__

    def solve_path(self, X: np.ndarray, y: np.ndarray, family: str, spec: PathSpec, tol: float) -> Solution:
        from celer import celer_path

        xm, ym = X.mean(axis=0), y.mean()
        Xc = np.asfortranarray(X - xm)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _, coefs, _ = celer_path(Xc, y - ym, pb="lasso", alphas=spec.lambdas, l1_ratio=spec.l1_ratio, tol=tol,
                                     max_iter=self.max_iter, max_epochs=1_000_000)
        coefs = coefs.T
        return Solution(ym - coefs @ xm, coefs)
