"""The benchmark problems of ``/work/shared/benchmark-problems.md``: simulated designs, real data sets, the λ grid.

Every problem is a design ``X``, a response ``y``, a family and one or more *paths* to solve: a λ grid, an
elastic-net mixing ``l1_ratio`` and, for cross-validation, the training rows. A plain problem has one path (the
lasso, 100 λ); ``batch-cv`` has folds × α of them.

Responses by family: ``y`` (n,) for gaussian, binomial (0/1) and poisson (counts); class labels ``0 … K−1`` (n,)
for multinomial; an (n, K) matrix for mgaussian; an (n, 2) array of (time, status) for cox. Solutions are
``intercepts`` (L,) and ``coefs`` (L, p) for the single-response families, (L, K) and (L, p, K) for multinomial and
mgaussian; cox has no intercept (solvers return zeros). Generators are deterministic (a fixed
seed per problem), so every solver and every run sees the same numbers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
from scipy.signal import lfilter

GAUSSIAN = "gaussian"
BINOMIAL = "binomial"
POISSON = "poisson"
MULTINOMIAL = "multinomial"  # glmnet's default, type.multinomial = "ungrouped": an L1 penalty on every B_jk
MGAUSSIAN = "mgaussian"  # glmnet's multi-response gaussian: the row-group penalty Σ_j ‖B_j‖₂
COX = "cox"  # Breslow partial likelihood / n, no intercept
#: Families whose coefficients have a response axis: coefs (L, p, K), intercepts (L, K).
MULTI_RESPONSE = (MULTINOMIAL, MGAUSSIAN)

#: Grid length and λmin/λmax for every path (benchmark-problems.md: 100 λ, ratio 1e-2).
N_LAMBDAS = 100
LAMBDA_MIN_RATIO = 1e-2
#: Signal-to-noise ratio var(xᵀβ)/σ² of the Gaussian simulations; for the binomial ones, var(xᵀβ).
SNR = 3.0


@dataclasses.dataclass(frozen=True)
class PathSpec:
    """One regularization path to compute: a decreasing λ grid, the mixing α and the rows to fit on."""

    lambdas: np.ndarray
    l1_ratio: float = 1.0
    rows: np.ndarray | None = None  # training rows (cross-validation folds); None: all rows
    label: str = ""


@dataclasses.dataclass(frozen=True)
class Problem:
    """A data set and the paths every solver must compute on it."""

    name: str
    family: str
    X: np.ndarray
    y: np.ndarray
    paths: tuple[PathSpec, ...]
    description: str = ""

    @property
    def n(self) -> int:
        return self.X.shape[0]

    @property
    def p(self) -> int:
        return self.X.shape[1]

    def data(self, spec: PathSpec) -> tuple[np.ndarray, np.ndarray]:
        """The ``(X, y)`` a path is fitted on (its training rows)."""
        if spec.rows is None:
            return self.X, self.y
        return self.X[spec.rows], self.y[spec.rows]


@dataclasses.dataclass(frozen=True)
class SimSpec:
    """A simulated problem of the table in benchmark-problems.md."""

    name: str
    n: int
    p: int
    rho: float
    k: int
    family: str
    seed: int
    quick: tuple[int, int, int]  # (n, p, k) of the --quick version
    why: str
    n_folds: int = 0  # > 0: cross-validation batch (batch-cv)
    l1_ratios: tuple[float, ...] = (1.0,)
    quick_folds: int = 0
    quick_l1_ratios: tuple[float, ...] = (1.0,)


SIMULATED: dict[str, SimSpec] = {
    s.name: s
    for s in (
        SimSpec("tall", 5_000, 1_000, 0.5, 50, GAUSSIAN, 101, (1_000, 200, 10), "n ≫ p: Gram-based solvers shine"),
        SimSpec("square", 1_000, 500, 0.5, 25, GAUSSIAN, 102, (200, 100, 5), "the everyday case"),
        SimSpec("wide", 200, 2_000, 0.5, 20, GAUSSIAN, 103, (50, 400, 5), "p ≫ n: working sets / screening decide"),
        SimSpec("wider", 200, 20_000, 0.6, 20, GAUSSIAN, 104, (50, 2_000, 5), "genomics-like"),
        SimSpec("corr", 1_000, 500, 0.9, 25, GAUSSIAN, 105, (200, 100, 5), "hard conditioning"),
        SimSpec("big", 100_000, 1_000, 0.5, 50, GAUSSIAN, 106, (5_000, 200, 10), "accelerator territory (GPU)"),
        SimSpec("logit-square", 1_000, 500, 0.5, 25, BINOMIAL, 107, (200, 100, 5), "labels from a logistic model"),
        SimSpec("logit-wide", 200, 2_000, 0.5, 20, BINOMIAL, 108, (50, 400, 5), "binomial, p ≫ n"),
        SimSpec("batch-cv", 1_000, 500, 0.5, 25, GAUSSIAN, 109, (200, 100, 5),
                "10 folds × 100 λ × 5 α (a loop of paths for every solver)",
                n_folds=10, l1_ratios=(1.0, 0.75, 0.5, 0.25, 0.1), quick_folds=3, quick_l1_ratios=(1.0, 0.5)),
    )
}

#: Real data sets shipped by packages (no download at run time). ``glmnet-*`` need R with glmnet installed.
REAL: dict[str, str] = {
    "diabetes": "scikit-learn load_diabetes (442 × 10), columns z-scored, y raw; gaussian",
    "breast-cancer": "scikit-learn load_breast_cancer (569 × 30), columns z-scored; binomial",
    "glmnet-quickstart": "R glmnet QuickStartExample (100 × 20); gaussian",
    "glmnet-binomial": "R glmnet BinomialExample (100 × 30); binomial",
    "glmnet-poisson": "R glmnet PoissonExample (500 × 20); poisson",
    "glmnet-multinomial": "R glmnet MultinomialExample (500 × 30, 3 classes); multinomial, ungrouped lasso",
    "glmnet-mgaussian": "R glmnet MultiGaussianExample (100 × 20, 4 responses); mgaussian (row-group lasso)",
    "glmnet-cox": "R glmnet CoxExample (1000 × 30, 692 events, no tied times); cox (Breslow), no intercept",
}

#: Problems run by default on a CPU (everything: `big` and `batch-cv` included).
ALL_PROBLEMS: tuple[str, ...] = tuple(SIMULATED) + tuple(REAL)


# --------------------------------------------------------------------------------------------------- simulation
def toeplitz_design(n: int, p: int, rho: float, rng: np.random.Generator) -> np.ndarray:
    """Rows i.i.d. N(0, Σ) with ``Σ_jk = ρ^|j−k|``: a stationary AR(1) sequence along the columns."""
    z = rng.standard_normal((n, p))
    scale = np.sqrt(1.0 - rho**2)
    z[:, 0] /= scale  # so that column 0 has unit variance and the recursion starts in its stationary law
    # x_j = ρ x_{j−1} + √(1−ρ²) z_j
    return np.ascontiguousarray(lfilter([scale], [1.0, -rho], z, axis=1))


def sparse_coefficients(p: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """``k`` nonzero coefficients ±1 (random signs) at equally spaced positions 0, p/k, 2p/k, …"""
    beta = np.zeros(p)
    beta[(np.arange(k) * p) // k] = rng.choice([-1.0, 1.0], size=k)
    return beta


def signal_variance(beta: np.ndarray, rho: float) -> float:
    """``βᵀ Σ β`` for the Toeplitz covariance (population variance of ``xᵀβ``), from the support only."""
    idx = np.flatnonzero(beta)
    b = beta[idx]
    return float(b @ (rho ** np.abs(np.subtract.outer(idx, idx))) @ b)


def simulate(spec: SimSpec, *, quick: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``(X, y)`` for a simulated problem (fixed seed per problem)."""
    n, p, k = spec.quick if quick else (spec.n, spec.p, spec.k)
    rng = np.random.default_rng(spec.seed)
    X = toeplitz_design(n, p, spec.rho, rng)
    beta = sparse_coefficients(p, k, rng)
    var = signal_variance(beta, spec.rho)
    if spec.family == GAUSSIAN:
        # SNR = var(xᵀβ) / σ²
        y = X @ beta + rng.standard_normal(n) * np.sqrt(var / SNR)
    else:
        # labels from a logistic model whose linear predictor has variance SNR (well away from separability)
        eta = X @ beta * np.sqrt(SNR / var)
        y = (rng.uniform(size=n) < 1.0 / (1.0 + np.exp(-eta))).astype(float)
    return X, y


