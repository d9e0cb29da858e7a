"""The Path object: predict, coef_at (glmnet's s= interpolation), summary, pytree, DataFrame input."""

import jax
import numpy as np
import pandas as pd
import pytest

import jaxreg
from reference_np import make_problem

X, Y = make_problem(40, 6, seed=9)
FIT = jaxreg.path(X, Y, n_lambdas=12)


def test_predict_all_lambdas():
    pred = FIT.predict(X)
    assert pred.shape == (40, FIT.n_lambdas)
    np.testing.assert_allclose(pred[:, 4], X @ FIT.coef[4] + FIT.intercept[4], rtol=1e-12)


def test_coef_at_grid_points_and_between():
    b0, b = FIT.coef_at(FIT.lambdas[3])
    np.testing.assert_allclose(b, FIT.coef[3], rtol=1e-12)
    s = 0.25 * FIT.lambdas[3] + 0.75 * FIT.lambdas[4]  # linear in λ, like glmnet's lambda.interp
    b0, b = FIT.coef_at(s)
    np.testing.assert_allclose(b, 0.25 * FIT.coef[3] + 0.75 * FIT.coef[4], rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(b0, 0.25 * FIT.intercept[3] + 0.75 * FIT.intercept[4], rtol=1e-10)
    np.testing.assert_allclose(FIT.predict(X, lambda_=s), X @ b + b0, rtol=1e-12)


def test_coef_at_clamps_outside_the_grid_and_vectorizes():
    b0, b = FIT.coef_at([10 * FIT.lambdas[0], 0.0])
    np.testing.assert_allclose(b[0], FIT.coef[0])
    np.testing.assert_allclose(b[1], FIT.coef[-1])
    assert FIT.predict(X, lambda_=[1.0, 0.5, 0.1]).shape == (40, 3)
    with pytest.raises(ValueError, match="lambda_"):
        FIT.coef_at(-1.0)
    with pytest.raises(ValueError, match="X"):
        FIT.predict(X[:, :3])


def test_result_fields_and_summary():
    assert FIT.coef.shape == (FIT.n_lambdas, 6)
    assert np.all(np.diff(FIT.lambdas) < 0)
    np.testing.assert_array_equal(FIT.df, np.count_nonzero(FIT.coef, axis=1))
    assert np.all(np.diff(FIT.dev_ratio) >= -1e-9) and FIT.dev_ratio[0] == pytest.approx(0.0, abs=1e-12)
    assert FIT.gap.max() <= FIT.tol
    text = FIT.summary()
    assert text.count("\n") == FIT.n_lambdas and "%dev" in text
    assert "Path(family='gaussian'" in repr(FIT)


def test_path_is_a_pytree():
    leaves = jax.tree_util.tree_leaves(FIT)
    assert any(leaf is FIT.coef for leaf in leaves)
    doubled = jax.tree_util.tree_map(lambda a: a * 2, FIT)
    np.testing.assert_allclose(doubled.coef, 2 * FIT.coef)
    assert doubled.l1_ratio == FIT.l1_ratio


def test_dataframe_and_list_input():
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(6)])
    fit_df = jaxreg.path(df, pd.Series(Y), n_lambdas=12)
    fit_list = jaxreg.path(X.tolist(), Y.tolist(), n_lambdas=12)
    assert fit_df.feature_names == tuple(df.columns)
    np.testing.assert_allclose(fit_df.coef, FIT.coef)
    np.testing.assert_allclose(fit_list.coef, FIT.coef)
