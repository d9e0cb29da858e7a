"""Repeated calls with the same shapes reuse the compiled path: no recompilation per λ, α, tol, max_iter or data; the
``jaxreg`` command keeps its compiled programs on disk for the next process."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from reference_np import make_problem

import jaxreg
from jaxreg._core import fit_path


def test_same_shapes_hit_the_cache():
    X, y = make_problem(33, 7, seed=0)
    jaxreg.path(X, y, n_lambdas=17)
    before = fit_path._cache_size()
    rng = np.random.default_rng(0)
    jaxreg.path(X + rng.standard_normal(X.shape), y * 2, n_lambdas=17)
    jaxreg.path(X, y, n_lambdas=17, l1_ratio=0.3, tol=1e-6, sample_weight=rng.uniform(0.5, 1, 33),
                penalty_factor=rng.uniform(0.5, 1, 7), lower_bounds=-1.0, lambda_min_ratio=0.05, max_iter=777)
    assert fit_path._cache_size() == before
    jaxreg.path(X, y, n_lambdas=18)  # a different grid length is a new shape: one new compilation
    assert fit_path._cache_size() == before + 1


def test_default_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    from jaxreg.compile_cache import CACHE_ENV, default_cache_dir

    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "mine"))
    assert default_cache_dir() == tmp_path / "mine"
    monkeypatch.setenv(CACHE_ENV, "")
    assert default_cache_dir() is None
    monkeypatch.delenv(CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "jaxreg" / "xla"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_cache_dir() == Path.home() / ".cache" / "jaxreg" / "xla"


def test_the_command_keeps_its_compiled_programs_for_the_next_run(tmp_path):
    cache = tmp_path / "cache"
    # every program is stored, however fast it compiled (the tests compile at a low optimization level)
    env = {**os.environ, "JAXREG_CACHE_DIR": str(cache), "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0"}
    env.pop("JAX_COMPILATION_CACHE_DIR", None)

    def demo() -> list[str]:
        res = subprocess.run([sys.executable, "-m", "jaxreg", "demo", "--rows", "4", "--n-lambdas", "12"], env=env,
                             capture_output=True, text=True, check=True, cwd=tmp_path)
        return res.stdout.splitlines()[:-1]  # the last line gives the run time

    first = demo()
    stored = sorted(p.name for p in cache.iterdir())
    assert any(name.startswith("jit_fit_path") for name in stored), stored
    assert demo() == first
    assert sorted(p.name for p in cache.iterdir()) == stored  # every program came from the cache
    home = tmp_path / "home"
    for value, stored in (("", False), (None, True)):  # an empty JAXREG_CACHE_DIR turns the cache off
        other = {**env, "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache"), "JAXREG_CACHE_DIR": value}
        other = {k: v for k, v in other.items() if v is not None}
        subprocess.run([sys.executable, "-m", "jaxreg", "demo", "--rows", "1"], env=other, capture_output=True,
                       check=True, cwd=tmp_path)
        assert (home / ".cache" / "jaxreg" / "xla").is_dir() == stored


def test_a_cache_folder_that_cannot_be_made_does_not_stop_the_command(monkeypatch, capsys):
    import jaxreg.cli

    def refuse(directory=None):
        raise PermissionError("read-only file system")

    monkeypatch.setattr(jaxreg.cli, "enable_compilation_cache", refuse)
    assert jaxreg.cli.main(["demo", "--rows", "2", "--n-lambdas", "5"]) == 0
    assert "converged" in capsys.readouterr().out
