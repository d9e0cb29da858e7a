#!/usr/bin/env bash
# Run the benchmark on a machine with an NVIDIA GPU: the same harness and metric as on CPU, with jaxreg on the GPU
# in float64 (`jaxreg`) and float32 (`jaxreg-f32`), the CPU peers on the host's cores, and every problem, including
# `big`, `wider` and `batch-cv`. Then the scaling study. Results go to benchmarks/results/gpu/ (RESULTS.md there),
# so the CPU results in benchmarks/RESULTS.md are not overwritten.
#
# Requirements on the GPU machine (see benchmarks/README.md, "On a GPU"):
#   python -m venv .venv && .venv/bin/pip install -e ".[bench]" "jax[cuda12]"
#   optional: R with glmnet (apt-get install r-cran-glmnet); adelie in .venv-adelie (it pins numpy<2)
#
# Usage:  benchmarks/gpu.sh [extra arguments for benchmarks.run, e.g. --problems big,wider]
# Env:    PYTHON (default .venv/bin/python), OUT (default benchmarks/results/gpu), SOLVERS, SKIP_SCALING=1
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
OUT=${OUT:-benchmarks/results/gpu}
SOLVERS=${SOLVERS:-jaxreg,jaxreg-f32,sklearn,celer,skglm,glmnet,adelie}
mkdir -p "$OUT"

# Refuse to produce "GPU" numbers on a CPU: JAX must see a GPU.
"$PYTHON" - <<'PY'
import sys
import jax
d = jax.devices()[0]
print(f"JAX {jax.__version__}: {d.platform} {getattr(d, 'device_kind', d)} ({len(jax.devices())} device(s))")
if d.platform != "gpu":
    sys.exit("JAX sees no GPU: install jax[cuda12] (pip install 'jax[cuda12]') and check nvidia-smi.")
PY
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv || true

# The device is recorded in results.json (machine.jax_device, machine.gpus) and in RESULTS.md.
# XLA_PYTHON_CLIENT_PREALLOCATE=false: allocate GPU memory on demand, so the gap checks on the host are not starved.
export XLA_PYTHON_CLIENT_PREALLOCATE=false
"$PYTHON" -m benchmarks.run --problems all --solvers "$SOLVERS" --out "$OUT" --report "$OUT/RESULTS.md" "$@" \
    2>&1 | tee "$OUT/run.log"

# Peak memory of one path on `wider` and `big` (the device's own peak and XLA's allocation) and the time per
# iteration against the GPU's memory bandwidth (float64 and float32), then the report again so that it includes them.
"$PYTHON" -m benchmarks.memory --out "$OUT" 2>&1 | tee "$OUT/memory.log"
"$PYTHON" -m benchmarks.roofline --out "$OUT" 2>&1 | tee "$OUT/roofline.log"
"$PYTHON" -m benchmarks.report "$OUT/results.json" --report "$OUT/RESULTS.md"

if [ "${SKIP_SCALING:-0}" != "1" ]; then
    "$PYTHON" -m benchmarks.scaling --out "$OUT" 2>&1 | tee "$OUT/scaling.log"
fi
echo "GPU results: $OUT/RESULTS.md, $OUT/results.json, $OUT/times.png, $OUT/scaling.png"
