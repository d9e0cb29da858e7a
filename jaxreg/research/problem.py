"""A penalized problem over a pytree of parameters, seen by the solvers as a flat one.

The parameters are raveled into one vector ``b`` (leaves in ``jax.tree_util`` order); the options given per leaf
(``mask``, ``penalty_factor``, ``lower``, ``upper``, ``fixed``) are broadcast to the leaves and raveled alike. The
penalty acts on the masked (penalized) coordinates only, bounds clip every coordinate and fixed coordinates keep their
initial values: :class:`Masked` is the proximal operator of that whole function, so the one FISTA loop of
:mod:`jaxreg.solvers` solves the pytree problem unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from jaxreg._penalty_object import is_penalty_object
from jaxreg.penalties.base import ProxPenalty
from jaxreg.penalties.concave import DEFAULT_GAMMA, MIN_GAMMA, FoldedConcave
from jaxreg.penalties.elastic_net import ElasticNet

#: Penalty names understood by :func:`jaxreg.solve_path` and :func:`jaxreg.solve`, with their ``l1_ratio``.
NAMED_PENALTIES = {"l1": 1.0, "l2": 0.0, "elastic_net": None, "mcp": 1.0, "scad": 1.0}  # mcp, scad: default
#: Leaves whose path contains one of these names (case-insensitive) are not penalized by default.
UNPENALIZED_NAMES = ("bias", "intercept")


@dataclass(frozen=True)
class Flattener:
    """Ravel a pytree of arrays into one vector and back; hashable, so it can be a static argument of ``jit``."""

    treedef: Any
    shapes: tuple[tuple[int, ...], ...]

    @classmethod
    def of(cls, tree: Any) -> "Flattener":
        leaves, treedef = jax.tree_util.tree_flatten(tree)
        return cls(treedef, tuple(tuple(np.shape(leaf)) for leaf in leaves))

    def ravel(self, tree: Any) -> jax.Array:
        leaves = jax.tree_util.tree_leaves(tree)
        return jnp.concatenate([jnp.ravel(leaf) for leaf in leaves]) if leaves else jnp.zeros(0)

    def unravel(self, flat: jax.Array) -> Any:
        sizes = [int(np.prod(s)) for s in self.shapes]
        parts = jnp.split(flat, np.cumsum(sizes)[:-1]) if sizes else []
        return jax.tree_util.tree_unflatten(self.treedef, [p.reshape(s) for p, s in zip(parts, self.shapes)])


class FlatLoss:
    """``fn(b, *consts)`` on the raveled parameters, with the two methods FISTA and its certificate use."""

    def __init__(self, fn: Callable[..., jax.Array], consts: tuple[Any, ...] = ()):
        self.fn, self.consts = fn, consts

    def value(self, b: jax.Array) -> jax.Array:
        return self.fn(b, *self.consts)

    def grad(self, b: jax.Array) -> jax.Array:
        return jax.grad(self.fn)(b, *self.consts)

    def dual_parts(self, b: jax.Array) -> tuple[jax.Array, jax.Array, None]:
        f, g = jax.value_and_grad(self.fn)(b, *self.consts)
        return f, g, None


class Masked(NamedTuple):
    """``inner`` on the coordinates ``idx``, box constraints on all, fixed coordinates held at ``fixed_value``.

    ``prox`` applies the inner prox to ``z[idx]``, then clips to ``[lower, upper]`` (exact when the inner penalty is
    separable: clipping the minimiser of a convex function of one variable minimises it over the interval), then
    resets fixed coordinates.
    """

    inner: Any
    idx: jax.Array
    lower: jax.Array
    upper: jax.Array
    fixed: jax.Array
    fixed_value: jax.Array

    def value(self, beta: jax.Array, lam: jax.Array) -> jax.Array:
        return self.inner.value(beta[self.idx], lam)

    def prox(self, z: jax.Array, step: jax.Array, lam: jax.Array) -> jax.Array:
        inner_step = step[self.idx] if jnp.ndim(step) else step  # per-coordinate steps (optax_prox) follow z
        b = z.at[self.idx].set(self.inner.prox(z[self.idx], inner_step, lam))
        return jnp.where(self.fixed, self.fixed_value, jnp.clip(b, self.lower, self.upper))


class Problem(NamedTuple):
    """What :func:`build` makes of the user's arguments."""

    flattener: Flattener
    beta0: jax.Array  # raveled initial parameters (inside the bounds)
    penalty: Masked
    penalized: np.ndarray  # (P,) bool


