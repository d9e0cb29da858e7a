"""A penalty on the features, extended to a GLM's intercept column: one more coordinate, left free.

:func:`jaxreg.path` solves GLMs with the intercept as a last, unpenalized coordinate. Its own penalties carry that
coordinate in their per-feature arrays (penalty factor 0, no bounds); a penalty object given by the user
(``path(penalty=obj)``) knows only the ``p`` features, so it is wrapped in :class:`WithIntercept`, which passes it
``b[:p]`` and leaves ``b[p]`` unpenalized and profiled (see :mod:`jaxreg.solvers.gap`). A working set holds the
intercept at some position: there the wrapper passes the restricted penalty a placeholder feature at 0 (a penalty
is 0 at 0, so this changes nothing) and leaves the coordinate free.

The optional parts of the contract (working sets, Newton faces, a non-convex penalty's majorant) exist on the
wrapper exactly when the wrapped penalty has them: each is a property that is ``None`` otherwise, which is how the
solvers test for them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp


def _has(obj: Any, name: str) -> bool:
    return callable(getattr(obj, name, None))


class WithIntercept(NamedTuple):
    """``inner`` on the features, the intercept free: the last coordinate (``free is None``; ``intercept`` is its
    index ``p``), or, in a working set, the positions where ``free`` is true."""

    inner: Any
    intercept: jax.Array  # int array (a pytree leaf, never static)
    free: jax.Array | None = None

    def _in(self, x: jax.Array) -> jax.Array:
        """What ``inner`` sees of a full-length vector."""
        return x[:-1] if self.free is None else jnp.where(self.free, 0, x)

    def _out(self, r: jax.Array, fill: jax.Array) -> jax.Array:
        """``inner``'s result ``r`` back at full length, ``fill`` (full length) at the intercept."""
        return jnp.append(r, fill[-1]) if self.free is None else jnp.where(self.free, fill, r)

    def value(self, beta: jax.Array, lam: jax.Array) -> jax.Array:
        return self.inner.value(self._in(beta), lam)

    def prox(self, z: jax.Array, step: jax.Array, lam: jax.Array) -> jax.Array:
        return self._out(self.inner.prox(self._in(z), step, lam), z)

    def conjugate(self, v: jax.Array, lam: jax.Array) -> jax.Array:
        return self.inner.conjugate(self._in(v), lam)  # the intercept is profiled: the gap handles its term apart

    def dual_scale(self, v: jax.Array, lam: jax.Array) -> jax.Array:
        return self.inner.dual_scale(self._in(v), lam)

    def profiled(self, v: jax.Array, lam: jax.Array) -> jax.Array:
        return self._out(self.inner.profiled(self._in(v), lam), jnp.ones(v.shape, bool))

    def lambda_max(self, v: jax.Array) -> jax.Array:
        return self.inner.lambda_max(self._in(v))

    @property
    def majorize(self) -> Callable[[jax.Array, jax.Array], WithIntercept] | None:
        if not _has(self.inner, "majorize"):
            return None
        return lambda beta, lam: self._replace(inner=self.inner.majorize(self._in(beta), lam))

    @property
    def priority(self) -> Callable[[jax.Array, jax.Array, jax.Array], jax.Array] | None:
        if not _has(self.inner, "priority"):
            return None
        return lambda beta, v, lam: self._out(self.inner.priority(self._in(beta), self._in(v), lam),
                                              jnp.full(v.shape, jnp.inf, v.dtype))

    @property
    def restrict(self) -> Callable[[jax.Array], WithIntercept] | None:
        if not _has(self.inner, "restrict") or self.free is not None:
            return None

        def restrict(idx: jax.Array) -> WithIntercept:
            free = idx == self.intercept
            return WithIntercept(self.inner.restrict(jnp.where(free, 0, idx)), self.intercept, free)

        return restrict

    @property
    def face(self) -> Callable[[jax.Array, jax.Array], tuple[jax.Array, jax.Array, jax.Array]] | None:
        if not (_has(self.inner, "face") and _has(self.inner, "onto_face")):
            return None

        def face(beta: jax.Array, lam: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array]:
            grad, curvature, free = self.inner.face(self._in(beta), lam)
            zero = jnp.zeros_like(beta)
            return self._out(grad, zero), self._out(curvature, zero), self._out(free, jnp.ones(beta.shape, bool))

        return face

    @property
    def face_hessian(self) -> Callable[[jax.Array, jax.Array, jax.Array], jax.Array] | None:
        if not _has(self.inner, "face_hessian"):
            return None

        def face_hessian(beta: jax.Array, lam: jax.Array, idx: jax.Array) -> jax.Array:
            at = idx == self.intercept if self.free is None else self.free[idx]  # the intercept: no curvature
            h = self.inner.face_hessian(self._in(beta), lam, jnp.where(at, 0, idx))
            return jnp.where(at[:, None] | at[None, :], 0.0, h)

        return face_hessian

    @property
    def onto_face(self) -> Callable[[jax.Array, jax.Array], jax.Array] | None:
        if not (_has(self.inner, "face") and _has(self.inner, "onto_face")):
            return None
        return lambda beta, trial: self._out(self.inner.onto_face(self._in(beta), self._in(trial)), trial)
