"""Cross-validation of relaxed fits (``cv_path(relax=True)``, glmnet's ``cv.glmnet(relax = TRUE)``).

Each fold's path gets its relaxed fits (:func:`jaxreg._relax.relaxed_path`, with the fold's weights); its held-out
predictions are blended with ``γ`` for every ``γ`` of the grid (``γ = 1``: the penalized fit, the plain CV curve),
and the pair ``(γ, λ)`` is chosen with glmnet's rules (``getOptcv.relaxed``, :func:`jaxreg.scoring.choose_pair`):
the best score, ties to the largest λ and then the largest γ; the "one standard error" pair is the one with the
largest λ (then γ) whose score is within one standard error of that best.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from jaxreg.scoring import choose_pair

#: cv.glmnet's default ``gamma`` grid.
DEFAULT_GAMMAS = (0.0, 0.25, 0.5, 0.75, 1.0)


@dataclasses.dataclass(frozen=True)
class RelaxedCV:
    """The cross-validation of the relaxed fits (glmnet's ``cv$relaxed``).

    Attributes
    ----------
    gammas : (G,) ndarray
        The blends cross-validated: ``γ·penalized + (1 − γ)·relaxed`` (1: the penalized path).
    cv_mean, cv_std : (G, L) ndarray
        The cross-validated score and its standard error per ``γ`` and λ (glmnet's ``statlist``).
    cv_folds : (G, n_folds, L) ndarray
        Each fold's score.
    lambda_min, gamma_min : float
        The pair with the best ``cv_mean``: ties go to the largest λ, then the largest γ.
    lambda_1se, gamma_1se : float
        The pair with the largest λ (then γ) whose ``cv_mean`` is within one standard error of that best.
    index_min, index_1se : tuple of int
        ``(γ index, λ index)`` of each.
    """

    gammas: np.ndarray
    cv_mean: np.ndarray
    cv_std: np.ndarray
    cv_folds: np.ndarray
    lambda_min: float
    gamma_min: float
    lambda_1se: float
    gamma_1se: float
    index_min: tuple[int, int]
    index_1se: tuple[int, int]


def check_relax_gammas(value: Any) -> np.ndarray:
    """The γ grid: values in [0, 1], sorted and without repeats."""
    try:
        g = np.asarray(value, dtype=float).ravel()
    except (TypeError, ValueError):
        raise TypeError(f"relax_gammas: expected numbers in [0, 1], got {value!r}.") from None
    if g.size == 0 or not np.all(np.isfinite(g)) or np.any((g < 0) | (g > 1)):
        raise ValueError(f"relax_gammas: expected one or more values in [0, 1], got {value!r}.")
    return np.unique(g)


def relaxed_cv(lambdas: np.ndarray, gammas: np.ndarray, scores: np.ndarray, aggregate: Any,
               greater_is_better: bool) -> RelaxedCV:
    """The :class:`RelaxedCV` of the fold scores ``(G, n_folds, L)``; ``aggregate(scores) -> (mean, std)``."""
    stats = [aggregate(s) for s in scores]
    mean, std = np.array([m for m, _ in stats]), np.array([s for _, s in stats])
    i_min, i_1se = choose_pair(lambdas, gammas, mean, std, greater_is_better)
    return RelaxedCV(gammas, mean, std, scores, float(lambdas[i_min[1]]), float(gammas[i_min[0]]),
                     float(lambdas[i_1se[1]]), float(gammas[i_1se[0]]), i_min, i_1se)
