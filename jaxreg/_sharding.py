"""Several devices and memory: a checked ``jax.sharding.Mesh``, arrays placed on it, and memory estimates.

Two ways to spread a fit over the devices of a mesh axis, both letting XLA's SPMD partitioner split the work of the
one compiled core (no ``shard_map``):

* **rows** (:func:`jaxreg.path`): the rows of ``X``, ``y`` and the sample weights are split across the devices,
  everything else is replicated; every product with ``X`` becomes a per-device product and a sum across devices.
  Rows are padded with zero-weight rows to a multiple of the axis size, which changes nothing (weights are
  rescaled to sum to the number of rows, and every sum over rows is a weighted one);
* **batch** (:func:`jaxreg.cv_path`, :mod:`jaxreg.batch`): the leading axis of a batch of problems (responses,
  weights, λ grids, α) is split, ``X`` and the per-feature arrays are replicated.

Arrays are placed with ``jax.make_array_from_callback``, which copies only the shards of the calling process's
own devices: with a mesh spanning several processes (``jax.distributed.initialize()``), every process passes the
same full arrays, and results are gathered to every process (``multihost_utils.process_allgather``).
"""

from __future__ import annotations

import os
from typing import Any, NamedTuple

import jax
import numpy as np
from jax.experimental import multihost_utils
from jax.sharding import Mesh, NamedSharding, PartitionSpec

#: Share of a device's memory (on a CPU: of the host's physical memory) that a fit may plan to use; XLA's own
#: temporaries and whatever else the process holds need the rest.
MEMORY_FRACTION = 0.8


class MeshAxis(NamedTuple):
    """A mesh and the one axis along which rows or problems are split (the mesh's other axes replicate)."""

    mesh: Mesh
    axis: str

    @property
    def size(self) -> int:
        """Number of devices along the axis: row counts and batch chunks are padded to multiples of it."""
        return int(self.mesh.shape[self.axis])

    def put(self, a: np.ndarray, split: bool) -> jax.Array:
        """``a`` on the mesh, its leading axis split along :attr:`axis` when ``split``, else replicated."""
        a = np.asarray(a)
        spec = PartitionSpec(self.axis) if split else PartitionSpec()
        return jax.make_array_from_callback(a.shape, NamedSharding(self.mesh, spec), lambda index: a[index])


def check_mesh(mesh: Any, mesh_axis: Any = None) -> MeshAxis | None:
    """The checked ``mesh`` and ``mesh_axis`` (``None`` without a mesh).

    A mesh with one axis needs no ``mesh_axis``; with several, ``mesh_axis`` names the one to split along. Axes of
    ``jax.make_mesh``'s default *explicit* type are turned into *automatic* ones (same devices, same names): the
    core is written for the global view, and XLA chooses where to sum across devices.
    """
    if mesh is None:
        if mesh_axis is not None:
            raise ValueError("mesh_axis: given without a mesh; pass mesh= (a jax.sharding.Mesh) too.")
        return None
    if not isinstance(mesh, Mesh):
        raise TypeError(f"mesh: expected a jax.sharding.Mesh, got {type(mesh).__name__}.")
    names = tuple(mesh.axis_names)
    if mesh_axis is None:
        if len(names) != 1:
            raise ValueError(f"mesh_axis: the mesh has axes {names}; name the one to split along (mesh_axis=...).")
        mesh_axis = names[0]
    if mesh_axis not in names:
        raise ValueError(f"mesh_axis: {mesh_axis!r} is not an axis of the mesh (axes: {names}).")
    axis_type = getattr(jax.sharding, "AxisType", None)  # JAX ≥ 0.5; older meshes are automatic already
    if axis_type is not None and any(t != axis_type.Auto for t in getattr(mesh, "axis_types", ())):
        mesh = Mesh(mesh.devices, names, axis_types=(axis_type.Auto,) * len(names))
    return MeshAxis(mesh, mesh_axis)


def pad_rows(multiple: int, *arrays: np.ndarray) -> list[np.ndarray]:
    """``arrays`` (sharing their leading axis) padded with zero rows to a multiple of ``multiple`` rows.

    With the sample weights among them, the padding rows have zero weight and the fit is the unpadded one.
    """
    extra = -arrays[0].shape[0] % multiple
    return [np.pad(a, [(0, extra)] + [(0, 0)] * (a.ndim - 1)) if extra else a for a in arrays]


#: NumPy arrays at least this large reach a CPU device without a copy (see :func:`to_device`).
ALIAS_MIN_BYTES = 1 << 20


