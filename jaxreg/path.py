"""``jaxreg.path``: the whole regularization path in one call, with glmnet's conventions."""

from __future__ import annotations

import warnings
from typing import Any, Literal

import jax
import numpy as np

from jaxreg import _validation as v
from jaxreg._core import CoreConfig, fit_path
from jaxreg.losses import PLANNED_FAMILIES, SUPPORTED_FAMILIES
from jaxreg.result import Path
from jaxreg.solvers import EarlyStop

#: Default duality-gap tolerances (relative to P(0)) per floating dtype. Logistic paths get a looser float64 default:
#: near separation their last λ are ill-conditioned for first-order methods (breast-cancer data, default path on
#: 2 CPU cores: 0.9 s at 1e-7, 1.9 s at 1e-8, 3.1 s at 1e-9). 1e-8 is the loosest that keeps every glmnet binomial
#: reference case within 1e-3 (1e-7 missed two λ by 1.3e-3).
DEFAULT_TOL = {np.dtype(np.float64): 1e-9, np.dtype(np.float32): 1e-5}
DEFAULT_TOL_BINOMIAL = {np.dtype(np.float64): 1e-8, np.dtype(np.float32): 1e-5}


class ConvergenceWarning(UserWarning):
    """Some λ of a path did not reach the requested duality gap."""


def _x64(enabled: bool) -> Any:
    """Context manager switching JAX's 64-bit mode locally (``jax.enable_x64``; older JAX: jax.experimental)."""
    ctx = getattr(jax, "enable_x64", None)
    if ctx is None:  # pragma: no cover - JAX < 0.6
        from jax.experimental import enable_x64 as ctx
    return ctx(enabled)


def _resolve_dtype(dtype: Any) -> np.dtype:
    if dtype is None:
        return np.dtype(np.float64)
    try:
        dt = np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(f"dtype: expected float32 or float64, got {dtype!r}.") from exc
    if dt not in DEFAULT_TOL:
        raise TypeError(f"dtype: expected float32 or float64, got {dt}.")
    return dt


def _early_stop(default_grid: bool, lower: np.ndarray, upper: np.ndarray, family: str) -> EarlyStop | None:
    """glmnet's early stop of a default path.

    As in glmnet 4.1-6: the change rule is relative for gaussian and absolute for binomial, and it is off when some
    bound is exactly 0.
    """
    if not default_grid:
        return None
    change = 0.0 if (lower == 0).any() or (upper == 0).any() else EarlyStop().dev_change
    return EarlyStop(dev_change=change, relative_change=family == "gaussian")


def _working_set_size(value: Any, n: int, p: int) -> tuple[int, ...]:
    """Working-set bucket sizes: ``"auto"`` gives 64, 128, … up to the first power of two ≥ min(n, p), keeping only
    sizes ≤ p/2 (larger ones would not beat iterating on all features); an integer gives that one size."""
    if value is None:
        return ()
    if value == "auto":
        top = 1 << max(6, (min(n, p) - 1).bit_length())
        return tuple(s for s in (64 << k for k in range(32)) if s <= top and 2 * s <= p)
    size = v.check_int(value, "working_set", low=0)
    return (size,) if 0 < size < p else ()


def _feature_names(X: Any) -> tuple[str, ...] | None:
    cols = getattr(X, "columns", None)
    return None if cols is None else tuple(str(c) for c in cols)


