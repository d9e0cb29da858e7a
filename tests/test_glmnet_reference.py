"""Agreement with R glmnet 4.1-6 (reference values committed in tests/reference/; R is not needed to run this).

The references were produced by ``tests/reference/make_glmnet_reference.R`` (gaussian) and
``make_glmnet_binomial_reference.R`` at glmnet's tightest threshold. jaxreg runs at its *default* tolerance, and
must reproduce glmnet's λ grid (including where glmnet's default path stops early) and its coefficients to better
than 1e-3 relative at every λ. For binomial the comparison is with glmnet run without its probability saturation
(``glmnet.control(pmin = 1e-100)``, the ``*_unsat`` fields), i.e. with the exact logistic objective jaxreg solves;
glmnet's default saturation changes coefficients by up to ~1e-6.
"""

import json
import pathlib

import numpy as np
import pytest

import jaxreg

REF = pathlib.Path(__file__).parent / "reference"
# multinomial and mgaussian files have an output axis (tests/test_multinomial_reference.py,
# test_mgaussian_reference.py); cox ones no intercept (tests/test_cox_reference.py); relax ones are relaxed fits
# (tests/test_relax_reference.py)
CASES = sorted(p.stem.removeprefix("glmnet_") for p in REF.glob("glmnet_*.json")
               if not any(f in p.stem for f in ("multinomial", "mgaussian", "cox", "relax")))


def _bound(value, p, default):
    if value is None:
        return None
    arr = np.array([{"Inf": np.inf, "-Inf": -np.inf}.get(v, v) if isinstance(v, str) else v
                    for v in np.atleast_1d(value)], dtype=float)
    return np.full(p, arr[0]) if arr.size == 1 else arr


def _load(case):
    d = json.loads((REF / f"glmnet_{case}.json").read_text())
    X, y = np.asarray(d["x"], float), np.asarray(d["y"], float)
    p = X.shape[1]
    kwargs = dict(
        family=d.get("family", "gaussian"),
        l1_ratio=float(d["alpha"]),
        fit_intercept=bool(d["intercept"]),
        standardize=bool(d["standardize"]),
        sample_weight=None if d["weights"] is None else np.asarray(d["weights"], float),
        penalty_factor=None if d["penalty_factor"] is None else np.asarray(d["penalty_factor"], float),
        lower_bounds=_bound(d["lower"], p, -np.inf),
        upper_bounds=_bound(d["upper"], p, np.inf),
    )
    if "offset" in d:  # glmnet's offset (the *offset* cases only; the others call jaxreg.path without it)
        kwargs["offset"] = np.asarray(d["offset"], float)
    return d, X, y, kwargs


def test_all_cases_are_present():
    assert len(CASES) >= 8


@pytest.fixture(scope="module", params=CASES)
def fitted(request):
    """One jaxreg path per case, called as glmnet was: its default grid, or the user's λ."""
    d, X, y, kwargs = _load(request.param)
    lam = dict(lambdas=np.asarray(d["lambda"], float)) if d["user_lambda"] else {}
    return request.param, d, jaxreg.path(X, y, **lam, **kwargs)  # default tol


def test_lambda_grid_matches_glmnet(fitted):
    _, d, fit = fitted
    lam_ref = np.asarray(d["lambda"], float)
    assert fit.n_lambdas == lam_ref.size, "default path length (glmnet's early stop) differs"
    np.testing.assert_allclose(fit.lambdas, lam_ref, rtol=1e-9)


def test_coefficients_match_glmnet(fitted):
    """At glmnet's λ (the grid test above checks that they agree to 1e-9)."""
    _, d, fit = fitted
    lam_ref = np.asarray(d["lambda"], float)
    assert fit.n_lambdas == lam_ref.size
    exact = "unsat" if d.get("family") == "binomial" else "tight"
    b_ref = np.asarray(d[f"beta_{exact}"], float)
    # glmnet leaves rounding-level values where the solution is 0 (~1e-16; ~1e-10 at a feature's entry λ)
    b_ref[np.abs(b_ref) < np.maximum(1e-10, 1e-8 * np.abs(b_ref).max(axis=1, keepdims=True))] = 0.0
    a0_ref = np.asarray(d[f"a0_{exact}"], float)
    assert fit.converged.all()
    # glmnet's ridge reports its first λ with the solution at λ = +∞; every other case is compared from the start
    start = 1 if d["alpha"] == 0 else 0
    for k in range(start, lam_ref.size):
        big = np.abs(b_ref[k]).max()
        if big == 0:
            assert np.all(fit.coef[k] == 0), k
            continue
        err = np.abs(fit.coef[k] - b_ref[k]).max()
        assert err <= 1e-3 * big, (k, err / big)
        assert abs(fit.intercept[k] - a0_ref[k]) <= 1e-3 * max(abs(a0_ref[k]), big), k
    np.testing.assert_allclose(fit.dev_ratio[start:], np.asarray(d["dev_ratio_tight"])[start:], rtol=1e-3, atol=1e-6)
    np.testing.assert_array_equal(fit.df[start:], np.count_nonzero(b_ref, axis=1)[start:])
