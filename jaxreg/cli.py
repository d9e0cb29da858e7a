"""Command line: ``jaxreg demo`` (a lasso path on the bundled diabetes data) and ``jaxreg fit`` (a path or a
cross-validated path on a CSV / Parquet file, written to CSV files and plots), for every family of
:func:`jaxreg.path`: one target column (gaussian, binomial, poisson, multinomial) or several (mgaussian: the
responses; cox: time and status)."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path as FsPath
from typing import Any

import numpy as np

from jaxreg._cli_output import describe, output_axis, plots, print_model, write_csv, write_path
from jaxreg._io import DataError, parse_names, read_table
from jaxreg.compile_cache import enable_compilation_cache
from jaxreg.datasets import load_diabetes
from jaxreg.path import path


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
(binomial, poisson, multinomial: the mean negative log-likelihood of the logistic / log-linear / softmax model
replaces the squared loss; mgaussian: the squared loss summed over K responses, each feature's K coefficients
penalized as one group, λ Σ_j [(1−α)/2 ‖b_j‖² + α‖b_j‖₂]; cox: the negative log partial likelihood, no b0).

Reads a CSV file with a header row (Parquet .parquet/.pq with pandas + pyarrow installed); every column but the
target column(s) (and the --weights / --strata columns) is a numeric feature unless --features lists them. Several
target columns, comma-separated: --family mgaussian --target y1,y2,y3 (the responses) or --family cox --target
time,status (status 1 = event, 0 = censored), or start,stop,status for counting-process data (glmnet's
Surv(start, stop, status)); --strata site gives each site its own baseline hazard.
Writes to --out: path.csv (one row per λ: lambda, df, dev_ratio, intercept, then one coefficient column per
feature, on the data's original scale; multinomial / mgaussian: a row per λ and class / response, named in a
class / response column; cox: no intercept column), cv.csv (lambda, cv_mean, cv_std) with --cv, and the plots
path.png (multinomial, mgaussian: the first class / response) and cv.png when matplotlib is installed."""

#: Families whose target is several columns, and the numbers of columns they take (None: any number ≥ 1).
MULTI_COLUMN = {"mgaussian": None, "cox": (2, 3)}


def _kind(l1_ratio: float) -> str:
    return {1.0: "lasso", 0.0: "ridge"}.get(float(l1_ratio), f"elastic net (l1_ratio={l1_ratio:g})")


def _cv_path() -> Any:
    try:
        from jaxreg.cv import cv_path
    except ImportError as exc:
        raise DataError(f"--cv: cross-validation is not available in this installation ({exc}).") from None
    return cv_path


def _target(args: argparse.Namespace) -> str | list[str]:
    """The target column (one name), or for mgaussian and cox the list of target columns (an (n, K) response)."""
    names = parse_names(args.target, "--target")
    if args.family not in MULTI_COLUMN:
        if len(names) > 1:
            raise DataError(f"--target: --family {args.family} takes one target column, got {len(names)} "
                            f"({args.target!r}); several columns are for --family mgaussian (y1,y2,…) or cox "
                            "(time,status or start,stop,status).")
        return names[0]
    counts = MULTI_COLUMN[args.family]
    if counts is not None and len(names) not in counts:
        raise DataError(f"--target: --family {args.family} needs 2 columns, time then status (e.g. --target "
                        f"time,status), or 3, start, stop then status (counting-process data), got {len(names)} "
                        f"({args.target!r}).")
    return names


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
    if args.strata is not None and args.family != "cox":
        raise DataError(f"--strata: only used with --family cox (got --family {args.family}).")
    out = FsPath(args.out)
    if out.exists() and not out.is_dir():
        raise DataError(f"--out: {out} exists and is not a directory.")
    base = next(d for d in (out, *out.absolute().parents) if d.exists())  # created after the fit, not before
    if not (base.is_dir() and os.access(base, os.W_OK | os.X_OK)):
        raise DataError(f"--out: cannot write to {out} ({base} is not a writable folder).")
    target = _target(args)
    features = parse_names(args.features) if args.features is not None else None
    table = read_table(args.data, target, features, numeric_target=args.family not in ("binomial", "multinomial"),
                       weights=args.weights, strata=args.strata)
    n, p = table.X.shape
    options = dict(family=args.family, n_lambdas=args.n_lambdas, lambda_min_ratio=args.lambda_min_ratio,
                   fit_intercept=not args.no_intercept, standardize=not args.no_standardize,
                   sample_weight=table.weights)
    if table.strata is not None:
        options["strata"] = table.strata
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
    several = not isinstance(table.target, str)
    names = f"targets {', '.join(map(repr, table.target))}" if several else f"target {table.target!r}"
    extras = "".join(f", {role} {name!r}" for role, name in (("weights", args.weights), ("strata", args.strata))
                     if name is not None)
    print(f"jaxreg: {args.family} {what} on {args.data} (n={n}, p={p}), {names}{extras}")
    describe(fit, table.target)
    print()
    if cv is None:
        print(fit.summary(max_rows=args.rows))
        status = "all converged" if fit.converged.all() else f"{int((~fit.converged).sum())} NOT converged"
        print(f"\n{fit.n_lambdas} λ from {fit.lambdas[0]:.5g} to {fit.lambdas[-1]:.5g}, {status}")
    else:
        print(cv.summary())
        print_model(cv, fit, table.feature_names, table.target)
    for message in dict.fromkeys(str(w.message) for w in caught):
        print(f"jaxreg: warning: {message}", file=sys.stderr)
    out.mkdir(parents=True, exist_ok=True)
    write_path(fit, table.feature_names, table.target, out / "path.csv")
    written = ["path.csv"]
    if cv is not None:
        write_csv(out / "cv.csv", ["lambda", "cv_mean", "cv_std"], [cv.lambdas, cv.cv_mean, cv.cv_std])
        written.append("cv.csv")
    outputs = output_axis(fit, table.target)  # plot_path draws the first class / response
    ylabel = f"coefficients of {outputs[0]} {outputs[1][0]}" if outputs else None
    figures = [("plot_path", fit, "path.png", ylabel)] + ([("plot_cv", cv, "cv.png", None)] if cv else [])
    written += plots(figures, out)
    print(f"wrote {', '.join(written)} to {out.resolve()}")
    return 0


