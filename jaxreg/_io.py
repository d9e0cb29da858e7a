"""Reading a data table for the command line: CSV with the standard library, Parquet through pandas + pyarrow.

A table is read into a numeric feature matrix ``X`` (n, p), a response ``y`` (n,) — or (n, K) when several target
columns are asked for (mgaussian responses, cox's time and status) — and the feature names. Every
problem with the data is raised as :class:`DataError` (a ``ValueError``) with a message naming the file, the column
and, for CSV, the line.
"""

from __future__ import annotations

import csv
import dataclasses
import gzip
import importlib.util
from collections.abc import Mapping, Sequence
from pathlib import Path as FsPath
from typing import Any

import numpy as np

PARQUET_SUFFIXES = (".parquet", ".pq")


class DataError(ValueError):
    """The data file cannot be used as asked (missing, malformed, unknown column, non-numeric feature…)."""


@dataclasses.dataclass(frozen=True)
class Table:
    """The parts of a data file a fit needs.

    Attributes
    ----------
    X : (n, p) ndarray of float64
        Feature columns, in the file's order (or in the order asked for).
    y : (n,) or (n, K) ndarray
        The target column: float64, or strings (class labels) when ``numeric_target=False`` and some value is not
        a number; ``(n, K)`` float64, a column per target, when several target columns were asked for.
    feature_names : tuple of str
        Names of the columns of ``X``.
    target : str or tuple of str
        Name of the target column, or (as asked for: a sequence of names) the names of the columns of ``y``.
    weights : (n,) ndarray of float64 or None
        The sample-weight column, when one was named.
    strata : (n,) ndarray or None
        The strata column (numbers, or strings when some label is not a number), when one was named.
    """

    X: np.ndarray
    y: np.ndarray
    feature_names: tuple[str, ...]
    target: str | tuple[str, ...]
    weights: np.ndarray | None = None
    strata: np.ndarray | None = None


_FEATURE_HINT = "encode categories as 0/1 columns or leave the column out with --features"
_LABEL_HINT = "use --family binomial for class labels"
_TARGETS_HINT = "several target columns (mgaussian responses, cox time and status) must all be numeric"
_WEIGHTS_HINT = "--weights names a column of non-negative numbers"


def _hint(name: str, targets: Sequence[str]) -> str:
    """What to do about a non-numeric column ``name``."""
    if name not in targets:
        return _FEATURE_HINT
    return _LABEL_HINT if len(targets) == 1 else _TARGETS_HINT


def _select(header: Sequence[str], targets: Sequence[str], features: Sequence[str] | None, source: str,
            roles: Mapping[str, str] | None = None) -> list[str]:
    """The feature names to use: ``features`` checked against ``header``, or every column but the targets and the
    columns of ``roles`` (option → column name: ``--weights``, ``--strata``), which must exist and be distinct."""
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise DataError(f"{source}: column names must be unique, {name!r} appears more than once.")
        seen.add(name)
    available = ", ".join(repr(h) for h in header)
    unknown = [t for t in targets if t not in seen]
    if unknown:
        raise DataError(f"--target: no column {', '.join(map(repr, unknown))} in {source}; its columns are "
                        f"{available}.")
    if len(set(targets)) != len(targets):
        raise DataError("--target: a column is listed twice.")
    target = ", ".join(map(repr, targets))
    roles = dict(roles or {})
    for option, name in roles.items():
        if name not in seen:
            raise DataError(f"{option}: no column {name!r} in {source}; its columns are {available}.")
        if name in targets:
            raise DataError(f"{option}: the target column {name!r} cannot also be {option[2:]}.")
        if list(roles.values()).count(name) > 1:
            raise DataError(f"{option}: column {name!r} is named by several options.")
        if features is not None and name in features:
            raise DataError(f"--features: the {option[2:]} column {name!r} cannot also be a feature.")
    if features is None:
        chosen = [h for h in header if h not in targets and h not in roles.values()]
    else:
        chosen = list(features)
        unknown = [f for f in chosen if f not in seen]
        if unknown:
            raise DataError(f"--features: no column {', '.join(map(repr, unknown))} in {source}; "
                            f"its columns are {available}.")
        both = [f for f in chosen if f in targets]
        if both:
            raise DataError(f"--features: the target column {both[0]!r} cannot also be a feature.")
        if len(set(chosen)) != len(chosen):
            raise DataError("--features: a column is listed twice.")
    if not chosen:
        only = "the only column is the target" if len(targets) == 1 else "the only columns are the targets"
        raise DataError(f"{source}: no feature columns ({only} {target}).")
    return chosen


