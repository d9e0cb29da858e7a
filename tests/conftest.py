"""Tests run in float64 (plus explicit float32 checks).

Property-based tests are derandomized by default, so that CI is reproducible; run
``HYPOTHESIS_PROFILE=explore python -m pytest tests/test_properties.py`` to search new random examples.
"""

import os

import jax
from hypothesis import settings

jax.config.update("jax_enable_x64", True)

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
