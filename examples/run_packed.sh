#!/usr/bin/env bash
# A trained run as packed integer inference: freezes the network cpq-train
# wrote (cpq-opt --cpq-inference-pipeline: weights packed at their bit-widths,
# integer layers, one requantization per layer), compiles it, compiles the
# trained network itself with its parameters bound (the fake-quantized float
# form), and runs both with cpq-run on the test set: accuracy, images/s and
# how many predictions agree. The packed network is compiled twice: with its
# weights compiled in (RUN/packed: the fast integer products) and as a model
# file of packed weights and scales beside a kernel that takes them
# (RUN/model.safetensors, RUN/model_kernel), which cpq-run --info describes
# and which must predict what RUN/packed predicts.
#
#   examples/run_packed.sh RUN [cpq-run options...]    (RUN: a cpq-train run folder)
#
# Writes RUN/inference.mlir, RUN/packed.{so,a,h,json}, RUN/model.safetensors
# and RUN/model_kernel.{so,a,h,json}, RUN/bound.mlir and
# RUN/fakequant.{so,a,h,json}. CPQ_BUILD names the build folder (default: build).
set -euo pipefail
if [ $# -lt 1 ]; then
  echo "usage: examples/run_packed.sh RUN [cpq-run options...]" >&2
  exit 2
fi
run=$1; shift
build=${CPQ_BUILD:-$(cd "$(dirname "$0")/.." && pwd)/build}
for tool in cpq-opt cpq-compile cpq-run; do
  if [ ! -x "$build/tools/$tool/$tool" ]; then
    echo "run_packed.sh: $build/tools/$tool/$tool not found; build first" >&2
    exit 1
  fi
done
for f in network.mlir params.safetensors; do
  if [ ! -f "$run/$f" ]; then
    echo "run_packed.sh: $run/$f not found (RUN must be a folder cpq-train wrote)" >&2
    exit 1
  fi
done
function=$(grep -m1 -o 'func @[A-Za-z0-9_]*' "$run/network.mlir" | cut -c7-)

"$build/tools/cpq-opt/cpq-opt" --cpq-inference-pipeline="params=$run/params.safetensors" "$run/network.mlir" \
  -o "$run/inference.mlir"
"$build/tools/cpq-compile/cpq-compile" "$run/inference.mlir" --function inference -o "$run/packed" > /dev/null
"$build/tools/cpq-compile/cpq-compile" "$run/inference.mlir" --function inference -o "$run/model_kernel" \
  --model "$run/model.safetensors" > /dev/null
"$build/tools/cpq-opt/cpq-opt" --cpq-bind-params="file=$run/params.safetensors" "$run/network.mlir" -o "$run/bound.mlir"
"$build/tools/cpq-compile/cpq-compile" "$run/bound.mlir" --function "$function" -o "$run/fakequant" > /dev/null
"$build/tools/cpq-run/cpq-run" "$run/model.safetensors" --info
echo "model file against the weights compiled in:"
"$build/tools/cpq-run/cpq-run" "$run/model.safetensors" --compare "$run/packed" --repeats 1 | tail -1
"$build/tools/cpq-run/cpq-run" "$run/packed" --compare "$run/fakequant" "$@"
