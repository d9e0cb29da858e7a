"""``jaxreg.solve``: one penalized solution, differentiable by implicit differentiation at the optimum.

The solution ``θ*`` is a fixed point of the proximal-gradient map ``T(θ, p) = prox_{hλg}(θ − h ∇f(θ, p))`` for any
step ``h > 0``, where ``p`` gathers everything the solution depends on: λ, the data ``loss_fn`` closes over and the
penalty's parameters (penalty factors, bounds, a user penalty's arrays). Differentiating ``θ* = T(θ*, p)`` gives

    (I − ∂_θT) dθ* = ∂_pT dp,

so a vector–Jacobian product needs one linear solve with ``(I − ∂_θT)ᵀ`` (matrix-free GMRES, each iteration one
Hessian–vector product) and one VJP of ``T`` in ``p`` — never a differentiation through the solver's iterations.
For the L1 part, ``∂_θT`` is zero on coordinates at 0 (the prox's derivative there): the active set is held fixed,
which is the derivative wherever the active set is locally constant (almost every λ) and a one-sided one at the
finitely many λ where a coefficient enters or leaves.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.sparse.linalg import gmres

from jaxreg._static import Static, merge_static, split_static
from jaxreg.research.engine import count_nonzero, first_step, gradient_scale, make_solve, prepare
from jaxreg.research.problem import FlatLoss, Masked

#: GMRES restarts after this many Krylov vectors (the whole space for small problems: then the solve is exact).
GMRES_RESTART = 64
#: The backward pass returns NaN when GMRES leaves a relative residual above this multiple of √(its tolerance).
LINEAR_SOLVE_SLACK = 10.0


class Solution(NamedTuple):
    """A solution from :func:`solve`: ``params`` is differentiable; the other fields are diagnostics."""

    params: Any
    loss: jax.Array
    objective: jax.Array
    residual: jax.Array
    n_iter: jax.Array
    converged: jax.Array
    n_nonzero: jax.Array


def solve(
    loss_fn: Callable[[Any], jax.Array],
    init_params: Any,
    lam: Any,
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
) -> Solution:
    r"""Minimize ``loss_fn(params) + λ g(params)`` for one λ; the result is differentiable.

    The problem, the options and the stopping rule are those of :func:`jaxreg.solve_path` (see there). ``jax.grad``,
    ``jax.vjp`` and ``jax.jacrev`` of any function of ``Solution.params`` work with respect to ``lam``, to arrays
    ``loss_fn`` closes over (data, other hyperparameters), to ``penalty_factor``, ``lower``, ``upper`` and to the
    array fields of a penalty object, by implicit differentiation of the optimality condition
    ``θ* = prox_{hλg}(θ* − h∇f(θ*))`` (reverse mode only; the solver's iterations are not differentiated, and the
    derivative with respect to ``init_params`` is zero). For the L1 part the set of zero coefficients is held
    fixed, as are coefficients at a bound; the derivative needs ``∇²f`` restricted to the free, nonzero
    coefficients to be nonsingular (true for a strictly convex loss, or a strict local minimum of a non-convex one);
    where it is not, the linear solve fails and the derivative is NaN rather than wrong.

    Parameters
    ----------
    loss_fn, init_params
        As in :func:`jaxreg.solve_path`.
    lam : float or scalar array
        The regularization strength λ ≥ 0 (may be traced).
    penalty, l1_ratio, gamma, mask, penalty_factor, lower, upper, fixed, tol, max_iter, optimizer, learning_rate
        As in :func:`jaxreg.solve_path`.

    Returns
    -------
    Solution
        ``params`` (the structure of ``init_params``), ``loss``, ``objective`` (``f + λ g``), ``residual`` (the
        proximal-gradient residual), ``n_iter``, ``converged`` (``residual ≤ tol`` relative to the initial
        gradient) and ``n_nonzero``.
    """
    problem, tol, opt = prepare(loss_fn, init_params, tol=tol, max_iter=max_iter, optimizer=optimizer,
                                learning_rate=learning_rate, penalty=penalty, l1_ratio=l1_ratio, gamma=gamma, mask=mask,
                                penalty_factor=penalty_factor, lower=lower, upper=upper, fixed=fixed)
    dt = problem.beta0.dtype
    if not isinstance(lam, jax.core.Tracer):
        lam_np = np.asarray(lam, dtype=float)
        if lam_np.shape != () or not np.isfinite(lam_np) or lam_np < 0:
            raise ValueError(f"lam must be one finite, non-negative number, got {lam!r}.")
    flattener = problem.flattener
    # A fresh function each call, so that closure_convert's cache never serves the data of an earlier call.
    fn, consts = jax.closure_convert(lambda b: loss_fn(flattener.unravel(b)), problem.beta0)
    dynamic, static = split_static(problem.penalty)
    beta, info = _argmin(fn, (int(max_iter), static, opt), problem.beta0, jnp.asarray(tol, dt), jnp.asarray(lam, dt),
                         dynamic, tuple(consts))
    return Solution(flattener.unravel(beta), *info, count_nonzero(jax.lax.stop_gradient(beta), problem.penalized))


def _forward(fn: Callable[..., jax.Array], options: tuple[int, Static, Any], beta0: jax.Array, tol: jax.Array,
             lam: jax.Array, dynamic: list[Any], consts: tuple[Any, ...]) -> tuple[jax.Array, tuple[Any, ...], Any]:
    max_iter, static, optimizer = options
    penalty: Masked = merge_static(dynamic, static)
    loss = FlatLoss(fn, consts)
    step = first_step(loss, beta0)
    res = make_solve(step, tol * gradient_scale(loss, beta0, penalty), optimizer)(loss, penalty, lam, beta0, max_iter)
    objective = res.loss + penalty.value(res.beta, lam)
    return res.beta, (res.loss, objective, res.gap, res.n_iter, res.converged), step


@partial(jax.custom_vjp, nondiff_argnums=(0, 1))
def _argmin(fn: Callable[..., jax.Array], options: tuple[int, Static, Any], beta0: jax.Array, tol: jax.Array,
            lam: jax.Array, dynamic: list[Any], consts: tuple[Any, ...]) -> tuple[jax.Array, tuple[Any, ...]]:
    beta, info, _ = _forward(fn, options, beta0, tol, lam, dynamic, consts)
    return beta, info


def _argmin_fwd(fn, options, beta0, tol, lam, dynamic, consts):  # noqa: ANN001, ANN202 - custom_vjp plumbing
    beta, info, step = _forward(fn, options, beta0, tol, lam, dynamic, consts)
    return (beta, info), (beta, step, beta0, tol, lam, dynamic, consts)


def _argmin_bwd(fn, options, saved, cotangent):  # noqa: ANN001, ANN202 - custom_vjp plumbing
    beta, step, beta0, tol, lam, dynamic, consts = saved
    beta_bar = cotangent[0]
    static = options[1]

    def fixed_point_map(b: jax.Array, lam: jax.Array, dynamic: list[Any], consts: tuple[Any, ...]) -> jax.Array:
        g = jax.grad(fn)(b, *consts)
        return merge_static(dynamic, static).prox(b - step * g, step, lam)

    _, vjp_beta = jax.vjp(lambda b: fixed_point_map(b, lam, dynamic, consts), beta)
    tight = 1e-12 if beta.dtype == jnp.float64 else 1e-6
    restart = min(GMRES_RESTART, beta.shape[0])
    def operator(w: jax.Array) -> jax.Array:
        return w - vjp_beta(w)[0]

    u, _ = gmres(operator, beta_bar, tol=tight, atol=0.0, restart=restart,
                 maxiter=max(1, 4 * beta.shape[0] // restart), solve_method="incremental")
    # A failed linear solve (singular Hessian on the free coefficients) gives NaN, never a plausible wrong gradient.
    miss = jnp.linalg.norm(operator(u) - beta_bar)
    u = jnp.where(miss <= LINEAR_SOLVE_SLACK * jnp.sqrt(tight) * jnp.linalg.norm(beta_bar), u, jnp.nan)
    _, vjp_params = jax.vjp(lambda lm, dyn, cs: fixed_point_map(beta, lm, dyn, cs), lam, dynamic, consts)
    lam_bar, dynamic_bar, consts_bar = vjp_params(u)
    return jnp.zeros_like(beta0), jnp.zeros_like(tol), lam_bar, dynamic_bar, consts_bar


_argmin.defvjp(_argmin_fwd, _argmin_bwd)
