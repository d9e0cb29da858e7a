"""``jaxreg.cv_path`` against R's ``cv.glmnet`` (same folds) and against fold-by-fold ``jaxreg.path`` fits."""

import json
import pathlib
import warnings

import numpy as np
import pytest

import jaxreg
from jaxreg.cv import make_folds
from jaxreg.scoring import aggregate, choose_lambda, weighted_auc

REF = json.loads((pathlib.Path(__file__).parent / "reference" / "cv_glmnet.json").read_text())
CASES = {c["name"]: c for c in REF["cases"]}


def _run(case, **extra):
    kwargs = dict(family=case["family"], scoring=case["type_measure"], foldid=np.asarray(case["foldid"]),
                  l1_ratio=float(case["alpha"]), standardize=bool(case["standardize"]),
                  sample_weight=None if case["weights"] is None else np.asarray(case["weights"]))
    if case.get("strata") is not None:
        kwargs["strata"] = np.asarray(case["strata"])
    kwargs.update(extra)
    return jaxreg.cv_path(np.asarray(case["x"]), np.asarray(case["y"]), **kwargs)


@pytest.mark.parametrize("name", sorted(CASES))
def test_agrees_with_cv_glmnet(name):
    # default grids everywhere, as cv.glmnet: each fold has its own λmax and early stop, interpolated at the
    # full-data λ
    # Binomial at tol 1e-10 (glmnet's side is at thresh 1e-20): misclassification counts flip with the sign of η,
    # and at the default 1e-8 one held-out η deep in the binomial_class path is -0.0045 instead of +0.00027.
    case = CASES[name]
    cv = _run(case, tol=1e-10 if case["family"] == "binomial" else None)
    # glmnet's cox λmax differs from the exact max |∇|/pf by 4e-9 relative (on every CoxExample subset tried)
    rtol = 1e-8 if case["family"] == "cox" else 1e-9
    np.testing.assert_allclose(cv.lambdas, case["lambda"], rtol=rtol)
    np.testing.assert_allclose(cv.cv_mean, case["cvm"], rtol=1e-3)
    np.testing.assert_allclose(cv.cv_std, case["cvsd"], rtol=1e-3, atol=1e-3 * np.max(case["cvsd"]))
    assert cv.index_min == case["index_min"] - 1 and cv.index_1se == case["index_1se"] - 1
    assert cv.lambda_min == pytest.approx(case["lambda_min"], rel=rtol)
    assert cv.lambda_1se == pytest.approx(case["lambda_1se"], rel=rtol)


@pytest.mark.parametrize("user_grid", [True, False])
def test_folds_equal_separate_path_fits(user_grid):
    X, y, _ = jaxreg.datasets.load_diabetes()
    foldid = make_folds(X.shape[0], 4, random_state=1)
    grid = dict(lambdas=np.geomspace(40.0, 0.05, 30)) if user_grid else dict(n_lambdas=30)
    cv = jaxreg.cv_path(X, y, foldid=foldid, scoring="mae", **grid)
    for k in range(4):
        train, test = foldid != k, foldid == k
        fit = jaxreg.path(X[train], y[train], **grid)
        if user_grid:
            np.testing.assert_array_equal(fit.lambdas, cv.lambdas)
        else:  # its own grid, from its own λmax
            assert fit.lambda_max != pytest.approx(cv.path.lambda_max, rel=1e-3)
        mae = np.abs(y[test, None] - fit.predict(X[test], lambda_=cv.lambdas)).mean(axis=0)
        np.testing.assert_allclose(cv.cv_folds[k], mae, rtol=1e-7)
    np.testing.assert_allclose(cv.cv_mean, np.average(cv.cv_folds, axis=0, weights=np.bincount(foldid)), rtol=1e-12)
    assert cv.fold_converged.all()


def test_several_l1_ratios_pick_the_best_and_batch_sizes_agree():
    X, y, _ = jaxreg.datasets.load_diabetes()
    alphas = [1.0, 0.5, 0.2]
    cv = jaxreg.cv_path(X, y, l1_ratio=alphas, n_folds=5, random_state=3, n_lambdas=25)
    assert [c.l1_ratio for c in cv.candidates] == alphas
    best = int(np.argmin(cv.best_scores))
    assert cv.l1_ratio == alphas[best] and cv.lambda_min == cv.candidates[best].lambda_min
    for c in cv.candidates:  # each candidate is the single-α cross-validation with the same folds
        single = jaxreg.cv_path(X, y, l1_ratio=c.l1_ratio, foldid=cv.foldid, n_lambdas=25)
        np.testing.assert_allclose(c.cv_mean, single.cv_mean, rtol=1e-8)
    vmapped = jaxreg.cv_path(X, y, l1_ratio=alphas, foldid=cv.foldid, n_lambdas=25, batch_size=4)
    for a, b in zip(cv.candidates, vmapped.candidates):
        np.testing.assert_allclose(a.cv_mean, b.cv_mean, rtol=1e-8)


def test_stratified_folds_keep_class_balance():
    y = np.r_[np.zeros(37), np.ones(13)]
    foldid = make_folds(50, 5, y=y, random_state=0)
    counts = np.array([[np.sum((foldid == k) & (y == c)) for c in (0, 1)] for k in range(5)])
    assert counts[:, 0].max() - counts[:, 0].min() <= 1 and counts[:, 1].max() - counts[:, 1].min() <= 1
    sizes = np.bincount(foldid)
    assert sizes.max() - sizes.min() <= 1
    plain = make_folds(50, 5, random_state=0)
    assert np.bincount(plain).tolist() == [10] * 5


