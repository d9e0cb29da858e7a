"""``cv_path(relax=True)`` against R's ``cv.glmnet(relax = TRUE)`` (same folds; reference made by
``tests/reference/make_cv_glmnet_relax_reference.R``), and its selection rules on their own."""

import json
import pathlib

import numpy as np
import pytest

import jaxreg
from jaxreg.scoring import choose_pair

REF = json.loads((pathlib.Path(__file__).parent / "reference" / "cv_glmnet_relax.json").read_text())
CASES = {c["name"]: c for c in REF["cases"]}


def _run(case, **extra):
    kwargs = dict(family=case["family"], scoring=case["type_measure"], foldid=np.asarray(case["foldid"]),
                  sample_weight=None if case["weights"] is None else np.asarray(case["weights"]),
                  lambda_min_ratio=case["lambda_min_ratio"], relax=True, relax_gammas=case["gammas"])
    kwargs.update(extra)
    return jaxreg.cv_path(np.asarray(case["x"]), np.asarray(case["y"]), **kwargs)


@pytest.mark.parametrize("name", sorted(CASES))
def test_agrees_with_cv_glmnet_relax(name):
    case = CASES[name]
    cv = _run(case, tol=1e-10 if case["family"] == "binomial" else None)
    np.testing.assert_allclose(cv.lambdas, case["lambda"], rtol=1e-9)
    np.testing.assert_allclose(cv.cv_mean, case["cvm"], rtol=1e-3)  # γ = 1: the plain CV curve
    r = cv.relaxed
    np.testing.assert_array_equal(r.gammas, case["gammas"])
    np.testing.assert_allclose(r.cv_mean, case["relaxed_cvm"], rtol=1e-3)
    np.testing.assert_allclose(r.cv_std, case["relaxed_cvsd"], rtol=1e-3, atol=1e-3 * np.max(case["relaxed_cvsd"]))
    (l_min, g_min), (l_1se, g_1se) = np.asarray(case["relaxed_index"]) - 1
    assert r.index_min == (g_min, l_min) and r.index_1se == (g_1se, l_1se)
    assert r.lambda_min == pytest.approx(case["relaxed_lambda_min"], rel=1e-9)
    assert r.gamma_min == case["relaxed_gamma_min"] and r.gamma_1se == case["relaxed_gamma_1se"]
    # coef(cv) at its defaults: the relaxed 1se pair (glmnet blends with 1e-5 for γ = 0: relative 1e-5)
    b0, b = cv.coef_at()
    want = np.asarray(case["coef_1se"])
    np.testing.assert_allclose(np.append(b0, b), want, rtol=1e-4, atol=1e-4 * np.abs(want).max())


def test_relaxed_scores_are_blended_fold_predictions():
    """Each fold's score at γ is that of its own ``path(relax=True)`` fit predicted with ``gamma=γ``."""
    case = CASES["gaussian_mse"]
    X, y, foldid = np.asarray(case["x"]), np.asarray(case["y"]), np.asarray(case["foldid"]) - 1
    cv = jaxreg.cv_path(X, y, foldid=foldid, relax=True, relax_gammas=[0.0, 0.5], scoring="mse")
    for k in (0, 3):
        train, test = foldid != k, foldid == k
        fit = jaxreg.path(X[train], y[train], relax=True)
        for g_idx, gamma in enumerate((0.0, 0.5)):
            pred = fit.predict(X[test], cv.lambdas, gamma=gamma)
            want = np.mean((y[test][:, None] - pred) ** 2, axis=0)
            np.testing.assert_allclose(cv.relaxed.cv_folds[g_idx, k], want, rtol=1e-6)
    # predict uses the chosen pair, or the one asked for
    lam, gamma = cv.relaxed.lambda_min, cv.relaxed.gamma_min
    np.testing.assert_allclose(cv.predict(X[:3], "lambda_min"), cv.path.predict(X[:3], lam, gamma=gamma))
    np.testing.assert_allclose(cv.predict(X[:3], 0.5, gamma=0.0), cv.path.predict(X[:3], 0.5, gamma=0.0))


def test_choose_pair_rules():
    lambdas = np.array([3.0, 2.0, 1.0])
    gammas = np.array([0.0, 0.5, 1.0])
    mean = np.array([[5.0, 2.0, 2.0],    # γ = 0: minimum 2 at λ 2 and 1
                     [5.0, 2.0, 3.0],    # γ = 0.5: minimum 2 at λ 2 too
                     [4.0, 2.5, 2.5]])   # γ = 1
    std = np.full((3, 3), 0.6)
    i_min, i_1se = choose_pair(lambdas, gammas, mean, std, greater_is_better=False)
    assert i_min == (1, 1)  # the minima's largest λ (2), then the largest γ there (0.5)
    assert i_1se == (2, 1)  # within 2 + 0.6: nothing at λ 3; at λ 2 every γ, the largest is 1
    assert choose_pair(lambdas, gammas, -mean, std, greater_is_better=True) == (i_min, i_1se)
    std[1, 1] = 2.5  # now λ 3 at γ = 1 (4.0 ≤ 4.5) is within one standard error
    assert choose_pair(lambdas, gammas, mean, std, greater_is_better=False)[1] == (2, 0)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(relax=True, relax_gammas=[0.5, 1.2]), ValueError, "relax_gammas"),
    (dict(relax=True, relax_gammas=[]), ValueError, "relax_gammas"),
    (dict(relax=True, relax_gammas="a"), TypeError, "relax_gammas"),
    (dict(relax=True, l1_ratio=[0.5, 1.0]), ValueError, "relax"),
    (dict(relax="yes"), TypeError, "relax"),
    (dict(relax_max_features=3), ValueError, "relax_max_features"),
])
def test_bad_arguments(kwargs, error, match):
    X, y, _ = jaxreg.datasets.load_diabetes()
    with pytest.raises(error, match=match):
        jaxreg.cv_path(X, y, n_folds=3, **kwargs)
