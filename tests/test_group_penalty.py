"""The group penalty (jaxreg.penalties.SparseGroup): prox, conjugate, dual scaling and λmax against direct numerical
optimization and closed forms."""

import jax.numpy as jnp
import numpy as np
import pytest
from scipy.optimize import minimize

from jaxreg.penalties import SparseGroup

GROUP_ID = np.array([0, 0, 1, 1, 1, 2])
PF = np.array([1.0, 1.0, 0.5, 0.5, 0.5, 2.0])
WEIGHTS = np.sqrt(np.bincount(GROUP_ID))


def _penalty(alpha, tau, fixed=()):
    lo = np.full(6, -np.inf)
    hi = np.full(6, np.inf)
    lo[list(fixed)] = hi[list(fixed)] = 0.0
    return SparseGroup(jnp.asarray(alpha), jnp.asarray(tau), jnp.asarray(PF), jnp.asarray(WEIGHTS),
                       jnp.asarray(GROUP_ID), jnp.asarray(lo), jnp.asarray(hi))


def _g(b, alpha, tau, lam):
    """λ Σ_g pf_g [α(τ‖b_g‖₁ + (1−τ) w_g ‖b_g‖) + (1−α)/2 ‖b_g‖²], written out group by group."""
    total = 0.0
    for g in range(3):
        bg, pf = b[GROUP_ID == g], PF[GROUP_ID == g][0]
        total += pf * (alpha * (tau * np.abs(bg).sum() + (1 - tau) * WEIGHTS[g] * np.linalg.norm(bg))
                       + 0.5 * (1 - alpha) * bg @ bg)
    return lam * total


CASES = [(1.0, 0.0), (0.6, 0.0), (1.0, 0.4), (0.7, 0.3), (1.0, 1.0)]  # (alpha, tau)
Z = np.array([1.3, -0.2, 0.05, -0.4, 0.3, -2.5])


@pytest.mark.parametrize("alpha,tau", CASES)
@pytest.mark.parametrize("fixed", [(), (3,)])
def test_prox_is_the_argmin(alpha, tau, fixed):
    """The closed-form prox minimizes ½‖b − z‖² + s λ g(b): no random nearby point and no Powell search does better."""
    lam, step = 0.7, 0.8
    pen = _penalty(alpha, tau, fixed)
    got = np.asarray(pen.prox(jnp.asarray(Z), step, lam))
    assert np.all(got[list(fixed)] == 0)
    free = np.setdiff1d(np.arange(6), fixed)

    def obj(bf):
        b = np.zeros(6)
        b[free] = bf
        return 0.5 * np.sum((b - Z) ** 2) + step * _g(b, alpha, tau, lam)

    best = obj(got[free])
    # no point nearby does better (the objective is strongly convex, so a local check is global)
    rng = np.random.default_rng(0)
    for _ in range(300):
        trial = got[free] + rng.normal(0, 1e-3, free.size) * rng.integers(0, 2, free.size)
        assert obj(trial) >= best - 1e-12
    res = minimize(obj, Z[free], method="Powell", options={"xtol": 1e-10, "ftol": 1e-14, "maxiter": 100_000})
    assert best <= res.fun + 1e-9


@pytest.mark.parametrize("alpha,tau", CASES)
def test_conjugate_is_the_sup(alpha, tau):
    """(λg)^*(s v) = sup_b s vᵀb − λ g(b) at the dual-scaled point (a concave maximization, solved numerically)."""
    lam = 0.5
    pen = _penalty(alpha, tau)
    v = jnp.asarray([0.9, -0.3, 0.2, 0.6, -0.1, 1.4])
    s = float(pen.dual_scale(v, lam))
    sv = s * np.asarray(v)
    got = float(pen.conjugate(jnp.asarray(sv), lam))
    res = minimize(lambda b: -(sv @ b - _g(b, alpha, tau, lam)), np.zeros(6), method="Powell",
                   options={"xtol": 1e-10, "ftol": 1e-14, "maxiter": 100_000})
    assert got == pytest.approx(-res.fun, abs=1e-7)
    if alpha == 1.0:  # no ridge: the conjugate is an indicator; s must be the largest scale inside its domain
        assert got == 0.0
        excess = [np.linalg.norm(np.maximum(np.abs(sv[GROUP_ID == g]) - lam * tau * PF[GROUP_ID == g], 0.0))
                  - lam * (1 - tau) * PF[GROUP_ID == g][0] * WEIGHTS[g] for g in range(3)]
        assert s < 1.0 and max(excess) == pytest.approx(0.0, abs=1e-12)


def test_lambda_max_closed_forms():
    """Group lasso: λmax = max_g ‖v_g‖ / (α pf_g √|g|); with τ = 1 it is the lasso's max_j |v_j| / (α pf_j)."""
    v = jnp.asarray([0.9, -0.3, 0.2, 0.6, -0.1, 1.4])
    vn = np.asarray(v)
    expect = max(np.linalg.norm(vn[GROUP_ID == g]) / (PF[GROUP_ID == g][0] * WEIGHTS[g]) for g in range(3))
    assert float(_penalty(1.0, 0.0).lambda_max(v)) == pytest.approx(expect, rel=1e-12)
    assert float(_penalty(0.5, 0.0).lambda_max(v)) == pytest.approx(expect / 0.5, rel=1e-12)
    assert float(_penalty(1.0, 1.0).lambda_max(v)) == pytest.approx(np.max(np.abs(vn) / PF), rel=1e-12)
    # a fixed coordinate's gradient cannot pull it away from zero
    assert float(_penalty(1.0, 1.0, fixed=(5,)).lambda_max(v)) == pytest.approx(np.max(np.abs(vn[:5]) / PF[:5]))