def to_device(a: np.ndarray) -> jax.Array:
    """``a`` on JAX's default device; on a CPU, a large array in place rather than copied.

    XLA's CPU client copies a NumPy array into fresh memory, faulted in 4 KiB page by page (a 5,000 × 1,000
    float64 design: 9,766 page faults, 23–38 ms on the 2-core benchmark machine), unless the array is C-contiguous
    and 64-byte aligned, which it then uses as it is (0.5 ms). NumPy aligns to 16 bytes but backs large arrays with
    huge pages, so an unaligned ``a`` is first copied into an aligned NumPy buffer (4–8 ms). XLA never writes
    into its arguments, and the callers wait for their results, so sharing the caller's array is safe.
    """
    if a.nbytes < ALIAS_MIN_BYTES or jax.default_backend() != "cpu":
        return jax.device_put(a)
    if not (a.flags.c_contiguous and a.ctypes.data % 64 == 0):
        buf = np.empty(a.nbytes + 64, np.uint8)
        start = -buf.ctypes.data % 64
        aligned = buf[start:start + a.nbytes].view(a.dtype).reshape(a.shape)
        aligned[...] = a
        a = aligned
    return jax.device_put(a)


def to_numpy(tree: Any) -> Any:
    """Every array of ``tree`` as a NumPy array; arrays spanning other processes' devices are gathered first."""
    def one(a: Any) -> np.ndarray:
        if isinstance(a, jax.Array) and not a.is_fully_addressable:
            return np.asarray(multihost_utils.process_allgather(a, tiled=True))
        return np.asarray(a)
    return jax.tree_util.tree_map(one, tree)


def device_memory(devices: Any = None) -> int | None:
    """Bytes one of ``devices`` (a sequence of devices, a :class:`MeshAxis`' devices, or by default JAX's first
    device) can hold; ``None`` when unknown (then no check).

    An accelerator reports its ``bytes_limit``; CPU devices share the host's physical memory, which is divided
    among those of ``devices`` that belong to this process.
    """
    if isinstance(devices, MeshAxis):
        devices = devices.mesh.devices.flat
    devices = list(jax.devices()[:1] if devices is None else devices)
    try:
        stats = devices[0].memory_stats()
    except Exception:  # noqa: BLE001 - some backends do not implement memory_stats
        stats = None
    if stats and stats.get("bytes_limit"):
        return int(stats["bytes_limit"])
    try:
        ram = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):  # not POSIX
        return None
    local = sum(d.process_index == jax.process_index() for d in devices)
    return ram // max(1, local)


def _size(nbytes: float) -> str:
    return f"{nbytes / 1e9:.1f} GB" if nbytes >= 1e8 else f"{nbytes / 1e6:.1f} MB"


def gram_bytes(p: int, itemsize: int) -> int:
    """Bytes of a ``p × p`` Gram matrix."""
    return p * p * itemsize


def use_gram(precompute: bool | str, n: int, p: int, itemsize: int, available: int | None) -> bool:
    """Whether to iterate on the Gram matrix, given ``available`` bytes per device (``None``: unknown).

    ``"auto"`` takes it when ``n ≥ p`` and it fits in ``MEMORY_FRACTION`` of the memory; an explicit ``True``
    that does not fit is a ``ValueError`` naming ``precompute=False``, which iterates on ``X`` instead.
    """
    fits = available is None or gram_bytes(p, itemsize) <= MEMORY_FRACTION * available
    if precompute == "auto":
        return n >= p and fits
    if precompute and not fits:
        raise ValueError(f"precompute: precompute=True needs a {p:,}×{p:,} Gram matrix "
                         f"({_size(gram_bytes(p, itemsize))}) but only {_size(available)} of device memory is "
                         "available; pass precompute=False (iterate on X).")
    return bool(precompute)


