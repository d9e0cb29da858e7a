"""Worker for ``adelie_peer.py``, run by the Python of the adelie virtualenv (numpy < 2): fit the paths of a job
with ``adelie.grpnet`` and time them. Usage: ``python adelie_worker.py JOBDIR`` (one job), or without arguments
as a line server (one JOBDIR per line of stdin, answers ``@@ok`` / ``@@error <message>`` on stdout).

JOBDIR holds ``X.npy``, ``y.npy``, ``job.json`` (family, n_calls, tol, n_threads, paths: [{l1_ratio, lambdas
file, rows file or null}]); the worker writes ``out.npz`` with ``times`` and, per path k, ``intercepts_k`` and
``coefs_k`` of the last call. Standalone on purpose: it imports nothing from the benchmark package.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np


_CACHE: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # the data of the last job directory


def run_job(job_dir: str) -> None:
    import adelie as ad

    d = Path(job_dir)
    job = json.loads((d / "job.json").read_text())
    if job_dir not in _CACHE:
        _CACHE.clear()
        _CACHE[job_dir] = np.asfortranarray(np.load(d / "X.npy")), np.load(d / "y.npy")
    X, y = _CACHE[job_dir]
    paths = [
        (spec["l1_ratio"], np.load(d / spec["lambdas"]), None if spec["rows"] is None else np.load(d / spec["rows"]))
        for spec in job["paths"]
    ]
    threads = int(job["n_threads"])

    def fit_all() -> list:
        states = []
        for alpha, lambdas, rows in paths:
            xs, ys = (X, y) if rows is None else (np.asfortranarray(X[rows]), y[rows])
            family = {"gaussian": ad.glm.gaussian, "binomial": ad.glm.binomial, "poisson": ad.glm.poisson}
            glm = family[job["family"]](ys)
            states.append(ad.grpnet(
                ad.matrix.dense(xs, n_threads=threads), glm, alpha=alpha, lmda_path=lambdas, early_exit=False,
                tol=job["tol"], irls_tol=job["tol"], intercept=True, n_threads=threads, progress_bar=False,
                adev_tol=1.0, ddev_tol=0.0,
            ))
        return states

    times = []
    for _ in range(int(job["n_calls"])):
        start = time.perf_counter()
        states = fit_all()
        times.append(time.perf_counter() - start)
    out: dict[str, np.ndarray] = {"times": np.array(times)}
    for k, ((_, lambdas, _), st) in enumerate(zip(paths, states)):
        coefs = np.full((lambdas.size, X.shape[1]), np.nan)
        intercepts = np.full(lambdas.size, np.nan)
        m = st.betas.shape[0]  # solutions actually returned
        coefs[:m] = st.betas.toarray()
        intercepts[:m] = st.intercepts
        out[f"coefs_{k}"], out[f"intercepts_{k}"] = coefs, intercepts
    np.savez(d / "out.npz", **out)


def serve() -> None:
    import adelie  # noqa: F401 - pay the import once, before the first job

    for line in sys.stdin:
        line = line.strip()
        if not line or line == "quit":
            break
        try:
            run_job(line)
            answer = "@@ok"
        except Exception as exc:  # noqa: BLE001 - report any failure to the harness
            answer = "@@error " + f"{type(exc).__name__}: {exc}".replace("\n", " ")
        print(answer, flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 1:
        run_job(sys.argv[1])
    else:
        serve()
