"""Command line: ``jaxreg demo`` (a lasso path on the bundled diabetes data) and ``jaxreg fit`` (a path or a
cross-validated path on a CSV / Parquet file, written to CSV files and plots)."""

from __future__ import annotations

import argparse
import csv
import dataclasses
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path as FsPath
from typing import Any

import numpy as np

from jaxreg._io import DataError, parse_names, read_table
from jaxreg.datasets import load_diabetes
from jaxreg.path import path
from jaxreg.result import Path


def _demo(args: argparse.Namespace) -> int:
    X, y, names = load_diabetes()
    t0 = time.perf_counter()
    fit = path(X, y, l1_ratio=args.l1_ratio, n_lambdas=args.n_lambdas)
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    fit = path(X, y, l1_ratio=args.l1_ratio, n_lambdas=args.n_lambdas)
    again = time.perf_counter() - t0
    kind = {1.0: "lasso", 0.0: "ridge"}.get(fit.l1_ratio, f"elastic net (l1_ratio={fit.l1_ratio:g})")
    print(f"jaxreg: {kind} path on the diabetes data (Efron et al. 2004), n={X.shape[0]}, p={X.shape[1]}")
    print("features standardized, intercept unpenalized, coefficients on the original scale\n")
    print(fit.summary(max_rows=args.rows))
    entry = [int(np.argmax(fit.coef[:, j] != 0)) if np.any(fit.coef[:, j] != 0) else None for j in range(len(names))]
    order = sorted(range(len(names)), key=lambda j: (entry[j] is None, entry[j] if entry[j] is not None else 0))
    print("\norder in which features enter the model:")
    print("  " + ", ".join(f"{names[j]} (λ={fit.lambdas[entry[j]]:.3g})" for j in order if entry[j] is not None))
    last = fit.coef[-1]
    print(f"\ncoefficients at the smallest λ = {fit.lambdas[-1]:.4g} (intercept {fit.intercept[-1]:.4g}):")
    print("  " + ", ".join(f"{n}={c:.4g}" for n, c in zip(names, last)))
    status = "all converged" if fit.converged.all() else f"{int((~fit.converged).sum())} NOT converged"
    print(f"\n{fit.n_lambdas} λ, {status} (duality gap ≤ {fit.tol:g}·P(0)); "
          f"time {first:.2f} s with compilation, {1000 * again:.1f} ms compiled")
    return 0


FIT_DESCRIPTION = """\
Fit a lasso / elastic-net / ridge path (glmnet's conventions) on a data file, or choose λ by cross-validation.
objective: min over b0, b of  1/(2n) Σ_i (y_i − b0 − x_iᵀb)² + λ Σ_j [(1−α)/2 b_j² + α|b_j|],  α = --l1-ratio
(binomial, poisson: the mean negative log-likelihood of the logistic / log-linear model replaces the squared loss).

Reads a CSV file with a header row (Parquet .parquet/.pq with pandas + pyarrow installed); every column but the
target is a numeric feature unless --features lists them. Writes to --out: path.csv (one row per λ: lambda, df,
dev_ratio, intercept, then one coefficient column per feature, on the data's original scale), cv.csv (lambda,
cv_mean, cv_std) with --cv, and the plots path.png (and cv.png) when matplotlib is installed."""


def _kind(l1_ratio: float) -> str:
    return {1.0: "lasso", 0.0: "ridge"}.get(float(l1_ratio), f"elastic net (l1_ratio={l1_ratio:g})")


