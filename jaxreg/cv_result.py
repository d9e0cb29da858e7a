"""The :class:`CVPath` returned by :func:`jaxreg.cv_path`."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from jaxreg._cv_relax import RelaxedCV
from jaxreg.result import Path
from jaxreg.scoring import GREATER_IS_BETTER

#: Names of the scores, as glmnet prints them.
SCORE_NAMES = {
    "deviance": "deviance",
    "mse": "mean squared error",
    "mae": "mean absolute error",
    "class": "misclassification error",
    "auc": "AUC",
    "C": "C-index",
}


@dataclasses.dataclass(frozen=True)
class CVPath:
    """Cross-validated regularization path (glmnet's ``cv.glmnet`` object), for the chosen ``l1_ratio``.

    Attributes
    ----------
    lambdas : (L,) ndarray
        The λ grid (that of the full-data path).
    cv_mean : (L,) ndarray
        Cross-validated score at each λ: the mean over folds of each fold's weighted mean score on its held-out
        samples, folds weighted by their total sample weight (glmnet's ``cvm``).
    cv_std : (L,) ndarray
        Its standard error (glmnet's ``cvsd``): the weighted standard deviation over folds divided by
        ``sqrt(n_folds − 1)``.
    cv_folds : (n_folds, L) ndarray
        Each fold's score.
    lambda_min, lambda_1se : float
        The λ with the best ``cv_mean`` (the largest such λ on ties), and the largest λ whose ``cv_mean`` is within
        one standard error of that best.
    index_min, index_1se : int
        Their positions in ``lambdas``.
    l1_ratio : float
        The elastic-net mixing α of this result (the best one when several were cross-validated).
    scoring : str
        ``"deviance"``, ``"mse"``, ``"mae"``, ``"class"`` (misclassification rate), ``"auc"`` or ``"C"`` (Harrell's
        concordance, cox).
    foldid : (n,) ndarray of int
        The fold (0, …, n_folds − 1) of each sample.
    path : Path
        The path fitted on all the data at ``l1_ratio``.
    fold_converged : (n_folds,) ndarray of bool
        Whether every λ of each fold's path reached the duality-gap tolerance.
    candidates : tuple of CVPath
        One result per ``l1_ratio`` cross-validated, in the order given (empty when only one was).
    relaxed : RelaxedCV or None
        With ``relax=True`` (glmnet's ``cv$relaxed``): the scores per blend ``γ`` and λ and the chosen pairs
        ``(gamma_min, lambda_min)`` and ``(gamma_1se, lambda_1se)``; the attributes above are then those of the
        penalized fits (``γ = 1``), as in glmnet, and ``path.relaxed`` holds the full-data relaxed fits.
    """

    lambdas: np.ndarray
    cv_mean: np.ndarray
    cv_std: np.ndarray
    cv_folds: np.ndarray
    lambda_min: float
    lambda_1se: float
    index_min: int
    index_1se: int
    l1_ratio: float
    scoring: str
    foldid: np.ndarray
    path: Path
    fold_converged: np.ndarray
    candidates: tuple[CVPath, ...] = ()
    relaxed: RelaxedCV | None = None

    @property
    def greater_is_better(self) -> bool:
        """Whether a larger score is better (AUC, C) or worse (every other score)."""
        return self.scoring in GREATER_IS_BETTER

    @property
    def n_folds(self) -> int:
        return int(self.cv_folds.shape[0])

    @property
    def l1_ratios(self) -> np.ndarray:
        """The ``l1_ratio`` values cross-validated."""
        return np.array([c.l1_ratio for c in self.candidates] if self.candidates else [self.l1_ratio])

    @property
    def best_scores(self) -> np.ndarray:
        """The best ``cv_mean`` reached by each candidate ``l1_ratio`` (aligned with :attr:`l1_ratios`)."""
        results = self.candidates or (self,)
        return np.array([c.cv_mean[c.index_min] for c in results])

    def _choice(self, lambda_: float | str, gamma: float | str | None) -> tuple[float, float]:
        """λ and γ for ``coef_at``/``predict``: with relaxed fits a named λ comes with its γ (glmnet's
        ``predict.cv.relaxed``: ``"lambda_1se"`` is the pair ``(gamma_1se, lambda_1se)`` of ``relaxed``), and a
        numeric λ takes ``gamma_1se`` unless ``gamma`` says otherwise."""
        names = {"lambda_min": "min", "min": "min", "lambda_1se": "1se", "1se": "1se"}
        rule = names.get(lambda_) if isinstance(lambda_, str) else None
        if isinstance(lambda_, str) and rule is None:
            raise ValueError(f"lambda_: expected a number, 'lambda_min' or 'lambda_1se', got {lambda_!r}.")
        r = self.relaxed
        if r is None:
            lam = (self.lambda_min if rule == "min" else self.lambda_1se) if rule else lambda_
            return lam, 1.0 if gamma is None else gamma
        lam = (r.lambda_min if rule == "min" else r.lambda_1se) if rule else lambda_
        if gamma is None:
            gamma = "gamma_min" if rule == "min" else "gamma_1se"
        if isinstance(gamma, str):
            if gamma not in ("gamma_min", "gamma_1se"):
                raise ValueError(f"gamma: expected a number in [0, 1], 'gamma_min' or 'gamma_1se', got {gamma!r}.")
            gamma = r.gamma_min if gamma == "gamma_min" else r.gamma_1se
        return lam, gamma

    def coef_at(self, lambda_: float | str = "lambda_1se",
                gamma: float | str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``(intercept, coef)`` of the full-data path at ``lambda_`` (default λ_1se, like ``coef.cv.glmnet``; with
        relaxed fits the chosen ``(γ, λ)`` pair, like ``coef.cv.relaxed``)."""
        lam, gamma = self._choice(lambda_, gamma)
        return self.path.coef_at(lam, gamma=gamma)

    def predict(self, X: Any, lambda_: float | str = "lambda_1se", type: str = "link",  # noqa: A002
                gamma: float | str | None = None) -> np.ndarray:
        """Predictions of the full-data path at ``lambda_`` (default λ_1se; with relaxed fits the chosen ``(γ, λ)``
        pair); see :meth:`Path.predict`."""
        lam, gamma = self._choice(lambda_, gamma)
        return self.path.predict(X, lam, type=type, gamma=gamma)

    def plot(self, **kwargs: Any) -> Any:
        """The CV curve with λ_min and λ_1se, as glmnet's ``plot.cv.glmnet``: see :func:`jaxreg.plotting.plot_cv`."""
        from jaxreg.plotting import plot_cv

        return plot_cv(self, **kwargs)

    def summary(self) -> str:
        """A short report: the scores at λ_min and λ_1se (and per ``l1_ratio`` when several)."""
        name = SCORE_NAMES[self.scoring]
        lines = [f"{self.n_folds}-fold cross-validation, {name}, l1_ratio={self.l1_ratio:g}",
                 f"{'':>11} {'lambda':>11} {'index':>6} {'score':>11} {'std err':>10} {'df':>5}"]
        for label, k in (("lambda_min", self.index_min), ("lambda_1se", self.index_1se)):
            lines.append(f"{label:>11} {self.lambdas[k]:>11.5g} {k:>6} {self.cv_mean[k]:>11.5g} "
                         f"{self.cv_std[k]:>10.3g} {int(self.path.df[k]):>5}")
        if self.relaxed is not None:
            r = self.relaxed
            for label, (g, k) in (("relaxed min", r.index_min), ("relaxed 1se", r.index_1se)):
                lines.append(f"{label}: gamma={r.gammas[g]:g}, lambda={self.lambdas[k]:.5g} (index {k}), score "
                             f"{r.cv_mean[g, k]:.5g}, std err {r.cv_std[g, k]:.3g}")
        if self.candidates:
            lines.append("best score per l1_ratio: " + ", ".join(
                f"{a:g}: {s:.5g}" for a, s in zip(self.l1_ratios, self.best_scores)))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"CVPath(scoring={self.scoring!r}, n_folds={self.n_folds}, l1_ratio={self.l1_ratio:g}, "
                f"lambda_min={self.lambda_min:.4g}, lambda_1se={self.lambda_1se:.4g}, n_lambdas={self.lambdas.size})")
