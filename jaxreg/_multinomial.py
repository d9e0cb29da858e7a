"""The multinomial family inside the compiled core: coefficients per (feature, class), flattened feature-major.

glmnet's symmetric parametrization has one coefficient vector per class; adding the same constant to a feature's
``K`` coefficients (or to the ``K`` intercepts) leaves every probability unchanged. For penalized coefficients the
penalty picks among those; for unpenalized, unbounded ones (the intercepts, features with penalty factor 0) nothing
does, and their Hessian block is singular. The solver therefore fixes such a coefficient's last class at 0 (a
*reference class*: the same minimum, since the shift is free), and the results are centred over the classes
afterwards, as glmnet centres its intercepts.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from jaxreg.losses import Multinomial
from jaxreg.penalties import ElasticNet, SparseGroup
from jaxreg.preprocessing import Prepared, to_original_scale
from jaxreg.solvers import Profile, fista

#: Iterations allowed to the intercept-only fit with an offset (Newton steps converge in a few).
NULL_MAX_ITER = 1_000


def expand(pf: jax.Array, lo: jax.Array, hi: jax.Array, k: int, intercept: bool
           ) -> tuple[jax.Array, jax.Array, jax.Array]:
    """Per-feature penalty factors and bounds → per coefficient (``q·K``, the intercept column last when fitted),
    with the reference class of unpenalized, unbounded features and of the intercept fixed at 0."""
    if intercept:
        pf, lo, hi = jnp.append(pf, 0.0), jnp.append(lo, -jnp.inf), jnp.append(hi, jnp.inf)
    free = (pf == 0) & jnp.isneginf(lo) & jnp.isposinf(hi)
    reference = jnp.zeros((pf.shape[0], k), bool).at[:, k - 1].set(free).ravel()
    pf, lo, hi = (jnp.repeat(a, k) for a in (pf, lo, hi))
    return pf, jnp.where(reference, 0.0, lo), jnp.where(reference, 0.0, hi)


def null_coef(loss: Multinomial, w: jax.Array, q: int, intercept: bool, has_offset: bool, tol: jax.Array
              ) -> jax.Array:
    """The intercept-only fit: ``b_k = log(ȳ_k / ȳ_K)`` without an offset; with one, the minimum over the intercepts
    found from there by the solver with every other coefficient pinned at 0."""
    k = loss.n_classes
    beta = jnp.zeros(q * k, loss.x.dtype)
    if not intercept:
        return beta
    share = jnp.log(w @ loss.y)
    beta = beta.at[(q - 1) * k:].set(share - share[-1])
    if not has_offset:
        return beta
    m = q * k
    free = jnp.arange(m) >= (q - 1) * k
    fixed = ~free | (jnp.arange(m) == m - 1)
    zero = jnp.zeros(m, beta.dtype)
    pinned = ElasticNet(jnp.ones((), beta.dtype), zero, jnp.where(fixed, 0.0, -jnp.inf),
                        jnp.where(fixed, 0.0, jnp.inf))
    idx = jnp.arange((q - 1) * k, m - 1)
    step = jnp.asarray(2.0, beta.dtype)  # 1/L: the intercepts' Hessian is at most I/2 (weights sum to 1)
    f0 = loss.value(beta)
    return fista(loss, pinned, jnp.ones((), beta.dtype), beta, step=step, tol_abs=1e-3 * tol * f0,
                 max_iter=NULL_MAX_ITER, check_every=5, backtrack=True,
                 profile=Profile(idx, jnp.ones(k - 1, bool))).beta


def grouped_penalty(l1_ratio: jax.Array, pf: jax.Array, lo: jax.Array, hi: jax.Array, k: int) -> SparseGroup:
    """glmnet's grouped multinomial: ``λ Σ_j pf_j [α ‖B_j‖₂ + (1 − α)/2 ‖B_j‖₂²]`` over each feature's ``K``
    coefficients (group weight 1, not √K, as glmnet); the intercepts form an unpenalized group."""
    m = pf.shape[0]
    weight = jnp.ones(m // k, pf.dtype)  # unpenalized groups (pf = 0, the intercepts) have no penalty at all
    return SparseGroup(l1_ratio, jnp.zeros((), pf.dtype), pf, weight, jnp.arange(m) // k, lo, hi)


def to_original(prep: Prepared, beta: jax.Array, p: int, k: int, intercept: bool, centre: jax.Array
                ) -> tuple[jax.Array, jax.Array]:
    """Solver coefficients ``(L, q·K)`` → ``coef (L, p, K)`` and ``intercept (L, K)`` on the original scale, with the
    features flagged in ``centre`` (unpenalized, unbounded) and the intercepts centred over the classes."""
    b = beta.reshape(beta.shape[0], -1, k)
    b0 = b[:, p, :] if intercept else jnp.zeros((b.shape[0], k), b.dtype)
    bx = b[:, :p, :]
    bx = jnp.where(centre[None, :, None], bx - jnp.mean(bx, axis=2, keepdims=True), bx)
    coef, b0 = to_original_scale(prep, jnp.swapaxes(bx, 1, 2), b0)  # (L, K, p), (L, K)
    if intercept:
        b0 = b0 - jnp.mean(b0, axis=1, keepdims=True)
    return jnp.swapaxes(coef, 1, 2), b0
