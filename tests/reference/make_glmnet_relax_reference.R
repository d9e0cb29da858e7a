# Regenerate the committed glmnet *relaxed fit* reference values
# (glmnet(..., relax = TRUE)) used by the Python tests.
#
# Run from the repository root:
#     Rscript tests/reference/make_glmnet_relax_reference.R
#
# Needs R with the glmnet, survival and jsonlite packages
# (Debian: apt-get install r-cran-glmnet r-cran-survival r-cran-jsonlite).
# Writes tests/reference/glmnet_relax_<case>.json, one file per case, and
# prints a summary (L, L', how far the relaxed refits are from an independent
# unpenalized fit). Case names given on the command line restrict the run.
#
# What glmnet does (relax.glmnet, glmnet 4.1-6): for each lambda of the path
# the active set is {j : beta_j != 0} (any response for mgaussian); each
# distinct non-empty active set of at most maxp = n - 3 features is refitted
# with lambda = 0 on those features alone (the rest excluded), with the same
# family, weights, offset, limits, standardize, intercept, thresh and maxit.
# fit$relaxed keeps the lambdas with at most maxp active features; lambdas
# whose active set is empty keep the original (null model) a0, beta and
# dev.ratio. predict(fit, s =, gamma =) blends
# gamma * original + (1 - gamma) * relaxed; a lambda omitted from fit$relaxed
# borrows the relaxed fit of the last kept lambda (extend = TRUE).
#
# Layout (one line of JSON per file): x n x p; y n (n x 2 time, status for
# cox; n x K for mgaussian); beta L x p and relaxed_beta L' x p (mgaussian:
# L x p x K, beta[l][j][k]); a0 L and relaxed_a0 L' (mgaussian L x K; cox:
# zeros, glmnet fits no intercept); blend_link 5 x S (mgaussian 5 x K x S,
# blend_link[i][k][s]) for the rows blend_newx = x[1:5, ] at s = blend_s.
# weights, offset, penalty_factor, lower, upper are null when not used.

suppressMessages({
  library(glmnet)
  library(jsonlite)
  library(survival)
})

out_dir <- file.path("tests", "reference")
if (!dir.exists(out_dir)) stop("run this script from the repository root")
source(file.path(out_dir, "reference_helpers.R"))

# Every fit (path and relaxed refits, which inherit thresh and maxit) at
# thresh 1e-30: glmnet converges there on every case, and its relaxed refits
# then agree with the unpenalized fits to ~1e-13 or better (at 1e-20 only to
# 1e-9 to 1e-11; at glmnet's default 1e-7 gaussian refits are off by ~1e-4).
THRESH <- 1e-30
MAXIT <- 1e7
GAMMA <- 0.5

# The unpenalized fit that a relaxed refit should equal, on the active columns
# `a` (indices): weighted least squares (gaussian, mgaussian), glm.fit
# (binomial, poisson) or coxph (Breslow ties), with the weights and offset.
# Coefficients at a bound (side -1 at the lower, +1 at the upper, NA if free)
# keep their value in b, held through the offset; the others are refitted.
# Returns c(a0, b_a) (cox: b_a; mgaussian: a (1 + |a|) x K matrix).
unpenalized_fit <- function(family, x, y, a, w, off, b, side) {
  if (family == "mgaussian") return(coef(lm.wfit(cbind(1, x[, a, drop = FALSE]), y, w)))
  fixed <- !is.na(side)
  bfix <- ifelse(fixed, b, NA)
  o <- off + drop(x[, a[fixed], drop = FALSE] %*% bfix[fixed])
  xf <- x[, a[!fixed], drop = FALSE]
  if (family == "cox") {
    cf <- coef(coxph(Surv(y[, 1], y[, 2]) ~ xf + offset(o), weights = w, ties = "breslow",
                     control = coxph.control(eps = 1e-12, toler.chol = 1e-15, iter.max = 100)))
  } else {
    fam <- switch(family, gaussian = gaussian(), binomial = binomial(), poisson = poisson())
    g <- glm.fit(cbind(1, xf), y, weights = w, offset = o, family = fam,
                 control = glm.control(epsilon = 1e-15, maxit = 100))
    # a held coefficient must be pinned: its score x_j' w (y - mu) points past the bound
    score <- drop(crossprod(x[, a[fixed], drop = FALSE], w * (y - g$fitted.values)))
    stopifnot(g$converged, all(side[fixed] * score >= -1e-9))
    cf <- g$coefficients
  }
  b <- bfix
  b[!fixed] <- tail(cf, sum(!fixed))
  if (family == "cox") b else c(cf[1], b)
}

