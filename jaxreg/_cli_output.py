"""What ``jaxreg fit`` prints and writes: path.csv / cv.csv, the model at lambda_1se, the plots.

Multinomial and mgaussian paths have an output axis (classes, responses): path.csv then has a row per λ and output,
named in a ``class`` / ``response`` column (responses by their target column names).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path as FsPath
from typing import Any

import numpy as np

from jaxreg.result import Path


def write_csv(file: FsPath, header: Sequence[str], columns: Sequence[Any]) -> None:
    """Columns of numbers as CSV; floats are written with Python's shortest exact repr (they read back equal)."""
    with open(file, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(zip(*[np.asarray(c).tolist() for c in columns]))


def output_axis(fit: Path, targets: Any) -> tuple[str, list[str]] | None:
    """The output axis of a multinomial / mgaussian path: ("class", the classes) or ("response", the target
    columns); None for a path with one output."""
    if fit.coef.ndim == 2:
        return None
    return ("class", [str(c) for c in fit.classes]) if fit.classes is not None else ("response", list(targets))


def write_path(fit: Path, names: Sequence[str], targets: Any, file: FsPath) -> None:
    """One row per λ (cox: no intercept column); multinomial, mgaussian: one row per λ and class / response, named
    in a ``class`` / ``response`` column."""
    outputs = output_axis(fit, targets)
    if outputs is None:
        b0 = [] if fit.family == "cox" else [fit.intercept]
        write_csv(file, ["lambda", "df", "dev_ratio", *(["intercept"] if b0 else []), *names],
                  [fit.lambdas, fit.df, fit.dev_ratio, *b0, *(fit.coef.T + 0.0)])  # + 0.0: no -0.0
        return
    n_lambdas, p, k = fit.coef.shape
    per_output = [np.repeat(a, k) for a in (fit.lambdas, fit.df, fit.dev_ratio)]
    coef = fit.coef.transpose(0, 2, 1).reshape(n_lambdas * k, p).T + 0.0
    labels = np.tile(np.asarray(outputs[1], dtype=object), n_lambdas)
    write_csv(file, ["lambda", "df", "dev_ratio", outputs[0], "intercept", *names],
              [*per_output, labels, fit.intercept.ravel() + 0.0, *coef])


def plots(results: list[tuple[str, Any, str, str | None]], out: FsPath) -> list[str]:
    """Save each ``(function name, result, file name, y label or None)`` as a PNG; a note instead when plotting is
    unavailable."""
    try:
        from matplotlib.figure import Figure

        from jaxreg import plotting
    except ImportError as exc:
        print(f"plots skipped: {exc} (plots need matplotlib: pip install 'jaxreg[plot]')")
        return []
    written = []
    for func, result, name, ylabel in results:
        fig = Figure(figsize=(6.4, 4.4), layout="constrained")  # no pyplot: no GUI backend, no global state
        try:
            ax = getattr(plotting, func)(result, ax=fig.add_subplot())
            if ylabel:
                ax.set_ylabel(ylabel)
            fig.savefig(out / name, dpi=120)
        except Exception as exc:  # a plotting failure must not lose the fit already written
            print(f"plots skipped: {name} failed ({type(exc).__name__}: {exc})")
            continue
        written.append(name)
    return written


def describe(fit: Path, target: Any) -> None:
    """What the coefficients mean, for the families where that needs saying."""
    if fit.family == "binomial":
        print(f"classes {fit.classes[0]!r} and {fit.classes[1]!r}: the model gives the probability of "
              f"{fit.classes[1]!r}")
    elif fit.family == "multinomial":
        print(f"classes {', '.join(map(repr, fit.classes))}: one coefficient per feature and class")
    elif fit.family == "mgaussian":
        print(f"responses {', '.join(map(repr, target))}: one coefficient per feature and response (a feature is "
              "in the model for every response or for none)")
    elif fit.family == "cox":
        times = (f"survival time {target[0]!r}" if len(target) == 2
                 else f"at risk from start {target[0]!r} to stop {target[1]!r}")
        print(f"{times}, status {target[-1]!r} (1 = event, 0 = censored); no intercept (Cox partial likelihood)")


def print_model(cv: Any, fit: Path, feature_names: Sequence[str], target: Any) -> None:
    """The model at lambda_1se: a row per feature in use (and the intercept), a column per class / response."""
    b0, coef = cv.coef_at("lambda_1se")
    p = len(feature_names)
    b0, coef = np.atleast_1d(b0), coef.reshape(p, -1)  # a column per class (one for binomial, gaussian, …)
    nonzero = np.flatnonzero(coef.any(axis=1))
    print(f"\nmodel at lambda_1se = {cv.lambda_1se:.5g}: {nonzero.size} of {p} features in use")
    rows = [] if fit.family == "cox" else [("intercept", b0)]  # cox: no intercept
    rows += [(feature_names[j], coef[j]) for j in nonzero]
    outputs = output_axis(fit, target)
    if outputs is not None:
        rows.insert(0, (outputs[0], None))
    width = max([1] + [len(name) for name, _ in rows])
    for name, row in rows:
        cells = (f"{label[:12]:>12}" for label in outputs[1]) if row is None else (f"{v:>12.6g}" for v in row)
        print(f"  {name:<{width}} " + " ".join(cells))


__all__ = ["describe", "output_axis", "plots", "print_model", "write_csv", "write_path"]
