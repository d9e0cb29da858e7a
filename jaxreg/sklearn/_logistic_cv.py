"""``LogisticRegressionCV``: C (and ``l1_ratio``) chosen by cross-validated :func:`jaxreg.path` fits."""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np
from sklearn.metrics import check_scoring

import jaxreg
from jaxreg.sklearn._base import (Problem, check_bool, check_max_iter, check_real, check_weights,
                                  folds_from_cv, optional_tol, pad_problem, validate_xy)
from jaxreg.sklearn._logistic import (LogisticRegression, _LinearClassifier, check_c, class_sample_weights,
                                      encode_classes, penalty_mixing)


def _check_cs(Cs: Any) -> np.ndarray:
    """scikit-learn's ``Cs``: an int ``k`` gives ``k`` values log-spaced in [1e-4, 1e4]; else the values given."""
    if isinstance(Cs, numbers.Integral) and not isinstance(Cs, bool):
        if Cs < 1:
            raise ValueError(f"Cs: expected a positive integer or a sequence of positive values, got {Cs!r}.")
        return np.logspace(-4, 4, int(Cs))
    values = np.asarray(Cs, dtype=np.float64).ravel()
    if values.size == 0:
        raise ValueError("Cs: the sequence is empty.")
    return np.array([check_c(c, "Cs") for c in values])


