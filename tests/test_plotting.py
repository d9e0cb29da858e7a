"""Tests of jaxreg.plotting: the drawn data are read back from the axes and compared with the fit."""

import dataclasses
import subprocess
import sys

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import jaxreg  # noqa: E402
from jaxreg.cv_result import CVPath  # noqa: E402
from jaxreg.datasets import load_diabetes  # noqa: E402
from jaxreg.plotting import plot_cv, plot_path  # noqa: E402

L = 20


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data():
    pd = pytest.importorskip("pandas")
    X, y, names = load_diabetes()
    return pd.DataFrame(X, columns=list(names)), y


@pytest.fixture(scope="module")
def fit(data):
    X, y = data
    return jaxreg.path(X, y, n_lambdas=L)


def _hand_cv(fit, scoring="mse"):
    """A CVPath on ``fit``'s grid with a made-up U-shaped curve (minimum at index 12, 1-SE choice at index 9)."""
    k = np.arange(L, dtype=float)
    cv_mean = 1.0 + 0.01 * (k - 12.0) ** 2
    cv_std = 0.05 + 0.01 * k
    folds = cv_mean + np.array([[-1.0], [0.0], [1.0]]) * cv_std
    return CVPath(lambdas=fit.lambdas, cv_mean=cv_mean, cv_std=cv_std, cv_folds=folds,
                  lambda_min=float(fit.lambdas[12]), lambda_1se=float(fit.lambdas[9]), index_min=12, index_1se=9,
                  l1_ratio=1.0, scoring=scoring, foldid=np.arange(442) % 3, path=fit,
                  fold_converged=np.ones((3, L), dtype=bool))


def _top_ticks(ax):
    """Positions and texts of the ticks of the secondary (number of nonzeros) top axis."""
    (top,) = ax.child_axes
    ax.figure.canvas.draw()
    return top.get_xticks(), [t.get_text() for t in top.xaxis.get_ticklabels()]


def _check_df_axis(ax, x, df):
    pos, texts = _top_ticks(ax)
    assert 2 <= len(pos) <= 7
    for xt, text in zip(pos, texts):
        (k,) = np.flatnonzero(np.isclose(x, xt))[:1]
        assert text == str(int(df[k]))


def test_lambda_lines_are_the_coefficients(fit, data):
    ax = plot_path(fit)
    lines = ax.get_lines()
    assert len(lines) == 10
    coef = np.asarray(fit.coef)
    for j, line in enumerate(lines):
        np.testing.assert_allclose(line.get_xdata(), np.log(fit.lambdas))
        np.testing.assert_allclose(line.get_ydata(), coef[:, j])
        assert line.get_label() == data[0].columns[j]
    assert ax.get_xlabel() == "log(λ)"
    _check_df_axis(ax, np.log(fit.lambdas), fit.df)
    # glmnet's look: the sparse end (large λ, df = 0) is on the right
    assert fit.df[0] == 0 and np.log(fit.lambdas[0]) == max(lines[0].get_xdata())


def test_lambda_without_log(fit):
    ax = plot_path(fit, log=False, label=0)
    for line in ax.get_lines():
        np.testing.assert_allclose(line.get_xdata(), fit.lambdas)
    assert ax.get_xlabel() == "λ"


@pytest.mark.parametrize("xvar", ["norm", "dev"])
def test_xvar_variants(fit, xvar):
    coef = np.asarray(fit.coef)
    x = np.array([sum(abs(b) for b in row) for row in coef]) if xvar == "norm" else np.asarray(fit.dev_ratio)
    ax = plot_path(fit, xvar=xvar)
    for j, line in enumerate(ax.get_lines()):
        np.testing.assert_allclose(line.get_xdata(), x)
        np.testing.assert_allclose(line.get_ydata(), coef[:, j])
    assert ax.get_xlabel() == {"norm": "L1 norm", "dev": "fraction of deviance explained"}[xvar]
    _check_df_axis(ax, x, fit.df)
    # the end of the path is on the right: labels go to its right
    assert all(t.get_ha() == "left" for t in ax.texts)


