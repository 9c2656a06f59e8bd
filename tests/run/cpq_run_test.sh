#!/usr/bin/env bash
# cpq-run end to end: tiny.mlir quantized to W2A2, frozen into packed integer
# inference and compiled, runs on a Fashion-MNIST subset next to its
# fake-quantized float form (equal predictions), writes a predictions CSV,
# and every bad input is one message naming the problem and exit code 1.
#
#   cpq_run_test.sh SOURCE_DIR BUILD_DIR SCRATCH
set -euo pipefail
src=$1 build=$2 scratch=$3
opt="$build/tools/cpq-opt/cpq-opt" compile="$build/tools/cpq-compile/cpq-compile" run="$build/tools/cpq-run/cpq-run"
rm -rf "$scratch" && mkdir -p "$scratch" && cd "$scratch"

fail() { echo "cpq_run_test: $*" >&2; exit 1; }

"$opt" --cpq-quantize-network="weight-bits=2 activation-bits=2" "$src/tests/run/tiny.mlir" -o quantized.mlir
"$opt" --cpq-freeze quantized.mlir -o frozen.mlir
"$compile" frozen.mlir --function inference -o packed > /dev/null
"$compile" quantized.mlir --function tiny -o fakequant > /dev/null

# 1. The packed network and its fake-quantized form agree on every image.
"$run" packed --compare fakequant --limit 700 --batch 64 --repeats 2 --predictions preds.csv > run.log 2>&1 ||
  fail "cpq-run failed: $(cat run.log)"
grep -Eq '^  accuracy +[0-9]+\.[0-9]{2} %$' run.log || fail "no accuracy line: $(cat run.log)"
grep -Eq '^  speed +[0-9]+ images/s' run.log || fail "no speed line"
grep -q '^agreement      100.00 % of predictions equal (0 of 700 differ)' run.log || fail "predictions differ: $(cat run.log)"
[ "$(wc -l < preds.csv)" = 701 ] || fail "predictions.csv has $(wc -l < preds.csv) lines, expected 701"
[ "$(head -1 preds.csv)" = "index,label,prediction,compared" ] || fail "predictions.csv header: $(head -1 preds.csv)"
awk -F, 'NR > 1 && $3 != $4 { exit 1 }' preds.csv || fail "the CSV shows differing predictions"
ls preds.csv.tmp* > /dev/null 2>&1 && fail "a temporary file was left behind"

# 2. A batch that does not divide the images, and the training images.
"$run" packed --split train --limit 97 --batch 10 --repeats 1 > train.log 2>&1 || fail "train split failed: $(cat train.log)"
grep -q "on 97 images" train.log || fail "train split: $(cat train.log)"

# 3. Bad input: one message, exit code 1.
expect_error() { # expect_error PATTERN ARGS...
  local pattern=$1; shift
  local code=0
  "$run" "$@" > err.log 2>&1 || code=$?
  [ "$code" = 1 ] || fail "'$*' exited with $code, expected 1: $(cat err.log)"
  grep -q -- "$pattern" err.log || fail "'$*' said: $(cat err.log) (expected: $pattern)"
}
expect_error "missing.json" missing
expect_error "missing.json" packed --compare missing
printf 'not json' > junk.json && cp packed.so junk.so
expect_error "junk.json" junk
expect_error "--batch must be at least 1" packed --batch 0
expect_error "--images and --labels go together" packed --images x.idx
expect_error "--split must be t10k or train" packed --split valid
head -c 3000 /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz > cut.gz
expect_error "cut.gz" packed --images cut.gz --labels /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz
expect_error "no-such-folder" packed --data no-such-folder
# A kernel of another image size, and one that is not a function of images.
cat > small.mlir <<'MLIR'
func @small(%image: tensor<?x1x8x8xf32>) -> tensor<?x10xf32> {
  %f = cpq.flatten %image : (tensor<?x1x8x8xf32>) -> tensor<?x64xf32>
  %w = cpq.param "w" {init = "constant", value = dense<0.5> : tensor<10x64xf32>} : tensor<10x64xf32>
  %y = cpq.dense %f, %w : (tensor<?x64xf32>, tensor<10x64xf32>) -> tensor<?x10xf32>
  return %y : tensor<?x10xf32>
}
MLIR
"$compile" small.mlir --function small -o small > /dev/null
expect_error "not float32 \[batch, 1, 28, 28\] images" small
"$compile" quantized.mlir --pipeline=cpq-train-pipeline --function eval_step -o evalstep > /dev/null
expect_error "is not the images" evalstep
echo "cpq_run_test: all cases passed"
