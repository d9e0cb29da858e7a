"""Write ``group_reference.json``: group lasso and sparse-group lasso solutions computed by skglm.

Run from the repo root with ``python tests/reference/make_group_reference.py`` (needs skglm, in the ``bench``
extra). jaxreg is not imported: the data are standardized here in NumPy (weights all 1, columns centred and scaled
to unit 1/n variance), λmax comes from the gradient at the null model, skglm solves each λ on the standardized
data, the solution is checked against the optimality conditions in NumPy, and coefficients are mapped back to the
original scale (``coef = b_std / sd``, intercept ``ȳ − x̄ᵀcoef`` for gaussian, ``b0 − x̄ᵀcoef`` for the GLMs).

The penalties, with ``α = l1_ratio`` and ``pf`` rescaled to sum to p:

* ``group_lasso``: ``λ Σ_g pf_g [α √|g| ‖b_g‖₂ + (1 − α)/2 ‖b_g‖₂²]``;
* ``sparse_group_lasso``: ``λ Σ_g pf_g [α ‖b_g‖₁ + (1 − α) √|g| ‖b_g‖₂]``.

How each case maps onto skglm 0.5:

* gaussian: X and y centred, no intercept in skglm (it is recovered as ``ȳ − x̄ᵀcoef``); ``QuadraticGroup``
  (``1/(2n)‖y − Xw‖²``) with ``GroupBCD``.
* the ridge part of ``group_lasso`` with α < 1 has no skglm penalty; it is folded into the quadratic datafit by
  appending the rows ``diag(√(nλ(1−α)pf_j))`` (response 0) and multiplying the augmented X and y by
  ``√((n+p)/n)``, so that ``QuadraticGroup``'s ``1/(2(n+p))`` gives back exactly the objective above.
* ``sparse_group_lasso``: ``WeightedL1GroupL2`` has no ``subdiff_distance``, so ``GroupBCD`` runs with
  ``ws_strategy="fixpoint"``. Its prox soft-thresholds group ``g`` with ``weights_features[g]`` (the weight of
  *feature* ``g``, not of the group's features), so it is only right when all feature weights are equal: the
  case uses equal penalty factors.
* binomial: ``LogisticGroup`` takes y in {−1, 1} (its loss ``log(1 + e^{−yη})`` is the 0/1 loss
  ``log(1 + e^η) − yη``). ``LogisticGroup.get_lipschitz`` is ``Logistic``'s, per *feature* (length p), which
  ``GroupBCD`` indexes by group (too long a step for a group of correlated columns; it happens to converge here),
  so ``GroupProxNewton`` (which computes group Lipschitz constants itself) is used, with its intercept.
* poisson: ``PoissonGroup`` has no ``get_lipschitz``, so ``GroupBCD`` refuses it; ``GroupProxNewton`` with
  intercept.
"""

from __future__ import annotations

import json
import pathlib
import platform

import numpy as np
import skglm
from scipy.optimize import brentq
from skglm.datafits import LogisticGroup, PoissonGroup, QuadraticGroup
from skglm.penalties import WeightedGroupL2, WeightedL1GroupL2
from skglm.solvers import GroupBCD, GroupProxNewton

OUT = pathlib.Path(__file__).parent / "group_reference.json"
SEED = 20240611
N = 80
GROUPS = np.array([0] * 3 + [1] * 3 + [2] * 2 + [3] * 4)  # sizes 3, 3, 2, 4, shuffled below
RATIOS = [0.9, 0.5, 0.25, 0.12, 0.05]  # λ / λmax
KKT_MAX = 1e-8


def _round(a, digits=10):
    """Round to ``digits`` significant digits, so the JSON stays short (the rounded values are the data used)."""
    return np.array([float(f"{v:.{digits}g}") for v in np.ravel(a)]).reshape(np.shape(a))


def make_data():
    """Correlated columns on different scales and offsets, a sparse coefficient vector over two groups."""
    rng = np.random.default_rng(SEED)
    p = GROUPS.size
    groups = rng.permutation(GROUPS)
    chol = np.linalg.cholesky(0.6 ** np.abs(np.subtract.outer(np.arange(p), np.arange(p))))
    Z = rng.standard_normal((N, p)) @ chol.T
    X = _round(Z * rng.uniform(0.3, 4.0, p) + rng.uniform(-3.0, 3.0, p))
    beta = np.zeros(p)
    for g in (1, 3):  # two active groups
        m = groups == g
        beta[m] = rng.choice([-1.0, 1.0], m.sum()) * rng.uniform(0.5, 1.5, m.sum())
    beta /= X.std(axis=0)
    signal = (X - X.mean(axis=0)) @ beta
    signal /= signal.std()
    y_gauss = _round(2.0 + signal + 0.7 * rng.standard_normal(N))
    y_bin = (rng.uniform(size=N) < 1 / (1 + np.exp(-(0.3 + 1.2 * signal)))).astype(float)
    y_pois = rng.poisson(np.exp(0.8 + 0.5 * signal)).astype(float)
    return X, groups, {"gaussian": y_gauss, "binomial": y_bin, "poisson": y_pois}


