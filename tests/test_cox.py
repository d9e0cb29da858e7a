"""family="cox": Breslow partial-likelihood paths (agreement with glmnet is in test_cox_reference.py)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxreg
from jaxreg.losses import Cox


def make_cox(n=120, p=8, *, seed=0, k=3, ties=False):
    """Exponential survival times with hazard exp(x b), about 30 % censored; ``ties`` rounds the times."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 2.0, p) + rng.normal(0, 1, p)
    beta = np.zeros(p)
    k = min(k, p)
    beta[:k] = rng.choice([-1.0, 1.0], k) * rng.uniform(0.3, 0.8, k)
    hazard = np.exp((X - X.mean(0)) / X.std(0) @ beta)
    event_time = rng.exponential(1 / hazard)
    censor_time = rng.exponential(2.0, n)
    time = np.minimum(event_time, censor_time)
    if ties:
        time = np.ceil(time * 4) / 4
    return X, np.column_stack([time, (event_time <= censor_time).astype(float)])


def breslow(eta, y, w):
    """The loss from its definition, O(n²): Σ ω δ (log Σ_{t_j ≥ t_i} ω_j e^{η_j} − η_i) − Σ_k d_k log d_k."""
    time, status = y[:, 0], y[:, 1]
    om = w / w.sum()
    f = sum(om[i] * (np.log(np.sum(om * np.exp(eta) * (time >= time[i]))) - eta[i])
            for i in range(len(time)) if status[i] and om[i] > 0)
    tied = {t: np.sum(om * status * (time == t)) for t in np.unique(time[(status == 1) & (om > 0)])}
    return f - sum(d * np.log(d) for d in tied.values())


def cox_kkt(X, y, coef, lam, *, alpha=1.0, w=None, pf=None, offset=None, lower=None, upper=None):
    """Largest distance from 0 to the subdifferential (standardized scale, glmnet's), relative to λ."""
    n, p = X.shape
    w = np.ones(n) if w is None else w
    pf = np.ones(p) if pf is None else pf * p / pf.sum()
    om = w / w.sum()
    xs = np.sqrt(om @ (X - om @ X) ** 2)
    lower = np.full(p, -np.inf) if lower is None else np.broadcast_to(lower, p)
    upper = np.full(p, np.inf) if upper is None else np.broadcast_to(upper, p)
    eta = X @ coef + (0.0 if offset is None else offset)
    loss = Cox.from_data(jnp.eye(n), jnp.asarray(y[:, 0]), jnp.asarray(y[:, 1]), jnp.asarray(om))
    g = X.T @ np.asarray(loss.grad(jnp.asarray(eta))) / xs  # ∇_η at η, mapped to standardized coefficients
    bs = coef * xs
    smooth = g + lam * pf * (1 - alpha) * bs
    l1 = lam * pf * alpha
    r = np.where(bs != 0, smooth + l1 * np.sign(bs), np.sign(smooth) * np.maximum(np.abs(smooth) - l1, 0.0))
    r = np.where((coef <= lower) & (r > 0) | (coef >= upper) & (r < 0), 0.0, r)  # normal cone of the box
    return np.max(np.abs(r)) / lam


def data_weights(n, seed=1):
    w = np.random.default_rng(seed).uniform(0.5, 2.0, n)
    w[:5] = 0.0
    return w


def test_loss_matches_the_definition_with_ties_weights_and_offset():
    X, y = make_cox(40, 3, ties=True)
    w = data_weights(40)
    offset = np.random.default_rng(2).normal(0, 0.3, 40)
    assert len(np.unique(y[:, 0])) < 30  # ties, some mixing events and censoring
    loss = Cox.from_data(jnp.asarray(X), jnp.asarray(y[:, 0]), jnp.asarray(y[:, 1]), jnp.asarray(w / w.sum()),
                         jnp.asarray(offset))
    b = np.array([0.3, -0.2, 0.1])
    assert float(loss.value(jnp.asarray(b))) == pytest.approx(breslow(X @ b + offset, y, w), rel=1e-12)
    np.testing.assert_allclose(loss.grad(jnp.asarray(b)), jax.grad(loss.value)(jnp.asarray(b)), rtol=1e-10)
    hess = jax.hessian(loss.value)(jnp.asarray(b))
    np.testing.assert_allclose(loss.hess_block(jnp.asarray(b), jnp.array([0, 2])), hess[np.ix_([0, 2], [0, 2])],
                               rtol=1e-9, atol=1e-12)
    f, g, _ = loss.dual_parts(jnp.asarray(b))
    np.testing.assert_allclose([f, *g], [loss.value(jnp.asarray(b)), *loss.grad(jnp.asarray(b))], rtol=1e-12)
    # restrict: a function of the chosen coordinates, the others held fixed
    sub = loss.restrict(jnp.array([2, 0]), jnp.asarray(b))
    assert float(sub.value(jnp.array([0.5, -0.4]))) == pytest.approx(
        float(loss.value(jnp.array([-0.4, -0.2, 0.5]))), rel=1e-12)


