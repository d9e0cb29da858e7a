# Regenerate the committed glmnet *poisson* reference values used by the
# Python tests.
#
# Run from the repository root:
#     Rscript tests/reference/make_glmnet_poisson_reference.R
#
# Needs R with the glmnet and jsonlite packages
# (Debian: apt-get install r-cran-glmnet r-cran-jsonlite).
# Writes tests/reference/glmnet_poisson_<case>.json, one file per case (same
# layout as the gaussian files, plus "family": "poisson"), and prints a
# summary (number of lambdas, KKT violations, why the path ended).
# All fits are family = "poisson" on glmnet's data(PoissonExample).
# Case names given on the command line restrict the run to those cases, e.g.
#     Rscript tests/reference/make_glmnet_poisson_reference.R offset offset_nointercept
# writes only glmnet_poisson_offset.json and glmnet_poisson_offset_nointercept.json.

suppressMessages({
  library(glmnet)
  library(jsonlite)
})

out_dir <- file.path("tests", "reference")
if (!dir.exists(out_dir)) stop("run this script from the repository root")
# the exact-number JSON writers (jvec, jmat, ...), write_reference_json()
# and readback_close()
source(file.path(out_dir, "reference_helpers.R"))

THRESH <- 1e-14
MAXIT <- 1e7
# Tight companion fit (see README "Poisson"): glmnet's poisson solver still
# converges at this threshold on every case.
THRESH_TIGHT <- 1e-26

data(PoissonExample, package = "glmnet", envir = environment())
px <- unname(as.matrix(PoissonExample$x))
py <- as.numeric(PoissonExample$y)
n_p <- nrow(px)
p_p <- ncol(px)
stopifnot(all(py >= 0))

# ---------------------------------------------------------------------------
# KKT check on glmnet's internal scale (poisson).
#
# Weights w normalised to sum 1, penalty factors to sum p, x centred at its
# weighted mean (intercept = TRUE) and divided by its weighted population sd
# (standardize = TRUE), b_std = b * xs.  Objective:
#   sum_i w_i [mu_i - y_i eta_i] + lambda sum_j pf_j [(1 - alpha)/2 b_std_j^2
#   + alpha |b_std_j|],  mu = exp(eta).
# Stationarity for feature j:
#   0 in -g_j + lambda pf_j (alpha d|b_j| + (1 - alpha) b_std_j) + N_j,
# with g_j = sum_i w_i x_std_ij (y_i - mu_i) and N_j the normal cone of the
# box (bounds apply to the original-scale b).  The violation is the distance
# from 0 to that set divided by lambda; the maximum over features and
# lambdas is reported.  Intercept condition: |sum_i w_i (y_i - mu_i)|.
# With an offset o (passed on to kkt_glm) eta = o + a0 + x b.
# ---------------------------------------------------------------------------
kkt_poisson <- function(x, y, a0, beta, lambda, ...) kkt_glm(x, y, a0, beta, lambda, exp, ...)

# Why a path ended.  glmnet 4.1-6's poisson path uses 10 * fdev and compares
# the deviance ratio with its value mnlam - 1 lambdas before, relatively:
# (d[m] - d[m - mnlam + 1]) / d[m] < 10 * fdev, checked from the mnlam-th
# lambda on; and d[m] > devmax.
stop_reason <- function(d, nlambda, user_lambda) {
  ctl <- glmnet.control()
  L <- length(d)
  if (user_lambda) return(if (L == nlambda) "user lambda: no early stopping" else "user lambda: stopped early?")
  if (L == nlambda) return("ran the full grid")
  if (L < ctl$mnlam) return("stopped before mnlam?")
  if (d[L] > ctl$devmax) return(sprintf("devmax: dev_ratio %.7f > %g", d[L], ctl$devmax))
  rel <- (d[L] - d[L - ctl$mnlam + 1]) / d[L]
  if (rel < 10 * ctl$fdev)
    return(sprintf("fdev: relative dev_ratio change over %d lambdas %.3g < %g", ctl$mnlam - 1, rel, 10 * ctl$fdev))
  "unexplained"
}

