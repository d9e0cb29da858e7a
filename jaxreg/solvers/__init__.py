"""Solvers: one proximal-gradient loop (:func:`fista`), working sets around it, the duality gap, the λ scan."""

from jaxreg.solvers.fista import SolveResult, fista
from jaxreg.solvers.gap import GapInfo, Profile, duality_gap, profile_out
from jaxreg.solvers.lipschitz import lipschitz_constant
from jaxreg.solvers.warm_start import EarlyStop, PathSolution, Solve, solve_path
from jaxreg.solvers.working_set import working_set_solve

__all__ = [
    "EarlyStop",
    "GapInfo",
    "PathSolution",
    "Solve",
    "SolveResult",
    "duality_gap",
    "Profile",
    "profile_out",
    "fista",
    "lipschitz_constant",
    "solve_path",
    "working_set_solve",
]
