"""``LogisticRegression``: binary penalized logistic regression by :func:`jaxreg.path` (``family="binomial"``)."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets, type_of_target

from jaxreg.sklearn._base import (check_bool, check_max_iter, check_real, check_weights, fit_one, optional_tol,
                                  validate_x, validate_xy)

PENALTIES = ("l1", "l2", "elasticnet")


def penalty_mixing(penalty: Any, l1_ratio: Any) -> float:
    """jaxreg's ``l1_ratio`` for scikit-learn's ``penalty`` (``l1_ratio`` is only read for ``"elasticnet"``)."""
    if penalty not in PENALTIES:
        raise ValueError(f"penalty: expected 'l1', 'l2' or 'elasticnet', got {penalty!r}.")
    if penalty == "elasticnet":
        if l1_ratio is None:
            raise ValueError("l1_ratio: penalty='elasticnet' needs l1_ratio, a value in [0, 1].")
        return check_real(l1_ratio, "l1_ratio", high=1.0)
    return 1.0 if penalty == "l1" else 0.0


def encode_binary(est: Any, y: np.ndarray, sample_weight: np.ndarray | None) -> np.ndarray:
    """Set ``est.classes_`` and return ``y`` as 0/1 (1 for ``classes_[1]``); only two classes are supported."""
    check_classification_targets(y)
    classes = np.unique(y)
    if classes.size > 2:
        raise ValueError(f"y: Only binary classification is supported; got {classes.size} classes (target type "
                         f"{type_of_target(y)!r}); multinomial logistic regression is not supported yet.")
    if classes.size < 2:
        raise ValueError(f"y: needs samples of 2 classes, got only one class ({classes[0]!r}).")
    y01 = (y == classes[1]).astype(np.float64)
    if sample_weight is not None and len({*y01[sample_weight > 0]}) < 2:
        raise ValueError("sample_weight: the samples of positive weight are all of one class; need 2 classes.")
    est.classes_ = classes
    return y01


def check_c(value: Any, name: str = "C") -> float:
    return check_real(value, name, low_open=True, allow_inf=True)


class _BinaryLinearClassifier(ClassifierMixin, BaseEstimator):
    """``decision_function``, ``predict``, ``predict_proba`` and ``predict_log_proba`` from ``coef_`` (1, p)."""

    def decision_function(self, X: Any) -> np.ndarray:
        """Linear predictor ``X @ coef_[0] + intercept_[0]`` (the log-odds of ``classes_[1]``), shape (n,)."""
        xa = validate_x(self, X)
        return xa @ self.coef_[0] + self.intercept_[0]

    def predict(self, X: Any) -> np.ndarray:
        """``classes_[1]`` where the log-odds are positive, else ``classes_[0]``."""
        positive = self.decision_function(X) > 0
        return self.classes_[positive.astype(int)]

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Log-probabilities of ``classes_``, shape (n, 2), computed without overflow."""
        eta = self.decision_function(X)
        return np.column_stack([-np.logaddexp(0.0, eta), -np.logaddexp(0.0, -eta)])

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probabilities of ``classes_``, shape (n, 2)."""
        return np.exp(self.predict_log_proba(X))

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags


def fit_logistic(X: np.ndarray, y01: np.ndarray, *, C: float, l1_ratio: float, fit_intercept: bool,
                 sample_weight: np.ndarray | None, tol: float | None, max_iter: int) -> Any:
    """One fit at ``λ = 1 / (C Σ s)`` (see :class:`LogisticRegression`)."""
    total = float(y01.shape[0]) if sample_weight is None else float(np.sum(sample_weight))
    return fit_one(X, y01, lam=1.0 / (C * total), family="binomial", l1_ratio=l1_ratio,
                   fit_intercept=fit_intercept, sample_weight=sample_weight, tol=tol, max_iter=max_iter)


class LogisticRegression(_BinaryLinearClassifier):
    r"""Binary penalized logistic regression with scikit-learn's objective, solved by :func:`jaxreg.path`.

    With labels ``y_i ∈ {0, 1}`` (1 for ``classes_[1]``) and ``η_i = b_0 + x_i^\top w``, minimizes

    .. math::

        C \sum_i s_i \big[\log(1 + e^{\eta_i}) - y_i \eta_i\big] + r(w), \qquad
        r(w) = \mathrm{l1\_ratio}\,\|w\|_1 + \frac{1 - \mathrm{l1\_ratio}}{2}\|w\|_2^2,

    with ``l1_ratio`` 1 for ``penalty="l1"`` and 0 for ``"l2"`` (``r = ½‖w‖²``). Divided by ``C Σ s`` this is
    jaxreg's binomial objective (the weighted mean log-loss) with ``λ = 1 / (C Σ_i s_i)`` (``1/(C n)`` without
    weights); ``C = inf`` gives ``λ = 0`` (no penalty). The intercept is not penalized and the columns are not
    standardized. Only two classes are supported (multinomial is not supported yet).

    Parameters
    ----------
    penalty : {"l2", "l1", "elasticnet"}, default="l2"
    C : float, default=1.0
        Inverse penalty strength, ``C > 0``.
    l1_ratio : float in [0, 1] or None, default=None
        Mixing of the elastic-net penalty (read only when ``penalty="elasticnet"``).
    fit_intercept : bool, default=True
    tol : float or None, default=None
        jaxreg's duality-gap tolerance relative to ``P(0)`` (None: its binomial default, 1e-8 in float64).
        scikit-learn's ``tol`` has solver-specific meanings, so it is not translated.
    max_iter : int, default=10_000
        Maximum proximal-gradient (FISTA) iterations.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
    coef_ : ndarray of shape (1, n_features)
    intercept_ : ndarray of shape (1,)
    n_iter_ : ndarray of shape (1,)
        FISTA iterations used.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
    """

    def __init__(self, penalty: str = "l2", *, C: float = 1.0, l1_ratio: float | None = None,
                 fit_intercept: bool = True, tol: float | None = None, max_iter: int = 10_000):
        self.penalty = penalty
        self.C = C
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.max_iter = max_iter

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LogisticRegression:
        """Fit the model to two-class labels ``y`` (``sample_weight``: non-negative weights ``s_i``)."""
        X, y = validate_xy(self, X, y, classifier=True)
        w = check_weights(sample_weight, X.shape[0])
        mixing = penalty_mixing(self.penalty, self.l1_ratio)
        y01 = encode_binary(self, y, w)
        res = fit_logistic(X, y01, C=check_c(self.C), l1_ratio=mixing,
                           fit_intercept=check_bool(self.fit_intercept, "fit_intercept"), sample_weight=w,
                           tol=optional_tol(self.tol), max_iter=check_max_iter(self.max_iter))
        self.coef_ = res.coef[None, :]
        self.intercept_ = np.array([res.intercept if self.fit_intercept else 0.0])
        self.n_iter_ = np.array([res.n_iter])
        return self
