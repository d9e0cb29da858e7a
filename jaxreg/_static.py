"""Split a pytree (a penalty object) into its array leaves, traced by ``jit``, and the rest, static (hashable).

Shared by :func:`jaxreg.path` (a penalty object given as ``penalty=``) and the research API (:func:`jaxreg.solve_path`,
:func:`jaxreg.solve`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jax
import numpy as np


@dataclass(frozen=True)
class Static:
    """The non-array part of a pytree (its structure and its other leaves): hashable, a static argument of ``jit``."""

    treedef: Any
    leaves: tuple[Any, ...]


def _is_array(leaf: Any) -> bool:
    return isinstance(leaf, (jax.Array, np.ndarray, np.generic, jax.core.Tracer))


def split_static(tree: Any) -> tuple[list[Any], Static]:
    """``tree``'s array leaves (traced, differentiable) and the rest (static: ints, floats, strings, objects).

    A penalty's Python scalars (a group size, MCP's ``gamma``) therefore shape the compiled program; its arrays are
    arguments, and :func:`jaxreg.solve` differentiates with respect to them.
    """
    leaves, treedef = jax.tree_util.tree_flatten(tree)
    dynamic = [leaf if _is_array(leaf) else None for leaf in leaves]
    return dynamic, Static(treedef, tuple(None if _is_array(leaf) else leaf for leaf in leaves))


def merge_static(dynamic: list[Any], static: Static) -> Any:
    """Inverse of :func:`split_static`."""
    leaves = [d if s is None else s for d, s in zip(dynamic, static.leaves)]
    return jax.tree_util.tree_unflatten(static.treedef, leaves)
