# Regenerate the committed glmnet reference values used by the Python tests.
#
# Run from the repository root:
#     Rscript tests/reference/make_glmnet_reference.R
#
# Needs R with the glmnet and jsonlite packages
# (Debian: apt-get install r-cran-glmnet r-cran-jsonlite).
# Writes tests/reference/glmnet_<case>.json, one file per case, and prints a
# summary (number of lambdas, KKT violation) for each case.
# All fits are family = "gaussian".
# Case names given on the command line restrict the run to those cases, e.g.
#     Rscript tests/reference/make_glmnet_reference.R offset
# writes only glmnet_offset.json (see case_selected() in reference_helpers.R).

suppressMessages({
  library(glmnet)
  library(jsonlite)
})

out_dir <- file.path("tests", "reference")
if (!dir.exists(out_dir)) stop("run this script from the repository root")
# sd_pop(), rms(), the exact-number JSON writers (jvec, jmat, ...),
# write_reference_json() and readback_close()
source(file.path(out_dir, "reference_helpers.R"))

THRESH <- 1e-14
MAXIT <- 1e7
# glmnet's convergence test is on (weighted) squared coefficient changes, so
# thresh = 1e-14 leaves coefficient errors of order 1e-8 to 1e-7.  To quantify
# that, each case is refitted at the same lambdas with this much tighter
# threshold and the differences are stored as accuracy estimates.
THRESH_TIGHT <- 1e-26

data(QuickStartExample, package = "glmnet", envir = environment())
qs_x <- unname(as.matrix(QuickStartExample$x))
qs_y <- as.numeric(QuickStartExample$y)
n_qs <- nrow(qs_x)
p_qs <- ncol(qs_x)

# ---------------------------------------------------------------------------
# KKT check on glmnet's internal scale.
#
# Internally glmnet (gaussian) works with weights w normalised to sum 1,
# penalty factors normalised to sum p, x centred (if intercept) and divided
# by its weighted population sd (if standardize; the sd is taken about the
# weighted mean even when intercept = FALSE), y divided by
# ys = weighted population sd of y (or weighted rms of y without intercept),
# and lambda divided by ys.  With b_std = b * xs the stationarity condition of
#   (1/2) sum_i w_i (y_i/ys - x_std_i . b_std/ys)^2
#     + (lambda/ys) sum_j pf_j (alpha |b_std_j/ys| + (1-alpha)/2 (b_std_j/ys)^2)
# is, after multiplying through by ys,
#   0 in -g_j + lambda pf_j (alpha d|b_j| + (1-alpha) b_std_j / ys) + N_j,
# where g_j = sum_i w_i x_std_ij r_i, r = y - a0 - x b (original scale) and
# N_j is the normal cone of the box constraint.  The violation is the
# distance from 0 to that set, divided by lambda; the maximum over features
# and lambdas is reported.  The intercept condition sum_i w_i r_i = 0 is
# reported separately (relative to the weighted rms of y).
# With an offset o the linear predictor is eta = o + a0 + x b, so
# r = y - eta; glmnet (gaussian) fits y - o, which is also what ys is
# computed from.
# ---------------------------------------------------------------------------
kkt_check <- function(x, y, fit, weights = NULL, pf = NULL, alpha = 1,
                      intercept = TRUE, standardize = TRUE,
                      lower = -Inf, upper = Inf, skip_first = FALSE,
                      offset = NULL) {
  n <- nrow(x); p <- ncol(x)
  if (!is.null(offset)) y <- y - offset
  w <- if (is.null(weights)) rep(1, n) else weights
  w <- w / sum(w)
  pf <- if (is.null(pf)) rep(1, p) else pf
  pf <- pf * p / sum(pf)
  lower <- rep_len(lower, p); upper <- rep_len(upper, p)
  # x scale: weighted population sd about the weighted mean, also when there
  # is no intercept (then x itself is not centred); see verify_glmnet_facts.R
  xmean <- colSums(w * x)
  xs <- if (standardize) sqrt(colSums(w * sweep(x, 2, xmean)^2)) else rep(1, p)
  if (intercept) {
    xm <- xmean
    ym <- sum(w * y)
    ys <- sqrt(sum(w * (y - ym)^2))
  } else {
    xm <- rep(0, p)
    ys <- sqrt(sum(w * y^2))
  }
  xstd <- sweep(sweep(x, 2, xm), 2, xs, "/")
  beta <- as.matrix(fit$beta)
  L <- length(fit$lambda)
  worst <- 0; worst_int <- 0
  for (l in seq_len(L)) {
    if (skip_first && l == 1) next
    lam <- fit$lambda[l]
    b <- beta[, l]
    r <- y - fit$a0[l] - drop(x %*% b)
    g <- drop(crossprod(xstd, w * r))
    bstd <- b * xs
    smooth <- -g + lam * pf * (1 - alpha) * bstd / ys
    c1 <- lam * pf * alpha
    lo <- ifelse(b > 0, smooth + c1, ifelse(b < 0, smooth - c1, smooth - c1))
    hi <- ifelse(b > 0, smooth + c1, ifelse(b < 0, smooth - c1, smooth + c1))
    tol <- 1e-10 * pmax(1, abs(b))
    at_up <- is.finite(upper) & abs(b - upper) <= tol
    at_lo <- is.finite(lower) & abs(b - lower) <= tol
    # normal cone of b <= upper is [0, Inf), of b >= lower is (-Inf, 0]
    hi[at_up] <- Inf
    lo[at_lo] <- -Inf
    viol <- pmax(0, lo, -hi) / lam
    worst <- max(worst, viol)
    if (intercept) worst_int <- max(worst_int, abs(sum(w * r)) / sqrt(sum(w * y^2)))
  }
  list(kkt = worst, kkt_intercept = worst_int,
       bounds_ok = all(beta >= matrix(lower, p, L) - 1e-12) &&
                   all(beta <= matrix(upper, p, L) + 1e-12),
       n_at_bound = sum(sapply(seq_len(p), function(j) {
         hit <- function(bd) is.finite(bd) && bd != 0 &&
           any(abs(beta[j, ] - bd) <= 1e-10 * max(1, abs(bd)))
         hit(lower[j]) || hit(upper[j])
       })))
}

