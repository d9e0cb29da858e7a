"""Repeated calls with the same shapes reuse the compiled path: no recompilation per λ, α, tol or data."""

import numpy as np

import jaxreg
from jaxreg._core import fit_path
from reference_np import make_problem


def test_same_shapes_hit_the_cache():
    X, y = make_problem(33, 7, seed=0)
    jaxreg.path(X, y, n_lambdas=17)
    before = fit_path._cache_size()
    rng = np.random.default_rng(0)
    jaxreg.path(X + rng.standard_normal(X.shape), y * 2, n_lambdas=17)
    jaxreg.path(X, y, n_lambdas=17, l1_ratio=0.3, tol=1e-6, sample_weight=rng.uniform(0.5, 1, 33),
                penalty_factor=rng.uniform(0.5, 1, 7), lower_bounds=-1.0, lambda_min_ratio=0.05)
    assert fit_path._cache_size() == before
    jaxreg.path(X, y, n_lambdas=18)  # a different grid length is a new shape: one new compilation
    assert fit_path._cache_size() == before + 1
