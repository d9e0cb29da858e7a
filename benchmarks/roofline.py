"""Time per proximal-gradient iteration against the memory-bandwidth limit of the device that runs it.

``python -m benchmarks.roofline [--problems big,wider,tall,square] [--dtypes float64,float32] [--out DIR] [--quick]``
writes ``OUT/roofline.json``; ``benchmarks.report`` adds its table to ``RESULTS.md``.

A least-squares iteration on all features is memory-bound: it reads the design once per product and does two
flops per number read. On ``X`` (``precompute=False``) the gradient ``Xᵀ(Xb − y)/n`` passes over ``X`` twice,
``2·n·p`` numbers; on the Gram matrix (``precompute=True``) ``G b`` reads ``p²``. The lower bound of an iteration is
those bytes divided by the device's read bandwidth, *measured* here: the best rate of a sum over, and of a
matrix–vector product with, an array of ``--stream-mib`` MiB on the device (for GPUs the datasheet's peak is shown
too). Each iteration's time is measured on jaxreg's own FISTA loop (the one ``jaxreg.path`` runs, with its
duality-gap check every 10 iterations, about one more product each), on the centred data, all features, the lasso
at ``λmax/20`` from zero, never stopping early: one jitted call with ``max_iter`` m₁ and one with m₂ in alternation,
``(T(m₂) − T(m₁)) / (m₂ − m₁)`` from the medians, so that the Gram matrix, the step size and the call overhead
cancel. ``efficiency = bound / time``: 1 is the roofline; a small design that
fits in cache can exceed it, and where launch overhead dominates (small p) it is far below.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DEFAULT_PROBLEMS = ("big", "wider", "tall", "square")
#: Read bandwidth from the datasheets (bytes/s), by a substring of JAX's ``device_kind``; first match wins.
NOMINAL_BANDWIDTH = (("H200", 4.8e12), ("H100 PCIe", 2.0e12), ("H100", 3.35e12), ("A100 80GB PCIe", 1.935e12),
                     ("A100-SXM4-80GB", 2.039e12), ("A100", 1.555e12), ("L4", 0.3e12), ("T4", 0.32e12))


def _best_time(fn, *args, repeats: int = 10) -> float:
    fn(*args).block_until_ready()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(*args).block_until_ready()
        times.append(time.perf_counter() - start)
    return min(times)


def read_bandwidth(mib: int) -> dict:
    """The device's read rate (bytes/s): the best of a sum and a matrix–vector product over ``mib`` MiB."""
    import jax
    import jax.numpy as jnp

    a = jnp.ones((mib * 2**20 // 4 // 1024, 1024), jnp.float32)
    v = jnp.ones(1024, jnp.float32)
    rates = {"sum": a.nbytes / _best_time(jax.jit(jnp.sum), a), "matvec": a.nbytes / _best_time(jax.jit(jnp.dot), a, v)}
    del a
    kind = getattr(jax.devices()[0], "device_kind", "")
    nominal = next((bw for key, bw in NOMINAL_BANDWIDTH if key in kind), None) if jax.devices()[0].platform == "gpu" \
        else None
    return {"measured_Bps": max(rates.values()), "by_method_Bps": rates, "array_bytes": mib * 2**20,
            "device": f"{jax.devices()[0].platform}: {kind}", "nominal_Bps": nominal}


def _solver(gram: bool):
    """One jitted call: the least-squares loss on ``X`` or its Gram matrix, the lasso at ``lam``, ``max_iter``
    iterations of jaxreg's FISTA loop from zero (``tol_abs = −1``: never stops earlier), as inside ``jaxreg.path``."""
    import jax
    import jax.numpy as jnp

    from jaxreg.losses.gaussian import GaussianGram, GaussianX
    from jaxreg.penalties.elastic_net import ElasticNet
    from jaxreg.solvers import fista, lipschitz_constant

    @jax.jit
    def run(x: jax.Array, y: jax.Array, lam: jax.Array, max_iter: jax.Array) -> jax.Array:
        loss = (GaussianGram if gram else GaussianX).from_data(x, y)
        p, dt = x.shape[1], x.dtype
        penalty = ElasticNet(jnp.ones((), dt), jnp.ones(p, dt), jnp.full(p, -jnp.inf, dt), jnp.full(p, jnp.inf, dt))
        step = 1.0 / lipschitz_constant(loss, p, dt)
        res = fista(loss, penalty, lam, jnp.zeros(p, dt), step=step, tol_abs=jnp.asarray(-1.0, dt),
                    max_iter=max_iter, check_every=10)
        return res.n_iter

    return run


def per_iteration(X: np.ndarray, y: np.ndarray, dtype: str, gram: bool, target_s: float, repeats: int) -> dict:
    """Seconds per iteration: ``max_iter`` m₁ and m₂ alternating, medians differenced (see the module docstring)."""
    from jaxreg._setup import x64

    with x64(dtype == "float64"):
        return _per_iteration(X, y, dtype, gram, target_s, repeats)


def _per_iteration(X: np.ndarray, y: np.ndarray, dtype: str, gram: bool, target_s: float, repeats: int) -> dict:
    import jax
    import jax.numpy as jnp

    from benchmarks.problems import lambda_grid

    xc, yc = X - X.mean(axis=0), y - y.mean()  # centred, as jaxreg.path prepares them (no standardization)
    lam = jnp.asarray(float(lambda_grid(X, y)[0]) / 20, dtype)
    x, yd = jax.device_put(jnp.asarray(xc, dtype)), jax.device_put(jnp.asarray(yc, dtype))
    run = _solver(gram)

    def timed(m: int) -> float:
        start = time.perf_counter()
        done = int(run(x, yd, lam, jnp.asarray(m, jnp.int32)))
        assert done == m, (done, m)
        return time.perf_counter() - start

    m1 = 10
    timed(m1)  # compilation
    pilot = max((timed(m1 + 50) - timed(m1)) / 50, 1e-7)
    m2 = m1 + int(np.clip(target_s / pilot, 50, 200_000))
    times: dict[int, list[float]] = {m1: [], m2: []}
    for _ in range(repeats):
        for m in (m1, m2):
            times[m].append(timed(m))
    return {"seconds_per_iteration": (statistics.median(times[m2]) - statistics.median(times[m1])) / (m2 - m1),
            "iterations": m2 - m1, "times_s": {str(m): ts for m, ts in times.items()}}


def measure(problems: list[str], dtypes: list[str], quick: bool, stream_mib: int, target_s: float,
            repeats: int) -> tuple[dict, list[dict]]:
    from benchmarks.problems import make_problem

    bandwidth = read_bandwidth(stream_mib)
    print(json.dumps(bandwidth), flush=True)
    records = []
    for name in problems:
        problem = make_problem(name, quick=quick)
        X, y = problem.X, problem.y
        n, p = X.shape
        for dtype in dtypes:
            itemsize = np.dtype(dtype).itemsize
            forms = [("X", False, 2 * n * p * itemsize)]
            if p <= 5_000:  # a Gram matrix of 20,000² would be 3.2 GB
                forms.append(("Gram", True, p * p * itemsize))
            for form, gram, nbytes in forms:
                it = per_iteration(X, y, dtype, gram, target_s, repeats)
                seconds, bound = it["seconds_per_iteration"], nbytes / bandwidth["measured_Bps"]
                record = {"problem": name, "n": n, "p": p, "dtype": dtype, "form": form, "bytes_per_iteration": nbytes,
                          "bound_s": bound, "efficiency": bound / seconds, "achieved_Bps": nbytes / seconds, **it}
                records.append(record)
                print(json.dumps(record), flush=True)
        del problem, X, y
    return bandwidth, records


def main(argv: list[str] | None = None) -> None:
    import jax

    jax.config.update("jax_enable_x64", True)
    ap = argparse.ArgumentParser(prog="python -m benchmarks.roofline", description=__doc__.splitlines()[0])
    ap.add_argument("--problems", default=",".join(DEFAULT_PROBLEMS))
    ap.add_argument("--dtypes", default="float64,float32")
    ap.add_argument("--out", type=Path, default=HERE / "results")
    ap.add_argument("--quick", action="store_true", help="reduced problem sizes and timings (a smoke test)")
    ap.add_argument("--stream-mib", type=int, default=None, help="array for the bandwidth (default 1024; quick 64)")
    ap.add_argument("--seconds", type=float, default=None, help="iterations timed per call (default 2 s; quick 0.1)")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    from benchmarks.machine import machine_info

    out = args.out / "quick" if args.quick else args.out
    out.mkdir(parents=True, exist_ok=True)
    mib = args.stream_mib or (64 if args.quick else 1024)
    seconds = args.seconds or (0.1 if args.quick else 2.0)
    bandwidth, records = measure(args.problems.split(","), args.dtypes.split(","), args.quick, mib, seconds,
                                 args.repeats)
    doc = {"command": " ".join(["python -m benchmarks.roofline", *(argv if argv is not None else sys.argv[1:])]),
           "date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), "machine": machine_info({}),
           "quick": args.quick, "bandwidth": bandwidth, "records": records}
    (out / "roofline.json").write_text(json.dumps(doc, indent=1))
    print(f"wrote {out / 'roofline.json'}")


def load_roofline(out_dir: Path) -> dict | None:
    """``roofline.json`` in ``out_dir``, if there is one."""
    path = out_dir / "roofline.json"
    return json.loads(path.read_text()) if path.exists() else None


def _rate(bps: float) -> str:
    return f"{bps / 1e9:.3g} GB/s"


def format_bytes(nbytes: float) -> str:
    """``nbytes`` in decimal units, three significant digits (``1.6 GB``, ``804 kB``); also used by the report."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if nbytes >= scale:
            return f"{nbytes / scale:.3g} {unit}"
    return f"{nbytes:.0f} B"


def roofline_lines(doc: dict) -> list[str]:
    """The "Per-iteration cost" section of RESULTS.md."""
    bw = doc["bandwidth"]
    nominal = f"; datasheet peak {_rate(bw['nominal_Bps'])}" if bw.get("nominal_Bps") else ""
    lines = ["", "## Per-iteration cost against the memory bandwidth", "",
             f"From `{doc['command']}` on {doc['date']} (repository {doc['machine'].get('git', '?')}, device "
             f"{bw['device']}): measured read bandwidth {_rate(bw['measured_Bps'])} (best of a sum and a "
             f"matrix–vector product over {bw['array_bytes'] // 2**20} MiB{nominal}). One proximal-gradient "
             "iteration of a least-squares path on all features reads X twice (`X` form) or the Gram matrix once "
             "(`Gram`); bound = those bytes ÷ the bandwidth; time = jaxreg's FISTA loop, gap checks every 10 "
             "iterations included, from the difference of two iteration counts (see `benchmarks/roofline.py`). "
             "Efficiency = bound ÷ time (1: at the roofline; above 1 when the data fit in a cache).", "",
             "| problem | n × p | dtype | form | bytes / iteration | time / iteration | bound | achieved | "
             "efficiency |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in doc["records"]:
        lines.append(f"| `{r['problem']}` | {r['n']:,} × {r['p']:,} | {r['dtype']} | {r['form']} | "
                     f"{format_bytes(r['bytes_per_iteration'])} | {r['seconds_per_iteration'] * 1e3:.3g} ms | "
                     f"{r['bound_s'] * 1e3:.3g} ms | {_rate(r['achieved_Bps'])} | {r['efficiency']:.2f} |")
    return lines


if __name__ == "__main__":
    main()
