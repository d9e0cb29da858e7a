# Regenerate the committed glmnet *cox* reference values used by the Python
# tests (tests/test_cox_reference.py).
#
# Run from the repository root:
#     Rscript tests/reference/make_glmnet_cox_reference.R
#
# Needs R with the glmnet and jsonlite packages
# (Debian: apt-get install r-cran-glmnet r-cran-jsonlite).
# Writes tests/reference/glmnet_cox_<case>.json, one file per case, and prints
# a summary (number of lambdas, KKT violations, why the path ended). All fits
# are family = "cox" on glmnet's data(CoxExample) (x 1000 x 30, y time and
# status), on its first 200 rows unless a case says otherwise. Case names
# given on the command line restrict the run.
#
# Layout: as the poisson files without an intercept: y is n x 2 (time,
# status), or n x 3 (start, stop, status) for the start-stop cases (glmnet's
# Surv(start, stop, status)), beta L x p; "offset" only for cases fitted with
# one, "strata" (one integer label per row) only for stratified cases (glmnet's
# stratifySurv).

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

data(CoxExample, package = "glmnet", envir = environment())
cx_all <- unname(as.matrix(CoxExample$x))
cy_all <- as.matrix(CoxExample$y)              # columns time, status
cx <- cx_all[1:200, ]
cy <- cy_all[1:200, ]

# ---------------------------------------------------------------------------
# The objective jaxreg solves, checked on glmnet's fits: with w normalised to
# sum 1 and the Breslow risk sets R(i) = {j : t_j >= t_i} (start-stop data:
# {j : start_j < t_i <= t_j}, t the stop times),
#   f(b) = -sum_i w_i d_i [eta_i - log sum_{j in R(i)} w_j exp(eta_j)],
#   eta = offset + x b (no intercept),
# plus lambda sum_j pf_j [(1 - alpha)/2 b_std_j^2 + alpha |b_std_j|], pf
# normalised to sum p, b_std = b * xs with xs the weighted population sd of
# column j about its weighted mean over all rows (standardize = TRUE).
# KKT: 0 in g_j + lambda pf_j (alpha d|b_std_j| + (1 - alpha) b_std_j) + N_j,
# g_j the gradient of f in b_std_j, N_j the normal cone of the box. Reported:
# the largest distance from 0 over features and lambdas, divided by lambda.
# dev.ratio is recomputed as 1 - (f(b) + lsat) / (f(0) + lsat), lsat =
# -sum_k dk log dk over the distinct event times (dk their total weight).
# ---------------------------------------------------------------------------
cox_parts <- function(x, y, weights, offset, strata = NULL) {
  n <- nrow(x)
  w <- if (is.null(weights)) rep(1, n) else weights
  w <- w / sum(w)
  o <- if (is.null(offset)) rep(0, n) else offset
  k <- ncol(y)
  t <- y[, k - 1]; d <- y[, k]
  g <- if (is.null(strata)) rep(1, n) else strata
  risk <- outer(t, t, "<=") & outer(g, g, "==")  # risk[i, j]: j in R(i), the same stratum
  if (k == 3) risk <- risk & outer(t, y[, 1], ">")  # start-stop: j has entered before t_i
  dk <- tapply(w * d, paste(g, t), sum); dk <- dk[dk > 0]
  list(w = w, o = o, d = d, risk = risk, lsat = -sum(dk * log(dk)))
}
cox_value <- function(cp, eta) {
  e <- cp$w * exp(eta + cp$o)
  s <- drop(cp$risk %*% e)
  sum(cp$w * cp$d * (log(s) - eta - cp$o))
}
cox_grad_eta <- function(cp, eta) {
  e <- cp$w * exp(eta + cp$o)
  s <- drop(cp$risk %*% e)
  e * drop(crossprod(cp$risk, cp$w * cp$d / s)) - cp$w * cp$d
}
kkt_cox <- function(x, y, beta, lambda, weights, pf, alpha, standardize, lower, upper, offset, strata = NULL) {
  p <- ncol(x)
  cp <- cox_parts(x, y, weights, offset, strata)
  pf <- if (is.null(pf)) rep(1, p) else pf
  pf <- pf * p / sum(pf)
  xm <- colSums(cp$w * x)
  xs <- if (standardize) sqrt(colSums(cp$w * sweep(x, 2, xm)^2)) else rep(1, p)
  lower <- rep_len(lower, p); upper <- rep_len(upper, p)
  viol <- numeric(length(lambda)); dev <- numeric(length(lambda))
  f0 <- cox_value(cp, rep(0, nrow(x)))
  for (l in seq_along(lambda)) {
    b <- beta[, l]; lam <- lambda[l]
    eta <- drop(x %*% b)
    g <- drop(crossprod(x, cox_grad_eta(cp, eta))) / xs
    bs <- b * xs
    smooth <- g + lam * pf * (1 - alpha) * bs
    l1 <- lam * pf * alpha
    r <- ifelse(bs != 0, smooth + l1 * sign(bs), sign(smooth) * pmax(abs(smooth) - l1, 0))
    r[(b <= lower & r > 0) | (b >= upper & r < 0)] <- 0
    viol[l] <- max(abs(r)) / lam
    dev[l] <- 1 - (cox_value(cp, eta) + cp$lsat) / (f0 + cp$lsat)
  }
  list(kkt = max(viol), dev_ratio = dev)
}

