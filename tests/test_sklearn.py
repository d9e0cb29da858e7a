"""jaxreg.sklearn: scikit-learn's estimator checks, and agreement with scikit-learn's own estimators.

jaxreg compiles one program per padded data shape (powers of two, see jaxreg.sklearn._base.pad_problem), number of
λ and static option (family, fit_intercept, max_iter, …), and compiling dominates this file's time. So the tests
below reuse the compilations of the estimator checks wherever what they test allows: data that pads to 64 × 16
(60 × 10, 37 × 10) or 128 × 8 (120 × 6, PoissonRegressor), the estimators' default ``max_iter`` (every fit here
converges in far fewer iterations, so a larger cap would change nothing but the compiled program), one λ for the
single fits, 100 α for the linear CV estimators and 10 C for LogisticRegressionCV (their defaults).
"""

import subprocess
import sys
import warnings

import numpy as np
import pytest
import sklearn.linear_model as sk
from sklearn.model_selection import (GridSearchCV, GroupKFold, KFold, ShuffleSplit, StratifiedKFold,
                                     TimeSeriesSplit)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

import jaxreg
from jaxreg.sklearn import (ElasticNet, ElasticNetCV, Lasso, LassoCV, LogisticRegression, LogisticRegressionCV,
                            PoissonRegressor, Ridge)
from jaxreg.sklearn._base import fit_one, padded_shape
from reference_np import make_problem
from sklearn_helpers import (SK_VERSION, classification, rel, sk_logistic, sk_logistic_cv_l2,
                             weights)

ESTIMATORS = [Lasso(), ElasticNet(), Ridge(), LassoCV(), ElasticNetCV(), LogisticRegression(),
              LogisticRegressionCV(), PoissonRegressor()]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def _sk_grid(length):
    """The keyword giving scikit-learn's CV estimators a default grid of this length (``alphas=int`` since 1.7)."""
    return {"alphas": length} if SK_VERSION >= (1, 7) else {"n_alphas": length}


def _regression(seed=0, n=60, p=10):
    return make_problem(n, p, seed=seed)


# ---------------------------------------------------------------- single fits against scikit-learn


@pytest.mark.parametrize("l1_ratio,fit_intercept,positive,weighted", [
    (1.0, True, False, False), (1.0, False, False, True), (0.4, True, False, True), (1.0, True, True, False),
])
@pytest.mark.parametrize("alpha", [0.02, 0.3])
def test_lasso_elastic_net_match_sklearn(l1_ratio, fit_intercept, positive, weighted, alpha):
    X, y = _regression()
    w = weights(len(y)) if weighted else None
    kw = dict(alpha=alpha, fit_intercept=fit_intercept, positive=positive)
    ref = sk.ElasticNet(l1_ratio=l1_ratio, tol=1e-14, max_iter=200_000, **kw).fit(X, y, sample_weight=w)
    ours = (Lasso(tol=1e-11, **kw) if l1_ratio == 1 else ElasticNet(l1_ratio=l1_ratio, tol=1e-11, **kw))
    ours.fit(X, y, sample_weight=w)
    assert rel(ours.coef_, ref.coef_) < 1e-5
    assert abs(ours.intercept_ - ref.intercept_) < 1e-5 * np.abs(y).mean()
    if positive:
        assert (ours.coef_ >= 0).all() and (ref.coef_ < 0).sum() == 0


def _enet_objective(X, y, w, b0, b, alpha, l1_ratio):
    w = np.ones(len(y)) if w is None else w
    r = y - b0 - X @ b
    return w @ r**2 / (2 * w.sum()) + alpha * (l1_ratio * np.abs(b).sum() + (1 - l1_ratio) / 2 * b @ b)


@pytest.mark.parametrize("weighted", [False, True])
def test_dual_gap_bounds_suboptimality_and_follows_sklearn_tol(weighted):
    """dual_gap_ has scikit-learn's meaning: it bounds P(w) − P* and stops below tol · Σ w (y − ȳ)² / Σ w."""
    X, y = _regression(seed=3)
    w = weights(len(y)) if weighted else None
    tol, alpha, l1_ratio = 1e-3, 0.05, 0.7
    ours = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=tol).fit(X, y, sample_weight=w)
    ref = sk.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-14, max_iter=200_000).fit(X, y, sample_weight=w)
    p_ours = _enet_objective(X, y, w, ours.intercept_, ours.coef_, alpha, l1_ratio)
    p_star = _enet_objective(X, y, w, ref.intercept_, ref.coef_, alpha, l1_ratio)
    wt = np.ones(len(y)) if w is None else w
    ybar = np.average(y, weights=wt)
    # ours may be the more accurate of the two: below P* only by rounding
    assert -1e-13 * p_star <= p_ours - p_star <= ours.dual_gap_ * (1 + 1e-9) + 1e-12
    assert ours.dual_gap_ <= tol * np.average((y - ybar) ** 2, weights=wt)


