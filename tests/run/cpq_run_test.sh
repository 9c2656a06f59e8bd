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

# The same network on the plain int32 contractions (--packed-products
# halide) predicts what the hand-written products predict.
"$compile" frozen.mlir --function inference -o plain --packed-products halide > /dev/null
"$run" plain --compare packed --limit 700 --batch 64 --repeats 1 > plain.log 2>&1 || fail "plain kernel failed: $(cat plain.log)"
grep -q '(0 of 700 differ)' plain.log || fail "the plain contractions differ: $(cat plain.log)"
python3 - packed.json plain.json <<'PY' || fail "only the qgemm kernel should call cpq_qgemm_u8"
import json, sys
assert 'cpq_qgemm_u8' in json.load(open(sys.argv[1]))['externs']
assert 'cpq_qgemm_u8' not in json.load(open(sys.argv[2]))['externs']
PY

# 2. A batch that does not divide the images, and the training images.
"$run" packed --split train --limit 97 --batch 10 --repeats 1 > train.log 2>&1 || fail "train split failed: $(cat train.log)"
grep -q "on 97 images" train.log || fail "train split: $(cat train.log)"

# 3. The packed model file: the same network with its parameters in a
# safetensors file (packed weights as bytes) gives the same predictions, and
# --info shows what it holds against float32.
"$compile" frozen.mlir --function inference -o model_kernel --model model.safetensors > /dev/null
"$run" model.safetensors --compare packed --limit 700 --batch 64 --repeats 1 --predictions model.csv > model.log 2>&1 ||
  fail "cpq-run on the model failed: $(cat model.log)"
grep -q '^agreement      100.00 % of predictions equal (0 of 700 differ)' model.log || fail "model differs: $(cat model.log)"
cmp <(cut -d, -f1-3 preds.csv) <(cut -d, -f1-3 model.csv) || fail "the model's predictions differ from the kernel's"
"$run" model.safetensors --info > info.log 2>&1 || fail "--info failed: $(cat info.log)"
size=$(stat -c %s model.safetensors)
grep -Eq "^  file on disk +$size bytes" info.log || fail "--info does not give the file's size $size: $(cat info.log)"
grep -Eq '^  [a-z0-9_]+_panels +U8 .*signed 2-bit weight .*panel layout' info.log ||
  fail "--info lists no packed weight in the panel layout: $(cat info.log)"
# The file's size is the packed bytes, the float32 values and the header.
packed=$(awk '/^  packed weights/ {print $3}' info.log) other=$(awk '/^  other values/ {print $3}' info.log)
header=$(awk '/^  header/ {print $2}' info.log)
[ $((packed + other + header)) = "$size" ] || fail "$packed + $other + $header != $size"
python3 - model.safetensors "$packed" <<'PY' || fail "the model file's packed tensors do not add up"
import json, struct, sys
b = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', b[:8])[0]
h = json.loads(b[8:8 + n])
assert h['__metadata__']['cpq.format'] == 'packed-model 1', h['__metadata__']
weights = [k for k in h if k.endswith('_packed') or k.endswith('_panels')]
assert weights, h.keys()
packed = sum(h[k]['data_offsets'][1] - h[k]['data_offsets'][0] for k in weights)
assert all(h[k]['dtype'] == 'U8' for k in weights)
assert packed == int(sys.argv[2]), (packed, sys.argv[2])
PY

# 3-bit weights have no panel layout of their own width (panels hold them in
# 4 bits): the model file keeps cpq.pack's rows at 3 bits, the loader lays
# them out as panels, and the kernel runs them on qgemm; the predictions
# are still the fake-quantized network's.
"$opt" --cpq-quantize-network="weight-bits=3 activation-bits=3" "$src/tests/run/tiny.mlir" -o quantized3.mlir
"$opt" --cpq-freeze quantized3.mlir -o frozen3.mlir
"$compile" frozen3.mlir --function inference -o model3_kernel --model model3.safetensors > /dev/null
"$compile" quantized3.mlir --function tiny -o fakequant3 > /dev/null
"$run" model3.safetensors --info > info3.log 2>&1 || fail "--info of the 3-bit model failed: $(cat info3.log)"
grep -Eq '^  fc_weight_panels +U8 +\[10, 54\] .*signed 3-bit weight .*rows of cpq.pack, laid out as panels when loaded' info3.log ||
  fail "the 3-bit model does not hold cpq.pack rows: $(cat info3.log)"