@pytest.mark.parametrize("tau", [0.2, 0.5, 0.9])
def test_lambda_max_zero_is_optimal_exactly_there(tau):
    """Sparse-group lasso: at λmax the zero vector satisfies ‖S(v_g, λ τ pf)‖ ≤ λ(1 − τ) pf √|g| with equality
    for some group."""
    v = np.array([0.9, -0.3, 0.2, 0.6, -0.1, 1.4])
    lam = float(_penalty(1.0, tau).lambda_max(jnp.asarray(v)))
    excess = []
    for g in range(3):
        vg, pf = v[GROUP_ID == g], PF[GROUP_ID == g][0]
        soft = np.maximum(np.abs(vg) - lam * tau * pf, 0.0)
        excess.append(np.linalg.norm(soft) - lam * (1 - tau) * pf * WEIGHTS[g])
    assert max(excess) == pytest.approx(0.0, abs=1e-12)


def test_unpenalized_group_is_profiled():
    pen = _penalty(1.0, 0.0)._replace(penalty_factor=jnp.asarray([0.0, 0.0, 0.5, 0.5, 0.5, 2.0]))
    v = jnp.asarray([0.3, 0.0, 0.2, 0.1, 0.1, 0.1])
    assert np.asarray(pen.profiled(v, 1.0)).tolist() == [True, False, False, False, False, False]
    assert float(pen.lambda_max(v)) > 0  # the unpenalized group does not make λmax infinite


@pytest.mark.parametrize("alpha,tau", CASES)
@pytest.mark.parametrize("fixed", [(), (3,)])
def test_face_gradient_and_hessian_are_those_of_the_written_out_penalty(alpha, tau, fixed):
    # group 0 nonzero, group 1 nonzero with a zero coordinate (on an L1 kink when τ > 0), group 2 zero
    b = np.array([0.7, -1.1, 0.0, 0.4, -0.3, 0.0])
    b[list(fixed)] = 0.0
    lam = 0.8
    pen = _penalty(alpha, tau, fixed)
    grad, curvature, free = (np.asarray(a) for a in pen.face(jnp.asarray(b), jnp.asarray(lam)))
    expected_free = (b != 0) | ((np.array([0, 0, 1, 1, 1, 2]) == 1) & (tau == 0))
    expected_free[list(fixed)] = False
    np.testing.assert_array_equal(free, expected_free)
    S = np.flatnonzero(free)
    h = 1e-5
    def g_on(d):
        x = b.copy()
        x[S] += d
        return _g(x, alpha, tau, lam)
    eye = np.eye(S.size)
    num_grad = np.array([(g_on(h * e) - g_on(-h * e)) / (2 * h) for e in eye])
    np.testing.assert_allclose(grad[S], num_grad, rtol=1e-6, atol=1e-8)
    np.testing.assert_array_equal(grad[~free], 0.0)
    hess = np.asarray(pen.face_hessian(jnp.asarray(b), jnp.asarray(lam), jnp.asarray(S)))
    h = 1e-4
    num_hess = np.array([[(g_on(h * (ei + ej)) - g_on(h * (ei - ej)) - g_on(h * (ej - ei)) + g_on(-h * (ei + ej)))
                          / (4 * h * h) for ej in eye] for ei in eye])
    np.testing.assert_allclose(hess, num_hess, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(curvature[S], np.diag(hess), rtol=1e-12, atol=1e-12)
    # back on the face: a coordinate that crosses an L1 kink stops at zero, fixed ones stay at zero
    trial = np.asarray(pen.onto_face(jnp.asarray(b), jnp.asarray(-b + 0.1)))
    kinked = (PF * alpha * tau > 0)
    crossed = kinked & (np.sign(-b + 0.1) != np.sign(b))
    np.testing.assert_array_equal(trial[crossed], 0.0)
    kept = ~crossed & ~np.isin(np.arange(6), fixed)
    np.testing.assert_allclose(trial[kept], (-b + 0.1)[kept])
    np.testing.assert_array_equal(trial[list(fixed)], 0.0)


def test_the_intercept_wrapper_passes_the_face_hessian_on_and_leaves_the_intercept_flat():
    from jaxreg.penalties.intercept import WithIntercept

    pen = _penalty(0.7, 0.3)
    b = jnp.asarray([0.7, -1.1, 0.2, 0.4, -0.3, 0.5, 3.0])  # the last coordinate is a GLM's intercept
    lam = jnp.asarray(0.8)
    h = np.asarray(WithIntercept(pen, jnp.asarray(6)).face_hessian(b, lam, jnp.asarray([6, 0, 1, 3])))
    np.testing.assert_array_equal(h[0], 0.0)
    np.testing.assert_array_equal(h[:, 0], 0.0)
    np.testing.assert_allclose(h[1:, 1:], pen.face_hessian(b[:6], lam, jnp.asarray([0, 1, 3])), rtol=1e-15)
    # in a working set the intercept sits where ``free`` says
    free = jnp.asarray([False, True, False, False])
    inner = pen.restrict(jnp.asarray([0, 2, 3, 4]))  # position 1 holds the intercept: a placeholder feature at 0
    beta = jnp.asarray([0.7, 3.0, 0.4, -0.3])
    hb = np.asarray(WithIntercept(inner, jnp.asarray(-1), free).face_hessian(beta, lam, jnp.asarray([0, 1, 3])))
    np.testing.assert_array_equal(hb[1], 0.0)
    np.testing.assert_array_equal(hb[:, 1], 0.0)
    expected = inner.face_hessian(beta.at[1].set(0.0), lam, jnp.asarray([0, 3]))
    np.testing.assert_allclose(hb[np.ix_([0, 2], [0, 2])], expected, rtol=1e-15)
