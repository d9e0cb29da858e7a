"""Validation and static configuration shared by :func:`jaxreg.path` and :func:`jaxreg.cv_path`.

:func:`setup` turns the user's arguments into checked NumPy arrays and a static :class:`~jaxreg._core.CoreConfig`;
:mod:`jaxreg._run` calls the compiled core on them and makes the :class:`~jaxreg.result.Path`.
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

import jax
import numpy as np

from jaxreg import _validation as v
from jaxreg._core import CoreConfig
from jaxreg._penalty_object import check_penalty_object, is_penalty_object
from jaxreg._penalty_setup import (
    check_gamma,
    check_group_options,
    check_groups,
    check_output_options,
    check_penalty,
    default_l1_ratio,
    early_stop,
)
from jaxreg._responses import add_strata, check_class_weights, check_response
from jaxreg._sharding import device_memory, use_gram
from jaxreg.losses import SUPPORTED_FAMILIES
from jaxreg.solvers.newton import POLISH_MAX_SIZE

#: Default duality-gap tolerances (relative to P(0)) per floating dtype. Logistic paths get a looser float64 default:
#: near separation their last λ are ill-conditioned for first-order methods (breast-cancer data, default path on
#: 2 CPU cores: 0.9 s at 1e-7, 1.9 s at 1e-8, 3.1 s at 1e-9). 1e-8 is the loosest that keeps every glmnet binomial
#: reference case within 1e-3 (1e-7 missed two λ by 1.3e-3).
DEFAULT_TOL = {np.dtype(np.float64): 1e-9, np.dtype(np.float32): 1e-5}
DEFAULT_TOL_BINOMIAL = {np.dtype(np.float64): 1e-8, np.dtype(np.float32): 1e-5}
#: Poisson paths use the gaussian default. Measured on the six glmnet poisson reference cases (PoissonExample,
#: 500×20; max coefficient error relative to the λ's largest |coefficient|, against glmnet at thresh 1e-26): 4.6e-4
#: at 1e-8, 5.1e-5 at 1e-9, 2.1e-5 at 1e-10; the default path takes 0.053 s, 0.064 s, 0.072 s (compiled, 2 CPU
#: cores). 1e-9 buys a 20× margin under the 1e-3 requirement for 20 % more time.
DEFAULT_TOL_POISSON = {np.dtype(np.float64): 1e-9, np.dtype(np.float32): 1e-5}
DEFAULT_TOL_BY_FAMILY = {"gaussian": DEFAULT_TOL, "binomial": DEFAULT_TOL_BINOMIAL, "poisson": DEFAULT_TOL_POISSON,
                         "multinomial": DEFAULT_TOL_BINOMIAL, "mgaussian": DEFAULT_TOL, "cox": DEFAULT_TOL_POISSON}


def x64(enabled: bool) -> Any:
    """Context manager switching JAX's 64-bit mode locally (``jax.enable_x64``; older JAX: jax.experimental)."""
    ctx = getattr(jax, "enable_x64", None)
    if ctx is None:  # pragma: no cover - JAX < 0.6
        from jax.experimental import enable_x64 as ctx
    return ctx(enabled)


def resolve_dtype(dtype: Any) -> np.dtype:
    if dtype is None:
        return np.dtype(np.float64)
    try:
        dt = np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(f"dtype: expected float32 or float64, got {dtype!r}.") from exc
    if dt not in DEFAULT_TOL:
        raise TypeError(f"dtype: expected float32 or float64, got {dt}.")
    return dt