@pytest.mark.parametrize("alpha,fit_intercept,weighted", [(0.1, True, False), (10.0, True, True),
                                                          (3.0, False, True)])
def test_ridge_matches_sklearn(alpha, fit_intercept, weighted):
    X, y = _regression(seed=1)
    w = weights(len(y)) if weighted else None
    ref = sk.Ridge(alpha=alpha, fit_intercept=fit_intercept, solver="cholesky").fit(X, y, sample_weight=w)
    ours = Ridge(alpha=alpha, fit_intercept=fit_intercept, tol=1e-13).fit(X, y, sample_weight=w)
    assert rel(ours.coef_, ref.coef_) < 1e-5
    assert abs(ours.intercept_ - ref.intercept_) < 1e-5 * np.abs(y).mean()


@pytest.mark.parametrize("alpha,fit_intercept,weighted", [(1.0, True, False), (0.05, True, True),
                                                          (0.5, False, True)])
def test_poisson_regressor_matches_sklearn(alpha, fit_intercept, weighted):
    rng = np.random.default_rng(5)
    X = rng.normal(size=(120, 6))
    y = rng.poisson(np.exp(0.5 + X @ np.array([0.4, -0.3, 0.0, 0.2, 0.0, 0.1]))).astype(float)
    w = weights(len(y)) if weighted else None
    ref = sk.PoissonRegressor(alpha=alpha, fit_intercept=fit_intercept, tol=1e-12, max_iter=10_000).fit(
        X, y, sample_weight=w)
    ours = PoissonRegressor(alpha=alpha, fit_intercept=fit_intercept, tol=1e-12).fit(X, y, sample_weight=w)
    assert rel(ours.coef_, ref.coef_) < 1e-5
    assert abs(ours.intercept_ - ref.intercept_) < 1e-5
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-5)
    assert ours.score(X, y) == pytest.approx(ref.score(X, y), rel=1e-6)
    with pytest.raises(ValueError, match="non-negative"):
        PoissonRegressor().fit(X, -y)


@pytest.mark.parametrize("penalty,l1_ratio,solver", [("l2", 0.0, "lbfgs"), ("l1", 1.0, "saga"),
                                                     ("elasticnet", 0.5, "saga")])
@pytest.mark.parametrize("weighted", [False, True])
def test_logistic_regression_matches_sklearn(penalty, l1_ratio, solver, weighted):
    X, y = classification()
    y = np.where(y == 1, "benign", "malignant")  # string labels: classes_ and predictions keep them
    w = weights(len(y)) if weighted else None
    ref = sk_logistic(l1_ratio, C=0.7, solver=solver, tol=1e-12, max_iter=100_000)
    ref.fit(X, y, sample_weight=w)
    ours = LogisticRegression(penalty, C=0.7, l1_ratio=l1_ratio, tol=1e-12)
    ours.fit(X, y, sample_weight=w)
    auto = LogisticRegression(C=0.7, l1_ratio=l1_ratio, tol=1e-12).fit(X, y, sample_weight=w)  # scikit-learn ≥ 1.8
    np.testing.assert_array_equal(auto.coef_, ours.coef_)
    assert list(ours.classes_) == list(ref.classes_)
    assert ours.coef_.shape == (1, X.shape[1]) and ours.intercept_.shape == (1,)
    assert rel(ours.coef_, ref.coef_) < 1e-5
    assert abs(ours.intercept_[0] - ref.intercept_[0]) < 1e-5
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-6)
    np.testing.assert_allclose(ours.predict_log_proba(X), ref.predict_log_proba(X), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours.decision_function(X), ref.decision_function(X), atol=1e-5)
    assert (ours.predict(X) == ref.predict(X)).all()
    assert ours.score(X, y) == ref.score(X, y)


