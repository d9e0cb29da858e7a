"""Many independent paths through one compiled core: cross-validation folds, several α, many responses.

Each problem of a batch differs from the others only in arrays — its response, its sample weights (a fold is a
0/1 mask on them), its λ grid and its ``l1_ratio`` — so one compilation of :func:`jaxreg._core.fit_path` serves
them all. Problems run in chunks of ``batch_size``: a chunk is one ``vmap``-ped call (on an accelerator the whole
batch is one chunk); ``batch_size=1`` runs them one after another through the unbatched core, which on a CPU is
faster for all but tiny designs, because each problem then stops as soon as it converges and its working-set
buckets are chosen per λ (under ``vmap`` every iteration runs for the slowest member of the chunk, and a vmapped
chunk keeps only the largest working-set bucket: :func:`batched_config`).
On a CPU the chunks run on a pool of threads, one per core (:func:`concurrent_chunks`).

With a mesh, the problems of a chunk are split across the devices of the mesh axis (``X`` and the per-feature
arrays replicated), and XLA runs the vmapped core on each device's share: chunks are a multiple of the device
count, by default the whole batch padded up to one. Before anything runs, the memory of a chunk is estimated
(:class:`jaxreg._sharding.BatchShape`): a default chunk that would not fit shrinks, a requested one is an error
naming the ``batch_size`` that would fit.
"""

from __future__ import annotations

import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import jax
import numpy as np

from jaxreg import _validation as v
from jaxreg._core import CoreConfig, CoreResult, fit_path
from jaxreg._run import core_args
from jaxreg._setup import Setup, x64
from jaxreg._sharding import (
    MEMORY_FRACTION,
    BatchShape,
    MeshAxis,
    device_memory,
    plan_batch_size,
    to_device,
    to_numpy,
)

#: In-axes of fit_path's arguments for a batch: (x, y, weights, pf, lower, upper, lambdas, l1_ratio, tol, max_iter,
#: offset, custom).
_IN_AXES = (None, 0, 0, None, None, None, 0, 0, None, None, None, None)


@partial(jax.jit, static_argnames=("config",))
def fit_batch(x, y, weights, penalty_factor, lower, upper, lambdas, l1_ratio, tol, max_iter, offset=None, custom=None,
              *,
              config: CoreConfig) -> CoreResult:
    """:func:`fit_path` vmapped over a leading axis of ``y``, ``weights``, ``lambdas`` and ``l1_ratio`` (the
    ``offset``, like ``x``, and a penalty object's arrays ``custom`` are shared)."""
    core = partial(fit_path, config=config)
    return jax.vmap(core, in_axes=_IN_AXES)(x, y, weights, penalty_factor, lower, upper, lambdas, l1_ratio, tol,
                                            max_iter, offset, custom)


def batched_config(config: CoreConfig) -> CoreConfig:
    """The configuration of a ``vmap``-ped chunk: the largest working-set bucket only.

    Under ``vmap`` the bucket is chosen per problem, so ``lax.switch`` becomes a select that runs every bucket's
    restricted solve at every outer step; the largest bucket alone holds whatever a smaller one would, runs once
    and compiles a fraction of the program. Measured on 2 CPU cores (``cv_path``, 10 folds in one vmapped call,
    warm): ``wide`` 8.9 → 6.1 s, ``logit-wide`` 12.4 → 7.0 s, ``corr`` 21.7 → 20.0 s, ``square`` unchanged
    (4.5 s), first calls 3–9 s shorter; a smaller single bucket loses (``wide`` with 128 only: 66 s).
    """
    return config._replace(working_set=config.working_set[-1:])


def check_subproblem(s: Setup, weights: np.ndarray, argument: str, what: str) -> None:
    """A ``ValueError`` naming ``argument`` when the weights ``weights`` leave a problem without a solution.

    Zero total weight (any family); one class only (binomial: the intercept would be infinite); a class missing
    (multinomial: likewise); no positive response (poisson: likewise); no event (cox).
    """
    keep = weights > 0
    if not keep.any():
        raise ValueError(f"{argument}: {what} has zero total sample_weight.")
    y = s.y[keep]
    if s.family == "binomial" and y.min() == y.max():
        raise ValueError(f"{argument}: {what} holds one class only.")
    if s.family == "multinomial" and np.unique(y).size < len(s.classes):
        missing = sorted(set(range(len(s.classes))) - set(np.unique(y).astype(int).tolist()))
        raise ValueError(f"{argument}: {what} lacks class(es) {[s.classes[k] for k in missing]} (their intercept "
                         "would be -inf).")
    if s.family == "poisson" and not (y > 0).any():
        raise ValueError(f"{argument}: {what} has no positive response (the poisson intercept would be -inf).")
    if s.family == "cox" and not (y[:, 1] > 0).any():
        raise ValueError(f"{argument}: {what} has no event (status 1): its partial likelihood is constant.")


