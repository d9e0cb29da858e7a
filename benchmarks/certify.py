"""The measurement protocol: tighten each solver's tolerance until the recomputed gap certifies the path, then time
the solvers of a problem in turn.

For the solvers of one problem:

1. **Certify** (one solver after another). Call the solver once at its starting tolerance (its default, see each
   peer), recompute the duality gap of every λ of every path in float64 (:mod:`benchmarks.gap`), and divide the
   tolerance by 10 until the largest relative gap is at most ``target`` (1e-6). Tightening stops, and the solver is
   reported *not certified* with the best gap reached, after ``max_tries`` tolerances, when one call exceeds
   ``max_call_s`` seconds, or when two successive tightenings improve the gap by less than 10 % (an iteration cap
   or a precision floor).
2. **Time** (the certified solvers interleaved). A probe of two calls per solver at its certified tolerance: the
   first is a warm-up (for jaxreg the first call after clearing JAX's caches, so it includes compilation), the
   second estimates the time ``t`` of one call. Then ``rounds`` rounds; each round calls every certified solver in
   turn, in an order rotated by one solver per round, making ``k`` timed calls of it, preceded by one untimed
   warm-up call when ``t < min_timed_s`` (a millisecond call run right after another solver finds cold caches).
   ``k`` is the number of calls that fills ``min_timed_s`` seconds over all rounds (at least 1, at most
   ``MAX_REPEATS`` in all). The reported time is the median of all timed calls. A machine that slows down for a
   while then slows every solver of the problem alike, instead of whichever was being timed, so the ratios
   between solvers move less from run to run than the times do. The gap of each solver's last timed call is
   checked again. ``compile_s`` (jaxreg) = the probe's cold call − the median, at the same tolerance. Clearing
   JAX's caches clears them for the whole process, so where several solvers compile (jaxreg in float64 and
   float32), each makes one untimed call after all the probes, to compile its programs again before the rounds.
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
#: Fast calls are repeated until the timed calls of a solver take about this many seconds in all ...
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
    times_s: list[float] = dataclasses.field(default_factory=list)  # the timed calls, round after round
    probe_s: list[float] = dataclasses.field(default_factory=list)  # the probe: cold (warm-up) call, then one more
    rounds: int = 0
    calls_per_round: int = 0  # timed calls per round (after one warm-up call when warmed_rounds)
    warmed_rounds: bool = False
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


def measure_all(peers: list[Peer], problem: Problem, *, target: float = TARGET, max_tries: int = 8,
                rounds: int = 3, max_call_s: float = 300.0, min_timed_s: float = MIN_TIMED_S,
                log=print) -> list[Outcome]:
    """Certify every peer on ``problem``, then time the certified ones interleaved (see the module docstring;
    ``min_timed_s`` 0 makes one timed call per round, without warm-up). One :class:`Outcome` per peer, in order."""
    if rounds < 1:
        raise ValueError(f"rounds must be at least 1, got {rounds}")
    outs = []
    for peer in peers:
        out = Outcome(problem.name, peer.name, "error", n=problem.n, p=problem.p, family=problem.family,
                      n_paths=len(problem.paths), n_lambdas=int(sum(s.lambdas.size for s in problem.paths)),
                      started=time.strftime("%Y-%m-%dT%H:%M:%S%z"))
        why = peer.unavailable() or peer.unsupported(problem)
        if why:
            out.status, out.reason = "skipped", why
        else:
            _guarded(out, log, _certify, peer, problem, out, target, max_tries, max_call_s, log)
        outs.append(out)
    live = [(peer, out) for peer, out in zip(peers, outs, strict=True) if out.status == "pending"]
    for peer, out in live:
        _guarded(out, log, _probe, peer, problem, out, rounds, min_timed_s)
    compiled = [(peer, out) for peer, out in live if peer.has_compilation and out.status == "pending"]
    if len(compiled) > 1:  # each probe's reset cleared the process's caches, so the earlier ones' programs too
        for peer, out in compiled:
            _guarded(out, log, peer.run, problem, out.tol, 1)
    live = [(peer, out) for peer, out in live if out.status == "pending"]
    for r in range(rounds if live else 0):
        for peer, out in live[r % len(live):] + live[:r % len(live)]:
            if out.status == "pending":
                _guarded(out, log, _timed_round, peer, problem, out, target, last=r == rounds - 1)
    for peer, out in live:
        if out.status == "pending":
            _finish(peer, out, target, log)
    return outs


def measure(peer: Peer, problem: Problem, **kwargs) -> Outcome:
    """:func:`measure_all` for one peer."""
    return measure_all([peer], problem, **kwargs)[0]


def _guarded(out: Outcome, log, fn, *args, **kwargs) -> None:
    """Run one step; a failing solver is a result (status ``error``), not a crash of the harness."""
    try:
        fn(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001
        out.status, out.reason = "error", f"{type(exc).__name__}: {exc}"
        log(traceback.format_exc())


def _certify(peer: Peer, problem: Problem, out: Outcome, target: float, max_tries: int, max_call_s: float,
             log) -> None:
    peer.reset()
    stop = ""
    for i in range(max_tries):
        tol = float(f"{peer.start_tol * 10.0**-i:.6g}")  # 1e-07, not 1.0000000000000001e-07
        run = peer.run(problem, tol, 1)
        gap, over = max_gap(problem, run.solutions, target)
        out.attempts.append(Attempt(tol, gap, over, run.times[0]))
        log(f"    {peer.name:<10} {peer.tol_name}={tol:<8.0e} max gap {gap:.2e} ({over} λ over) "
            f"{run.times[0]:.3f} s")
        if gap <= target:
            out.status, out.tol, out.max_gap, out.settings = "pending", tol, gap, peer.settings(tol)
            return
        if run.times[0] > max_call_s:
            stop = f"stopped tightening: one call took {run.times[0]:.0f} s > {max_call_s:.0f} s"
            break
        gaps = [a.max_gap for a in out.attempts]
        if len(gaps) >= 3 and min(gaps[-2:]) > 0.9 * gaps[-3]:
            stop = "stopped tightening: the gap no longer improves (iteration cap or precision floor)"
            break
    else:
        stop = f"not certified after {max_tries} tolerances"
    best = min(out.attempts, key=lambda a: a.max_gap)
    out.status, out.reason = "not certified", stop
    out.tol, out.max_gap, out.settings = best.tol, best.max_gap, peer.settings(best.tol)


def _probe(peer: Peer, problem: Problem, out: Outcome, rounds: int, min_timed_s: float) -> None:
    """Two calls: the warm-up (with compilation: the caches are cleared first) and an estimate of one call."""
    if peer.has_compilation:
        peer.reset()
    out.probe_s = peer.run(problem, out.tol, 2).times
    t = out.probe_s[1]
    out.rounds = rounds
    out.calls_per_round = 1 if not min_timed_s else min(max(MAX_REPEATS // rounds, 1),
                                                       max(1, math.ceil(min_timed_s / (rounds * max(t, 1e-6)))))
    out.warmed_rounds = t < min_timed_s


def _timed_round(peer: Peer, problem: Problem, out: Outcome, target: float, last: bool) -> None:
    warm = int(out.warmed_rounds)
    run = peer.run(problem, out.tol, warm + out.calls_per_round)
    out.times_s += run.times[warm:]
    if last:
        gap, _ = max_gap(problem, run.solutions, target)
        out.max_gap = max(gap, out.max_gap)


def _finish(peer: Peer, out: Outcome, target: float, log) -> None:
    out.time_s = statistics.median(out.times_s)
    if peer.has_compilation:
        out.compile_s = max(out.probe_s[0] - out.time_s, 0.0)
    if out.max_gap <= target:
        out.status = "certified"
    else:
        out.status, out.reason = "not certified", f"the timed calls' gap {out.max_gap:.2e} exceeds the target"
    log(f"    {peer.name:<10} {out.status}: {out.time_s:.4f} s (median of {len(out.times_s)}: {out.rounds} rounds "
        f"of {out.calls_per_round}), max gap {out.max_gap:.2e}"
        + (f", compile {out.compile_s:.2f} s" if out.compile_s is not None else ""))
