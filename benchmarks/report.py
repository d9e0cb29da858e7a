"""Turn ``results.json`` into ``RESULTS.md`` (tables with ratios to the fastest peer) and ``times.png``.

Also a command: ``python -m benchmarks.report [benchmarks/results/results.json] [--report PATH] [--plot PATH]``
regenerates both from a saved run without re-running anything.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
from collections.abc import Iterable
from pathlib import Path

from benchmarks.certify import MAX_REPEATS
from benchmarks.peers import JAXREG_SOLVERS, PEERS
from benchmarks.roofline import format_bytes, load_roofline, roofline_lines

HERE = Path(__file__).resolve().parent
CSV_FIELDS = ("problem", "solver", "status", "time_s", "compile_s", "max_gap", "tol", "settings", "n", "p",
              "family", "n_paths", "n_lambdas", "ratio_to_fastest_peer", "fastest_peer", "reason", "started")


# --------------------------------------------------------------------------------------------------- helpers
def _order(names: Iterable[str], reference: Iterable[str]) -> list[str]:
    ref = list(reference)
    return sorted(set(names), key=lambda s: (ref.index(s) if s in ref else len(ref), s))


def problems_in(results: dict) -> list[str]:
    return _order((r["problem"] for r in results["records"]), results.get("problem_order", []))


def solvers_in(results: dict) -> list[str]:
    return _order((r["solver"] for r in results["records"]), PEERS)


def index(results: dict) -> dict[tuple[str, str], dict]:
    return {(r["problem"], r["solver"]): r for r in results["records"]}


def fastest_peer(results: dict, problem: str) -> dict | None:
    """The certified non-jaxreg record with the smallest time on ``problem``."""
    rows = [r for r in results["records"] if r["problem"] == problem and r["status"] == "certified"
            and r["solver"] not in JAXREG_SOLVERS]
    return min(rows, key=lambda r: r["time_s"]) if rows else None


def ratio(results: dict, record: dict) -> float | None:
    best = fastest_peer(results, record["problem"])
    if best is None or record["status"] != "certified":
        return None
    return record["time_s"] / best["time_s"]


def _secs(t: float | None) -> str:
    if t is None:
        return "—"
    return f"{t * 1e3:.3g} ms" if t < 1 else f"{t:.3g} s"


def _ratio(q: float) -> str:
    return f"{q:.2f}×" if q < 10 else f"{q:.1f}×" if q < 100 else f"{q:.0f}×"


def _shape(r: dict) -> str:
    return f"{r['n']:,} × {r['p']:,}"


# --------------------------------------------------------------------------------------------------- markdown
def _cell(results: dict, r: dict | None, notes: dict[str, int]) -> str:
    if r is None:
        key = "not run on this problem in the runs assembled here (results.json lists each run's command)"
        notes.setdefault(key, len(notes) + 1)
        return f"not run [{notes[key]}]"
    if r["status"] == "certified":
        q = ratio(results, r)
        text = f"{_secs(r['time_s'])} ({_ratio(q)})" if q is not None else _secs(r["time_s"])
        text += "" if "rounds" in r else " †"
        best = fastest_peer(results, r["problem"])
        return f"**{text}**" if best is not None and best is r else text
    if r["status"] == "not certified":
        return f"not certified (gap {r['max_gap']:.1e})"
    key = r["reason"]
    notes.setdefault(key, len(notes) + 1)
    return f"{r['status']} [{notes[key]}]"


def markdown(results: dict, memory: dict | None = None, roofline: dict | None = None) -> str:
    """The RESULTS.md text (with a peak-memory section when ``memory``, the content of memory.json, is given, and
    a per-iteration section when ``roofline``, that of roofline.json, is)."""
    m = results["machine"]
    probs, solvers = problems_in(results), solvers_in(results)
    idx = index(results)
    notes: dict[str, int] = {}
    floor = results.get("min_timed_s", 0.0)
    repeated = (f"; a solver whose call takes under {floor:g} s makes one untimed warm-up call per round, then enough "
                f"timed calls to fill {floor:g} s over the rounds (at most {MAX_REPEATS} in all)" if floor else "")
    solo = [r for r in results["records"] if r.get("time_s") is not None and "rounds" not in r]
    sequential = (f" † marks rows timed by the harness's earlier protocol, one solver after another (median of "
                  f"{results['repeats']} calls after one warm-up)." if solo else "")
    lines = [
        "# Benchmark results",
        "",
        f"{_provenance(results['command'], m['date'])} — regenerate with `python -m benchmarks.run` "
        "(see `benchmarks/README.md`)." + (" **Quick mode: reduced sizes, a smoke test, not for quoting.**"
                                           if results.get("quick") else ""),
        "",
        f"**Metric:** wall time for one call computing the whole path (100 λ from λmax to λmax·1e-2; for `batch-cv` "
        "all folds × α paths), at the loosest tolerance (from each solver's default, ÷10 per step) for which the "
        f"duality gap *recomputed by the harness in float64* is ≤ {results['target']:g}·P(0) at every λ; median of the "
        f"timed calls, made in {results['repeats']} round(s) that each call every certified solver of the problem in "
        f"turn (the order rotated by one solver per round){repeated}, so that a slow spell of the machine reaches "
        "every solver of a problem. In parentheses: time ÷ time of the fastest certified peer (bold) on the "
        f"same problem in the same run; < 1 is faster than every peer.{sequential}",
        "",
        f"**Machine:** {m['host_cpu']}, {m['cpu_count']} cores, {m['memory_gib']} GiB; {m['os']}; Python "
        f"{m['python']}; JAX device {m['jax_device']}; BLAS {m['blas']}; repository {m['git']}."
        + (f" GPUs: {', '.join(m['gpus'])}." if m.get("gpus") else ""),
        "",
        "**Versions:** " + "; ".join(f"{k} {v}" for k, v in m["solvers"].items()) + ".",
        "",
        "## Time to a certified path",
        "",
        "| problem | n × p | " + " | ".join(solvers) + " |",
        "|---|---|" + "---|" * len(solvers),
    ]
    for prob in probs:
        any_r = next(r for r in results["records"] if r["problem"] == prob)
        cells = [_cell(results, idx.get((prob, s)), notes) for s in solvers]
        lines.append(f"| `{prob}` | {_shape(any_r)} | " + " | ".join(cells) + " |")
    lines += ["", *(f"[{k}] {reason}" + "  " for reason, k in notes.items())]

    lines += _jaxreg_summary(results, probs)

    comp = [r for r in results["records"] if r.get("compile_s") is not None]
    if comp:
        lines += ["", "## jaxreg compilation (first call with new shapes, not included above)", "",
                  "| problem | solver | compile | warm call | measured |", "|---|---|---|---|---|"]
        lines += [f"| `{r['problem']}` | {r['solver']} | {_secs(r['compile_s'])} | {_secs(r['time_s'])} | "
                  f"{_measured(r)} |" for r in comp]

    lines += memory_lines(memory) if memory else []
    lines += roofline_lines(roofline) if roofline else []

    lines += ["", "## Tolerance each solver needed, and the largest relative gap reached", "",
              "Certified: the tolerance used for the times above. Not certified: the best gap reached and why "
              "tightening stopped.", "",
              "| problem | " + " | ".join(solvers) + " |", "|---|" + "---|" * len(solvers)]
    for prob in probs:
        cells = []
        for s in solvers:
            r = idx.get((prob, s))
            if r is None or r["status"] in ("skipped", "error") or r["max_gap"] is None:
                cells.append("")
            else:
                mark = "" if r["status"] == "certified" else " ✗"
                cells.append(f"{r['settings']}: {r['max_gap']:.1e}{mark}")
        lines.append(f"| `{prob}` | " + " | ".join(cells) + " |")
    uncert = [r for r in results["records"] if r["status"] == "not certified"]
    if uncert:
        lines += ["", "Not certified:", ""]
        lines += [f"- `{r['problem']}` / {r['solver']}: best gap {r['max_gap']:.2e} at {r['settings']}; "
                  f"{r['reason']}." for r in uncert]

    lines += ["", "## Problems", ""]
    lines += [f"- `{p}`: {results['problems'].get(p, '')}" for p in probs]
    out = results.get("out_dir", "benchmarks/results")
    lines += ["", f"Per-call times, every tolerance tried and its gap are in `{out}/results.json` (and "
              f"`results.csv`). Plot: `{out}/times.png`.", "", f"![times]({out.removeprefix('benchmarks/')}/times.png)"
              if not results.get("quick") else "", ""]
    return "\n".join(lines)


def _provenance(command: str, date: str) -> str:
    """Where the results come from: the command, or for results assembled by ``--merge`` runs their number and
    the last one (every command is kept in results.json)."""
    runs = command.split("; python -m benchmarks.run")
    if len(runs) == 1:
        return f"Generated by `{command}` on {date}"
    return (f"Assembled from {len(runs)} runs (`python -m benchmarks.run`, then `--merge` runs of some problems, each "
            f"replacing those problems' rows; every command is listed in results.json), the last "
            f"`python -m benchmarks.run{runs[-1]}` on {date}")


def _measured(record: dict) -> str:
    """When a record was measured, and at which commit of the repository when known."""
    when = str(record.get("started", ""))[:16].replace("T", " ")
    return when + (f" at {record['git']}" if record.get("git") else "")


def memory_lines(memory: dict) -> list[str]:
    """The "Peak memory" section from ``benchmarks.memory``'s records."""
    lines = ["", "## Peak memory of one path", "",
             f"From `{memory['command']}` on {memory['date']} (repository {memory['machine'].get('git', '?')}): "
             "each solver in a fresh process, one warm-up call, then the peak resident memory during one more call "
             "(Linux's high-water mark, reset before the call) above what the process held once it had imported "
             "the solver and built the data, and what it still held after the warm-up call (compiled code, caches), "
             "next to the size of X. For jaxreg also what XLA's compiled core allocates (arguments + outputs + "
             "temporaries): on an accelerator, the device memory the call needs.", "",
             "| problem | solver | X | peak above the data | (÷ X) | held after warm-up | XLA: arguments + outputs + "
             "temporaries |",
             "|---|---|---|---|---|---|---|"]
    for r in memory["records"]:
        if r["status"] != "measured":
            lines.append(f"| `{r['problem']}` | {r['solver']} | | {r['status']}: {r.get('reason', '')} | | | |")
            continue
        xla = r.get("xla_bytes")
        xla_cell = " + ".join(format_bytes(xla[k]) for k in ("argument", "output", "temp")) if xla else ""
        if r.get("device_peak_bytes"):
            xla_cell += f"; device peak {format_bytes(r['device_peak_bytes'])}"
        peak = r["peak_bytes"]
        lines.append(f"| `{r['problem']}` | {r['solver']} | {format_bytes(r['x_bytes'])} | {format_bytes(peak)} | "
                     f"{peak / r['x_bytes']:.2f} | {format_bytes(r['held_after_warmup_bytes'])} | {xla_cell} |")
    return lines