summary_tab <- list()

make_case <- function(name, description, x, y, alpha = 1, weights = NULL,
                      pf = NULL, lower = NULL, upper = NULL, intercept = TRUE,
                      standardize = TRUE, lambda = NULL, offset = NULL) {
  if (!case_selected(name)) return(invisible(NULL))
  args <- list(x = x, y = y, family = "poisson", alpha = alpha,
               intercept = intercept, standardize = standardize,
               thresh = THRESH, maxit = MAXIT)
  if (!is.null(weights)) args$weights <- weights
  if (!is.null(pf)) args$penalty.factor <- pf
  if (!is.null(lower)) args$lower.limits <- lower
  if (!is.null(upper)) args$upper.limits <- upper
  if (!is.null(lambda)) args$lambda <- lambda
  if (!is.null(offset)) args$offset <- offset
  fit <- do.call(glmnet, args)
  stopifnot(fit$jerr == 0)
  beta <- as.matrix(fit$beta)                       # p x L
  L <- length(fit$lambda)
  lo_k <- if (is.null(lower)) -Inf else lower
  up_k <- if (is.null(upper)) Inf else upper
  kkt <- function(f)
    kkt_poisson(x, y, as.numeric(f$a0), as.matrix(f$beta), f$lambda,
                weights = weights, pf = pf, alpha = alpha,
                intercept = intercept, standardize = standardize,
                lower = lo_k, upper = up_k, offset = offset)
  chk <- kkt(fit)

  # Tight companion fit: same call with only thresh changed, or, if the
  # lambdas then differ, the same lambdas passed explicitly.
  tight <- tight_refit(args, fit, THRESH_TIGHT)
  tfit <- tight$fit; tight_method <- tight$method
  tbeta <- as.matrix(tfit$beta)
  tchk <- kkt(tfit)
  nlambda <- if (is.null(lambda)) 100 else length(lambda)
  reason <- stop_reason(fit$dev.ratio, nlambda, !is.null(lambda))

  rec <- list(
    case = name,
    description = description,
    family = "poisson",
    x = jmat(x),
    y = jvec(as.numeric(y)),
    weights = if (is.null(weights)) NULL else jvec(weights),
    penalty_factor = if (is.null(pf)) NULL else jvec(pf),
    lower = jnum(lower),
    upper = jnum(upper),
    alpha = alpha,
    intercept = intercept,
    standardize = standardize,
    user_lambda = !is.null(lambda),
    lambda = jvec(fit$lambda),
    a0 = jvec(as.numeric(fit$a0)),
    beta = jmat(t(beta)),                           # L x p, dense
    dev_ratio = jvec(fit$dev.ratio),
    nulldev = jscalar(fit$nulldev),
    df = unname(as.integer(fit$df)),
    n = nrow(x), p = ncol(x), L = L,
    thresh = THRESH,
    maxit = MAXIT,
    path_end = reason,
    kkt_max_violation_rel = chk$kkt,
    kkt_intercept_max = chk$kkt_intercept,
    kkt_note = "all lambdas, documented poisson objective on glmnet's internal (standardized) scale",
    thresh_tight = THRESH_TIGHT,
    tight_method = tight_method,
    a0_tight = jvec(as.numeric(tfit$a0)),
    beta_tight = jmat(t(tbeta)),
    dev_ratio_tight = jvec(tfit$dev.ratio),
    df_tight = unname(as.integer(tfit$df)),
    kkt_max_violation_rel_tight = tchk$kkt,
    kkt_intercept_max_tight = tchk$kkt_intercept,
    max_abs_diff_beta_vs_tight = max(abs(tbeta - beta)),
    max_abs_diff_a0_vs_tight = max(abs(tfit$a0 - fit$a0)),
    glmnet_version = as.character(packageVersion("glmnet")),
    R_version = R.version.string
  )
  rec <- with_offset_field(rec, offset)
  path <- file.path(out_dir, paste0("glmnet_poisson_", name, ".json"))
  write_reference_json(rec, path)

  back <- fromJSON(path, simplifyVector = TRUE)
  close <- readback_close
  stopifnot(close(back$x, x), close(back$y, as.numeric(y)),
            close(back$lambda, fit$lambda), close(back$a0, as.numeric(fit$a0)),
            close(back$beta, t(beta)), close(back$dev_ratio, fit$dev.ratio),
            close(back$beta_tight, t(tbeta)), close(back$a0_tight, as.numeric(tfit$a0)))
  stopifnot(is.null(offset) == is.null(back$offset), is.null(offset) || close(back$offset, offset))

  summary_tab[[name]] <<- data.frame(
    case = name, L = L,
    kkt = signif(chk$kkt, 3), kkt_t = signif(tchk$kkt, 3),
    int_t = signif(tchk$kkt_intercept, 3),
    tight = if (tight_method == "same call, thresh only") "same" else "refit",
    d_beta_t = signif(max(abs(tbeta - beta)), 3),
    size_kb = round(file.size(path) / 1024, 1))
  cat(sprintf("%-14s L=%3d  path end: %s\n", name, L, reason))
  invisible(fit)
}

