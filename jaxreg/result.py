"""The :class:`Path` returned by :func:`jaxreg.path`."""

from __future__ import annotations

import dataclasses
from typing import Any

import jax
import numpy as np

from jaxreg.scoring import mean_response


def _interp_weights(lambdas: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Left index, right index and weight of the left point for each ``s`` (glmnet's ``s=`` rule).

    Linear interpolation in λ between the two neighbouring grid values; values outside the grid are clamped to its
    ends. ``lambdas`` is decreasing.
    """
    lam = np.asarray(lambdas, dtype=float)
    if lam.size == 1:
        zeros = np.zeros(s.shape, dtype=int)
        return zeros, zeros, np.ones(s.shape)
    s = np.clip(s, lam[-1], lam[0])
    # position along the grid as a fractional index (lam is decreasing, np.interp wants increasing x)
    pos = np.interp(-s, -lam, np.arange(lam.size, dtype=float))
    left = np.floor(pos).astype(int)
    right = np.minimum(left + 1, lam.size - 1)
    gap = lam[left] - lam[right]
    frac = np.where(gap > 0, (s - lam[right]) / np.where(gap > 0, gap, 1.0), 1.0)
    return left, right, frac


def _is_number(value: Any) -> bool:
    """Whether ``value`` is a real number (not a bool)."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def _is_one(gamma: Any) -> bool:
    """Whether ``gamma`` is the number 1 (the penalized path, no blending)."""
    return _is_number(gamma) and gamma == 1


@dataclasses.dataclass(frozen=True)
class Path:
    """A regularization path: one fitted model per λ, λ first on every array.

    Attributes
    ----------
    lambdas : (L,) ndarray
        Decreasing λ values.
    coef : (L, p) ndarray
        Coefficients on the original scale of ``X``; ``(L, p, K)`` for multinomial (one column per class) and
        mgaussian (one per response).
    intercept : (L,) ndarray
        Unpenalized intercepts (zeros when ``fit_intercept=False``); ``(L, K)`` for multinomial, centred over the
        classes as glmnet's, and for mgaussian.
    gap : (L,) ndarray
        Duality gap at each λ, relative to ``P(0)`` (the objective with all coefficients zero and the intercept
        fitted). ``gap[k] ≤ tol`` certifies ``P(b_k) − P* ≤ tol·P(0)``.
    converged : (L,) ndarray of bool
        Whether ``gap ≤ tol`` was reached within ``max_iter`` iterations.
    n_iter : (L,) ndarray of int
        Proximal-gradient iterations spent at each λ.
    dev_ratio : (L,) ndarray
        Fraction of (weighted) deviance explained, ``1 − D/D_null`` (glmnet's ``dev.ratio``; ``1 − RSS/TSS`` for
        gaussian, summed over the responses for mgaussian; for poisson ``D = 2 Σ w [y log(y/μ) − (y − μ)]``,
        measured from the saturated model; for cox the partial-likelihood deviance, from the saturated model
        ``−Σ_k d_k log d_k`` as glmnet's).
    df : (L,) ndarray of int
        Number of features with a nonzero coefficient (in some class or response, for multinomial and mgaussian).
    l1_ratio : float
        The elastic-net mixing parameter α.
    lambda_max : float
        The smallest λ at which every penalized coefficient is zero.
    family : str
        The loss family (``"gaussian"``, ``"binomial"``, ``"poisson"``, ``"multinomial"``, ``"mgaussian"`` or
        ``"cox"``; cox paths have no intercept: ``intercept`` is zero).
    feature_names : tuple of str or None
        Column names when ``X`` was a DataFrame.
    tol : float
        The duality-gap tolerance the path was solved to.
    classes : tuple or None
        For ``"binomial"``: the two labels ``(negative, positive)``; the model gives the positive one's probability.
        For ``"multinomial"``: the ``K`` sorted labels, in the order of the class axis.
    penalty : str or penalty object
        ``"elastic_net"``, ``"group_lasso"``, ``"sparse_group_lasso"``, ``"mcp"`` or ``"scad"``, or the penalty
        object given to :func:`jaxreg.path` (its arrays as NumPy arrays).
    penalty_gamma : float or None
        For ``"mcp"`` and ``"scad"``: the concavity ``γ`` (``path``'s ``gamma``; not the relaxed fits' ``gamma``).
    groups : (p,) ndarray of int or None
        For the group penalties, each feature's group (``0 … G − 1``, in the order of the sorted labels given).
    has_offset : bool
        Whether the path was fitted with an ``offset`` (then :meth:`predict` needs one for the new data).
    multinomial_grouped : bool
        Whether a multinomial path penalized each feature's ``K`` coefficients as one group.
    relaxed : Path or None
        With ``relax=True``, the relaxed fits (glmnet's ``fit$relaxed``): for each λ whose active set has at most
        ``relax_max_features`` features, the unpenalized fit on that set (same family, weights, offset and bounds),
        with its own ``gap``, ``converged``, ``n_iter`` and ``dev_ratio``; other λ are left out. :meth:`blend`,
        and ``gamma=`` in :meth:`coef_at` and :meth:`predict`, mix it with the penalized fit.
    """

    lambdas: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    gap: np.ndarray
    converged: np.ndarray
    n_iter: np.ndarray
    dev_ratio: np.ndarray
    df: np.ndarray
    l1_ratio: float
    lambda_max: float
    family: str = "gaussian"
    feature_names: tuple[str, ...] | None = None
    tol: float = 0.0
    classes: tuple[Any, ...] | None = None
    penalty: Any = "elastic_net"
    penalty_gamma: float | None = None
    groups: np.ndarray | None = None
    has_offset: bool = False
    multinomial_grouped: bool = False
    relaxed: Path | None = None

    @property
    def n_lambdas(self) -> int:
        """Number of λ on the path."""
        return int(self.lambdas.shape[0])

    def blend(self, gamma: float) -> Path:
        r"""The relaxed path mixed with the penalized one (glmnet's ``gamma``), on the penalized path's λ grid:

        .. math:: b_\gamma(\lambda) = \gamma\, b(\lambda) + (1 - \gamma)\, b_{\text{relaxed}}(\lambda)

        (intercepts alike), so ``gamma=1`` is the penalized path and ``gamma=0`` the relaxed fits. As in glmnet, a λ
        left out of the relaxed fits (too many active features) takes the relaxed fit of the last λ that has one,
        ``dev_ratio`` is the same mix of the two fits' values (not recomputed from data) and ``df`` is the penalized
        path's; ``gap`` is the larger of the two fits' gaps, ``converged`` needs both, ``n_iter`` adds them up.
        """
        g = float(gamma) if _is_number(gamma) else np.nan
        if not 0.0 <= g <= 1.0:
            raise ValueError(f"gamma: expected a number in [0, 1], got {gamma!r}.")
        if self.relaxed is None:
            raise ValueError("gamma: this path has no relaxed fits; fit it with relax=True.")
        if g == 1.0:
            return dataclasses.replace(self, relaxed=None)
        r = self.relaxed
        if r.n_lambdas == 0:
            raise ValueError("gamma: no λ of this path has a relaxed fit (every active set is larger than "
                             "relax_max_features).")
        index = {float(lam): k for k, lam in enumerate(r.lambdas)}
        which = np.array([index.get(float(lam), -1) for lam in self.lambdas])
        which[which < 0] = which.max()  # glmnet's extend: the relaxed fit of the last λ that has one

        def mix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            return g * a + (1.0 - g) * b[which]

        return dataclasses.replace(
            self, coef=mix(self.coef, r.coef), intercept=mix(self.intercept, r.intercept),
            dev_ratio=mix(self.dev_ratio, r.dev_ratio), gap=np.maximum(self.gap, r.gap[which]),
            converged=self.converged & r.converged[which], n_iter=self.n_iter + r.n_iter[which], relaxed=None)

    def coef_at(self, lambda_: float | Any, gamma: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
        """Intercept and coefficients at any λ, interpolated linearly in λ between grid points like glmnet's ``s=``.

        Returns ``(intercept, coef)`` with shapes ``()`` and ``(p,)`` for a scalar ``lambda_``, or ``(k,)`` and
        ``(k, p)`` for ``k`` values (multinomial, mgaussian: an output axis last, ``(K,)`` and ``(p, K)``, ...).
        λ outside the grid is clamped to its ends. ``gamma < 1`` takes them from :meth:`blend` (``relax=True``).
        """
        if not _is_one(gamma):
            return self.blend(gamma).coef_at(lambda_)
        s = np.asarray(lambda_, dtype=float)
        if not np.all(np.isfinite(s)) or np.any(s < 0):
            raise ValueError(f"lambda_: expected finite non-negative values, got {lambda_!r}.")
        left, right, frac = _interp_weights(self.lambdas, np.atleast_1d(s))

        def blend(a: np.ndarray) -> np.ndarray:
            f = frac.reshape(-1, *([1] * (a.ndim - 1)))
            return f * a[left] + (1 - f) * a[right]

        coef, b0 = blend(self.coef), blend(self.intercept)
        if s.ndim == 0:
            return b0[0], coef[0]
        return b0, coef

    def predict(self, X: Any, lambda_: float | Any | None = None, type: str = "link",  # noqa: A002
                offset: Any = None, gamma: float = 1.0) -> np.ndarray:
        """Predictions at every λ of the path, or at the λ asked for.

        Parameters
        ----------
        X : (n, p) array-like
            New data on the original scale.
        lambda_ : float or sequence of float, optional
            λ value(s) to predict at (interpolated as in :meth:`coef_at`). Default: every λ of the path.
        type : {"link", "response", "class"}
            As glmnet's ``predict(type=)``: the linear predictor ``η = b0 + X b``; the mean response (the
            probability of ``classes[1]`` for binomial, the class probabilities ``softmax(η)`` for multinomial,
            ``μ = exp η`` for poisson, the relative risk ``exp η`` for cox, the linear predictor for gaussian and
            mgaussian); or, for binomial and
            multinomial, the predicted label (the most probable class).
        offset : (n,) array-like, optional
            The new data's offset, added to ``η`` (glmnet's ``newoffset``; ``(n, K)`` for multinomial and
            mgaussian); required when the path was fitted with an offset, refused otherwise.
        gamma : float in [0, 1]
            With ``relax=True``: predict from :meth:`blend` (glmnet's ``gamma``; 0 is the relaxed fit). Default 1,
            the penalized path.

        Returns
        -------
        ndarray
            ``(n, L)`` by default, ``(n,)`` for a scalar ``lambda_``, ``(n, k)`` for ``k`` values. Multinomial
            links and probabilities, and mgaussian predictions, have an output axis second, as glmnet's:
            ``(n, K, L)``, ``(n, K)``, ``(n, K, k)`` (labels, ``type="class"``, have none).
        """
        if not _is_one(gamma):
            return self.blend(gamma).predict(X, lambda_, type, offset)
        if type not in ("link", "response", "class"):
            raise ValueError(f"type: expected 'link', 'response' or 'class', got {type!r}.")
        multi = self.coef.ndim == 3  # multinomial or mgaussian: an output axis
        if type == "class" and self.family not in ("binomial", "multinomial"):
            raise ValueError(f"type: 'class' needs family='binomial' or 'multinomial', this path is {self.family!r}.")
        xa = np.asarray(X, dtype=float)
        p = self.coef.shape[1]
        if xa.ndim != 2 or xa.shape[1] != p:
            raise ValueError(f"X: expected shape (n_samples, {p}), got {xa.shape}.")
        if self.has_offset != (offset is not None):
            raise ValueError("offset: this path was fitted with an offset; pass the new data's offset (glmnet's "
                             "newoffset)." if self.has_offset else "offset: this path was fitted without an offset.")
        b0, coef = (self.intercept, self.coef) if lambda_ is None else self.coef_at(lambda_)
        scalar = coef.ndim == self.coef.ndim - 1
        if scalar:
            b0, coef = b0[None], coef[None]
        # (n, L) or, with an output axis, (n, K, L)
        eta = np.einsum("np,lpk->nkl", xa, coef) + b0.T[None] if multi else xa @ coef.T + b0
        if offset is not None:
            o = np.asarray(offset, dtype=float)
            shape = (xa.shape[0], self.coef.shape[2]) if multi else (xa.shape[0],)
            if o.shape != shape:
                what = "class" if self.family == "multinomial" else "response"
                want = f"shape {shape} (a column per {what})" if multi else f"a vector of length {shape[0]}"
                raise ValueError(f"offset: expected {want}, got shape {o.shape}.")
            eta = eta + o[..., None]
        out = self._from_link(eta, type)
        return out[..., 0] if scalar else out

    def _from_link(self, eta: np.ndarray, type: str) -> np.ndarray:  # noqa: A002
        """The linear predictors ``eta`` (..., L) as ``type``."""
        if type == "link":
            return eta
        if type == "response":
            return mean_response(eta, self.family)
        if self.family == "multinomial":
            return np.asarray(self.classes)[np.argmax(eta, axis=1)]
        return np.where(eta > 0, self.classes[1], self.classes[0])

    def plot(self, **kwargs: Any) -> Any:
        """Coefficient paths, as glmnet's ``plot``: see :func:`jaxreg.plotting.plot_path` (needs matplotlib)."""
        from jaxreg.plotting import plot_path

        return plot_path(self, **kwargs)

    def summary(self, max_rows: int | None = None) -> str:
        """A glmnet-style table: λ, number of nonzeros, % deviance explained, duality gap, converged."""
        rows = [f"{'':>4} {'lambda':>11} {'df':>5} {'%dev':>7} {'gap/P(0)':>10} {'conv':>5}"]
        idx = range(self.n_lambdas)
        if max_rows is not None and self.n_lambdas > max_rows:
            step = int(np.ceil(self.n_lambdas / max_rows))
            idx = sorted(set(range(0, self.n_lambdas, step)) | {self.n_lambdas - 1})
        for k in idx:
            rows.append(
                f"{k + 1:>4} {self.lambdas[k]:>11.5g} {int(self.df[k]):>5} {100 * self.dev_ratio[k]:>7.2f} "
                f"{self.gap[k]:>10.2e} {'yes' if self.converged[k] else 'NO':>5}"
            )
        return "\n".join(rows)

    def __repr__(self) -> str:
        p = self.coef.shape[1]
        return (
            f"Path(family={self.family!r}, l1_ratio={self.l1_ratio:g}, n_lambdas={self.n_lambdas}, n_features={p}, "
            f"lambda=[{self.lambdas[0]:.4g} … {self.lambdas[-1]:.4g}], converged={int(self.converged.sum())}/"
            f"{self.n_lambdas})"
        )


_ARRAY_FIELDS = ["lambdas", "coef", "intercept", "gap", "converged", "n_iter", "dev_ratio", "df", "relaxed"]
jax.tree_util.register_dataclass(
    Path,
    data_fields=_ARRAY_FIELDS,
    meta_fields=[f.name for f in dataclasses.fields(Path) if f.name not in _ARRAY_FIELDS],
)
