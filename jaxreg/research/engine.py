"""What :func:`jaxreg.solve_path` and :func:`jaxreg.solve` share: input checks and one λ solved by FISTA.

Both run the solver loop of :mod:`jaxreg.solvers` (:func:`~jaxreg.solvers.fista` with backtracking) on the flat
problem of :mod:`.problem`, stopping on the proximal-gradient residual (:func:`~jaxreg.solvers.prox_residual`),
because a loss given as a Python function has no conjugate from which to compute a duality gap.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax

from jaxreg import _validation as v
from jaxreg.penalties import ElasticNet
from jaxreg.research.problem import FlatLoss, Masked, Problem, build
from jaxreg.solvers import SolveResult, fista, optax_prox, prox_residual, top_eigenvector

#: Iterations between two residual checks.
CHECK_EVERY = 10
#: Power iterations for the first step ``1/L``, ``L`` the top curvature at the initial parameters.
POWER_ITERATIONS = 20
#: Backtracking may shorten the first step down to this fraction of it (the first step is only an estimate).
MIN_STEP_FRACTION = 1e-12


def default_tol(dtype: Any) -> float:
    """``1e-8`` in float64, ``1e-4`` in float32 (relative to the largest initial gradient)."""
    return 1e-8 if np.dtype(dtype) == np.float64 else 1e-4


def check_params(params: Any) -> None:
    """``init_params``: a non-empty pytree of finite floating-point arrays."""
    leaves = jax.tree_util.tree_leaves(params)
    if not leaves or sum(np.size(leaf) for leaf in leaves) == 0:
        raise ValueError("init_params has no parameters.")
    for leaf in leaves:
        dt = jnp.result_type(leaf)
        if not jnp.issubdtype(dt, jnp.floating):
            raise TypeError(f"init_params: every leaf must be a floating-point array, got one of dtype {dt}.")
        if not isinstance(leaf, jax.core.Tracer) and not np.all(np.isfinite(np.asarray(leaf))):
            raise ValueError("init_params contains NaN or inf.")


def check_loss(loss_fn: Callable[[Any], jax.Array], params: Any) -> None:
    """``loss_fn(params)`` must return a real scalar."""
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be a function of the parameters, got {type(loss_fn).__name__}.")
    out = jax.eval_shape(loss_fn, params)
    if not hasattr(out, "shape") or out.shape != () or not jnp.issubdtype(out.dtype, jnp.floating):
        raise TypeError(f"loss_fn must return a real scalar, got {out}.")


def check_options(tol: float | None, max_iter: int, dtype: Any) -> float:
    """Validate ``tol`` and ``max_iter`` as :func:`jaxreg.path` does; return the tolerance (default for ``dtype``)."""
    v.check_max_iter(max_iter)
    if tol is None:
        return default_tol(dtype)
    return v.check_scalar(tol, "tol", low=0.0, high=1.0, low_open=True)


def prepare(loss_fn: Callable[[Any], jax.Array], init_params: Any, *, tol: float | None, max_iter: int,
            optimizer: Any, learning_rate: Any, **penalty_options: Any,
            ) -> tuple[Problem, float, tuple[optax.GradientTransformation, float] | None]:
    """Check everything :func:`jaxreg.solve_path` and :func:`jaxreg.solve` share; return the flat problem, the
    tolerance and the optimizer. ``penalty_options``: ``penalty, l1_ratio, mask, penalty_factor, lower, upper,
    fixed`` (see :func:`~jaxreg.research.problem.build`)."""
    check_params(init_params)
    check_loss(loss_fn, init_params)
    problem = build(init_params, **penalty_options)
    return problem, check_options(tol, max_iter, problem.beta0.dtype), check_optimizer(optimizer, learning_rate)


def first_step(loss: FlatLoss, beta: jax.Array) -> jax.Array:
    """``1/L`` with ``L`` the largest curvature (in absolute value: the loss may be non-convex) at ``beta``."""
    def hvp(direction: jax.Array) -> jax.Array:
        return jax.jvp(loss.grad, (beta,), (direction,))[1]

    top = top_eigenvector(hvp, beta.shape[0], beta.dtype, POWER_ITERATIONS)
    curvature = jnp.linalg.norm(hvp(top))
    return jnp.where(curvature > 0, 1.0 / jnp.where(curvature > 0, curvature, 1.0), 1.0)


def gradient_scale(loss: FlatLoss, beta: jax.Array, penalty: Masked) -> jax.Array:
    """``max_j |∇f(beta)_j|`` over the free coordinates, or 1 when it is 0: what ``tol`` is relative to."""
    g = jnp.where(penalty.fixed, 0.0, loss.grad(beta))
    scale = jnp.max(jnp.abs(g))
    return jnp.where(scale > 0, scale, 1.0)


def check_optimizer(optimizer: Any, learning_rate: Any) -> tuple[optax.GradientTransformation, float] | None:
    """``(transformation, learning rate)`` from ``optimizer`` (an optax alias such as ``optax.adam``, or a
    ``GradientTransformation``) and ``learning_rate`` (required with an optimizer); None without one."""
    if optimizer is None:
        if learning_rate is not None:
            raise ValueError("learning_rate applies with optimizer= only (FISTA chooses its own steps).")
        return None
    try:
        rate = float(learning_rate)
    except (TypeError, ValueError):
        rate = np.nan
    if not np.isfinite(rate) or rate <= 0:
        raise ValueError(f"learning_rate: a positive number is required with optimizer=, got {learning_rate!r}.")
    if not isinstance(optimizer, optax.GradientTransformation):
        if not callable(optimizer):
            raise TypeError(f"optimizer must be an optax optimizer (e.g. optax.adam), got {type(optimizer).__name__}.")
        optimizer = optimizer(rate)
        if not isinstance(optimizer, optax.GradientTransformation):
            raise TypeError("optimizer(learning_rate) must return an optax.GradientTransformation.")
    return optimizer, rate


def make_solve(step: jax.Array, tol_abs: jax.Array,
               optimizer: tuple[optax.GradientTransformation, float] | None = None) -> Callable[..., SolveResult]:
    """``solve(loss, penalty, lam, beta0, max_iter)``: one λ, certified by the proximal-gradient residual.

    FISTA with backtracking (first step ``step``), or the optax optimizer followed by the prox.
    """
    def solve(loss: FlatLoss, penalty: Masked, lam: jax.Array, beta0: jax.Array, max_iter: Any) -> SolveResult:
        if optimizer is not None:
            transformation, rate = optimizer
            # The optimizer's own per-coordinate steps in the prox need a separable prox: the named penalties.
            return optax_prox(loss, penalty, lam, beta0, optimizer=transformation,
                              learning_rate=jnp.asarray(rate, beta0.dtype), tol_abs=tol_abs, max_iter=max_iter,
                              check_every=CHECK_EVERY, per_coordinate=isinstance(penalty.inner, ElasticNet))
        return fista(loss, penalty, lam, beta0, step=step, min_step=MIN_STEP_FRACTION * step, tol_abs=tol_abs,
                     max_iter=max_iter, check_every=CHECK_EVERY, backtrack=True, certify=prox_residual)

    return solve


def count_nonzero(beta: jax.Array, penalized: np.ndarray) -> jax.Array:
    """Nonzero penalized coordinates of ``beta`` (any leading axes)."""
    return jnp.sum((beta != 0) & jnp.asarray(penalized), axis=-1)
