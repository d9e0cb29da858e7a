# Empirical checks of glmnet's binomial (logistic) behaviour that jaxreg has
# to mirror.  Prints a report; the numbers in README.md's "Binomial" section
# come from this script.
#
# Run from the repository root (after make_glmnet_binomial_reference.R):
#     Rscript tests/reference/verify_glmnet_binomial_facts.R

suppressMessages({
  library(glmnet)
  library(jsonlite)
})

src <- readLines(file.path("tests", "reference", "make_glmnet_binomial_reference.R"))
# reuse the data set-up, kkt_binomial() and friends of the generator
# (everything before the case definitions; that part writes nothing)
eval(parse(text = src[1:(grep("^summary_tab <- list", src) - 1)]))

x <- bx; y <- by; n <- n_b; p <- p_b
fitb <- function(...) glmnet(family = "binomial", thresh = THRESH, maxit = MAXIT, ...)
say <- function(...) cat(sprintf(...), "\n", sep = "")
hdr <- function(s) cat("\n==== ", s, " ====\n", sep = "")
ref <- function(name) fromJSON(file.path(out_dir, paste0("glmnet_binomial_", name, ".json")))
ctl <- glmnet.control()
cases <- c("default", "enet", "weights_pf", "bounds", "user_lambda", "nostd")

hdr("versions and data")
say("glmnet %s, %s", as.character(packageVersion("glmnet")), R.version.string)
say("BinomialExample: n=%d, p=%d, y: %d zeros, %d ones; class(y) = %s",
    n, p, sum(y == 0), sum(y == 1), class(BinomialExample$y))
say("glmnet.control(): pmin=%g (saturation |eta| > log(1/pmin-1) = %.6f), exmx=%g, mxit=%d, fdev=%g, devmax=%g, mnlam=%d",
    ctl$pmin, sat_eta(), ctl$exmx, ctl$mxit, ctl$fdev, ctl$devmax, ctl$mnlam)

# -------------------------------------------------------------------------
hdr("early stopping of a default binomial path")
# Rule tested: stop at the first k >= mnlam with d_k - d_(k-1) < fdev
# (ABSOLUTE change; the gaussian rule is relative, d_k - d_(k-1) < fdev d_k)
# or d_k > devmax; lambda k itself is returned.
predict_L <- function(d, relative, nlambda = 100, fdev = ctl$fdev,
                      devmax = ctl$devmax, mnlam = ctl$mnlam) {
  for (k in seq_len(nlambda)) {
    if (k > length(d)) return(c(NA, NA))
    if (k < mnlam) next
    ch <- d[k] - d[k - 1]
    if (ch < fdev * (if (relative) d[k] else 1)) return(c(k, 1))
    if (d[k] > devmax) return(c(k, 2))
  }
  c(nlambda, 0)
}
why <- c("fdev", "devmax")
lab <- function(pr) if (is.na(pr[1])) "no stop by L" else
  if (pr[2] == 0) sprintf("%d (full grid)", pr[1]) else sprintf("%d (%s)", pr[1], why[pr[2]])
for (nm in setdiff(cases, "user_lambda")) {
  d <- ref(nm)$dev_ratio; L <- length(d)
  say("  %-11s L=%3d | absolute-change rule predicts %-15s | gaussian relative rule predicts %-15s | last d=%.7f, last change=%.3g",
      nm, L, lab(predict_L(d, FALSE)), lab(predict_L(d, TRUE)), d[L], d[L] - d[L - 1])
}
d <- ref("bounds")$dev_ratio; L <- length(d)
say("  bounds: change at L=%d is %.4g (relative %.4g); at L-1 it is %.4g",
    L, d[L] - d[L - 1], (d[L] - d[L - 1]) / d[L], d[L - 1] - d[L - 2])
d <- ref("default")$dev_ratio
say("  default: d[97]=%.9f, d[98]=%.9f (devmax %g); smallest change before = %.3g",
    d[97], d[98], ctl$devmax, min(diff(d)))
