# Regenerate the committed glmnet *binomial* (logistic) reference values used
# by the Python tests.
#
# Run from the repository root:
#     Rscript tests/reference/make_glmnet_binomial_reference.R
#
# Needs R with the glmnet and jsonlite packages
# (Debian: apt-get install r-cran-glmnet r-cran-jsonlite).
# Writes tests/reference/glmnet_binomial_<case>.json, one file per case, and
# prints a summary (number of lambdas, KKT violations, why the path ended).
# All fits are family = "binomial" on glmnet's data(BinomialExample).
# The gaussian cases are written by make_glmnet_reference.R; both scripts
# share the JSON helpers in reference_helpers.R.
# Case names given on the command line restrict the run to those cases, e.g.
#     Rscript tests/reference/make_glmnet_binomial_reference.R offset
# writes only glmnet_binomial_offset.json.

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
# Tight companion fit.  1e-26 as for the gaussian cases; glmnet's binomial
# solver still converges there (it gives up at the first lambda from about
# thresh = 1e-34 on, see README).
THRESH_TIGHT <- 1e-26
# pmin used for the "unsaturated" fit (see below); any value below ~1e-36 puts
# the saturation point log(1/pmin - 1) beyond every |eta| reached here.
PMIN_UNSAT <- 1e-100

data(BinomialExample, package = "glmnet", envir = environment())
bx <- unname(as.matrix(BinomialExample$x))
by <- as.numeric(BinomialExample$y)            # 0/1
n_b <- nrow(bx)
p_b <- ncol(bx)
stopifnot(all(by %in% c(0, 1)))

# ---------------------------------------------------------------------------
# Saturation.  glmnet's binomial solver (glmnet.control()$pmin = 1e-9) treats
# a fitted probability as exactly 0 or 1 once |eta| > log(1/pmin - 1)
# (about 20.72): such an observation then has zero IRLS weight and residual
# y - {0 or 1}.  Its solution therefore satisfies the KKT conditions of the
# documented objective only up to the size of the ignored probabilities
# (< 1e-9 each), which shows up as a plateau of ~1e-6 relative violation in
# the saturated tail of a path, no matter how small thresh is.  Both the
# documented KKT check and the check with glmnet's saturation rule are
# reported (verify_glmnet_binomial_facts.R shows the rule).
# ---------------------------------------------------------------------------
sat_eta <- function(pmin = glmnet.control()$pmin) log(1 / pmin - 1)

fitted_prob <- function(eta, saturate_at = NULL) {
  pr <- plogis(eta)
  if (!is.null(saturate_at)) {
    pr[eta > saturate_at] <- 1
    pr[eta < -saturate_at] <- 0
  }
  pr
}

# ---------------------------------------------------------------------------
# KKT check on glmnet's internal scale (binomial).
#
# Weights w normalised to sum 1, penalty factors to sum p, x centred at its
# weighted mean (intercept = TRUE) and divided by its weighted population sd
# (standardize = TRUE), b_std = b * xs.  Objective (no rescaling of y or
# lambda for the binomial family):
#   -sum_i w_i [y_i eta_i - log(1 + exp(eta_i))]
#     + lambda sum_j pf_j [(1 - alpha)/2 b_std_j^2 + alpha |b_std_j|]
# Stationarity for feature j:
#   0 in -g_j + lambda pf_j (alpha d|b_j| + (1 - alpha) b_std_j) + N_j,
# with g_j = sum_i w_i x_std_ij (y_i - p_i) and N_j the normal cone of the
# box (bounds apply to the original-scale b).  The violation is the distance
# from 0 to that set divided by lambda; the maximum over features and lambdas
# is reported.  Intercept condition: |sum_i w_i (y_i - p_i)| (y is 0/1, so
# this is already on the probability scale).
# saturate_at = NULL: the documented objective (p = plogis(eta));
# saturate_at = sat_eta(): glmnet's rule (p = 0/1 beyond +-saturate_at).
# With an offset o (passed on to kkt_glm) eta = o + a0 + x b, and the
# saturation rule applies to that full eta.
# ---------------------------------------------------------------------------
kkt_binomial <- function(x, y, a0, beta, lambda, ..., saturate_at = NULL)
  kkt_glm(x, y, a0, beta, lambda, function(eta) fitted_prob(eta, saturate_at), ...)

