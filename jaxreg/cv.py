"""``jaxreg.cv_path``: K-fold cross-validation of whole paths, every fold (and α) through one compiled solver."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import jax
import numpy as np

from jaxreg import _validation as v
from jaxreg._batch import check_subproblem, run_batch
from jaxreg._convergence import is_saturated, warn_folds
from jaxreg._core import CoreResult
from jaxreg._cv_relax import DEFAULT_GAMMAS, check_relax_gammas, relaxed_cv
from jaxreg._penalty_object import is_penalty_object
from jaxreg._penalty_setup import default_l1_ratio
from jaxreg._relax import check_relax, relaxed_path
from jaxreg._run import assemble
from jaxreg._setup import Setup, setup
from jaxreg._sharding import check_mesh
from jaxreg.cv_result import CVPath
from jaxreg.result import Path
from jaxreg.scoring import (
    GREATER_IS_BETTER,
    aggregate,
    check_scoring,
    choose_lambda,
    cox_fold_deviance,
    fold_scores,
    fold_weight,
)


def make_folds(n: int, n_folds: int, *, y: np.ndarray | None = None, random_state: Any = None) -> np.ndarray:
    """Random fold labels ``0 … n_folds − 1`` of equal sizes (±1), stratified by the class labels ``y`` when given.

    Stratified: each class is shuffled and dealt to the folds in turn, continuing where the previous class stopped,
    so folds keep the class proportions and their sizes differ by at most one.
    """
    rng = np.random.default_rng(random_state)
    if y is None:
        return rng.permutation(np.arange(n) % n_folds)
    foldid = np.empty(n, dtype=np.int64)
    offset = 0
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        foldid[members] = (offset + np.arange(members.size)) % n_folds
        offset += members.size
    return foldid


def _check_foldid(foldid: Any, n: int) -> np.ndarray:
    """User fold labels (any integers) → consecutive 0 … F − 1."""
    f = np.asarray(foldid)
    if f.ndim != 1 or f.shape[0] != n:
        raise ValueError(f"foldid: expected one fold label per sample (length {n}), got shape {f.shape}.")
    if f.dtype.kind not in "iu" and not (f.dtype.kind == "f" and np.all(f == np.round(f))):
        raise TypeError(f"foldid: expected integer fold labels, got dtype {f.dtype}.")
    _, ids = np.unique(f, return_inverse=True)
    if ids.max() < 1:
        raise ValueError("foldid: needs at least two distinct folds.")
    return ids.astype(np.int64)


def _check_l1_ratios(l1_ratio: Any) -> tuple[float, ...]:
    if isinstance(l1_ratio, (str, bytes)):
        raise TypeError(f"l1_ratio: expected a number or a sequence of numbers, got {l1_ratio!r}.")
    values = (l1_ratio,) if np.ndim(l1_ratio) == 0 else tuple(np.asarray(l1_ratio).tolist())
    if not values:
        raise ValueError("l1_ratio: the sequence is empty.")
    return tuple(v.check_scalar(a, "l1_ratio", low=0.0, high=1.0) for a in values)


def _check_training_folds(s: Setup, foldid: np.ndarray, n_folds: int) -> None:
    for k in range(n_folds):
        try:
            check_subproblem(s, s.weights * (foldid != k), "foldid", f"the training data of fold {k}")
        except ValueError as exc:
            raise ValueError(f"{exc} Use fewer folds, or stratified folds (stratify=True) for classes.") from None


def cv_path(
    X: Any,
    y: Any,
    *,
    n_folds: int = 10,
    foldid: Any = None,
    l1_ratio: float | Sequence[float] | None = None,
    scoring: str | None = None,
    stratify: bool | None = None,
    random_state: Any = None,
    batch_size: int | None = None,
    progress: bool = False,
    mesh: Any = None,
    mesh_axis: str | None = None,
    relax: bool = False,
    relax_gammas: Sequence[float] = DEFAULT_GAMMAS,
    relax_max_features: int | None = None,
    **path_kwargs: Any,
) -> CVPath:
    r"""Cross-validate a regularization path: choose λ (and α) like glmnet's ``cv.glmnet``.

    The path is fitted on all the data (for each ``l1_ratio``), which gives the λ grid, and on the samples outside
    each fold ``k`` — as the full-data problem with the fold's sample weights set to zero, so one compiled solver
    serves the full data, every fold and every α in one batch. As in ``cv.glmnet``, each fit follows the call's
    grid rule: user ``lambdas`` are shared; with the default grid each fold has its own λmax (and early stop), and
    its coefficients are interpolated linearly in λ at the full-data grid. Each fold is scored on its held-out
    samples: its score at λ is the weighted mean of the per-sample scores (or the fold's AUC), and the CV curve is

    .. math::

        \mathrm{cv\_mean}(\lambda) = \frac{\sum_k W_k\, s_k(\lambda)}{\sum_k W_k}, \qquad
        \mathrm{cv\_std}(\lambda) = \sqrt{\frac{\sum_k W_k (s_k(\lambda) - \mathrm{cv\_mean}(\lambda))^2}
        {(F - 1) \sum_k W_k}},

    with ``W_k`` the fold's total sample weight and ``F`` the number of folds; ``lambda_min`` minimizes
    ``cv_mean`` (maximizes for AUC) and ``lambda_1se`` is the largest λ whose ``cv_mean`` is within one
    ``cv_std`` of it. With the same ``foldid``, this is what ``cv.glmnet(grouped=TRUE)`` computes.

    Parameters
    ----------
    X, y
        As in :func:`jaxreg.path`.
    n_folds : int
        Number of random folds (at least 2; glmnet's default 10). Ignored when ``foldid`` is given.
    foldid : (n,) array-like of int, optional
        The fold of each sample (any integer labels, e.g. glmnet's 1-based ``foldid``).
    l1_ratio : float or sequence of float, optional
        Elastic-net mixing α, or several to cross-validate; the best (lowest best score, highest for AUC) is
        chosen and every candidate is kept in ``CVPath.candidates``. Default: the penalty's (see
        :func:`jaxreg.path`).
    scoring : str, optional
        glmnet's ``type.measure``: ``"deviance"`` (default; the mean squared error for gaussian), ``"mse"``,
        ``"mae"``; for binomial and multinomial also ``"class"`` (misclassification rate), for binomial ``"auc"``;
        for cox ``"deviance"`` (cv.glmnet's grouped partial-likelihood deviance: the deviance of all the data
        minus that of the other folds, at the fold's fit, per unit of the fold's event weight, which is then the
        fold's weight ``W_k``) or ``"C"`` (Harrell's concordance of the held-out samples; larger is better).
    stratify : bool, optional
        Deal each class evenly across the random folds (default: True for binomial and multinomial; gaussian and
        poisson folds are not stratified).
    random_state : int, numpy Generator or None
        Seed of the random folds (None: fresh randomness, as glmnet).
    batch_size : int, optional
        How many fits run in one vectorized (``vmap``) call. Default: all on a GPU/TPU, one at a time on each core
        of a CPU (faster there except for tiny designs: each fit stops as soon as it converges), fewer when they
        would not fit in memory; a requested size that would not fit is a ``ValueError`` naming one that would.
    progress : bool
        Print a line per batch of fold fits to standard error.
    mesh : jax.sharding.Mesh, optional
        Split the batch of fits (full data and folds, for every α) across the devices of ``mesh_axis``, ``X``
        replicated on each; ``batch_size`` is then rounded up to a multiple of the device count (default: the whole
        batch, padded up to such a multiple by repeating its last fit). See :func:`jaxreg.path` for several
        processes.
    mesh_axis : str, optional
        The mesh axis to split along; needed only when the mesh has several axes.
    relax : bool
        Also cross-validate the relaxed fits (glmnet's ``cv.glmnet(relax = TRUE)``): every fold's path gets its
        relaxed fits (see :func:`jaxreg.path`), its held-out predictions are blended ``γ·penalized +
        (1 − γ)·relaxed`` for each ``γ`` of ``relax_gammas``, and the pair ``(γ, λ)`` is chosen as glmnet does
        (``CVPath.relaxed``: the best score, ties to the larger λ then γ; and the one-standard-error pair).
        ``predict`` and ``coef_at`` then use the chosen pair. One ``l1_ratio`` only.
    relax_gammas : sequence of float in [0, 1]
        The blends to cross-validate (cv.glmnet's ``gamma``; default 0, 0.25, 0.5, 0.75, 1).
    relax_max_features : int, optional
        glmnet's ``maxp`` for every fit (default: its number of training samples − 3).
    **path_kwargs
        Every other keyword of :func:`jaxreg.path` (``family``, ``lambdas``, ``n_lambdas``, ``penalty``,
        ``gamma``, ``groups``, ``multinomial_grouped``, ``lambda_min_ratio``, ``fit_intercept``, ``standardize``,
        ``sample_weight``, ``penalty_factor``, bounds, ``tol``, ``max_iter``, ``dtype``, ``precompute``,
        ``working_set``).

    Returns
    -------
    CVPath
        ``lambdas``, ``cv_mean``, ``cv_std``, ``cv_folds``, ``lambda_min``, ``lambda_1se``, the chosen
        ``l1_ratio``, ``foldid`` and the full-data ``path``; ``predict``/``coef_at`` default to λ_1se.

    Examples
    --------
    >>> import jaxreg
    >>> X, y, names = jaxreg.datasets.load_diabetes()
    >>> cv = jaxreg.cv_path(X, y, n_folds=5, random_state=0)
    >>> bool(cv.lambda_1se >= cv.lambda_min)
    True
    """
    if is_penalty_object(path_kwargs.get("penalty")):  # no l1_ratio to cross-validate (setup rejects one given)
        alphas, first = (np.nan,), l1_ratio
    else:
        alphas = _check_l1_ratios(default_l1_ratio(path_kwargs.get("penalty", "elastic_net")) if l1_ratio is None
                                  else l1_ratio)
        first = alphas[0]
    sharding = check_mesh(mesh, mesh_axis)
    s = setup(X, y, l1_ratio=first, **path_kwargs)
    n = s.x.shape[0]
    relax_max = check_relax(relax, relax_max_features, n, penalty_object=s.custom is not None)
    gammas = check_relax_gammas(relax_gammas) if relax_max is not None else None
    if gammas is not None and len(alphas) > 1:
        raise ValueError("relax: cross-validates the relaxed fits of one l1_ratio; choose it first (got "
                         f"{len(alphas)} values).")
    scoring = check_scoring(scoring, s.family)
    if scoring == "C" and s.y.shape[1] > 3:
        raise ValueError("scoring: 'C' (Harrell's concordance) needs right-censored (time, status) data; use "
                         "scoring='deviance' with start-stop data.")
    if foldid is None:
        n_folds = v.check_int(n_folds, "n_folds", low=2)
        if n_folds > n:
            raise ValueError(f"n_folds: {n_folds} folds need at least {n_folds} samples, got {n}.")
        classes = s.family in ("binomial", "multinomial")
        if stratify and not classes:
            raise ValueError("stratify: stratified folds need class labels (family='binomial' or 'multinomial').")
        strat = classes if stratify is None else bool(stratify)
        folds = make_folds(n, n_folds, y=s.y if strat else None, random_state=random_state)
    else:
        folds = _check_foldid(foldid, n)
    n_folds = int(folds.max()) + 1
    _check_training_folds(s, folds, n_folds)

    # One batch: for each α, the full-data path then one path per fold (the full data with the fold's weights set
    # to zero). As in cv.glmnet, every fit uses the grid *rule* of the call: with the default grid each fold has its
    # own λmax and early stop, and its predictions are interpolated at the full-data λ (glmnet's s= rule).
    n_alpha = len(alphas)
    a_idx, k_idx = np.divmod(np.arange(n_alpha * (n_folds + 1)), n_folds + 1)  # k = 0: the full data
    masks = np.vstack([np.ones(n, bool), folds[None, :] != np.arange(n_folds)[:, None]])  # (F + 1, n)
    res = run_batch(s, np.broadcast_to(s.y, (a_idx.size, *s.y.shape)), s.weights * masks[k_idx],
                    np.broadcast_to(s.grid, (a_idx.size, s.grid.size)), np.asarray(alphas)[a_idx], s.config,
                    batch_size=batch_size, progress=progress, label="paths (full data and folds)", mesh=sharding)
    fold_w = np.array([fold_weight(s.weights[folds == k], s.y[folds == k], s.family, scoring)
                       for k in range(n_folds)])
    grouped_cox = s.family == "cox" and scoring == "deviance"

    def one(b: int) -> CoreResult:
        return jax.tree_util.tree_map(lambda arr: arr[b], res)

    def score(fold_fit: Path, lambdas: np.ndarray, test: np.ndarray, gamma: float = 1.0) -> np.ndarray:
        if grouped_cox:  # scored on all the data (cv.glmnet's grouped partial likelihood)
            eta = fold_fit.predict(s.x, lambdas, offset=s.offset, gamma=gamma)
            return cox_fold_deviance(eta, s.y, s.weights, test)
        eta = fold_fit.predict(s.x[test], lambdas, offset=None if s.offset is None else s.offset[test], gamma=gamma)
        return fold_scores(eta, s.y[test], s.weights[test], s.family, scoring)

    results, any_saturated = [], False
    for a, alpha in enumerate(alphas):
        sa = s._replace(l1_ratio=alpha)
        b = a * (n_folds + 1)
        fit = assemble(one(b), sa)
        scores = np.empty((n_folds, fit.n_lambdas))
        relaxed_scores = np.empty((0 if gammas is None else gammas.size, n_folds, fit.n_lambdas))
        converged = np.empty(n_folds, bool)
        for k in range(n_folds):
            fold_fit, test = assemble(one(b + 1 + k), sa, warn=False), folds == k
            scores[k] = score(fold_fit, fit.lambdas, test)
            converged[k] = fold_fit.converged.all()
            any_saturated |= is_saturated(fold_fit)
            if gammas is not None:  # the fold's relaxed fits, with its weights and its own maxp
                maxp = check_relax(True, relax_max_features, int((~test).sum()))
                fold_fit = dataclasses.replace(fold_fit, relaxed=relaxed_path(
                    fold_fit, sa._replace(weights=s.weights * ~test), maxp, warn=False))
                converged[k] &= fold_fit.relaxed.converged.all()
                relaxed_scores[:, k] = [score(fold_fit, fit.lambdas, test, g) for g in gammas]
        result = _result(fit, scores, fold_w, scoring, folds, converged)
        if gammas is not None:
            fit = dataclasses.replace(fit, relaxed=relaxed_path(fit, sa, check_relax(True, relax_max_features, n)))
            result = dataclasses.replace(result, path=fit, relaxed=relaxed_cv(
                fit.lambdas, gammas, relaxed_scores, lambda sc: aggregate(sc, fold_w), result.greater_is_better))
        results.append(result)
    warn_folds([r.fold_converged for r in results], s, any_saturated)
    if len(results) == 1:
        return results[0]
    best = _best(results)
    return dataclasses.replace(best, candidates=tuple(results))


def _result(fit: Path, scores: np.ndarray, fold_w: np.ndarray, scoring: str, folds: np.ndarray,
            converged: np.ndarray) -> CVPath:
    mean, std = aggregate(scores, fold_w)
    i_min, i_1se = choose_lambda(fit.lambdas, mean, std, greater_is_better=scoring in GREATER_IS_BETTER)
    return CVPath(lambdas=fit.lambdas, cv_mean=mean, cv_std=std, cv_folds=scores,
                  lambda_min=float(fit.lambdas[i_min]), lambda_1se=float(fit.lambdas[i_1se]), index_min=i_min,
                  index_1se=i_1se, l1_ratio=fit.l1_ratio, scoring=scoring, foldid=folds, path=fit,
                  fold_converged=converged)


def _best(results: list[CVPath]) -> CVPath:
    """The candidate with the best score at its λ_min (the first one on ties)."""
    sign = -1.0 if results[0].greater_is_better else 1.0
    scores = np.array([sign * r.cv_mean[r.index_min] for r in results])
    return results[int(np.argmin(np.where(np.isfinite(scores), scores, np.inf)))]
