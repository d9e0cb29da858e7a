"""Command line: ``jaxreg demo`` fits a full path on the bundled diabetes data and prints a summary."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

import numpy as np

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


def build_parser() -> argparse.ArgumentParser:
    """The ``jaxreg`` argument parser."""
    parser = argparse.ArgumentParser(prog="jaxreg", description="Regularization paths with JAX.")
    sub = parser.add_subparsers(dest="command")
    demo = sub.add_parser("demo", help="fit a lasso path on the bundled diabetes data and print a summary")
    demo.add_argument("--l1-ratio", type=float, default=1.0, help="elastic-net mixing: 1 lasso, 0 ridge (default 1)")
    demo.add_argument("--n-lambdas", type=int, default=100, help="length of the λ grid (default 100)")
    demo.add_argument("--rows", type=int, default=20, help="at most this many rows in the table (default 20)")
    demo.set_defaults(func=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``jaxreg`` command (``demo`` when no command is given)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv or ["demo"])
    try:
        return int(args.func(args))
    except (ValueError, TypeError) as exc:
        print(f"jaxreg: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
