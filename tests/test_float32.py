"""float32 (what accelerators prefer) against float64."""

import numpy as np

import jaxreg
from reference_np import make_problem, objective, standardization


def test_float32_path_close_to_float64():
    X, y = make_problem(100, 30, seed=21)
    f64 = jaxreg.path(X, y, n_lambdas=30)
    f32 = jaxreg.path(X, y, n_lambdas=30, dtype="float32")
    assert f32.coef.dtype == np.float32 and f64.coef.dtype == np.float64
    assert f32.converged.all()
    np.testing.assert_allclose(f32.lambdas, f64.lambdas, rtol=1e-5)
    _, _, scale = standardization(X)
    for k, lam in enumerate(f64.lambdas):
        p64 = objective(X, y, f64.intercept[k], f64.coef[k], lam, scale=scale)
        p32 = objective(X, y, float(f32.intercept[k]), f32.coef[k].astype(float), lam, scale=scale)
        p0 = objective(X, y, y.mean(), np.zeros(30), lam, scale=scale)
        assert p32 - p64 <= 1e-4 * p0  # default float32 tol is 1e-5 of P(0); allow rounding
    err = np.abs((f32.coef - f64.coef) * scale).max()
    assert err < 1e-2 * np.abs(f64.coef * scale).max()


def test_float64_even_without_global_x64():
    import jax

    with jax.enable_x64(False):
        fit = jaxreg.path(*make_problem(30, 5, seed=1), n_lambdas=5)
    assert fit.coef.dtype == np.float64