grep -q '"cpq_qgemm_u8"' model3_kernel.json || fail "the 3-bit model's kernel does not call qgemm"
"$run" model3.safetensors --compare fakequant3 --limit 300 --batch 50 --repeats 1 > model3.log 2>&1 ||
  fail "the 3-bit model failed: $(cat model3.log)"
grep -q '(0 of 300 differ)' model3.log || fail "the 3-bit model differs: $(cat model3.log)"

# A binary layer: W1A1 with +-1 weights; the dense layer reads codes of the
# 1-bit activation grid, so it runs on AND and popcount (cpq_bgemm_b1, bit
# rows in the model file) and the convolution (8-bit image codes) on qgemm;
# both kernels predict what the fake-quantized network predicts.
"$opt" --cpq-quantize-network="weight-bits=1 activation-bits=1 weight-grid=symmetric" "$src/tests/run/tiny.mlir" \
  -o quantized1.mlir
"$opt" --cpq-freeze quantized1.mlir -o frozen1.mlir
"$compile" frozen1.mlir --function inference -o packed1 > /dev/null
"$compile" frozen1.mlir --function inference -o model1_kernel --model model1.safetensors > /dev/null
"$compile" quantized1.mlir --function tiny -o fakequant1 > /dev/null
python3 - packed1.json model1_kernel.json <<'PY' || fail "the W1A1 kernels should call cpq_bgemm_b1 and cpq_qgemm_u8"
import json, sys
for f in sys.argv[1:]:
    assert sorted(json.load(open(f))['externs']) == ['cpq_bgemm_b1', 'cpq_qgemm_u8'], f
PY
"$run" model1.safetensors --info > info1.log 2>&1 || fail "--info of the W1A1 model failed: $(cat info1.log)"
grep -Eq '^  fc_weight_bits +U8 .*symmetric 1-bit weight \[10, 144\] \(1440 weights, bit rows\)' info1.log ||
  fail "the W1A1 model does not hold the dense layer's bit rows: $(cat info1.log)"
# Sign activations (the 1-bit symmetric grid, levels -1/+1, no ReLU: the
# W1A1 network with its ReLU replaced by x + x and its activation grid made
# symmetric): the dense layer runs on AND and popcount (XNOR form) and
# predicts what the plain int32 contractions predict.
sed -e 's/cpq.relu %7 : /cpq.add %7, %7 : /' -e 's/{bits = 1 : i64, grid = "unsigned"}/{bits = 1 : i64, grid = "symmetric"}/' \
  quantized1.mlir > quantized_sign.mlir
grep -q 'cpq.add %7, %7' quantized_sign.mlir || fail "quantized1.mlir no longer has the ReLU this test replaces"
"$opt" --cpq-freeze quantized_sign.mlir -o frozen_sign.mlir
grep -q 'tensor<?x144xsi8>, tensor<10x18xui8>' frozen_sign.mlir || fail "the sign network's dense layer does not read int8 levels"
"$compile" frozen_sign.mlir --function inference -o packed_sign > /dev/null
"$compile" frozen_sign.mlir --function inference -o plain_sign --packed-products halide > /dev/null
python3 - packed_sign.json <<'PY' || fail "the sign network should call cpq_bgemm_b1"
import json, sys
assert 'cpq_bgemm_b1' in json.load(open(sys.argv[1]))['externs']
PY
"$run" packed_sign --compare plain_sign --limit 500 --batch 50 --repeats 1 > sign.log 2>&1 || fail "sign network failed: $(cat sign.log)"
grep -q '(0 of 500 differ)' sign.log || fail "the sign network on AND and popcount differs: $(cat sign.log)"

# Signed 2-bit activations (the W2A2 network with its ReLU replaced by x + x
# and its activation grid signed): the dense layer reads int8 levels, which
# qgemm takes as codes x + 128 less 128 times each output's sum of levels
# (a tensor of the model file); packed, plain and model file agree.
sed -e 's/cpq.relu %7 : /cpq.add %7, %7 : /' -e 's/{bits = 2 : i64, grid = "unsigned"}/{bits = 2 : i64, grid = "signed"}/' \
  quantized.mlir > quantized_s2.mlir
