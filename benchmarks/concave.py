"""Time to a certified MCP and SCAD path next to the lasso's, on simulated problems (README, "MCP and SCAD").

``python -m benchmarks.concave [--quick] [--repeats R] [--out DIR]`` fits ``jaxreg.path`` with ``penalty="elastic_net"``
(the lasso: ``l1_ratio = 1``), ``"mcp"`` and ``"scad"`` on each problem of :data:`CASES` (the main
benchmark's generator, :func:`benchmarks.problems.simulated_problem`: Toeplitz ρ = 0.5, 20 nonzeros), default grid
and ``tol``, float64, and prints one row per fit: the λ fitted, the iterations, how many λ converged, the largest
relative gap, the first call (compilation included) and the median of ``R`` timed calls after it (``path``
returns NumPy arrays, so a call has finished when it returns). ``--out`` also writes ``DIR/concave.json``, with
the machine, date and versions. Not a test: no time is asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import warnings
from pathlib import Path

#: (family, n, p) of the README's table.
CASES = (("gaussian", 1_000, 100), ("gaussian", 200, 2_000), ("binomial", 1_000, 100))
QUICK_CASES = (("gaussian", 200, 50), ("binomial", 200, 50))
PENALTIES = ("elastic_net", "mcp", "scad")


def time_fit(X, y, family: str, penalty: str, repeats: int) -> dict:
    """One row: the fit's summary, its first call and the median of ``repeats`` later calls (seconds)."""
    import jaxreg

    def fit():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", jaxreg.ConvergenceWarning)  # counted below instead
            return jaxreg.path(X, y, family=family, penalty=penalty)

    start = time.perf_counter()
    result = fit()
    first = time.perf_counter() - start
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fit()
        times.append(time.perf_counter() - start)
    return {"family": family, "n": X.shape[0], "p": X.shape[1], "penalty": penalty,
            "n_lambdas": int(result.lambdas.size), "iterations": int(result.n_iter.sum()),
            "converged": int(result.converged.sum()), "max_gap": float(result.gap.max()),
            "first_s": first, "median_s": statistics.median(times)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two small problems, for a smoke check")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)

    import jax

    jax.config.update("jax_enable_x64", True)
    from benchmarks.problems import simulated_problem

    rows = []
    print(f"{'problem':<24}{'penalty':<12}{'λ':>5}{'iters':>8}{'conv':>6}{'max gap':>10}{'first s':>9}{'median s':>10}")
    for family, n, p in QUICK_CASES if args.quick else CASES:
        problem = simulated_problem(f"{family}-{n}x{p}", n, p, family=family)
        for penalty in PENALTIES:
            row = time_fit(problem.X, problem.y, family, penalty, args.repeats)
            rows.append(row)
            print(f"{problem.name:<24}{penalty:<12}{row['n_lambdas']:>5}{row['iterations']:>8}{row['converged']:>6}"
                  f"{row['max_gap']:>10.1e}{row['first_s']:>9.2f}{row['median_s']:>10.4f}", flush=True)
    if args.out is not None:
        from benchmarks.machine import machine_info

        args.out.mkdir(parents=True, exist_ok=True)
        record = {"command": "python -m benchmarks.concave" + (" --quick" if args.quick else ""),
                  "repeats": args.repeats, "machine": machine_info({}), "rows": rows}
        (args.out / "concave.json").write_text(json.dumps(record, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
