#!/usr/bin/env bash
# Run the benchmark on a machine with an NVIDIA GPU: the same harness and metric as on CPU, with jaxreg on the GPU
# in float64 (`jaxreg`) and float32 (`jaxreg-f32`) and the CPU peers on the host's cores. Results go to
# benchmarks/results/gpu/ (RESULTS.md there), so the CPU results in benchmarks/RESULTS.md are not overwritten.
#
# Two plans (PLAN=full or PLAN=short):
#   full   every problem, peak memory, time per iteration against the GPU's bandwidth, the scaling study (an hour or
#          more, most of it the CPU peers).
#   short  what issues 4 and 5 ask of a GPU in a few minutes: `big`, `wider` and `batch-cv` (float64 and float32),
#          against the CPU peers present, with 2 timing rounds; then the time per iteration against the bandwidth
#          (`big` and `wider`). Its $OUT holds 7 files: RESULTS.md, results.json, results.csv, times.png, run.log,
#          roofline.json, roofline.log.
#          About 5-8 minutes on an H100 host (estimated from the 2-core CPU timings; not yet measured there).
#
# jaxreg is imported from this tree (PYTHONPATH), so nothing needs installing where JAX with CUDA, NumPy, optax and
# scikit-learn already are (the accelerator image of this project's workplace: `python3`). Elsewhere:
#   python -m venv .venv && .venv/bin/pip install -e ".[bench]" "jax[cuda12]"
#   optional: R with glmnet (apt-get install r-cran-glmnet); adelie in .venv-adelie (it pins numpy<2)
# Peers that are not installed are skipped with their reason in RESULTS.md.
#
# Usage:  benchmarks/gpu.sh [extra arguments for benchmarks.run, e.g. --problems big,wider]
# Env:    PLAN (full), PYTHON (.venv/bin/python if present, else python3), OUT (benchmarks/results/gpu), SOLVERS,
#         SKIP_SCALING=1, JAXREG_BENCH_REV (the commit to record where the tree has no .git),
#         ALLOW_CPU=1 (run without a GPU: a dry run of this script, e.g. `ALLOW_CPU=1 PLAN=short gpu.sh --quick`)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${PYTHON:-}" ]; then
    if [ -x .venv/bin/python ]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
fi
PLAN=${PLAN:-full}
OUT=${OUT:-benchmarks/results/gpu}
SOLVERS=${SOLVERS:-jaxreg,jaxreg-f32,sklearn,celer,skglm,glmnet,adelie}
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
mkdir -p "$OUT"
case "$PLAN" in
    full) PROBLEMS=all; RUN_ARGS=(); ROOF_ARGS=() ;;
    short) PROBLEMS=big,wider,batch-cv; RUN_ARGS=(--repeats 2); ROOF_ARGS=(--problems big,wider) ;;
    *) echo "PLAN must be full or short, got $PLAN" >&2; exit 2 ;;
esac
QUICK=()
for arg in "$@"; do [ "$arg" = "--quick" ] && QUICK=(--quick); done

# Refuse to produce "GPU" numbers on a CPU: JAX must see a GPU (unless ALLOW_CPU=1, a dry run).
ALLOW_CPU=${ALLOW_CPU:-0} "$PYTHON" - <<'PY'
import os
import sys

import jax

d = jax.devices()[0]
print(f"JAX {jax.__version__}: {d.platform} {getattr(d, 'device_kind', d)} ({len(jax.devices())} device(s))")
if d.platform != "gpu" and os.environ["ALLOW_CPU"] != "1":
    sys.exit("JAX sees no GPU: install jax[cuda12] (pip install 'jax[cuda12]') and check nvidia-smi.")
PY
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv || true

# The device is recorded in results.json (machine.jax_device, machine.gpus) and in RESULTS.md.
# XLA_PYTHON_CLIENT_PREALLOCATE=false: allocate GPU memory on demand, so the gap checks on the host are not starved.
export XLA_PYTHON_CLIENT_PREALLOCATE=false
"$PYTHON" -m benchmarks.run --problems "$PROBLEMS" --solvers "$SOLVERS" --out "$OUT" --report "$OUT/RESULTS.md" \
    "${RUN_ARGS[@]}" "$@" 2>&1 | tee "$OUT/run.log"

# Peak memory of one path on `wider` and `big` (full plan), and the time per iteration against the GPU's memory
# bandwidth (float64 and float32), then the report again so that it includes them.
if [ "$PLAN" = full ]; then
    "$PYTHON" -m benchmarks.memory --out "$OUT" "${QUICK[@]}" 2>&1 | tee "$OUT/memory.log"
fi
"$PYTHON" -m benchmarks.roofline --out "$OUT" "${ROOF_ARGS[@]}" "${QUICK[@]}" 2>&1 | tee "$OUT/roofline.log"
"$PYTHON" -m benchmarks.report "$OUT/results.json" --report "$OUT/RESULTS.md"

if [ "$PLAN" = full ] && [ "${SKIP_SCALING:-0}" != "1" ]; then
    "$PYTHON" -m benchmarks.scaling --out "$OUT" "${QUICK[@]}" 2>&1 | tee "$OUT/scaling.log"
fi
echo "GPU results: $OUT/RESULTS.md, $OUT/results.json, $OUT/times.png$([ "$PLAN" = full ] && echo ", $OUT/scaling.png")"