def default_batch_size(n_problems: int) -> int:
    """All problems in one vmapped call on an accelerator, one at a time on a CPU.

    Measured on 2 CPU cores (cv_path, 10 folds): vmapping is 4× slower on the 1,000 × 500 batch-cv problem and
    1.2–1.3× slower at 500 × 200 and 200 × 400, but 2–2.7× faster for tiny designs (100 × 20, 300 × 50), where it
    saves tens of milliseconds; one rule is kept rather than a size threshold (pass ``batch_size`` to choose).
    """
    return n_problems if jax.default_backend() in ("gpu", "tpu") else 1


def run_batch(
    s: Setup,
    y: np.ndarray,
    weights: np.ndarray,
    grids: np.ndarray,
    l1_ratios: np.ndarray,
    config: CoreConfig,
    *,
    batch_size: int | None = None,
    progress: bool = False,
    label: str = "paths",
    mesh: MeshAxis | None = None,
) -> CoreResult:
    """Fit ``B`` paths (``y``, ``weights``: (B, n); ``grids``: (B, L); ``l1_ratios``: (B,)) sharing ``s``'s design.

    Returns the core's arrays with a leading batch axis, as NumPy arrays. ``progress`` prints one line per chunk to
    standard error. With a ``mesh``, each chunk's problems are split along the mesh axis; chunks are then a multiple
    of its size (default: the whole batch, padded), the padding repeating the last problem.
    """
    if batch_size is not None:
        batch_size = v.check_int(batch_size, "batch_size", low=1)
    n_problems = weights.shape[0]
    shards = 1 if mesh is None else mesh.size
    default = default_batch_size(n_problems) if mesh is None else n_problems
    shape = BatchShape.of(*s.x.shape, grids.shape[1], s.dtype.itemsize, config.family, config.gram, config.n_outputs)
    available = device_memory(mesh)
    size = plan_batch_size(shape, n_problems, batch_size, default, shards, available)
    starts = list(range(0, n_problems, size))
    workers = 1 if mesh is not None else concurrent_chunks(shape, size, len(starts), available)
    dt = s.dtype
    start = time.perf_counter()
    with x64(dt == np.float64):
        args, custom = core_args(s)  # the per-problem ones (y, weights, grid, α) come from the batch instead
        shared = [args.x, args.penalty_factor, args.lower, args.upper, args.tol, args.max_iter, args.offset]
        if mesh is not None:
            shared = [a if a is None else mesh.put(a, split=False) for a in shared]  # placed once for every chunk
            custom = None if custom is None else [a if a is None else mesh.put(a, split=False) for a in custom]
        else:
            shared[0] = to_device(shared[0])  # once, not once per chunk
        x, pf, lower, upper, tol, max_iter, offset = shared

    def chunk(lo: int) -> CoreResult:
        with x64(dt == np.float64):  # JAX's configuration is per thread
            idx = np.arange(lo, lo + size).clip(max=n_problems - 1)  # the last chunk repeats its last problem
            yb, wb, gb, ab = (np.asarray(a[idx], dt) for a in (y, weights, grids, l1_ratios))
            if mesh is not None:
                yb, wb, gb, ab = (mesh.put(a, split=True) for a in (yb, wb, gb, ab))
            if size == 1 and mesh is None:
                res = fit_path(x, yb[0], wb[0], pf, lower, upper, gb[0], ab[0], tol, max_iter, offset, custom,
                               config=config)
                res = jax.tree_util.tree_map(lambda a: a[None], res)
            else:
                res = fit_batch(x, yb, wb, pf, lower, upper, gb, ab, tol, max_iter, offset, custom,
                                config=batched_config(config))
            keep = min(size, n_problems - lo)
            return jax.tree_util.tree_map(lambda a: a[:keep], to_numpy(res))

    parts: list[CoreResult] = []

    def record(part: CoreResult) -> None:
        parts.append(part)
        if progress:
            done = min(n_problems, len(parts) * size)
            print(f"jaxreg: {done}/{n_problems} {label} fitted ({time.perf_counter() - start:.1f} s)",
                  file=sys.stderr, flush=True)

    record(chunk(starts[0]))  # alone, so that it compiles once before other threads call it
    if workers > 1:
        with ThreadPoolExecutor(workers) as pool:
            for part in pool.map(chunk, starts[1:]):
                record(part)
    else:
        for lo in starts[1:]:
            record(chunk(lo))
    return jax.tree_util.tree_map(lambda *a: np.concatenate(a, axis=0), *parts)


def concurrent_chunks(shape: BatchShape, size: int, n_chunks: int, available: int | None) -> int:
    """How many chunks run at once: on a CPU one per core (fewer when their memory would not fit), else one.

    XLA runs each small solve on one core, and the problems of a batch are independent, so a CPU batch runs its
    chunks on a pool of threads (JAX releases the GIL while a compiled call runs): 1.6× faster on the 2-core
    benchmark machine (batch-cv, 50 paths of 1,000 × 500). Accelerators run one chunk (the whole batch) at a time.
    """
    if jax.default_backend() != "cpu" or n_chunks < 2:
        return 1
    workers = min(n_chunks, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
    while workers > 1 and available is not None and shape.chunk_bytes(workers * size, 1) > MEMORY_FRACTION * available:
        workers -= 1
    return workers
