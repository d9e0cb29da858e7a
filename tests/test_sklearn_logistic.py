"""jaxreg.sklearn's logistic estimators under scikit-learn ≥ 1.8's conventions (``l1_ratio`` sets the penalty,
``C = inf`` or ``penalty=None`` for none), with ``class_weight``, and their weighted held-out scores — against
scikit-learn's own estimators. Data shapes and grids reuse the compilations of ``test_sklearn.py`` (60 × 10 pads
to 64 × 16; one λ for single fits, 10 C for the CV estimator)."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.model_selection import StratifiedKFold

from jaxreg.sklearn import LogisticRegression, LogisticRegressionCV
from sklearn_helpers import SK_VERSION, classification, rel, sk_logistic, sk_logistic_cv_l2, weights

CS = [0.01, 10.0, 0.1, 1.0, 0.02, 5.0, 0.05, 2.0, 0.2, 0.5]


def _three_classes(seed=3):
    X, _ = classification(seed=seed)
    y = np.digitize(X[:, 0] + X[:, 1] + np.random.default_rng(seed).normal(size=X.shape[0]), [-1.5, 0.5])
    return X, np.array(["low", "mid", "high"])[y]


@pytest.mark.parametrize("class_weight", ["balanced", "dict"])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("weighted", [False, True])
def test_class_weight_matches_sklearn(class_weight, n_classes, weighted):
    X, y = classification(seed=5) if n_classes == 2 else _three_classes()
    if class_weight == "dict":
        class_weight = {np.unique(y)[0]: 3.0, np.unique(y)[-1]: 0.5}  # the class left out weighs 1
    w = weights(len(y)) if weighted else None
    ref = sk_logistic(0.0, C=0.5, class_weight=class_weight, tol=1e-12, max_iter=100_000).fit(X, y, sample_weight=w)
    ours = LogisticRegression(C=0.5, class_weight=class_weight, tol=1e-12).fit(X, y, sample_weight=w)
    plain = LogisticRegression(C=0.5, tol=1e-12).fit(X, y, sample_weight=w)
    assert rel(ours.coef_, ref.coef_) < 1e-5 and rel(plain.coef_, ref.coef_) > 1e-2  # the weights change the fit
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-6)


def test_class_weight_is_a_sample_weight_per_class():
    """``{c: k}`` is sample weight ``k`` on class ``c``; "balanced" with unit weights is ``n / (K n_k)``."""
    X, y = classification(seed=6)
    by_dict = LogisticRegression(C=0.3, l1_ratio=1.0, class_weight={0: 2.5}, tol=1e-12).fit(X, y)
    by_weight = LogisticRegression(C=0.3, l1_ratio=1.0, tol=1e-12).fit(X, y, sample_weight=np.where(y == 0, 2.5, 1.0))
    np.testing.assert_allclose(by_dict.coef_, by_weight.coef_, rtol=1e-9, atol=1e-12)
    counts = np.bincount(y)
    balanced = LogisticRegression(C=0.3, l1_ratio=1.0, class_weight="balanced", tol=1e-12).fit(X, y)
    manual = LogisticRegression(C=0.3, l1_ratio=1.0, tol=1e-12).fit(X, y, sample_weight=len(y) / (2 * counts[y]))
    np.testing.assert_allclose(balanced.coef_, manual.coef_, rtol=1e-9, atol=1e-12)


def test_no_penalty_matches_sklearn():
    X, y = make_classification(n_samples=60, n_features=10, n_informative=4, n_redundant=0, flip_y=0.3,
                               random_state=0)  # no collinear columns: a unique unpenalized fit
    ref = sk_logistic(0.0, C=np.inf, tol=1e-12, max_iter=100_000).fit(X, y)
    for ours in (LogisticRegression(None, tol=1e-12), LogisticRegression(C=np.inf, l1_ratio=1.0, tol=1e-12)):
        ours.fit(X, y)
        assert rel(ours.coef_, ref.coef_) < 1e-5 and abs(ours.intercept_[0] - ref.intercept_[0]) < 1e-5


@pytest.mark.parametrize("n_classes", [2, 3])
def test_cv_class_weight_and_weighted_scores_match_sklearn(n_classes):
    """Balanced class weights from all the samples, applied to each fold's training samples; held-out scores
    weighted by the (plain) sample weights, as scikit-learn ≥ 1.9 scores them."""
    X, y = classification(seed=1) if n_classes == 2 else _three_classes()
    w = weights(len(y), seed=2)
    cv = StratifiedKFold(4, shuffle=True, random_state=0)
    kw = dict(Cs=CS, cv=cv, scoring="neg_log_loss", class_weight="balanced", tol=1e-12)
    ref = sk_logistic_cv_l2(max_iter=100_000, **kw).fit(X, y, sample_weight=w)
    ours = LogisticRegressionCV(**kw).fit(X, y, sample_weight=w)
    for c in ref.scores_:
        np.testing.assert_allclose(ours.scores_[c], np.squeeze(ref.scores_[c]), rtol=1e-5)
        np.testing.assert_allclose(ours.coefs_paths_[c], np.squeeze(ref.coefs_paths_[c]), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(ours.C_, ref.C_)
    assert rel(ours.coef_, ref.coef_) < 1e-5


def test_cv_l1_ratios_set_the_penalty():
    """``l1_ratios`` with the default penalty: the mixing of every candidate, and scikit-learn's legacy layout
    (an axis over ``l1_ratios``); ``(1.0,)`` is the L1 penalty of ``penalty="l1"``."""
    X, y = classification(seed=2)
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    auto = LogisticRegressionCV(Cs=CS, l1_ratios=(1.0,), cv=cv, tol=1e-10).fit(X, y)
    l1 = LogisticRegressionCV(Cs=CS, penalty="l1", cv=cv, tol=1e-10).fit(X, y)
    assert auto.scores_[1].shape == (3, 10, 1) and auto.coefs_paths_[1].shape == (3, 10, 1, X.shape[1] + 1)
    assert l1.scores_[1].shape == (3, 10)
    np.testing.assert_array_equal(auto.coefs_paths_[1][:, :, 0], l1.coefs_paths_[1])
    np.testing.assert_array_equal(auto.coef_, l1.coef_)
    assert (np.abs(l1.coefs_paths_[1][:, 0, :-1]) == 0).all()  # C = 0.01: every feature out
    if SK_VERSION >= (1, 8):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # FutureWarnings of the transition, saga's ConvergenceWarning
            ref = sk_logistic_cv_l2(Cs=CS, cv=cv, solver="saga", tol=1e-10, max_iter=100_000)
            ref.set_params(l1_ratios=(1.0,)).fit(X, y)
        assert ref.scores_[1].shape == auto.scores_[1].shape
        np.testing.assert_allclose(auto.scores_[1], ref.scores_[1], rtol=1e-4)


def test_errors_and_warnings():
    X, y = classification()
    with pytest.raises(ValueError, match="class_weight: expected None, 'balanced' or a dict"):
        LogisticRegression(class_weight="balance").fit(X, y)
    with pytest.raises(ValueError, match="class_weight: 7 is not a class of y"):
        LogisticRegression(class_weight={7: 1.0}).fit(X, y)
    with pytest.raises(ValueError, match=r"class_weight\[0\]"):
        LogisticRegression(class_weight={0: -1.0}).fit(X, y)
    with pytest.raises(ValueError, match="penalty: LogisticRegressionCV needs a penalty"):
        LogisticRegressionCV(penalty=None).fit(X, y)
    with pytest.warns(UserWarning, match="l1_ratio=0.5 is ignored with penalty='l2'"):
        LogisticRegression("l2", l1_ratio=0.5).fit(X, y)
    with pytest.warns(UserWarning, match="l1_ratios is ignored with penalty='l1'"):
        LogisticRegressionCV(penalty="l1", l1_ratios=[0.5], Cs=CS, cv=3).fit(X, y)
