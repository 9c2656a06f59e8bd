#!/usr/bin/env bash
# Learned and per-tensor bit-widths end to end on tiny_net:
#  1. the learned workflow: cpq-train --learn-bits (a heavy L0 weight closes
#     every gate above 1 bit), cpq-opt --cpq-bind-params --cpq-assign-bitwidths,
#     a fine-tune of the mixed network as written ("as written" in the
#     summary), then examples/run_packed.sh: the packed kernel and its model
#     file predict exactly what the fake-quantized network predicts;
#  2. cpq-train --bits-from with 3-, 5- and 7-bit tensors: the widths reach
#     the model file, which keeps the 3- and 7-bit weights as rows at their
#     own width (rows_to_panels, "packed-model 2") while the kernel runs them
#     on the panel products; packed, model file and fake-quantized network
#     agree on every test image.
#
#   mixed_bits_test.sh SOURCE_DIR BUILD_DIR NET CACHE SCRATCH
set -euo pipefail
src=$1 build=$2 net=$3 cache=$4 scratch=$5
rm -rf "$scratch" && mkdir -p "$scratch"
train="$build/tools/cpq-train/cpq-train"
opt="$build/tools/cpq-opt/cpq-opt"
small="--train-limit 2000 --test-limit 200 --batch 32 --cache $cache --quiet"
fail() { echo "mixed_bits_test: $*" >&2; exit 1; }
export CPQ_BUILD="$build"

# 1. Learned widths -> assigned -> fine-tuned -> packed.
"$train" "$net" --bits W4A4 --learn-bits --gate-lambda 1 --gate-lr-scale 10 --lr 0.05 --epochs 1 $small -o "$scratch/learn" \
  > "$scratch/learn.log" 2>&1 || fail "learn run failed: $(tail -5 "$scratch/learn.log")"
grep -q '"average_weight_bits": 1.0' "$scratch/learn/summary.json" || fail "the learn run did not choose 1 bit"
"$opt" "$scratch/learn/network.mlir" --cpq-bind-params="file=$scratch/learn/params.safetensors" \
  --cpq-assign-bitwidths -o "$scratch/mixed.mlir" || fail "cpq-assign-bitwidths failed"
grep -q "gate" "$scratch/mixed.mlir" && fail "gates left in the assigned network"
"$train" "$scratch/mixed.mlir" --lr 3e-4 --epochs 1 $small -o "$scratch/ft" > "$scratch/ft.log" 2>&1 ||
  fail "fine-tune of the assigned network failed: $(tail -5 "$scratch/ft.log")"
grep -q '"bits": "as written"' "$scratch/ft/summary.json" || fail "the fine-tune's summary does not say 'as written'"
grep -q '"average_weight_bits": 1.0' "$scratch/ft/summary.json" || fail "the fine-tune did not keep the learned 1 bit"
# The assigned activation grid (alpha renamed act1.alpha@1bit) is still "act1".
grep -q '"tensor": "act1"' "$scratch/ft/summary.json" || fail "the fine-tune's summary does not name act1"
grep -q '@' "$scratch/ft/summary.json" && fail "a tensor of the fine-tune's summary is named after a renamed alpha"
"$src/examples/run_packed.sh" "$scratch/ft" > "$scratch/ft-packed.log" 2>&1 ||
  fail "run_packed.sh on the fine-tuned run failed: $(tail -5 "$scratch/ft-packed.log")"
[ "$(grep -c "(0 of 10000 differ)" "$scratch/ft-packed.log")" = 2 ] ||
  fail "packed learned network differs: $(grep agreement "$scratch/ft-packed.log")"

# 2. Per-tensor widths of 3, 5 and 7 bits.
cat > "$scratch/bits.json" <<'EOF'
{"tensors": [{"tensor": "conv1.weight", "kind": "weight", "bits": 3, "elements": 200},
             {"tensor": "act1", "kind": "activation", "bits": 5, "elements": 4608},
             {"tensor": "fc.weight", "kind": "weight", "bits": 7, "elements": 11520}]}
EOF
"$train" "$net" --bits W4A4 --bits-from "$scratch/bits.json" --epochs 1 $small -o "$scratch/mixed" \
  > "$scratch/mixed.log" 2>&1 || fail "--bits-from run failed: $(tail -5 "$scratch/mixed.log")"
"$src/examples/run_packed.sh" "$scratch/mixed" > "$scratch/mixed-packed.log" 2>&1 ||
  fail "run_packed.sh on the mixed run failed: $(tail -5 "$scratch/mixed-packed.log")"
[ "$(grep -c "(0 of 10000 differ)" "$scratch/mixed-packed.log")" = 2 ] ||
  fail "packed mixed network differs: $(grep agreement "$scratch/mixed-packed.log")"
info="$scratch/mixed-packed.log"
grep -Eq "conv1_weight_panels +U8 +\[8, 10\] .*signed 3-bit weight .*laid out as panels when loaded" "$info" ||
  fail "the 3-bit weight is not stored as rows of its width: $(grep conv1_weight "$info")"
grep -Eq "fc_weight_panels +U8 +\[10, 1008\] .*signed 7-bit weight .*laid out as panels when loaded" "$info" ||
  fail "the 7-bit weight is not stored as rows of its width: $(grep fc_weight "$info")"
# The model file says so in its metadata, with the newer format tag.
python3 - "$scratch/mixed/model.safetensors" <<'EOF' || fail "model file metadata"
import json, struct, sys
data = open(sys.argv[1], "rb").read()
header = json.loads(data[8:8 + struct.unpack("<Q", data[:8])[0]])
meta = header["__metadata__"]
assert meta["cpq.format"] == "packed-model 2", meta["cpq.format"]
assert meta["cpq.rows_to_panels.conv1_weight_panels"] == "signed 3", meta
assert meta["cpq.rows_to_panels.fc_weight_panels"] == "signed 7", meta
assert meta["cpq.weight_layout.fc_weight_panels"] == "rows", meta
EOF
# The kernel runs the weights on the panel products (qgemm), not the
# plain contractions.
grep -q "cpq_qgemm_u8" "$scratch/mixed/model_kernel.json" || fail "the model's kernel does not call qgemm"

# 3. A model file whose stored rows do not fit their grid is refused.
python3 - "$scratch/mixed/model.safetensors" "$scratch/bad.safetensors" <<'EOF'
import json, struct, sys
data = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", data[:8])[0]
header = json.loads(data[8:8 + n])
header["__metadata__"]["cpq.rows_to_panels.fc_weight_panels"] = "signed 6"
text = json.dumps(header).encode()
text += b" " * ((8 - len(text) % 8) % 8)
open(sys.argv[2], "wb").write(struct.pack("<Q", len(text)) + text + data[8 + n:])
EOF
cp "$scratch/bad.safetensors" "$scratch/mixed/bad.safetensors"
if "$build/tools/cpq-run/cpq-run" "$scratch/mixed/bad.safetensors" --info > "$scratch/bad.log" 2>&1; then
  fail "a model file with rows of the wrong width was loaded"
fi
grep -q "bad.safetensors: tensor 'fc_weight_panels': is not the rows layout of 11520 weights of signed 6" "$scratch/bad.log" ||
  fail "no clear refusal: $(cat "$scratch/bad.log")"
echo "mixed_bits_test: ok"
