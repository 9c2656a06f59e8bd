#!/usr/bin/env bash
# cpq-compress end to end on tiny_net: a float run trained for one epoch on a
# Fashion-MNIST subset is compressed with every method (network-wide and per
# layer, with and without pruning and fine-tuning); each compressed model is
# run again by cpq-run and gives the accuracy cpq-compress reported; the JSON
# line holds the keys scripts rely on; every bad input is one message naming
# the problem and exit code 1; damaged model files are refused. A CPQ run
# (W2A2) is compressed on its grids and runs on the packed integer kernels,
# through cpq-run and the C API, exactly as the run's frozen network.
#
#   cpq_compress_test.sh SOURCE_DIR BUILD_DIR TINY_NET KERNEL_CACHE SCRATCH
set -euo pipefail
src=$1 build=$2 net=$3 cache=$4 scratch=$5
train="$build/tools/cpq-train/cpq-train" compress="$build/tools/cpq-compress/cpq-compress"
run="$build/tools/cpq-run/cpq-run" opt="$build/tools/cpq-opt/cpq-opt"
rm -rf "$scratch" && mkdir -p "$scratch" && cd "$scratch"

fail() { echo "cpq_compress_test: $*" >&2; exit 1; }
limits=(--train-limit 1500 --test-limit 500)

"$train" "$net" --bits FP32 --epochs 1 --seed 3 "${limits[@]}" --cache "$cache" -o fp32 --quiet > train.log 2>&1 ||
  fail "cpq-train failed: $(cat train.log)"

# compress NAME OPTIONS...: runs cpq-compress --json into NAME.cpqz, checks
# the JSON line and that cpq-run gives the same accuracy on the file.
compress() {
  local name=$1
  shift
  "$compress" fp32 "$@" "${limits[@]}" --cache "$cache" --json -o "$name.cpqz" > "$name.log" 2> "$name.err" ||
    fail "cpq-compress $* failed: $(cat "$name.err")"
  tail -1 "$name.log" > "$name.json"
  [ -f "$name.cpqz" ] || fail "$name.cpqz was not written"
  [ -e "$name.cpqz.work" ] && fail "$name.cpqz.work was left behind"
  ls "$name".cpqz.tmp* > /dev/null 2>&1 && fail "a temporary file of $name.cpqz was left behind"
  "$run" "$name.cpqz" --limit 500 --batch 50 --repeats 1 > "$name.run" 2>&1 || fail "cpq-run $name.cpqz failed: $(cat "$name.run")"
  python3 - "$name.json" "$name.run" "$name.cpqz" <<'PY' || fail "$name ($*): $(cat "$name.log")"
import json, os, re, sys
j = json.load(open(sys.argv[1]))
for key in ("ratio", "test_accuracy", "reference_accuracy", "bits_per_weight", "sparsity", "clusters", "entropy",
            "file_bytes", "method", "hessian", "per_layer"):
    assert key in j, f"no '{key}' in {j}"
ran = re.search(r"^  accuracy +([0-9.]+) %$", open(sys.argv[2]).read(), re.M)
assert ran, "cpq-run printed no accuracy"
assert abs(float(ran.group(1)) - 100 * j["test_accuracy"]) < 0.005, (ran.group(1), j["test_accuracy"])
assert j["file_bytes"] == os.path.getsize(sys.argv[3])
assert j["ratio"] > 1 and 0 < j["bits_per_weight"] < 32, j
assert 0.1 < j["reference_accuracy"] <= 1 and j["test_accuracy"] > 0.3, j
PY
}
value() { python3 -c "import json,sys; print(json.load(open('$1.json'))['$2'])"; }
check() { python3 -c "import json,sys; j=json.load(open('$1.json')); sys.exit(0 if ($2) else 1)" || fail "$1: not $2: $(cat "$1.json")"; }

# 1. Every method, network-wide.
compress uniform64 --method uniform --clusters 64 --hessian none
check uniform64 "j['clusters'] <= 64 and j['sparsity'] == 0 and j['entropy'] <= 6"
compress kmeans4 --method kmeans --clusters 4 --hessian none
check kmeans4 "j['clusters'] == 4 and j['entropy'] <= 2"
compress hkmeans4 --method hkmeans --clusters 4 --seed 5
check hkmeans4 "j['clusters'] == 4 and j['hessian'] == 'adam'"
compress hdiag --method hkmeans --clusters 4 --hessian diag
check hdiag "j['clusters'] == 4 and j['hessian'] == 'diag'"
grep -q 'compiled hessian_diag\|kernels from the cache: .*-hessian-' hdiag.err || fail "hessian_diag was not used: $(cat hdiag.err)"
grep -q 'Hessian diagonal: 1500 of 1500 images' hdiag.err || fail "no progress of the Hessian: $(cat hdiag.err)"
compress ecsq --method ecsq --rate 1.5
check ecsq "j['entropy'] <= 1.5 + 0.05"
compress urate --method uniform --rate 2
check urate "j['entropy'] <= 2 + 0.05"
# The same seed gives the same file.
"$compress" fp32 --method hkmeans --clusters 4 --seed 5 "${limits[@]}" --cache "$cache" -o again.cpqz --quiet > /dev/null ||
  fail "hkmeans again failed"
