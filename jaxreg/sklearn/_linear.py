"""``Lasso``, ``ElasticNet`` and ``Ridge``: one-λ fits of :func:`jaxreg.path` behind scikit-learn's interface."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin

from jaxreg.sklearn._base import (check_bool, check_max_iter, check_real, check_weights, fit_one, gap_tol,
                                  null_objective, optional_tol, validate_x, validate_xy)


class _LinearRegressor(RegressorMixin, BaseEstimator):
    """``predict`` (``X @ coef_ + intercept_``) and ``score`` (R², from ``RegressorMixin``) of a fitted model."""

    def predict(self, X: Any) -> np.ndarray:
        """Predicted responses ``X @ coef_ + intercept_``, shape ``(n_samples,)``."""
        xa = validate_x(self, X)
        return xa @ self.coef_ + self.intercept_

    def _store(self, coef: np.ndarray, intercept: float) -> None:
        self.coef_ = coef
        self.intercept_ = float(intercept) if self.fit_intercept else 0.0


class ElasticNet(_LinearRegressor):
    r"""Elastic net with scikit-learn's objective, solved by :func:`jaxreg.path`.

    Minimizes over the intercept ``b0`` and coefficients ``w``

    .. math::

        \frac{1}{2 \sum_i s_i} \sum_i s_i (y_i - b_0 - x_i^\top w)^2
        + \alpha \Big[ \mathrm{l1\_ratio} \, \|w\|_1 + \frac{1 - \mathrm{l1\_ratio}}{2} \|w\|_2^2 \Big],

    (``s`` the sample weights, all 1 by default), which is jaxreg's objective with ``λ = alpha`` and
    ``l1_ratio`` unchanged. As in scikit-learn, the columns of ``X`` are not standardized.

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty strength ``α ≥ 0`` (jaxreg's λ).
    l1_ratio : float in [0, 1], default=0.5
        Elastic-net mixing (1: lasso, 0: ridge).
    fit_intercept : bool, default=True
        Fit an unpenalized intercept.
    max_iter : int, default=10_000
        Maximum proximal-gradient (FISTA) iterations. They are cheaper and less effective than scikit-learn's
        coordinate-descent epochs, hence jaxreg's default rather than scikit-learn's 1000.
    tol : float, default=1e-4
        scikit-learn's stopping rule: the duality gap of the objective above is at most
        ``tol · Σ s (y − ȳ)² / Σ s``, i.e. jaxreg's ``tol = 2 · tol`` (relative to ``P(0)``, capped at 1).
    positive : bool, default=False
        Constrain the coefficients to be non-negative (jaxreg's ``lower_bounds=0``).
    standardize : bool, default=False
        jaxreg's ``standardize``: penalize the coefficients of columns scaled to unit variance (coefficients are
        still reported on the original scale). Not a scikit-learn parameter.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
        0.0 when ``fit_intercept=False``.
    n_iter_ : int
        FISTA iterations used.
    dual_gap_ : float
        Certified duality gap of the objective above at the solution (of the standardized problem when
        ``standardize=True``).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` had string column names.

    Notes
    -----
    A :class:`jaxreg.ConvergenceWarning` is emitted when ``max_iter`` is reached before ``tol``.
    """

    def __init__(self, alpha: float = 1.0, *, l1_ratio: float = 0.5, fit_intercept: bool = True,
                 max_iter: int = 10_000, tol: float = 1e-4, positive: bool = False, standardize: bool = False):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.positive = positive
        self.standardize = standardize

    def _mixing(self) -> float:
        return check_real(self.l1_ratio, "l1_ratio", high=1.0)

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> ElasticNet:
        """Fit the model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights ``s_i`` (only their ratios matter).

        Returns
        -------
        self
        """
        X, y = validate_xy(self, X, y)
        w = check_weights(sample_weight, X.shape[0])
        fit_intercept = check_bool(self.fit_intercept, "fit_intercept")
        res = fit_one(X, y, lam=check_real(self.alpha, "alpha"), l1_ratio=self._mixing(),
                      fit_intercept=fit_intercept, standardize=check_bool(self.standardize, "standardize"),
                      sample_weight=w, positive=check_bool(self.positive, "positive"), tol=gap_tol(self.tol),
                      max_iter=check_max_iter(self.max_iter))
        self._store(res.coef, res.intercept)
        self.n_iter_ = res.n_iter
        self.dual_gap_ = res.gap * null_objective(y, w, fit_intercept)
        return self


class Lasso(ElasticNet):
    r"""Lasso with scikit-learn's objective, solved by :func:`jaxreg.path`.

    Minimizes

    .. math::

        \frac{1}{2 \sum_i s_i} \sum_i s_i (y_i - b_0 - x_i^\top w)^2 + \alpha \|w\|_1,

    jaxreg's objective with ``λ = alpha`` and ``l1_ratio = 1``, columns not standardized (as in scikit-learn).
    Parameters and attributes are those of :class:`ElasticNet` without ``l1_ratio``.

    Parameters
    ----------
    alpha : float, default=1.0
    fit_intercept : bool, default=True
    max_iter : int, default=10_000
    tol : float, default=1e-4
        scikit-learn's duality-gap rule (jaxreg's ``tol = 2 · tol``), see :class:`ElasticNet`.
    positive : bool, default=False
    standardize : bool, default=False
    """

    def __init__(self, alpha: float = 1.0, *, fit_intercept: bool = True, max_iter: int = 10_000,
                 tol: float = 1e-4, positive: bool = False, standardize: bool = False):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.positive = positive
        self.standardize = standardize

    def _mixing(self) -> float:
        return 1.0


class Ridge(_LinearRegressor):
    r"""Ridge regression with scikit-learn's objective, solved by :func:`jaxreg.path`.

    Minimizes the *summed* squared error

    .. math::

        \sum_i s_i (y_i - b_0 - x_i^\top w)^2 + \alpha \|w\|_2^2 .

    Divided by ``2 Σ s`` this is jaxreg's objective with ``l1_ratio = 0`` and ``λ = alpha / Σ_i s_i``
    (``alpha / n_samples`` without weights). Columns are not standardized.

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty strength ``α ≥ 0`` (a scalar; one target only).
    fit_intercept : bool, default=True
    max_iter : int or None, default=None
        Maximum FISTA iterations (None: jaxreg's 10 000).
    tol : float or None, default=None
        jaxreg's duality-gap tolerance relative to ``P(0)`` (None: its default, 1e-9 in float64, close to the
        exact solutions of scikit-learn's default direct solvers).
    positive : bool, default=False
        Non-negative coefficients (jaxreg's ``lower_bounds=0``).

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
    n_iter_ : int
        FISTA iterations used.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
    """

    def __init__(self, alpha: float = 1.0, *, fit_intercept: bool = True, max_iter: int | None = None,
                 tol: float | None = None, positive: bool = False):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.positive = positive

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Ridge:
        """Fit the model (``sample_weight``: non-negative weights ``s_i``, which scale the squared errors)."""
        X, y = validate_xy(self, X, y)
        w = check_weights(sample_weight, X.shape[0])
        total = float(X.shape[0]) if w is None else float(np.sum(w))
        alpha = check_real(self.alpha, "alpha")
        res = fit_one(X, y, lam=alpha / total, l1_ratio=0.0, fit_intercept=check_bool(self.fit_intercept,
                      "fit_intercept"), sample_weight=w, positive=check_bool(self.positive, "positive"),
                      tol=optional_tol(self.tol), max_iter=10_000 if self.max_iter is None
                      else check_max_iter(self.max_iter))
        self._store(res.coef, res.intercept)
        self.n_iter_ = res.n_iter
        return self