# Largest |relaxed - unpenalized| over the relaxed lambdas, and its relative
# size |diff| / max(1, |unpenalized|).
relaxed_check <- function(fit, family, x, y, w, off, lower, upper) {
  p <- ncol(x)
  lo <- rep_len(if (is.null(lower)) -Inf else lower, p)
  up <- rep_len(if (is.null(upper)) Inf else upper, p)
  rel <- fit$relaxed
  keep <- match(rel$lambda, fit$lambda)
  act <- if (is.list(fit$beta)) Reduce(`+`, lapply(fit$beta, abs)) > 0 else abs(fit$beta) > 0
  worst <- c(abs = 0, rel = 0)
  for (l in seq_along(keep)) {
    a <- which(act[, keep[l]])
    if (!length(a)) next
    if (family == "mgaussian") {
      got <- rbind(rel$a0[, l], matrix(sapply(rel$beta, function(b) b[a, l]), length(a)))
      want <- unpenalized_fit(family, x, y, a, w, off)
    } else {
      b <- as.matrix(rel$beta)[a, l]
      got <- if (family == "cox") b else c(rel$a0[l], b)
      side <- ifelse(b == lo[a], -1, ifelse(b == up[a], 1, NA))  # glmnet clamps exactly at a bound
      want <- unpenalized_fit(family, x, y, a, w, off, b, side)
    }
    d <- abs(as.numeric(got) - as.numeric(want))
    worst <- pmax(worst, c(max(d), max(d / pmax(1, abs(as.numeric(want))))))
  }
  worst
}

summary_tab <- list()

make_case <- function(name, description, family, x, y, alpha = 1, weights = NULL, offset = NULL,
                      pf = NULL, lower = NULL, upper = NULL, intercept = TRUE, standardize = TRUE,
                      extra = list(), s_omitted = FALSE) {
  if (!case_selected(name)) return(invisible(NULL))
  n <- nrow(x); p <- ncol(x)
  args <- c(list(x = x, y = if (family == "cox") Surv(y[, 1], y[, 2]) else y, family = family,
                 alpha = alpha, intercept = intercept, standardize = standardize,
                 thresh = THRESH, maxit = MAXIT, relax = TRUE), extra)
  if (family == "cox") args$intercept <- NULL
  if (!is.null(weights)) args$weights <- weights
  if (!is.null(offset)) args$offset <- offset
  if (!is.null(pf)) args$penalty.factor <- pf
  if (!is.null(lower)) args$lower.limits <- lower
  if (!is.null(upper)) args$upper.limits <- upper
  set.seed(1)                  # relax.glmnet draws rnorm() to label active sets
  # any glmnet warning (a path or a refit not converging) stops the script
  fit <- withCallingHandlers(do.call(glmnet, args),
                             warning = function(w) stop("glmnet warned: ", conditionMessage(w)))
  stopifnot(fit$jerr == 0)
  rel <- fit$relaxed
  L <- length(fit$lambda); Lr <- length(rel$lambda)

  # blend_s: lambda[5], the midpoint of lambda[12] and lambda[13] (off the
  # grid: predict interpolates linearly in lambda), lambda[25]; with
  # s_omitted also the first and the last lambda omitted from fit$relaxed.
  s <- c(fit$lambda[5], mean(fit$lambda[12:13]), fit$lambda[25])
  omitted <- which(!(fit$lambda %in% rel$lambda))
  if (s_omitted) s <- c(s, fit$lambda[range(omitted)])
  newx <- x[1:5, ]
  link <- if (is.null(offset)) predict(fit, newx = newx, s = s, gamma = GAMMA, type = "link")
          else predict(fit, newx = newx, s = s, gamma = GAMMA, type = "link", newoffset = offset[1:5])

  w <- if (is.null(weights)) rep(1, n) else weights
  off <- if (is.null(offset)) rep(0, n) else offset
  chk <- relaxed_check(fit, family, x, y, w, off, lower, upper)
  if (chk[["rel"]] > 1e-6) cat("!! ", name, ": relaxed refits differ from the unpenalized fit by", chk[["rel"]], "\n")

  multi <- family == "mgaussian"
  zeros <- function(k) rep(0, k)
  rec <- list(
    case = name, description = description, family = family,
    x = jmat(x), y = if (is.matrix(y)) jmat(unname(y)) else jvec(y),
    weights = if (is.null(weights)) NULL else jvec(weights),
    offset = if (is.null(offset)) NULL else jvec(offset),
    penalty_factor = if (is.null(pf)) NULL else jvec(pf),
    lower = jnum(lower), upper = jnum(upper),
    alpha = alpha, intercept = intercept, standardize = standardize,
    maxp = n - 3, thresh = THRESH, maxit = MAXIT,
    lambda = jvec(fit$lambda),
    beta = if (multi) jarr3(coef_array(fit, p)) else jmat(t(as.matrix(fit$beta))),
    a0 = if (multi) jmat(t(fit$a0)) else jvec(if (family == "cox") zeros(L) else as.numeric(fit$a0)),
    dev_ratio = jvec(fit$dev.ratio),
    relaxed_lambda = jvec(rel$lambda),
    relaxed_beta = if (multi) jarr3(coef_array(rel, p)) else jmat(t(as.matrix(rel$beta))),
    relaxed_a0 = if (multi) jmat(t(rel$a0)) else jvec(if (family == "cox") zeros(Lr) else as.numeric(rel$a0)),
    relaxed_dev_ratio = jvec(rel$dev.ratio),
    blend_gamma = GAMMA, blend_s = jvec(s), blend_newx = jmat(newx),
    blend_link = if (multi) jarr3(unname(link)) else jmat(unname(as.matrix(link))),
    relaxed_check_max_abs_diff = chk[["abs"]],
    glmnet_version = as.character(packageVersion("glmnet")), R_version = R.version.string
  )
  path <- file.path(out_dir, paste0("glmnet_relax_", name, ".json"))
  write_reference_json(rec, path)
  back <- fromJSON(path, simplifyVector = TRUE)
  stopifnot(readback_close(back$lambda, fit$lambda), readback_close(back$relaxed_lambda, rel$lambda),
            readback_close(back$dev_ratio, fit$dev.ratio), readback_close(back$x, x))

  nact <- colSums(if (multi) Reduce(`+`, lapply(fit$beta, abs)) > 0 else abs(fit$beta) > 0)
  summary_tab[[name]] <<- data.frame(case = name, L = L, L_relaxed = Lr, max_active = max(nact),
    maxp = n - 3, check_abs = signif(chk[["abs"]], 3), check_rel = signif(chk[["rel"]], 3),
    size_kb = round(file.size(path) / 1024, 1))
  invisible(fit)
}

