#!/usr/bin/env bash
# The workflow of a PyTorch user, over seeds: LeNet-5 trained in float32 in
# PyTorch and exported to ONNX (examples/pytorch/lenet5_to_onnx.py), brought
# in with cpq-import, checked (the imported float network, bound to PyTorch's
# weights and compiled, must give PyTorch's answers on the test set), CPQ
# fine-tuned at W2A2 and W4A4 from those weights (cpq-train --init-from, lr
# 3e-4, the recipe of the accuracy table), then packed and run as a model
# file (examples/run_packed.sh).
#
#   examples/pytorch_to_cpq.sh [epochs] [seeds]     (defaults: 8 epochs, seeds "1 2 3")
#
# epochs: PyTorch's float training and each fine-tune. Writes, under
# runs/onnx (CPQ_ONNX_DIR): seedS/lenet5.onnx, lenet5.mlir and
# lenet5.safetensors (the import), fp32.csv (the imported network's
# predictions), w2a2/ and w4a4/ (cpq-train runs, with their packed model
# files), and results.csv (one row a seed), summary.md (mean and spread) and
# accuracy.png. Resumable: finished steps are kept, an interrupted fine-tune
# continues from its checkpoint. Environment: CPQ_BUILD the build folder
# (default build); CPQ_ONNX_TORCH_OPTIONS more options for the PyTorch
# script (e.g. "--train-limit 1000"); CPQ_ONNX_OPTIONS more cpq-train
# options for the fine-tunes (e.g. "--train-limit 1000 --test-limit 500").
# Needs PyTorch under /usr/bin/python3 (scripts/install-deps.sh --peers).
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${1:-8}
seeds=${2:-"1 2 3"}
dir=${CPQ_ONNX_DIR:-runs/onnx}
build=${CPQ_BUILD:-build}
torch_extra=${CPQ_ONNX_TORCH_OPTIONS:-}
extra=${CPQ_ONNX_OPTIONS:-}
py=/usr/bin/python3
case "$epochs" in '' | *[!0-9]* | 0) echo "pytorch_to_cpq.sh: epochs must be a positive integer, got '$epochs'" >&2; exit 1 ;; esac
for seed in $seeds; do
  case "$seed" in *[!0-9]*) echo "pytorch_to_cpq.sh: seeds must be integers, got '$seed'" >&2; exit 1 ;; esac
done
if [ -z "${seeds// /}" ]; then echo "pytorch_to_cpq.sh: no seeds given" >&2; exit 1; fi
for tool in cpq-import cpq-opt cpq-compile cpq-train cpq-run; do
  if [ ! -x "$build/tools/$tool/$tool" ]; then
    echo "pytorch_to_cpq.sh: $build/tools/$tool/$tool not found; build first" >&2
    exit 1
  fi
done
if ! "$py" -c "import torch" 2> /dev/null; then
  echo "pytorch_to_cpq.sh: PyTorch is not importable by $py (scripts/install-deps.sh --peers installs python3-torch)" >&2
  exit 1
fi
command -v gnuplot > /dev/null || { echo "pytorch_to_cpq.sh: gnuplot not found (apt-get install gnuplot-nox)" >&2; exit 1; }
tools=$build/tools
mkdir -p "$dir"

json_number() { grep -o "\"$2\": *[0-9.eE+-]*" "$1" | head -1 | sed 's/.*: *//'; }

for seed in $seeds; do
  s=$dir/seed$seed
  mkdir -p "$s"
  echo "== seed $seed"
  if [ ! -f "$s/lenet5.onnx" ]; then
    # shellcheck disable=SC2086
    "$py" examples/pytorch/lenet5_to_onnx.py --epochs "$epochs" --seed "$seed" $torch_extra -o "$s/lenet5.onnx" |
      tee "$s/pytorch.log.tmp"
    mv "$s/pytorch.log.tmp" "$s/pytorch.log"
  fi
  if [ ! -f "$s/lenet5.mlir" ]; then
    "$tools/cpq-import/cpq-import" "$s/lenet5.onnx" -o "$s/lenet5.mlir"
  fi
  if [ ! -f "$s/fp32.csv" ]; then
    "$tools/cpq-opt/cpq-opt" --cpq-bind-params="file=$s/lenet5.safetensors" "$s/lenet5.mlir" -o "$s/bound.mlir"
    "$tools/cpq-compile/cpq-compile" "$s/bound.mlir" --function lenet5 -o "$s/fp32" > /dev/null
    "$tools/cpq-run/cpq-run" "$s/fp32" --predictions "$s/fp32.csv.tmp" > /dev/null
    mv "$s/fp32.csv.tmp" "$s/fp32.csv"
  fi
  for bits in W2A2 W4A4; do
    run=$s/$(echo "$bits" | tr 'A-Z' 'a-z')
    if [ ! -f "$run/summary.json" ]; then
      resume=""
      [ -f "$run/checkpoint.safetensors" ] && resume="--resume"
      "$tools/cpq-train/cpq-train" "$s/lenet5.mlir" --bits "$bits" --init-from "$s/lenet5.safetensors" --lr 3e-4 \
        --epochs "$epochs" --seed "$seed" -o "$run" $resume $extra --quiet
    fi
    if [ ! -f "$run/packed.txt" ]; then
      CPQ_BUILD=$build bash examples/run_packed.sh "$run" --repeats 1 > "$run/packed.txt.tmp"
      mv "$run/packed.txt.tmp" "$run/packed.txt"
    fi
  done