def path(
    X: Any,
    y: Any,
    *,
    family: str = "gaussian",
    l1_ratio: float = 1.0,
    lambdas: Any = None,
    n_lambdas: int = 100,
    lambda_min_ratio: float | None = None,
    fit_intercept: bool = True,
    standardize: bool = True,
    sample_weight: Any = None,
    penalty_factor: Any = None,
    lower_bounds: Any = None,
    upper_bounds: Any = None,
    tol: float | None = None,
    max_iter: int = 10_000,
    dtype: Any = None,
    precompute: bool | Literal["auto"] = "auto",
    working_set: int | None | Literal["auto"] = "auto",
) -> Path:
    r"""Fit a lasso / elastic-net / ridge regularization path.

    For each λ on a decreasing grid, solves

    .. math::

        \min_{b_0, b}\; \frac{1}{\sum_i w_i} \sum_i w_i\, \ell(y_i, b_0 + x_i^\top b)
        + \lambda \sum_j \mathrm{pf}_j \Big[ \frac{1-\alpha}{2} b_j^2 + \alpha |b_j| \Big],
        \qquad \ell_j \le b_j \le u_j,

    with ``ℓ(y, η) = (y − η)²/2`` for ``family="gaussian"`` and the negative log-likelihood
    ``ℓ(y, η) = log(1 + e^η) − yη`` for ``family="binomial"`` (y in {0, 1}),

    with ``α = l1_ratio`` (1: lasso, 0: ridge), by proximal gradient (FISTA with restart) warm-started along the
    path, and stops at each λ when the duality gap is at most ``tol · P(0)``, where ``P(0)`` is the objective with
    all coefficients zero and the intercept fitted. The intercept is never penalized.

    Parameters
    ----------
    X : (n, p) array-like
        Design matrix (NumPy array, nested lists or a pandas DataFrame).
    y : (n,) array-like
        Response: real numbers for gaussian; two labels for binomial (as in glmnet, the sorted labels' second one
        is the class whose probability is modelled; ``Path.classes`` records them).
    family : {"gaussian", "binomial"}
        The loss. Other glmnet families are planned.
    l1_ratio : float in [0, 1]
        Elastic-net mixing α (glmnet's ``alpha``, scikit-learn's ``l1_ratio``).
    lambdas : array-like, optional
        A user-supplied grid (sorted into decreasing order, never shortened). Default: ``n_lambdas`` values
        log-spaced from λmax down to ``λmax · lambda_min_ratio``, where λmax is the smallest λ with all penalized
        coefficients zero (computed with α = 0.001 when α = 0, like glmnet). Like glmnet, the default path ends
        early once the deviance explained exceeds 0.999 or grows by less than 1e-5 between steps (relative to the
        deviance explained for gaussian, absolute for binomial; the second rule is off when some bound is exactly
        0, as in glmnet).
    n_lambdas : int
        Length of the default grid.
    lambda_min_ratio : float in (0, 1), optional
        Default ``1e-4`` if ``n > p`` else ``1e-2`` (glmnet's rule).
    fit_intercept : bool
        Fit an unpenalized intercept (centre ``X`` and ``y``). ``False``: no centring, no intercept.
    standardize : bool
        Penalize coefficients of columns scaled to unit weighted (1/n) variance; coefficients are always
        reported on the original scale. As in glmnet, the scale is the standard deviation about the weighted mean
        even without an intercept (when columns are not centred). Constant columns get coefficient 0.
    sample_weight : (n,) array-like, optional
        Non-negative observation weights, rescaled to sum to ``n``.
    penalty_factor : (p,) array-like, optional
        Non-negative per-feature factors ``pf_j``, rescaled to sum to ``p``; 0 leaves a feature unpenalized.
    lower_bounds, upper_bounds : float or (p,) array-like, optional
        Box constraints on the original-scale coefficients, ``lower ≤ 0 ≤ upper`` (glmnet's ``lower.limits`` and
        ``upper.limits``). A feature with both bounds 0 stays out of the model.
    tol : float, optional
        Duality-gap tolerance relative to ``P(0)``. Default 1e-9 in float64 (1e-8 for binomial), 1e-5 in float32.
    max_iter : int
        Maximum proximal-gradient iterations per λ. λ that do not converge are flagged in ``Path.converged`` and a
        :class:`ConvergenceWarning` names them.
    dtype : {None, "float64", "float32"}
        Floating type of the computation (default float64; float32 is what accelerators prefer). float64 is used
        even when JAX's global ``jax_enable_x64`` flag is off.
    precompute : bool or "auto"
        Iterate on the Gram matrix ``XᵀWX/n`` (cost ``p²`` per iteration) instead of on ``X`` (``2np``).
        ``"auto"`` chooses the Gram matrix when ``n ≥ p``. Gaussian only (ignored for binomial).
    working_set : int, None or "auto"
        Solve each λ on working sets of this many features (the nonzero coefficients and the strongest violators
        of the optimality conditions), certifying the duality gap on all features. ``None`` or 0: iterate on all
        features. ``"auto"``: buckets of 64, 128, … features up to the first power of two ≥ ``min(n, p)``, each at
        most ``p / 2``; each λ uses the smallest bucket that holds 1.5× its warm start's nonzeros (plus 16),
        or all features when none does.

    Returns
    -------
    Path
        ``lambdas`` (L,), ``coef`` (L, p), ``intercept`` (L,), per-λ ``gap``, ``converged``, ``n_iter``,
        ``dev_ratio``, ``df``; ``predict(X, lambda_=None)`` and ``coef_at(lambda_)`` interpolate like glmnet's ``s=``.

    Examples
    --------
    >>> import jaxreg
    >>> X, y, names = jaxreg.datasets.load_diabetes()
    >>> fit = jaxreg.path(X, y)
    >>> fit.coef.shape[1]
    10
    """
    if family not in SUPPORTED_FAMILIES:
        if family in PLANNED_FAMILIES:
            raise ValueError(f"family: {family!r} is not implemented yet; supported: {SUPPORTED_FAMILIES}.")
        raise ValueError(f"family: unknown family {family!r}; supported: {SUPPORTED_FAMILIES}.")
    names = _feature_names(X)
    binomial = family == "binomial"
    xa = v.check_x(X)
    n, p = xa.shape
    ya, classes = v.check_binomial_y(y, n) if binomial else (v.check_y(y, n), None)
    alpha = v.check_scalar(l1_ratio, "l1_ratio", low=0.0, high=1.0)
    w = v.check_weights(sample_weight, n)
    pf = v.check_penalty_factor(penalty_factor, p)
    lower, upper = v.check_bounds(lower_bounds, upper_bounds, p)
    dt = _resolve_dtype(dtype)
    defaults = DEFAULT_TOL_BINOMIAL if binomial else DEFAULT_TOL
    tol_ = defaults[dt] if tol is None else v.check_scalar(tol, "tol", low=0.0, high=1.0, low_open=True)
    max_iter = v.check_int(max_iter, "max_iter", low=1)
    if precompute not in ("auto", True, False):
        raise ValueError(f"precompute: expected True, False or 'auto', got {precompute!r}.")
    gram = (n >= p if precompute == "auto" else bool(precompute)) and not binomial  # the Gram form is least squares
    ws = _working_set_size(working_set, n, p)

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
        early_stop=_early_stop(relative, lower, upper, family),
        has_unpenalized=bool((pf == 0).any()),
        n_profiled=int(np.sum((pf == 0) & np.isneginf(lower) & np.isposinf(upper))) + int(binomial and fit_intercept),
        max_iter=max_iter,
        working_set=ws,
    )
    with _x64(dt == np.float64):
        args = [a.astype(dt, copy=False) for a in (xa, ya, w, pf, lower, upper, grid)]
        res = fit_path(*args, np.asarray(alpha, dt), np.asarray(tol_, dt), config)
        res = jax.tree_util.tree_map(np.asarray, res)

    keep = res.active
    coef = res.coef[keep]
    fit = Path(
        lambdas=res.lambdas[keep],
        coef=coef,
        intercept=res.intercept[keep],
        gap=res.gap[keep],
        converged=res.converged[keep],
        n_iter=res.n_iter[keep],
        dev_ratio=res.dev_ratio[keep],
        df=np.count_nonzero(coef, axis=1),
        l1_ratio=alpha,
        lambda_max=float(res.lambda_max),
        family=family,
        feature_names=names,
        tol=tol_,
        classes=classes,
    )
    if not fit.converged.all():
        bad = fit.lambdas[~fit.converged]
        shown = ", ".join(f"{b:.4g}" for b in bad[:5]) + (" …" if bad.size > 5 else "")
        warnings.warn(
            f"{bad.size} of {fit.n_lambdas} λ did not reach the duality gap tol={tol_:g} within max_iter={max_iter} "
            f"iterations (λ = {shown}); largest relative gap {fit.gap.max():.2e}. Increase max_iter, loosen tol, "
            f"or use dtype='float64'.",
            ConvergenceWarning,
            stacklevel=2,
        )
    return fit