def test_padding_changes_nothing():
    """Small problems are padded with zero-weight rows and zero columns fixed at 0: the same fit as unpadded."""
    X, y = _regression(seed=4, n=37, p=10)
    assert padded_shape(*X.shape) == (64, 16)
    w = weights(37)
    for family, yy, lam in (("gaussian", y, 0.05), ("binomial", (y > np.median(y)).astype(float), 0.01)):
        res = fit_one(X, yy, lam=lam, family=family, l1_ratio=0.8, fit_intercept=True, sample_weight=w,
                      positive=True, tol=1e-12, max_iter=10_000)
        assert res.converged
        direct = jaxreg.path(X, yy, family=family, l1_ratio=0.8, lambdas=[lam], standardize=False,
                             sample_weight=w, lower_bounds=0.0, tol=1e-12, max_iter=10_000)
        assert rel(res.coef, direct.coef[0]) < 1e-7
        assert abs(res.intercept - direct.intercept[0]) < 1e-7 * max(1.0, abs(direct.intercept[0]))


# ---------------------------------------------------------------- cross-validation against scikit-learn


@pytest.mark.parametrize("weighted", [False, True])
def test_lasso_cv_matches_sklearn(weighted):
    X, y = _regression(seed=2)
    w = weights(len(y)) if weighted else None
    cv = KFold(5, shuffle=True, random_state=0)
    ref = sk.LassoCV(cv=cv, tol=1e-12, max_iter=200_000, **_sk_grid(100)).fit(X, y, sample_weight=w)
    ours = LassoCV(cv=cv, tol=1e-12).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(ours.alphas_, ref.alphas_, rtol=1e-12)
    assert ours.mse_path_.shape == ref.mse_path_.shape == (100, 5)
    np.testing.assert_allclose(ours.mse_path_, ref.mse_path_, rtol=1e-6)
    assert ours.alpha_ == pytest.approx(ref.alpha_, rel=1e-12)
    assert rel(ours.coef_, ref.coef_) < 1e-5
    assert abs(ours.intercept_ - ref.intercept_) < 1e-5 * np.abs(y).mean()
    assert not hasattr(ours, "l1_ratio_")


#: An explicit, unsorted α list, as long as the default grid (100: the same compilation).
UNSORTED_ALPHAS = list(np.geomspace(0.5, 0.005, 100)[np.random.default_rng(0).permutation(100)])


@pytest.mark.parametrize("alphas", [None, UNSORTED_ALPHAS])
def test_elastic_net_cv_matches_sklearn(alphas):
    X, y = _regression(seed=5)
    folds = [(np.flatnonzero(np.arange(60) % 3 != k), np.flatnonzero(np.arange(60) % 3 == k)) for k in range(3)]
    grid = _sk_grid(100) if alphas is None else {"alphas": alphas}
    ref = sk.ElasticNetCV(l1_ratio=[0.2, 0.9], cv=folds, tol=1e-12, max_iter=200_000, **grid).fit(X, y)
    ours = ElasticNetCV(l1_ratio=[0.2, 0.9], alphas=alphas, cv=folds, tol=1e-12)
    ours.fit(X, y)
    assert ours.alphas_.shape == ref.alphas_.shape
    np.testing.assert_allclose(ours.alphas_, ref.alphas_, rtol=1e-12)
    assert ours.mse_path_.shape == ref.mse_path_.shape == (2, 100, 3)
    np.testing.assert_allclose(ours.mse_path_, ref.mse_path_, rtol=1e-5)
    assert (ours.alpha_, ours.l1_ratio_) == (pytest.approx(ref.alpha_, rel=1e-12), ref.l1_ratio_)
    assert rel(ours.coef_, ref.coef_) < 1e-5


@pytest.mark.parametrize("refit", [True, False])
def test_logistic_regression_cv_matches_sklearn(refit):
    X, y = classification(seed=1)
    cv = StratifiedKFold(4, shuffle=True, random_state=0)
    cs = [0.01, 10.0, 0.1, 1.0, 0.02, 5.0, 0.05, 2.0, 0.2, 0.5]  # unsorted on purpose; 10 like the default Cs
    ref = sk_logistic_cv_l2(Cs=cs, cv=cv, scoring="neg_log_loss", tol=1e-12, max_iter=100_000, refit=refit)
    ref.fit(X, y)
    ours = LogisticRegressionCV(Cs=cs, cv=cv, scoring="neg_log_loss", tol=1e-12, refit=refit)
    ours.fit(X, y)
    np.testing.assert_array_equal(ours.Cs_, ref.Cs_)
    assert ours.scores_[1].shape == (4, 10)
    np.testing.assert_allclose(ours.scores_[1], np.squeeze(ref.scores_[1]), rtol=1e-5)
    np.testing.assert_allclose(ours.coefs_paths_[1], np.squeeze(ref.coefs_paths_[1]), rtol=1e-4, atol=1e-6)
    assert ours.C_[0] == pytest.approx(ref.C_[0])
    assert rel(ours.coef_, ref.coef_) < 1e-5
    assert abs(ours.intercept_[0] - ref.intercept_[0]) < 1e-5