def load_memory(out_dir: Path) -> dict | None:
    """``memory.json`` of ``benchmarks.memory`` in ``out_dir``, if there is one."""
    path = out_dir / "memory.json"
    return json.loads(path.read_text()) if path.exists() else None


def _jaxreg_summary(results: dict, probs: list[str]) -> list[str]:
    """Plain sentences on where jaxreg stands (slower or faster, by how much)."""
    out: list[str] = []
    for solver in sorted(JAXREG_SOLVERS):
        recs = [r for r in results["records"] if r["solver"] == solver]
        if not recs:
            continue
        faster, slower, other = [], [], []
        for r in sorted(recs, key=lambda r: probs.index(r["problem"])):
            q = ratio(results, r)
            if q is None:
                if r["status"] == "certified":
                    other.append(f"`{r['problem']}` (no certified peer)")
                else:
                    other.append(f"`{r['problem']}` ({r['status']})")
            elif q <= 1:
                faster.append(f"`{r['problem']}` ({_ratio(q)})")
            else:
                slower.append(f"`{r['problem']}` ({_ratio(q)})")
        qs = [q for r in recs if (q := ratio(results, r)) is not None]
        out += ["", f"**{solver} against the fastest peer.** "
                + (f"Faster on {len(faster)}: {', '.join(faster)}. " if faster else "Faster on none. ")
                + (f"Slower on {len(slower)}: {', '.join(slower)}. " if slower else "")
                + (f"Not compared: {', '.join(other)}. " if other else "")
                + (f"Geometric mean of the ratios: {math.exp(sum(map(math.log, qs)) / len(qs)):.2f}×." if qs else "")]
    return out


