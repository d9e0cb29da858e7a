"""The notebooks run top to bottom (their code cells, in order, in one namespace); their own ``assert`` lines check
what they claim, and the quick start's printed comparison with scikit-learn is checked here.

Each runs in a fresh Python process with XLA's default compile flags, as a reader's would: the suite's own flags
(``conftest.py``) compile faster but make long loops slower, which the neural-network notebook feels (52 s instead
of 30 s on 2 cores); the notebooks promise a minute on a CPU.
"""

import os
import pathlib
import subprocess
import sys

import pytest

NOTEBOOKS = sorted((pathlib.Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))

#: Executes the code cells of the notebook named by argv[1] in one namespace, from the notebook's folder.
RUN_CELLS = """
import json, sys
namespace = {}
for cell in json.load(open(sys.argv[1]))["cells"]:
    if cell["cell_type"] == "code":
        exec(compile("".join(cell["source"]), sys.argv[1], "exec"), namespace)
"""


def test_there_are_notebooks():
    assert NOTEBOOKS


def _run(path: pathlib.Path, **env: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, XLA_FLAGS=os.environ.get("JAXREG_USER_XLA_FLAGS", ""), **env)
    proc = subprocess.run([sys.executable, "-c", RUN_CELLS, path.name], cwd=path.parent, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return proc


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path):
    proc = _run(path)
    if path.name != "quickstart.ipynb":
        return
    out = proc.stdout
    assert "all certified: True" in out
    err = float(out.rsplit("max |jaxreg − scikit-learn| / max|coef|:", 1)[1].split()[0])
    assert err < 1e-6


def test_benchmark_notebook_reads_gpu_results_when_there_are_some(tmp_path):
    # no GPU run is committed yet, so its branch reads a stand-in: the CPU results in a folder of their own
    path = NOTEBOOKS[0].parent / "benchmarks.ipynb"
    results = path.parents[1] / "benchmarks" / "results" / "results.json"
    (tmp_path / "results.json").write_text(results.read_text())
    out = _run(path, JAXREG_GPU_RESULTS=str(tmp_path)).stdout
    assert "No GPU results" not in out
    table = out.split("speed-up", 1)[1].splitlines()[1:]
    assert any(line.startswith("tall ") and line.rstrip().endswith("×") for line in table), out[-2000:]
