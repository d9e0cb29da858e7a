"""`jaxreg fit --weights COLUMN` and `--strata COLUMN`: columns that are neither target nor feature.

Each command is checked against the library call it stands for (`jaxreg.path` / `jaxreg.cv_path` with
`sample_weight=` / `strata=`) on small simulated files, with the extra columns placed among the features.
"""

import csv
import importlib.util

import numpy as np
import pytest

import jaxreg
from jaxreg import _io
from jaxreg.cli import main

RNG = np.random.default_rng(7)
N = 60
XW = RNG.normal(size=(N, 3))
YW = XW @ np.array([1.0, -0.5, 0.0]) + RNG.normal(size=N)
W = RNG.uniform(0.2, 3.0, size=N)
TIME = RNG.exponential(np.exp(-XW @ np.array([0.7, 0.0, -0.4])))
STATUS = (RNG.uniform(size=N) < 0.75).astype(float)
SITE = np.where(np.arange(N) % 3 == 0, "north", "south")
NAMES = ["a", "b", "c"]


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    """One CSV with features a, b, c, a response y, weights w, survival (time, status) and a text column site."""
    file = tmp_path_factory.mktemp("columns") / "data.csv"
    header = ["a", "w", "time", "b", "site", "y", "status", "c"]
    cols = [XW[:, 0], W, TIME, XW[:, 1], SITE, YW, STATUS, XW[:, 2]]
    with open(file, "w", newline="") as fh:
        csv.writer(fh).writerows([header, *([v if isinstance(v, str) else repr(float(v)) for v in row]
                                            for row in zip(*cols))])
    return str(file)


def _run(capsys, *argv):
    rc = main(["fit", *argv, "--n-lambdas", "10"])
    out, err = capsys.readouterr()
    return rc, out, err


def _coef(file):
    with open(file, newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    return header, np.array([[float(r[header.index(n)]) for n in NAMES] for r in rows[1:]])


def test_weights_column_is_sample_weight_not_a_feature(table, tmp_path, capsys):
    rc, out, err = _run(capsys, table, "--target", "y", "--weights", "w", "--features", "a,b,c", "--out",
                        str(tmp_path))
    assert rc == 0, err
    fit = jaxreg.path(XW, YW, sample_weight=W, n_lambdas=10)
    header, coef = _coef(tmp_path / "path.csv")
    assert "w" not in header
    np.testing.assert_array_equal(coef, fit.coef)
    assert not np.allclose(coef, jaxreg.path(XW, YW, lambdas=fit.lambdas).coef)  # the weights matter
    assert "weights 'w'" in out


def test_default_features_leave_out_weights_and_strata(table, tmp_path, capsys):
    """Without --features every other column is a feature: not the weights, strata or targets (the text column
    site is then the strata, so the file reads)."""
    rc, out, err = _run(capsys, table, "--target", "time,status", "--family", "cox", "--weights", "w",
                        "--strata", "site", "--features", "a,b,c", "--out", str(tmp_path))
    assert rc == 0, err
    fit = jaxreg.path(XW, np.column_stack([TIME, STATUS]), family="cox", sample_weight=W, strata=SITE, n_lambdas=10)
    np.testing.assert_array_equal(_coef(tmp_path / "path.csv")[1], fit.coef)
    got = _io.read_table(table, ["time", "status"], weights="w", strata="site")
    assert got.feature_names == ("a", "b", "y", "c") and got.strata.tolist() == SITE.tolist()
    np.testing.assert_array_equal(got.weights, W)


def test_strata_give_each_stratum_its_baseline(table, tmp_path, capsys):
    rc, out, err = _run(capsys, table, "--target", "time,status", "--family", "cox", "--strata", "site",
                        "--features", "a,b,c", "--out", str(tmp_path))
    assert rc == 0, err
    surv = np.column_stack([TIME, STATUS])
    fit = jaxreg.path(XW, surv, family="cox", strata=SITE, n_lambdas=10)
    coef = _coef(tmp_path / "path.csv")[1]
    np.testing.assert_array_equal(coef, fit.coef)
    assert not np.allclose(coef, jaxreg.path(XW, surv, family="cox", lambdas=fit.lambdas).coef)
    assert "strata 'site'" in out


@pytest.mark.skipif(not hasattr(jaxreg, "cv_path"), reason="jaxreg.cv_path not available")
def test_weighted_cross_validation(table, tmp_path, capsys):
    rc, out, err = _run(capsys, table, "--target", "y", "--weights", "w", "--features", "a,b,c", "--cv", "3",
                        "--out", str(tmp_path))
    assert rc == 0, err
    cv = jaxreg.cv_path(XW, YW, sample_weight=W, n_folds=3, random_state=0, n_lambdas=10)
    with open(tmp_path / "cv.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    np.testing.assert_array_equal([float(r[1]) for r in rows[1:]], cv.cv_mean)


@pytest.mark.parametrize("argv, message", [
    (["--target", "y", "--strata", "site"], "--strata: only used with --family cox (got --family gaussian)"),
    (["--target", "y", "--weights", "zz"], "--weights: no column 'zz'"),
    (["--target", "y", "--weights", "y"], "--weights: the target column 'y' cannot also be weights"),
    (["--target", "y", "--weights", "w", "--features", "a,w"], "--features: the weights column 'w' cannot also be"),
    (["--target", "time,status", "--family", "cox", "--weights", "w", "--strata", "w"],
     "column 'w' is named by several options"),
    (["--target", "y", "--weights", "site", "--features", "a,b"],
     "column 'site' is not numeric (value 'north'); --weights names a column of non-negative numbers"),
    (["--target", "y", "--weights", "status", "--features", "a,b"], None),  # 0/1 weights are fine
])
def test_column_errors_name_the_option(table, tmp_path, capsys, argv, message):
    rc, out, err = _run(capsys, table, *argv, "--out", str(tmp_path))
    if message is None:
        assert rc == 0, err
        return
    assert rc == 2 and message in err and "Traceback" not in err


def test_negative_weights_are_refused_by_the_library(table, tmp_path, capsys):
    file = tmp_path / "neg.csv"
    with open(file, "w", newline="") as fh:
        csv.writer(fh).writerows([["a", "y", "w"], *([repr(float(x)), repr(float(y)), repr(float(w))] for x, y, w in
                                                     zip(XW[:, 0], YW, np.where(np.arange(N) == 5, -1.0, W)))])
    rc, out, err = _run(capsys, str(file), "--target", "y", "--weights", "w", "--out", str(tmp_path))
    assert rc == 2 and "sample_weight" in err


@pytest.mark.skipif(not (importlib.util.find_spec("pandas") and importlib.util.find_spec("pyarrow")),
                    reason="Parquet needs pandas and pyarrow")
def test_parquet_weights_and_text_strata(tmp_path):
    import pandas as pd

    file = tmp_path / "data.parquet"
    pd.DataFrame({"a": XW[:, 0], "site": SITE, "w": W, "y": YW}).to_parquet(file)
    got = _io.read_table(file, "y", weights="w", strata="site")
    assert got.feature_names == ("a",) and got.strata.tolist() == SITE.tolist()
    np.testing.assert_array_equal(got.weights, W)