done

# One row a seed: PyTorch's float accuracy, the imported network's (and
# its predictions' accuracy), the fine-tunes' and their packed models'
# accuracy, and the model files' size on disk.
{
  echo "seed,pytorch_fp32,imported_fp32,w2a2,w2a2_packed,w2a2_model_kib,w4a4,w4a4_packed,w4a4_model_kib"
  for seed in $seeds; do
    s=$dir/seed$seed
    [ -f "$s/w4a4/packed.txt" ] || continue
    torch_acc=$(grep -o "test accuracy: [0-9.]*" "$s/pytorch.log" | tail -1 | grep -o "[0-9.]*$")
    imported=$(awk -F, 'NR > 1 { n++; if ($2 == $3) c++ } END { printf "%.2f", 100 * c / n }' "$s/fp32.csv")
    row="$seed,$torch_acc,$imported"
    for b in w2a2 w4a4; do
      acc=$(json_number "$s/$b/summary.json" test_accuracy)
      packed=$(grep -m1 "^  accuracy" "$s/$b/packed.txt" | grep -o "[0-9.]* %" | grep -o "[0-9.]*")
      kib=$(grep -m1 "file on disk" "$s/$b/packed.txt" | grep -o "[0-9.]* KiB" | grep -o "[0-9.]*")
      row="$row,$(awk -v a="$acc" 'BEGIN { printf "%.2f", 100 * a }'),$packed,$kib"
    done
    echo "$row"
  done
} > "$dir/results.csv.tmp"
mv "$dir/results.csv.tmp" "$dir/results.csv"

# Mean and sample standard deviation per column.
awk -F, -v epochs="$epochs" '
  NR == 1 { for (c = 2; c <= NF; ++c) name[c] = $c; cols = NF; next }
  { n++; for (c = 2; c <= NF; ++c) { sum[c] += $c; sq[c] += $c * $c; v[c] = v[c] (v[c] == "" ? "" : " / ") $c } }
  END {
    print "LeNet-5 / Fashion-MNIST, " epochs " epochs in PyTorch then " epochs " epochs of CPQ fine-tuning, " n " seed(s)\n"
    print "| | per seed | mean ± spread |"
    print "|---|---|---|"
    for (c = 2; c <= cols; ++c) {
      m = sum[c] / n; sd = n > 1 ? sqrt((sq[c] - n * m * m) / (n - 1)) : 0; if (sd != sd) sd = 0
      printf "| %s | %s | %.2f ± %.2f |\n", name[c], v[c], m, sd
      printf "%s %.4f %.4f\n", name[c], m, sd > "/dev/stderr"
    }
  }' "$dir/results.csv" > "$dir/summary.md.tmp" 2> "$dir/means.dat"
mv "$dir/summary.md.tmp" "$dir/summary.md"
cat "$dir/summary.md"

grep -v "_kib" "$dir/means.dat" > "$dir/accuracy.dat"
gnuplot <<EOF
set terminal pngcairo size 900,450 noenhanced
set output "$dir/accuracy.png.tmp"
set title "LeNet-5: PyTorch FP32 -> cpq-import -> CPQ fine-tune (mean, spread over seeds)"
set ylabel "test accuracy (%)"
set style fill solid 0.6
set boxwidth 0.6
set yrange [80:95]
set grid ytics
plot "$dir/accuracy.dat" using 0:2:xtic(1) with boxes notitle, "" using 0:2:3 with yerrorbars lc rgb "black" notitle
EOF
mv "$dir/accuracy.png.tmp" "$dir/accuracy.png"
echo "wrote $dir/results.csv, $dir/summary.md, $dir/accuracy.png"
