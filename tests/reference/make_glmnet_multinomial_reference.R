# Regenerate the committed glmnet *multinomial* reference values used by the
# Python tests.
#
# Run from the repository root:
#     Rscript tests/reference/make_glmnet_multinomial_reference.R
#
# Needs R with the glmnet and jsonlite packages
# (Debian: apt-get install r-cran-glmnet r-cran-jsonlite).
# Writes tests/reference/glmnet_multinomial_<case>.json, one file per case, and
# prints a summary (number of lambdas, KKT violations, agreement with the
# tight companion fit). All fits are family = "multinomial" on glmnet's
# data(MultinomialExample) (x 500 x 30, y in 1..3).
# Case names given on the command line restrict the run to those cases.
#
# Layout: as the binomial/poisson files, but a0 is L x K (one row per lambda)
# and beta is L x p x K (beta[l][j][k]: lambda l, feature j, class k), and
# the offset, when given, is n x K. "grouped" records type.multinomial.

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

data(MultinomialExample, package = "glmnet", envir = environment())
mx <- unname(as.matrix(MultinomialExample$x))
my <- as.numeric(MultinomialExample$y)
n_m <- nrow(mx)
p_m <- ncol(mx)

# ---------------------------------------------------------------------------
# KKT check on glmnet's internal scale (weights summing to 1, pf to p, x
# centred and scaled as for the other families). For coefficient (j, k) with
# g_jk = sum_i w_i xstd_ij (y_ik - prob_ik) and b_std = b * xs:
#   ungrouped: 0 in -g_jk + lam pf_j (alpha d|b_jk| + (1 - alpha) b_std,jk)
#   grouped:   0 in -g_j + lam pf_j (alpha d||b_j||_2 + (1 - alpha) b_std,j)
# (bounds are not used here). Reported: max distance from 0 / lam.
# ---------------------------------------------------------------------------
kkt_multinomial <- function(x, yk, a0, arr, lambda, weights, pf, alpha, intercept, standardize, grouped,
                            offset) {
  n <- nrow(x); p <- ncol(x); K <- ncol(yk)
  w <- if (is.null(weights)) rep(1, n) else weights
  w <- w / sum(w)
  pf <- if (is.null(pf)) rep(1, p) else pf
  pf <- pf * p / sum(pf)
  xmean <- colSums(w * x)
  xs <- if (standardize) sqrt(colSums(w * sweep(x, 2, xmean)^2)) else rep(1, p)
  xm <- if (intercept) xmean else rep(0, p)
  xstd <- sweep(sweep(x, 2, xm), 2, xs, "/")
  viol <- numeric(length(lambda)); int <- numeric(length(lambda))
  for (l in seq_along(lambda)) {
    lam <- lambda[l]
    b <- matrix(arr[l, , ], p, K)
    eta <- sweep(x %*% b, 2, a0[l, ], "+")
    if (!is.null(offset)) eta <- eta + offset
    pr <- exp(eta - apply(eta, 1, max)); pr <- pr / rowSums(pr)
    g <- crossprod(xstd, w * (yk - pr))          # p x K
    bs <- b * xs
    smooth <- -g + lam * pf * (1 - alpha) * bs
    if (grouped) {
      v <- 0
      for (j in seq_len(p)) {
        nb <- sqrt(sum(bs[j, ]^2)); c1 <- lam * pf[j] * alpha
        r <- if (nb > 0) sqrt(sum((smooth[j, ] + c1 * bs[j, ] / nb)^2)) else max(0, sqrt(sum(smooth[j, ]^2)) - c1)
        v <- max(v, r)
      }
      viol[l] <- v / lam
    } else {
      c1 <- lam * pf * alpha
      lo <- ifelse(b > 0, smooth + c1, smooth - c1)
      hi <- ifelse(b < 0, smooth - c1, smooth + c1)
      viol[l] <- max(pmax(0, lo, -hi)) / lam
    }
    int[l] <- if (intercept) max(abs(colSums(w * (yk - pr)))) else 0
  }
  list(kkt = max(viol), kkt_intercept = max(int))
}

summary_tab <- list()