def working_set_size(value: Any, n: int, p: int, block: int = 1) -> tuple[int, ...]:
    """Working-set bucket sizes for ``p`` coefficients: ``"auto"`` gives none when ``p ≤ POLISH_MAX_SIZE`` (see
    :mod:`jaxreg.solvers.newton`), else 64, 128, … up to the first power of two ≥ min(n, p) (``n``: the most
    coefficients a solution is expected to hold, the number of rows for the lasso), keeping only
    sizes ≤ 2p/3 (larger ones would not beat iterating on all features; measured on ``corr``, 1,000 × 500: the
    256 bucket makes the path 1.5× faster); an integer gives that one size. With ``block > 1`` (coefficients taken
    ``block`` at a time) each size is rounded up to a multiple of ``block``."""
    if value is None:
        return ()
    if value == "auto":
        if p <= POLISH_MAX_SIZE:  # all features with Newton polish beat working sets without it
            return ()
        top = 1 << max(6, (min(n, p) - 1).bit_length())
        sizes = [s for s in (64 << k for k in range(32)) if s <= top and 3 * s <= 2 * p]
    else:
        sizes = [v.check_int(value, "working_set", low=0)]
    sizes = [-(-s // block) * block for s in sizes]
    return tuple(s for s in sizes if 0 < s < p)


def feature_names(X: Any) -> tuple[str, ...] | None:
    cols = getattr(X, "columns", None)
    return None if cols is None else tuple(str(c) for c in cols)


class Setup(NamedTuple):
    """A validated call: float64 NumPy arrays (cast to ``dtype`` by :func:`run`) and the static configuration."""

    x: np.ndarray
    y: np.ndarray
    weights: np.ndarray
    penalty_factor: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    grid: np.ndarray  # multiples of λmax when config.relative_grid, else absolute λ
    l1_ratio: float
    tol: float
    max_iter: int
    dtype: np.dtype
    config: CoreConfig
    classes: tuple[Any, ...] | None
    feature_names: tuple[str, ...] | None
    offset: np.ndarray | None = None
    custom: list[Any] | None = None  # a penalty object's array leaves (its static part is config.custom)

    @property
    def family(self) -> str:
        return self.config.family



def profiled_count(free: int, family: str, fit_intercept: bool, n_outputs: int) -> int:
    """How many coefficients the core profiles out by Newton steps: the ``free`` unpenalized, unbounded features
    plus the intercept where it is not centred out (least squares and cox have none to profile), per output:
    multinomial profiles all classes but the reference one (see jaxreg._multinomial), mgaussian every response."""
    intercept = fit_intercept and family not in ("gaussian", "mgaussian", "cox")
    return (free + int(intercept)) * (n_outputs - 1 if family == "multinomial" else max(n_outputs, 1))

def setup(
    X: Any,
    y: Any,
    *,
    family: str = "gaussian",
    l1_ratio: float | None = None,
    penalty: Any = "elastic_net",
    gamma: float | None = None,
    groups: Any = None,
    lambdas: Any = None,
    n_lambdas: int = 100,
    lambda_min_ratio: float | None = None,
    fit_intercept: bool = True,
    standardize: bool = True,
    sample_weight: Any = None,
    offset: Any = None,
    penalty_factor: Any = None,
    lower_bounds: Any = None,
    upper_bounds: Any = None,
    tol: float | None = None,
    max_iter: int = 10_000,
    dtype: Any = None,
    precompute: bool | Literal["auto"] = "auto",
    working_set: int | None | Literal["auto"] = "auto",
    multinomial_grouped: bool = False,
    standardize_response: bool = False,
    strata: Any = None,
) -> Setup:
    """Check every argument of :func:`jaxreg.path` (raising ``ValueError``/``TypeError`` naming it)."""
    if family not in SUPPORTED_FAMILIES:
        raise ValueError(f"family: unknown family {family!r}; supported: {SUPPORTED_FAMILIES}.")
    names = feature_names(X)
    xa = v.check_x(X)
    n, p = xa.shape
    ya, classes = check_response(y, n, family)
    ya = add_strata(ya, strata, family)
    # K outputs: multinomial classes or mgaussian responses
    n_outputs = len(classes) if family == "multinomial" else ya.shape[1] if family == "mgaussian" else 0
    obj = None
    if is_penalty_object(penalty):  # acts on the solver's coefficients; carries its own parameters
        obj = check_penalty_object(penalty, p, family, dict(
            l1_ratio=l1_ratio, gamma=gamma, groups=groups, penalty_factor=penalty_factor, lower_bounds=lower_bounds,
            upper_bounds=upper_bounds), working_set)
        # the core's penalty factors only mark the object's free coordinates (0), profiled like an intercept
        penalty, penalty_factor = "custom", (~obj.free).astype(float)
        working_set = working_set if obj.working_sets else None
    else:
        penalty = check_penalty(penalty)
    concavity = check_gamma(gamma, penalty)
    grouped, std_response = check_output_options(family, penalty, multinomial_grouped, standardize_response)
    alpha = np.nan if obj is not None else default_l1_ratio(penalty) if l1_ratio is None else v.check_scalar(
        l1_ratio, "l1_ratio", low=0.0, high=1.0)  # a penalty object has no l1_ratio
    w = v.check_weights(sample_weight, n)
    if family == "multinomial":
        check_class_weights(ya, w, classes)
    if family == "cox" and not (w @ ya[:, 1] > 0):
        raise ValueError("y: family='cox' needs at least one event (status 1) with positive sample_weight.")
    fit_intercept = fit_intercept and family != "cox"  # the partial likelihood has no intercept (as glmnet)
    off = v.check_offset(offset, n, n_outputs, family)
    pf = v.check_penalty_factor(penalty_factor, p)
    lower, upper = v.check_bounds(lower_bounds, upper_bounds, p)
    group_ids = check_groups(groups, p, penalty)
    # K outputs per feature; the row-wise group penalties take working sets a feature (K coefficients) at a time
    block = n_outputs if grouped or family == "mgaussian" else 1
    if group_ids or block > 1:
        check_group_options(group_ids or tuple(range(p)), pf, lower, upper)
    dt = resolve_dtype(dtype)
    defaults = DEFAULT_TOL_BY_FAMILY[family]
    tol_ = defaults[dt] if tol is None else v.check_scalar(tol, "tol", low=0.0, high=1.0, low_open=True)
    max_iter = v.check_max_iter(max_iter)
    if precompute not in ("auto", True, False):
        raise ValueError(f"precompute: expected True, False or 'auto', got {precompute!r}.")
    least_squares = family in ("gaussian", "mgaussian")
    # The Gram form is least squares only; "auto" takes it when n ≥ p and it fits in the device's memory.
    gram = least_squares and use_gram(precompute, n, p, dt.itemsize, device_memory())
    # A row-wise group penalty can hold up to n·K features of K coefficients each; groups of up to s features, up
    # to n groups of s.
    widest = int(np.bincount(group_ids).max()) if group_ids else 1
    ws = working_set_size(working_set, n * block * block * widest, p * max(n_outputs, 1), block)

    if lambdas is None:
        n_lambdas = v.check_int(n_lambdas, "n_lambdas", low=1)
        ratio = (1e-4 if n > p else 1e-2) if lambda_min_ratio is None else v.check_scalar(
            lambda_min_ratio, "lambda_min_ratio", low=0.0, high=1.0, low_open=True, high_open=True)
        grid = np.exp(np.linspace(0.0, np.log(ratio), n_lambdas)) if n_lambdas > 1 else np.ones(1)
        relative = True
    else:
        grid = v.check_lambdas(lambdas)
        relative = False

    config = CoreConfig(
        family=family,
        fit_intercept=bool(fit_intercept),
        standardize=bool(standardize),
        gram=gram,
        relative_grid=relative,
        early_stop=early_stop(relative, lower, upper, family, convex=penalty not in ("mcp", "scad") and (
            obj is None or obj.convex)),
        has_unpenalized=bool((pf == 0).any()),
        n_profiled=profiled_count(int(np.sum((pf == 0) & np.isneginf(lower) & np.isposinf(upper))), family,
                                  bool(fit_intercept), n_outputs),
        working_set=ws,
        penalty=penalty,
        gamma=concavity,
        groups=group_ids,
        n_outputs=n_outputs,
        standardize_response=std_response,
        multinomial_grouped=grouped,
        custom=None if obj is None else obj.static,
    )
    return Setup(xa, ya, w, pf, lower, upper, grid, alpha, tol_, max_iter, dt, config, classes, names, off,
                 None if obj is None else obj.dynamic)
