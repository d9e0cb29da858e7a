"""Checks of the ``penalty=``, ``gamma=`` and ``groups=`` arguments of :func:`jaxreg.path`, of the options of the
families with several outputs, and glmnet's early stop of a default path, which depends on the family and the
penalty (NumPy only, nothing traced)."""

from __future__ import annotations

from typing import Any

import numpy as np

from jaxreg import _validation as v
from jaxreg.penalties.concave import DEFAULT_GAMMA, MIN_GAMMA
from jaxreg.solvers import EarlyStop

#: Penalties :func:`jaxreg.path` solves, with their default ``l1_ratio``: the lasso for the elastic net, the pure
#: group lasso, an even split between L1 and group norm for the sparse-group lasso, no ridge part for MCP and SCAD.
DEFAULT_L1_RATIO = {"elastic_net": 1.0, "group_lasso": 1.0, "sparse_group_lasso": 0.5, "mcp": 1.0, "scad": 1.0}
GROUP_PENALTIES = ("group_lasso", "sparse_group_lasso")


def check_penalty(penalty: Any) -> str:
    """The penalty's name, or a ``ValueError`` listing the supported ones."""
    supported = tuple(DEFAULT_L1_RATIO)
    if not isinstance(penalty, str):
        raise TypeError(f"penalty: expected one of {supported} or a penalty object (with value and prox methods; "
                        f"see jaxreg.penalties.base), got {type(penalty).__name__} {penalty!r}.")
    if penalty not in supported:
        raise ValueError(f"penalty: unknown penalty {penalty!r}; supported: {supported}.")
    return penalty


def default_l1_ratio(penalty: Any) -> float:
    """``l1_ratio`` when the user gives none: 1 (lasso, pure group lasso), 0.5 for the sparse-group lasso."""
    return DEFAULT_L1_RATIO[check_penalty(penalty)]


def check_gamma(gamma: Any, penalty: str) -> float:
    """The concavity ``γ`` of MCP (default 3, ``γ > 1``) and SCAD (default 3.7, ``γ > 2``); 0 for other penalties."""
    if penalty not in DEFAULT_GAMMA:
        if gamma is not None:
            raise ValueError(f"gamma: only used by penalty='mcp' or 'scad', not penalty={penalty!r}.")
        return 0.0
    if gamma is None:
        return DEFAULT_GAMMA[penalty]
    return v.check_scalar(gamma, "gamma", low=MIN_GAMMA[penalty], high=np.inf, low_open=True, high_open=True)


def check_groups(groups: Any, p: int, penalty: str) -> tuple[int, ...]:
    """Group labels (any integers or strings, one per feature) → ``0 … G − 1`` in order of sorted labels."""
    if penalty not in GROUP_PENALTIES:
        if groups is not None:
            raise ValueError(f"groups: only used by the group penalties {GROUP_PENALTIES}, not penalty={penalty!r}.")
        return ()
    if groups is None:
        raise ValueError(f"groups: penalty={penalty!r} needs a group label per feature (groups=, length {p}).")
    return tuple(int(i) for i in v.label_ids(groups, "groups", p, "feature", integral=True))


def check_group_options(groups: tuple[int, ...], pf: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
    """What the group penalties need: one penalty factor per group, bounds free or fixed at 0."""
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


def early_stop(default_grid: bool, lower: np.ndarray, upper: np.ndarray, family: str,
               convex: bool = True) -> EarlyStop | None:
    """glmnet's early stop of a default path.

    As in glmnet 4.1-6: the change rule is relative for gaussian, absolute for binomial and multinomial, and relative
    to the residual ``1 − dev`` for mgaussian (glmnet compares the relative fall of the residual sum of squares with
    ``fdev``; checked on ``MultiGaussianExample``, whose default paths end exactly there), and it is off when some
    bound is exactly 0. For poisson glmnet uses ``10·fdev`` and compares the deviance ratio with its value
    ``mnlam − 1`` λ before, relatively: ``(dev_m − dev_{m−4}) / dev_m < 1e-4`` (checked on ``PoissonExample``: the
    default path ends at λ 68 exactly there). For cox the same comparison uses ``100·fdev`` and ``devmax`` is 0.99
    (checked on subsets of ``CoxExample``: six default paths end exactly where these rules say, one at
    ``dev.ratio`` 0.99009). For MCP and SCAD the change rule is off too: their paths stay flat while every
    nonzero coefficient is beyond ``γλ`` (no shrinkage left), so a small change says nothing about later λ
    (ncvreg stops only on saturation).
    """
    if not default_grid:
        return None
    # the rule stops when the change is below dev_change: 0 turns it off as glmnet does (a convex path's deviance
    # never falls); -inf also where a non-convex path's may fall by rounding on a flat stretch
    off = -np.inf if not convex else 0.0 if (lower == 0).any() or (upper == 0).any() else None
    base = EarlyStop()
    if family == "poisson":
        return EarlyStop(dev_change=10 * base.dev_change if off is None else off, lag=base.min_lambdas - 1)
    if family == "cox":
        return EarlyStop(dev_change=100 * base.dev_change if off is None else off, dev_max=0.99,
                         lag=base.min_lambdas - 1)
    relative_to = {"gaussian": "dev", "mgaussian": "residual"}.get(family, "one")
    return EarlyStop(dev_change=base.dev_change if off is None else off, relative_to=relative_to)