def _numbers(values: list[str], lines: list[int], name: str, source: str, *,
             hint: str = _FEATURE_HINT) -> np.ndarray:
    """A CSV column as float64, or a :class:`DataError` naming the first bad cell."""
    try:
        col = np.array(values, dtype=np.float64)
    except ValueError:
        col = None
    if col is not None and np.isfinite(col).all():
        return col
    for value, line in zip(values, lines):
        text = value.strip()
        if text == "" or text.upper() in ("NA", "NAN", "NULL", "NONE"):
            raise DataError(f"{source}, line {line}: missing value in column {name!r}; "
                            "jaxreg does not impute missing values, remove or fill them first.")
        try:
            number = float(text)
        except ValueError:
            what = "the target column" if hint in (_LABEL_HINT, _TARGETS_HINT) else "column"
            raise DataError(f"{source}, line {line}: {what} {name!r} is not numeric (value {value!r}); "
                            f"{hint}.") from None
        if not np.isfinite(number):
            raise DataError(f"{source}, line {line}: column {name!r} has a non-finite value {value!r}.")
    raise AssertionError("unreachable: a bad cell was expected")  # pragma: no cover


def _labels(values: list[str], lines: list[int], name: str, source: str) -> np.ndarray:
    """A two-class target: numbers when every label is one, else the stripped strings."""
    stripped = [v.strip() for v in values]
    for text, line in zip(stripped, lines):
        if text == "":
            raise DataError(f"{source}, line {line}: missing value in column {name!r}.")
    try:
        return _numbers(values, lines, name, source, hint=_LABEL_HINT)
    except DataError:
        return np.array(stripped, dtype=str)


def _read_csv(file: FsPath, targets: list[str], features: Sequence[str] | None, numeric_target: bool,
              roles: Mapping[str, str]) -> tuple[np.ndarray, np.ndarray, list[str], dict[str, np.ndarray]]:
    source = str(file)
    suffixes = [s.lower() for s in file.suffixes]
    delimiter = "\t" if {".tsv", ".tab"} & set(suffixes) else ","
    opener = gzip.open if file.suffix.lower() == ".gz" else open
    try:
        with opener(file, "rt", encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            header = next((row for row in reader if row), None)
            if header is None:
                raise DataError(f"{source}: the file is empty (expected a header row of column names).")
            header = [h.strip() for h in header]
            rows, lines = [], []
            for row in reader:
                if not row or all(not cell.strip() for cell in row):
                    continue  # blank line
                if len(row) != len(header):
                    raise DataError(f"{source}, line {reader.line_num}: {len(row)} fields, but the header has "
                                    f"{len(header)} columns.")
                rows.append(row)
                lines.append(reader.line_num)
    except UnicodeDecodeError as exc:
        raise DataError(f"{source}: not a UTF-8 text file ({exc.reason}).") from None
    except csv.Error as exc:
        raise DataError(f"{source}: malformed CSV ({exc}).") from None
    chosen = _select(header, targets, features, source, roles)
    if not rows:
        raise DataError(f"{source}: no data rows after the header.")
    index = {h: k for k, h in enumerate(header)}

    def column(name: str) -> list[str]:
        return [row[index[name]] for row in rows]

    X = np.column_stack([_numbers(column(f), lines, f, source) for f in chosen])
    if numeric_target:
        y = np.column_stack([_numbers(column(t), lines, t, source, hint=_hint(t, targets)) for t in targets])
    else:
        y = _labels(column(targets[0]), lines, targets[0], source)[:, None]
    extra = {option: _numbers(column(name), lines, name, source, hint=_WEIGHTS_HINT) if option == "--weights"
             else _labels(column(name), lines, name, source) for option, name in roles.items()}
    return X, y, chosen, extra


def _parquet_missing() -> list[str]:
    """The modules Parquet reading needs that are not installed."""
    return [m for m in ("pandas", "pyarrow") if importlib.util.find_spec(m) is None]


def _read_parquet(file: FsPath, targets: list[str], features: Sequence[str] | None, numeric_target: bool,
                  roles: Mapping[str, str]) -> tuple[np.ndarray, np.ndarray, list[str], dict[str, np.ndarray]]:
    source = str(file)
    missing = _parquet_missing()
    if missing:
        raise DataError(f"{source}: reading Parquet files needs pandas and pyarrow; install them with "
                        f"`pip install {' '.join(missing)}` (or convert the file to CSV).")
    import pandas as pd

    try:
        frame = pd.read_parquet(file, engine="pyarrow")
    except (OSError, ValueError) as exc:
        raise DataError(f"{source}: could not read it as Parquet ({exc}).") from None
    frame.columns = [str(c) for c in frame.columns]
    chosen = _select(list(frame.columns), targets, features, source, roles)
    if len(frame) == 0:
        raise DataError(f"{source}: no data rows.")

    def numbers(name: str) -> np.ndarray:
        col = frame[name]
        if not (pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)):
            raise DataError(f"{source}: column {name!r} is not numeric (dtype {col.dtype}); "
                            f"{_hint(name, targets)}.")
        values = col.to_numpy(dtype=np.float64, na_value=np.nan)
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            raise DataError(f"{source}: column {name!r} has missing or non-finite values (first at row {bad[0]}); "
                            "jaxreg does not impute missing values.")
        return values

    X = np.column_stack([numbers(f) for f in chosen])
    col = frame[targets[0]]
    if numeric_target or pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
        y = np.column_stack([numbers(t) for t in targets])
    else:
        if col.isna().any():
            raise DataError(f"{source}: missing value in the target column {targets[0]!r} "
                            f"(first at row {int(np.flatnonzero(col.isna().to_numpy())[0])}).")
        y = np.array([str(v) for v in col], dtype=str)[:, None]
    extra = {}
    for option, name in roles.items():
        col = frame[name]
        if option == "--weights" or pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
            extra[option] = numbers(name)
        elif col.isna().any():
            raise DataError(f"{source}: column {name!r} ({option}) has missing values.")
        else:
            extra[option] = np.array([str(v) for v in col], dtype=str)
    return X, y, chosen, extra


