"""Tests run in float64 (plus explicit float32 checks).

Property-based tests are derandomized by default, so that CI is reproducible; run
``HYPOTHESIS_PROFILE=explore python -m pytest tests/test_properties.py`` to search new random examples.
"""

import gc
import os
import subprocess
import sys

#: Compile-time flags for the test run (set before JAX starts its CPU backend; appended to any the caller set).
#: The suite compiles hundreds of distinct programs, mostly on tiny data, so it is dominated by XLA's compile time:
#: LLVM optimization level 0 without its expensive passes compiles a logistic path ~1.8× faster (3.7 s → 2.0 s on
#: 2 cores) at the cost of slower loops, which the tests' small problems do not feel; XLA's older (non-MLIR) fusion
#: emitters compile such programs another ~1.6× faster (least squares 1.55 → 0.80 s, cox 2.58 → 1.81 s, same results
#: to the last digit; at XLA's default optimization level they gain nothing). No fast-math either way, so results
#: differ at most by rounding; benchmarks and users keep XLA's defaults.
BASE_XLA_FLAGS = "--xla_backend_optimization_level=0 --xla_llvm_disable_expensive_passes=true"
NEWER_XLA_FLAGS = "--xla_cpu_use_fusion_emitters=false"


def _known_flags() -> str:
    """The test flags this jaxlib knows: XLA aborts a process on a flag it does not know, and the fusion-emitter one
    is a switch of XLA's transition, bound to go. Probed once in a subprocess (≈1 s); pytest-xdist's workers inherit
    the answer through the environment."""
    flags = f"{BASE_XLA_FLAGS} {NEWER_XLA_FLAGS}"
    env = {**os.environ, "XLA_FLAGS": flags, "JAX_PLATFORMS": "cpu"}
    probe = subprocess.run([sys.executable, "-c", "import jax.numpy as jnp; jnp.zeros(1).block_until_ready()"],
                           env=env, capture_output=True)
    return flags if probe.returncode == 0 else BASE_XLA_FLAGS


if "JAXREG_TEST_XLA_FLAGS" not in os.environ:
    os.environ["JAXREG_TEST_XLA_FLAGS"] = _known_flags()
TEST_XLA_FLAGS = os.environ["JAXREG_TEST_XLA_FLAGS"]
os.environ.setdefault("JAXREG_USER_XLA_FLAGS", os.environ.get("XLA_FLAGS", ""))  # for subprocesses run as a user's
os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {TEST_XLA_FLAGS}".strip()
#: The ``jaxreg`` command keeps compiled programs in ~/.cache (jaxreg.compile_cache): not from the tests, which run it
#: in this process and in subprocesses; tests of the cache give it a folder of their own.
os.environ["JAXREG_CACHE_DIR"] = ""
#: Compiled programs are shared by the test processes (pytest-xdist's workers, notebook kernels, subprocesses) and
#: kept for the next run, in JAX's persistent cache under .pytest_cache/ (git-ignored; about 100 MB a run of changed
#: code, never evicted: delete .pytest_cache/jax to reclaim it). A run from a clean clone took 916 s instead of
#: 1,026 s on 2 cores; JAX keys each entry by the program, its version, the device and the compiler flags, so no
#: stale entry is used.
_JAX_CACHE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), ".pytest_cache", "jax")
os.environ.setdefault("JAX_COMPILATION_CACHE_DIR", _JAX_CACHE)
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")

import jax  # noqa: E402
import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

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
