"""The jitted core vmaps over weights (cross-validation folds as 0/1 weights) and over l1_ratio."""

from functools import partial

import jax
import numpy as np

import jaxreg
from jaxreg._core import CoreConfig, fit_path
from reference_np import make_problem

X, Y = make_problem(30, 6, seed=4)
P = X.shape[1]
PF, LO, HI = np.ones(P), np.full(P, -np.inf), np.full(P, np.inf)
GRID = np.geomspace(1.0, 1e-2, 12)
CONFIG = CoreConfig(early_stop=None)


def test_vmap_over_fold_weights_matches_separate_fits():
    folds = np.arange(30) % 3
    weights = np.stack([(folds != k).astype(float) for k in range(3)])
    core = partial(fit_path, config=CONFIG)
    batched = jax.vmap(core, in_axes=(None, None, 0, None, None, None, None, None, None, None))(
        X, Y, weights, PF, LO, HI, GRID, 1.0, 1e-10, 10_000)
    assert batched.coef.shape == (3, 12, P)
    for k in range(3):
        keep = folds != k
        single = jaxreg.path(X[keep], Y[keep], lambdas=np.asarray(batched.lambdas[k]), tol=1e-10)
        np.testing.assert_allclose(batched.coef[k], single.coef, rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(batched.intercept[k], single.intercept, rtol=1e-6, atol=1e-8)
    assert bool(batched.converged.all())


def test_vmap_over_l1_ratio():
    alphas = np.array([1.0, 0.5, 0.1])
    core = partial(fit_path, config=CONFIG)
    batched = jax.vmap(core, in_axes=(None,) * 7 + (0, None, None))(X, Y, np.ones(30), PF, LO, HI, GRID, alphas, 1e-10,
                                                                    10_000)
    for k, a in enumerate(alphas):
        single = jaxreg.path(X, Y, l1_ratio=a, lambdas=np.asarray(batched.lambdas[k]), tol=1e-10)
        np.testing.assert_allclose(batched.coef[k], single.coef, rtol=1e-6, atol=1e-8)


def test_vmap_with_working_set_buckets_matches_separate_fits():
    # p > n with two buckets: under vmap the per-λ bucket choice is batched, so every bucket runs; answers must
    # still be each fold's own certified path
    Xw, Yw = make_problem(40, 120, k=6, seed=6)
    p = Xw.shape[1]
    folds = np.arange(40) % 2
    weights = np.stack([(folds != k).astype(float) for k in range(2)])
    config = CoreConfig(early_stop=None, gram=False, working_set=(16, 32))
    core = partial(fit_path, config=config)
    grid = np.geomspace(1.0, 5e-2, 10)
    batched = jax.vmap(core, in_axes=(None, None, 0, None, None, None, None, None, None, None))(
        Xw, Yw, weights, np.ones(p), np.full(p, -np.inf), np.full(p, np.inf), grid, 1.0, 1e-10, 10_000)
    assert bool(batched.converged.all())
    for k in range(2):
        keep = folds != k
        single = jaxreg.path(Xw[keep], Yw[keep], lambdas=np.asarray(batched.lambdas[k]), tol=1e-10, working_set=None)
        np.testing.assert_allclose(batched.coef[k], single.coef, rtol=1e-5, atol=1e-7 * np.abs(single.coef).max())
