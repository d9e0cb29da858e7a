"""The real data sets of the benchmark (:data:`benchmarks.problems.REAL`): scikit-learn's, and glmnet's examples read
through ``Rscript`` (no download at run time)."""

from __future__ import annotations

import functools
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from benchmarks.problems import BINOMIAL, COX, GAUSSIAN, MGAUSSIAN, MULTINOMIAL, POISSON

#: The ``glmnet-*`` problems: glmnet's example data set and the family fitted.
R_EXAMPLES: dict[str, tuple[str, str]] = {
    "glmnet-quickstart": ("QuickStartExample", GAUSSIAN),
    "glmnet-binomial": ("BinomialExample", BINOMIAL),
    "glmnet-poisson": ("PoissonExample", POISSON),
    "glmnet-multinomial": ("MultinomialExample", MULTINOMIAL),
    "glmnet-mgaussian": ("MultiGaussianExample", MGAUSSIAN),
    "glmnet-cox": ("CoxExample", COX),
}


def _zscore(X: np.ndarray) -> np.ndarray:
    return (X - X.mean(axis=0)) / X.std(axis=0)


@functools.cache
def _r_example(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Load one of glmnet's example data sets through Rscript (raises RuntimeError when R/glmnet are missing)."""
    with tempfile.TemporaryDirectory() as tmp:
        script = (
            "suppressMessages(library(glmnet)); "
            f"data({name}); d <- {name}; "
            f"write.table(d$x, '{tmp}/x.csv', sep=',', row.names=FALSE, col.names=FALSE); "
            f"write.table(as.matrix(d$y), '{tmp}/y.csv', sep=',', row.names=FALSE, col.names=FALSE)"
        )
        try:
            subprocess.run(["Rscript", "-e", script], check=True, capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise RuntimeError(f"R glmnet example data {name} unavailable: {exc}") from exc
        X = np.loadtxt(Path(tmp) / "x.csv", delimiter=",", ndmin=2)
        y = np.loadtxt(Path(tmp) / "y.csv", delimiter=",", ndmin=2)
    return X, (y[:, 0] if y.shape[1] == 1 else y)


def load_real(name: str) -> tuple[np.ndarray, np.ndarray, str]:
    """``(X, y, family)`` of a real data set of :data:`REAL`."""
    if name == "diabetes":
        from sklearn.datasets import load_diabetes

        X, y = load_diabetes(return_X_y=True, scaled=False)
        return _zscore(X), y.astype(float), GAUSSIAN
    if name == "breast-cancer":
        from sklearn.datasets import load_breast_cancer

        X, y = load_breast_cancer(return_X_y=True)
        return _zscore(X), y.astype(float), BINOMIAL
    if name in R_EXAMPLES:
        data, family = R_EXAMPLES[name]
        X, y = _r_example(data)
        return X, (y - 1.0 if family == MULTINOMIAL else y), family  # multinomial: R's labels 1 … K → 0 … K−1
    raise KeyError(name)
