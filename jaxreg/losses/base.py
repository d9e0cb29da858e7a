"""The loss (datafit) contract every solver in jaxreg relies on.

A loss is a smooth convex function ``f(b)`` of the coefficients, with the data closed over in a pytree
(a ``NamedTuple``). Solvers and the duality gap use only these methods:

``value(beta)``
    ``f(beta)``.
``grad(beta)``
    ``∇f(beta)``, shape ``(p,)``.
``hess_matvec(v)``
    ``∇²f · v`` (for non-quadratic losses a reference curvature: an upper bound for logistic, the curvature at a
    reference point for poisson, whose curvature is unbounded), used by power iteration for the smallest step
    (backtracking lengthens it).
``diag()``
    the diagonal of that curvature, used for the Newton decrement of unpenalized coordinates.
``hess_block(beta, idx)``
    the exact Hessian ``∇²f(beta)[idx][:, idx]`` of a few coordinates (``idx`` of static length), used to profile
    out unpenalized coordinates before measuring the duality gap.
``dual_parts(beta)``
    ``(value, grad, aux)`` in one pass; ``aux`` is whatever ``dual_value`` needs.
``dual_value(s, aux)``
    ``−f^*(−s·u)`` where ``u`` is the dual point (the per-sample loss derivative at ``beta``) scaled by ``s``.
    With a penalty ``g`` and ``v = −grad``, weak duality gives ``min f + g ≥ dual_value(s) − g^*(s·v)``.
``restrict(idx, beta)``
    the same kind of loss as a function of ``beta[idx]`` only, the other coefficients held at their values in
    ``beta`` (used by working-set solvers; ``idx`` has a static length).
"""

from __future__ import annotations

from typing import Any, Protocol

import jax


class Loss(Protocol):
    """Structural type of a jaxreg loss (see the module docstring)."""

    def value(self, beta: jax.Array) -> jax.Array: ...

    def grad(self, beta: jax.Array) -> jax.Array: ...

    def hess_matvec(self, v: jax.Array) -> jax.Array: ...

    def diag(self) -> jax.Array: ...

    def hess_block(self, beta: jax.Array, idx: jax.Array) -> jax.Array: ...

    def dual_parts(self, beta: jax.Array) -> tuple[jax.Array, jax.Array, Any]: ...

    def dual_value(self, s: jax.Array, aux: Any) -> jax.Array: ...

    def restrict(self, idx: jax.Array, beta: jax.Array) -> "Loss": ...
