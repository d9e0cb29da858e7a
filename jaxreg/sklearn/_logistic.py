"""``LogisticRegression``: penalized logistic regression by :func:`jaxreg.path` (``family="binomial"``, or
``"multinomial"`` for more than two classes)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from scipy.special import log_softmax
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets

from jaxreg.sklearn._base import (check_bool, check_max_iter, check_real, check_weights, fit_one, optional_tol,
                                  validate_x, validate_xy)

PENALTIES = ("auto", "l1", "l2", "elasticnet", None)


def penalty_mixing(penalty: Any, l1_ratio: Any) -> float:
    """jaxreg's ``l1_ratio`` for scikit-learn's ``penalty`` and ``l1_ratio``.

    ``"auto"`` (scikit-learn ≥ 1.8's way) takes the mixing from ``l1_ratio`` (None: 0, an L2 penalty); an explicit
    ``"l1"``, ``"l2"`` or ``"elasticnet"`` decides as in earlier scikit-learn, ``l1_ratio`` being read for
    ``"elasticnet"`` only (a warning says when another value is ignored); ``None`` (no penalty) gives 0, the caller
    setting ``λ = 0``.
    """
    if not any(penalty is ok or penalty == ok for ok in PENALTIES):
        raise ValueError(f"penalty: expected 'auto', 'l1', 'l2', 'elasticnet' or None, got {penalty!r}.")
    if penalty == "auto":
        return 0.0 if l1_ratio is None else check_real(l1_ratio, "l1_ratio", high=1.0)
    if penalty == "elasticnet":
        if l1_ratio is None:
            raise ValueError("l1_ratio: penalty='elasticnet' needs l1_ratio, a value in [0, 1].")
        return check_real(l1_ratio, "l1_ratio", high=1.0)
    mixing = 1.0 if penalty == "l1" else 0.0
    if l1_ratio is not None and l1_ratio not in (0.0, mixing):
        warnings.warn(f"l1_ratio={l1_ratio!r} is ignored with penalty={penalty!r}; leave penalty at 'auto' for "
                      "l1_ratio to set the mixing.", UserWarning, stacklevel=3)
    return mixing


def encode_classes(est: Any, y: np.ndarray, sample_weight: np.ndarray | None) -> np.ndarray:
    """Set ``est.classes_`` (sorted) and return each label's index in it, as floats (0/1 for two classes: 1 for
    ``classes_[1]``)."""
    check_classification_targets(y)
    classes = np.unique(y)
    if classes.size < 2:
        raise ValueError(f"y: needs samples of 2 classes, got only one class ({classes[0]!r}).")
    codes = np.searchsorted(classes, y).astype(np.float64)
    if sample_weight is not None and len({*codes[sample_weight > 0]}) < 2:
        raise ValueError("sample_weight: the samples of positive weight are all of one class; need 2 classes.")
    est.classes_ = classes
    return codes


def class_sample_weights(class_weight: Any, classes: np.ndarray, codes: np.ndarray,
                         sample_weight: np.ndarray | None) -> np.ndarray | None:
    """The sample weights ``s`` times scikit-learn's class weights: ``{label: weight}`` (positive; other classes 1)
    or ``"balanced"``, ``Σ s / (K Σ_{y_i = k} s_i)`` for class ``k`` (scikit-learn ≥ 1.6's weighted form; ``s = 1``
    without sample weights). ``None`` when there are neither."""
    if class_weight is None:
        return sample_weight
    index = codes.astype(int)
    if isinstance(class_weight, dict):
        known = set(classes.tolist())
        for key, value in class_weight.items():
            if key not in known:
                raise ValueError(f"class_weight: {key!r} is not a class of y (classes: {list(classes)}).")
            check_real(value, f"class_weight[{key!r}]", low_open=True)
        per_class = np.array([float(class_weight.get(c, 1.0)) for c in classes.tolist()])
    elif isinstance(class_weight, str) and class_weight == "balanced":
        s = np.ones(index.size) if sample_weight is None else sample_weight
        totals = np.bincount(index, weights=s, minlength=classes.size)
        per_class = s.sum() / (classes.size * np.where(totals > 0, totals, 1.0))
    else:
        raise ValueError(f"class_weight: expected None, 'balanced' or a dict {{label: weight}}, got {class_weight!r}.")
    weights = per_class[index]
    return weights if sample_weight is None else sample_weight * weights


def check_c(value: Any, name: str = "C") -> float:
    return check_real(value, name, low_open=True, allow_inf=True)


class _LinearClassifier(ClassifierMixin, BaseEstimator):
    """``decision_function``, ``predict``, ``predict_proba`` and ``predict_log_proba`` from ``coef_``: ``(1, p)``
    for two classes (the log-odds of ``classes_[1]``), ``(K, p)`` for ``K > 2`` (multinomial)."""

    def decision_function(self, X: Any) -> np.ndarray:
        """Two classes: the log-odds ``X @ coef_[0] + intercept_[0]`` of ``classes_[1]``, shape (n,); more: the
        class scores ``X @ coef_.T + intercept_``, shape (n, K)."""
        xa = validate_x(self, X)
        if self.coef_.shape[0] == 1:
            return xa @ self.coef_[0] + self.intercept_[0]
        return xa @ self.coef_.T + self.intercept_

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class (two classes: ``classes_[1]`` where the log-odds are positive)."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return self.classes_[(scores > 0).astype(int)]
        return self.classes_[np.argmax(scores, axis=1)]

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Log-probabilities of ``classes_``, shape (n, K), computed without overflow."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return np.column_stack([-np.logaddexp(0.0, scores), -np.logaddexp(0.0, -scores)])
        return log_softmax(scores, axis=1)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probabilities of ``classes_``, shape (n, K)."""
        return np.exp(self.predict_log_proba(X))