python3 - hkmeans4.cpqz again.cpqz <<'PY' || fail "the same seed gave different codes"
import json, struct, sys
def tensors(p):
    b = open(p, 'rb').read(); n = struct.unpack('<Q', b[:8])[0]; h = json.loads(b[8:8 + n])
    return {k: b[8 + n + v['data_offsets'][0]:8 + n + v['data_offsets'][1]] for k, v in h.items() if k != '__metadata__'}
a, b = tensors(sys.argv[1]), tensors(sys.argv[2])
assert a == b, [k for k in a if a[k] != b.get(k)]
PY

# 2. Per layer: a codebook per parameter.
compress perlayer --method kmeans --clusters 4 --hessian none --per-layer
check perlayer "j['per_layer'] and j['clusters'] == 4"
"$run" perlayer.cpqz --info > perlayer.info 2>&1 || fail "--info failed: $(cat perlayer.info)"
[ "$(grep -c 'codebook' perlayer.info)" -ge 4 ] || fail "--info shows fewer than 4 codebooks: $(cat perlayer.info)"

# 3. Pruning with fine-tuning, then the centres fine-tuned.
compress pruned --method uniform --rate 2 --prune 0.8 --fine-tune-epochs 1
check pruned "0.78 < j['sparsity'] < 0.8 and j['accuracy_before_fine_tune'] >= 0"
check pruned "j['ratio'] > $(value urate ratio)"
grep -q 'prune-fine-tune' pruned.err || fail "no progress of the fine-tuning: $(cat pruned.err)"

# 3b. A CPQ run (W2A2), --method grid: every weight's level on its own grid,
# scaled by its alpha: without pruning the compressed model predicts exactly
# what the run's network predicts; pruned, the fine-tuning goes through the
# run's CPQ training kernels and the file costs fewer bits.
"$train" "$net" --bits W2A2 --epochs 1 --seed 3 "${limits[@]}" --cache "$cache" -o w2a2 --quiet > train-w2a2.log 2>&1 ||
  fail "cpq-train W2A2 failed: $(cat train-w2a2.log)"
mv fp32 fp32.keep && mv w2a2 fp32 # compress() reads the run folder fp32
# On the packed kernel (the default): the frozen integer network, its packed
# weights decoded from the codes at load time.
compress grid --method grid
check grid "j['method'] == 'grid' and j['grid_kernel'] == 'packed' and j['hessian'] == 'none' and j['clusters'] == 4"
check grid "j['sparsity'] == 0 and j['test_accuracy'] == j['reference_accuracy'] and j['bits_per_weight'] <= 2.1"
# Through the C API: the same logits, bit for bit, as the run frozen with its
# weights compiled in (the packed bytes decoded from the codes are the
# compiler's).
"$opt" --cpq-inference-pipeline="params=fp32/params.safetensors" fp32/network.mlir -o frozen.mlir ||
  fail "freezing the W2A2 run failed"
"$build/tools/cpq-compile/cpq-compile" frozen.mlir --function inference -o frozen_kernel > compile.log 2>&1 ||
  fail "compiling the frozen W2A2 run failed: $(cat compile.log)"
"$build/tests/runtime/c_model_client" grid.cpqz frozen_kernel frozen.mlir > c_model.log 2>&1 ||
  fail "the C API on grid.cpqz: $(cat c_model.log)"
grep -q '^equal logits' c_model.log || fail "the C API on grid.cpqz compared no logits: $(cat c_model.log)"
# On the float network with its quantizers: codes times alpha.
compress gridfloat --method grid --grid-kernel float
check gridfloat "j['grid_kernel'] == 'float' and j['test_accuracy'] == j['reference_accuracy']"
python3 - grid.cpqz gridfloat.cpqz <<'PY' || fail "grid.cpqz or gridfloat.cpqz is not the expected compressed model"
import json, struct, sys
def coding(path):
    b = open(path, 'rb').read(); n = struct.unpack('<Q', b[:8])[0]; meta = json.loads(b[8:8 + n])['__metadata__']
    assert meta['cpq.format'] == 'compressed-model 2', meta['cpq.format']
    return json.loads(meta['cpq.coding'])['parameters']
packed, scaled = coding(sys.argv[1]), coding(sys.argv[2])
assert packed['fc_weight_panels']['packing'] == {'layout': 'panels', 'grid': 'signed', 'bits': 2}, packed
assert scaled['fc_weight']['scale'] == 'fc_weight_alpha', scaled['fc_weight']
PY
"$run" grid.cpqz --info > grid.info 2>&1 || fail "cpq-run --info grid.cpqz failed"
grep -q "fc_weight_panels .*codebook 'signed2' of 4 values, decoded to the panels layout" grid.info ||
  fail "--info does not show the packed weight: $(cat grid.info)"