def read_table(file: str | FsPath, target: str | Sequence[str], features: Sequence[str] | None = None, *,
               numeric_target: bool = True, weights: str | None = None, strata: str | None = None) -> Table:
    """Read a data table with a header row into features and target.

    Parameters
    ----------
    file : str or path
        A CSV file (comma-separated; ``.tsv``/``.tab``: tab-separated; ``.gz``: gzip-compressed) whose first
        non-blank row holds the column names, or a Parquet file (``.parquet``/``.pq``, needs pandas and pyarrow).
    target : str or sequence of str
        Name of the response column; a sequence (one name or more) asks for an ``(n, K)`` numeric ``y``, one column
        per name in that order (mgaussian responses; cox: time, status).
    features : sequence of str, optional
        Names of the feature columns, in the order wanted. Default: every column but the target(s).
    numeric_target : bool
        Whether a single target must be numeric (regression). ``False`` (classification) also accepts text labels.
    weights, strata : str, optional
        Names of a sample-weight column (numeric) and of a strata column (labels); neither is then a feature.

    Returns
    -------
    Table

    Raises
    ------
    DataError
        When the file is missing or malformed, a column is unknown, a feature value is missing or not a number.
    """
    path = FsPath(file)
    if not path.exists():
        raise DataError(f"{file}: no such file.")
    if path.is_dir():
        raise DataError(f"{file}: is a directory, expected a CSV or Parquet file.")
    reader = _read_parquet if path.suffix.lower() in PARQUET_SUFFIXES else _read_csv
    targets = [target] if isinstance(target, str) else [str(t) for t in target]
    if not targets:
        raise DataError("--target: no column named.")
    roles = {option: name for option, name in (("--weights", weights), ("--strata", strata)) if name is not None}
    try:
        X, y, chosen, extra = reader(path, targets, features, numeric_target or not isinstance(target, str), roles)
    except PermissionError:
        raise DataError(f"{file}: permission denied.") from None
    parts = dict(weights=extra.get("--weights"), strata=extra.get("--strata"))
    if isinstance(target, str):
        return Table(X, y[:, 0], tuple(chosen), target, **parts)
    return Table(X, y, tuple(chosen), tuple(targets), **parts)


def parse_names(text: Any, option: str = "--features") -> list[str]:
    """``"a, b,c"`` → ``["a", "b", "c"]``; an empty name is a :class:`DataError` naming ``option``."""
    names = [part.strip() for part in str(text).split(",")]
    if any(not n for n in names):
        raise DataError(f"{option}: expected comma-separated column names, got {text!r}.")
    return names


__all__ = ["DataError", "Table", "parse_names", "read_table"]
