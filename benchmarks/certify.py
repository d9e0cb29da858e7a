"""The measurement protocol: tighten a solver's tolerance until the recomputed gap certifies the path, then time it.

For one solver on one problem:

1. **Certify.** Call the solver once at its starting tolerance (its default, see each peer), recompute the duality
   gap of every λ of every path in float64 (:mod:`benchmarks.gap`), and divide the tolerance by 10 until the
   largest relative gap is at most ``target`` (1e-6). Tightening stops, and the solver is reported *not certified*
   with the best gap reached, after ``max_tries`` tolerances, when one call exceeds ``max_call_s`` seconds, or
   when two successive tightenings improve the gap by less than 10 % (an iteration cap or a precision floor).
2. **Time.** At the certified tolerance, run ``1 + repeats`` calls in one go (in the same process for the
   subprocess peers); the first is a warm-up and the reported time is the median of the others. When those
   ``repeats`` calls together take less than ``MIN_TIMED_S`` (not in ``--quick`` runs; on millisecond problems a
   median of three is mostly noise), a second run of ``MIN_TIMED_S`` worth of calls (at most ``MAX_REPEATS``,
   after its own warm-up) replaces their times — the same rule for every solver. The gap of the last timed call is
   checked again. For jaxreg the first call after clearing JAX's caches includes compilation; ``compile_s`` = that
   call − the median warm call, at the same tolerance.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
import time
import traceback

import numpy as np

from benchmarks.gap import relative_gaps
from benchmarks.peers.base import Peer, Solution
from benchmarks.problems import Problem

TARGET = 1e-6
#: Fast calls are timed again until about this many seconds of calls ...
MIN_TIMED_S = 1.0
#: ... but at most this many calls.
MAX_REPEATS = 100


@dataclasses.dataclass
class Attempt:
    """One call of the ladder."""

    tol: float
    max_gap: float
    n_over: int  # λ (over all paths) whose gap exceeds the target
    seconds: float


@dataclasses.dataclass
class Outcome:
    """The record of one solver on one problem (one row of results.json / results.csv)."""

    problem: str
    solver: str
    status: str  # "certified" | "not certified" | "skipped" | "error"
    reason: str = ""
    n: int = 0
    p: int = 0
    family: str = ""
    n_paths: int = 0
    n_lambdas: int = 0
    tol: float | None = None  # the tolerance used (certified, else the best one tried)
    settings: str = ""
    time_s: float | None = None  # median of the timed calls (certified only)
    times_s: list[float] = dataclasses.field(default_factory=list)  # warm-up first, then the timed calls
    compile_s: float | None = None
    max_gap: float | None = None  # largest relative gap over every λ and path
    attempts: list[Attempt] = dataclasses.field(default_factory=list)
    started: str = ""

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def max_gap(problem: Problem, solutions: list[Solution], target: float = TARGET) -> tuple[float, int]:
    """Largest relative gap over every λ of every path, and how many λ exceed ``target``."""
    worst, over = 0.0, 0
    for spec, sol in zip(problem.paths, solutions, strict=True):
        X, y = problem.data(spec)
        coefs = np.asarray(sol.coefs, dtype=np.float64)
        if coefs.shape[:2] != (spec.lambdas.size, problem.p):
            return float("inf"), spec.lambdas.size * len(problem.paths)
        gaps = relative_gaps(X, y, problem.family, spec.lambdas, spec.l1_ratio, sol.intercepts, coefs)
        gaps = np.where(np.isnan(gaps), np.inf, gaps)
        worst = max(worst, float(gaps.max()))
        over += int(np.sum(gaps > target))
    return worst, over


def measure(peer: Peer, problem: Problem, *, target: float = TARGET, max_tries: int = 8, repeats: int = 3,
            max_call_s: float = 300.0, min_timed_s: float = MIN_TIMED_S, log=print) -> Outcome:
    """Certify and time ``peer`` on ``problem`` (see the module docstring; ``min_timed_s`` 0 turns the extra
    repeats of fast calls off)."""
    out = Outcome(problem.name, peer.name, "error",
                  n=problem.n, p=problem.p, family=problem.family, n_paths=len(problem.paths),
                  n_lambdas=int(sum(s.lambdas.size for s in problem.paths)),
                  started=time.strftime("%Y-%m-%dT%H:%M:%S%z"))
    why = peer.unavailable() or peer.unsupported(problem)
    if why:
        out.status, out.reason = "skipped", why
        return out
    try:
        return _measure(peer, problem, out, target, max_tries, repeats, max_call_s, min_timed_s, log)
    except Exception as exc:  # noqa: BLE001 - a failing solver is a result, not a crash of the harness
        out.status = "error"
        out.reason = f"{type(exc).__name__}: {exc}"
        log(traceback.format_exc())
        return out


def _measure(peer: Peer, problem: Problem, out: Outcome, target: float, max_tries: int, repeats: int,
             max_call_s: float, min_timed_s: float, log) -> Outcome:
    peer.reset()
    certified_at: int | None = None
    stop = ""
    for i in range(max_tries):
        tol = float(f"{peer.start_tol * 10.0**-i:.6g}")  # 1e-07, not 1.0000000000000001e-07
        run = peer.run(problem, tol, 1)
        gap, over = max_gap(problem, run.solutions, target)
        out.attempts.append(Attempt(tol, gap, over, run.times[0]))
        log(f"    {peer.name:<10} {peer.tol_name}={tol:<8.0e} max gap {gap:.2e} ({over} λ over) "
            f"{run.times[0]:.3f} s")
        if gap <= target:
            certified_at = i
            break
        if run.times[0] > max_call_s:
            stop = f"stopped tightening: one call took {run.times[0]:.0f} s > {max_call_s:.0f} s"
            break
        gaps = [a.max_gap for a in out.attempts]
        if len(gaps) >= 3 and min(gaps[-2:]) > 0.9 * gaps[-3]:
            stop = "stopped tightening: the gap no longer improves (iteration cap or precision floor)"
            break
    else:
        stop = f"not certified after {max_tries} tolerances"

    if certified_at is None:
        best = min(out.attempts, key=lambda a: a.max_gap)
        out.status, out.reason = "not certified", stop
        out.tol, out.max_gap, out.settings = best.tol, best.max_gap, peer.settings(best.tol)
        return out

    tol = out.attempts[certified_at].tol
    cold_is_first = peer.has_compilation and certified_at == 0
    if peer.has_compilation and not cold_is_first:
        peer.reset()  # the timing run's warm-up then includes compilation at the certified tolerance
    run = peer.run(problem, tol, 1 + repeats)
    cold = run.times[0]
    out.time_s = statistics.median(run.times[1:]) if repeats else run.times[0]
    if repeats and out.time_s * repeats < min_timed_s:
        more = min(MAX_REPEATS, max(repeats, math.ceil(min_timed_s / max(out.time_s, 1e-6))))
        run = peer.run(problem, tol, 1 + more)
        out.time_s = statistics.median(run.times[1:])
        repeats = more
    gap, over = max_gap(problem, run.solutions, target)
    out.tol, out.settings, out.times_s = tol, peer.settings(tol), run.times
    out.max_gap = max(gap, out.attempts[certified_at].max_gap)
    if peer.has_compilation:
        if cold_is_first:
            cold = out.attempts[0].seconds
        out.compile_s = max(cold - out.time_s, 0.0)
    if gap <= target:
        out.status = "certified"
    else:
        out.status, out.reason = "not certified", f"the timed run's gap {gap:.2e} exceeds the target"
    log(f"    {peer.name:<10} {out.status}: {out.time_s:.4f} s (median of {repeats}), max gap {out.max_gap:.2e}"
        + (f", compile {out.compile_s:.2f} s" if out.compile_s is not None else ""))
    return out
