"""The penalty contract every solver in jaxreg relies on.

A penalty is a convex function ``g(b)`` (or, below, a folded concave one) scaled by ``λ``: separable,
``Σ_j g_j(b_j)``, like the elastic net (:mod:`.elastic_net`), or separable over groups of coordinates, like the
group lasso (:mod:`.group`). It is a pytree
(a ``NamedTuple``) holding its per-feature parameters, and it provides pure functions of the coefficients:

``value(beta, lam)``
    ``λ g(beta)``.
``prox(z, step, lam)``
    ``argmin_b  ½‖b − z‖² + step · λ g(b)``, the proximal operator used by proximal gradient.
``conjugate(v, lam)``
    ``(λ g)^*(v)`` (for a separable penalty ``Σ_j (λ g_j)^*(v_j)``), the Fenchel conjugate, from which the duality
    gap is computed. It is evaluated only at points that ``dual_scale`` made finite.
``dual_scale(v, lam)``
    the largest ``s ∈ (0, 1]`` such that ``conjugate(s v, lam)`` is finite, ignoring the coordinates reported by
    ``profiled``.
``profiled(v, lam)``
    a boolean mask of coordinates whose conjugate is infinite unless ``v_j = 0`` exactly (unpenalized, unbounded in
    the direction of ``v_j``). The duality gap treats them like the intercept: their optimality is measured by a
    Newton decrement instead of by the dual.
``lambda_max(v)``
    the smallest ``λ`` at which ``b = 0`` is optimal given the loss gradient ``−v`` at zero.

For working sets (:mod:`jaxreg.solvers.working_set`; a group penalty gives all coordinates of a group the same
priority, so that its nonzero groups enter whole):

``priority(beta, v, lam)``
    how much each coefficient needs to be optimized: ``inf`` where it must stay in the working set (nonzero,
    unpenalized, or in a group with a nonzero coefficient), otherwise a score of how strongly ``v`` pulls it away
    from 0 (≥ 1 means it violates the optimality conditions at 0). A working set full of ``inf`` stops growing.
``restrict(idx)``
    the penalty of the coefficients ``idx`` only (per-feature parameters gathered; used by working sets).

Optionally, for the Newton polish of :mod:`jaxreg.solvers.newton` (skipped for penalties without them):

``face(beta, lam)``
    ``(grad, curvature, free)``: on the face of ``beta`` (the signs of its coefficients and which sit at a bound
    held fixed) ``λg`` is smooth; its gradient and diagonal second derivative there, and the mask of coordinates
    free to move on the face.
``onto_face(beta, trial)``
    ``trial`` put back on the closure of that face (a coefficient whose sign would flip across a kink at zero set
    to zero, bounds clipped).
``face_hessian(beta, lam, idx)`` (optional too)
    ``λg``'s second derivative on the face, rows and columns ``idx``, where it is not diagonal (a group norm couples
    its coordinates: :class:`~jaxreg.penalties.group.SparseGroup`); without it the Newton system adds the diagonal
    ``curvature``.

A non-convex penalty (:mod:`.concave`: MCP, SCAD) provides ``value``, ``prox``, ``priority``, ``restrict`` and
``lambda_max``, and instead of the conjugate:

``majorize(beta, lam)``
    the convex penalty (with the functions above) of a convex majorant of the objective that is exact at ``beta``
    (the concave part linearized there). Its duality gap at ``beta`` is the certificate: zero exactly at a
    stationary point.

Adding a penalty means writing these functions; the solver and the duality gap never change: the object is passed
as ``jaxreg.path(X, y, penalty=obj)`` (it then acts on the ``p`` solver-scale coefficients; the path keeps a GLM's
intercept outside it, :mod:`.intercept`).

The proximal-gradient loop itself needs only ``value`` and ``prox``: that much (:class:`ProxPenalty`) is enough for
:func:`jaxreg.solve_path` and :func:`jaxreg.solve`, which stop on the proximal-gradient residual instead of the
duality gap. The rest serves the duality gap, screening and λmax of :func:`jaxreg.path`.
"""

from __future__ import annotations

from typing import Protocol

import jax


class ProxPenalty(Protocol):
    """What a penalty must provide for proximal gradient: ``λ g(beta)`` and ``argmin_b ½‖b − z‖² + step·λ g(b)``.

    A penalty written by a user is a pytree (e.g. a ``NamedTuple``) holding its parameters as arrays, so that
    :func:`jaxreg.solve` can differentiate the solution with respect to them.
    """

    def value(self, beta: jax.Array, lam: jax.Array) -> jax.Array: ...

    def prox(self, z: jax.Array, step: jax.Array, lam: jax.Array) -> jax.Array: ...


class Penalty(ProxPenalty, Protocol):
    """Structural type of a jaxreg penalty for :func:`jaxreg.path` (see the module docstring for the maths)."""

    def conjugate(self, v: jax.Array, lam: jax.Array) -> jax.Array: ...

    def dual_scale(self, v: jax.Array, lam: jax.Array) -> jax.Array: ...

    def profiled(self, v: jax.Array, lam: jax.Array) -> jax.Array: ...

    def lambda_max(self, v: jax.Array) -> jax.Array: ...

    def priority(self, beta: jax.Array, v: jax.Array, lam: jax.Array) -> jax.Array: ...

    def restrict(self, idx: jax.Array) -> "Penalty": ...