# ---------------------------------------------------------------------------
# Cases (all on PoissonExample: x 500 x 20, y counts 0..395, mean 7.5)
# ---------------------------------------------------------------------------

make_case("default",
  "glmnet(x, y, family=\"poisson\") on PoissonExample, all defaults (alpha=1, standardize, intercept, nlambda=100, lambda.min.ratio=1e-4); checks the default lambda grid and poisson early stopping (relative change over mnlam-1 lambdas < 10*fdev).",
  px, py)

make_case("enet",
  "alpha=0.5 on PoissonExample; default grid.",
  px, py, alpha = 0.5)

w3 <- seq(0.2, 3, length.out = n_p)
pf3 <- c(0, 0, rep(1, 16), 2, 2)
make_case("weights_pf",
  "alpha=1, weights=seq(0.2,3,length.out=500), penalty.factor=c(0,0,rep(1,16),2,2) (features 1-2 unpenalised, 19-20 doubled); default grid.",
  px, py, weights = w3, pf = pf3)

make_case("bounds",
  "alpha=1, lower.limits=-0.5, upper.limits=0.8 (scalars, on the original scale); default grid.",
  px, py, lower = -0.5, upper = 0.8)

lam5 <- exp(seq(log(5), log(0.005), length.out = 25))
make_case("user_lambda",
  "alpha=1 with user lambda = exp(seq(log(5), log(0.005), length.out=25)) on PoissonExample; no early stopping with a user-given sequence.",
  px, py, lambda = lam5)

make_case("nostd",
  "standardize=FALSE, alpha=0.9 on PoissonExample; default grid.",
  px, py, alpha = 0.9, standardize = FALSE)

# offset = log exposure
set.seed(2024)
off7 <- signif(log(runif(n_p, 0.5, 2)), 12)
make_case("offset",
  "offset = log(runif(500, 0.5, 2)) after set.seed(2024) (log exposure, rounded to 12 significant digits; stored under \"offset\") on PoissonExample, otherwise all defaults; default grid. mu = exp(offset + a0 + x b); glmnet's null model (nulldev, lambda_max, dev.ratio) is the intercept-only fit with the offset, a0 = log(sum y / sum exp(offset)).",
  px, py, offset = off7)

make_case("offset_nointercept",
  "intercept=FALSE with the offset of the \"offset\" case (log(runif(500, 0.5, 2)) after set.seed(2024)) on PoissonExample; default grid. Without an intercept glmnet's null model is mu = exp(offset): nulldev is its deviance and lambda_max the largest |x_std' w (y - exp(offset))| with x scaled by its sd about the mean but not centred.",
  px, py, intercept = FALSE, offset = off7)

check_selected_cases(names(summary_tab))
tab <- do.call(rbind, summary_tab)
rownames(tab) <- NULL
cat("glmnet", as.character(packageVersion("glmnet")), "|", R.version.string, "\n")
print(tab)
