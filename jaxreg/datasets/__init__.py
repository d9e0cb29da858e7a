"""Small data sets bundled with jaxreg (no download)."""

from __future__ import annotations

from importlib import resources

import numpy as np

DIABETES_FEATURES = ("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6")


def load_diabetes() -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """The diabetes data of Efron, Hastie, Johnstone & Tibshirani (2004), "Least Angle Regression".

    442 patients, 10 baseline variables on their original scales (age, sex, body-mass index, mean blood pressure
    and six blood serum measurements s1–s6) and a quantitative measure of disease progression one year later.
    This is the classic lasso-path example (the same raw values scikit-learn ships as ``load_diabetes(scaled=False)``).

    Returns
    -------
    X : (442, 10) ndarray
    y : (442,) ndarray
    feature_names : tuple of str
    """
    with resources.files(__package__).joinpath("diabetes.csv").open("r") as fh:
        data = np.loadtxt(fh, delimiter=",", skiprows=1)
    return data[:, :-1], data[:, -1], DIABETES_FEATURES


__all__ = ["DIABETES_FEATURES", "load_diabetes"]
