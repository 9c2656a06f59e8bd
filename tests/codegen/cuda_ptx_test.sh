#!/usr/bin/env bash
# The CUDA target: the small test network's and LeNet-5 W2A2's train_step,
# and LeNet-5 W2A2's packed inference (on parameters that look trained),
# compiled by cpq-compile for host-cuda-cuda_capability_80 (the gpu family's
# schedules), every PTX module inside assembled by ptxas for sm_80 and sm_90
# (scripts/check-cuda-ptx.sh), the train_steps' dense sums reading from
# shared memory. No CUDA device runs here: this checks the
# code, not its results (test_codegen_gpu runs the same schedules on
# OpenCL). Exit 77 (skipped) when ptxas is not installed.
# Usage: cuda_ptx_test.sh SOURCE_DIR BINARY_DIR SCRATCH
set -euo pipefail
src=$1 bin=$2 scratch=$3
compile=$bin/tools/cpq-compile/cpq-compile
rm -rf "$scratch" && mkdir -p "$scratch"

for net in "$src/tests/codegen/networks/small_net.mlir" "$src/examples/networks/lenet5_w2a2.mlir"; do
  name=$(basename "$net" .mlir)
  "$compile" "$net" --pipeline cpq-train-pipeline --function train_step --target host-cuda-cuda_capability_80 \
    -o "$scratch/$name"
  grep -q '"device": "cuda"' "$scratch/$name.json" || { echo "$name.json: no \"device\": \"cuda\"" >&2; exit 1; }
  "$src/scripts/check-cuda-ptx.sh" "$scratch/$name.so" sm_80 sm_90
  # The dense layers' sums read operands staged in shared memory, between
  # barriers (docs/gpu.md).
  loads=$(grep -a -c 'ld\.shared\.' "$scratch/$name.so" || true)
  barriers=$(grep -a -c 'bar\.sync' "$scratch/$name.so" || true)
  if [ "$loads" -eq 0 ] || [ "$barriers" -eq 0 ]; then
    echo "$name: no operand staged in shared memory ($loads shared loads, $barriers barriers)" >&2
    exit 1
  fi
done
params=$scratch/lenet5_w2a2.safetensors
python3 "$src/tests/dialect/Inputs/random_params.py" "$src/examples/networks/lenet5_w2a2.mlir" "$params"
"$bin/tools/cpq-opt/cpq-opt" --cpq-inference-pipeline="params=$params" "$src/examples/networks/lenet5_w2a2.mlir" \
  -o "$scratch/inference.mlir"
"$compile" "$scratch/inference.mlir" --function inference --target host-cuda-cuda_capability_80 -o "$scratch/inference"
"$src/scripts/check-cuda-ptx.sh" "$scratch/inference.so" sm_80 sm_90
# A file without PTX is refused by name.
if "$src/scripts/check-cuda-ptx.sh" "$scratch/small_net.json" 2> "$scratch/err"; then
  echo "a manifest passed as a CUDA kernel" >&2
  exit 1
fi
grep -q "small_net.json: no PTX module" "$scratch/err"
# So is an architecture that is not one.
if "$src/scripts/check-cuda-ptx.sh" "$scratch/small_net.so" compute80 2> "$scratch/err"; then
  echo "an architecture 'compute80' was taken" >&2
  exit 1
fi
grep -q "'compute80' is not an architecture" "$scratch/err"
echo "cuda_ptx_test: passed"
