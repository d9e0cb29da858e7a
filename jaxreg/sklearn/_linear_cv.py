"""``LassoCV`` and ``ElasticNetCV``: :func:`jaxreg.cv_path` behind scikit-learn's interface."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

import jaxreg
from jaxreg.sklearn._base import (alpha_grid, check_bool, check_max_iter, check_real, check_weights,
                                  folds_from_cv, gap_tol, null_objective, pad_problem, validate_xy)
from jaxreg.sklearn._linear import _LinearRegressor


def _check_alphas(alphas: Any, n_alphas: Any) -> np.ndarray | int:
    """A user grid (sorted decreasing), or the length of the default grid (``alphas`` may be that int)."""
    if alphas is None or (isinstance(alphas, numbers.Integral) and not isinstance(alphas, bool)):
        name, count = ("n_alphas", n_alphas) if alphas is None else ("alphas", alphas)
        if isinstance(count, bool) or not isinstance(count, numbers.Integral) or count < 1:
            raise ValueError(f"{name}: expected a positive integer, got {count!r}.")
        return int(count)
    grid = np.asarray(alphas, dtype=np.float64).ravel()
    if grid.size == 0 or not np.all(np.isfinite(grid)) or np.any(grid < 0):
        raise ValueError(f"alphas: expected finite non-negative values, got {alphas!r}.")
    return np.sort(grid)[::-1]


class ElasticNetCV(_LinearRegressor):
    r"""Elastic net with α (and ``l1_ratio``) chosen by K-fold cross-validation, over :func:`jaxreg.cv_path`.

    For every ``l1_ratio`` and every α of a decreasing grid, fits scikit-learn's elastic-net objective (see
    :class:`~jaxreg.sklearn.ElasticNet`; jaxreg's with ``λ = α``) on each fold's training samples and measures the
    weighted mean squared error on its held-out samples. The pair with the smallest error averaged over folds
    (unweighted mean over folds, as scikit-learn; the first ``l1_ratio`` and largest α on ties) is kept, and the
    reported model is the full-data path's fit at it.

    Parameters
    ----------
    l1_ratio : float or sequence of float, default=0.5
        Mixing value(s) in [0, 1] to cross-validate.
    eps : float, default=1e-3
        ``α_min / α_max`` of the default grid.
    n_alphas : int, default=100
        Length of the default grid.
    alphas : array-like or int, optional
        A grid of α to use for every ``l1_ratio``; an int is the length of the default grid (scikit-learn ≥ 1.7).
        The default grid is log-spaced from ``α_max`` (the smallest α with all coefficients zero, computed for each
        ``l1_ratio``, floored at 1e-3) down to ``eps · α_max``.
    fit_intercept : bool, default=True
    max_iter : int, default=10_000
        Maximum FISTA iterations per α.
    tol : float, default=1e-4
        scikit-learn's duality-gap rule (jaxreg's ``tol = 2 · tol``), see :class:`~jaxreg.sklearn.ElasticNet`.
    cv : int, cross-validation splitter or iterable, optional
        scikit-learn's ``cv`` (None: 5-fold ``KFold``). The splits must partition the samples (each sample in
        exactly one test set, each training set the rest): jaxreg turns them into a ``foldid`` vector.
    positive : bool, default=False
        Non-negative coefficients.
    standardize : bool, default=False
        jaxreg's ``standardize`` (not a scikit-learn parameter).

    Attributes
    ----------
    alpha_ : float
    l1_ratio_ : float
    alphas_ : ndarray of shape (n_alphas,) or (n_l1_ratio, n_alphas)
        The grid(s) (one per ``l1_ratio`` when the default grid is used with several ``l1_ratio``).
    mse_path_ : ndarray of shape (n_alphas, n_folds) or (n_l1_ratio, n_alphas, n_folds)
        Held-out mean squared error of each fold.
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
    dual_gap_ : float
    n_iter_ : int
        Iterations of the full-data path from its first alpha down to ``alpha_`` (each alpha is warm-started at
        the previous ones, so this is what the solution at ``alpha_`` cost; at least 1, the check of the first
        alpha counting as one, like scikit-learn's first epoch).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
    """

    def __init__(self, *, l1_ratio: float | Any = 0.5, eps: float = 1e-3, n_alphas: int = 100, alphas: Any = None,
                 fit_intercept: bool = True, max_iter: int = 10_000, tol: float = 1e-4, cv: Any = None,
                 positive: bool = False, standardize: bool = False):
        self.l1_ratio = l1_ratio
        self.eps = eps
        self.n_alphas = n_alphas
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.cv = cv
        self.positive = positive
        self.standardize = standardize

    def _mixings(self) -> list[float]:
        values = np.atleast_1d(np.asarray(self.l1_ratio, dtype=object))
        if values.ndim != 1 or values.size == 0:
            raise ValueError(f"l1_ratio: expected a number or a non-empty sequence, got {self.l1_ratio!r}.")
        return [check_real(a, "l1_ratio", high=1.0) for a in values]

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> ElasticNetCV:
        """Cross-validate, then keep the full-data fit at the best ``(alpha_, l1_ratio_)``."""
        X, y = validate_xy(self, X, y)
        w = check_weights(sample_weight, X.shape[0])
        mixings = self._mixings()
        fit_intercept = check_bool(self.fit_intercept, "fit_intercept")
        positive = check_bool(self.positive, "positive")
        eps = check_real(self.eps, "eps", low_open=True)
        grid = _check_alphas(self.alphas, self.n_alphas)
        foldid = folds_from_cv(self.cv, X, y, classifier=False)
        if isinstance(grid, int):
            grids = [alpha_grid(X, y, l1_ratio=a, fit_intercept=fit_intercept, positive=positive, sample_weight=w,
                                eps=eps, n_alphas=grid) for a in mixings]
        else:
            grids = [grid] * len(mixings)
        pb = pad_problem(X, y, w, positive)
        folds = np.pad(foldid, (0, pb.X.shape[0] - pb.n))  # padding rows (zero weight) join fold 0
        tol, max_iter = gap_tol(self.tol), check_max_iter(self.max_iter)
        standardize = check_bool(self.standardize, "standardize")
        results = [jaxreg.cv_path(pb.X, pb.y, foldid=folds, l1_ratio=a, lambdas=g, scoring="mse",
                                  fit_intercept=fit_intercept, standardize=standardize, sample_weight=pb.weights,
                                  tol=tol, max_iter=max_iter, **pb.bounds())
                   for a, g in zip(mixings, grids)]
        mse = np.stack([r.cv_folds.T for r in results])  # (n_l1_ratio, n_alphas, n_folds)
        mean = mse.mean(axis=2)
        best_per_ratio = mean.argmin(axis=1)
        r = int(np.argmin(mean[np.arange(len(mixings)), best_per_ratio]))
        k = int(best_per_ratio[r])
        path = results[r].path
        self.alpha_ = float(grids[r][k])
        self.l1_ratio_ = mixings[r]
        self.alphas_ = np.stack(grids) if isinstance(grid, int) and len(mixings) > 1 else np.array(grids[0])
        self.mse_path_ = mse[0] if len(mixings) == 1 else mse
        self._store(np.array(path.coef[k, :pb.p]), float(path.intercept[k]))
        self.n_iter_ = max(1, int(np.sum(path.n_iter[: k + 1])))
        self.dual_gap_ = float(path.gap[k]) * null_objective(y, w, fit_intercept)
        return self


class LassoCV(ElasticNetCV):
    r"""Lasso with α chosen by K-fold cross-validation, over :func:`jaxreg.cv_path` (``l1_ratio = 1``).

    The objective is :class:`~jaxreg.sklearn.Lasso`'s; parameters and attributes are those of
    :class:`ElasticNetCV` without ``l1_ratio`` and ``l1_ratio_``: ``alpha_``, ``alphas_`` (n_alphas,),
    ``mse_path_`` (n_alphas, n_folds), ``coef_``, ``intercept_``, ``dual_gap_``, ``n_iter_``.

    Parameters
    ----------
    eps : float, default=1e-3
    n_alphas : int, default=100
    alphas : array-like or int, optional
    fit_intercept : bool, default=True
    max_iter : int, default=10_000
    tol : float, default=1e-4
    cv : int, cross-validation splitter or iterable, optional
    positive : bool, default=False
    standardize : bool, default=False
    """

    def __init__(self, *, eps: float = 1e-3, n_alphas: int = 100, alphas: Any = None, fit_intercept: bool = True,
                 max_iter: int = 10_000, tol: float = 1e-4, cv: Any = None, positive: bool = False,
                 standardize: bool = False):
        self.eps = eps
        self.n_alphas = n_alphas
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.cv = cv
        self.positive = positive
        self.standardize = standardize

    def _mixings(self) -> list[float]:
        return [1.0]

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LassoCV:
        """Cross-validate α, then keep the full-data fit at ``alpha_``."""
        super().fit(X, y, sample_weight)
        del self.l1_ratio_
        return self
