"""Property-based tests (hypothesis): on random problems the returned path satisfies the optimality conditions, the
invariances glmnet's conventions imply, and the ridge closed form."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jaxreg
from reference_np import kkt_violation, ridge_closed_form, standardization

# Few shapes, so that compiled paths are reused across examples and the suite stays fast.
SHAPES = [(12, 3), (20, 8), (8, 15)]


@st.composite
def problems(draw):
    n, p = draw(st.sampled_from(SHAPES))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.1, 10.0, p) + rng.normal(0, 3, p)
    y = X[:, 0] - 0.5 * X[:, -1] + rng.standard_normal(n) * draw(st.floats(0.1, 3.0))
    opts = dict(
        l1_ratio=draw(st.sampled_from([1.0, 0.7, 0.2])),
        fit_intercept=draw(st.booleans()),
        standardize=draw(st.booleans()),
    )
    if draw(st.booleans()):
        opts["sample_weight"] = rng.uniform(0.0, 2.0, n) + (np.arange(n) == 0)
    if draw(st.booleans()):
        pf = rng.uniform(0.2, 3.0, p)
        pf[0] = draw(st.sampled_from([0.0, pf[0]]))
        opts["penalty_factor"] = pf
    if draw(st.booleans()):
        # A bound is 0 or of the data's order: a bound like 1e-240 is met within tol by leaving β at 0, which the
        # solver's duality-gap criterion accepts but a gradient-space KKT check cannot (it does not scale with it).
        bound = st.one_of(st.just(0.0), st.floats(0.01, 2.0))
        opts["lower_bounds"] = -draw(bound)
        opts["upper_bounds"] = draw(bound)
    return X, y, opts


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_kkt_holds_at_every_lambda(problem):
    X, y, opts = problem
    fit = jaxreg.path(X, y, n_lambdas=8, lambda_min_ratio=0.05, tol=1e-12, max_iter=200_000, **opts)
    assert fit.converged.all()
    assert np.all(np.diff(fit.lambdas) < 0)
    _, _, scale = standardization(X, opts.get("sample_weight"), fit_intercept=opts["fit_intercept"],
                                  standardize=opts["standardize"])
    lo, hi = opts.get("lower_bounds", -np.inf), opts.get("upper_bounds", np.inf)
    assert fit.coef.min() >= lo - 1e-9 and fit.coef.max() <= hi + 1e-9
    # A duality gap ε bounds every coordinate's KKT residual d_j: moving β_j alone would lower the objective by
    # d_j² / (2 H_jj), with H_jj its curvature (data plus ridge term), and no move beats the optimum by more than ε,
    # so d_j ≤ sqrt(2 H_jj ε).
    w = np.ones(len(y)) if opts.get("sample_weight") is None else opts["sample_weight"]
    xc = X - (w @ X / w.sum() if opts["fit_intercept"] else 0.0)
    yc = y - (w @ y / w.sum() if opts["fit_intercept"] else 0.0)
    null_loss = w @ yc**2 / (2 * w.sum())
    pf = np.ones(X.shape[1]) if opts.get("penalty_factor") is None else opts["penalty_factor"]
    pf = pf * X.shape[1] / pf.sum()
    for k, lam in enumerate(fit.lambdas):
        viol = kkt_violation(X, y, fit.intercept[k], fit.coef[k], lam, alpha=opts["l1_ratio"],
                             w=opts.get("sample_weight"), pf=opts.get("penalty_factor"), scale=scale,
                             lower=lo, upper=hi, per_coordinate=True)
        curvature = w @ xc**2 / w.sum() / scale**2 + lam * pf * (1 - opts["l1_ratio"])
        # the reported gap certifies P − P*; the floor absorbs rounding in the residuals
        gap = max(fit.gap[k], 1e-14) * null_loss
        allowed = np.maximum(2 * np.sqrt(2 * curvature * gap), 1e-6 * lam)
        assert np.all(viol <= allowed), (k, viol, allowed)


@settings(max_examples=15, deadline=None)
@given(st.sampled_from(SHAPES), st.integers(0, 10_000), st.floats(-50.0, 50.0), st.sampled_from([1.0, 0.5]))
def test_shifting_y_moves_only_the_intercept(shape, seed, shift, alpha):
    n, p = shape
    rng = np.random.default_rng(seed)
    X, y = rng.standard_normal((n, p)), rng.standard_normal(n)
    a = jaxreg.path(X, y, l1_ratio=alpha, n_lambdas=6, tol=1e-13, max_iter=200_000)
    b = jaxreg.path(X, y + shift, l1_ratio=alpha, n_lambdas=6, tol=1e-13, max_iter=200_000)
    np.testing.assert_allclose(a.coef, b.coef, atol=1e-6 * max(1.0, np.abs(a.coef).max()))
    np.testing.assert_allclose(b.intercept - a.intercept, shift, atol=1e-6 * max(1.0, abs(shift)))


@st.composite
def plain_problems(draw):
    """A random design on scales and offsets that differ by column, a response, an α and optional weights."""
    n, p = draw(st.sampled_from(SHAPES))
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    X = rng.standard_normal((n, p)) * np.exp(rng.uniform(-2.0, 2.0, p)) + rng.normal(0, 3, p)
    y = X[:, 0] / X[:, 0].std() - X[:, -1] / X[:, -1].std() + rng.standard_normal(n)
    w = rng.uniform(0.2, 2.0, n) if draw(st.booleans()) else None
    return X, y, w, draw(st.sampled_from([1.0, 0.5])), rng


TIGHT = dict(n_lambdas=6, lambda_min_ratio=0.05, tol=1e-14, max_iter=200_000)


def _same_path(a, b, coef_b=None, rtol=1e-5):
    """Same λ grid, intercepts and coefficients (``coef_b``: b's coefficients mapped back) up to ``rtol`` of the
    path's largest coefficient / intercept."""
    coef_b = b.coef if coef_b is None else coef_b
    np.testing.assert_allclose(b.lambdas, a.lambdas, rtol=1e-10)
    np.testing.assert_allclose(coef_b, a.coef, atol=rtol * max(1.0, np.abs(a.coef).max()))
    np.testing.assert_allclose(b.intercept, a.intercept, atol=rtol * max(1.0, np.abs(a.intercept).max()))


@settings(max_examples=10, deadline=None)
@given(plain_problems(), st.data())
def test_feature_permutation(problem, data):
    X, y, w, alpha, _ = problem
    perm = np.array(data.draw(st.permutations(range(X.shape[1]))))
    a = jaxreg.path(X, y, l1_ratio=alpha, sample_weight=w, **TIGHT)
    b = jaxreg.path(X[:, perm], y, l1_ratio=alpha, sample_weight=w, **TIGHT)
    _same_path(a, b, coef_b=b.coef[:, np.argsort(perm)])


@settings(max_examples=10, deadline=None)
@given(plain_problems())
def test_rescaling_a_column_with_standardization(problem):
    """With standardize=True a column's units do not matter: X_j·c_j gives coefficients b_j / c_j."""
    X, y, w, alpha, rng = problem
    c = np.exp(rng.uniform(-4.0, 4.0, X.shape[1]))
    a = jaxreg.path(X, y, l1_ratio=alpha, sample_weight=w, **TIGHT)
    b = jaxreg.path(X * c, y, l1_ratio=alpha, sample_weight=w, **TIGHT)
    _same_path(a, b, coef_b=b.coef * c)


@settings(max_examples=10, deadline=None)
@given(plain_problems(), st.data())
def test_a_duplicated_row_is_a_weight_of_two(problem, data):
    X, y, w, alpha, _ = problem
    i = data.draw(st.integers(0, X.shape[0] - 1))
    w = np.ones(len(y)) if w is None else w
    twice = w.copy()
    twice[i] *= 2
    a = jaxreg.path(X, y, l1_ratio=alpha, sample_weight=twice, **TIGHT)
    b = jaxreg.path(np.vstack([X, X[i]]), np.append(y, y[i]), l1_ratio=alpha, sample_weight=np.append(w, w[i]),
                    **TIGHT)
    _same_path(a, b)


@settings(max_examples=10, deadline=None)
@given(plain_problems(), st.booleans())
def test_ridge_matches_its_closed_form(problem, with_pf):
    X, y, w, _, rng = problem
    pf = rng.uniform(0.2, 3.0, X.shape[1]) if with_pf else None
    fit = jaxreg.path(X, y, l1_ratio=0.0, sample_weight=w, penalty_factor=pf, **TIGHT)
    assert fit.converged.all() and np.all(np.diff(fit.lambdas) < 0)
    for k, lam in enumerate(fit.lambdas):
        b0, beta = ridge_closed_form(X, y, lam, w=w, pf=pf)
        np.testing.assert_allclose(fit.coef[k], beta, atol=1e-5 * np.abs(beta).max())
        np.testing.assert_allclose(fit.intercept[k], b0, atol=1e-5 * max(1.0, abs(b0)))
