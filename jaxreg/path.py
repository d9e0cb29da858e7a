"""``jaxreg.path``: the whole regularization path in one call, with glmnet's conventions."""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

from jaxreg._convergence import ConvergenceWarning
from jaxreg._relax import check_relax, relaxed_path
from jaxreg._run import assemble, run
from jaxreg._setup import DEFAULT_TOL, DEFAULT_TOL_BINOMIAL, setup
from jaxreg._sharding import check_mesh
from jaxreg.result import Path

__all__ = ["DEFAULT_TOL", "DEFAULT_TOL_BINOMIAL", "ConvergenceWarning", "path"]


def path(
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
    mesh: Any = None,
    mesh_axis: str | None = None,
    multinomial_grouped: bool = False,
    standardize_response: bool = False,
    relax: bool = False,
    relax_max_features: int | None = None,
    strata: Any = None,
) -> Path:
    r"""Fit a lasso / elastic-net / ridge regularization path.

    For each λ on a decreasing grid, solves

    .. math::

        \min_{b_0, b}\; \frac{1}{\sum_i w_i} \sum_i w_i\, \ell(y_i, b_0 + x_i^\top b)
        + \lambda \sum_j \mathrm{pf}_j \Big[ \frac{1-\alpha}{2} b_j^2 + \alpha |b_j| \Big],
        \qquad \ell_j \le b_j \le u_j,

    with ``ℓ(y, η) = (y − η)²/2`` for ``family="gaussian"`` and the negative log-likelihoods
    ``ℓ(y, η) = log(1 + e^η) − yη`` for ``family="binomial"`` (y in {0, 1}), ``ℓ(y, η) = e^η − yη`` for
    ``family="poisson"`` (y ≥ 0, log link; measured from the saturated model, so the loss is half the Poisson
    deviance) and ``ℓ(y, η) = log Σ_k e^{η_k} − η_y`` for ``family="multinomial"`` (``η_k = b0_k + xᵀB_k``, one
    coefficient per feature and class, each penalized as ``b_j`` above; see ``multinomial_grouped``),
    and for ``family="mgaussian"`` (``K`` responses, glmnet's multi-response gaussian)

    .. math::

        \min_{b_0, B}\; \frac{1}{2 \sum_i w_i} \sum_i w_i\, \| y_i - b_0 - B^\top x_i \|_2^2
        + \lambda \sum_j \mathrm{pf}_j \Big[ \frac{1-\alpha}{2} \|B_j\|_2^2 + \alpha \|B_j\|_2 \Big]

    (``B_j`` the ``K`` coefficients of feature ``j``: a feature enters for every response at once), and for
    ``family="cox"`` (survival times ``t_i`` with events ``δ_i``; no intercept) the Breslow partial likelihood

    .. math::

        \min_b\; -\frac{1}{\sum_i w_i} \sum_i w_i \delta_i \Big[ \eta_i
        - \log \sum_{j:\, t_j \ge t_i} w_j e^{\eta_j} \Big] + \lambda \sum_j \mathrm{pf}_j
        \Big[ \frac{1-\alpha}{2} b_j^2 + \alpha |b_j| \Big], \qquad \eta = X b + \text{offset}

    (tied event times share one risk set, as in glmnet),

    with ``α = l1_ratio`` (1: lasso, 0: ridge), or with a group penalty (``penalty=``, below), by proximal
    gradient (FISTA with restart) warm-started along the path, and stops at each λ when the duality gap is at most
    ``tol · P(0)``, where ``P(0)`` is the objective with all coefficients zero and the intercept fitted (with the
    ``offset``, if any). The intercept is never penalized.

    Parameters
    ----------
    X : (n, p) array-like
        Design matrix (NumPy array, nested lists or a pandas DataFrame).
    y : (n,) array-like
        Response: real numbers for gaussian; two labels for binomial (as in glmnet, the sorted labels' second one
        is the class whose probability is modelled; ``Path.classes`` records them); non-negative counts (or
        rates) for poisson, not all zero; two or more labels for multinomial (``Path.classes``, sorted);
        an ``(n, K)`` matrix of real responses for mgaussian; for cox an ``(n, 2)`` array of (time, status) with
        times > 0 and status 1 for an event, 0 for censoring (glmnet's ``Surv(time, status)``; also a DataFrame
        with columns ``time`` and ``status`` or ``event``, or scikit-survival's structured array), or an
        ``(n, 3)`` array of (start, stop, status) for start–stop data, each row at risk on ``(start, stop]`` with
        ``0 ≤ start < stop`` (glmnet's ``Surv(start, stop, status)``; a DataFrame with columns ``start``,
        ``stop`` and ``status``/``event``): the risk set of an event at ``t`` is then ``{j : start_j < t ≤ stop_j}``.
    family : {"gaussian", "binomial", "poisson", "multinomial", "mgaussian", "cox"}
        The loss. Multinomial and mgaussian paths have ``coef`` of shape ``(L, p, K)`` and ``intercept``
        ``(L, K)``; multinomial ones are centred over the classes as glmnet's (only differences between classes
        are identified; coefficients of unpenalized, unbounded features are centred too). mgaussian accepts
        bounds only of the form "unbounded" or "fixed at 0". Cox paths have no intercept (``fit_intercept`` is
        ignored, as glmnet) and ``dev_ratio`` is measured from the saturated partial likelihood, as glmnet's.
    l1_ratio : float in [0, 1], optional
        Elastic-net mixing α (glmnet's ``alpha``, scikit-learn's ``l1_ratio``); default 1 (the lasso). For the group
        penalties, see ``penalty``.
    penalty : {"elastic_net", "group_lasso", "sparse_group_lasso", "mcp", "scad"} or penalty object
        The elastic net above (default), or a group penalty on the features labelled by ``groups``, with group
        sizes ``|g|`` and the group's penalty factor ``pf_g`` (``penalty_factor`` must then be equal within a group):

        * ``"group_lasso"``: ``λ Σ_g pf_g [α √|g| ‖b_g‖₂ + (1 − α)/2 ‖b_g‖₂²]`` with ``α = l1_ratio`` (default 1:
          the group lasso; glmnet mixes its group penalties with ridge this way);
        * ``"sparse_group_lasso"``: ``λ Σ_g pf_g [α ‖b_g‖₁ + (1 − α) √|g| ‖b_g‖₂]`` with ``α = l1_ratio`` the L1
          share (default 0.5; 1 is the lasso, 0 the group lasso), as in Simon et al. (2013).

        Group penalties take no Newton polish; their working sets hold every group with a nonzero coefficient
        whole. They accept bounds only of the form "unbounded" or "fixed at 0" (both bounds 0).

        Or a folded concave penalty (ncvreg's, Breheny & Huang 2011), with ``λ_j = λ pf_j α`` and ``α = l1_ratio``
        (default 1; below 1 the rest is ridge, ``λ pf_j (1 − α)/2 b_j²``):

        * ``"mcp"``: the minimax concave penalty (Zhang 2010), ``λ_j|b| − b²/(2γ)`` for ``|b| ≤ γλ_j``, then
          constant ``γλ_j²/2``;
        * ``"scad"``: SCAD (Fan & Li 2001), ``λ_j|b|`` up to ``λ_j``, then bending quadratically to the constant
          ``(γ + 1)λ_j²/2`` reached at ``|b| = γλ_j``.

        Both shrink large coefficients less than the lasso (not at all beyond ``γλ_j``). The objective is not
        convex: each λ stops at a stationary point when the duality gap of the convex majorant exact there (the
        concave part linearized at the point) is at most ``tol · P(0)``; the gap is zero exactly where the KKT
        conditions hold. Warm starts along the path pick the stationary point, as in ncvreg. For gaussian,
        binomial, poisson and cox.

        Or a penalty object: any pytree with the methods of :class:`jaxreg.penalties.Penalty` (``value``,
        ``prox``, ``conjugate``, ``dual_scale``, ``profiled``, ``lambda_max``; or ``majorize`` instead of the
        conjugate's three for a non-convex one; optionally ``priority`` and ``restrict`` for working sets, ``face``
        and ``onto_face`` for the Newton polish), e.g. a :class:`jaxreg.penalties.ElasticNet` built by hand or one
        written by the user. It replaces ``λ Σ_j pf_j[…]`` above by ``λ g(b)`` on the solver's coefficients
        (standardized unless ``standardize=False``), for gaussian, binomial, poisson and cox, and carries its own
        parameters: ``l1_ratio``, ``gamma``, ``groups``, ``penalty_factor``, the bounds and ``relax`` must be left
        out. ``Path.penalty`` is then the object and ``Path.l1_ratio`` NaN.
    gamma : float, optional
        The concavity of ``"mcp"`` (default 3, must exceed 1) and ``"scad"`` (default 3.7, must exceed 2), in the
        scale the penalty is applied in (standardized columns unless ``standardize=False``); smaller is closer to
        best-subset selection, larger to the lasso. Each value compiles once.
    groups : (p,) array-like of int or str, optional
        The group of each feature, for the group penalties (any labels; ``Path.groups`` gives them as ``0 … G − 1``
        in sorted order).
    lambdas : array-like, optional
        A user-supplied grid (sorted into decreasing order, never shortened). Default: ``n_lambdas`` values
        log-spaced from λmax down to ``λmax · lambda_min_ratio``, where λmax is the smallest λ with all penalized
        coefficients zero (computed with α = 0.001 when α = 0, like glmnet). Like glmnet, the default path ends
        early once the deviance explained exceeds 0.999 or grows by less than 1e-5 between steps (relative to the
        deviance explained for gaussian, absolute for binomial and multinomial, relative to the unexplained deviance
        for mgaussian; for poisson, as glmnet, less than 1e-4 relative over the last 4 steps, for cox less than
        1e-3 over the last 4 steps, cox stopping at 0.99 explained; the second rule is off when some bound is
        exactly 0, as in glmnet).
    n_lambdas : int
        Length of the default grid.
    lambda_min_ratio : float in (0, 1), optional
        Default ``1e-4`` if ``n > p`` else ``1e-2`` (glmnet's rule).
    fit_intercept : bool
        Fit an unpenalized intercept (centre ``X`` and ``y``). ``False``: no centring, no intercept. Ignored for cox.
    standardize : bool
        Penalize coefficients of columns scaled to unit weighted (1/n) variance; coefficients are always
        reported on the original scale. As in glmnet, the scale is the standard deviation about the weighted mean
        even without an intercept (when columns are not centred). Constant columns get coefficient 0.
    sample_weight : (n,) array-like, optional
        Non-negative observation weights, rescaled to sum to ``n``.
    offset : (n,) array-like (multinomial, mgaussian: (n, K)), optional
        A known term added to each sample's linear predictor, ``η_i = offset_i + b0 + x_iᵀb`` (glmnet's ``offset``;
        e.g. log exposure for poisson rates). For gaussian and mgaussian it is subtracted from ``y``. The null model
        (from which λmax, ``dev_ratio`` and the tolerance are measured) is the intercept-only fit with the offset;
        predictions then need the new data's offset (``Path.predict(X, offset=...)``).
    penalty_factor : (p,) array-like, optional
        Non-negative per-feature factors ``pf_j``, rescaled to sum to ``p``; 0 leaves a feature unpenalized.
    lower_bounds, upper_bounds : float or (p,) array-like, optional
        Box constraints on the original-scale coefficients, ``lower ≤ 0 ≤ upper`` (glmnet's ``lower.limits`` and
        ``upper.limits``). A feature with both bounds 0 stays out of the model.
    tol : float, optional
        Duality-gap tolerance relative to ``P(0)``. Default 1e-9 in float64 (1e-8 for binomial and multinomial),
        1e-5 in float32.
    max_iter : int
        Maximum proximal-gradient iterations per λ (a Newton step counts as one; ``Path.n_iter`` never exceeds
        it). λ that do not converge are flagged in ``Path.converged`` and a :class:`ConvergenceWarning` names them.
    dtype : {None, "float64", "float32"}
        Floating type of the computation (default float64; float32 is what accelerators prefer). float64 is used
        even when JAX's global ``jax_enable_x64`` flag is off.
    precompute : bool or "auto"
        Iterate on the Gram matrix ``XᵀWX/n`` (cost ``p²`` per iteration) instead of on ``X`` (``2np``).
        ``"auto"`` chooses the Gram matrix when ``n ≥ p`` and it fits in 80 % of the device's memory. Gaussian
        only (ignored for the other families).
    working_set : int, None or "auto"
        Solve each λ on working sets of this many features (the nonzero coefficients and the strongest violators
        of the optimality conditions), certifying the duality gap on all features. ``None`` or 0: iterate on all
        features. ``"auto"``: none when ``p ≤ 256`` (all features, with a Newton step on the current face between
        proximal-gradient steps, is faster), else buckets of 64, 128, … features up to the first power of two
        ≥ ``min(n, p)`` (group penalties: ``min(n s, p)`` with ``s`` the largest group's size), each at most
        ``2p / 3``; each λ uses the smallest bucket that holds 1.5× its warm start's nonzeros (plus 16), or all
        features when none does. Fits batched in one ``vmap``-ped call (:func:`jaxreg.cv_path` and the batch
        functions with ``batch_size > 1``, the default on accelerators) use the largest bucket alone.
    mesh : jax.sharding.Mesh, optional
        Split the rows of ``X`` (with ``y`` and the sample weights) across the devices of ``mesh_axis`` (data
        parallel): every product with ``X`` becomes per-device products summed across devices by XLA, and other
        arrays (the Gram matrix, coefficients) are replicated. Rows are padded with zero-weight rows to a multiple of
        the axis size, which leaves the fit unchanged. Worth it when ``n`` is large: the Gram matrix, when used,
        is built in parallel but then iterated on by every device. With a mesh spanning several processes
        (``jax.distributed.initialize()``), every process calls ``path`` with the same full arrays, and each gets
        the whole result.
    mesh_axis : str, optional
        The mesh axis to split along; needed only when the mesh has several axes (the others replicate).
    multinomial_grouped : bool
        ``family="multinomial"`` only: penalize each feature's ``K`` coefficients as one group,
        ``λ Σ_j pf_j [α ‖B_j‖₂ + (1 − α)/2 ‖B_j‖₂²]`` (glmnet's ``type.multinomial="grouped"``), so a feature
        enters for every class at once. Bounds can then only fix features at 0; no working sets.
    standardize_response : bool
        ``family="mgaussian"`` only (glmnet's ``standardize.response``): divide each response by its weighted (1/n)
        standard deviation (about its weighted mean, also without an intercept, as glmnet) before fitting, so that
        λ and the penalty treat the responses alike; coefficients and intercepts are reported on the original scale.
    relax : bool
        Also compute the relaxed fits (glmnet's ``relax=TRUE``, Meinshausen's relaxed lasso): at each λ, the
        unpenalized fit (λ = 0; same family, weights, offset and bounds) on the features whose coefficient is
        nonzero there, solved to the same duality-gap ``tol``; returned as ``Path.relaxed``, mixed with the penalized
        fit by ``gamma`` in :meth:`Path.blend`, :meth:`Path.coef_at` and :meth:`Path.predict`. Each distinct
        active set is fitted once. An unpenalized fit may have no minimiser (separable classes, zero counts): its
        coefficients then grow until the deviance explained is about 1, or, if ``tol`` is missed within
        ``max_iter``, the λ is flagged in ``Path.relaxed.converged`` and named in a :class:`ConvergenceWarning`.
        The refits run on the default device (``mesh`` is not used for them).
    relax_max_features : int, optional
        With ``relax=True``, λ whose active set has more features than this get no relaxed fit (glmnet's ``maxp``,
        default ``n − 3``: larger unpenalized fits are ill-determined).
    strata : (n,) array-like, optional
        ``family="cox"`` only (glmnet's ``stratifySurv(y, strata)``): a stratum label per sample. Each stratum has
        its own baseline hazard: the partial likelihood is the sum of the strata's, every risk set holding the
        samples of one stratum only; coefficients are shared. In :func:`jaxreg.cv_path` the deviance is summed over
        strata (glmnet's ``coxnet.deviance``); the C-index ignores them, as glmnet's ``Cindex``.

    Returns
    -------
    Path
        ``lambdas`` (L,), ``coef`` (L, p), ``intercept`` (L,), per-λ ``gap``, ``converged``, ``n_iter``,
        ``dev_ratio``, ``df``; ``predict(X, lambda_=None)`` and ``coef_at(lambda_)`` interpolate like glmnet's ``s=``.

    Raises
    ------
    ValueError
        When an argument is invalid (the message names it), or when ``precompute=True`` asks for a Gram matrix
        that would not fit in 80 % of the device's memory (``"auto"`` then iterates on ``X``).

    Examples
    --------
    >>> import jaxreg
    >>> X, y, names = jaxreg.datasets.load_diabetes()
    >>> fit = jaxreg.path(X, y)
    >>> fit.coef.shape[1]
    10
    """
    sharding = check_mesh(mesh, mesh_axis)
    s = setup(X, y, family=family, l1_ratio=l1_ratio, penalty=penalty, gamma=gamma, groups=groups, lambdas=lambdas,
              n_lambdas=n_lambdas, lambda_min_ratio=lambda_min_ratio, fit_intercept=fit_intercept,
              standardize=standardize, sample_weight=sample_weight, offset=offset, penalty_factor=penalty_factor,
              lower_bounds=lower_bounds, upper_bounds=upper_bounds, tol=tol, max_iter=max_iter, dtype=dtype,
              precompute=precompute, working_set=working_set, multinomial_grouped=multinomial_grouped,
              standardize_response=standardize_response, strata=strata)
    max_features = check_relax(relax, relax_max_features, s.x.shape[0], penalty_object=s.custom is not None)
    fit = assemble(run(s, sharding), s)
    if max_features is None:
        return fit
    return dataclasses.replace(fit, relaxed=relaxed_path(fit, s, max_features))
