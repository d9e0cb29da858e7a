"""jaxreg: regularization paths (lasso, ridge, elastic net) with JAX, following glmnet's conventions."""

from jaxreg import datasets
from jaxreg.batch import bootstrap_path, multi_response_path, weighted_paths
from jaxreg.compile_cache import enable_compilation_cache
from jaxreg.cv import cv_path
from jaxreg.cv_result import CVPath
from jaxreg.path import ConvergenceWarning, path
from jaxreg.research import Solution, SolvePath, solve, solve_path
from jaxreg.result import Path

__version__ = "0.1.0"

__all__ = [
    "CVPath",
    "ConvergenceWarning",
    "Path",
    "Solution",
    "SolvePath",
    "__version__",
    "bootstrap_path",
    "cv_path",
    "datasets",
    "enable_compilation_cache",
    "multi_response_path",
    "path",
    "solve",
    "solve_path",
    "weighted_paths",
]