# --------------------------------------------------------------------------------------------------- λ grid
def one_hot(y: np.ndarray) -> np.ndarray:
    """Class labels ``0 … K−1`` (n,) as an (n, K) indicator matrix."""
    labels = np.asarray(y).astype(int)
    return np.eye(labels.max() + 1)[labels]


def risk_sets(time: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows by decreasing time (risk sets are then prefixes) and, for each row, the last sorted position of its
    risk set ``{j: t_j ≥ t_i}`` (ties: every tied row sees the same risk set, Breslow's)."""
    order = np.argsort(-time, kind="stable")
    return order, np.searchsorted(-time[order], -time, side="right") - 1


def cox_null_gradient(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``∇_b`` of the Breslow partial likelihood / n at ``b = 0``: ``−1/n Σ_{events i} (x_i − mean of x over the
    risk set {j: t_j ≥ t_i})``."""
    order, last = risk_sets(y[:, 0])
    risk_mean = np.cumsum(X[order], axis=0)[last] / (last + 1)[:, None]
    return -((X - risk_mean) * y[:, 1:2]).sum(axis=0) / X.shape[0]


def lambda_max(X: np.ndarray, y: np.ndarray, l1_ratio: float = 1.0, family: str = GAUSSIAN) -> float:
    """Smallest λ with all coefficients zero (conventions.md item 5; centred data, no standardization, unit
    weights and penalty factors): the largest gradient of the loss at the null model, over ``nα``. The Gaussian
    formula holds for the binomial and poisson families too: at the null model (``μ = ȳ``) the gradient of the mean
    log-likelihood is ``Xᵀ(y − ȳ)/n``; for multinomial (per class, one-hot ``Y``) and mgaussian it is
    ``Xᵀ(Y − Ȳ)/n``, whose largest entry (multinomial, ungrouped) or row norm (mgaussian, grouped) is taken."""
    n = X.shape[0]
    alpha = max(l1_ratio, 1e-3)
    if family == COX:
        return float(np.max(np.abs(cox_null_gradient(X, y))) / alpha)
    Y = one_hot(y) if family == MULTINOMIAL else y
    grad = (X - X.mean(axis=0)).T @ (Y - Y.mean(axis=0))
    if family == MGAUSSIAN:
        grad = np.linalg.norm(grad, axis=1)
    return float(np.max(np.abs(grad)) / (n * alpha))


def lambda_grid(X: np.ndarray, y: np.ndarray, l1_ratio: float = 1.0, *, n_lambdas: int = N_LAMBDAS,
                ratio: float = LAMBDA_MIN_RATIO, family: str = GAUSSIAN) -> np.ndarray:
    """``n_lambdas`` values log-spaced from λmax down to λmax·ratio (decreasing)."""
    return lambda_max(X, y, l1_ratio, family) * np.geomspace(1.0, ratio, n_lambdas)


def cv_folds(n: int, n_folds: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Training rows of each fold (the complement of a random, near-equal partition into ``n_folds``)."""
    fold_of = rng.permutation(np.arange(n) % n_folds)
    return [np.flatnonzero(fold_of != f) for f in range(n_folds)]


# --------------------------------------------------------------------------------------------------- assembly
def make_problem(name: str, *, quick: bool = False) -> Problem:
    """Build a problem by name (see :data:`SIMULATED` and :data:`REAL`)."""
    if name in SIMULATED:
        spec = SIMULATED[name]
        X, y = simulate(spec, quick=quick)
        n, p, k = spec.quick if quick else (spec.n, spec.p, spec.k)
        desc = f"{n} × {p}, ρ = {spec.rho}, k = {k}, {spec.family}: {spec.why}"
        n_folds = spec.quick_folds if quick else spec.n_folds
        if n_folds:
            ratios = spec.quick_l1_ratios if quick else spec.l1_ratios
            folds = cv_folds(n, n_folds, np.random.default_rng(spec.seed + 1))
            # like cv.glmnet, every fold uses the grid computed on the full data (per α)
            paths = tuple(
                PathSpec(lambda_grid(X, y, a), a, rows, f"fold {f}, α = {a}")
                for a in ratios for f, rows in enumerate(folds)
            )
            desc = (f"{n} × {p}, {n_folds} folds × {N_LAMBDAS} λ × {len(ratios)} α (α ∈ {ratios}), gaussian; the "
                    "peers fit the paths in a loop (one core, BLAS aside), jaxreg in one weighted_paths call, which "
                    "runs them on every core")
        else:
            paths = (PathSpec(lambda_grid(X, y), 1.0),)
        return Problem(name, spec.family, X, y, paths, desc)
    if name in REAL:
        from benchmarks.real_data import load_real  # here: that module reads this one's family names

        X, y, family = load_real(name)
        return Problem(name, family, X, y, (PathSpec(lambda_grid(X, y, family=family), 1.0),), REAL[name])
    raise KeyError(f"unknown problem {name!r}; known: {', '.join(ALL_PROBLEMS)}")


def simulated_problem(name: str, n: int, p: int, *, rho: float = 0.5, k: int = 20, family: str = GAUSSIAN,
                      seed: int = 0) -> Problem:
    """An ad-hoc simulated lasso problem with the same generator (used by the scaling study)."""
    spec = SimSpec(name, n, p, rho, k, family, seed, (n, p, k), "")
    X, y = simulate(spec)
    return Problem(name, family, X, y, (PathSpec(lambda_grid(X, y), 1.0),), f"{n} × {p}, ρ = {rho}, k = {k}, {family}")


def parse_problems(text: str | None, default: Sequence[str] = ALL_PROBLEMS) -> list[str]:
    """Comma-separated problem names (``all`` for every problem)."""
    if not text or text == "all":
        return list(default)
    names = [t.strip() for t in text.split(",") if t.strip()]
    unknown = [t for t in names if t not in SIMULATED and t not in REAL]
    if unknown:
        raise SystemExit(f"unknown problem(s) {unknown}; known: {', '.join(ALL_PROBLEMS)}")
    return names
