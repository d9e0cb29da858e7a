"""scikit-learn: ``enet_path`` (coordinate descent) for the Gaussian and multi-response Gaussian families,
``LogisticRegression(solver="saga")`` warm-started along the grid for the binomial and multinomial families."""

from __future__ import annotations

import warnings

import numpy as np

from benchmarks.peers.base import InProcessPeer, Solution
from benchmarks.problems import BINOMIAL, COX, GAUSSIAN, MGAUSSIAN, MULTINOMIAL, PathSpec, Problem


class SklearnPeer(InProcessPeer):
    """scikit-learn on the benchmark objective.

    * gaussian: ``enet_path(X − x̄, y − ȳ, alphas=λ, l1_ratio=α)`` solves exactly
      ``1/(2n)‖y − Xb‖² + λ(α‖b‖₁ + (1−α)/2‖b‖²)`` on centred data; the intercept is ``ȳ − x̄ᵀb``. The Gram matrix
      is precomputed when n ≥ p (``precompute=True``), as scikit-learn's ``"auto"`` would for n > p. Its ``tol``
      stops each λ at a duality gap ≤ ``tol·‖y_c‖²`` in its unnormalized scaling, i.e. ``2·tol·P(0)`` in ours.
    * mgaussian (α = 1): ``enet_path`` with the centred (n, K) response ``Y − Ȳ`` runs scikit-learn's multi-task
      coordinate descent on ``1/(2n)‖Y_c − X_c B‖_F² + λ Σ_j ‖B_j‖₂`` (``B_j`` the row of feature j), the
      benchmark objective with the intercepts ``Ȳ − x̄ᵀB`` profiled out. No Gram variant exists for multi-task
      problems (``precompute=False``). Its ``tol`` stops each λ at a gap ≤ ``tol·‖Y_c‖_F²`` unnormalized, i.e.
      ``2·tol·P(0)`` again.
    * binomial: ``LogisticRegression(C = 1/(nλ), l1_ratio=α, solver="saga", warm_start=True)`` over the grid —
      scikit-learn minimizes ``C Σ logloss + α‖b‖₁ + (1−α)/2‖b‖²``, i.e. the benchmark objective times ``Cn``.
      saga is the only scikit-learn solver with an L1 penalty and an *unpenalized* intercept (liblinear penalizes
      it); ``random_state=0`` makes its shuffling, hence every call, reproducible. Its ``tol`` bounds the relative
      change of the coefficients per epoch, not a gap.
    * multinomial (α = 1): the same call on labels ``0 … K−1``. For K ≥ 3 saga minimizes the multinomial loss in
      the symmetric parametrization (``coef_`` (K, p), one unpenalized ``intercept_`` per class) plus
      ``‖coef_‖₁`` over every entry, i.e. ``C Σ_i −log softmax(b0 + Bᵀx_i)_{y_i} + Σ_jk |B_jk|``: the benchmark
      objective (glmnet's ungrouped multinomial lasso) times ``Cn``. Same ``tol`` as binomial. That test ignores
      the intercepts: where every coefficient stays zero (at λmax) saga stops after one epoch, whatever ``tol``,
      with intercepts a little off (a precision floor at the first λ of the path, for both logistic families).
    """

    name = "sklearn"
    families = (GAUSSIAN, BINOMIAL, MGAUSSIAN, MULTINOMIAL)
    start_tol = 1e-4  # scikit-learn's default for both
    max_iter = 1_000_000  # enet_path: epochs per λ; saga: epochs per λ (the tolerance decides, not this cap)

    def unsupported(self, problem: Problem) -> str | None:
        if problem.family == COX:
            return "scikit-learn has no Cox proportional-hazards model"
        if problem.family in (MGAUSSIAN, MULTINOMIAL) and any(s.l1_ratio < 1.0 for s in problem.paths):
            return f"the {problem.family} elastic net (α < 1) is not checked against the benchmark objective"
        if problem.family == MULTINOMIAL and np.unique(problem.y).size < 3:
            return "with two classes scikit-learn fits one coefficient vector (binomial), not the symmetric multinomial"
        return super().unsupported(problem)

    def version(self) -> str:
        import sklearn

        return sklearn.__version__

    def solve_path(self, X: np.ndarray, y: np.ndarray, family: str, spec: PathSpec, tol: float) -> Solution:
        if family in (GAUSSIAN, MGAUSSIAN):
            return self._enet(X, y, spec, tol)
        return self._logistic(X, y, spec, tol, multinomial=family == MULTINOMIAL)

    def _enet(self, X: np.ndarray, y: np.ndarray, spec: PathSpec, tol: float) -> Solution:
        """Gaussian (y (n,)) or multi-task (y (n, K)) coordinate descent on centred data."""
        from sklearn.linear_model import enet_path

        xm, ym = X.mean(axis=0), y.mean(axis=0)
        Xc = np.asfortranarray(X - xm)
        n, p = X.shape
        multi = y.ndim == 2
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning: the gap check judges convergence
            _, coefs, _ = enet_path(Xc, np.asfortranarray(y - ym), l1_ratio=spec.l1_ratio, alphas=spec.lambdas,
                                    precompute=n >= p and not multi, tol=tol, max_iter=self.max_iter,
                                    check_input=False, copy_X=False)
        if multi:
            coefs = np.ascontiguousarray(coefs.transpose(2, 1, 0))  # (K, p, L) -> (L, p, K)
            return Solution(ym - np.einsum("j,ljk->lk", xm, coefs), coefs)
        coefs = coefs.T
        return Solution(ym - coefs @ xm, coefs)

    def _logistic(self, X: np.ndarray, y: np.ndarray, spec: PathSpec, tol: float, *,
                  multinomial: bool = False) -> Solution:
        """saga warm-started along the grid: binomial (y ∈ {0, 1}) or multinomial (labels 0 … K−1, K ≥ 3)."""
        from sklearn.linear_model import LogisticRegression

        n, p = X.shape
        n_out = int(y.max()) + 1 if multinomial else 1
        model = LogisticRegression(l1_ratio=spec.l1_ratio, solver="saga", tol=tol, max_iter=self.max_iter,
                                   warm_start=True, random_state=0)
        b0, coefs = np.empty((len(spec.lambdas), n_out)), np.empty((len(spec.lambdas), p, n_out))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for i, lam in enumerate(spec.lambdas):
                model.set_params(C=1.0 / (n * lam))
                model.fit(X, y)
                b0[i], coefs[i] = model.intercept_, model.coef_.T  # classes_ = 0 … K−1 in order
        if multinomial:
            return Solution(b0, coefs)
        return Solution(b0[:, 0].copy(), coefs[:, :, 0].copy())

    def settings(self, tol: float) -> str:
        return f"tol={tol:g}"
