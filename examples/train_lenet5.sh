#!/usr/bin/env bash
# The main job: trains LeNet-5 on Fashion-MNIST twice with cpq-train, once
# quantized with CPQ to 2-bit weights and activations with DropBits, once in
# float32, and prints their test accuracies side by side.
#
#   examples/train_lenet5.sh [epochs] [seed]     (defaults: 3 epochs, seed 1)
#
# Runs go to runs/lenet5-w2a2-dropbits and runs/lenet5-fp32 (log.csv,
# checkpoint, trained parameters, summary.json); kernels are compiled once and
# cached (~/.cache/cpq). CPQ_BUILD names the build folder (default: build).
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${1:-3}
seed=${2:-1}
train="${CPQ_BUILD:-build}/tools/cpq-train/cpq-train"
if [ ! -x "$train" ]; then
  echo "train_lenet5.sh: $train not found; build first (cmake --preset default && cmake --build --preset default)" >&2
  exit 1
fi

"$train" examples/networks/lenet5.mlir --bits W2A2 --dropbits 0.25 --epochs "$epochs" --seed "$seed" \
  -o runs/lenet5-w2a2-dropbits --overwrite
"$train" examples/networks/lenet5.mlir --bits FP32 --epochs "$epochs" --seed "$seed" -o runs/lenet5-fp32 --overwrite

# One number of a run's summary.json (cpq-train writes one field a line).
field() { awk -v key="\"$2\":" '$1 == key { gsub(/[",]/, "", $2); print $2 }' "$1/summary.json"; }
echo
echo "LeNet-5 on Fashion-MNIST, $epochs epochs, seed $seed (test set: 10,000 images)"
printf '%-26s %14s %12s %14s\n' "run" "test accuracy" "model KiB" "train img/s"
for run in runs/lenet5-w2a2-dropbits runs/lenet5-fp32; do
  awk -v run="$(basename "$run")" -v acc="$(field "$run" test_accuracy)" -v bits="$(field "$run" model_bits)" \
      -v speed="$(field "$run" train_images_per_s)" \
      'BEGIN { printf "%-26s %13.2f%% %12.1f %14.0f\n", run, 100 * acc, bits / 8192, speed }'
done
