"""Agreement with skglm 0.5 on group lasso and sparse-group lasso problems (reference values committed in
tests/reference/group_reference.json, written by tests/reference/make_group_reference.py; skglm is not needed to
run this). The references satisfy the optimality conditions to ≤ 4e-12 relative to λ."""

import json
import pathlib

import numpy as np
import pytest

import jaxreg

REF = json.loads((pathlib.Path(__file__).parent / "reference" / "group_reference.json").read_text())
CASES = {case["name"]: case for case in REF["cases"]}
#: jaxreg stops on the duality gap, which bounds the coefficient error only by about √(tol · P(0)): gaussian needs
#: 1e-14 for 1e-6 (at 1e-12 the error is 1.8e-6 where a group has just entered; at 1e-14 it is at most 9e-8)
TOL = {"gaussian": 1e-14, "binomial": 1e-11, "poisson": 1e-11}
#: max |jaxreg − skglm| / max |coef| at each λ, coefficients and intercept (measured: ≤ 9e-8 gaussian, ≤ 2.2e-9 GLMs)
RTOL = {"gaussian": 1e-6, "binomial": 1e-7, "poisson": 1e-7}


def test_all_cases_are_present():
    assert len(CASES) >= 6 and {c["family"] for c in CASES.values()} == {"gaussian", "binomial", "poisson"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_coefficients_match_skglm(name):
    """jaxreg at a tight tolerance reproduces skglm's coefficients and intercepts at every λ of a user grid."""
    case = CASES[name]
    X, y = np.asarray(REF["x"], float), np.asarray(case["y"], float)
    pf = None if case["penalty_factor"] is None else np.asarray(case["penalty_factor"], float)
    lambdas = np.asarray(case["lambdas"], float)
    fit = jaxreg.path(X, y, family=case["family"], penalty=case["penalty"], groups=REF["groups"],
                      l1_ratio=case["l1_ratio"], penalty_factor=pf, lambdas=lambdas,
                      tol=TOL[case["family"]], max_iter=200_000)
    assert fit.converged.all()
    np.testing.assert_array_equal(fit.lambdas, lambdas)
    coef, intercept = np.asarray(case["coef"], float), np.asarray(case["intercept"], float)
    for k in range(lambdas.size):
        scale = RTOL[case["family"]] * np.abs(coef[k]).max()
        np.testing.assert_allclose(fit.coef[k], coef[k], rtol=0, atol=scale, err_msg=f"λ index {k}")
        # the intercept on its own scale too (at λmax the coefficients are ~0 and the intercept is not)
        b0_scale = RTOL[case["family"]] * max(np.abs(coef[k]).max(), abs(intercept[k]))
        np.testing.assert_allclose(fit.intercept[k], intercept[k], rtol=0, atol=b0_scale, err_msg=f"λ index {k}")
        # the supports agree: a group zero in skglm is exactly zero in jaxreg
        np.testing.assert_array_equal(fit.coef[k] == 0, coef[k] == 0, err_msg=f"λ index {k}")
