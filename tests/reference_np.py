"""Independent NumPy reference computations for the tests (no jaxreg code is used here)."""

from __future__ import annotations

import numpy as np


def make_problem(n: int, p: int, *, rho: float = 0.5, k: int = 5, snr: float = 3.0, seed: int = 0):
    """Toeplitz-correlated Gaussian design, ``k`` nonzero coefficients of random sign, noise for the given SNR."""
    rng = np.random.default_rng(seed)
    cov_chol = np.linalg.cholesky(rho ** np.abs(np.subtract.outer(np.arange(p), np.arange(p))))
    X = rng.standard_normal((n, p)) @ cov_chol.T
    X = X * rng.uniform(0.5, 3.0, p) + rng.normal(0, 2, p)  # columns on different scales and offsets
    beta = np.zeros(p)
    beta[np.linspace(0, p - 1, k).astype(int)] = rng.choice([-1.0, 1.0], k) * rng.uniform(0.5, 2.0, k)
    signal = X @ beta
    y = 3.0 + signal + rng.standard_normal(n) * signal.std() / np.sqrt(snr)
    return X, y


def standardization(X, w=None, *, fit_intercept=True, standardize=True):
    """Weighted means and scales as glmnet computes them (weights normalized to sum to n).

    The scale is the weighted population sd about the weighted mean, also without an intercept (glmnet 4.1-6).
    """
    n = X.shape[0]
    w = np.ones(n) if w is None else np.asarray(w, float) * n / np.sum(w)
    col_mean = w @ X / n
    mean = col_mean if fit_intercept else np.zeros(X.shape[1])
    scale = np.sqrt(w @ (X - col_mean) ** 2 / n) if standardize else np.ones(X.shape[1])
    return w, mean, scale


def ridge_closed_form(X, y, lam, *, w=None, pf=None, standardize=True):
    """Ridge (α = 0) at ``lam`` with an unpenalized intercept, glmnet's scaling: ``(intercept, coef)`` on the
    original scale, from the normal equations of the standardized problem."""
    n, p = X.shape
    wn, mean, scale = standardization(X, w, standardize=standardize)
    pfn = np.ones(p) if pf is None else np.asarray(pf, float) * p / np.sum(pf)
    xs = (X - mean) / scale
    yc = y - wn @ y / n
    beta = np.linalg.solve(xs.T @ (wn[:, None] * xs) / n + lam * np.diag(pfn), xs.T @ (wn * yc) / n) / scale
    return wn @ y / n - mean @ beta, beta


def objective(X, y, b0, b, lam, *, alpha=1.0, w=None, pf=None, scale=None):
    """``1/(2Σw) Σ w (y − b0 − Xb)² + λ Σ pf_j [(1−α)/2 (s_j b_j)² + α|s_j b_j|]`` with ``s`` the standardization
    scale (penalty on the standardized coefficients) and ``pf`` rescaled to sum to p."""
    n, p = X.shape
    w = np.ones(n) if w is None else np.asarray(w, float)
    pf = np.ones(p) if pf is None else np.asarray(pf, float) * p / np.sum(pf)
    s = np.ones(p) if scale is None else scale
    r = y - b0 - X @ b
    bs = b * s
    return (w @ r**2) / (2 * w.sum()) + lam * np.sum(pf * ((1 - alpha) / 2 * bs**2 + alpha * np.abs(bs)))


def kkt_violation(X, y, b0, b, lam, *, alpha=1.0, w=None, pf=None, scale=None, lower=None, upper=None,
                  family="gaussian", per_coordinate=False):
    """Largest violation of the optimality conditions on the standardized scale, divided by ``max(λ, 1e-12)``
    (with ``per_coordinate=True``: the absolute violation of each coordinate, not divided by λ).

    With ``g_j = −(1/Σw) Σ_i w_i x_ij r_i · s_j⁻¹`` (gradient w.r.t. the standardized coefficient ``β_j = s_j b_j``):
    interior ``β_j ≠ 0``: ``g_j + λ pf_j((1−α)β_j + α sign β_j) = 0``; ``β_j = 0``: ``|g_j| ≤ λ pf_j α``;
    at a bound the condition is one-sided.
    """
    n, p = X.shape
    w = np.ones(n) if w is None else np.asarray(w, float)
    pf = np.ones(p) if pf is None else np.asarray(pf, float) * p / np.sum(pf)
    s = np.ones(p) if scale is None else scale
    lower = np.full(p, -np.inf) if lower is None else np.broadcast_to(lower, p)
    upper = np.full(p, np.inf) if upper is None else np.broadcast_to(upper, p)
    eta = b0 + X @ b
    r = y - (eta if family == "gaussian" else 1.0 / (1.0 + np.exp(-eta)))  # y − mean
    g = -(X.T @ (w * r)) / w.sum() / s
    beta = b * s
    a, c = lam * pf * alpha, lam * pf * (1 - alpha)
    viol = np.zeros(p)
    for j in range(p):
        if beta[j] != 0:
            d = g[j] + c[j] * beta[j] + a[j] * np.sign(beta[j])
            at_upper = np.isclose(b[j], upper[j], rtol=1e-12, atol=0)
            at_lower = np.isclose(b[j], lower[j], rtol=1e-12, atol=0)
            if at_upper:
                viol[j] = max(d, 0.0)  # at the upper bound the gradient of the objective may point down only
            elif at_lower:
                viol[j] = max(-d, 0.0)
            else:
                viol[j] = abs(d)
        else:
            lo_d = g[j] - a[j]  # subgradient interval [g − a, g + a] must contain 0 unless a bound blocks it
            hi_d = g[j] + a[j]
            v = 0.0
            if lo_d > 0 and lower[j] < 0:
                v = lo_d
            if hi_d < 0 and upper[j] > 0:
                v = -hi_d
            viol[j] = v
    if per_coordinate:
        return viol
    return viol.max() / max(lam, 1e-12)