# Which features sit at a (finite, nonzero) bound, for how many lambdas and
# from which (1-based) lambda index on.
bound_activity <- function(beta, lower, upper) {
  p <- nrow(beta)
  lower <- rep_len(lower, p); upper <- rep_len(upper, p)
  out <- list()
  for (j in seq_len(p)) for (side in c("lower", "upper")) {
    bd <- if (side == "lower") lower[j] else upper[j]
    if (!is.finite(bd) || bd == 0) next
    hit <- abs(beta[j, ] - bd) <= 1e-10 * max(1, abs(bd))
    if (any(hit)) out[[length(out) + 1]] <- list(
      feature = j, side = side, bound = bd, n_lambdas = sum(hit),
      first_index = which(hit)[1])
  }
  out
}

# Why a path ended (glmnet.control() defaults; see README "Binomial").  For
# binomial the fdev test is on the absolute change of the deviance ratio
# (the gaussian one is relative), checked from the mnlam-th lambda on.
stop_reason <- function(d, nlambda, user_lambda) {
  ctl <- glmnet.control()
  L <- length(d)
  if (user_lambda) return(if (L == nlambda) "user lambda: no early stopping" else "user lambda: stopped early?")
  if (L == nlambda) return("ran the full grid")
  if (L < ctl$mnlam) return("stopped before mnlam?")
  if (d[L] > ctl$devmax) return(sprintf("devmax: dev_ratio %.7f > %g", d[L], ctl$devmax))
  if (d[L] - d[L - 1] < ctl$fdev)
    return(sprintf("fdev: dev_ratio change %.3g < %g", d[L] - d[L - 1], ctl$fdev))
  "unexplained"
}

summary_tab <- list()

