"""Penalty objects in ``jaxreg.path`` and ``jaxreg.cv_path`` (``penalty=obj``): a penalty written here from scratch
(the contract of jaxreg.penalties.base, nothing imported from jaxreg's penalties) gives the optimality conditions
of its objective and the same path as the equivalent named penalty; jaxreg's own penalty objects give the named
penalties' paths; misuse is reported naming the argument."""

import pathlib
import re
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from reference_np import kkt_violation, make_problem, standardization

import jaxreg
from jaxreg.penalties import FoldedConcave, SparseGroup


class PositiveLasso(NamedTuple):
    """``λ Σ_j w_j b_j`` subject to ``b ≥ 0`` (weights ``w > 0``), written against the documented contract."""

    weights: jax.Array

    def value(self, beta, lam):
        return lam * jnp.sum(self.weights * jnp.abs(beta))

    def prox(self, z, step, lam):
        return jnp.maximum(z - step * lam * self.weights, 0.0)

    def conjugate(self, v, lam):  # sup_{b ≥ 0} (v − λw) b: 0 where v ≤ λw, which dual_scale ensures
        return jnp.zeros((), v.dtype)

    def dual_scale(self, v, lam):
        ratio = jnp.where(v > 0, lam * self.weights / jnp.where(v > 0, v, 1.0), 1.0)
        return jnp.minimum(1.0, jnp.min(ratio))

    def profiled(self, v, lam):
        return jnp.zeros(v.shape, bool)

    def lambda_max(self, v):
        return jnp.max(jnp.maximum(v, 0.0) / self.weights)

    def priority(self, beta, v, lam):
        return jnp.where(beta != 0, jnp.inf, jnp.maximum(v, 0.0) / (lam * self.weights))

    def restrict(self, idx):
        return PositiveLasso(self.weights[idx])


def _binary(X, y):
    return (y > np.median(y)).astype(float)


