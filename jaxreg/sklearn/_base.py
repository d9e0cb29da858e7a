"""Shared pieces of the scikit-learn estimators: input checks, one-λ fits, CV folds, λ grids."""

from __future__ import annotations

import numbers
from typing import Any, NamedTuple

import numpy as np
from sklearn.model_selection import check_cv
from sklearn.utils.validation import check_is_fitted, validate_data

import jaxreg


class SingleFit(NamedTuple):
    """One fitted model from :func:`fit_one`."""

    coef: np.ndarray  # (p,), multinomial (p, K)
    intercept: float | np.ndarray  # multinomial (K,)
    n_iter: int
    gap: float  # relative to P(0), as jaxreg reports it
    converged: bool


def check_real(value: Any, name: str, *, low: float = 0.0, high: float = np.inf, low_open: bool = False,
               high_open: bool = False, allow_inf: bool = False) -> float:
    """A real number in ``[low, high]`` (ends open when asked), raising ``TypeError``/``ValueError`` naming it."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected a real number, got {type(value).__name__}.")
    v = float(value)
    bad = np.isnan(v) or (np.isinf(v) and not allow_inf)
    bad = bad or (v <= low if low_open else v < low) or (v >= high if high_open else v > high)
    if bad:
        raise ValueError(f"{name}: expected a value in {'(' if low_open else '['}{low}, {high}"
                         f"{')' if high_open else ']'}, got {value!r}.")
    return v


def check_bool(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: expected True or False, got {value!r}.")
    return bool(value)


def check_max_iter(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"max_iter: expected a positive integer, got {value!r}.")
    return int(value)


def gap_tol(tol: Any) -> float:
    """scikit-learn's coordinate-descent tolerance as a jaxreg tolerance.

    scikit-learn stops when the duality gap of ``½ Σ w r² + n α pen`` is at most ``tol · Σ w y_c²`` (weights
    summing to ``n``, ``y_c`` centred when there is an intercept); divided by ``n`` that is ``gap ≤ 2 tol · P(0)``
    on jaxreg's mean-normalized objective, whose ``P(0) = Σ w y_c² / (2 Σ w)``. jaxreg accepts tolerances in
    ``(0, 1]``.
    """
    return min(2.0 * check_real(tol, "tol", low_open=True), 1.0)


def optional_tol(tol: Any) -> float | None:
    """``None`` (jaxreg's default) or a duality-gap tolerance in ``(0, 1]`` relative to ``P(0)``."""
    return None if tol is None else check_real(tol, "tol", low_open=True, high=1.0)


def check_weights(sample_weight: Any, n: int) -> np.ndarray | None:
    """``None`` or finite non-negative float weights of length ``n`` (a scalar is broadcast) with a positive sum."""
    if sample_weight is None:
        return None
    w = np.asarray(sample_weight, dtype=np.float64)
    if w.ndim == 0:
        w = np.full(n, float(w))
    if w.ndim != 1 or w.shape[0] != n:
        raise ValueError(f"sample_weight: expected shape ({n},), got {w.shape}.")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("sample_weight: weights must be finite and non-negative.")
    if not w.sum() > 0:
        raise ValueError("sample_weight: weights sum to zero; at least one sample needs a positive weight.")
    return w


def validate_xy(est: Any, X: Any, y: Any, *, classifier: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's checks of ``X``/``y`` (sets ``n_features_in_`` and ``feature_names_in_``); float64 ``X``."""
    if classifier:
        return validate_data(est, X, y, dtype=np.float64)
    return validate_data(est, X, y, dtype=np.float64, y_numeric=True)


def validate_x(est: Any, X: Any) -> np.ndarray:
    """Check a fitted estimator and new ``X`` (same number and names of features as in ``fit``)."""
    check_is_fitted(est)
    return validate_data(est, X, dtype=np.float64, reset=False)


#: Problems with at most this many entries (n·p) are padded to power-of-two shapes before fitting (see
#: :func:`pad_problem`): the padded copy then has at most 4× the entries (2 MiB), little next to a compilation.
#: Larger problems are passed as they are (no copy; their solve time matters more than a compilation).
PAD_MAX_ENTRIES = 1 << 16


class Problem(NamedTuple):
    """A problem ready for jaxreg: arrays (maybe padded, see :func:`pad_problem`) and the original shape."""

    X: np.ndarray
    y: np.ndarray
    weights: np.ndarray | None
    lower: np.ndarray
    upper: np.ndarray
    n: int
    p: int

    def bounds(self) -> dict[str, np.ndarray]:
        return {"lower_bounds": self.lower, "upper_bounds": self.upper}


def padded_shape(n: int, p: int) -> tuple[int, int]:
    """Shape a small problem is padded to: powers of two, at least 64 rows and 16 columns (unchanged when large).

    The floors make the many tiny shapes of scikit-learn's checks and of small folds share compilations; padding
    costs nothing measurable at that size."""
    if n * p > PAD_MAX_ENTRIES:
        return n, p
    return max(64, 1 << (n - 1).bit_length()), max(16, 1 << (p - 1).bit_length())


def pad_problem(X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None, positive: bool) -> Problem:
    """Bounds for ``positive``, and small problems padded to the shape :func:`padded_shape` gives.

    jaxreg compiles once per data shape (about 1 s for least squares, 2 s for logistic on 2 CPU cores), which
    dominates fitting a small problem; padding makes the many shapes of cross-validation folds, grid searches and
    scikit-learn's checks share a few compilations. Padding rows get zero weight and padding columns are zero with
    both bounds 0, so the objective, its solution and its duality gap are exactly those of the unpadded problem.
    """
    n, p = X.shape
    lower = np.full(p, 0.0 if positive else -np.inf)
    upper = np.full(p, np.inf)
    n_pad, p_pad = padded_shape(n, p)
    if (n_pad, p_pad) == (n, p):
        return Problem(X, y, sample_weight, lower, upper, n, p)
    w = np.ones(n) if sample_weight is None else sample_weight
    return Problem(np.pad(X, ((0, n_pad - n), (0, p_pad - p))), np.pad(y, (0, n_pad - n)),
                   np.pad(w, (0, n_pad - n)), np.pad(lower, (0, p_pad - p)), np.pad(upper, (0, p_pad - p)), n, p)


def fit_one(X: np.ndarray, y: np.ndarray, *, lam: float, family: str = "gaussian", l1_ratio: float,
            fit_intercept: bool, standardize: bool = False, sample_weight: np.ndarray | None = None,
            positive: bool = False, tol: float | None, max_iter: int) -> SingleFit:
    """One λ solved by :func:`jaxreg.path` with ``lambdas=[lam]`` (small problems padded, see :func:`pad_problem`).

    A single-point grid, started from zero, measured faster than a warm-started geometric grid from λmax down to
    ``lam`` (10 or 20 points) on the diabetes, a wide (100 × 500) and the breast-cancer data, at every ratio
    ``lam/λmax`` from 1e-1 to 1e-6 but one (wide, 1e-3), and it compiles once per data shape whatever ``lam``.
    """
    pb = pad_problem(X, y, sample_weight, positive)
    fit = jaxreg.path(pb.X, pb.y, family=family, l1_ratio=l1_ratio, lambdas=[lam], fit_intercept=fit_intercept,
                      standardize=standardize, sample_weight=pb.weights, tol=tol, max_iter=max_iter, **pb.bounds())
    b0 = np.array(fit.intercept[-1])
    return SingleFit(coef=np.array(fit.coef[-1, :pb.p]), intercept=float(b0) if b0.ndim == 0 else b0,
                     n_iter=int(fit.n_iter[-1]), gap=float(fit.gap[-1]), converged=bool(fit.converged[-1]))


def null_objective(y: np.ndarray, sample_weight: np.ndarray | None, fit_intercept: bool) -> float:
    """Least-squares ``P(0) = Σ w (y − ȳ)² / (2 Σ w)`` (``ȳ`` the weighted mean, or 0 without intercept)."""
    w = np.ones_like(y) if sample_weight is None else sample_weight
    centre = np.average(y, weights=w) if fit_intercept else 0.0
    return float(np.sum(w * (y - centre) ** 2) / (2.0 * np.sum(w)))


def alpha_grid(X: np.ndarray, y: np.ndarray, *, l1_ratio: float, fit_intercept: bool, positive: bool,
               sample_weight: np.ndarray | None, eps: float, n_alphas: int) -> np.ndarray:
    r"""scikit-learn's default grid: ``n_alphas`` values log-spaced from ``α_max`` down to ``eps · α_max``.

    ``α_max = max_j |Σ_i w_i (x_ij − x̄_j)(y_i − ȳ)| / (Σ_i w_i · l1_ratio)``, the smallest α with every
    coefficient zero (the positive part of the inner product when ``positive``; no centring without intercept).
    As in glmnet, ``l1_ratio`` is floored at 1e-3 so that ridge-like mixes still get a finite grid. When ``y`` is
    constant every α gives zero coefficients; the grid is then ``n_alphas`` copies of float64's resolution.
    """
    w = np.ones(X.shape[0]) if sample_weight is None else sample_weight
    if fit_intercept:
        y = y - np.average(y, weights=w)
        X = X - np.average(X, axis=0, weights=w)
    xy = X.T @ (w * y)
    top = max(float(xy.max()), 0.0) if positive else float(np.abs(xy).max())
    alpha_max = top / (np.sum(w) * max(l1_ratio, 1e-3))
    res = np.finfo(np.float64).resolution
    if alpha_max <= res:
        return np.full(n_alphas, res)
    return np.geomspace(alpha_max, alpha_max * eps, num=n_alphas)


def folds_from_cv(cv: Any, X: np.ndarray, y: np.ndarray, *, classifier: bool) -> np.ndarray:
    """A fold label (0, 1, …) per sample from scikit-learn's ``cv`` (None: 5 folds; int; splitter; iterable).

    jaxreg fits one path per fold on the complement of that fold, so the splits must be a partition: test sets
    disjoint, covering every sample, each training set the complement of its test set. Anything else
    (``ShuffleSplit``, ``TimeSeriesSplit``, …) raises ``ValueError``.
    """
    splitter = check_cv(cv, y, classifier=classifier)
    n = X.shape[0]
    foldid = np.full(n, -1)
    every = np.arange(n)
    k = -1
    for k, (train, test) in enumerate(splitter.split(X, y)):
        test, train = every[np.asarray(test)], every[np.asarray(train)]  # index arrays or boolean masks
        if (foldid[test] != -1).any():
            raise ValueError("cv: the test sets overlap; jaxreg needs splits that partition the samples "
                             "(e.g. KFold, StratifiedKFold, GroupKFold, PredefinedSplit).")
        foldid[test] = k
        if not np.array_equal(np.unique(train), np.setdiff1d(every, test)):
            raise ValueError(f"cv: the training set of split {k} is not the complement of its test set; jaxreg "
                             "needs splits that partition the samples (e.g. KFold, StratifiedKFold).")
    if k < 1:
        raise ValueError(f"cv: need at least 2 splits, got {k + 1}.")
    if (foldid == -1).any():
        raise ValueError(f"cv: {int((foldid == -1).sum())} samples are in no test set; jaxreg needs splits that "
                         "partition the samples (e.g. KFold, StratifiedKFold).")
    return foldid
