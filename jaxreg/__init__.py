"""jaxreg: regularization paths (lasso, ridge, elastic net) with JAX, following glmnet's conventions."""

from jaxreg import datasets
from jaxreg.path import ConvergenceWarning, path
from jaxreg.result import Path

__version__ = "0.1.0"

__all__ = ["ConvergenceWarning", "Path", "__version__", "datasets", "path"]
