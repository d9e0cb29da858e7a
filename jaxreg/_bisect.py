"""Bisection inside jit: a fixed number of halvings of a bracket, vectorized over any array shape."""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
from jax import lax


def bisect(keeps_low: Callable[[jax.Array], jax.Array], lo: jax.Array, hi: jax.Array,
           steps: int) -> tuple[jax.Array, jax.Array]:
    """Halve ``[lo, hi]`` ``steps`` times: the midpoint replaces ``lo`` where ``keeps_low(mid)`` holds (the
    boundary lies above it), else ``hi``. Returns the final ``(lo, hi)``, elementwise for array brackets."""

    def halve(_: int, bracket: tuple[jax.Array, jax.Array]) -> tuple[jax.Array, jax.Array]:
        lo, hi = bracket
        mid = 0.5 * (lo + hi)
        up = keeps_low(mid)
        return jnp.where(up, mid, lo), jnp.where(up, hi, mid)

    return lax.fori_loop(0, steps, halve, (lo, hi))
