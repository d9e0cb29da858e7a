"""Write ``concave_glm_reference.json``: MCP and SCAD paths for binomial, poisson and cox computed by skglm.

Run from the repo root with ``python tests/reference/make_concave_glm_reference.py`` (needs skglm, in the ``bench``
extra). jaxreg is not imported. The objective (jaxreg's, with ``l1_ratio = 1`` and all penalty factors 1) is

    mean negative log-likelihood (cox: 1/n times the Breslow negative log partial likelihood)
    + Σ_j ρ_γ(b_j; λ)

on columns standardized in NumPy (centred, unit 1/n variance), with ``ρ`` skglm's ``MCPenalty`` / ``SCAD`` (the
same functions as ncvreg's and jaxreg's), the intercept unpenalized (none for cox). The gaussian references come
from ncvreg (``make_ncvreg_reference.R``), whose GLM paths solve another objective (see that script).

The path runs over ``RATIOS · λmax`` (λmax from the gradient at the intercept-only model), each λ warm-started at
the previous solution (``w_init`` and its linear predictor ``Xw_init``, which skglm would otherwise take as 0) with
skglm's ``AndersonCD`` (binomial) or ``ProxNewton`` (poisson, cox: no global Lipschitz constant) at ``tol`` 1e-12,
so that it follows the same branch of stationary points as a path solver. Each solution is checked here against the
stationarity conditions (``KKT_MAX``, relative to λ) and mapped back to the original scale (``coef = b_std / sd``,
intercept ``b0 − x̄ᵀcoef``).
"""

from __future__ import annotations

import json
import pathlib
import platform

import numpy as np
import skglm
from skglm.datafits import Cox, Logistic, Poisson
from skglm.penalties import SCAD, MCPenalty
from skglm.solvers import AndersonCD, ProxNewton

OUT = pathlib.Path(__file__).parent / "concave_glm_reference.json"
SEED = 20261205
N, P = 150, 12
RATIOS = np.geomspace(1.0, 0.03, 25)[1:]  # λ / λmax, λmax itself left out (all zero)
KKT_MAX = 1e-8


def _round(a, digits=10):
    """Round to ``digits`` significant digits, so the JSON stays short (the rounded values are the data used)."""
    return np.array([float(f"{v:.{digits}g}") for v in np.ravel(a)]).reshape(np.shape(a))


def make_data():
    """Correlated columns on different scales, five true nonzero coefficients; continuous survival times."""
    rng = np.random.default_rng(SEED)
    chol = np.linalg.cholesky(0.5 ** np.abs(np.subtract.outer(np.arange(P), np.arange(P))))
    X = _round((rng.standard_normal((N, P)) @ chol.T) * rng.uniform(0.5, 3.0, P) + rng.uniform(-2.0, 2.0, P))
    beta = np.zeros(P)
    beta[[0, 3, 4, 8, 10]] = [1.5, -1.0, 0.8, -0.6, 1.2]
    signal = (X - X.mean(axis=0)) / X.std(axis=0) @ beta
    signal /= signal.std()
    y_bin = (rng.uniform(size=N) < 1 / (1 + np.exp(-(0.2 + 1.5 * signal)))).astype(float)
    y_pois = rng.poisson(np.exp(0.5 + 0.6 * signal)).astype(float)
    time = _round(rng.exponential(np.exp(-signal)))
    status = (rng.uniform(size=N) < 0.75).astype(float)
    return X, {"binomial": y_bin, "poisson": y_pois, "cox": np.column_stack([time, status])}


def loss_gradient(Xs, y, b0, b, family):
    """∇ of the mean loss with respect to the standardized coefficients, and with respect to the intercept."""
    eta = b0 + Xs @ b
    if family == "cox":
        t, d = y[:, 0], y[:, 1]
        ex = np.exp(eta - eta.max())
        risk = np.array([ex[t >= ti].sum() for ti in t])
        r = ex * np.array([(d[t <= ti] / risk[t <= ti]).sum() for ti in t]) - d
        return Xs.T @ r / len(t), 0.0
    r = (1 / (1 + np.exp(-eta)) if family == "binomial" else np.exp(eta)) - y
    return Xs.T @ r / len(y), r.mean()