def standardize(X):
    """Column means and 1/n standard deviations (all weights 1)."""
    mean = X.mean(axis=0)
    sd = np.sqrt(((X - mean) ** 2).mean(axis=0))
    return mean, sd


def penalty_weights(penalty, l1_ratio, pf, groups):
    """Per-coordinate L1 weight ``a``, per-group group-norm weight ``γ_g`` and per-coordinate ridge weight ``c``,
    all per unit λ, indexed by group label for ``γ``."""
    labels = np.unique(groups)
    size = np.array([np.sum(groups == g) for g in labels])
    pf_g = np.array([pf[groups == g][0] for g in labels])
    if penalty == "group_lasso":
        return np.zeros_like(pf), pf_g * l1_ratio * np.sqrt(size), pf * (1 - l1_ratio)
    return pf * l1_ratio, pf_g * (1 - l1_ratio) * np.sqrt(size), np.zeros_like(pf)


def mean_link(family, eta):
    return {"gaussian": eta, "binomial": 1 / (1 + np.exp(-eta)), "poisson": np.exp(eta)}[family]


def gradient(Xs, y, b0, b, family):
    """∇ of the mean loss with respect to the standardized coefficients, and with respect to the intercept."""
    r = mean_link(family, b0 + Xs @ b) - y
    return Xs.T @ r / len(y), r.mean()


def null_fit(Xs, y, family, free):
    """Intercept and coefficients of the model with only the unpenalized columns ``free`` (Newton / least squares)."""
    b = np.zeros(Xs.shape[1])
    A = np.column_stack([np.ones(len(y)), Xs[:, free]])
    theta = np.zeros(A.shape[1])
    if family == "gaussian":
        theta = np.linalg.lstsq(A, y, rcond=None)[0]
    else:
        theta[0] = np.log(y.mean()) if family == "poisson" else np.log(y.mean() / (1 - y.mean()))
        for _ in range(100):
            mu = mean_link(family, A @ theta)
            h = mu * (1 - mu) if family == "binomial" else mu
            step = np.linalg.solve(A.T @ (h[:, None] * A), A.T @ (mu - y))
            theta -= step
            if np.max(np.abs(step)) < 1e-15:
                break
    b[free] = theta[1:]
    return theta[0], b


def lambda_max(Xs, y, family, penalty, l1_ratio, pf, groups):
    """Smallest λ at which every penalized group is zero, from the gradient at the null model."""
    a, gam, _ = penalty_weights(penalty, l1_ratio, pf, groups)
    b0, b = null_fit(Xs, y, family, pf == 0)
    g, _ = gradient(Xs, y, b0, b, family)
    lams = []
    for k, lab in enumerate(np.unique(groups)):
        m = groups == lab
        if pf[m][0] == 0:
            continue
        if penalty == "group_lasso":
            lams.append(np.linalg.norm(g[m]) / gam[k])
        else:  # the λ where ‖S(∇_g, λ a_g)‖ = λ γ_g (decreasing in λ)
            def h(lam, gg=g[m], ag=a[m][0], gk=gam[k]):
                return np.linalg.norm(np.maximum(np.abs(gg) - lam * ag, 0.0)) - lam * gk
            lams.append(brentq(h, 1e-300, np.max(np.abs(g[m])) / a[m][0], xtol=1e-300, rtol=1e-15))
    return max(lams)


def kkt(Xs, y, b0, b, lam, family, penalty, l1_ratio, pf, groups):
    """Largest violation of the optimality conditions (penalized groups, unpenalized groups, intercept) / λ."""
    a, gam, c = penalty_weights(penalty, l1_ratio, pf, groups)
    g, g0 = gradient(Xs, y, b0, b, family)
    worst = abs(g0)
    for k, lab in enumerate(np.unique(groups)):
        m = groups == lab
        gg, bg, ag, gk = g[m], b[m], lam * a[m][0], lam * gam[k]
        r = gg + lam * c[m] * bg
        if np.any(bg != 0):
            r = r + gk * bg / np.linalg.norm(bg)
            nz = bg != 0
            viol = max(np.max(np.abs(r[nz] + ag * np.sign(bg[nz]))), np.max(np.abs(r[~nz]) - ag, initial=0.0))
        else:
            viol = max(np.linalg.norm(np.maximum(np.abs(r) - ag, 0.0)) - gk, 0.0)
        worst = max(worst, viol)
    return worst / lam


