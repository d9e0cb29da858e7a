"""The harness's figures drawn from the committed results (what ``benchmarks.run`` and ``benchmarks.scaling`` save)."""

import json
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

from benchmarks import plots, report  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def test_times_figure_has_a_bar_per_certified_record(tmp_path):
    import matplotlib.pyplot as plt

    results = json.loads((RESULTS / "results.json").read_text())
    fig, ax = plt.subplots()
    plots.draw_times(results, ax)
    heights = sorted(round(bar.get_height(), 12) for bar in ax.patches if bar.get_facecolor()[3] > 0)
    expected = sorted(round(r["time_s"], 12) for r in results["records"] if r["status"] == "certified")
    assert heights == expected
    assert [t.get_text() for t in ax.get_xticklabels()] == report.problems_in(results)
    plt.close(fig)
    plots.save_times(results, tmp_path / "times.png")
    width, height = _png_size(tmp_path / "times.png")
    assert width > height > 0


def test_scaling_figure_has_a_line_per_solver_and_series(tmp_path):
    import matplotlib.pyplot as plt

    records = json.loads((RESULTS / "scaling.json").read_text())["records"]
    fig, axes = plt.subplots(1, 2)
    plots.draw_scaling(records, axes)
    for ax, series in zip(axes, ("n", "p")):
        solvers = {r["solver"] for r in records if r["series"] == series and r["status"] == "certified"}
        assert {line.get_label() for line in ax.get_lines()} == solvers
        for line in ax.get_lines():
            xs = list(line.get_xdata())
            assert xs == sorted(xs) and len(xs) == sum(
                r["series"] == series and r["solver"] == line.get_label() and r["status"] == "certified"
                for r in records)
    plt.close(fig)
    plots.save_scaling(records, tmp_path / "scaling.png", quick=False)
    assert _png_size(tmp_path / "scaling.png")[0] > 0
