#!/usr/bin/env bash
# cpq_import_test.sh SOURCE BUILD SCRATCH: the workflow PyTorch -> ONNX ->
# cpq with the tools: cpq-import of the committed LeNet-5 export; its float
# network bound to the imported parameters, compiled and run on the whole
# Fashion-MNIST test set gets PyTorch's count of right answers; a W2A2
# fine-tune from the imported parameters runs and its packed model runs;
# refusals exit 1 with the file and node named and write nothing; usage
# errors exit 2.
set -euo pipefail
source_dir=$1 build_dir=$2 scratch=$3
rm -rf "$scratch"
mkdir -p "$scratch"
cd "$scratch"
fixtures=$source_dir/tests/import/fixtures
tools=$build_dir/tools
fail() { echo "FAIL: $*" >&2; exit 1; }

"$tools/cpq-import/cpq-import" "$fixtures/lenet5.onnx" -o lenet5.mlir > import.log
cat import.log
[ -f lenet5.mlir ] && [ -f lenet5.safetensors ] || fail "cpq-import did not write lenet5.mlir and lenet5.safetensors"
grep -q "func @lenet5(%image: tensor<?x1x28x28xf32>) -> tensor<?x10xf32>" lenet5.mlir || fail "function signature"
grep -q "10 nodes -> 10 cpq layers" import.log || fail "summary line"
"$tools/cpq-import/cpq-import" "$fixtures/lenet5.onnx" -o other.mlir --params weights.safetensors --function lenet \
  --quiet > quiet.log
[ ! -s quiet.log ] || fail "--quiet printed something"
[ -f weights.safetensors ] && grep -q "func @lenet(" other.mlir || fail "--params / --function"

# The float network with PyTorch's weights: the same answers on 10000 images.
"$tools/cpq-opt/cpq-opt" --cpq-bind-params=file=lenet5.safetensors lenet5.mlir -o bound.mlir
"$tools/cpq-compile/cpq-compile" bound.mlir --function lenet5 -o fp32 > /dev/null
"$tools/cpq-run/cpq-run" fp32 --predictions fp32.csv | tee run.log
correct=$(awk -F, 'NR > 1 && $2 == $3 { n++ } END { print n + 0 }' fp32.csv)
want=$(head -c 600 "$fixtures/lenet5_expected.safetensors" | grep -ao '"pytorch_test_correct":"[0-9]*"' | grep -o '[0-9]*')
echo "imported LeNet-5: $correct of 10000 right; PyTorch: $want"
[ "$correct" = "$want" ] || fail "the imported network gets $correct right, PyTorch $want"

# CPQ fine-tune (W2A2) from the imported parameters, then packed inference.
"$tools/cpq-train/cpq-train" lenet5.mlir --bits W2A2 --init-from lenet5.safetensors --epochs 1 --train-limit 1024 \
  --test-limit 512 --cache "$scratch/cache" -o run > train.log 2>&1
grep -q "started from 8 parameters of lenet5.safetensors" train.log || fail "the fine-tune did not start from the imported parameters"
grep -q '"init_from": *"lenet5.safetensors"' run/summary.json || fail "summary.json has no init_from"
grep "test accuracy" train.log | tail -1
CPQ_BUILD=$build_dir bash "$source_dir/examples/run_packed.sh" run --limit 512 --repeats 1 > packed.log
tail -3 packed.log
grep -q "agree" packed.log || fail "run_packed.sh did not compare the packed model"

# Refusals: exit 1, the file and the node named, nothing written.
expect_refusal() {
  local file=$1 message=$2
  echo "previous" > kept.mlir
  set +e
  "$tools/cpq-import/cpq-import" "$fixtures/$file" -o kept.mlir 2> err.log
  local rc=$?
  set -e
  [ "$rc" = 1 ] || fail "$file: exit $rc, want 1"
  grep -qF "$fixtures/$file" err.log || fail "$file: the message does not name the file: $(cat err.log)"
  grep -qF "$message" err.log || fail "$file: '$message' not in: $(cat err.log)"
  [ "$(cat kept.mlir)" = previous ] && [ ! -e kept.safetensors ] || fail "$file: an output was written"
  echo "refused $file: $(cut -c1-160 err.log)"
}
expect_refusal unsupported_op.onnx "node #1 '/body/Sigmoid' (Sigmoid): unsupported op"
expect_refusal unsupported_attribute.onnx "dilations [2, 2]"
expect_refusal float64.onnx "is DOUBLE"
expect_refusal truncated.onnx "not an ONNX model"
expect_refusal not_onnx.onnx "not an ONNX model"
set +e
"$tools/cpq-import/cpq-import" "$fixtures/lenet5.onnx" > /dev/null 2>&1; rc_no_output=$?
"$tools/cpq-import/cpq-import" "$fixtures/lenet5.onnx" -o x.mlir --params x.mlir > /dev/null 2>&1; rc_same=$?
"$tools/cpq-import/cpq-import" "$scratch/absent.onnx" -o y.mlir 2> absent.log; rc_absent=$?
set -e
[ "$rc_no_output" != 0 ] || fail "no -o accepted"
[ "$rc_same" = 1 ] || fail "--params equal to -o: exit $rc_same"
[ "$rc_absent" = 1 ] && grep -q "absent.onnx: cannot open" absent.log || fail "a missing file: exit $rc_absent"
echo "cpq_import_test.sh: all checks passed"