# glmnet 4.1-6's cox path stops when (d[m] - d[m - mnlam + 1]) / d[m] <
# 100 * fdev, from the mnlam-th lambda on, or when d[m] > 0.99.
stop_reason <- function(d, nlambda, user_lambda) {
  ctl <- glmnet.control()
  L <- length(d)
  if (user_lambda) return(if (L == nlambda) "user lambda: no early stopping" else "user lambda: stopped early?")
  if (L == nlambda) return("ran the full grid")
  if (d[L] > 0.99) return(sprintf("devmax: dev_ratio %.7f > 0.99", d[L]))
  rel <- (d[L] - d[L - ctl$mnlam + 1]) / d[L]
  if (rel < 100 * ctl$fdev)
    return(sprintf("fdev: relative dev_ratio change over %d lambdas %.3g < %g", ctl$mnlam - 1, rel, 100 * ctl$fdev))
  "unexplained"
}

summary_tab <- list()

make_case <- function(name, description, x, y, alpha = 1, weights = NULL, pf = NULL, lower = NULL, upper = NULL,
                      standardize = TRUE, lambda = NULL, offset = NULL, thresh_tight = THRESH_TIGHT,
                      strata = NULL) {
  if (!case_selected(name)) return(invisible(NULL))
  sv <- if (ncol(y) == 3) survival::Surv(y[, 1], y[, 2], y[, 3]) else survival::Surv(y[, 1], y[, 2])
  ys <- if (is.null(strata)) (if (ncol(y) == 3) sv else y) else stratifySurv(sv, strata)
  args <- list(x = x, y = ys, family = "cox", alpha = alpha, standardize = standardize, thresh = THRESH,
               maxit = MAXIT)
  if (!is.null(weights)) args$weights <- weights
  if (!is.null(pf)) args$penalty.factor <- pf
  if (!is.null(lower)) args$lower.limits <- lower
  if (!is.null(upper)) args$upper.limits <- upper
  if (!is.null(lambda)) args$lambda <- lambda
  if (!is.null(offset)) args$offset <- offset
  fit <- do.call(glmnet, args)
  stopifnot(fit$jerr == 0)
  # stratified and start-stop fits run glmnet.path, whose outer (IRLS) loop stops at glmnet.control()$epsnr
  # (1e-6): its default fit violates the KKT conditions by ~3 %; the tight fit also tightens that loop
  irls <- !is.null(strata) || ncol(y) == 3
  if (irls) glmnet.control(epsnr = 1e-14, mxitnr = 10000)
  tight <- tight_refit(args, fit, thresh_tight)
  if (irls) glmnet.control(factory = TRUE)
  tfit <- tight$fit
  beta <- as.matrix(fit$beta); tbeta <- as.matrix(tfit$beta)
  lo_k <- if (is.null(lower)) -Inf else lower
  up_k <- if (is.null(upper)) Inf else upper
  kkt <- function(f, b) kkt_cox(x, y, b, f$lambda, weights, pf, alpha, standardize, lo_k, up_k, offset, strata)
  chk <- kkt(fit, beta); tchk <- kkt(tfit, tbeta)
  stopifnot(max(abs(tchk$dev_ratio - tfit$dev.ratio)) < 1e-8)   # glmnet's dev.ratio is the one above
  nlambda <- if (is.null(lambda)) 100 else length(lambda)
  reason <- stop_reason(fit$dev.ratio, nlambda, !is.null(lambda))
  rec <- list(
    case = name, description = description, family = "cox",
    x = jmat(x), y = jmat(unname(y)),
    weights = if (is.null(weights)) NULL else jvec(weights),
    penalty_factor = if (is.null(pf)) NULL else jvec(pf),
    lower = jnum(lower), upper = jnum(upper),
    alpha = alpha, standardize = standardize, user_lambda = !is.null(lambda),
    lambda = jvec(fit$lambda), beta = jmat(t(beta)),
    dev_ratio = jvec(fit$dev.ratio), nulldev = jscalar(fit$nulldev), df = unname(as.integer(fit$df)),
    n = nrow(x), p = ncol(x), L = length(fit$lambda), thresh = THRESH, maxit = MAXIT, path_end = reason,
    kkt_max_violation_rel = chk$kkt,
    thresh_tight = thresh_tight, tight_method = tight$method,
    beta_tight = jmat(t(tbeta)), dev_ratio_tight = jvec(tfit$dev.ratio),
    kkt_max_violation_rel_tight = tchk$kkt,
    max_abs_diff_beta_vs_tight = max(abs(tbeta - beta)),
    glmnet_version = as.character(packageVersion("glmnet")), R_version = R.version.string
  )
  rec <- with_offset_field(rec, offset)
  if (!is.null(strata)) rec$strata <- as.integer(strata)
  path <- file.path(out_dir, paste0("glmnet_cox_", name, ".json"))
  write_reference_json(rec, path)
  back <- fromJSON(path, simplifyVector = TRUE)
  stopifnot(readback_close(back$x, x), readback_close(back$y, unname(y)),
            readback_close(back$lambda, fit$lambda), readback_close(back$beta_tight, t(tbeta)))
  summary_tab[[name]] <<- data.frame(
    case = name, L = length(fit$lambda), kkt = signif(chk$kkt, 3), kkt_t = signif(tchk$kkt, 3),
    d_beta_t = signif(max(abs(tbeta - beta)), 3), size_kb = round(file.size(path) / 1024, 1))
  cat(sprintf("%-18s L=%3d  path end: %s\n", name, length(fit$lambda), reason))
  invisible(fit)
}

# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------
make_case("default", "CoxExample rows 1-200, all defaults (lasso, standardize, default grid and early stop).", cx, cy)

make_case("enet", "CoxExample rows 1-200, alpha = 0.3, default grid.", cx, cy, alpha = 0.3)

set.seed(20261124)
cy_tied <- cy
cy_tied[, "time"] <- ceiling(cy_tied[, "time"] * 20) / 20
stopifnot(anyDuplicated(cy_tied[cy_tied[, "status"] == 1, "time"]) > 0)
w3 <- round(runif(200, 0.5, 2), 6)
pf3 <- c(0, 0, seq(0.5, 2, length.out = 28))
make_case("ties_weights_pf",
  paste("CoxExample rows 1-200 with times rounded up to multiples of 0.05 (tied events, events tied with censoring),",
        "weights round(runif(200, 0.5, 2), 6) after set.seed(20261124), penalty.factor c(0, 0, seq(0.5, 2,",
        "length.out = 28)) (features 1-2 unpenalized); default grid."),
  cx, cy_tied, weights = w3, pf = pf3)

off4 <- round(0.3 * rnorm(200), 6)
make_case("offset", "CoxExample rows 1-200, offset round(0.3 * rnorm(200), 6) (continuing the seed); default grid.",
  cx, cy, offset = off4)