"$opt" --cpq-freeze quantized_s2.mlir -o frozen_s2.mlir
grep -q 'tensor<?x144xsi8>, tensor<10x36xui8>' frozen_s2.mlir || fail "the signed network's dense layer does not read int8 levels"
"$compile" frozen_s2.mlir --function inference -o packed_s2 > /dev/null
"$compile" frozen_s2.mlir --function inference -o plain_s2 --packed-products halide > /dev/null
"$compile" frozen_s2.mlir --function inference -o model_s2_kernel --model model_s2.safetensors > /dev/null
"$run" model_s2.safetensors --info > info_s2.log 2>&1 || fail "--info of the signed model failed: $(cat info_s2.log)"
grep -Eq '^  fc_weight_level_sums +I32 +\[10\] +40 +10 values \(sums of weight levels\)' info_s2.log ||
  fail "the signed model has no level sums: $(cat info_s2.log)"
for k in packed_s2 model_s2.safetensors; do
  "$run" "$k" --compare plain_s2 --limit 500 --batch 50 --repeats 1 > s2.log 2>&1 || fail "signed $k failed: $(cat s2.log)"
  grep -q '(0 of 500 differ)' s2.log || fail "signed $k differs from the plain contractions: $(cat s2.log)"
done

# The C API on both model files: the same outputs as the kernels with the
# weights compiled in, and its refusals.
for m in "model.safetensors packed" "model1.safetensors packed1"; do
  set -- $m
  "$build/tests/runtime/c_model_client" "$1" "$2" frozen.mlir > c_model.log 2>&1 ||
    fail "the C API on $1: $(cat c_model.log)"
  grep -q '^equal logits' c_model.log || fail "the C API on $1 compared no logits: $(cat c_model.log)"
done
for k in packed1 model1.safetensors; do
  "$run" "$k" --compare fakequant1 --limit 300 --batch 50 --repeats 1 > w1a1.log 2>&1 || fail "W1A1 $k failed: $(cat w1a1.log)"
  grep -q '(0 of 300 differ)' w1a1.log || fail "W1A1 $k differs: $(cat w1a1.log)"
done

# --tensor: the network's inputs as a raw float32 file and as a safetensors
# file (the first 120 test images, byte / 255 as cpq-run feeds them) give
# the predictions of the IDX run; without labels there is no accuracy.
python3 - <<'PY'
import gzip, json, struct
raw = gzip.open('/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz').read()[16:16 + 120 * 784]
values = struct.pack('<%df' % len(raw), *[b / 255.0 for b in raw])
open('inputs.f32', 'wb').write(values)
head = json.dumps({'images': {'dtype': 'F32', 'shape': [120, 1, 28, 28], 'data_offsets': [0, len(values)]}}).encode()
head += b' ' * ((8 - len(head) % 8) % 8)
open('inputs.safetensors', 'wb').write(struct.pack('<Q', len(head)) + head + values)
open('odd.f32', 'wb').write(values[:-4])
open('cut.f32', 'wb').write(values[:-1])
nan = bytearray(values)
nan[4 * (784 * 3 + 100):4 * (784 * 3 + 101)] = struct.pack('<f', float('nan'))
open('nan.f32', 'wb').write(bytes(nan))
two = json.dumps({'a': {'dtype': 'F32', 'shape': [1], 'data_offsets': [0, 4]},
                  'b': {'dtype': 'F32', 'shape': [1], 'data_offsets': [4, 8]}}).encode()
two += b' ' * ((8 - len(two) % 8) % 8)
open('two.safetensors', 'wb').write(struct.pack('<Q', len(two)) + two + b'\0' * 8)
flat = json.dumps({'x': {'dtype': 'F32', 'shape': [120, 784], 'data_offsets': [0, len(values)]}}).encode()
flat += b' ' * ((8 - len(flat) % 8) % 8)
open('flat.safetensors', 'wb').write(struct.pack('<Q', len(flat)) + flat + values)
PY
"$run" packed --limit 120 --batch 50 --repeats 1 --predictions idx120.csv > /dev/null 2>&1 || fail "the IDX run of 120 images failed"
labels=/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz
for f in inputs.f32 inputs.safetensors; do
  "$run" packed --tensor "$f" --labels "$labels" --batch 50 --repeats 1 --predictions "$f.csv" > tensor.log 2>&1 ||
    fail "--tensor $f failed: $(cat tensor.log)"
  grep -q "on 120 inputs" tensor.log || fail "--tensor $f: $(cat tensor.log)"
  cmp idx120.csv "$f.csv" || fail "--tensor $f predicts otherwise than the IDX images"
