"""What one compiled path holds in memory (XLA's ``memory_analysis``): no n × n or λ × n × p intermediate, and
the estimate behind the memory checks of batches (``jaxreg._sharding.BatchShape``) is never below it."""

import numpy as np
import pytest

from jaxreg._core import fit_path
from jaxreg._run import core_args
from jaxreg._setup import setup, x64
from jaxreg._sharding import BatchShape

N, P, L = 3_000, 20, 100


def _response(family, X, rng):
    n = X.shape[0]
    return {
        "gaussian": X[:, 0] + rng.standard_normal(n),
        "mgaussian": X[:, :3] + rng.standard_normal((n, 3)),
        "binomial": (X[:, 0] + rng.standard_normal(n) > 0).astype(float),
        "poisson": rng.poisson(np.exp(0.3 * X[:, 0])).astype(float),
        "multinomial": rng.integers(0, 3, n).astype(float),
        "cox": np.column_stack([rng.exponential(np.exp(-0.5 * X[:, 0])), rng.integers(0, 2, n)]),
    }[family]


@pytest.mark.parametrize(
    ("family", "n", "p", "options"),
    [
        ("gaussian", N, P, {"precompute": False}),
        ("gaussian", N, P, {"precompute": True}),
        ("gaussian", 200, 2_000, {}),  # working sets on a wide X
        ("mgaussian", N, P, {"precompute": False}),
        ("binomial", N, P, {}),
        ("binomial", 200, 2_000, {}),
        ("poisson", N, P, {}),
        ("multinomial", N, P, {}),
        ("cox", N, P, {}),
    ],
)
def test_compiled_path_memory(family, n, p, options):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, p))
    s = setup(X, _response(family, X, rng), family=family, n_lambdas=L, **options)
    with x64(True):
        args, custom = core_args(s)
        stats = fit_path.lower(*args, custom, config=s.config).compile().memory_analysis()
    held = stats.argument_size_in_bytes + stats.output_size_in_bytes + stats.temp_size_in_bytes
    design = 8 * n * p
    # far below one n × n matrix (tall X), one p × p matrix (wide X, iterated on) and one λ × n × p array
    square = 8 * (n * n if n > p else p * p)
    assert stats.temp_size_in_bytes + stats.output_size_in_bytes < min(square, L * design) / 3
    # the batch memory check's estimate of a chunk of one problem covers it, without refusing twice the need
    estimate = BatchShape.of(n, p, L, 8, family, s.config.gram, s.config.n_outputs).chunk_bytes(1)
    assert held <= estimate <= 2.5 * held, (held / design, estimate / design)