def test_dual_value_is_a_valid_bound_and_tight_at_the_gradient():
    """With X = I the loss is f(η): Fenchel–Young says f(η') ≥ zᵀη' − f*(z) for every η', and dual_value(s) is
    at most −f*(s ∇f(η)) (equal at s = 1)."""
    X, y = make_cox(30, 2, ties=True, seed=3)
    w = data_weights(30, seed=4)
    offset = np.random.default_rng(5).normal(0, 0.5, 30)
    loss = Cox.from_data(jnp.eye(30), jnp.asarray(y[:, 0]), jnp.asarray(y[:, 1]), jnp.asarray(w / w.sum()),
                         jnp.asarray(offset))
    rng = np.random.default_rng(6)
    for _ in range(5):
        eta = jnp.asarray(rng.normal(0, 1, 30))
        f, grad, aux = loss.dual_parts(eta)
        assert float(loss.dual_value(jnp.ones(()), aux)) == pytest.approx(float(f - grad @ eta), rel=1e-9, abs=1e-12)
        for s in (0.0, 0.3, 0.9, 1.0):
            bound = loss.dual_value(jnp.asarray(s), aux)
            for _ in range(4):
                other = jnp.asarray(rng.normal(0, 2, 30))
                assert float(loss.value(other)) >= float(s * grad @ other + bound) - 1e-12
    # s = 0: the dual point 0, f*(0) = −min f = 0 for the loss measured from the saturated model
    assert float(loss.dual_value(jnp.zeros(()), aux)) == pytest.approx(0.0, abs=1e-12)


