"""Checks of the ``penalty=`` and ``groups=`` arguments of :func:`jaxreg.path`, and of the options of the families with
several outputs (NumPy only, nothing traced)."""

from __future__ import annotations

from typing import Any

import numpy as np

#: Penalties :func:`jaxreg.path` solves, with their default ``l1_ratio``: the lasso for the elastic net, the pure
#: group lasso, and an even split between L1 and group norm for the sparse-group lasso.
DEFAULT_L1_RATIO = {"elastic_net": 1.0, "group_lasso": 1.0, "sparse_group_lasso": 0.5}
PLANNED_PENALTIES = ("mcp", "scad")
GROUP_PENALTIES = ("group_lasso", "sparse_group_lasso")


def check_penalty(penalty: Any) -> str:
    """The penalty's name, or a ``ValueError`` listing the supported ones."""
    supported = tuple(DEFAULT_L1_RATIO)
    if not isinstance(penalty, str):
        raise TypeError(f"penalty: expected one of {supported}, got {type(penalty).__name__} {penalty!r}.")
    if penalty in PLANNED_PENALTIES:
        raise ValueError(f"penalty: {penalty!r} is not implemented yet; supported: {supported}.")
    if penalty not in supported:
        raise ValueError(f"penalty: unknown penalty {penalty!r}; supported: {supported}.")
    return penalty


def default_l1_ratio(penalty: Any) -> float:
    """``l1_ratio`` when the user gives none: 1 (lasso, pure group lasso), 0.5 for the sparse-group lasso."""
    return DEFAULT_L1_RATIO[check_penalty(penalty)]


def check_groups(groups: Any, p: int, penalty: str) -> tuple[int, ...]:
    """Group labels (any integers or strings, one per feature) → ``0 … G − 1`` in order of sorted labels."""
    if penalty not in GROUP_PENALTIES:
        if groups is not None:
            raise ValueError(f"groups: only used by the group penalties {GROUP_PENALTIES}, not penalty={penalty!r}.")
        return ()
    if groups is None:
        raise ValueError(f"groups: penalty={penalty!r} needs a group label per feature (groups=, length {p}).")
    g = np.asarray(groups)
    if g.ndim != 1 or g.shape[0] != p:
        raise ValueError(f"groups: expected one label per feature (length {p}), got shape {g.shape}.")
    if g.dtype.kind == "f":
        if not np.all(np.isfinite(g)) or not np.all(g == np.round(g)):
            raise TypeError("groups: expected integer (or string) labels, got non-integer floats.")
    elif g.dtype.kind not in "iubUSO":
        raise TypeError(f"groups: expected integer (or string) labels, got dtype {g.dtype}.")
    try:
        _, ids = np.unique(g, return_inverse=True)
    except TypeError as exc:
        raise TypeError(f"groups: labels must be comparable (all integers or all strings): {exc}.") from None
    return tuple(int(i) for i in ids.ravel())


def check_group_options(groups: tuple[int, ...], pf: np.ndarray, lower: np.ndarray, upper: np.ndarray,
                        working_set: Any) -> None:
    """What the group penalties need: one penalty factor per group, bounds free or fixed at 0, no working sets."""
    ids = np.asarray(groups)
    hi = np.full(ids.max() + 1, -np.inf)
    lo = np.full(ids.max() + 1, np.inf)
    np.maximum.at(hi, ids, pf)
    np.minimum.at(lo, ids, pf)
    bad = np.flatnonzero(hi - lo > 1e-12 * np.maximum(hi, 1.0))
    if bad.size:
        raise ValueError(f"penalty_factor: with a group penalty the factor is per group; {bad.size} group(s) "
                         "have features with different factors (give each feature its group's factor).")
    free = np.isneginf(lower) & np.isposinf(upper)
    fixed = (lower == 0) & (upper == 0)
    if not (free | fixed).all():
        raise ValueError("lower_bounds/upper_bounds: with a group penalty a feature is either unbounded or fixed at "
                         "0 (both bounds 0); other box constraints are not supported.")
    if working_set not in ("auto", None, 0):
        raise ValueError(f"working_set: group penalties iterate on all features; use 'auto' or None, got "
                         f"{working_set!r}.")


def check_output_options(family: str, penalty: str, grouped: Any, standardize_response: Any) -> tuple[bool, bool]:
    """The options of the families with ``K`` outputs: ``multinomial_grouped`` (multinomial) and
    ``standardize_response`` (mgaussian); both families have their own penalties (the elastic net, or glmnet's
    row-wise group penalty), not the ``penalty=`` groups."""
    own = {"multinomial": "the elastic net (and multinomial_grouped=True, glmnet's grouped penalty)",
           "mgaussian": "glmnet's penalty, each feature's K coefficients as one group mixed with ridge by l1_ratio "
                        "(leave penalty='elastic_net')"}
    for name, value, home in (("multinomial_grouped", grouped, "multinomial"),
                              ("standardize_response", standardize_response, "mgaussian")):
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{name}: expected True or False, got {value!r}.")
        if value and family != home:
            raise ValueError(f"{name}: only for family={home!r}, not {family!r}.")
    if family in own and penalty != "elastic_net":
        raise ValueError(f"penalty: family={family!r} supports {own[family]}, not {penalty!r}.")
    return bool(grouped), bool(standardize_response)
