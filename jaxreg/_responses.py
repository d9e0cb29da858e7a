"""The response ``y`` of each family, checked and converted in NumPy before anything is traced (the other inputs:
:mod:`jaxreg._validation`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from jaxreg._validation import _check_finite, label_ids, to_float_array


def _response_vector(ya: np.ndarray, n: int, what: str) -> np.ndarray:
    """``ya`` as a 1-D array of length ``n`` (an ``(n, 1)`` column is accepted)."""
    if ya.ndim == 2 and ya.shape[1] == 1:
        ya = ya[:, 0]
    if ya.ndim != 1:
        raise ValueError(f"y: expected a 1-D array of {what}, got shape {ya.shape}.")
    if ya.shape[0] != n:
        raise ValueError(f"y: length {ya.shape[0]} does not match X's {n} rows.")
    return ya


def check_y(y: Any, n: int) -> np.ndarray:
    """A real response of length ``n`` (an ``(n, 1)`` column is accepted)."""
    ya = _response_vector(to_float_array(y, "y"), n, "length n_samples")
    _check_finite(ya, "y")
    return ya


def check_poisson_y(y: Any, n: int) -> np.ndarray:
    """Non-negative responses (counts or any non-negative reals, as glmnet), not all zero.

    All-zero ``y`` has no finite maximum-likelihood intercept (``log 0``); glmnet fails to converge there, jaxreg
    refuses it.
    """
    ya = check_y(y, n)
    if (ya < 0).any():
        raise ValueError(f"y: family='poisson' needs non-negative responses, got {int((ya < 0).sum())} negative "
                         f"value(s) (smallest {ya.min():g}).")
    if not (ya > 0).any():
        raise ValueError("y: family='poisson' needs some positive response; all are zero (the intercept-only fit "
                         "would be log 0 = -inf).")
    return ya


def _class_labels(y: Any, n: int, what: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``y`` as a vector of labels, its sorted distinct labels and each sample's index into them."""
    ya = _response_vector(np.asarray(y), n, what)
    if ya.dtype.kind == "f" and not np.isfinite(ya).all():
        raise ValueError("y: contains NaN or infinite values.")
    try:
        labels, ids = np.unique(ya, return_inverse=True)
    except TypeError as exc:
        raise TypeError(f"y: class labels must be comparable (all numbers or all strings): {exc}.") from None
    return ya, labels, ids.ravel()


def check_binomial_y(y: Any, n: int) -> tuple[np.ndarray, tuple[Any, Any]]:
    """Two-class responses → 0/1 floats and the original labels ``(label of 0, label of 1)``.

    As in glmnet, the labels are sorted and the second one is the class whose probability is modelled.
    """
    _, labels, ids = _class_labels(y, n, "two class labels")
    if labels.size != 2:
        raise ValueError(f"y: family='binomial' needs exactly two classes, got {labels.size} "
                         f"({', '.join(map(str, labels[:5]))}{' …' if labels.size > 5 else ''}).")
    return (ids == 1).astype(np.float64), (labels[0].item(), labels[1].item())


def check_multinomial_y(y: Any, n: int) -> tuple[np.ndarray, tuple[Any, ...]]:
    """Class labels (two or more, any sortable values) → class indices ``0 … K − 1`` (floats) and the sorted labels."""
    ya, labels, ids = _class_labels(y, n, "class labels")
    if ya.dtype.kind == "c":
        raise TypeError(f"y: complex values are not class labels (dtype {ya.dtype}).")
    if labels.size < 2:
        raise ValueError(f"y: family='multinomial' needs at least two classes, got {labels.size}.")
    return ids.astype(np.float64), tuple(lab.item() for lab in labels)


def check_mgaussian_y(y: Any, n: int) -> np.ndarray:
    """A real ``(n, K)`` response matrix, ``K ≥ 1`` responses (glmnet's ``mgaussian``)."""
    ya = to_float_array(y, "y")
    if ya.ndim != 2 or ya.shape[0] != n or ya.shape[1] < 1:
        raise ValueError(f"y: family='mgaussian' needs a matrix of shape (n_samples, n_responses) with {n} rows, "
                         f"got shape {ya.shape}.")
    _check_finite(ya, "y")
    return ya