def _add_fit(sub: Any) -> None:
    fit = sub.add_parser("fit", help="fit a path (or cross-validate one) on a CSV / Parquet file",
                         description=FIT_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    fit.add_argument("data", help="CSV file with a header row (.tsv: tab-separated, .gz: compressed), "
                                  "or Parquet (.parquet/.pq)")
    fit.add_argument("--target", required=True, metavar="COLUMN,...",
                     help="name of the response column (required); --family mgaussian: the comma-separated "
                          "response columns (y1,y2,…); --family cox: two columns, survival time then status "
                          "(time,status; status 1 = event, 0 = censored), or three, start,stop,status (each row at "
                          "risk on (start, stop])")
    fit.add_argument("--family", choices=("gaussian", "binomial", "poisson", "multinomial", "mgaussian", "cox"),
                     default="gaussian",
                     help="gaussian: least squares; binomial: logistic regression on a two-label target "
                          "(labels may be text; the second in sorted order is modelled); poisson: counts, log "
                          "link; multinomial: two or more labels, a coefficient per feature and class, path.csv "
                          "with a row per λ and class; mgaussian: several numeric responses sharing their "
                          "features (a group penalty), path.csv with a row per λ and response; cox: proportional "
                          "hazards on (time, status) or (start, stop, status), no intercept (default gaussian)")
    fit.add_argument("--l1-ratio", default="1.0", metavar="A",
                     help="elastic-net mixing α: 1 lasso, 0 ridge; with --cv a comma-separated list "
                          "cross-validates each and keeps the best (default 1)")
    fit.add_argument("--cv", type=int, metavar="K", help="choose λ by K-fold cross-validation (jaxreg.cv_path)")
    fit.add_argument("--scoring", choices=("deviance", "mse", "mae", "class", "auc", "C"),
                     help="cross-validation score (default deviance: the MSE for gaussian and mgaussian, the "
                          "partial-likelihood deviance for cox); class: binomial and multinomial; auc: binomial; "
                          "C (Harrell's concordance, larger is better): cox, which takes only deviance and C")
    fit.add_argument("--n-lambdas", type=int, default=100, metavar="N", help="length of the λ grid (default 100)")
    fit.add_argument("--lambda-min-ratio", type=float, metavar="R",
                     help="smallest λ as a fraction of λmax (default 1e-4 if n > p else 1e-2)")
    fit.add_argument("--no-intercept", action="store_true",
                     help="fit no intercept (and do not centre the data); cox models have none")
    fit.add_argument("--no-standardize", action="store_true",
                     help="penalize coefficients of the raw columns instead of unit-variance ones")
    fit.add_argument("--features", metavar="A,B,...",
                     help="comma-separated feature columns (default: every column but the target, the weights and "
                          "the strata)")
    fit.add_argument("--weights", metavar="COLUMN",
                     help="column of sample weights (glmnet's weights, scikit-learn's sample_weight): non-negative, "
                          "rescaled to sum to n; not a feature")
    fit.add_argument("--strata", metavar="COLUMN",
                     help="--family cox: column of stratum labels (numbers or text); each stratum has its own "
                          "baseline hazard (glmnet's stratifySurv); not a feature")
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
    parser = argparse.ArgumentParser(
        prog="jaxreg", description="Regularization paths with JAX.",
        epilog="Compiled programs are kept in ~/.cache/jaxreg/xla for the next run (JAXREG_CACHE_DIR moves the "
               "folder; an empty JAXREG_CACHE_DIR turns the cache off).")
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

    A command keeps what it compiles on disk (:func:`jaxreg.enable_compilation_cache`), so the next run with the
    same shapes starts faster.

    Returns the exit status: 0 on success, 2 on bad arguments or data (a message on stderr, no traceback).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv or ["demo"])
    except SystemExit as exc:  # --help (0) or a usage error (2), already printed by argparse
        return exc.code if isinstance(exc.code, int) else 2
    try:
        enable_compilation_cache()  # a command is a process of its own: keep what it compiles for the next one
    except OSError:  # a folder that cannot be written only costs the next run its compilation
        pass
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