# ---------------------------------------------------------------------------
# Data (glmnet's example data sets)
# ---------------------------------------------------------------------------
data(QuickStartExample, BinomialExample, PoissonExample, CoxExample, MultiGaussianExample,
     package = "glmnet", envir = environment())
qx <- unname(as.matrix(QuickStartExample$x)); qy <- as.numeric(QuickStartExample$y)
bx <- unname(as.matrix(BinomialExample$x)); by <- as.numeric(BinomialExample$y)
px <- unname(as.matrix(PoissonExample$x))[1:300, ]; py <- as.numeric(PoissonExample$y)[1:300]
cx <- unname(as.matrix(CoxExample$x))[1:200, ]; cy <- unname(as.matrix(CoxExample$y))[1:200, ]
mx <- unname(as.matrix(MultiGaussianExample$x)); my <- unname(as.matrix(MultiGaussianExample$y))

# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------
make_case("gaussian", "QuickStartExample (100 x 20), gaussian, alpha = 1, default grid, relax = TRUE.",
  "gaussian", qx, qy)

make_case("gaussian_maxp",
  paste("QuickStartExample rows 1-20 (n = p = 20), gaussian, alpha = 1, default grid (lambda.min.ratio 1e-4 as n = p):",
        "lambdas with more than maxp = 17 active features are omitted from fit$relaxed (lambdas 43-50 and",
        "54-68: 51-53 have 17 again). The last two blend_s are the first and the last omitted lambda,",
        "which predict (extend = TRUE) blends with the relaxed fit of the last kept lambda (53), not a neighbour."),
  "gaussian", qx[1:20, ], qy[1:20], s_omitted = TRUE)

# y divided by its weighted (1/n) standard deviation: for alpha < 1 glmnet's gaussian objective is jaxreg's only
# when that is 1 (glmnet rescales y internally and so divides the ridge term by it).
qw <- rep(c(1, 2), 50)
qy_unit <- qy / sqrt(sum(qw * (qy - sum(qw * qy) / sum(qw))^2) / sum(qw))
make_case("gaussian_weights_pf_bounds",
  paste("QuickStartExample with y scaled to unit weighted sd, gaussian, weights rep(c(1, 2), 50),",
        "penalty.factor 0 for feature 1, 2 for feature 2, 1 otherwise, lower.limits = -0.2,",
        "upper.limits = Inf, alpha = 0.5, standardize = FALSE.",
        "The relaxed refits keep the bounds (bounded least squares)."),
  "gaussian", qx, qy_unit, alpha = 0.5, weights = qw, pf = c(0, 2, rep(1, 18)),
  lower = -0.2, upper = Inf, standardize = FALSE)

make_case("binomial",
  paste("BinomialExample (100 x 30), binomial, alpha = 1, lambda.min.ratio = 0.12 (not glmnet's default",
        "1e-4): further down the path the unpenalized refits of 18+ features are near-separable (fitted",
        "probabilities below glmnet's pmin = 1e-9, from 20 features on separable), and the refit is no",
        "longer the logistic MLE."),
  "binomial", bx, by, extra = list(lambda.min.ratio = 0.12))

make_case("poisson_offset",
  "PoissonExample rows 1-300 (300 x 20), poisson, offset = log(seq(0.5, 2, length.out = 300)), alpha = 0.8, default grid.",
  "poisson", px, py, alpha = 0.8, offset = log(seq(0.5, 2, length.out = 300)))

make_case("cox",
  "CoxExample rows 1-200 (200 x 30), y = (time, status), cox (Breslow ties), alpha = 1, default grid; no intercept (a0 written as zeros).",
  "cox", cx, cy)

make_case("mgaussian", "MultiGaussianExample (100 x 20, K = 4 responses), mgaussian, alpha = 1, default grid.",
  "mgaussian", mx, my)

check_selected_cases(names(summary_tab))
tab <- do.call(rbind, summary_tab)
rownames(tab) <- NULL
cat("glmnet", as.character(packageVersion("glmnet")), "|", R.version.string, "\n")
print(tab)