f0 <- fitb(x = x, y = y, lower.limits = -0.5, upper.limits = c(rep(0.8, p - 1), 0))
f1 <- fitb(x = x, y = y, lower.limits = -0.5, upper.limits = c(rep(0.8, p - 1), 1e-300))
say("  bounds case with upper[30]=0: L=%d ; upper[30]=1e-300: L=%d (zero bound turns fdev off, as for gaussian)",
    length(f0$lambda), length(f1$lambda))
glmnet.control(fdev = 1)
fa <- fitb(x = x, y = y)
glmnet.control(factory = TRUE)
say("  glmnet.control(fdev=1): L=%d (mnlam=%d)", length(fa$lambda), ctl$mnlam)
fu <- fitb(x = x, y = y, lambda = exp(seq(log(0.2), log(1e-6), length.out = 100)))
say("  user lambda 0.2 .. 1e-6 (100 values): L=%d, last d=%.7f (above devmax: no early stop)",
    length(fu$lambda), tail(fu$dev.ratio, 1))

# -------------------------------------------------------------------------
hdr("default lambda grid")
# lambda_max = max_j |sum_i w_i x_std_ij (y_i - mu_i)| / (pf_j max(alpha, 1e-3))
# over pf_j > 0; w normalised to sum 1, pf to sum p, x_std centred and scaled
# as glmnet does; mu = weighted mean of y (intercept-only fit) or the fit of
# intercept + unpenalised features; no rescaling of y.
lam_max_b <- function(x, y, alpha, w = NULL, pf = NULL, standardize = TRUE) {
  n <- nrow(x); p <- ncol(x)
  w <- if (is.null(w)) rep(1 / n, n) else w / sum(w)
  pf <- if (is.null(pf)) rep(1, p) else pf * p / sum(pf)
  xm <- colSums(w * x)
  xc <- sweep(x, 2, xm)
  xs <- if (standardize) sqrt(colSums(w * xc^2)) else rep(1, p)
  mu <- rep(sum(w * y), n)
  if (any(pf == 0)) {                 # unpenalised logistic fit (IRLS by glm)
    u <- which(pf == 0)
    g0 <- suppressWarnings(glm.fit(cbind(1, x[, u]), y, weights = w,
                                   family = binomial(), control = list(epsilon = 1e-14, maxit = 100)))
    mu <- g0$fitted.values
  }
  g <- abs(drop(crossprod(xc, w * (y - mu)))) / xs
  max(g[pf > 0] / pf[pf > 0]) / max(alpha, 1e-3)
}
for (nm in setdiff(cases, "user_lambda")) {
  r <- ref(nm)
  lm <- lam_max_b(r$x, r$y, r$alpha, w = r$weights, pf = r$penalty_factor,
                  standardize = r$standardize)
  k <- seq_along(r$lambda)
  grid <- lm * 1e-4^((k - 1) / 99)
  say("  %-11s lambda[1]=%.15g formula=%.15g rel.err=%.2g grid max rel.err=%.2g lambda[1]/(lambda[2]^2/lambda[3])-1=%.2g",
      nm, r$lambda[1], lm, r$lambda[1] / lm - 1, max(abs(r$lambda / grid - 1)),
      r$lambda[1] / (r$lambda[2]^2 / r$lambda[3]) - 1)
}
# weights_pf: lambda_max depends on the fitted unpenalised model, so it is only
# as accurate as that fit (thresh); the same call at thresh 1e-26 matches it
fw <- glmnet(x, y, family = "binomial", weights = w3 <- seq(0.2, 3, length.out = n),
             penalty.factor = c(0, 0, rep(1, p - 4), 2, 2), thresh = THRESH_TIGHT, maxit = MAXIT)
say("  weights_pf, same call at thresh=%g: lambda[1]=%.15g, rel.err vs formula=%.2g",
    THRESH_TIGHT, fw$lambda[1], fw$lambda[1] / lam_max_b(x, y, 1, w = w3, pf = c(0, 0, rep(1, p - 4), 2, 2)) - 1)
r <- ref("default")
say("  default, a0[1]=%.17g, logit(mean(y))=%.17g, all beta[1,]==0: %s",
    r$a0[1], qlogis(mean(y)), all(r$beta[1, ] == 0))