# --------------------------------------------------------------------------------------------------- csv, plot
def write_csv(results: dict, path: Path) -> None:
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=CSV_FIELDS, extrasaction="ignore")
        w.writeheader()
        for r in results["records"]:
            best = fastest_peer(results, r["problem"])
            w.writerow({**r, "ratio_to_fastest_peer": ratio(results, r),
                        "fastest_peer": best["solver"] if best else None})


def write_all(results: dict, out_dir: Path, report: Path | None, plot: bool = True) -> None:
    """results.json, results.csv, times.png in ``out_dir``; the Markdown report at ``report``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.json").write_text(json.dumps(results, indent=1, default=float) + "\n")
    write_csv(results, out_dir / "results.csv")
    if plot and results["records"]:
        from benchmarks.plots import save_times

        save_times(results, out_dir / "times.png")
    if report is not None:
        report.write_text(markdown(results, load_memory(out_dir), load_roofline(out_dir)))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", nargs="?", default=str(HERE / "results" / "results.json"))
    ap.add_argument("--report", default=str(HERE / "RESULTS.md"))
    ap.add_argument("--plot", default=None, help="default: times.png next to the results")
    args = ap.parse_args(argv)
    results = json.loads(Path(args.results).read_text())
    folder = Path(args.results).parent
    Path(args.report).write_text(markdown(results, load_memory(folder), load_roofline(folder)))
    from benchmarks.plots import save_times

    save_times(results, Path(args.plot) if args.plot else Path(args.results).with_name("times.png"))


if __name__ == "__main__":
    main()
