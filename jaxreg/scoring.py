"""Cross-validation scores of held-out predictions, as glmnet's ``cv.glmnet`` computes them (``type.measure``)."""

from __future__ import annotations

import numpy as np

#: Scores available per family; the first is the default.
SCORINGS = {
    "gaussian": ("deviance", "mse", "mae"),
    "binomial": ("deviance", "class", "auc", "mse", "mae"),
    "poisson": ("deviance", "mse", "mae"),
    "multinomial": ("deviance", "class", "mse", "mae"),
    "mgaussian": ("deviance", "mse", "mae"),
    "cox": ("deviance", "C"),
}
#: Largest number of (pair, λ) entries :func:`concordance` holds at once.
PAIR_BLOCK = 4_000_000
#: Scores where larger is better (λ_min maximizes them).
GREATER_IS_BETTER = ("auc", "C")
#: glmnet clips held-out probabilities to [PROB_MIN, 1 − PROB_MIN] before taking logs (binomial deviance).
PROB_MIN = 1e-5


def check_scoring(scoring: str | None, family: str) -> str:
    """The scoring name, defaulting to ``"deviance"``; a ``ValueError`` for a name the family does not have."""
    allowed = SCORINGS[family]
    if scoring is None:
        return allowed[0]
    if scoring not in allowed:
        raise ValueError(f"scoring: expected one of {allowed} for family={family!r}, got {scoring!r}.")
    return scoring