fr <- fitb(x = x, y = y, alpha = 0)
say("  ridge (alpha=0): lambda[1]=%.10g, formula with alpha->0.001: %.10g; max|beta| at lambda[1]=%.3g (solution for lambda=big, as for gaussian)",
    fr$lambda[1], lam_max_b(x, y, 0), max(abs(fr$beta[, 1])))

# -------------------------------------------------------------------------
hdr("dev_ratio and nulldev")
# dev = -2 sum_i w_raw_i [y_i log q_i + (1-y_i) log(1-q_i)], q = p clamped to
# [pmin, 1-pmin]; nulldev the same with q = weighted mean of y (intercept)
bdev <- function(y, q, w) -2 * sum(w * (y * log(q) + (1 - y) * log(1 - q)))
clampq <- function(q) pmin(pmax(q, ctl$pmin), 1 - ctl$pmin)
# exact deviance from eta, without rounding plogis(eta) to 1
bdev_eta <- function(y, eta, w) -2 * sum(w * (y * plogis(eta, log.p = TRUE) +
                                              (1 - y) * plogis(-eta, log.p = TRUE)))
for (nm in cases) {
  r <- ref(nm)
  w <- if (is.null(r$weights)) rep(1, n) else r$weights
  ybar <- sum(w * r$y) / sum(w)
  nd <- bdev(r$y, rep(ybar, n), w)
  eta <- sapply(seq_along(r$lambda), function(l) r$a0[l] + drop(r$x %*% r$beta[l, ]))
  dr_c <- apply(eta, 2, function(e) 1 - bdev(r$y, clampq(plogis(e)), w) / nd)
  dr_u <- apply(eta, 2, function(e) 1 - bdev_eta(r$y, e, w) / nd)
  say("  %-11s nulldev=%.12g, formula (raw weights)=%.12g | max|dev_ratio - clamped formula|=%.2g, exact (unclamped) deviance: max diff %.2g",
      nm, r$nulldev, nd, max(abs(r$dev_ratio - dr_c)), max(abs(r$dev_ratio - dr_u)))
}
r <- ref("weights_pf")
say("  weights_pf: nulldev uses the raw weights (%.10g); with weights rescaled to sum n it would be %.10g",
    r$nulldev, bdev(r$y, rep(sum(r$weights * r$y) / sum(r$weights), n), r$weights * n / sum(r$weights)))
fni <- fitb(x = x, y = y, intercept = FALSE)
xs0 <- sqrt(colMeans(sweep(x, 2, colMeans(x))^2))
say("  intercept=FALSE: nulldev=%.12g, 2 n log 2=%.12g (null model p = 1/2); lambda[1]=%.15g, max_j |x_j'(y-1/2)|/(n xs_j) (x not centred, xs centred sd): rel.err %.2g; L=%d",
    fni$nulldev, 2 * n * log(2), fni$lambda[1],
    fni$lambda[1] / max(abs(crossprod(x, y - 0.5)) / n / xs0) - 1, length(fni$lambda))
dn <- fni$dev.ratio
say("  intercept=FALSE path end: absolute rule predicts %s (last d=%.7f)", lab(predict_L(dn, FALSE)), tail(dn, 1))

# -------------------------------------------------------------------------
hdr("saturation: probabilities beyond |eta| > log(1/pmin - 1) are set to 0/1")
r <- ref("default")
tb <- t(r$beta_tight)
first_sat <- which(r$n_saturated_tight > 0)[1]
kd <- kkt_binomial(x, y, r$a0_tight, tb, r$lambda)
ks <- kkt_binomial(x, y, r$a0_tight, tb, r$lambda, saturate_at = sat_eta())
# alternative hypothesis: probabilities clamped to [pmin, 1-pmin]
kc <- {
  w <- rep(1 / n, n); xc <- sweep(x, 2, colMeans(x)); xs <- sqrt(colMeans(xc^2))
  sapply(seq_along(r$lambda), function(l) {
    b <- tb[, l]; q <- clampq(plogis(r$a0_tight[l] + drop(x %*% b)))
    g <- drop(crossprod(xc, w * (y - q))) / xs
    v <- ifelse(b != 0, abs(-g + r$lambda[l] * sign(b)), pmax(0, abs(g) - r$lambda[l]))
    max(v) / r$lambda[l]
  })
}
say("  default, tight fit: first lambda with a saturated observation: index %d; max |eta| on the path %.1f",
    first_sat, max(abs(sapply(seq_along(r$lambda), function(l) r$a0_tight[l] + drop(x %*% tb[, l])))))
