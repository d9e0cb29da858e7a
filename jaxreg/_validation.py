"""Input checks done in NumPy before anything is traced, so that bad input gets a message naming the argument."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np


def to_float_array(value: Any, name: str) -> np.ndarray:
    """``value`` as a float64 array, or a TypeError naming ``name`` (sparse, non-numeric or complex input)."""
    if hasattr(value, "toarray") and hasattr(value, "nnz"):
        raise TypeError(f"{name}: sparse matrices are not supported yet; pass a dense array (e.g. {name}.toarray()).")
    try:
        arr = np.asarray(value)
    except Exception as exc:  # pragma: no cover - exotic containers
        raise TypeError(f"{name}: could not convert to an array ({exc}).") from exc
    if arr.dtype == object:
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name}: expected numeric values, got non-numeric entries ({exc}).") from exc
    if np.iscomplexobj(arr):
        raise TypeError(f"{name}: complex values are not supported (dtype {arr.dtype}).")
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"{name}: expected a numeric array, got dtype {arr.dtype}.")
    return arr.astype(np.float64, copy=False)  # no copy of a float64 X: nothing here writes to it


def _check_finite(arr: np.ndarray, name: str, allow_inf: bool = False) -> None:
    bad = np.isnan(arr) if allow_inf else ~np.isfinite(arr)
    if bad.any():
        what = "NaN" if allow_inf else "NaN or infinite"
        raise ValueError(f"{name}: contains {what} values ({int(bad.sum())} of {arr.size}).")


def check_x(x: Any) -> np.ndarray:
    """Return ``X`` as an ``(n, p)`` float64 array, or raise naming the argument."""
    xa = to_float_array(x, "X")
    if xa.ndim != 2:
        raise ValueError(f"X: expected a 2-D array of shape (n_samples, n_features), got shape {xa.shape}.")
    if xa.shape[0] == 0 or xa.shape[1] == 0:
        raise ValueError(f"X: empty data, shape {xa.shape}; need at least one sample and one feature.")
    _check_finite(xa, "X")
    return xa


def label_ids(labels: Any, name: str, length: int, what: str, *, integral: bool = False) -> np.ndarray:
    """One label per ``what`` (integers or strings; ``integral``: floats must be whole numbers) → ids ``0 … G − 1``
    in the order of the sorted labels."""
    g = np.asarray(labels)
    if g.ndim != 1 or g.shape[0] != length:
        raise ValueError(f"{name}: expected one label per {what} (length {length}), got shape {g.shape}.")
    if g.dtype.kind == "f" and not (np.all(np.isfinite(g)) and (not integral or np.all(g == np.round(g)))):
        raise TypeError(f"{name}: expected integer (or string) labels, got non-integer or non-finite floats.")
    if g.dtype.kind not in "iubfUSO":
        raise TypeError(f"{name}: expected integer (or string) labels, got dtype {g.dtype}.")
    try:
        _, ids = np.unique(g, return_inverse=True)
    except TypeError as exc:
        raise TypeError(f"{name}: labels must be comparable (all numbers or all strings): {exc}.") from None
    return ids.ravel()


def check_vector(value: Any, name: str, p: int, *, default: float, allow_inf: bool = False) -> np.ndarray:
    """A scalar or a length-``p`` vector (``None`` gives ``default``), broadcast to ``(p,)``."""
    if value is None:
        return np.full(p, default)
    arr = to_float_array(value, name)
    if arr.ndim == 0:
        arr = np.full(p, float(arr))
    if arr.ndim != 1 or arr.shape[0] != p:
        raise ValueError(f"{name}: expected a scalar or a vector of length {p}, got shape {arr.shape}.")
    _check_finite(arr, name, allow_inf=allow_inf)
    return arr


def check_weights(value: Any, n: int, name: str = "sample_weight") -> np.ndarray:
    """Non-negative sample weights with a positive sum (``name``: the argument, for the messages)."""
    if value is None:
        return np.ones(n)
    w = to_float_array(value, name)
    if w.ndim != 1 or w.shape[0] != n:
        raise ValueError(f"{name}: expected a vector of length {n} (one per sample), got shape {w.shape}.")
    _check_finite(w, name)
    if (w < 0).any():
        raise ValueError(f"{name}: weights must be non-negative.")
    if w.sum() <= 0:
        raise ValueError(f"{name}: weights sum to zero; at least one sample needs a positive weight.")
    return w


def check_offset(value: Any, n: int, n_outputs: int = 0, family: str = "") -> np.ndarray | None:
    """``None``, or a finite offset per sample (glmnet's ``offset``: added to the linear predictor); for families
    with ``n_outputs`` K > 0 (multinomial classes, mgaussian responses), one per sample and output, ``(n, K)``."""
    if value is None:
        return None
    o = to_float_array(value, "offset")
    if n_outputs:
        if o.shape != (n, n_outputs):
            what = "class" if family == "multinomial" else "response"
            raise ValueError(f"offset: family={family!r} needs one offset per sample and {what}, shape "
                             f"({n}, {n_outputs}), got shape {o.shape}.")
    elif o.ndim != 1 or o.shape[0] != n:
        raise ValueError(f"offset: expected a vector of length {n} (one per sample), got shape {o.shape}.")
    _check_finite(o, "offset")
    return o


def check_penalty_factor(value: Any, p: int) -> np.ndarray:
    """Non-negative penalty factors, not all zero."""
    pf = check_vector(value, "penalty_factor", p, default=1.0)
    if (pf < 0).any():
        raise ValueError("penalty_factor: factors must be non-negative (0 leaves a feature unpenalized).")
    if pf.sum() <= 0:
        raise ValueError("penalty_factor: all factors are zero; at least one feature must be penalized.")
    return pf


def check_bounds(lower: Any, upper: Any, p: int) -> tuple[np.ndarray, np.ndarray]:
    """Bounds with ``lower ≤ 0 ≤ upper`` (±inf allowed)."""
    lo = check_vector(lower, "lower_bounds", p, default=-np.inf, allow_inf=True)
    hi = check_vector(upper, "upper_bounds", p, default=np.inf, allow_inf=True)
    if (lo > 0).any():
        raise ValueError("lower_bounds: must be <= 0 (zero must be feasible, as in glmnet's lower.limits).")
    if (hi < 0).any():
        raise ValueError("upper_bounds: must be >= 0 (zero must be feasible, as in glmnet's upper.limits).")
    return lo, hi


def check_scalar(value: Any, name: str, *, low: float, high: float, low_open: bool = False,
                 high_open: bool = False) -> float:
    """A real number in the interval given (open or closed at each end)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected a real number, got {type(value).__name__}.")
    v = float(value)
    too_low = v <= low if low_open else v < low
    too_high = v >= high if high_open else v > high
    if not np.isfinite(v) or too_low or too_high:
        lb = "(" if low_open else "["
        rb = ")" if high_open else "]"
        raise ValueError(f"{name}: expected a value in {lb}{low}, {high}{rb}, got {value!r}.")
    return v


def check_int(value: Any, name: str, *, low: int, high: int | None = None) -> int:
    """An integer at least ``low`` (and at most ``high``, when given)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: expected an integer, got {type(value).__name__}.")
    if value < low:
        raise ValueError(f"{name}: expected an integer >= {low}, got {value}.")
    if high is not None and value > high:
        raise ValueError(f"{name}: expected an integer <= {high}, got {value}.")
    return int(value)


def check_max_iter(value: Any) -> int:
    """``max_iter``: an integer from 1 to 2³¹ − 1 (the solvers count iterations in a traced int32)."""
    return check_int(value, "max_iter", low=1, high=np.iinfo(np.int32).max)


def check_lambdas(value: Any, *, sort: bool = True) -> np.ndarray:
    """A non-empty vector of finite, non-negative λ, returned sorted in decreasing order (or as given)."""
    lam = to_float_array(value, "lambdas")
    if lam.ndim == 0:
        lam = lam.reshape(1)
    if lam.ndim != 1 or lam.size == 0:
        raise ValueError(f"lambdas: expected a non-empty 1-D sequence, got shape {lam.shape}.")
    _check_finite(lam, "lambdas")
    if (lam < 0).any():
        raise ValueError("lambdas: values must be non-negative.")
    return np.sort(lam)[::-1].copy() if sort else lam