class BatchShape(NamedTuple):
    """What sets the memory of a batch of paths: the design, the grid length, the dtype and the loss's form."""

    n: int
    p: int
    n_lambdas: int
    itemsize: int
    gram: bool
    design_copies: int = 2  # n × p arrays each problem holds at its peak, see :meth:`of`
    n_outputs: int = 1  # K: classes or responses (coefficients and residuals have K columns)

    @classmethod
    def of(cls, n: int, p: int, n_lambdas: int, itemsize: int, family: str, gram: bool,
           n_outputs: int = 0) -> BatchShape:
        """The shape of a batch for ``family``, with the number of design copies XLA was measured to hold.

        Measured with ``memory_analysis()`` of the compiled core (XLA CPU, float64; 2,000–4,000 × 50–100 and
        500 × 1,000; ``tests/test_memory.py`` checks the estimate against it): least squares peaks at about 2.1
        prepared designs on ``X`` (3 counted) and 1.1 with a Gram matrix (2 counted); binomial and poisson at 3.2
        (their intercept column is a copy; 4 counted), cox at 5.3 (the rows sorted by time; 6 counted), multinomial
        at about 4.5 K (working sets expand the design to one column per coefficient; 5 K counted).
        """
        k = max(n_outputs, 1)
        copies = {"gaussian": 2 if gram else 3, "mgaussian": 2 if gram else 3, "cox": 6, "multinomial": 5 * k}
        return cls(n, p, n_lambdas, itemsize, gram, copies.get(family, 4), k)

    def problem_bytes(self) -> int:
        """Dominant arrays of one problem in a vectorized call: its prepared design (the weights, hence the
        centring and scaling, are its own), its Gram matrix when iterating on one, its coefficients (on the
        solver's scale and the original one) and a few vectors of length n (per output)."""
        n, p, k = self.n, self.p, self.n_outputs
        return self.itemsize * (self.design_copies * n * p + (p * p if self.gram else 0) + 2 * self.n_lambdas * p * k
                                + 8 * n * k)

    def chunk_bytes(self, chunk: int, shards: int = 1) -> int:
        """Bytes per device of a call on ``chunk`` problems split over ``shards`` devices (``X`` replicated)."""
        return self.itemsize * self.n * self.p + -(-chunk // shards) * self.problem_bytes()


def check_path_memory(shape: BatchShape, shards: int, available: int | None, family: str) -> None:
    """A ``ValueError`` naming ``X`` when one path (its rows split over ``shards`` devices) would not fit in
    ``MEMORY_FRACTION`` of ``available`` bytes per device (``None``: unknown, no check), with the options that would.
    """
    rows = BatchShape(-(-shape.n // shards), *shape[1:])
    need = rows.chunk_bytes(1)
    if available is None or need <= MEMORY_FRACTION * available:
        return
    on_x = BatchShape.of(rows.n, shape.p, shape.n_lambdas, shape.itemsize, family, False, shape.n_outputs)
    remedies = _remedies(shape, on_x.chunk_bytes(1) < need, "mesh= with more devices (rows split across them)")
    raise ValueError(f"X: one {family} path on {shape.n:,} × {shape.p:,} needs about {_size(need)} per device but "
                     f"only {_size(available)} is available; try {remedies}.")


def _remedies(shape: BatchShape, x_fits: bool, last: str) -> str:
    """The options that shrink a call: the X form instead of the Gram form (when the X form fits), float32 instead
    of float64, then ``last``."""
    options = ["precompute=False"] if shape.gram and x_fits else []
    options += ["dtype='float32'"] if shape.itemsize == 8 else []
    return " or ".join([*options, last])


def plan_batch_size(shape: BatchShape, n_problems: int, requested: int | None, default: int, shards: int,
                    available: int | None) -> int:
    """Problems per vectorized call: ``requested`` (or ``default``), rounded up to a multiple of ``shards``.

    With ``available`` bytes per device (``None``: unknown, no check), a default that would not fit in
    ``MEMORY_FRACTION`` of it shrinks to the largest size that does; a ``requested`` size that would not fit is a
    ``ValueError`` naming the ``batch_size`` that would (or, when not even one problem per device fits, the other
    options: ``precompute=False``, ``dtype='float32'``, or fitting each problem with its rows split by
    :func:`jaxreg.path`).
    """
    cap = -(-n_problems // shards) * shards
    size = min(cap, -(-max(1, int(requested if requested is not None else default)) // shards) * shards)
    if available is None or shape.chunk_bytes(size, shards) <= MEMORY_FRACTION * available:
        return size
    room = (MEMORY_FRACTION * available - shape.itemsize * shape.n * shape.p) // shape.problem_bytes()
    fitting = int(room) * shards
    if fitting < 1:
        on_x = BatchShape.of(*shape[:4], "gaussian", gram=False, n_outputs=shape.n_outputs)  # Gram: least squares
        x_fits = on_x.chunk_bytes(shards, shards) <= MEMORY_FRACTION * available
        remedies = _remedies(shape, x_fits, "jaxreg.path with mesh= (rows split across devices) for each problem")
        raise ValueError(f"batch_size: even one problem ({shape.n:,} × {shape.p:,}) per device needs about "
                         f"{_size(shape.chunk_bytes(shards, shards))} but only {_size(available)} is available; "
                         f"try {remedies}.")
    if requested is not None:
        need = _size(shape.chunk_bytes(size, shards))
        raise ValueError(f"batch_size: batch_size={requested} needs about {need} per device ({size} problems of "
                         f"{shape.n:,} × {shape.p:,} in one call) but only {_size(available)} is available; pass "
                         f"batch_size={fitting}.")
    return fitting
