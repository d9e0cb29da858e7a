"""Bisection inside jit: at most a fixed number of halvings of a bracket, vectorized over any array shape."""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
from jax import lax


def bisect(keeps_low: Callable[[jax.Array], jax.Array], lo: jax.Array, hi: jax.Array,
           steps: int) -> tuple[jax.Array, jax.Array]:
    """Halve ``[lo, hi]`` up to ``steps`` times: the midpoint replaces ``lo`` where ``keeps_low(mid)`` holds (the
    boundary lies above it), else ``hi``. Returns the final ``(lo, hi)``, elementwise for array brackets. Stops
    early once no bracket has a representable midpoint strictly inside it (e.g. brackets given with ``lo == hi``)."""

    def splittable(lo: jax.Array, hi: jax.Array) -> jax.Array:
        mid = 0.5 * (lo + hi)
        return jnp.any((mid > lo) & (mid < hi))

    def halve(state: tuple[jax.Array, jax.Array, jax.Array]) -> tuple[jax.Array, jax.Array, jax.Array]:
        k, lo, hi = state
        mid = 0.5 * (lo + hi)
        up = keeps_low(mid)
        return k + 1, jnp.where(up, mid, lo), jnp.where(up, hi, mid)

    def more(state: tuple[jax.Array, jax.Array, jax.Array]) -> jax.Array:
        k, lo, hi = state
        return (k < steps) & splittable(lo, hi)

    _, lo, hi = lax.while_loop(more, halve, (jnp.zeros((), jnp.int32), lo, hi))
    return lo, hi
