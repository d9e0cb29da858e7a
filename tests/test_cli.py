"""The command line: `jaxreg demo` / `python -m jaxreg`."""

import subprocess
import sys

from jaxreg.cli import main


def test_demo_prints_a_path_summary(capsys):
    assert main(["demo", "--rows", "5"]) == 0
    out = capsys.readouterr().out
    assert "diabetes" in out and "%dev" in out and "all converged" in out
    assert "bmi" in out  # the first feature to enter the lasso path on this data


def test_demo_ridge(capsys):
    assert main(["demo", "--l1-ratio", "0", "--n-lambdas", "20"]) == 0
    assert "ridge path" in capsys.readouterr().out


def test_bad_argument_is_a_clean_error(capsys):
    assert main(["demo", "--l1-ratio", "2"]) == 2
    assert "l1_ratio" in capsys.readouterr().err


def test_module_entry_point_help():
    res = subprocess.run([sys.executable, "-m", "jaxreg", "--help"], capture_output=True, text=True, check=True)
    assert "demo" in res.stdout
