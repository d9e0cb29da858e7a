"""R glmnet, called through ``Rscript`` with the data passed in binary files (see ``glmnet_path.R``)."""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from benchmarks.peers.base import Peer, Run, Solution
from benchmarks.peers.worker import LineWorker
from benchmarks.problems import BINOMIAL, COX, GAUSSIAN, MGAUSSIAN, MULTI_RESPONSE, MULTINOMIAL, POISSON, Problem

SCRIPT = Path(__file__).with_name("glmnet_path.R")


@functools.cache
def _r_versions() -> tuple[str, str] | str:
    """(glmnet version, R version), or why R/glmnet cannot be used."""
    if shutil.which("Rscript") is None:
        return "Rscript not found (apt-get install r-cran-glmnet)"
    code = ('suppressMessages(library(glmnet)); '
            'cat(as.character(packageVersion("glmnet")), R.version$major, R.version$minor)')
    try:
        out = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True, timeout=120, check=True).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        return f"R glmnet not loadable: {exc}"
    glmnet, major, minor = out.split()
    return glmnet, f"{major}.{minor}"


class GlmnetPeer(Peer):
    """R glmnet with ``standardize = FALSE``, the same λ grid and ``thresh`` tightened until the gap holds.

    glmnet's objective is the benchmark's for the lasso and for the binomial and poisson families (poisson: up to a
    constant, the benchmark measures the loss from the saturated model). The other families, lasso only (α = 1):

    - ``multinomial`` (y: labels ``0 … K−1``, passed as a factor; ``type.multinomial = "ungrouped"``, the default):
      the mean negative multinomial log-likelihood of ``η_ik = b0_k + x_iᵀB_k`` plus ``λ Σ_jk |B_jk|``, an L1
      penalty on every coefficient of the symmetric (K-class, not K−1 contrasts) parametrization. Returned as glmnet
      gives it: intercepts (L, K) with glmnet's own centring, coefs (L, p, K), not re-centred.
    - ``mgaussian`` (y: (n, K); ``standardize.response = FALSE``, the default, explicit):
      ``1/(2n) ‖Y − 1b0ᵀ − XB‖_F² + λ Σ_j ‖B_j‖₂`` (B_j: row j of B, the coefficients of feature j for every
      response). Intercepts (L, K), coefs (L, p, K).
    - ``cox`` (y: (n, 2) = (time, status), passed as a matrix with colnames ``time``, ``status``): the negative
      Breslow partial log-likelihood / n plus ``λ‖b‖₁``, no intercept (returned as zeros (L,)), coefs (L, p).

    These three are not run with α < 1 (see :meth:`unsupported`). For the Gaussian family with
    α < 1 glmnet divides y by its (1/n) standard deviation s and multiplies λ back, which divides the ridge term by
    s (conventions.md item 4). The benchmark objective is recovered exactly by calling glmnet with
    ``alpha = α/c`` and ``lambda = λ·c``, ``c = α + s(1−α)`` (then ``λ_g α_g = λα`` and ``λ_g(1−α_g)/s = λ(1−α)``),
    with s computed on the rows each path is fitted on. ``thresh`` bounds the change of the objective per
    coordinate pass (relative to the null deviance), not the gap; ``maxit`` is raised to 1e7 so that it, not the
    iteration cap, decides. One R process serves the whole run (``glmnet_path.R`` as a line server). Times are
    measured inside R around the ``glmnet()`` calls (R start-up, package loading
    and file transfer excluded); row subsetting for cross-validation folds is inside the timed region, as for the
    Python peers.
    """

    name = "glmnet"
    families = (GAUSSIAN, BINOMIAL, POISSON, MULTINOMIAL, MGAUSSIAN, COX)
    start_tol = 1e-7  # glmnet's default thresh
    tol_name = "thresh"
    maxit = 10_000_000

    def __init__(self) -> None:
        self._dirs: dict[str, Path] = {}
        self._root = Path(tempfile.mkdtemp(prefix="bench-glmnet-"))
        self._worker = LineWorker(["Rscript", str(SCRIPT)])

    def unavailable(self) -> str | None:
        v = _r_versions()
        return v if isinstance(v, str) else None

    def version(self) -> str:
        v = _r_versions()
        return v if isinstance(v, str) else f"{v[0]} (R {v[1]})"

    def unsupported(self, problem: Problem) -> str | None:
        reason = super().unsupported(problem)
        if reason is None and problem.family in (MULTINOMIAL, MGAUSSIAN, COX):
            if any(spec.l1_ratio < 1.0 for spec in problem.paths):
                return (f"glmnet's {problem.family} family with α < 1 is not checked against the benchmark "
                        "objective (glmnet may rescale y and with it the ridge term, as for the Gaussian family)")
        return reason

    @staticmethod
    def _n_out(problem: Problem) -> int:
        """Coefficient columns per λ: classes (multinomial), responses (mgaussian), else 1."""
        if problem.family == MULTINOMIAL:
            return int(np.max(problem.y)) + 1
        if problem.family == MGAUSSIAN:
            return problem.y.shape[1]
        return 1

    def _data_dir(self, problem: Problem) -> Path:
        """Write the problem's data once per problem (outside any timing)."""
        key = f"{problem.name}-{problem.n}x{problem.p}"
        if key not in self._dirs:
            d = self._root / key
            d.mkdir()
            np.asfortranarray(problem.X, dtype=np.float64).T.tofile(d / "X.bin")  # column-major bytes
            # n*ny float64 column-major (ny = 1 for a vector y)
            np.asarray(problem.y, dtype=np.float64).reshape(problem.n, -1).T.tofile(d / "y.bin")
            lines = []
            for k, spec in enumerate(problem.paths):
                _, ys = problem.data(spec)
                alpha, lambdas = spec.l1_ratio, spec.lambdas
                if problem.family == GAUSSIAN and alpha < 1.0:
                    c = alpha + ys.std() * (1.0 - alpha)
                    alpha, lambdas = alpha / c, lambdas * c
                np.asarray(lambdas, dtype=np.float64).tofile(d / f"lambda_{k}.bin")
                n_rows = 0
                if spec.rows is not None:
                    (spec.rows.astype(np.int32) + 1).tofile(d / f"rows_{k}.bin")
                    n_rows = spec.rows.size
                lines.append(f"{float(alpha)!r} {lambdas.size} {n_rows}")
            (d / "paths.txt").write_text("\n".join(lines) + "\n")
            self._dirs[key] = d
        return self._dirs[key]

    def run(self, problem: Problem, tol: float, n_calls: int) -> Run:
        d = self._data_dir(problem)
        ny = 1 if problem.y.ndim == 1 else problem.y.shape[1]
        header = (f"{problem.family} {problem.n} {problem.p} {len(problem.paths)} {n_calls} {float(tol)!r} "
                  f"{self.maxit} {ny}\n")
        (d / "job.txt").write_text(header + (d / "paths.txt").read_text())
        for f in d.glob("coef_*.bin"):
            f.unlink()
        self._worker.request(str(d))
        times = np.fromfile(d / "times.bin", dtype=np.float64).tolist()
        n_out = self._n_out(problem)
        solutions = []
        for k, spec in enumerate(problem.paths):
            # (p + 1) x L x K column-major in R: (K, L, p + 1) here
            out = np.fromfile(d / f"coef_{k}.bin", dtype=np.float64).reshape(n_out, spec.lambdas.size, problem.p + 1)
            if problem.family in MULTI_RESPONSE:
                solutions.append(Solution(out[:, :, 0].T.copy(), out[:, :, 1:].transpose(1, 2, 0).copy()))
            else:
                solutions.append(Solution(out[0, :, 0].copy(), out[0, :, 1:].copy()))
        return Run(solutions, times)

    def close(self) -> None:
        self._worker.close()
        shutil.rmtree(self._root, ignore_errors=True)

    def settings(self, tol: float) -> str:
        return f"thresh={tol:g}, maxit=1e7"