def check_cox_y(y: Any, n: int) -> np.ndarray:
    """Survival responses → float arrays, as glmnet's ``Surv``: ``(n, 2)`` of (time, status) for right-censored
    data, or ``(n, 4)`` of (stop, status, stratum 0, start) for start–stop data (each row at risk on
    ``(start, stop]``, glmnet's ``Surv(start, stop, status)``; :func:`add_strata` fills the stratum column).

    Accepts an ``(n, 2)`` array (time first) or an ``(n, 3)`` one (start, stop, status); a DataFrame with columns
    named ``time`` and ``status`` (or ``event``), or ``start``, ``stop`` and ``status`` (or ``event``), in any order;
    or a structured array with one boolean field (the event) and one numeric field (the time), as scikit-survival's
    ``Surv`` makes. Times must be positive (stop times; start times may be 0 and must be below their stop times,
    glmnet's rules) and statuses 0 or 1 (1: an event).
    """
    names = [str(c).lower() for c in getattr(y, "columns", ())]
    fields = getattr(getattr(y, "dtype", None), "names", None)
    if fields:
        kinds = [np.asarray(y)[f].dtype.kind for f in fields]
        if len(fields) != 2 or kinds.count("b") != 1:
            raise ValueError(f"y: family='cox' needs a structured array with one boolean (event) and one numeric "
                             f"(time) field, got fields {fields}.")
        event, time = (fields[0], fields[1]) if kinds[0] == "b" else (fields[1], fields[0])
        y = np.column_stack([np.asarray(y)[time], np.asarray(y)[event]])
    elif names:
        status = "status" if "status" in names else "event"
        wanted = ["start", "stop", status] if "start" in names or "stop" in names else ["time", status]
        if len(names) == len(wanted) and set(wanted) <= set(names):
            y = np.asarray(y)[:, [names.index(c) for c in wanted]]
    ya = to_float_array(y, "y")
    if ya.ndim != 2 or ya.shape[0] != n or ya.shape[1] not in (2, 3):
        raise ValueError(f"y: family='cox' needs an array of shape (n_samples, 2) holding (time, status), or "
                         f"(n_samples, 3) holding (start, stop, status), with {n} rows, got shape {ya.shape}.")
    _check_finite(ya, "y")
    time, status = ya[:, -2], ya[:, -1]
    if (time <= 0).any():
        which = "stop times (second column)" if ya.shape[1] == 3 else "survival times (first column)"
        raise ValueError(f"y: family='cox' needs positive {which}, got {int((time <= 0).sum())} non-positive "
                         f"(smallest {time.min():g}).")
    if not np.isin(status, (0.0, 1.0)).all():
        which = "third" if ya.shape[1] == 3 else "second"
        raise ValueError(f"y: family='cox' needs a status ({which} column) of 0 (censored) or 1 (event), got "
                         f"{np.unique(status)[:5]}.")
    if ya.shape[1] == 2:
        return ya
    start = ya[:, 0]
    if (start < 0).any() or (start >= time).any():
        bad = int(((start < 0) | (start >= time)).sum())
        raise ValueError(f"y: family='cox' start-stop data needs 0 ≤ start < stop in every row, got {bad} rows "
                         "that are not.")
    return np.column_stack([time, status, np.zeros(n), start])


def add_strata(y: np.ndarray, strata: Any, family: str) -> np.ndarray:
    """Cox with ``strata`` (a label per sample, glmnet's ``stratifySurv``): ``(time, status, stratum id)``, the ids
    ``0 … S − 1`` in the order of the sorted labels (start–stop data: in its stratum column); unchanged without."""
    if strata is None:
        return y
    if family != "cox":
        raise ValueError(f"strata: only used by family='cox', not {family!r}.")
    ids = label_ids(strata, "strata", y.shape[0], "sample").astype(np.float64)
    if y.shape[1] == 4:
        return np.column_stack([y[:, :2], ids, y[:, 3]])
    return np.column_stack([y, ids])


def check_response(y: Any, n: int, family: str) -> tuple[np.ndarray, tuple[Any, ...] | None]:
    """The response as float64 for ``family`` (binomial: 0/1 and the two labels; multinomial: class indices and the
    K labels; mgaussian: an (n, K) matrix; else ``None`` for the labels)."""
    if family == "mgaussian":
        return check_mgaussian_y(y, n), None
    if family == "binomial":
        return check_binomial_y(y, n)
    if family == "multinomial":
        return check_multinomial_y(y, n)
    if family == "cox":
        return check_cox_y(y, n), None
    return (check_poisson_y(y, n) if family == "poisson" else check_y(y, n)), None


def check_class_weights(ids: np.ndarray, w: np.ndarray, classes: tuple[Any, ...]) -> None:
    """Every class needs positive total weight (else its intercept would be -inf)."""
    total = np.bincount(ids.astype(np.int64), weights=w, minlength=len(classes))
    if (total <= 0).any():
        missing = [classes[k] for k in np.flatnonzero(total <= 0)]
        raise ValueError(f"sample_weight: class(es) {missing} have zero total weight; drop them from y.")
