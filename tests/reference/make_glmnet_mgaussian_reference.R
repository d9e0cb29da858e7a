# Regenerate the committed glmnet *mgaussian* (multi-response gaussian)
# reference values used by the Python tests.
#
# Run from the repository root:
#     Rscript tests/reference/make_glmnet_mgaussian_reference.R
#
# Needs R with the glmnet and jsonlite packages
# (Debian: apt-get install r-cran-glmnet r-cran-jsonlite).
# Writes tests/reference/glmnet_mgaussian_<case>.json, one file per case, and
# prints a summary (number of lambdas, KKT violations, agreement with the
# tight companion fit). All fits are family = "mgaussian" on glmnet's
# data(MultiGaussianExample) (x 100 x 20, y 100 x 4), some with the columns
# of y rescaled. Case names given on the command line restrict the run.
#
# Layout: as the multinomial files: a0 is L x K, beta is L x p x K
# (beta[l][j][k]: lambda l, feature j, response k), y and the offset n x K.
# "standardize_response" records glmnet's standardize.response.

suppressMessages({
  library(glmnet)
  library(jsonlite)
})

out_dir <- file.path("tests", "reference")
if (!dir.exists(out_dir)) stop("run this script from the repository root")
source(file.path(out_dir, "reference_helpers.R"))

THRESH <- 1e-14
MAXIT <- 1e7
THRESH_TIGHT <- 1e-22

data(MultiGaussianExample, package = "glmnet", envir = environment())
gx <- unname(as.matrix(MultiGaussianExample$x))
gy <- unname(as.matrix(MultiGaussianExample$y))
n_g <- nrow(gx)
p_g <- ncol(gx)

# ---------------------------------------------------------------------------
# KKT check of the objective jaxreg solves (conventions.md point 1 with the
# row-wise group penalty), on glmnet's internal scale: weights summing to 1,
# pf to p, x centred (with an intercept) and scaled, y minus the offset and,
# with standardize.response, each response divided by its weighted (1/n)
# standard deviation about its weighted mean, also without an intercept (as
# glmnet scales x; the root mean square fails this check). With
# R = y - offset - a0 - x b (scaled), g_j = sum_i w_i xstd_ij R_i (K values)
# and b_std = b * xs (/ ys):
#   0 in -g_j + lam pf_j (alpha d||b_std,j||_2 + (1 - alpha) b_std,j).
# Reported: max distance from 0 / lam; and max |sum_i w_i R_ik| (intercepts).
# ---------------------------------------------------------------------------
kkt_mgaussian <- function(x, y, a0, arr, lambda, weights, pf, alpha, intercept, standardize, std_response,
                          offset) {
  n <- nrow(x); p <- ncol(x); K <- ncol(y)
  w <- if (is.null(weights)) rep(1, n) else weights
  w <- w / sum(w)
  pf <- if (is.null(pf)) rep(1, p) else pf
  pf <- pf * p / sum(pf)
  xmean <- colSums(w * x)
  xs <- if (standardize) sqrt(colSums(w * sweep(x, 2, xmean)^2)) else rep(1, p)
  xm <- if (intercept) xmean else rep(0, p)
  xstd <- sweep(sweep(x, 2, xm), 2, xs, "/")
  yo <- if (is.null(offset)) y else y - offset
  ym <- if (intercept) colSums(w * yo) else rep(0, K)
  ys <- if (std_response) sqrt(colSums(w * sweep(yo, 2, colSums(w * yo))^2)) else rep(1, K)
  viol <- numeric(length(lambda)); int <- numeric(length(lambda))
  for (l in seq_along(lambda)) {
    lam <- lambda[l]
    b <- matrix(arr[l, , ], p, K)
    r <- sweep(yo - x %*% b, 2, a0[l, ], "-")
    r <- sweep(r, 2, ys, "/")
    g <- crossprod(xstd, w * r)                  # p x K
    bs <- sweep(b * xs, 2, ys, "/")
    smooth <- -g + lam * pf * (1 - alpha) * bs
    v <- 0
    for (j in seq_len(p)) {
      nb <- sqrt(sum(bs[j, ]^2)); c1 <- lam * pf[j] * alpha
      r_j <- if (nb > 0) sqrt(sum((smooth[j, ] + c1 * bs[j, ] / nb)^2)) else max(0, sqrt(sum(smooth[j, ]^2)) - c1)
      v <- max(v, r_j)
    }
    viol[l] <- v / lam
    int[l] <- if (intercept) max(abs(colSums(w * r))) else 0
  }
  list(kkt = max(viol), kkt_intercept = max(int))
}

summary_tab <- list()