say("  KKT (rel. to lambda), lambdas before it: documented %.2g, saturated %.2g",
    max(kd$kkt_by_lambda[1:(first_sat - 1)]), max(ks$kkt_by_lambda[1:(first_sat - 1)]))
say("  KKT from it on:  documented %.2g, saturated rule %.2g, clamp-to-[pmin,1-pmin] rule %.2g",
    max(kd$kkt_by_lambda[first_sat:length(r$lambda)]),
    max(ks$kkt_by_lambda[first_sat:length(r$lambda)]), max(kc[first_sat:length(r$lambda)]))
for (nm in cases) {
  r <- ref(nm)
  say("  %-11s max saturated obs %2d | KKT tight: documented %.2g, saturated %.2g | unsat fit (pmin=%g): KKT %.2g, max|beta_tight-beta_unsat|=%.2g, max|a0 diff|=%.2g",
      nm, max(r$n_saturated_tight), r$kkt_max_violation_rel_tight,
      r$kkt_max_violation_rel_saturated_tight, PMIN_UNSAT, r$kkt_max_violation_rel_unsat,
      r$max_abs_diff_beta_tight_vs_unsat, r$max_abs_diff_a0_tight_vs_unsat)
}
thr <- c(1e-18, 1e-22, 1e-26, 1e-30, 1e-32, 1e-34)
for (t in thr) {
  ft <- suppressWarnings(glmnet(x, y, family = "binomial", thresh = t, maxit = MAXIT,
                                lambda = ref("default")$lambda))
  if (ft$jerr != 0) { say("  thresh=%g: jerr=%d (no convergence; glmnet returns %d lambdas)", t, ft$jerr, length(ft$lambda)); next }
  k1 <- kkt_binomial(x, y, as.numeric(ft$a0), as.matrix(ft$beta), ft$lambda, saturate_at = sat_eta())
  k0 <- kkt_binomial(x, y, as.numeric(ft$a0), as.matrix(ft$beta), ft$lambda)
  say("  default lambdas, thresh=%g: KKT documented %.2g, saturated %.2g, max|beta - beta_tight(1e-26)|=%.2g",
      t, k0$kkt, k1$kkt, max(abs(as.matrix(ft$beta) - t(ref("default")$beta_tight))))
}
glmnet.control(pmin = 1e-20)
fp <- fitb(x = x, y = y)
glmnet.control(factory = TRUE)
say("  default grid with glmnet.control(pmin = 1e-20): L=%d, dev.ratio NaN at %d lambdas (no devmax stop)",
    length(fp$lambda), sum(is.nan(fp$dev.ratio)))

# -------------------------------------------------------------------------
hdr("no y / lambda rescaling for binomial (alpha < 1)")
for (nm in c("enet", "nostd")) {
  r <- ref(nm)
  k1 <- kkt_binomial(r$x, r$y, r$a0_tight, t(r$beta_tight), r$lambda, alpha = r$alpha,
                     standardize = r$standardize, saturate_at = sat_eta())
  # the gaussian convention would divide the ridge term by ys = sd_pop(y)
  ys <- sd_pop(r$y)
  k2 <- {
    xc <- sweep(r$x, 2, colMeans(r$x)); xs <- if (r$standardize) sqrt(colMeans(xc^2)) else rep(1, p)
    max(sapply(seq_along(r$lambda), function(l) {
      b <- r$beta_tight[l, ]; eta <- r$a0_tight[l] + drop(r$x %*% b)
      q <- fitted_prob(eta, sat_eta())
      g <- drop(crossprod(xc, (r$y - q) / n)) / xs
      h <- -g + r$lambda[l] * (1 - r$alpha) * b * xs / ys
      c1 <- r$lambda[l] * r$alpha
      max(ifelse(b != 0, abs(h + c1 * sign(b)), pmax(0, abs(h) - c1))) / r$lambda[l]
    }))
  }
  say("  %-6s alpha=%.1f: KKT with the documented ridge term %.2g ; with ridge term / sd_pop(y) (=%.4f) %.2g",
      nm, r$alpha, k1$kkt, ys, k2)
}

