# Helpers shared by the glmnet reference generators
# (make_glmnet_reference.R, make_glmnet_binomial_reference.R).
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
