"""The Gram matrix of least squares' prepared design, computed by NumPy's BLAS on a CPU.

On XLA's CPU backend a float64 ``XᵀX`` runs as a general matrix product: on the 5,000 × 1,000 ``tall`` benchmark
problem it took 118–132 ms, against 56–70 ms for NumPy's ``X.T @ X``, which OpenBLAS computes as a symmetric rank-k
update (half the work) — measured on the 2-core benchmark machine. Handed to NumPy from inside the compiled core
(``jax.pure_callback``) the product took 117 ms, no faster than XLA's own, so :func:`jaxreg._run.run` prepares
the design in one compiled call, computes ``XᵀX/n`` with NumPy, and passes it to :func:`jaxreg._core.fit_path`,
which then skips its own product. Only a single path on a CPU takes this route (batches run their problems
concurrently on the cores, and accelerators have fast products of their own), and only when the product is large
enough for the extra call not to matter.
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from jaxreg._core import CoreConfig
from jaxreg._sharding import to_device
from jaxreg.preprocessing import normalize_weights, prepare

#: Least squares on a CPU computes ``XᵀX`` with NumPy when ``n·p²`` is at least this: on ``tall`` (5·10⁹) the path
#: took 0.93–0.94× the time, on ``square`` (2.5·10⁸, where the product takes a few ms) 1.06×.
HOST_GRAM_MIN_WORK = 1e9


@partial(jax.jit, static_argnames=("fit_intercept", "standardize"))
def prepared_design(x: jax.Array, weights: jax.Array, *, fit_intercept: bool, standardize: bool) -> jax.Array:
    """The design as the Gram form sees it: centred, scaled, rows times ``√w`` (see
    :func:`jaxreg.preprocessing.prepare`; ``y`` plays no part in it)."""
    w = normalize_weights(weights)
    return prepare(x, jnp.zeros(x.shape[:1], x.dtype), w, fit_intercept=fit_intercept, standardize=standardize).x


def host_gram(x: np.ndarray, weights: np.ndarray, *, fit_intercept: bool, standardize: bool) -> np.ndarray:
    """``XᵀX/n`` of the prepared design, by NumPy (``X.T @ X`` on one array is a symmetric rank-k update)."""
    xp = np.asarray(prepared_design(x, weights, fit_intercept=fit_intercept, standardize=standardize))
    gram = xp.T @ xp
    gram /= xp.shape[0]
    return gram


def use_host_gram(n: int, p: int, family: str, gram: bool, sharded: bool) -> bool:
    """Whether :func:`jaxreg._run.run` computes the Gram matrix with :func:`host_gram`."""
    return (gram and family == "gaussian" and not sharded and jax.default_backend() == "cpu"
            and n * p * p >= HOST_GRAM_MIN_WORK)


def place_design(x: np.ndarray | jax.Array, weights: np.ndarray, config: CoreConfig, *,
                 sharded: bool) -> tuple[jax.Array | np.ndarray, jax.Array | None]:
    """The design for :func:`jaxreg._core.fit_path`, on the device (see :func:`jaxreg._sharding.to_device`; a
    ``sharded`` one is already placed), and its ``gram`` argument: the Gram matrix where :func:`use_host_gram`
    says so, else ``None`` (the core computes its own)."""
    if not sharded:
        x = to_device(x)
    if not use_host_gram(*x.shape, config.family, config.gram, sharded):
        return x, None
    # aligned, so that XLA takes the Gram matrix as it is instead of copying it page by page (5 ms at p = 1,000)
    return x, to_device(host_gram(x, weights, fit_intercept=config.fit_intercept, standardize=config.standardize))