done
"$run" model.safetensors --tensor inputs.f32 --compare packed --batch 64 --repeats 1 --predictions nolabels.csv > tensor.log 2>&1 ||
  fail "--tensor without labels failed: $(cat tensor.log)"
grep -q "accuracy     (no labels)" tensor.log || fail "--tensor without labels: $(cat tensor.log)"
grep -q "(0 of 120 differ)$" tensor.log || fail "--tensor model vs kernel: $(cat tensor.log)"
[ "$(head -1 nolabels.csv)" = "index,prediction,compared" ] || fail "unlabelled CSV header: $(head -1 nolabels.csv)"

# 4. Bad input: one message, exit code 1.
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
expect_error "odd.f32: 94079 float32 values are not a whole number (> 0) of inputs of \[N, 1, 28, 28\]" packed --tensor odd.f32
expect_error "cut.f32: 376319 bytes is not a whole number of float32 values" packed --tensor cut.f32
expect_error "nan.f32: input 3 holds nan at element 100 (inputs must be finite)" packed --tensor nan.f32

expect_error "two.safetensors: holds 2 tensors; --tensor takes a file of one" packed --tensor two.safetensors
expect_error "flat.safetensors: tensor of shape \[120, 784\], the kernel takes \[N, 1, 28, 28\]" packed --tensor flat.safetensors
expect_error "--tensor and --images exclude each other" packed --tensor inputs.f32 --images x.idx
expect_error "missing.f32: cannot open" packed --tensor missing.f32
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
# Bad model files: not a model, a missing kernel, a tensor missing or of the
# wrong shape, a truncated file, --info on a kernel.
cp "$src/tests/run/tiny.mlir" plain.txt
python3 - <<'PY'
import json, struct
def write(path, header, data):
    h = json.dumps(header).encode()
    open(path, 'wb').write(struct.pack('<Q', len(h)) + h + data)
b = open('model.safetensors', 'rb').read()
n = struct.unpack('<Q', b[:8])[0]
h = json.loads(b[8:8 + n]); data = b[8 + n:]
meta = dict(h['__metadata__'])
write('plain.safetensors', {'x': {'dtype': 'F32', 'shape': [1], 'data_offsets': [0, 4]}}, b'\0' * 4)
write('nokernel.safetensors', dict(h, __metadata__=dict(meta, **{'cpq.kernel': 'no_such_kernel'})), data)
name = next(k for k in h if k.endswith('_panels'))
less = {k: v for k, v in h.items() if k != name}
write('missing.safetensors', less, data)
bad = json.loads(json.dumps(h)); bad[name]['shape'] = [bad[name]['shape'][0], 1]
write('shape.safetensors', bad, data)
# A quantizer step that is not positive (act1's alpha -1): the kernel stops.
at = h['act1_alpha']['data_offsets'][0]
write('alpha.safetensors', h, data[:at] + struct.pack('<f', -1.0) + data[at + 4:])
open('cut.safetensors', 'wb').write(b[:len(b) - 100])
PY
expect_error "plain.safetensors: not a cpq packed or compressed model" plain.safetensors
expect_error "nokernel.safetensors: its kernel no_such_kernel.so is missing" nokernel.safetensors
expect_error "missing.safetensors: has no tensor '.*_panels'" missing.safetensors
expect_error "shape.safetensors: tensor '.*_panels' is U8 \[.*, 1\], its kernel .* takes uint8" shape.safetensors
expect_error "cut.safetensors" cut.safetensors
expect_error "the next quantizer's alpha must be positive and finite, got -1" alpha.safetensors --limit 10
expect_error "cut.safetensors" cut.safetensors --info
expect_error "--info reads a model file" packed --info
echo "cpq_run_test: all cases passed"