def _write_csv(file: FsPath, header: Sequence[str], columns: Sequence[Any]) -> None:
    """Columns of numbers as CSV; floats are written with Python's shortest exact repr (they read back equal)."""
    with open(file, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(zip(*[np.asarray(c).tolist() for c in columns]))


def _write_path(fit: Path, names: Sequence[str], file: FsPath) -> None:
    """One row per λ; multinomial: one row per λ and class, with a ``class`` column."""
    if fit.coef.ndim == 2:
        _write_csv(file, ["lambda", "df", "dev_ratio", "intercept", *names],
                   [fit.lambdas, fit.df, fit.dev_ratio, fit.intercept, *(fit.coef.T + 0.0)])  # + 0.0: no -0.0
        return
    n_lambdas, p, k = fit.coef.shape
    per_class = [np.repeat(a, k) for a in (fit.lambdas, fit.df, fit.dev_ratio)]
    coef = fit.coef.transpose(0, 2, 1).reshape(n_lambdas * k, p).T + 0.0
    labels = np.tile(np.asarray([str(c) for c in fit.classes], dtype=object), n_lambdas)
    _write_csv(file, ["lambda", "df", "dev_ratio", "class", "intercept", *names],
               [*per_class, labels, fit.intercept.ravel(), *coef])


def _plots(results: list[tuple[str, Any, str]], out: FsPath) -> list[str]:
    """Save each ``(function name, result, file name)`` as a PNG; a note instead when plotting is unavailable."""
    try:
        from matplotlib.figure import Figure

        from jaxreg import plotting
    except ImportError as exc:
        print(f"plots skipped: {exc} (plots need matplotlib: pip install 'jaxreg[plot]')")
        return []
    written = []
    for func, result, name in results:
        fig = Figure(figsize=(6.4, 4.4), layout="constrained")  # no pyplot: no GUI backend, no global state
        try:
            getattr(plotting, func)(result, ax=fig.add_subplot())
            fig.savefig(out / name, dpi=120)
        except Exception as exc:  # a plotting failure must not lose the fit already written
            print(f"plots skipped: {name} failed ({type(exc).__name__}: {exc})")
            continue
        written.append(name)
    return written


def _cv_path() -> Any:
    try:
        from jaxreg.cv import cv_path
    except ImportError as exc:
        raise DataError(f"--cv: cross-validation is not available in this installation ({exc}).") from None
    return cv_path


def _fit(args: argparse.Namespace) -> int:
    try:
        l1_ratios = [float(a) for a in str(args.l1_ratio).split(",")]
    except ValueError:
        raise DataError(f"--l1-ratio: expected a number or comma-separated numbers, got {args.l1_ratio!r}.") from None
    if len(l1_ratios) > 1 and args.cv is None:
        raise DataError("--l1-ratio: several values need --cv (cross-validation picks the best one).")
    if args.cv is not None and args.cv < 2:
        raise DataError(f"--cv: expected at least 2 folds, got {args.cv}.")
    if args.scoring is not None and args.cv is None:
        raise DataError("--scoring: only used with --cv K.")
    out = FsPath(args.out)
    if out.exists() and not out.is_dir():
        raise DataError(f"--out: {out} exists and is not a directory.")
    features = parse_names(args.features) if args.features is not None else None
    table = read_table(args.data, args.target, features,
                       numeric_target=args.family not in ("binomial", "multinomial"))
    n, p = table.X.shape
    options = dict(family=args.family, n_lambdas=args.n_lambdas, lambda_min_ratio=args.lambda_min_ratio,
                   fit_intercept=not args.no_intercept, standardize=not args.no_standardize)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if args.cv is None:
            fit, cv = path(table.X, table.y, l1_ratio=l1_ratios[0], **options), None
        else:
            cv = _cv_path()(table.X, table.y, n_folds=args.cv, scoring=args.scoring, random_state=args.seed,
                            progress=args.progress, l1_ratio=l1_ratios if len(l1_ratios) > 1 else l1_ratios[0],
                            **options)
            fit = cv.path
    fit = dataclasses.replace(fit, feature_names=table.feature_names)  # names for the plots
    cv = dataclasses.replace(cv, path=fit) if cv is not None else None
    what = f"{args.cv}-fold cross-validated {_kind(fit.l1_ratio)}" if cv else f"{_kind(fit.l1_ratio)} path"
    print(f"jaxreg: {args.family} {what} on {args.data} (n={n}, p={p}), target {table.target!r}")
    if fit.family == "binomial":
        print(f"classes {fit.classes[0]!r} and {fit.classes[1]!r}: the model gives the probability of "
              f"{fit.classes[1]!r}")
    elif fit.family == "multinomial":
        print(f"classes {', '.join(map(repr, fit.classes))}: one coefficient per feature and class")
    print()
    if cv is None:
        print(fit.summary(max_rows=args.rows))
        status = "all converged" if fit.converged.all() else f"{int((~fit.converged).sum())} NOT converged"
        print(f"\n{fit.n_lambdas} λ from {fit.lambdas[0]:.5g} to {fit.lambdas[-1]:.5g}, {status}")
    else:
        print(cv.summary())
        b0, coef = cv.coef_at("lambda_1se")
        b0, coef = np.atleast_1d(b0), coef.reshape(p, -1)  # a column per class (one for binomial, gaussian, …)
        nonzero = np.flatnonzero(coef.any(axis=1))
        print(f"\nmodel at lambda_1se = {cv.lambda_1se:.5g}: {nonzero.size} of {p} features in use")
        width = max([len("intercept")] + [len(table.feature_names[j]) for j in nonzero])
        if fit.family == "multinomial":
            print(f"  {'class':<{width}} " + " ".join(f"{str(c)[:12]:>12}" for c in fit.classes))
        for name, row in [("intercept", b0)] + [(table.feature_names[j], coef[j]) for j in nonzero]:
            print(f"  {name:<{width}} " + " ".join(f"{v:>12.6g}" for v in row))
    for message in dict.fromkeys(str(w.message) for w in caught):
        print(f"jaxreg: warning: {message}", file=sys.stderr)
    out.mkdir(parents=True, exist_ok=True)
    _write_path(fit, table.feature_names, out / "path.csv")
    written = ["path.csv"]
    if cv is not None:
        _write_csv(out / "cv.csv", ["lambda", "cv_mean", "cv_std"], [cv.lambdas, cv.cv_mean, cv.cv_std])
        written.append("cv.csv")
    written += _plots([("plot_path", fit, "path.png")] + ([("plot_cv", cv, "cv.png")] if cv else []), out)
    print(f"wrote {', '.join(written)} to {out.resolve()}")
    return 0


def _add_fit(sub: Any) -> None:
    fit = sub.add_parser("fit", help="fit a path (or cross-validate one) on a CSV / Parquet file",
                         description=FIT_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    fit.add_argument("data", help="CSV file with a header row (.tsv: tab-separated, .gz: compressed), "
                                  "or Parquet (.parquet/.pq)")
    fit.add_argument("--target", required=True, metavar="COLUMN", help="name of the response column (required)")
    fit.add_argument("--family", choices=("gaussian", "binomial", "poisson", "multinomial"), default="gaussian",
                     help="gaussian: least squares; binomial: logistic regression on a two-label target "
                          "(labels may be text; the second in sorted order is modelled); poisson: counts, log "
                          "link; multinomial: two or more labels, a coefficient per feature and class, path.csv "
                          "with a row per λ and class (default gaussian)")
    fit.add_argument("--l1-ratio", default="1.0", metavar="A",
                     help="elastic-net mixing α: 1 lasso, 0 ridge; with --cv a comma-separated list "
                          "cross-validates each and keeps the best (default 1)")
    fit.add_argument("--cv", type=int, metavar="K", help="choose λ by K-fold cross-validation (jaxreg.cv_path)")
    fit.add_argument("--scoring", choices=("deviance", "mse", "mae", "class", "auc"),
                     help="cross-validation score (default deviance: the MSE for gaussian); class and auc are "
                          "binomial only")
    fit.add_argument("--n-lambdas", type=int, default=100, metavar="N", help="length of the λ grid (default 100)")
    fit.add_argument("--lambda-min-ratio", type=float, metavar="R",
                     help="smallest λ as a fraction of λmax (default 1e-4 if n > p else 1e-2)")
    fit.add_argument("--no-intercept", action="store_true", help="fit no intercept (and do not centre the data)")
    fit.add_argument("--no-standardize", action="store_true",
                     help="penalize coefficients of the raw columns instead of unit-variance ones")
    fit.add_argument("--features", metavar="A,B,...",
                     help="comma-separated feature columns (default: every column but the target)")
    fit.add_argument("--out", default=".", metavar="DIR",
                     help="directory for path.csv, cv.csv and the plots, created if needed (default: .)")
    fit.add_argument("--seed", type=int, default=0, metavar="N",
                     help="seed of the random fold assignment, passed as cv_path(random_state=N) (default 0, so "
                          "that a rerun gives the same folds)")
    fit.add_argument("--progress", action="store_true", help="report cross-validation progress")
    fit.add_argument("--rows", type=int, default=20, metavar="N",
                     help="at most this many rows in the printed path table (default 20; path.csv has them all)")
    fit.set_defaults(func=_fit)


def build_parser() -> argparse.ArgumentParser:
    """The ``jaxreg`` argument parser."""
    parser = argparse.ArgumentParser(prog="jaxreg", description="Regularization paths with JAX.")
    sub = parser.add_subparsers(dest="command")
    demo = sub.add_parser("demo", help="fit a lasso path on the bundled diabetes data and print a summary")
    demo.add_argument("--l1-ratio", type=float, default=1.0, help="elastic-net mixing: 1 lasso, 0 ridge (default 1)")
    demo.add_argument("--n-lambdas", type=int, default=100, help="length of the λ grid (default 100)")
    demo.add_argument("--rows", type=int, default=20, help="at most this many rows in the table (default 20)")
    demo.set_defaults(func=_demo)
    _add_fit(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``jaxreg`` command (``demo`` when no command is given).

    Returns the exit status: 0 on success, 2 on bad arguments or data (a message on stderr, no traceback).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv or ["demo"])
    except SystemExit as exc:  # --help (0) or a usage error (2), already printed by argparse
        return exc.code if isinstance(exc.code, int) else 2
    try:
        return int(args.func(args))
    except (ValueError, TypeError, OSError) as exc:
        print(f"jaxreg: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("jaxreg: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
