"""Convergence reports: the warning a path gives when some λ miss their duality-gap target, and what it advises."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from jaxreg._setup import Setup
    from jaxreg.result import Path

#: A λ that explains more than this fraction of the deviance is saturated: for binomial and multinomial fits the
#: classes are (nearly) separable there.
SATURATED = 0.99


class ConvergenceWarning(UserWarning):
    """Some λ of a path did not reach the requested duality gap."""


def is_saturated(fit: Path) -> bool:
    """Whether some λ of ``fit`` that missed ``tol`` explain more than :data:`SATURATED` of the deviance."""
    return bool((fit.dev_ratio[~fit.converged] > SATURATED).any())


def advice(s: Setup, saturated: bool = False) -> str:
    """What to change when λ miss ``tol`` (``saturated``: some of them explain more than :data:`SATURATED` of the
    deviance, where separable classes let free coefficients grow without bound, so more iterations would not help)."""
    if saturated and s.family in ("binomial", "multinomial"):
        return (f"The classes look separable there (deviance explained > {SATURATED:g}): coefficients the penalty "
                "leaves free (unpenalized, or MCP/SCAD beyond γλ) grow without bound. End the path earlier (a larger "
                "lambda_min_ratio).")
    fix = "use dtype='float64'" if s.dtype == np.float32 else "check the scaling of X (standardize=True)"
    return f"Increase max_iter, loosen tol, or {fix}."


def listed(lambdas: np.ndarray, most: int = 5) -> str:
    """The first ``most`` of ``lambdas`` for a warning: ``"0.5, 0.25 …"``."""
    return ", ".join(f"{b:.4g}" for b in lambdas[:most]) + (" …" if lambdas.size > most else "")


def warn_unconverged(bad: np.ndarray, total: int, worst_gap: float, s: Setup, what: str = "",
                     saturated: bool = False) -> None:
    """A :class:`ConvergenceWarning` naming the λ that missed ``tol`` and what to change (:func:`advice`)."""
    warnings.warn(
        f"{bad.size} of {total} λ{what} did not reach the duality gap tol={s.tol:g} within "
        f"max_iter={s.max_iter} iterations (λ = {listed(bad)}); largest relative gap {worst_gap:.2e}. "
        f"{advice(s, saturated)}",
        ConvergenceWarning,
        stacklevel=4,
    )


def warn_folds(converged: list[Any], s: Setup, saturated: bool = False) -> None:
    """A :class:`ConvergenceWarning` counting the fold paths of a cross-validation (``converged``: each candidate's
    per-fold flags) with some λ short of ``tol``, and what to change (:func:`advice`)."""
    bad = sum(int((~c).sum()) for c in converged)
    if bad:
        total = sum(c.size for c in converged)
        warnings.warn(f"{bad} of {total} fold paths have λ that did not reach the duality gap tol={s.tol:g} within "
                      f"max_iter={s.max_iter}; see CVPath.fold_converged. {advice(s, saturated)}",
                      ConvergenceWarning, stacklevel=3)