def test_labels_name_the_strongest_features(fit, data):
    names = list(data[0].columns)
    end = np.asarray(fit.coef)[-1]
    strongest = sorted(range(10), key=lambda j: -abs(end[j]))[:3]
    ax = plot_path(fit, label=3)
    assert [t.get_text() for t in ax.texts] == [names[j] for j in strongest]
    for t, j in zip(ax.texts, strongest):
        np.testing.assert_allclose(t.xy, (np.log(fit.lambdas[-1]), end[j]))
        assert t.get_ha() == "right"  # the smallest λ is at the left edge
    assert len(plot_path(fit, label=0).texts) == 0


def test_default_names_and_zero_coefficients_unlabelled(fit):
    coef = np.array(fit.coef)
    coef[-1, [0, 4, 7]] = 0.0
    coef[-1, 2] = 1e4  # the strongest
    anon = dataclasses.replace(fit, coef=coef, feature_names=None)
    ax = plot_path(anon, label=100)
    assert [line.get_label() for line in ax.get_lines()] == [f"x{j}" for j in range(10)]
    texts = [t.get_text() for t in ax.texts]
    assert texts[0] == "x2" and len(texts) == 7
    assert not {"x0", "x4", "x7"} & set(texts)


def test_uses_the_given_axes(fit):
    fig, (a1, a2) = plt.subplots(1, 2)
    assert plot_path(fit, ax=a2) is a2
    assert len(a2.get_lines()) == 10 and not a1.get_lines()
    assert plot_cv(_hand_cv(fit), ax=a1) is a1
    new = plot_path(fit)
    assert new.figure is not fig


def test_bad_arguments(fit):
    with pytest.raises(ValueError, match="xvar"):
        plot_path(fit, xvar="lambdas")
    with pytest.raises(TypeError, match="label"):
        plot_path(fit, label=True)
    with pytest.raises(ValueError, match="label"):
        plot_path(fit, label=-1)
    with pytest.raises(TypeError, match="log"):
        plot_path(fit, log="yes")
    with pytest.raises(TypeError, match="fit"):
        plot_path(np.zeros((3, 2)))
    with pytest.raises(TypeError, match="cv"):
        plot_cv(fit)
    with pytest.raises(TypeError, match="ax"):
        plot_path(fit, ax="left")
    zero_lam = dataclasses.replace(fit, lambdas=np.append(fit.lambdas[:-1], 0.0))
    with pytest.raises(ValueError, match="log"):
        plot_path(zero_lam)
    ax = plot_path(zero_lam, log=False)  # λ = 0 is fine on a linear axis
    assert ax.get_lines()[0].get_xdata()[-1] == 0.0


def test_cv_curve_error_bars_and_lambda_lines(fit):
    cv = _hand_cv(fit)
    ax = plot_cv(cv)
    x = np.log(fit.lambdas)
    (bars,) = ax.containers
    curve = bars.lines[0]
    assert curve.get_gid() == "cv_mean"
    np.testing.assert_allclose(curve.get_xdata(), x)
    np.testing.assert_allclose(curve.get_ydata(), cv.cv_mean)
    segments = bars.lines[2][0].get_segments()
    assert len(segments) == L
    for k, seg in enumerate(segments):
        np.testing.assert_allclose(seg[:, 0], [x[k], x[k]])
        np.testing.assert_allclose(sorted(seg[:, 1]), [cv.cv_mean[k] - cv.cv_std[k], cv.cv_mean[k] + cv.cv_std[k]])
    vlines = {line.get_label(): line for line in ax.get_lines() if line.get_label() in ("lambda_min", "lambda_1se")}
    np.testing.assert_allclose(vlines["lambda_min"].get_xdata(), [np.log(cv.lambda_min)] * 2)
    np.testing.assert_allclose(vlines["lambda_1se"].get_xdata(), [np.log(cv.lambda_1se)] * 2)
    assert all(line.get_linestyle() == "--" for line in vlines.values())
    assert ax.get_ylabel() == "mean squared error"
    _check_df_axis(ax, x, fit.df)


