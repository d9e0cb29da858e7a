"""Benchmark harness for jaxreg: time to a certified regularization path, against glmnet, scikit-learn, celer,
skglm and adelie. See ``benchmarks/README.md``; run with ``python -m benchmarks.run``."""