def slope(u, lam, gamma, penalty):
    """ρ'(u) for u ≥ 0."""
    if penalty == "mcp":
        return np.maximum(lam - u / gamma, 0.0)
    return np.where(u <= lam, lam, np.maximum(gamma * lam - u, 0.0) / (gamma - 1))


def kkt(Xs, y, b0, b, lam, family, penalty, gamma):
    """Largest violation of the stationarity conditions (coefficients, intercept) / λ."""
    g, g0 = loss_gradient(Xs, y, b0, b, family)
    nz = b != 0
    viol = np.where(nz, np.abs(g + np.sign(b) * slope(np.abs(b), lam, gamma, penalty)),
                    np.maximum(np.abs(g) - lam, 0.0))
    return max(viol.max(), abs(g0)) / lam


def solve_path(Xs, y, family, penalty, gamma):
    """λ grid and skglm's warm-started path on the standardized data: intercepts and coefficients per λ."""
    intercept = family != "cox"
    if family == "cox":
        datafit, target = Cox(), y
        datafit.initialize(Xs, y)
    else:
        datafit, target = (Logistic(), 2 * y - 1) if family == "binomial" else (Poisson(), y)
        datafit.initialize(Xs, target)
    ybar = y.mean() if intercept else 0.0
    b0_null = 0.0 if not intercept else np.log(ybar / (1 - ybar)) if family == "binomial" else np.log(ybar)
    g, _ = loss_gradient(Xs, y, b0_null, np.zeros(Xs.shape[1]), family)
    lambdas = np.abs(g).max() * RATIOS
    if family == "binomial":
        solver = AndersonCD(max_iter=1000, max_epochs=100_000, tol=1e-12, fit_intercept=True, warm_start=True)
    else:  # no global Lipschitz constant: Newton steps
        solver = ProxNewton(max_iter=200, max_pn_iter=10_000, tol=1e-12, fit_intercept=intercept, warm_start=True)
    w = np.zeros(Xs.shape[1] + int(intercept))
    if intercept:
        w[-1] = b0_null
    b0s, bs, worst = [], [], 0.0
    for lam in lambdas:
        pen = MCPenalty(alpha=lam, gamma=gamma) if penalty == "mcp" else SCAD(alpha=lam, gamma=gamma)
        # skglm starts Xw at 0 unless told: pass the warm start's linear predictor (intercept included)
        xw = Xs @ w[: Xs.shape[1]] + (w[-1] if intercept else 0.0)
        w = solver.solve(Xs, target, datafit, pen, w_init=w.copy(), Xw_init=xw)[0]
        b0, b = (w[-1], w[:-1]) if intercept else (0.0, w)
        worst = max(worst, kkt(Xs, y, b0, b, lam, family, penalty, gamma))
        b0s.append(b0)
        bs.append(b.copy())
    assert worst < KKT_MAX, (family, penalty, worst)
    return lambdas, np.array(b0s), np.array(bs), worst


CASES = [  # name, family, penalty, gamma
    ("binomial_mcp", "binomial", "mcp", 3.0),
    ("binomial_scad", "binomial", "scad", 3.7),
    ("poisson_mcp", "poisson", "mcp", 2.5),
    ("cox_scad", "cox", "scad", 3.7),
]


def main() -> None:
    X, ys = make_data()
    mean = X.mean(axis=0)
    sd = np.sqrt(((X - mean) ** 2).mean(axis=0))
    Xs = (X - mean) / sd
    cases = {}
    for name, family, penalty, gamma in CASES:
        y = ys[family]
        lambdas, b0, b, worst = solve_path(Xs, y, family, penalty, gamma)
        coef = b / sd
        a0 = np.zeros_like(b0) if family == "cox" else b0 - coef @ mean
        cases[name] = {"family": family, "penalty": penalty, "gamma": gamma, "y": y.tolist(),
                       "lambdas": lambdas.tolist(), "coef": coef.tolist(), "intercept": a0.tolist(), "kkt": worst}
        print(f"{name}: {len(lambdas)} λ, max nonzeros {int((b != 0).sum(axis=1).max())}, kkt {worst:.1e}")
    meta = {"generator": "tests/reference/make_concave_glm_reference.py", "skglm": skglm.__version__,
            "numpy": np.__version__, "python": platform.python_version()}
    OUT.write_text(json.dumps({"meta": meta, "x": X.tolist(), "cases": cases}) + "\n")


if __name__ == "__main__":
    main()
