"""``jaxreg.solve_path``: a regularization path for any smooth loss of a pytree of parameters."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from functools import partial
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from jaxreg import _validation as v
from jaxreg._convergence import ConvergenceWarning, listed
from jaxreg._static import Static, merge_static, split_static
from jaxreg.research.engine import count_nonzero, first_step, gradient_scale, make_solve, prepare
from jaxreg.research.problem import FlatLoss, Flattener
from jaxreg.solvers import solve_path as scan_path


class SolvePath(NamedTuple):
    """A path from :func:`solve_path`; every field has a leading λ axis of length ``L``.

    Attributes
    ----------
    params : pytree
        The parameters at each λ: the structure of ``init_params``, each leaf with a leading axis of length ``L``.
    lambdas : (L,) array
        The λ values, in the order given.
    loss, objective : (L,) arrays
        ``f(params)`` and ``f(params) + λ g(params)``.
    residual : (L,) array
        ``max_j |G_j|``, the proximal-gradient residual (0 at a stationary point; see :func:`solve_path`).
    tol : float
        The absolute residual each λ had to reach.
    n_iter : (L,) int array
        FISTA iterations at each λ.
    converged : (L,) bool array
        Whether ``residual ≤ tol``.
    n_nonzero : (L,) int array
        Nonzero penalized parameters.
    """

    params: Any
    lambdas: jax.Array
    loss: jax.Array
    objective: jax.Array
    residual: jax.Array
    tol: float
    n_iter: jax.Array
    converged: jax.Array
    n_nonzero: jax.Array

    def at(self, index: int) -> Any:
        """The parameters at ``lambdas[index]``."""
        return jax.tree_util.tree_map(lambda leaf: leaf[index], self.params)


def solve_path(
    loss_fn: Callable[[Any], jax.Array],
    init_params: Any,
    lambdas: Any,
    *,
    penalty: Any = "l1",
    l1_ratio: float | None = None,
    gamma: float | None = None,
    mask: Any = None,
    penalty_factor: Any = None,
    lower: Any = None,
    upper: Any = None,
    fixed: Any = None,
    tol: float | None = None,
    max_iter: int = 10_000,
    optimizer: Any = None,
    learning_rate: float | None = None,
) -> SolvePath:
    r"""Minimize ``loss_fn(params) + λ g(params)`` for each λ, warm-starting from one λ to the next.

    For the penalized parameters (``mask``) with penalty factors ``pf`` and the named penalties,

    .. math::

        g(\theta) = \sum_j \mathrm{pf}_j \Big[ \alpha |\theta_j| + \frac{1-\alpha}{2} \theta_j^2 \Big],
        \qquad \text{lower}_j \le \theta_j \le \text{upper}_j,

    with ``α = 1`` for ``"l1"``, ``α = 0`` for ``"l2"`` (weight decay ``λ/2 ‖θ‖²``) and ``α = l1_ratio`` for
    ``"elastic_net"`` — jaxreg's (and glmnet's) elastic net, so that a least-squares ``loss_fn`` reproduces
    :func:`jaxreg.path` (with ``standardize=False``). ``"mcp"`` and ``"scad"`` replace ``α|θ_j|`` by the folded
    concave penalty of ``λ pf_j α`` with concavity ``gamma``, as :func:`jaxreg.path` does. Each λ is solved by
    proximal gradient (FISTA with restart and backtracking, the loop :func:`jaxreg.path` uses) until the
    proximal-gradient residual

    .. math::

        G = \big(\theta - \mathrm{prox}_{h \lambda g}(\theta - h \nabla f(\theta))\big) / h

    satisfies ``max_j |G_j| ≤ tol · max_j |∇f(init_params)_j|`` (``G = 0`` exactly at stationary points; for a
    convex loss, at the minimum). Non-convex losses (a neural network) converge to a stationary point near the warm
    start.

    Parameters
    ----------
    loss_fn : callable
        ``loss_fn(params) -> scalar``, a pure JAX function, smooth in ``params`` (data may be closed over).
    init_params : pytree of floating-point arrays
        Starting parameters for the first λ (clipped into the bounds); their dtype is the solver's (enable
        ``jax_enable_x64`` for float64).
    lambdas : (L,) array-like
        Non-negative λ values, solved in the order given; decreasing from a large λ is fastest.
    penalty : {"l1", "l2", "elastic_net", "mcp", "scad"} or penalty object
        A name, or an object with ``value(theta, lam)`` and ``prox(z, step, lam)`` acting on the vector of the
        penalized parameters (:class:`jaxreg.penalties.ProxPenalty`; see the README's research API section).
    l1_ratio : float in [0, 1], optional
        α for ``"elastic_net"`` (required there), ``"mcp"`` and ``"scad"`` (default 1: no ridge part).
    gamma : float, optional
        The concavity of ``"mcp"`` (default 3, > 1) and ``"scad"`` (default 3.7, > 2); only for them.
    mask : pytree prefix of bools, optional
        Which parameters are penalized: one bool (or bool array) per leaf, per subtree, or for all. Default: every
        leaf except those whose path names a bias or an intercept (``params["bias"]``, ``layer.bias``).
    penalty_factor : pytree prefix of non-negative floats, optional
        Per-parameter weights ``pf`` (named penalties only); default 1.
    lower, upper : pytree prefix of floats, optional
        Bounds on every parameter (penalized or not); default unbounded. Exact with separable penalties. Unlike
        :func:`jaxreg.path`'s (glmnet's limits, which must admit 0), a box may exclude zero (``lower=0.2``);
        ``lower > upper`` is a ``ValueError``.
    fixed : pytree prefix of bools, optional
        Parameters held at their initial values.
    tol : float, optional
        Relative residual target; default ``1e-8`` (float64) or ``1e-4`` (float32).
    max_iter : int
        Largest number of iterations per λ.
    optimizer : optax optimizer, optional
        Replace FISTA's gradient step by an optax optimizer — an alias such as ``optax.adam`` (called with
        ``learning_rate``) or a ``GradientTransformation`` — followed by the prox with step ``learning_rate``
        (:func:`jaxreg.solvers.optax_prox`; its state restarts at each λ). With a named penalty the prox uses the
        step the optimizer took on each coordinate, so that Adam's fixed points are stationary points; a penalty
        object's prox gets the scalar ``learning_rate`` (exact only for plain ``optax.sgd``). For non-convex losses
        where Adam-like steps are preferred; FISTA is faster on convex ones. The stopping rule is unchanged.
    learning_rate : float, optional
        The optimizer's learning rate (required with ``optimizer``).

    Returns
    -------
    SolvePath
        Parameters with a leading λ axis, and per λ the loss, the residual, the iterations and the convergence flag.
        A :class:`jaxreg.ConvergenceWarning` names the λ that missed ``tol``.
    """
    problem, tol, opt = prepare(loss_fn, init_params, tol=tol, max_iter=max_iter, optimizer=optimizer,
                                learning_rate=learning_rate, penalty=penalty, l1_ratio=l1_ratio, gamma=gamma, mask=mask,
                                penalty_factor=penalty_factor, lower=lower, upper=upper, fixed=fixed)
    dt = problem.beta0.dtype
    if np.ndim(lambdas) == 0:
        raise ValueError("lambdas: expected a non-empty 1-D sequence (solved in the order given), got a scalar.")
    lam = v.check_lambdas(lambdas, sort=False)
    flat_fn = _FlatFn(loss_fn, problem.flattener)
    dynamic, static = split_static(problem.penalty)
    beta, sol, obj, tol_abs = _run(flat_fn, static, problem.beta0, dynamic, jnp.asarray(lam, dt),
                                   jnp.asarray(tol, dt), max_iter=int(max_iter), optimizer=opt)
    params = jax.vmap(problem.flattener.unravel)(beta)
    result = SolvePath(params, jnp.asarray(lam, dt), sol.loss, obj, sol.gap, float(tol_abs), sol.n_iter,
                       sol.converged, count_nonzero(beta, problem.penalized))
    bad = np.flatnonzero(~np.asarray(sol.converged))
    if bad.size:
        warnings.warn(f"{bad.size} of {lam.size} λ did not reach the residual {float(tol_abs):.3g} (tol={tol:g}) "
                      f"within max_iter={max_iter} iterations (λ = {listed(lam[bad])}). Increase max_iter or loosen "
                      "tol.",
                      ConvergenceWarning, stacklevel=2)
    return result


class _FlatFn:
    """``loss_fn`` of the raveled parameters (static for ``jit``: compared by the function and the layout)."""

    def __init__(self, loss_fn: Callable[[Any], jax.Array], flattener: Flattener):
        self.loss_fn, self.flattener = loss_fn, flattener

    def __call__(self, beta: jax.Array) -> jax.Array:
        return self.loss_fn(self.flattener.unravel(beta))

    def __hash__(self) -> int:
        return hash((id(self.loss_fn), self.flattener))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _FlatFn) and other.loss_fn is self.loss_fn and other.flattener == self.flattener


@partial(jax.jit, static_argnames=("flat_fn", "static", "max_iter", "optimizer"))
def _run(flat_fn: _FlatFn, static: Static, beta0: jax.Array, dynamic: list[Any], lambdas: jax.Array, tol: jax.Array,
         *, max_iter: int, optimizer: Any) -> tuple[jax.Array, Any, jax.Array, jax.Array]:
    penalty = merge_static(dynamic, static)
    loss = FlatLoss(flat_fn)
    tol_abs = tol * gradient_scale(loss, beta0, penalty)
    solve = make_solve(first_step(loss, beta0), tol_abs, optimizer)
    sol = scan_path(loss, penalty, lambdas, beta0, solve=solve, null_loss=jnp.ones((), beta0.dtype),
                    max_iter=max_iter, early_stop=None)
    objective = sol.loss + jax.vmap(penalty.value)(sol.beta, lambdas)
    return sol.beta, sol, objective, tol_abs
