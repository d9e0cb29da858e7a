# Regenerate the committed cv.glmnet reference values (tests/reference/cv_glmnet.json) used by tests/test_cv.py.
#
# Run from the repository root:
#     Rscript tests/reference/make_cv_glmnet_reference.R
#
# Needs R with glmnet and jsonlite (Debian: apt-get install r-cran-glmnet r-cran-jsonlite).
# Each case is one cv.glmnet call with a fixed foldid (grouped = TRUE, glmnet's default), at a tight threshold so
# that the fold fits are exact to far below the 1e-3 the tests ask for. The file records the inputs, the lambda
# grid, cvm, cvsd, lambda.min and lambda.1se.

suppressMessages({
  library(glmnet)
  library(jsonlite)
})

out_dir <- file.path("tests", "reference")
if (!dir.exists(out_dir)) stop("run this script from the repository root")
source(file.path(out_dir, "reference_helpers.R"))  # jvec, jmat, jscalar, fmt_num

THRESH <- 1e-20
MAXIT <- 1e7

data(QuickStartExample, package = "glmnet", envir = environment())
qx <- unname(as.matrix(QuickStartExample$x))
qy <- as.numeric(QuickStartExample$y)
data(BinomialExample, package = "glmnet", envir = environment())
bx <- unname(as.matrix(BinomialExample$x))
by <- as.numeric(BinomialExample$y)
data(MultiGaussianExample, package = "glmnet", envir = environment())
mgx <- unname(as.matrix(MultiGaussianExample$x))
mgy <- unname(as.matrix(MultiGaussianExample$y))
data(CoxExample, package = "glmnet", envir = environment())
cx <- unname(as.matrix(CoxExample$x))[1:150, 1:10]
cy <- as.matrix(CoxExample$y)[1:150, ]          # columns time, status (cv.coxnet needs the names)
cy_tied <- cy
cy_tied[, "time"] <- ceiling(cy_tied[, "time"] * 10) / 10   # ties, some mixing events and censoring

set.seed(20261123)
fold10 <- sample(rep(seq(10), length.out = 100))
fold5 <- sample(rep(seq(5), length.out = 100))
wts <- seq(0.2, 3, length.out = 100)
cfold5 <- sample(rep(seq(5), length.out = 150))
cwts <- seq(0.3, 2, length.out = 150)

cv_case <- function(name, x, y, family, type, foldid, alpha = 1, weights = NULL, standardize = TRUE,
                    description = "", strata = NULL) {
  start_stop <- family == "cox" && ncol(y) == 3  # (start, stop, status): Surv(start, stop, status)
  sv <- if (start_stop) survival::Surv(y[, 1], y[, 2], y[, 3]) else if (family == "cox") survival::Surv(y[, 1], y[, 2])
  ys <- if (!is.null(strata)) stratifySurv(sv, strata) else if (start_stop) sv else y
  args <- list(x = x, y = ys, family = family, type.measure = type, foldid = foldid, alpha = alpha,
               standardize = standardize, thresh = THRESH, maxit = MAXIT)
  if (!is.null(weights)) args$weights <- weights
  # stratified and start-stop cox run glmnet.path, whose IRLS loop stops at glmnet.control()$epsnr (default
  # 1e-6): tightened
  irls <- !is.null(strata) || start_stop
  if (irls) glmnet.control(epsnr = 1e-14, mxitnr = 10000)
  cv <- do.call(cv.glmnet, args)
  if (irls) glmnet.control(factory = TRUE)
  list(strata = if (is.null(strata)) NULL else jvec(strata),
    name = name, description = description, family = family, type_measure = type, alpha = jscalar(alpha),
    standardize = standardize, foldid = jvec(foldid),
    weights = if (is.null(weights)) NULL else jvec(weights),
    x = jmat(x), y = if (is.matrix(y)) jmat(y) else jvec(y),
    lambda = jvec(cv$lambda), cvm = jvec(cv$cvm), cvsd = jvec(cv$cvsd),
    lambda_min = jscalar(cv$lambda.min), lambda_1se = jscalar(cv$lambda.1se),
    index_min = cv$index[1], index_1se = cv$index[2], nzero = jvec(cv$nzero)
  )
}

cases <- list(
  cv_case("gaussian_mse", qx, qy, "gaussian", "mse", fold10,
          description = "QuickStartExample, lasso, default grid, 10 folds"),
  cv_case("gaussian_mae_weights", qx, qy, "gaussian", "mae", fold5, weights = wts,
          description = "QuickStartExample, lasso, weights seq(0.2, 3), 5 folds, mean absolute error"),
  cv_case("binomial_deviance", bx, by, "binomial", "deviance", fold10,
          description = "BinomialExample, lasso, 10 folds"),
  cv_case("binomial_class", bx, by, "binomial", "class", fold5, alpha = 0.5,
          description = "BinomialExample, elastic net 0.5, 5 folds, misclassification"),
  cv_case("binomial_auc", bx, by, "binomial", "auc", fold5,
          description = "BinomialExample, lasso, 5 folds, AUC"),
  cv_case("binomial_mse_weights", bx, by, "binomial", "mse", fold5, weights = wts, standardize = FALSE,
          description = "BinomialExample, lasso, weights, no standardization, 5 folds, mse"),
  cv_case("mgaussian_mse_enet", mgx, mgy, "mgaussian", "mse", fold5, alpha = 0.5,
          description = "MultiGaussianExample (y 100 x 4), elastic net 0.5, 5 folds, mse summed over responses"),
  cv_case("cox_deviance_ties_weights", cx, cy_tied, "cox", "deviance", cfold5, alpha = 0.5, weights = cwts,
          description = paste("CoxExample rows 1-150, columns 1-10, times rounded up to 0.1 (ties), weights",
                              "seq(0.3, 2), elastic net 0.5, 5 folds, grouped partial-likelihood deviance")),
  cv_case("cox_C", cx, cy, "cox", "C", cfold5,
          description = "CoxExample rows 1-150, columns 1-10, lasso, 5 folds, Harrell's C"),
  cv_case("cox_deviance_strata", cx, cy, "cox", "deviance", cfold5, strata = rep(1:3, length.out = 150),
          description = paste("CoxExample rows 1-150, columns 1-10, strata rep(1:3, length.out = 150)",
                              "(stratifySurv), lasso, 5 folds, grouped partial-likelihood deviance")),
  cv_case("cox_deviance_start_stop", cx, cbind(start = round(cy[, "time"] * ((1:150) %% 3) / 4, 6), cy), "cox",
          "deviance", cfold5, alpha = 0.8,
          description = paste("CoxExample rows 1-150, columns 1-10, as start-stop data Surv(start, time, status)",
                              "with start = round(time * (row %% 3) / 4, 6), elastic net 0.8, 5 folds, grouped",
                              "partial-likelihood deviance"))
)
meta <- list(glmnet_version = as.character(packageVersion("glmnet")), R_version = R.version.string,
             thresh = jscalar(THRESH), maxit = jscalar(MAXIT), cases = cases)
write_reference_json(meta, file.path(out_dir, "cv_glmnet.json"))
for (cs in cases) cat(sprintf("%-22s L=%s lambda.min index %d, lambda.1se index %d\n", cs$name,
                              length(fromJSON(cs$lambda)), cs$index_min, cs$index_1se))
