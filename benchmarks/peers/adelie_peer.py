"""adelie (``grpnet``), run from its own virtualenv ``.venv-adelie`` (it pins numpy < 2, jax needs numpy ≥ 2);
the data travel through ``.npy`` files (see ``adelie_worker.py``)."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from benchmarks.peers.base import Peer, Run, Solution
from benchmarks.peers.worker import LineWorker
from benchmarks.problems import Problem

WORKER = Path(__file__).with_name("adelie_worker.py")
REPO = Path(__file__).resolve().parents[2]


def adelie_python() -> Path:
    """The interpreter of the adelie virtualenv (``$ADELIE_PYTHON`` or ``<repo>/.venv-adelie``)."""
    env = os.environ.get("ADELIE_PYTHON")
    if env:
        return Path(env)
    exe = "Scripts/python.exe" if sys.platform == "win32" else "bin/python"
    return REPO / ".venv-adelie" / exe


@functools.cache
def _version() -> str | None:
    py = adelie_python()
    if not py.exists():
        return None
    try:
        out = subprocess.run([str(py), "-c", "import adelie, numpy; print(adelie.__version__, numpy.__version__)"],
                             capture_output=True, text=True, timeout=300, check=True).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{out[0]} (numpy {out[1]})"


class AdeliePeer(Peer):
    """adelie's ``grpnet``, ``intercept=True`` (cox: ``False``), the same λ grid (divided by K where adelie's loss is
    divided by K), ``early_exit=False`` (and ``adev_tol=1``, ``ddev_tol=0``: never stop the path on deviance), ``tol``
    and ``irls_tol`` (used by the non-Gaussian families) tightened together until the gap holds.

    adelie minimizes ``ℓ(η) + λ Σ_g ω_g (α‖β_g‖₂ + (1−α)/2 ‖β_g‖²)`` with observation weights 1/n. Per family (the
    worker's docstring has the details):

    - gaussian, binomial, poisson: singleton groups, ``ω_g = √|g| = 1``; ``ℓ`` is ``1/(2n)‖y − η‖²``, the mean
      negative log-likelihood: the benchmark objective (up to a constant), same λ.
    - mgaussian: ``ℓ = 1/(2nK)‖Y − η‖²_F`` (+ const), one group per feature (its K coefficients) with ``ω = 1``
      (passed explicitly; adelie's default is √K); λ_adelie = λ / K, so adelie's objective is the benchmark's / K.
    - multinomial: ``ℓ`` = mean multinomial negative log-likelihood / K (symmetric parametrization, K unpenalized
      intercepts); λ_adelie = λ / K. ``grpnet`` groups a feature's K coefficients for multi-response GLMs (glmnet's
      "grouped" type) and its ``groups`` are feature indices there, so the benchmark's ungrouped L1 penalty is set up
      through adelie's public state API (``adelie.state.multiglm_naive`` with one group per coefficient, the
      construction ``grpnet`` itself uses) and solved with the state's ``solve``.
    - cox: ``glm.cox`` with start = −∞, stop = time, ``tie_method="breslow"``, weights 1/n: the Breslow partial
      likelihood / n up to a constant; ``intercept=False``, same λ; intercepts returned as zeros.

    The new families run with α = 1 only (the elastic-net variants are not verified here). It runs with
    ``n_threads`` = the number of CPU cores (as a user would). Times are measured inside the worker around the
    fitting calls (interpreter start-up and file transfer excluded).
    """

    name = "adelie"
    families = ("gaussian", "binomial", "poisson", "multinomial", "mgaussian", "cox")
    #: Families added with a λ conversion (or a hand-built state) verified for the lasso (α = 1) only.
    lasso_only = ("multinomial", "mgaussian", "cox")
    start_tol = 1e-7  # grpnet's default tol (and irls_tol)

    def __init__(self) -> None:
        self._dirs: dict[str, Path] = {}
        self._root = Path(tempfile.mkdtemp(prefix="bench-adelie-"))
        self._worker = LineWorker([str(adelie_python()), str(WORKER)])

    def unavailable(self) -> str | None:
        if _version() is None:
            return (f"adelie not importable from {adelie_python()} (create it with: python3 -m venv .venv-adelie && "
                    ".venv-adelie/bin/pip install adelie)")
        return None

    def unsupported(self, problem: Problem) -> str | None:
        reason = super().unsupported(problem)
        if reason is None and problem.family in self.lasso_only and any(s.l1_ratio != 1 for s in problem.paths):
            reason = (f"the adelie peer fits the {problem.family} family for the lasso (l1_ratio = 1) only: its "
                      "elastic-net objective has not been checked against the benchmark's")
        return reason

    def version(self) -> str:
        return _version() or "unavailable"

    def _data_dir(self, problem: Problem) -> Path:
        key = f"{problem.name}-{problem.n}x{problem.p}"
        if key not in self._dirs:
            d = self._root / key
            d.mkdir()
            np.save(d / "X.npy", np.asarray(problem.X, dtype=np.float64))
            np.save(d / "y.npy", np.asarray(problem.y, dtype=np.float64))
            paths = []
            for k, spec in enumerate(problem.paths):
                np.save(d / f"lambda_{k}.npy", spec.lambdas)
                rows = None
                if spec.rows is not None:
                    rows = f"rows_{k}.npy"
                    np.save(d / rows, spec.rows)
                paths.append({"l1_ratio": spec.l1_ratio, "lambdas": f"lambda_{k}.npy", "rows": rows})
            (d / "paths.json").write_text(json.dumps(paths))
            self._dirs[key] = d
        return self._dirs[key]

    def run(self, problem: Problem, tol: float, n_calls: int) -> Run:
        d = self._data_dir(problem)
        job = {"family": problem.family, "n_calls": n_calls, "tol": tol, "n_threads": os.cpu_count() or 1,
               "paths": json.loads((d / "paths.json").read_text())}
        (d / "job.json").write_text(json.dumps(job))
        (d / "out.npz").unlink(missing_ok=True)
        self._worker.request(str(d))
        with np.load(d / "out.npz") as out:
            solutions = [Solution(out[f"intercepts_{k}"], out[f"coefs_{k}"]) for k in range(len(problem.paths))]
            times = out["times"].tolist()
        return Run(solutions, times)

    def close(self) -> None:
        self._worker.close()
        shutil.rmtree(self._root, ignore_errors=True)

    def settings(self, tol: float) -> str:
        return f"tol=irls_tol={tol:g}"
