"""Bad input is answered at once with a ValueError/TypeError naming the argument."""

import warnings

import numpy as np
import pytest
from reference_np import make_problem

import jaxreg

X, Y = make_problem(20, 4, seed=0)


@pytest.mark.parametrize(
    "kwargs,exc,match",
    [
        ({"X": X[:, 0]}, ValueError, "X: expected a 2-D"),
        ({"X": np.empty((0, 4)), "y": np.empty(0)}, ValueError, "X: empty"),
        ({"X": np.where(np.eye(20, 4) > 0, np.nan, X)}, ValueError, "X: contains NaN"),
        ({"X": X.astype(complex)}, TypeError, "X: complex"),
        ({"X": np.array([["a"] * 4] * 20)}, TypeError, "X:"),
        ({"y": Y[:-1]}, ValueError, "y: length 19"),
        ({"y": np.append(Y[:-1], np.inf)}, ValueError, "y: contains NaN or infinite"),
        ({"y": np.ones((20, 2))}, ValueError, "y: expected a 1-D"),
        ({"l1_ratio": 1.5}, ValueError, "l1_ratio"),
        ({"l1_ratio": "lasso"}, TypeError, "l1_ratio"),
        ({"lambdas": [1.0, -0.1]}, ValueError, "lambdas: values must be non-negative"),
        ({"lambdas": [1.0, np.nan]}, ValueError, "lambdas: contains NaN"),
        ({"lambdas": []}, ValueError, "lambdas: expected a non-empty"),
        ({"n_lambdas": 0}, ValueError, "n_lambdas"),
        ({"n_lambdas": 2.5}, TypeError, "n_lambdas"),
        ({"lambda_min_ratio": 0.0}, ValueError, "lambda_min_ratio"),
        ({"lambda_min_ratio": 1.0}, ValueError, "lambda_min_ratio"),
        ({"sample_weight": -np.ones(20)}, ValueError, "sample_weight: weights must be non-negative"),
        ({"sample_weight": np.zeros(20)}, ValueError, "sample_weight: weights sum to zero"),
        ({"sample_weight": np.ones(19)}, ValueError, "sample_weight: expected a vector of length 20"),
        ({"penalty_factor": [1, 1, -1, 1]}, ValueError, "penalty_factor: factors must be non-negative"),
        ({"penalty_factor": np.zeros(4)}, ValueError, "penalty_factor: all factors are zero"),
        ({"penalty_factor": np.ones(3)}, ValueError, "penalty_factor: expected a scalar or a vector of length 4"),
        ({"lower_bounds": 0.5}, ValueError, "lower_bounds: must be <= 0"),
        ({"upper_bounds": [1, 1, -1, 1]}, ValueError, "upper_bounds: must be >= 0"),
        ({"lower_bounds": np.nan}, ValueError, "lower_bounds: contains NaN"),
        ({"tol": 0.0}, ValueError, "tol"),
        ({"max_iter": 0}, ValueError, "max_iter"),
        ({"max_iter": 2**31}, ValueError, "max_iter: expected an integer <= 2147483647"),
        ({"dtype": "int32"}, TypeError, "dtype"),
        ({"family": "cox"}, ValueError, "y: family='cox' needs an array of shape \\(n_samples, 2\\)"),
        ({"family": "gamma"}, ValueError, "family: unknown family"),
        ({"precompute": "yes"}, ValueError, "precompute"),
    ],
)
def test_bad_input(kwargs, exc, match):
    args = {"X": X, "y": Y}
    args.update(kwargs)
    x, y = args.pop("X"), args.pop("y")
    with pytest.raises(exc, match=match):
        jaxreg.path(x, y, **args)


def test_sparse_input_is_refused_with_advice():
    sp = pytest.importorskip("scipy.sparse")
    with pytest.raises(TypeError, match="sparse"):
        jaxreg.path(sp.csr_matrix(X), Y)


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
def test_non_convergence_is_reported_not_silent(family):
    # 300 features: no Newton polish (on 4 features one proximal-gradient step and one Newton step solve least
    # squares exactly, so even max_iter=1 converges)
    Xw, yw = make_problem(40, 300, seed=1)
    yw = (yw > np.median(yw)).astype(float) if family == "binomial" else yw
    with pytest.warns(jaxreg.ConvergenceWarning, match="did not reach the duality gap"):
        fit = jaxreg.path(Xw, yw, family=family, max_iter=1, tol=1e-15, n_lambdas=10)
    assert not fit.converged.all()
    assert fit.converged[0]  # λmax: zero is optimal before any iteration


@pytest.mark.parametrize("options", [
    dict(family="gaussian", p=4),  # a Newton polish after each block (it counts as one iteration)
    dict(family="binomial", p=4),
    dict(family="gaussian", p=300),  # working sets
    dict(family="gaussian", p=12, penalty="group_lasso", groups=np.arange(12) // 3),  # no polish
])
def test_max_iter_caps_the_iterations_of_every_lambda(options):
    """The gap is checked every 10 iterations, but the last block is cut short: n_iter never exceeds max_iter."""
    options = dict(options)
    Xw, yw = make_problem(40, options.pop("p"), seed=2)
    if options["family"] == "binomial":
        yw = (yw > np.median(yw)).astype(float)
    for max_iter in (1, 3):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", jaxreg.ConvergenceWarning)
            fit = jaxreg.path(Xw, yw, max_iter=max_iter, tol=1e-15, n_lambdas=8, **options)
        assert fit.n_iter.max() <= max_iter
        assert np.all(fit.converged | (fit.n_iter == max_iter))  # a λ stops early only when converged


@pytest.mark.parametrize(
    "x,y",
    [
        (np.c_[X, np.full(20, 3.0)], Y),  # constant column
        (X, np.full(20, 2.5)),  # constant y
        (np.c_[X, X[:, 0]], Y),  # duplicated column
        (X[:1], Y[:1]),  # n = 1
        (X[:2], Y[:2]),  # n = 2
        (X[:, :1], Y),  # p = 1
    ],
)
def test_degenerate_but_valid_input(x, y):
    fit = jaxreg.path(x, y, n_lambdas=10)
    assert np.all(np.isfinite(fit.coef)) and np.all(np.isfinite(fit.intercept))
    assert fit.converged.all()
    if np.ptp(y) == 0:
        assert np.all(fit.coef == 0) and np.allclose(fit.intercept, y[0])
    if x.shape[1] == 5 and np.ptp(x[:, -1]) == 0:
        assert np.all(fit.coef[:, -1] == 0)


def test_inputs_are_left_untouched():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((30, 5)), rng.standard_normal(30)
    w, pf = rng.uniform(0.5, 2.0, 30), np.array([0.0, 1.0, 2.0, 1.0, 1.0])
    lo, hi = np.full(5, -1.0), np.full(5, 2.0)
    before = [a.copy() for a in (X, y, w, pf, lo, hi)]
    jaxreg.path(X, y, sample_weight=w, penalty_factor=pf, lower_bounds=lo, upper_bounds=hi, n_lambdas=5)
    for a, b in zip((X, y, w, pf, lo, hi), before):
        np.testing.assert_array_equal(a, b)
