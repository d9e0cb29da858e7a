"""Tests run in float64 (plus explicit float32 checks).

Property-based tests are derandomized by default, so that CI is reproducible; run
``HYPOTHESIS_PROFILE=explore python -m pytest tests/test_properties.py`` to search new random examples.
"""

import gc
import os

import jax
import pytest
from hypothesis import settings

jax.config.update("jax_enable_x64", True)

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


#: Every compiled XLA CPU program holds a few hundred memory maps (≈270 for a small path). The whole suite compiles
#: thousands of programs, and a process that passes the kernel's vm.max_map_count (65,530 by default) is aborted
#: inside XLA without a message — which is what happened to CI. Past this many maps, the caches are cleared.
MAX_MAPS = 30_000


def _n_maps() -> int:
    try:
        with open(f"/proc/{os.getpid()}/maps") as fh:
            return sum(1 for _ in fh)
    except OSError:  # not Linux
        return 0


@pytest.fixture(autouse=True)
def _bounded_compilation_cache():
    yield
    if _n_maps() > MAX_MAPS:
        jax.clear_caches()
        gc.collect()
