# Regenerate the committed ncvreg reference values for the MCP and SCAD
# penalties (jaxreg.path(penalty="mcp" / "scad")) used by the Python tests.
#
# Run from the repository root:
#     Rscript tests/reference/make_ncvreg_reference.R
#
# Needs R with the ncvreg (3.16 or later), glmnet (for its example data set)
# and jsonlite packages. ncvreg is on CRAN
# (install.packages("ncvreg")); where CRAN is out of reach, R CMD INSTALL on a
# checkout of https://github.com/pbreheny/ncvreg works (3.16.0.7 made the
# committed files). Writes tests/reference/ncvreg_<case>.json, one per case, and
# prints a summary. Case names given on the command line restrict the run.
#
# ncvreg's conventions (Breheny & Huang 2011), which jaxreg follows for these
# penalties: columns standardized to mean 0 and (1/n) variance 1; loss
# 1/(2n) RSS; penalty sum_j MCP/SCAD(b_j; lambda pf_j alpha, gamma)
# + lambda pf_j (1 - alpha) / 2 b_j^2 on the standardized scale, the intercept
# unpenalized. ncvreg does not rescale penalty.factor (glmnet and jaxreg
# rescale it to sum to p): the factors used here already sum to p.
#
# Gaussian only: for GLMs ncvreg's coordinate update divides by
# v (1 + l2 - 1/gamma), v = x_j' W x_j / n the IRLS curvature (MCP() in its
# src/ncvreg_init.c), which rescales gamma (and the ridge part) by v_j: its
# binomial, poisson and cox paths are stationary points of another objective
# (KKT violations of the objective above up to 0.9 lambda on
# BinomialExample). The GLM references come from skglm instead
# (make_concave_glm_reference.py).
#
# Each fit is checked here for stationarity on ncvreg's standardized scale:
# at a nonzero b_j, |-g_j + rho'(b_j) + lambda pf_j (1 - alpha) b_j| and at a
# zero one max(0, |g_j| - lambda pf_j alpha), with g_j = x_j' (y - x b) / n,
# divided by lambda: the largest is printed as "kkt" and must be below 1e-9.
#
# Layout (one line of JSON per file): x n x p; y n; lambda L; beta L x p and
# a0 L on the original scale;
# penalty ("mcp" or "scad"), gamma, alpha; penalty_factor (null: all 1);
# convex_min: the 1-based index of the first lambda where ncvreg finds the
# objective not locally convex (null: convex along the whole path).

suppressMessages({
  library(ncvreg)
  library(glmnet)
  library(jsonlite)
})

out_dir <- file.path("tests", "reference")
if (!dir.exists(out_dir)) stop("run this script from the repository root")
source(file.path(out_dir, "reference_helpers.R"))

EPS <- 1e-13
MAX_ITER <- 1e7

# rho'(u) for u >= 0 (MCP or SCAD with l1 = lambda pf alpha)
rho_slope <- function(u, l1, gamma, penalty) {
  if (penalty == "MCP") pmax(l1 - u / gamma, 0)
  else ifelse(u <= l1, l1, pmax(gamma * l1 - u, 0) / (gamma - 1))
}

# Largest stationarity violation / lambda over the path (see the header).
kkt_ncv <- function(fit, x, y, penalty, gamma, alpha, pf) {
  n <- nrow(x)
  xs <- sqrt(colMeans(sweep(x, 2, colMeans(x))^2))
  xstd <- sweep(sweep(x, 2, colMeans(x)), 2, xs, "/")
  worst <- 0
  for (l in seq_along(fit$lambda)) {
    lam <- fit$lambda[l]
    b <- fit$beta[-1, l]
    r <- y - fit$beta[1, l] - drop(x %*% b)
    g <- drop(crossprod(xstd, r)) / n
    bs <- b * xs
    l1 <- lam * pf * alpha
    ridge <- lam * pf * (1 - alpha) * bs
    v <- ifelse(bs != 0, abs(-g + sign(bs) * rho_slope(abs(bs), l1, gamma, penalty) + ridge),
                pmax(0, abs(g) - l1))
    worst <- max(worst, v / lam)
  }
  worst
}

summary_tab <- list()

make_case <- function(name, description, x, y, penalty, gamma = NULL, alpha = 1, pf = NULL) {
  if (!case_selected(name)) return(invisible(NULL))
  p <- ncol(x)
  gamma <- if (is.null(gamma)) switch(penalty, SCAD = 3.7, 3) else gamma
  pfv <- if (is.null(pf)) rep(1, p) else pf
  stopifnot(abs(sum(pfv) - p) < 1e-12)
  args <- list(X = x, y = y, penalty = penalty, gamma = gamma, alpha = alpha, eps = EPS,
               max.iter = MAX_ITER, penalty.factor = pfv)
  fit <- withCallingHandlers(do.call(ncvreg, c(args, family = "gaussian")),
                             warning = function(w) stop("ncvreg warned: ", conditionMessage(w)))
  kkt <- kkt_ncv(fit, x, y, penalty, gamma, alpha, pfv)
  if (!(kkt < 1e-9)) stop(name, ": kkt ", kkt)
  cm <- fit$convex.min
  rec <- list(
    description = description, family = "gaussian", penalty = tolower(penalty), gamma = jscalar(gamma),
    alpha = jscalar(alpha), penalty_factor = if (is.null(pf)) NULL else jvec(pf),
    convex_min = if (is.null(cm) || is.na(cm) || cm > length(fit$lambda)) NULL else cm,
    x = jmat(x), y = jvec(y), lambda = jvec(fit$lambda),
    beta = jmat(t(fit$beta[-1, , drop = FALSE])), a0 = jvec(fit$beta[1, ]))
  path <- file.path(out_dir, paste0("ncvreg_", name, ".json"))
  write_reference_json(rec, path)
  back <- fromJSON(path)
  stopifnot(readback_close(back$lambda, fit$lambda), readback_close(back$x, x))
  summary_tab[[name]] <<- data.frame(case = name, n = nrow(x), p = p, L = length(fit$lambda),
                                     convex_min = if (is.null(rec$convex_min)) NA else rec$convex_min,
                                     max_nnz = max(colSums(fit$beta[-1, , drop = FALSE] != 0)),
                                     kkt = signif(kkt, 2))
}

data(QuickStartExample, package = "glmnet")
qx <- unname(as.matrix(QuickStartExample$x)); qy <- as.numeric(QuickStartExample$y)

pf20 <- c(0.5, 2, rep(1, 17), 0.5)  # sums to 20

make_case("mcp_gaussian", "QuickStartExample (100 x 20), gaussian, MCP, gamma 3, ncvreg's default grid.",
          qx, qy, "MCP")
make_case("scad_gaussian", "QuickStartExample (100 x 20), gaussian, SCAD, gamma 3.7, ncvreg's default grid.",
          qx, qy, "SCAD")
make_case("mcp_gaussian_enet_pf",
          "QuickStartExample (100 x 20), gaussian, MCP, gamma 2.5, alpha 0.5 (ridge part), penalty factors.",
          qx, qy, "MCP", gamma = 2.5, alpha = 0.5, pf = pf20)
make_case("mcp_gaussian_wide",
          "QuickStartExample rows 1-40 with columns 1-20 and their squares (40 x 40, p = n), gaussian, MCP.",
          cbind(qx[1:40, ], qx[1:40, ]^2), qy[1:40], "MCP")
check_selected_cases(names(summary_tab))

print(do.call(rbind, summary_tab), row.names = FALSE)
