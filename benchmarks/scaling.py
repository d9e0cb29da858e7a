"""Time to a certified lasso path as n grows (p fixed) and as p grows (n fixed), for jaxreg and the fastest peer.

``python -m benchmarks.scaling [--quick] [--peer auto|sklearn|glmnet|…] [--out benchmarks/results]`` writes
``OUT/scaling.json`` and ``OUT/scaling.png`` (log–log, one panel per direction). The peer is, with ``auto``, the
fastest certified peer on ``tall`` (for the n series) and on ``wide`` (for the p series) in ``OUT/results.json``,
or scikit-learn when there is no such file. Same protocol as the main benchmark (certified at 1e-6·P(0), the two
solvers timed in alternating rounds, median of the timed calls, jaxreg's compilation excluded and reported).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: (fixed size, varying sizes) per series; ρ = 0.5 and k = 20 nonzeros throughout.
SERIES = {
    "n": {"p": 500, "n": [500, 1_000, 2_000, 5_000, 10_000, 20_000]},
    "p": {"n": 200, "p": [200, 500, 1_000, 2_000, 5_000, 10_000]},
}
QUICK_SERIES = {
    "n": {"p": 100, "n": [200, 500, 1_000]},
    "p": {"n": 50, "p": [100, 200, 400]},
}
REFERENCE_PROBLEM = {"n": "tall", "p": "wide"}  # where "the fastest peer" is read from results.json


def pick_peer(requested: str, series: str, results_path: Path) -> str:
    """The peer to compare with for a series (see the module docstring)."""
    if requested != "auto":
        return requested
    try:
        from benchmarks.report import fastest_peer

        results = json.loads(results_path.read_text())
        best = fastest_peer(results, REFERENCE_PROBLEM[series])
        if best is not None:
            return best["solver"]
    except (OSError, ValueError, KeyError):
        pass
    return "sklearn"


def main(argv: list[str] | None = None) -> int:
    import jax

    jax.config.update("jax_enable_x64", True)

    from benchmarks.certify import measure_all
    from benchmarks.machine import machine_info
    from benchmarks.peers import PEERS
    from benchmarks.problems import simulated_problem

    ap = argparse.ArgumentParser(prog="python -m benchmarks.scaling", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--peer", default="auto")
    ap.add_argument("--series", default="n,p", help="n, p or n,p")
    ap.add_argument("--out", default=str(HERE / "results"))
    ap.add_argument("--repeats", type=int, default=None,
                    help="timing rounds (default 3, quick 1; see benchmarks.certify)")
    ap.add_argument("--max-call-seconds", type=float, default=300.0)
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    repeats = args.repeats if args.repeats is not None else (1 if args.quick else 3)
    table = QUICK_SERIES if args.quick else SERIES

    records: list[dict] = []
    versions: dict[str, str] = {}
    t0 = time.perf_counter()
    for series in args.series.split(","):
        peer_name = pick_peer(args.peer, series, out / "results.json")
        peers = [PEERS["jaxreg"](), PEERS[peer_name]()]
        try:
            for peer in peers:
                versions[peer.name] = peer.unavailable() or peer.version()
            fixed = "p" if series == "n" else "n"
            for size in table[series][series]:
                dims = {series: size, fixed: table[series][fixed]}
                problem = simulated_problem(f"{series}={size}", dims["n"], dims["p"], k=20, seed=200 + size)
                print(f"== {problem.name}: {problem.description}", flush=True)
                for res in measure_all(peers, problem, rounds=repeats, max_call_s=args.max_call_seconds,
                                       log=lambda m: print(m, flush=True)):
                    records.append({"series": series, **dims, **res.as_dict()})
        finally:
            for peer in peers:
                peer.close()
        results = {"command": "python -m benchmarks.scaling " + " ".join(argv if argv is not None else sys.argv[1:]),
                   "quick": args.quick, "repeats": repeats, "machine": machine_info(versions), "records": records}
        (out / "scaling.json").write_text(json.dumps(results, indent=1, default=float) + "\n")
    from benchmarks.plots import save_scaling

    save_scaling(records, out / "scaling.png", args.quick)
    print(f"done in {time.perf_counter() - t0:.0f} s: {out / 'scaling.json'}, {out / 'scaling.png'}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