def test_weighted_auc_matches_pair_counting():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 40).astype(float)
    s = np.round(rng.normal(size=(40, 3)), 1)  # ties on purpose
    w = rng.uniform(0.5, 2.0, 40)
    pos, neg = y == 1, y == 0
    for k in range(3):
        d = s[pos, k][:, None] - s[neg, k][None, :]
        pair = np.outer(w[pos], w[neg])
        expect = np.sum(pair * ((d > 0) + 0.5 * (d == 0))) / pair.sum()
        assert weighted_auc(s, y, w)[k] == pytest.approx(expect, rel=1e-12)


def test_aggregate_and_one_standard_error_rule():
    scores = np.array([[3.0, 2.0, 1.0, 1.5], [5.0, 2.0, 1.2, 1.1], [4.0, 2.6, 1.4, 2.0]])
    wk = np.array([1.0, 2.0, 1.0])
    mean, std = aggregate(scores, wk)
    np.testing.assert_allclose(mean, np.average(scores, axis=0, weights=wk))
    var = np.average((scores - mean) ** 2, axis=0, weights=wk)
    np.testing.assert_allclose(std, np.sqrt(var / 2))
    lam = np.array([4.0, 3.0, 2.0, 1.0])
    i_min, i_1se = choose_lambda(lam, mean, std, greater_is_better=False)
    assert i_min == 2
    assert i_1se == int(np.flatnonzero(mean <= mean[2] + std[2])[0])
    assert choose_lambda(lam, -mean, std, greater_is_better=True) == (i_min, i_1se)


def test_predict_and_coef_default_to_lambda_1se():
    X, y, _ = jaxreg.datasets.load_diabetes()
    cv = jaxreg.cv_path(X, y, n_folds=3, random_state=0, n_lambdas=20)
    b0, b = cv.path.coef_at(cv.lambda_1se)
    np.testing.assert_allclose(cv.predict(X[:5]), X[:5] @ b + b0)
    np.testing.assert_allclose(cv.coef_at("lambda_min")[1], cv.path.coef[cv.index_min])
    assert "lambda_1se" in cv.summary() and "CVPath" in repr(cv)
    with pytest.raises(ValueError, match="lambda_"):
        cv.predict(X, lambda_="best")


def test_float32_cross_validation():
    X, y, _ = jaxreg.datasets.load_diabetes()
    foldid = make_folds(X.shape[0], 3, random_state=2)
    c64 = jaxreg.cv_path(X, y, foldid=foldid, n_lambdas=20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", jaxreg.ConvergenceWarning)
        c32 = jaxreg.cv_path(X, y, foldid=foldid, n_lambdas=20, dtype="float32")
    np.testing.assert_allclose(c32.cv_mean, c64.cv_mean, rtol=1e-3)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(n_folds=1), "n_folds"),
        (dict(n_folds=500), "n_folds"),
        (dict(foldid=np.zeros(442, int)), "foldid"),
        (dict(foldid=np.arange(10)), "foldid"),
        (dict(scoring="auc"), "scoring"),
        (dict(l1_ratio=[1.0, 1.5]), "l1_ratio"),
        (dict(l1_ratio=[]), "l1_ratio"),
        (dict(stratify=True), "stratify"),
        (dict(batch_size=0), "batch_size"),
        (dict(batch_size=2.5), "batch_size"),
        (dict(sample_weight=np.r_[np.ones(200), np.zeros(242)], foldid=np.r_[np.zeros(200), np.ones(242)].astype(int)),
         "zero total"),
    ],
)
def test_bad_arguments(kwargs, match):
    X, y, _ = jaxreg.datasets.load_diabetes()
    with pytest.raises((ValueError, TypeError), match=match):
        jaxreg.cv_path(X, y, **kwargs)


def test_binomial_fold_with_one_class_is_an_error():
    X = np.random.default_rng(0).normal(size=(20, 3))
    y = np.r_[np.zeros(10), np.ones(10)]
    with pytest.raises(ValueError, match="one class"):
        jaxreg.cv_path(X, y, family="binomial", foldid=(y == 1).astype(int))


def test_progress_lines_on_request(capsys):
    X, y, _ = jaxreg.datasets.load_diabetes()
    jaxreg.cv_path(X, y, n_folds=3, random_state=0, n_lambdas=10, batch_size=2, progress=True)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and err[-1].startswith("jaxreg: 4/4 paths")
    jaxreg.cv_path(X, y, n_folds=3, random_state=0, n_lambdas=10)
    assert capsys.readouterr().err == ""  # silent by default


def test_auc_picks_the_largest_score():
    X, y, _ = jaxreg.datasets.load_diabetes()
    yb = (y > np.median(y)).astype(int)
    cv = jaxreg.cv_path(X, yb, family="binomial", scoring="auc", n_folds=4, random_state=0, n_lambdas=20,
                        l1_ratio=[1.0, 0.3])
    assert cv.greater_is_better
    for c in cv.candidates:
        assert c.cv_mean[c.index_min] == np.nanmax(c.cv_mean)
    assert cv.cv_mean[cv.index_min] == max(c.cv_mean[c.index_min] for c in cv.candidates)


def test_poisson_fold_without_positive_counts_is_an_error():
    X = np.random.default_rng(0).normal(size=(20, 3))
    y = np.r_[np.zeros(10), np.arange(1.0, 11.0)]
    with pytest.raises(ValueError, match="no positive response"):
        jaxreg.cv_path(X, y, family="poisson", foldid=(y > 0).astype(int))
