"""jaxreg._bisect: bisection inside jit against closed-form roots."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxreg._bisect import bisect


@pytest.mark.parametrize("dtype", [jnp.float64, jnp.float32])
def test_brackets_the_root_to_the_last_bit(dtype):
    targets = jnp.asarray([2.0, 3.0, 10.0, 0.25], dtype)
    lo, hi = jax.jit(lambda t: bisect(lambda x: x * x <= t, jnp.zeros_like(t), jnp.full_like(t, 4.0), 200))(targets)
    root = np.sqrt(np.asarray(targets, np.float64))
    assert np.all(np.asarray(lo * lo <= targets)) and np.all(np.asarray(hi * hi > targets))
    # no float strictly between the ends: the bracket is as tight as the dtype allows
    assert np.all(np.nextafter(np.asarray(lo), np.asarray(hi)) == np.asarray(hi))
    np.testing.assert_allclose(np.asarray(lo, np.float64), root, rtol=2 * np.finfo(dtype).eps)


def test_a_fixed_number_of_halvings():
    lo, hi = bisect(lambda x: x <= 1.0 / 3.0, jnp.asarray(0.0), jnp.asarray(1.0), 10)
    assert float(hi - lo) == pytest.approx(2.0**-10)
    assert float(lo) <= 1.0 / 3.0 < float(hi)


def _counting(keeps_low, counter):
    """``keeps_low``, counting its evaluations at run time (a trace-time count would be 1 per compiled loop)."""
    def wrapped(x):
        jax.debug.callback(lambda: counter.append(1))
        return keeps_low(x)
    return wrapped


def test_stops_once_no_bracket_can_be_split():
    evaluations = []
    lo, hi = jax.jit(lambda: bisect(_counting(lambda x: x <= 1.0 / 3.0, evaluations), jnp.asarray(0.0),
                                    jnp.asarray(1.0), 1000))()
    assert float(lo) <= 1.0 / 3.0 < float(hi) and np.nextafter(float(lo), 2.0) == float(hi)
    # about one halving per bit of float64's significand, not the 1000 allowed
    assert 50 <= len(evaluations) <= 60


def test_collapsed_brackets_cost_no_evaluation():
    evaluations = []
    lo = jnp.asarray([1.0, 5.0])
    out_lo, out_hi = jax.jit(lambda a: bisect(_counting(lambda x: x < 3.0, evaluations), a, a, 60))(lo)
    np.testing.assert_array_equal(np.asarray(out_lo), [1.0, 5.0])
    np.testing.assert_array_equal(np.asarray(out_hi), [1.0, 5.0])
    assert evaluations == []


def test_under_vmap_each_bracket_stops_at_its_own_root():
    t = jnp.asarray([2.0, 5.0, 7.0])
    lo, hi = jax.vmap(lambda s: bisect(lambda x: x * x <= s, jnp.asarray(0.0), jnp.asarray(3.0), 100))(t)
    np.testing.assert_allclose(np.asarray(lo), np.sqrt([2.0, 5.0, 7.0]), rtol=4e-16)
