#!/usr/bin/env bash
# pytorch_to_cpq_test.sh SOURCE BUILD SCRATCH: examples/pytorch_to_cpq.sh on
# a tiny scale (1 epoch on 512 images, one seed): the CSV row, the summary
# and the plot; the imported network's accuracy equal to PyTorch's; a rerun
# keeps finished steps and redoes a missing one. Without PyTorch under
# /usr/bin/python3 (CI installs no peers), the script must say so and exit 1.
# Bad arguments are refused either way.
set -euo pipefail
source_dir=$1 build_dir=$2 scratch=$3
rm -rf "$scratch"
mkdir -p "$scratch"
script=$source_dir/examples/pytorch_to_cpq.sh
fail() { echo "FAIL: $*" >&2; exit 1; }
export CPQ_BUILD=$build_dir CPQ_ONNX_DIR=$scratch/study

for bad in "x" "0"; do
  if bash "$script" "$bad" "1" > "$scratch/bad.log" 2>&1; then fail "epochs '$bad' accepted"; fi
  grep -q "epochs must be a positive integer" "$scratch/bad.log" || fail "epochs '$bad': $(cat "$scratch/bad.log")"
done
if bash "$script" 1 "a" > "$scratch/bad.log" 2>&1; then fail "seed 'a' accepted"; fi
grep -q "seeds must be integers" "$scratch/bad.log" || fail "seed 'a': $(cat "$scratch/bad.log")"

if ! /usr/bin/python3 -c "import torch" 2> /dev/null; then
  set +e
  bash "$script" 1 "1" > "$scratch/no-torch.log" 2>&1
  rc=$?
  set -e
  [ "$rc" = 1 ] || fail "without PyTorch: exit $rc"
  grep -q "PyTorch is not importable" "$scratch/no-torch.log" || fail "without PyTorch: $(cat "$scratch/no-torch.log")"
  echo "pytorch_to_cpq_test.sh: no PyTorch here; the script refuses clearly (the study itself is not run)"
  exit 0
fi

export CPQ_ONNX_TORCH_OPTIONS="--train-limit 512" CPQ_ONNX_OPTIONS="--train-limit 512 --test-limit 256 --cache $scratch/cache"
bash "$script" 1 "1" > "$scratch/run1.log" 2>&1 || { cat "$scratch/run1.log"; fail "the study failed"; }
for f in results.csv summary.md accuracy.png seed1/lenet5.onnx seed1/lenet5.mlir seed1/fp32.csv \
         seed1/w2a2/model.safetensors seed1/w4a4/packed.txt; do
  [ -s "$CPQ_ONNX_DIR/$f" ] || fail "no $f"
done
row=$(sed -n 2p "$CPQ_ONNX_DIR/results.csv")
echo "row: $row"
IFS=, read -r seed torch imported w2 w2p w2k w4 w4p w4k <<< "$row"
[ "$seed" = 1 ] || fail "seed column: $row"
[ "$torch" = "$imported" ] || fail "the imported network's accuracy $imported differs from PyTorch's $torch"
for v in "$w2" "$w2p" "$w4" "$w4p"; do
  awk -v a="$v" 'BEGIN { exit !(a > 10 && a <= 100) }' || fail "accuracy '$v' is not a percentage above chance: $row"
done
awk -v a="$w2k" -v b="$w4k" 'BEGIN { exit !(a > 0 && a < b) }' || fail "model sizes W2A2 $w2k, W4A4 $w4k KiB"

# Resume: finished steps are kept, a removed one is redone.
before=$(stat -c %Y "$CPQ_ONNX_DIR/seed1/lenet5.onnx")
rm "$CPQ_ONNX_DIR/seed1/w4a4/packed.txt"
bash "$script" 1 "1" > "$scratch/run2.log" 2>&1 || { cat "$scratch/run2.log"; fail "the rerun failed"; }
[ "$(stat -c %Y "$CPQ_ONNX_DIR/seed1/lenet5.onnx")" = "$before" ] || fail "the rerun trained PyTorch again"
grep -q "training LeNet-5" "$scratch/run2.log" && fail "the rerun trained PyTorch again"
[ -s "$CPQ_ONNX_DIR/seed1/w4a4/packed.txt" ] || fail "the rerun did not redo the packed W4A4 model"
[ "$(sed -n 2p "$CPQ_ONNX_DIR/results.csv")" = "$row" ] || fail "the rerun changed the row"
echo "pytorch_to_cpq_test.sh: all checks passed"