def test_readme_penalty_is_the_nonnegative_lasso():
    readme = (pathlib.Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("### Your own penalty", 1)[1].split("\n### ", 1)[0]
    (code,) = re.findall(r"```python\n(.*?)\n```", section, flags=re.S)
    ns: dict = {}
    exec(compile(code, "README penalty example", "exec"), ns)  # noqa: S102
    fit = ns["fit"]
    named = jaxreg.path(ns["X"], ns["y"], lower_bounds=0.0, lambdas=fit.lambdas)
    assert fit.converged.all() and (fit.coef >= 0).all() and 0 < fit.df[-1] < 10
    np.testing.assert_allclose(fit.coef, named.coef, atol=1e-6 * np.abs(named.coef).max())


def test_user_penalty_meets_its_optimality_conditions_and_matches_bounds():
    family = "binomial"  # the intercept column kept outside the object (gaussian: the README example above)
    X, y = make_problem(60, 12, seed=3)
    y = _binary(X, y)
    w = np.linspace(0.5, 1.5, 12)
    w *= 12 / w.sum()  # path rescales penalty factors to sum to p; the object's weights are used as given
    # glmnet's small-change early stop is off with a zero bound; the object's bounds are its own: same grid given
    named = jaxreg.path(X, y, family=family, penalty_factor=w, lower_bounds=0.0, n_lambdas=30)
    fit = jaxreg.path(X, y, family=family, penalty=PositiveLasso(jnp.asarray(w)), lambdas=named.lambdas)
    assert fit.converged.all() and (fit.coef >= 0).all() and fit.coef.any()
    _, _, scale = standardization(X)
    for k in range(fit.n_lambdas):
        viol = kkt_violation(X, y, fit.intercept[k], fit.coef[k], fit.lambdas[k], pf=w, scale=scale, lower=0.0,
                             family=family)
        assert viol < 1e-3, (k, viol)
    assert fit.lambda_max == pytest.approx(named.lambda_max, rel=1e-12)
    np.testing.assert_allclose(fit.coef, named.coef, atol=1e-5 * np.abs(named.coef).max())
    assert isinstance(fit.penalty, PositiveLasso) and np.array_equal(fit.penalty.weights, w)
    assert np.isnan(fit.l1_ratio)


def test_user_penalty_with_working_sets_and_an_intercept():
    """p > 256: working sets through priority and restrict, the intercept column inside every working set."""
    X, y = make_problem(40, 300, seed=5)
    y = _binary(X, y)
    pen = PositiveLasso(jnp.ones(300))
    named = jaxreg.path(X, y, family="binomial", lower_bounds=0.0, n_lambdas=15, lambda_min_ratio=0.05)
    fit = jaxreg.path(X, y, family="binomial", penalty=pen, lambdas=named.lambdas)
    assert fit.converged.all() and fit.df.max() > 5
    np.testing.assert_allclose(fit.coef, named.coef, atol=1e-5 * np.abs(named.coef).max())
    np.testing.assert_allclose(fit.intercept, named.intercept, atol=1e-5)


def test_jaxreg_penalty_objects_give_the_named_paths():
    X, y = make_problem(50, 9, seed=1)
    y = _binary(X, y)
    p, inf = 9, np.full(9, np.inf)
    mcp = FoldedConcave(np.asarray(1.0), np.ones(p), -inf, inf, np.asarray(2.5), np.asarray(False))
    a = jaxreg.path(X, y, family="binomial", penalty=mcp, n_lambdas=20)
    b = jaxreg.path(X, y, family="binomial", penalty="mcp", gamma=2.5, n_lambdas=20)
    assert a.n_lambdas == b.n_lambdas  # no small-change early stop for a non-convex object either
    np.testing.assert_allclose(a.coef, b.coef, atol=1e-6 * np.abs(b.coef).max())

    # the first group unpenalized: fitted before λmax is measured, then profiled like the intercept
    groups, pf = np.arange(p) // 3, np.repeat([0.0, 1.5, 1.5], 3)
    sgl = SparseGroup(np.asarray(1.0), np.asarray(0.5), pf, np.full(3, np.sqrt(3.0)), groups, -inf, inf)
    a = jaxreg.path(X, y, family="binomial", penalty=sgl, n_lambdas=20)
    b = jaxreg.path(X, y, family="binomial", penalty="sparse_group_lasso", groups=groups, penalty_factor=pf,
                    n_lambdas=20)
    assert a.lambda_max == pytest.approx(b.lambda_max, rel=1e-8)
    np.testing.assert_allclose(a.coef, b.coef, atol=1e-4 * np.abs(b.coef).max())


def test_penalty_object_in_cv_path_and_float32():
    X, y = make_problem(60, 8, seed=2)
    pen = PositiveLasso(jnp.ones(8))
    grid = np.geomspace(5.0, 0.01, 20)  # given: the default one would stop early only with the named bounds
    ref = jaxreg.cv_path(X, y, lower_bounds=0.0, n_folds=4, random_state=0, lambdas=grid)
    cv = jaxreg.cv_path(X, y, penalty=pen, n_folds=4, random_state=0, lambdas=grid)
    np.testing.assert_allclose(cv.cv_mean, ref.cv_mean, rtol=1e-4)  # both to the duality-gap tol
    assert cv.lambda_min == ref.lambda_min and cv.lambda_1se == ref.lambda_1se
    f32 = jaxreg.path(X, y, penalty=pen, dtype="float32", lambdas=grid)
    assert f32.coef.dtype == np.float32 and f32.converged.all()
    np.testing.assert_allclose(f32.coef, ref.path.coef, atol=1e-3 * np.abs(ref.path.coef).max())


def test_one_object_serves_path_and_solve_path():
    """The same object in the research API: a least-squares loss of a pytree reproduces path(standardize=False)."""
    X, y = make_problem(50, 6, seed=4)
    pen, grid = PositiveLasso(jnp.full(6, 1.0)), np.geomspace(2.0, 0.02, 8)
    fit = jaxreg.path(X, y, penalty=pen, standardize=False, lambdas=grid, tol=1e-12)
    xj, yj = jnp.asarray(X), jnp.asarray(y)

    def loss(params):
        return 0.5 * jnp.mean((yj - params["intercept"] - xj @ params["coef"]) ** 2)

    sp = jaxreg.solve_path(loss, {"coef": jnp.zeros(6), "intercept": jnp.zeros(())}, grid, penalty=pen, tol=1e-10)
    assert bool(sp.converged.all()) and fit.coef.any()
    np.testing.assert_allclose(sp.params["coef"], fit.coef, atol=1e-6 * np.abs(fit.coef).max())
    np.testing.assert_allclose(sp.params["intercept"], fit.intercept, atol=1e-6 * np.abs(fit.intercept).max())


class ProxOnly(NamedTuple):
    weights: jax.Array

    def value(self, beta, lam):
        return lam * jnp.sum(self.weights * jnp.abs(beta))

    def prox(self, z, step, lam):
        return jnp.sign(z) * jnp.maximum(jnp.abs(z) - step * lam * self.weights, 0.0)


def test_penalty_object_errors():
    X, y = make_problem(30, 5, seed=0)
    pen = PositiveLasso(jnp.ones(5))
    with pytest.raises(TypeError, match=r"penalty: .*lacks \['lambda_max', 'conjugate', 'dual_scale', 'profiled'\]"):
        jaxreg.path(X, y, penalty=ProxOnly(jnp.ones(5)))
    with pytest.raises(ValueError, match="penalty: .*returned shape|penalty: calling"):
        jaxreg.path(X, y, penalty=PositiveLasso(jnp.ones(4)))
    for kwargs in (dict(l1_ratio=0.5), dict(penalty_factor=np.ones(5)), dict(lower_bounds=0.0), dict(gamma=3.0)):
        name = next(iter(kwargs))
        with pytest.raises(ValueError, match=f"{name}: set it in the penalty object"):
            jaxreg.path(X, y, penalty=pen, **kwargs)
    with pytest.raises(ValueError, match="penalty: a penalty object acts on one coefficient per feature"):
        jaxreg.path(X, np.c_[y, y], family="mgaussian", penalty=pen)
    with pytest.raises(ValueError, match="relax: relaxed fits are not supported with a penalty object"):
        jaxreg.path(X, y, penalty=pen, relax=True)
    with pytest.raises(ValueError, match="working_set: the penalty object has no priority and restrict"):
        jaxreg.path(X, y, penalty=NoWorkingSets(pen), working_set=64)
    with pytest.raises(TypeError, match="penalty: expected one of .* or a penalty object"):
        jaxreg.path(X, y, penalty=3)


class NoWorkingSets(NamedTuple):
    """A convex penalty without the working-set methods (delegating the rest)."""

    inner: PositiveLasso

    def value(self, beta, lam):
        return self.inner.value(beta, lam)

    def prox(self, z, step, lam):
        return self.inner.prox(z, step, lam)

    def conjugate(self, v, lam):
        return self.inner.conjugate(v, lam)

    def dual_scale(self, v, lam):
        return self.inner.dual_scale(v, lam)

    def profiled(self, v, lam):
        return self.inner.profiled(v, lam)

    def lambda_max(self, v):
        return self.inner.lambda_max(v)
