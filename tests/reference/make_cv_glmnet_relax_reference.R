# Regenerate the committed cv.glmnet(relax = TRUE) reference values (tests/reference/cv_glmnet_relax.json) used
# by tests/test_cv_relax.py.
#
# Run from the repository root:
#     Rscript tests/reference/make_cv_glmnet_relax_reference.R
#
# Needs R with glmnet and jsonlite (Debian: apt-get install r-cran-glmnet r-cran-jsonlite).
# Each case is one cv.glmnet(..., relax = TRUE, gamma = GAMMAS) call with a fixed foldid at a tight threshold
# (the relaxed refits inherit it): 1e-20, but 1e-12 for binomial, where from 1e-14 down one fold's relaxed refit
# fails to converge in glmnet (error code -1 at its single lambda = 0). What cv.glmnet does there (glmnet 4.1-6, cv.relaxed.raw): every fold is a
# glmnet(relax = TRUE) fit on its training rows (its own default grid, maxp = its number of rows - 3); for each
# gamma its held-out predictions are predict(fold_fit, s = full-data lambda, gamma = gamma) (linear interpolation
# in lambda, a lambda left out of the fold's relaxed fits takes the last kept one's); cvm and cvsd per gamma are
# cv.glmnet's usual statistics (statlist). The pair (gamma, lambda) with the smallest cvm wins, ties going to the
# largest lambda and then the largest gamma; the 1se pair is the largest lambda (then gamma) whose cvm is within
# cvsd of that minimum (getOptcv.relaxed). cvm, cvsd, lambda.min and lambda.1se of the object itself are those of
# gamma = 1 (the penalized fits). coef(cv) defaults to s = "lambda.1se" with gamma = gamma.1se (coef.cv.relaxed).
#
# Layout: one record per case with the inputs (x, y, family, type_measure, foldid, weights, lambda_min_ratio),
# gammas, lambda, cvm, cvsd (gamma = 1), relaxed_cvm and relaxed_cvsd (G x L), relaxed_lambda_min,
# relaxed_lambda_1se, relaxed_gamma_min, relaxed_gamma_1se, relaxed_index (1-based rows min, 1se; columns lambda,
# gamma) and coef_1se (intercept first, coef(cv) at its defaults).

suppressMessages({
  library(glmnet)
  library(jsonlite)
})

out_dir <- file.path("tests", "reference")
if (!dir.exists(out_dir)) stop("run this script from the repository root")
source(file.path(out_dir, "reference_helpers.R"))  # jvec, jmat, jscalar, fmt_num

THRESH <- 1e-20
MAXIT <- 1e7
GAMMAS <- c(0, 0.25, 0.5, 0.75, 1)

data(QuickStartExample, package = "glmnet", envir = environment())
qx <- unname(as.matrix(QuickStartExample$x))
qy <- as.numeric(QuickStartExample$y)
data(BinomialExample, package = "glmnet", envir = environment())
bx <- unname(as.matrix(BinomialExample$x))
by <- as.numeric(BinomialExample$y)

set.seed(20261205)
fold10 <- sample(rep(seq(10), length.out = 100))
fold5 <- sample(rep(seq(5), length.out = 100))
wts <- seq(0.2, 3, length.out = 100)

cv_case <- function(name, x, y, family, type, foldid, weights = NULL, lambda_min_ratio = NULL,
                    thresh = THRESH, description = "") {
  args <- list(x = x, y = y, family = family, type.measure = type, foldid = foldid, relax = TRUE,
               gamma = GAMMAS, thresh = thresh, maxit = MAXIT)
  if (!is.null(weights)) args$weights <- weights
  if (!is.null(lambda_min_ratio)) args$lambda.min.ratio <- lambda_min_ratio
  set.seed(1)                  # relax.glmnet draws rnorm() to label active sets
  cv <- withCallingHandlers(do.call(cv.glmnet, args),
                            warning = function(w) stop("glmnet warned: ", conditionMessage(w)))
  rel <- cv$relaxed
  stat <- function(field) t(sapply(rel$statlist, function(st) st[[field]]))
  list(
    name = name, description = description, family = family, type_measure = type, thresh = jscalar(thresh),
    foldid = jvec(foldid), weights = if (is.null(weights)) NULL else jvec(weights),
    lambda_min_ratio = if (is.null(lambda_min_ratio)) NULL else jscalar(lambda_min_ratio),
    x = jmat(x), y = jvec(y), gammas = jvec(rel$gamma),
    lambda = jvec(cv$lambda), cvm = jvec(cv$cvm), cvsd = jvec(cv$cvsd),
    relaxed_cvm = jmat(stat("cvm")), relaxed_cvsd = jmat(stat("cvsd")),
    relaxed_lambda_min = jscalar(rel$lambda.min), relaxed_lambda_1se = jscalar(rel$lambda.1se),
    relaxed_gamma_min = jscalar(rel$gamma.min), relaxed_gamma_1se = jscalar(rel$gamma.1se),
    relaxed_index = jmat(rel$index), coef_1se = jvec(as.numeric(coef(cv)))
  )
}

cases <- list(
  cv_case("gaussian_mse", qx, qy, "gaussian", "mse", fold10,
          description = "QuickStartExample, lasso, default grid, 10 folds, relax = TRUE"),
  cv_case("gaussian_mae_weights", qx, qy, "gaussian", "mae", fold5, weights = wts,
          description = "QuickStartExample, weights seq(0.2, 3), 5 folds, mean absolute error, relax = TRUE"),
  cv_case("binomial_deviance", bx, by, "binomial", "deviance", fold5, lambda_min_ratio = 0.35, thresh = 1e-12,
          description = paste("BinomialExample, lambda.min.ratio 0.35 (from 0.3 down two folds' relaxed refits",
                              "are separable: no maximum likelihood, each solver stops elsewhere), 5 folds, relax = TRUE"))
)
meta <- list(glmnet_version = as.character(packageVersion("glmnet")), R_version = R.version.string,
             thresh = jscalar(THRESH), maxit = jscalar(MAXIT), cases = cases)
write_reference_json(meta, file.path(out_dir, "cv_glmnet_relax.json"))
for (cs in cases) {
  idx <- fromJSON(cs$relaxed_index)
  cat(sprintf("%-22s L=%d relaxed min (lambda %d, gamma %g), 1se (lambda %d, gamma %g)\n", cs$name,
              length(fromJSON(cs$lambda)), idx[1, 1], fromJSON(cs$relaxed_gamma_min), idx[2, 1],
              fromJSON(cs$relaxed_gamma_1se)))
}
