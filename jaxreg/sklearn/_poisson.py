"""``PoissonRegressor``: a one-λ Poisson fit of :func:`jaxreg.path` behind scikit-learn's interface."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin

from jaxreg.sklearn._base import (check_bool, check_max_iter, check_real, check_weights, fit_one, optional_tol,
                                  validate_x, validate_xy)


def _half_deviance(y: np.ndarray, mu: np.ndarray, w: np.ndarray) -> float:
    """``Σ w (y log(y/μ) − y + μ)``, with ``y log y = 0`` at ``y = 0``."""
    ylogy = np.where(y > 0, y * np.log(np.where(y > 0, y, 1.0) / mu), 0.0)
    return float(np.sum(w * (ylogy - y + mu)))


class PoissonRegressor(RegressorMixin, BaseEstimator):
    r"""Poisson regression (log link) with an L2 penalty, scikit-learn's objective, solved by :func:`jaxreg.path`.

    Minimizes over the intercept ``b0`` and coefficients ``w``

    .. math::

        \frac{1}{\sum_i s_i} \sum_i s_i \big( e^{\eta_i} - y_i \eta_i \big) + \frac{\alpha}{2} \|w\|_2^2,
        \qquad \eta_i = b_0 + x_i^\top w,

    which is half the mean Poisson deviance plus a constant (scikit-learn's form), i.e. jaxreg's
    ``family="poisson"`` with ``l1_ratio = 0`` and ``λ = alpha``. Columns are not standardized.

    Parameters
    ----------
    alpha : float, default=1.0
        L2 penalty strength ``α ≥ 0`` (0: unpenalized maximum likelihood).
    fit_intercept : bool, default=True
    max_iter : int, default=10_000
        Maximum proximal-gradient (FISTA) iterations.
    tol : float or None, default=None
        jaxreg's duality-gap tolerance relative to ``P(0)`` (None: jaxreg's default for poisson).

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
    n_iter_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray of str
    """

    def __init__(self, *, alpha: float = 1.0, fit_intercept: bool = True, max_iter: int = 10_000,
                 tol: float | None = None):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.positive_only = True
        return tags

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> PoissonRegressor:
        """Fit the model; ``y`` must be non-negative with a positive (weighted) sum."""
        X, y = validate_xy(self, X, y)
        w = check_weights(sample_weight, X.shape[0])
        if np.any(y < 0):
            raise ValueError("y: PoissonRegressor needs non-negative targets.")
        res = fit_one(X, y, lam=check_real(self.alpha, "alpha"), family="poisson", l1_ratio=0.0,
                      fit_intercept=check_bool(self.fit_intercept, "fit_intercept"), sample_weight=w,
                      tol=optional_tol(self.tol), max_iter=check_max_iter(self.max_iter))
        self.coef_ = res.coef
        self.intercept_ = float(res.intercept) if self.fit_intercept else 0.0
        self.n_iter_ = res.n_iter
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predicted means ``exp(X @ coef_ + intercept_)``."""
        xa = validate_x(self, X)
        return np.exp(xa @ self.coef_ + self.intercept_)

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """D², the fraction of Poisson deviance explained (scikit-learn's score for this estimator)."""
        y = np.asarray(y, dtype=np.float64)
        w = np.ones_like(y) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        null = _half_deviance(y, np.full_like(y, np.average(y, weights=w)), w)
        return 1.0 - _half_deviance(y, self.predict(X), w) / null if null > 0 else 0.0
