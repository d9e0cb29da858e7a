"""Shared by the research-API tests: a user-written penalty."""

from typing import NamedTuple

import jax
import jax.numpy as jnp

from jaxreg.penalties import soft_threshold


class WeightedL1(NamedTuple):
    """``λ Σ_j w_j |θ_j|`` written as a user would: a pytree with ``value`` and ``prox``."""

    weights: jax.Array

    def value(self, beta, lam):
        return lam * jnp.sum(self.weights * jnp.abs(beta))

    def prox(self, z, step, lam):
        return soft_threshold(z, step * lam * self.weights)
