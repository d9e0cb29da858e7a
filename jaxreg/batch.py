"""Many independent paths in one call: several responses, or one response under many weightings (bootstrap)."""

from __future__ import annotations

import dataclasses
from typing import Any

import jax
import numpy as np

from jaxreg import _validation as v
from jaxreg._batch import check_subproblem, run_batch
from jaxreg._responses import check_response
from jaxreg._run import assemble
from jaxreg._setup import Setup, setup
from jaxreg._sharding import MeshAxis, check_mesh
from jaxreg.result import Path


def _paths(s: Setup, ys: np.ndarray, weights: np.ndarray, grids: np.ndarray, alphas: np.ndarray,
           batch_size: int | None, progress: bool, mesh: MeshAxis | None) -> list[Path]:
    res = run_batch(s, ys, weights, grids, alphas, s.config, batch_size=batch_size, progress=progress, mesh=mesh)
    return [assemble(jax.tree_util.tree_map(lambda a, b=b: a[b], res), s._replace(l1_ratio=float(alphas[b])))
            for b in range(weights.shape[0])]


def multi_response_path(X: Any, Y: Any, *, batch_size: int | None = None, progress: bool = False, mesh: Any = None,
                        mesh_axis: str | None = None, **path_kwargs: Any) -> list[Path]:
    """Fit ``m`` independent paths, one per column of ``Y`` (n, m), on the same design, in one batched call.

    Each column ``y_k`` gets exactly the path :func:`jaxreg.path` would give for ``(X, y_k)`` — its own λmax,
    default grid and early stop — through one compiled solver, ``vmap``-ped over the columns (``batch_size`` at a
    time; default: all on a GPU/TPU, one at a time on each core of a CPU). This is *not* glmnet's
    ``"mgaussian"`` family, whose group penalty ties the responses together.

    Parameters
    ----------
    X : (n, p) array-like
        The design, shared by every response.
    Y : (n, m) array-like
        The responses (for ``family="binomial"``, each column holds two labels).
    batch_size : int, optional
        Responses per vectorized call (with a mesh: rounded up to a multiple of its devices). A requested size
        that would not fit in memory is a ``ValueError`` naming one that would; the default shrinks to fit.
    progress : bool
        Print a line per batch to standard error.
    mesh : jax.sharding.Mesh, optional
        Split each vectorized call's responses across the devices of ``mesh_axis`` (``X`` replicated on each);
        default ``batch_size``: all responses, padded up to a multiple of the device count.
    mesh_axis : str, optional
        The mesh axis to split along; needed only when the mesh has several axes.
    **path_kwargs
        Every keyword of :func:`jaxreg.path`.

    Returns
    -------
    list of Path
        One per column of ``Y``.
    """
    sharding = check_mesh(mesh, mesh_axis)
    family = path_kwargs.get("family", "gaussian")
    if family in ("mgaussian", "cox"):
        raise ValueError(f"family: multi_response_path fits one path per column of Y; family={family!r} takes a "
                         "multi-column response of its own: use jaxreg.path (or weighted_paths for replicates).")
    ya = np.asarray(Y)
    if ya.ndim != 2 or ya.shape[1] == 0:
        raise ValueError(f"Y: expected a 2-D array of shape (n_samples, n_responses), got shape {ya.shape}.")
    s = setup(X, ya[:, 0], **path_kwargs)  # validates X and the options once
    responses = [(s.y, s.classes)] + [check_response(ya[:, k], s.x.shape[0], s.family) for k in range(1, ya.shape[1])]
    for k, (_, labels) in enumerate(responses):
        if s.family == "multinomial" and len(labels) != len(s.classes):  # K is compiled in
            raise ValueError(f"Y: column {k} has {len(labels)} classes, column 0 has {len(s.classes)}; "
                             "multinomial columns must have the same number of classes.")
    ys = np.stack([r for r, _ in responses])
    m = ys.shape[0]
    fits = _paths(s, ys, np.broadcast_to(s.weights, (m, s.x.shape[0])), np.broadcast_to(s.grid, (m, s.grid.size)),
                  np.full(m, s.l1_ratio), batch_size, progress, sharding)
    return [dataclasses.replace(f, classes=c) for f, (_, c) in zip(fits, responses)]  # labels per column


