"""The notebooks run top to bottom (their code cells, in order, in one namespace); their own ``assert`` lines check
what they claim, and the quick start's printed comparison with scikit-learn is checked here."""

import json
import pathlib

import pytest

NOTEBOOKS = sorted((pathlib.Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path, capsys):
    cells = json.loads(path.read_text())["cells"]
    namespace: dict = {}
    for cell in cells:
        if cell["cell_type"] == "code":
            exec(compile("".join(cell["source"]), f"{path.name}", "exec"), namespace)  # noqa: S102
    out = capsys.readouterr().out
    if path.name != "quickstart.ipynb":
        return
    assert "all certified: True" in out
    err = float(out.rsplit("max |jaxreg − scikit-learn| / max|coef|:", 1)[1].split()[0])
    assert err < 1e-6
