"""The elastic-net penalty: prox and conjugate against brute-force one-dimensional optimization."""

import jax.numpy as jnp
import numpy as np
import pytest

from jaxreg.penalties import ElasticNet

GRID = np.linspace(-6, 6, 240_001)  # brute-force search grid, spacing 5e-5


def _penalty(alpha, pf, lo, hi):
    return ElasticNet(jnp.asarray(alpha), jnp.asarray([pf]), jnp.asarray([lo]), jnp.asarray([hi]))


def _g(b, alpha, pf, lam):
    return lam * pf * (alpha * np.abs(b) + 0.5 * (1 - alpha) * b**2)


CASES = [  # alpha, pf, lower, upper
    (1.0, 1.0, -np.inf, np.inf),
    (0.5, 2.0, -np.inf, np.inf),
    (0.0, 1.0, -np.inf, np.inf),
    (1.0, 1.0, -0.4, 0.7),
    (0.3, 0.5, 0.0, np.inf),
    (0.0, 0.0, -1.0, 2.0),
]


@pytest.mark.parametrize("alpha,pf,lo,hi", CASES)
@pytest.mark.parametrize("z", [-3.1, -0.2, 0.05, 0.9, 2.5])
def test_prox_is_the_argmin(alpha, pf, lo, hi, z):
    lam, step = 0.8, 0.6
    pen = _penalty(alpha, pf, lo, hi)
    got = float(pen.prox(jnp.asarray([z]), step, lam)[0])
    feasible = GRID[(GRID >= lo) & (GRID <= hi)]
    vals = 0.5 * (feasible - z) ** 2 + step * _g(feasible, alpha, pf, lam)
    assert abs(got - feasible[np.argmin(vals)]) < 1e-4


@pytest.mark.parametrize("alpha,pf,lo,hi", CASES)
@pytest.mark.parametrize("v", [-2.0, -0.3, 0.0, 0.4, 1.7])
def test_conjugate_is_the_sup(alpha, pf, lo, hi, v):
    lam = 0.8
    pen = _penalty(alpha, pf, lo, hi)
    vv = jnp.asarray([v])
    s = float(pen.dual_scale(vv, lam))
    if bool(pen.profiled(vv, lam)[0]):
        return  # infinite conjugate by design (unpenalized and unbounded), handled by the Newton decrement
    feasible = GRID[(GRID >= max(lo, -6)) & (GRID <= min(hi, 6))]
    brute = np.max(s * v * feasible - _g(feasible, alpha, pf, lam))
    got = float(pen.conjugate(jnp.asarray([s * v]), lam))
    assert abs(got - brute) < 1e-3 * max(1.0, abs(brute))


def test_dual_scale_makes_l1_dual_feasible():
    pen = ElasticNet(jnp.asarray(1.0), jnp.ones(3), jnp.full(3, -jnp.inf), jnp.asarray([jnp.inf, jnp.inf, 0.0]))
    v = jnp.asarray([0.5, -2.0, 3.0])  # third coordinate is bounded above by 0: v > 0 is harmless there
    s = float(pen.dual_scale(v, 1.0))
    assert s == pytest.approx(0.5)


def test_lambda_max_respects_bounds_and_penalty_factors():
    pen = ElasticNet(jnp.asarray(1.0), jnp.asarray([1.0, 2.0, 0.0]), jnp.asarray([0.0, -jnp.inf, -jnp.inf]),
                     jnp.full(3, jnp.inf))
    v = jnp.asarray([-5.0, 3.0, 100.0])  # feature 0 can't go negative; feature 2 is unpenalized
    assert float(pen.lambda_max(v)) == pytest.approx(1.5)
