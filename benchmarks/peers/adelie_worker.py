"""Worker for ``adelie_peer.py``, run by the Python of the adelie virtualenv (numpy < 2): fit the paths of a job
with adelie and time them. Usage: ``python adelie_worker.py JOBDIR`` (one job), or without arguments as a line
server (one JOBDIR per line of stdin, answers ``@@ok`` / ``@@error <message>`` on stdout).

JOBDIR holds ``X.npy``, ``y.npy``, ``job.json`` (family, n_calls, tol, n_threads, paths: [{l1_ratio, lambdas
file, rows file or null}]); the worker writes ``out.npz`` with ``times`` and, per path k, ``intercepts_k`` ((L,),
or (L, K) for multinomial / mgaussian) and ``coefs_k`` ((L, p), or (L, p, K)) of the last call, on the benchmark's
λ scale. Standalone on purpose: it imports nothing from the benchmark package.

Every fit solves the benchmark objective exactly, up to a positive factor and a constant (see ``adelie_peer.py``):

- gaussian / binomial / poisson: ``grpnet`` with singleton groups, adelie's λ = the benchmark's λ.
- mgaussian: ``glm.multigaussian`` (loss ``1/(2nK) ‖Y − η‖²_F`` + const), one group per feature (its K
  coefficients) with penalty factor 1 (not adelie's default √K), adelie's λ = λ / K.
- multinomial: ``glm.multinomial`` (loss = mean negative log-likelihood / K) with *one group per coefficient* (the
  ungrouped L1 penalty), adelie's λ = λ / K. ``grpnet`` only groups whole features for multi-response GLMs, so the
  state is built with adelie's public ``adelie.state.multiglm_naive`` (as ``grpnet`` does, but with groups and
  penalty over the K·(p+1) coefficients, the K intercepts unpenalized) and solved with its ``solve`` method.
- cox: ``glm.cox(start=−∞, stop=time, status, tie_method="breslow")`` (weights 1/n: the Breslow partial likelihood
  / n, up to a constant), ``intercept=False``, adelie's λ = λ; the intercepts returned are zeros.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

_CACHE: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # the data of the last job directory
MULTI = ("multinomial", "mgaussian")


def _one_hot(labels: np.ndarray, n_classes: int) -> np.ndarray:
    return np.eye(n_classes)[labels.astype(int)]


def _multinomial_ungrouped(ad: Any, X: np.ndarray, Y: np.ndarray, lmda_path: np.ndarray, alpha: float,
                           tol: float, threads: int) -> Any:
    """``grpnet``'s multi-response GLM set-up (adelie 1.1.x ``solver.grpnet``) with one group per coefficient:
    coefficient ``(j, k)`` sits at index ``K + jK + k`` after the K intercepts (penalty 0)."""
    n, p = X.shape
    K = Y.shape[1]
    glm = ad.glm.multinomial(Y)
    n_groups = K * (p + 1)
    penalty = np.ones(n_groups)
    penalty[:K] = 0.0
    X_aug = ad.matrix.concatenate(
        [ad.matrix.kronecker_eye(np.ones((n, 1)), K, n_threads=threads),
         ad.matrix.kronecker_eye(X, K, n_threads=threads)], axis=1, n_threads=threads)
    offsets = np.zeros((n, K))
    resid = np.empty((n, K))
    glm.gradient(offsets, resid)  # −∇ℓ at η = 0
    resid = resid.ravel()
    grad = np.empty(X_aug.cols())
    X_aug.mul(resid, np.ones(n * K), grad)
    active_set = np.empty(n_groups, dtype=int)
    active_set[:K] = np.arange(K)
    state = ad.state.multiglm_naive(
        X=ad.matrix.dense(X, n_threads=threads), glm=glm, constraints=None, groups=np.arange(n_groups),
        group_sizes=np.ones(n_groups, dtype=int), alpha=alpha, penalty=penalty, offsets=offsets,
        screen_set=np.arange(K), screen_beta=np.zeros(K), screen_is_active=np.ones(K, dtype=bool),
        active_set_size=K, active_set=active_set, lmda=np.inf, grad=grad, eta=offsets.ravel(), resid=resid,
        loss_full=glm.loss_full(), lmda_path=lmda_path, tol=tol, irls_tol=tol, early_exit=False, adev_tol=1.0,
        ddev_tol=0.0, n_threads=threads, intercept=True,
    )
    return state.solve(progress_bar=False)


def fit_path(ad: Any, family: str, X: np.ndarray, y: np.ndarray, n_classes: int, alpha: float, lambdas: np.ndarray,
             tol: float, threads: int) -> Any:
    """One adelie path on the benchmark objective (λ converted to adelie's scale); ``n_classes`` is K for the
    multi-response families (taken from the full data, so that a fold missing a class keeps its column)."""
    common: dict[str, Any] = dict(alpha=alpha, early_exit=False, tol=tol, irls_tol=tol, n_threads=threads,
                                  progress_bar=False, adev_tol=1.0, ddev_tol=0.0)
    if family == "multinomial":
        return _multinomial_ungrouped(ad, X, _one_hot(y, n_classes), lambdas / n_classes, alpha, tol, threads)
    Xm = ad.matrix.dense(X, n_threads=threads)
    if family == "mgaussian":
        return ad.grpnet(Xm, ad.glm.multigaussian(np.ascontiguousarray(y)), penalty=np.ones(X.shape[1]),
                         lmda_path=lambdas / n_classes, intercept=True, **common)
    if family == "cox":
        glm = ad.glm.cox(np.full(y.shape[0], -np.inf), np.ascontiguousarray(y[:, 0]),
                         np.ascontiguousarray(y[:, 1]), tie_method="breslow")
        return ad.grpnet(Xm, glm, lmda_path=lambdas, intercept=False, **common)
    glms = {"gaussian": ad.glm.gaussian, "binomial": ad.glm.binomial, "poisson": ad.glm.poisson}
    return ad.grpnet(Xm, glms[family](y), lmda_path=lambdas, intercept=True, **common)


def solution(family: str, state: Any, n_lambdas: int, p: int, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """``(intercepts, coefs)`` of a solved state, NaN rows for λ the solver did not reach."""
    m = state.betas.shape[0]  # solutions actually returned
    if family in MULTI:
        coefs = np.full((n_lambdas, p, n_classes), np.nan)
        intercepts = np.full((n_lambdas, n_classes), np.nan)
        coefs[:m] = state.betas.toarray().reshape(m, p, n_classes)  # adelie's order: feature-major (X ⊗ I_K)
    else:
        coefs = np.full((n_lambdas, p), np.nan)
        intercepts = np.full(n_lambdas, np.nan)
        coefs[:m] = state.betas.toarray()
    intercepts[:m] = np.asarray(state.intercepts) if family != "cox" else 0.0
    return intercepts, coefs


def run_job(job_dir: str) -> None:
    import adelie as ad

    d = Path(job_dir)
    job = json.loads((d / "job.json").read_text())
    if job_dir not in _CACHE:
        _CACHE.clear()
        _CACHE[job_dir] = np.asfortranarray(np.load(d / "X.npy")), np.load(d / "y.npy")
    X, y = _CACHE[job_dir]
    family = job["family"]
    paths = [
        (spec["l1_ratio"], np.load(d / spec["lambdas"]), None if spec["rows"] is None else np.load(d / spec["rows"]))
        for spec in job["paths"]
    ]
    threads = int(job["n_threads"])
    n_classes = int(y.max()) + 1 if family == "multinomial" else (y.shape[1] if family == "mgaussian" else 1)

    def fit_all() -> list:
        states = []
        for alpha, lambdas, rows in paths:
            xs, ys = (X, y) if rows is None else (np.asfortranarray(X[rows]), y[rows])
            states.append(fit_path(ad, family, xs, ys, n_classes, alpha, lambdas, job["tol"], threads))
        return states

    times = []
    for _ in range(int(job["n_calls"])):
        start = time.perf_counter()
        states = fit_all()
        times.append(time.perf_counter() - start)
    out: dict[str, np.ndarray] = {"times": np.array(times)}
    for k, ((_, lambdas, _), st) in enumerate(zip(paths, states)):
        out[f"intercepts_{k}"], out[f"coefs_{k}"] = solution(family, st, lambdas.size, X.shape[1], n_classes)
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