def lambda_max(X, y, *, alpha=1.0, w=None, pf=None, fit_intercept=True, standardize=True):
    """glmnet's λmax: ``max_j |Σ w x̃_j (y − ȳ)| / (n α pf_j)`` (α = 0.001 for ridge), no unpenalized features."""
    n, p = X.shape
    w, mean, scale = standardization(X, w, fit_intercept=fit_intercept, standardize=standardize)
    pf = np.ones(p) if pf is None else np.asarray(pf, float) * p / np.sum(pf)
    yc = y - (w @ y / n if fit_intercept else 0.0)
    xs = (X - mean) / scale
    return np.max(np.abs(xs.T @ (w * yc)) / (n * max(alpha, 1e-3) * pf))


def logistic_objective(X, y, b0, b, lam, *, alpha=1.0, w=None, pf=None, scale=None):
    """Mean weighted logistic negative log-likelihood plus the elastic net on standardized coefficients."""
    n, p = X.shape
    w = np.ones(n) if w is None else np.asarray(w, float)
    pf = np.ones(p) if pf is None else np.asarray(pf, float) * p / np.sum(pf)
    s = np.ones(p) if scale is None else scale
    eta = b0 + X @ b
    nll = w @ (np.logaddexp(0.0, eta) - y * eta) / w.sum()
    bs = b * s
    return nll + lam * np.sum(pf * ((1 - alpha) / 2 * bs**2 + alpha * np.abs(bs)))


def logistic_reference(X, y, lam, *, alpha=1.0, w=None, scale=None, fit_intercept=True):
    """Independent solution by L-BFGS-B on the split b = b⁺ − b⁻ (b± ≥ 0), which makes the problem smooth."""
    from scipy.optimize import minimize

    n, p = X.shape
    w = np.ones(n) if w is None else np.asarray(w, float)
    s = np.ones(p) if scale is None else scale
    wn = w / w.sum()

    def fun(z):
        bp, bm, b0 = z[:p], z[p:2 * p], (z[-1] if fit_intercept else 0.0)
        b = bp - bm
        eta = b0 + X @ b
        prob = 1.0 / (1.0 + np.exp(-eta))
        f = wn @ (np.logaddexp(0.0, eta) - y * eta) + lam * np.sum(alpha * s * (bp + bm) + (1 - alpha) / 2 * (s * b) ** 2)
        gb = X.T @ (wn * (prob - y)) + lam * (1 - alpha) * s**2 * b
        grad = np.concatenate([gb + lam * alpha * s, -gb + lam * alpha * s])
        if fit_intercept:
            grad = np.append(grad, wn @ (prob - y))
        return f, grad

    m = 2 * p + (1 if fit_intercept else 0)
    bounds = [(0, None)] * (2 * p) + [(None, None)] * (1 if fit_intercept else 0)
    res = minimize(fun, np.zeros(m), jac=True, method="L-BFGS-B", bounds=bounds,
                   options={"maxiter": 100_000, "maxfun": 200_000, "ftol": 1e-15, "gtol": 1e-12})
    z = res.x
    return (z[-1] if fit_intercept else 0.0), z[:p] - z[p:2 * p], res.fun


def resolve_options(options, n, p, seed=0):
    """A copy of ``path`` keyword arguments with the placeholders of parametrized tests made arrays, drawn in this
    order from one generator: ``sample_weight="random"`` → U(0.2, 2) weights; ``penalty_factor="mixed"`` → the
    first feature unpenalized, the others U(0.5, 2)."""
    rng = np.random.default_rng(seed)
    kwargs = dict(options)
    if kwargs.get("sample_weight") == "random":
        kwargs["sample_weight"] = rng.uniform(0.2, 2.0, n)
    if kwargs.get("penalty_factor") == "mixed":
        kwargs["penalty_factor"] = np.r_[0.0, rng.uniform(0.5, 2.0, p - 1)]
    return kwargs


