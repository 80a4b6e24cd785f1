#!/usr/bin/env bash
# `make gpu-check`: one session on a machine with an NVIDIA GPU and PyTorch, in about 10 minutes
# on one H100/H200. Run it from the project root:
#
#     bash tools/publish/gpu_session.sh [OUT_DIR]  # OUT_DIR (default test-output/gpu): the logs
#
# 1. Installs what the tests need and such a machine may lack (sybil, ...), never touching its
#    torch: from the wheels in .whl/ where there is one (a machine without a network: fill .whl/
#    on one with, `make gpu-wheels`, and copy it along), else from PyPI.
# 2. `python -m tools.publish.gpu_check`: the chapters and unit tests on the GPU; rewrites the
#    output fences of the GPU-only blocks with what they printed, and records which blocks that
#    proves in tests/gpu-verification.json (the site shows each GPU-only output as verified or
#    expected).
# 3. The GPU rows of benchmarks/results/ (training speed, matmul timing).
# Each step has a time limit, so the whole fits its window; commit what it changed.
set -uo pipefail
out=${1:-test-output/gpu}
python=${PYTHON:-python3}
mkdir -p "$out"
# The project's root on the path: the benchmark scripts import snippets without an install.
export CIFAR10_STAND_IN=1 PYTHONUNBUFFERED=1 PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"

"$python" -c "import torch; assert torch.cuda.is_available(), 'no CUDA GPU'" || {
    echo "gpu-check needs PyTorch with a CUDA GPU (torch.cuda.is_available() is False)" >&2
    exit 2
}
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/gpu.txt"

# What the tests import, as (module, requirement): install those that are missing, no others.
missing=()
while read -r module requirement; do
    "$python" -c "import $module" 2>/dev/null || missing+=("$requirement")
done <<'NEEDS'
sybil sybil>=9,<11
pytest pytest>=8
yaml pyyaml>=6
tqdm tqdm>=4.60
matplotlib matplotlib>=3.7
PIL pillow>=9
onnx onnx>=1.16
onnxscript onnxscript>=0.2
onnxruntime onnxruntime>=1.18
NEEDS
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    source=()
    [ -d .whl ] && source=(--no-index --find-links .whl)
    "$python" -m pip install --quiet "${source[@]}" "${missing[@]}" || exit 2
fi

timeout 450 "$python" -m tools.publish.gpu_check 2>&1 | tee "$out/gpu-check.log"
status=${PIPESTATUS[0]}
timeout 90 "$python" benchmarks/training_speed.py --skip-cpu --write 2>&1 | tee "$out/benchmark.log"
timeout 30 "$python" benchmarks/matmul_devices.py --write 2>&1 | tee -a "$out/benchmark.log"
cp tests/gpu-verification.json benchmarks/results/*.md "$out/" 2>/dev/null
exit "$status"