"$run" gridfloat.cpqz --info > gridfloat.info 2>&1 || fail "cpq-run --info gridfloat.cpqz failed"
grep -q "codebook 'signed2' of 4 values times 'fc_weight_alpha'" gridfloat.info ||
  fail "--info does not show the scale: $(cat gridfloat.info)"
compress gridpruned --method grid --prune 0.7 --fine-tune-epochs 1
check gridpruned "0.69 < j['sparsity'] < 0.71 and j['ratio'] > $(value grid ratio)"
refuse_early() { "$compress" fp32 "$@" -o x.cpqz > refused.out 2> refused.err && fail "'$*' was accepted"; cat refused.err; }
refuse_early --method kmeans --clusters 4 | grep -q -- "--method grid codes a CPQ run's weights" || fail "no hint to --method grid"
mv fp32 w2a2 && mv fp32.keep fp32
refuse_early --method grid | grep -q "no weight is quantized by CPQ" || fail "grid on a float run not refused"
refuse_early --method grid --clusters 4 | grep -q "it takes no --clusters" || fail "grid with --clusters not refused"
refuse_early --method grid --grid-kernel halide | grep -q "grid-kernel must be packed or float" || fail "a bad --grid-kernel accepted"

# 4. Bad input: one message, exit 1, nothing written.
refuse() {
  local expect=$1
  shift
  local rc=0
  "$@" > refused.out 2> refused.err || rc=$?
  [ "$rc" = 1 ] || fail "'$*' exited with $rc, expected 1: $(cat refused.err)"
  grep -q -- "$expect" refused.err || fail "'$*' did not say '$expect': $(cat refused.err)"
}
refuse "--method must be kmeans, hkmeans, uniform, ecsq or grid, not 'median'" "$compress" fp32 --method median --clusters 4 -o x.cpqz
refuse "no-such-run/network.mlir: not found" "$compress" no-such-run --method kmeans --clusters 4 -o x.cpqz
refuse "needs a Hessian" "$compress" fp32 --method hkmeans --hessian none --clusters 4 -o x.cpqz
refuse "--method ecsq takes --rate" "$compress" fp32 --method ecsq --clusters 4 -o x.cpqz
refuse "--method kmeans takes --clusters K" "$compress" fp32 --method kmeans --rate 2 -o x.cpqz
refuse "--lr must be a positive number" "$compress" fp32 --method kmeans --clusters 4 --lr -1 -o x.cpqz
refuse "either --clusters K or --rate BITS" "$compress" fp32 --method uniform -o x.cpqz
refuse "--prune must be in \[0, 1)" "$compress" fp32 --method uniform --rate 2 --prune 1 -o x.cpqz
refuse "--hessian must be" "$compress" fp32 --method kmeans --clusters 4 --hessian exact -o x.cpqz
[ -e x.cpqz ] && fail "a refused call wrote x.cpqz"
# A run of a CPQ-quantized network is refused before anything is compiled.
mkdir -p cpqrun && cp fp32/params.safetensors fp32/summary.json cpqrun/
"$opt" --cpq-quantize-network="weight-bits=2 activation-bits=2" fp32/network.mlir -o cpqrun/network.mlir
refuse "is quantized by CPQ in this network" "$compress" cpqrun --method kmeans --clusters 4 -o x.cpqz
# A run without Adam's moments needs --hessian none.
mkdir -p noadam && cp fp32/network.mlir fp32/params.safetensors noadam/ && cp fp32/params.safetensors noadam/checkpoint.safetensors
refuse "has no Adam second moment" "$compress" noadam --method hkmeans --clusters 4 "${limits[@]}" --cache "$cache" -o x.cpqz

# 5. Damaged files are refused with the file's name: a flipped byte in the
# coded data, a truncated file, a file that is not a model.
python3 - kmeans4.cpqz flipped.cpqz <<'PY'
import json, struct, sys
b = bytearray(open(sys.argv[1], 'rb').read()); n = struct.unpack('<Q', b[:8])[0]; h = json.loads(b[8:8 + n])
name = next(k for k in h if k.endswith('.indices'))
b[8 + n + h[name]['data_offsets'][0] + 3] ^= 0x10
open(sys.argv[2], 'wb').write(b)
PY
refuse "flipped.cpqz" "$run" flipped.cpqz --limit 10
grep -qi "checksum\|crc" refused.err || fail "the flipped byte is not reported as a checksum error: $(cat refused.err)"
head -c 300 kmeans4.cpqz > truncated.cpqz
refuse "truncated.cpqz" "$run" truncated.cpqz --limit 10
echo "not a model" > foreign.cpqz
refuse "foreign.cpqz" "$run" foreign.cpqz --limit 10
echo "cpq_compress_test: all cases passed"
