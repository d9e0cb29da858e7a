# Helpers shared by the glmnet reference generators
# (make_glmnet_reference.R, make_glmnet_binomial_reference.R,
# make_glmnet_poisson_reference.R, make_cv_glmnet_reference.R).
#
# Defines functions only; sourcing this file fits and writes nothing.
# Source it from the repository root:
#     source(file.path("tests", "reference", "reference_helpers.R"))

sd_pop <- function(v) sqrt(mean((v - mean(v))^2))
rms <- function(v) sqrt(mean(v^2))

# ---------------------------------------------------------------------------
# Exact JSON numbers.  jsonlite's digits = NA stops at 15 significant digits,
# which does not always round-trip, and R's own string-to-double conversion
# (as.numeric, and jsonlite's parser) is not always correctly rounded, so a
# "shortest string that R parses back" test is unreliable.  Every number is
# therefore written with 17 significant digits (%.17g, formatted by the C
# library), which round-trips exactly under any correctly rounded parser such
# as Python's float()/json.  Integers and zero print short (e.g. 0, 2).
# +-Inf (only used in bounds) become the strings "Inf" / "-Inf".
# ---------------------------------------------------------------------------
fmt_num <- function(v) {
  if (any(is.na(v))) stop("NA/NaN not expected")
  s <- sprintf("%.17g", v)
  s[is.infinite(v)] <- ifelse(v[is.infinite(v)] > 0, "\"Inf\"", "\"-Inf\"")
  s
}
jvec <- function(v) structure(paste0("[", paste(fmt_num(v), collapse = ","), "]"),
                              class = "json")
jscalar <- function(v) structure(fmt_num(v), class = "json")
jnum <- function(v) {           # scalar stays scalar, vector stays array
  if (is.null(v)) NULL else if (length(v) == 1) jscalar(v) else jvec(v)
}
jmat <- function(m) structure(
  paste0("[", paste(apply(m, 1, function(r) paste0("[", paste(fmt_num(r), collapse = ","), "]")),
                    collapse = ","), "]"), class = "json")

# Write one reference record (a named list whose numeric payload is already
# formatted with jvec/jscalar/jmat) as a single line of JSON.  NULL fields
# (weights, penalty_factor, lower, upper) are written as null.
write_reference_json <- function(rec, path) {
  txt <- toJSON(rec, digits = NA, auto_unbox = TRUE, null = "null",
                json_verbatim = TRUE, pretty = FALSE)
  writeLines(txt, path)
}

# Read-back comparison.  R's parser may be off by an ulp (see fmt_num), so
# the check is to 1e-15 relative (Python's json reads the files back exactly).
readback_close <- function(a, b) all(dim(as.matrix(a)) == dim(as.matrix(b))) &&
  all(abs(a - b) <= 1e-15 * pmax(abs(b), 1e-300))