summary_tab <- list()

make_case <- function(name, description, x, y, alpha = 1, weights = NULL,
                      pf = NULL, lower = NULL, upper = NULL, intercept = TRUE,
                      standardize = TRUE, lambda = NULL, offset = NULL) {
  if (!case_selected(name)) return(invisible(NULL))
  args <- list(x = x, y = y, family = "gaussian", alpha = alpha,
               intercept = intercept, standardize = standardize,
               thresh = THRESH, maxit = MAXIT)
  if (!is.null(weights)) args$weights <- weights
  if (!is.null(pf)) args$penalty.factor <- pf
  if (!is.null(lower)) args$lower.limits <- lower
  if (!is.null(upper)) args$upper.limits <- upper
  if (!is.null(lambda)) args$lambda <- lambda
  if (!is.null(offset)) args$offset <- offset
  fit <- do.call(glmnet, args)
  beta <- as.matrix(fit$beta)                       # p x L
  # For ridge (alpha = 0) on a default grid glmnet's first solution is the one
  # for lambda = glmnet.control()$big (|beta| ~ 1e-36), reported against
  # lambda[1] = lambda_max computed as if alpha were 0.001; it is not the
  # ridge solution at lambda[1], so that lambda is left out of the KKT check.
  skip_first <- alpha == 0 && is.null(lambda)
  chk <- kkt_check(x, y, fit, weights = weights, pf = pf, alpha = alpha,
                   intercept = intercept, standardize = standardize,
                   lower = if (is.null(lower)) -Inf else lower,
                   upper = if (is.null(upper)) Inf else upper,
                   skip_first = skip_first, offset = offset)
  # Tight companion fit (thresh = THRESH_TIGHT).  Same call with only thresh
  # changed; if that does not return bit-identical lambdas (happens at the
  # rounding level when some penalty factors are 0, because lambda_max is
  # then computed from the fitted unpenalised residual), refit at exactly the
  # returned lambdas instead.
  tight <- tight_refit(args, fit, THRESH_TIGHT)
  tfit <- tight$fit; tight_method <- tight$method
  if (alpha == 0 && tight_method != "same call, thresh only") stop("ridge tight refit would change the first column")
  tbeta <- as.matrix(tfit$beta)
  tchk <- kkt_check(x, y, tfit, weights = weights, pf = pf, alpha = alpha,
                    intercept = intercept, standardize = standardize,
                    lower = if (is.null(lower)) -Inf else lower,
                    upper = if (is.null(upper)) Inf else upper,
                    skip_first = skip_first, offset = offset)
  err_beta <- max(abs(tbeta - beta))
  err_a0 <- max(abs(tfit$a0 - fit$a0))
  rec <- list(
    case = name,
    description = description,
    family = "gaussian",
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
    n = nrow(x), p = ncol(x), L = length(fit$lambda),
    thresh = THRESH,
    maxit = MAXIT,
    kkt_max_violation_rel = chk$kkt,
    kkt_note = if (skip_first) "first lambda excluded: for ridge glmnet reports the solution for lambda = 9.9e35 (beta ~ 1e-36) there" else "all lambdas",
    # same path at thresh = THRESH_TIGHT (see README): use these for tight
    # comparisons; max |beta - beta_tight| shows the accuracy of beta
    thresh_tight = THRESH_TIGHT,
    tight_method = tight_method,
    a0_tight = jvec(as.numeric(tfit$a0)),
    beta_tight = jmat(t(tbeta)),
    dev_ratio_tight = jvec(tfit$dev.ratio),
    df_tight = unname(as.integer(tfit$df)),
    kkt_max_violation_rel_tight = tchk$kkt,
    max_abs_diff_beta_vs_tight = err_beta,
    max_abs_diff_a0_vs_tight = err_a0,
    glmnet_version = as.character(packageVersion("glmnet")),
    R_version = R.version.string
  )
  rec <- with_offset_field(rec, offset)
  path <- file.path(out_dir, paste0("glmnet_", name, ".json"))
  # numeric payload is pre-formatted (see fmt_num in reference_helpers.R)
  write_reference_json(rec, path)

  # read-back check (to 1e-15 relative, see readback_close)
  back <- fromJSON(path, simplifyVector = TRUE)
  close <- readback_close
  stopifnot(close(back$x, x), close(back$y, as.numeric(y)),
            close(back$lambda, fit$lambda), close(back$a0, as.numeric(fit$a0)),
            close(back$beta, t(beta)), close(back$dev_ratio, fit$dev.ratio),
            close(back$beta_tight, t(tbeta)), close(back$a0_tight, as.numeric(tfit$a0)))
  stopifnot(is.null(offset) == is.null(back$offset), is.null(offset) || close(back$offset, offset))

  summary_tab[[name]] <<- data.frame(
    case = name, L = length(fit$lambda), kkt_rel = signif(chk$kkt, 3),
    kkt_intercept = signif(chk$kkt_intercept, 3),
    kkt_tight = signif(tchk$kkt, 3), tight = if (tight_method == "same call, thresh only") "same" else "refit",
    err_beta = signif(err_beta, 3), err_a0 = signif(err_a0, 3),
    bound_features_active = chk$n_at_bound,
    size_kb = round(file.size(path) / 1024, 1))
  invisible(fit)
}

# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------

# 1. default lasso path (default grid + early stopping)
make_case("lasso_default",
  "glmnet(x, y) on QuickStartExample, all defaults (alpha=1, standardize, intercept, nlambda=100, lambda.min.ratio=1e-4); checks the default lambda grid and early stopping of the default path.",
  qs_x, qs_y)

# 2. elastic net, alpha = 0.5, y rescaled to unit population sd
y_unit <- qs_y / sd_pop(qs_y)
make_case("enet_unit_y",
  "alpha=0.5 on QuickStartExample with y divided by its population sd (so glmnet's internal y standardisation is a no-op); default grid.",
  qs_x, y_unit, alpha = 0.5)

# 3. observation weights and penalty factors
w3 <- seq(0.2, 3, length.out = n_qs)
pf3 <- c(0, 0, rep(1, 16), 2, 2)
make_case("weights_pf",
  "alpha=1, weights=seq(0.2,3,length.out=100), penalty.factor=c(0,0,rep(1,16),2,2) (features 1-2 unpenalised, 19-20 doubled); default grid. glmnet rescales weights to sum n (1 after its internal normalisation) and penalty factors to sum p.",
  qs_x, qs_y, weights = w3, pf = pf3)

# 4a. scalar box constraints
make_case("bounds",
  "alpha=1, lower.limits=-0.7, upper.limits=1.0 (scalars, applied to every feature on the original scale); default grid. Upper bound active for feature 1, lower bound for features 5, 14, 20.",
  qs_x, qs_y, lower = -0.7, upper = 1.0)

