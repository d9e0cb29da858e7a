"""Peak memory of one certified path: jaxreg (float64, float32) and the in-process peers, on ``wider`` and ``big``.

``python -m benchmarks.memory [--problems wider,big] [--solvers jaxreg,jaxreg-f32,sklearn,…] [--out DIR] [--quick]``
writes ``OUT/memory.json``; ``benchmarks.report`` adds its table to ``RESULTS.md``.

Each measurement runs in a fresh Python process, which builds the problem, makes one warm-up call (jaxreg compiles
there), resets the kernel's high-water mark of its resident memory (``/proc/self/clear_refs``, Linux) and makes
the measured call. Reported: that call's peak resident memory above the baseline of the process once it had
imported the solver and built the data (so it includes jaxreg's compiled code), and what the process still held
after the warm-up call (C's allocator trimmed first), next to the size of ``X`` itself. For jaxreg it also reports
what XLA's compiled core allocates (``memory_analysis()``: its arguments, outputs and temporaries) — on an
accelerator that is the device memory the call needs — and, on a GPU, the device's own peak. Each solver runs at
the tolerance that certified it on the problem in ``OUT/results.json`` (else its first tolerance). Solvers that run
in a process of their own (R glmnet, adelie) are not measured.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_PROBLEMS = ("wider", "big")
DEFAULT_SOLVERS = ("jaxreg", "jaxreg-f32", "sklearn", "celer", "skglm")


def _status_kib(field: str) -> int:
    """A field of ``/proc/self/status`` (``VmRSS``, ``VmHWM``), in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def _trim() -> None:
    """Hand memory that C's allocator keeps after ``free`` back to the system (glibc), so that what the process
    holds is what it uses."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def xla_bytes(problem, tol: float, dtype: str) -> dict[str, int]:
    """What XLA's compiled ``fit_path`` allocates for ``problem`` (arguments, outputs, temporaries), in bytes."""
    from jaxreg._core import fit_path
    from jaxreg._run import core_args
    from jaxreg._setup import setup, x64

    spec = problem.paths[0]
    s = setup(problem.X, problem.y, family=problem.family, l1_ratio=spec.l1_ratio, lambdas=spec.lambdas,
              fit_intercept=True, standardize=False, tol=tol, max_iter=100_000, dtype=dtype)
    with x64(dtype == "float64"):
        args, custom = core_args(s)
        stats = fit_path.lower(*args, custom, config=s.config).compile().memory_analysis()
    names = ("argument_size_in_bytes", "output_size_in_bytes", "temp_size_in_bytes", "alias_size_in_bytes")
    return {name.removesuffix("_size_in_bytes"): int(getattr(stats, name, 0) or 0) for name in names}


def child(problem_name: str, solver: str, tol: float, quick: bool) -> dict:
    """One measurement, in this (fresh) process."""
    from benchmarks.peers import PEERS
    from benchmarks.peers.base import InProcessPeer
    from benchmarks.problems import make_problem

    problem = make_problem(problem_name, quick=quick)
    peer = PEERS[solver]()
    why = peer.unavailable() or peer.unsupported(problem)
    if not why and not isinstance(peer, InProcessPeer) and not solver.startswith("jaxreg"):
        why = f"{solver} runs in a process of its own, not measured here"
    if why:
        return {"status": "skipped", "reason": why}
    peer.version()  # imports the solver's packages (and starts JAX's backend) before the baseline
    _trim()
    baseline = _status_kib("VmRSS")  # the interpreter, the libraries, the data
    peer.run(problem, tol, 1)  # warm-up: compilation, allocator pools
    _trim()
    held = _status_kib("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
    start = time.perf_counter()
    peer.run(problem, tol, 1)
    record = {"status": "measured", "time_s": time.perf_counter() - start, "x_bytes": int(problem.X.nbytes),
              "baseline_bytes": baseline * 1024, "held_after_warmup_bytes": (held - baseline) * 1024,
              "peak_bytes": (_status_kib("VmHWM") - baseline) * 1024}
    if solver.startswith("jaxreg"):
        import jax

        record["xla_bytes"] = xla_bytes(problem, tol, peer.dtype)
        record["device"] = str(jax.devices()[0])
        stats = jax.devices()[0].memory_stats() or {}
        if "peak_bytes_in_use" in stats:
            record["device_peak_bytes"] = int(stats["peak_bytes_in_use"])
    return record


def certified_tols(results_path: Path) -> dict[tuple[str, str], float]:
    """The tolerance that certified each (problem, solver) in ``results_path`` (empty when there is no such file)."""
    from benchmarks.report import index

    try:
        records = index(json.loads(results_path.read_text()))
    except (OSError, ValueError, KeyError):
        return {}
    return {key: float(r["tol"]) for key, r in records.items() if r.get("status") == "certified"}


def measure(problems: list[str], solvers: list[str], out: Path, quick: bool) -> list[dict]:
    from benchmarks.peers import PEERS

    tols = certified_tols(out / "results.json")
    records = []
    for problem in problems:
        for solver in solvers:
            tol = tols.get((problem, solver), PEERS[solver].start_tol)
            cmd = [sys.executable, "-m", "benchmarks.memory", "--child", problem, solver, repr(tol)]
            cmd += ["--quick"] if quick else []
            proc = subprocess.run(cmd, capture_output=True, text=True, cwd=HERE.parent)
            lines = proc.stdout.strip().splitlines()
            if proc.returncode == 0 and lines:
                record = json.loads(lines[-1])
            else:
                record = {"status": "error", "reason": (proc.stderr.strip().splitlines() or ["no output"])[-1]}
            record.update(problem=problem, solver=solver, tol=tol)
            records.append(record)
            print(json.dumps(record), flush=True)
    return records


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--problems", default=",".join(DEFAULT_PROBLEMS))
    ap.add_argument("--solvers", default=",".join(DEFAULT_SOLVERS))
    ap.add_argument("--out", type=Path, default=HERE / "results")
    ap.add_argument("--quick", action="store_true", help="reduced sizes (a smoke test)")
    ap.add_argument("--child", nargs=3, metavar=("PROBLEM", "SOLVER", "TOL"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        problem, solver, tol = args.child
        print(json.dumps(child(problem, solver, float(tol), args.quick)))
        return
    from benchmarks.machine import machine_info
    from benchmarks.peers import PEERS

    out = args.out / "quick" if args.quick else args.out
    out.mkdir(parents=True, exist_ok=True)
    records = measure(args.problems.split(","), args.solvers.split(","), out, args.quick)
    versions = {name: PEERS[name]().version() for name in args.solvers.split(",")}
    doc = {"command": " ".join(["python -m benchmarks.memory", *(argv if argv is not None else sys.argv[1:])]),
           "date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), "machine": machine_info(versions),
           "records": records}
    (out / "memory.json").write_text(json.dumps(doc, indent=1))
    print(f"wrote {out / 'memory.json'}")


if __name__ == "__main__":
    main()
