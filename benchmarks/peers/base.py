"""The contract every solver adapter ("peer") follows, and the timing loop shared by the in-process ones."""

from __future__ import annotations

import abc
import dataclasses
import time

import numpy as np

from benchmarks.problems import PathSpec, Problem


@dataclasses.dataclass
class Solution:
    """What a solver returned for one path, one row per λ: intercepts (L,) and coefficients (L, p); (L, K) and
    (L, p, K) for the multinomial and mgaussian families; zero intercepts for cox (the model has none)."""

    intercepts: np.ndarray
    coefs: np.ndarray


@dataclasses.dataclass
class Run:
    """The result of ``n_calls`` identical calls: the solutions of the last call and the wall time of each call
    (each call computes every path of the problem)."""

    solutions: list[Solution]
    times: list[float]


class Peer(abc.ABC):
    """A solver adapter.

    Attributes
    ----------
    name : str
        Command-line name (``--solvers``).
    families : tuple of str
        Families it can fit with an unpenalized intercept on the benchmark objective.
    start_tol : float
        First tolerance of the ladder (the solver's default, unless documented otherwise); the harness divides it
        by 10 until the recomputed gap certifies the path.
    tol_name : str
        What the tolerance is called in the solver's own API (for the report).
    has_compilation : bool
        The first call after :meth:`reset` includes compilation, reported separately.
    """

    name: str = ""
    families: tuple[str, ...] = ()
    start_tol: float = 1e-4
    tol_name: str = "tol"
    has_compilation: bool = False

    def unavailable(self) -> str | None:
        """``None`` when the solver can run here, else why not (missing package, no R, …)."""
        return None

    def unsupported(self, problem: Problem) -> str | None:
        """``None`` when the solver can fit ``problem`` on the benchmark objective, else why not."""
        if problem.family not in self.families:
            return (f"{self.name} does not fit the {problem.family} family with the benchmark's objective (an L1 / "
                    "elastic-net penalty and an unpenalized intercept)")
        return None

    @abc.abstractmethod
    def version(self) -> str:
        """Version string of the underlying package(s)."""

    def reset(self) -> None:
        """Forget compiled code so that the next call includes compilation (jaxreg); a no-op by default."""

    def close(self) -> None:
        """Release helper processes and temporary files; a no-op by default."""

    @abc.abstractmethod
    def run(self, problem: Problem, tol: float, n_calls: int) -> Run:
        """Call the solver ``n_calls`` times on every path of ``problem`` and time each call."""

    def settings(self, tol: float) -> str:
        """A short description of the configuration used at tolerance ``tol`` (for the report)."""
        return f"{self.tol_name}={tol:g}"


class InProcessPeer(Peer):
    """A peer called from this Python process: implement :meth:`solve_path`; timing is done here."""

    @abc.abstractmethod
    def solve_path(self, X: np.ndarray, y: np.ndarray, family: str, spec: PathSpec, tol: float) -> Solution:
        """Solve one path on ``(X, y)`` (already restricted to the path's rows)."""

    def run(self, problem: Problem, tol: float, n_calls: int) -> Run:
        times: list[float] = []
        solutions: list[Solution] = []
        for _ in range(n_calls):
            start = time.perf_counter()
            solutions = [self.solve_path(*problem.data(s), problem.family, s, tol) for s in problem.paths]
            times.append(time.perf_counter() - start)
        return Run(solutions, times)