up5 <- rep(Inf, 30); up5[c(3, 7, 11)] <- 0
make_case("bounds",
  "CoxExample rows 1-200, lower.limits = -0.1, upper.limits Inf except 0 for features 3, 7, 11; default grid (a bound at 0 turns the fdev rule off).",
  cx, cy, lower = -0.1, upper = up5)

cy6 <- cy
cy6[1:3, "time"] <- min(cy6[cy6[, "status"] == 1, "time"]) / 10   # censored before the first event
cy6[1:3, "status"] <- 0
lam6 <- exp(seq(log(0.2), log(2e-4), length.out = 20))
make_case("nostd_user_lambda",
  "CoxExample rows 1-200, rows 1-3 censored before the first event time, standardize = FALSE, lambda = exp(seq(log(0.2), log(2e-4), length.out = 20)).",
  cx, cy6, standardize = FALSE, lambda = lam6)

xw <- cbind(cx_all[1:60, ], matrix(round(rnorm(60 * 90), 6), 60, 90))
make_case("wide",
  "CoxExample rows 1-60, its 30 columns and 90 columns of round(rnorm, 6) (continuing the seed): p = 120 > n = 60; alpha = 0.9, default grid (lambda.min.ratio 0.01). glmnet converges slowly here: its tight fit is at thresh 1e-16 (glmnet does not converge at 1e-18 or below within maxit).",
  xw, cy_all[1:60, ], alpha = 0.9, thresh_tight = 1e-16)

g8 <- rep(1:3, length.out = 200)
make_case("strata",
  "CoxExample rows 1-200, strata rep(1:3, length.out = 200) (stratifySurv); default grid.",
  cx, cy, strata = g8)

g9 <- ifelse(cx[, 1] > 0, 2L, 1L)
make_case("strata_ties_weights",
  paste("CoxExample rows 1-200 with the tied times of ties_weights_pf and its weights, strata 2 where x1 > 0",
        "else 1 (strata of unequal sizes, correlated with a feature), alpha = 0.5; default grid."),
  cx, cy_tied, weights = w3, alpha = 0.5, strata = g9)

# start-stop (counting-process) data: each row at risk on (start, stop]. Starts are 0 for a third of the rows,
# else a random fraction of the stop time; a few are set equal to an event time of another row (a row entering at
# an event time is not at risk for it).
start10 <- round(ifelse(runif(200) < 1 / 3, 0, runif(200, 0, 0.9) * cy[, "time"]), 6)
ev <- sort(cy[cy[, "status"] == 1, "time"])
for (i in 1:10) {
  later <- which(cy[, "time"] > ev[5 * i])
  start10[later[1]] <- ev[5 * i]
}
stopifnot(all(start10 < cy[, "time"]), any(start10 %in% ev))
ss10 <- cbind(start = start10, stop = cy[, "time"], status = cy[, "status"])
make_case("start_stop",
  paste("CoxExample rows 1-200 as start-stop data Surv(start, stop, status): stop and status CoxExample's, start 0",
        "for about a third of the rows (runif(200) < 1/3) and round(runif(200, 0, 0.9) * time, 6) otherwise",
        "(continuing the seed), then 10 starts set to event times of other rows; default grid."),
  cx, ss10)

make_case("start_stop_strata",
  paste("The start_stop data with the strata of strata_ties_weights (2 where x1 > 0 else 1), the weights of",
        "ties_weights_pf and alpha = 0.7; default grid."),
  cx, ss10, weights = w3, alpha = 0.7, strata = g9)

check_selected_cases(names(summary_tab))
tab <- do.call(rbind, summary_tab)
rownames(tab) <- NULL
cat("glmnet", as.character(packageVersion("glmnet")), "|", R.version.string, "\n")
print(tab)