def test_logistic_regression_cv_multiclass_matches_sklearn():
    X, y = classification(seed=3)
    y = np.digitize(X[:, 0] + X[:, 1] + np.random.default_rng(3).normal(size=X.shape[0]), [-1.0, 1.0])
    labels = np.array(["low", "mid", "high"])[y]  # string labels, sorted: high, low, mid
    cv, cs = StratifiedKFold(3, shuffle=True, random_state=0), [0.05, 5.0, 0.5]
    ref = sk_logistic_cv_l2(Cs=cs, cv=cv, scoring="neg_log_loss", tol=1e-12, max_iter=100_000).fit(X, labels)
    ours = LogisticRegressionCV(Cs=cs, cv=cv, scoring="neg_log_loss", tol=1e-12).fit(X, labels)
    assert list(ours.classes_) == list(ref.classes_) and ours.coef_.shape == ref.coef_.shape == (3, X.shape[1])
    for c in ref.classes_:
        np.testing.assert_allclose(ours.scores_[c], np.squeeze(ref.scores_[c]), rtol=1e-5)
        np.testing.assert_allclose(ours.coefs_paths_[c], np.squeeze(ref.coefs_paths_[c]), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(ours.C_, ref.C_)
    assert rel(ours.coef_, ref.coef_) < 1e-5 and np.abs(ours.intercept_ - ref.intercept_).max() < 1e-5
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-6)


def test_logistic_regression_cv_elastic_net_grid():
    X, y = classification(seed=2)
    ours = LogisticRegressionCV(Cs=10, penalty="elasticnet", l1_ratios=[0.5, 1.0], cv=3).fit(X, y)
    assert ours.scores_[1].shape == (3, 10, 2) and ours.n_iter_.shape == (1, 3, 10, 2)
    assert ours.coefs_paths_[1].shape == (3, 10, 2, X.shape[1] + 1)
    i, j = np.unravel_index(np.argmax(ours.scores_[1].sum(0)), (10, 2))
    assert (ours.C_[0], ours.l1_ratio_[0]) == (ours.Cs_[i], ours.l1_ratios_[j])
    direct = LogisticRegression("elasticnet", C=ours.C_[0], l1_ratio=ours.l1_ratio_[0]).fit(X, y)
    assert rel(ours.coef_, direct.coef_) < 1e-3


def test_cv_splitters_that_partition_are_accepted_others_rejected():
    X, y = _regression(seed=6)
    groups = np.arange(60) // 7
    as_folds = LassoCV(cv=list(GroupKFold(4).split(X, y, groups))).fit(X, y)
    foldid = np.empty(60, int)
    for k, (_, test) in enumerate(GroupKFold(4).split(X, y, groups)):
        foldid[test] = k
    direct = jaxreg.cv_path(X, y, foldid=foldid, lambdas=as_folds.alphas_, standardize=False, scoring="mse",
                            tol=2e-4)
    np.testing.assert_allclose(as_folds.mse_path_, direct.cv_folds.T, rtol=1e-10)
    for bad in (ShuffleSplit(3, random_state=0), TimeSeriesSplit(3)):
        with pytest.raises(ValueError, match="partition"):
            LassoCV(n_alphas=10, cv=bad).fit(X, y)


# ---------------------------------------------------------------- Pipeline, GridSearchCV, errors


