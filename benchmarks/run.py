"""Run the benchmark: ``python -m benchmarks.run [--quick] [--problems a,b] [--solvers x,y] [--out DIR]``.

Every solver is certified and timed on every problem (see :mod:`benchmarks.certify`); the results go to
``DIR/results.json`` and ``DIR/results.csv`` (with machine, date, versions, device), the plot to ``DIR/times.png``
and the Markdown table to ``benchmarks/RESULTS.md`` (full mode) or ``DIR/RESULTS.md`` (``--quick``, so a smoke
test never overwrites the quoted results). Results are saved after every problem, so an interrupted run keeps
what it measured; ``--merge`` adds to (and replaces matching rows of) an existing results.json instead of starting
afresh.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    from benchmarks.peers import DEFAULT_SOLVERS, PEERS
    from benchmarks.problems import ALL_PROBLEMS

    ap = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="reduced sizes of the simulated problems (the real data "
                                                          "sets as they are), 1 timed call: a smoke test (minutes)")
    ap.add_argument("--problems", default="all", help=f"comma-separated, or 'all': {','.join(ALL_PROBLEMS)}")
    ap.add_argument("--skip-problems", default="", help="comma-separated problems to leave out")
    ap.add_argument("--solvers", default=",".join(DEFAULT_SOLVERS), help=f"comma-separated: {','.join(PEERS)}")
    ap.add_argument("--out", default=None, help="results folder (default benchmarks/results, or "
                                                "benchmarks/results/quick with --quick)")
    ap.add_argument("--report", default=None, help="Markdown report path (default benchmarks/RESULTS.md, or "
                                                   "OUT/RESULTS.md with --quick or --out); 'none' to skip")
    ap.add_argument("--repeats", type=int, default=None, help="timing rounds, each calling every solver of a problem "
                                                             "in turn (default 3; quick 1)")
    ap.add_argument("--max-tries", type=int, default=10, help="tolerances tried per solver (÷10 each)")
    ap.add_argument("--max-call-seconds", type=float, default=None,
                    help="stop tightening once one call takes longer (default 300; quick 5)")
    ap.add_argument("--target", type=float, default=1e-6, help="certified relative duality gap")
    ap.add_argument("--merge", action="store_true", help="merge into an existing OUT/results.json")
    ap.add_argument("--no-plot", action="store_true")
    args = ap.parse_args(argv)
    args.repeats = args.repeats if args.repeats is not None else (1 if args.quick else 3)
    if args.repeats < 1:
        ap.error("--repeats must be at least 1")
    args.max_call_seconds = args.max_call_seconds or (5.0 if args.quick else 300.0)
    out_given = args.out is not None
    args.out = Path(args.out) if args.out else HERE / "results" / ("quick" if args.quick else "")
    if args.report is None:
        args.report = args.out / "RESULTS.md" if args.quick or out_given else HERE / "RESULTS.md"
    args.report = None if str(args.report).lower() == "none" else Path(args.report)
    return args


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(HERE.parent))
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> int:
    import jax

    jax.config.update("jax_enable_x64", True)  # float64 everywhere unless a solver asks for float32

    from benchmarks.machine import machine_info
    from benchmarks.peers import PEERS
    from benchmarks.problems import parse_problems
    from benchmarks.report import write_all

    args = _parse_args(argv)
    skip = set(filter(None, args.skip_problems.split(",")))
    problem_names = [p for p in parse_problems(args.problems) if p not in skip]
    solver_names = [s.strip() for s in args.solvers.split(",") if s.strip()]
    unknown = [s for s in solver_names if s not in PEERS]
    if unknown:
        raise SystemExit(f"unknown solver(s) {unknown}; known: {', '.join(PEERS)}")
    peers = [PEERS[s]() for s in solver_names]
    versions = {}
    for peer in peers:
        why = peer.unavailable()
        versions[peer.name] = f"unavailable: {why}" if why else peer.version()
        print(f"{peer.name}: {versions[peer.name]}", flush=True)

    command = "python -m benchmarks.run " + " ".join(argv if argv is not None else sys.argv[1:])
    from benchmarks.certify import MIN_TIMED_S

    min_timed_s = 0.0 if args.quick else MIN_TIMED_S
    results = {"command": command.strip(), "quick": args.quick, "target": args.target, "repeats": args.repeats,
               "min_timed_s": min_timed_s,
               "max_tries": args.max_tries, "max_call_seconds": args.max_call_seconds,
               "machine": machine_info(versions), "out_dir": _relative(args.out), "problem_order": problem_names,
               "problems": {}, "records": []}
    old_path = args.out / "results.json"
    if args.merge and old_path.exists():
        old = json.loads(old_path.read_text())
        done = {(p, s) for p in problem_names for s in solver_names}
        results["records"] = [r for r in old["records"] if (r["problem"], r["solver"]) not in done]
        results["problems"] = old.get("problems", {})
        results["problem_order"] = list(dict.fromkeys(old.get("problem_order", []) + problem_names))
        results["machine"]["solvers"] = {**old["machine"].get("solvers", {}), **versions}
        results["command"] = f"{old.get('command', '')}; {command.strip()}"

    t_start = time.perf_counter()
    try:
        _run_all(args, peers, problem_names, solver_names, results)
    finally:
        for peer in peers:
            peer.close()
    write_all(results, args.out, args.report, plot=not args.no_plot)
    print(f"done in {time.perf_counter() - t_start:.0f} s; results in {args.out}"
          + (f", report {args.report}" if args.report else ""), flush=True)
    return 0


def _run_all(args: argparse.Namespace, peers: list, problem_names: list[str], solver_names: list[str],
             results: dict) -> None:
    from benchmarks.certify import measure_all
    from benchmarks.problems import make_problem
    from benchmarks.report import write_all

    for name in problem_names:
        t0 = time.perf_counter()
        try:
            problem = make_problem(name, quick=args.quick)
        except Exception as exc:  # noqa: BLE001 - e.g. R missing for glmnet's example data
            print(f"== {name}: skipped ({exc})", flush=True)
            results["problems"][name] = f"not available: {exc}"
            for s in solver_names:
                results["records"].append({"problem": name, "solver": s, "status": "skipped", "reason": str(exc),
                                           "n": 0, "p": 0, "time_s": None, "max_gap": None, "attempts": []})
            continue
        results["problems"][name] = problem.description
        print(f"== {name}: {problem.description} (built in {time.perf_counter() - t0:.1f} s)", flush=True)
        outs = measure_all(peers, problem, target=args.target, max_tries=args.max_tries, rounds=args.repeats,
                           max_call_s=args.max_call_seconds, min_timed_s=results["min_timed_s"],
                           log=lambda msg: print(msg, flush=True))
        for out in outs:
            if out.status in ("skipped", "error"):
                print(f"    {out.solver:<10} {out.status}: {out.reason}", flush=True)
            results["records"].append({**out.as_dict(), "git": results["machine"].get("git")})
        write_all(results, args.out, None, plot=False)  # keep what was measured if interrupted
        del problem


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