def fit_logistic(X: np.ndarray, codes: np.ndarray, *, C: float, l1_ratio: float, fit_intercept: bool,
                 sample_weight: np.ndarray | None, tol: float | None, max_iter: int, n_classes: int = 2) -> Any:
    """One fit at ``λ = 1 / (C Σ s)`` (see :class:`LogisticRegression`); multinomial for ``n_classes > 2``."""
    total = float(codes.shape[0]) if sample_weight is None else float(np.sum(sample_weight))
    return fit_one(X, codes, lam=1.0 / (C * total), family="binomial" if n_classes == 2 else "multinomial",
                   l1_ratio=l1_ratio, fit_intercept=fit_intercept, sample_weight=sample_weight, tol=tol,
                   max_iter=max_iter)


class LogisticRegression(_LinearClassifier):
    r"""Penalized logistic regression with scikit-learn's objective, solved by :func:`jaxreg.path`.

    With labels ``y_i ∈ {0, 1}`` (1 for ``classes_[1]``) and ``η_i = b_0 + x_i^\top w``, minimizes

    .. math::

        C \sum_i s_i \big[\log(1 + e^{\eta_i}) - y_i \eta_i\big] + r(w), \qquad
        r(w) = \mathrm{l1\_ratio}\,\|w\|_1 + \frac{1 - \mathrm{l1\_ratio}}{2}\|w\|_2^2,

    where ``s_i`` is the sample weight times the weight of sample ``i``'s class (``class_weight``). The mixing is
    ``l1_ratio`` (scikit-learn ≥ 1.8's convention, ``penalty="auto"``), or 1 for ``penalty="l1"`` and 0 for
    ``"l2"`` (``r = ½‖w‖²``), earlier scikit-learn's. Divided by ``C Σ s`` this is jaxreg's binomial objective
    (the weighted mean log-loss) with ``λ = 1 / (C Σ_i s_i)`` (``1/(C n)`` without weights); ``C = inf`` or
    ``penalty=None`` gives ``λ = 0`` (no penalty). The intercept is not penalized and the columns are not
    standardized. With ``K > 2`` classes the model is multinomial, as scikit-learn's: ``η_ik = b_0k + x_i^\top w_k``,
    the loss ``log Σ_k e^{η_ik} − η_{i y_i}`` and ``r`` summed over all ``K × p`` coefficients (``family=
    "multinomial"``); the unpenalized intercepts are centred (they sum to 0), which changes no probability.

    Parameters
    ----------
    penalty : {"auto", "l2", "l1", "elasticnet", None}, default="auto"
        ``"auto"``: the mixing is ``l1_ratio``, as in scikit-learn ≥ 1.8 (which deprecated ``penalty``); the
        others as in earlier scikit-learn, ``l1_ratio`` being read for ``"elasticnet"`` only; ``None``: no
        penalty (like ``C = inf``).
    C : float, default=1.0
        Inverse penalty strength, ``C > 0`` (``inf``: no penalty).
    l1_ratio : float in [0, 1] or None, default=0.0
        Mixing of the elastic-net penalty: 0 is L2, 1 is L1 (None: 0).
    fit_intercept : bool, default=True
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplying the sample weights, as in scikit-learn: ``{label: weight}`` (positive;
        classes left out weigh 1) or ``"balanced"``, ``Σ s / (K Σ_{y_i = k} s_i)`` for class ``k`` (with unit
        sample weights, ``n / (K n_k)``).
    tol : float or None, default=None
        jaxreg's duality-gap tolerance relative to ``P(0)`` (None: its binomial default, 1e-8 in float64).
        scikit-learn's ``tol`` has solver-specific meanings, so it is not translated.
    max_iter : int, default=10_000
        Maximum proximal-gradient (FISTA) iterations.

    Attributes
    ----------
    classes_ : ndarray of shape (K,)
    coef_ : ndarray of shape (1, n_features), or (K, n_features) for K > 2 classes
    intercept_ : ndarray of shape (1,), or (K,)
    n_iter_ : ndarray of shape (1,)
        FISTA iterations used.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
    """

    def __init__(self, penalty: str | None = "auto", *, C: float = 1.0, l1_ratio: float | None = 0.0,
                 fit_intercept: bool = True, class_weight: dict | str | None = None, tol: float | None = None,
                 max_iter: int = 10_000):
        self.penalty = penalty
        self.C = C
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.class_weight = class_weight
        self.tol = tol
        self.max_iter = max_iter

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LogisticRegression:
        """Fit the model to class labels ``y`` (``sample_weight``: non-negative weights, times the class weights)."""
        X, y = validate_xy(self, X, y, classifier=True)
        w = check_weights(sample_weight, X.shape[0])
        mixing = penalty_mixing(self.penalty, self.l1_ratio)
        c = np.inf if self.penalty is None else check_c(self.C)
        codes = encode_classes(self, y, w)
        w = class_sample_weights(self.class_weight, self.classes_, codes, w)
        k = self.classes_.size
        fit_intercept = check_bool(self.fit_intercept, "fit_intercept")
        res = fit_logistic(X, codes, C=c, l1_ratio=mixing, fit_intercept=fit_intercept,
                           sample_weight=w, tol=optional_tol(self.tol), max_iter=check_max_iter(self.max_iter),
                           n_classes=k)
        if k == 2:
            self.coef_ = res.coef[None, :]
            self.intercept_ = np.array([res.intercept if fit_intercept else 0.0])
        else:
            self.coef_ = np.ascontiguousarray(res.coef.T)
            self.intercept_ = np.asarray(res.intercept, float) if fit_intercept else np.zeros(k)
        self.n_iter_ = np.array([res.n_iter])
        return self