def test_pipeline_grid_search_chooses_what_sklearn_chooses():
    X, y = _regression(seed=7)
    grid = {"lasso__alpha": [1e-3, 0.05, 0.3, 3.0]}
    cv = KFold(3, shuffle=True, random_state=1)
    ours = GridSearchCV(make_pipeline(StandardScaler(), Lasso(tol=1e-10)), grid, cv=cv).fit(X, y)
    ref = GridSearchCV(make_pipeline(StandardScaler(), sk.Lasso(tol=1e-12, max_iter=100_000)), grid, cv=cv)
    ref.fit(X, y)
    assert ours.best_params_ == ref.best_params_
    np.testing.assert_allclose(ours.cv_results_["mean_test_score"], ref.cv_results_["mean_test_score"], rtol=1e-6)

    Xc, yc = classification(seed=3)
    grid = {"logisticregression__C": [1e-3, 0.1, 10.0]}
    cv = StratifiedKFold(3, shuffle=True, random_state=1)
    ours = GridSearchCV(make_pipeline(StandardScaler(), LogisticRegression(tol=1e-12)), grid, cv=cv,
                        scoring="neg_log_loss").fit(Xc, yc)
    ref = GridSearchCV(make_pipeline(StandardScaler(), sk.LogisticRegression(tol=1e-12, max_iter=10_000)), grid,
                       cv=cv, scoring="neg_log_loss").fit(Xc, yc)
    assert ours.best_params_ == ref.best_params_
    np.testing.assert_allclose(ours.cv_results_["mean_test_score"], ref.cv_results_["mean_test_score"], rtol=1e-5)


@pytest.mark.parametrize("penalty, extra, solver", [("l2", {}, "lbfgs"), ("l1", {}, "saga"),
                                                    ("elasticnet", {"l1_ratio": 0.5}, "saga")])
def test_multinomial_logistic_regression_matches_scikit_learn(penalty, extra, solver):
    """Three classes (string labels, weights): scikit-learn's multinomial objective, coefficients and all."""
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=150, n_features=8, n_informative=5, n_classes=3, random_state=0)
    X = X * np.linspace(0.5, 3.0, 8)
    labels = np.array(["b", "c", "a"])[y]
    w = np.linspace(0.5, 2.0, 150)
    ours = LogisticRegression(penalty, C=0.5, tol=1e-12, **extra).fit(X, labels, sample_weight=w)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # saga's ConvergenceWarning; it is well converged at this tol
        ref = sk.LogisticRegression(penalty=penalty, C=0.5, tol=1e-12, max_iter=200_000, solver=solver,
                                    **extra).fit(X, labels, sample_weight=w)
    assert list(ours.classes_) == ["a", "b", "c"] and ours.coef_.shape == (3, 8) and ours.intercept_.shape == (3,)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-5 * np.abs(ref.coef_).max())
    # intercepts are identified up to a common shift: both sum to 0
    np.testing.assert_allclose(ours.intercept_ - ours.intercept_.mean(), ref.intercept_ - ref.intercept_.mean(),
                               atol=1e-5)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-6)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    np.testing.assert_allclose(np.exp(ours.predict_log_proba(X)).sum(axis=1), 1.0, rtol=1e-12)


def test_feature_names_are_recorded():
    pd = pytest.importorskip("pandas")
    X, y = _regression()
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(10)])
    model = Lasso(alpha=0.1).fit(df, y)
    assert list(model.feature_names_in_) == list(df.columns) and model.n_features_in_ == 10
    np.testing.assert_allclose(model.predict(df), X @ model.coef_ + model.intercept_)


def test_clear_errors():
    X, y = classification()
    y3 = np.arange(60) % 3
    with pytest.raises(ValueError, match="cv: the training set of split 0 lacks some of the 3 classes"):
        a, b = np.flatnonzero(y3 == 2), np.flatnonzero(y3 != 2)
        LogisticRegressionCV(cv=[(b, a), (a, b)]).fit(X, y3)
    with pytest.raises(ValueError, match="penalty"):
        LogisticRegression("l3").fit(X, y)
    with pytest.raises(ValueError, match="l1_ratio"):
        LogisticRegression("elasticnet", l1_ratio=None).fit(X, y)
    with pytest.raises(ValueError, match="l1_ratios"):
        LogisticRegressionCV(penalty="elasticnet").fit(X, y)
    with pytest.raises(ValueError, match="alphas"):
        LassoCV(alphas=[0.1, -1.0]).fit(X, y)
    with pytest.raises(ValueError, match="tol"):
        Lasso(tol=0.0).fit(X, y)
    with pytest.raises(ValueError, match="alpha"):
        Ridge(alpha=-1.0).fit(X, y)
    with pytest.raises(ValueError, match="C"):
        LogisticRegression(C=0.0).fit(X, y)


def test_import_jaxreg_does_not_import_sklearn():
    code = "import sys, jaxreg; sys.exit(int(any(m.split('.')[0] == 'sklearn' for m in sys.modules)))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0
