"""Batched independent paths (``multi_response_path``, ``weighted_paths``, ``bootstrap_path``) equal separate fits."""

import numpy as np
import pytest

import jaxreg
from reference_np import make_problem

X, Y = make_problem(60, 8, seed=11)


def _same(a, b, rtol=1e-6):
    np.testing.assert_allclose(a.lambdas, b.lambdas, rtol=1e-12)
    scale = max(np.abs(b.coef).max(), 1.0)
    np.testing.assert_allclose(a.coef, b.coef, rtol=rtol, atol=rtol * scale)
    np.testing.assert_allclose(a.intercept, b.intercept, rtol=rtol, atol=rtol * scale)


@pytest.mark.parametrize("batch_size", [None, 2, 3])
def test_multi_response_equals_separate_paths(batch_size):
    rng = np.random.default_rng(0)
    Ym = np.column_stack([Y, 3.0 * Y + rng.normal(size=60), rng.normal(size=60)])
    fits = jaxreg.multi_response_path(X, Ym, n_lambdas=30, batch_size=batch_size)
    assert len(fits) == 3
    for k, fit in enumerate(fits):
        _same(fit, jaxreg.path(X, Ym[:, k], n_lambdas=30))  # own λmax and early stop per response


def test_multi_response_binomial_keeps_labels_per_column():
    labels = np.column_stack([np.where(Y > 0, "yes", "no"), np.where(Y > 1, "b", "a")])
    fits = jaxreg.multi_response_path(X, labels, family="binomial", n_lambdas=10)
    assert fits[0].classes == ("no", "yes") and fits[1].classes == ("a", "b")
    _same(fits[1], jaxreg.path(X, labels[:, 1], family="binomial", n_lambdas=10), rtol=1e-5)


def test_weighted_paths_with_per_problem_alpha_and_grid():
    rng = np.random.default_rng(1)
    W = rng.integers(0, 3, size=(3, 60)).astype(float)
    alphas = [1.0, 0.5, 0.2]
    grids = np.stack([np.geomspace(2.0, 0.01, 15) * (k + 1) for k in range(3)])
    fits = jaxreg.weighted_paths(X, Y, W, l1_ratio=alphas, lambdas=grids, batch_size=2)
    for k in range(3):
        single = jaxreg.path(X, Y, sample_weight=W[k], l1_ratio=alphas[k], lambdas=grids[k])
        _same(fits[k], single)
        assert fits[k].l1_ratio == alphas[k]


def test_bootstrap_counts_and_paths():
    fits, counts = jaxreg.bootstrap_path(X, Y, 4, random_state=0, n_lambdas=12)
    assert counts.shape == (4, 60) and (counts.sum(axis=1) == 60).all()
    # a zero count drops the sample, a count of 2 repeats it
    rows = np.repeat(np.arange(60), counts[2])
    _same(fits[2], jaxreg.path(X[rows], Y[rows], n_lambdas=12))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: jaxreg.multi_response_path(X, Y), "Y"),
        (lambda: jaxreg.weighted_paths(X, Y, np.ones((2, 5))), "sample_weights"),
        (lambda: jaxreg.weighted_paths(X, Y, -np.ones((2, 60))), "sample_weight"),
        (lambda: jaxreg.weighted_paths(X, Y, np.ones((2, 60)), l1_ratio=[1.0, 2.0]), "l1_ratio"),
        (lambda: jaxreg.weighted_paths(X, Y, np.ones((2, 60)), lambdas=np.ones((3, 4))), "lambdas"),
        (lambda: jaxreg.weighted_paths(X, (Y > 0), np.r_[np.ones(1), np.zeros(59)][None], family="binomial"),
         "one class"),
        (lambda: jaxreg.weighted_paths(X, np.abs(Y) * (np.arange(60) < 30), (np.arange(60) >= 30)[None] * 1.0,
                                       family="poisson"), "no positive response"),
        (lambda: jaxreg.bootstrap_path(X, Y, 0), "n_replicates"),
    ],
)
def test_bad_arguments(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
