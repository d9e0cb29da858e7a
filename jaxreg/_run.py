"""From a validated call (:class:`~jaxreg._setup.Setup`) to the compiled core and back.

:func:`core_args` gives :func:`~jaxreg._core.fit_path`'s arguments by name (:class:`CoreArgs`); :func:`run` calls
the core on them (rows split across a mesh when one is given); :func:`assemble` makes the
:class:`~jaxreg.result.Path` of its result and warns about λ that did not converge.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from jaxreg._convergence import is_saturated, warn_unconverged
from jaxreg._core import CoreResult, fit_path
from jaxreg._gram import place_design
from jaxreg._penalty_object import cast_leaves
from jaxreg._setup import Setup, x64
from jaxreg._sharding import BatchShape, MeshAxis, check_path_memory, device_memory, pad_rows, to_numpy
from jaxreg._static import merge_static
from jaxreg.result import Path


class CoreArgs(NamedTuple):
    """The array arguments of :func:`~jaxreg._core.fit_path`, by name and in its order (``fit_path(*args, ...)``)."""

    x: Any
    y: Any
    weights: Any
    penalty_factor: Any
    lower: Any
    upper: Any
    lambdas: Any
    l1_ratio: Any
    tol: Any
    max_iter: Any
    offset: Any

    #: The arguments with a row axis (split across a mesh's devices by rows).
    ROWS = ("x", "y", "weights", "offset")


def core_args(s: Setup) -> tuple[CoreArgs, list[np.ndarray | None] | None]:
    """The arguments of :func:`~jaxreg._core.fit_path` for a validated call (in ``s.dtype``), and the array leaves of
    a penalty object (``None`` without one)."""
    dt = s.dtype
    return CoreArgs(
        *(a.astype(dt, copy=False) for a in (s.x, s.y, s.weights, s.penalty_factor, s.lower, s.upper, s.grid)),
        l1_ratio=np.asarray(s.l1_ratio, dt),
        tol=np.asarray(s.tol, dt),
        max_iter=np.asarray(s.max_iter, np.int32),
        offset=None if s.offset is None else s.offset.astype(dt, copy=False),
    ), cast_leaves(s.custom, dt)


def run(s: Setup, mesh: MeshAxis | None = None) -> CoreResult:
    """The compiled core on a validated call, results as NumPy arrays.

    With a ``mesh``, the rows of ``X``, ``y`` and the weights are padded with zero-weight rows to a multiple of the
    mesh axis and split along it, the other arguments replicated (see :mod:`jaxreg._sharding`).
    """
    c = s.config
    shape = BatchShape.of(*s.x.shape, s.grid.shape[0], s.dtype.itemsize, c.family, c.gram, c.n_outputs)
    check_path_memory(shape, 1 if mesh is None else mesh.size, device_memory(mesh), c.family)
    with x64(s.dtype == np.float64):
        args, custom = core_args(s)
        if mesh is not None:
            rows = [k for k in CoreArgs.ROWS if getattr(args, k) is not None]
            args = args._replace(**dict(zip(rows, pad_rows(mesh.size, *(getattr(args, k) for k in rows)))))
            args = CoreArgs(*(a if a is None else mesh.put(a, split=k in rows) for k, a in args._asdict().items()))
            custom = None if custom is None else [a if a is None else mesh.put(a, split=False) for a in custom]
        x, gram = place_design(args.x, args.weights, c, sharded=mesh is not None)
        return to_numpy(fit_path(*args._replace(x=x), custom, gram, config=s.config))


def assemble(res: CoreResult, s: Setup, *, l1_ratio: float | None = None, warn: bool = True) -> Path:
    """The :class:`Path` of one core result (λ after an early stop dropped); warns about unconverged λ."""
    keep = res.active
    coef = res.coef[keep]
    fit = Path(
        lambdas=res.lambdas[keep],
        coef=coef,
        intercept=res.intercept[keep],
        gap=res.gap[keep],
        converged=res.converged[keep],
        n_iter=res.n_iter[keep],
        dev_ratio=res.dev_ratio[keep],
        df=np.count_nonzero(coef.reshape(coef.shape[0], coef.shape[1], -1).any(axis=2), axis=1),  # features in use
        l1_ratio=s.l1_ratio if l1_ratio is None else float(l1_ratio),
        lambda_max=float(res.lambda_max),
        family=s.family,
        feature_names=s.feature_names,
        tol=s.tol,
        classes=s.classes,
        penalty=s.config.penalty if s.custom is None else merge_static(s.custom, s.config.custom),
        penalty_gamma=s.config.gamma or None,
        groups=np.asarray(s.config.groups) if s.config.groups else None,
        has_offset=s.offset is not None,
        multinomial_grouped=s.config.multinomial_grouped,
    )
    if warn and not fit.converged.all():
        warn_unconverged(fit.lambdas[~fit.converged], fit.n_lambdas, float(fit.gap.max()), s,
                         saturated=is_saturated(fit))
    return fit
