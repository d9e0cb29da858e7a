# Worker for benchmarks/peers/glmnet_peer.py: fits glmnet paths on data passed through binary files, timing them.
# Usage: Rscript glmnet_path.R            (a server: reads one JOBDIR per line on stdin, answers "@@ok" or
#                                          "@@error <message>" on stdout; ends at end of input or "quit")
#        Rscript glmnet_path.R JOBDIR     (runs one job and exits)
# JOBDIR/job.txt   line 1: family n p n_paths n_calls thresh maxit
#                  then one line per path k (0-based): alpha n_lambdas n_rows (n_rows = 0: all rows)
# JOBDIR/X.bin     n*p float64, column-major;  JOBDIR/y.bin  n float64
# JOBDIR/lambda_k.bin  n_lambdas float64;  JOBDIR/rows_k.bin  n_rows int32 (1-based), when n_rows > 0
# Writes JOBDIR/coef_k.bin ((p + 1) x n_lambdas float64, column-major, intercept first; NaN where glmnet returned
# fewer lambdas) for the last call and JOBDIR/times.bin (n_calls float64 seconds, each call = every path).
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
  if (!identical(cache$dir, dir)) {
    cache$x <- matrix(readf(dir, "X.bin", n * p), n, p)
    cache$y <- readf(dir, "y.bin", n)
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
      if (is.null(pa$rows)) { xs <- x; ys <- y } else { xs <- x[pa$rows, , drop = FALSE]; ys <- y[pa$rows] }
      glmnet(xs, ys, family = family, alpha = pa$alpha, lambda = pa$lambda, standardize = FALSE,
             thresh = thresh, maxit = maxit)
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
    out <- matrix(NaN, p + 1, nl)
    cf <- as.matrix(coef(fits[[k]]))
    out[, seq_len(ncol(cf))] <- cf
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
