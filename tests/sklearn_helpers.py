"""Shared by the scikit-learn estimator tests: data, weights, and scikit-learn's logistic estimators built the same
way under every scikit-learn version the tests meet."""

import inspect

import numpy as np
import sklearn
import sklearn.linear_model as sk
from sklearn.datasets import load_breast_cancer

SK_VERSION = tuple(int(part) for part in sklearn.__version__.split(".")[:2])


def sk_logistic(l1_ratio, **kw):
    """scikit-learn's LogisticRegression with this mixing (1.8 deprecated ``penalty`` for ``l1_ratio`` alone)."""
    if SK_VERSION >= (1, 8):
        return sk.LogisticRegression(l1_ratio=l1_ratio, **kw)
    penalty = {0.0: "l2", 1.0: "l1"}.get(l1_ratio, "elasticnet")
    return sk.LogisticRegression(penalty=penalty, l1_ratio=l1_ratio if penalty == "elasticnet" else None, **kw)


def sk_logistic_cv_l2(**kw):
    """scikit-learn's LogisticRegressionCV with an l2 penalty and its legacy attributes, without FutureWarnings."""
    params = inspect.signature(sk.LogisticRegressionCV).parameters
    if SK_VERSION >= (1, 8):
        kw["l1_ratios"] = (0.0,)
    if "use_legacy_attributes" in params:
        kw["use_legacy_attributes"] = True
    return sk.LogisticRegressionCV(**kw)


def classification(n=60, p=10, seed=0):
    """``n`` rows of the breast-cancer data, its first ``p`` features standardized (pads to 64 × 16 for n=60)."""
    X, y = load_breast_cancer(return_X_y=True)
    rng = np.random.default_rng(seed)
    idx = rng.choice(len(y), n, replace=False)
    X = X[idx][:, :p]
    return (X - X.mean(0)) / X.std(0), y[idx]


def rel(a, b):
    """Largest absolute difference relative to the largest entry of ``b``."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    return np.abs(a - b).max() / max(np.abs(b).max(), 1e-12)


def weights(n, seed=1):
    return np.random.default_rng(seed).uniform(0.2, 3.0, n)