def test_cv_ylabel_follows_scoring(fit):
    assert plot_cv(_hand_cv(fit, scoring="auc")).get_ylabel() == "AUC"
    assert plot_cv(_hand_cv(fit, scoring="deviance")).get_ylabel() == "deviance"


def test_cv_on_a_real_cross_validation(data):
    X, y = data
    cv = jaxreg.cv_path(X, y, n_folds=3, n_lambdas=L, random_state=0)
    ax = plot_cv(cv)
    vlines = {line.get_label(): line.get_xdata()[0] for line in ax.get_lines()}
    assert np.isclose(vlines["lambda_min"], np.log(cv.lambda_min))
    assert np.isclose(vlines["lambda_1se"], np.log(cv.lambda_1se))
    assert cv.lambda_1se >= cv.lambda_min
    np.testing.assert_allclose(ax.containers[0].lines[0].get_ydata(), cv.cv_mean)


def test_cv_with_relaxed_fits_draws_each_blend(data):
    X, y = data
    cv = jaxreg.cv_path(X, y, n_folds=3, n_lambdas=L, random_state=0, relax=True, relax_gammas=[0.0, 0.5])
    ax = plot_cv(cv)
    lines = {line.get_gid(): line for line in ax.get_lines()}
    x = np.log(cv.lambdas)
    for g, gamma in enumerate((0.0, 0.5)):
        np.testing.assert_allclose(lines[f"gamma={gamma:g}"].get_ydata(), cv.relaxed.cv_mean[g])
        np.testing.assert_allclose(lines[f"gamma={gamma:g}"].get_xdata(), x)
    for name, (g, k) in (("relaxed_min", cv.relaxed.index_min), ("relaxed_1se", cv.relaxed.index_1se)):
        assert lines[name].get_xdata()[0] == pytest.approx(x[k])
        assert lines[name].get_ydata()[0] == pytest.approx(cv.relaxed.cv_mean[g, k])
    assert "gamma=1" not in lines  # γ = 1 is the error-bar curve


@pytest.mark.parametrize("plot", ["path", "cv"])
def test_missing_matplotlib_says_how_to_install(fit, monkeypatch, plot):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` raise ImportError
    with pytest.raises(ImportError, match=r'pip install "jaxreg\[plot\]"'):
        plot_path(fit) if plot == "path" else plot_cv(_hand_cv(fit))


def test_importing_jaxreg_does_not_import_matplotlib():
    code = "import sys, jaxreg, jaxreg.plotting; assert 'matplotlib' not in sys.modules, 'matplotlib imported'"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_plot_methods_delegate(fit):
    ax = fit.plot(label=0)
    np.testing.assert_allclose(ax.get_lines()[3].get_ydata(), fit.coef[:, 3])
    cv = _hand_cv(fit)
    ax = cv.plot()
    lines = {ln.get_gid(): ln for ln in ax.get_lines()}
    assert lines["lambda_min"].get_xdata()[0] == pytest.approx(np.log(cv.lambda_min))


def test_multinomial_path_draws_one_class(fit):
    """A multinomial path draws the coefficients of one class (``class_``, default the first), as one of glmnet's
    per-class plots; ``"norm"`` sums every class."""
    rng = np.random.default_rng(0)
    coef3 = np.asarray(fit.coef)[:, :, None] * rng.uniform(-1, 1, (1, 1, 3))
    multi = dataclasses.replace(fit, coef=coef3, intercept=np.zeros((fit.n_lambdas, 3)), family="multinomial",
                                classes=("a", "b", "c"))
    ax = plot_path(multi, class_="b", label=0)
    for j, line in enumerate(ax.get_lines()):
        np.testing.assert_allclose(line.get_ydata(), coef3[:, j, 1])
    assert ax.get_ylabel() == "coefficients of class b"
    ax = plot_path(multi, xvar="norm", label=0)
    np.testing.assert_allclose(ax.get_lines()[0].get_xdata(), np.abs(coef3).sum(axis=(1, 2)))
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), coef3[:, 0, 0])
    with pytest.raises(ValueError, match="class_"):
        plot_path(multi, class_="z")