def _leaf_names(path: tuple[Any, ...]) -> list[str]:
    names = []
    for key in path:
        for attr in ("key", "name", "idx"):
            if hasattr(key, attr):
                names.append(str(getattr(key, attr)).lower())
                break
    return names


def default_mask(params: Any) -> Any:
    """Penalize every leaf except those whose path names a bias or an intercept (e.g. ``params["bias"]``)."""
    def penalize(path: tuple[Any, ...], leaf: Any) -> bool:
        return not any(u in name for name in _leaf_names(path) for u in UNPENALIZED_NAMES)

    return jax.tree_util.tree_map_with_path(penalize, params)


def per_leaf(option: Any, params: Any, name: str, fill: Any, dtype: Any) -> list[Any]:
    """``option`` (a pytree prefix of ``params``: one value per leaf, per subtree or for all) broadcast to the leaves.

    Returns one array per leaf of ``params``; NumPy arrays when ``option`` is concrete, JAX arrays when it is traced
    (e.g. penalty factors being differentiated).
    """
    if option is None:
        option = fill

    def expand(opt: Any, sub: Any) -> Any:
        def leaf(p: Any) -> Any:
            xp = jnp if isinstance(opt, jax.core.Tracer) else np
            arr = xp.asarray(opt, dtype=dtype) if dtype is not bool else xp.asarray(opt)
            try:
                return xp.broadcast_to(arr, np.shape(p))
            except ValueError:
                raise ValueError(f"{name}: a value of shape {np.shape(arr)} cannot apply to a parameter of shape "
                                 f"{np.shape(p)}.") from None
        return jax.tree_util.tree_map(leaf, sub)

    try:
        expanded = jax.tree_util.tree_map(expand, option, params)
    except ValueError as err:
        if str(err).startswith(name):
            raise
        raise ValueError(f"{name} must have the structure of the parameters (or a prefix of it): {err}") from None
    return jax.tree_util.tree_leaves(expanded)


def _concat(leaves: list[Any], dtype: Any) -> Any:
    if any(isinstance(leaf, jax.core.Tracer) for leaf in leaves):
        return jnp.concatenate([jnp.ravel(leaf).astype(dtype) for leaf in leaves])
    return np.concatenate([np.ravel(leaf).astype(dtype) for leaf in leaves])


def build(params: Any, *, penalty: Any, l1_ratio: Any, mask: Any, penalty_factor: Any, lower: Any, upper: Any,
          fixed: Any, gamma: Any = None) -> Problem:
    """Validate the per-leaf options and make the flat problem (see the module docstring)."""
    if not isinstance(penalty, str) and penalty_factor is not None:
        raise ValueError("penalty_factor applies to named penalties only; a penalty object carries its own weights.")
    flattener = Flattener.of(params)
    beta0 = flattener.ravel(params)
    dt = beta0.dtype
    mask_flat = np.asarray(_concat(per_leaf(default_mask(params) if mask is None else mask, params, "mask", True,
                                            bool), bool))
    fixed_flat = np.asarray(_concat(per_leaf(fixed, params, "fixed", False, bool), bool))
    pf = _concat(per_leaf(penalty_factor, params, "penalty_factor", 1.0, dt), dt)
    lo = _concat(per_leaf(lower, params, "lower", -np.inf, dt), dt)
    up = _concat(per_leaf(upper, params, "upper", np.inf, dt), dt)
    if not isinstance(pf, jax.core.Tracer) and (np.any(~np.isfinite(pf)) or np.any(pf < 0)):
        raise ValueError("penalty_factor must be finite and non-negative.")
    for arr, nm in ((lo, "lower"), (up, "upper")):
        if not isinstance(arr, jax.core.Tracer) and np.any(np.isnan(arr)):
            raise ValueError(f"{nm} must not contain NaN.")
    if not any(isinstance(a, jax.core.Tracer) for a in (lo, up)) and np.any(lo > up):
        raise ValueError("lower must not exceed upper for any parameter.")
    penalized = mask_flat & ~fixed_flat
    idx = np.flatnonzero(penalized)
    inner = named_penalty(penalty, l1_ratio, jnp.asarray(pf, dt)[idx], dt, gamma)
    beta0 = jnp.where(jnp.asarray(fixed_flat), beta0, jnp.clip(beta0, lo, up))
    masked = Masked(inner, jnp.asarray(idx, jnp.int32), jnp.asarray(lo, dt), jnp.asarray(up, dt),
                    jnp.asarray(fixed_flat), beta0)
    return Problem(flattener, beta0, masked, penalized)