make_case <- function(name, description, x, y, alpha = 1, weights = NULL,
                      pf = NULL, lower = NULL, upper = NULL, intercept = TRUE,
                      standardize = TRUE, lambda = NULL, offset = NULL) {
  if (!case_selected(name)) return(invisible(NULL))
  args <- list(x = x, y = y, family = "binomial", alpha = alpha,
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
  kkt <- function(f, saturate_at = NULL)
    kkt_binomial(x, y, as.numeric(f$a0), as.matrix(f$beta), f$lambda,
                 weights = weights, pf = pf, alpha = alpha,
                 intercept = intercept, standardize = standardize,
                 lower = lo_k, upper = up_k, saturate_at = saturate_at,
                 offset = offset)
  off0 <- if (is.null(offset)) 0 else offset
  chk <- kkt(fit)
  chk_sat <- kkt(fit, sat_eta())

  # Tight companion fit: same call with only thresh changed, or, if the
  # lambdas then differ (lambda_max depends on a fitted unpenalised model
  # when some penalty factors are 0), the same lambdas passed explicitly.
  tight <- tight_refit(args, fit, THRESH_TIGHT)
  tfit <- tight$fit; tight_method <- tight$method
  tbeta <- as.matrix(tfit$beta)
  tchk <- kkt(tfit)
  tchk_sat <- kkt(tfit, sat_eta())
  eta_t <- sapply(seq_len(L), function(l) off0 + tfit$a0[l] + drop(x %*% tbeta[, l]))
  n_sat <- colSums(abs(eta_t) > sat_eta())

  # "Unsaturated" fit: glmnet at the same lambdas and THRESH_TIGHT, with
  # glmnet.control(pmin = PMIN_UNSAT) so that no probability is saturated.
  # This is the solution of the documented objective (its KKT check below is
  # at rounding level).  Its dev.ratio is NaN in glmnet (1 - pmin rounds to
  # 1 in the deviance), so only a0 and beta are stored.
  uargs <- args; uargs$thresh <- THRESH_TIGHT; uargs$lambda <- fit$lambda
  glmnet.control(pmin = PMIN_UNSAT)
  ufit <- tryCatch(do.call(glmnet, uargs), finally = glmnet.control(factory = TRUE))
  stopifnot(ufit$jerr == 0, identical(as.numeric(ufit$lambda), as.numeric(fit$lambda)),
            glmnet.control()$pmin == 1e-9)
  ubeta <- as.matrix(ufit$beta)
  uchk <- kkt(ufit)
  eta_u <- sapply(seq_len(L), function(l) off0 + ufit$a0[l] + drop(x %*% ubeta[, l]))
  stopifnot(max(abs(eta_u)) < sat_eta(PMIN_UNSAT))

  bact <- if (is.null(lower) && is.null(upper)) list() else bound_activity(tbeta, lo_k, up_k)
  nlambda <- if (is.null(lambda)) 100 else length(lambda)
  reason <- stop_reason(fit$dev.ratio, nlambda, !is.null(lambda))

  rec <- list(
    case = name,
    description = description,
    family = "binomial",
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
    # KKT of the documented objective (plateaus in the saturated tail) and
    # with glmnet's saturation rule (what the solver actually converges to)
    kkt_max_violation_rel = chk$kkt,
    kkt_max_violation_rel_saturated = chk_sat$kkt,
    kkt_intercept_max = chk$kkt_intercept,
    kkt_note = "all lambdas; *_saturated: probabilities set to 0/1 where |eta| > saturation_eta, as glmnet does",
    saturation_eta = jscalar(sat_eta()),
    # same path at thresh = THRESH_TIGHT: use for tight comparisons with glmnet
    thresh_tight = THRESH_TIGHT,
    tight_method = tight_method,
    a0_tight = jvec(as.numeric(tfit$a0)),
    beta_tight = jmat(t(tbeta)),
    dev_ratio_tight = jvec(tfit$dev.ratio),
    df_tight = unname(as.integer(tfit$df)),
    kkt_max_violation_rel_tight = tchk$kkt,
    kkt_max_violation_rel_saturated_tight = tchk_sat$kkt,
    kkt_intercept_max_tight = tchk$kkt_intercept,
    kkt_intercept_max_saturated_tight = tchk_sat$kkt_intercept,
    n_saturated_tight = unname(as.integer(n_sat)),
    max_abs_diff_beta_vs_tight = max(abs(tbeta - beta)),
    max_abs_diff_a0_vs_tight = max(abs(tfit$a0 - fit$a0)),
    # same lambdas, THRESH_TIGHT, no saturation: solves the documented
    # objective (compare a solver that does not saturate against these)
    unsat_method = sprintf("glmnet.control(pmin = %g), lambda = returned lambda, thresh = thresh_tight", PMIN_UNSAT),
    a0_unsat = jvec(as.numeric(ufit$a0)),
    beta_unsat = jmat(t(ubeta)),
    kkt_max_violation_rel_unsat = uchk$kkt,
    kkt_intercept_max_unsat = uchk$kkt_intercept,
    max_abs_diff_beta_tight_vs_unsat = max(abs(tbeta - ubeta)),
    max_abs_diff_a0_tight_vs_unsat = max(abs(tfit$a0 - ufit$a0)),
    bound_activity = bact,
    glmnet_version = as.character(packageVersion("glmnet")),
    R_version = R.version.string
  )
  rec <- with_offset_field(rec, offset)
  path <- file.path(out_dir, paste0("glmnet_binomial_", name, ".json"))
  write_reference_json(rec, path)

  back <- fromJSON(path, simplifyVector = TRUE)
  close <- readback_close
  stopifnot(close(back$x, x), close(back$y, as.numeric(y)),
            close(back$lambda, fit$lambda), close(back$a0, as.numeric(fit$a0)),
            close(back$beta, t(beta)), close(back$dev_ratio, fit$dev.ratio),
            close(back$beta_tight, t(tbeta)), close(back$a0_tight, as.numeric(tfit$a0)),
            close(back$beta_unsat, t(ubeta)), close(back$a0_unsat, as.numeric(ufit$a0)))
  stopifnot(is.null(offset) == is.null(back$offset), is.null(offset) || close(back$offset, offset))

  summary_tab[[name]] <<- data.frame(
    case = name, L = L,
    kkt = signif(chk$kkt, 3), kkt_sat = signif(chk_sat$kkt, 3),
    kkt_t = signif(tchk$kkt, 3), kkt_sat_t = signif(tchk_sat$kkt, 3),
    kkt_unsat = signif(uchk$kkt, 3),
    int_t = signif(tchk$kkt_intercept, 3),
    int_sat_t = signif(tchk_sat$kkt_intercept, 3),
    tight = if (tight_method == "same call, thresh only") "same" else "refit",
    d_beta_t = signif(max(abs(tbeta - beta)), 3),
    d_beta_unsat = signif(max(abs(tbeta - ubeta)), 3),
    n_sat_max = max(n_sat),
    size_kb = round(file.size(path) / 1024, 1))
  cat(sprintf("%-22s L=%3d  path end: %s\n", name, L, reason))
  for (b in bact) cat(sprintf("    feature %2d at %s bound %g for %d lambdas from index %d\n",
                              b$feature, b$side, b$bound, b$n_lambdas, b$first_index))
  invisible(fit)
}

# ---------------------------------------------------------------------------
# Cases (all on BinomialExample: x 100 x 30, y 0/1 with 44 zeros, 56 ones)
# ---------------------------------------------------------------------------

# 1. defaults (default grid + early stopping)
make_case("default",
  "glmnet(x, y, family=\"binomial\") on BinomialExample, all defaults (alpha=1, standardize, intercept, nlambda=100, lambda.min.ratio=1e-4); checks the default lambda grid and early stopping (devmax) of a binomial path.",
  bx, by)

# 2. elastic net
make_case("enet",
  "alpha=0.5 on BinomialExample (raw 0/1 y: glmnet does not rescale y or lambda for binomial); default grid.",
  bx, by, alpha = 0.5)

# 3. observation weights and penalty factors
w3 <- seq(0.2, 3, length.out = n_b)
pf3 <- c(0, 0, rep(1, 26), 2, 2)
make_case("weights_pf",
  "alpha=1, weights=seq(0.2,3,length.out=100), penalty.factor=c(0,0,rep(1,26),2,2) (features 1-2 unpenalised, 29-30 doubled); default grid. glmnet normalises weights to sum 1 and penalty factors to sum p.",
  bx, by, weights = w3, pf = pf3)

# 4. scalar box constraints
make_case("bounds",
  "alpha=1, lower.limits=-0.5, upper.limits=0.8 (scalars, on the original scale); default grid. Many bounds become active (see bound_activity); the path ends by the fdev rule.",
  bx, by, lower = -0.5, upper = 0.8)

# 5. user lambda sequence
lam5 <- exp(seq(log(0.2), log(0.002), length.out = 25))
make_case("user_lambda",
  "alpha=1 with user lambda = exp(seq(log(0.2), log(0.002), length.out=25)) on BinomialExample; no early stopping with a user-given sequence.",
  bx, by, lambda = lam5)

# 6. no standardisation
make_case("nostd",
  "standardize=FALSE, alpha=0.9 on BinomialExample; default grid.",
  bx, by, alpha = 0.9, standardize = FALSE)

# 7. offset
set.seed(2024)
off7 <- signif(0.3 * rnorm(n_b), 12)
make_case("offset",
  "offset = 0.3 * rnorm(100) after set.seed(2024) (rounded to 12 significant digits; stored under \"offset\") on BinomialExample, otherwise all defaults; default grid. The linear predictor is offset + a0 + x b; glmnet's null model (nulldev, lambda_max, dev.ratio) is the intercept-only fit with the offset.",
  bx, by, offset = off7)

check_selected_cases(names(summary_tab))
tab <- do.call(rbind, summary_tab)
rownames(tab) <- NULL
cat("glmnet", as.character(packageVersion("glmnet")), "|", R.version.string, "\n")
print(tab)
