"""The research API: penalized problems over any pytree of parameters, solved by the loop :func:`jaxreg.path` uses.

:func:`solve_path` fits a whole path for a loss written as a JAX function of a pytree; :func:`solve` fits one λ and
is differentiable (implicit differentiation) with respect to λ, the data and the penalty's parameters.
"""

from jaxreg.research.implicit import Solution, solve
from jaxreg.research.problem import default_mask
from jaxreg.research.solve_path import SolvePath, solve_path

__all__ = ["Solution", "SolvePath", "default_mask", "solve", "solve_path"]
