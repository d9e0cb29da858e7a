"""Solvers: one driver loop (:func:`drive`) running proximal gradient (:func:`fista`, :func:`optax_prox`), working
sets around it, the duality gap and the proximal-gradient residual, the λ scan."""

from jaxreg.solvers.driver import SolveResult, drive
from jaxreg.solvers.fista import fista
from jaxreg.solvers.gap import GapInfo, Profile, duality_gap, profile_out, prox_residual
from jaxreg.solvers.lipschitz import lipschitz_constant, top_eigenvector
from jaxreg.solvers.prox_optax import optax_prox
from jaxreg.solvers.warm_start import EarlyStop, PathSolution, Solve, solve_path
from jaxreg.solvers.working_set import working_set_solve

__all__ = [
    "EarlyStop",
    "GapInfo",
    "PathSolution",
    "Solve",
    "SolveResult",
    "drive",
    "duality_gap",
    "Profile",
    "profile_out",
    "prox_residual",
    "fista",
    "lipschitz_constant",
    "optax_prox",
    "solve_path",
    "top_eigenvector",
    "working_set_solve",
]
