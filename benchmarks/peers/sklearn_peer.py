"""scikit-learn: ``enet_path`` (coordinate descent) for the Gaussian family, ``LogisticRegression(solver="saga")``
warm-started along the grid for the binomial family."""

from __future__ import annotations

import warnings

import numpy as np

from benchmarks.peers.base import InProcessPeer, Solution
from benchmarks.problems import GAUSSIAN, PathSpec


class SklearnPeer(InProcessPeer):
    """scikit-learn on the benchmark objective.

    * gaussian: ``enet_path(X − x̄, y − ȳ, alphas=λ, l1_ratio=α)`` solves exactly
      ``1/(2n)‖y − Xb‖² + λ(α‖b‖₁ + (1−α)/2‖b‖²)`` on centred data; the intercept is ``ȳ − x̄ᵀb``. The Gram matrix
      is precomputed when n ≥ p (``precompute=True``), as scikit-learn's ``"auto"`` would for n > p. Its ``tol``
      stops each λ at a duality gap ≤ ``tol·‖y_c‖²`` in its unnormalized scaling, i.e. ``2·tol·P(0)`` in ours.
    * binomial: ``LogisticRegression(C = 1/(nλ), l1_ratio=α, solver="saga", warm_start=True)`` over the grid —
      scikit-learn minimizes ``C Σ logloss + α‖b‖₁ + (1−α)/2‖b‖²``, i.e. the benchmark objective times ``Cn``.
      saga is the only scikit-learn solver with an L1 penalty and an *unpenalized* intercept (liblinear penalizes
      it); ``random_state=0`` makes its shuffling, hence every call, reproducible. Its ``tol`` bounds the relative change of the coefficients per epoch, not a gap.
    """

    name = "sklearn"
    families = ("gaussian", "binomial")
    start_tol = 1e-4  # scikit-learn's default for both
    max_iter = 1_000_000  # enet_path: epochs per λ; saga: epochs per λ (the tolerance decides, not this cap)

    def version(self) -> str:
        import sklearn

        return sklearn.__version__

    def solve_path(self, X: np.ndarray, y: np.ndarray, family: str, spec: PathSpec, tol: float) -> Solution:
        if family == GAUSSIAN:
            return self._enet(X, y, spec, tol)
        return self._logistic(X, y, spec, tol)

    def _enet(self, X: np.ndarray, y: np.ndarray, spec: PathSpec, tol: float) -> Solution:
        from sklearn.linear_model import enet_path

        xm, ym = X.mean(axis=0), y.mean()
        Xc = np.asfortranarray(X - xm)
        n, p = X.shape
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning: the gap check judges convergence
            _, coefs, _ = enet_path(Xc, y - ym, l1_ratio=spec.l1_ratio, alphas=spec.lambdas, precompute=n >= p,
                                    tol=tol, max_iter=self.max_iter, check_input=False, copy_X=False)
        coefs = coefs.T
        return Solution(ym - coefs @ xm, coefs)

    def _logistic(self, X: np.ndarray, y: np.ndarray, spec: PathSpec, tol: float) -> Solution:
        from sklearn.linear_model import LogisticRegression

        n = X.shape[0]
        model = LogisticRegression(l1_ratio=spec.l1_ratio, solver="saga", tol=tol, max_iter=self.max_iter,
                                   warm_start=True, random_state=0)
        b0, coefs = np.empty(len(spec.lambdas)), np.empty((len(spec.lambdas), X.shape[1]))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for i, lam in enumerate(spec.lambdas):
                model.set_params(C=1.0 / (n * lam))
                model.fit(X, y)
                b0[i], coefs[i] = model.intercept_[0], model.coef_[0]
        return Solution(b0, coefs)

    def settings(self, tol: float) -> str:
        return f"tol={tol:g}"