# ---------------------------------------------------------------------------
# KKT check of a GLM path (binomial, poisson) on glmnet's internal scale:
# w normalised to sum 1, pf to sum p, x centred at its weighted mean (when
# there is an intercept) and, if standardize, divided by its weighted
# population sd xs; b_std = b * xs.  mean_fn maps the linear predictor to the
# fitted mean (plogis, exp, ...).  With g_j = sum_i w_i x_std,ij (y_i - mu_i),
# the violation at each lambda is the distance from 0 to
#   -g_j + lam pf_j (alpha d|b_j| + (1 - alpha) b_std,j) + normal cone of the box
# divided by lambda, maximised over features.
# offset (glmnet's offset, length n) is added to the linear predictor:
# mu_i = mean_fn(offset_i + a0 + x_i b).
# ---------------------------------------------------------------------------
kkt_glm <- function(x, y, a0, beta, lambda, mean_fn, weights = NULL, pf = NULL,
                    alpha = 1, intercept = TRUE, standardize = TRUE,
                    lower = -Inf, upper = Inf, offset = NULL) {
  n <- nrow(x); p <- ncol(x)
  w <- if (is.null(weights)) rep(1, n) else weights
  w <- w / sum(w)
  pf <- if (is.null(pf)) rep(1, p) else pf
  pf <- pf * p / sum(pf)
  lower <- rep_len(lower, p); upper <- rep_len(upper, p)
  xmean <- colSums(w * x)
  xs <- if (standardize) sqrt(colSums(w * sweep(x, 2, xmean)^2)) else rep(1, p)
  xm <- if (intercept) xmean else rep(0, p)
  xstd <- sweep(sweep(x, 2, xm), 2, xs, "/")
  beta <- as.matrix(beta)
  L <- length(lambda)
  viol <- numeric(L); int <- numeric(L)
  for (l in seq_len(L)) {
    lam <- lambda[l]
    b <- beta[, l]
    eta <- a0[l] + drop(x %*% b)
    if (!is.null(offset)) eta <- offset + eta
    r <- y - mean_fn(eta)
    g <- drop(crossprod(xstd, w * r))
    smooth <- -g + lam * pf * (1 - alpha) * b * xs
    c1 <- lam * pf * alpha
    lo <- ifelse(b > 0, smooth + c1, smooth - c1)
    hi <- ifelse(b < 0, smooth - c1, smooth + c1)
    tol <- 1e-10 * pmax(1, abs(b))
    # normal cone of b <= upper is [0, Inf), of b >= lower is (-Inf, 0]
    hi[is.finite(upper) & abs(b - upper) <= tol] <- Inf
    lo[is.finite(lower) & abs(b - lower) <= tol] <- -Inf
    viol[l] <- max(pmax(0, lo, -hi)) / lam
    int[l] <- if (intercept) abs(sum(w * r)) else 0
  }
  list(kkt = max(viol), kkt_by_lambda = viol, kkt_intercept = max(int))
}

# ---------------------------------------------------------------------------
# Case selection.  Each generator takes optional case names on the command
# line, e.g.
#     Rscript tests/reference/make_glmnet_poisson_reference.R offset offset_nointercept
# and then fits and writes only those cases (the other files are left
# untouched); with no arguments it writes every case.
# ---------------------------------------------------------------------------
selected_cases <- function() commandArgs(trailingOnly = TRUE)
case_selected <- function(name) {
  only <- selected_cases()
  length(only) == 0 || name %in% only
}
check_selected_cases <- function(written) {
  unknown <- setdiff(selected_cases(), written)
  if (length(unknown)) stop("unknown case name(s): ", paste(unknown, collapse = ", "))
}

# glmnet's offset (length n, added to the linear predictor) is stored under
# "offset" right after "weights", only for cases fitted with one, so that
# the files of the other cases are unchanged.
with_offset_field <- function(rec, offset) {
  if (is.null(offset)) return(rec)
  append(rec, list(offset = jvec(offset)), after = match("weights", names(rec)))
}

# Families with K outputs (multinomial, mgaussian): an L x p x K array of a
# fit's coefficients (glmnet's beta is a list of K p x L matrices), and its
# JSON (beta[l][j][k]).
coef_array <- function(fit, p) {
  K <- length(fit$beta)
  L <- length(fit$lambda)
  arr <- array(0, c(L, p, K))
  for (k in seq_len(K)) arr[, , k] <- t(as.matrix(fit$beta[[k]]))
  arr
}
jarr3 <- function(a) structure(
  paste0("[", paste(apply(a, 1, function(m) unclass(jmat(m))), collapse = ","), "]"), class = "json")

# The tight companion of a glmnet fit: the same call at `thresh`; when that
# returns other lambdas (the default grid depends on the fit when some penalty
# factors are 0), the fit's lambdas passed explicitly. Returns the tight fit
# and how it was made (recorded as "tight_method").
tight_refit <- function(args, fit, thresh) {
  targs <- args; targs$thresh <- thresh
  tfit <- do.call(glmnet, targs)
  method <- "same call, thresh only"
  if (!identical(as.numeric(tfit$lambda), as.numeric(fit$lambda))) {
    targs$lambda <- fit$lambda
    tfit <- do.call(glmnet, targs)
    method <- "refit with lambda = returned lambda"
  }
  stopifnot(tfit$jerr == 0, identical(as.numeric(tfit$lambda), as.numeric(fit$lambda)))
  list(fit = tfit, method = method)
}
