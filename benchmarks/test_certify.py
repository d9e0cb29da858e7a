"""The measurement protocol of ``benchmarks.certify`` on scripted solvers: the tolerance ladder, the interleaved
rounds, how many calls are timed, compile time, and failures that must not stop the other solvers."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks import certify
from benchmarks.peers.base import Peer, Run, Solution
from benchmarks.problems import simulated_problem


@pytest.fixture
def problem():
    return simulated_problem("tiny", 20, 5, k=2, seed=0)


@pytest.fixture(autouse=True)
def scripted_gaps(monkeypatch):
    """The solution a scripted peer returns carries its gap; the real gap computation is tested in test_gap.py."""
    monkeypatch.setattr(certify, "max_gap", lambda problem, solutions, target=certify.TARGET:
                        (solutions[0].coefs, int(solutions[0].coefs > target)))


class Scripted(Peer):
    """Reaches gap ``10 * tol`` (or ``gap_floor`` if larger); each call "takes" ``seconds`` (the first after
    :meth:`reset` ``cold`` more); every call is logged in the shared ``calls`` list."""

    families = ("gaussian",)
    start_tol = 1e-4

    def __init__(self, name, calls, seconds=0.01, cold=0.0, gap_floor=0.0, has_compilation=False,
                 fail_on_call=None, last_gap=None):
        self.name, self.calls, self.seconds, self.cold = name, calls, seconds, cold
        self.gap_floor, self.has_compilation, self.fail_on_call, self.last_gap = (gap_floor, has_compilation,
                                                                                   fail_on_call, last_gap)
        self._fresh, self.n_runs = True, 0

    def version(self):
        return "0"

    def reset(self):
        self._fresh = True

    def run(self, problem, tol, n_calls):
        self.n_runs += 1
        self.calls.append((self.name, tol, n_calls))
        if self.n_runs == self.fail_on_call:
            raise RuntimeError("solver crashed")
        gap = max(10 * tol, self.gap_floor)
        if self.last_gap is not None and n_calls > 2:
            gap = self.last_gap
        times = [self.seconds] * n_calls
        times[0] += self.cold if self._fresh else 0.0
        self._fresh = False
        return Run([Solution(np.zeros(1), gap)], times)


def test_ladder_then_round_robin_with_rotation(problem):
    calls = []
    a, b = Scripted("a", calls, seconds=0.02), Scripted("b", calls, seconds=0.05)
    out_a, out_b = certify.measure_all([a, b], problem, rounds=3, min_timed_s=1.0, log=lambda m: None)
    assert [c[1] for c in calls[:4]] == [1e-4, 1e-5, 1e-6, 1e-7]  # a's ladder: gap 10·tol ≤ 1e-6 at 1e-7
    assert out_a.status == out_b.status == "certified" and out_a.tol == out_b.tol == 1e-7
    timing = [c[0] for c in calls[8:]]
    assert timing == ["a", "b", "a", "b", "b", "a", "a", "b"]  # probes, then rounds rotated by one solver
    # a: 20 ms a call → 17 timed calls per round (1 s over 3 rounds), each round after one warm-up call
    assert [c[2] for c in calls[10:] if c[0] == "a"] == [18, 18, 18]
    assert out_a.calls_per_round == 17 and len(out_a.times_s) == 51 and out_a.warmed_rounds
    assert out_b.calls_per_round == 7 and len(out_b.times_s) == 21
    assert out_a.time_s == pytest.approx(0.02) and out_b.time_s == pytest.approx(0.05)


def test_call_count_is_capped_and_slow_calls_skip_the_warm_up(problem):
    calls = []
    fast, slow = Scripted("fast", calls, seconds=1e-5), Scripted("slow", calls, seconds=2.0)
    out_fast, out_slow = certify.measure_all([fast, slow], problem, rounds=3, log=lambda m: None)
    assert out_fast.calls_per_round == certify.MAX_REPEATS // 3
    assert (out_slow.calls_per_round, out_slow.warmed_rounds) == (1, False)
    assert [c[2] for c in calls if c[0] == "slow"][-3:] == [1, 1, 1]
    assert len(out_slow.times_s) == 3


def test_compile_time_from_the_cold_probe(problem):
    calls = []
    jit = Scripted("jit", calls, seconds=0.5, cold=4.0, has_compilation=True)
    out = certify.measure(jit, problem, rounds=2, log=lambda m: None)
    assert out.probe_s == [4.5, 0.5] and out.compile_s == pytest.approx(4.0) and out.time_s == 0.5


def test_solvers_sharing_a_cache_compile_again_before_the_rounds(problem):
    """Two compiling solvers (jaxreg in float64 and float32) share JAX's caches: the second probe's reset clears
    the first's programs too, which one untimed call per compiling solver rebuilds before the timed rounds."""
    calls = []
    f64 = Scripted("f64", calls, seconds=2.0, cold=4.0, has_compilation=True)
    f32 = Scripted("f32", calls, seconds=2.0, cold=4.0, has_compilation=True)
    plain = Scripted("plain", calls, seconds=2.0)

    def reset_both():
        f64._fresh = f32._fresh = True

    f64.reset = f32.reset = reset_both
    outs = certify.measure_all([f64, f32, plain], problem, rounds=2, log=lambda m: None)
    assert all(o.status == "certified" for o in outs)
    assert [o.times_s for o in outs] == [[2.0, 2.0]] * 3  # no timed call pays a compilation
    assert [o.compile_s for o in outs[:2]] == [4.0, 4.0]
    probes_end = max(i for i, c in enumerate(calls) if c[2] == 2)
    assert [c[:1] + c[2:] for c in calls[probes_end + 1:probes_end + 3]] == [("f64", 1), ("f32", 1)]


def test_uncertified_skipped_and_failing_solvers(problem):
    calls = []
    stuck = Scripted("stuck", calls, gap_floor=1e-3)  # the gap stops improving: not timed
    crash = Scripted("crash", calls, fail_on_call=6)  # fails in its second timing round
    good = Scripted("good", calls)
    other = Scripted("other", calls)
    other.families = ("binomial",)
    outs = certify.measure_all([stuck, crash, good, other], problem, rounds=3, log=lambda m: None)
    assert [o.status for o in outs] == ["not certified", "error", "certified", "skipped"]
    assert "no longer improves" in outs[0].reason and outs[0].max_gap == 1e-3 and outs[0].time_s is None
    assert "solver crashed" in outs[1].reason
    assert sum(c[0] == "stuck" for c in calls) == len(outs[0].attempts)  # never timed
    assert len(outs[2].times_s) == 3 * outs[2].calls_per_round


def test_a_timed_call_that_loses_the_gap_is_not_certified(problem):
    calls = []
    flaky = Scripted("flaky", calls, last_gap=1e-3)
    out = certify.measure(flaky, problem, rounds=1, log=lambda m: None)
    assert out.status == "not certified" and "exceeds the target" in out.reason and out.time_s is not None


def test_rounds_must_be_positive(problem):
    with pytest.raises(ValueError, match="rounds"):
        certify.measure_all([Scripted("a", [])], problem, rounds=0)
