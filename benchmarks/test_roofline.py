"""benchmarks.roofline: the iteration counter it relies on, its arithmetic, and its section of RESULTS.md."""

from __future__ import annotations

import numpy as np

from benchmarks import roofline


def test_the_loop_runs_exactly_max_iter_iterations_and_times_are_positive():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((40, 12)), rng.standard_normal(40)
    for gram in (False, True):
        it = roofline.per_iteration(X, y, "float64", gram, target_s=0.005, repeats=1)  # asserts the count inside
        assert it["iterations"] >= 50 and it["seconds_per_iteration"] > 0


def test_bandwidth_is_measured():
    bw = roofline.read_bandwidth(8)
    assert bw["measured_Bps"] == max(bw["by_method_Bps"].values()) > 0 and bw["array_bytes"] == 8 * 2**20
    assert bw["nominal_Bps"] is None  # only GPUs are looked up in the datasheet table


def test_section_of_the_report():
    doc = {"command": "python -m benchmarks.roofline", "date": "D", "machine": {"git": "abc"},
           "bandwidth": {"measured_Bps": 2e10, "array_bytes": 2**30, "device": "cpu: cpu", "nominal_Bps": None},
           "records": [{"problem": "big", "n": 100_000, "p": 1_000, "dtype": "float64", "form": "X",
                        "bytes_per_iteration": 1.6e9, "seconds_per_iteration": 0.16, "bound_s": 0.08,
                        "achieved_Bps": 1e10, "efficiency": 0.5}]}
    lines = roofline.roofline_lines(doc)
    assert "measured read bandwidth 20 GB/s" in lines[3]
    assert lines[-1] == "| `big` | 100,000 × 1,000 | float64 | X | 1.6 GB | 160 ms | 80 ms | 10 GB/s | 0.50 |"
    assert "datasheet" not in lines[3]
    doc["bandwidth"]["nominal_Bps"] = 3.35e12
    assert "datasheet peak 3.35e+03 GB/s" in roofline.roofline_lines(doc)[3]


def test_no_file_no_section(tmp_path):
    assert roofline.load_roofline(tmp_path) is None
