# Worker for benchmarks/peers/glmnet_peer.py: fits glmnet paths on data passed through binary files, timing them.
# Usage: Rscript glmnet_path.R            (a server: reads one JOBDIR per line on stdin, answers "@@ok" or
#                                          "@@error <message>" on stdout; ends at end of input or "quit")
#        Rscript glmnet_path.R JOBDIR     (runs one job and exits)
# JOBDIR/job.txt   line 1: family n p n_paths n_calls thresh maxit [ny]  (ny: columns of y.bin, 1 when absent)
#                  then one line per path k (0-based): alpha n_lambdas n_rows (n_rows = 0: all rows)
# JOBDIR/X.bin     n*p float64, column-major
# JOBDIR/y.bin     n*ny float64, column-major: gaussian, binomial, poisson: y (ny = 1); multinomial: class labels
#                  0 ... K-1 (ny = 1, passed to glmnet as a factor with levels 0 ... K-1, K = max label + 1);
#                  mgaussian: the n x K response matrix (ny = K); cox: (time, status) (ny = 2)
# JOBDIR/lambda_k.bin  n_lambdas float64;  JOBDIR/rows_k.bin  n_rows int32 (1-based), when n_rows > 0
# Writes JOBDIR/coef_k.bin for the last call: a (p + 1) x n_lambdas x K float64 array, column-major, intercept
# first (K = 1 except for multinomial: classes, mgaussian: responses; cox: the intercept row is 0), NaN where
# glmnet returned fewer lambdas; and JOBDIR/times.bin (n_calls float64 seconds, each call = every path).
# glmnet is called with type.multinomial = "ungrouped" and standardize.response = FALSE (its defaults, explicit;
# ignored by the other families).
suppressMessages(library(glmnet))

readf <- function(dir, name, n, what = "double", size = 8) {
  con <- file(file.path(dir, name), "rb")
  on.exit(close(con))
  readBin(con, what, n = n, size = size)
}
writef <- function(dir, name, x) {
  con <- file(file.path(dir, name), "wb")
  on.exit(close(con))
  writeBin(as.double(x), con, size = 8)
}

cache <- new.env()  # the data of the last job directory, reused while the directory does not change

run_job <- function(dir) {
  lines <- readLines(file.path(dir, "job.txt"))
  head <- strsplit(lines[1], " ")[[1]]
  family <- head[1]
  n <- as.integer(head[2]); p <- as.integer(head[3])
  n_paths <- as.integer(head[4]); n_calls <- as.integer(head[5])
  thresh <- as.numeric(head[6]); maxit <- as.numeric(head[7])
  ny <- if (length(head) >= 8) as.integer(head[8]) else 1L
  if (!identical(cache$dir, dir)) {
    cache$x <- matrix(readf(dir, "X.bin", n * p), n, p)
    y <- readf(dir, "y.bin", n * ny)
    if (family == "multinomial") {
      y <- factor(y, levels = 0:max(y))
    } else if (ny > 1) {
      y <- matrix(y, n, ny)
      if (family == "cox") colnames(y) <- c("time", "status")
    }
    cache$y <- y
    cache$dir <- dir
  }
  x <- cache$x; y <- cache$y
  paths <- lapply(seq_len(n_paths), function(k) {
    f <- strsplit(lines[k + 1], " ")[[1]]
    nl <- as.integer(f[2]); nr <- as.integer(f[3])
    list(alpha = as.numeric(f[1]),
         lambda = readf(dir, sprintf("lambda_%d.bin", k - 1), nl),
         rows = if (nr > 0) readf(dir, sprintf("rows_%d.bin", k - 1), nr, "integer", 4) else NULL)
  })
  fit_all <- function() {
    lapply(paths, function(pa) {
      if (is.null(pa$rows)) {
        xs <- x; ys <- y
      } else {
        xs <- x[pa$rows, , drop = FALSE]
        ys <- if (is.matrix(y)) y[pa$rows, , drop = FALSE] else y[pa$rows]
      }
      glmnet(xs, ys, family = family, alpha = pa$alpha, lambda = pa$lambda, standardize = FALSE,
             thresh = thresh, maxit = maxit, type.multinomial = "ungrouped", standardize.response = FALSE)
    })
  }
  times <- numeric(n_calls)
  for (i in seq_len(n_calls)) {
    t0 <- as.numeric(Sys.time())
    fits <- suppressWarnings(fit_all())
    times[i] <- as.numeric(Sys.time()) - t0
  }
  for (k in seq_len(n_paths)) {
    nl <- length(paths[[k]]$lambda)
    cf <- coef(fits[[k]])
    if (!is.list(cf)) cf <- list(cf)  # multinomial, mgaussian: one (p + 1) x L sparse matrix per class / response
    out <- array(NaN, c(p + 1, nl, length(cf)))
    for (j in seq_along(cf)) {
      m <- as.matrix(cf[[j]])
      if (nrow(m) == p) m <- rbind(0, m)  # cox: no intercept
      out[, seq_len(ncol(m)), j] <- m
    }
    writef(dir, sprintf("coef_%d.bin", k - 1), out)
  }
  writef(dir, "times.bin", times)
}

args <- commandArgs(trailingOnly = TRUE)
if (length(args) >= 1) {
  run_job(args[1])
} else {
  input <- file("stdin", "r")
  repeat {
    line <- readLines(input, n = 1)
    if (length(line) == 0 || line == "quit") break
    msg <- tryCatch({ run_job(line); "@@ok" },
                    error = function(e) paste("@@error", gsub("\n", " ", conditionMessage(e))))
    cat(msg, "\n", sep = "")
    flush(stdout())
  }
}
