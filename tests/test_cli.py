"""The command line: `jaxreg demo`, `jaxreg fit` / `python -m jaxreg`.

`jaxreg fit` is checked against the library calls it stands for: path.csv against `jaxreg.path`, cv.csv and the
chosen λ against `jaxreg.cv_path` with `random_state` = `--seed`, on the bundled diabetes data written as CSV.
Every fit uses 20 λ so that the command and its reference share compiled solvers. The multi-column targets
(mgaussian responses, cox's time and status) are checked on small simulated files (60 rows, 4 features, 10 λ).
"""

import csv
import importlib.util
import subprocess
import sys

import numpy as np
import pytest

import jaxreg
from jaxreg import _io
from jaxreg.cli import build_parser, main
from jaxreg.datasets import load_diabetes

X, Y, NAMES = load_diabetes()
LABELS = np.where(Y > 140, "high", "low")  # a two-class target given as text
HAS_PLOTS = importlib.util.find_spec("matplotlib") is not None and importlib.util.find_spec("jaxreg.plotting")
cv_path = getattr(jaxreg, "cv_path", None)
needs_cv = pytest.mark.skipif(cv_path is None, reason="jaxreg.cv_path not available yet")


def _write(file, header, rows):
    with open(file, "w", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    return str(file)


def _read(file):
    """A CSV written by the command: (header, float columns by name)."""
    with open(file, newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], {name: np.array([float(r[k]) for r in rows[1:]]) for k, name in enumerate(rows[0])}


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """The diabetes data as CSV, numeric target ``y`` and text target ``progression`` (outside the test's cwd)."""
    d = tmp_path_factory.mktemp("data")
    rows = [[*map(repr, x.tolist()), repr(float(t)), lab] for x, t, lab in zip(X, Y, LABELS)]
    return _write(d / "diabetes.csv", [*NAMES, "y", "progression"], rows)


def _run(capsys, *argv):
    rc = main(["fit", *argv])
    out, err = capsys.readouterr()
    return rc, out, err


def _check_path_csv(file, fit, names):
    header, cols = _read(file)
    assert header == ["lambda", "df", "dev_ratio", "intercept", *names]
    np.testing.assert_array_equal(cols["lambda"], fit.lambdas)  # written with repr: exact
    np.testing.assert_array_equal(cols["df"], fit.df)
    np.testing.assert_array_equal(cols["dev_ratio"], fit.dev_ratio)
    np.testing.assert_array_equal(cols["intercept"], fit.intercept)
    np.testing.assert_array_equal(np.column_stack([cols[n] for n in names]), fit.coef)


# --- demo ---------------------------------------------------------------------------------------------------------

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
    assert "demo" in res.stdout and "fit" in res.stdout


# --- fit: a path --------------------------------------------------------------------------------------------------

def test_fit_writes_jaxregs_path_into_the_current_directory(data, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    rc, out, err = _run(capsys, data, "--target", "y", "--features", ",".join(NAMES), "--n-lambdas", "20")
    assert rc == 0, err
    fit = jaxreg.path(X, Y, n_lambdas=20)
    _check_path_csv(tmp_path / "path.csv", fit, NAMES)
    assert "%dev" in out and "all converged" in out and "n=442, p=10" in out
    written = {f.name for f in tmp_path.iterdir()}
    assert written == ({"path.csv", "path.png"} if HAS_PLOTS else {"path.csv"})
    if not HAS_PLOTS:
        assert "plots skipped" in out


def test_fit_options_map_to_path_keywords(data, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    rc, out, err = _run(capsys, data, "--target", "y", "--features", "bmi, s5,bp", "--l1-ratio", "0.5",
                        "--no-intercept", "--no-standardize", "--lambda-min-ratio", "0.01", "--n-lambdas", "20",
                        "--out", "results/run1")
    assert rc == 0, err
    cols = [NAMES.index(n) for n in ("bmi", "s5", "bp")]
    fit = jaxreg.path(X[:, cols], Y, l1_ratio=0.5, fit_intercept=False, standardize=False, lambda_min_ratio=0.01,
                      n_lambdas=20)
    _check_path_csv(tmp_path / "results" / "run1" / "path.csv", fit, ["bmi", "s5", "bp"])
    assert np.all(fit.intercept == 0)
    assert "elastic net (l1_ratio=0.5)" in out
    assert [f.name for f in tmp_path.iterdir()] == ["results"]  # --out respected, nothing written elsewhere


def test_binomial_with_text_labels(data, tmp_path, capsys):
    features = ",".join(NAMES)
    rc, out, err = _run(capsys, data, "--target", "progression", "--features", features, "--family", "binomial",
                        "--n-lambdas", "20", "--out", str(tmp_path))
    assert rc == 0, err
    fit = jaxreg.path(X, LABELS, family="binomial", n_lambdas=20)
    assert fit.classes == ("high", "low")
    _check_path_csv(tmp_path / "path.csv", fit, NAMES)
    assert "the model gives the probability of 'low'" in out


@needs_cv
def test_multinomial_cv_writes_a_row_per_lambda_and_class(tmp_path, capsys):
    levels = np.array(["high", "low", "mid"])[np.digitize(Y, np.quantile(Y, [1 / 3, 2 / 3])) % 3]
    rows = [[*map(repr, x.tolist()), lab] for x, lab in zip(X, levels)]
    file = _write(tmp_path / "three.csv", [*NAMES, "level"], rows)
    rc, out, err = _run(capsys, file, "--target", "level", "--family", "multinomial", "--cv", "3", "--seed", "2",
                        "--n-lambdas", "20", "--out", str(tmp_path / "res"))
    assert rc == 0, err
    cv = cv_path(X, levels, family="multinomial", n_folds=3, random_state=2, n_lambdas=20)
    fit = cv.path
    assert "classes 'high', 'low', 'mid'" in out
    with open(tmp_path / "res" / "path.csv", newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0] == ["lambda", "df", "dev_ratio", "class", "intercept", *NAMES]
    body = table[1:]
    assert len(body) == fit.n_lambdas * 3 and [r[3] for r in body[:3]] == ["high", "low", "mid"]
    got = np.array([[float(v) for v in r[4:]] for r in body]).reshape(fit.n_lambdas, 3, -1)
    np.testing.assert_array_equal(got[:, :, 0], fit.intercept)
    np.testing.assert_array_equal(got[:, :, 1:], fit.coef.transpose(0, 2, 1))
    # the model at lambda_1se: a column per class, a row per feature in use
    model = out.split("model at lambda_1se")[1].splitlines()[1:]
    listed = {line.split()[0] for line in model if line.startswith("  ")}
    _, coef = cv.coef_at("lambda_1se")
    assert listed == {"class", "intercept"} | {NAMES[j] for j in np.flatnonzero(coef.any(axis=1))}


def test_poisson_counts(tmp_path, capsys):
    rng = np.random.default_rng(0)
    Xc = rng.normal(size=(80, 3))
    counts = rng.poisson(np.exp(0.3 + Xc @ np.array([0.5, 0.0, -0.4])))
    rows = [[*map(repr, x.tolist()), str(int(c))] for x, c in zip(Xc, counts)]
    file = _write(tmp_path / "counts.csv", ["a", "b", "c", "visits"], rows)
    rc, out, err = _run(capsys, file, "--target", "visits", "--family", "poisson", "--n-lambdas", "15",
                        "--out", str(tmp_path / "out"))
    assert rc == 0, err
    _check_path_csv(tmp_path / "out" / "path.csv", jaxreg.path(Xc, counts, family="poisson", n_lambdas=15),
                    ["a", "b", "c"])


def test_plots_skipped_without_matplotlib(data, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # makes importing it fail
    rc, out, err = _run(capsys, data, "--target", "y", "--features", ",".join(NAMES), "--n-lambdas", "20",
                        "--out", str(tmp_path))
    assert rc == 0, err
    assert "plots skipped" in out and "matplotlib" in out
    assert [f.name for f in tmp_path.iterdir()] == ["path.csv"]


# --- fit: several target columns (mgaussian, cox) ------------------------------------------------------------------

def _simulated(seed=0, n=60):
    """4 features, 3 responses and a censored survival time (about 30 % censoring, exponential times)."""
    rng = np.random.default_rng(seed)
    Xs = rng.normal(size=(n, 4))
    Ym = Xs @ np.array([[1.0, 0.0, -0.5], [0.0, 0.8, 0.0], [0.5, 0.5, 0.5], [0.0, 0.0, 0.0]]) + rng.normal(size=(n, 3))
    t = rng.exponential(np.exp(-Xs @ np.array([0.8, 0.0, -0.6, 0.0])))
    c = rng.exponential(3 * np.median(t), size=n)
    return Xs, Ym, np.column_stack([np.minimum(t, c), (t <= c).astype(float)])


XS, YM, SURV = _simulated()
MULTI_NAMES = ["a", "b", "c", "d"]
# counting-process data: every other subject enters the risk sets late, at 30 % of its time
START = np.where(np.arange(SURV.shape[0]) % 2 == 0, 0.0, 0.3 * SURV[:, 0])


@pytest.fixture(scope="module")
def multi(tmp_path_factory):
    """The simulated data as three CSV files, the targets among the features: responses.csv (y2, a, b, c, y1, d,
    y3), survival.csv (a, time, b, c, status, d) and intervals.csv (start, a, b, stop, c, status, d)."""
    d = tmp_path_factory.mktemp("multi")
    a, b, c, f = XS.T
    tables = {"responses": {"y2": YM[:, 1], "a": a, "b": b, "c": c, "y1": YM[:, 0], "d": f, "y3": YM[:, 2]},
              "survival": {"a": a, "time": SURV[:, 0], "b": b, "c": c, "status": SURV[:, 1], "d": f},
              "intervals": {"start": START, "a": a, "b": b, "stop": SURV[:, 0], "c": c, "status": SURV[:, 1], "d": f}}
    return {name: _write(d / f"{name}.csv", list(cols), [[repr(float(v)) for v in row] for row in zip(*cols.values())])
            for name, cols in tables.items()}


def _responses(file):
    """A path.csv with a row per λ and response: (response labels of the first λ, intercepts (L, K), coef (L, p, K))."""
    with open(file, newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0] == ["lambda", "df", "dev_ratio", "response", "intercept", *MULTI_NAMES]
    body = table[1:]
    k = len({r[3] for r in body})
    got = np.array([[float(v) for v in r[4:]] for r in body]).reshape(len(body) // k, k, -1)
    return [r[3] for r in body[:k]], got[:, :, 0], got[:, :, 1:].transpose(0, 2, 1)


def test_mgaussian_path_has_a_row_per_lambda_and_response(multi, tmp_path, capsys):
    rc, out, err = _run(capsys, multi["responses"], "--target", "y1,y2,y3", "--family", "mgaussian",
                        "--n-lambdas", "10", "--out", str(tmp_path))
    assert rc == 0, err
    fit = jaxreg.path(XS, YM, family="mgaussian", n_lambdas=10)
    labels, b0, coef = _responses(tmp_path / "path.csv")
    assert labels == ["y1", "y2", "y3"]
    np.testing.assert_array_equal(b0, fit.intercept)
    np.testing.assert_array_equal(coef, fit.coef)
    assert "(n=60, p=4), targets 'y1', 'y2', 'y3'" in out and "responses 'y1', 'y2', 'y3'" in out
    assert "all converged" in out
    if HAS_PLOTS:
        assert (tmp_path / "path.png").stat().st_size > 0


@needs_cv
def test_mgaussian_cv(multi, tmp_path, capsys):
    rc, out, err = _run(capsys, multi["responses"], "--target", "y3, y1,y2", "--family", "mgaussian", "--cv", "3",
                        "--seed", "1", "--n-lambdas", "10", "--out", str(tmp_path))
    assert rc == 0, err
    cv = cv_path(XS, YM[:, [2, 0, 1]], family="mgaussian", n_folds=3, random_state=1, n_lambdas=10)
    _, cols = _read(tmp_path / "cv.csv")
    np.testing.assert_array_equal(cols["cv_mean"], cv.cv_mean)
    labels, b0, coef = _responses(tmp_path / "path.csv")
    assert labels == ["y3", "y1", "y2"]
    np.testing.assert_array_equal(coef, cv.path.coef)
    # the model at lambda_1se: a header row naming the responses, the intercept and the features in use
    model = [line.split() for line in out.split("model at lambda_1se")[1].splitlines()[1:] if line.startswith("  ")]
    assert model[0] == ["response", "y3", "y1", "y2"] and model[1][0] == "intercept"
    b0_1se, coef_1se = cv.coef_at("lambda_1se")
    np.testing.assert_allclose([float(v) for v in model[1][1:]], b0_1se, rtol=1e-5)
    assert {row[0] for row in model[2:]} == {MULTI_NAMES[j] for j in np.flatnonzero(coef_1se.any(axis=1))}


def test_cox_path_has_no_intercept(multi, tmp_path, capsys):
    rc, out, err = _run(capsys, multi["survival"], "--target", "time,status", "--family", "cox", "--n-lambdas", "10",
                        "--out", str(tmp_path))
    assert rc == 0, err
    fit = jaxreg.path(XS, SURV, family="cox", n_lambdas=10)
    header, cols = _read(tmp_path / "path.csv")
    assert header == ["lambda", "df", "dev_ratio", *MULTI_NAMES]  # no intercept column
    np.testing.assert_array_equal(cols["lambda"], fit.lambdas)
    np.testing.assert_array_equal(cols["dev_ratio"], fit.dev_ratio)
    np.testing.assert_array_equal(np.column_stack([cols[n] for n in MULTI_NAMES]), fit.coef)
    assert "no intercept (Cox partial likelihood)" in out and "survival time 'time', status 'status'" in out


def test_cox_start_stop_path(multi, tmp_path, capsys):
    rc, out, err = _run(capsys, multi["intervals"], "--target", "start,stop,status", "--family", "cox",
                        "--n-lambdas", "10", "--out", str(tmp_path))
    assert rc == 0, err
    fit = jaxreg.path(XS, np.column_stack([START, SURV]), family="cox", n_lambdas=10)
    header, cols = _read(tmp_path / "path.csv")
    assert header == ["lambda", "df", "dev_ratio", *MULTI_NAMES]
    np.testing.assert_array_equal(np.column_stack([cols[n] for n in MULTI_NAMES]), fit.coef)
    assert "at risk from start 'start' to stop 'stop', status 'status'" in out and "(n=60, p=4)" in out
    # the late entries change the fit: not the right-censored path of (stop, status)
    assert not np.allclose(fit.coef, jaxreg.path(XS, SURV, family="cox", lambdas=fit.lambdas).coef)


@needs_cv
def test_cox_cv_with_concordance(multi, tmp_path, capsys):
    rc, out, err = _run(capsys, multi["survival"], "--target", "time,status", "--family", "cox", "--cv", "3",
                        "--scoring", "C", "--n-lambdas", "10", "--out", str(tmp_path))
    assert rc == 0, err
    cv = cv_path(XS, SURV, family="cox", n_folds=3, random_state=0, scoring="C", n_lambdas=10)
    _, cols = _read(tmp_path / "cv.csv")
    np.testing.assert_array_equal(cols["cv_mean"], cv.cv_mean)
    np.testing.assert_array_equal(np.column_stack([_read(tmp_path / "path.csv")[1][n] for n in MULTI_NAMES]),
                                  cv.path.coef)
    assert "C-index" in out and f"{cv.lambda_1se:.5g}" in out
    model = out.split("model at lambda_1se")[1].splitlines()[1:]
    listed = {line.split()[0] for line in model if line.startswith("  ")}
    assert listed == {MULTI_NAMES[j] for j in np.flatnonzero(cv.coef_at("lambda_1se")[1])}  # no intercept row
    if HAS_PLOTS:
        assert (tmp_path / "cv.png").stat().st_size > 0 and (tmp_path / "path.png").stat().st_size > 0


@pytest.mark.parametrize("file, argv, message", [
    ("responses", ["--target", "y1,y2"], "--target: --family gaussian takes one target column, got 2"),
    ("responses", ["--target", "y1,y2", "--family", "binomial"], "--family mgaussian"),
    ("survival", ["--target", "time,status,a,b", "--family", "cox"],
     "or 3, start, stop then status (counting-process data), got 4"),
    ("survival", ["--target", "time,status,a", "--family", "cox"], "needs positive stop times (second column)"),
    ("intervals", ["--target", "start,stop,status", "--family", "cox", "--cv", "3", "--scoring", "C"],
     "use scoring='deviance' with start-stop data"),
    ("survival", ["--target", "time", "--family", "cox"], "--target: --family cox needs 2 columns"),
    ("responses", ["--target", "y1,nope,y2", "--family", "mgaussian"], "--target: no column 'nope'"),
    ("survival", ["--target", "time,event", "--family", "cox"], "--target: no column 'event'"),
    ("responses", ["--target", "y1,,y2", "--family", "mgaussian"], "--target: expected comma-separated column names"),
    ("responses", ["--target", "y1,y1", "--family", "mgaussian"], "--target: a column is listed twice"),
    ("responses", ["--target", "y1,y2", "--family", "mgaussian", "--features", "a,y2"],
     "'y2' cannot also be a feature"),
    ("survival", ["--target", "time,a", "--family", "cox"], "status (second column) of 0 (censored) or 1 (event)"),
    ("survival", ["--target", "a,status", "--family", "cox"], "positive survival times"),
    ("survival", ["--target", "time,status", "--family", "cox", "--cv", "3", "--scoring", "mse"],
     "expected one of ('deviance', 'C') for family='cox'"),
    ("responses", ["--target", "y1,y2", "--family", "mgaussian", "--cv", "3", "--scoring", "C"],
     "for family='mgaussian'"),
])
def test_bad_multi_column_targets(multi, tmp_path, capsys, file, argv, message):
    rc, out, err = _run(capsys, multi[file], *argv, "--out", str(tmp_path / "out"))
    assert rc == 2 and message in err and err.startswith("jaxreg: error: "), err
    assert not (tmp_path / "out").exists()


def test_read_table_with_several_target_columns(tmp_path):
    file = _write(tmp_path / "t.csv", ["y2", "a", "y1", "b"], [["1", "2", "3", "4"], ["5", "6", "7", "8"]])
    table = _io.read_table(file, ["y1", "y2"])
    assert table.target == ("y1", "y2") and table.feature_names == ("a", "b")
    np.testing.assert_array_equal(table.y, [[3, 1], [7, 5]])
    assert _io.read_table(file, ["y1"], numeric_target=False).y.shape == (2, 1)  # a list: always (n, K) numbers
    assert _io.read_table(file, "y1").y.shape == (2,)
    bad = _write(tmp_path / "bad.csv", ["a", "y1", "y2"], [["1", "2", "x"], ["2", "3", "4"]])
    with pytest.raises(ValueError, match=r"line 2: the target column 'y2' is not numeric .*must all be numeric"):
        _io.read_table(bad, ["y1", "y2"])


# --- fit --cv -----------------------------------------------------------------------------------------------------

@needs_cv
def test_cv_matches_cv_path_with_the_same_seed(data, tmp_path, capsys):
    rc, out, err = _run(capsys, data, "--target", "y", "--features", ",".join(NAMES), "--n-lambdas", "20",
                        "--cv", "5", "--seed", "3", "--out", str(tmp_path))
    assert rc == 0, err
    cv = cv_path(X, Y, n_folds=5, random_state=3, n_lambdas=20)
    header, cols = _read(tmp_path / "cv.csv")
    assert header == ["lambda", "cv_mean", "cv_std"]
    np.testing.assert_array_equal(cols["lambda"], cv.lambdas)
    np.testing.assert_array_equal(cols["cv_mean"], cv.cv_mean)
    np.testing.assert_array_equal(cols["cv_std"], cv.cv_std)
    _check_path_csv(tmp_path / "path.csv", cv.path, NAMES)
    assert f"{cv.lambda_min:.5g}" in out and f"{cv.lambda_1se:.5g}" in out
    # the model at lambda_1se, by name: exactly its nonzero coefficients are listed
    model = out.split("model at lambda_1se")[1].splitlines()[1:]
    listed = {line.split()[0] for line in model if line.startswith("  ")}
    _, coef = cv.coef_at("lambda_1se")
    assert listed == {"intercept"} | {NAMES[j] for j in np.flatnonzero(coef)}
    if HAS_PLOTS:
        assert (tmp_path / "cv.png").stat().st_size > 0 and (tmp_path / "path.png").stat().st_size > 0


@needs_cv
def test_binomial_cv_with_scoring_and_several_l1_ratios(data, tmp_path, capsys):
    rc, out, err = _run(capsys, data, "--target", "progression", "--features", ",".join(NAMES), "--family",
                        "binomial", "--cv", "3", "--seed", "1", "--scoring", "class", "--l1-ratio", "0.5,1",
                        "--n-lambdas", "20", "--out", str(tmp_path))
    assert rc == 0, err
    cv = cv_path(X, LABELS, family="binomial", n_folds=3, random_state=1, scoring="class", l1_ratio=[0.5, 1.0],
                 n_lambdas=20)
    _, cols = _read(tmp_path / "cv.csv")
    np.testing.assert_array_equal(cols["cv_mean"], cv.cv_mean)
    assert "misclassification error" in out and f"l1_ratio={cv.l1_ratio:g}" in out


# --- errors -------------------------------------------------------------------------------------------------------

BAD_FILES = {
    "text_feature": ([["a", "b", "y"], ["1", "x", "2"], ["2", "3", "4"]], "column 'b' is not numeric"),
    "missing_value": ([["a", "y"], ["1", "2"], ["", "3"]], "line 3: missing value in column 'a'"),
    "ragged_row": ([["a", "y"], ["1", "2", "3"]], "line 2: 3 fields"),
    "text_target": ([["a", "y"], ["1", "no"], ["2", "yes"]], "--family binomial"),
    "only_target": ([["y"], ["1"], ["2"]], "no feature columns"),
    "no_rows": ([["a", "y"]], "no data rows"),
    "duplicate_column": ([["a", "a", "y"], ["1", "2", "3"]], "'a' appears more than once"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_data_files(case, tmp_path, capsys):
    rows, message = BAD_FILES[case]
    file = _write(tmp_path / "bad.csv", rows[0], rows[1:])
    rc, out, err = _run(capsys, file, "--target", "y", "--out", str(tmp_path / "out"))
    assert rc == 2 and message in err and err.startswith("jaxreg: error: ")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("argv, message", [
    (["--target", "nope"], "--target: no column 'nope'"),
    (["--target", "y", "--features", "bmi,nope"], "--features: no column 'nope'"),
    (["--target", "y", "--features", "bmi,y"], "cannot also be a feature"),
    (["--target", "y", "--features", "bmi,,bp"], "--features"),
    (["--target", "y", "--features", "bmi", "--l1-ratio", "2"], "l1_ratio"),
    (["--target", "y", "--l1-ratio", "half"], "--l1-ratio"),
    (["--target", "y", "--l1-ratio", "0.5,1"], "need --cv"),
    (["--target", "y", "--cv", "1"], "--cv"),
    (["--target", "y", "--scoring", "mae"], "--scoring"),
    (["--target", "y", "--features", "bmi", "--n-lambdas", "0"], "n_lambdas"),
    (["--target", "y"], "column 'progression' is not numeric"),
    (["--target", "progression", "--family", "binomial", "--features", "bmi", "--lambda-min-ratio", "-1"],
     "lambda_min_ratio"),
    (["--target", "y", "--cv", "many"], "--cv"),  # argparse's own usage error, also status 2
    (["--family", "lasso", "--target", "y"], "--family"),  # argparse: not a family
    ([], "--target"),
])
def test_bad_arguments(data, tmp_path, capsys, argv, message):
    rc, out, err = _run(capsys, data, *argv, "--out", str(tmp_path / "out"))
    assert rc == 2 and message in err
    assert not (tmp_path / "out").exists()


def test_missing_file_and_bad_out(tmp_path, data, capsys):
    rc, _, err = _run(capsys, str(tmp_path / "absent.csv"), "--target", "y")
    assert rc == 2 and "absent.csv: no such file" in err
    (tmp_path / "taken").write_text("")
    rc, _, err = _run(capsys, data, "--target", "y", "--out", str(tmp_path / "taken"))
    assert rc == 2 and "--out" in err and "not a directory" in err
    rc, out, err = _run(capsys, data, "--target", "y", "--out", str(tmp_path / "taken" / "sub"))
    assert rc == 2 and "--out: cannot write to" in err and "is not a writable folder" in err
    assert out == ""  # refused before reading the data or fitting


def test_error_in_a_real_process_has_no_traceback(tmp_path):
    res = subprocess.run([sys.executable, "-m", "jaxreg", "fit", "absent.csv", "--target", "y"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert res.returncode == 2 and "no such file" in res.stderr and "Traceback" not in res.stderr
    assert list(tmp_path.iterdir()) == []


def test_parquet_needs_pandas_and_pyarrow(tmp_path, monkeypatch, capsys):
    (tmp_path / "data.parquet").write_bytes(b"PAR1")
    monkeypatch.setattr(_io, "_parquet_missing", lambda: ["pyarrow"])
    rc, _, err = _run(capsys, str(tmp_path / "data.parquet"), "--target", "y")
    assert rc == 2 and "pip install pyarrow" in err


def test_parquet_columns(tmp_path, monkeypatch):
    """The Parquet branch's column handling, with pandas' reader replaced by a frame (pyarrow may be absent)."""
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "flag": [True, False, True], "name": ["u", "v", "w"],
                          "label": ["yes", "no", "yes"]})
    monkeypatch.setattr(_io, "_parquet_missing", lambda: [])
    monkeypatch.setattr(pd, "read_parquet", lambda *a, **k: frame)
    (tmp_path / "d.pq").write_bytes(b"PAR1")
    table = _io.read_table(tmp_path / "d.pq", "label", ["a", "flag"], numeric_target=False)
    np.testing.assert_array_equal(table.X, [[1, 1], [2, 0], [3, 1]])
    assert table.y.tolist() == ["yes", "no", "yes"] and table.feature_names == ("a", "flag")
    with pytest.raises(ValueError, match="column 'name' is not numeric"):
        _io.read_table(tmp_path / "d.pq", "label", None, numeric_target=False)


# --- help ---------------------------------------------------------------------------------------------------------

def test_fit_help_documents_every_option(capsys):
    assert main(["fit", "--help"]) == 0
    text = capsys.readouterr().out
    fit_parser = build_parser()._subparsers._group_actions[0].choices["fit"]
    options = [s for action in fit_parser._actions for s in action.option_strings]
    assert len(options) >= 16
    for option in options:
        assert option in text
    assert all(a.help for a in fit_parser._actions)
    assert "objective: min over b0, b of  1/(2n) Σ_i (y_i − b0 − x_iᵀb)² + λ Σ_j" in text
    assert "random_state" in text  # how --seed maps to cv_path