make_case <- function(name, description, x, y, alpha = 1, weights = NULL, pf = NULL, intercept = TRUE,
                      standardize = TRUE, lambda = NULL, offset = NULL, std_response = FALSE) {
  if (!case_selected(name)) return(invisible(NULL))
  args <- list(x = x, y = y, family = "mgaussian", alpha = alpha, intercept = intercept,
               standardize = standardize, standardize.response = std_response, thresh = THRESH, maxit = MAXIT)
  if (!is.null(weights)) args$weights <- weights
  if (!is.null(pf)) args$penalty.factor <- pf
  if (!is.null(lambda)) args$lambda <- lambda
  if (!is.null(offset)) args$offset <- offset
  fit <- do.call(glmnet, args)
  stopifnot(fit$jerr == 0)
  tight <- tight_refit(args, fit, THRESH_TIGHT)
  tfit <- tight$fit; tight_method <- tight$method
  arr <- coef_array(fit, ncol(x)); tarr <- coef_array(tfit, ncol(x))
  a0 <- t(as.matrix(fit$a0)); ta0 <- t(as.matrix(tfit$a0))     # L x K
  kkt <- function(a, b0, f) kkt_mgaussian(x, y, b0, a, f$lambda, weights, pf, alpha, intercept, standardize,
                                          std_response, offset)
  chk <- kkt(arr, a0, fit); tchk <- kkt(tarr, ta0, tfit)
  rec <- list(
    case = name, description = description, family = "mgaussian", standardize_response = std_response,
    x = jmat(x), y = jmat(y),
    weights = if (is.null(weights)) NULL else jvec(weights),
    penalty_factor = if (is.null(pf)) NULL else jvec(pf),
    lower = NULL, upper = NULL,
    alpha = alpha, intercept = intercept, standardize = standardize, user_lambda = !is.null(lambda),
    lambda = jvec(fit$lambda), a0 = jmat(a0), beta = jarr3(arr),
    dev_ratio = jvec(fit$dev.ratio), nulldev = jscalar(fit$nulldev), df = unname(as.integer(fit$df)),
    n = nrow(x), p = ncol(x), K = ncol(y), L = length(fit$lambda), thresh = THRESH, maxit = MAXIT,
    kkt_max_violation_rel = chk$kkt, kkt_intercept_max = chk$kkt_intercept,
    thresh_tight = THRESH_TIGHT, tight_method = tight_method,
    a0_tight = jmat(ta0), beta_tight = jarr3(tarr), dev_ratio_tight = jvec(tfit$dev.ratio),
    kkt_max_violation_rel_tight = tchk$kkt, kkt_intercept_max_tight = tchk$kkt_intercept,
    max_abs_diff_beta_vs_tight = max(abs(tarr - arr)),
    glmnet_version = as.character(packageVersion("glmnet")), R_version = R.version.string
  )
  if (!is.null(offset)) rec$offset <- jmat(offset)
  path <- file.path(out_dir, paste0("glmnet_mgaussian_", name, ".json"))
  write_reference_json(rec, path)
  back <- fromJSON(path, simplifyVector = TRUE)
  stopifnot(readback_close(back$lambda, fit$lambda), readback_close(back$a0_tight, ta0),
            readback_close(back$beta_tight, tarr), readback_close(back$x, x), readback_close(back$y, y))
  summary_tab[[name]] <<- data.frame(case = name, L = length(fit$lambda), kkt = signif(chk$kkt, 3),
                                     kkt_t = signif(tchk$kkt, 3), int_t = signif(tchk$kkt_intercept, 3),
                                     d_beta_t = signif(max(abs(tarr - arr)), 3), tight = tight_method,
                                     size_kb = round(file.size(path) / 1024, 1))
  invisible(fit)
}

# ---------------------------------------------------------------------------
# Cases (all on MultiGaussianExample: x 100 x 20, y 100 x 4)
# ---------------------------------------------------------------------------
make_case("default",
  "glmnet(x, y, family=\"mgaussian\") on MultiGaussianExample, all defaults (alpha=1, default grid).",
  gx, gy)

make_case("enet",
  "alpha=0.4; default grid.",
  gx, gy, alpha = 0.4)

w5 <- seq(0.2, 3, length.out = n_g)
pf5 <- c(0, 0, rep(1, 16), 2, 2)
make_case("weights_pf_enet",
  "alpha=0.7, weights=seq(0.2,3,length.out=100), penalty.factor=c(0,0,rep(1,16),2,2); default grid.",
  gx, gy, alpha = 0.7, weights = w5, pf = pf5)

gy_scaled <- sweep(gy, 2, c(1, 5, 0.2, 2), "*")
make_case("std_response_enet",
  "y columns multiplied by c(1, 5, 0.2, 2), standardize.response=TRUE, alpha=0.5; default grid.",
  gx, gy_scaled, alpha = 0.5, std_response = TRUE)

make_case("nointercept_std_response_user_lambda",
  "y columns multiplied by c(1, 5, 0.2, 2) plus 3, intercept=FALSE, standardize=FALSE, standardize.response=TRUE, alpha=0.8, lambda=exp(seq(log(0.5), log(0.005), length.out=15)); no early stop.",
  gx, gy_scaled + 3, alpha = 0.8, intercept = FALSE, standardize = FALSE, std_response = TRUE,
  lambda = exp(seq(log(0.5), log(0.005), length.out = 15)))

set.seed(11)
off <- matrix(signif(rnorm(n_g * 4, sd = 0.5), 12), n_g, 4)
make_case("offset",
  "offset = matrix(rnorm(400, sd=0.5), 100, 4) after set.seed(11) (rounded to 12 significant digits; stored under \"offset\"); otherwise defaults.",
  gx, gy, offset = off)

check_selected_cases(names(summary_tab))
tab <- do.call(rbind, summary_tab)
rownames(tab) <- NULL
cat("glmnet", as.character(packageVersion("glmnet")), "|", R.version.string, "\n")
print(tab)