def named_penalty(penalty: Any, l1_ratio: Any, pf: jax.Array, dtype: Any, gamma: Any = None) -> Any:
    """The inner penalty: an :class:`~jaxreg.penalties.ElasticNet` (or, for ``"mcp"``, ``"scad"``, a
    :class:`~jaxreg.penalties.FoldedConcave`) for a name, or the user's object as given."""
    concave = isinstance(penalty, str) and penalty in DEFAULT_GAMMA
    if gamma is not None and not concave:
        raise ValueError(f"gamma applies to penalty='mcp' or 'scad' only, not {penalty!r}.")
    if isinstance(penalty, str):
        if penalty not in NAMED_PENALTIES:
            raise ValueError(f"penalty must be one of {sorted(NAMED_PENALTIES)} or a penalty object, got {penalty!r}.")
        fixed_ratio = NAMED_PENALTIES[penalty]
        if fixed_ratio is None:
            if l1_ratio is None:
                raise ValueError("l1_ratio is required with penalty='elastic_net'.")
            ratio = l1_ratio
        elif concave:  # a ridge part is allowed: l1_ratio defaults to 1
            ratio = fixed_ratio if l1_ratio is None else l1_ratio
        else:
            if l1_ratio is not None and l1_ratio != fixed_ratio:
                raise ValueError(f"l1_ratio={l1_ratio} contradicts penalty={penalty!r}; use penalty='elastic_net'.")
            ratio = fixed_ratio
        if not isinstance(ratio, jax.core.Tracer) and not 0.0 <= float(ratio) <= 1.0:
            raise ValueError(f"l1_ratio must lie in [0, 1], got {ratio}.")
        inf = jnp.full(pf.shape, jnp.inf, dtype)
        if not concave:
            return ElasticNet(jnp.asarray(ratio, dtype), pf, -inf, inf)
        gamma = DEFAULT_GAMMA[penalty] if gamma is None else gamma
        low = MIN_GAMMA[penalty]  # exclusive, as in jaxreg.path
        if not isinstance(gamma, jax.core.Tracer) and not low < float(gamma) < np.inf:
            raise ValueError(f"gamma must lie in ({low}, inf) for penalty={penalty!r}, got {gamma}.")
        return FoldedConcave(jnp.asarray(ratio, dtype), pf, -inf, inf, jnp.asarray(gamma, dtype),
                             jnp.asarray(penalty == "scad"))
    if not is_penalty_object(penalty):
        raise TypeError("penalty must be a name or an object with value(beta, lam) and prox(z, step, lam) methods "
                        f"(see jaxreg.penalties.ProxPenalty), got {type(penalty).__name__}.")
    if l1_ratio is not None:
        raise ValueError("l1_ratio applies to named penalties only; a penalty object carries its own parameters.")
    return penalty


__all__ = ["Flattener", "FlatLoss", "Masked", "Problem", "ProxPenalty", "build", "default_mask", "per_leaf"]