class LogisticRegressionCV(_LinearClassifier):
    r"""Logistic regression with ``C`` (and ``l1_ratio``) chosen by K-fold cross-validation.

    Each fold's training samples are fitted by one :func:`jaxreg.path` call along the grid
    ``λ = 1 / (C · Σ_{train} s)`` (all ``Cs``, largest λ first; the objective of
    :class:`~jaxreg.sklearn.LogisticRegression`, whose ``λ`` depends on the training weights' sum exactly as
    scikit-learn's ``C`` does), and scored on its held-out samples with ``scoring``. The ``(C, l1_ratio)`` with the
    best score summed over folds is refitted on all the data (``refit=True``); otherwise the folds' best
    coefficients are averaged. With ``K > 2`` classes the model is multinomial (``family="multinomial"``, as
    :class:`~jaxreg.sklearn.LogisticRegression` and scikit-learn), and the attributes follow scikit-learn's
    (legacy) layout: one entry per class in ``scores_`` and ``coefs_paths_``, ``C_`` repeated per class.

    Parameters
    ----------
    Cs : int or sequence of float, default=10
        Values of ``C``; an int ``k`` gives ``k`` values log-spaced between 1e-4 and 1e4.
    l1_ratios : sequence of float, optional
        Mixing values to cross-validate (0 is L2, 1 is L1): with ``penalty="auto"`` as in scikit-learn ≥ 1.8
        (None: ``[0.0]``, an L2 penalty), and with ``penalty="elasticnet"`` (required then); ignored with ``"l1"``
        or ``"l2"``.
    penalty : {"auto", "l2", "l1", "elasticnet"}, default="auto"
        ``"auto"``: the mixing comes from ``l1_ratios`` (scikit-learn ≥ 1.8, which deprecated ``penalty``); the
        others as in earlier scikit-learn. ``Cs=[np.inf]`` fits without penalty.
    fit_intercept : bool, default=True
    class_weight : dict, "balanced" or None, default=None
        As in :class:`~jaxreg.sklearn.LogisticRegression`, computed once on all the samples (``"balanced"``) and
        applied to every fold's training samples, as scikit-learn does.
    cv : int, cross-validation splitter or iterable, optional
        scikit-learn's ``cv`` (None: 5-fold ``StratifiedKFold``). The splits must partition the samples.
    scoring : str or callable, optional
        scikit-learn scorer for the held-out samples (None: accuracy), given their ``sample_weight`` when
        ``fit`` has one (without the class weights), as scikit-learn ≥ 1.6 does.
    tol : float or None, default=None
        jaxreg's duality-gap tolerance relative to ``P(0)`` (None: 1e-8 in float64).
    max_iter : int, default=10_000
        Maximum FISTA iterations per ``C``.
    refit : bool, default=True

    Attributes
    ----------
    classes_ : ndarray of shape (K,)
    Cs_ : ndarray of shape (n_cs,)
    l1_ratios_ : ndarray of shape (n_l1_ratios,)
        jaxreg's ``l1_ratio`` of each candidate (``[0.0]`` for "l2", ``[1.0]`` for "l1").
    C_ : ndarray of shape (1,), or (K,) for K > 2 classes (the same value)
    l1_ratio_ : ndarray of shape (1,), or (K,)
    scores_ : dict
        ``{classes_[1]: ndarray of shape (n_folds, n_cs)}``, with a last axis over ``l1_ratios`` for
        ``penalty="elasticnet"`` or when ``l1_ratios`` is given with ``penalty="auto"`` (scikit-learn's legacy
        layout); for K > 2 classes, one entry per class (the same scores).
    coefs_paths_ : dict
        ``{classes_[1]: ndarray of shape (n_folds, n_cs[, n_l1_ratios], n_features + fit_intercept)}``,
        coefficients then intercept of each fold's fit; for K > 2 classes, one entry per class with its
        coefficients.
    n_iter_ : ndarray of shape (1, n_folds, n_cs[, n_l1_ratios])
        FISTA iterations of each fold's fit.
    coef_ : ndarray of shape (1, n_features), or (K, n_features)
    intercept_ : ndarray of shape (1,), or (K,)
    n_features_in_ : int
    feature_names_in_ : ndarray of str
    """

    def __init__(self, *, Cs: int | Any = 10, l1_ratios: Any = None, penalty: str = "auto",
                 fit_intercept: bool = True, class_weight: dict | str | None = None, cv: Any = None,
                 scoring: Any = None, tol: float | None = None, max_iter: int = 10_000, refit: bool = True):
        self.Cs = Cs
        self.l1_ratios = l1_ratios
        self.penalty = penalty
        self.fit_intercept = fit_intercept
        self.class_weight = class_weight
        self.cv = cv
        self.scoring = scoring
        self.tol = tol
        self.max_iter = max_iter
        self.refit = refit

    def _mixings(self) -> tuple[list[float], bool]:
        """The mixing values to cross-validate, and whether the attributes keep an axis over them."""
        if self.penalty is None:
            raise ValueError("penalty: LogisticRegressionCV needs a penalty ('auto', 'l1', 'l2' or 'elasticnet'); "
                             "Cs=[np.inf] fits without one.")
        grid = self.penalty == "elasticnet" or (self.penalty == "auto" and self.l1_ratios is not None)
        if not grid:
            if self.penalty in ("l1", "l2") and self.l1_ratios is not None:
                warnings.warn(f"l1_ratios is ignored with penalty={self.penalty!r}; leave penalty at 'auto' for "
                              "l1_ratios to set the mixing.", UserWarning, stacklevel=3)
            return [penalty_mixing(self.penalty, None)], False
        if self.l1_ratios is None:
            raise ValueError("l1_ratios: penalty='elasticnet' needs l1_ratios, a sequence of values in [0, 1].")
        values = np.atleast_1d(np.asarray(self.l1_ratios, dtype=object)).ravel()
        if values.size == 0:
            raise ValueError("l1_ratios: the sequence is empty.")
        return [check_real(a, "l1_ratios", high=1.0) for a in values], True

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LogisticRegressionCV:
        """Cross-validate ``Cs`` (and ``l1_ratios``), then refit or average (``sample_weight``: weights ``s_i``)."""
        X, y = validate_xy(self, X, y, classifier=True)
        w = check_weights(sample_weight, X.shape[0])
        mixings, grid_axis = self._mixings()
        codes = encode_classes(self, y, w)
        weights = class_sample_weights(self.class_weight, self.classes_, codes, w)
        n_out = 1 if self.classes_.size == 2 else self.classes_.size  # rows of coef_
        cs = _check_cs(self.Cs)
        fit_intercept = check_bool(self.fit_intercept, "fit_intercept")
        tol, max_iter = optional_tol(self.tol), check_max_iter(self.max_iter)
        scorer = check_scoring(LogisticRegression(), scoring=self.scoring)
        foldid = folds_from_cv(self.cv, X, y, classifier=True)
        n_folds, n, p = int(foldid.max()) + 1, X.shape[0], X.shape[1]
        pb = pad_problem(X, codes, weights, positive=False)
        base_w = pb.weights if pb.weights is not None else np.ones(n)
        ascending = np.argsort(cs, kind="stable")  # λ = 1/(C Σs) decreasing, as jaxreg's paths run
        back = np.argsort(ascending)  # path row of each Cs entry

        shape = (n_folds, cs.size, len(mixings))
        scores, n_iter = np.empty(shape), np.empty(shape, dtype=int)
        paths = np.zeros(shape + (n_out, p + int(fit_intercept)))
        for k in range(n_folds):
            train = np.pad(foldid != k, (0, pb.X.shape[0] - n))
            wk = base_w * train
            if len({*pb.y[wk > 0]}) < self.classes_.size:
                raise ValueError(f"cv: the training set of split {k} lacks some of the {self.classes_.size} "
                                 "classes (use stratified folds).")
            lambdas = 1.0 / (cs[ascending] * wk.sum())
            test = foldid == k
            held_out = {} if w is None else {"sample_weight": w[test]}
            for j, a in enumerate(mixings):
                fit = self._path(pb, a, lambdas, wk, fit_intercept, tol, max_iter)
                n_iter[k, :, j] = fit.n_iter[back]
                paths[k, :, j] = _rows(fit, back, p, fit_intercept)
                for i in range(cs.size):
                    scores[k, i, j] = scorer(self._scoring_model(paths[k, i, j], p), X[test], y[test], **held_out)
        self._select(scores, paths, cs, mixings, pb, base_w, fit_intercept, tol, max_iter)
        self.Cs_ = cs
        self.l1_ratios_ = np.array(mixings)
        grid = slice(None) if grid_axis else 0
        labels = self.classes_[1:] if n_out == 1 else self.classes_  # scikit-learn's (legacy) keys
        self.scores_ = {c: scores[:, :, grid] for c in labels}
        self.coefs_paths_ = {c: paths[:, :, grid, r] for r, c in enumerate(labels)}
        self.n_iter_ = n_iter[None, :, :, grid]
        return self

    def _scoring_model(self, rows: np.ndarray, p: int) -> LogisticRegression:
        """A fitted :class:`LogisticRegression` holding one fold's coefficients (``rows``: coefficients then
        intercept, one row per output), for the scorer."""
        model = LogisticRegression()
        model.classes_ = self.classes_
        model.coef_ = rows[:, :p]
        model.intercept_ = rows[:, p] if rows.shape[1] > p else np.zeros(rows.shape[0])
        model.n_features_in_ = p
        return model

    def _path(self, pb: Problem, l1_ratio: float, lambdas: np.ndarray, weights: np.ndarray, fit_intercept: bool,
              tol: float | None, max_iter: int) -> jaxreg.Path:
        family = "binomial" if self.classes_.size == 2 else "multinomial"
        return jaxreg.path(pb.X, pb.y, family=family, l1_ratio=l1_ratio, lambdas=lambdas,
                           fit_intercept=fit_intercept, standardize=False, sample_weight=weights, tol=tol,
                           max_iter=max_iter, **pb.bounds())

    def _select(self, scores: np.ndarray, paths: np.ndarray, cs: np.ndarray, mixings: list[float], pb: Problem,
                weights: np.ndarray, fit_intercept: bool, tol: float | None, max_iter: int) -> None:
        """Best ``(C, l1_ratio)`` by the score summed over folds (first on ties), then refit or fold average.

        The refit runs the folds' λ grid (on all the data) from its largest λ down to the chosen one, repeating
        that one to keep the grid's length: warm starts, and the compilation the folds already made.
        """
        p, n_out = pb.p, paths.shape[3]
        if check_bool(self.refit, "refit"):
            i, j = np.unravel_index(int(np.argmax(scores.sum(axis=0))), scores.shape[1:])
            ascending = np.sort(cs)
            rank = int(np.searchsorted(ascending, cs[i]))
            lambdas = 1.0 / (ascending * weights.sum())
            lambdas[rank:] = lambdas[rank]
            fit = self._path(pb, mixings[j], lambdas, weights, fit_intercept, tol, max_iter)
            c, a = cs[i], mixings[j]
            best = _rows(fit, [-1], p, fit_intercept)[0]
        else:
            flat = scores.reshape(scores.shape[0], -1).argmax(axis=1)
            i, j = np.unravel_index(flat, scores.shape[1:])
            best = paths[np.arange(scores.shape[0]), i, j].mean(axis=0)
            c, a = cs[i].mean(), np.asarray(mixings)[j].mean()
        self.C_, self.l1_ratio_ = np.full(n_out, c), np.full(n_out, a)  # scikit-learn repeats them per class
        self.coef_ = best[:, :p]
        self.intercept_ = best[:, p] if fit_intercept else np.zeros(n_out)


def _rows(fit: jaxreg.Path, index: Any, p: int, fit_intercept: bool) -> np.ndarray:
    """The fit's coefficients then intercept at the path rows ``index``, one row per output (1 for two classes,
    ``K`` for multinomial): shape ``(len(index), outputs, p + fit_intercept)``."""
    coef = fit.coef[index, :p]
    coef = coef[:, None, :] if coef.ndim == 2 else np.swapaxes(coef, 1, 2)  # (L, outputs, p)
    if not fit_intercept:
        return coef
    b0 = np.asarray(fit.intercept[index]).reshape(coef.shape[0], coef.shape[1], 1)
    return np.concatenate([coef, b0], axis=2)