make_case <- function(name, description, x, y, alpha = 1, weights = NULL, pf = NULL, intercept = TRUE,
                      standardize = TRUE, lambda = NULL, offset = NULL, grouped = FALSE) {
  if (!case_selected(name)) return(invisible(NULL))
  args <- list(x = x, y = y, family = "multinomial", alpha = alpha, intercept = intercept,
               standardize = standardize, thresh = THRESH, maxit = MAXIT,
               type.multinomial = if (grouped) "grouped" else "ungrouped")
  if (!is.null(weights)) args$weights <- weights
  if (!is.null(pf)) args$penalty.factor <- pf
  if (!is.null(lambda)) args$lambda <- lambda
  if (!is.null(offset)) args$offset <- offset
  fit <- do.call(glmnet, args)
  stopifnot(fit$jerr == 0)
  tight <- tight_refit(args, fit, THRESH_TIGHT)
  tfit <- tight$fit; tight_method <- tight$method
  yk <- outer(y, sort(unique(y)), "==") * 1
  arr <- coef_array(fit, ncol(x)); tarr <- coef_array(tfit, ncol(x))
  a0 <- t(as.matrix(fit$a0)); ta0 <- t(as.matrix(tfit$a0))     # L x K
  kkt <- function(a, b0, f) kkt_multinomial(x, yk, b0, a, f$lambda, weights, pf, alpha, intercept, standardize,
                                            grouped, offset)
  chk <- kkt(arr, a0, fit); tchk <- kkt(tarr, ta0, tfit)
  rec <- list(
    case = name, description = description, family = "multinomial", grouped = grouped,
    x = jmat(x), y = jvec(y),
    weights = if (is.null(weights)) NULL else jvec(weights),
    penalty_factor = if (is.null(pf)) NULL else jvec(pf),
    lower = NULL, upper = NULL,
    alpha = alpha, intercept = intercept, standardize = standardize, user_lambda = !is.null(lambda),
    lambda = jvec(fit$lambda), a0 = jmat(a0), beta = jarr3(arr),
    dev_ratio = jvec(fit$dev.ratio), nulldev = jscalar(fit$nulldev), df = unname(as.integer(fit$df)),
    n = nrow(x), p = ncol(x), K = ncol(yk), L = length(fit$lambda), thresh = THRESH, maxit = MAXIT,
    kkt_max_violation_rel = chk$kkt, kkt_intercept_max = chk$kkt_intercept,
    thresh_tight = THRESH_TIGHT, tight_method = tight_method,
    a0_tight = jmat(ta0), beta_tight = jarr3(tarr), dev_ratio_tight = jvec(tfit$dev.ratio),
    kkt_max_violation_rel_tight = tchk$kkt, kkt_intercept_max_tight = tchk$kkt_intercept,
    max_abs_diff_beta_vs_tight = max(abs(tarr - arr)),
    glmnet_version = as.character(packageVersion("glmnet")), R_version = R.version.string
  )
  if (!is.null(offset)) rec$offset <- jmat(offset)
  path <- file.path(out_dir, paste0("glmnet_multinomial_", name, ".json"))
  write_reference_json(rec, path)
  back <- fromJSON(path, simplifyVector = TRUE)
  stopifnot(readback_close(back$lambda, fit$lambda), readback_close(back$a0_tight, ta0),
            readback_close(back$beta_tight, tarr), readback_close(back$x, x))
  summary_tab[[name]] <<- data.frame(case = name, L = length(fit$lambda), kkt = signif(chk$kkt, 3),
                                     kkt_t = signif(tchk$kkt, 3), int_t = signif(tchk$kkt_intercept, 3),
                                     d_beta_t = signif(max(abs(tarr - arr)), 3), tight = tight_method,
                                     size_kb = round(file.size(path) / 1024, 1))
  invisible(fit)
}

# ---------------------------------------------------------------------------
# Cases (all on MultinomialExample: x 500 x 30, y in 1..3 with 142/174/184)
# ---------------------------------------------------------------------------
make_case("default",
  "glmnet(x, y, family=\"multinomial\") on MultinomialExample, all defaults (ungrouped lasso, default grid).",
  mx, my)

make_case("grouped",
  "type.multinomial=\"grouped\" (each feature's 3 coefficients one group, weight 1), alpha=1; default grid.",
  mx, my, grouped = TRUE)

make_case("grouped_enet",
  "type.multinomial=\"grouped\", alpha=0.3; default grid.",
  mx, my, alpha = 0.3, grouped = TRUE)

w3 <- seq(0.2, 3, length.out = n_m)
pf3 <- c(0, 0, rep(1, 26), 2, 2)
make_case("weights_pf_enet",
  "alpha=0.5, weights=seq(0.2,3,length.out=500), penalty.factor=c(0,0,rep(1,26),2,2); default grid.",
  mx, my, alpha = 0.5, weights = w3, pf = pf3)

make_case("nostd_user_lambda",
  "standardize=FALSE, alpha=0.8, lambda=exp(seq(log(0.1), log(0.001), length.out=20)); no early stop.",
  mx, my, alpha = 0.8, standardize = FALSE, lambda = exp(seq(log(0.1), log(0.001), length.out = 20)))

set.seed(7)
off <- matrix(signif(rnorm(n_m * 3, sd = 0.5), 12), n_m, 3)
make_case("offset",
  "offset = matrix(rnorm(1500, sd=0.5), 500, 3) after set.seed(7) (rounded to 12 significant digits; stored under \"offset\"); otherwise defaults.",
  mx, my, offset = off)

check_selected_cases(names(summary_tab))
tab <- do.call(rbind, summary_tab)
rownames(tab) <- NULL
cat("glmnet", as.character(packageVersion("glmnet")), "|", R.version.string, "\n")
print(tab)
