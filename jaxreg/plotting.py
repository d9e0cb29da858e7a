"""Plots of a regularization path and of its cross-validation curve, in the style of glmnet's ``plot`` methods.

matplotlib is an optional dependency (``pip install "jaxreg[plot]"``); it is imported only when a plot is drawn,
so that importing :mod:`jaxreg` never imports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from jaxreg.cv_result import SCORE_NAMES, CVPath
from jaxreg.result import Path

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from matplotlib.axes import Axes

_XVARS = ("lambda", "norm", "dev")
_XLABELS = {"norm": "L1 norm", "dev": "fraction of deviance explained"}
_N_DF_TICKS = 7


def _import_matplotlib() -> Any:
    """Import :mod:`matplotlib`, or raise an ImportError telling how to install it."""
    try:
        import matplotlib
    except ImportError as err:
        raise ImportError(
            'jaxreg\'s plots need matplotlib, which is not installed: pip install "jaxreg[plot]"'
        ) from err
    return matplotlib


def _new_axes(ax: Axes | None) -> Axes:
    """``ax`` itself, or the axes of a new figure when ``ax`` is None."""
    _import_matplotlib()
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
        return ax
    from matplotlib.axes import Axes as _Axes

    if not isinstance(ax, _Axes):
        raise TypeError(f"ax: expected a matplotlib Axes or None, got {type(ax).__name__}.")
    return ax


def _lambda_axis(lambdas: np.ndarray, log: bool, what: str) -> tuple[np.ndarray, str]:
    """x coordinates ``ln λ`` (or ``λ`` when ``log`` is False) and the axis label."""
    if not isinstance(log, (bool, np.bool_)):
        raise TypeError(f"log: expected a bool, got {type(log).__name__}.")
    lam = np.asarray(lambdas, dtype=float)
    if not log:
        return lam, "λ"
    if np.any(lam <= 0):
        raise ValueError(f"log: {what} has λ ≤ 0, whose logarithm is undefined; pass log=False.")
    return np.log(lam), "log(λ)"


def _add_df_axis(ax: Axes, x: np.ndarray, df: np.ndarray) -> Any:
    """A top axis labelled with the number of nonzero coefficients ``df`` at a few points ``x`` of the path.

    The ticks sit at (at most ``_N_DF_TICKS``) evenly spaced path points, keeping the first of any equal ``x``;
    the axis shares the data coordinates of ``ax`` so that it follows any later change of its limits.
    """
    idx = np.unique(np.linspace(0, x.size - 1, min(x.size, _N_DF_TICKS)).round().astype(int))
    _, first = np.unique(x[idx], return_index=True)
    idx = idx[np.sort(first)]
    top = ax.secondary_xaxis("top")
    top.set_xticks(x[idx], labels=[str(int(d)) for d in np.asarray(df)[idx]])
    top.set_xlabel("nonzero coefficients")
    return top


def _check_label(label: Any, p: int) -> int:
    if isinstance(label, (bool, np.bool_)) or not isinstance(label, (int, np.integer)):
        raise TypeError(f"label: expected a non-negative int (the number of features to label), got {label!r}.")
    if label < 0:
        raise ValueError(f"label: expected a non-negative int, got {label}.")
    return min(int(label), p)


def plot_path(fit: Path, *, xvar: str = "lambda", label: int = 5, ax: Axes | None = None,
              log: bool = True, class_: Any = None) -> Axes:
    """Coefficient paths, one line per feature, as glmnet's ``plot.glmnet``.

    Parameters
    ----------
    fit : Path
        A path from :func:`jaxreg.path`.
    xvar : {"lambda", "norm", "dev"}
        What the x axis shows for the path point ``k``:

        * ``"lambda"``: ``ln λ_k`` (or ``λ_k`` when ``log=False``); the sparse end of the path is on the right;
        * ``"norm"``: the L1 norm of the coefficients, ``‖b_k‖₁ = Σ_j |b_kj|`` (intercept excluded);
        * ``"dev"``: the fraction of deviance explained, ``dev_ratio[k] = 1 − D(b_k) / D_null``.
    label : int
        How many features to name at the end of their lines (the smallest λ): those with the largest nonzero
        ``|b_j|`` there. ``0`` labels none.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.
    log : bool
        For ``xvar="lambda"``, whether x is ``ln λ`` (natural logarithm, as glmnet) or λ itself. Ignored otherwise.
    class_ : optional
        Multinomial paths: the class (one of ``fit.classes``) whose coefficients are drawn, as one of glmnet's
        per-class plots (default: the first class); ``"norm"`` sums over every class. mgaussian paths: the
        response's column index (default 0). Not used otherwise.

    Returns
    -------
    matplotlib Axes
        ``ax``, holding one line per feature (``line.get_label()`` is the feature's name, its data the column of
        ``fit.coef`` against x) and, on a secondary top axis, the number of nonzero coefficients ``fit.df``.

    Raises
    ------
    ImportError
        When matplotlib is not installed.
    """
    _import_matplotlib()
    if not isinstance(fit, Path):
        raise TypeError(f"fit: expected a jaxreg.Path, got {type(fit).__name__}.")
    if xvar not in _XVARS:
        raise ValueError(f"xvar: expected 'lambda', 'norm' or 'dev', got {xvar!r}.")
    coef = np.asarray(fit.coef, dtype=float)
    p = coef.shape[1]
    n_label = _check_label(label, p)
    if xvar == "lambda":
        x, xlabel = _lambda_axis(fit.lambdas, log, "the path")
    elif xvar == "norm":
        x, xlabel = np.abs(coef).reshape(coef.shape[0], -1).sum(axis=1), _XLABELS["norm"]
    else:
        x, xlabel = np.asarray(fit.dev_ratio, dtype=float), _XLABELS["dev"]
    ylabel = "coefficients"
    if coef.ndim == 3:
        k = _class_index(fit, class_)
        what = f"class {fit.classes[k]}" if fit.classes is not None else f"response {k}"
        coef, ylabel = coef[:, :, k], f"coefficients of {what}"
    ax = _new_axes(ax)
    names = fit.feature_names if fit.feature_names is not None else tuple(f"x{j}" for j in range(p))
    lines = ax.plot(x, coef)
    for line, name in zip(lines, names):
        line.set_label(str(name))
    if n_label:
        end = np.abs(coef[-1])
        order = [j for j in np.argsort(-end, kind="stable")[:n_label] if end[j] > 0]
        # the end of the path lies at the left (ln λ) or at the right (norm, dev) of the plot: text goes outwards
        outwards_left = x.size > 1 and x[-1] < x[0]
        for j in order:
            ax.annotate(str(names[j]), xy=(x[-1], coef[-1, j]), xytext=(-3 if outwards_left else 3, 0),
                        textcoords="offset points", ha="right" if outwards_left else "left", va="center",
                        fontsize="small", color=lines[j].get_color())
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    _add_df_axis(ax, x, fit.df)
    return ax


def _class_index(fit: Path, class_: Any) -> int:
    if class_ is None:
        return 0
    if fit.classes is None:  # mgaussian: responses by column index
        k = fit.coef.shape[2]
        if not isinstance(class_, (int, np.integer)) or isinstance(class_, bool) or not 0 <= class_ < k:
            raise ValueError(f"class_: expected a response index 0 … {k - 1}, got {class_!r}.")
        return int(class_)
    if class_ not in fit.classes:
        raise ValueError(f"class_: expected one of the path's classes {fit.classes}, got {class_!r}.")
    return fit.classes.index(class_)


def plot_cv(cv: CVPath, *, ax: Axes | None = None) -> Axes:
    """The cross-validation curve, as glmnet's ``plot.cv.glmnet``.

    Draws ``cv_mean`` against ``ln λ`` with error bars of ± one standard error (``cv_std``), dashed vertical lines
    at ``ln λ_min`` (best score) and ``ln λ_1se`` (the largest λ within one standard error of it), and the number
    of nonzero coefficients of the full-data path on a secondary top axis. With relaxed fits (``cv_path(...,
    relax=True)``) the curve of each blend ``γ < 1`` is drawn too (``cv_mean`` is ``γ = 1``), and the chosen pairs
    are marked, as glmnet's ``plot.cv.relaxed``.

    Parameters
    ----------
    cv : CVPath
        A result of :func:`jaxreg.cv_path`.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    matplotlib Axes
        ``ax``. The curve and its error bars form the ``ErrorbarContainer`` labelled ``"cv_mean"``
        (``ax.containers``), whose data line has gid ``"cv_mean"``; the two vertical lines are labelled (and have
        gid) ``"lambda_min"`` and ``"lambda_1se"``. Relaxed curves are lines with gid ``"gamma=<γ>"``, and the
        chosen pairs are markers with gid ``"relaxed_min"`` and ``"relaxed_1se"``.

    Raises
    ------
    ImportError
        When matplotlib is not installed.
    """
    _import_matplotlib()
    if not isinstance(cv, CVPath):
        raise TypeError(f"cv: expected a jaxreg CVPath, got {type(cv).__name__}.")
    x, xlabel = _lambda_axis(cv.lambdas, True, "the cross-validation")
    ax = _new_axes(ax)
    bars = ax.errorbar(x, np.asarray(cv.cv_mean, dtype=float), yerr=np.asarray(cv.cv_std, dtype=float), fmt="o",
                       color="tab:red", ecolor="darkgrey", markersize=4, capsize=2, label="cv_mean")
    bars.lines[0].set_gid("cv_mean")
    for name, k in (("lambda_min", cv.index_min), ("lambda_1se", cv.index_1se)):
        ax.axvline(x[k], linestyle="--", color="dimgrey", linewidth=1, label=name, gid=name)
    r = cv.relaxed
    if r is not None:
        for g, gamma in enumerate(r.gammas):
            if gamma < 1:
                ax.plot(x, r.cv_mean[g], linewidth=1, label=f"gamma={gamma:g}", gid=f"gamma={gamma:g}")
        for name, (g, k), marker in (("relaxed_min", r.index_min, "*"), ("relaxed_1se", r.index_1se, "D")):
            ax.plot([x[k]], [r.cv_mean[g, k]], marker, color="black", markersize=9, linestyle="none",
                    label=f"{name} (gamma={r.gammas[g]:g})", gid=name)
        ax.legend(fontsize="small")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(SCORE_NAMES.get(cv.scoring, cv.scoring))
    _add_df_axis(ax, x, cv.path.df)
    return ax


__all__ = ["plot_cv", "plot_path"]