# -------------------------------------------------------------------------
hdr("weights and penalty factors are normalised")
w3 <- seq(0.2, 3, length.out = n); pf3 <- c(0, 0, rep(1, p - 4), 2, 2)
fa <- fitb(x = x, y = y, weights = w3, penalty.factor = pf3)
cmp <- function(lab, fb) say("  %-32s same L: %s, max|dlambda/lambda|=%.2g, max|dbeta|=%.2g, nulldev ratio=%.6g",
  lab, length(fb$lambda) == length(fa$lambda), max(abs(fb$lambda / fa$lambda - 1)),
  max(abs(as.matrix(fb$beta) - as.matrix(fa$beta))), fb$nulldev / fa$nulldev)
cmp("weights * 3", fitb(x = x, y = y, weights = 3 * w3, penalty.factor = pf3))
cmp("weights / sum(weights)", fitb(x = x, y = y, weights = w3 / sum(w3), penalty.factor = pf3))
cmp("penalty.factor * 2", fitb(x = x, y = y, weights = w3, penalty.factor = 2 * pf3))

# -------------------------------------------------------------------------
hdr("how y is read")
f <- fitb(x = x, y = y)
cmpy <- function(lab, g, sgn = 1) say("  %-44s L=%d, max|beta - %s beta(0/1)|=%.2g, max|a0 diff|=%.2g, classnames: %s",
  lab, length(g$lambda), if (sgn > 0) "" else "-", max(abs(as.matrix(g$beta) - sgn * as.matrix(f$beta))),
  max(abs(g$a0 - sgn * f$a0)), paste(g$classnames, collapse = ","))
cmpy("y numeric 0/1", f)
cmpy("factor(y, labels = c(\"neg\", \"pos\"))", fitb(x = x, y = factor(y, labels = c("neg", "pos"))))
cmpy("character ifelse(y == 1, \"b\", \"a\")", fitb(x = x, y = ifelse(y == 1, "b", "a")))
cmpy("factor, levels reordered c(\"pos\", \"neg\")", fitb(x = x, y = factor(ifelse(y == 1, "pos", "neg"), levels = c("pos", "neg"))), -1)
cmpy("numeric y + 1 (values 1/2)", fitb(x = x, y = y + 1))
cmpy("two-column matrix cbind(1 - y, y)", fitb(x = x, y = cbind(1 - y, y)))
cmpy("1 - y", fitb(x = x, y = 1 - y), -1)
r <- ref("default"); l <- 30
say("  a0 is the intercept of eta = a0 + x beta (original x scale, log-odds of the 2nd class): max|predict(type=link) - (a0 + x beta)| at lambda %d = %.2g",
    l, max(abs(predict(f, x, s = f$lambda[l], type = "link") - (f$a0[l] + x %*% f$beta[, l]))))

# -------------------------------------------------------------------------
hdr("bounds")
r <- ref("bounds")
B <- r$beta; lo <- r$lower; up <- r$upper
say("  max(beta - upper)=%.2g, max(lower - beta)=%.2g; entries within 1e-10 of a bound: %d, exactly equal: %d",
    max(B - up), max(lo - B), sum(abs(B - up) <= 1e-10 | abs(B - lo) <= 1e-10),
    sum(B == up | B == lo))
ba <- r$bound_activity
for (i in seq_len(nrow(ba))) say("  feature %2d at %s bound %g: %d lambdas from index %d",
  ba$feature[i], ba$side[i], ba$bound[i], ba$n_lambdas[i], ba$first_index[i])

# -------------------------------------------------------------------------
hdr("df")
for (nm in cases) {
  r <- ref(nm)
  say("  %-11s df == number of nonzero beta: %s", nm, all(r$df == rowSums(r$beta != 0)))
}