def weighted_paths(X: Any, y: Any, sample_weights: Any, *, l1_ratio: Any = 1.0, lambdas: Any = None,
                   batch_size: int | None = None, progress: bool = False, mesh: Any = None,
                   mesh_axis: str | None = None, **path_kwargs: Any) -> list[Path]:
    """Fit one path per row of ``sample_weights`` (B, n) — bootstrap replicates, subsamples, folds — in one batch.

    Problem ``b`` is ``jaxreg.path(X, y, sample_weight=sample_weights[b], l1_ratio=l1_ratio[b],
    lambdas=lambdas[b])``: a zero weight drops a sample, an integer weight repeats it. ``l1_ratio`` may be one
    value or one per problem; ``lambdas`` one grid (L,) or one per problem (B, L); default: each problem's own
    default grid.
    ``batch_size``, ``progress``, ``mesh`` and ``mesh_axis`` are as in :func:`multi_response_path` (with a mesh,
    the rows of ``sample_weights`` are split across its devices).

    Returns
    -------
    list of Path
        One per row of ``sample_weights``.
    """
    sharding = check_mesh(mesh, mesh_axis)
    alphas = None if l1_ratio is None else v.to_float_array(l1_ratio, "l1_ratio").ravel()
    if alphas is not None and alphas.size == 0:
        raise ValueError("l1_ratio: expected one value or one per problem, got none.")
    s = setup(X, y, l1_ratio=None if alphas is None else float(alphas[0]), lambdas=None if lambdas is None else
              np.ravel(np.asarray(lambdas, dtype=float))[:1], **path_kwargs)
    alphas = np.array([s.l1_ratio]) if alphas is None else alphas  # None: path's default for the penalty
    n = s.x.shape[0]
    w = v.to_float_array(sample_weights, "sample_weights")
    if w.ndim != 2 or w.shape[1] != n or w.shape[0] == 0:
        raise ValueError(f"sample_weights: expected shape (n_problems, {n}), got {w.shape}.")
    # each row: finite, non-negative, positive sum
    rows = [v.check_weights(row, n, name=f"sample_weights[{b}]") for b, row in enumerate(w)]
    B = len(rows)
    for b, row in enumerate(rows):
        check_subproblem(s, row, "sample_weights", f"row {b}")
    if alphas.size not in (1, B):
        raise ValueError(f"l1_ratio: expected one value or {B} (one per row of sample_weights), got {alphas.size}.")
    alphas = np.broadcast_to(alphas, (B,)).copy()
    if l1_ratio is not None:  # (setup's default is valid, or NaN for a penalty object, which has no α)
        for a in alphas:
            v.check_scalar(float(a), "l1_ratio", low=0.0, high=1.0)
    if lambdas is None:
        grids = np.broadcast_to(s.grid, (B, s.grid.size))
    else:
        lam = np.asarray(lambdas, dtype=float)
        lam = np.broadcast_to(lam, (B, lam.shape[-1])) if lam.ndim == 1 else lam
        if lam.ndim != 2 or lam.shape[0] != B:
            raise ValueError(f"lambdas: expected shape (L,) or ({B}, L), got {np.shape(lambdas)}.")
        grids = np.stack([v.check_lambdas(g) for g in lam])
    ys = np.broadcast_to(s.y, (B, *s.y.shape))
    return _paths(s, ys, np.stack(rows), grids, alphas, batch_size, progress, sharding)


def bootstrap_path(X: Any, y: Any, n_replicates: int = 100, *, random_state: Any = None,
                   **kwargs: Any) -> tuple[list[Path], np.ndarray]:
    """Paths on ``n_replicates`` bootstrap resamples of the rows, as multinomial count weights in one batch.

    Returns the paths and the ``(n_replicates, n)`` integer counts (times each sample was drawn), so that
    out-of-bag samples (count 0) can be scored. Keywords as :func:`weighted_paths` (``mesh=`` splits the
    replicates across devices); a user ``sample_weight`` multiplies the counts.
    """
    n_replicates = v.check_int(n_replicates, "n_replicates", low=1)
    n = v.check_x(X).shape[0]
    counts = np.random.default_rng(random_state).multinomial(n, np.full(n, 1.0 / n), size=n_replicates)
    base = kwargs.pop("sample_weight", None)
    weights = counts * (1.0 if base is None else v.check_weights(base, n))
    return weighted_paths(X, y, weights, **kwargs), counts