# 4b. per-feature box constraints with infinities
lo4 <- rep(-Inf, p_qs); up4 <- rep(Inf, p_qs)
lo4[5] <- 0      # feature 5 (negative in the free fit) forced nonnegative
lo4[14] <- -0.5  # feature 14 (about -1.16 free) bounded below
up4[1] <- 0.5    # feature 1 (about 1.38 free) bounded above
lo4[6] <- -0.2; up4[6] <- 0.3   # feature 6 (about 0.61 free) two-sided box
up4[20] <- 0     # feature 20 is negative anyway: inactive upper bound at 0
make_case("bounds_vec",
  "alpha=1, per-feature limits: lower[5]=0, lower[14]=-0.5, upper[1]=0.5, [lower,upper][6]=[-0.2,0.3], upper[20]=0, all others -Inf/Inf (stored as the strings \"-Inf\"/\"Inf\"); default grid.",
  qs_x, qs_y, lower = lo4, upper = up4)

# 5. no intercept, no standardisation, y with unit root mean square
y_rms <- qs_y / rms(qs_y)
make_case("nointercept_nostd",
  "intercept=FALSE, standardize=FALSE, alpha=0.8 on QuickStartExample with y divided by its root mean square (glmnet without intercept scales y internally by its rms, which only cancels when rms(y)=1); default grid.",
  qs_x, y_rms, alpha = 0.8, intercept = FALSE, standardize = FALSE)

# 5b. no intercept but standardized: columns shifted far from zero, so that the sd about the mean and the root
# mean square differ; glmnet scales by the former without centring.  Lasso, so y's scaling does not matter.
x_shift <- sweep(qs_x, 2, seq(-3, 3, length.out = ncol(qs_x)), "+")
make_case("nointercept_std",
  "intercept=FALSE, standardize=TRUE, alpha=1 on QuickStartExample with column j shifted by seq(-3, 3, length.out=20)[j]; default grid. glmnet scales by the population sd about the mean without centring.",
  x_shift, qs_y, intercept = FALSE, standardize = TRUE)

# 6. ridge, unit-sd y, default grid
make_case("ridge_unit_y",
  "alpha=0 (ridge) on QuickStartExample with y divided by its population sd; default grid (lambda_max computed with alpha replaced by 0.001).",
  qs_x, y_unit, alpha = 0)

# 7. user lambda sequence
lam7 <- exp(seq(log(1.5), log(0.005), length.out = 30))
make_case("user_lambda",
  "alpha=1 with user lambda = exp(seq(log(1.5), log(0.005), length.out=30)) on QuickStartExample; no early stopping with a user-given sequence.",
  qs_x, qs_y, lambda = lam7)

# 8. wide simulated problem
set.seed(1)
n8 <- 50; p8 <- 200
Sigma <- 0.5^abs(outer(seq_len(p8), seq_len(p8), "-"))
z <- matrix(rnorm(n8 * p8), n8, p8)
x8 <- z %*% chol(Sigma)
beta8 <- rep(0, p8); beta8[c(1, 2, 50, 100, 150)] <- c(3, -2, 1.5, -1, 2)
y8 <- drop(x8 %*% beta8) + rnorm(n8)
# round the stored data to 12 significant digits so the JSON stays compact;
# the fit is done on exactly the rounded values that are stored
x8 <- signif(x8, 12); y8 <- signif(y8, 12)
make_case("wide",
  "Simulated with set.seed(1): n=50, p=200, rows N(0, Sigma) with Sigma_jk=0.5^|j-k| (via z %*% chol(Sigma)), beta nonzero at features 1,2,50,100,150 = 3,-2,1.5,-1,2, y = x beta + N(0,1) noise; x and y rounded to 12 significant digits before fitting. glmnet defaults (alpha=1, lambda.min.ratio=0.01 since n<p).",
  x8, y8)

# 9. offset (with weights): glmnet(x, y, offset = o) fits y - o
set.seed(2024)
off9 <- signif(0.5 * rnorm(n_qs), 12)
make_case("offset",
  "offset = 0.5 * rnorm(100) after set.seed(2024) (rounded to 12 significant digits; stored under \"offset\"), weights=seq(0.2,3,length.out=100), alpha=1 on QuickStartExample; default grid. For gaussian glmnet fits y - offset: same lambdas, coefficients, nulldev and dev.ratio as glmnet(x, y - offset); the linear predictor is offset + a0 + x b.",
  qs_x, qs_y, weights = w3, offset = off9)

check_selected_cases(names(summary_tab))
tab <- do.call(rbind, summary_tab)
rownames(tab) <- NULL
cat("glmnet", as.character(packageVersion("glmnet")), "|", R.version.string, "\n")
print(tab)
