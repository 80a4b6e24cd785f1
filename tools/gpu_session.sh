#!/usr/bin/env bash
# One session on a machine with an NVIDIA GPU: every chapter and test there, then the GPU
# benchmarks. Run from the project root, with the project's dependencies importable:
#
#     bash tools/gpu_session.sh OUT_DIR
#
# Appends the run to tests/gpu-verification.json (the stamps read it), rewrites the GPU tables in
# benchmarks/results/, and copies them, the logs and what every chapter block printed to OUT_DIR.
set -uo pipefail
out=${1:?usage: bash tools/gpu_session.sh OUT_DIR}
mkdir -p "$out"
export CIFAR10_STAND_IN=1 PYTHONUNBUFFERED=1 PET_PRINTED_JSON="$out/printed-gpu.json"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/gpu.txt"
timeout "${TESTS_SECONDS:-330}" python3 -m tools.gpu_check -- -p no:cacheprovider -q -rfEs 2>&1 \
    | tee "$out/pytest.log"
unset PET_PRINTED_JSON
timeout "${BENCHMARK_SECONDS:-200}" python3 benchmarks/training_speed.py --skip-cpu --write 2>&1 \
    | tee "$out/benchmark.log"
python3 benchmarks/matmul_devices.py --write 2>&1 | tee -a "$out/benchmark.log"
cp tests/gpu-verification.json benchmarks/results/training-speed-gpu.md \
    benchmarks/results/matmul-timing.md "$out/"