def skglm_solve(Xs, y, lam, family, penalty, l1_ratio, pf, groups):
    """skglm's solution on the standardized data: intercept and standardized coefficients."""
    n, p = Xs.shape
    labels = np.unique(groups)
    order = np.concatenate([np.flatnonzero(groups == g) for g in labels]).astype(np.int32)
    ptr = np.concatenate([[0], np.cumsum([np.sum(groups == g) for g in labels])]).astype(np.int32)
    a, gam, c = penalty_weights(penalty, l1_ratio, pf, groups)
    if penalty == "group_lasso":
        pen = WeightedGroupL2(alpha=lam, weights=gam, grp_ptr=ptr, grp_indices=order)
    else:
        assert np.all(a == a[0]), "skglm's WeightedL1GroupL2 prox needs equal feature weights"
        pen = WeightedL1GroupL2(alpha=lam, weights_groups=gam, weights_features=a, grp_ptr=ptr, grp_indices=order)
    if family == "gaussian":
        xm, ym = Xs.mean(axis=0), y.mean()
        A, t = Xs - xm, y - ym
        if np.any(c > 0):  # ridge part as extra rows of the least-squares problem
            f = np.sqrt((n + p) / n)
            A = f * np.vstack([A, np.diag(np.sqrt(n * lam * c))])
            t = f * np.concatenate([t, np.zeros(p)])
        solver = GroupBCD(max_iter=10_000, max_epochs=10_000, tol=1e-13, fit_intercept=False,
                          ws_strategy="subdiff" if penalty == "group_lasso" else "fixpoint")
        w = solver.solve(A, t, QuadraticGroup(ptr, order), pen)[0]
        return ym - xm @ w, w
    assert penalty == "group_lasso" and np.all(c == 0)
    datafit = LogisticGroup(ptr, order) if family == "binomial" else PoissonGroup(ptr, order)
    target = 2 * y - 1 if family == "binomial" else y
    solver = GroupProxNewton(max_iter=200, max_pn_iter=10_000, tol=1e-13, fit_intercept=True)
    w = solver.solve(Xs, target, datafit, pen)[0]
    return w[-1], w[:-1]


CASES = [  # name, family, penalty, l1_ratio, per-group penalty factors (None: all 1)
    ("gaussian_group_lasso", "gaussian", "group_lasso", 1.0, None),
    ("gaussian_group_lasso_ridge", "gaussian", "group_lasso", 0.7, None),
    ("gaussian_sparse_group_lasso", "gaussian", "sparse_group_lasso", 0.4, None),
    ("gaussian_group_lasso_pf", "gaussian", "group_lasso", 1.0, {0: 0.0, 1: 3.0, 2: 0.8, 3: 1.0}),
    ("binomial_group_lasso", "binomial", "group_lasso", 1.0, None),
    ("poisson_group_lasso", "poisson", "group_lasso", 1.0, None),
]


def main():
    X, groups, ys = make_data()
    n, p = X.shape
    mean, sd = standardize(X)
    Xs = (X - mean) / sd
    out = {"skglm_version": skglm.__version__, "numpy_version": np.__version__, "python": platform.python_version(),
           "seed": SEED, "x": X.tolist(), "groups": groups.tolist(), "cases": []}
    print(f"skglm {skglm.__version__}, n={n}, p={p}, groups {groups.tolist()}")
    for name, family, penalty, l1_ratio, pf_groups in CASES:
        y = ys[family]
        pf_raw = None if pf_groups is None else np.array([pf_groups[g] for g in groups])
        pf = np.ones(p) if pf_raw is None else pf_raw * p / pf_raw.sum()
        lmax = lambda_max(Xs, y, family, penalty, l1_ratio, pf, groups)
        lams = lmax * np.array(RATIOS)
        coefs, intercepts, viols = [], [], []
        for lam in lams:
            b0, b = skglm_solve(Xs, y, lam, family, penalty, l1_ratio, pf, groups)
            viol = kkt(Xs, y, b0, b, lam, family, penalty, l1_ratio, pf, groups)
            assert viol < KKT_MAX, (name, lam, viol)
            coef = b / sd
            coefs.append(coef.tolist())
            intercepts.append(float(b0 - mean @ coef))
            viols.append(viol)
        # just above λmax every penalized group must be zero
        b0, b = skglm_solve(Xs, y, lmax * (1 + 1e-6), family, penalty, l1_ratio, pf, groups)
        assert np.all(b[pf > 0] == 0), name
        out["cases"].append({
            "name": name, "family": family, "penalty": penalty, "l1_ratio": l1_ratio, "y": y.tolist(),
            "penalty_factor": None if pf_raw is None else pf_raw.tolist(), "lambda_max": lmax,
            "lambdas": lams.tolist(), "coef": coefs, "intercept": intercepts, "kkt_max_violation_rel": viols,
        })
        nz = [int(np.sum(np.abs(np.asarray(c)) > 0)) for c in coefs]
        print(f"{name:30s} λmax={lmax:.6g} nonzeros={nz} max KKT/λ={max(viols):.2e}")
    OUT.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