def test_strata_sum_the_strata_partial_likelihoods():
    """Stratified (glmnet's stratifySurv): value, gradient, Hessian blocks and the dual bound are those of the sum of
    one loss per stratum (each on its rows, the same weights ω); an all-equal label is no stratification."""
    X, y = make_cox(45, 3, ties=True, seed=7)
    w = data_weights(45, seed=8)
    om, offset = w / w.sum(), np.random.default_rng(9).normal(0, 0.3, 45)
    strata = np.random.default_rng(10).integers(0, 3, 45).astype(float)
    args = [jnp.asarray(a) for a in (X, y[:, 0], y[:, 1], om, offset)]
    b = jnp.array([0.3, -0.2, 0.1])

    @jax.jit  # one compiled evaluation per data shape, not an op-by-op dispatch of each method
    def evaluate(args, strata):
        loss = Cox.from_data(*args, strata)
        return (loss.value(b), loss.grad(b), loss.hess_block(b, jnp.array([0, 2])), jax.hessian(loss.value)(b),
                loss.dual_value(jnp.ones(()), loss.dual_parts(b)[2]))

    value, grad, block, hess, dual = evaluate(args, jnp.asarray(strata))
    parts = [evaluate([a[strata == g] for a in args], None) for g in range(3)]
    assert float(value) == pytest.approx(sum(float(q[0]) for q in parts), rel=1e-12)
    np.testing.assert_allclose(grad, sum(q[1] for q in parts), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(block, hess[np.ix_([0, 2], [0, 2])], rtol=1e-9, atol=1e-12)
    assert float(dual) == pytest.approx(sum(float(q[4]) for q in parts), rel=1e-10)
    assert float(evaluate(args, jnp.zeros(45))[0]) == pytest.approx(float(evaluate(args, None)[0]), rel=1e-13)


def test_strata_in_path_and_errors():
    X, y = make_cox(60, 4, seed=11)
    plain = jaxreg.path(X, y, family="cox", n_lambdas=10)
    same = jaxreg.path(X, y, family="cox", n_lambdas=10, strata=["a"] * 60)
    np.testing.assert_allclose(same.coef, plain.coef, rtol=1e-10, atol=1e-12)
    strat = jaxreg.path(X, y, family="cox", n_lambdas=10, strata=np.arange(60) % 2, relax=True)
    assert strat.converged.all() and not np.allclose(strat.coef, plain.coef)
    assert strat.relaxed.converged.all()
    with pytest.raises(ValueError, match="strata: only used by family='cox'"):
        jaxreg.path(X, y[:, 0], strata=np.arange(60) % 2)
    with pytest.raises(ValueError, match="strata: expected one label per sample"):
        jaxreg.path(X, y, family="cox", strata=[1, 2])


@pytest.mark.parametrize("alpha", [1.0, 0.4])
def test_kkt_at_every_lambda_with_weights_offset_pf_and_bounds(alpha):
    X, y = make_cox(150, 10, ties=True, seed=7)
    w = data_weights(150)
    offset = np.random.default_rng(8).normal(0, 0.3, 150)
    pf = np.r_[0.0, np.linspace(0.5, 2, 9)]
    lower = np.r_[-np.inf, np.full(9, -0.15)]
    fit = jaxreg.path(X, y, family="cox", l1_ratio=alpha, sample_weight=w, offset=offset, penalty_factor=pf,
                      lower_bounds=lower)
    assert fit.converged.all() and fit.n_lambdas > 20
    assert np.all(fit.intercept == 0) and np.all(fit.coef >= lower - 1e-12)
    assert fit.coef[:, 0].any() and np.all(fit.coef[0, 1:] == 0)
    for lam, coef in zip(fit.lambdas[::5], fit.coef[::5]):
        assert cox_kkt(X, y, coef, lam, alpha=alpha, w=w, pf=pf, offset=offset, lower=lower) < 1e-5
    om = w / w.sum()
    null = breslow(offset, y, w)  # the null model: no coefficient, the offset only
    assert fit.dev_ratio[-1] == pytest.approx(1 - breslow(X @ fit.coef[-1] + offset, y, w) / null, rel=1e-9)
    assert om.sum() == pytest.approx(1.0)


def test_path_matches_an_independent_solver():
    """L-BFGS-B on the smooth split b = b⁺ − b⁻ of the documented objective, at a few λ of the path."""
    from scipy.optimize import minimize

    X, y = make_cox(100, 6, seed=9)
    fit = jaxreg.path(X, y, family="cox", l1_ratio=0.7, standardize=False, n_lambdas=20)
    loss = Cox.from_data(jnp.asarray(X), jnp.asarray(y[:, 0]), jnp.asarray(y[:, 1]), jnp.full(100, 0.01))
    value_and_grad = jax.jit(jax.value_and_grad(loss.value))
    assert fit.n_lambdas > 10  # ends early, by glmnet's rule
    for lam, coef in zip(fit.lambdas[[3, 8, -1]], fit.coef[[3, 8, -1]]):
        def fun(z, lam=lam):
            b = z[:6] - z[6:]
            f, g = value_and_grad(jnp.asarray(b))
            g = np.asarray(g) + lam * 0.3 * b
            return float(f) + lam * (0.7 * z.sum() + 0.15 * b @ b), np.r_[g + 0.7 * lam, -g + 0.7 * lam]
        res = minimize(fun, np.zeros(12), jac=True, method="L-BFGS-B", bounds=[(0, None)] * 12,
                       options=dict(ftol=1e-15, gtol=1e-12, maxiter=10_000))
        np.testing.assert_allclose(coef, res.x[:6] - res.x[6:], atol=2e-5)


def test_invariances_time_transform_row_order_and_duplicated_rows():
    X, y = make_cox(80, 5, ties=True, seed=10)
    base = jaxreg.path(X, y, family="cox", n_lambdas=30)
    # the partial likelihood sees only the order of the times
    logged = jaxreg.path(X, np.column_stack([np.log1p(y[:, 0]), y[:, 1]]), family="cox", n_lambdas=30)
    np.testing.assert_allclose(logged.coef, base.coef, atol=1e-7)
    perm = np.random.default_rng(11).permutation(80)
    shuffled = jaxreg.path(X[perm], y[perm], family="cox", n_lambdas=30)
    np.testing.assert_allclose(shuffled.coef, base.coef, atol=1e-7)
    # Breslow: a duplicated row is a tie with itself, the same as weight 2
    w = np.ones(80)
    w[:10] = 2.0
    weighted = jaxreg.path(X, y, family="cox", sample_weight=w, n_lambdas=30)
    doubled = jaxreg.path(np.r_[X, X[:10]], np.r_[y, y[:10]], family="cox", n_lambdas=30)
    np.testing.assert_allclose(doubled.lambdas, weighted.lambdas, rtol=1e-10)
    np.testing.assert_allclose(doubled.coef, weighted.coef, atol=1e-7)


def test_lambda_max_and_null_deviance():
    X, y = make_cox(90, 6, seed=12)
    fit = jaxreg.path(X, y, family="cox", n_lambdas=10)
    om = np.full(90, 1 / 90)
    xs = np.sqrt(om @ (X - X.mean(0)) ** 2)
    loss = Cox.from_data(jnp.asarray(X), jnp.asarray(y[:, 0]), jnp.asarray(y[:, 1]), jnp.asarray(om))
    assert fit.lambda_max == pytest.approx(np.max(np.abs(np.asarray(loss.grad(jnp.zeros(6)))) / xs), rel=1e-10)
    assert fit.lambdas[0] == pytest.approx(fit.lambda_max) and np.all(fit.coef[0] == 0)
    assert fit.dev_ratio[0] == pytest.approx(0.0, abs=1e-12) and np.all(np.diff(fit.dev_ratio) >= -1e-12)


def test_predict_is_the_linear_predictor_and_the_relative_risk():
    X, y = make_cox(60, 4, seed=13)
    offset = np.linspace(-0.2, 0.2, 60)
    fit = jaxreg.path(X, y, family="cox", offset=offset, n_lambdas=12)
    eta = fit.predict(X[:7], offset=offset[:7])
    np.testing.assert_allclose(eta, X[:7] @ fit.coef.T + offset[:7, None], rtol=1e-12)
    np.testing.assert_allclose(fit.predict(X[:7], type="response", offset=offset[:7]), np.exp(eta), rtol=1e-12)
    with pytest.raises(ValueError, match="type"):
        fit.predict(X[:7], type="class", offset=offset[:7])


def test_survival_response_forms():
    pd = pytest.importorskip("pandas")
    X, y = make_cox(50, 3, seed=14)
    base = jaxreg.path(X, y, family="cox", n_lambdas=8)
    frame = pd.DataFrame({"status": y[:, 1].astype(int), "time": y[:, 0]})
    np.testing.assert_array_equal(jaxreg.path(X, frame, family="cox", n_lambdas=8).coef, base.coef)
    structured = np.empty(50, dtype=[("event", bool), ("time", float)])  # scikit-survival's Surv layout
    structured["event"], structured["time"] = y[:, 1] == 1, y[:, 0]
    np.testing.assert_array_equal(jaxreg.path(X, structured, family="cox", n_lambdas=8).coef, base.coef)


def test_start_stop_rows_from_zero_are_right_censored_data():
    X, y = make_cox(60, 4, seed=21)
    base = jaxreg.path(X, y, family="cox", n_lambdas=15, tol=1e-12)
    zero = jaxreg.path(X, np.c_[np.zeros(60), y], family="cox", n_lambdas=15, tol=1e-12)
    np.testing.assert_allclose(zero.lambdas, base.lambdas, rtol=1e-12)
    np.testing.assert_allclose(zero.coef, base.coef, rtol=1e-9, atol=1e-12)


def test_splitting_each_interval_leaves_the_partial_likelihood_unchanged():
    """Counting-process data: a subject seen on (0, s] (censored at s) and then on (s, t] is the subject seen on
    (0, t], so splitting every row's interval — at event times of others too — gives the same fit (the risk sets
    are the same sets of subjects), weights and strata included."""
    X, y = make_cox(50, 4, seed=22)
    rng = np.random.default_rng(3)
    events = np.sort(y[y[:, 1] == 1, 0])
    cut = np.where(rng.uniform(size=50) < 0.5, rng.uniform(0.1, 0.9, 50) * y[:, 0],
                   events[np.minimum(np.searchsorted(events, y[:, 0]) // 2, events.size - 1)])
    cut = np.where(cut < y[:, 0], cut, 0.5 * y[:, 0])
    first = np.c_[np.zeros(50), cut, np.zeros(50)]
    second = np.c_[cut, y]
    w = rng.uniform(0.5, 2.0, 50)
    strata = rng.integers(0, 2, 50)
    kw = dict(family="cox", n_lambdas=12, tol=1e-12, l1_ratio=0.7)
    whole = jaxreg.path(X, y, sample_weight=w, strata=strata, **kw)
    # twice the rows with the same weights: the mean partial likelihood is halved, and so is every λ
    split = jaxreg.path(np.vstack([X, X]), np.vstack([first, second]), sample_weight=np.r_[w, w],
                        strata=np.r_[strata, strata], lambdas=whole.lambdas / 2, **kw)
    assert whole.lambda_max == pytest.approx(2 * split.lambda_max, rel=1e-9)  # λmax is reported for any grid
    np.testing.assert_allclose(split.coef, whole.coef, rtol=1e-7, atol=1e-9)


def test_start_stop_data_frame_and_scores():
    pd = pytest.importorskip("pandas")
    X, y = make_cox(60, 3, seed=23)
    start = 0.3 * y[:, 0] * (np.arange(60) % 2)
    base = jaxreg.path(X, np.c_[start, y], family="cox", n_lambdas=8)
    frame = pd.DataFrame({"status": y[:, 1].astype(int), "stop": y[:, 0], "start": start})
    np.testing.assert_array_equal(jaxreg.path(X, frame, family="cox", n_lambdas=8).coef, base.coef)
    foldid = np.arange(60) % 3
    cv = jaxreg.cv_path(X, np.c_[start, y], family="cox", foldid=foldid, n_lambdas=8)
    assert np.all(np.isfinite(cv.cv_mean))
    with pytest.raises(ValueError, match="scoring: 'C' .* right-censored"):
        jaxreg.cv_path(X, np.c_[start, y], family="cox", foldid=foldid, n_lambdas=8, scoring="C")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(y="vector"), r"y: family='cox' needs an array of shape \(n_samples, 2\)"),
        (dict(y="start_after_stop"), "0 ≤ start < stop in every row"),
        (dict(y="negative_start"), "0 ≤ start < stop in every row"),
        (dict(y="four_columns"), r"or \(n_samples, 3\) holding \(start, stop, status\)"),
        (dict(y="negative_time"), "positive survival times"),
        (dict(y="bad_status"), "status .* 0 .* or 1"),
        (dict(y="no_events"), "at least one event"),
        (dict(sample_weight="events_zero"), "at least one event"),
        (dict(offset="matrix"), "offset: expected a vector of length 30"),
        (dict(family="cox", penalty="group_lasso"), "groups"),
    ],
)
def test_bad_cox_input(kwargs, message):
    X, y = make_cox(30, 3, seed=15)
    variants = {
        "vector": y[:, 0], "start_after_stop": np.c_[y[:, 0], y], "negative_start": np.c_[np.full(30, -1.0), y],
        "four_columns": np.c_[y, y], "negative_time": np.c_[y[:, 0] - 10, y[:, 1]],
        "bad_status": np.c_[y[:, 0], 2 * y[:, 1]], "no_events": np.c_[y[:, 0], 0 * y[:, 1]],
        "events_zero": 1.0 - y[:, 1], "matrix": np.zeros((30, 2)),
    }
    args = {k: variants.get(v, v) if isinstance(v, str) else v for k, v in kwargs.items()}
    with pytest.raises(ValueError, match=message):
        jaxreg.path(X, args.pop("y", y), **{"family": "cox", **args})


def test_float32_agrees_with_float64():
    X, y = make_cox(100, 6, seed=16)
    f64 = jaxreg.path(X, y, family="cox", n_lambdas=20)
    f32 = jaxreg.path(X, y, family="cox", n_lambdas=20, dtype="float32")
    assert f32.coef.dtype == np.float32 and f32.converged.all()
    scale = np.abs(f64.coef).max()
    np.testing.assert_allclose(f32.coef, f64.coef, atol=2e-3 * scale)


def test_working_sets_and_unpenalized_features_on_a_wide_problem():
    X, y = make_cox(80, 300, seed=17, k=4)
    pf = np.ones(300)
    pf[5] = 0.0
    # p > n: a gap of tol·P(0) leaves coefficient errors up to √(2·gap / (λ(1 − α))), so compare tight solutions
    kw = dict(family="cox", penalty_factor=pf, n_lambdas=25, l1_ratio=0.8, tol=1e-13)
    ws = jaxreg.path(X, y, **kw)
    full = jaxreg.path(X, y, working_set=None, **kw)
    assert ws.converged.all() and full.converged.all()
    np.testing.assert_allclose(ws.coef, full.coef, atol=1e-5 * np.abs(full.coef).max())
    for lam, coef in zip(ws.lambdas[::6], ws.coef[::6]):
        assert cox_kkt(X, y, coef, lam, alpha=0.8, pf=pf) < 1e-4


def test_group_lasso_with_singleton_groups_is_the_lasso():
    X, y = make_cox(70, 5, seed=18)
    lasso = jaxreg.path(X, y, family="cox", n_lambdas=15)
    grouped = jaxreg.path(X, y, family="cox", penalty="group_lasso", groups=np.arange(5), n_lambdas=15)
    np.testing.assert_allclose(grouped.coef, lasso.coef, atol=1e-6 * np.abs(lasso.coef).max())


def test_batched_paths_and_cross_validation():
    X, y = make_cox(90, 5, seed=19)
    w = np.random.default_rng(20).poisson(1.0, (2, 90)).astype(float)  # bootstrap replicates
    fits = jaxreg.weighted_paths(X, y, w, family="cox", n_lambdas=10)
    for fit, wk in zip(fits, w):
        np.testing.assert_allclose(fit.coef, jaxreg.path(X, y, family="cox", sample_weight=wk, n_lambdas=10).coef,
                                   atol=1e-8)
    with pytest.raises(ValueError, match="family: multi_response_path"):
        jaxreg.multi_response_path(X, y, family="cox")
    foldid = np.arange(90) % 3
    cv = jaxreg.cv_path(X, y, family="cox", foldid=foldid, scoring="C", n_lambdas=15)
    assert cv.greater_is_better and cv.cv_mean[cv.index_min] == np.nanmax(cv.cv_mean)
    with pytest.raises(ValueError, match="no event"):
        jaxreg.cv_path(X, np.c_[y[:, 0], y[:, 1] * (foldid == 0)], family="cox", foldid=foldid)
    with pytest.raises(ValueError, match="scoring"):
        jaxreg.cv_path(X, y, family="cox", scoring="mse")


def test_concordance_and_deviance_against_pair_counting():
    from jaxreg.scoring import concordance, cox_deviance

    X, y = make_cox(40, 2, seed=21, ties=True)
    w = data_weights(40, seed=22)
    eta = np.round(np.random.default_rng(23).normal(0, 1, (40, 3)), 1)  # ties in the scores too
    num = np.zeros(3)
    den = 0.0
    for i in range(40):
        for j in range(40):
            if y[i, 1] and (y[j, 0] > y[i, 0] or (y[j, 0] == y[i, 0] and not y[j, 1])):
                den += w[i] * w[j]
                num += w[i] * w[j] * ((eta[i] > eta[j]) + 0.5 * (eta[i] == eta[j]))
    np.testing.assert_allclose(concordance(eta, y, w), num / den, rtol=1e-12)
    # glmnet's coxnet.deviance: 2 (l_sat − l) with the weights rescaled to sum to n, i.e. 2n·f with our loss f
    expected = [2 * 40 * breslow(eta[:, k], y, w) for k in range(3)]
    np.testing.assert_allclose(cox_deviance(eta, y, w), expected, rtol=1e-10)