def mean_response(eta: np.ndarray, family: str) -> np.ndarray:
    """The mean response of linear predictors ``eta``: ``η`` (gaussian), ``e^η`` (poisson; the relative risk for
    cox, as glmnet's ``type="response"``), the logistic function (binomial, computed as ``(1 + tanh(η/2))/2``,
    without overflow) or the softmax over axis 1 (multinomial)."""
    if family in ("gaussian", "mgaussian"):
        return eta
    if family in ("poisson", "cox"):
        return np.exp(eta)
    if family == "multinomial":
        e = np.exp(eta - eta.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    return 0.5 * (1.0 + np.tanh(0.5 * eta))


def pointwise(eta: np.ndarray, y: np.ndarray, family: str, scoring: str) -> np.ndarray:
    r"""Per-sample scores of linear predictors ``eta`` (n, L) against responses ``y`` (n,).

    Gaussian: ``(y − η)²`` (deviance and mse) or ``|y − η|``. Binomial, with ``p = 1/(1 + e^{−η})``:
    deviance ``−2[y log p + (1 − y) log(1 − p)]`` with ``p`` clipped to ``[1e-5, 1 − 1e-5]``; ``class``
    ``1{p ≤ ½}`` for ``y = 1`` and ``1{p > ½}`` for ``y = 0``; mse ``2(y − p)²`` and mae ``2|y − p|`` (glmnet sums
    both classes' errors). Poisson, with ``μ = e^η`` (as glmnet's ``cv.fishnet``): deviance
    ``2[y log(y/μ) − (y − μ)] = 2[(y log y − y) − (yη − μ)]`` with ``y log y = 0`` at ``y = 0``; mse ``(y − μ)²``;
    mae ``|y − μ|``. Multinomial (``eta`` (n, K, L), ``y`` class indices), with ``p = softmax(η)`` over the
    classes and ``Y`` the one-hot labels (as glmnet's ``cv.multnet``): deviance ``−2 Σ_k Y_k log p_k`` with ``p``
    clipped as for binomial; ``class`` 1 unless the most probable class is the label; mse ``Σ_k (Y_k − p_k)²``;
    mae ``Σ_k |Y_k − p_k|``. Mgaussian (``eta`` (n, K, L), ``y`` (n, K), as glmnet's ``cv.mrelnet``): deviance and
    mse ``Σ_k (y_k − η_k)²``, mae ``Σ_k |y_k − η_k|``.
    """
    if family == "multinomial":
        return _multinomial_pointwise(eta, y, scoring)
    if family == "mgaussian":
        r = y[:, :, None] - eta
        return (np.abs(r) if scoring == "mae" else r * r).sum(axis=1)
    y = y[:, None]
    if family == "gaussian":
        r = y - eta
        return np.abs(r) if scoring == "mae" else r * r
    if family == "poisson":
        mu = mean_response(eta, family)
        if scoring == "deviance":
            ylogy = y * np.log(np.where(y > 0, y, 1.0))
            return 2.0 * ((ylogy - y) - (y * eta - mu))
        r = y - mu
        return np.abs(r) if scoring == "mae" else r * r
    p = mean_response(eta, family)
    if scoring == "deviance":
        pc = np.clip(p, PROB_MIN, 1.0 - PROB_MIN)
        return -2.0 * (y * np.log(pc) + (1.0 - y) * np.log1p(-pc))
    if scoring == "class":
        return np.where(y > 0.5, p <= 0.5, p > 0.5).astype(float)
    if scoring == "mse":
        return 2.0 * (y - p) ** 2
    if scoring == "mae":
        return 2.0 * np.abs(y - p)
    raise ValueError(f"scoring: {scoring!r} has no per-sample form.")  # pragma: no cover - auc is per fold


def _multinomial_pointwise(eta: np.ndarray, y: np.ndarray, scoring: str) -> np.ndarray:
    label = y.astype(np.int64)
    if scoring == "class":
        return (np.argmax(eta, axis=1) != label[:, None]).astype(float)
    prob = mean_response(eta, "multinomial")
    onehot = (np.arange(eta.shape[1]) == label[:, None])[:, :, None]
    if scoring == "deviance":
        picked = np.take_along_axis(prob, label[:, None, None], axis=1)[:, 0]
        return -2.0 * np.log(np.clip(picked, PROB_MIN, 1.0 - PROB_MIN))
    r = onehot - prob
    return (np.abs(r) if scoring == "mae" else r * r).sum(axis=1)


def weighted_auc(score: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    r"""Weighted area under the ROC curve of each column of ``score`` (n, L) for 0/1 labels ``y``.

    ``AUC = Σ_{i: y_i=1} Σ_{j: y_j=0} w_i w_j (1{s_i > s_j} + ½·1{s_i = s_j}) / (Σ_{y=1} w · Σ_{y=0} w)``
    (the concordance glmnet computes; ties count one half). NaN when a class is absent.
    """
    pos, neg = y > 0.5, y <= 0.5
    wp, wn = w[pos], w[neg]
    denom = wp.sum() * wn.sum()
    if denom <= 0:
        return np.full(score.shape[1], np.nan)
    out = np.empty(score.shape[1])
    for k in range(score.shape[1]):
        sn = score[neg, k]
        order = np.argsort(sn, kind="stable")
        sn, cw = sn[order], np.concatenate([[0.0], np.cumsum(wn[order])])
        sp = score[pos, k]
        below = cw[np.searchsorted(sn, sp, side="left")]
        upto = cw[np.searchsorted(sn, sp, side="right")]
        out[k] = np.sum(wp * (below + 0.5 * (upto - below))) / denom
    return out


def cox_deviance(eta: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    r"""Partial-likelihood deviance of each column of ``eta`` (n, L), as glmnet's ``coxnet.deviance``.

    ``2 (l_sat − l)`` with the Breslow log partial likelihood ``l = Σ_i w_i δ_i [η_i − log Σ_{t_j ≥ t_i} w_j
    e^{η_j}]`` and ``l_sat = −Σ_k d_k log d_k`` (``d_k`` the weight of the events at the k-th distinct event time),
    the weights first rescaled to sum to ``n`` (glmnet's ``std.weights``). With strata (a third column of ``y``,
    :func:`jaxreg.path`'s ``strata``), the sum of the strata's deviances, as ``coxnet.deviance`` of a
    ``stratifySurv`` response.
    """
    w = w.shape[0] * w / w.sum()
    if y.shape[1] > 2:
        strata = y[:, 2]
        return sum(_cox_deviance(eta[strata == g], y[strata == g], w[strata == g])
                   for g in np.unique(strata[w > 0]))
    return _cox_deviance(eta, y, w)


def _cox_deviance(eta: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """One stratum; start–stop rows (a fourth column, the start) leave the risk sets that begin after them."""
    order = np.argsort(y[:, 0], kind="stable")
    t, c, w, eta = y[order, 0], w[order] * y[order, 1], w[order], eta[order]
    top = np.max(eta[w > 0], axis=0)
    e = w[:, None] * np.exp(eta - top)
    risk = np.cumsum(e[::-1], axis=0)[::-1][np.searchsorted(t, t, side="left")]
    if y.shape[1] > 3:  # less the rows entering at or after each time
        start = y[order, 3]
        by_start = np.argsort(start, kind="stable")
        tail = np.vstack([np.cumsum(e[by_start][::-1], axis=0)[::-1], np.zeros((1, e.shape[1]))])
        risk = risk - tail[np.searchsorted(start[by_start], t, side="left")]
    events = c > 0
    loglik = c[events] @ (eta[events] - np.log(risk[events]) - top)
    tied = np.bincount(np.unique(t, return_inverse=True)[1].ravel(), weights=c)
    tied = tied[tied > 0]
    return 2.0 * (-(tied @ np.log(tied)) - loglik)


def cox_fold_deviance(eta: np.ndarray, y: np.ndarray, w: np.ndarray, test: np.ndarray) -> np.ndarray:
    """``cv.glmnet``'s grouped cox score of the fold ``test`` (a mask): the deviance of all the data minus that of
    the other folds, at the fold's fit ``eta`` (n, L), per unit of the fold's event weight (NaN without events)."""
    events = w[test] @ y[test, 1]
    if events <= 0:
        return np.full(eta.shape[1], np.nan)
    return (cox_deviance(eta, y, w) - cox_deviance(eta[~test], y[~test], w[~test])) / events


def concordance(eta: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    r"""Harrell's C of each column of ``eta`` (n, L) as risk scores for survival data ``y`` (time, status).

    ``C = Σ_{(i, j)} w_i w_j (1{η_i > η_j} + ½·1{η_i = η_j}) / Σ_{(i, j)} w_i w_j`` over the comparable pairs: ``i``
    had an event and ``j`` was seen later (``t_j > t_i``, or censored at ``t_i``) — glmnet's ``Cindex``
    (``survival::concordance``). NaN without comparable pairs. ``O(n²)`` time per λ; memory bounded by taking the
    events in blocks of :data:`PAIR_BLOCK` pair-λ entries.
    """
    t, d = y[:, 0], y[:, 1] > 0
    n, n_lambdas = eta.shape
    events = np.flatnonzero(d & (w > 0))
    num, total = np.zeros(n_lambdas), 0.0
    step = max(1, PAIR_BLOCK // (n * n_lambdas))
    for start in range(0, events.size, step):
        i = events[start:start + step]
        later = (t[None, :] > t[i, None]) | ((t[None, :] == t[i, None]) & ~d[None, :])
        pair = np.where(later, w[i, None] * w[None, :], 0.0)  # (block, n)
        total += pair.sum()
        diff = eta[i, None, :] - eta[None, :, :]  # (block, n, L)
        num += np.einsum("ij,ijl->l", pair, (diff > 0) + 0.5 * (diff == 0))
    return num / total if total > 0 else np.full(n_lambdas, np.nan)


def fold_weight(w: np.ndarray, y: np.ndarray, family: str, scoring: str) -> float:
    """A fold's weight in :func:`aggregate`: its total sample weight (its event weight for the cox deviance)."""
    return float(w @ y[:, 1]) if family == "cox" and scoring == "deviance" else float(w.sum())


def fold_scores(eta: np.ndarray, y: np.ndarray, w: np.ndarray, family: str, scoring: str) -> np.ndarray:
    """One fold's score at each λ: the weighted mean of the per-sample scores, or the fold's weighted AUC (C)."""
    if scoring == "auc":
        return weighted_auc(eta, y, w)
    if scoring == "C":
        return concordance(eta, y, w)
    total = w.sum()
    if total <= 0:
        return np.full(eta.shape[-1], np.nan)
    return w @ pointwise(eta, y, family, scoring) / total


def aggregate(cv_folds: np.ndarray, fold_weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""glmnet's ``cvm`` and ``cvsd`` from fold scores (F, L) and fold weights (F,) (each fold's total weight).

    ``cvm = Σ_k W_k s_k / Σ_k W_k``; ``cvsd = sqrt(Σ_k W_k (s_k − cvm)² / Σ_k W_k / (F − 1))``, folds with an
    undefined score (NaN) left out of both.
    """
    good = np.isfinite(cv_folds)
    wk = np.where(good, fold_weights[:, None], 0.0)
    s = np.where(good, cv_folds, 0.0)
    wsum = wk.sum(axis=0)
    safe = np.where(wsum > 0, wsum, 1.0)
    mean = np.where(wsum > 0, (wk * s).sum(axis=0) / safe, np.nan)
    var = (wk * (s - mean) ** 2).sum(axis=0) / safe
    n_good = good.sum(axis=0)
    std = np.where(n_good > 1, np.sqrt(var / np.maximum(n_good - 1, 1)), np.nan)
    return mean, std


def choose_lambda(lambdas: np.ndarray, mean: np.ndarray, std: np.ndarray, greater_is_better: bool) -> tuple[int, int]:
    """Indices of λ_min (best mean; the largest λ among ties) and λ_1se (the largest λ within one standard error).

    NaN scores are never chosen. The one-row case of :func:`choose_pair`.
    """
    (_, i_min), (_, i_1se) = choose_pair(lambdas, np.ones(1), mean[None], std[None], greater_is_better)
    return i_min, i_1se


def choose_pair(lambdas: np.ndarray, gammas: np.ndarray, mean: np.ndarray, std: np.ndarray,
                greater_is_better: bool) -> tuple[tuple[int, int], tuple[int, int]]:
    """``(γ index, λ index)`` of the best score on a ``(G, L)`` grid and of the one-standard-error pair, with
    glmnet's rules (``getOptcv.relaxed``): ties go to the largest λ, then the largest γ; the 1se pair is the one
    with the largest λ (then γ) whose score is within one standard error (of the best pair) of the best. NaN
    scores are never chosen; a non-finite standard error counts as 0.
    """
    m = -mean if greater_is_better else mean
    m = np.where(np.isfinite(m), m, np.inf)
    g_idx, l_idx = (a.ravel() for a in np.indices(m.shape))
    order = np.lexsort((-gammas[g_idx], -lambdas[l_idx]))  # largest λ first, then largest γ

    def first(ok: np.ndarray) -> tuple[int, int]:
        k = order[np.argmax(ok.ravel()[order])]
        return int(g_idx[k]), int(l_idx[k])

    i_min = first(m <= m.min())
    sd = std[i_min]
    return i_min, first(m <= m[i_min] + (sd if np.isfinite(sd) else 0.0))
