"""Figures of benchmark results: time per problem and solver (``times.png``), time vs n and vs p (``scaling.png``).

Each figure is drawn on axes the caller gives (``notebooks/benchmarks.ipynb`` draws them inline) or saved as a PNG
by :func:`save_times` / :func:`save_scaling` (the harness's files) on a figure of its own, without pyplot, so the
caller's matplotlib backend is left alone. Only matplotlib is needed, not the solvers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.report import index, problems_in, solvers_in

TITLE = "Time to a path with duality gap ≤ 1e-6·P(0) at every λ"


def draw_times(results: dict, ax: Any) -> None:
    """Grouped bars on ``ax``: time per problem and solver, log scale; hatched bars are not certified (the time of
    the setting with the best gap)."""
    import matplotlib

    probs, solvers = problems_in(results), solvers_in(results)
    idx = index(results)
    width = 0.8 / max(len(solvers), 1)
    colors = matplotlib.colormaps["tab10"]
    for j, s in enumerate(solvers):
        shift = (j - (len(solvers) - 1) / 2) * width
        xs, hs, hatch_x, hatch_h = [], [], [], []
        for i, prob in enumerate(probs):
            r = idx.get((prob, s))
            if r is None:
                continue
            if r["status"] == "certified":
                xs.append(i + shift)
                hs.append(r["time_s"])
            elif r["status"] == "not certified" and r["attempts"]:
                hatch_x.append(i + shift)
                hatch_h.append(min(r["attempts"], key=lambda a: a["max_gap"])["seconds"])
        ax.bar(xs, hs, width, label=s, color=colors(j % 10))
        if hatch_x:
            ax.bar(hatch_x, hatch_h, width, color="none", edgecolor=colors(j % 10), hatch="///")
    ax.set_yscale("log")
    ax.set_xticks(range(len(probs)), probs, rotation=30, ha="right")
    ax.set_ylabel("seconds to a certified path (log scale)")
    ax.set_title(TITLE + (" — quick mode" if results.get("quick") else "") + "\n(hatched: not certified)", fontsize=10)
    ax.legend(ncol=min(len(solvers), 4), fontsize=8)
    ax.grid(axis="y", which="both", alpha=0.3)


def draw_scaling(records: list[dict], axes: Any) -> None:
    """Time vs n (first axes) and vs p (second) of each solver in ``records`` (``scaling.json``), log-log; grey
    crosses: not certified."""
    for ax, series in zip(axes, ("n", "p"), strict=True):
        rows = [r for r in records if r["series"] == series]
        fixed = "p" if series == "n" else "n"
        for solver in dict.fromkeys(r["solver"] for r in rows):
            pts = sorted(((r[series], r) for r in rows if r["solver"] == solver), key=lambda t: t[0])
            ok = [(x, r["time_s"]) for x, r in pts if r["status"] == "certified"]
            if ok:
                ax.plot(*zip(*ok, strict=True), "o-", label=solver)
            bad = [(x, min(a["seconds"] for a in r["attempts"])) for x, r in pts
                   if r["status"] == "not certified" and r["attempts"]]
            if bad:
                ax.plot(*zip(*bad, strict=True), "x", color="grey", label=f"{solver} (not certified)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(series)
        ax.set_ylabel("seconds to a certified path")
        ax.set_title(f"time vs {series} ({fixed} = {rows[0][fixed] if rows else '?'})", fontsize=10)
        ax.grid(which="both", alpha=0.3)
        ax.legend(fontsize=8)


def save_times(results: dict, path: Path) -> None:
    """:func:`draw_times` into the PNG ``path``."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(max(8, 1.1 * len(problems_in(results)) + 2), 4.8))
    draw_times(results, fig.subplots())
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def save_scaling(records: list[dict], path: Path, quick: bool) -> None:
    """:func:`draw_scaling` into the PNG ``path``."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 4.2))
    draw_scaling(records, fig.subplots(1, 2))
    fig.suptitle("Lasso path, 100 λ to λmax·1e-2, gap ≤ 1e-6·P(0)" + (" — quick mode" if quick else ""), fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