def assert_coef_close_per_lambda(coef, beta, name, rel=1e-3):
    """At every λ, ``coef`` within ``rel`` of the largest |reference coefficient| (exactly 0 where glmnet is 0: its
    first λ); returns those largest values (for checking intercepts on the same scale)."""
    big = np.abs(beta.reshape(beta.shape[0], -1)).max(axis=1)
    for k in range(coef.shape[0]):
        if big[k] > 1e-8:
            assert np.abs(coef[k] - beta[k]).max() <= rel * big[k], (name, k)
        else:
            assert np.all(coef[k] == 0), (name, k)
    return big


def concave_value(u, lam, gamma, penalty):
    """MCP (Zhang 2010) / SCAD (Fan & Li 2001) at ``u ≥ 0``, by their textbook piecewise definitions."""
    if penalty == "mcp":
        return np.where(u <= gamma * lam, lam * u - u**2 / (2 * gamma), gamma * lam**2 / 2)
    mid = (2 * gamma * lam * u - u**2 - lam**2) / (2 * (gamma - 1))
    return np.where(u <= lam, lam * u, np.where(u <= gamma * lam, mid, (gamma + 1) * lam**2 / 2))


def concave_slope(u, lam, gamma, penalty):
    """``ρ'(u)`` of MCP / SCAD at ``u ≥ 0`` (``λ`` may be an array)."""
    if penalty == "mcp":
        return np.maximum(lam - u / gamma, 0.0)
    return np.where(u <= lam, lam, np.maximum(gamma * lam - u, 0.0) / (gamma - 1))


def concave_kkt(X, y, b0, b, lam, *, family="gaussian", penalty="mcp", gamma=3.0, alpha=1.0, w=None, pf=None,
                lower=None, upper=None, standardize=True):
    """Largest violation of the stationarity conditions of ``mean weighted loss + Σ_j [ρ_γ(β_j; λ pf_j α)
    + λ pf_j (1 − α)/2 β_j²]`` on the standardized coefficients ``β_j = s_j b_j``, divided by λ; also the
    intercept's gradient (0 for cox). Gradient ``g_j = (1/Σw) Σ_i w_i x_ij (μ_i − y_i) / s_j``; nonzero ``β_j``:
    ``g_j + sign(β_j) ρ'(|β_j|) + c_j β_j = 0`` (one-sided at a bound); zero: ``|g_j| ≤ λ pf_j α`` unless a bound
    at 0 blocks the direction. Cox: Breslow partial likelihood, no ties, ``b0`` ignored."""
    n, p = X.shape
    w = np.ones(n) if w is None else np.asarray(w, float)
    pf = np.ones(p) if pf is None else np.asarray(pf, float) * p / np.sum(pf)
    lower = np.full(p, -np.inf) if lower is None else np.broadcast_to(np.asarray(lower, float), (p,))
    upper = np.full(p, np.inf) if upper is None else np.broadcast_to(np.asarray(upper, float), (p,))
    mean = w @ X / w.sum()
    s = np.sqrt(w @ (X - mean) ** 2 / w.sum()) if standardize else np.ones(p)
    if family == "cox":
        t, d = y[:, 0], y[:, 1]
        eta = X @ b
        ex = w * np.exp(eta - eta.max())
        risk = np.array([ex[t >= ti].sum() for ti in t])
        r = np.exp(eta - eta.max()) * np.array([(w * d)[t <= ti] @ (1 / risk[t <= ti]) for ti in t]) - d
        g0 = 0.0
    else:
        eta = b0 + X @ b
        mu = {"gaussian": eta, "binomial": 1 / (1 + np.exp(-eta)), "poisson": np.exp(eta)}[family]
        r = mu - y
        g0 = w @ r / w.sum()
    g = X.T @ (w * r) / w.sum() / s
    beta = b * s
    a, c = lam * pf * alpha, lam * pf * (1 - alpha)
    d = g + np.sign(beta) * concave_slope(np.abs(beta), a, gamma, penalty) + c * beta
    at_upper = np.isclose(b, upper, rtol=1e-12, atol=0)
    at_lower = np.isclose(b, lower, rtol=1e-12, atol=0)
    nonzero = np.where(at_upper, np.maximum(d, 0.0), np.where(at_lower, np.maximum(-d, 0.0), np.abs(d)))
    zero = np.where(lower < 0, np.maximum(g - a, 0.0), 0.0) + np.where(upper > 0, np.maximum(-g - a, 0.0), 0.0)
    return np.max(np.where(beta != 0, nonzero, zero)) / lam, abs(g0)
