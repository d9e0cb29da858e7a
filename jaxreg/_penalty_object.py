"""Checks of a penalty object given to :func:`jaxreg.path` as ``penalty=`` (a user-written one, or one of
:mod:`jaxreg.penalties` built by hand).

The object acts on the ``p`` coefficients as the solver sees them (standardized columns unless
``standardize=False``). It carries its own parameters, so the arguments that build jaxreg's named penalties must be
left out. It is tried once here, outside ``jit``, on zeros, so that a wrong shape or a missing method is reported
naming ``penalty`` rather than as a tracer error; its array leaves become arguments of the compiled core and the rest
(Python scalars, the structure) a static part of its configuration.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from jaxreg._static import Static, split_static

#: What the duality gap of :func:`jaxreg.path` needs from a convex penalty (see :mod:`jaxreg.penalties.base`);
#: a non-convex one gives ``majorize`` instead, whose result must have them.
CONVEX_METHODS = ("value", "prox", "lambda_max", "conjugate", "dual_scale", "profiled")
NONCONVEX_METHODS = ("value", "prox", "lambda_max", "majorize")
#: ``path`` arguments that parametrise the named penalties only.
NAMED_ONLY = ("l1_ratio", "gamma", "groups", "penalty_factor", "lower_bounds", "upper_bounds")
#: Families whose coefficients form one vector of ``p`` (multinomial and mgaussian have ``p × K``).
OBJECT_FAMILIES = ("gaussian", "binomial", "poisson", "cox")


class PenaltyObject(NamedTuple):
    """A checked penalty object: its array leaves (NumPy), its static part, and what the path setup needs."""

    dynamic: list[Any]
    static: Static
    free: np.ndarray  # (p,) bool: unpenalized, unbounded coordinates (profiled like an intercept)
    convex: bool
    working_sets: bool  # has priority and restrict


def _has(obj: Any, name: str) -> bool:
    return callable(getattr(obj, name, None))


def is_penalty_object(penalty: Any) -> bool:
    return not isinstance(penalty, str) and _has(penalty, "value") and _has(penalty, "prox")


def check_penalty_object(penalty: Any, p: int, family: str, given: dict[str, Any],
                         working_set: Any = "auto") -> PenaltyObject:
    """Check ``penalty`` for :func:`jaxreg.path` (``given``: the named-penalty arguments as passed)."""
    convex = not _has(penalty, "majorize")
    needed = CONVEX_METHODS if convex else NONCONVEX_METHODS
    missing = [m for m in needed if not _has(penalty, m)]
    if missing:
        raise TypeError(f"penalty: a penalty object for jaxreg.path needs the methods {needed} (see "
                        f"jaxreg.penalties.base); {type(penalty).__name__} lacks {missing}.")
    if family not in OBJECT_FAMILIES:
        raise ValueError(f"penalty: a penalty object acts on one coefficient per feature: families "
                         f"{OBJECT_FAMILIES}, not {family!r}.")
    for name, value in given.items():
        if value is not None:
            raise ValueError(f"{name}: set it in the penalty object; with a penalty object (penalty="
                             f"{type(penalty).__name__}(...)), {', '.join(NAMED_ONLY)} are not used.")
    from jaxreg._setup import x64  # here: jaxreg._setup imports this module

    with x64(True):
        zero, one = jnp.zeros(p), jnp.ones(p)
        lam = jnp.ones(())
        try:
            shapes = {"value(beta, lam)": jnp.shape(penalty.value(zero, lam)),
                      "prox(z, step, lam)": jnp.shape(penalty.prox(zero, lam, lam)),
                      "lambda_max(v)": jnp.shape(penalty.lambda_max(one))}
            majorant = penalty if convex else penalty.majorize(zero, lam)
            if not convex:
                missing = [m for m in CONVEX_METHODS[3:] if not _has(majorant, m)]
                if missing:
                    raise TypeError(f"penalty: majorize(beta, lam) must return a convex penalty with "
                                    f"{CONVEX_METHODS[3:]}; {type(majorant).__name__} lacks {missing}.")
            free = np.asarray(majorant.profiled(one, lam) & majorant.profiled(-one, lam))
            shapes["profiled(v, lam)"] = free.shape
        except (TypeError, ValueError, IndexError) as exc:
            if str(exc).startswith("penalty:"):
                raise
            raise ValueError(f"penalty: calling {type(penalty).__name__}'s methods on {p} coefficients failed "
                             f"({type(exc).__name__}: {exc}); its arrays must have one entry per feature.") from None
    expected = {"value(beta, lam)": (), "prox(z, step, lam)": (p,), "lambda_max(v)": (), "profiled(v, lam)": (p,)}
    for what, shape in shapes.items():
        if shape != expected[what]:
            raise ValueError(f"penalty: {type(penalty).__name__}.{what} on {p} coefficients returned shape {shape}, "
                             f"expected {expected[what]}.")
    working_sets = _has(penalty, "priority") and _has(penalty, "restrict")
    if not working_sets and working_set not in ("auto", None, 0):
        raise ValueError("working_set: the penalty object has no priority and restrict methods (needed by working "
                         f"sets); use 'auto' or None, got {working_set!r}.")
    dynamic, static = split_static(penalty)
    try:
        hash(static)
    except TypeError:
        raise TypeError(f"penalty: the non-array fields of {type(penalty).__name__} must be hashable (Python "
                        "numbers, strings, tuples) or arrays.") from None
    dynamic = [None if a is None else np.asarray(jax.device_get(a)) for a in dynamic]
    return PenaltyObject(dynamic, static, free, convex, working_sets)


def cast_leaves(leaves: list[Any] | None, dtype: np.dtype) -> list[Any] | None:
    """A penalty object's array leaves for the core, floating ones cast to the path's dtype."""
    if leaves is None:
        return None
    return [a if a is None or a.dtype.kind != "f" else a.astype(dtype, copy=False) for a in leaves]
